//! The embedded SQLite store.
//!
//! WAL mode with an explicit `synchronous` setting, both read back at start-up.
//! Every write goes through one writer task with group commit (see
//! [`super::writer`]); reads use a separate read-only pool.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, SqliteConnection};

use super::outbox::{
    Delivered, OutboxCounts, OutboxRow, ParkedRow, Partner, PublicRequest, RequestFilter,
    Subscriber, SubscriberKeys,
};
use super::sql::{self, CatalogRows, PublicRow, SeedRows, public_parts};
use super::sqlite_ops as ops;
use super::writer::Writer;
use super::{
    ActOutcome, ComplaintRecord, HistoryEvent, Identity, InboxQuery, InboxRow, NewComplaint,
    NewOfficer, NewSession, Officer, PublicComplaint, PublicEvent, ReplyOutcome, ReporterReply,
    Scope, Store, StoreError, SubmitOutcome, Transition, UnitLoad,
};
use super::{Assignment, DigestDue, NewView, SavedView};
use super::{Budget, ComplaintRef, FoundRow, Purged, ReporterQuery, Retention, WordQuery};
use crate::attachments::{
    AttachOutcome, Attaching, AttachmentOwner, AttachmentRow, NewUpload, UploadRow,
};
use crate::config::SqliteSynchronous as Durability;
use crate::domain::catalog::Catalog;
use crate::domain::reference::ReferenceData;

/// The SQLite schema's migrations.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

/// How much of the database file each connection maps into memory: pages
/// are read from the operating system's cache without a copy, shared by
/// every connection (a search at a million complaints reads thousands of
/// scattered pages).
const MMAP_BYTES: i64 = 1 << 30;
/// Each connection's own page cache, in KiB (SQLite's `-N` form).
const CACHE_KIB: i64 = -16_384;

/// The SQLite store: one writer task and a read-only pool.
#[derive(Debug)]
pub struct SqliteStore {
    writer: Writer,
    readers: SqlitePool,
    signals: std::sync::Arc<super::Signals>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, applies migrations and
    /// checks the durability settings.
    pub async fn open(
        path: &Path,
        durability: Durability,
        readers: u32,
    ) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create the folder {}: {e}", dir.display()))
            })?;
        }
        let synchronous = match durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(StoreError::from)?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("mmap_size", MMAP_BYTES.to_string())
            .pragma("cache_size", CACHE_KIB.to_string());

        // Migrations run through a one-connection pool, closed before the
        // writer opens its own connection.
        let migrations = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        let migrated = MIGRATOR.run(&migrations).await;
        migrations.close().await;
        migrated.map_err(|e| StoreError::Unavailable(format!("migrations: {e}")))?;
        let mut conn = SqliteConnection::connect_with(&options).await?;
        verify_pragmas(&mut conn, durability).await?;

        let readers = SqlitePoolOptions::new()
            .max_connections(readers.max(1))
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(options.read_only(true))
            .await?;

        let signals = std::sync::Arc::new(super::Signals::default());
        let writer = Writer::spawn(conn, signals.clone()).await?;
        Ok(SqliteStore {
            writer,
            readers,
            signals,
        })
    }
}

async fn verify_pragmas(
    conn: &mut SqliteConnection,
    durability: Durability,
) -> Result<(), StoreError> {
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&mut *conn)
        .await?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unavailable(format!(
            "SQLite journal_mode is `{mode}`, not `wal`; refusing to start"
        )));
    }
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&mut *conn)
        .await?;
    let wanted = match durability {
        Durability::Full => 2,
        Durability::Normal => 1,
    };
    if sync != wanted {
        return Err(StoreError::Unavailable(format!(
            "SQLite synchronous is {sync}, not {wanted}; refusing to start"
        )));
    }
    Ok(())
}

async fn submit_in(
    conn: &mut SqliteConnection,
    c: NewComplaint,
) -> Result<SubmitOutcome, StoreError> {
    let previous: Option<(String, String)> = sqlx::query_as(sql::SELECT_IDEMPOTENCY)
        .bind(&c.idempotency_key)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some((hash, receipt)) = previous {
        return Ok(if hash == c.body_hash {
            SubmitOutcome::Replayed(receipt)
        } else {
            SubmitOutcome::KeyReused
        });
    }
    let id: i64 = sqlx::query_scalar(sql::INSERT_COMPLAINT)
        .bind(&c.tracking_code)
        .bind(&c.region)
        .bind(&c.unit)
        .bind(&c.filed_region)
        .bind(&c.district)
        .bind(&c.category)
        .bind(&c.classification)
        .bind(c.privacy.anonymous())
        .bind(c.privacy.confidential())
        .bind(&c.title)
        .bind(&c.description)
        .bind(&c.location)
        .bind(&c.incident_date)
        .bind(&c.locale)
        .bind(&c.due_step)
        .bind(&c.due_date)
        .bind(c.at_ms)
        .bind(&c.public_id)
        .bind(&c.channel)
        .bind(&c.handed_off_from)
        .bind(c.position.map(|p| p.0))
        .bind(c.position.map(|p| p.1))
        .bind(&c.landmark)
        .fetch_one(&mut *conn)
        .await?;
    if !c.reporter.is_empty() {
        sqlx::query(sql::INSERT_REPORTER)
            .bind(id)
            .bind(&c.reporter.name)
            .bind(&c.reporter.email)
            .bind(&c.reporter.phone)
            .execute(&mut *conn)
            .await?;
    }
    let event_id: i64 = sqlx::query_scalar(sql::INSERT_EVENT)
        .bind(id)
        .bind(c.at_ms)
        .bind("submitted")
        .bind("reporter")
        .bind(None::<String>)
        .bind("submitted")
        .bind(None::<String>)
        .fetch_one(&mut *conn)
        .await?;
    ops::fan_out(conn, event_id, id, &c.created_facts()).await?;
    if let Some(ctx) = &c.mail {
        let notify = crate::casework::notify(None, aduan_app::api::Status::Submitted);
        ops::queue_mail(
            conn,
            event_id,
            id,
            "reporter",
            &c.created_facts(),
            &notify,
            ctx,
        )
        .await?;
    }
    let inserted: Option<String> = sqlx::query_scalar(sql::INSERT_IDEMPOTENCY)
        .bind(&c.idempotency_key)
        .bind(&c.body_hash)
        .bind(id)
        .bind(&c.receipt_json)
        .bind(c.at_ms)
        .fetch_optional(&mut *conn)
        .await?;
    ops::refresh_facts(conn, id).await?;
    match inserted {
        Some(_) => Ok(SubmitOutcome::Created),
        // One writer sees every earlier key, so this cannot happen; refuse
        // rather than keep a complaint without its key.
        None => Err(StoreError::Unavailable(
            "idempotency key raced on SQLite".into(),
        )),
    }
}

async fn reply_in(
    conn: &mut SqliteConnection,
    r: ReporterReply,
) -> Result<ReplyOutcome, StoreError> {
    let found: Option<sql::ReplyTarget> = sqlx::query_as(sql::SELECT_STATUS_FOR_REPLY)
        .bind(&r.tracking_code)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(target) = found else {
        return Ok(ReplyOutcome::NotFound);
    };
    let (id, status) = (target.id, target.status.clone());
    if let Some((key, hash)) = &r.idempotency {
        let previous: Option<(i64, String)> = sqlx::query_as(sql::SELECT_REPLY_KEY)
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some((complaint, previous_hash)) = previous {
            return Ok(if complaint == id && &previous_hash == hash {
                ReplyOutcome::Replayed
            } else {
                ReplyOutcome::KeyReused
            });
        }
    }
    if aduan_app::api::Status::from_key(&status).is_some_and(aduan_app::api::Status::is_final) {
        return Ok(ReplyOutcome::Closed);
    }
    if let Some((key, hash)) = &r.idempotency {
        sqlx::query(sql::INSERT_REPLY_KEY)
            .bind(key)
            .bind(id)
            .bind(hash)
            .bind(r.at_ms)
            .execute(&mut *conn)
            .await?;
    }
    let (to_status, due) = r.after(&status);
    let moved = to_status != status;
    let event_id: i64 = sqlx::query_scalar(sql::INSERT_EVENT)
        .bind(id)
        .bind(r.at_ms)
        .bind("reply")
        .bind("reporter")
        .bind(moved.then_some(status.as_str()))
        .bind(moved.then_some(to_status.as_str()))
        .bind(&r.message)
        .fetch_one(&mut *conn)
        .await?;
    ops::fan_out(conn, event_id, id, &r.facts(&target, &status, &to_status)).await?;
    match due {
        Some((step, date)) if moved => {
            sqlx::query(sql::RESUME_AFTER_REPLY)
                .bind(id)
                .bind(step)
                .bind(date)
                .bind(r.at_ms)
                .bind(&to_status)
                .execute(&mut *conn)
                .await?;
        }
        _ => {
            sqlx::query(sql::TOUCH_AFTER_REPLY)
                .bind(id)
                .bind(r.at_ms)
                .execute(&mut *conn)
                .await?;
        }
    }
    ops::refresh_facts(conn, id).await?;
    Ok(ReplyOutcome::Added { status: to_status })
}

async fn seed_in(conn: &mut SqliteConnection, rows: SeedRows) -> Result<(), StoreError> {
    for r in rows.regions {
        sqlx::query(sql::INSERT_REGION)
            .bind(r.0)
            .bind(r.1)
            .bind(r.2)
            .bind(r.3)
            .bind(r.4)
            .bind(r.5)
            .bind(r.6)
            .bind(r.7)
            .bind(r.8)
            .bind(r.9)
            .execute(&mut *conn)
            .await?;
    }
    for d in rows.districts {
        sqlx::query(sql::INSERT_DISTRICT)
            .bind(d.0)
            .bind(d.1)
            .bind(d.2)
            .bind(d.3)
            .execute(&mut *conn)
            .await?;
    }
    for u in rows.units {
        sqlx::query(sql::INSERT_UNIT)
            .bind(u.0)
            .bind(u.1)
            .bind(u.2)
            .bind(u.3)
            .bind(u.4)
            .execute(&mut *conn)
            .await?;
    }
    for c in rows.categories {
        sqlx::query(sql::INSERT_CATEGORY)
            .bind(c.0)
            .bind(c.1)
            .bind(c.2)
            .bind(c.3)
            .bind(c.4)
            .execute(&mut *conn)
            .await?;
    }
    for r in rows.rules {
        sqlx::query(sql::INSERT_RULE)
            .bind(r.0)
            .bind(r.1)
            .bind(r.2)
            .execute(&mut *conn)
            .await?;
    }
    for h in rows.holidays {
        sqlx::query(sql::INSERT_HOLIDAY)
            .bind(h.0)
            .bind(h.1)
            .bind(h.2)
            .execute(&mut *conn)
            .await?;
    }
    for h in rows.handoffs {
        sqlx::query(sql::INSERT_HANDOFF)
            .bind(h.0)
            .bind(h.1)
            .bind(h.2)
            .execute(&mut *conn)
            .await?;
    }
    for s in rows.settings {
        sqlx::query(sql::INSERT_SETTING)
            .bind(s.0)
            .bind(s.1)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn pool_use(&self) -> super::PoolUse {
        // The readers' pool and the one writer's connection.
        super::PoolUse {
            open: self.readers.size() + 1,
            idle: u32::try_from(self.readers.num_idle()).unwrap_or(u32::MAX),
            max: self.readers.options().get_max_connections() + 1,
        }
    }

    async fn complaints_by_status(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT status, COUNT(*) FROM complaints GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.readers)
        .await?)
    }

    fn signals(&self) -> &super::Signals {
        &self.signals
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn health(&self) -> Result<(), StoreError> {
        let _: i64 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&self.readers)
            .await?;
        self.writer
            .write(Box::new(|_conn| Box::pin(async { Ok(()) })))
            .await
    }

    async fn seed(&self, data: &ReferenceData) -> Result<(), StoreError> {
        let rows = SeedRows::from(data);
        self.writer
            .write(Box::new(move |conn| Box::pin(seed_in(conn, rows))))
            .await
    }

    async fn load_catalog(&self) -> Result<Catalog, StoreError> {
        let pool = &self.readers;
        CatalogRows {
            regions: sqlx::query_as(sql::SELECT_REGIONS).fetch_all(pool).await?,
            districts: sqlx::query_as(sql::SELECT_DISTRICTS)
                .fetch_all(pool)
                .await?,
            units: sqlx::query_as(sql::SELECT_UNITS).fetch_all(pool).await?,
            categories: sqlx::query_as(sql::SELECT_CATEGORIES)
                .fetch_all(pool)
                .await?,
            rules: sqlx::query_as(sql::SELECT_RULES).fetch_all(pool).await?,
            holidays: sqlx::query_as(sql::SELECT_HOLIDAYS).fetch_all(pool).await?,
            handoffs: sqlx::query_as(sql::SELECT_HANDOFFS).fetch_all(pool).await?,
            settings: sqlx::query_as(sql::SELECT_SETTINGS).fetch_all(pool).await?,
        }
        .assemble()
    }

    async fn submit(&self, complaint: NewComplaint) -> Result<SubmitOutcome, StoreError> {
        self.writer
            .write(Box::new(move |conn| Box::pin(submit_in(conn, complaint))))
            .await
    }

    async fn find_public(
        &self,
        tracking_code: &str,
    ) -> Result<Option<(PublicComplaint, Vec<PublicEvent>)>, StoreError> {
        let rows: Vec<PublicRow> = sqlx::query_as(sql::SELECT_PUBLIC)
            .bind(tracking_code)
            .fetch_all(&self.readers)
            .await?;
        Ok(public_parts(rows))
    }

    async fn add_reporter_reply(&self, reply: ReporterReply) -> Result<ReplyOutcome, StoreError> {
        self.writer
            .write(Box::new(move |conn| Box::pin(reply_in(conn, reply))))
            .await
    }

    async fn add_officer(&self, officer: NewOfficer) -> Result<Option<i64>, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::add_officer(conn, officer))
            }))
            .await
    }

    async fn officer_by_email(&self, email: &str) -> Result<Option<(Officer, String)>, StoreError> {
        ops::officer_by_email(&mut *self.readers.acquire().await?, email).await
    }

    async fn officers(
        &self,
        region: Option<&str>,
    ) -> Result<Vec<super::console::OfficerEntry>, StoreError> {
        ops::officers(&mut *self.readers.acquire().await?, region).await
    }

    async fn set_officer_active(
        &self,
        id: i64,
        active: bool,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::set_officer_active(conn, id, active, at_ms))
            }))
            .await
    }

    async fn assign(&self, assignment: Assignment) -> Result<ActOutcome, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::assign(conn, &assignment).await })
            }))
            .await
    }

    async fn mail_preference(
        &self,
        officer_id: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        ops::mail_preference(&mut *self.readers.acquire().await?, officer_id).await
    }

    async fn set_mail_preference(
        &self,
        officer_id: i64,
        pref: &str,
        digest_at: &str,
    ) -> Result<(), StoreError> {
        let (pref, digest_at) = (pref.to_owned(), digest_at.to_owned());
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    ops::set_mail_preference(conn, officer_id, &pref, &digest_at).await
                })
            }))
            .await
    }

    async fn saved_views(&self, officer_id: i64) -> Result<Vec<SavedView>, StoreError> {
        ops::saved_views(&mut *self.readers.acquire().await?, officer_id).await
    }

    async fn save_view(&self, officer_id: i64, view: NewView) -> Result<i64, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::save_view(conn, officer_id, &view).await })
            }))
            .await
    }

    async fn delete_view(&self, officer_id: i64, id: i64) -> Result<bool, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::delete_view(conn, officer_id, id))
            }))
            .await
    }

    async fn digests_due(&self, day: &str, time: &str) -> Result<Vec<DigestDue>, StoreError> {
        ops::digests_due(&mut *self.readers.acquire().await?, day, time).await
    }

    async fn queue_digest(
        &self,
        officer_id: i64,
        day: &str,
        mail: crate::mail::Mail,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let day = day.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(
                    async move { ops::queue_digest(conn, officer_id, &day, &mail, at_ms).await },
                )
            }))
            .await
    }

    async fn change_password(
        &self,
        officer_id: i64,
        password_hash: &str,
        session: NewSession,
    ) -> Result<(), StoreError> {
        let hash = password_hash.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let session = session.clone();
                Box::pin(
                    async move { ops::change_password(conn, officer_id, &hash, session).await },
                )
            }))
            .await
    }

    async fn open_session(&self, session: NewSession) -> Result<(), StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::open_session(conn, session))
            }))
            .await
    }

    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(Officer, String)>, StoreError> {
        ops::session(&mut *self.readers.acquire().await?, token_hash, now_ms).await
    }

    async fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        let token_hash = token_hash.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::close_session(conn, &token_hash).await })
            }))
            .await
    }

    async fn take_attempt(&self, budgets: &[Budget], now_ms: i64) -> Result<bool, StoreError> {
        let budgets = budgets.to_vec();
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::take_attempt(conn, &budgets, now_ms).await })
            }))
            .await
    }

    async fn reset_budgets(&self, keys: &[String]) -> Result<(), StoreError> {
        let keys = keys.to_vec();
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::reset_budgets(conn, &keys).await })
            }))
            .await
    }

    async fn device_email(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        ops::device_email(&mut *self.readers.acquire().await?, token_hash, now_ms).await
    }

    async fn trust_device(
        &self,
        token_hash: &str,
        officer_id: i64,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let token_hash = token_hash.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    ops::trust_device(conn, &token_hash, officer_id, now_ms, expires_at).await
                })
            }))
            .await
    }

    async fn erase_contact(&self, tracking_code: &str, at_ms: i64) -> Result<bool, StoreError> {
        let code = tracking_code.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let code = code.clone();
                Box::pin(async move { ops::erase_contact(conn, &code, at_ms).await })
            }))
            .await
    }

    async fn purge(&self, retention: Retention) -> Result<Purged, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::purge(conn, &retention).await })
            }))
            .await
    }

    async fn sweep(&self, now_ms: i64, budgets_before: i64) -> Result<(), StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::sweep(conn, now_ms, budgets_before))
            }))
            .await
    }

    async fn inbox(&self, query: &InboxQuery) -> Result<Vec<InboxRow>, StoreError> {
        ops::inbox(&mut *self.readers.acquire().await?, query).await
    }

    async fn search(&self, query: &WordQuery) -> Result<Vec<FoundRow>, StoreError> {
        ops::search(&mut *self.readers.acquire().await?, query).await
    }

    async fn holder_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        ops::holder_names(&mut *self.readers.acquire().await?, ids).await
    }

    async fn search_reporters(&self, query: &ReporterQuery) -> Result<Vec<InboxRow>, StoreError> {
        ops::search_reporters(&mut *self.readers.acquire().await?, query).await
    }

    async fn officer_complaint(
        &self,
        tracking_code: &str,
        scope: &Scope,
    ) -> Result<Option<(ComplaintRecord, Vec<HistoryEvent>)>, StoreError> {
        ops::complaint(&mut *self.readers.acquire().await?, tracking_code, scope).await
    }

    async fn identity(&self, complaint_id: i64) -> Result<Option<Identity>, StoreError> {
        ops::identity(&mut *self.readers.acquire().await?, complaint_id).await
    }

    async fn complaint_ref(&self, tracking_code: &str) -> Result<Option<ComplaintRef>, StoreError> {
        ops::complaint_ref(&mut *self.readers.acquire().await?, tracking_code).await
    }

    async fn act(&self, transition: Transition) -> Result<ActOutcome, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::act(conn, &transition).await })
            }))
            .await
    }

    async fn quiet_resolved(
        &self,
        today: &str,
        limit: i64,
    ) -> Result<Vec<ComplaintRef>, StoreError> {
        ops::quiet_resolved(&mut *self.readers.acquire().await?, today, limit).await
    }

    async fn overview(
        &self,
        scope: &Scope,
        today: &str,
        week_end: &str,
    ) -> Result<Vec<UnitLoad>, StoreError> {
        ops::overview(&mut *self.readers.acquire().await?, scope, today, week_end).await
    }

    async fn set_rule(&self, region: &str, category: &str, unit: &str) -> Result<(), StoreError> {
        let (region, category, unit) = (region.to_owned(), category.to_owned(), unit.to_owned());
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::set_rule(conn, &region, &category, &unit).await })
            }))
            .await
    }

    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::claim_outbox(conn, now_ms, lease_until, limit))
            }))
            .await
    }

    async fn finish_delivery(
        &self,
        id: i64,
        outcome: Delivered,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::finish_delivery(conn, id, &outcome, now_ms).await })
            }))
            .await
    }

    async fn parked(&self, limit: i64) -> Result<Vec<ParkedRow>, StoreError> {
        ops::parked(&mut *self.readers.acquire().await?, limit).await
    }

    async fn retry_parked(&self, id: i64, now_ms: i64) -> Result<bool, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::retry_parked(conn, id, now_ms))
            }))
            .await
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        ops::outbox_counts(&mut *self.readers.acquire().await?).await
    }

    async fn add_subscriber(
        &self,
        url: &str,
        region: Option<&str>,
        secret: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let (url, region, secret) = (url.to_owned(), region.map(str::to_owned), secret.to_owned());
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    ops::add_subscriber(conn, &url, region.as_deref(), &secret, now_ms).await
                })
            }))
            .await
    }

    async fn subscribers(&self) -> Result<Vec<Subscriber>, StoreError> {
        ops::subscribers(&mut *self.readers.acquire().await?).await
    }

    async fn rotate_secret(
        &self,
        id: i64,
        secret: &str,
        old_until: i64,
    ) -> Result<bool, StoreError> {
        let secret = secret.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::rotate_secret(conn, id, &secret, old_until).await })
            }))
            .await
    }

    async fn set_subscriber_active(&self, id: i64, active: bool) -> Result<bool, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::set_subscriber_active(conn, id, active))
            }))
            .await
    }

    async fn set_integration_mode(&self, region: &str, mode: &str) -> Result<bool, StoreError> {
        let (region, mode) = (region.to_owned(), mode.to_owned());
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::set_integration_mode(conn, &region, &mode).await })
            }))
            .await
    }

    async fn subscriber_keys(&self, id: i64) -> Result<Option<SubscriberKeys>, StoreError> {
        ops::subscriber_keys(&mut *self.readers.acquire().await?, id).await
    }

    async fn inbound_seen(&self, subscriber: i64, message: &str) -> Result<bool, StoreError> {
        ops::inbound_seen(&mut *self.readers.acquire().await?, subscriber, message).await
    }

    async fn add_partner(
        &self,
        name: &str,
        key_hash: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        let (name, key_hash) = (name.to_owned(), key_hash.to_owned());
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move { ops::add_partner(conn, &name, &key_hash, now_ms).await })
            }))
            .await
    }

    async fn partner_by_key(&self, key_hash: &str) -> Result<Option<Partner>, StoreError> {
        ops::partner_by_key(&mut *self.readers.acquire().await?, key_hash).await
    }

    async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        ops::partners(&mut *self.readers.acquire().await?).await
    }

    async fn public_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Vec<PublicRequest>, StoreError> {
        ops::public_requests(&mut *self.readers.acquire().await?, filter).await
    }

    async fn record_lapor(
        &self,
        complaint_id: i64,
        tracking_id: &str,
        transaction_id: &str,
    ) -> Result<(), StoreError> {
        let (tracking, transaction) = (tracking_id.to_owned(), transaction_id.to_owned());
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    ops::record_lapor(conn, complaint_id, &tracking, &transaction).await
                })
            }))
            .await
    }

    async fn code_by_lapor_id(&self, tracking_id: &str) -> Result<Option<String>, StoreError> {
        ops::code_by_lapor_id(&mut *self.readers.acquire().await?, tracking_id).await
    }

    async fn code_by_public_id(&self, public_id: &str) -> Result<Option<String>, StoreError> {
        ops::code_by_public_id(&mut *self.readers.acquire().await?, public_id).await
    }

    async fn lapor_update_seen(&self, update_id: &str) -> Result<bool, StoreError> {
        ops::lapor_update_seen(&mut *self.readers.acquire().await?, update_id).await
    }

    async fn queue_due_reminders(
        &self,
        due_date: &str,
        mail: &crate::mail::MailContext,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        let (due_date, mail) = (due_date.to_owned(), mail.clone());
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(
                    async move { ops::queue_due_reminders(conn, &due_date, &mail, now_ms).await },
                )
            }))
            .await
    }

    async fn idempotent_receipt(&self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        Ok(sqlx::query_as(sql::SELECT_IDEMPOTENCY)
            .bind(key)
            .fetch_optional(&self.readers)
            .await?)
    }

    async fn create_upload(&self, upload: NewUpload) -> Result<(), StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                let upload = upload.clone();
                Box::pin(async move { ops::create_upload(conn, &upload).await })
            }))
            .await
    }

    async fn upload(&self, id: &str, now_ms: i64) -> Result<Option<UploadRow>, StoreError> {
        ops::upload(&mut *self.readers.acquire().await?, id, now_ms).await
    }

    async fn finish_upload(&self, id: &str, done: UploadRow) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let (id, done) = (id.clone(), done.clone());
                Box::pin(async move { ops::finish_upload(conn, &id, &done).await })
            }))
            .await
    }

    async fn delete_upload(&self, id: &str) -> Result<Option<UploadRow>, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let id = id.clone();
                Box::pin(async move { ops::delete_upload(conn, &id).await })
            }))
            .await
    }

    async fn take_expired_uploads(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<UploadRow>, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::take_expired_uploads(conn, now_ms, limit))
            }))
            .await
    }

    async fn attach(&self, attaching: Attaching) -> Result<AttachOutcome, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                let attaching = attaching.clone();
                Box::pin(async move { ops::attach(conn, &attaching).await })
            }))
            .await
    }

    async fn attachments(&self, complaint_id: i64) -> Result<Vec<AttachmentRow>, StoreError> {
        ops::attachments(&mut *self.readers.acquire().await?, complaint_id).await
    }

    async fn attachment(
        &self,
        id: &str,
    ) -> Result<Option<(AttachmentRow, AttachmentOwner)>, StoreError> {
        ops::attachment(&mut *self.readers.acquire().await?, id).await
    }

    async fn set_attachment_hidden(
        &self,
        complaint_id: i64,
        id: &str,
        hidden: bool,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let id = id.clone();
                Box::pin(async move {
                    ops::set_attachment_hidden(conn, complaint_id, &id, hidden).await
                })
            }))
            .await
    }

    async fn blob_in_use(&self, hash: &str) -> Result<bool, StoreError> {
        // Asked of the writer: a file attached a moment ago counts.
        let hash = hash.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let hash = hash.clone();
                Box::pin(async move { ops::blob_in_use(conn, &hash).await })
            }))
            .await
    }

    async fn purge_attachments(&self, before: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::purge_attachments(conn, before, limit))
            }))
            .await
    }

    async fn service_key(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        let (name, fresh) = (name.to_owned(), fresh.to_owned());
        self.writer
            .write(Box::new(move |conn| {
                let (name, fresh) = (name.clone(), fresh.clone());
                Box::pin(async move { ops::service_key(conn, &name, &fresh).await })
            }))
            .await
    }

    async fn backfill_facts(&self, limit: i64) -> Result<usize, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(async move {
                    let ids = ops::unfacted(conn, limit).await?;
                    for id in &ids {
                        ops::refresh_facts(conn, *id).await?;
                    }
                    Ok(ids.len())
                })
            }))
            .await
    }

    async fn rebuild_stats(&self) -> Result<usize, StoreError> {
        self.writer
            .write(Box::new(move |conn| Box::pin(ops::rebuild_stats(conn))))
            .await
    }

    async fn rate(
        &self,
        complaint_id: i64,
        score: i32,
        comment: Option<String>,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                let comment = comment.clone();
                Box::pin(async move {
                    ops::rate(conn, complaint_id, score, comment.as_deref(), at_ms).await
                })
            }))
            .await
    }

    async fn rating(
        &self,
        complaint_id: i64,
    ) -> Result<Option<(i32, Option<String>, i64)>, StoreError> {
        ops::rating(&mut *self.readers.acquire().await?, complaint_id).await
    }

    async fn stats_days(
        &self,
        filter: &crate::stats::FactFilter,
    ) -> Result<Vec<crate::stats::DayRow>, StoreError> {
        ops::day_rows(&mut *self.readers.acquire().await?, filter).await
    }

    async fn stats_live(
        &self,
        filter: &crate::stats::FactFilter,
        today: &str,
    ) -> Result<Vec<crate::stats::LiveRow>, StoreError> {
        ops::live_rows(&mut *self.readers.acquire().await?, filter, today).await
    }

    async fn pulses(&self) -> Result<Vec<crate::stats::PulseRow>, StoreError> {
        ops::pulses(&mut *self.readers.acquire().await?).await
    }

    async fn widget_seen(&self, region: &str, at_ms: i64) -> Result<(), StoreError> {
        let region = region.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let region = region.clone();
                Box::pin(async move { ops::widget_seen(conn, &region, at_ms).await })
            }))
            .await
    }

    async fn handed_off(&self, region: &str, from_ms: i64, to_ms: i64) -> Result<i64, StoreError> {
        ops::handed_off(&mut *self.readers.acquire().await?, region, from_ms, to_ms).await
    }

    async fn set_handoff(
        &self,
        category: &str,
        to: Option<(String, String)>,
    ) -> Result<(), StoreError> {
        let category = category.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let (category, to) = (category.clone(), to.clone());
                Box::pin(async move {
                    ops::set_handoff(
                        conn,
                        &category,
                        to.as_ref().map(|(r, u)| (r.as_str(), u.as_str())),
                    )
                    .await
                })
            }))
            .await
    }

    async fn stats_export(
        &self,
        filter: &crate::stats::FactFilter,
        limit: i64,
    ) -> Result<Vec<crate::stats::ExportRow>, StoreError> {
        ops::export_rows(&mut *self.readers.acquire().await?, filter, limit).await
    }

    async fn region_origins(&self, region: &str) -> Result<Vec<String>, StoreError> {
        ops::region_origins(&mut *self.readers.acquire().await?, region).await
    }

    async fn sites(&self, region: Option<&str>) -> Result<Vec<crate::sites::SiteRow>, StoreError> {
        ops::sites(&mut *self.readers.acquire().await?, region).await
    }

    async fn site_detail(&self, id: i64) -> Result<Option<crate::sites::SiteDetail>, StoreError> {
        ops::site_detail(&mut *self.readers.acquire().await?, id).await
    }

    async fn site_by_key(
        &self,
        key: &str,
    ) -> Result<Option<(crate::sites::Site, Vec<String>)>, StoreError> {
        ops::site_by_key(&mut *self.readers.acquire().await?, key).await
    }

    async fn origin_refusals(
        &self,
        region: Option<&str>,
    ) -> Result<Vec<crate::sites::Refusal>, StoreError> {
        ops::refusals(&mut *self.readers.acquire().await?, region).await
    }

    async fn save_site(&self, write: crate::sites::SiteWrite) -> Result<Option<i64>, StoreError> {
        self.writer
            .write(Box::new(move |conn| Box::pin(ops::save_site(conn, write))))
            .await
    }

    async fn delete_site(&self, id: i64) -> Result<bool, StoreError> {
        self.writer
            .write(Box::new(move |conn| Box::pin(ops::delete_site(conn, id))))
            .await
    }

    async fn site_note(&self, note: crate::sites::SiteNote, at_ms: i64) -> Result<(), StoreError> {
        self.writer
            .write(Box::new(move |conn| {
                Box::pin(ops::site_note(conn, note, at_ms))
            }))
            .await
    }

    async fn similar(
        &self,
        region: &str,
        category: &str,
        district: &str,
        since_ms: i64,
        limit: i64,
    ) -> Result<Vec<crate::supporters::SimilarRow>, StoreError> {
        ops::similar(
            &mut *self.readers.acquire().await?,
            region,
            category,
            district,
            since_ms,
            limit,
        )
        .await
    }

    async fn join(
        &self,
        public_id: &str,
        who: crate::supporters::NewSupporter,
        mail: Option<crate::mail::MailContext>,
    ) -> Result<crate::supporters::Joined, StoreError> {
        let public_id = public_id.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let (public_id, who, mail) = (public_id.clone(), who.clone(), mail.clone());
                Box::pin(async move { ops::join(conn, &public_id, &who, mail.as_ref()).await })
            }))
            .await
    }

    async fn confirm_supporter(
        &self,
        token: &str,
        at_ms: i64,
    ) -> Result<crate::supporters::Confirmed, StoreError> {
        let token = token.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let token = token.clone();
                Box::pin(async move { ops::confirm(conn, &token, at_ms).await })
            }))
            .await
    }

    async fn leave(&self, token: &str) -> Result<Option<String>, StoreError> {
        let token = token.to_owned();
        self.writer
            .write(Box::new(move |conn| {
                let token = token.clone();
                Box::pin(async move { ops::leave(conn, &token).await })
            }))
            .await
    }

    async fn supporters_between(
        &self,
        region: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(i64, i64), StoreError> {
        ops::supporters_between(&mut *self.readers.acquire().await?, region, from_ms, to_ms).await
    }

    async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}
