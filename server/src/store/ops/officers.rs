// Officers: adding, finding, listing, their passwords and whether they may sign in.

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
/// end at once, and the complaints they held go back to their units.
pub async fn set_officer_active(conn: &mut Conn, id: i64, active: bool, at_ms: i64) -> Result<bool, StoreError> {
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
        release_held(conn, id, at_ms).await?;
    }
    Ok(done == 1)
}
