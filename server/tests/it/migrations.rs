//! The two migration folders must hold the same versions.

use std::collections::BTreeSet;
use std::path::Path;

fn versions(dialect: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(dialect);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".sql"))
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_versions() {
    let sqlite = versions("sqlite");
    let postgres = versions("postgres");
    assert!(!sqlite.is_empty(), "no SQLite migrations found");
    assert_eq!(sqlite, postgres, "the migration folders differ");
}

/// Rows written before privacy became two choices, on each engine.
mod privacy_becomes_two_choices {
    use std::str::FromStr;

    use sqlx::Connection;
    use sqlx::migrate::Migrator;

    use crate::support::{Engine, TestDb};

    const REFERENCE: &str = "INSERT INTO regions (slug, code, name, kind, integration_mode, code_prefix, sort_order) \
        VALUES ('badung', '51.03', 'Kabupaten Badung', 'regency', 'none', 'BDG', 3); \
        INSERT INTO units (region_slug, key, name, is_coordinator, sort_order) VALUES ('badung', 'inspektorat', 'Inspektorat', TRUE, 0); \
        INSERT INTO categories (key, name_id, name_en, supervisory, sort_order) VALUES ('jalan', 'Jalan', 'Roads', FALSE, 1), ('pungli', 'Pungli', 'Illegal levies', TRUE, 2)";

    fn complaint(code: &str, category: &str, privacy: &str) -> String {
        format!(
            "INSERT INTO complaints (tracking_code, region_slug, unit_key, filed_region_slug, category_key, classification, privacy, title, description, locale, status, created_at, updated_at) \
             VALUES ('{code}', 'badung', 'inspektorat', 'badung', '{category}', 'complaint', '{privacy}', 'Judul', 'Isi', 'id', 'submitted', 1, 1)"
        )
    }

    async fn migrates_without_loss(engine: Engine) {
        let db = TestDb::new(engine).await;
        let dialect = match engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(dialect);
        let mut before = Migrator::new(dir).await.expect("the migrations");
        before.migrations = before
            .migrations
            .iter()
            .filter(|m| m.version < 8)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        let mut statements = vec![REFERENCE.to_owned()];
        for (code, category, privacy) in [
            ("BDG-PUBL", "jalan", "public"),
            ("BDG-ANON", "jalan", "anonymous"),
            ("BDG-CONF", "jalan", "confidential"),
            ("BDG-LEVY", "pungli", "confidential"),
        ] {
            statements.push(complaint(code, category, privacy));
        }
        statements.push("INSERT INTO reporters (complaint_id, name, email) SELECT id, 'Wayan', 'wayan@example.id' FROM complaints".into());
        let script = statements.join(";\n");
        match engine {
            Engine::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url)
                    .expect("url")
                    .create_if_missing(true);
                let mut c = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .expect("a connection");
                before
                    .run(&mut c)
                    .await
                    .expect("the migrations before 0008");
                sqlx::raw_sql(sqlx::AssertSqlSafe(script))
                    .execute(&mut c)
                    .await
                    .expect("old rows");
                c.close().await.ok();
            }
            Engine::Postgres => {
                let mut c = sqlx::PgConnection::connect(&db.url)
                    .await
                    .expect("a connection");
                before
                    .run(&mut c)
                    .await
                    .expect("the migrations before 0008");
                sqlx::raw_sql(sqlx::AssertSqlSafe(script))
                    .execute(&mut c)
                    .await
                    .expect("old rows");
                c.close().await.ok();
            }
        }
        // Opening the store applies the rest.
        let store = aduan_server::open_store(&db.args())
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        drop(store);
        let rows = db
            .strings("SELECT tracking_code || ':' || CASE WHEN anonymous THEN 'a' ELSE '-' END || CASE WHEN confidential THEN 'c' ELSE '-' END FROM complaints ORDER BY tracking_code")
            .await;
        // An old confidential levy report may have been filed anonymously:
        // it becomes anonymous too, the side that protects the reporter.
        assert_eq!(
            rows,
            ["BDG-ANON:a-", "BDG-CONF:-c", "BDG-LEVY:ac", "BDG-PUBL:--"]
        );
        let ids = db.strings("SELECT public_id FROM complaints").await;
        assert_eq!(ids.len(), 4);
        assert!(
            ids.iter()
                .all(|id| id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit())),
            "{ids:?}"
        );
        assert_eq!(
            ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
            4,
            "public ids are unique"
        );
        assert_eq!(
            db.count(
                "SELECT COUNT(*) FROM reporters WHERE name = 'Wayan' AND email = 'wayan@example.id'"
            )
            .await,
            4,
            "no identity lost"
        );
    }

    #[tokio::test]
    async fn sqlite() {
        migrates_without_loss(Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        migrates_without_loss(Engine::Postgres).await;
    }
}

/// Officers and their sessions survive the change that adds webmasters (a
/// rebuild of the officers table on SQLite), and the new role is accepted.
mod officers_gain_the_webmaster_role {
    use std::str::FromStr;

    use sqlx::Connection;
    use sqlx::migrate::Migrator;

    use crate::support::{Engine, TestDb};

    const ROWS: &str = "INSERT INTO regions (slug, code, name, kind, integration_mode, code_prefix, sort_order) \
        VALUES ('badung', '51.03', 'Kabupaten Badung', 'regency', 'none', 'BDG', 3); \
        INSERT INTO units (region_slug, key, name, is_coordinator, sort_order) VALUES ('badung', 'pupr', 'PUPR', FALSE, 1); \
        INSERT INTO officers (email, name, password_hash, role, region_slug, unit_key, active, created_at) \
        VALUES ('unit@badung.go.id', 'Petugas', 'hash', 'unit', 'badung', 'pupr', TRUE, 5), \
               ('old@badung.go.id', 'Lama', 'hash2', 'coordinator', 'badung', NULL, FALSE, 6); \
        INSERT INTO sessions (token_hash, officer_id, csrf_token, created_at, expires_at) \
        SELECT 'token', id, 'csrf', 7, 8 FROM officers WHERE email = 'unit@badung.go.id'";

    async fn keeps_everyone(engine: Engine) {
        let db = TestDb::new(engine).await;
        let dialect = match engine {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../migrations")
            .join(dialect);
        let mut before = Migrator::new(dir).await.expect("the migrations");
        before.migrations = before
            .migrations
            .iter()
            .filter(|m| m.version < 12)
            .cloned()
            .collect::<Vec<_>>()
            .into();
        match engine {
            Engine::Sqlite => {
                let options = sqlx::sqlite::SqliteConnectOptions::from_str(&db.url)
                    .expect("url")
                    .create_if_missing(true)
                    .foreign_keys(true);
                let mut c = sqlx::SqliteConnection::connect_with(&options)
                    .await
                    .expect("a connection");
                before
                    .run(&mut c)
                    .await
                    .expect("the migrations before 0012");
                sqlx::raw_sql(ROWS).execute(&mut c).await.expect("old rows");
                c.close().await.ok();
            }
            Engine::Postgres => {
                let mut c = sqlx::PgConnection::connect(&db.url)
                    .await
                    .expect("a connection");
                before
                    .run(&mut c)
                    .await
                    .expect("the migrations before 0012");
                sqlx::raw_sql(ROWS).execute(&mut c).await.expect("old rows");
                c.close().await.ok();
            }
        }
        let store = aduan_server::open_store(&db.args())
            .await
            .unwrap_or_else(|e| panic!("{e:#}"));
        drop(store);
        assert_eq!(
            db.strings("SELECT email || ':' || role || ':' || COALESCE(unit_key, '-') || ':' || CASE WHEN active THEN 'on' ELSE 'off' END || ':' || password_hash FROM officers ORDER BY email").await,
            ["old@badung.go.id:coordinator:-:off:hash2", "unit@badung.go.id:unit:pupr:on:hash"]
        );
        assert_eq!(
            db.strings("SELECT o.email FROM sessions s JOIN officers o ON o.id = s.officer_id")
                .await,
            ["unit@badung.go.id"]
        );
        db.exec("INSERT INTO officers (email, name, password_hash, role, region_slug, active, created_at) VALUES ('web@badung.go.id', 'Web', 'h', 'webmaster', 'badung', TRUE, 9)").await.expect("a webmaster");
        assert_eq!(
            db.count("SELECT COUNT(*) FROM officers WHERE role = 'webmaster'")
                .await,
            1
        );
        // The constraint still refuses what is not a role.
        assert!(
            db.exec("INSERT INTO officers (email, name, password_hash, role, region_slug, active, created_at) VALUES ('x@badung.go.id', 'X', 'h', 'root', 'badung', TRUE, 9)").await.is_err()
        );
    }

    #[tokio::test]
    async fn sqlite() {
        keeps_everyone(Engine::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        keeps_everyone(Engine::Postgres).await;
    }
}
