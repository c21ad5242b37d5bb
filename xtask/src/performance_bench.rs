//! The performance dashboard under a large store: 100,000 and then
//! 1,000,000 complaints received over 2026 in the nine regencies, each with
//! its first event and its facts, the sums rebuilt by `aduan stats
//! rebuild`; then the p50 and p99 of the province's dashboard over 12 months
//! and of one region's CSV export, next to `/livez` measured the same way in
//! the same run. One request at a time: latencies, not throughput.

use std::time::Instant;

use crate::Result;
use crate::console_bench::{Db, latencies};
use crate::load::Conn;

/// Requests per measured page kind.
const SAMPLES: usize = 300;

/// Adds complaints `from + 1 ..= to` with one event and their facts each.
pub async fn grow(db: &mut Db, from: u64, to: u64) -> Result {
    let regions = [
        "badung",
        "bangli",
        "buleleng",
        "denpasar",
        "gianyar",
        "jembrana",
        "karangasem",
        "klungkung",
        "tabanan",
    ];
    let units = ["pupr", "dlh", "disdukcapil", "dinkes", "dishub"];
    let channels = ["widget", "widget", "hosted", "api", "open311"];
    let values = |items: &[&str]| {
        items
            .iter()
            .enumerate()
            .map(|(i, v)| format!("({i}, '{v}')"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    db.exec(
        "DROP TABLE IF EXISTS bench_r; DROP TABLE IF EXISTS bench_u; DROP TABLE IF EXISTS bench_c"
            .into(),
    )
    .await?;
    db.exec(format!(
        "CREATE TABLE bench_r (idx INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO bench_r VALUES {}; \
         CREATE TABLE bench_u (idx INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO bench_u VALUES {}; \
         CREATE TABLE bench_c (idx INTEGER PRIMARY KEY, v TEXT NOT NULL); INSERT INTO bench_c VALUES {}",
        values(&regions),
        values(&units),
        values(&channels)
    ))
    .await?;
    // Day of the year from which complaints may still be open (16 November).
    let recent = 319;
    let (series, day, due, pad) = if db.is_sqlite() {
        (
            format!(
                "WITH RECURSIVE seq(i) AS (SELECT {} UNION ALL SELECT i + 1 FROM seq WHERE i < {to})",
                from + 1
            ),
            "date('2026-01-01', '+' || (s.i % 365) || ' days')",
            "date('2026-01-01', '+' || (s.i % 365 + 3) || ' days')",
            "printf('%012d', s.i)",
        )
    } else {
        (
            format!(
                "WITH seq(i) AS (SELECT generate_series({}, {to})::BIGINT)",
                from + 1
            ),
            "to_char(DATE '2026-01-01' + (s.i % 365)::INT, 'YYYY-MM-DD')",
            "to_char(DATE '2026-01-01' + (s.i % 365 + 3)::INT, 'YYYY-MM-DD')",
            "lpad(s.i::TEXT, 12, '0')",
        )
    };
    // One in ten is rejected. What was received before mid-November is
    // finished (the clock closed what waited for the reporter); of the
    // last seven weeks, five in ten are closed, two resolved, two open.
    let complaints = format!(
        "{series} INSERT INTO complaints (id, tracking_code, public_id, region_slug, unit_key, filed_region_slug, category_key, classification, anonymous, confidential, \
         title, description, locale, status, due_step, due_date, created_at, updated_at, channel) \
         SELECT s.i, 'BNP-' || {pad}, 'perf' || {pad}, r.v, u.v, r.v, CASE WHEN s.i % 11 = 0 THEN 'sampah' ELSE 'jalan' END, 'complaint', s.i % 7 = 0, s.i % 23 = 0, \
         'Keluhan nomor ' || s.i, 'Uraian keluhan untuk pengukuran, nomor ' || s.i || '.', 'id', \
         CASE WHEN s.i % 10 = 7 THEN 'rejected' WHEN s.i % 365 < {recent} OR s.i % 10 < 5 THEN 'closed' WHEN s.i % 10 < 7 THEN 'resolved' WHEN s.i % 10 = 8 THEN 'in_progress' ELSE 'submitted' END, \
         CASE WHEN s.i % 10 = 7 OR s.i % 365 < {recent} OR s.i % 10 < 5 THEN NULL ELSE 'follow_up' END, {due}, \
         (1767196800 + (s.i % 365) * 86400 + 3600) * 1000, (1767196800 + (s.i % 365) * 86400 + 3600) * 1000, c.v \
         FROM seq s JOIN bench_r r ON r.idx = (s.i / 5) % 9 JOIN bench_u u ON u.idx = s.i % 5 JOIN bench_c c ON c.idx = (s.i / 3) % 5"
    );
    let events = format!(
        "INSERT INTO complaint_events (complaint_id, at, kind, author, to_status) \
         SELECT id, created_at, 'submitted', 'reporter', 'submitted' FROM complaints WHERE id > {from} AND id <= {to}"
    );
    let facts = format!(
        "{series} INSERT INTO complaint_facts (complaint_id, region_slug, unit_key, category_key, channel, confidential, day, verification, verification_due, \
         plan, plan_due, first_reply_days, resolution_days, outcome, reopened, followups, template_followups, rating, open_due, last_event_id) \
         SELECT s.i, r.v, u.v, CASE WHEN s.i % 11 = 0 THEN 'sampah' ELSE 'jalan' END, c.v, s.i % 23 = 0, {day}, \
         CASE WHEN s.i % 10 = 9 AND s.i % 365 >= {recent} THEN 'pending' WHEN s.i % 13 < 10 THEN 'on_time' ELSE 'late' END, CASE WHEN s.i % 10 = 9 AND s.i % 365 >= {recent} THEN {due} END, \
         CASE WHEN s.i % 10 IN (7, 9) THEN 'none' WHEN s.i % 17 < 14 THEN 'on_time' ELSE 'late' END, NULL, \
         CASE WHEN s.i % 10 = 9 THEN NULL ELSE s.i % 9 END, CASE WHEN s.i % 10 < 7 THEN s.i % 31 END, \
         CASE WHEN s.i % 10 = 7 THEN 'rejected' WHEN s.i % 10 < 3 OR (s.i % 365 < {recent} AND s.i % 10 >= 8) THEN 'confirmed' WHEN s.i % 10 < 5 OR s.i % 365 < {recent} THEN 'quiet' \
         WHEN s.i % 10 < 7 THEN 'resolved' ELSE 'open' END, \
         CASE WHEN s.i % 29 = 0 THEN 1 ELSE 0 END, 2, CASE WHEN s.i % 8 = 0 THEN 1 ELSE 0 END, \
         CASE WHEN s.i % 10 < 5 AND s.i % 4 = 0 THEN 1 + s.i % 5 END, \
         CASE WHEN s.i % 10 = 7 OR s.i % 365 < {recent} OR s.i % 10 < 5 THEN NULL ELSE {due} END, s.i \
         FROM seq s JOIN bench_r r ON r.idx = (s.i / 5) % 9 JOIN bench_u u ON u.idx = s.i % 5 JOIN bench_c c ON c.idx = (s.i / 3) % 5"
    );
    // In one transaction: the server's clock reads the history of any
    // complaint it finds without facts, and must never see one.
    let begin = if db.is_sqlite() {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    db.exec(format!("{begin}; {complaints}; {events}; {facts}; COMMIT"))
        .await?;
    db.exec("DROP TABLE bench_r; DROP TABLE bench_u; DROP TABLE bench_c".into())
        .await?;
    if db.is_sqlite() {
        db.exec("ANALYZE".into()).await?;
    } else {
        db.exec("ANALYZE complaints; ANALYZE complaint_facts; ANALYZE complaint_events".into())
            .await?;
    }
    Ok(())
}

/// Measures the province's dashboard and Badung's CSV export.
pub async fn measure(addr: std::net::SocketAddr, cookie: &str, total: u64) -> Result<f64> {
    let year = "from=2026-01-01&to=2026-12-31";
    let bare: Vec<String> = (0..SAMPLES).map(|_| "/livez".to_owned()).collect();
    let dashboard: Vec<String> = (0..SAMPLES)
        .map(|i| {
            let grain = if i % 2 == 0 { "month" } else { "week" };
            format!("/console/performance?{year}&grain={grain}")
        })
        .collect();
    let region: Vec<String> = (0..SAMPLES)
        .map(|_| format!("/console/performance?{year}&region=badung&grain=month"))
        .collect();
    let csv: Vec<String> = (0..SAMPLES)
        .map(|_| format!("/console/performance.csv?{year}&region=badung"))
        .collect();
    let mut conn = Conn::open(addr).await.map_err(|e| e.to_string())?;
    latencies(&mut conn, cookie, &dashboard[..10]).await?;
    let (b50, b99) = latencies(&mut conn, cookie, &bare).await?;
    let (p50, p99) = latencies(&mut conn, cookie, &dashboard).await?;
    let (r50, r99) = latencies(&mut conn, cookie, &region).await?;
    let (c50, c99) = latencies(&mut conn, cookie, &csv).await?;
    println!("  {total:>9} complaints over 2026:");
    println!("    bare /livez                          p50 {b50:6.2} ms   p99 {b99:6.2} ms");
    println!(
        "    province dashboard, 12 months        p50 {p50:6.2} ms   p99 {p99:6.2} ms   ({:.0}× bare p50)",
        p50 / b50.max(1e-3)
    );
    println!("    Badung's units, 12 months            p50 {r50:6.2} ms   p99 {r99:6.2} ms");
    println!("    Badung's CSV export, 12 months       p50 {c50:6.2} ms   p99 {c99:6.2} ms");
    let worst = p99.max(c99).max(r99);
    println!(
        "    target p99 < 150 ms: {}",
        if worst < 150.0 { "met" } else { "NOT met" }
    );
    Ok(worst)
}

/// Seeds, rebuilds the sums with the server binary, and measures.
pub async fn run(addr: std::net::SocketAddr, url: &str, db: &mut Db, cookie: &str) -> Result {
    let mut have = 0;
    for total in [100_000, 1_000_000] {
        let started = Instant::now();
        grow(db, have, total).await?;
        have = total;
        let seeded = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let status = std::process::Command::new(crate::root().join("target/release/aduan"))
            .args(["stats", "rebuild"])
            .env("DATABASE_URL", url)
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("aduan stats rebuild: {e}"))?;
        if !status.success() {
            return Err("aduan stats rebuild failed".into());
        }
        println!(
            "  (stored {total} complaints in {seeded:.0} s; rebuilt the sums in {:.1} s)",
            started.elapsed().as_secs_f64()
        );
        measure(addr, cookie, total).await?;
    }
    Ok(())
}
