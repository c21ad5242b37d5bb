//! The SP4N-LAPOR bridge against a test server that plays LAPOR's part,
//! failures included.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::console::{file, officer, track};
use crate::support::{Engine, TestApp, complaint, spawn_app_with};

pub(crate) const TOKEN: &str = "lapor-test-token";
const CALLBACK: &str = "lapor-callback-token";

/// Plays SP4N-LAPOR: `/stream` takes a report with the token and answers a
/// tracking id (the same one for a repeated `referensi`); the first `fail`
/// requests answer 500.
pub(crate) struct FakeLapor {
    pub(crate) url: String,
    pub(crate) bodies: Arc<Mutex<Vec<String>>>,
}

impl FakeLapor {
    pub(crate) async fn start(fail: u32) -> FakeLapor {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let bodies: Arc<Mutex<Vec<String>>> = Arc::default();
        let fail = Arc::new(AtomicU32::new(fail));
        let ids: Arc<Mutex<HashMap<String, String>>> = Arc::default();
        let (seen, failing) = (bodies.clone(), fail.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (seen, failing, ids) = (seen.clone(), failing.clone(), ids.clone());
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let mut length = 0;
                        let mut token = String::new();
                        loop {
                            let mut h = String::new();
                            if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                                return;
                            }
                            let h = h.trim_end().to_owned();
                            if h.is_empty() {
                                break;
                            }
                            if let Some((k, v)) = h.split_once(':') {
                                match k.trim().to_ascii_lowercase().as_str() {
                                    "content-length" => length = v.trim().parse().unwrap_or(0),
                                    "x-lapor-token" => token = v.trim().to_owned(),
                                    _ => {}
                                }
                            }
                        }
                        let mut body = vec![0; length];
                        if reader.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        let body = String::from_utf8_lossy(&body).into_owned();
                        let reply = if !line.starts_with("POST /stream ") || token != TOKEN {
                            "HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n".to_owned()
                        } else if failing.load(Ordering::SeqCst) > 0 {
                            failing.fetch_sub(1, Ordering::SeqCst);
                            let xml = "<respon><status>gagal</status><pesan>server sibuk</pesan></respon>";
                            format!(
                                "HTTP/1.1 500 Internal Server Error\r\ncontent-length: {}\r\n\r\n{xml}",
                                xml.len()
                            )
                        } else {
                            seen.lock().await.push(body.clone());
                            let reference = aduan_server::lapor::element(&body, "referensi")
                                .unwrap_or_default();
                            let mut ids = ids.lock().await;
                            let next = format!("LPR{:07}", ids.len() + 1);
                            let id = ids.entry(reference).or_insert(next).clone();
                            let xml = format!(
                                "<respon><status>sukses</status><tracking_id>{id}</tracking_id><transaction_id>TX-{id}</transaction_id></respon>"
                            );
                            format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/xml\r\ncontent-length: {}\r\n\r\n{xml}",
                                xml.len()
                            )
                        };
                        if write.write_all(reply.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        FakeLapor { url, bodies }
    }
}

pub(crate) async fn wait_for_outbox(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while app
        .db
        .count("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
        .await
        > 0
    {
        assert!(Instant::now() < deadline, "the outbox did not empty");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn status_update(app: &TestApp, token: &str, xml: &str) -> (u16, String) {
    let r = app
        .client
        .post(app.url("/api/v1/lapor/status"))
        .header("x-lapor-token", token)
        .header("content-type", "application/xml")
        .body(xml.to_owned())
        .send()
        .await
        .expect("an answer");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

async fn forwards_verified_complaints_and_takes_updates_back(engine: Engine) {
    let lapor = FakeLapor::start(2).await;
    let url = lapor.url.clone();
    let app = spawn_app_with(engine, move |c| {
        c.lapor_url = Some(url);
        c.lapor_token = Some(aduan_server::config::Secret::new(TOKEN));
        c.lapor_callback_token = Some(aduan_server::config::Secret::new(CALLBACK));
        c.outbox_backoff_ms = 50;
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    app.db
        .exec("UPDATE regions SET integration_mode = 'lapor' WHERE slug = 'badung'")
        .await
        .expect("mode");
    let public = file(&app, complaint()).await;
    let mut anonymous_body = complaint();
    anonymous_body["privacy"] = "anonymous".into();
    let anonymous = file(&app, anonymous_body).await;
    // Filing alone forwards nothing: only verified complaints go.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM outbox WHERE channel = 'lapor'")
            .await,
        0
    );

    let coordinator = officer(&app, "coordinator", "badung", None).await;
    for code in [&public, &anonymous] {
        let (status, _, _) = coordinator
            .act(code, &[("action", "dispatch"), ("unit", "pupr")])
            .await;
        assert_eq!(status, 303);
    }
    // Dispatching again to another unit forwards nothing new.
    coordinator
        .act(&public, &[("action", "dispatch"), ("unit", "dishub")])
        .await;
    wait_for_outbox(&app).await;
    assert_eq!(
        app.db
            .count("SELECT COUNT(*) FROM outbox WHERE channel = 'lapor' AND state = 'delivered'")
            .await,
        2
    );
    assert!(
        app.db
            .count("SELECT CAST(MAX(attempts) AS BIGINT) FROM outbox WHERE channel = 'lapor'")
            .await
            > 1,
        "LAPOR's failures were retried"
    );

    let bodies = lapor.bodies.lock().await.clone();
    assert_eq!(bodies.len(), 2, "each complaint reached LAPOR once");
    for code in [&public, &anonymous] {
        assert!(
            bodies.iter().all(|b| !b.contains(code.as_str())),
            "a tracking code reached LAPOR"
        );
    }
    let (public_id, anonymous_id) = (
        app.db.public_id(&public).await,
        app.db.public_id(&anonymous).await,
    );
    let of = |id: &str| {
        bodies
            .iter()
            .find(|b| b.contains(&format!("<kode_aduan>{id}</kode_aduan>")))
            .cloned()
            .unwrap_or_default()
    };
    let public_xml = of(&public_id);
    assert!(
        public_xml.contains("<anonim>0</anonim>")
            && public_xml.contains("<nama>Wayan Sudarma</nama>"),
        "{public_xml}"
    );
    let anonymous_xml = of(&anonymous_id);
    assert!(
        anonymous_xml.contains("<anonim>1</anonim>"),
        "{anonymous_xml}"
    );
    assert!(
        !anonymous_xml.contains("Wayan") && !anonymous_xml.contains("wayan@example.id"),
        "identity of an anonymous complaint left: {anonymous_xml}"
    );

    // The LAPOR id is stored and shown in the tracker and to officers.
    let view = track(&app, &public).await;
    let lapor_id = view["lapor_tracking_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(lapor_id.starts_with("LPR"), "{view}");
    let (_, page) = coordinator
        .get(&format!("/console/complaints/{public}"))
        .await;
    assert!(page.contains(&lapor_id));
    let r = app
        .client
        .get(app.url(&format!("/r/badung/track?code={public}")))
        .send()
        .await
        .expect("an answer");
    assert!(r.text().await.unwrap_or_default().contains(&lapor_id));

    // Status updates from LAPOR: the token is checked, each update joins the
    // timeline once.
    let update = format!(
        "<pembaruan><id>upd-1</id><tracking_id>{lapor_id}</tracking_id><status>Diproses</status><tanggapan>Diteruskan ke Dinas PUPR.</tanggapan></pembaruan>"
    );
    assert_eq!(status_update(&app, "wrong", &update).await.0, 401);
    let unknown = update.replace(&lapor_id, "LPR9999999");
    assert_eq!(status_update(&app, CALLBACK, &unknown).await.0, 404);
    let (status, body) = status_update(&app, CALLBACK, &update).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = status_update(&app, CALLBACK, &update).await;
    assert_eq!(status, 200);
    assert!(body.contains("duplikat"), "{body}");
    let timeline = track(&app, &public).await.to_string();
    assert_eq!(
        timeline.matches("Diteruskan ke Dinas PUPR.").count(),
        1,
        "{timeline}"
    );
    assert_eq!(
        status_update(&app, CALLBACK, "<pembaruan><id>x</id></pembaruan>")
            .await
            .0,
        422
    );
}

#[tokio::test]
async fn sqlite_lapor_bridge() {
    forwards_verified_complaints_and_takes_updates_back(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_lapor_bridge() {
    forwards_verified_complaints_and_takes_updates_back(Engine::Postgres).await;
}

#[tokio::test]
async fn without_lapor_configured_the_forward_is_parked_with_its_reason() {
    let app = spawn_app_with(Engine::Sqlite, |c| {
        c.outbox_max_attempts = 2;
        c.outbox_backoff_ms = 20;
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    app.db
        .exec("UPDATE regions SET integration_mode = 'lapor' WHERE slug = 'badung'")
        .await
        .expect("mode");
    let code = file(&app, complaint()).await;
    let coordinator = officer(&app, "coordinator", "badung", None).await;
    coordinator
        .act(&code, &[("action", "dispatch"), ("unit", "pupr")])
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.db.count("SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND last_error LIKE '%not configured%'").await == 0 {
        assert!(Instant::now() < deadline, "the forward was not parked");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        track(&app, &code).await["status"],
        "verified",
        "the complaint itself goes on"
    );
}
