//! The transactional outbox: messages written with the change that causes
//! them, claimed by delivery workers under a lease, retried with backoff,
//! parked after too many failures; and the webhook subscribers.

/// Queues one outbox row per webhook subscriber that should hear of an
/// event: every active subscriber without a region, and the region's own
/// subscribers while the region is in `webhook` mode; never back to the
/// subscriber that sent the change (`$6`, or -1). `$1` event id,
/// `$2` complaint id, `$3` message type, `$4` body, `$5` now, `$7` the
/// request behind it.
pub const FAN_OUT: &str = "INSERT INTO outbox (delivery_id, channel, target, complaint_id, event_type, payload, state, attempts, next_attempt_at, created_at, request_id) \
     SELECT 'evt_' || CAST($1 AS TEXT) || '_' || CAST(s.id AS TEXT), 'webhook', CAST(s.id AS TEXT), c.id, $3, $4, 'pending', 0, $5, $5, $7 \
     FROM complaints c JOIN regions r ON r.slug = c.region_slug \
     JOIN webhook_subscribers s ON s.active AND (s.region_slug IS NULL OR (s.region_slug = r.slug AND r.integration_mode = 'webhook')) \
     WHERE c.id = $2 AND s.id <> $6";

/// The files of one attaching, for every subscriber that should hear of
/// them: `$1` names the delivery (the first file's id).
pub const FAN_OUT_FILES: &str = "INSERT INTO outbox (delivery_id, channel, target, complaint_id, event_type, payload, state, attempts, next_attempt_at, created_at, request_id) \
     SELECT 'files_' || $1 || '_' || CAST(s.id AS TEXT), 'webhook', CAST(s.id AS TEXT), c.id, $3, $4, 'pending', 0, $5, $5, $6 \
     FROM complaints c JOIN regions r ON r.slug = c.region_slug \
     JOIN webhook_subscribers s ON s.active AND (s.region_slug IS NULL OR (s.region_slug = r.slug AND r.integration_mode = 'webhook')) \
     WHERE c.id = $2";

/// A claimed row, with what its delivery needs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub delivery_id: String,
    pub complaint_id: Option<i64>,
    pub channel: String,
    pub target: String,
    pub event_type: String,
    pub payload: String,
    /// Attempts including this one.
    pub attempts: i64,
    pub url: Option<String>,
    pub secret: Option<String>,
    pub previous_secret: Option<String>,
    pub previous_until: Option<i64>,
    /// The request that queued it (see [`crate::metrics`]).
    pub request_id: Option<String>,
}

/// How one delivery ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Yes,
    /// Failed; try again at this time.
    Retry {
        error: String,
        at_ms: i64,
    },
    /// Failed too often: parked until an administrator retries it.
    Park {
        error: String,
    },
}

/// A parked (failed) row, for the console.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ParkedRow {
    pub id: i64,
    pub delivery_id: String,
    pub channel: String,
    pub target: String,
    pub event_type: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
}

/// A webhook subscriber, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Subscriber {
    pub id: i64,
    pub url: String,
    pub region_slug: Option<String>,
    pub active: bool,
    pub created_at: i64,
}

/// Counts by state, for the console and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
    /// When the oldest message still waiting was queued.
    pub oldest_pending_at: Option<i64>,
}

/// What is needed to check a message a subscriber sends in.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SubscriberKeys {
    pub id: i64,
    pub region_slug: Option<String>,
    /// The region's integration mode now, as stored.
    pub region_mode: Option<String>,
    pub active: bool,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_until: Option<i64>,
}

/// An Open311 partner, without its key.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Partner {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub created_at: i64,
}

/// Which requests an Open311 client asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    pub region: Option<String>,
    /// Public ids.
    pub ids: Vec<String>,
    pub category: Option<String>,
    /// `open` or `closed`.
    pub open: Option<bool>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub limit: i64,
}

/// A complaint as Open311 shows it (never a confidential one, never the reporter).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PublicRequest {
    /// The public id (never the tracking code).
    pub public_id: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub region_slug: String,
    pub unit_key: String,
    pub category_key: String,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub landmark: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub status: String,
    pub due_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub status_notes: Option<String>,
    /// Its files, oldest first; the outlet asks the policy which it may name.
    #[sqlx(skip)]
    pub files: Vec<crate::attachments::AttachmentRow>,
}
