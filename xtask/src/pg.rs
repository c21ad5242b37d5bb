//! A throwaway PostgreSQL cluster: `initdb` into a temporary folder, a free
//! loopback port, stopped and removed when dropped.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::Result;
use crate::tools::postgres_needs_other_user;

/// A running cluster that trusts local connections as the `aduan` role.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bindir: PathBuf,
    port: u16,
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// A PostgreSQL program, run as the `postgres` user when we are root.
fn pg_command(bindir: &Path, program: &str) -> Command {
    let path = bindir.join(program);
    if postgres_needs_other_user() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(path);
        cmd
    } else {
        Command::new(path)
    }
}

fn quiet(cmd: &mut Command, what: &str, log: &Path) -> Result {
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let server_log = std::fs::read_to_string(log).unwrap_or_default();
    Err(format!(
        "{what} failed: {}{}{server_log}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    ))
}

impl Cluster {
    /// Creates and starts a cluster with the programs in `bindir`.
    pub fn start(bindir: &Path) -> Result<Cluster> {
        let dir =
            std::env::temp_dir().join(format!("aduan-pg-{}-{}", std::process::id(), free_port()?));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        if postgres_needs_other_user() {
            crate::run(Command::new("chown").args(["-R", "postgres:"]).arg(&dir))?;
        }
        let port = free_port()?;
        let cluster = Cluster {
            dir: dir.clone(),
            bindir: bindir.to_path_buf(),
            port,
        };
        let data = dir.join("data");
        let log = dir.join("server.log");
        quiet(
            pg_command(bindir, "initdb").arg("-D").arg(&data).args([
                "-U",
                "aduan",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]),
            "initdb",
            &log,
        )?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            dir.display()
        );
        quiet(
            pg_command(bindir, "pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-l"])
                .arg(&log)
                .args(["-w", "-t", "60", "start"]),
            "starting PostgreSQL",
            &log,
        )?;
        eprintln!("xtask: a throwaway PostgreSQL cluster listens on 127.0.0.1:{port}");
        Ok(cluster)
    }

    /// A URL of the maintenance database, for creating test databases.
    pub fn admin_url(&self) -> String {
        format!("postgres://aduan@127.0.0.1:{}/postgres", self.port)
    }

    /// A URL of a new database in this cluster.
    pub fn create_database(&self, name: &str) -> Result<String> {
        quiet(
            pg_command(&self.bindir, "createdb").args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "aduan",
                name,
            ]),
            "createdb",
            &self.dir.join("server.log"),
        )?;
        Ok(format!("postgres://aduan@127.0.0.1:{}/{name}", self.port))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stopped = pg_command(&self.bindir, "pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .output();
        if let Err(e) = stopped {
            eprintln!("xtask: stopping PostgreSQL: {e}");
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("xtask: removing {}: {e}", self.dir.display());
        }
    }
}
