//! Backups of a serving SQLite deployment, the restore drill, and the move
//! of a whole deployment onto PostgreSQL.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Mutex;

use crate::durability::start_with;
use crate::support::{Engine, TestDb, complaint, new_key, spawn_app};

fn aduan(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_aduan"))
        .args(args)
        .env("ADUAN_LOG", "warn")
        .env_remove("DATABASE_URL")
        .output()
        .expect("the aduan binary runs")
}

/// `aduan backup` of the database at `url` to `to`.
fn backup(url: &str, to: &std::path::Path) -> std::process::Output {
    aduan(&[
        "backup",
        "--database-url",
        url,
        "--to",
        to.to_str().expect("a path"),
    ])
}

/// The permission bits of a file or folder.
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Files a complaint with a photo; its tracking code.
async fn file_with_photo(app: &crate::support::TestApp) -> String {
    let photo = crate::attachments::upload(app, "foto.png", &crate::fixtures::png_with_text())
        .await
        .unwrap_or_else(|(s, b)| panic!("{s} {b}"));
    let mut with_photo = complaint();
    with_photo["attachments"] = serde_json::json!([photo]);
    crate::console::file(app, with_photo).await
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[tokio::test]
async fn a_backup_taken_under_write_load_restores_every_acknowledged_complaint() {
    let app = spawn_app(Engine::Sqlite).await;
    crate::console::wait_until_serving(&app).await;
    let photo_code = file_with_photo(&app).await;

    // Citizens keep filing while the backup is taken.
    let acknowledged = Arc::new(Mutex::new(Vec::<(Instant, String)>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for _ in 0..6 {
        let (base, stop, acked) = (app.base.clone(), stop.clone(), acknowledged.clone());
        writers.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            while !stop.load(Ordering::Relaxed) {
                let r = client
                    .post(format!("{base}/api/v1/complaints"))
                    .header("idempotency-key", new_key())
                    .json(&complaint())
                    .send()
                    .await
                    .expect("an answer");
                assert_eq!(r.status().as_u16(), 201);
                let body: Value = r.json().await.expect("a receipt");
                let code = body["tracking_code"].as_str().expect("a code").to_owned();
                acked.lock().await.push((Instant::now(), code));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    let dir = tempfile::tempdir().expect("a folder");
    let to = dir.path().join("backup.db");
    let database = app.db.url.trim_start_matches("sqlite:").to_owned();
    let started = Instant::now();
    let output = tokio::task::spawn_blocking({
        let (database, to) = (database.clone(), to.clone());
        move || backup(&format!("sqlite:{database}"), &to)
    })
    .await
    .expect("the backup ran");
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("a writer");
    }
    assert!(output.status.success(), "{}", text(&output));
    assert!(text(&output).contains("Backed up"), "{}", text(&output));

    let acked = acknowledged.lock().await.clone();
    let before: Vec<&String> = acked
        .iter()
        .filter(|(at, _)| *at < started)
        .map(|(_, c)| c)
        .collect();
    let during = acked.iter().filter(|(at, _)| *at >= started).count();
    assert!(
        before.len() > 20,
        "too few complaints before the backup: {}",
        before.len()
    );
    assert!(
        during > 0,
        "nothing was filed while the backup ran: the test proves nothing"
    );

    // It is written only once.
    let again = backup(&format!("sqlite:{database}"), &to);
    assert!(!again.status.success());
    assert!(text(&again).contains("exists already"), "{}", text(&again));
    // It holds reporters' names: only its owner reads it or its files,
    // whatever the umask.
    assert_eq!(mode(&to), 0o600);
    let files = aduan_server::copy::files_beside(&to);
    assert_eq!(mode(&files), 0o700);
    let mut copied = 0;
    for shard in std::fs::read_dir(files.join("files")).expect("the files") {
        let shard = shard.expect("a shard").path();
        assert_eq!(mode(&shard), 0o700, "{}", shard.display());
        for file in std::fs::read_dir(&shard).expect("a shard") {
            assert_eq!(mode(&file.expect("a file").path()), 0o600);
            copied += 1;
        }
    }
    assert!(copied > 0, "the photo was copied");

    // The drill: serve from the backup and find every complaint that was
    // acknowledged before it began, and the photo.
    let restored = TestDb::at(&format!("sqlite:{}", to.display()), Engine::Sqlite);
    let server = start_with(&restored, &[]).await;
    let client = reqwest::Client::new();
    server
        .assert_tracked(
            before.iter().copied().chain([&photo_code]),
            "is missing from the backup",
        )
        .await;
    let tracked: Value = client
        .get(format!("{}/api/v1/complaints/{photo_code}", server.base))
        .send()
        .await
        .expect("an answer")
        .json()
        .await
        .expect("json");
    let file = tracked["attachments"][0]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("the photo is listed: {tracked}"))
        .to_owned();
    let file = if file.starts_with("http") {
        file
    } else {
        format!("{}{file}", server.base)
    };
    let r = client.get(&file).send().await.expect("an answer");
    assert_eq!(
        r.status().as_u16(),
        200,
        "the photo's bytes came with the backup"
    );
    drop(server);
}

#[tokio::test]
async fn backup_refuses_postgres_and_names_its_tools() {
    let output = aduan(&[
        "backup",
        "--database-url",
        "postgres://aduan@127.0.0.1:1/none",
        "--to",
        "/tmp/never.db",
    ]);
    assert!(!output.status.success());
    assert!(text(&output).contains("pg_dump"), "{}", text(&output));
}

/// Rows per table, as `aduan copy` prints them.
fn printed_rows(output: &str) -> Vec<(String, u64)> {
    output
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.split_whitespace();
            let table = parts.next()?;
            let rows = parts.next()?.parse().ok()?;
            let checksum = parts.next()?;
            (checksum.len() == 32 && checksum.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| (table.to_owned(), rows))
        })
        .collect()
}

#[tokio::test]
async fn a_whole_sqlite_deployment_moves_to_an_empty_postgres_and_only_an_empty_one() {
    let app = spawn_app(Engine::Sqlite).await;
    crate::console::wait_until_serving(&app).await;
    // A deployment with a bit of everything: complaints with reporters and
    // a photo, officers and their sessions, a handled complaint, a
    // webhook subscriber and its outbox, a site.
    let photo_code = file_with_photo(&app).await;
    let receiver = crate::outbox::Receiver::start(0).await;
    crate::outbox::subscribe(&app, &receiver, None).await;
    let mut codes = vec![photo_code.clone()];
    for _ in 0..12 {
        codes.push(crate::console::file(&app, complaint()).await);
    }
    let officer = crate::console::officer(&app, "coordinator", "badung", None).await;
    let page = officer
        .get(&format!("/console/complaints/{}", codes[1]))
        .await;
    assert_eq!(page.0, 200);
    let unfinished = crate::attachments::create(&app, "later.png", 4096).await;
    assert_eq!(unfinished.status().as_u16(), 201);
    app.db
        .run(
            "INSERT INTO sites (id, site_key, region_slug, name, created_at, updated_at) \
             VALUES (7, '0123456789abcdef', 'badung', 'Portal Badung \u{2014} ''resmi''', 1, 1); \
             INSERT INTO site_origins (site_id, origin, region_slug) \
             VALUES (7, 'https://badungkab.go.id', 'badung');"
                .to_owned(),
        )
        .await;
    // The operator's way: a backup of the serving deployment, copied.
    let files_before = crate::attachments::stored_files(&app).await;
    let dir = tempfile::tempdir().expect("a folder");
    let to_file = dir.path().join("aduan.db");
    let made = backup(&app.db.url, &to_file);
    assert!(made.status.success(), "{}", text(&made));
    drop(app);
    let database = format!("sqlite:{}", to_file.display());

    let target = TestDb::new(Engine::Postgres).await;
    let output = aduan(&["copy", "--from", &database, "--to", &target.url]);
    let said = text(&output);
    assert!(output.status.success(), "{said}");
    assert!(said.contains("every count and checksum matches"), "{said}");
    let rows = printed_rows(&said);
    let source = crate::support::TestDb::at(&database, Engine::Sqlite);
    for (table, count) in &rows {
        let sql = format!("SELECT COUNT(*) FROM \"{table}\"");
        let here = count_of(&source, &sql).await;
        let there = count_of(&target, &sql).await;
        assert_eq!((here, there), (*count as i64, *count as i64), "{table}");
    }
    // Every table of the deployment is in the report, but the search
    // indexes: PostgreSQL keeps its own, made from the rows copied.
    let mut tables = source
        .strings(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT IN ('_sqlx_migrations', 'officers_next') \
             AND name NOT LIKE 'complaint\\_words%' ESCAPE '\\' AND name NOT LIKE 'reporter\\_words%' ESCAPE '\\' \
             ORDER BY name",
        )
        .await;
    assert_eq!(
        count_of(
            &target,
            "SELECT COUNT(*) FROM complaints WHERE words IS NULL OR words = ''::tsvector"
        )
        .await,
        0,
        "every complaint copied is searchable"
    );
    let mut printed: Vec<String> = rows.iter().map(|(t, _)| t.clone()).collect();
    tables.sort();
    printed.sort();
    assert_eq!(printed, tables, "{said}");
    for table in [
        "complaints",
        "reporters",
        "complaint_events",
        "officers",
        "sessions",
        "outbox",
        "webhook_subscribers",
        "attachments",
        "uploads",
        "service_keys",
        "idempotency_keys",
        "sites",
        "site_origins",
    ] {
        let n = rows
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, n)| *n)
            .unwrap_or_else(|| panic!("{table} was not copied: {said}"));
        assert!(n > 0, "{table} had rows to copy");
    }
    assert!(files_before > 0);
    assert!(said.contains(&format!("{files_before} files")), "{said}");

    // The copy serves: every complaint, the photo, the officer's password,
    // and a new complaint takes the next id rather than a copied one.
    let server = start_with(&target, &[]).await;
    server
        .assert_tracked(&codes, "did not come with the copy")
        .await;
    let r = server.file(&reqwest::Client::new()).await;
    assert_eq!(r.status().as_u16(), 201, "a new complaint after the copy");
    let signed =
        crate::console::sign_in(&server.base, &officer.email, "a long test password").await;
    assert!(signed.is_ok(), "the officer signs in on the copy");
    assert_eq!(
        target.count("SELECT COUNT(*) FROM blobs").await,
        files_before
    );
    drop(server);

    // A second copy into the same database is refused, and changes nothing.
    let complaints = target.count("SELECT COUNT(*) FROM complaints").await;
    let again = aduan(&["copy", "--from", &database, "--to", &target.url]);
    assert!(!again.status.success());
    assert!(text(&again).contains("not empty"), "{}", text(&again));
    assert_eq!(
        target.count("SELECT COUNT(*) FROM complaints").await,
        complaints
    );
}

async fn count_of(db: &TestDb, sql: &str) -> i64 {
    use sqlx::Connection;
    match db.engine {
        Engine::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&db.url)
                .await
                .expect("sqlite");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&mut c)
                .await
                .expect(sql)
        }
        Engine::Postgres => {
            let mut c = sqlx::PgConnection::connect(&db.url)
                .await
                .expect("postgres");
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
                .fetch_one(&mut c)
                .await
                .expect(sql)
        }
    }
}
