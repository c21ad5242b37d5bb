// SP4N-LAPOR: queueing forwards, the ids LAPOR gives, the updates it sends.

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
        files: attachments(conn, complaint_id)
            .await?
            .into_iter()
            .filter(|f| f.visible_to(Audience::Lapor, privacy))
            .map(|f| crate::lapor::LinkedFile {
                name: f.name_for(Audience::Lapor),
                id: f.id,
                kind: f.kind,
                url: None,
            })
            .collect(),
    };
    let payload = serde_json::to_string(&report).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = OutboxMessage {
        delivery_id: &report.reference,
        channel: "lapor",
        target: &row.region_slug,
        complaint_id: Some(complaint_id),
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
