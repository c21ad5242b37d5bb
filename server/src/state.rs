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
    /// When this process last recorded each sign of life (a region's or a
    /// site's widget seen, a policy report), by key.
    pub widget_seen: Arc<std::sync::Mutex<std::collections::HashMap<String, i64>>>,
    /// What `/metrics` reports (see [`crate::metrics`]).
    pub metrics: Arc<crate::metrics::Metrics>,
}

impl AppState {
    /// The reference data as it is now.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalogs.load_full()
    }

    /// Records that a region's widget loaded, at most once a minute per
    /// region and process; a failure only costs the record.
    pub async fn note_widget(&self, region: &str) {
        if !self.first_in_a_minute(&format!("region\u{0}{region}")) {
            return;
        }
        if let Err(e) = self.store.widget_seen(region, now_ms()).await {
            tracing::warn!(error = %e, "could not record the widget as seen");
        }
    }

    /// True the first time `key` is seen in a minute by this process (a
    /// sign of life recorded once, not once per request). The table is
    /// swept when it grows, so a flood of keys costs little memory.
    pub fn first_in_a_minute(&self, key: &str) -> bool {
        let now = now_ms();
        let Ok(mut seen) = self.widget_seen.lock() else {
            return false;
        };
        if seen.get(key).is_some_and(|at| now - at < 60_000) {
            return false;
        }
        if seen.len() >= 10_000 {
            seen.retain(|_, at| now - *at < 60_000);
            if seen.len() >= 10_000 {
                // A flood of new keys: forget them all rather than stop
                // recording for everyone (the writes it lets through are
                // bounded by the per-address look-up budget).
                seen.clear();
            }
        }
        seen.insert(key.to_owned(), now);
        true
    }

    /// After an edit of reference data here: reads it again, and tells the
    /// other processes to do the same (a failed announcement only leaves
    /// them to the clock's periodic reread).
    pub async fn catalog_changed(&self) -> Result<(), crate::store::StoreError> {
        self.reload_catalog().await?;
        if let Err(e) = self.store.announce_catalog().await {
            tracing::warn!(error = %e, "could not tell other processes about new reference data");
        }
        Ok(())
    }

    /// Reads the reference data again whenever another process announces
    /// an edit, until the process stops.
    pub fn follow_catalog(&self) -> tokio::task::JoinHandle<()> {
        let state = self.clone();
        tokio::spawn(async move {
            loop {
                state.store.signals().catalog.notified().await;
                if let Err(e) = state.reload_catalog().await {
                    tracing::warn!(error = %e, "could not reread the reference data");
                }
            }
        })
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
