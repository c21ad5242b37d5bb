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
pub mod public;
pub mod report;
pub mod tally;

/// A follow-up text the region sent more than this many times counts as a
/// template answer from its next use on.
pub const TEMPLATE_USES: i64 = 5;

/// What a dashboard figure counts, for the inbox that lists its complaints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    Received,
    Channel(&'static str),
    VerifiedOnTime,
    /// Verified late, or still owed and late today.
    VerificationMissed,
    PlannedOnTime,
    /// Planned late, or still owed and late today.
    PlanMissed,
    Resolved,
    ClosedConfirmed,
    ClosedQuiet,
    Rejected,
    Reopened,
    Rated,
    /// Open and past the due date of its current step today.
    Overdue,
}

impl Measure {
    pub const ALL: [Measure; 17] = [
        Measure::Received,
        Measure::Channel("widget"),
        Measure::Channel("hosted"),
        Measure::Channel("api"),
        Measure::Channel("open311"),
        Measure::Channel("lapor"),
        Measure::VerifiedOnTime,
        Measure::VerificationMissed,
        Measure::PlannedOnTime,
        Measure::PlanMissed,
        Measure::Resolved,
        Measure::ClosedConfirmed,
        Measure::ClosedQuiet,
        Measure::Rejected,
        Measure::Reopened,
        Measure::Rated,
        Measure::Overdue,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Measure::Received => "received",
            Measure::Channel("widget") => "channel_widget",
            Measure::Channel("hosted") => "channel_hosted",
            Measure::Channel("api") => "channel_api",
            Measure::Channel("open311") => "channel_open311",
            Measure::Channel(_) => "channel_lapor",
            Measure::VerifiedOnTime => "verified_on_time",
            Measure::VerificationMissed => "verification_missed",
            Measure::PlannedOnTime => "planned_on_time",
            Measure::PlanMissed => "plan_missed",
            Measure::Resolved => "resolved",
            Measure::ClosedConfirmed => "closed_confirmed",
            Measure::ClosedQuiet => "closed_quiet",
            Measure::Rejected => "rejected",
            Measure::Reopened => "reopened",
            Measure::Rated => "rated",
            Measure::Overdue => "overdue",
        }
    }

    pub fn from_key(key: &str) -> Option<Measure> {
        Measure::ALL.into_iter().find(|m| m.key() == key)
    }

    /// The condition on `complaint_facts` (columns unqualified); `$today`
    /// stands for today's date, bound by the caller.
    pub fn condition(self) -> &'static str {
        match self {
            Measure::Received | Measure::Overdue => "TRUE",
            Measure::Channel("widget") => "channel = 'widget'",
            Measure::Channel("hosted") => "channel = 'hosted'",
            Measure::Channel("api") => "channel = 'api'",
            Measure::Channel("open311") => "channel = 'open311'",
            Measure::Channel(_) => "channel = 'lapor'",
            Measure::VerifiedOnTime => "verification = 'on_time'",
            Measure::VerificationMissed => {
                "(verification = 'late' OR (verification = 'pending' AND verification_due < $today))"
            }
            Measure::PlannedOnTime => "plan = 'on_time'",
            Measure::PlanMissed => "(plan = 'late' OR (plan = 'pending' AND plan_due < $today))",
            Measure::Resolved => "outcome IN ('resolved', 'confirmed', 'quiet')",
            Measure::ClosedConfirmed => "outcome = 'confirmed'",
            Measure::ClosedQuiet => "outcome = 'quiet'",
            Measure::Rejected => "outcome = 'rejected'",
            Measure::Reopened => "reopened > 0",
            Measure::Rated => "rating IS NOT NULL",
        }
    }
}

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
    /// The id public outlets name it by (never the tracking code).
    pub public_id: String,
    /// The region whose officers hold it (the province's unit after a hand-off).
    pub handled_by: String,
    pub region_slug: String,
    pub unit_key: String,
    pub category_key: String,
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
