// Sessions, sign-in budgets and trusted devices, and the sweep that forgets them.

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
