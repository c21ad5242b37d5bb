//! No acknowledged complaint is lost when the server is killed with SIGKILL
//! while complaints are being submitted.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::support::{Engine, TestDb, complaint, new_key};

/// The `aduan` binary, serving on a random port.
pub struct Server {
    pub child: Child,
    pub base: String,
}

async fn start(db: &TestDb) -> Server {
    start_with(db, &[]).await
}

/// Starts the binary with extra environment settings.
pub async fn start_with(db: &TestDb, settings: &[(&str, &str)]) -> Server {
    start_listening(db, "127.0.0.1:0", settings).await
}

/// The same on a chosen address (a balancer's configuration names it).
pub async fn start_listening(db: &TestDb, listen: &str, settings: &[(&str, &str)]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aduan"));
    child
        .args(["serve", "--listen", listen, "--log-format", "json"])
        .env("DATABASE_URL", &db.url)
        .env("ADUAN_LOG", "info")
        .env("ADUAN_SUBMIT_RATE", "0")
        .env("ADUAN_LOOKUP_RATE", "0");
    for (k, v) in settings {
        child.env(k, v);
    }
    let mut child = child
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the aduan binary starts");
    let stdout = child.stdout.take().expect("its output");
    let mut lines = BufReader::new(stdout).lines();
    let mut base = None;
    while let Ok(Some(line)) = lines.next_line().await {
        let entry: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
        if entry["fields"]["message"] == "aduan is serving" {
            base = entry["fields"]["address"]
                .as_str()
                .map(|a| format!("http://{a}"));
            break;
        }
    }
    let base = base.expect("the server said where it listens");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Server { child, base }
}

impl Server {
    /// Files a new complaint with a fresh idempotency key.
    pub async fn file(&self, client: &reqwest::Client) -> reqwest::Response {
        client
            .post(format!("{}/api/v1/complaints", self.base))
            .header("idempotency-key", new_key())
            .json(&complaint())
            .send()
            .await
            .expect("an answer")
    }

    /// Asserts that every code is found by the tracker (`why` says what
    /// a missing one means).
    pub async fn assert_tracked<'a>(&self, codes: impl IntoIterator<Item = &'a String>, why: &str) {
        let client = reqwest::Client::new();
        for code in codes {
            let r = client
                .get(format!("{}/api/v1/complaints/{code}", self.base))
                .send()
                .await
                .expect("an answer");
            assert_eq!(r.status().as_u16(), 200, "{code} {why}");
        }
    }
}

/// Runs `cycles` rounds of submit-then-SIGKILL and checks every acknowledged code.
async fn acknowledged_complaints_survive_kill_9(engine: Engine, cycles: u32) {
    let db = TestDb::new(engine).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let unknown = Arc::new(AtomicUsize::new(0));
    for cycle in 0..cycles {
        let mut server = start(&db).await;
        let stop = Arc::new(AtomicBool::new(false));
        let mut clients = Vec::new();
        for _ in 0..16 {
            let (base, stop, acked, unknown) = (
                server.base.clone(),
                stop.clone(),
                acknowledged.clone(),
                unknown.clone(),
            );
            clients.push(tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(5))
                    .build()
                    .expect("a client");
                while !stop.load(Ordering::Relaxed) {
                    let sent = client
                        .post(format!("{base}/api/v1/complaints"))
                        .header("idempotency-key", new_key())
                        .json(&complaint())
                        .send()
                        .await;
                    match sent {
                        Ok(r) if r.status().as_u16() == 201 => match r.json::<Value>().await {
                            Ok(body) => {
                                let code = body["tracking_code"]
                                    .as_str()
                                    .unwrap_or_default()
                                    .to_owned();
                                acked.lock().await.push(code);
                            }
                            Err(_) => {
                                unknown.fetch_add(1, Ordering::Relaxed);
                            }
                        },
                        Ok(r) => panic!("a valid complaint was refused with {}", r.status()),
                        Err(_) => {
                            unknown.fetch_add(1, Ordering::Relaxed);
                            break;
                        }
                    }
                }
            }));
        }
        tokio::time::sleep(Duration::from_millis(1200 + 300 * u64::from(cycle))).await;
        server.child.start_kill().expect("SIGKILL");
        let _ = server.child.wait().await;
        stop.store(true, Ordering::Relaxed);
        for c in clients {
            c.await.expect("a client task");
        }
    }

    let server = start(&db).await;
    let client = reqwest::Client::new();
    let codes = acknowledged.lock().await.clone();
    assert!(
        codes.len() > 50,
        "too few submissions to mean anything: {}",
        codes.len()
    );
    let mut lost = Vec::new();
    for code in &codes {
        let r = client
            .get(format!("{}/api/v1/complaints/{code}", server.base))
            .send()
            .await
            .expect("an answer");
        if r.status().as_u16() != 200 {
            lost.push(code.clone());
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged complaints were lost: {lost:?}",
        lost.len(),
        codes.len()
    );
    let stored = db.count("SELECT COUNT(*) FROM complaints").await;
    assert!(stored >= codes.len() as i64);
    let orphans = db
        .count("SELECT COUNT(*) FROM complaints c WHERE NOT EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id) OR NOT EXISTS (SELECT 1 FROM idempotency_keys k WHERE k.complaint_id = c.id)")
        .await;
    assert_eq!(orphans, 0, "complaints without their first event or key");
    if engine == Engine::Sqlite {
        assert_eq!(
            db.count("SELECT COUNT(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'")
                .await,
            0
        );
    }
    eprintln!(
        "{engine:?}: {} acknowledged, 0 lost, {} stored, {} outcomes unknown at a kill",
        codes.len(),
        stored,
        unknown.load(Ordering::Relaxed)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_loses_no_acknowledged_complaint_to_kill_9() {
    acknowledged_complaints_survive_kill_9(Engine::Sqlite, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_loses_no_acknowledged_complaint_to_kill_9() {
    acknowledged_complaints_survive_kill_9(Engine::Postgres, 3).await;
}

/// SIGTERM: the server stops accepting, answers what is in flight, closes
/// the database and exits cleanly; nothing it acknowledged is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_and_exits_cleanly() {
    let db = TestDb::new(Engine::Sqlite).await;
    let mut server = start(&db).await;
    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut clients = Vec::new();
    for _ in 0..8 {
        let (base, acked) = (server.base.clone(), acknowledged.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .expect("a client");
            loop {
                let sent = client
                    .post(format!("{base}/api/v1/complaints"))
                    .header("idempotency-key", new_key())
                    .json(&complaint())
                    .send()
                    .await;
                match sent {
                    Ok(r) if r.status().as_u16() == 201 => {
                        let body: Value = r.json().await.unwrap_or(Value::Null);
                        acked.lock().await.push(
                            body["tracking_code"]
                                .as_str()
                                .unwrap_or_default()
                                .to_owned(),
                        );
                    }
                    Ok(r) => panic!(
                        "a valid complaint was refused with {} during shutdown",
                        r.status()
                    ),
                    Err(_) => break,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    let pid = server.child.id().expect("a running server").to_string();
    let sent = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill runs");
    assert!(sent.success());
    let exit = tokio::time::timeout(Duration::from_secs(20), server.child.wait())
        .await
        .expect("the server stops within 20 s")
        .expect("its exit status");
    assert!(exit.success(), "the server exited with {exit}");
    for c in clients {
        c.await.expect("a client task");
    }
    let codes = acknowledged.lock().await.clone();
    assert!(!codes.is_empty());
    let server = start(&db).await;
    server
        .assert_tracked(&codes, "was acknowledged but is gone")
        .await;
}
