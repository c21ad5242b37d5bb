//! What an operator watches: `/metrics` on its own address or behind its
//! token, every counter's name, and the request id from the answer's header
//! to the outbox message it queued.

use std::time::{Duration, Instant};

use aduan_server::config::Secret;

use crate::outbox::{Receiver, subscribe};
use crate::support::{Engine, TestApp, complaint, spawn_app_with};

async fn scrape(app: &TestApp, url: &str, token: Option<&str>) -> (u16, String) {
    let mut request = app.client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await.expect("an answer");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

fn free_port() -> std::net::SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

async fn everything_an_operator_watches(engine: Engine) {
    let private = free_port();
    let app = spawn_app_with(engine, |c| {
        c.metrics_listen = Some(private);
        c.metrics_token = Some(Secret::new("a metrics token long enough"));
        c.submit_per_minute = 1;
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    let receiver = Receiver::start(0).await;
    subscribe(&app, &receiver, None).await;

    // A complaint, a refused second one, a look-up, a failed sign-in.
    let r = app
        .client
        .post(app.url("/api/v1/complaints"))
        .header("idempotency-key", crate::support::new_key())
        .json(&complaint())
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 201);
    let request_id = r.headers()["x-request-id"]
        .to_str()
        .expect("text")
        .to_owned();
    assert_eq!(request_id.len(), 16, "{request_id}");
    let code = r.json::<serde_json::Value>().await.expect("json")["tracking_code"]
        .as_str()
        .expect("a code")
        .to_owned();
    // Ten at once is the burst: the eleventh is refused.
    let mut filed = 1;
    loop {
        match app.submit(&complaint()).await.0 {
            201 => filed += 1,
            429 => break,
            other => panic!("a valid complaint answered {other}"),
        }
        assert!(filed <= 10, "the budget never ran out");
    }
    assert_eq!(filed, 10);
    let (found, _) = app.get(&format!("/api/v1/complaints/{code}")).await;
    assert_eq!(found, 200);
    assert!(
        crate::console::sign_in(&app.base, "nobody@example.id", "a wrong password")
            .await
            .is_err()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while receiver.accepted.lock().await.len() < filed {
        assert!(Instant::now() < deadline, "the webhook never arrived");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The request behind each message is stored with it.
    let mut ids = app
        .db
        .strings("SELECT request_id FROM outbox WHERE channel = 'webhook'")
        .await;
    assert!(ids.contains(&request_id), "{ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), filed, "one request, one id: {ids:?}");

    // Not on the public address without the token; there is nothing to
    // see, so it is answered as an unknown address.
    let (status, body) = scrape(&app, &app.url("/metrics"), None).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains("aduan_"));
    let (status, _) = scrape(&app, &app.url("/metrics"), Some("a wrong token")).await;
    assert_eq!(status, 404);
    let (status, public) = scrape(
        &app,
        &app.url("/metrics"),
        Some("a metrics token long enough"),
    )
    .await;
    assert_eq!(status, 200);
    // On its own address, without a token.
    let (status, text) = scrape(&app, &format!("http://{private}/metrics"), None).await;
    assert_eq!(status, 200);
    for text in [&public, &text] {
        for name in [
            "aduan_http_requests_total",
            "aduan_http_request_duration_seconds_bucket",
            "aduan_db_pool_connections",
            "aduan_db_pool_max_connections",
            "aduan_outbox_pending",
            "aduan_outbox_parked",
            "aduan_outbox_oldest_pending_age_seconds",
            "aduan_deliveries_total",
            "aduan_sign_in_failures_total",
            "aduan_rate_limited_total",
            "aduan_complaints",
        ] {
            assert!(
                text.contains(&format!("# TYPE {name}")) || text.contains(&format!("{name}{{")),
                "{name} missing:\n{text}"
            );
        }
    }
    assert_eq!(
        value(
            &text,
            "aduan_http_requests_total{route=\"/api/v1/complaints\",method=\"POST\",status=\"201\"}"
        ),
        Some(10.0),
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            "aduan_http_requests_total{route=\"/api/v1/complaints/{code}\",method=\"GET\",status=\"200\"}"
        ),
        Some(1.0),
        "{text}"
    );
    assert!(
        !text.contains(&code),
        "a tracking code never reaches the metrics"
    );
    assert_eq!(
        value(&text, "aduan_rate_limited_total{budget=\"submit\"}"),
        Some(1.0)
    );
    assert_eq!(value(&text, "aduan_sign_in_failures_total"), Some(1.0));
    assert_eq!(
        value(&text, "aduan_complaints{status=\"submitted\"}"),
        Some(10.0)
    );
    assert!(
        text.lines().any(|l| l
            .starts_with("aduan_deliveries_total{channel=\"webhook\",receiver=\"subscriber ")
            && l.contains("result=\"delivered\"} 10")),
        "{text}"
    );
    assert_eq!(value(&text, "aduan_outbox_pending"), Some(0.0));
    assert_eq!(
        value(&text, "aduan_outbox_oldest_pending_age_seconds"),
        Some(0.0)
    );
    assert!(
        value(
            &text,
            "aduan_http_request_duration_seconds_count{route=\"/api/v1/complaints\",method=\"POST\"}"
        )
        .is_some_and(|n| n >= 11.0),
        "{text}"
    );
    // A request id a stranger sends is not taken (no trusted proxy here).
    let r = app
        .client
        .get(app.url("/livez"))
        .header("x-request-id", "chosen-by-a-stranger")
        .send()
        .await
        .expect("an answer");
    assert_ne!(r.headers()["x-request-id"], "chosen-by-a-stranger");
}

#[tokio::test]
async fn sqlite_everything_an_operator_watches() {
    everything_an_operator_watches(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_everything_an_operator_watches() {
    everything_an_operator_watches(Engine::Postgres).await;
}

#[tokio::test]
async fn without_a_token_the_public_address_has_no_metrics() {
    let app = spawn_app_with(Engine::Sqlite, |_| {}).await;
    crate::console::wait_until_serving(&app).await;
    let (status, body) = scrape(&app, &app.url("/metrics"), Some("anything")).await;
    assert_eq!(status, 404);
    assert!(!body.contains("aduan_"));
}

#[tokio::test]
async fn a_trusted_balancer_names_the_request() {
    let app = spawn_app_with(Engine::Sqlite, |c| {
        c.trust_forwarded_for = true;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().expect("a range")];
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    let r = app
        .client
        .get(app.url("/livez"))
        .header("x-request-id", "lb-7f3a-0001")
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.headers()["x-request-id"], "lb-7f3a-0001");
    let r = app
        .client
        .get(app.url("/livez"))
        .header("x-request-id", "not an id!")
        .send()
        .await
        .expect("an answer");
    let id = r.headers()["x-request-id"]
        .to_str()
        .expect("text")
        .to_owned();
    assert_eq!(id.len(), 16, "an unusable id is replaced: {id}");
}
