//! Test harness: a server on a random port with a fresh database, on SQLite
//! or on the throwaway PostgreSQL cluster that `cargo xtask test` starts.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use aduan_server::config::{Config, DatabaseArgs, LogFormat, SqliteSynchronous};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection, SqliteConnection};
use tokio::sync::oneshot;

/// The engines every contract runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The URL of the throwaway PostgreSQL cluster; the tests fail, never skip, without one.
pub fn postgres_admin_url() -> String {
    match std::env::var("ADUAN_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "ADUAN_TEST_POSTGRES_URL is not set: run the tests with `cargo xtask test`, \
             which starts a throwaway PostgreSQL cluster for them"
        ),
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    format!(
        "t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        rand::random::<u32>()
    )
}

/// A fresh, empty database and a way to look inside it.
#[derive(Debug)]
pub struct TestDb {
    pub url: String,
    pub engine: Engine,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A database that exists already (a backup, a copy's target); the
    /// test that names it cleans it up.
    pub fn at(url: &str, engine: Engine) -> TestDb {
        TestDb {
            url: url.to_owned(),
            engine,
            _dir: None,
        }
    }

    pub async fn new(engine: Engine) -> TestDb {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let path: PathBuf = dir.path().join("aduan.db");
                TestDb {
                    url: format!("sqlite:{}", path.display()),
                    engine,
                    _dir: Some(dir),
                }
            }
            Engine::Postgres => {
                let admin = postgres_admin_url();
                let mut conn = PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL cluster: {e}"));
                let name = unique_name();
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("a fresh PostgreSQL database");
                let base = admin
                    .rsplit_once('/')
                    .map_or(admin.as_str(), |(b, _)| b)
                    .to_owned();
                TestDb {
                    url: format!("{base}/{name}"),
                    engine,
                    _dir: None,
                }
            }
        }
    }

    pub fn args(&self) -> DatabaseArgs {
        DatabaseArgs {
            database_url: Some(self.url.clone()),
            sqlite_synchronous: SqliteSynchronous::Full,
            pool_size: 4,
            pg_listen: true,
        }
    }

    /// Runs one statement outside the service, as an operator would.
    pub async fn exec(&self, sql: &'static str) -> Result<(), sqlx::Error> {
        match self.engine {
            Engine::Sqlite => {
                let mut c = SqliteConnection::connect(&self.url).await?;
                sqlx::query(sql).execute(&mut c).await.map(drop)
            }
            Engine::Postgres => {
                let mut c = PgConnection::connect(&self.url).await?;
                sqlx::query(sql).execute(&mut c).await.map(drop)
            }
        }
    }

    /// Runs a statement built at run time (test data only).
    pub async fn run(&self, sql: String) {
        let result = match self.engine {
            Engine::Sqlite => match SqliteConnection::connect(&self.url).await {
                Ok(mut c) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .map(drop),
                Err(e) => Err(e),
            },
            Engine::Postgres => match PgConnection::connect(&self.url).await {
                Ok(mut c) => sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(&mut c)
                    .await
                    .map(drop),
                Err(e) => Err(e),
            },
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The text column a query answers, row by row.
    pub async fn strings(&self, sql: &'static str) -> Vec<String> {
        let result = match self.engine {
            Engine::Sqlite => match SqliteConnection::connect(&self.url).await {
                Ok(mut c) => sqlx::query_scalar::<_, String>(sql).fetch_all(&mut c).await,
                Err(e) => Err(e),
            },
            Engine::Postgres => match PgConnection::connect(&self.url).await {
                Ok(mut c) => sqlx::query_scalar::<_, String>(sql).fetch_all(&mut c).await,
                Err(e) => Err(e),
            },
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The public id of the complaint with this tracking code.
    pub async fn public_id(&self, code: &str) -> String {
        const SQL: &str = "SELECT public_id FROM complaints WHERE tracking_code = $1";
        let result = match self.engine {
            Engine::Sqlite => match SqliteConnection::connect(&self.url).await {
                Ok(mut c) => {
                    sqlx::query_scalar::<_, String>(SQL)
                        .bind(code)
                        .fetch_one(&mut c)
                        .await
                }
                Err(e) => Err(e),
            },
            Engine::Postgres => match PgConnection::connect(&self.url).await {
                Ok(mut c) => {
                    sqlx::query_scalar::<_, String>(SQL)
                        .bind(code)
                        .fetch_one(&mut c)
                        .await
                }
                Err(e) => Err(e),
            },
        };
        result.unwrap_or_else(|e| panic!("the public id of {code}: {e}"))
    }

    /// A single whole number a query answers.
    pub async fn count(&self, sql: impl Into<String>) -> i64 {
        let sql: String = sql.into();
        let safe = || sqlx::AssertSqlSafe(sql.clone());
        let result = match self.engine {
            Engine::Sqlite => match SqliteConnection::connect(&self.url).await {
                Ok(mut c) => sqlx::query_scalar::<_, i64>(safe()).fetch_one(&mut c).await,
                Err(e) => Err(e),
            },
            Engine::Postgres => match PgConnection::connect(&self.url).await {
                Ok(mut c) => sqlx::query_scalar::<_, i64>(safe()).fetch_one(&mut c).await,
                Err(e) => Err(e),
            },
        };
        result.unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

/// A running service and a client for it.
#[derive(Debug)]
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn config(db: &TestDb, listen: SocketAddr) -> Config {
    Config {
        listen,
        database: db.args(),
        public_url: format!("http://{listen}"),
        body_limit: 64 * 1024,
        request_timeout_secs: 15,
        // The tests file and look up far faster than a citizen; the limits
        // have tests of their own.
        submit_per_minute: 0,
        lookup_per_minute: 0,
        upload_per_minute: 0,
        trust_forwarded_for: false,
        trusted_proxies: vec![],
        header_timeout_secs: 10,
        max_connections: 1024,
        // The tests' receivers listen on loopback.
        webhook_allow_private: true,
        // And the page checks' test pages.
        site_check_allow_private: true,
        keep_delivered_days: 30,
        keep_keys_days: 30,
        keep_contacts_days: 365,
        keep_attachments_days: 730,
        uploads: aduan_server::config::UploadArgs {
            upload_max_bytes: 10 * 1024 * 1024,
            attachments_max_files: 5,
            attachments_max_bytes: 20 * 1024 * 1024,
            upload_expiry_hours: 24,
            photo_max_side: 2048,
            photo_max_pixels: 50_000_000,
            file_link_hours: 72,
            files_dir: None,
        },
        public_dir: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../public"),
        log_format: LogFormat::Text,
        // The clock's work is tested by calling it; a long interval keeps
        // it from racing the tests that watch the database.
        clock_interval_secs: 3600,
        demo_officers: false,
        outbox_max_attempts: 12,
        outbox_backoff_ms: 200,
        outbox_lease_secs: 10,
        outbox_poll_ms: 50,
        delivery_timeout_secs: 2,
        metrics_listen: None,
        metrics_token: None,
        lapor_url: None,
        lapor_token: None,
        lapor_callback_token: None,
        smtp_host: None,
        smtp_port: 25,
        smtp_security: aduan_server::config::SmtpSecurity::None,
        smtp_username: None,
        smtp_password: None,
        smtp_from: "Aduan <aduan@example.id>".into(),
    }
}

/// Starts the service on a random port with a fresh database.
pub async fn spawn_app(engine: Engine) -> TestApp {
    spawn_app_with(engine, |_| {}).await
}

/// The same, with settings changed by `adjust`.
pub async fn spawn_app_with(engine: Engine, adjust: impl FnOnce(&mut Config)) -> TestApp {
    let db = TestDb::new(engine).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let addr = listener.local_addr().expect("the bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    let mut cfg = config(&db, addr);
    adjust(&mut cfg);
    tokio::spawn(async move {
        let shutdown = async {
            let _ = stopped.await;
        };
        if let Err(e) = aduan_server::run(cfg, listener, shutdown).await {
            panic!("the service stopped: {e:#}");
        }
    });
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("an HTTP client");
    TestApp {
        base: format!("http://{addr}"),
        client,
        db,
        stop: Some(stop),
    }
}

/// A complaint that passes every rule, filed on Badung's site.
pub fn complaint() -> Value {
    json!({
        "region": "badung",
        "classification": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "description": "Lubang besar di Jalan Raya Kuta, sudah dua minggu tidak diperbaiki.",
        "category": "jalan",
        "district": "Kuta",
        "location": "Depan Pasar Kuta",
        "incident_date": "2026-01-15",
        "privacy": "public",
        "reporter": { "name": "Wayan Sudarma", "email": "wayan@example.id", "phone": "+62 812 3456 7890" },
        "locale": "id"
    })
}

/// A key no other test uses.
pub fn new_key() -> String {
    format!("key-{}", unique_name())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Files a complaint with a fresh key; returns the status and the body.
    pub async fn submit(&self, body: &Value) -> (u16, Value) {
        self.submit_with_key(body, &new_key()).await
    }

    pub async fn submit_with_key(&self, body: &Value, key: &str) -> (u16, Value) {
        let response = self
            .client
            .post(self.url("/api/v1/complaints"))
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await
            .expect("the service answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("the service answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// A GET of any answer, in a language when `lang` is given: the status,
    /// the content type and the body as text.
    pub async fn get_text(&self, path: &str, lang: Option<&str>) -> (u16, String, String) {
        let mut request = self.client.get(self.url(path));
        if let Some(lang) = lang {
            request = request.header("accept-language", lang);
        }
        let r = request.send().await.expect("the service answers");
        let status = r.status().as_u16();
        let kind = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (status, kind, r.text().await.unwrap_or_default())
    }

    /// Posts raw bytes with the given content type.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .client
            .post(self.url(path))
            .header("content-type", content_type)
            .header("idempotency-key", new_key())
            .body(body)
            .send()
            .await
            .expect("the service answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The service's state on a second connection to its database, for
    /// calling its tasks directly.
    pub async fn state(&self) -> aduan_server::state::AppState {
        let listen = "127.0.0.1:0".parse().expect("an address");
        aduan_server::build_state(config(&self.db, listen))
            .await
            .expect("the state")
    }

    pub async fn complaints_stored(&self) -> i64 {
        self.db.count("SELECT COUNT(*) FROM complaints").await
    }
}

/// Runs a test body once on SQLite and once on PostgreSQL.
macro_rules! on_both_engines {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn body($app: $crate::support::TestApp) $body
                #[tokio::test]
                async fn sqlite() {
                    body($crate::support::spawn_app($crate::support::Engine::Sqlite).await).await
                }
                #[tokio::test]
                async fn postgres() {
                    body($crate::support::spawn_app($crate::support::Engine::Postgres).await).await
                }
            }
        )*
    };
}
pub(crate) use on_both_engines;
