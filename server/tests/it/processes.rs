//! Several server processes on one PostgreSQL: an address's budget is
//! spent once for all of them, an edit in one is seen by the others within
//! a second, and a committed change wakes the delivery worker at once.

use std::time::{Duration, Instant};

use crate::durability::start_with;
use crate::outbox::{Receiver, subscribe};
use crate::support::{Engine, TestDb, complaint, config, spawn_app_with};

#[tokio::test]
async fn three_processes_give_an_address_its_budget_once_not_three_times() {
    let db = TestDb::new(Engine::Postgres).await;
    let mut servers = Vec::new();
    for _ in 0..3 {
        servers.push(start_with(&db, &[("ADUAN_SUBMIT_RATE", "10")]).await);
    }
    let client = reqwest::Client::new();
    let (mut accepted, mut refused) = (0, 0);
    for i in 0..30 {
        let r = servers[i % 3].file(&client).await;
        match r.status().as_u16() {
            201 => accepted += 1,
            429 => {
                let wait: u64 = r
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse().ok())
                    .expect("a refusal says when to come back");
                assert!((1..=6).contains(&wait), "one token every 6 s: {wait}");
                refused += 1;
            }
            other => panic!("a valid complaint answered {other}"),
        }
    }
    assert_eq!(
        (accepted, refused),
        (10, 20),
        "ten a minute from one address, whichever process it reaches"
    );
    assert_eq!(db.count("SELECT COUNT(*) FROM complaints").await, 10);
    // The shared buckets name the client by a keyed digest, not by its
    // address: one bucket for the one client, whichever process counted.
    let names = db.strings("SELECT key FROM rate_buckets").await;
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(names[0].starts_with("submit:"), "{names:?}");
    assert!(!names[0].contains("127.0.0.1"), "{names:?}");
    // Back at the first process, the address is still spent.
    let r = servers[0].file(&client).await;
    assert_eq!(r.status().as_u16(), 429, "the same address is still spent");
    drop(servers);
}

#[tokio::test]
async fn a_shared_budget_refills_at_its_rate() {
    let db = TestDb::new(Engine::Postgres).await;
    let store = aduan_server::open_store(&db.args())
        .await
        .expect("the store");
    use aduan_server::store::Token;
    let take = |now: i64| {
        let store = store.clone();
        async move {
            store
                .take_shared_token("submit:192.0.2.1", now, 6000, 3)
                .await
                .expect("the database answers")
        }
    };
    let t0 = 1_000_000;
    for _ in 0..3 {
        assert_eq!(take(t0).await, Some(Token::Taken));
    }
    assert_eq!(take(t0).await, Some(Token::Spent(6000)), "a burst of three");
    assert_eq!(take(t0 + 5999).await, Some(Token::Spent(1)));
    assert_eq!(take(t0 + 6000).await, Some(Token::Taken), "one every 6 s");
    assert_eq!(take(t0 + 6000).await, Some(Token::Spent(6000)));
    // After a long quiet the bucket is full again, never fuller.
    let later = t0 + 3_600_000;
    for _ in 0..3 {
        assert_eq!(take(later).await, Some(Token::Taken));
    }
    assert!(matches!(take(later).await, Some(Token::Spent(_))));
    // Another key is another budget.
    assert_eq!(
        store
            .take_shared_token("lookup:192.0.2.1", t0, 6000, 3)
            .await
            .expect("the database answers"),
        Some(Token::Taken)
    );
    // The sweep forgets buckets that are full again.
    store.sweep(later + 3_600_000, 0).await.expect("the sweep");
    assert_eq!(db.count("SELECT COUNT(*) FROM rate_buckets").await, 0);
    store.close().await;
}

#[tokio::test]
async fn sqlite_keeps_its_budgets_in_its_one_process() {
    let db = TestDb::new(Engine::Sqlite).await;
    let store = aduan_server::open_store(&db.args())
        .await
        .expect("the store");
    assert_eq!(
        store
            .take_shared_token("submit:192.0.2.1", 0, 6000, 3)
            .await
            .expect("an answer"),
        None
    );
    store.close().await;
}

#[tokio::test]
async fn a_routing_rule_edited_in_one_process_routes_in_another_within_a_second() {
    let db = TestDb::new(Engine::Postgres).await;
    let listen = "127.0.0.1:0".parse().expect("an address");
    let here = aduan_server::build_state(config(&db, listen))
        .await
        .expect("one process");
    let there = aduan_server::build_state(config(&db, listen))
        .await
        .expect("another process");
    let follower = there.follow_catalog();
    let coordinator = there
        .catalog()
        .coordinator("badung")
        .map(|u| u.key.clone())
        .expect("Badung has a coordinator");
    assert_ne!(
        there.catalog().rule("badung", "jalan"),
        Some(coordinator.as_str()),
        "the test moves the rule somewhere new"
    );
    // Give the follower's listener a moment to start listening.
    tokio::time::sleep(Duration::from_millis(300)).await;
    here.store
        .set_rule("badung", "jalan", &coordinator)
        .await
        .expect("the rule is saved");
    let edited = Instant::now();
    here.catalog_changed().await.expect("announced");
    while there.catalog().rule("badung", "jalan") != Some(coordinator.as_str()) {
        assert!(
            edited.elapsed() < Duration::from_secs(1),
            "the other process still routes by the old rule after a second"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    follower.abort();
    here.store.close().await;
    there.store.close().await;
}

/// Files one complaint and measures how long until its webhook arrives.
async fn webhook_latency(engine: Engine) -> Duration {
    // Polling alone would take five seconds.
    let app = spawn_app_with(engine, |c| c.outbox_poll_ms = 5000).await;
    crate::console::wait_until_serving(&app).await;
    let receiver = Receiver::start(0).await;
    subscribe(&app, &receiver, None).await;
    // The worker is asleep in its long poll; a first message wakes it.
    let mut slowest = Duration::ZERO;
    for n in 1..=5 {
        let sent = Instant::now();
        let (status, _) = app.submit(&complaint()).await;
        assert_eq!(status, 201);
        while receiver.accepted.lock().await.len() < n {
            assert!(
                sent.elapsed() < Duration::from_secs(3),
                "the webhook waited for the poll ({engine:?})"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        slowest = slowest.max(sent.elapsed());
    }
    slowest
}

#[tokio::test]
async fn sqlite_a_commit_wakes_the_delivery_worker() {
    let slowest = webhook_latency(Engine::Sqlite).await;
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
}

#[tokio::test]
async fn postgres_a_commit_wakes_the_delivery_worker() {
    let slowest = webhook_latency(Engine::Postgres).await;
    assert!(slowest < Duration::from_secs(1), "{slowest:?}");
}

#[tokio::test]
async fn another_process_delivers_what_this_one_committed_at_once() {
    let db = TestDb::new(Engine::Postgres).await;
    let receiver = Receiver::start(0).await;
    // The process that takes the complaint does not listen and polls every
    // ten seconds: what delivers at once is the other process, woken by
    // the notification sent at commit.
    let quiet = [
        ("ADUAN_OUTBOX_POLL_MS", "10000"),
        ("ADUAN_WEBHOOK_ALLOW_PRIVATE", "true"),
    ];
    let taker = start_with(
        &db,
        &[
            ("ADUAN_OUTBOX_POLL_MS", "10000"),
            ("ADUAN_PG_LISTEN", "false"),
        ],
    )
    .await;
    let deliverer = start_with(&db, &quiet).await;
    crate::outbox::add_subscriber(&db, &receiver).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let client = reqwest::Client::new();
    let sent = Instant::now();
    let r = taker.file(&client).await;
    assert_eq!(r.status().as_u16(), 201);
    while receiver.accepted.lock().await.is_empty() {
        assert!(
            sent.elapsed() < Duration::from_secs(3),
            "the other process waited for its poll"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    drop((taker, deliverer));
}
