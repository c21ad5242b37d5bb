// An officer's own work: who holds a complaint, how they hear by e-mail,
// the lists they saved, and their daily digest.

/// Gives a complaint to one officer of its unit, or back to the unit,
/// while it is still held by whom the officer saw and still in the state,
/// region and unit it was read in; the change is an event of its history
/// (internal: never on the tracker, a webhook or a forward). An assignee
/// given it by somebody else hears of it if they want e-mail at once.
pub async fn assign(conn: &mut Conn, a: &Assignment) -> Result<ActOutcome, StoreError> {
    let assignee = a.assignee.as_ref().map(|(id, _)| *id);
    let mut q = QueryBuilder::<Db>::new("UPDATE complaints SET assignee_id = ");
    q.push_bind(assignee)
        .push(" WHERE id = ")
        .push_bind(a.complaint_id)
        .push(" AND assignee_id IS NOT DISTINCT FROM ")
        .push_bind(a.expected)
        .push(" AND status = ")
        .push_bind(a.status.clone())
        .push(" AND region_slug = ")
        .push_bind(a.region.clone())
        .push(" AND unit_key = ")
        .push_bind(a.unit.clone());
    if let Some(id) = assignee {
        // Nobody deactivated in the meantime holds anything.
        q.push(" AND EXISTS (SELECT 1 FROM officers o WHERE o.id = ")
            .push_bind(id)
            .push(" AND o.active)");
    }
    if q.build().execute(&mut *conn).await?.rows_affected() == 0 {
        return missed(conn, a.complaint_id).await;
    }
    let detail = crate::casework::owner::detail(a.assignee.as_ref(), false);
    let event_id: i64 = sqlx::query_scalar(
        "INSERT INTO complaint_events (complaint_id, at, kind, author, officer_id, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(a.complaint_id)
    .bind(a.at_ms)
    .bind(crate::casework::owner::KIND)
    .bind(if a.by.is_some() { "officer" } else { "system" })
    .bind(a.by)
    .bind(detail)
    .fetch_one(&mut *conn)
    .await?;
    if let (Some(ctx), Some(id)) = (&a.mail, assignee.filter(|id| a.by != Some(*id))) {
        let to: Option<(String, String)> = sqlx::query_as(
            "SELECT o.email, c.title FROM officers o, complaints c WHERE o.id = $1 AND c.id = $2 AND o.active AND o.mail_pref = 'immediate'",
        )
        .bind(id)
        .bind(a.complaint_id)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((email, title)) = to {
            use crate::disclosure::{Audience, Field, keep};
            let title = keep(Audience::OfficerMail, a.privacy, Field::Title, Some(title.as_str())).unwrap_or_default();
            let mail = crate::mail::for_officer(ctx, &email, &a.tracking_code, title, crate::mail::ASSIGNED);
            insert_mail(conn, &format!("assign_{event_id}_o{id}"), Some(a.complaint_id), &mail, a.at_ms).await?;
        }
    }
    Ok(ActOutcome::Done)
}

/// Gives back to their units the complaints an officer holds (they were
/// deactivated), each with its event; how many.
async fn release_held(conn: &mut Conn, officer_id: i64, at_ms: i64) -> Result<u64, StoreError> {
    let held: Vec<i64> = sqlx::query_scalar("SELECT id FROM complaints WHERE assignee_id = $1 ORDER BY id")
        .bind(officer_id)
        .fetch_all(&mut *conn)
        .await?;
    sqlx::query("UPDATE complaints SET assignee_id = NULL WHERE assignee_id = $1")
        .bind(officer_id)
        .execute(&mut *conn)
        .await?;
    let detail = crate::casework::owner::detail(None, true);
    for id in &held {
        sqlx::query(
            "INSERT INTO complaint_events (complaint_id, at, kind, author, detail) VALUES ($1, $2, $3, 'system', $4)",
        )
        .bind(*id)
        .bind(at_ms)
        .bind(crate::casework::owner::KIND)
        .bind(&detail)
        .execute(&mut *conn)
        .await?;
    }
    Ok(held.len() as u64)
}

/// An officer's e-mail preference and the time of their digest.
pub async fn mail_preference(conn: &mut Conn, officer_id: i64) -> Result<Option<(String, String)>, StoreError> {
    Ok(sqlx::query_as("SELECT mail_pref, digest_at FROM officers WHERE id = $1")
        .bind(officer_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Sets an officer's e-mail preference and the time of their digest
/// (checked by the caller).
pub async fn set_mail_preference(conn: &mut Conn, officer_id: i64, pref: &str, digest_at: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE officers SET mail_pref = $2, digest_at = $3 WHERE id = $1")
        .bind(officer_id)
        .bind(pref)
        .bind(digest_at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An officer's saved views, by name.
pub async fn saved_views(conn: &mut Conn, officer_id: i64) -> Result<Vec<SavedView>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, name, query, in_digest FROM saved_views WHERE officer_id = $1 ORDER BY name, id",
    )
    .bind(officer_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Saves a view under its name (replacing one of the same name); its id.
pub async fn save_view(conn: &mut Conn, officer_id: i64, view: &NewView) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "INSERT INTO saved_views (officer_id, name, query, in_digest, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (officer_id, name) DO UPDATE SET query = excluded.query, in_digest = excluded.in_digest RETURNING id",
    )
    .bind(officer_id)
    .bind(&view.name)
    .bind(&view.query)
    .bind(view.in_digest)
    .bind(view.at_ms)
    .fetch_one(&mut *conn)
    .await?)
}

/// Forgets one of an officer's views; false when they have none by that id.
pub async fn delete_view(conn: &mut Conn, officer_id: i64, id: i64) -> Result<bool, StoreError> {
    Ok(sqlx::query("DELETE FROM saved_views WHERE id = $1 AND officer_id = $2")
        .bind(id)
        .bind(officer_id)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1)
}

/// The active officers whose digest is due by `time` (HH:MM) on `day` and
/// was not written yet: who want e-mail, and have a view in their digest
/// or asked for the digest instead of single e-mails.
pub async fn digests_due(conn: &mut Conn, day: &str, time: &str) -> Result<Vec<DigestDue>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT o.id, o.email, o.name, o.role, o.region_slug, o.unit_key, o.mail_pref FROM officers o \
         WHERE o.active AND o.mail_pref <> 'off' AND o.digest_at <= $2 \
           AND (o.mail_pref = 'digest' OR EXISTS (SELECT 1 FROM saved_views v WHERE v.officer_id = o.id AND v.in_digest)) \
           AND NOT EXISTS (SELECT 1 FROM digest_runs d WHERE d.officer_id = o.id AND d.day = $1) \
         ORDER BY o.id",
    )
    .bind(day)
    .bind(time)
    .fetch_all(&mut *conn)
    .await?)
}

/// Queues an officer's digest of `day` unless one was written already
/// (by this process or another): true when this call wrote it.
pub async fn queue_digest(
    conn: &mut Conn,
    officer_id: i64,
    day: &str,
    mail: &crate::mail::Mail,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let claimed = sqlx::query(
        "INSERT INTO digest_runs (officer_id, day, at) VALUES ($1, $2, $3) ON CONFLICT (officer_id, day) DO NOTHING",
    )
    .bind(officer_id)
    .bind(day)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if claimed {
        insert_mail(conn, &format!("digest_{officer_id}_{day}"), None, mail, at_ms).await?;
    }
    Ok(claimed)
}
