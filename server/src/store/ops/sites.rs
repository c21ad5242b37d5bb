// Sites: the registry, the origins each region takes complaints from, and
// the signs that the widget works on them.

/// The origin rules of a region's sites.
pub async fn region_origins(conn: &mut Conn, region: &str) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT origin FROM site_origins WHERE region_slug = $1 ORDER BY origin",
    )
    .bind(region)
    .fetch_all(&mut *conn)
    .await?)
}

async fn origins_of(conn: &mut Conn, site_id: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar("SELECT origin FROM site_origins WHERE site_id = $1 ORDER BY origin")
        .bind(site_id)
        .fetch_all(&mut *conn)
        .await?)
}

const SITE_COLUMNS: &str = "id, site_key, region_slug, name, lang, theme, accent, radius, launcher, position, mode, \
     check_url, check_at, check_result, created_at, updated_at";

/// The sites of a region (every site for `None`), with their origins and
/// where each was last seen.
pub async fn sites(
    conn: &mut Conn,
    region: Option<&str>,
) -> Result<Vec<crate::sites::SiteRow>, StoreError> {
    let mut q = QueryBuilder::<Db>::new("SELECT ");
    q.push(SITE_COLUMNS).push(" FROM sites WHERE 1 = 1");
    if let Some(region) = region {
        q.push(" AND region_slug = ").push_bind(region.to_owned());
    }
    q.push(" ORDER BY region_slug, name, id");
    let found: Vec<crate::sites::Site> = q.build_query_as().fetch_all(&mut *conn).await?;
    let mut rows = Vec::with_capacity(found.len());
    for site in found {
        let origins = origins_of(conn, site.id).await?;
        let seen = seen_of(conn, site.id).await?;
        rows.push(crate::sites::SiteRow { site, origins, seen });
    }
    Ok(rows)
}

async fn seen_of(conn: &mut Conn, site_id: i64) -> Result<Vec<crate::sites::Seen>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT origin, version, seen_at FROM site_seen WHERE site_id = $1 ORDER BY seen_at DESC, origin",
    )
    .bind(site_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// One site with everything its page shows; `None` when there is none.
pub async fn site_detail(conn: &mut Conn, id: i64) -> Result<Option<crate::sites::SiteDetail>, StoreError> {
    let site: Option<crate::sites::Site> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {SITE_COLUMNS} FROM sites WHERE id = $1")))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(site) = site else { return Ok(None) };
    let origins = origins_of(conn, id).await?;
    let seen = seen_of(conn, id).await?;
    let csp = sqlx::query_as(
        "SELECT origin, directive, blocked, reports, first_at, last_at FROM site_csp_reports \
         WHERE site_id = $1 ORDER BY last_at DESC, directive",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(crate::sites::SiteDetail {
        row: crate::sites::SiteRow { site, origins, seen },
        csp,
    }))
}

/// A site by its public key, with its origins.
pub async fn site_by_key(conn: &mut Conn, key: &str) -> Result<Option<(crate::sites::Site, Vec<String>)>, StoreError> {
    let site: Option<crate::sites::Site> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {SITE_COLUMNS} FROM sites WHERE site_key = $1")))
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
    let Some(site) = site else { return Ok(None) };
    let origins = origins_of(conn, site.id).await?;
    Ok(Some((site, origins)))
}

/// The origins a region's widget was used from unregistered (every region for `None`).
pub async fn refusals(conn: &mut Conn, region: Option<&str>) -> Result<Vec<crate::sites::Refusal>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT region_slug, origin, refused, loaded, last_at FROM origin_refusals WHERE 1 = 1",
    );
    if let Some(region) = region {
        q.push(" AND region_slug = ").push_bind(region.to_owned());
    }
    q.push(" ORDER BY last_at DESC, origin");
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// Creates a site (no `id`) or changes one; its id, `None` when the site
/// to change does not exist.
pub async fn save_site(conn: &mut Conn, w: crate::sites::SiteWrite) -> Result<Option<i64>, StoreError> {
    let s = &w.settings;
    let id: Option<i64> = match w.id {
        None => Some(
            sqlx::query_scalar(
                "INSERT INTO sites (site_key, region_slug, name, lang, theme, accent, radius, launcher, position, mode, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
            )
            .bind(&w.key)
            .bind(&w.region)
            .bind(&s.name)
            .bind(&s.lang)
            .bind(&s.theme)
            .bind(&s.accent)
            .bind(s.radius)
            .bind(&s.launcher)
            .bind(&s.position)
            .bind(&s.mode)
            .bind(w.at_ms)
            .fetch_one(&mut *conn)
            .await?,
        ),
        Some(id) => sqlx::query_scalar(
            "UPDATE sites SET name = $2, lang = $3, theme = $4, accent = $5, radius = $6, launcher = $7, position = $8, \
             mode = $9, updated_at = $10 WHERE id = $1 RETURNING id",
        )
        .bind(id)
        .bind(&s.name)
        .bind(&s.lang)
        .bind(&s.theme)
        .bind(&s.accent)
        .bind(s.radius)
        .bind(&s.launcher)
        .bind(&s.position)
        .bind(&s.mode)
        .bind(w.at_ms)
        .fetch_optional(&mut *conn)
        .await?,
    };
    let Some(id) = id else { return Ok(None) };
    let region: String = sqlx::query_scalar("SELECT region_slug FROM sites WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM site_origins WHERE site_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for origin in &s.origins {
        sqlx::query("INSERT INTO site_origins (site_id, origin, region_slug) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(origin)
            .bind(&region)
            .execute(&mut *conn)
            .await?;
        // Registered now: no longer a refused origin of this region.
        sqlx::query("DELETE FROM origin_refusals WHERE region_slug = $1 AND origin = $2")
            .bind(&region)
            .bind(origin)
            .execute(&mut *conn)
            .await?;
    }
    Ok(Some(id))
}

/// Removes a site and what was recorded about it; false when there was none.
pub async fn delete_site(conn: &mut Conn, id: i64) -> Result<bool, StoreError> {
    for table in ["site_origins", "site_seen", "site_csp_reports"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE site_id = $1")))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let gone = sqlx::query("DELETE FROM sites WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    Ok(gone > 0)
}

/// Records something about a site or an origin.
pub async fn site_note(conn: &mut Conn, note: crate::sites::SiteNote, at_ms: i64) -> Result<(), StoreError> {
    use crate::sites::SiteNote as N;
    match note {
        N::Refused { region, origin } => count_origin(conn, &region, &origin, (1, 0), at_ms).await,
        N::Loaded { region, origin } => count_origin(conn, &region, &origin, (0, 1), at_ms).await,
        N::Seen { site_id, origin, version } => {
            sqlx::query(
                "INSERT INTO site_seen (site_id, origin, version, seen_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (site_id, origin) DO UPDATE SET version = excluded.version, seen_at = excluded.seen_at",
            )
            .bind(site_id)
            .bind(&origin)
            .bind(&version)
            .bind(at_ms)
            .execute(&mut *conn)
            .await?;
            // A `*.` rule admits any number of subdomains: a site keeps the
            // origins it was seen on most recently. Trimmed after the write,
            // so writers side by side cannot leave more than the cap.
            sqlx::query(
                "DELETE FROM site_seen WHERE site_id = $1 AND origin NOT IN \
                 (SELECT origin FROM site_seen WHERE site_id = $1 ORDER BY seen_at DESC, origin LIMIT $2)",
            )
            .bind(site_id)
            .bind(crate::sites::SEEN_KEPT)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        N::Csp { site_id, origin, directive, blocked } => {
            sqlx::query(
                "INSERT INTO site_csp_reports (site_id, origin, directive, blocked, reports, first_at, last_at) \
                 VALUES ($1, $2, $3, $4, 1, $5, $5) \
                 ON CONFLICT (site_id, origin, directive, blocked) DO UPDATE SET reports = site_csp_reports.reports + 1, last_at = excluded.last_at",
            )
            .bind(site_id)
            .bind(&origin)
            .bind(&directive)
            .bind(&blocked)
            .bind(at_ms)
            .execute(&mut *conn)
            .await?;
            // The oldest go: a page's present trouble is what matters.
            sqlx::query(
                "DELETE FROM site_csp_reports WHERE site_id = $1 AND (origin, directive, blocked) NOT IN \
                 (SELECT origin, directive, blocked FROM site_csp_reports WHERE site_id = $1 \
                  ORDER BY last_at DESC, origin, directive, blocked LIMIT $2)",
            )
            .bind(site_id)
            .bind(crate::sites::CSP_KEPT)
            .execute(&mut *conn)
            .await?;
            Ok(())
        }
        N::Dismiss { region, origin } => {
            sqlx::query("DELETE FROM origin_refusals WHERE region_slug = $1 AND origin = $2")
                .bind(&region)
                .bind(&origin)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
        N::Check { site_id, url, result } => {
            sqlx::query("UPDATE sites SET check_url = $2, check_at = $3, check_result = $4 WHERE id = $1")
                .bind(site_id)
                .bind(&url)
                .bind(at_ms)
                .bind(&result)
                .execute(&mut *conn)
                .await?;
            Ok(())
        }
    }
}

/// Counts a refused request or a widget load from an unregistered origin;
/// a region keeps the most recent few (trimmed after the write, so writers
/// side by side cannot leave more).
async fn count_origin(
    conn: &mut Conn,
    region: &str,
    origin: &str,
    (refused, loaded): (i64, i64),
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO origin_refusals (region_slug, origin, refused, loaded, last_at) \
         SELECT slug, $2, $3, $4, $5 FROM regions WHERE slug = $1 \
         ON CONFLICT (region_slug, origin) DO UPDATE SET refused = origin_refusals.refused + excluded.refused, \
         loaded = origin_refusals.loaded + excluded.loaded, last_at = excluded.last_at",
    )
    .bind(region)
    .bind(origin)
    .bind(refused)
    .bind(loaded)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "DELETE FROM origin_refusals WHERE region_slug = $1 AND origin NOT IN \
         (SELECT origin FROM origin_refusals WHERE region_slug = $1 ORDER BY last_at DESC, origin LIMIT $2)",
    )
    .bind(region)
    .bind(crate::sites::REFUSALS_KEPT)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
