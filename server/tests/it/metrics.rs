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

/// A token as an operator makes one (`openssl rand -hex 32` is longer).
const TOKEN: &str = "0f6b2c1d9e8a7f3b5c4d2e1f0a9b8c7d";

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
        c.metrics_token = Some(Secret::new(TOKEN));
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
    let (status, public) = scrape(&app, &app.url("/metrics"), Some(TOKEN)).await;
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

/// Every way of asking for `path`: the status and body of each.
async fn answers(app: &TestApp, path: &str, token: Option<&str>) -> Vec<(u16, String)> {
    let mut seen = Vec::new();
    for method in [
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::HEAD,
    ] {
        for language in ["id", "en"] {
            let mut request = app
                .client
                .request(method.clone(), app.url(path))
                .header("accept-language", language);
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let r = request.send().await.expect("an answer");
            let status = r.status().as_u16();
            seen.push((status, r.text().await.unwrap_or_default()));
        }
    }
    seen
}

#[tokio::test]
async fn without_a_token_the_public_address_has_no_metrics() {
    let app = spawn_app_with(Engine::Sqlite, |_| {}).await;
    crate::console::wait_until_serving(&app).await;
    let metrics = answers(&app, "/metrics", Some("anything")).await;
    assert_eq!(metrics[0].0, 404);
    assert!(metrics.iter().all(|(_, body)| !body.contains("aduan_")));
    // Asked any way, in any language, it answers as a path that never was.
    assert_eq!(
        metrics,
        answers(&app, "/no-such-page", Some("anything")).await
    );
}

#[tokio::test]
async fn a_wrong_token_is_answered_as_an_unknown_path() {
    let app = spawn_app_with(Engine::Sqlite, |c| {
        c.metrics_token = Some(Secret::new(TOKEN))
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    for wrong in [
        None,
        Some(""),
        Some("0f6b2c1d"),
        Some(&TOKEN[..TOKEN.len() - 1]),
    ] {
        let metrics = answers(&app, "/metrics", wrong).await;
        assert_eq!(metrics[0].0, 404, "{wrong:?}");
        assert!(metrics.iter().all(|(_, body)| !body.contains("aduan_")));
        // A GET (the first two answers, in Indonesian and English) is
        // answered as for a path that never was.
        let unknown = answers(&app, "/no-such-page", wrong).await;
        assert_eq!(metrics[..2], unknown[..2], "{wrong:?}");
    }
    assert_eq!(answers(&app, "/metrics", Some(TOKEN)).await[0].0, 200);
}

#[tokio::test]
async fn a_short_metrics_token_stops_the_server_before_it_serves() {
    let db = crate::support::TestDb::new(Engine::Sqlite).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let mut config = crate::support::config(&db, listener.local_addr().expect("an address"));
    config.metrics_token = Some(Secret::new("letmein-letmein"));
    let error = aduan_server::run(config, listener, std::future::pending())
        .await
        .expect_err("a guessable token is refused");
    let said = format!("{error:#}");
    assert!(said.contains("--metrics-token"), "{said}");
    assert!(
        !said.contains("letmein"),
        "the token is never printed: {said}"
    );
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

#[tokio::test]
async fn a_client_that_is_not_the_balancer_cannot_name_its_request() {
    // Forwarded-for is trusted, but only from 10.0.0.0/8: a client on
    // loopback is not the balancer, so its id is not taken.
    let app = spawn_app_with(Engine::Sqlite, |c| {
        c.trust_forwarded_for = true;
        c.trusted_proxies = vec!["10.0.0.0/8".parse().expect("a range")];
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    let r = app
        .client
        .get(app.url("/livez"))
        .header("x-request-id", "chosen-by-the-client")
        .send()
        .await
        .expect("an answer");
    let id = r.headers()["x-request-id"].to_str().expect("text");
    assert_ne!(id, "chosen-by-the-client");
    assert_eq!(id.len(), 16, "{id}");
}
