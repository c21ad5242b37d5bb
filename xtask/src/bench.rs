//! `cargo xtask bench`: the release server on SQLite and on PostgreSQL,
//! driven on loopback with 64 connections. Each scenario is printed next to
//! the bare endpoint (`/livez`) of the same server measured in the same round.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use crate::load::{self, Conn, Outcome};
use crate::{Result, cargo, pg, root, tools};
use crate::{console_bench, outbox_bench, performance_bench};

const CONNECTIONS: usize = 64;
const SEEDED: usize = 2_000;

const COMPLAINT: &str = r#"{"region":"badung","classification":"complaint","title":"Jalan berlubang di depan pasar","description":"Lubang besar di Jalan Raya Kuta, sudah dua minggu tidak diperbaiki.","category":"jalan","district":"Kuta","privacy":"public","reporter":{"name":"Wayan","phone":"081234567890"},"locale":"id"}"#;

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(database_url: &str) -> Result<Server> {
        let mut child = Command::new(root().join("target/release/aduan"))
            .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
            .env("DATABASE_URL", database_url)
            .env("ADUAN_PUBLIC_DIR", root().join("public"))
            // One load generator on loopback is not a flood of citizens.
            .env("ADUAN_SUBMIT_RATE", "0")
            .env("ADUAN_LOOKUP_RATE", "0")
            .env("ADUAN_UPLOAD_RATE", "0")
            // The benchmark's webhook receiver listens on loopback.
            .env("ADUAN_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("ADUAN_LOG", "warn,aduan_server=info")
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let stdout = child.stdout.take().ok_or("no server output")?;
        let mut lines = BufReader::new(stdout).lines();
        let mut addr = None;
        for line in lines.by_ref() {
            let line = line.map_err(|e| e.to_string())?;
            let entry: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
            if entry["fields"]["message"] == "aduan is serving" {
                addr = entry["fields"]["address"]
                    .as_str()
                    .and_then(|a| a.parse().ok());
                break;
            }
        }
        std::thread::spawn(move || for _ in lines {});
        let addr = addr.ok_or("the server did not say where it listens")?;
        Ok(Server { child, addr })
    }

    /// Peak resident memory so far, in MiB.
    fn peak_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(f64::NAN, |kib| kib / 1024.0)
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

async fn seed(addr: SocketAddr) -> Result<Vec<String>> {
    let mut tasks = Vec::new();
    for t in 0..8 {
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::open(addr).await.map_err(|e| e.to_string())?;
            let mut codes = Vec::new();
            for i in 0..SEEDED / 8 {
                let req = load::post_json(
                    "/api/v1/complaints",
                    &format!("seed-{t}-{i}-{}", std::process::id()),
                    COMPLAINT,
                );
                let (status, body) = conn.send(&req).await.map_err(|e| e.to_string())?;
                if status != 201 {
                    return Err(format!(
                        "seeding got {status}: {}",
                        String::from_utf8_lossy(&body)
                    ));
                }
                let receipt: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                codes.push(
                    receipt["tracking_code"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
            Ok::<_, String>(codes)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    Ok(all)
}

/// Chooses one scenario's outcome from a round.
type Pick = fn(&Round) -> &Outcome;

struct Round {
    bare: Outcome,
    lookup: Outcome,
    submit: Outcome,
}

async fn measure(addr: SocketAddr, codes: Arc<Vec<String>>, seconds: u64, round: usize) -> Round {
    let d = Duration::from_secs(seconds);
    let warm = Duration::from_millis(500);
    let bare: load::MakeRequest = Arc::new(|_, _| load::get("/livez"));
    let lookup: load::MakeRequest = Arc::new(move |c, s| {
        let code = &codes[(c * 7919 + s as usize) % codes.len()];
        load::get(&format!("/api/v1/complaints/{code}"))
    });
    let pid = std::process::id();
    let submit: load::MakeRequest = Arc::new(move |c, s| {
        load::post_json(
            "/api/v1/complaints",
            &format!("bench-{pid}-{round}-{c}-{s}"),
            COMPLAINT,
        )
    });
    load::drive(addr, CONNECTIONS, warm, bare.clone(), 200).await;
    let bare = load::drive(addr, CONNECTIONS, d, bare, 200).await;
    load::drive(addr, CONNECTIONS, warm, lookup.clone(), 200).await;
    let lookup = load::drive(addr, CONNECTIONS, d, lookup, 200).await;
    let submit = load::drive(addr, CONNECTIONS, d, submit, 201).await;
    Round {
        bare,
        lookup,
        submit,
    }
}

fn report(engine: &str, rounds: &[Round], peak: f64) {
    println!(
        "\n{engine}: {CONNECTIONS} connections, {} rounds, server peak memory {peak:.1} MiB",
        rounds.len()
    );
    println!(
        "  {:<22} {:>10} {:>15} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "scenario",
        "best req/s",
        "spread req/s",
        "p50 ms",
        "p99 ms",
        "vs bare",
        "answered",
        "errors"
    );
    let scenarios: [(&str, Pick); 3] = [
        ("bare GET /livez", |r| &r.bare),
        ("tracking look-up", |r| &r.lookup),
        ("durable submission", |r| &r.submit),
    ];
    for (name, pick) in scenarios {
        let best = rounds
            .iter()
            .max_by(|a, b| pick(a).rps.total_cmp(&pick(b).rps));
        let Some(best) = best else { continue };
        let min = rounds
            .iter()
            .map(|r| pick(r).rps)
            .fold(f64::INFINITY, f64::min);
        let max = rounds.iter().map(|r| pick(r).rps).fold(0.0, f64::max);
        let o = pick(best);
        let ratio = 100.0 * o.rps / best.bare.rps;
        let errors: u64 = rounds.iter().map(|r| pick(r).failed).sum();
        println!(
            "  {name:<22} {:>10.0} {:>15} {:>9.2} {:>9.2} {:>8.1}% {:>9} {:>7}",
            o.rps,
            format!("{min:.0}-{max:.0}"),
            o.p50_ms,
            o.p99_ms,
            ratio,
            o.ok,
            errors
        );
    }
}

async fn bench_engine(engine: &str, url: &str, seconds: u64, rounds: usize) -> Result {
    let server = Server::start(url)?;
    let codes = Arc::new(seed(server.addr).await?);
    let mut results = Vec::new();
    for round in 0..rounds {
        results.push(measure(server.addr, codes.clone(), seconds, round).await);
    }
    let peak = server.peak_mib();
    server.stop();
    report(engine, &results, peak);
    Ok(())
}

/// Creates an officer with the `aduan officer add` command.
fn add_officer(url: &str, email: &str, role: &str, unit: Option<&str>) -> Result {
    let region = if role == "province" { "bali" } else { "badung" };
    let mut command = Command::new(root().join("target/release/aduan"));
    command
        .args([
            "officer", "add", "--email", email, "--region", region, "--role", role,
        ])
        .env("DATABASE_URL", url)
        .stdin(Stdio::piped())
        .stdout(Stdio::null());
    if let Some(unit) = unit {
        command.args(["--unit", unit]);
    }
    let mut add = command
        .spawn()
        .map_err(|e| format!("cannot run aduan officer add: {e}"))?;
    if let Some(mut stdin) = add.stdin.take() {
        use std::io::Write;
        writeln!(stdin, "benchmark password").map_err(|e| e.to_string())?;
    }
    if !add.wait().map_err(|e| e.to_string())?.success() {
        return Err("aduan officer add failed".into());
    }
    Ok(())
}

/// HAProxy in front of `servers`, until dropped.
struct Balancer {
    child: Child,
    front: SocketAddr,
    _dir: std::path::PathBuf,
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

fn free_port() -> Result<SocketAddr> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())
}

async fn balancer(haproxy: &std::path::Path, servers: &[SocketAddr]) -> Result<Balancer> {
    let (front, stats) = (free_port()?, free_port()?);
    let mut config = format!(
        "global\n    maxconn 4000\n\
         defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n    option forwardfor\n\
         frontend web\n    bind {front}\n    default_backend aduan\n\
         backend aduan\n    balance roundrobin\n    option httpchk GET /healthz\n    http-check expect status 200\n    default-server inter 500ms fall 2 rise 2\n"
    );
    for (i, s) in servers.iter().enumerate() {
        config.push_str(&format!("    server aduan{} {s} check\n", i + 1));
    }
    config.push_str(&format!(
        "listen stats\n    bind {stats}\n    stats enable\n    stats uri /stats\n"
    ));
    let dir = std::env::temp_dir().join(format!(
        "aduan-haproxy-{}-{}",
        std::process::id(),
        front.port()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, config).map_err(|e| e.to_string())?;
    let child = Command::new(haproxy)
        .args(["-db", "-f"])
        .arg(&file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start HAProxy: {e}"))?;
    let balancer = Balancer {
        child,
        front,
        _dir: dir,
    };
    // Ready when every server is up.
    let started = std::time::Instant::now();
    loop {
        if let Some(text) = read_stats(stats) {
            let up = text
                .lines()
                .filter(|l| l.starts_with("aduan,aduan"))
                .filter(|l| l.split(',').nth(17) == Some("UP"))
                .count();
            if up == servers.len() {
                return Ok(balancer);
            }
        }
        if started.elapsed() > Duration::from_secs(20) {
            return Err("HAProxy's servers did not come up".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// HAProxy's statistics as CSV (HTTP/1.0: the answer ends with the
/// connection).
fn read_stats(at: SocketAddr) -> Option<String> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(at).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream.write_all(b"GET /stats;csv HTTP/1.0\r\n\r\n").ok()?;
    let mut text = String::new();
    stream.read_to_string(&mut text).ok()?;
    Some(text)
}

/// Look-ups and submissions through HAProxy to one and to three
/// processes on one PostgreSQL.
async fn bench_balancer(url: &str, processes: usize, seconds: u64, rounds: usize) -> Result {
    let haproxy = tools::ensure_haproxy()?;
    let mut servers = Vec::new();
    for _ in 0..processes {
        servers.push(Server::start(url)?);
    }
    let addresses: Vec<SocketAddr> = servers.iter().map(|s| s.addr).collect();
    let front = balancer(&haproxy, &addresses).await?;
    let codes = Arc::new(seed(front.front).await?);
    let mut results = Vec::new();
    for round in 0..rounds {
        results.push(measure(front.front, codes.clone(), seconds, round).await);
    }
    drop(front);
    let peak = servers.iter().map(Server::peak_mib).fold(0.0, f64::max);
    for server in servers {
        server.stop();
    }
    report(
        &format!(
            "Through HAProxy to {processes} process(es) on one PostgreSQL (bare = /livez through HAProxy)"
        ),
        &results,
        peak,
    );
    Ok(())
}

/// The outbox on a fresh store: webhooks to a receiver on loopback.
async fn bench_outbox(engine: &str, url: &str) -> Result {
    println!("Outbox, {engine}: signed webhooks to a receiver on loopback");
    let server = Server::start(url)?;
    let email = "coordinator.bench@badungkab.go.id";
    add_officer(url, email, "coordinator", None)?;
    let mut db = console_bench::Db::open(url).await?;
    let database = url.to_owned();
    let subscribe = move |receiver: &str| -> Result {
        let out = Command::new(root().join("target/release/aduan"))
            .args(["webhook", "add", "--allow-private", "--url", receiver])
            .env("DATABASE_URL", &database)
            .output()
            .map_err(|e| format!("cannot run aduan webhook add: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    };
    let outcome = outbox_bench::measure(server.addr, &mut db, subscribe, email).await;
    server.stop();
    outcome
}

/// The console with 100,000 and then 1,000,000 complaints in a fresh store.
async fn bench_console(engine: &str, url: &str) -> Result {
    println!("Console, {engine}: a unit officer of Badung's public works");
    let server = Server::start(url)?;
    let email = "unit.bench@badungkab.go.id";
    add_officer(url, email, "unit", Some("pupr"))?;
    let mut db = console_bench::Db::open(url).await?;
    let cookie = console_bench::session_for(&mut db, email).await?;
    let mut have = 0;
    for total in [100_000, 1_000_000] {
        let started = std::time::Instant::now();
        console_bench::grow(&mut db, have, total).await?;
        have = total;
        println!(
            "  (stored {total} complaints in {:.0} s)",
            started.elapsed().as_secs_f64()
        );
        console_bench::measure(server.addr, &mut db, &cookie, total).await?;
    }
    server.stop();
    Ok(())
}

async fn bench_performance(engine: &str, url: &str) -> Result {
    println!("Performance dashboard, {engine}: the province coordinator");
    let server = Server::start(url)?;
    let email = "provinsi.bench@baliprov.go.id";
    add_officer(url, email, "province", None)?;
    let mut db = console_bench::Db::open(url).await?;
    let cookie = console_bench::session_for(&mut db, email).await?;
    let outcome = performance_bench::run(server.addr, url, &mut db, &cookie).await;
    server.stop();
    outcome
}

/// The dashboard benchmark on SQLite, then on PostgreSQL.
fn performance(runtime: &tokio::runtime::Runtime) -> Result {
    let dir = std::env::temp_dir().join(format!("aduan-performance-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = format!("sqlite:{}", dir.join("performance.db").display());
    let outcome = runtime.block_on(bench_performance("SQLite", &url));
    let _ = std::fs::remove_dir_all(&dir);
    outcome?;
    let bindir = tools::ensure_postgres()?;
    let cluster = pg::Cluster::start(&bindir)?;
    let url = cluster.create_database("aduan_performance_bench")?;
    runtime.block_on(bench_performance("PostgreSQL", &url))
}

fn option(args: &[String], name: &str, default: u64) -> Result<u64> {
    match args.iter().position(|a| a == name) {
        None => Ok(default),
        Some(i) => args
            .get(i + 1)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{name} takes a whole number")),
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1000.0)
}

/// Milliseconds from a click on the launcher to a form whose categories are
/// loaded, with the cache off, 4x CPU slowdown and a slow mobile network
/// (150 ms latency, 1.6 Mbps down, 750 kbps up).
/// From the click on the launcher: when the title field is there to take a
/// keystroke, and when the form fully works (its categories and districts
/// in, so validation and drafts run). Resolves to `[first, full]` in ms.
const CLICK_TO_FORM: &str = "new Promise(resolve => { \
    const t0 = performance.now(); let first = null; \
    document.querySelector('a[data-aduan-open]').click(); \
    (function check() { \
        const panel = document.querySelector('aduan-panel'); \
        const root = panel && panel.shadowRoot; \
        const title = root && root.querySelector('.content #title'); \
        if (first === null && title && !title.disabled) first = performance.now() - t0; \
        const ready = root && root.querySelector('.content .aduan:not([data-aduan-early]):not([hidden]) #category option[value=jalan]'); \
        const early = performance.getEntriesByType('resource').find(r => r.name.includes('/early.js')); \
        if (ready) resolve([first, performance.now() - t0, early ? early.encodedBodySize : 0]); else setTimeout(check, 5); \
    })(); })";

/// `runs` times on a fresh page with the cache off, 4x slower CPU, 150 ms
/// round trips and `kbps` down: `(first keystroke, fully working)` in ms,
/// and the bytes of the first moments' form as they came.
async fn click_to_interactive(base: &str, runs: usize, kbps: u32) -> Vec<(f64, f64, f64)> {
    use serde_json::json;
    let browser = crate::browser::Browser::launch().await;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let page = browser.page().await;
        page.call("Network.enable", json!({})).await;
        page.call("Network.setCacheDisabled", json!({"cacheDisabled": true}))
            .await;
        page.call(
            "Network.emulateNetworkConditions",
            json!({"offline": false, "latency": 150, "downloadThroughput": kbps * 1000 / 8, "uploadThroughput": 93_750}),
        )
        .await;
        page.call("Emulation.setCPUThrottlingRate", json!({"rate": 4}))
            .await;
        page.goto(&format!("{base}/demo/regency.html")).await;
        page.wait_for("!!document.querySelector('aduan-launcher')", 60)
            .await;
        let got = page.eval(CLICK_TO_FORM).await;
        let at = |i: usize| got.get(i).and_then(|v| v.as_f64()).unwrap_or(f64::NAN);
        times.push((at(0), at(1), at(2)));
        page.call("Page.close", json!({})).await;
    }
    times
}

/// The median and the runs, as printed.
fn median_and_runs(mut times: Vec<f64>) -> (f64, String) {
    times.sort_by(f64::total_cmp);
    let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
    let list: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();
    (median, list.join(", "))
}

/// The widget bundle's weight (what loads before a citizen touches anything,
/// and what the open form needs) and the time from click to a usable form.
fn widget(runtime: &tokio::runtime::Runtime) -> Result {
    tools::ensure_wasm_target()?;
    tools::ensure_chromium()?;
    let bindgen = tools::ensure_wasm_bindgen()?;
    let b = crate::dist::build(&bindgen)?;
    println!("\nWidget bundle (release):");
    println!(
        "  before interaction (widget.js, 1 request): {} raw, {} gzip, {} brotli",
        kb(b.loader.raw),
        kb(b.loader.gzip),
        kb(b.loader.brotli)
    );
    let (raw, gz, br) = (
        b.glue.raw + b.wasm.raw + b.slots.raw + b.words.raw,
        b.glue.gzip + b.wasm.gzip + b.slots.gzip + b.words.gzip,
        b.glue.brotli + b.wasm.brotli + b.slots.brotli + b.words.brotli,
    );
    println!(
        "  open form and tracker in Indonesian (glue + wasm + slots + words, 4 requests): {} raw, {} gzip, {} brotli",
        kb(raw),
        kb(gz),
        kb(br)
    );
    println!(
        "  all of it, loader included (5 requests): {} raw, {} gzip, {} brotli",
        kb(raw + b.loader.raw),
        kb(gz + b.loader.gzip),
        kb(br + b.loader.brotli)
    );
    println!(
        "  photos and documents (attach.js, loaded when a file is chosen): {} raw, {} gzip, {} brotli",
        kb(b.attach.raw),
        kb(b.attach.gzip),
        kb(b.attach.brotli)
    );
    let dir = std::env::temp_dir().join(format!("aduan-widget-bench-{}", std::process::id()));
    let server = Server::start(&format!("sqlite:{}", dir.join("bench.db").display()))?;
    let base = format!("http://{}", server.addr);
    let fast = runtime.block_on(click_to_interactive(&base, 7, 1_600));
    let slow = runtime.block_on(click_to_interactive(&base, 7, 400));
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
    if let Some(bytes) = fast.first().map(|t| t.2) {
        println!(
            "  the first moments' form (HTML and stylesheet, fetched on the tap beside the bundle): {bytes:.0} B as sent compressed"
        );
    }
    for (kbps, times) in [(1_600, fast), (400, slow)] {
        let (first, first_runs) = median_and_runs(times.iter().map(|t| t.0).collect());
        let (full, full_runs) = median_and_runs(times.iter().map(|t| t.1).collect());
        println!(
            "  click to first keystroke, 4x CPU slowdown, 150 ms / {kbps} kbps, cache off: median {first:.0} ms (runs: {first_runs} ms)"
        );
        println!(
            "  click to fully working form, same conditions: median {full:.0} ms (runs: {full_runs} ms)"
        );
    }
    println!(
        "  targets: first keystroke <= 300 ms, fully working <= 1,000 ms (<= 2,500 ms at 400 kbps), open form <= 90 KB brotli"
    );
    Ok(())
}

/// Photos: in the widget on a slow phone, and 50 large uploads at once.
fn uploads(runtime: &tokio::runtime::Runtime) -> Result {
    use crate::upload_bench as u;
    tools::ensure_chromium()?;
    let bindgen = tools::ensure_wasm_bindgen()?;
    crate::dist::build(&bindgen)?;
    let dir = std::env::temp_dir().join(format!("aduan-upload-bench-{}", std::process::id()));
    let server = Server::start(&format!("sqlite:{}", dir.join("uploads.db").display()))?;
    let outcome = (|| -> Result {
        let (times, bytes, original) = runtime.block_on(u::in_the_widget(server.addr, 3))?;
        u::report_widget(&times, &bytes, original);
        let at_rest = server.peak_mib();
        let small = u::photo(1600, 1200, 95);
        let large = u::photo(4000, 3000, 97);
        println!("\nThe server taking 50 uploads at once (SQLite, a folder for the files):");
        for (name, body) in [
            ("1 MB photos of 2 MP", small),
            ("10 MB photos of 12 MP", large),
        ] {
            let size = body.len();
            let (seconds, taken) = runtime.block_on(u::at_once(server.addr, body, 50));
            std::thread::sleep(u::pause());
            println!(
                "  50 x {name} ({:.1} MB each): {taken} taken in {seconds:.1} s: {:.1} MB/s received and cleaned, {:.2} photos/s; peak memory {:.0} MiB (at rest before: {at_rest:.0} MiB)",
                size as f64 / 1_048_576.0,
                (size * taken) as f64 / 1_048_576.0 / seconds,
                taken as f64 / seconds,
                server.peak_mib()
            );
        }
        Ok(())
    })();
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
    outcome
}

/// Runs the benchmark; `--seconds N` per scenario, `--rounds N`,
/// `--only sqlite|postgres|widget|uploads|outbox|console|performance|balancer`.
pub fn run(args: &[String]) -> Result {
    let seconds = option(args, "--seconds", 5)?;
    let rounds = option(args, "--rounds", 3)? as usize;
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    crate::run(cargo().args(["build", "--release", "-p", "aduan-server"]))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    println!(
        "Aduan benchmark: release build, loopback, {CONNECTIONS} connections, {seconds} s per scenario, {SEEDED} complaints seeded"
    );
    if only.is_none() || only.as_deref() == Some("widget") {
        widget(&runtime)?;
        if only.is_some() {
            return Ok(());
        }
    }
    if only.as_deref() == Some("console") {
        return console(&runtime);
    }
    if only.as_deref() == Some("performance") {
        return performance(&runtime);
    }
    if only.as_deref() == Some("uploads") {
        return uploads(&runtime);
    }
    if only.as_deref() == Some("outbox") {
        return outbox(&runtime);
    }
    if only.as_deref() == Some("balancer") {
        return balanced(&runtime, seconds, rounds);
    }
    if only.as_deref() != Some("postgres") {
        let dir = std::env::temp_dir().join(format!("aduan-bench-{}", std::process::id()));
        let url = format!("sqlite:{}", dir.join("bench.db").display());
        let outcome = runtime.block_on(bench_engine(
            "SQLite (WAL, synchronous=FULL, group commit)",
            &url,
            seconds,
            rounds,
        ));
        let _ = std::fs::remove_dir_all(&dir);
        outcome?;
    }
    if only.as_deref() != Some("sqlite") && only.as_deref() != Some("widget") {
        let bindir = tools::ensure_postgres()?;
        let cluster = pg::Cluster::start(&bindir)?;
        let url = cluster.create_database("aduan_bench")?;
        runtime.block_on(bench_engine(
            "PostgreSQL (fsync on, default pool)",
            &url,
            seconds,
            rounds,
        ))?;
    }
    if only.is_none() {
        balanced(&runtime, seconds, rounds)?;
        outbox(&runtime)?;
        console(&runtime)?;
        performance(&runtime)?;
        uploads(&runtime)?;
    }
    Ok(())
}

/// Through the balancer: one process, then three, each on a fresh database.
fn balanced(runtime: &tokio::runtime::Runtime, seconds: u64, rounds: usize) -> Result {
    let bindir = tools::ensure_postgres()?;
    let cluster = pg::Cluster::start(&bindir)?;
    for processes in [1, 3] {
        let url = cluster.create_database(&format!("aduan_balancer_{processes}"))?;
        runtime.block_on(bench_balancer(&url, processes, seconds, rounds))?;
    }
    Ok(())
}

/// The outbox benchmark on SQLite, then on PostgreSQL.
fn outbox(runtime: &tokio::runtime::Runtime) -> Result {
    let dir = std::env::temp_dir().join(format!("aduan-outbox-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = format!("sqlite:{}", dir.join("outbox.db").display());
    let outcome = runtime.block_on(bench_outbox("SQLite", &url));
    let _ = std::fs::remove_dir_all(&dir);
    outcome?;
    let bindir = tools::ensure_postgres()?;
    let cluster = pg::Cluster::start(&bindir)?;
    let url = cluster.create_database("aduan_outbox_bench")?;
    runtime.block_on(bench_outbox("PostgreSQL", &url))
}

/// The console benchmark on SQLite, then on PostgreSQL.
fn console(runtime: &tokio::runtime::Runtime) -> Result {
    let dir = std::env::temp_dir().join(format!("aduan-console-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = format!("sqlite:{}", dir.join("console.db").display());
    let outcome = runtime.block_on(bench_console("SQLite", &url));
    let _ = std::fs::remove_dir_all(&dir);
    outcome?;
    let bindir = tools::ensure_postgres()?;
    let cluster = pg::Cluster::start(&bindir)?;
    let url = cluster.create_database("aduan_console_bench")?;
    runtime.block_on(bench_console("PostgreSQL", &url))
}
