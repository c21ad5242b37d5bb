// "Saya juga": citizens who join an open complaint instead of filing the
// same one again. What of a complaint may be shown to them is decided by
// the disclosure policy (`crate::supporters`); these statements only read
// and write.

/// The statuses a complaint can be joined in: the officers accepted it
/// and have not resolved it. (A complaint not yet verified may be a
/// mistake or abuse; one resolved is for its reporter to confirm.)
pub const JOINABLE: &str = "status IN ('verified', 'in_progress')";

/// Up to `limit` joinable complaints that are not confidential, of one
/// region, category and district, received since `since_ms`, newest first.
pub async fn similar(
    conn: &mut Conn,
    region: &str,
    category: &str,
    district: &str,
    since_ms: i64,
    limit: i64,
) -> Result<Vec<crate::supporters::SimilarRow>, StoreError> {
    let sql = format!(
        "SELECT c.public_id, c.title, c.status, c.anonymous, c.confidential, c.created_at, \
         (SELECT COUNT(*) FROM supporters s WHERE s.complaint_id = c.id AND s.confirmed_at IS NOT NULL) AS supporters \
         FROM complaints c WHERE c.region_slug = $1 AND c.category_key = $2 AND c.district_key = $3 \
         AND c.created_at >= $4 AND NOT c.confidential AND c.{JOINABLE} \
         ORDER BY c.created_at DESC, c.id DESC LIMIT $5"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(region)
        .bind(category)
        .bind(district)
        .bind(since_ms)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?)
}

/// Adds a supporter to the joinable, non-confidential complaint with this
/// public id, unconfirmed, and queues the e-mail with their confirmation
/// link; once per contact, however often they ask (a second time sends
/// nothing). With e-mail off (`mail` is `None`) nobody can join.
pub async fn join(
    conn: &mut Conn,
    public_id: &str,
    who: &crate::supporters::NewSupporter,
    mail: Option<&crate::mail::MailContext>,
) -> Result<crate::supporters::Joined, StoreError> {
    use crate::disclosure::{Audience, Field, keep};
    use crate::supporters::Joined;
    let sql = format!(
        "SELECT id, region_slug, title, anonymous, confidential FROM complaints \
         WHERE public_id = $1 AND NOT confidential AND {JOINABLE}"
    );
    let found: Option<(i64, String, String, bool, bool)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(public_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some((complaint_id, region, title, anonymous, confidential)) = found else {
        return Ok(Joined::NotFound);
    };
    let (Some(ctx), Some(address)) = (mail, who.contact.email.as_deref()) else {
        return Ok(Joined::NoMail);
    };
    let added: Option<i64> = sqlx::query_scalar(
        "INSERT INTO supporters (complaint_id, contact_key, name, email, phone, locale, leave_token, confirm_token, joined_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (complaint_id, contact_key) DO NOTHING RETURNING id",
    )
    .bind(complaint_id)
    .bind(&who.contact_key)
    .bind(&who.contact.name)
    .bind(address)
    .bind(&who.contact.phone)
    .bind(who.locale.key())
    .bind(&who.leave_token)
    .bind(&who.confirm_token)
    .bind(who.at_ms)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = added else {
        return Ok(Joined::Known);
    };
    let privacy = aduan_app::api::Privacy::of(anonymous, confidential);
    let title = keep(Audience::SupporterMail, privacy, Field::Title, Some(title.as_str()));
    let Some(to) = keep(Audience::SupporterMail, privacy, Field::SupporterContact, Some(address)) else {
        return Ok(Joined::Asked);
    };
    let letter = crate::mail::for_new_supporter(ctx, to, who.locale, &region, title, &who.confirm_token);
    insert_mail(conn, &format!("mail_join_s{id}"), Some(complaint_id), &letter, who.at_ms).await?;
    Ok(Joined::Asked)
}

/// Counts the supporter with this confirmation token, if they were not
/// yet (following the link again changes nothing).
pub async fn confirm(
    conn: &mut Conn,
    token: &str,
    at_ms: i64,
) -> Result<crate::supporters::Confirmed, StoreError> {
    use crate::supporters::Confirmed;
    let found: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT s.id, s.complaint_id, c.region_slug FROM supporters s JOIN complaints c ON c.id = s.complaint_id \
         WHERE s.confirm_token = $1",
    )
    .bind(token)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, complaint_id, region)) = found else {
        return Ok(Confirmed::Unknown);
    };
    sqlx::query("UPDATE supporters SET confirmed_at = $1 WHERE id = $2 AND confirmed_at IS NULL")
        .bind(at_ms)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let supporters: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM supporters WHERE complaint_id = $1 AND confirmed_at IS NOT NULL",
    )
    .bind(complaint_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Confirmed::Counted { region, supporters })
}

/// The supporter mails of a complaint still waiting in the outbox, or of
/// one supporter (`_s{id}`): the address is in them.
const DELETE_SUPPORTER_MAIL: &str = "DELETE FROM outbox WHERE complaint_id = $1 AND channel = 'email' \
     AND event_type = 'email.supporter' AND delivery_id LIKE $2 ESCAPE '\\'";

/// Stops the e-mails of the supporter with this token: their contact
/// details are erased and what waits for them is dropped; they stay counted.
/// The title of the complaint they supported, `None` for an unknown token.
pub async fn leave(conn: &mut Conn, token: &str) -> Result<Option<String>, StoreError> {
    let found: Option<(i64, i64, String)> = sqlx::query_as(
        "SELECT s.id, s.complaint_id, c.title FROM supporters s JOIN complaints c ON c.id = s.complaint_id WHERE s.leave_token = $1",
    )
    .bind(token)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, complaint_id, title)) = found else {
        return Ok(None);
    };
    sqlx::query("UPDATE supporters SET name = NULL, email = NULL, phone = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(DELETE_SUPPORTER_MAIL)
        .bind(complaint_id)
        .bind(format!("mail\\_%\\_s{id}"))
        .execute(&mut *conn)
        .await?;
    Ok(Some(title))
}

/// The supporters who left an address, to tell of an event.
async fn supporters_to_tell(
    conn: &mut Conn,
    complaint_id: i64,
) -> Result<Vec<(i64, String, String, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, email, locale, leave_token FROM supporters \
         WHERE complaint_id = $1 AND email IS NOT NULL AND confirmed_at IS NOT NULL ORDER BY id",
    )
    .bind(complaint_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Erases the supporters' contact details of complaints that ended before
/// `before` (as the reporter's are), and what waits for them in the outbox;
/// and forgets the addresses given before `stale` and never confirmed.
async fn purge_supporters(conn: &mut Conn, before: i64, stale: i64) -> Result<u64, StoreError> {
    let unconfirmed: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, complaint_id FROM supporters WHERE confirmed_at IS NULL AND joined_at < $1 LIMIT 1000",
    )
    .bind(stale)
    .fetch_all(&mut *conn)
    .await?;
    for (id, complaint_id) in &unconfirmed {
        sqlx::query(DELETE_SUPPORTER_MAIL)
            .bind(complaint_id)
            .bind(format!("mail\\_%\\_s{id}"))
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM supporters WHERE id = $1").bind(id).execute(&mut *conn).await?;
    }
    let ended: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT s.complaint_id FROM supporters s JOIN complaints c ON c.id = s.complaint_id \
         WHERE (s.email IS NOT NULL OR s.phone IS NOT NULL OR s.name IS NOT NULL) \
         AND c.status IN ('closed', 'rejected', 'transferred_out') AND c.updated_at < $1 LIMIT 1000",
    )
    .bind(before)
    .fetch_all(&mut *conn)
    .await?;
    let mut erased = unconfirmed.len() as u64;
    for id in ended {
        erased += sqlx::query("UPDATE supporters SET name = NULL, email = NULL, phone = NULL WHERE complaint_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
        sqlx::query(DELETE_SUPPORTER_MAIL).bind(id).bind("%").execute(&mut *conn).await?;
    }
    Ok(erased)
}

/// Supporters who joined complaints of the filter's regions between the
/// two times, and how many complaints they joined.
pub async fn supporters_between(
    conn: &mut Conn,
    region: Option<&str>,
    from_ms: i64,
    to_ms: i64,
) -> Result<(i64, i64), StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT COUNT(*), COUNT(DISTINCT s.complaint_id) FROM supporters s JOIN complaints c ON c.id = s.complaint_id \
         WHERE s.confirmed_at IS NOT NULL AND s.joined_at >= ",
    );
    q.push_bind(from_ms).push(" AND s.joined_at < ").push_bind(to_ms);
    if let Some(region) = region {
        q.push(" AND c.region_slug = ").push_bind(region.to_owned());
    }
    Ok(q.build_query_as().fetch_one(&mut *conn).await?)
}
