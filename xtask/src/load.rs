//! A small HTTP/1.1 load generator: keep-alive connections on loopback, each
//! sending its next request as soon as the last answer arrived.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Builds request `seq` of connection `conn`.
pub type MakeRequest = Arc<dyn Fn(usize, u64) -> Vec<u8> + Send + Sync>;

/// What one measured stretch did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub ok: u64,
    pub failed: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// One keep-alive connection.
pub struct Conn {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        Ok(Conn {
            reader: BufReader::new(r),
            writer: w,
        })
    }

    /// Sends one request and reads its answer: status and body.
    pub async fn send(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.writer.write_all(request).await?;
        let mut line = String::new();
        self.reader.read_line(&mut line).await?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        loop {
            line.clear();
            if self.reader.read_line(&mut line).await? == 0 {
                return Err(std::io::Error::other("connection closed"));
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).await?;
        Ok((status, body))
    }
}

/// `GET path`.
pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").into_bytes()
}

/// `POST path` with a JSON body and an idempotency key.
pub fn post_json(path: &str, key: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nIdempotency-Key: {key}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Drives `connections` connections for `duration`; answers other than
/// `expect` count as failures.
pub async fn drive(
    addr: SocketAddr,
    connections: usize,
    duration: Duration,
    make: MakeRequest,
    expect: u16,
) -> Outcome {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::with_capacity(connections);
    for c in 0..connections {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failed = 0u64;
            let Ok(mut conn) = Conn::open(addr).await else {
                return (latencies, 1);
            };
            let mut seq = 0u64;
            while Instant::now() < deadline {
                let request = make(c, seq);
                seq += 1;
                let sent = Instant::now();
                match conn.send(&request).await {
                    Ok((status, _)) if status == expect => latencies.push(sent.elapsed()),
                    Ok(_) => failed += 1,
                    Err(_) => {
                        failed += 1;
                        match Conn::open(addr).await {
                            Ok(fresh) => conn = fresh,
                            Err(_) => break,
                        }
                    }
                }
            }
            (latencies, failed)
        }));
    }
    let mut all = Vec::new();
    let mut failed = 0;
    for t in tasks {
        if let Ok((lat, f)) = t.await {
            all.extend(lat);
            failed += f;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| -> f64 {
        if all.is_empty() {
            return f64::NAN;
        }
        let i = ((all.len() as f64 - 1.0) * p).round() as usize;
        all[i].as_secs_f64() * 1000.0
    };
    Outcome {
        ok: all.len() as u64,
        failed,
        rps: all.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}
