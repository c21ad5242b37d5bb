//! What every handler shares.

use std::sync::Arc;
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
    /// Reference data, read from the store at start-up.
    pub catalog: Arc<Catalog>,
    /// The settings the service started with.
    pub config: Arc<Config>,
    /// Per-address budgets for anonymous citizens.
    pub limits: Arc<Limits>,
}

/// Milliseconds since 1970, UTC.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
