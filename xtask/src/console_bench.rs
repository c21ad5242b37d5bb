//! The console under a large store: 100,000 and then 1,000,000 complaints
//! spread over the Bali regions, units, states and due dates; the p50 and
//! p99 of a unit officer's inbox page (first pages and pages deep in the
//! queue, by key) and of a complaint page, next to `/livez` measured the same
//! way in the same run. One request at a time, so the figures are latencies,
//! not throughput.

use std::time::Instant;

use sha2::{Digest, Sha256};
use sqlx::{Connection, PgConnection, SqliteConnection};

use crate::Result;
use crate::load::Conn;

/// Requests per measured page kind.
const SAMPLES: usize = 1_500;
/// Searches by words timed per kind (each reads the index and ranks).
const SEARCHES: usize = 300;
/// The regions complaints are spread over (the province takes none).
const REGIONS: [&str; 9] = [
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
const UNITS: [&str; 5] = ["pupr", "dlh", "disdukcapil", "dinkes", "dishub"];

/// A database the benchmark writes to directly.
pub enum Db {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Db {
    pub async fn open(url: &str) -> Result<Db> {
        if url.starts_with("sqlite:") {
            use sqlx::ConnectOptions;
            // The running server writes too (the clock backfills the facts
            // of the complaints grown here): wait for its turn, however
            // long a batch holds the database.
            let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(url)
                .map_err(|e| e.to_string())?
                .busy_timeout(std::time::Duration::from_secs(300));
            Ok(Db::Sqlite(
                options.connect().await.map_err(|e| e.to_string())?,
            ))
        } else {
            Ok(Db::Postgres(
                PgConnection::connect(url)
                    .await
                    .map_err(|e| e.to_string())?,
            ))
        }
    }

    pub async fn exec(&mut self, sql: String) -> Result {
        let run = match self {
            Db::Sqlite(c) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                .execute(c)
                .await
                .map(drop),
            Db::Postgres(c) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                .execute(c)
                .await
                .map(drop),
        };
        run.map_err(|e| format!("{e}: {}", sql.chars().take(120).collect::<String>()))
    }

    async fn strings(&mut self, sql: &'static str) -> Result<Vec<(String, String, i64)>> {
        match self {
            Db::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
            Db::Postgres(c) => sqlx::query_as(sql).fetch_all(c).await,
        }
        .map_err(|e| e.to_string())
    }

    /// Every complaint's public id (what webhooks name it by), by its
    /// tracking code.
    pub async fn public_ids(&mut self) -> Result<std::collections::HashMap<String, String>> {
        const SQL: &str = "SELECT tracking_code, public_id FROM complaints";
        let rows: Vec<(String, String)> = match self {
            Db::Sqlite(c) => sqlx::query_as(SQL).fetch_all(c).await,
            Db::Postgres(c) => sqlx::query_as(SQL).fetch_all(c).await,
        }
        .map_err(|e| e.to_string())?;
        Ok(rows.into_iter().collect())
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, Db::Sqlite(_))
    }
}

/// What a complaint is about, how it is, and near what: each complaint's
/// title is one of each (1,000 titles), so one word is in a tenth of them
/// and two in a hundredth, as in a real inbox's commonest words.
const WHAT: [&str; 10] = [
    "Jalan",
    "Lampu jalan",
    "Sampah",
    "Drainase",
    "Jembatan",
    "Trotoar",
    "Pipa air",
    "Pohon",
    "Parkir",
    "Saluran",
];
const HOW: [&str; 10] = [
    "rusak",
    "berlubang",
    "mati",
    "menumpuk",
    "tersumbat",
    "retak",
    "bocor",
    "tumbang",
    "liar",
    "kotor",
];
const NEAR: [&str; 10] = [
    "pasar",
    "sekolah",
    "pura",
    "banjar",
    "pantai",
    "terminal",
    "puskesmas",
    "kantor desa",
    "lapangan",
    "pelabuhan",
];

/// Adds complaints `from + 1 ..= to` (and one event each) in one statement per table.
pub async fn grow(db: &mut Db, from: u64, to: u64) -> Result {
    let regions: Vec<String> = REGIONS
        .iter()
        .enumerate()
        .map(|(i, r)| format!("({i}, '{r}')"))
        .collect();
    let units: Vec<String> = UNITS
        .iter()
        .enumerate()
        .map(|(i, u)| format!("({i}, '{u}')"))
        .collect();
    let words = |list: &[&str]| {
        list.iter()
            .enumerate()
            .map(|(i, w)| format!("({i}, '{w}')"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    db.exec("DROP TABLE IF EXISTS bench_regions; DROP TABLE IF EXISTS bench_units; DROP TABLE IF EXISTS bench_what; DROP TABLE IF EXISTS bench_how; DROP TABLE IF EXISTS bench_near".into())
        .await?;
    db.exec(format!(
        "CREATE TABLE bench_regions (idx INTEGER PRIMARY KEY, slug TEXT NOT NULL); INSERT INTO bench_regions VALUES {}; \
         CREATE TABLE bench_units (idx INTEGER PRIMARY KEY, unit TEXT NOT NULL); INSERT INTO bench_units VALUES {}; \
         CREATE TABLE bench_what (idx INTEGER PRIMARY KEY, w TEXT NOT NULL); INSERT INTO bench_what VALUES {}; \
         CREATE TABLE bench_how (idx INTEGER PRIMARY KEY, w TEXT NOT NULL); INSERT INTO bench_how VALUES {}; \
         CREATE TABLE bench_near (idx INTEGER PRIMARY KEY, w TEXT NOT NULL); INSERT INTO bench_near VALUES {}",
        regions.join(", "),
        units.join(", "),
        words(&WHAT),
        words(&HOW),
        words(&NEAR)
    ))
    .await?;
    // Three in ten are finished; the rest are spread over the open states
    // and over due dates from January 2026 to June 2027. The resolved ones
    // wait for their reporters well past the run (else the service's
    // clock would spend the measurement closing tens of thousands).
    let (series, due, pad) = if db.is_sqlite() {
        (
            format!(
                "WITH RECURSIVE seq(i) AS (SELECT {} UNION ALL SELECT i + 1 FROM seq WHERE i < {to})",
                from + 1
            ),
            "printf('%04d-%02d-%02d', 2026 + (s.i % 18) / 12, 1 + (s.i % 18) % 12, 1 + (s.i / 18) % 28)",
            "printf('%012d', s.i)",
        )
    } else {
        (
            format!(
                "WITH seq(i) AS (SELECT generate_series({}, {to})::BIGINT)",
                from + 1
            ),
            "to_char(make_date((2026 + (s.i % 18) / 12)::INT, (1 + (s.i % 18) % 12)::INT, (1 + (s.i / 18) % 28)::INT), 'YYYY-MM-DD')",
            "lpad(s.i::TEXT, 12, '0')",
        )
    };
    let complaints = format!(
        "{series} INSERT INTO complaints (id, tracking_code, public_id, region_slug, unit_key, filed_region_slug, category_key, classification, anonymous, confidential, title, description, locale, status, due_step, due_date, created_at, updated_at) \
         SELECT s.i, 'BNC-' || {pad}, 'pub' || {pad}, r.slug, u.unit, r.slug, 'jalan', 'complaint', s.i % 7 = 0, FALSE, \
         wh.w || ' ' || hw.w || ' dekat ' || nr.w, 'Warga melaporkan ' || wh.w || ' yang ' || hw.w || ' di sekitar ' || nr.w || ' sejak minggu lalu, laporan nomor ' || s.i || '.', 'id', \
         CASE WHEN s.i % 10 < 3 THEN 'closed' WHEN s.i % 10 = 3 THEN 'submitted' WHEN s.i % 10 = 4 THEN 'verified' WHEN s.i % 10 < 8 THEN 'in_progress' WHEN s.i % 10 = 8 THEN 'resolved' ELSE 'needs_info' END, \
         CASE WHEN s.i % 10 < 3 THEN NULL ELSE 'follow_up' END, CASE WHEN s.i % 10 = 8 THEN '2099-12-31' ELSE {due} END, 1767225600000 + s.i, 1767225600000 + s.i \
         FROM seq s JOIN bench_regions r ON r.idx = (s.i / 5) % 9 JOIN bench_units u ON u.idx = s.i % 5 \
         JOIN bench_what wh ON wh.idx = (s.i / 7) % 10 JOIN bench_how hw ON hw.idx = (s.i / 71) % 10 JOIN bench_near nr ON nr.idx = (s.i / 713) % 10"
    );
    let events = format!(
        "INSERT INTO complaint_events (complaint_id, at, kind, author, to_status) \
         SELECT id, created_at, 'submitted', 'reporter', 'submitted' FROM complaints WHERE id > {from} AND id <= {to}"
    );
    // Each complaint's facts for the indicators, as the service keeps
    // them: without them the service's clock would spend the measurement
    // reading a million histories (what it does once after an upgrade).
    let day = if db.is_sqlite() {
        "date(c.created_at / 1000, 'unixepoch', '+8 hours')"
    } else {
        "to_char(to_timestamp(c.created_at / 1000) AT TIME ZONE 'Asia/Makassar', 'YYYY-MM-DD')"
    };
    let facts = format!(
        "INSERT INTO complaint_facts (complaint_id, region_slug, unit_key, category_key, channel, confidential, day, verification, verification_due, \
         plan, plan_due, first_reply_days, resolution_days, outcome, reopened, followups, template_followups, rating, open_due, last_event_id) \
         SELECT c.id, c.region_slug, c.unit_key, c.category_key, c.channel, c.confidential, {day}, 'on_time', NULL, 'none', NULL, NULL, NULL, \
         CASE WHEN c.status = 'closed' THEN 'confirmed' ELSE 'open' END, 0, 0, 0, NULL, CASE WHEN c.status = 'closed' THEN NULL ELSE c.due_date END, e.id \
         FROM complaints c JOIN complaint_events e ON e.complaint_id = c.id WHERE c.id > {from} AND c.id <= {to}"
    );
    let begin = if db.is_sqlite() {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    db.exec(format!("{begin}; {complaints}; {events}; {facts}; COMMIT"))
        .await?;
    db.exec("DROP TABLE bench_regions; DROP TABLE bench_units; DROP TABLE bench_what; DROP TABLE bench_how; DROP TABLE bench_near".into())
        .await?;
    if db.is_sqlite() {
        db.exec("ANALYZE".into()).await?;
        // A running service checkpoints as it writes; the one bulk
        // transaction above left the whole growth in the write-ahead log,
        // which every read would search.
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)".into()).await?;
    } else {
        // A running service's autovacuum passed over these rows long ago;
        // left to it here, it would read the whole table in the middle of
        // the measurement, on the same two cores.
        db.exec("VACUUM (ANALYZE) complaints, complaint_events, complaint_facts".into())
            .await?;
    }
    Ok(())
}

/// Opens a session for the officer `email` directly in the store; the
/// cookie's token.
pub async fn session_for(db: &mut Db, email: &str) -> Result<String> {
    let token = "5eed".repeat(16);
    let hash = format!("{:x}", Sha256::digest(token.as_bytes()));
    db.exec(format!(
        "INSERT INTO sessions (token_hash, officer_id, csrf_token, created_at, expires_at) \
         SELECT '{hash}', id, 'bench', 0, 9000000000000 FROM officers WHERE email = '{email}'"
    ))
    .await?;
    Ok(token)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// p50 and p99 in milliseconds of `paths`, one request at a time.
pub async fn latencies(conn: &mut Conn, cookie: &str, paths: &[String]) -> Result<(f64, f64)> {
    let mut times = Vec::with_capacity(paths.len());
    for path in paths {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: bench\r\nCookie: aduan_session={cookie}\r\n\r\n");
        let start = Instant::now();
        let (status, body) = conn
            .send(request.as_bytes())
            .await
            .map_err(|e| e.to_string())?;
        times.push(start.elapsed().as_secs_f64() * 1000.0);
        if status != 200 {
            return Err(format!(
                "{path} answered {status}: {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ));
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((percentile(&times, 0.5), percentile(&times, 0.99)))
}

/// Measures the three pages for the unit officer of Badung's public works.
pub async fn measure(addr: std::net::SocketAddr, db: &mut Db, cookie: &str, total: u64) -> Result {
    let in_scope = db
        .strings(
            "SELECT tracking_code, COALESCE(due_date, ''), id FROM complaints \
             WHERE region_slug = 'badung' AND unit_key = 'pupr' AND status NOT IN ('closed', 'rejected', 'transferred_out') ORDER BY id",
        )
        .await?;
    if in_scope.is_empty() {
        return Err("no complaint is in the officer's scope".into());
    }
    let step = (in_scope.len() / SAMPLES).max(1);
    let mut sample: Vec<(String, String, i64)> = in_scope
        .iter()
        .step_by(step)
        .take(SAMPLES)
        .cloned()
        .collect();
    // The bulk rows carry placeholder codes; the measured ones get real
    // tracking codes, which the console checks before any query.
    for (code, _, id) in &mut sample {
        if code.starts_with("BNC-") {
            let bits = (*id as u128).wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835);
            let real = aduan_app::tracking::TrackingCode::generate("BDG", bits)
                .ok_or("cannot make a tracking code")?
                .to_string();
            db.exec(format!(
                "UPDATE complaints SET tracking_code = '{real}' WHERE id = {id}"
            ))
            .await?;
            *code = real;
        }
    }
    let bare: Vec<String> = (0..SAMPLES).map(|_| "/livez".to_owned()).collect();
    let first: Vec<String> = (0..SAMPLES).map(|_| "/console/inbox".to_owned()).collect();
    let deep: Vec<String> = sample
        .iter()
        .map(|(_, due, id)| format!("/console/inbox?after={due},{id}"))
        .collect();
    let pages: Vec<String> = sample
        .iter()
        .map(|(code, _, _)| format!("/console/complaints/{code}"))
        .collect();
    // A citizen reads out the last group of their code.
    let tails: Vec<String> = sample
        .iter()
        .map(|(code, _, _)| {
            format!(
                "/console/inbox?q={}",
                code.rsplit('-').next().unwrap_or_default()
            )
        })
        .collect();
    // An officer looks for a complaint by a few of its words: two, three,
    // and one of the commonest alone.
    let phrase = |i: usize, n: usize| {
        let what = WHAT[i % 10]
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_lowercase();
        let parts = [
            what,
            HOW[(i / 10) % 10].to_owned(),
            NEAR[(i / 3) % 10].replace(' ', "+"),
        ];
        format!("/console/inbox?q={}", parts[..n].join("+"))
    };
    let two: Vec<String> = (0..SEARCHES).map(|i| phrase(i * 7, 2)).collect();
    let three: Vec<String> = (0..SEARCHES).map(|i| phrase(i * 7, 3)).collect();
    let one: Vec<String> = (0..SEARCHES).map(|i| phrase(i * 7, 1)).collect();
    let mut conn = Conn::open(addr).await.map_err(|e| e.to_string())?;
    // Warm the caches the way a working day would.
    latencies(&mut conn, cookie, &first[..50]).await?;
    let (b50, b99) = latencies(&mut conn, cookie, &bare).await?;
    let (f50, f99) = latencies(&mut conn, cookie, &first).await?;
    let (d50, d99) = latencies(&mut conn, cookie, &deep).await?;
    let (c50, c99) = latencies(&mut conn, cookie, &pages).await?;
    let (s50, s99) = latencies(&mut conn, cookie, &tails).await?;
    let (w50, w99) = latencies(&mut conn, cookie, &two).await?;
    let (t50, t99) = latencies(&mut conn, cookie, &three).await?;
    let (o50, o99) = latencies(&mut conn, cookie, &one).await?;
    println!(
        "  {total:>9} complaints ({} open in the officer's queue):",
        in_scope.len()
    );
    println!("    bare /livez             p50 {b50:6.2} ms   p99 {b99:6.2} ms");
    println!("    inbox, first page       p50 {f50:6.2} ms   p99 {f99:6.2} ms");
    println!("    inbox, a page by key    p50 {d50:6.2} ms   p99 {d99:6.2} ms");
    println!("    complaint page          p50 {c50:6.2} ms   p99 {c99:6.2} ms");
    println!("    search, a code's last 4 p50 {s50:6.2} ms   p99 {s99:6.2} ms");
    println!("    search, two words       p50 {w50:6.2} ms   p99 {w99:6.2} ms");
    println!("    search, three words     p50 {t50:6.2} ms   p99 {t99:6.2} ms");
    println!(
        "    search, one common word p50 {o50:6.2} ms   p99 {o99:6.2} ms   (in a tenth of all complaints)"
    );
    let worst = f99.max(d99).max(c99);
    let search = s99.max(w99).max(t99).max(o99);
    println!(
        "    target p99 < 20 ms: {}; search p99 < 50 ms: {}; ratios to bare p99: inbox {:.0}x, search {:.0}x",
        if worst < 20.0 { "met" } else { "NOT met" },
        if search < 50.0 { "met" } else { "NOT met" },
        worst / b99,
        search / b99
    );
    Ok(())
}
