//! The outbox and signed webhooks against a receiver that misbehaves.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::console::{file, officer, track};
use crate::support::{TestApp, complaint, on_both_engines, spawn_app_with};

/// One delivery the receiver accepted.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub body: String,
    pub signed: bool,
}

/// A webhook receiver on loopback: for its first `chaos` requests it
/// answers 500, answers too late, or drops the connection, in turn; then it
/// accepts. It checks every signature with the secret it is given.
pub struct Receiver {
    pub url: String,
    pub accepted: Arc<Mutex<Vec<Received>>>,
    pub requests: Arc<AtomicU32>,
    pub secret: Arc<Mutex<String>>,
    chaos: Arc<AtomicU32>,
}

impl Receiver {
    pub async fn start(chaos: u32) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!(
            "http://{}/hooks/aduan",
            listener.local_addr().expect("an address")
        );
        let receiver = Receiver {
            url,
            accepted: Arc::new(Mutex::new(Vec::new())),
            requests: Arc::new(AtomicU32::new(0)),
            secret: Arc::new(Mutex::new(String::new())),
            chaos: Arc::new(AtomicU32::new(chaos)),
        };
        let (accepted, requests, secret, chaos) = (
            receiver.accepted.clone(),
            receiver.requests.clone(),
            receiver.secret.clone(),
            receiver.chaos.clone(),
        );
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let (accepted, requests, secret, chaos) = (
                    accepted.clone(),
                    requests.clone(),
                    secret.clone(),
                    chaos.clone(),
                );
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut reader = BufReader::new(read);
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let mut headers = Vec::new();
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
                                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                            }
                        }
                        let get = |name: &str| {
                            headers
                                .iter()
                                .find(|(k, _)| k == name)
                                .map(|(_, v)| v.clone())
                                .unwrap_or_default()
                        };
                        let length: usize = get("content-length").parse().unwrap_or(0);
                        let mut body = vec![0; length];
                        if reader.read_exact(&mut body).await.is_err() {
                            return;
                        }
                        let n = requests.fetch_add(1, Ordering::SeqCst);
                        let remaining = chaos.load(Ordering::SeqCst);
                        if remaining > 0 {
                            chaos.fetch_sub(1, Ordering::SeqCst);
                            match n % 3 {
                                0 => {
                                    let _ = write.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n").await;
                                    continue;
                                }
                                1 => {
                                    // Slower than the service waits.
                                    tokio::time::sleep(Duration::from_secs(4)).await;
                                    return;
                                }
                                _ => return, // drop the connection
                            }
                        }
                        let body = String::from_utf8_lossy(&body).into_owned();
                        let id = get("webhook-id");
                        let timestamp: i64 = get("webhook-timestamp").parse().unwrap_or(0);
                        let signed = aduan_server::outbound::verify(
                            &secret.lock().await,
                            &id,
                            timestamp,
                            &body,
                            &get("webhook-signature"),
                        );
                        accepted.lock().await.push(Received { id, body, signed });
                        let _ = write.write_all(b"HTTP/1.1 204 No Content\r\n\r\n").await;
                    }
                });
            }
        });
        receiver
    }

    pub fn heal(&self) {
        self.chaos.store(0, Ordering::SeqCst);
    }
}

/// Adds a subscriber for the receiver; remembers its secret there.
pub async fn subscribe(app: &TestApp, receiver: &Receiver, region: Option<&str>) -> i64 {
    // The service migrates the database as it starts; wait for it.
    crate::console::wait_until_serving(app).await;
    let store = aduan_server::open_store(&app.db.args())
        .await
        .expect("the store");
    let catalog = store.load_catalog().await.expect("the catalog");
    let (id, secret) =
        aduan_server::subscribers::add(store.as_ref(), &catalog, &receiver.url, region, true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    store.close().await;
    *receiver.secret.lock().await = secret;
    id
}

async fn wait_for_outbox(app: &TestApp, seconds: u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let pending = app
            .db
            .count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'pending'")
            .await;
        if pending == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} messages still pending after {seconds} s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The event id in a delivery id `evt_<event>_<subscriber>`.
fn event_of(id: &str) -> i64 {
    id.split('_')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1)
}

/// Sends a signed message to the inbound endpoint as a region's app would.
async fn send_in(
    app: &TestApp,
    subscriber: i64,
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &serde_json::Value,
) -> (u16, serde_json::Value) {
    send_in_text(app, subscriber, secret, id, timestamp, &body.to_string()).await
}

/// The same with any body, JSON or not, signed as it is.
async fn send_in_text(
    app: &TestApp,
    subscriber: i64,
    secret: &str,
    id: &str,
    timestamp: i64,
    text: &str,
) -> (u16, serde_json::Value) {
    let text = text.to_owned();
    let signature = aduan_server::outbound::sign(secret, id, timestamp, &text).unwrap_or_default();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/webhooks/{subscriber}")))
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(text)
        .send()
        .await
        .expect("an answer");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

on_both_engines! {
    async fn a_regions_app_sends_status_and_replies_back_signed_and_once(app) {
        let receiver = Receiver::start(0).await;
        let subscriber = subscribe(&app, &receiver, Some("badung")).await;
        let secret = receiver.secret.lock().await.clone();
        app.db.exec("UPDATE regions SET integration_mode = 'webhook' WHERE slug = 'badung'").await.expect("mode");
        let code = file(&app, complaint()).await;
        let now = aduan_server::state::now_ms() / 1000;
        let events = || app.db.count("SELECT COUNT(*) FROM complaint_events");
        let verified = serde_json::json!({"type": "complaint.status_changed", "timestamp": "2026-11-28T08:00:00Z",
            "data": {"tracking_code": code, "status": "verified", "unit": "pupr"}});

        // Refused, changing nothing: a wrong signature, a replayed old
        // timestamp, an unknown subscriber.
        let before = events().await;
        assert_eq!(send_in(&app, subscriber, &aduan_server::outbound::new_secret(), "m-1", now, &verified).await.0, 401);
        assert_eq!(send_in(&app, subscriber, &secret, "m-1", now - 3600, &verified).await.0, 401);
        assert_eq!(send_in(&app, subscriber + 100, &secret, "m-1", now, &verified).await.0, 401);
        assert_eq!(events().await, before);
        assert_eq!(track(&app, &code).await["status"], "submitted");
        // Signed, but not a message this endpoint takes: refused with the
        // field named, nothing changes, and the id stays free for the real one.
        for (text, field) in [
            ("not json", "body"),
            ("[]", "body"),
            (r#"{"type": "complaint.status_changed"}"#, "body"),
            (r#"{"type": "complaint.reply_added", "data": {"message": "Tanpa nama pengaduan."}}"#, "data.id"),
            (&*serde_json::json!({"type": "complaint.archived", "data": {"tracking_code": code}}).to_string(), "type"),
        ] {
            let (status, body) = send_in_text(&app, subscriber, &secret, "m-1", now, text).await;
            assert_eq!(status, 422, "{text}: {body}");
            assert!(body["error"]["fields"][field].is_string(), "{text}: {body}");
        }
        assert_eq!(events().await, before);

        let (status, body) = send_in(&app, subscriber, &secret, "m-1", now, &verified).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(track(&app, &code).await["status"], "verified");
        // The same message again: recognised, nothing changes.
        let (status, body) = send_in(&app, subscriber, &secret, "m-1", now, &verified).await;
        assert_eq!((status, body["duplicate"].as_bool()), (200, Some(true)));
        assert_eq!(events().await, before + 1);
        // A reply the reporter reads in the tracker.
        // Named by the public id Aduan's own messages carry.
        let public_id = app.db.public_id(&code).await;
        let reply = serde_json::json!({"type": "complaint.reply_added", "data": {"id": public_id, "message": "Tim kami sudah ke lokasi."}});
        assert_eq!(send_in(&app, subscriber, &secret, "m-2", now, &reply).await.0, 200);
        assert!(track(&app, &code).await.to_string().contains("Tim kami sudah ke lokasi."));
        // A change the lifecycle does not allow.
        let resolved = serde_json::json!({"type": "complaint.status_changed", "data": {"tracking_code": code, "status": "resolved", "message": "Selesai"}});
        assert_eq!(send_in(&app, subscriber, &secret, "m-3", now, &resolved).await.0, 409);
        // What the app sent is not echoed back to it.
        wait_for_outbox(&app, 30).await;
        let echoed = receiver.accepted.lock().await.iter().filter(|r| r.body.contains("status_changed") || r.body.contains("reply_added")).count();
        assert_eq!(echoed, 0, "the app's own changes came back to it");
        // Out of webhook mode, the app is refused.
        let admin = officer(&app, "admin", "bali", None).await;
        admin.post("/console/integrations/mode", &[("region", "badung"), ("mode", "none")]).await;
        let later = serde_json::json!({"type": "complaint.reply_added", "data": {"tracking_code": code, "message": "Lagi."}});
        assert_eq!(send_in(&app, subscriber, &secret, "m-4", now, &later).await.0, 403);
    }

    async fn every_event_arrives_once_signed_and_in_order_despite_a_bad_receiver(app) {
        let receiver = Receiver::start(24).await;
        subscribe(&app, &receiver, None).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        let mut codes = Vec::new();
        for _ in 0..4 {
            let code = file(&app, complaint()).await;
            coordinator.act(&code, &[("action", "dispatch"), ("unit", "pupr")]).await;
            coordinator.act(&code, &[("action", "note"), ("note", "RAHASIA-INTERNAL")]).await;
            coordinator.act(&code, &[("action", "reply"), ("message", "Sedang kami periksa.")]).await;
            codes.push((app.db.public_id(&code).await, code));
        }
        wait_for_outbox(&app, 90).await;
        let rows = app.db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook'").await;
        assert_eq!(rows, 12, "created, dispatched and the reply for each of four; never the note");
        assert_eq!(app.db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'delivered'").await, 12);
        let accepted = receiver.accepted.lock().await.clone();
        assert!(receiver.requests.load(Ordering::SeqCst) > 12, "the receiver failed some requests");
        let mut unique: Vec<&Received> = Vec::new();
        for r in &accepted {
            assert!(r.signed, "a delivery with a bad signature: {}", r.id);
            assert!(!r.body.contains("RAHASIA-INTERNAL"), "an internal note left the system");
            assert!(!r.body.contains("Wayan"), "the reporter's identity left the system");
            assert!(codes.iter().all(|(_, code)| !r.body.contains(code.as_str())), "a tracking code left the system");
            if !unique.iter().any(|u| u.id == r.id) {
                unique.push(r);
            }
        }
        assert_eq!(unique.len(), 12, "each delivery id once after de-duplication");
        for (code, _) in &codes {
            let events: Vec<i64> = unique.iter().filter(|r| r.body.contains(code.as_str())).map(|r| event_of(&r.id)).collect();
            assert_eq!(events.len(), 3, "{code}");
            assert!(events.windows(2).all(|w| w[0] < w[1]), "{code} out of order: {events:?}");
            let types: Vec<String> = unique.iter().filter(|r| r.body.contains(code.as_str()))
                .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap_or_default()["type"].as_str().unwrap_or_default().to_owned())
                .collect();
            assert_eq!(types, ["complaint.created", "complaint.status_changed", "complaint.reply_added"]);
        }
    }

    async fn an_administrator_switches_a_region_to_webhooks_in_the_console(app) {
        let receiver = Receiver::start(0).await;
        subscribe(&app, &receiver, Some("badung")).await;
        let coordinator = officer(&app, "coordinator", "badung", None).await;
        assert_eq!(coordinator.get("/console/integrations").await.0, 403);
        let (status, _, _) = coordinator.post("/console/integrations/mode", &[("region", "badung"), ("mode", "webhook")]).await;
        assert_eq!(status, 403);
        let admin = officer(&app, "admin", "bali", None).await;
        let (status, page) = admin.get("/console/integrations").await;
        assert_eq!(status, 200);
        assert!(page.contains(&receiver.url), "{page}");
        assert!(!page.contains("whsec_"), "a secret is shown only when it is made");
        let (status, _, _) = admin.post("/console/integrations/mode", &[("region", "badung"), ("mode", "carrier-pigeon")]).await;
        assert_eq!(status, 422);
        let (status, _, _) = admin.post("/console/integrations/mode", &[("region", "badung"), ("mode", "webhook")]).await;
        assert_eq!(status, 303);
        let code = app.db.public_id(&file(&app, complaint()).await).await;
        wait_for_outbox(&app, 30).await;
        assert!(receiver.accepted.lock().await.iter().any(|r| r.body.contains(&code)));
        // A new subscriber from the console: its secret is shown once.
        let (status, _, page) = admin.post("/console/integrations/subscriber", &[("do", "add"), ("url", "https://pro.denpasarkota.go.id/hook"), ("region", "denpasar")]).await;
        assert_eq!(status, 200);
        assert!(page.contains("whsec_"), "{page}");
        let (_, again) = admin.get("/console/integrations").await;
        assert!(!again.contains("whsec_"));
        // Switching back: nothing more is sent.
        admin.post("/console/integrations/mode", &[("region", "badung"), ("mode", "none")]).await;
        let before = app.db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook'").await;
        file(&app, complaint()).await;
        assert_eq!(app.db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook'").await, before);
    }

    async fn a_rotated_secret_signs_beside_the_old_one_for_a_while(app) {
        let receiver = Receiver::start(0).await;
        let id = subscribe(&app, &receiver, None).await;
        let old = receiver.secret.lock().await.clone();
        let admin = officer(&app, "admin", "bali", None).await;
        let (status, _, page) = admin
            .post("/console/integrations/subscriber", &[("do", "rotate"), ("id", &id.to_string())])
            .await;
        assert_eq!(status, 200);
        let new = page
            .split_once("whsec_")
            .map(|(_, rest)| format!("whsec_{}", rest.split('<').next().unwrap_or_default()))
            .expect("the new secret, shown once");
        assert_ne!(new, old);
        // The receiver still holds the old secret: deliveries verify with it...
        file(&app, complaint()).await;
        wait_for_outbox(&app, 30).await;
        assert!(receiver.accepted.lock().await.iter().all(|r| r.signed), "the old secret still signs");
        // ...and with the new one, once the receiver switches.
        *receiver.secret.lock().await = new;
        file(&app, complaint()).await;
        wait_for_outbox(&app, 30).await;
        let accepted = receiver.accepted.lock().await.clone();
        assert_eq!(accepted.len(), 2);
        assert!(accepted.iter().all(|r| r.signed), "the new secret signs");
        // After the overlap only the new secret signs.
        app.db.exec("UPDATE webhook_subscribers SET previous_until = 0").await.expect("end the overlap");
        *receiver.secret.lock().await = old;
        file(&app, complaint()).await;
        wait_for_outbox(&app, 30).await;
        let last = receiver.accepted.lock().await.last().cloned().expect("a delivery");
        assert!(!last.signed, "the old secret no longer signs");
    }

    async fn a_region_subscriber_hears_only_while_its_region_is_in_webhook_mode(app) {
        let receiver = Receiver::start(0).await;
        subscribe(&app, &receiver, Some("denpasar")).await;
        let denpasar = serde_json::json!({"region": "denpasar", "district": null});
        let mut body = complaint();
        if let (Some(b), Some(d)) = (body.as_object_mut(), denpasar.as_object()) {
            for (k, v) in d { b.insert(k.clone(), v.clone()); }
        }
        app.db.exec("UPDATE regions SET integration_mode = 'none' WHERE slug = 'denpasar'").await.expect("mode");
        file(&app, body.clone()).await;
        file(&app, complaint()).await; // Badung: not this subscriber's region.
        assert_eq!(app.db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook'").await, 0);
        app.db.exec("UPDATE regions SET integration_mode = 'webhook' WHERE slug = 'denpasar'").await.expect("mode");
        let code = app.db.public_id(&file(&app, body).await).await;
        wait_for_outbox(&app, 30).await;
        let accepted = receiver.accepted.lock().await.clone();
        assert_eq!(accepted.len(), 1);
        assert!(accepted[0].body.contains(&code));
    }
}

/// The parking test needs a small number of attempts.
mod parking {
    use super::*;

    async fn body(app: TestApp) {
        let receiver = Receiver::start(1_000).await;
        subscribe(&app, &receiver, None).await;
        let code = app.db.public_id(&file(&app, complaint()).await).await;
        let deadline = Instant::now() + Duration::from_secs(60);
        while app
            .db
            .count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'failed'")
            .await
            == 0
        {
            assert!(Instant::now() < deadline, "the message was never parked");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(app.db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'failed' AND attempts = 3 AND last_error IS NOT NULL").await, 1);
        // Parking blocks nothing else: a new complaint still goes out once
        // the receiver is back.
        receiver.heal();
        let other = app.db.public_id(&file(&app, complaint()).await).await;
        wait_for_outbox(&app, 30).await;
        assert!(
            receiver
                .accepted
                .lock()
                .await
                .iter()
                .any(|r| r.body.contains(&other))
        );
        assert!(
            !receiver
                .accepted
                .lock()
                .await
                .iter()
                .any(|r| r.body.contains(&code))
        );
        // An administrator retries it.
        let admin = officer(&app, "admin", "bali", None).await;
        let (status, page) = admin.get("/console/integrations").await;
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("HTTP 500") || page.contains("connection") || page.contains("timed out"),
            "{page}"
        );
        let id = page
            .split_once("name=\"outbox_id\" value=\"")
            .and_then(|(_, r)| r.split_once('"'))
            .map(|(v, _)| v.to_owned())
            .expect("a retry button");
        let (status, _, _) = admin
            .post("/console/integrations/retry", &[("outbox_id", &id)])
            .await;
        assert_eq!(status, 303);
        wait_for_outbox(&app, 30).await;
        assert!(
            receiver
                .accepted
                .lock()
                .await
                .iter()
                .any(|r| r.body.contains(&code))
        );
        assert_eq!(
            app.db
                .count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'failed'")
                .await,
            0
        );
    }

    async fn spawn(engine: crate::support::Engine) -> TestApp {
        spawn_app_with(engine, |c| {
            c.outbox_max_attempts = 3;
            c.outbox_backoff_ms = 50;
        })
        .await
    }

    #[tokio::test]
    async fn sqlite() {
        body(spawn(crate::support::Engine::Sqlite).await).await;
    }

    #[tokio::test]
    async fn postgres() {
        body(spawn(crate::support::Engine::Postgres).await).await;
    }
}

/// The binary with a short lease and quick polling, for the process tests.
async fn start_server(db: &crate::support::TestDb) -> crate::durability::Server {
    crate::durability::start_with(
        db,
        &[
            ("ADUAN_OUTBOX_LEASE", "2"),
            ("ADUAN_OUTBOX_POLL_MS", "50"),
            ("ADUAN_OUTBOX_BACKOFF_MS", "100"),
            ("ADUAN_DELIVERY_TIMEOUT", "2"),
            // The receiver listens on loopback.
            ("ADUAN_WEBHOOK_ALLOW_PRIVATE", "true"),
        ],
    )
    .await
}

pub async fn add_subscriber(db: &crate::support::TestDb, receiver: &Receiver) {
    let store = aduan_server::open_store(&db.args())
        .await
        .expect("the store");
    let catalog = store.load_catalog().await.expect("the catalog");
    let (_, secret) =
        aduan_server::subscribers::add(store.as_ref(), &catalog, &receiver.url, None, true)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    store.close().await;
    *receiver.secret.lock().await = secret;
}

async fn file_at(base: &str, n: usize) {
    let client = reqwest::Client::new();
    for _ in 0..n {
        let r = client
            .post(format!("{base}/api/v1/complaints"))
            .header("idempotency-key", crate::support::new_key())
            .json(&complaint())
            .send()
            .await
            .expect("an answer");
        assert_eq!(r.status().as_u16(), 201);
    }
}

async fn wait_for_db_outbox(db: &crate::support::TestDb, seconds: u64) {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let pending = db
            .count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'pending'")
            .await;
        if pending == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} messages still pending after {seconds} s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The outbox's delivery ids, sorted.
async fn outbox_ids(db: &crate::support::TestDb) -> Vec<String> {
    let mut ids = db
        .strings("SELECT delivery_id FROM outbox WHERE channel = 'webhook'")
        .await;
    ids.sort();
    ids
}

async fn kill_mid_delivery(engine: crate::support::Engine) {
    let db = crate::support::TestDb::new(engine).await;
    let receiver = Receiver::start(15).await;
    let mut server = start_server(&db).await;
    add_subscriber(&db, &receiver).await;
    file_at(&server.base, 30).await;
    // Deliveries are under way (some failing and waiting to be retried):
    // kill the process without warning.
    server.child.start_kill().expect("SIGKILL");
    let _ = server.child.wait().await;
    let delivered_before = receiver.accepted.lock().await.len();
    assert!(
        delivered_before < 30,
        "everything went out before the kill ({delivered_before}); the test proves nothing"
    );
    let restarted = start_server(&db).await;
    wait_for_db_outbox(&db, 60).await;
    let mut received: Vec<String> = receiver
        .accepted
        .lock()
        .await
        .iter()
        .map(|r| r.id.clone())
        .collect();
    assert!(receiver.accepted.lock().await.iter().all(|r| r.signed));
    received.sort();
    received.dedup();
    assert_eq!(
        received,
        outbox_ids(&db).await,
        "every message arrived, none as a new message"
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook'")
            .await,
        30
    );
    assert_eq!(
        db.count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state = 'delivered'")
            .await,
        30
    );
    drop(restarted);
}

#[tokio::test]
async fn sqlite_outbox_survives_kill_9_mid_delivery() {
    kill_mid_delivery(crate::support::Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_outbox_survives_kill_9_mid_delivery() {
    kill_mid_delivery(crate::support::Engine::Postgres).await;
}

#[tokio::test]
async fn two_processes_on_one_postgres_deliver_each_message_once() {
    let db = crate::support::TestDb::new(crate::support::Engine::Postgres).await;
    let receiver = Receiver::start(0).await;
    let first = start_server(&db).await;
    let second = start_server(&db).await;
    add_subscriber(&db, &receiver).await;
    let (a, b) = (first.base.clone(), second.base.clone());
    tokio::join!(file_at(&a, 25), file_at(&b, 25));
    wait_for_db_outbox(&db, 60).await;
    let accepted = receiver.accepted.lock().await.clone();
    let mut ids: Vec<String> = accepted.iter().map(|r| r.id.clone()).collect();
    ids.sort();
    assert_eq!(
        ids.len(),
        50,
        "each row delivered exactly once, not merely once after de-duplication"
    );
    ids.dedup();
    assert_eq!(ids, outbox_ids(&db).await);
    drop((first, second));
}

#[tokio::test]
async fn the_webhook_command_prints_the_secret_once() {
    let db = crate::support::TestDb::new(crate::support::Engine::Sqlite).await;
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_aduan"))
            .args(["webhook", "add"])
            .args(args)
            .env("DATABASE_URL", &db.url)
            .output()
            .expect("the aduan binary");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = run(&[
        "--url",
        "https://pro.denpasarkota.go.id/hooks/aduan",
        "--region",
        "denpasar",
    ]);
    assert!(ok, "{out}");
    let secret = out
        .lines()
        .find(|l| l.starts_with("whsec_"))
        .unwrap_or_default()
        .to_owned();
    assert!(secret.len() > 40, "{out}");
    let stored = db.strings("SELECT secret FROM webhook_subscribers").await;
    assert_eq!(stored, [secret]);
    let (ok, out) = run(&["--url", "ftp://example.id/x"]);
    assert!(!ok && out.contains("not an http"), "{out}");
    let (ok, out) = run(&["--url", "https://example.id/x", "--region", "atlantis"]);
    assert!(!ok && out.contains("not a region"), "{out}");
    assert_eq!(
        db.count("SELECT COUNT(*) FROM webhook_subscribers").await,
        1
    );
}

/// A receiver that takes the connection and never answers.
async fn silent_receiver() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let url = format!(
        "http://{}/hooks/slow",
        listener.local_addr().expect("an address")
    );
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    url
}

mod targets {
    use super::*;

    async fn a_slow_receiver_does_not_hold_up_the_others(engine: crate::support::Engine) {
        // The service waits up to 8 s for the slow receiver.
        let app = spawn_app_with(engine, |c| c.delivery_timeout_secs = 8).await;
        let fast = Receiver::start(0).await;
        subscribe(&app, &fast, None).await;
        let slow = Receiver {
            url: silent_receiver().await,
            ..Receiver::start(0).await
        };
        subscribe(&app, &slow, None).await;
        let first = app.db.public_id(&file(&app, complaint()).await).await;
        // The slow receiver now holds a delivery for as long as the
        // service waits.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let started = Instant::now();
        let second = app.db.public_id(&file(&app, complaint()).await).await;
        loop {
            let got = fast
                .accepted
                .lock()
                .await
                .iter()
                .any(|r| r.body.contains(&second));
            if got {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(4),
                "the fast receiver waited for the slow one"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(
            fast.accepted
                .lock()
                .await
                .iter()
                .any(|r| r.body.contains(&first))
        );
    }

    #[tokio::test]
    async fn sqlite_a_slow_receiver_does_not_hold_up_the_others() {
        a_slow_receiver_does_not_hold_up_the_others(crate::support::Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres_a_slow_receiver_does_not_hold_up_the_others() {
        a_slow_receiver_does_not_hold_up_the_others(crate::support::Engine::Postgres).await;
    }

    async fn subscriber_at(app: &TestApp, url: &str) -> (u16, String) {
        let admin = officer(app, "admin", "bali", None).await;
        let (status, _, page) = admin
            .post(
                "/console/integrations/subscriber",
                &[("do", "add"), ("url", url), ("region", "")],
            )
            .await;
        (status, page)
    }

    async fn the_internal_network_is_not_a_target(engine: crate::support::Engine) {
        let app = spawn_app_with(engine, |c| c.webhook_allow_private = false).await;
        crate::console::wait_until_serving(&app).await;
        for url in [
            "http://127.0.0.1:9/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/x",
            "http://10.1.2.3/x",
            "http://localhost:8080/x",
        ] {
            let (status, page) = subscriber_at(&app, url).await;
            assert_eq!(status, 422, "{url}: {page}");
            assert!(page.contains("private"), "{url}: {page}");
        }
        assert_eq!(
            app.db
                .count("SELECT COUNT(*) FROM webhook_subscribers")
                .await,
            0
        );
        // One that got in anyway (added before this check, or by hand) is
        // refused when a delivery is tried, and nothing reaches it.
        let receiver = Receiver::start(0).await;
        let sql = format!(
            "INSERT INTO webhook_subscribers (url, region_slug, secret, active, created_at) VALUES ('{}', NULL, 'whsec_AAAA', TRUE, 0)",
            receiver.url
        );
        app.db.run(sql).await;
        file(&app, complaint()).await;
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let refused = app
                .db
                .strings("SELECT COALESCE(last_error, '') FROM outbox WHERE channel = 'webhook'")
                .await;
            if refused.iter().any(|e| e.contains("private")) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "no refusal recorded: {refused:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            receiver.requests.load(Ordering::SeqCst),
            0,
            "a private target was reached"
        );
    }

    #[tokio::test]
    async fn sqlite_the_internal_network_is_not_a_target() {
        the_internal_network_is_not_a_target(crate::support::Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres_the_internal_network_is_not_a_target() {
        the_internal_network_is_not_a_target(crate::support::Engine::Postgres).await;
    }
}
