//! The outbox: how fast a burst of messages reaches a receiver on loopback,
//! and how long a status change takes to arrive as a webhook while 50
//! complaints a second come in.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Mutex;

use crate::Result;
use crate::load::Conn;

const COMPLAINT: &str = r#"{"region":"badung","classification":"complaint","title":"Jalan berlubang di depan pasar","description":"Lubang besar di Jalan Raya Kuta, sudah dua minggu tidak diperbaiki.","category":"jalan","privacy":"public","locale":"id"}"#;

/// When each (public id, message type) arrived: webhooks name a complaint
/// by its public id, never by its tracking code.
type Arrivals = Arc<Mutex<HashMap<(String, String), Instant>>>;

/// A receiver that acknowledges everything and notes when it arrived.
async fn receiver() -> Result<(String, Arrivals)> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let url = format!(
        "http://{}/hook",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let arrivals: Arrivals = Arc::default();
    let seen = arrivals.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut length = 0usize;
                    loop {
                        let mut h = String::new();
                        if reader.read_line(&mut h).await.unwrap_or(0) == 0 {
                            return;
                        }
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':')
                            && k.eq_ignore_ascii_case("content-length")
                        {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    if reader.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    let at = Instant::now();
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let code = v["data"]["id"].as_str().unwrap_or_default().to_owned();
                    let kind = v["type"].as_str().unwrap_or_default().to_owned();
                    seen.lock().await.entry((code, kind)).or_insert(at);
                    if write
                        .write_all(b"HTTP/1.1 204 No Content\r\n\r\n")
                        .await
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    Ok((url, arrivals))
}

fn submit_request(key: &str) -> Vec<u8> {
    crate::load::post_json("/api/v1/complaints", key, COMPLAINT)
}

fn dispatch_request(code: &str, cookie: &str) -> Vec<u8> {
    let body = "csrf=bench&action=dispatch&version=1&unit=pupr";
    format!(
        "POST /console/complaints/{code} HTTP/1.1\r\nHost: bench\r\nCookie: aduan_session={cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn code_of(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body).unwrap_or_default()["tracking_code"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[(((sorted.len() - 1) as f64) * p).round() as usize]
}

async fn wait_for(arrivals: &Arrivals, kind: &str, codes: &[String], seconds: u64) -> Result {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let seen = arrivals.lock().await;
        let missing = codes
            .iter()
            .filter(|c| !seen.contains_key(&((*c).clone(), kind.to_owned())))
            .count();
        drop(seen);
        if missing == 0 {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{missing} `{kind}` messages never arrived"));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Runs both measurements against a server at `addr` whose database is `url`.
pub async fn measure(
    addr: SocketAddr,
    db: &mut crate::console_bench::Db,
    subscribe: impl Fn(&str) -> Result,
    cookie_email: &str,
) -> Result {
    let (url, arrivals) = receiver().await?;
    subscribe(&url)?;
    let cookie = crate::console_bench::session_for(db, cookie_email).await?;

    // 1. Status changes while 50 complaints a second arrive, for 10 s.
    let mut filer = Conn::open(addr).await.map_err(|e| e.to_string())?;
    let mut officer = Conn::open(addr).await.map_err(|e| e.to_string())?;
    let mut changed: Vec<(String, Instant)> = Vec::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(20));
    let mut previous: Option<String> = None;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < Duration::from_secs(10) {
        ticker.tick().await;
        n += 1;
        let (status, body) = filer
            .send(&submit_request(&format!("outbox-bench-{n:08}")))
            .await
            .map_err(|e| e.to_string())?;
        if status != 201 {
            return Err(format!("a submission answered {status}"));
        }
        // Dispatch the one before, as a coordinator would, and time it.
        if let Some(code) = previous.replace(code_of(&body)) {
            let sent = Instant::now();
            let (status, _) = officer
                .send(&dispatch_request(&code, &cookie))
                .await
                .map_err(|e| e.to_string())?;
            if status != 303 {
                return Err(format!("a dispatch answered {status}"));
            }
            changed.push((code, sent));
        }
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    let ids = db.public_ids().await?;
    let changed: Vec<(String, Instant)> = changed
        .into_iter()
        .map(|(code, at)| (ids.get(&code).cloned().unwrap_or(code), at))
        .collect();
    let codes: Vec<String> = changed.iter().map(|(c, _)| c.clone()).collect();
    wait_for(&arrivals, "complaint.status_changed", &codes, 60).await?;
    let seen = arrivals.lock().await.clone();
    let mut latencies: Vec<f64> = changed
        .iter()
        .filter_map(|(code, sent)| {
            seen.get(&(code.clone(), "complaint.status_changed".to_owned()))
                .map(|at| at.saturating_duration_since(*sent).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let (p50, p99) = (percentile(&latencies, 0.5), percentile(&latencies, 0.99));
    println!(
        "    status change -> webhook, {} changes with {rate:.0} submissions/s arriving: p50 {p50:.0} ms, p99 {p99:.0} ms (target p99 < 100 ms: {})",
        latencies.len(),
        if p99 < 100.0 { "met" } else { "NOT met" }
    );

    // 2. A burst: 2,000 complaints as fast as 8 connections file them; how
    // fast the outbox empties into the receiver.
    let burst = 2_000usize;
    let burst_start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..8 {
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await.map_err(|e| e.to_string())?;
            let mut codes = Vec::new();
            for i in 0..burst / 8 {
                let (status, body) = conn
                    .send(&submit_request(&format!("outbox-burst-{c}-{i:06}")))
                    .await
                    .map_err(|e| e.to_string())?;
                if status != 201 {
                    return Err(format!("a submission answered {status}"));
                }
                codes.push(code_of(&body));
            }
            Ok::<_, String>(codes)
        }));
    }
    let mut codes = Vec::new();
    for task in tasks {
        codes.extend(task.await.map_err(|e| e.to_string())??);
    }
    let ids = db.public_ids().await?;
    let codes: Vec<String> = codes
        .into_iter()
        .map(|code| ids.get(&code).cloned().unwrap_or(code))
        .collect();
    wait_for(&arrivals, "complaint.created", &codes, 120).await?;
    let seen = arrivals.lock().await.clone();
    let last = codes
        .iter()
        .filter_map(|c| seen.get(&(c.clone(), "complaint.created".to_owned())))
        .max()
        .copied()
        .unwrap_or(burst_start);
    let seconds = last.saturating_duration_since(burst_start).as_secs_f64();
    println!(
        "    burst of {burst} complaints: all delivered {seconds:.2} s after the first was filed = {:.0} deliveries/s",
        burst as f64 / seconds.max(0.001)
    );
    Ok(())
}
