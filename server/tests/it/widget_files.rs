//! Photos in the widget, in headless Chromium: chosen, scaled on the phone,
//! uploaded over a connection that drops three times, kept across a reload,
//! and filed with the complaint.

use std::sync::atomic::Ordering;

use serde_json::json;

use crate::browser::{Browser, Page};
use crate::cutter::{Break, Cutter};
use crate::support::{Engine, spawn_app};

fn w(selector: &str) -> String {
    format!("document.querySelector('aduan-widget').shadowRoot.querySelector({selector:?})")
}

async fn fill(page: &Page<'_>, element: &str, value: &str) {
    let js = format!(
        "(el => {{ el.value = {value:?}; el.dispatchEvent(new Event('input', {{bubbles: true}})); \
         el.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})({element})"
    );
    assert_eq!(
        page.eval(&js).await,
        json!(true),
        "could not fill {element}"
    );
}

/// Gives a file to a file input, as a citizen choosing it would.
async fn choose(page: &Page<'_>, input: &str, path: &std::path::Path) {
    let found = page
        .call(
            "Runtime.evaluate",
            json!({"expression": input, "returnByValue": false}),
        )
        .await;
    let object = found["result"]["objectId"]
        .as_str()
        .expect("the file input")
        .to_owned();
    page.call(
        "DOM.setFileInputFiles",
        json!({"objectId": object, "files": [path.display().to_string()]}),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_photo_survives_three_dropped_connections_and_a_reload() {
    a_photo_survives_three_dropped_connections_and_a_reload(Engine::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_photo_survives_three_dropped_connections_and_a_reload() {
    a_photo_survives_three_dropped_connections_and_a_reload(Engine::Postgres).await;
}

async fn a_photo_survives_three_dropped_connections_and_a_reload(engine: Engine) {
    crate::e2e::require_bundle();
    let app = spawn_app(engine).await;
    crate::console::wait_until_serving(&app).await;
    let upstream: std::net::SocketAddr = app
        .base
        .trim_start_matches("http://")
        .parse()
        .expect("an address");
    let cutter = Cutter::start(upstream).await;
    let browser = Browser::launch().await;
    let page = browser.page().await;
    let photo_dir = tempfile::tempdir().expect("a folder");
    let photo = photo_dir.path().join("jalan-rusak.jpg");
    // A 6-megapixel phone photo with its metadata: scaled on the phone to
    // 2048 px, it is still a few hundred KB.
    let bytes = crate::fixtures::noisy_jpeg(3000, 2000, 92);
    std::fs::write(&photo, &bytes).expect("the photo on disk");

    page.goto(&format!("{}/demo/inline.html", cutter.url)).await;
    page.wait_for(&format!("{} && {}", w("#title"), w("#files-pick")), 30)
        .await;
    fill(&page, &w("#title"), "Jalan rusak di depan balai banjar").await;
    fill(
        &page,
        &w("#description"),
        "Aspal mengelupas dan berlubang dalam, berbahaya untuk motor.",
    )
    .await;
    page.wait_for(&w("#category option[value=jalan]"), 30).await;
    fill(&page, &w("#category"), "jalan").await;
    fill(&page, &w("#district"), "denpasar-barat").await;

    // The network goes silent three times while the photo goes up; the
    // widget notices the stall, asks where the upload stands and goes on.
    cutter
        .arm(vec![60_000, 120_000, 180_000], Break::Stall)
        .await;
    choose(&page, &w("#files-pick"), &photo).await;
    page.wait_for(
        &format!(
            "{}.dataset.ids && !{}.hasAttribute('data-busy')",
            w("ul[data-aduan-files]"),
            w("ul[data-aduan-files]")
        ),
        120,
    )
    .await;
    assert_eq!(
        cutter.cuts.load(Ordering::SeqCst),
        3,
        "the connection was cut three times"
    );
    let length = app.db.count("SELECT length FROM uploads").await;
    assert!(
        length > 200_000,
        "the photo went up scaled but whole: {length} B"
    );
    assert!(
        length < bytes.len() as i64,
        "the photo was scaled on the phone: {length} of {} B",
        bytes.len()
    );
    let sent = cutter.sent.load(Ordering::SeqCst) as i64;
    let resent = sent - length;
    assert!(
        resent * 100 <= length * 5,
        "{resent} B sent again for a {length} B photo (more than 5%)"
    );
    // The preview is drawn on the phone.
    assert_eq!(
        page.eval(&format!("!!{}", w("li.aduan-file canvas"))).await,
        json!(true)
    );

    // A reload keeps the finished upload.
    page.goto(&format!("{}/demo/inline.html", cutter.url)).await;
    page.wait_for(&format!("{}.dataset.ids", w("ul[data-aduan-files]")), 30)
        .await;
    let row = page
        .eval(&format!("{}.textContent", w("li.aduan-file")))
        .await;
    assert!(
        row.as_str().unwrap_or_default().contains("jalan-rusak.jpg"),
        "{row}"
    );
    // Keyboard and screen-reader users can remove it by name.
    let label = page
        .eval(&format!(
            "{}.getAttribute('aria-label')",
            w("li.aduan-file button")
        ))
        .await;
    assert_eq!(label, json!("Remove jalan-rusak.jpg"));

    page.wait_for(
        &format!("{} && {}", w("#title"), w("#category option[value=jalan]")),
        30,
    )
    .await;
    assert_eq!(
        page.eval(&format!("{}.value", w("#title"))).await,
        json!("Jalan rusak di depan balai banjar")
    );
    assert_eq!(
        page.eval(&format!("({}).click() ?? true", w("input[name=consent]")))
            .await,
        json!(true)
    );
    assert_eq!(
        page.eval(&format!("({}).click() ?? true", w("button[type=submit]")))
            .await,
        json!(true)
    );
    let code = page
        .wait_for(&format!("{}?.textContent", w("section p.code")), 30)
        .await;
    let code = code.as_str().expect("a tracking code").to_owned();
    let (status, view) = app.get(&format!("/api/v1/complaints/{code}")).await;
    assert_eq!(status, 200);
    let files = view["attachments"]
        .as_array()
        .expect("the complaint has files");
    assert_eq!(files.len(), 1, "{view}");
    assert_eq!(files[0]["name"], "jalan-rusak.jpg");
    // Filed: the widget forgets the files.
    page.wait_for("!localStorage.getItem('aduan.files.denpasar')", 10)
        .await;
}
