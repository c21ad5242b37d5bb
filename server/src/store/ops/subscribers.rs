// Webhook subscribers, integration modes, inbound message ids, Open311
// partners and the public requests Open311 lists.

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
        "SELECT c.public_id, c.anonymous, c.confidential, c.region_slug, c.unit_key, c.category_key, c.title, c.description, c.location, c.landmark, c.latitude, c.longitude, c.status, c.due_date, \
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
    let mut requests: Vec<crate::store::outbox::PublicRequest> = q.build_query_as().fetch_all(&mut *conn).await?;
    if requests.is_empty() {
        return Ok(requests);
    }
    #[derive(sqlx::FromRow)]
    struct Owned {
        public_id: String,
        #[sqlx(flatten)]
        row: crate::attachments::AttachmentRow,
    }
    let mut q = QueryBuilder::<Db>::new(
        "SELECT c.public_id, a.id, a.complaint_id, a.upload_id, a.part, a.hidden, a.blob, a.thumb, a.kind, a.filename, a.size, a.width, a.height, a.created_at \
         FROM attachments a JOIN complaints c ON c.id = a.complaint_id WHERE c.public_id IN (",
    );
    let mut list = q.separated(", ");
    for r in &requests {
        list.push_bind(r.public_id.clone());
    }
    q.push(") ORDER BY a.created_at, a.position, a.id");
    let files: Vec<Owned> = q.build_query_as().fetch_all(&mut *conn).await?;
    for file in files {
        if let Some(r) = requests.iter_mut().find(|r| r.public_id == file.public_id) {
            r.files.push(file.row);
        }
    }
    Ok(requests)
}
