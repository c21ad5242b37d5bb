// The outbox: fanning events out, claiming and finishing deliveries, the
// e-mails an event causes and due-date reminders.

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
        .bind(crate::metrics::current_request_id())
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
         s.url, s.secret, s.previous_secret, s.previous_until, o.request_id \
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
    if matches!(outcome, Delivered::Yes) {
        delivered_to_region(conn, id, now_ms).await?;
    }
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
    counts.oldest_pending_at =
        sqlx::query_scalar("SELECT MIN(created_at) FROM outbox WHERE state = 'pending'")
            .fetch_one(&mut *conn)
            .await?;
    Ok(counts)
}

/// One row to queue in the outbox.
struct OutboxMessage<'a> {
    delivery_id: &'a str,
    channel: &'static str,
    target: &'a str,
    complaint_id: Option<i64>,
    event_type: &'static str,
    payload: &'a str,
}

/// Queues a message unless one with its delivery id is queued already.
async fn queue_once(conn: &mut Conn, m: &OutboxMessage<'_>, now_ms: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (delivery_id, channel, target, complaint_id, event_type, payload, state, attempts, next_attempt_at, created_at, request_id) \
         VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7, $8) ON CONFLICT (delivery_id) DO NOTHING",
    )
    .bind(m.delivery_id)
    .bind(m.channel)
    .bind(m.target)
    .bind(m.complaint_id)
    .bind(m.event_type)
    .bind(m.payload)
    .bind(now_ms)
    .bind(crate::metrics::current_request_id())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_mail(
    conn: &mut Conn,
    delivery_id: &str,
    complaint_id: Option<i64>,
    mail: &crate::mail::Mail,
    now_ms: i64,
) -> Result<(), StoreError> {
    let payload = serde_json::to_string(mail).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // A citizen's mail (the reporter's `_r`, a supporter's `_s{id}`) is
    // marked, so that the outbox's readers can leave out whose address it is.
    let event_type = if delivery_id.ends_with("_r") {
        crate::mail::TO_REPORTER
    } else if delivery_id.rsplit('_').next().is_some_and(|last| last.starts_with('s')) {
        crate::mail::TO_SUPPORTER
    } else {
        crate::mail::TO_OFFICER
    };
    let row = OutboxMessage {
        delivery_id,
        channel: "email",
        target: &mail.to,
        complaint_id,
        event_type,
        payload: &payload,
    };
    queue_once(conn, &row, now_ms).await
}

/// Active officers of a region in a role (and unit) who want an e-mail
/// for each complaint to act on: id and e-mail.
async fn officers_to_tell(
    conn: &mut Conn,
    region: &str,
    role: &str,
    unit: Option<&str>,
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut q = QueryBuilder::<Db>::new("SELECT id, email FROM officers WHERE active AND mail_pref = 'immediate' AND region_slug = ");
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
    use crate::disclosure::{Audience, Field, keep, may};
    let email = keep(Audience::ReporterMail, facts.privacy, Field::ReporterEmail, email);
    let news = crate::mail::SupporterNews {
        region: facts.region,
        title: keep(Audience::SupporterMail, facts.privacy, Field::Title, Some(title.as_str())),
        author,
        kind: facts.kind,
        from: facts.from_status,
        to_status: facts.to_status,
        message: keep(Audience::SupporterMail, facts.privacy, Field::OfficerReply, facts.public_message),
    };
    if may(Audience::SupporterMail, facts.privacy, Field::Routing) {
        for (supporter, address, locale, token) in supporters_to_tell(conn, complaint_id).await? {
            let Some(address) = keep(Audience::SupporterMail, facts.privacy, Field::SupporterContact, Some(address)) else {
                continue;
            };
            let locale = aduan_app::api::Locale::from_key(&locale).unwrap_or_default();
            if let Some(mail) = crate::mail::for_supporter(ctx, &address, locale, &token, &news) {
                insert_mail(conn, &format!("mail_{event_id}_s{supporter}"), Some(complaint_id), &mail, facts.at_ms).await?;
            }
        }
    }
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
            insert_mail(conn, &format!("mail_{event_id}_r"), Some(complaint_id), &mail, facts.at_ms).await?;
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
        insert_mail(conn, &format!("mail_{event_id}_o{officer}"), Some(complaint_id), &mail, facts.at_ms).await?;
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
         JOIN officers o ON o.active AND o.mail_pref = 'immediate' AND o.region_slug = c.region_slug AND \
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
        insert_mail(conn, &format!("due_{}_{due_date}_o{}", r.id, r.officer_id), Some(r.id), &mail, now_ms).await?;
    }
    Ok(rows.len())
}
