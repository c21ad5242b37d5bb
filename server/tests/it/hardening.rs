//! The service holds up against clients that connect and never finish:
//! idle and half-sent requests are closed after the header timeout, and a
//! connection cap keeps their number bounded.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::{Engine, TestApp, spawn_app_with};

/// The best of three `/livez` round trips (the machine is shared: one slow
/// answer says little, three say the service is held up).
async fn livez_within(app: &TestApp) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let r = app
            .client
            .get(app.url("/livez"))
            .send()
            .await
            .expect("an answer");
        assert_eq!(r.status().as_u16(), 200);
        best = best.min(started.elapsed());
    }
    best
}

/// True when the server closed the connection (end of stream or reset).
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A 408 or similar before closing is fine; read on.
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn thousands_of_idle_and_half_sent_connections_neither_block_nor_stay() {
    let app = spawn_app_with(Engine::Sqlite, |c| {
        c.header_timeout_secs = 2;
        c.max_connections = 4096;
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for i in 0..2000 {
        let mut stream = TcpStream::connect(&address).await.expect("a connection");
        if i % 2 == 0 {
            // Half a request: headers that never end.
            stream
                .write_all(b"GET /livez HTTP/1.1\r\nHost: aduan\r\nX-Slow: ")
                .await
                .expect("half a request");
        }
        idle.push(stream);
    }
    let took = livez_within(&app).await;
    assert!(
        took < Duration::from_millis(900),
        "/livez took {took:?} beside 2,000 idle connections"
    );
    // After the header timeout the server has closed every one of them.
    tokio::time::sleep(Duration::from_millis(3000)).await;
    let mut still_open = 0;
    for stream in idle.iter_mut().step_by(50) {
        if !closed_by_server(stream).await {
            still_open += 1;
        }
    }
    assert_eq!(
        still_open, 0,
        "idle connections outlived the header timeout"
    );
    assert!(livez_within(&app).await < Duration::from_millis(900));
}

#[tokio::test]
async fn the_connection_cap_holds_and_frees_as_idle_ones_time_out() {
    let app = spawn_app_with(Engine::Sqlite, |c| {
        c.header_timeout_secs = 2;
        c.max_connections = 4;
    })
    .await;
    crate::console::wait_until_serving(&app).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    // Let the client's own keep-alive connections go, so only ours count.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("a client");
    let mut idle = Vec::new();
    for _ in 0..4 {
        idle.push(TcpStream::connect(&address).await.expect("a connection"));
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let r = client
        .get(format!("{}/livez", app.base))
        .send()
        .await
        .expect("an answer");
    assert_eq!(r.status().as_u16(), 200);
    let waited = started.elapsed();
    // Served only once a slot was freed by the timeout, not before.
    assert!(
        waited >= Duration::from_millis(1200),
        "served at once ({waited:?}) past a cap of 4"
    );
    assert!(waited < Duration::from_secs(6), "{waited:?}");
    drop(idle);
}
