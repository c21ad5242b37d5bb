//! The PostgreSQL store: one transaction per request on a connection pool.
//! Several server processes can share one database.

use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres, Transaction};

use super::outbox::{
    Delivered, OutboxCounts, OutboxRow, ParkedRow, Partner, PublicRequest, RequestFilter,
    Subscriber, SubscriberKeys,
};
use super::postgres_ops as ops;
use super::sql::{self, CatalogRows, PublicRow, SeedRows, public_parts};
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
use crate::domain::catalog::Catalog;
use crate::domain::reference::ReferenceData;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// A whole submission in one statement (see [`PostgresStore::submit`]).
const SUBMIT: &str = "WITH new_id AS (SELECT nextval(pg_get_serial_sequence('complaints', 'id')) AS id), \
     k AS (INSERT INTO idempotency_keys (key, body_hash, complaint_id, receipt, created_at) \
           SELECT $1, $2, new_id.id, $3, $4 FROM new_id ON CONFLICT DO NOTHING RETURNING complaint_id), \
     c AS (INSERT INTO complaints (id, tracking_code, public_id, region_slug, unit_key, filed_region_slug, district_key, category_key, classification, anonymous, confidential, title, description, location, incident_date, locale, status, due_step, due_date, created_at, updated_at, channel, handed_off_from, latitude, longitude, landmark) \
           SELECT k.complaint_id, $5, $27, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'submitted', $19, $20, $4, $4, $28, $29, $31, $32, $33 FROM k RETURNING id), \
     r AS (INSERT INTO reporters (complaint_id, name, email, phone) SELECT c.id, $21, $22, $23 FROM c WHERE $24), \
     e AS (INSERT INTO complaint_events (complaint_id, at, kind, author, to_status) SELECT c.id, $4, 'submitted', 'reporter', 'submitted' FROM c RETURNING id, complaint_id), \
     o AS (INSERT INTO outbox (delivery_id, channel, target, complaint_id, event_type, payload, state, attempts, next_attempt_at, created_at, request_id) \
           SELECT 'evt_' || e.id::text || '_' || s.id::text, 'webhook', s.id::text, e.complaint_id, $25, $26, 'pending', 0, $4, $4, $30 \
           FROM e JOIN regions r ON r.slug = $6 \
           JOIN webhook_subscribers s ON s.active AND (s.region_slug IS NULL OR (s.region_slug = r.slug AND r.integration_mode = 'webhook'))) \
     SELECT COALESCE(MAX(c.id), 0) FROM c";

/// The PostgreSQL store.
#[derive(Debug)]
pub struct PostgresStore {
    pool: PgPool,
    signals: std::sync::Arc<super::Signals>,
    /// The task that listens for other processes' notifications.
    listener: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for PostgresStore {
    /// A store dropped without [`Store::close`] (a command, a test) stops
    /// listening, so that its pool's connections close with it.
    fn drop(&mut self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
    }
}

/// The channels every process listens on.
const OUTBOX_CHANNEL: &str = "aduan_outbox";
const CATALOG_CHANNEL: &str = "aduan_catalog";

/// One generic cell rate step: the bucket's next theoretical arrival time
/// moves by one interval when the result stays within the burst; otherwise
/// nothing changes and no row comes back.
const TAKE_TOKEN: &str = "INSERT INTO rate_buckets AS b (key, tat) VALUES ($1, $2 + $3) \
     ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat, $2) + $3 \
     WHERE GREATEST(b.tat, $2) + $3 - $2 <= $4 RETURNING tat";

/// Listens for notifications until the store closes, and turns them into
/// the process's signals. After a lost connection it listens again and
/// wakes everything, since notifications sent meanwhile are gone.
async fn listen(pool: PgPool, signals: std::sync::Arc<super::Signals>) {
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for other processes; polling meanwhile");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([OUTBOX_CHANNEL, CATALOG_CHANNEL]).await {
            tracing::warn!(error = %e, "cannot listen for other processes; polling meanwhile");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        signals.outbox.notify_one();
        signals.catalog.notify_one();
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) if n.channel() == OUTBOX_CHANNEL => signals.outbox.notify_one(),
                Ok(Some(_)) => signals.catalog.notify_one(),
                // The connection was lost and is reopened on the next call.
                Ok(None) => {
                    signals.outbox.notify_one();
                    signals.catalog.notify_one();
                }
                Err(e) => {
                    tracing::warn!(error = %e, "lost the notification connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
            }
        }
    }
}

impl PostgresStore {
    /// Connects, and applies migrations (under PostgreSQL's advisory lock, so
    /// several processes starting together apply them once).
    /// With `listen`, one more connection waits for other processes'
    /// notifications (new outbox messages, new reference data); without it
    /// they are found by polling.
    pub async fn open(
        url: &str,
        pool_size: u32,
        listen: bool,
    ) -> Result<PostgresStore, StoreError> {
        let options: PgConnectOptions = url.parse().map_err(|_| {
            StoreError::Unavailable("DATABASE_URL is not a valid PostgreSQL URL".into())
        })?;
        // The listener keeps one connection of the pool for itself.
        let pool = PgPoolOptions::new()
            .max_connections(pool_size.max(2) + u32::from(listen))
            .acquire_timeout(Duration::from_secs(10))
            // A ping before every query would double the round trips; a
            // broken connection fails its query and is replaced.
            .test_before_acquire(false)
            .connect_with(options.application_name("aduan"))
            .await?;
        MIGRATOR
            .run(&pool)
            .await
            .map_err(|e| StoreError::Unavailable(format!("migrations: {e}")))?;
        let signals = std::sync::Arc::new(super::Signals::default());
        let listener = listen.then(|| tokio::spawn(self::listen(pool.clone(), signals.clone())));
        Ok(PostgresStore {
            pool,
            signals,
            listener,
        })
    }

    async fn begin(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

async fn idempotent_replay(
    conn: &mut PgConnection,
    c: &NewComplaint,
) -> Result<Option<SubmitOutcome>, StoreError> {
    let previous: Option<(String, String)> = sqlx::query_as(sql::SELECT_IDEMPOTENCY)
        .bind(&c.idempotency_key)
        .fetch_optional(conn)
        .await?;
    Ok(previous.map(|(hash, receipt)| {
        if hash == c.body_hash {
            SubmitOutcome::Replayed(receipt)
        } else {
            SubmitOutcome::KeyReused
        }
    }))
}

#[async_trait::async_trait]
impl Store for PostgresStore {
    fn signals(&self) -> &super::Signals {
        &self.signals
    }

    async fn take_shared_token(
        &self,
        key: &str,
        now_ms: i64,
        interval_ms: i64,
        burst: i64,
    ) -> Result<Option<super::Token>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let tolerance = interval_ms.saturating_mul(burst.max(1));
        let taken: Option<i64> = sqlx::query_scalar(TAKE_TOKEN)
            .bind(key)
            .bind(now_ms)
            .bind(interval_ms)
            .bind(tolerance)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Ok(Some(super::Token::Taken));
        }
        let tat: Option<i64> = sqlx::query_scalar("SELECT tat FROM rate_buckets WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        // The next request fits once `tat + interval - now <= tolerance`.
        let wait = tat.map_or(0, |tat| tat + interval_ms - tolerance - now_ms);
        Ok(Some(super::Token::Spent(wait.max(1))))
    }

    fn pool_use(&self) -> super::PoolUse {
        super::PoolUse {
            open: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        }
    }

    async fn complaints_by_status(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT status, COUNT(*) FROM complaints GROUP BY status ORDER BY status",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn announce_catalog(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, '')")
            .bind(CATALOG_CHANNEL)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn health(&self) -> Result<(), StoreError> {
        let _: i32 = sqlx::query_scalar("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }

    async fn seed(&self, data: &ReferenceData) -> Result<(), StoreError> {
        let rows = SeedRows::from(data);
        let mut tx = self.begin().await?;
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
                .execute(&mut *tx)
                .await?;
        }
        for d in rows.districts {
            sqlx::query(sql::INSERT_DISTRICT)
                .bind(d.0)
                .bind(d.1)
                .bind(d.2)
                .bind(d.3)
                .execute(&mut *tx)
                .await?;
        }
        for u in rows.units {
            sqlx::query(sql::INSERT_UNIT)
                .bind(u.0)
                .bind(u.1)
                .bind(u.2)
                .bind(u.3)
                .bind(u.4)
                .execute(&mut *tx)
                .await?;
        }
        for c in rows.categories {
            sqlx::query(sql::INSERT_CATEGORY)
                .bind(c.0)
                .bind(c.1)
                .bind(c.2)
                .bind(c.3)
                .bind(c.4)
                .execute(&mut *tx)
                .await?;
        }
        for r in rows.rules {
            sqlx::query(sql::INSERT_RULE)
                .bind(r.0)
                .bind(r.1)
                .bind(r.2)
                .execute(&mut *tx)
                .await?;
        }
        for h in rows.holidays {
            sqlx::query(sql::INSERT_HOLIDAY)
                .bind(h.0)
                .bind(h.1)
                .bind(h.2)
                .execute(&mut *tx)
                .await?;
        }
        for h in rows.handoffs {
            sqlx::query(sql::INSERT_HANDOFF)
                .bind(h.0)
                .bind(h.1)
                .bind(h.2)
                .execute(&mut *tx)
                .await?;
        }
        for s in rows.settings {
            sqlx::query(sql::INSERT_SETTING)
                .bind(s.0)
                .bind(s.1)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn load_catalog(&self) -> Result<Catalog, StoreError> {
        let pool = &self.pool;
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

    async fn submit(&self, c: NewComplaint) -> Result<SubmitOutcome, StoreError> {
        // One statement is one implicit transaction and one round trip: the
        // key first, and the complaint, reporter and first event only when
        // the key was new. A concurrent request with the same key waits on
        // its unique index, then inserts nothing and replays below.
        let (kind, message) = crate::outbound::message(&c.created_facts())
            .ok_or_else(|| StoreError::Corrupt("a new complaint has no outbound message".into()))?;
        let query = sqlx::query_scalar::<_, i64>(SUBMIT)
            .bind(&c.idempotency_key)
            .bind(&c.body_hash)
            .bind(&c.receipt_json)
            .bind(c.at_ms)
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
            .bind(&c.reporter.name)
            .bind(&c.reporter.email)
            .bind(&c.reporter.phone)
            .bind(!c.reporter.is_empty())
            .bind(kind)
            .bind(message)
            .bind(&c.public_id);
        // The complaint's facts for the indicators join the same transaction.
        let mut tx = self.begin().await?;
        let created: i64 = query
            .bind(&c.channel)
            .bind(&c.handed_off_from)
            .bind(crate::metrics::current_request_id())
            .bind(c.position.map(|p| p.0))
            .bind(c.position.map(|p| p.1))
            .bind(&c.landmark)
            .fetch_one(&mut *tx)
            .await?;
        if created != 0 {
            if let Some(ctx) = &c.mail {
                // With e-mail on, the receipt and the coordinators' notices
                // join it too.
                let event_id: i64 = sqlx::query_scalar(
                    "SELECT id FROM complaint_events WHERE complaint_id = $1 AND kind = 'submitted'",
                )
                .bind(created)
                .fetch_one(&mut *tx)
                .await?;
                ops::queue_mail(
                    &mut tx,
                    event_id,
                    created,
                    "reporter",
                    &c.created_facts(),
                    &crate::casework::notify(None, aduan_app::api::Status::Submitted),
                    ctx,
                )
                .await?;
            }
            ops::refresh_facts(&mut tx, created).await?;
        }
        tx.commit().await?;
        let created = i64::from(created != 0);
        if created == 1 {
            return Ok(SubmitOutcome::Created);
        }
        let mut conn = self.pool.acquire().await?;
        idempotent_replay(&mut conn, &c)
            .await?
            .ok_or_else(|| StoreError::Unavailable("idempotency key vanished".into()))
    }

    async fn find_public(
        &self,
        tracking_code: &str,
    ) -> Result<Option<(PublicComplaint, Vec<PublicEvent>)>, StoreError> {
        let rows: Vec<PublicRow> = sqlx::query_as(sql::SELECT_PUBLIC)
            .bind(tracking_code)
            .fetch_all(&self.pool)
            .await?;
        Ok(public_parts(rows))
    }

    async fn add_reporter_reply(&self, r: ReporterReply) -> Result<ReplyOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let found: Option<sql::ReplyTarget> = sqlx::query_as(sql::SELECT_STATUS_FOR_REPLY_LOCKED)
            .bind(&r.tracking_code)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(target) = found else {
            return Ok(ReplyOutcome::NotFound);
        };
        let (id, status) = (target.id, target.status.clone());
        if let Some((key, hash)) = &r.idempotency {
            let previous: Option<(i64, String)> = sqlx::query_as(sql::SELECT_REPLY_KEY)
                .bind(key)
                .fetch_optional(&mut *tx)
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
                .execute(&mut *tx)
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
            .fetch_one(&mut *tx)
            .await?;
        ops::fan_out(
            &mut tx,
            event_id,
            id,
            &r.facts(&target, &status, &to_status),
        )
        .await?;
        match due {
            Some((step, date)) if moved => {
                sqlx::query(sql::RESUME_AFTER_REPLY)
                    .bind(id)
                    .bind(step)
                    .bind(date)
                    .bind(r.at_ms)
                    .bind(&to_status)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => {
                sqlx::query(sql::TOUCH_AFTER_REPLY)
                    .bind(id)
                    .bind(r.at_ms)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        ops::refresh_facts(&mut tx, id).await?;
        tx.commit().await?;
        Ok(ReplyOutcome::Added { status: to_status })
    }

    async fn add_officer(&self, officer: NewOfficer) -> Result<Option<i64>, StoreError> {
        ops::add_officer(&mut *self.pool.acquire().await?, officer).await
    }

    async fn officer_by_email(&self, email: &str) -> Result<Option<(Officer, String)>, StoreError> {
        ops::officer_by_email(&mut *self.pool.acquire().await?, email).await
    }

    async fn officers(
        &self,
        region: Option<&str>,
    ) -> Result<Vec<super::console::OfficerEntry>, StoreError> {
        ops::officers(&mut *self.pool.acquire().await?, region).await
    }

    async fn set_officer_active(
        &self,
        id: i64,
        active: bool,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let done = ops::set_officer_active(&mut tx, id, active, at_ms).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn assign(&self, assignment: Assignment) -> Result<ActOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = ops::assign(&mut tx, &assignment).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn mail_preference(
        &self,
        officer_id: i64,
    ) -> Result<Option<(String, String)>, StoreError> {
        ops::mail_preference(&mut *self.pool.acquire().await?, officer_id).await
    }

    async fn set_mail_preference(
        &self,
        officer_id: i64,
        pref: &str,
        digest_at: &str,
    ) -> Result<(), StoreError> {
        ops::set_mail_preference(
            &mut *self.pool.acquire().await?,
            officer_id,
            pref,
            digest_at,
        )
        .await
    }

    async fn saved_views(&self, officer_id: i64) -> Result<Vec<SavedView>, StoreError> {
        ops::saved_views(&mut *self.pool.acquire().await?, officer_id).await
    }

    async fn save_view(&self, officer_id: i64, view: NewView) -> Result<i64, StoreError> {
        ops::save_view(&mut *self.pool.acquire().await?, officer_id, &view).await
    }

    async fn delete_view(&self, officer_id: i64, id: i64) -> Result<bool, StoreError> {
        ops::delete_view(&mut *self.pool.acquire().await?, officer_id, id).await
    }

    async fn digests_due(&self, day: &str, time: &str) -> Result<Vec<DigestDue>, StoreError> {
        ops::digests_due(&mut *self.pool.acquire().await?, day, time).await
    }

    async fn queue_digest(
        &self,
        officer_id: i64,
        day: &str,
        mail: crate::mail::Mail,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let claimed = ops::queue_digest(&mut tx, officer_id, day, &mail, at_ms).await?;
        tx.commit().await?;
        Ok(claimed)
    }

    async fn change_password(
        &self,
        officer_id: i64,
        password_hash: &str,
        session: NewSession,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        ops::change_password(&mut tx, officer_id, password_hash, session).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn open_session(&self, session: NewSession) -> Result<(), StoreError> {
        ops::open_session(&mut *self.pool.acquire().await?, session).await
    }

    async fn session(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<(Officer, String)>, StoreError> {
        ops::session(&mut *self.pool.acquire().await?, token_hash, now_ms).await
    }

    async fn close_session(&self, token_hash: &str) -> Result<(), StoreError> {
        ops::close_session(&mut *self.pool.acquire().await?, token_hash).await
    }

    async fn take_attempt(&self, budgets: &[Budget], now_ms: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let taken = ops::take_attempt(&mut tx, budgets, now_ms).await?;
        tx.commit().await?;
        Ok(taken)
    }

    async fn reset_budgets(&self, keys: &[String]) -> Result<(), StoreError> {
        ops::reset_budgets(&mut *self.pool.acquire().await?, keys).await
    }

    async fn device_email(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        ops::device_email(&mut *self.pool.acquire().await?, token_hash, now_ms).await
    }

    async fn trust_device(
        &self,
        token_hash: &str,
        officer_id: i64,
        now_ms: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        ops::trust_device(
            &mut *self.pool.acquire().await?,
            token_hash,
            officer_id,
            now_ms,
            expires_at,
        )
        .await
    }

    async fn erase_contact(&self, tracking_code: &str, at_ms: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let found = ops::erase_contact(&mut tx, tracking_code, at_ms).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn purge(&self, retention: Retention) -> Result<Purged, StoreError> {
        let mut tx = self.begin().await?;
        let purged = ops::purge(&mut tx, &retention).await?;
        tx.commit().await?;
        Ok(purged)
    }

    async fn sweep(&self, now_ms: i64, budgets_before: i64) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        ops::sweep(&mut conn, now_ms, budgets_before).await?;
        // A bucket whose arrival time has passed is full again: the row
        // says nothing a missing row would not.
        sqlx::query("DELETE FROM rate_buckets WHERE tat < $1")
            .bind(now_ms)
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn inbox(&self, query: &InboxQuery) -> Result<Vec<InboxRow>, StoreError> {
        ops::inbox(&mut *self.pool.acquire().await?, query).await
    }

    async fn search(&self, query: &WordQuery) -> Result<Vec<FoundRow>, StoreError> {
        ops::search(&mut *self.pool.acquire().await?, query).await
    }

    async fn holder_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
        ops::holder_names(&mut *self.pool.acquire().await?, ids).await
    }

    async fn search_reporters(&self, query: &ReporterQuery) -> Result<Vec<InboxRow>, StoreError> {
        ops::search_reporters(&mut *self.pool.acquire().await?, query).await
    }

    async fn officer_complaint(
        &self,
        tracking_code: &str,
        scope: &Scope,
    ) -> Result<Option<(ComplaintRecord, Vec<HistoryEvent>)>, StoreError> {
        ops::complaint(&mut *self.pool.acquire().await?, tracking_code, scope).await
    }

    async fn identity(&self, complaint_id: i64) -> Result<Option<Identity>, StoreError> {
        ops::identity(&mut *self.pool.acquire().await?, complaint_id).await
    }

    async fn complaint_ref(&self, tracking_code: &str) -> Result<Option<ComplaintRef>, StoreError> {
        ops::complaint_ref(&mut *self.pool.acquire().await?, tracking_code).await
    }

    async fn act(&self, transition: Transition) -> Result<ActOutcome, StoreError> {
        let mut tx = self.begin().await?;
        let outcome = ops::act(&mut tx, &transition).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn quiet_resolved(
        &self,
        today: &str,
        limit: i64,
    ) -> Result<Vec<ComplaintRef>, StoreError> {
        ops::quiet_resolved(&mut *self.pool.acquire().await?, today, limit).await
    }

    async fn overview(
        &self,
        scope: &Scope,
        today: &str,
        week_end: &str,
    ) -> Result<Vec<UnitLoad>, StoreError> {
        ops::overview(&mut *self.pool.acquire().await?, scope, today, week_end).await
    }

    async fn set_rule(&self, region: &str, category: &str, unit: &str) -> Result<(), StoreError> {
        ops::set_rule(&mut *self.pool.acquire().await?, region, category, unit).await
    }

    async fn claim_outbox(
        &self,
        now_ms: i64,
        lease_until: i64,
        limit: i64,
    ) -> Result<Vec<OutboxRow>, StoreError> {
        let mut tx = self.begin().await?;
        let rows = ops::claim_outbox(&mut tx, now_ms, lease_until, limit).await?;
        tx.commit().await?;
        Ok(rows)
    }

    async fn finish_delivery(
        &self,
        id: i64,
        outcome: Delivered,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        ops::finish_delivery(&mut *self.pool.acquire().await?, id, &outcome, now_ms).await
    }

    async fn parked(&self, limit: i64) -> Result<Vec<ParkedRow>, StoreError> {
        ops::parked(&mut *self.pool.acquire().await?, limit).await
    }

    async fn retry_parked(&self, id: i64, now_ms: i64) -> Result<bool, StoreError> {
        ops::retry_parked(&mut *self.pool.acquire().await?, id, now_ms).await
    }

    async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        ops::outbox_counts(&mut *self.pool.acquire().await?).await
    }

    async fn add_subscriber(
        &self,
        url: &str,
        region: Option<&str>,
        secret: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        ops::add_subscriber(
            &mut *self.pool.acquire().await?,
            url,
            region,
            secret,
            now_ms,
        )
        .await
    }

    async fn subscribers(&self) -> Result<Vec<Subscriber>, StoreError> {
        ops::subscribers(&mut *self.pool.acquire().await?).await
    }

    async fn rotate_secret(
        &self,
        id: i64,
        secret: &str,
        old_until: i64,
    ) -> Result<bool, StoreError> {
        ops::rotate_secret(&mut *self.pool.acquire().await?, id, secret, old_until).await
    }

    async fn set_subscriber_active(&self, id: i64, active: bool) -> Result<bool, StoreError> {
        ops::set_subscriber_active(&mut *self.pool.acquire().await?, id, active).await
    }

    async fn set_integration_mode(&self, region: &str, mode: &str) -> Result<bool, StoreError> {
        ops::set_integration_mode(&mut *self.pool.acquire().await?, region, mode).await
    }

    async fn subscriber_keys(&self, id: i64) -> Result<Option<SubscriberKeys>, StoreError> {
        ops::subscriber_keys(&mut *self.pool.acquire().await?, id).await
    }

    async fn inbound_seen(&self, subscriber: i64, message: &str) -> Result<bool, StoreError> {
        ops::inbound_seen(&mut *self.pool.acquire().await?, subscriber, message).await
    }

    async fn add_partner(
        &self,
        name: &str,
        key_hash: &str,
        now_ms: i64,
    ) -> Result<i64, StoreError> {
        ops::add_partner(&mut *self.pool.acquire().await?, name, key_hash, now_ms).await
    }

    async fn partner_by_key(&self, key_hash: &str) -> Result<Option<Partner>, StoreError> {
        ops::partner_by_key(&mut *self.pool.acquire().await?, key_hash).await
    }

    async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        ops::partners(&mut *self.pool.acquire().await?).await
    }

    async fn public_requests(
        &self,
        filter: &RequestFilter,
    ) -> Result<Vec<PublicRequest>, StoreError> {
        ops::public_requests(&mut *self.pool.acquire().await?, filter).await
    }

    async fn record_lapor(
        &self,
        complaint_id: i64,
        tracking_id: &str,
        transaction_id: &str,
    ) -> Result<(), StoreError> {
        ops::record_lapor(
            &mut *self.pool.acquire().await?,
            complaint_id,
            tracking_id,
            transaction_id,
        )
        .await
    }

    async fn code_by_lapor_id(&self, tracking_id: &str) -> Result<Option<String>, StoreError> {
        ops::code_by_lapor_id(&mut *self.pool.acquire().await?, tracking_id).await
    }

    async fn code_by_public_id(&self, public_id: &str) -> Result<Option<String>, StoreError> {
        ops::code_by_public_id(&mut *self.pool.acquire().await?, public_id).await
    }

    async fn lapor_update_seen(&self, update_id: &str) -> Result<bool, StoreError> {
        ops::lapor_update_seen(&mut *self.pool.acquire().await?, update_id).await
    }

    async fn queue_due_reminders(
        &self,
        due_date: &str,
        mail: &crate::mail::MailContext,
        now_ms: i64,
    ) -> Result<usize, StoreError> {
        ops::queue_due_reminders(&mut *self.pool.acquire().await?, due_date, mail, now_ms).await
    }

    async fn idempotent_receipt(&self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        Ok(sqlx::query_as(sql::SELECT_IDEMPOTENCY)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn create_upload(&self, upload: NewUpload) -> Result<(), StoreError> {
        ops::create_upload(&mut *self.pool.acquire().await?, &upload).await
    }

    async fn upload(&self, id: &str, now_ms: i64) -> Result<Option<UploadRow>, StoreError> {
        ops::upload(&mut *self.pool.acquire().await?, id, now_ms).await
    }

    async fn finish_upload(&self, id: &str, done: UploadRow) -> Result<bool, StoreError> {
        ops::finish_upload(&mut *self.pool.acquire().await?, id, &done).await
    }

    async fn delete_upload(&self, id: &str) -> Result<Option<UploadRow>, StoreError> {
        let mut tx = self.begin().await?;
        let row = ops::delete_upload(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    async fn take_expired_uploads(
        &self,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<UploadRow>, StoreError> {
        let mut tx = self.begin().await?;
        let rows = ops::take_expired_uploads(&mut tx, now_ms, limit).await?;
        tx.commit().await?;
        Ok(rows)
    }

    async fn attach(&self, attaching: Attaching) -> Result<AttachOutcome, StoreError> {
        let mut tx = self.begin().await?;
        // One attaching at a time per complaint: a retry racing the first
        // request waits, then finds the files attached.
        sqlx::query(ops::LOCK_KEY)
            .bind(format!("attach:{}", attaching.complaint_id))
            .execute(&mut *tx)
            .await?;
        let outcome = ops::attach(&mut tx, &attaching).await?;
        if matches!(outcome, AttachOutcome::Attached(_)) {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    async fn attachments(&self, complaint_id: i64) -> Result<Vec<AttachmentRow>, StoreError> {
        ops::attachments(&mut *self.pool.acquire().await?, complaint_id).await
    }

    async fn attachment(
        &self,
        id: &str,
    ) -> Result<Option<(AttachmentRow, AttachmentOwner)>, StoreError> {
        ops::attachment(&mut *self.pool.acquire().await?, id).await
    }

    async fn set_attachment_hidden(
        &self,
        complaint_id: i64,
        id: &str,
        hidden: bool,
    ) -> Result<bool, StoreError> {
        ops::set_attachment_hidden(&mut *self.pool.acquire().await?, complaint_id, id, hidden).await
    }

    async fn blob_in_use(&self, hash: &str) -> Result<bool, StoreError> {
        ops::blob_in_use(&mut *self.pool.acquire().await?, hash).await
    }

    async fn purge_attachments(&self, before: i64, limit: i64) -> Result<Vec<String>, StoreError> {
        let mut tx = self.begin().await?;
        let hashes = ops::purge_attachments(&mut tx, before, limit).await?;
        tx.commit().await?;
        Ok(hashes)
    }

    async fn service_key(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        ops::service_key(&mut *self.pool.acquire().await?, name, fresh).await
    }

    async fn backfill_facts(&self, limit: i64) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        let ids = ops::unfacted(&mut tx, limit).await?;
        for id in &ids {
            ops::refresh_facts(&mut tx, *id).await?;
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    async fn rebuild_stats(&self) -> Result<usize, StoreError> {
        let mut tx = self.begin().await?;
        // One rebuild at a time; writers of facts wait for it.
        sqlx::query("LOCK TABLE stats_daily IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        let n = ops::rebuild_stats(&mut tx).await?;
        tx.commit().await?;
        Ok(n)
    }

    async fn rate(
        &self,
        complaint_id: i64,
        score: i32,
        comment: Option<String>,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.begin().await?;
        let added = ops::rate(&mut tx, complaint_id, score, comment.as_deref(), at_ms).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn rating(
        &self,
        complaint_id: i64,
    ) -> Result<Option<(i32, Option<String>, i64)>, StoreError> {
        ops::rating(&mut *self.pool.acquire().await?, complaint_id).await
    }

    async fn stats_days(
        &self,
        filter: &crate::stats::FactFilter,
    ) -> Result<Vec<crate::stats::DayRow>, StoreError> {
        ops::day_rows(&mut *self.pool.acquire().await?, filter).await
    }

    async fn stats_live(
        &self,
        filter: &crate::stats::FactFilter,
        today: &str,
    ) -> Result<Vec<crate::stats::LiveRow>, StoreError> {
        ops::live_rows(&mut *self.pool.acquire().await?, filter, today).await
    }

    async fn pulses(&self) -> Result<Vec<crate::stats::PulseRow>, StoreError> {
        ops::pulses(&mut *self.pool.acquire().await?).await
    }

    async fn widget_seen(&self, region: &str, at_ms: i64) -> Result<(), StoreError> {
        ops::widget_seen(&mut *self.pool.acquire().await?, region, at_ms).await
    }

    async fn handed_off(&self, region: &str, from_ms: i64, to_ms: i64) -> Result<i64, StoreError> {
        ops::handed_off(&mut *self.pool.acquire().await?, region, from_ms, to_ms).await
    }

    async fn set_handoff(
        &self,
        category: &str,
        to: Option<(String, String)>,
    ) -> Result<(), StoreError> {
        ops::set_handoff(
            &mut *self.pool.acquire().await?,
            category,
            to.as_ref().map(|(r, u)| (r.as_str(), u.as_str())),
        )
        .await
    }

    async fn stats_export(
        &self,
        filter: &crate::stats::FactFilter,
        limit: i64,
    ) -> Result<Vec<crate::stats::ExportRow>, StoreError> {
        ops::export_rows(&mut *self.pool.acquire().await?, filter, limit).await
    }

    async fn region_origins(&self, region: &str) -> Result<Vec<String>, StoreError> {
        ops::region_origins(&mut *self.pool.acquire().await?, region).await
    }

    async fn sites(&self, region: Option<&str>) -> Result<Vec<crate::sites::SiteRow>, StoreError> {
        ops::sites(&mut *self.pool.acquire().await?, region).await
    }

    async fn site_detail(&self, id: i64) -> Result<Option<crate::sites::SiteDetail>, StoreError> {
        ops::site_detail(&mut *self.pool.acquire().await?, id).await
    }

    async fn site_by_key(
        &self,
        key: &str,
    ) -> Result<Option<(crate::sites::Site, Vec<String>)>, StoreError> {
        ops::site_by_key(&mut *self.pool.acquire().await?, key).await
    }

    async fn origin_refusals(
        &self,
        region: Option<&str>,
    ) -> Result<Vec<crate::sites::Refusal>, StoreError> {
        ops::refusals(&mut *self.pool.acquire().await?, region).await
    }

    async fn save_site(&self, write: crate::sites::SiteWrite) -> Result<Option<i64>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let id = ops::save_site(&mut tx, write).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn delete_site(&self, id: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let gone = ops::delete_site(&mut tx, id).await?;
        tx.commit().await?;
        Ok(gone)
    }

    async fn site_note(&self, note: crate::sites::SiteNote, at_ms: i64) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        ops::site_note(&mut tx, note, at_ms).await?;
        tx.commit().await?;
        Ok(())
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
            &mut *self.pool.acquire().await?,
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
        let mut tx = self.begin().await?;
        let joined = ops::join(&mut tx, public_id, &who, mail.as_ref()).await?;
        tx.commit().await?;
        Ok(joined)
    }

    async fn confirm_supporter(
        &self,
        token: &str,
        at_ms: i64,
    ) -> Result<crate::supporters::Confirmed, StoreError> {
        let mut tx = self.begin().await?;
        let confirmed = ops::confirm(&mut tx, token, at_ms).await?;
        tx.commit().await?;
        Ok(confirmed)
    }

    async fn leave(&self, token: &str) -> Result<Option<String>, StoreError> {
        let mut tx = self.begin().await?;
        let left = ops::leave(&mut tx, token).await?;
        tx.commit().await?;
        Ok(left)
    }

    async fn supporters_between(
        &self,
        region: Option<&str>,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<(i64, i64), StoreError> {
        ops::supporters_between(&mut *self.pool.acquire().await?, region, from_ms, to_ms).await
    }

    async fn close(&self) {
        if let Some(listener) = &self.listener {
            listener.abort();
        }
        self.pool.close().await;
    }
}
