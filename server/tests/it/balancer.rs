//! Three `aduan serve` processes on one PostgreSQL behind Debian's HAProxy,
//! as a province would run them: steady submissions and look-ups through
//! the balancer while one process is killed with SIGKILL and started again.
//! Nothing acknowledged is lost, nothing is stored twice for one key, every
//! outbox message reaches its receiver, the health check takes the dead
//! process out, and clients are known by the balancer's `X-Forwarded-For`.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::process::{Child, Command};
use tokio::sync::Mutex;

use crate::durability::{Server, start_listening};
use crate::outbox::Receiver;
use crate::support::{Engine, TestDb, complaint, new_key};

/// HAProxy from Debian's package (`cargo xtask test` installs it).
fn haproxy_binary() -> PathBuf {
    let path = std::env::var_os("ADUAN_HAPROXY")
        .map_or_else(|| PathBuf::from("/usr/sbin/haproxy"), PathBuf::from);
    assert!(
        path.exists(),
        "HAProxy is not installed at {}: run the tests with `cargo xtask test`, which installs Debian's haproxy",
        path.display()
    );
    path
}

fn free_port() -> SocketAddr {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

/// A running HAProxy and where to ask it how its servers are.
struct Balancer {
    _child: Child,
    front: String,
    stats: String,
    _dir: tempfile::TempDir,
}

impl Balancer {
    /// Starts HAProxy in front of `servers`. It talks to them from
    /// 127.0.0.2, the one address the processes trust as their proxy, so
    /// that a client on 127.0.0.1 is not mistaken for it.
    async fn start(servers: &[SocketAddr]) -> Balancer {
        let (front, stats) = (free_port(), free_port());
        let mut config = format!(
            "global\n    maxconn 4000\n\
             defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n    option forwardfor\n\
             frontend web\n    bind {front}\n    default_backend aduan\n\
             backend aduan\n    balance roundrobin\n    source 127.0.0.2\n    option httpchk GET /healthz\n    http-check expect status 200\n    default-server inter 200ms fall 2 rise 2\n"
        );
        for (i, s) in servers.iter().enumerate() {
            config.push_str(&format!("    server aduan{} {s} check\n", i + 1));
        }
        config.push_str(&format!(
            "listen stats\n    bind {stats}\n    stats enable\n    stats uri /stats\n"
        ));
        let dir = tempfile::tempdir().expect("a folder");
        let file = dir.path().join("haproxy.cfg");
        std::fs::write(&file, &config).expect("the configuration is written");
        let check = std::process::Command::new(haproxy_binary())
            .args(["-c", "-q", "-f"])
            .arg(&file)
            .output()
            .expect("haproxy runs");
        assert!(
            check.status.success(),
            "HAProxy refuses the configuration: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let child = Command::new(haproxy_binary())
            .args(["-db", "-f"])
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("haproxy starts");
        let balancer = Balancer {
            _child: child,
            front: format!("http://{front}"),
            stats: format!("http://{stats}/stats;csv"),
            _dir: dir,
        };
        // Ready when every server is up.
        balancer
            .wait_for(Duration::from_secs(20), |states| {
                states.len() == servers.len() && states.iter().all(|s| s == "UP")
            })
            .await;
        balancer
    }

    /// The health states of the servers, in order (`UP`, `DOWN`, …).
    async fn states(&self) -> Vec<String> {
        let Ok(r) = reqwest::get(&self.stats).await else {
            return Vec::new();
        };
        let text = r.text().await.unwrap_or_default();
        text.lines()
            .filter(|l| l.starts_with("aduan,aduan"))
            .filter_map(|l| l.split(',').nth(17).map(str::to_owned))
            .collect()
    }

    async fn wait_for(&self, within: Duration, ok: impl Fn(&[String]) -> bool) -> Duration {
        let started = Instant::now();
        loop {
            let states = self.states().await;
            if ok(&states) {
                return started.elapsed();
            }
            assert!(
                started.elapsed() < within,
                "HAProxy's servers stayed {states:?} for {within:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The settings of a process behind the balancer.
const BEHIND: &[(&str, &str)] = &[
    ("ADUAN_TRUST_FORWARDED_FOR", "true"),
    ("ADUAN_TRUSTED_PROXIES", "127.0.0.2/32"),
    ("ADUAN_OUTBOX_LEASE", "2"),
    ("ADUAN_OUTBOX_BACKOFF_MS", "100"),
    ("ADUAN_DELIVERY_TIMEOUT", "2"),
    ("ADUAN_WEBHOOK_ALLOW_PRIVATE", "true"),
];

async fn start_behind(db: &TestDb, at: SocketAddr, extra: &[(&str, &str)]) -> Server {
    let settings: Vec<(&str, &str)> = BEHIND.iter().chain(extra).copied().collect();
    start_listening(db, &at.to_string(), &settings).await
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    /// Keys and the codes they were acknowledged with.
    acknowledged: Mutex<Vec<(String, String)>>,
    /// Answers that were not an acknowledgement (a reset connection, a
    /// 502 while the balancer had not yet noticed the dead process).
    retried: AtomicUsize,
    looked_up: AtomicUsize,
}

/// A citizen's phone: files with a key and, until it is acknowledged,
/// sends the same complaint again with the same key; then looks it up.
async fn citizen(front: String, stop: Arc<AtomicBool>, seen: Arc<Seen>) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("a client");
    while !stop.load(Ordering::Relaxed) {
        let key = new_key();
        let code = loop {
            let sent = client
                .post(format!("{front}/api/v1/complaints"))
                .header("idempotency-key", &key)
                .json(&complaint())
                .send()
                .await;
            match sent {
                Ok(r) if matches!(r.status().as_u16(), 200 | 201) => {
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    if let Some(code) = body["tracking_code"].as_str() {
                        break code.to_owned();
                    }
                }
                Ok(r) if r.status().as_u16() == 422 || r.status().as_u16() == 409 => {
                    panic!("a valid complaint was refused: {}", r.status())
                }
                _ => {}
            }
            seen.retried.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        seen.acknowledged.lock().await.push((key, code.clone()));
        if let Ok(r) = client
            .get(format!("{front}/api/v1/complaints/{code}"))
            .send()
            .await
            && r.status().as_u16() == 200
        {
            seen.looked_up.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[tokio::test]
async fn three_processes_behind_haproxy_lose_nothing_when_one_is_killed() {
    let db = TestDb::new(Engine::Postgres).await;
    let receiver = Receiver::start(0).await;
    let addresses = [free_port(), free_port(), free_port()];
    let mut servers = Vec::new();
    for at in addresses {
        servers.push(start_behind(&db, at, &[]).await);
    }
    crate::outbox::add_subscriber(&db, &receiver).await;
    let balancer = Balancer::start(&addresses).await;

    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Seen::default());
    let citizens: Vec<_> = (0..8)
        .map(|_| tokio::spawn(citizen(balancer.front.clone(), stop.clone(), seen.clone())))
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // One process dies without warning.
    let mut killed = servers.remove(1);
    killed.child.start_kill().expect("SIGKILL");
    let _ = killed.child.wait().await;
    let noticed = balancer
        .wait_for(Duration::from_secs(5), |s| {
            s.get(1).is_some_and(|s| s.starts_with("DOWN"))
        })
        .await;
    // Taken out: requests through the balancer now all succeed.
    let client = reqwest::Client::new();
    for _ in 0..30 {
        let r = client
            .get(format!("{}/healthz", balancer.front))
            .send()
            .await
            .expect("an answer");
        assert_eq!(
            r.status().as_u16(),
            200,
            "the dead process still gets requests"
        );
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;

    // It comes back on its address and the balancer takes it in again.
    let restarted = start_behind(&db, addresses[1], &[]).await;
    balancer
        .wait_for(Duration::from_secs(10), |s| {
            s.len() == 3 && s.iter().all(|s| s == "UP")
        })
        .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    stop.store(true, Ordering::Relaxed);
    for c in citizens {
        c.await.expect("a citizen");
    }

    let acknowledged = seen.acknowledged.lock().await.clone();
    assert!(
        acknowledged.len() > 40,
        "too little traffic to mean anything: {}",
        acknowledged.len()
    );
    assert!(seen.looked_up.load(Ordering::Relaxed) > 0);
    // Every acknowledged complaint is stored, once for its key.
    let keys: BTreeSet<&String> = acknowledged.iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), acknowledged.len());
    let stored = db.count("SELECT COUNT(*) FROM complaints").await;
    assert_eq!(
        stored,
        i64::try_from(acknowledged.len()).unwrap_or(0),
        "one complaint per key: none lost, none twice"
    );
    let codes: BTreeSet<String> = db
        .strings("SELECT tracking_code FROM complaints")
        .await
        .into_iter()
        .collect();
    for (_, code) in &acknowledged {
        assert!(
            codes.contains(code),
            "{code} was acknowledged but is not stored"
        );
    }

    // Each outbox message reaches the receiver: after de-duplication by
    // its id, exactly the messages queued (a delivery cut short by the
    // kill is sent again when its lease runs out).
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pending = db
            .count("SELECT COUNT(*) FROM outbox WHERE channel = 'webhook' AND state <> 'delivered'")
            .await;
        if pending == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} messages never delivered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let received: BTreeSet<String> = receiver
        .accepted
        .lock()
        .await
        .iter()
        .map(|r| r.id.clone())
        .collect();
    let queued: BTreeSet<String> = db
        .strings("SELECT delivery_id FROM outbox WHERE channel = 'webhook'")
        .await
        .into_iter()
        .collect();
    assert_eq!(
        queued.len(),
        acknowledged.len(),
        "one message per complaint"
    );
    assert_eq!(received, queued);
    assert!(receiver.accepted.lock().await.iter().all(|r| r.signed));
    println!(
        "balancer: {} acknowledged, {} answers retried, the dead process out after {noticed:?}",
        acknowledged.len(),
        seen.retried.load(Ordering::Relaxed)
    );
    drop((servers, restarted, balancer));
}

#[tokio::test]
async fn behind_the_balancer_a_client_is_its_own_address_whatever_it_claims() {
    let db = TestDb::new(Engine::Postgres).await;
    let at = free_port();
    let server = start_behind(&db, at, &[("ADUAN_SUBMIT_RATE", "1")]).await;
    let balancer = Balancer::start(&[at]).await;
    let client = reqwest::Client::new();
    let file = |client: reqwest::Client, claim: String| {
        let front = balancer.front.clone();
        async move {
            client
                .post(format!("{front}/api/v1/complaints"))
                .header("idempotency-key", new_key())
                .header("x-forwarded-for", claim)
                .json(&complaint())
                .send()
                .await
                .expect("an answer")
                .status()
                .as_u16()
        }
    };
    // Ten a minute at once from one address, each claiming another one.
    for n in 0..10 {
        assert_eq!(file(client.clone(), format!("203.0.113.{n}")).await, 201);
    }
    assert_eq!(
        file(client.clone(), "198.51.100.1".into()).await,
        429,
        "a forged X-Forwarded-For does not buy a new budget"
    );
    // Another client address, as the balancer reports it, has its own
    // budget: the processes do not count the balancer as the client.
    let other = reqwest::Client::builder()
        .local_address(Some("127.0.0.5".parse().expect("an address")))
        .build()
        .expect("a client");
    assert_eq!(file(other, "203.0.113.1".into()).await, 201);
    drop((server, balancer));
}

#[test]
fn the_example_configurations_pass_haproxys_own_check() {
    let dir = tempfile::tempdir().expect("a folder");
    // A throwaway certificate where the examples expect the real one.
    let (key, cert, pem) = (
        dir.path().join("key.pem"),
        dir.path().join("cert.pem"),
        dir.path().join("aduan.pem"),
    );
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=aduan.test", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs (Debian's openssl; `cargo xtask test` installs it)");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let both = [
        std::fs::read(&cert).expect("the certificate"),
        std::fs::read(&key).expect("the key"),
    ]
    .concat();
    std::fs::write(&pem, both).expect("the pem");
    let deploy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy");
    for name in ["haproxy.cfg", "compose-haproxy.cfg"] {
        let text = std::fs::read_to_string(deploy.join(name)).expect("the example");
        assert!(text.contains("/etc/haproxy/certs/aduan.pem"), "{name}");
        assert!(text.contains("option httpchk GET /healthz"), "{name}");
        assert!(text.contains("option forwardfor"), "{name}");
        // Neither its log line nor its request ids carry the client's
        // address or the path (which can hold a tracking code).
        let settings: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with('#'))
            .collect();
        assert!(settings.contains(&"unique-id-format %[uuid()]"), "{name}");
        assert!(
            settings.iter().any(|l| l.starts_with("log-format ")),
            "{name}"
        );
        for line in &settings {
            // A variable is `%` and letters; `%r` is the request line.
            let variables: Vec<String> = line
                .split('%')
                .skip(1)
                .map(|v| {
                    v.trim_start_matches(['{', '+', 'Q', '}'])
                        .chars()
                        .take_while(char::is_ascii_alphabetic)
                        .collect()
                })
                .collect();
            for leak in ["ci", "r", "HU", "HP", "HPO", "HQ", "CC", "hr"] {
                assert!(!variables.iter().any(|v| v == leak), "{name}: {line}");
            }
            assert!(!line.contains("httplog"), "{name}: {line}");
        }
        let local = dir.path().join(name);
        std::fs::write(
            &local,
            text.replace(
                "/etc/haproxy/certs/aduan.pem",
                pem.to_str().expect("a path"),
            ),
        )
        .expect("a copy");
        let check = std::process::Command::new(haproxy_binary())
            .args(["-c", "-f"])
            .arg(&local)
            .output()
            .expect("haproxy runs");
        assert!(
            check.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
    }
}
