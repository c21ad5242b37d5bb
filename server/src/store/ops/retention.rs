// Erasure and retention: the reporter's contact details and what the
// retention settings keep no longer.

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
    // A rating's comment is the reporter's words: kept as long as their
    // contact details; the score stays, a figure.
    sqlx::query("UPDATE ratings SET comment = NULL WHERE comment IS NOT NULL AND at < $1")
        .bind(r.contacts_before)
        .execute(&mut *conn)
        .await?;
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
    purged.keys += sqlx::query("DELETE FROM digest_runs WHERE at < $1")
        .bind(r.digests_before)
        .execute(&mut *conn)
        .await?
        .rows_affected();
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
    purged.contacts += purge_supporters(conn, r.contacts_before, r.unconfirmed_before).await?;
    Ok(purged)
}
