//! What every handler shares.

use std::sync::Arc;

use arc_swap::ArcSwap;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::Config;
use crate::domain::catalog::Catalog;
use crate::routes::limits::Limits;
use crate::store::Store;

/// The state handed to every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// Where complaints and reference data live.
    pub store: Arc<dyn Store>,
    /// Reference data, read from the store at start-up and again whenever
    /// it changes (a routing rule edited here or in another process).
    pub catalogs: Arc<ArcSwap<Catalog>>,
    /// The settings the service started with.
    pub config: Arc<Config>,
    /// Per-address budgets for anonymous citizens.
    pub limits: Arc<Limits>,
    /// Threads password hashing may use at once (argon2id takes 19 MiB each).
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// Uploads and attachments: their bytes, limits and download links.
    pub files: crate::attachments::Files,
}

impl AppState {
    /// The reference data as it is now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalogs.load_full()
    }

    /// Reads the reference data from the store again.
    pub async fn reload_catalog(&self) -> Result<(), crate::store::StoreError> {
        let fresh = self.store.load_catalog().await?;
        self.catalogs.store(Arc::new(fresh));
        Ok(())
    }
}

/// Milliseconds since 1970, UTC.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
