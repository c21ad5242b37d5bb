//! Sign-in under attack: guesses are counted before any password is
//! checked, hashing is bounded, and an attacker who knows an officer's
//! address cannot keep the officer out.

use futures_util::future::join_all;

use crate::console::{PASSWORD, add_officer, sign_in_from};
use crate::support::{Engine, TestApp, spawn_app_with};

async fn behind_a_proxy(engine: Engine) -> TestApp {
    spawn_app_with(engine, |c| {
        c.trust_forwarded_for = true;
        c.trusted_proxies = vec!["127.0.0.0/8".parse().expect("a range")];
    })
    .await
}

/// The process's peak resident memory, in KiB.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

async fn parallel_guesses_are_capped_and_the_officer_still_signs_in(engine: Engine) {
    let app = behind_a_proxy(engine).await;
    let email = "serbu@badungkab.go.id";
    add_officer(&app, email, "coordinator", "badung", None).await;
    let before = peak_kib();
    let guesses = (0..200).map(|i| {
        let base = app.base.clone();
        async move {
            sign_in_from(
                &base,
                email,
                &format!("tebakan-{i}-salah"),
                None,
                Some("203.0.113.66"),
            )
            .await
            .err()
            .map_or(303, |(status, _)| status)
        }
    });
    let statuses = join_all(guesses).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        checked <= 5,
        "{checked} passwords were checked; at most 5 may be"
    );
    assert_eq!(checked + refused, 200, "{statuses:?}");
    let grew_mib = peak_kib().saturating_sub(before) / 1024;
    assert!(grew_mib < 400, "memory grew by {grew_mib} MiB");
    // From another address the officer's own password still works.
    assert!(
        sign_in_from(&app.base, email, PASSWORD, None, Some("198.51.100.7"))
            .await
            .is_ok(),
        "the officer was locked out"
    );
}

async fn guesses_from_everywhere_do_not_lock_out_a_known_browser(engine: Engine) {
    let app = behind_a_proxy(engine).await;
    let email = "dikunci@badungkab.go.id";
    add_officer(&app, email, "unit", "badung", Some("pupr")).await;
    let office = sign_in_from(&app.base, email, PASSWORD, None, Some("198.51.100.7"))
        .await
        .unwrap_or_else(|(s, p)| panic!("{s} {p}"));
    // A distributed guesser: one guess from each of 60 addresses.
    let mut statuses = Vec::new();
    for i in 0..60 {
        let ip = format!("203.0.{}.{}", 113 + i / 200, 1 + i % 200);
        statuses.push(
            sign_in_from(&app.base, email, "bukan-sandinya", None, Some(&ip))
                .await
                .err()
                .map(|e| e.0),
        );
    }
    let checked = statuses.iter().filter(|s| **s == Some(401)).count();
    // The ceiling is 50 attempts across all addresses; the officer's own
    // sign-in was one of them.
    assert_eq!(
        checked, 49,
        "the account's ceiling across all addresses: {statuses:?}"
    );
    // A fresh address is refused now, even with the right password...
    assert_eq!(
        sign_in_from(&app.base, email, PASSWORD, None, Some("192.0.2.50"))
            .await
            .err()
            .map(|e| e.0),
        Some(429)
    );
    // ...and another officer's device cookie does not help.
    let other = "lain@badungkab.go.id";
    add_officer(&app, other, "unit", "badung", Some("pupr")).await;
    let stranger = sign_in_from(&app.base, other, PASSWORD, None, Some("192.0.2.51"))
        .await
        .unwrap_or_else(|(s, p)| panic!("{s} {p}"));
    assert_eq!(
        sign_in_from(
            &app.base,
            email,
            PASSWORD,
            Some(&stranger.device),
            Some("192.0.2.51")
        )
        .await
        .err()
        .map(|e| e.0),
        Some(429)
    );
    // The browser the officer signed in from before still gets in.
    let again = sign_in_from(
        &app.base,
        email,
        PASSWORD,
        Some(&office.device),
        Some("192.0.2.50"),
    )
    .await
    .unwrap_or_else(|(s, p)| panic!("the officer's own browser was locked out: {s} {p}"));
    assert_eq!(
        again.device, office.device,
        "a known browser keeps its cookie"
    );
    // Guessing from that browser has its own small budget.
    let mut device_statuses = Vec::new();
    for _ in 0..12 {
        device_statuses.push(
            sign_in_from(
                &app.base,
                email,
                "salah-lagi",
                Some(&office.device),
                Some("192.0.2.50"),
            )
            .await
            .err()
            .map(|e| e.0),
        );
    }
    assert_eq!(
        device_statuses.iter().filter(|s| **s == Some(401)).count(),
        10,
        "{device_statuses:?}"
    );
    assert_eq!(device_statuses.last(), Some(&Some(429)));
}

#[tokio::test]
async fn sqlite_parallel_guesses_are_capped_and_the_officer_still_signs_in() {
    parallel_guesses_are_capped_and_the_officer_still_signs_in(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_parallel_guesses_are_capped_and_the_officer_still_signs_in() {
    parallel_guesses_are_capped_and_the_officer_still_signs_in(Engine::Postgres).await;
}

#[tokio::test]
async fn sqlite_guesses_from_everywhere_do_not_lock_out_a_known_browser() {
    guesses_from_everywhere_do_not_lock_out_a_known_browser(Engine::Sqlite).await;
}

#[tokio::test]
async fn postgres_guesses_from_everywhere_do_not_lock_out_a_known_browser() {
    guesses_from_everywhere_do_not_lock_out_a_known_browser(Engine::Postgres).await;
}
