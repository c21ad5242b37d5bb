// Uploads and attachments: the rows; the bytes live behind
// `attachments::storage::Blobs`.

use crate::attachments::{
    AttachOutcome, Attaching, AttachmentOwner, AttachmentRow, NewUpload, UploadRow,
};

macro_rules! upload_columns {
    () => {
        "id, length, filename, created_at, expires_at, blob, thumb, kind, size, width, height"
    };
}

macro_rules! attachment_columns {
    () => {
        "a.id, a.complaint_id, a.upload_id, a.part, a.hidden, a.blob, a.thumb, a.kind, a.filename, a.size, a.width, a.height, a.created_at"
    };
}

pub async fn create_upload(conn: &mut Conn, u: &NewUpload) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO uploads (id, length, filename, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&u.id)
    .bind(u.length)
    .bind(&u.filename)
    .bind(u.created_at)
    .bind(u.expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// An upload that has not expired at `now_ms`.
pub async fn upload(conn: &mut Conn, id: &str, now_ms: i64) -> Result<Option<UploadRow>, StoreError> {
    Ok(sqlx::query_as(concat!("SELECT ", upload_columns!(), " FROM uploads WHERE id = $1 AND expires_at > $2"))
    .bind(id)
    .bind(now_ms)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Records what an upload became once cleaned; `false` when it is gone.
pub async fn finish_upload(conn: &mut Conn, id: &str, done: &UploadRow) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE uploads SET blob = $2, thumb = $3, kind = $4, size = $5, width = $6, height = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(&done.blob)
    .bind(&done.thumb)
    .bind(&done.kind)
    .bind(done.size)
    .bind(done.width)
    .bind(done.height)
    .execute(&mut *conn)
    .await?
    .rows_affected()
        > 0)
}

/// Forgets an upload; the row as it was, if there was one.
pub async fn delete_upload(conn: &mut Conn, id: &str) -> Result<Option<UploadRow>, StoreError> {
    let row: Option<UploadRow> = sqlx::query_as(concat!("SELECT ", upload_columns!(), " FROM uploads WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM uploads WHERE id = $1").bind(id).execute(&mut *conn).await?;
    Ok(row)
}

/// Forgets up to `limit` uploads that expired before `now_ms` unattached.
pub async fn take_expired_uploads(conn: &mut Conn, now_ms: i64, limit: i64) -> Result<Vec<UploadRow>, StoreError> {
    let rows: Vec<UploadRow> = sqlx::query_as(concat!("SELECT ", upload_columns!(), " FROM uploads WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2"))
    .bind(now_ms)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        sqlx::query("DELETE FROM uploads WHERE id = $1").bind(&row.id).execute(&mut *conn).await?;
    }
    Ok(rows)
}

/// Attaches cleaned uploads to a complaint, all or none. An upload attached
/// to this complaint before is skipped, so a retried request attaches once.
pub async fn attach(conn: &mut Conn, a: &Attaching) -> Result<AttachOutcome, StoreError> {
    let mut fresh: Vec<UploadRow> = Vec::new();
    for (i, id) in a.uploads.iter().enumerate() {
        // The same upload named twice is attached once.
        if a.uploads[..i].contains(id) {
            continue;
        }
        let done: Option<i64> = sqlx::query_scalar(
            "SELECT complaint_id FROM attachments WHERE complaint_id = $1 AND upload_id = $2",
        )
        .bind(a.complaint_id)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if done.is_some() {
            continue;
        }
        let row: Option<UploadRow> = sqlx::query_as(concat!("SELECT ", upload_columns!(), " FROM uploads WHERE id = $1 AND expires_at > $2"))
        .bind(id)
        .bind(a.at_ms)
        .fetch_optional(&mut *conn)
        .await?;
        match row {
            None => return Ok(AttachOutcome::Missing(id.clone())),
            Some(row) if row.blob.is_none() => return Ok(AttachOutcome::Unfinished(row.filename)),
            Some(row) => fresh.push(row),
        }
    }
    let mut inserted = Vec::new();
    for (position, row) in fresh.iter().enumerate() {
        let id = format!("{:016x}", rand::random::<u64>());
        sqlx::query(
            "INSERT INTO attachments (id, complaint_id, upload_id, part, hidden, blob, thumb, kind, filename, size, width, height, created_at, position) \
             VALUES ($1, $2, $3, $4, FALSE, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(&id)
        .bind(a.complaint_id)
        .bind(&row.id)
        .bind(a.part.key())
        .bind(&row.blob)
        .bind(&row.thumb)
        .bind(&row.kind)
        .bind(&row.filename)
        .bind(row.size)
        .bind(row.width)
        .bind(row.height)
        .bind(a.at_ms)
        .bind(i32::try_from(position).unwrap_or(i32::MAX))
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM uploads WHERE id = $1").bind(&row.id).execute(&mut *conn).await?;
        inserted.push(id);
    }
    if !inserted.is_empty() {
        tell_subscribers(conn, a, &inserted).await?;
    }
    Ok(AttachOutcome::Attached(fresh.len()))
}

/// Queues, for a region's apps, the files just attached that the policy
/// lets them see.
async fn tell_subscribers(conn: &mut Conn, a: &Attaching, inserted: &[String]) -> Result<(), StoreError> {
    let (public_id, region, unit, anonymous, confidential): (String, String, String, bool, bool) = sqlx::query_as(
        "SELECT public_id, region_slug, unit_key, anonymous, confidential FROM complaints WHERE id = $1",
    )
    .bind(a.complaint_id)
    .fetch_one(&mut *conn)
    .await?;
    let privacy = aduan_app::api::Privacy::of(anonymous, confidential);
    let rows = attachments(conn, a.complaint_id).await?;
    let told: Vec<&AttachmentRow> = rows
        .iter()
        .filter(|r| inserted.contains(&r.id) && r.visible_to(crate::disclosure::Audience::Webhook, privacy))
        .collect();
    let Some(first) = told.first() else {
        return Ok(());
    };
    let body = crate::outbound::files_message(&public_id, &region, &unit, &told, a.at_ms);
    sqlx::query(crate::store::outbox::FAN_OUT_FILES)
        .bind(&first.id)
        .bind(a.complaint_id)
        .bind(crate::outbound::FILES_ADDED)
        .bind(body)
        .bind(a.at_ms)
        .bind(crate::metrics::current_request_id())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A complaint's attachments, oldest first.
pub async fn attachments(conn: &mut Conn, complaint_id: i64) -> Result<Vec<AttachmentRow>, StoreError> {
    Ok(sqlx::query_as(concat!("SELECT ", attachment_columns!(), " FROM attachments a WHERE a.complaint_id = $1 ORDER BY a.created_at, a.position, a.id"))
    .bind(complaint_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// One attachment and what the scope rules need of its complaint.
pub async fn attachment(conn: &mut Conn, id: &str) -> Result<Option<(AttachmentRow, AttachmentOwner)>, StoreError> {
    let row: Option<AttachmentRow> = sqlx::query_as(concat!("SELECT ", attachment_columns!(), " FROM attachments a WHERE a.id = $1"))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let owner: AttachmentOwner = sqlx::query_as(
        "SELECT tracking_code, public_id, region_slug, unit_key, anonymous, confidential, status FROM complaints WHERE id = $1",
    )
    .bind(row.complaint_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(Some((row, owner)))
}

pub async fn set_attachment_hidden(conn: &mut Conn, complaint_id: i64, id: &str, hidden: bool) -> Result<bool, StoreError> {
    Ok(sqlx::query("UPDATE attachments SET hidden = $3 WHERE id = $2 AND complaint_id = $1")
        .bind(complaint_id)
        .bind(id)
        .bind(hidden)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        > 0)
}

/// True while an attachment or a waiting upload still names these bytes.
pub async fn blob_in_use(conn: &mut Conn, hash: &str) -> Result<bool, StoreError> {
    let used: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) FROM attachments WHERE blob = $1 OR thumb = $1 \
         UNION ALL SELECT CAST(1 AS BIGINT) FROM uploads WHERE blob = $1 OR thumb = $1 LIMIT 1",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(used.is_some())
}

/// Deletes the attachments of complaints that ended before `before` (ms),
/// up to `limit`; the hashes they named.
pub async fn purge_attachments(conn: &mut Conn, before: i64, limit: i64) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT a.id, a.blob, a.thumb FROM attachments a JOIN complaints c ON c.id = a.complaint_id \
         WHERE c.status IN ('closed', 'rejected', 'transferred_out') AND c.updated_at < $1 LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut hashes = Vec::new();
    for (id, blob, thumb) in rows {
        sqlx::query("DELETE FROM attachments WHERE id = $1").bind(&id).execute(&mut *conn).await?;
        hashes.push(blob);
        hashes.extend(thumb);
    }
    Ok(hashes)
}

/// The service's key of this name, made from `fresh` the first time.
pub async fn service_key(conn: &mut Conn, name: &str, fresh: &str) -> Result<String, StoreError> {
    sqlx::query("INSERT INTO service_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
        .bind(name)
        .bind(fresh)
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar("SELECT value FROM service_keys WHERE name = $1")
        .bind(name)
        .fetch_one(&mut *conn)
        .await?)
}
