//! The Aduan service.
//!
//! - [`config`]: the command line and settings, read in one place.
//! - [`egress`]: where outgoing requests may go (no private targets unless allowed).
//! - [`casework`]: every change of a complaint as a typed command, checked and
//!   planned in one place (the lifecycle, the actor's role, what it causes).
//! - [`domain`]: pure rules (reference data, routing, working-day clocks).
//! - [`store`]: the `Store` contract with SQLite and PostgreSQL behind it.
//! - [`disclosure`]: who may learn what about a complaint; every outlet asks it.
//! - [`intake`]: filing, tracking and replying, shared by the API and the hosted pages.
//! - [`routes`]: the URL map and handlers; [`extract`] and [`error`] shape
//!   requests and refusals.
//! - [`state`]: what handlers share.
//! - [`serve`]: the HTTP server loop: a connection cap and a header timeout.
//!
//! [`run`] serves until its shutdown future completes, then finishes the
//! requests in flight and closes the database.

pub mod attachments;
pub mod auth;
pub mod casework;
pub mod clock;
pub mod config;
pub mod copy;
pub mod delivery;
pub mod digest;
pub mod disclosure;
pub mod domain;
pub mod egress;
pub mod error;
pub mod extract;
pub mod intake;
pub mod lapor;
pub mod mail;
pub mod metrics;
pub mod officers;
pub mod outbound;
pub mod routes;
pub mod search;
pub mod serve;
pub mod sites;
pub mod state;
pub mod stats;
pub mod store;
pub mod subscribers;
pub mod supporters;
pub mod xml;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::{Backend, Config, DatabaseArgs};
use crate::domain::reference::ReferenceData;
use crate::state::AppState;
use crate::store::Store;
use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;

/// Opens the database the settings name, applies migrations and loads the
/// Bali reference data (idempotently).
pub async fn open_store(db: &DatabaseArgs) -> anyhow::Result<Arc<dyn Store>> {
    let backend = db.backend().map_err(anyhow::Error::msg)?;
    let store: Arc<dyn Store> = match &backend {
        Backend::Sqlite(path) => Arc::new(
            SqliteStore::open(path, db.sqlite_synchronous, (db.pool_size / 4).max(2))
                .await
                .with_context(|| format!("opening the SQLite database {}", path.display()))?,
        ),
        Backend::Postgres(url) => Arc::new(
            PostgresStore::open(url, db.pool_size, db.pg_listen)
                .await
                .context("opening the PostgreSQL database")?,
        ),
    };
    let data = ReferenceData::bali().map_err(anyhow::Error::msg)?;
    store
        .seed(&data)
        .await
        .context("loading the Bali reference data")?;
    Ok(store)
}

/// Where the bytes of uploads and attachments live: a folder beside the
/// SQLite database, or the PostgreSQL database itself (a pool of its own,
/// so that large files never wait behind complaints or starve them).
pub async fn open_blobs(
    db: &DatabaseArgs,
    files_dir: Option<&std::path::Path>,
) -> anyhow::Result<Arc<dyn attachments::Blobs>> {
    Ok(match db.backend().map_err(anyhow::Error::msg)? {
        Backend::Sqlite(path) => {
            let dir = files_dir.map_or_else(
                || std::path::PathBuf::from(format!("{}-files", path.display())),
                std::path::Path::to_path_buf,
            );
            Arc::new(
                attachments::storage::Folder::open(&dir)
                    .with_context(|| format!("opening the file folder {}", dir.display()))?,
            )
        }
        Backend::Postgres(url) => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections((db.pool_size / 2).max(2))
                .connect(&url)
                .await
                .context("connecting to PostgreSQL for attachments")?;
            Arc::new(attachments::storage::Database::new(pool))
        }
    })
}

/// Opens the store and reads the reference data: what every handler shares.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let store = open_store(&config.database).await?;
    let catalog = store
        .load_catalog()
        .await
        .context("reading the reference data")?;
    let limits = routes::limits::Limits {
        submit: routes::limits::Limiter::new("submit", config.submit_per_minute, 10),
        lookup: routes::limits::Limiter::new("lookup", config.lookup_per_minute, 30),
        upload: routes::limits::Limiter::new("upload", config.upload_per_minute, 60),
        names_key: store
            .service_key("rate_bucket_names", &auth::random_token())
            .await
            .context("reading the key that names rate buckets")?
            .into_bytes(),
    };
    let blobs = open_blobs(&config.database, config.uploads.files_dir.as_deref()).await?;
    let files = attachments::Files::open(store.as_ref(), blobs, config.uploads.settings())
        .await
        .context("reading the key of download links")?;
    Ok(AppState {
        files,
        store,
        catalogs: Arc::new(arc_swap::ArcSwap::from_pointee(catalog)),
        config: Arc::new(config),
        limits: Arc::new(limits),
        password_checks: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get().min(8)),
        )),
        widget_seen: Arc::default(),
        metrics: Arc::default(),
    })
}

/// Serves on `listener` until `shutdown` completes; then stops accepting,
/// finishes the requests in flight and closes the database.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    metrics::check_token(&config)?;
    let state = build_state(config).await?;
    let store = state.store.clone();
    if state.config.demo_officers {
        let created = officers::seed_demo(state.store.as_ref(), &state.catalog())
            .await
            .map_err(|e| anyhow::anyhow!("creating the demo officers: {e}"))?;
        tracing::info!(created, "demo officers are ready");
    }
    let clock = clock::spawn(
        state.clone(),
        std::time::Duration::from_secs(state.config.clock_interval_secs),
    );
    let delivery = delivery::spawn(state.clone());
    let catalog = state.follow_catalog();
    let limits = serve::Limits {
        max_connections: state.config.max_connections,
        header_timeout: std::time::Duration::from_secs(state.config.header_timeout_secs.max(1)),
    };
    let metrics = match state.config.metrics_listen {
        Some(address) => {
            let listener = TcpListener::bind(address)
                .await
                .with_context(|| format!("cannot listen for metrics on {address}"))?;
            tracing::info!(address = %address, "metrics are served");
            let router = metrics::private_router(state.clone());
            Some(tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, router).await {
                    tracing::error!(error = %e, "the metrics listener stopped");
                }
            }))
        }
        None => None,
    };
    let app = routes::router(state);
    tracing::info!(
        address = %listener.local_addr()?,
        database = store.backend(),
        "aduan is serving"
    );
    serve::serve(listener, app, limits, shutdown).await;
    clock.abort();
    delivery.abort();
    catalog.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    store.close().await;
    tracing::info!("aduan has stopped");
    Ok(())
}
