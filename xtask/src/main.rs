//! Project commands, run as `cargo xtask <command>`:
//!
//! - `serve`: build the widget bundle and the server, start it on SQLite with
//!   the Bali data, and print the addresses to open.
//! - `test`: every check and test, with a throwaway PostgreSQL cluster.
//! - `bench`: throughput and latency of the release build on both engines.
//! - `dist`: build the widget bundle into `public/dist/`.

mod bench;
mod console_bench;
// The connection-breaking proxy of the upload tests counts bytes on the wire.
#[allow(dead_code)]
#[path = "../../server/tests/it/cutter.rs"]
mod cutter;
mod outbox_bench;
mod performance_bench;
mod upload_bench;
// The DevTools client the browser tests use, shared for the widget benchmark.
#[allow(dead_code)]
#[path = "../../server/tests/it/browser.rs"]
mod browser;
mod dist;
mod load;
mod pg;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The workspace root (the parent of this crate's folder).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// A failure worth one line to the person running the command.
pub type Result<T = ()> = std::result::Result<T, String>;

/// Runs a command in the workspace root, echoing it; fails when it fails.
pub fn run(cmd: &mut Command) -> Result {
    eprintln!("$ {}", describe(cmd));
    let status = cmd
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(cmd)))
    }
}

fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// `cargo` with the same toolchain that runs this command.
pub fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn test() -> Result {
    tools::ensure_wasm_target()?;
    let postgres = tools::ensure_postgres()?;
    tools::ensure_chromium()?;
    let haproxy = tools::ensure_haproxy()?;
    let tuspy = tools::ensure_tuspy()?;
    let bindgen = tools::ensure_wasm_bindgen()?;
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args([
        "clippy",
        "-p",
        "aduan-app",
        "-p",
        "aduan-widget",
        "--all-targets",
        "--target",
        "wasm32-unknown-unknown",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The browser tests load the release bundle, as a citizen's phone would.
    dist::build(&bindgen)?;
    let cluster = pg::Cluster::start(&postgres)?;
    let tested = run(cargo()
        .args(["test", "--workspace", "--exclude", "aduan-widget"])
        .env("ADUAN_TEST_POSTGRES_URL", cluster.admin_url())
        .env("ADUAN_TUSPY", &tuspy)
        .env("ADUAN_HAPROXY", &haproxy));
    drop(cluster);
    tested?;
    // Component tests of the widget in headless Chromium.
    let runner = bindgen.with_file_name("wasm-bindgen-test-runner");
    run(cargo()
        .args([
            "test",
            "-p",
            "aduan-widget",
            "--target",
            "wasm32-unknown-unknown",
        ])
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner)
        .env("CHROMEDRIVER", "/usr/bin/chromedriver")
        .env(
            "WASM_BINDGEN_TEST_WEBDRIVER_JSON",
            root().join("widget/webdriver.json"),
        ))?;
    println!("xtask test: every check and test passed");
    Ok(())
}

fn serve(args: &[String]) -> Result {
    tools::ensure_wasm_target()?;
    let bindgen = tools::ensure_wasm_bindgen()?;
    dist::build(&bindgen)?;
    run(cargo().args(["build", "--release", "-p", "aduan-server"]))?;
    let binary = root().join("target/release/aduan");
    let listen = std::env::var("ADUAN_LISTEN").unwrap_or_else(|_| "127.0.0.1:8080".into());
    let base = std::env::var("ADUAN_PUBLIC_URL").unwrap_or_else(|_| format!("http://{listen}"));
    println!();
    println!(
        "Aduan is starting on the embedded SQLite database (data/aduan.db) with the Bali data."
    );
    println!("  Start page:                  {base}/");
    println!("  Demo, floating launcher:     {base}/demo/regency.html");
    println!("  Demo, inline form + tracker: {base}/demo/inline.html");
    println!("  Demo, strict CSP:            {base}/demo/strict-csp.html");
    println!("  Demo, public record:         {base}/demo/record.html  (data-view=\"stats\")");
    println!("  Hosted form (no script):     {base}/r/badung");
    println!("  Regions:                     {base}/api/v1/regions");
    println!("  Form data for Badung:        {base}/api/v1/regions/badung/form");
    println!("  API description (OpenAPI):   {base}/api/v1/openapi.json");
    println!("  Health:                      {base}/healthz");
    println!("  Officer console:             {base}/console");
    println!("Demo sign-ins (password `demo-aduan-2026`; demo mode only):");
    println!("  admin@demo.aduan.id                      system administrator");
    println!("  provinsi@demo.aduan.id                   province coordinator (every region)");
    println!(
        "  coordinator.<region>@demo.aduan.id       region coordinator, e.g. coordinator.badung@demo.aduan.id"
    );
    println!(
        "  unit.<region>@demo.aduan.id              unit officer of public works (pupr), e.g. unit.badung@demo.aduan.id"
    );
    println!("  supervisor.<region>@demo.aduan.id        supervisor, read only");
    println!(
        "  webmaster.<region>@demo.aduan.id         webmaster: the region's websites and the widget on them ({base}/console/sites)"
    );
    println!(
        "  coordinator.bali@demo.aduan.id           the province's own coordinator (verifies what is handed to it)"
    );
    println!(
        "  saber-pungli@demo.aduan.id               the province's Saber Pungli unit (illegal levies from every region)"
    );
    println!(
        "  Performance dashboard:       {base}/console/performance  (public figures: {base}/r/badung/stats)"
    );
    println!(
        "  <region>: badung, bangli, buleleng, denpasar, gianyar, jembrana, karangasem, klungkung, tabanan"
    );
    println!("Press Ctrl-C to stop.");
    println!();
    let mut cmd = Command::new(binary);
    cmd.arg("serve").arg("--demo-officers").args(args);
    if std::env::var_os("ADUAN_LISTEN").is_none() {
        cmd.env("ADUAN_LISTEN", &listen);
    }
    if std::env::var_os("ADUAN_PUBLIC_URL").is_none() {
        cmd.env("ADUAN_PUBLIC_URL", &base);
    }
    run(&mut cmd)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("serve") => serve(&args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("dist") => tools::ensure_wasm_target()
            .and_then(|()| tools::ensure_wasm_bindgen())
            .and_then(|bindgen| dist::build(&bindgen).map(drop)),
        _ => Err("usage: cargo xtask <serve|test|bench|dist>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
