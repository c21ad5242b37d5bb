//! tus conformance against a real client from a package registry:
//! tus-py-client (PyPI `tuspy`), installed by `cargo xtask test` into
//! `.tools/python` and named by `ADUAN_TUSPY`. It creates, uploads with a
//! checksum, and resumes an upload whose connection is reset three times.

use std::sync::atomic::Ordering;

use serde_json::json;

use crate::cutter::{Break, Cutter};
use crate::support::{Engine, TestApp, complaint, spawn_app};

/// The folder tuspy is installed in; the test fails loudly without it.
fn tuspy() -> String {
    let dir = std::env::var("ADUAN_TUSPY")
        .unwrap_or_else(|_| format!("{}/../.tools/python", env!("CARGO_MANIFEST_DIR")));
    assert!(
        std::path::Path::new(&dir).join("tusclient").exists(),
        "tus-py-client is not installed in {dir}: run the tests with `cargo xtask test`, which installs it"
    );
    dir
}

/// Uploads `path` with tuspy to `endpoint`; the upload's address.
fn upload_with_tuspy(endpoint: &str, path: &std::path::Path, checksum: bool) -> String {
    let script = r#"
import sys
from tusclient import client
endpoint, path, checksum = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
tus = client.TusClient(endpoint)
uploader = tus.uploader(path, chunk_size=64 * 1024 * 1024, retries=10, retry_delay=0.2,
                        metadata={"filename": "tuspy-photo.jpg"}, upload_checksum=checksum)
uploader.upload()
print(uploader.url)
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(endpoint)
        .arg(path)
        .arg(if checksum { "1" } else { "0" })
        .env("PYTHONPATH", tuspy())
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "tuspy failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

async fn attach(app: &TestApp, url: &str) -> serde_json::Value {
    let id = url.rsplit('/').next().expect("an id").to_owned();
    let mut body = complaint();
    body["attachments"] = json!([id]);
    let code = crate::console::file(app, body).await;
    app.get(&format!("/api/v1/complaints/{code}")).await.1
}

async fn tuspy_uploads_and_resumes(engine: Engine) {
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let dir = tempfile::tempdir().expect("a folder");
    let photo = dir.path().join("photo.jpg");
    let bytes = crate::fixtures::noisy_jpeg(1600, 1200, 90);
    std::fs::write(&photo, &bytes).expect("the photo");

    // Straight, with a checksum on the request.
    let endpoint = app.url("/api/v1/uploads");
    let url = tokio::task::spawn_blocking({
        let (endpoint, photo) = (endpoint.clone(), photo.clone());
        move || upload_with_tuspy(&endpoint, &photo, true)
    })
    .await
    .expect("the client ran");
    let view = attach(&app, &url).await;
    assert_eq!(view["attachments"][0]["name"], "tuspy-photo.jpg", "{view}");

    // Through a connection reset three times along the way.
    let upstream: std::net::SocketAddr = app
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let cutter = Cutter::start(upstream).await;
    let third = bytes.len() as u64 / 4;
    cutter
        .arm(vec![third, 2 * third, 3 * third], Break::Reset)
        .await;
    let endpoint = format!("{}/api/v1/uploads", cutter.url);
    let url = tokio::task::spawn_blocking(move || upload_with_tuspy(&endpoint, &photo, false))
        .await
        .expect("the client ran");
    assert_eq!(cutter.cuts.load(Ordering::SeqCst), 3);
    let sent = cutter.sent.load(Ordering::SeqCst);
    let resent = sent.saturating_sub(bytes.len() as u64);
    assert!(
        resent * 100 <= bytes.len() as u64 * 5,
        "{resent} B sent again for {} B (more than 5%)",
        bytes.len()
    );
    let view = attach(&app, &url.replace(&cutter.url, &app.base)).await;
    assert_eq!(
        view["attachments"].as_array().map(Vec::len),
        Some(1),
        "{view}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_tuspy_uploads_and_resumes() {
    tuspy_uploads_and_resumes(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_tuspy_uploads_and_resumes() {
    tuspy_uploads_and_resumes(Engine::Postgres).await;
}
