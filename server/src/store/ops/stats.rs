// The indicators' bookkeeping: each complaint's facts, rewritten in the
// transaction that writes its events, and their sums per region, unit and
// day (see `crate::stats`).

use crate::stats::facts::{Clock, Fact, FactEvent, FactSource, Outcome, Timing};
use crate::stats::tally::Tally;
use crate::stats::{DayRow, ExportRow, FactFilter, LiveRow, PulseRow, TEMPLATE_USES};

/// `unit_key` of a region's own row in `stats_daily`.
pub const WHOLE_REGION: &str = "*";

#[derive(Debug, sqlx::FromRow)]
struct FactRow {
    /// Read only where the complaint is not known already.
    #[sqlx(default)]
    complaint_id: i64,
    region_slug: String,
    unit_key: String,
    category_key: String,
    channel: String,
    confidential: bool,
    day: String,
    verification: String,
    verification_due: Option<String>,
    plan: String,
    plan_due: Option<String>,
    first_reply_days: Option<i32>,
    resolution_days: Option<i32>,
    outcome: String,
    reopened: i32,
    followups: i32,
    template_followups: i32,
    rating: Option<i32>,
    open_due: Option<String>,
    last_event_id: i64,
}

impl FactRow {
    fn fact(self, complaint_id: i64) -> Result<Fact, StoreError> {
        let bad = |what: &str| StoreError::Corrupt(format!("complaint fact {complaint_id}: {what}"));
        let count = |n: i32| u32::try_from(n).map_err(|_| bad("a negative count"));
        Ok(Fact {
            complaint_id,
            region: self.region_slug,
            unit: self.unit_key,
            category: self.category_key,
            channel: self.channel,
            confidential: self.confidential,
            day: aduan_app::date::Date::parse(&self.day).ok_or_else(|| bad("day"))?,
            verification: Timing::from_parts(&self.verification, self.verification_due.as_deref())
                .ok_or_else(|| bad("verification"))?,
            plan: Timing::from_parts(&self.plan, self.plan_due.as_deref())
                .ok_or_else(|| bad("plan"))?,
            first_reply_days: self.first_reply_days.map(count).transpose()?,
            resolution_days: self.resolution_days.map(count).transpose()?,
            outcome: Outcome::from_key(&self.outcome).ok_or_else(|| bad("outcome"))?,
            reopened: count(self.reopened)?,
            followups: count(self.followups)?,
            template_followups: count(self.template_followups)?,
            rating: self.rating.and_then(|r| u8::try_from(r).ok()),
            open_due: self.open_due,
            last_event_id: self.last_event_id,
        })
    }
}

/// The settings and holidays the clocks of `region` run on.
async fn clock_parts(
    conn: &mut Conn,
    region: &str,
) -> Result<(i32, u32, u32, std::collections::BTreeSet<aduan_app::date::Date>), StoreError> {
    let pairs: Vec<(String, String)> = sqlx::query_as(
        "SELECT key, value FROM settings WHERE key IN ('timezone_offset_minutes', 'verify_days', 'follow_up_plan_days')",
    )
    .fetch_all(&mut *conn)
    .await?;
    let get = |key: &str| -> Result<i64, StoreError> {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.trim().parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("setting `{key}` is missing or not a number")))
    };
    let offset = i32::try_from(get("timezone_offset_minutes")?).map_err(|_| StoreError::Corrupt("time zone".into()))?;
    let verify = u32::try_from(get("verify_days")?).map_err(|_| StoreError::Corrupt("verify_days".into()))?;
    let plan = u32::try_from(get("follow_up_plan_days")?).map_err(|_| StoreError::Corrupt("follow_up_plan_days".into()))?;
    let days: Vec<String> = sqlx::query_scalar("SELECT day FROM holidays WHERE region_slug = $1")
        .bind(region)
        .fetch_all(&mut *conn)
        .await?;
    let holidays = days.iter().filter_map(|d| aduan_app::date::Date::parse(d)).collect();
    Ok((offset, verify, plan, holidays))
}

/// Adds `tally` times `sign` to one `stats_daily` row; the row goes when it
/// comes to nothing. The upsert locks the row before it is read.
async fn add_to_day(
    conn: &mut Conn,
    region: &str,
    unit: &str,
    day: &str,
    shard: i32,
    delta: &Tally,
) -> Result<(), StoreError> {
    let current: String = sqlx::query_scalar(
        "INSERT INTO stats_daily (region_slug, unit_key, day, shard, tally) VALUES ($1, $2, $3, $4, '') \
         ON CONFLICT (region_slug, unit_key, day, shard) DO UPDATE SET tally = stats_daily.tally RETURNING tally",
    )
    .bind(region)
    .bind(unit)
    .bind(day)
    .bind(shard)
    .fetch_one(&mut *conn)
    .await?;
    let mut sum = Tally::decode(&current).map_err(StoreError::Corrupt)?;
    sum.add(delta, 1);
    if sum.is_empty() {
        sqlx::query("DELETE FROM stats_daily WHERE region_slug = $1 AND unit_key = $2 AND day = $3 AND shard = $4")
            .bind(region)
            .bind(unit)
            .bind(day)
            .bind(shard)
            .execute(&mut *conn)
            .await?;
    } else {
        sqlx::query("UPDATE stats_daily SET tally = $4 WHERE region_slug = $1 AND unit_key = $2 AND day = $3 AND shard = $5")
            .bind(region)
            .bind(unit)
            .bind(day)
            .bind(sum.encode())
            .bind(shard)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Hash of a follow-up text as template detection compares them: words
/// joined by single spaces, case kept.
fn text_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let words: Vec<&str> = text.split_whitespace().collect();
    format!("{:x}", Sha256::digest(words.join(" ").as_bytes()))
}

/// Reads a complaint's history again and brings its facts, the sums and
/// its region's pulse up to date. Called by every write of an event.
pub async fn refresh_facts(conn: &mut Conn, complaint_id: i64) -> Result<(), StoreError> {
    // The complaint's row is locked first: two writers of one complaint's
    // facts (an action and a rating, two back-fills) take turns.
    let source_sql = format!(
        "SELECT c.id, c.region_slug, c.unit_key, c.handed_off_from, c.category_key, c.channel, c.confidential, c.status, c.due_date, c.created_at, \
         CAST(r.score AS INTEGER) AS rating FROM complaints c LEFT JOIN ratings r ON r.complaint_id = c.id WHERE c.id = $1{LOCK_COMPLAINT}"
    );
    let Some(source): Option<FactSource> = sqlx::query_as(sqlx::AssertSqlSafe(source_sql))
    .bind(complaint_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(());
    };
    let events: Vec<FactEvent> = sqlx::query_as(
        "SELECT id, at, kind, author, from_status, to_status, public_message FROM complaint_events WHERE complaint_id = $1 ORDER BY id",
    )
    .bind(complaint_id)
    .fetch_all(&mut *conn)
    .await?;
    let old: Option<FactRow> = sqlx::query_as(
        "SELECT region_slug, unit_key, category_key, channel, confidential, day, verification, verification_due, plan, plan_due, \
         first_reply_days, resolution_days, outcome, reopened, followups, template_followups, rating, open_due, last_event_id \
         FROM complaint_facts WHERE complaint_id = $1",
    )
    .bind(complaint_id)
    .fetch_optional(&mut *conn)
    .await?;
    let old = old.map(|row| row.fact(complaint_id)).transpose()?;
    let (offset_minutes, verify_days, plan_days, holidays) =
        clock_parts(conn, &source.region_slug).await?;
    let clock = Clock {
        offset_minutes,
        verify_days,
        plan_days,
        holidays: &holidays,
    };
    let mut fact = crate::stats::facts::derive(&source, &events, &clock);
    let seen = old.as_ref().map_or(0, |f| f.last_event_id);
    fact.followups = old.as_ref().map_or(0, |f| f.followups);
    fact.template_followups = old.as_ref().map_or(0, |f| f.template_followups);
    for e in events.iter().filter(|e| e.id > seen) {
        if !crate::stats::facts::is_follow_up(e) {
            continue;
        }
        let uses: i64 = sqlx::query_scalar(
            "INSERT INTO reply_texts (region_slug, hash, uses) VALUES ($1, $2, 1) \
             ON CONFLICT (region_slug, hash) DO UPDATE SET uses = reply_texts.uses + 1 RETURNING CAST(uses AS BIGINT)",
        )
        .bind(&source.region_slug)
        .bind(text_hash(e.public_message.as_deref().unwrap_or_default()))
        .fetch_one(&mut *conn)
        .await?;
        fact.followups += 1;
        if uses > TEMPLATE_USES {
            fact.template_followups += 1;
        }
    }
    if old.as_ref() == Some(&fact) {
        return Ok(());
    }
    // Take the old contribution away and add the new one, row by row in a
    // fixed order (so two writers never wait on each other in a circle).
    let mut deltas: std::collections::BTreeMap<(String, String, String), Tally> = Default::default();
    for (f, sign) in old.iter().map(|f| (f, -1)).chain([(&fact, 1)]) {
        let mut t = Tally::default();
        t.add(&Tally::of(f), sign);
        for unit in [f.unit.as_str(), WHOLE_REGION] {
            deltas
                .entry((f.region.clone(), unit.to_owned(), f.day.to_string()))
                .or_default()
                .add(&t, 1);
        }
    }
    let shard = shard_of(complaint_id);
    for ((region, unit, day), delta) in deltas.iter().filter(|(_, d)| !d.is_empty()) {
        add_to_day(conn, region, unit, day, shard, delta).await?;
    }
    let due = |t: Timing| t.due().map(|d| d.to_string());
    sqlx::query(
        "INSERT INTO complaint_facts (complaint_id, region_slug, unit_key, category_key, channel, confidential, day, verification, verification_due, \
         plan, plan_due, first_reply_days, resolution_days, outcome, reopened, followups, template_followups, rating, open_due, last_event_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $20, $19) \
         ON CONFLICT (complaint_id) DO UPDATE SET region_slug = excluded.region_slug, unit_key = excluded.unit_key, category_key = excluded.category_key, \
         channel = excluded.channel, confidential = excluded.confidential, day = excluded.day, verification = excluded.verification, \
         verification_due = excluded.verification_due, plan = excluded.plan, plan_due = excluded.plan_due, first_reply_days = excluded.first_reply_days, \
         resolution_days = excluded.resolution_days, outcome = excluded.outcome, reopened = excluded.reopened, followups = excluded.followups, \
         template_followups = excluded.template_followups, rating = excluded.rating, open_due = excluded.open_due, last_event_id = excluded.last_event_id",
    )
    .bind(complaint_id)
    .bind(&fact.region)
    .bind(&fact.unit)
    .bind(&fact.category)
    .bind(&fact.channel)
    .bind(fact.confidential)
    .bind(fact.day.to_string())
    .bind(fact.verification.key())
    .bind(due(fact.verification))
    .bind(fact.plan.key())
    .bind(due(fact.plan))
    .bind(fact.first_reply_days.map(|d| d as i32))
    .bind(fact.resolution_days.map(|d| d as i32))
    .bind(fact.outcome.key())
    .bind(fact.reopened as i32)
    .bind(fact.followups as i32)
    .bind(fact.template_followups as i32)
    .bind(fact.rating.map(i32::from))
    .bind(fact.last_event_id)
    .bind(&fact.open_due)
    .execute(&mut *conn)
    .await?;
    if let Some(at) = events.iter().filter(|e| e.author == "officer" && e.id > seen).map(|e| e.at).max() {
        sqlx::query(
            "INSERT INTO region_pulse (region_slug, officer_at) VALUES ($1, $2) ON CONFLICT (region_slug) \
             DO UPDATE SET officer_at = CASE WHEN region_pulse.officer_at IS NULL OR region_pulse.officer_at < excluded.officer_at \
             THEN excluded.officer_at ELSE region_pulse.officer_at END",
        )
        .bind(&source.region_slug)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Complaints with no facts yet (written before the facts existed), up to `limit`.
pub async fn unfacted(conn: &mut Conn, limit: i64) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT c.id FROM complaints c WHERE NOT EXISTS (SELECT 1 FROM complaint_facts f WHERE f.complaint_id = c.id) ORDER BY c.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// The reporter's rating; `false` when the complaint has one already.
pub async fn rate(
    conn: &mut Conn,
    complaint_id: i64,
    score: i32,
    comment: Option<&str>,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let added = sqlx::query(
        "INSERT INTO ratings (complaint_id, score, comment, at) VALUES ($1, $2, $3, $4) ON CONFLICT (complaint_id) DO NOTHING",
    )
    .bind(complaint_id)
    .bind(score)
    .bind(comment)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if added == 1 {
        refresh_facts(conn, complaint_id).await?;
    }
    Ok(added == 1)
}

/// A complaint's rating and comment, if the reporter gave one.
pub async fn rating(
    conn: &mut Conn,
    complaint_id: i64,
) -> Result<Option<(i32, Option<String>, i64)>, StoreError> {
    Ok(sqlx::query_as("SELECT CAST(score AS INTEGER), comment, at FROM ratings WHERE complaint_id = $1")
        .bind(complaint_id)
        .fetch_optional(&mut *conn)
        .await?)
}

/// The sums per day of the regions in `filter` (every one when empty), per
/// unit or whole regions, for days `from` through `to`.
pub async fn day_rows(conn: &mut Conn, filter: &FactFilter) -> Result<Vec<DayRow>, StoreError> {
    let mut q = QueryBuilder::<Db>::new("SELECT region_slug, unit_key, day, tally FROM stats_daily WHERE day >= ");
    q.push_bind(filter.from.clone()).push(" AND day <= ").push_bind(filter.to.clone());
    match &filter.unit {
        Some(unit) => {
            q.push(" AND unit_key = ").push_bind(unit.clone());
        }
        None if filter.by_unit => {
            q.push(" AND unit_key <> ").push_bind(WHOLE_REGION);
        }
        None => {
            q.push(" AND unit_key = ").push_bind(WHOLE_REGION);
        }
    }
    if let Some(region) = &filter.region {
        q.push(" AND region_slug = ").push_bind(region.clone());
    }
    // The shards of one day, added together: one row per region, unit and day.
    let rows: Vec<DayRow> = q.build_query_as().fetch_all(&mut *conn).await?;
    let mut days: std::collections::BTreeMap<(String, String, String), Tally> = Default::default();
    for row in rows {
        let t = Tally::decode(&row.tally).map_err(StoreError::Corrupt)?;
        days.entry((row.region_slug, row.unit_key, row.day)).or_default().add(&t, 1);
    }
    Ok(days
        .into_iter()
        .map(|((region_slug, unit_key, day), t)| DayRow {
            region_slug,
            unit_key,
            day,
            tally: t.encode(),
        })
        .collect())
}

/// What changes without an event: complaints received in the period whose
/// verification or plan is owed and late today, and those overdue at any
/// step, per region and unit.
pub async fn live_rows(conn: &mut Conn, filter: &FactFilter, today: &str) -> Result<Vec<LiveRow>, StoreError> {
    // One query per kind, each on its own covering partial index: what is
    // owed and late is few.
    let mut rows: Vec<LiveRow> = Vec::new();
    for (which, due) in [
        (0, "verification = 'pending' AND verification_due"),
        (1, "plan = 'pending' AND plan_due"),
        (2, "open_due"),
    ] {
        let mut q = QueryBuilder::<Db>::new(
            "SELECT region_slug, unit_key, CAST(COUNT(*) AS BIGINT) AS n FROM complaint_facts WHERE ",
        );
        q.push(due)
            .push(" < ")
            .push_bind(today.to_owned())
            .push(" AND day >= ")
            .push_bind(filter.from.clone())
            .push(" AND day <= ")
            .push_bind(filter.to.clone());
        if let Some(region) = &filter.region {
            q.push(" AND region_slug = ").push_bind(region.clone());
        }
        if let Some(unit) = &filter.unit {
            q.push(" AND unit_key = ").push_bind(unit.clone());
        }
        q.push(" GROUP BY region_slug, unit_key");
        let counted: Vec<(String, String, i64)> = q.build_query_as().fetch_all(&mut *conn).await?;
        for (region_slug, unit_key, n) in counted {
            let mut row = LiveRow {
                region_slug,
                unit_key,
                ..LiveRow::default()
            };
            *[&mut row.verification_late, &mut row.plan_late, &mut row.overdue][which] = n;
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Each region's signs of life and its parked messages.
pub async fn pulses(conn: &mut Conn) -> Result<Vec<PulseRow>, StoreError> {
    let mut rows: Vec<PulseRow> = sqlx::query_as(
        "SELECT g.slug AS region_slug, g.integration_mode, p.officer_at, p.delivered_at, p.widget_at, CAST(0 AS BIGINT) AS parked \
         FROM regions g LEFT JOIN region_pulse p ON p.region_slug = g.slug ORDER BY g.sort_order",
    )
    .fetch_all(&mut *conn)
    .await?;
    // Parked messages are few: read from their own index, then their complaints.
    let parked: Vec<(String, i64)> = sqlx::query_as(
        "SELECT c.region_slug, CAST(COUNT(*) AS BIGINT) FROM outbox o JOIN complaints c ON c.id = o.complaint_id \
         WHERE o.state = 'failed' AND o.channel IN ('webhook', 'lapor') GROUP BY c.region_slug",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (region, n) in parked {
        if let Some(row) = rows.iter_mut().find(|r| r.region_slug == region) {
            row.parked = n;
        }
    }
    Ok(rows)
}

/// Records that a region's widget loaded at `at_ms`.
pub async fn widget_seen(conn: &mut Conn, region: &str, at_ms: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO region_pulse (region_slug, widget_at) SELECT slug, $2 FROM regions WHERE slug = $1 \
         ON CONFLICT (region_slug) DO UPDATE SET widget_at = excluded.widget_at",
    )
    .bind(region)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Records a delivery to a region's portal (LAPOR, or its own webhook).
pub async fn delivered_to_region(conn: &mut Conn, outbox_id: i64, at_ms: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO region_pulse (region_slug, delivered_at) SELECT c.region_slug, $2 FROM outbox o JOIN complaints c ON c.id = o.complaint_id \
         WHERE o.id = $1 AND (o.channel = 'lapor' OR (o.channel = 'webhook' AND EXISTS \
         (SELECT 1 FROM webhook_subscribers s WHERE CAST(s.id AS TEXT) = o.target AND s.region_slug = c.region_slug))) \
         ON CONFLICT (region_slug) DO UPDATE SET delivered_at = excluded.delivered_at",
    )
    .bind(outbox_id)
    .bind(at_ms)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Complaints received in the period that were handed off from `region`.
pub async fn handed_off(conn: &mut Conn, region: &str, from_ms: i64, to_ms: i64) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM complaints WHERE handed_off_from = $1 AND created_at >= $2 AND created_at < $3",
    )
    .bind(region)
    .bind(from_ms)
    .bind(to_ms)
    .fetch_one(&mut *conn)
    .await?)
}

/// Sets (or, with `None`, removes) the hand-off of a supervisory category.
pub async fn set_handoff(conn: &mut Conn, category: &str, to: Option<(&str, &str)>) -> Result<(), StoreError> {
    match to {
        Some((region, unit)) => {
            sqlx::query(
                "INSERT INTO handoff_rules (category_key, region_slug, unit_key) VALUES ($1, $2, $3) \
                 ON CONFLICT (category_key) DO UPDATE SET region_slug = excluded.region_slug, unit_key = excluded.unit_key",
            )
            .bind(category)
            .bind(region)
            .bind(unit)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO handoff_rules (category_key, region_slug, unit_key) VALUES ($1, NULL, NULL) \
                 ON CONFLICT (category_key) DO UPDATE SET region_slug = NULL, unit_key = NULL",
            )
            .bind(category)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// One row per complaint received in the period, for a region's own
/// analysis (what may be shown of each is decided by the caller).
pub async fn export_rows(conn: &mut Conn, filter: &FactFilter, limit: i64) -> Result<Vec<ExportRow>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT c.public_id, c.region_slug AS handled_by, f.region_slug, f.unit_key, f.category_key, f.channel, c.anonymous, c.confidential, \
         c.title, c.status, f.day, f.verification, f.plan, f.first_reply_days, f.resolution_days, f.outcome, f.reopened, f.rating \
         FROM complaint_facts f JOIN complaints c ON c.id = f.complaint_id WHERE f.day >= ",
    );
    q.push_bind(filter.from.clone()).push(" AND f.day <= ").push_bind(filter.to.clone());
    if let Some(region) = &filter.region {
        q.push(" AND f.region_slug = ").push_bind(region.clone());
    }
    if let Some(unit) = &filter.unit {
        q.push(" AND f.unit_key = ").push_bind(unit.clone());
    }
    q.push(" ORDER BY f.day, c.id LIMIT ").push_bind(limit);
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// Rows each day's sums are split over (see migration 0014).
const SUM_SHARDS: i64 = 8;

/// The shard a complaint's contribution is always added to and taken from.
fn shard_of(complaint_id: i64) -> i32 {
    i32::try_from(complaint_id.rem_euclid(SUM_SHARDS)).unwrap_or(0)
}

/// Rebuilds every sum from the facts (after restoring a backup, or facts
/// written in bulk); how many rows it wrote.
pub async fn rebuild_stats(conn: &mut Conn) -> Result<usize, StoreError> {
    use futures_util::TryStreamExt;
    let mut sums: std::collections::BTreeMap<(String, String, String, i32), Tally> = Default::default();
    {
        let mut rows = sqlx::query_as::<_, FactRow>(
            "SELECT complaint_id, region_slug, unit_key, category_key, channel, confidential, day, verification, verification_due, plan, plan_due, \
             first_reply_days, resolution_days, outcome, reopened, followups, template_followups, rating, open_due, last_event_id FROM complaint_facts",
        )
        .fetch(&mut *conn);
        while let Some(row) = rows.try_next().await? {
            let id = row.complaint_id;
            let fact = row.fact(id)?;
            let t = Tally::of(&fact);
            for unit in [fact.unit.as_str(), WHOLE_REGION] {
                sums.entry((fact.region.clone(), unit.to_owned(), fact.day.to_string(), shard_of(id)))
                    .or_default()
                    .add(&t, 1);
            }
        }
    }
    sqlx::query("DELETE FROM stats_daily").execute(&mut *conn).await?;
    let written = sums.len();
    let entries: Vec<_> = sums.into_iter().collect();
    for chunk in entries.chunks(500) {
        let mut q = QueryBuilder::<Db>::new("INSERT INTO stats_daily (region_slug, unit_key, day, shard, tally) ");
        q.push_values(chunk, |mut b, ((region, unit, day, shard), t)| {
            b.push_bind(region.clone())
                .push_bind(unit.clone())
                .push_bind(day.clone())
                .push_bind(*shard)
                .push_bind(t.encode());
        });
        q.build().execute(&mut *conn).await?;
    }
    Ok(written)
}
