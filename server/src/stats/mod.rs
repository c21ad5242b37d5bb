//! What regional heads are judged by: indicators per region and unit, a
//! compliance index, and the figures of the dashboard, its exports and the
//! public transparency page.
//!
//! - [`facts`]: one complaint's history read as indicators (pure).
//! - [`tally`]: their sums, kept per region, unit and day of receipt in
//!   `stats_daily` by the transaction that writes each event.
//! - [`index`]: the compliance index, its uncertainty and its zones.
//! - [`report`]: the figures a page, an export or the public page shows,
//!   assembled from the sums, what changes with the date, and each region's
//!   signs of life.

pub mod facts;
pub mod index;
pub mod report;
pub mod tally;

/// A follow-up text the region sent more than this many times counts as a
/// template answer from its next use on.
pub const TEMPLATE_USES: i64 = 5;

/// Which sums to read: days `from` through `to` (`YYYY-MM-DD`), one region
/// or all, one unit or all, and whether per unit or per region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactFilter {
    pub region: Option<String>,
    pub unit: Option<String>,
    pub by_unit: bool,
    pub from: String,
    pub to: String,
}

/// One row of `stats_daily`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DayRow {
    pub region_slug: String,
    pub unit_key: String,
    pub day: String,
    pub tally: String,
}

/// What is late today without an event, per region and unit.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct LiveRow {
    pub region_slug: String,
    pub unit_key: String,
    /// Received in the period, not yet verified, past its due date.
    pub verification_late: i64,
    /// Dispatched, no plan yet, past its due date.
    pub plan_late: i64,
    /// Open and past the due date of its current step.
    pub overdue: i64,
}

/// A region's integration and signs of life.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PulseRow {
    pub region_slug: String,
    pub integration_mode: String,
    pub officer_at: Option<i64>,
    pub delivered_at: Option<i64>,
    pub widget_at: Option<i64>,
    pub parked: i64,
}

/// One complaint of a per-complaint export.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ExportRow {
    pub tracking_code: String,
    /// The region whose officers hold it (the province's unit after a hand-off).
    pub handled_by: String,
    pub region_slug: String,
    pub unit_key: String,
    pub category_key: String,
    pub district_key: Option<String>,
    pub channel: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub title: String,
    pub status: String,
    pub day: String,
    pub verification: String,
    pub plan: String,
    pub first_reply_days: Option<i32>,
    pub resolution_days: Option<i32>,
    pub outcome: String,
    pub reopened: i32,
    pub rating: Option<i32>,
}
