//! Installs what the commands need on a fresh machine, or says in one line
//! what to install.

use std::path::PathBuf;
use std::process::Command;

use crate::{Result, root, run};

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Installs Debian packages when running as root; otherwise says what to install.
pub fn apt_install(packages: &[&str], why: &str) -> Result {
    if !is_root() || output(Command::new("apt-get").arg("--version")).is_none() {
        return Err(format!(
            "{why} is missing: install the Debian packages {} (apt-get install {})",
            packages.join(", "),
            packages.join(" ")
        ));
    }
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// The wasm32 target of the running toolchain.
pub fn ensure_wasm_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"]));
    match installed {
        Some(list) if list.lines().any(|l| l.trim() == "wasm32-unknown-unknown") => Ok(()),
        Some(_) => run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"])),
        None => {
            let sysroot =
                output(Command::new("rustc").args(["--print", "sysroot"])).unwrap_or_default();
            let lib = PathBuf::from(sysroot.trim()).join("lib/rustlib/wasm32-unknown-unknown");
            if lib.exists() {
                Ok(())
            } else {
                Err("the wasm32-unknown-unknown target is missing: install it (rustup target add wasm32-unknown-unknown)".into())
            }
        }
    }
}

/// The `wasm-bindgen` version Cargo.lock pins.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\""
            && let Some(version) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = "))
        {
            return Ok(version.trim_matches('"').to_owned());
        }
    }
    Err("Cargo.lock names no wasm-bindgen version".into())
}

/// A `wasm-bindgen` CLI of the version Cargo.lock pins, installed into
/// `.tools/` when the one on PATH differs.
pub fn ensure_wasm_bindgen() -> Result<PathBuf> {
    let version = locked_wasm_bindgen()?;
    let local = root().join(".tools/bin/wasm-bindgen");
    for candidate in [local.clone(), PathBuf::from("wasm-bindgen")] {
        if let Some(v) = output(Command::new(&candidate).arg("--version"))
            && v.split_whitespace().nth(1) == Some(version.as_str())
        {
            return Ok(candidate);
        }
    }
    eprintln!("xtask: installing wasm-bindgen-cli {version} into .tools/ (a few minutes, once)");
    run(crate::cargo()
        .args([
            "install",
            "wasm-bindgen-cli",
            "--version",
            &format!("={version}"),
            "--root",
        ])
        .arg(root().join(".tools")))?;
    Ok(local)
}

/// The folder holding PostgreSQL's server programs (`initdb`, `pg_ctl`),
/// installing Debian's `postgresql` when running as root.
pub fn ensure_postgres() -> Result<PathBuf> {
    if let Some(dir) = find_postgres() {
        return Ok(dir);
    }
    apt_install(
        &["postgresql"],
        "PostgreSQL (initdb and pg_ctl, for the tests)",
    )?;
    find_postgres().ok_or_else(|| "PostgreSQL was installed but initdb was not found".into())
}

fn find_postgres() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let initdb = output(Command::new("sh").args(["-c", "command -v initdb"]))?;
    PathBuf::from(initdb.trim()).parent().map(PathBuf::from)
}

/// Whether commands must run as the `postgres` user (PostgreSQL refuses root).
pub fn postgres_needs_other_user() -> bool {
    is_root()
}

/// Debian's Chromium and ChromeDriver for the browser tests, installed when
/// running as root.
pub fn ensure_chromium() -> Result {
    let present = ["/usr/bin/chromium", "/usr/bin/chromedriver"]
        .iter()
        .all(|p| std::path::Path::new(p).exists());
    if present || std::env::var_os("ADUAN_CHROMIUM").is_some() {
        return Ok(());
    }
    apt_install(
        &["chromium", "chromium-driver"],
        "Chromium (for the browser tests)",
    )
}

/// Debian's HAProxy for the load-balancer test (and OpenSSL, for a
/// throwaway certificate to check the example configuration), installed
/// when running as root; HAProxy's path.
pub fn ensure_haproxy() -> Result<PathBuf> {
    let path = PathBuf::from("/usr/sbin/haproxy");
    if !path.exists() || !std::path::Path::new("/usr/bin/openssl").exists() {
        apt_install(
            &["haproxy", "openssl"],
            "HAProxy and OpenSSL (for the load-balancer tests)",
        )?;
    }
    Ok(path)
}

/// The version of tus-py-client (PyPI `tuspy`) the conformance test runs.
const TUSPY: &str = "1.1.0";

/// A real tus client from a package registry, for the conformance test:
/// tus-py-client and what it needs, installed once into `.tools/python`.
pub fn ensure_tuspy() -> Result<PathBuf> {
    let dir = root().join(".tools/python");
    let marker = dir.join(format!("tuspy-{TUSPY}.dist-info"));
    if marker.exists() {
        return Ok(dir);
    }
    if output(Command::new("python3").args(["-m", "pip", "--version"])).is_none() {
        apt_install(
            &["python3-pip"],
            "Python's pip (for the tus client of the conformance test)",
        )?;
    }
    eprintln!("xtask: installing tus-py-client {TUSPY} into .tools/python (once)");
    run(Command::new("python3")
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--target",
        ])
        .arg(&dir)
        .arg(format!("tuspy=={TUSPY}")))?;
    if marker.exists() {
        Ok(dir)
    } else {
        Err(format!(
            "tuspy {TUSPY} was installed but {} is missing",
            marker.display()
        ))
    }
}
