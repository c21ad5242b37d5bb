// Statements written once and included per engine by `store/mod.rs`, where
// `Db`, `Conn` and `SKIP_LOCKED` name the engine. `QueryBuilder` writes each
// engine's own placeholders.

use sqlx::QueryBuilder;

use crate::store::console::{
    ActOutcome, ComplaintRecord, DueFilter, HistoryEvent, Identity, InboxQuery, InboxRow,
    NewOfficer, NewSession, OPEN, Officer, ComplaintRef, Scope, Transition, UnitLoad,
};
use crate::store::StoreError;

/// Adds an officer; `None` when the e-mail address is taken.
pub async fn add_officer(conn: &mut Conn, o: NewOfficer) -> Result<Option<i64>, StoreError> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM officers WHERE email = $1")
        .bind(&o.email)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Ok(None);
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO officers (email, name, password_hash, role, region_slug, unit_key, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7) RETURNING id",
    )
    .bind(&o.email)
    .bind(&o.name)
    .bind(&o.password_hash)
    .bind(&o.role)
    .bind(&o.region)
    .bind(&o.unit)
    .bind(o.at_ms)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some(id))
}

/// An active officer and their password hash, by e-mail address.
pub async fn officer_by_email(
    conn: &mut Conn,
    email: &str,
) -> Result<Option<(Officer, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        officer: Officer,
        password_hash: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, email, name, role, region_slug, unit_key, password_hash FROM officers WHERE email = $1 AND active",
    )
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| (r.officer, r.password_hash)))
}

pub async fn open_session(conn: &mut Conn, s: NewSession) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, officer_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&s.token_hash)
    .bind(s.officer_id)
    .bind(&s.csrf_token)
    .bind(s.at_ms)
    .bind(s.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The officer a live session belongs to, and its CSRF token.
pub async fn session(
    conn: &mut Conn,
    token_hash: &str,
    now_ms: i64,
) -> Result<Option<(Officer, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        officer: Officer,
        csrf_token: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT o.id, o.email, o.name, o.role, o.region_slug, o.unit_key, s.csrf_token FROM sessions s \
         JOIN officers o ON o.id = s.officer_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND o.active",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| (r.officer, r.csrf_token)))
}

pub async fn close_session(conn: &mut Conn, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Takes one attempt from every budget, all or none: `true` when each had
/// room (and is now one fuller), `false` when one was spent (and none
/// changed). On PostgreSQL each budget's key is locked for the transaction
/// first, so concurrent attempts from any process take turns; SQLite's one
/// writer already runs them one at a time.
pub async fn take_attempt(conn: &mut Conn, budgets: &[crate::store::Budget], now_ms: i64) -> Result<bool, StoreError> {
    let mut keys: Vec<&str> = budgets.iter().map(|b| b.key.as_str()).collect();
    keys.sort_unstable();
    if !LOCK_KEY.is_empty() {
        for key in keys {
            sqlx::query(LOCK_KEY).bind(key).execute(&mut *conn).await?;
        }
    }
    for b in budgets {
        let used: Option<i64> = sqlx::query_scalar(
            "SELECT CAST(used AS BIGINT) FROM sign_in_budgets WHERE key = $1 AND window_start > $2",
        )
        .bind(&b.key)
        .bind(now_ms - b.window_ms)
        .fetch_optional(&mut *conn)
        .await?;
        if used.unwrap_or(0) >= b.limit {
            return Ok(false);
        }
    }
    for b in budgets {
        sqlx::query(
            "INSERT INTO sign_in_budgets (key, window_start, used) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
               used = CASE WHEN sign_in_budgets.window_start > $3 THEN sign_in_budgets.used + 1 ELSE 1 END, \
               window_start = CASE WHEN sign_in_budgets.window_start > $3 THEN sign_in_budgets.window_start ELSE $2 END",
        )
        .bind(&b.key)
        .bind(now_ms)
        .bind(now_ms - b.window_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Empties these budgets (after a correct password).
pub async fn reset_budgets(conn: &mut Conn, keys: &[String]) -> Result<(), StoreError> {
    for key in keys {
        sqlx::query("DELETE FROM sign_in_budgets WHERE key = $1")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The e-mail address of the active officer a live device token belongs to.
pub async fn device_email(conn: &mut Conn, token_hash: &str, now_ms: i64) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT o.email FROM trusted_devices d JOIN officers o ON o.id = d.officer_id \
         WHERE d.token_hash = $1 AND d.expires_at > $2 AND o.active",
    )
    .bind(token_hash)
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Remembers a browser an officer signed in from.
pub async fn trust_device(conn: &mut Conn, token_hash: &str, officer_id: i64, now_ms: i64, expires_at: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO trusted_devices (token_hash, officer_id, created_at, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (token_hash) DO UPDATE SET expires_at = $4",
    )
    .bind(token_hash)
    .bind(officer_id)
    .bind(now_ms)
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forgets expired sessions and trusted devices, and sign-in budgets whose
/// window began before `budgets_before`.
pub async fn sweep(conn: &mut Conn, now_ms: i64, budgets_before: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM trusted_devices WHERE expires_at <= $1")
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sign_in_budgets WHERE window_start < $1")
        .bind(budgets_before)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn push_scope(q: &mut QueryBuilder<Db>, scope: &Scope) {
    if let Some(region) = &scope.region {
        q.push(" AND region_slug = ").push_bind(region.clone());
    }
    if let Some(unit) = &scope.unit {
        q.push(" AND unit_key = ").push_bind(unit.clone());
    }
    if !scope.confidential {
        q.push(" AND NOT confidential");
    }
}

/// One page of complaints in scope, by due date then id.
pub async fn inbox(conn: &mut Conn, query: &InboxQuery) -> Result<Vec<InboxRow>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT id, tracking_code, region_slug, unit_key, category_key, anonymous, confidential, title, status, due_step, due_date, created_at \
         FROM complaints WHERE ",
    );
    match &query.status {
        Some(status) => {
            q.push("status = ").push_bind(status.clone());
        }
        None => {
            q.push(OPEN);
        }
    }
    push_scope(&mut q, &query.scope);
    if let Some(unit) = &query.unit {
        q.push(" AND unit_key = ").push_bind(unit.clone());
    }
    if let Some(category) = &query.category {
        q.push(" AND category_key = ").push_bind(category.clone());
    }
    match &query.due {
        Some(DueFilter::Overdue(today)) => {
            q.push(" AND due_date < ").push_bind(today.clone());
        }
        Some(DueFilter::Between(from, to)) => {
            q.push(" AND due_date >= ").push_bind(from.clone());
            q.push(" AND due_date <= ").push_bind(to.clone());
        }
        None => {}
    }
    if let Some((due, id)) = &query.after {
        q.push(" AND (due_date, id) > (")
            .push_bind(due.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    q.push(" ORDER BY due_date, id LIMIT ").push_bind(query.limit);
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// A complaint in scope by tracking code, and its whole history.
pub async fn complaint(
    conn: &mut Conn,
    tracking_code: &str,
    scope: &Scope,
) -> Result<Option<(ComplaintRecord, Vec<HistoryEvent>)>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT id, tracking_code, public_id, region_slug, unit_key, filed_region_slug, district_key, category_key, classification, anonymous, confidential, \
         title, description, location, incident_date, locale, status, due_step, due_date, tier, created_at, updated_at, CAST(version AS BIGINT) AS version, lapor_tracking_id \
         FROM complaints WHERE tracking_code = ",
    );
    q.push_bind(tracking_code.to_owned());
    push_scope(&mut q, scope);
    let Some(record): Option<ComplaintRecord> =
        q.build_query_as().fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    let events: Vec<HistoryEvent> = sqlx::query_as(
        "SELECT e.at, e.kind, e.author, o.name AS officer_name, e.from_status, e.to_status, e.public_message, e.internal_note, e.detail \
         FROM complaint_events e LEFT JOIN officers o ON o.id = e.officer_id WHERE e.complaint_id = $1 ORDER BY e.id",
    )
    .bind(record.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((record, events)))
}

/// The reporter's identity, for a caller that checked the privacy mode.
pub async fn identity(conn: &mut Conn, complaint_id: i64) -> Result<Option<Identity>, StoreError> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT name, email, phone FROM reporters WHERE complaint_id = $1")
            .bind(complaint_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(name, email, phone)| Identity { name, email, phone }))
}

/// Who a complaint is with and in which state, by tracking code.
pub async fn complaint_ref(
    conn: &mut Conn,
    tracking_code: &str,
) -> Result<Option<ComplaintRef>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, tracking_code, public_id, status, CAST(version AS BIGINT) AS version, region_slug, unit_key, anonymous, confidential, \
         tier, due_step, due_date FROM complaints WHERE tracking_code = $1",
    )
    .bind(tracking_code)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Applies a transition if the complaint is still at `expected_version`.
pub async fn act(conn: &mut Conn, t: &Transition) -> Result<ActOutcome, StoreError> {
    let updated = sqlx::query(
        "UPDATE complaints SET status = $1, region_slug = $2, unit_key = $3, due_step = $4, due_date = $5, tier = $6, \
         updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9 AND status = $10",
    )
    .bind(&t.to_status)
    .bind(&t.region)
    .bind(&t.unit)
    .bind(&t.due_step)
    .bind(&t.due_date)
    .bind(&t.tier)
    .bind(t.at_ms)
    .bind(t.complaint_id)
    .bind(t.expected_version)
    .bind(&t.from_status)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM complaints WHERE id = $1")
            .bind(t.complaint_id)
            .fetch_optional(&mut *conn)
            .await?;
        return Ok(if exists.is_some() {
            ActOutcome::Changed
        } else {
            ActOutcome::NotFound
        });
    }
    let moved = t.from_status != t.to_status;
    let event_id: i64 = sqlx::query_scalar(
        "INSERT INTO complaint_events (complaint_id, at, kind, author, officer_id, from_status, to_status, public_message, internal_note, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(t.complaint_id)
    .bind(t.at_ms)
    .bind(t.kind)
    .bind(t.author)
    .bind(t.officer_id)
    .bind(moved.then_some(&t.from_status))
    .bind(moved.then_some(&t.to_status))
    .bind(&t.public_message)
    .bind(&t.internal_note)
    .bind(&t.detail)
    .fetch_one(&mut *conn)
    .await?;
    let facts = crate::outbound::EventFacts {
        kind: t.kind,
        tracking_code: &t.tracking_code,
        public_id: &t.public_id,
        privacy: t.privacy,
        by_reporter: false,
        region: &t.region,
        unit: &t.unit,
        from_status: moved.then_some(t.from_status.as_str()),
        to_status: &t.to_status,
        public_message: t.public_message.as_deref(),
        at_ms: t.at_ms,
    };
    let sender = t.inbound.as_ref().map_or(-1, |(subscriber, _)| *subscriber);
    fan_out_except(conn, event_id, t.complaint_id, &facts, sender).await?;
    if let Some(ctx) = &t.mail {
        queue_mail(conn, event_id, t.complaint_id, t.author, &facts, &t.notify, ctx).await?;
    }
    if let Some(update) = &t.lapor_update {
        sqlx::query("INSERT INTO lapor_updates (update_id, complaint_id, received_at) VALUES ($1, $2, $3)")
            .bind(update)
            .bind(t.complaint_id)
            .bind(t.at_ms)
            .execute(&mut *conn)
            .await?;
    }
    if t.forward_to_lapor {
        queue_lapor(conn, t.complaint_id, t.at_ms).await?;
    }
    if let Some((subscriber, message)) = &t.inbound {
        sqlx::query(
            "INSERT INTO inbound_messages (subscriber_id, message_id, received_at, event_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(*subscriber)
        .bind(message)
        .bind(t.at_ms)
        .bind(event_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(ActOutcome::Done)
}

/// Resolved complaints whose quiet period ended before `today`: id and version.
pub async fn quiet_resolved(
    conn: &mut Conn,
    today: &str,
    limit: i64,
) -> Result<Vec<ComplaintRef>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, tracking_code, public_id, status, CAST(version AS BIGINT) AS version, region_slug, unit_key, anonymous, confidential, \
         tier, due_step, due_date FROM complaints \
         WHERE status = 'resolved' AND due_date < $1 ORDER BY due_date, id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Open complaints per unit in scope, with how many are overdue and due soon.
pub async fn overview(
    conn: &mut Conn,
    scope: &Scope,
    today: &str,
    week_end: &str,
) -> Result<Vec<UnitLoad>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT region_slug, unit_key, COUNT(*) AS open, \
         COALESCE(SUM(CASE WHEN due_date < ",
    );
    q.push_bind(today.to_owned())
        .push(" THEN 1 ELSE 0 END), 0) AS overdue, COALESCE(SUM(CASE WHEN due_date >= ")
        .push_bind(today.to_owned())
        .push(" AND due_date <= ")
        .push_bind(week_end.to_owned())
        .push(" THEN 1 ELSE 0 END), 0) AS due_soon FROM complaints WHERE ")
        .push(OPEN);
    push_scope(&mut q, scope);
    q.push(" GROUP BY region_slug, unit_key ORDER BY region_slug, unit_key");
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// Routes a category of a region to a unit.
pub async fn set_rule(
    conn: &mut Conn,
    region: &str,
    category: &str,
    unit: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO routing_rules (region_slug, category_key, unit_key) VALUES ($1, $2, $3) \
         ON CONFLICT (region_slug, category_key) DO UPDATE SET unit_key = excluded.unit_key",
    )
    .bind(region)
    .bind(category)
    .bind(unit)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The officers of a region (every officer for `None`).
pub async fn officers(
    conn: &mut Conn,
    region: Option<&str>,
) -> Result<Vec<crate::store::console::OfficerEntry>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT o.id, o.email, o.name, o.role, o.region_slug, o.unit_key, o.active FROM officers o WHERE 1 = 1",
    );
    if let Some(region) = region {
        q.push(" AND o.region_slug = ").push_bind(region.to_owned());
    }
    q.push(" ORDER BY o.region_slug, o.role, o.email");
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// Queues the public side of event `event_id` for every subscriber that
/// should hear of it (nothing for an internal note).
pub async fn fan_out(
    conn: &mut Conn,
    event_id: i64,
    complaint_id: i64,
    facts: &crate::outbound::EventFacts<'_>,
) -> Result<(), StoreError> {
    fan_out_except(conn, event_id, complaint_id, facts, -1).await
}

/// [`fan_out`], leaving out the subscriber that sent the change.
pub async fn fan_out_except(
    conn: &mut Conn,
    event_id: i64,
    complaint_id: i64,
    facts: &crate::outbound::EventFacts<'_>,
    sender: i64,
) -> Result<(), StoreError> {
    let Some((kind, body)) = crate::outbound::message(facts) else {
        return Ok(());
    };
    sqlx::query(crate::store::outbox::FAN_OUT)
        .bind(event_id)
        .bind(complaint_id)
        .bind(kind)
        .bind(body)
        .bind(facts.at_ms)
        .bind(sender)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Claims up to `limit` rows that are due, not leased, and first in line
/// for their complaint and target; leases them until `lease_until`.
pub async fn claim_outbox(
    conn: &mut Conn,
    now_ms: i64,
    lease_until: i64,
    limit: i64,
) -> Result<Vec<crate::store::outbox::OutboxRow>, StoreError> {
    let claim = format!(
        "SELECT o.id, o.delivery_id, o.complaint_id, o.channel, o.target, o.event_type, o.payload, CAST(o.attempts + 1 AS BIGINT) AS attempts, \
         s.url, s.secret, s.previous_secret, s.previous_until \
         FROM outbox o LEFT JOIN webhook_subscribers s ON o.channel = 'webhook' AND CAST(s.id AS TEXT) = o.target \
         WHERE o.state = 'pending' AND o.next_attempt_at <= $1 AND (o.lease_until IS NULL OR o.lease_until < $1) \
         AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.state = 'pending' AND p.target = o.target AND p.channel = o.channel \
                         AND p.complaint_id = o.complaint_id AND p.id < o.id) \
         ORDER BY o.id LIMIT $2{SKIP_LOCKED}"
    );
    let rows: Vec<crate::store::outbox::OutboxRow> = sqlx::query_as(sqlx::AssertSqlSafe(claim))
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    for row in &rows {
        sqlx::query("UPDATE outbox SET lease_until = $1, attempts = attempts + 1 WHERE id = $2")
            .bind(lease_until)
            .bind(row.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rows)
}

/// Records how a delivery ended.
pub async fn finish_delivery(
    conn: &mut Conn,
    id: i64,
    outcome: &crate::store::outbox::Delivered,
    now_ms: i64,
) -> Result<(), StoreError> {
    use crate::store::outbox::Delivered;
    let query = match outcome {
        Delivered::Yes => sqlx::query(
            "UPDATE outbox SET state = 'delivered', delivered_at = $2, lease_until = NULL, last_error = NULL WHERE id = $1",
        )
        .bind(id)
        .bind(now_ms),
        Delivered::Retry { error, at_ms } => sqlx::query(
            "UPDATE outbox SET next_attempt_at = $2, lease_until = NULL, last_error = $3 WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(*at_ms)
        .bind(error.clone()),
        Delivered::Park { error } => sqlx::query(
            "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = $2 WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .bind(error.clone()),
    };
    query.execute(&mut *conn).await?;
    Ok(())
}

/// Parked rows, newest first.
pub async fn parked(conn: &mut Conn, limit: i64) -> Result<Vec<crate::store::outbox::ParkedRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, delivery_id, channel, target, event_type, CAST(attempts AS BIGINT) AS attempts, last_error, created_at \
         FROM outbox WHERE state = 'failed' ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Puts a parked row back in line, with a fresh count of attempts.
pub async fn retry_parked(conn: &mut Conn, id: i64, now_ms: i64) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $2, lease_until = NULL WHERE id = $1 AND state = 'failed'",
    )
    .bind(id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

pub async fn outbox_counts(conn: &mut Conn) -> Result<crate::store::outbox::OutboxCounts, StoreError> {
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT state, COUNT(*) FROM outbox GROUP BY state")
            .fetch_all(&mut *conn)
            .await?;
    let mut counts = crate::store::outbox::OutboxCounts::default();
    for (state, n) in rows {
        match state.as_str() {
            "pending" => counts.pending = n,
            "delivered" => counts.delivered = n,
            _ => counts.failed = n,
        }
    }
    Ok(counts)
}

pub async fn add_subscriber(
    conn: &mut Conn,
    url: &str,
    region: Option<&str>,
    secret: &str,
    now_ms: i64,
) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO webhook_subscribers (url, region_slug, secret, active, created_at) VALUES ($1, $2, $3, TRUE, $4) RETURNING id",
    )
    .bind(url)
    .bind(region)
    .bind(secret)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn subscribers(conn: &mut Conn) -> Result<Vec<crate::store::outbox::Subscriber>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, url, region_slug, active, created_at FROM webhook_subscribers ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Gives a subscriber a new secret; the old one keeps signing until `old_until`.
pub async fn rotate_secret(
    conn: &mut Conn,
    id: i64,
    secret: &str,
    old_until: i64,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE webhook_subscribers SET previous_secret = secret, previous_until = $3, secret = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(secret)
    .bind(old_until)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

pub async fn set_subscriber_active(conn: &mut Conn, id: i64, active: bool) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE webhook_subscribers SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(active)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(done == 1)
}

pub async fn set_integration_mode(conn: &mut Conn, region: &str, mode: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE regions SET integration_mode = $2 WHERE slug = $1")
        .bind(region)
        .bind(mode)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(done == 1)
}

/// A subscriber's region, state and secrets, for checking what it sends.
pub async fn subscriber_keys(
    conn: &mut Conn,
    id: i64,
) -> Result<Option<crate::store::outbox::SubscriberKeys>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT s.id, s.region_slug, r.integration_mode AS region_mode, s.active, s.secret, s.previous_secret, s.previous_until \
         FROM webhook_subscribers s LEFT JOIN regions r ON r.slug = s.region_slug WHERE s.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?)
}

/// True when this subscriber's message was applied already.
pub async fn inbound_seen(conn: &mut Conn, subscriber: i64, message: &str) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT subscriber_id FROM inbound_messages WHERE subscriber_id = $1 AND message_id = $2",
    )
    .bind(subscriber)
    .bind(message)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(found.is_some())
}

pub async fn add_partner(conn: &mut Conn, name: &str, key_hash: &str, now_ms: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO partners (name, key_hash, active, created_at) VALUES ($1, $2, TRUE, $3) RETURNING id",
    )
    .bind(name)
    .bind(key_hash)
    .bind(now_ms)
    .fetch_one(&mut *conn)
    .await?)
}

/// The active partner a key belongs to.
pub async fn partner_by_key(conn: &mut Conn, key_hash: &str) -> Result<Option<crate::store::outbox::Partner>, StoreError> {
    Ok(sqlx::query_as("SELECT id, name, active, created_at FROM partners WHERE key_hash = $1 AND active")
        .bind(key_hash)
        .fetch_optional(&mut *conn)
        .await?)
}

pub async fn partners(conn: &mut Conn) -> Result<Vec<crate::store::outbox::Partner>, StoreError> {
    Ok(sqlx::query_as("SELECT id, name, active, created_at FROM partners ORDER BY id")
        .fetch_all(&mut *conn)
        .await?)
}

/// Complaints for Open311, newest first; confidential ones never.
pub async fn public_requests(
    conn: &mut Conn,
    f: &crate::store::outbox::RequestFilter,
) -> Result<Vec<crate::store::outbox::PublicRequest>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT c.public_id, c.anonymous, c.confidential, c.region_slug, c.unit_key, c.category_key, c.title, c.description, c.location, c.status, c.due_date, \
         c.created_at, c.updated_at, \
         (SELECT e.public_message FROM complaint_events e WHERE e.complaint_id = c.id AND e.public_message IS NOT NULL AND e.kind <> 'note' \
          AND e.author <> 'reporter' ORDER BY e.id DESC LIMIT 1) AS status_notes \
         FROM complaints c WHERE NOT c.confidential",
    );
    if let Some(region) = &f.region {
        q.push(" AND c.region_slug = ").push_bind(region.clone());
    }
    if !f.ids.is_empty() {
        q.push(" AND c.public_id IN (");
        let mut list = q.separated(", ");
        for id in &f.ids {
            list.push_bind(id.clone());
        }
        q.push(")");
    }
    if let Some(category) = &f.category {
        q.push(" AND c.category_key = ").push_bind(category.clone());
    }
    match f.open {
        Some(true) => {
            q.push(" AND c.").push(OPEN);
        }
        Some(false) => {
            q.push(" AND c.status IN ('closed', 'rejected', 'transferred_out')");
        }
        None => {}
    }
    if let Some(from) = f.from_ms {
        q.push(" AND c.created_at >= ").push_bind(from);
    }
    if let Some(to) = f.to_ms {
        q.push(" AND c.created_at <= ").push_bind(to);
    }
    q.push(" ORDER BY c.created_at DESC, c.id DESC LIMIT ").push_bind(f.limit);
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// Queues a verified complaint for SP4N-LAPOR when its region is in `lapor`
/// mode; once per complaint (a second dispatch forwards nothing new).
pub async fn queue_lapor(conn: &mut Conn, complaint_id: i64, now_ms: i64) -> Result<(), StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        integration_mode: String,
        public_id: String,
        region_slug: String,
        category_key: String,
        anonymous: bool,
        confidential: bool,
        title: String,
        description: String,
        location: Option<String>,
        incident_date: Option<String>,
        district_key: Option<String>,
        created_at: i64,
        name: Option<String>,
        email: Option<String>,
        phone: Option<String>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT r.integration_mode, c.public_id, c.region_slug, c.category_key, c.anonymous, c.confidential, c.title, c.description, c.location, \
         c.incident_date, c.district_key, c.created_at, p.name, p.email, p.phone \
         FROM complaints c JOIN regions r ON r.slug = c.region_slug LEFT JOIN reporters p ON p.complaint_id = c.id WHERE c.id = $1",
    )
    .bind(complaint_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row.filter(|r| r.integration_mode == "lapor") else {
        return Ok(());
    };
    use crate::disclosure::{Audience, Field, keep};
    let privacy = aduan_app::api::Privacy::of(row.anonymous, row.confidential);
    let report = crate::lapor::Report {
        reference: format!("lapor_{complaint_id}"),
        public_id: row.public_id,
        region: row.region_slug.clone(),
        category: row.category_key,
        title: row.title,
        description: row.description,
        location: row.location,
        district: row.district_key,
        incident_date: row.incident_date,
        filed_at_ms: row.created_at,
        anonymous: privacy.anonymous(),
        confidential: privacy.confidential(),
        name: keep(Audience::Lapor, privacy, Field::ReporterName, row.name),
        email: keep(Audience::Lapor, privacy, Field::ReporterEmail, row.email),
        phone: keep(Audience::Lapor, privacy, Field::ReporterPhone, row.phone),
    };
    let payload = serde_json::to_string(&report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = OutboxMessage {
        delivery_id: &report.reference,
        channel: "lapor",
        target: &row.region_slug,
        complaint_id,
        event_type: "lapor.forward",
        payload: &payload,
    };
    queue_once(conn, &row, now_ms).await
}

/// Stores the ids SP4N-LAPOR gave a forwarded complaint.
pub async fn record_lapor(
    conn: &mut Conn,
    complaint_id: i64,
    tracking_id: &str,
    transaction_id: &str,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE complaints SET lapor_tracking_id = $2, lapor_transaction_id = $3 WHERE id = $1")
        .bind(complaint_id)
        .bind(tracking_id)
        .bind(transaction_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The tracking code of the complaint LAPOR knows by this id.
pub async fn code_by_lapor_id(conn: &mut Conn, tracking_id: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT tracking_code FROM complaints WHERE lapor_tracking_id = $1")
        .bind(tracking_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The tracking code of the complaint with this public id.
pub async fn code_by_public_id(conn: &mut Conn, public_id: &str) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT tracking_code FROM complaints WHERE public_id = $1")
        .bind(public_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// True when this LAPOR update was applied already.
pub async fn lapor_update_seen(conn: &mut Conn, update_id: &str) -> Result<bool, StoreError> {
    let found: Option<String> = sqlx::query_scalar("SELECT update_id FROM lapor_updates WHERE update_id = $1")
        .bind(update_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(found.is_some())
}

/// One row to queue in the outbox.
struct OutboxMessage<'a> {
    delivery_id: &'a str,
    channel: &'static str,
    target: &'a str,
    complaint_id: i64,
    event_type: &'static str,
    payload: &'a str,
}

/// Queues a message unless one with its delivery id is queued already.
async fn queue_once(conn: &mut Conn, m: &OutboxMessage<'_>, now_ms: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (delivery_id, channel, target, complaint_id, event_type, payload, state, attempts, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7) ON CONFLICT (delivery_id) DO NOTHING",
    )
    .bind(m.delivery_id)
    .bind(m.channel)
    .bind(m.target)
    .bind(m.complaint_id)
    .bind(m.event_type)
    .bind(m.payload)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_mail(
    conn: &mut Conn,
    delivery_id: &str,
    complaint_id: i64,
    mail: &crate::mail::Mail,
    now_ms: i64,
) -> Result<(), StoreError> {
    let payload = serde_json::to_string(mail).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // The reporter's own mail is marked, so that the outbox's readers can
    // leave out whose address it is.
    let to_reporter = delivery_id.ends_with("_r");
    let row = OutboxMessage {
        delivery_id,
        channel: "email",
        target: &mail.to,
        complaint_id,
        event_type: if to_reporter { crate::mail::TO_REPORTER } else { crate::mail::TO_OFFICER },
        payload: &payload,
    };
    queue_once(conn, &row, now_ms).await
}

/// Active officers of a region in a role (and unit): id and e-mail.
async fn officers_to_tell(
    conn: &mut Conn,
    region: &str,
    role: &str,
    unit: Option<&str>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut q = QueryBuilder::<Db>::new("SELECT id, email FROM officers WHERE active AND region_slug = ");
    q.push_bind(region.to_owned()).push(" AND role = ").push_bind(role.to_owned());
    if let Some(unit) = unit {
        q.push(" AND unit_key = ").push_bind(unit.to_owned());
    }
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// Queues the e-mails an event causes: the reporter's (if they left an
/// address; what it says is decided in [`crate::mail`]) and those of the
/// officers the caller names.
#[allow(clippy::too_many_arguments)]
pub async fn queue_mail(
    conn: &mut Conn,
    event_id: i64,
    complaint_id: i64,
    author: &str,
    facts: &crate::outbound::EventFacts<'_>,
    notify: &crate::casework::Notify,
    ctx: &crate::mail::MailContext,
) -> Result<(), StoreError> {
    let row: Option<(Option<String>, String, String)> = sqlx::query_as(
        "SELECT p.email, c.locale, c.title FROM complaints c LEFT JOIN reporters p ON p.complaint_id = c.id WHERE c.id = $1",
    )
    .bind(complaint_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((email, locale, title)) = row else {
        return Ok(());
    };
    use crate::disclosure::{Audience, Field, keep};
    let email = keep(Audience::ReporterMail, facts.privacy, Field::ReporterEmail, email);
    let title = keep(Audience::OfficerMail, facts.privacy, Field::Title, Some(title)).unwrap_or_default();
    if let Some(email) = email {
        let locale = aduan_app::api::Locale::from_key(&locale).unwrap_or_default();
        if let Some(mail) = crate::mail::for_reporter(
            ctx,
            &email,
            locale,
            facts.region,
            facts.tracking_code,
            author,
            facts.kind,
            facts.from_status,
            facts.to_status,
            facts.public_message,
        ) {
            insert_mail(conn, &format!("mail_{event_id}_r"), complaint_id, &mail, facts.at_ms).await?;
        }
    }
    let (who, unit, why) = match notify {
        crate::casework::Notify::Coordinators => {
            ("coordinator", None, "Pengaduan perlu diverifikasi / a complaint to verify")
        }
        crate::casework::Notify::Unit => {
            ("unit", Some(facts.unit), "Pengaduan didisposisikan ke unit Anda / dispatched to your unit")
        }
        crate::casework::Notify::Nobody => return Ok(()),
    };
    for (officer, address) in officers_to_tell(conn, facts.region, who, unit).await? {
        let mail = crate::mail::for_officer(ctx, &address, facts.tracking_code, &title, why);
        insert_mail(conn, &format!("mail_{event_id}_o{officer}"), complaint_id, &mail, facts.at_ms).await?;
    }
    Ok(())
}

/// Reminds the officers who must act of complaints due on `due_date`; once
/// per complaint, due date and officer however often it runs.
pub async fn queue_due_reminders(
    conn: &mut Conn,
    due_date: &str,
    ctx: &crate::mail::MailContext,
    now_ms: i64,
) -> Result<usize, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        tracking_code: String,
        title: String,
        anonymous: bool,
        confidential: bool,
        officer_id: i64,
        email: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT c.id, c.tracking_code, c.title, c.anonymous, c.confidential, o.id AS officer_id, o.email FROM complaints c \
         JOIN officers o ON o.active AND o.region_slug = c.region_slug AND \
           ((c.status IN ('submitted', 'needs_info') AND o.role = 'coordinator') OR \
            (c.status IN ('verified', 'in_progress') AND o.role = 'unit' AND o.unit_key = c.unit_key)) \
         WHERE c.due_date = $1 AND c.status IN ('submitted', 'needs_info', 'verified', 'in_progress')",
    )
    .bind(due_date)
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let why = format!("Tenggat {due_date} / due {due_date}");
        let privacy = aduan_app::api::Privacy::of(r.anonymous, r.confidential);
        let title = crate::disclosure::keep(
            crate::disclosure::Audience::OfficerMail,
            privacy,
            crate::disclosure::Field::Title,
            Some(r.title.as_str()),
        )
        .unwrap_or_default();
        let mail = crate::mail::for_officer(ctx, &r.email, &r.tracking_code, title, &why);
        insert_mail(conn, &format!("due_{}_{due_date}_o{}", r.id, r.officer_id), r.id, &mail, now_ms).await?;
    }
    Ok(rows.len())
}

/// A new password for an officer: every session of theirs ends, and the
/// browser that changed it goes on under `session`, a new token.
pub async fn change_password(
    conn: &mut Conn,
    officer_id: i64,
    password_hash: &str,
    session: NewSession,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE officers SET password_hash = $2 WHERE id = $1")
        .bind(officer_id)
        .bind(password_hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE officer_id = $1")
        .bind(officer_id)
        .execute(&mut *conn)
        .await?;
    open_session(conn, session).await
}

/// Lets an officer sign in again, or not; a deactivated officer's sessions
/// end at once.
pub async fn set_officer_active(conn: &mut Conn, id: i64, active: bool) -> Result<bool, StoreError> {
    let done = sqlx::query("UPDATE officers SET active = $2 WHERE id = $1")
        .bind(id)
        .bind(active)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if !active {
        sqlx::query("DELETE FROM sessions WHERE officer_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(done == 1)
}

/// The reporter's mail rows of a complaint, whatever their state: the
/// address is in them.
const DELETE_REPORTER_MAIL: &str = "DELETE FROM outbox WHERE complaint_id = $1 AND channel = 'email' \
     AND (event_type = 'email.reporter' OR delivery_id LIKE 'mail\\_%\\_r' ESCAPE '\\')";

/// Erases the reporter's contact details of the complaint with this
/// tracking code, and every mail to them still in the outbox; the complaint
/// and its history stay, with an event saying so. `false` when no complaint
/// has the code.
pub async fn erase_contact(conn: &mut Conn, tracking_code: &str, at_ms: i64) -> Result<bool, StoreError> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM complaints WHERE tracking_code = $1")
        .bind(tracking_code)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(id) = found else {
        return Ok(false);
    };
    let erased = sqlx::query("DELETE FROM reporters WHERE complaint_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    sqlx::query(DELETE_REPORTER_MAIL).bind(id).execute(&mut *conn).await?;
    if erased > 0 {
        sqlx::query(
            "INSERT INTO complaint_events (complaint_id, at, kind, author) VALUES ($1, $2, 'contact_erased', 'reporter')",
        )
        .bind(id)
        .bind(at_ms)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// Forgets what the retention settings say is kept no longer; each
/// statement is idempotent, so processes may run it side by side.
pub async fn purge(conn: &mut Conn, r: &crate::store::Retention) -> Result<crate::store::Purged, StoreError> {
    // Delivered messages, and parked ones as old, with their payloads (a
    // LAPOR forward holds the reporter's identity).
    let messages = sqlx::query(
        "DELETE FROM outbox WHERE (state = 'delivered' AND delivered_at < $1) OR (state = 'failed' AND created_at < $1)",
    )
    .bind(r.delivered_before)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let mut purged = crate::store::Purged {
        messages,
        ..crate::store::Purged::default()
    };
    for statement in [
        "DELETE FROM idempotency_keys WHERE created_at < $1",
        "DELETE FROM reply_keys WHERE created_at < $1",
        "DELETE FROM inbound_messages WHERE received_at < $1",
        "DELETE FROM lapor_updates WHERE received_at < $1",
    ] {
        purged.keys += sqlx::query(statement)
            .bind(r.keys_before)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    let ended: Vec<i64> = sqlx::query_scalar(
        "SELECT c.id FROM complaints c JOIN reporters p ON p.complaint_id = c.id \
         WHERE c.status IN ('closed', 'rejected', 'transferred_out') AND c.updated_at < $1 LIMIT 1000",
    )
    .bind(r.contacts_before)
    .fetch_all(&mut *conn)
    .await?;
    for id in ended {
        sqlx::query("DELETE FROM reporters WHERE complaint_id = $1").bind(id).execute(&mut *conn).await?;
        sqlx::query(DELETE_REPORTER_MAIL).bind(id).execute(&mut *conn).await?;
        purged.contacts += 1;
    }
    Ok(purged)
}
