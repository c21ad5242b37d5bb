//! Storage: one [`Store`] contract, with a SQLite and a PostgreSQL implementation.
//!
//! - [`sqlite`]: the embedded default. One writer task commits waiting writes
//!   together (group commit), readers use a separate read-only pool.
//! - [`postgres`]: the engine for scale; one transaction per request on a pool.
//! - [`sql`]: the statements both run, written once.
//! - [`writer`]: SQLite's single writer with group commit.
//! - [`console`], [`outbox`]: what the officer console and the delivery
//!   worker read and write; their statements (`ops/`) are written once and
//!   compiled for each engine.

pub mod console;
pub mod outbox;
pub mod postgres;
pub mod sql;
pub mod sqlite;
pub mod writer;

use aduan_app::validate::Reporter;

use crate::attachments::{
    AttachOutcome, Attaching, AttachmentOwner, AttachmentRow, NewUpload, UploadRow,
};

use crate::domain::catalog::Catalog;
use crate::domain::reference::ReferenceData;
pub use console::{
    ActOutcome, AssigneeFilter, Assignment, CODE_TAIL, ComplaintRecord, ComplaintRef, Counted,
    DigestDue, DueFilter, FoundRow, HistoryEvent, Identity, InboxQuery, InboxRow, NewOfficer,
    NewSession, NewView, Officer, PHONE_KEY, RANKED_AT_MOST, ReporterQuery, SavedView, Scope,
    Transition, UnitLoad, WordQuery, phone_key,
};

/// What the store can fail with. Messages never carry connection secrets.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The generated tracking code exists already; generate another.
    #[error("the tracking code exists already")]
    DuplicateCode,
    /// The database cannot be reached or refused the write; try again later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// Stored data that breaks the schema's promises.
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                if db.message().contains("tracking_code")
                    || db.constraint() == Some("complaints_tracking_code_key")
                {
                    StoreError::DuplicateCode
                } else {
                    StoreError::Unavailable(db.message().to_owned())
                }
            }
            sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::ColumnNotFound(_) => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Unavailable(e.to_string()),
        }
    }
}

/// A routed, validated complaint ready to be written in one transaction.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub tracking_code: String,
    /// What public outlets name it by; grants nothing.
    pub public_id: String,
    pub idempotency_key: String,
    /// SHA-256 of the validated complaint, to tell a retry from a reused key.
    pub body_hash: String,
    pub region: String,
    pub unit: String,
    pub filed_region: String,
    /// Where it came in: `widget`, `hosted`, `api`, `open311` or `lapor`.
    pub channel: String,
    /// Set when a supervisory category was handed to the province's unit:
    /// the region where it happened.
    pub handed_off_from: Option<String>,
    pub district: Option<String>,
    pub category: String,
    pub classification: String,
    pub privacy: aduan_app::api::Privacy,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    /// The customary village or banjar the reporter named.
    pub landmark: Option<String>,
    /// Latitude and longitude from the reporter's phone, decimal degrees.
    pub position: Option<(f64, f64)>,
    pub incident_date: Option<String>,
    pub locale: String,
    pub reporter: Reporter,
    pub due_step: String,
    pub due_date: String,
    pub at_ms: i64,
    /// The 201 body, kept to answer a retry with the same key.
    pub receipt_json: String,
    /// Set when e-mail is on: the receipt and the coordinators' notice are
    /// queued with the complaint.
    pub mail: Option<crate::mail::MailContext>,
}

impl NewComplaint {
    /// The facts of its first event, for the outbox.
    pub fn created_facts(&self) -> crate::outbound::EventFacts<'_> {
        crate::outbound::EventFacts {
            kind: "submitted",
            tracking_code: &self.tracking_code,
            public_id: &self.public_id,
            privacy: self.privacy,
            by_reporter: true,
            region: &self.region,
            unit: &self.unit,
            from_status: None,
            to_status: "submitted",
            public_message: None,
            at_ms: self.at_ms,
        }
    }
}

/// A budget of sign-in attempts: at most `limit` in a window of `window_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub key: String,
    pub limit: i64,
    pub window_ms: i64,
}

/// What the clock forgets: everything older than these times (ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// Delivered (and long parked) outbox messages.
    pub delivered_before: i64,
    /// Idempotency and reply keys, inbound and LAPOR message ids.
    pub keys_before: i64,
    /// Reporters' and supporters' contact details of complaints that ended before this.
    pub contacts_before: i64,
    /// Supporters' addresses given before this and never confirmed.
    pub unconfirmed_before: i64,
    /// The marks of digests written (each needed only on its own day).
    pub digests_before: i64,
}

/// How much one purge forgot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub messages: u64,
    /// Keys and message ids, and the marks of digests written.
    pub keys: u64,
    pub contacts: u64,
    /// Uploads that expired unattached.
    pub uploads: u64,
    /// Stored files (cleaned files and previews) of attachments deleted.
    pub files: u64,
}

/// How a submission ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitOutcome {
    /// Written and committed.
    Created,
    /// The same key and body came before: its receipt, unchanged.
    Replayed(String),
    /// The key came before with a different body.
    KeyReused,
}

/// A complaint as the public tracker may show it (no identity, no internal notes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicComplaint {
    /// The row's id, for reading its files; never shown.
    pub id: i64,
    /// Whether any file is attached (so a look-up without files asks no
    /// more).
    pub has_files: bool,
    pub tracking_code: String,
    pub region: String,
    pub unit: String,
    pub category: String,
    pub classification: String,
    pub privacy: aduan_app::api::Privacy,
    pub title: String,
    pub status: String,
    pub due_step: Option<String>,
    pub due_date: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub lapor_tracking_id: Option<String>,
    /// The reporter's rating, once given (never its comment).
    pub rating: Option<u8>,
}

/// One event as the public tracker may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicEvent {
    pub at: i64,
    pub kind: String,
    pub author: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub public_message: Option<String>,
}

/// A reporter's reply to write.
#[derive(Debug, Clone)]
pub struct ReporterReply {
    pub tracking_code: String,
    pub message: String,
    pub at_ms: i64,
    /// When the complaint waits for the reporter, it returns to `submitted`
    /// with this step and due date.
    pub resume_due: (String, String),
    /// When the complaint is resolved, the answer reopens it: back to
    /// `in_progress` with this step and due date.
    pub reopen_due: (String, String),
    /// The client's key for this reply and a hash of its message, so that a
    /// retry is stored once.
    pub idempotency: Option<(String, String)>,
    /// Set when e-mail is on.
    pub mail: Option<crate::mail::MailContext>,
}

impl ReporterReply {
    /// The facts of the reply's event, for the outbox.
    pub fn facts<'a>(
        &'a self,
        target: &'a sql::ReplyTarget,
        from: &'a str,
        to: &'a str,
    ) -> crate::outbound::EventFacts<'a> {
        crate::outbound::EventFacts {
            kind: "reply",
            tracking_code: &self.tracking_code,
            public_id: &target.public_id,
            privacy: target.privacy(),
            by_reporter: true,
            region: &target.region_slug,
            unit: &target.unit_key,
            from_status: (from != to).then_some(from),
            to_status: to,
            public_message: Some(&self.message),
            at_ms: self.at_ms,
        }
    }

    /// The state after this reply from `status`, and the clock it starts.
    pub fn after(&self, status: &str) -> (String, Option<&(String, String)>) {
        use crate::domain::lifecycle::{Action, next};
        let Some(from) = aduan_app::api::Status::from_key(status) else {
            return (status.to_owned(), None);
        };
        match next(from, Action::ReporterReply) {
            Ok(to) if to == from => (status.to_owned(), None),
            Ok(aduan_app::api::Status::InProgress) => {
                ("in_progress".to_owned(), Some(&self.reopen_due))
            }
            Ok(to) => (to.key().to_owned(), Some(&self.resume_due)),
            Err(_) => (status.to_owned(), None),
        }
    }
}

/// How a reporter's reply ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    NotFound,
    /// The complaint is closed, rejected or transferred.
    Closed,
    /// Written; the complaint's status afterwards.
    Added {
        status: String,
    },
    /// The same key and message came before; nothing new was written.
    Replayed,
    /// The key came before with another message or for another complaint.
    KeyReused,
}

/// What a store tells the tasks of its process: that outbox messages were
/// committed (the delivery worker wakes at once instead of at its next
/// poll), and that reference data changed in another process.
#[derive(Debug, Default)]
pub struct Signals {
    /// Notified after a commit that queued outbox messages: on SQLite by the
    /// writer itself, on PostgreSQL by `NOTIFY` from any process.
    pub outbox: tokio::sync::Notify,
    /// Notified when another process announced new reference data.
    pub catalog: tokio::sync::Notify,
}

/// A pool's connections (see [`Store::pool_use`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// The answer of a budget kept in the database for every process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    /// Taken.
    Taken,
    /// Spent: milliseconds until one is back.
    Spent(i64),
}

/// Everything the service keeps.
#[async_trait::async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;

    /// The signals of this store (see [`Signals`]).
    fn signals(&self) -> &Signals;

    /// Takes one token from the budget `key`, shared by every process: a
    /// generic cell rate (one token every `interval_ms`, at most `burst` at
    /// once). `None` when this engine keeps budgets in the process (SQLite
    /// has one process).
    async fn take_shared_token(
        &self,
        key: &str,
        now_ms: i64,
        interval_ms: i64,
        burst: i64,
    ) -> Result<Option<Token>, StoreError> {
        let _ = (key, now_ms, interval_ms, burst);
        Ok(None)
    }

    /// The connections of this process's pool: open, idle, and the most.
    fn pool_use(&self) -> PoolUse;

    /// Complaints by status, for the operator's dashboard.
    async fn complaints_by_status(&self) -> Result<Vec<(String, i64)>, StoreError>;

    /// Tells the other processes that reference data changed (routing
    /// rules, a region's integration mode); they read it again at once.
    async fn announce_catalog(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// Succeeds when a read and the write path both answer.
    async fn health(&self) -> Result<(), StoreError>;

    /// Loads reference data; rows already present are left as they are.
    async fn seed(&self, data: &ReferenceData) -> Result<(), StoreError>;

    /// Reads all reference data.
    async fn load_catalog(&self) -> Result<Catalog, StoreError>;

    /// Writes a complaint, its reporter, its first event and its idempotency
    /// key in one transaction; returns only after it committed.
    async fn submit(&self, complaint: NewComplaint) -> Result<SubmitOutcome, StoreError>;

    /// The complaint and its public events, by canonical tracking code.
    async fn find_public(
        &self,
        tracking_code: &str,
    ) -> Result<Option<(PublicComplaint, Vec<PublicEvent>)>, StoreError>;

    /// Adds the reporter's reply; a complaint waiting for information moves on.
    async fn add_reporter_reply(&self, reply: ReporterReply) -> Result<ReplyOutcome, StoreError>;

    /// Adds an officer; `None` when the e-mail address is taken.
    async fn add_officer(&self, officer: NewOfficer) -> Result<Option<i64>, StoreError>;

    /// An active officer and their password hash.
    async fn officer_by_email(&self, email: &str) -> Result<Option<(Officer, String)>, StoreError>;

    /// Officers of one region, or of all, active or not.
    async fn officers(
        &self,
        region: Option<&str>,
    ) -> Result<Vec<console::OfficerEntry>, StoreError>;

    /// Lets an officer sign in, or not (ending their sessions and giving
    /// the complaints they held back to their units).
    async fn set_officer_active(
        &self,
        id: i64,
        active: bool,
        at_ms: i64,
    ) -> Result<bool, StoreError>;

    /// Gives a complaint to an officer of its unit, or back to the unit,
    /// with its event, if nobody changed who holds it since it was read.
    async fn assign(&self, assignment: Assignment) -> Result<ActOutcome, StoreError>;

    /// An officer's e-mail preference and digest time.
    async fn mail_preference(
        &self,
        officer_id: i64,
    ) -> Result<Option<(String, String)>, StoreError>;

    /// Sets an officer's e-mail preference and digest time.
    async fn set_mail_preference(
        &self,
        officer_id: i64,
        pref: &str,
        digest_at: &str,
    ) -> Result<(), StoreError>;

    /// An officer's saved views, by name.
    async fn saved_views(&self, officer_id: i64) -> Result<Vec<SavedView>, StoreError>;

    /// Saves a view (replacing one of the same name); its id.
    async fn save_view(&self, officer_id: i64, view: NewView) -> Result<i64, StoreError>;

    /// Forgets one of an officer's views.
    async fn delete_view(&self, officer_id: i64, id: i64) -> Result<bool, StoreError>;

    /// The officers whose digest of `day` is due by `time` and not written.
    async fn digests_due(&self, day: &str, time: &str) -> Result<Vec<DigestDue>, StoreError>;

    /// Queues an officer's digest of `day` unless it was written already.
    async fn queue_digest(
        &self,
        officer_id: i64,
        day: &str,
        mail: crate::mail::Mail,
        at_ms: i64,
    ) -> Result<bool, StoreError>;

    /// Stores an officer's new password hash and ends their other sessions.
    async fn change_password(
        &self,
        officer_id: i64,
        password_hash: &str,
        session: NewSession,
    ) -> Result<(), StoreError>;

    async fn open_session(&self, session: NewSession) -> Result<(), StoreError>;

    /// The officer of a live session and its CSRF token.
    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(Officer, String)>, StoreError>;

    async fn close_session(&self, token_hash: &str) -> Result<(), StoreError>;

    /// Takes one attempt from every budget, all or none, atomically across
    /// processes: `true` when each had room.
    async fn take_attempt(&self, budgets: &[Budget], now_ms: i64) -> Result<bool, StoreError>;

    /// Empties these budgets (after a correct password).
    async fn reset_budgets(&self, keys: &[String]) -> Result<(), StoreError>;

    /// The e-mail address of the active officer a live device token belongs to.
    async fn device_email(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError>;

    /// Remembers a browser an officer signed in from, until `expires_at`.
    async fn trust_device(
        &self,
        token_hash: &str,
        officer_id: i64,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<(), StoreError>;

    /// Erases the reporter's contact details (and mail to them still in the
    /// outbox) of the complaint with this code; `false` when none has it.
    async fn erase_contact(&self, tracking_code: &str, at_ms: i64) -> Result<bool, StoreError>;

    /// Forgets what the retention settings keep no longer.
    async fn purge(&self, retention: Retention) -> Result<Purged, StoreError>;

    /// Forgets expired sessions and devices, and budgets whose window began
    /// before `budgets_before`.
    async fn sweep(&self, now_ms: i64, budgets_before: i64) -> Result<(), StoreError>;

    /// One page of an officer's inbox.
    async fn inbox(&self, query: &InboxQuery) -> Result<Vec<InboxRow>, StoreError>;

    /// One page of the complaints in an officer's scope that have the
    /// words, best first.
    async fn search(&self, query: &WordQuery) -> Result<Vec<FoundRow>, StoreError>;

    /// The names of the officers who hold these complaints, by id.
    async fn holder_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError>;

    /// The complaints in an officer's scope whose reporter has the name,
    /// e-mail or phone sought, where the officer may see the reporter.
    async fn search_reporters(&self, query: &ReporterQuery) -> Result<Vec<InboxRow>, StoreError>;

    /// A complaint in scope with its whole history.
    async fn officer_complaint(
        &self,
        tracking_code: &str,
        scope: &Scope,
    ) -> Result<Option<(ComplaintRecord, Vec<HistoryEvent>)>, StoreError>;

    /// The reporter's identity (the caller has checked the privacy mode).
    async fn identity(&self, complaint_id: i64) -> Result<Option<Identity>, StoreError>;

    /// Id, status, version, region and unit of a complaint, by tracking code.
    async fn complaint_ref(&self, tracking_code: &str) -> Result<Option<ComplaintRef>, StoreError>;

    /// Applies a transition and writes its event in one transaction.
    async fn act(&self, transition: Transition) -> Result<ActOutcome, StoreError>;

    /// Resolved complaints whose quiet period ended before `today`.
    async fn quiet_resolved(
        &self,
        today: &str,
        limit: i64,
    ) -> Result<Vec<ComplaintRef>, StoreError>;

    /// Open complaints per unit in scope.
    async fn overview(
        &self,
        scope: &Scope,
        today: &str,
        week_end: &str,
    ) -> Result<Vec<UnitLoad>, StoreError>;

    /// Routes a category of a region to a unit.
    async fn set_rule(&self, region: &str, category: &str, unit: &str) -> Result<(), StoreError>;

    /// Claims up to `limit` due outbox rows, leased until `lease_until`.
    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<outbox::OutboxRow>, StoreError>;

    /// Records how a delivery ended.
    async fn finish_delivery(
        &self,
        id: i64,
        outcome: outbox::Delivered,
        now_ms: i64,
    ) -> Result<(), StoreError>;

    /// Parked (failed) outbox rows, newest first.
    async fn parked(&self, limit: i64) -> Result<Vec<outbox::ParkedRow>, StoreError>;

    /// Puts a parked row back in line; false when there is none with that id.
    async fn retry_parked(&self, id: i64, now_ms: i64) -> Result<bool, StoreError>;

    async fn outbox_counts(&self) -> Result<outbox::OutboxCounts, StoreError>;

    /// Adds a webhook subscriber; its id.
    async fn add_subscriber(
        &self,
        url: &str,
        region: Option<&str>,
        secret: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError>;

    async fn subscribers(&self) -> Result<Vec<outbox::Subscriber>, StoreError>;

    /// A new secret for a subscriber; the old one signs too until `old_until`.
    async fn rotate_secret(
        &self,
        id: i64,
        secret: &str,
        old_until: i64,
    ) -> Result<bool, StoreError>;

    async fn set_subscriber_active(&self, id: i64, active: bool) -> Result<bool, StoreError>;

    /// Sets a region's integration mode (`lapor`, `webhook` or `none`).
    async fn set_integration_mode(&self, region: &str, mode: &str) -> Result<bool, StoreError>;

    /// A subscriber's region, state and secrets.
    async fn subscriber_keys(&self, id: i64) -> Result<Option<outbox::SubscriberKeys>, StoreError>;

    /// True when this subscriber's message was applied already.
    async fn inbound_seen(&self, subscriber: i64, message: &str) -> Result<bool, StoreError>;

    /// Adds an Open311 partner by the SHA-256 of its key; its id.
    async fn add_partner(&self, name: &str, key_hash: &str, now_ms: i64)
    -> Result<i64, StoreError>;

    /// The active partner a key's hash belongs to.
    async fn partner_by_key(&self, key_hash: &str) -> Result<Option<outbox::Partner>, StoreError>;

    async fn partners(&self) -> Result<Vec<outbox::Partner>, StoreError>;

    /// Complaints for Open311, newest first; never a confidential one.
    async fn public_requests(
        &self,
        filter: &outbox::RequestFilter,
    ) -> Result<Vec<outbox::PublicRequest>, StoreError>;

    /// Stores the ids SP4N-LAPOR gave a forwarded complaint.
    async fn record_lapor(
        &self,
        complaint_id: i64,
        tracking_id: &str,
        transaction_id: &str,
    ) -> Result<(), StoreError>;

    /// The tracking code of the complaint LAPOR knows by this id.
    async fn code_by_lapor_id(&self, tracking_id: &str) -> Result<Option<String>, StoreError>;

    /// The tracking code of the complaint with this public id.
    async fn code_by_public_id(&self, public_id: &str) -> Result<Option<String>, StoreError>;

    /// True when this LAPOR update was applied already.
    async fn lapor_update_seen(&self, update_id: &str) -> Result<bool, StoreError>;

    /// Reminds officers of complaints due on `due_date` (once each); how many.
    async fn queue_due_reminders(
        &self,
        due_date: &str,
        mail: &crate::mail::MailContext,
        now_ms: i64,
    ) -> Result<usize, StoreError>;

    /// The body hash and receipt stored under an idempotency key, if any.
    async fn idempotent_receipt(&self, key: &str) -> Result<Option<(String, String)>, StoreError>;

    /// Starts an upload.
    async fn create_upload(&self, upload: NewUpload) -> Result<(), StoreError>;

    /// An upload that has not expired at `now_ms`.
    async fn upload(&self, id: &str, now_ms: i64) -> Result<Option<UploadRow>, StoreError>;

    /// Records what an upload became once cleaned; `false` when it is gone.
    async fn finish_upload(&self, id: &str, done: UploadRow) -> Result<bool, StoreError>;

    /// Forgets an upload; the row as it was.
    async fn delete_upload(&self, id: &str) -> Result<Option<UploadRow>, StoreError>;

    /// Forgets up to `limit` uploads that expired unattached; their rows.
    async fn take_expired_uploads(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<UploadRow>, StoreError>;

    /// Attaches cleaned uploads to a complaint, all or none, once each.
    async fn attach(&self, attaching: Attaching) -> Result<AttachOutcome, StoreError>;

    /// A complaint's attachments, oldest first.
    async fn attachments(&self, complaint_id: i64) -> Result<Vec<AttachmentRow>, StoreError>;

    /// One attachment and what the scope rules need of its complaint.
    async fn attachment(
        &self,
        id: &str,
    ) -> Result<Option<(AttachmentRow, AttachmentOwner)>, StoreError>;

    /// Hides an attachment from outlets outside the console and the
    /// tracker, or shows it again; `false` when the complaint has none by this id.
    async fn set_attachment_hidden(
        &self,
        complaint_id: i64,
        id: &str,
        hidden: bool,
    ) -> Result<bool, StoreError>;

    /// True while an attachment or a waiting upload names these bytes.
    async fn blob_in_use(&self, hash: &str) -> Result<bool, StoreError>;

    /// Deletes the attachments of complaints that ended before `before`;
    /// the hashes they named.
    async fn purge_attachments(&self, before: i64, limit: i64) -> Result<Vec<String>, StoreError>;

    /// The service's key of this name, made from `fresh` the first time.
    async fn service_key(&self, name: &str, fresh: &str) -> Result<String, StoreError>;

    /// Brings the facts of up to `limit` complaints written before the
    /// indicators existed up to date; how many it did.
    async fn backfill_facts(&self, limit: i64) -> Result<usize, StoreError>;

    /// Rebuilds every sum of the indicators from the complaints' facts; how
    /// many rows it wrote.
    async fn rebuild_stats(&self) -> Result<usize, StoreError>;

    /// Stores the reporter's rating; `false` when there is one already.
    async fn rate(
        &self,
        complaint_id: i64,
        score: i32,
        comment: Option<String>,
        at_ms: i64,
    ) -> Result<bool, StoreError>;

    /// A complaint's rating, comment and time, if given.
    async fn rating(
        &self,
        complaint_id: i64,
    ) -> Result<Option<(i32, Option<String>, i64)>, StoreError>;

    /// The sums per day for a filter.
    async fn stats_days(
        &self,
        filter: &crate::stats::FactFilter,
    ) -> Result<Vec<crate::stats::DayRow>, StoreError>;

    /// What is late on `today` among complaints received in the filter's period.
    async fn stats_live(
        &self,
        filter: &crate::stats::FactFilter,
        today: &str,
    ) -> Result<Vec<crate::stats::LiveRow>, StoreError>;

    /// Each region's integration and signs of life.
    async fn pulses(&self) -> Result<Vec<crate::stats::PulseRow>, StoreError>;

    /// Records that a region's widget loaded.
    async fn widget_seen(&self, region: &str, at_ms: i64) -> Result<(), StoreError>;

    /// Complaints handed off from `region` received between the times.
    async fn handed_off(&self, region: &str, from_ms: i64, to_ms: i64) -> Result<i64, StoreError>;

    /// Hands a supervisory category to a unit of a region, or stops it.
    async fn set_handoff(
        &self,
        category: &str,
        to: Option<(String, String)>,
    ) -> Result<(), StoreError>;

    /// Complaints received in the filter's period, one row each.
    async fn stats_export(
        &self,
        filter: &crate::stats::FactFilter,
        limit: i64,
    ) -> Result<Vec<crate::stats::ExportRow>, StoreError>;

    /// The origin rules of a region's sites.
    async fn region_origins(&self, region: &str) -> Result<Vec<String>, StoreError>;

    /// The sites of a region (every site for `None`).
    async fn sites(&self, region: Option<&str>) -> Result<Vec<crate::sites::SiteRow>, StoreError>;

    /// One site with everything its page shows.
    async fn site_detail(&self, id: i64) -> Result<Option<crate::sites::SiteDetail>, StoreError>;

    /// A site by its public key, with its origins.
    async fn site_by_key(
        &self,
        key: &str,
    ) -> Result<Option<(crate::sites::Site, Vec<String>)>, StoreError>;

    /// Unregistered origins a region's widget was used from (every region for `None`).
    async fn origin_refusals(
        &self,
        region: Option<&str>,
    ) -> Result<Vec<crate::sites::Refusal>, StoreError>;

    /// Creates or changes a site; its id, `None` when the site to change is gone.
    async fn save_site(&self, write: crate::sites::SiteWrite) -> Result<Option<i64>, StoreError>;

    /// Removes a site; false when there was none.
    async fn delete_site(&self, id: i64) -> Result<bool, StoreError>;

    /// Records something about a site or an origin.
    async fn site_note(&self, note: crate::sites::SiteNote, at_ms: i64) -> Result<(), StoreError>;

    /// Joinable complaints like one a citizen is about to file ("saya
    /// juga"): see [`ops::similar`](sqlite_ops::similar).
    async fn similar(
        &self,
        region: &str,
        category: &str,
        district: &str,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<crate::supporters::SimilarRow>, StoreError>;

    /// Takes a citizen as a supporter of a joinable complaint, once, and
    /// queues the e-mail that asks them to confirm (`mail`: `None` when
    /// e-mail is off, and then nobody can join).
    async fn join(
        &self,
        public_id: &str,
        who: crate::supporters::NewSupporter,
        mail: Option<crate::mail::MailContext>,
    ) -> Result<crate::supporters::Joined, StoreError>;

    /// Counts the supporter whose confirmation link this is.
    async fn confirm_supporter(
        &self,
        token: &str,
        at_ms: i64,
    ) -> Result<crate::supporters::Confirmed, StoreError>;

    /// Stops a supporter's e-mails; the supported complaint's title, `None`
    /// for an unknown token.
    async fn leave(&self, token: &str) -> Result<Option<String>, StoreError>;

    /// Supporters who joined between the times (of one region or all), and
    /// how many complaints they joined.
    async fn supporters_between(
        &self,
        region: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(i64, i64), StoreError>;

    /// Finishes writes in flight and closes every connection.
    async fn close(&self);
}

pub mod sqlite_ops {
    //! The statements of `ops/` on SQLite.
    pub type Db = sqlx::Sqlite;
    pub type Conn = sqlx::SqliteConnection;
    /// SQLite has one writer: a claimed row cannot be claimed by another.
    pub const SKIP_LOCKED: &str = "";
    /// SQLite's one writer runs writes one at a time: nothing to lock.
    pub const LOCK_KEY: &str = "";
    /// Nor a row.
    pub const LOCK_COMPLAINT: &str = "";
    /// The engine's full-text search (see `ops/complaints.rs`).
    pub const POSTGRES: bool = false;
    include!("ops/prelude.rs");
    include!("ops/officers.rs");
    include!("ops/sessions.rs");
    include!("ops/complaints.rs");
    include!("ops/outbox.rs");
    include!("ops/subscribers.rs");
    include!("ops/lapor.rs");
    include!("ops/retention.rs");
    include!("ops/attachments.rs");
    include!("ops/stats.rs");
    include!("ops/sites.rs");
    include!("ops/supporters.rs");
    include!("ops/work.rs");
}

pub mod postgres_ops {
    //! The statements of `ops/` on PostgreSQL.
    pub type Db = sqlx::Postgres;
    pub type Conn = sqlx::PgConnection;
    /// Several processes claim outbox rows side by side without waiting.
    pub const SKIP_LOCKED: &str = " FOR UPDATE OF o SKIP LOCKED";
    /// A lock on a text key until the transaction ends.
    pub const LOCK_KEY: &str = "SELECT pg_advisory_xact_lock(hashtext($1))";
    /// The complaint row read, until the transaction ends.
    pub const LOCK_COMPLAINT: &str = " FOR UPDATE OF c";
    /// The engine's full-text search (see `ops/complaints.rs`).
    pub const POSTGRES: bool = true;
    include!("ops/prelude.rs");
    include!("ops/officers.rs");
    include!("ops/sessions.rs");
    include!("ops/complaints.rs");
    include!("ops/outbox.rs");
    include!("ops/subscribers.rs");
    include!("ops/lapor.rs");
    include!("ops/retention.rs");
    include!("ops/attachments.rs");
    include!("ops/stats.rs");
    include!("ops/sites.rs");
    include!("ops/supporters.rs");
    include!("ops/work.rs");
}

/// The default integration mode for a 2019 LAPOR group.
pub fn default_mode(group: u8) -> &'static str {
    match group {
        1 => "lapor",
        3 => "webhook",
        _ => "none",
    }
}
