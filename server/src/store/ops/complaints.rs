// Complaints as the console reads them, and transitions applied at a version.

fn push_scope(q: &mut QueryBuilder<Db>, scope: &Scope) {
    if let Some(region) = &scope.region {
        q.push(" AND region_slug = ").push_bind(region.clone());
    }
    if let Some(unit) = &scope.unit {
        q.push(" AND unit_key = ").push_bind(unit.clone());
    }
    if !scope.confidential {
        q.push(" AND NOT confidential");
    }
}

/// One page of complaints in scope, by due date then id.
pub async fn inbox(conn: &mut Conn, query: &InboxQuery) -> Result<Vec<InboxRow>, StoreError> {
    let mut q = QueryBuilder::<Db>::new("SELECT ");
    q.push(INBOX_COLUMNS).push(" FROM complaints c WHERE ");
    match (&query.status, &query.counted) {
        (Some(status), _) => {
            q.push("status = ").push_bind(status.clone());
        }
        // A figure's complaints, whatever their state now.
        (None, Some(c)) if c.measure != crate::stats::Measure::Overdue => {
            q.push("TRUE");
        }
        // A code looked for, whatever its complaint's state.
        (None, None) if query.code_tail.is_some() => {
            q.push("TRUE");
        }
        (None, _) => {
            q.push(OPEN);
        }
    }
    if let Some(tail) = &query.code_tail {
        q.push(" AND ")
            .push(crate::store::CODE_TAIL)
            .push(" = ")
            .push_bind(tail.clone());
    }
    if let Some(c) = &query.counted {
        q.push(" AND id IN (SELECT complaint_id FROM complaint_facts WHERE day >= ")
            .push_bind(c.from.clone())
            .push(" AND day <= ")
            .push_bind(c.to.clone());
        if let Some(region) = &c.region {
            q.push(" AND region_slug = ").push_bind(region.clone());
        }
        if let Some(unit) = &c.unit {
            q.push(" AND unit_key = ").push_bind(unit.clone());
        }
        // The condition's one parameter is today's date.
        let mut parts = c.measure.condition().split("$today");
        q.push(" AND ").push(parts.next().unwrap_or("TRUE"));
        for rest in parts {
            q.push_bind(c.today.clone()).push(rest);
        }
        q.push(")");
        if c.measure == crate::stats::Measure::Overdue {
            q.push(" AND due_date < ").push_bind(c.today.clone());
        }
    }
    push_scope(&mut q, &query.scope);
    push_filters(&mut q, query);
    // A figure's list, and a search, hold final complaints too, which are
    // due never.
    let due_key = if query.counted.is_some() || query.code_tail.is_some() {
        "COALESCE(due_date, '9999-12-31')"
    } else {
        "due_date"
    };
    if let Some((due, id)) = &query.after {
        q.push(" AND (")
            .push(due_key)
            .push(", id) > (")
            .push_bind(due.clone())
            .push(", ")
            .push_bind(*id)
            .push(")");
    }
    q.push(" ORDER BY ")
        .push(due_key)
        .push(", id LIMIT ")
        .push_bind(query.limit);
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// The inbox's own filters (a unit, a category, a due date) on `c`.
fn push_filters(q: &mut QueryBuilder<Db>, query: &InboxQuery) {
    if let Some(unit) = &query.unit {
        q.push(" AND c.unit_key = ").push_bind(unit.clone());
    }
    if let Some(category) = &query.category {
        q.push(" AND c.category_key = ").push_bind(category.clone());
    }
    match &query.due {
        Some(DueFilter::Overdue(today)) => {
            q.push(" AND c.due_date < ").push_bind(today.clone());
        }
        Some(DueFilter::Between(from, to)) => {
            q.push(" AND c.due_date >= ").push_bind(from.clone());
            q.push(" AND c.due_date <= ").push_bind(to.clone());
        }
        None => {}
    }
    match query.assignee {
        Some(AssigneeFilter::Officer(id)) => {
            q.push(" AND c.assignee_id = ").push_bind(id);
        }
        Some(AssigneeFilter::Nobody) => {
            q.push(" AND c.assignee_id IS NULL");
        }
        None => {}
    }
}

/// The columns of an inbox row, of `c`.
const INBOX_COLUMNS: &str = "c.id, c.tracking_code, c.region_slug, c.unit_key, c.category_key, c.anonymous, c.confidential, c.title, c.status, c.due_step, c.due_date, c.created_at, \
     CAST(c.version AS BIGINT) AS version, c.assignee_id, (SELECT o.name FROM officers o WHERE o.id = c.assignee_id) AS assignee_name";

/// The columns of a search's candidate, of `c`: an inbox row's, but for
/// its holder.
const CANDIDATE_COLUMNS: &str = "c.id, c.tracking_code, c.region_slug, c.unit_key, c.category_key, c.anonymous, c.confidential, c.title, c.status, c.due_step, c.due_date, c.created_at, \
     CAST(c.version AS BIGINT) AS version, c.assignee_id, CAST(NULL AS TEXT) AS assignee_name";

/// The names of the officers who hold these complaints, by complaint id.
pub async fn holder_names(conn: &mut Conn, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = QueryBuilder::<Db>::new(
        "SELECT c.id, o.name FROM complaints c JOIN officers o ON o.id = c.assignee_id WHERE c.id IN (",
    );
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(")");
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// The newest [`crate::store::RANKED_AT_MOST`] complaints in scope that
/// have every word (the last as the start of a word), newest first: SQLite
/// reads its FTS5 index, PostgreSQL its stored vectors, each narrowed by
/// the scope's words within the index. They are ranked by their own words
/// ([`crate::search::score`]), never by counts over other complaints.
pub async fn search(conn: &mut Conn, query: &WordQuery) -> Result<Vec<FoundRow>, StoreError> {
    if query.terms.is_empty() {
        return Ok(Vec::new());
    }
    // One word alone is looked for whole first: a word that common gives
    // its newest candidates at once, where the start of a word would read
    // every one of the index's words that begin so (a tenth of a million
    // complaints for "jalan"). Only when it gives fewer is it also looked
    // for as the start of a longer word ("lubang" for "lubangnya"). With
    // more words the others narrow it, and one look does.
    if query.terms.len() == 1 {
        let whole = candidates(conn, query, false).await?;
        if whole.len() >= usize::try_from(crate::store::RANKED_AT_MOST).unwrap_or(usize::MAX) {
            return Ok(whole);
        }
    }
    candidates(conn, query, true).await
}

/// The newest candidates of [`search`], the last word whole or a prefix.
async fn candidates(conn: &mut Conn, query: &WordQuery, prefix_last: bool) -> Result<Vec<FoundRow>, StoreError> {
    let scope = &query.inbox.scope;
    // Who holds each is read for the page shown only ([`holder_names`]).
    // On PostgreSQL the scope's columns are checked outside the newest
    // candidates: the scope's words in the text-search query already keep
    // the search within it, and asked inside, the planner would also read
    // the scope's whole b-tree to intersect with the index's answer.
    let mut q = QueryBuilder::<Db>::new(if POSTGRES { "SELECT * FROM (SELECT " } else { "SELECT " });
    q.push(CANDIDATE_COLUMNS)
        .push(", c.description, c.location, c.landmark ");
    if POSTGRES {
        q.push("FROM complaints c WHERE c.words @@ CAST(")
            .push_bind(crate::search::tsquery_scoped(
                &query.terms,
                scope.region.as_deref(),
                scope.unit.as_deref(),
                scope.confidential,
                prefix_last,
            ))
            .push(" AS tsquery)");
    } else {
        // The index leads (CROSS JOIN keeps SQLite from reading the scope's
        // complaints first and asking the index about each).
        q.push("FROM complaint_words CROSS JOIN complaints c ON c.id = complaint_words.rowid \
                WHERE complaint_words MATCH ")
            .push_bind(crate::search::fts5_scoped(
                &query.terms,
                scope.region.as_deref(),
                scope.unit.as_deref(),
                scope.confidential,
                prefix_last,
            ));
        push_scope(&mut q, scope);
    }
    if let Some(status) = &query.inbox.status {
        q.push(" AND c.status = ").push_bind(status.clone());
    }
    push_filters(&mut q, &query.inbox);
    q.push(if POSTGRES {
        " ORDER BY c.id DESC LIMIT "
    } else {
        " ORDER BY complaint_words.rowid DESC LIMIT "
    })
    .push_bind(crate::store::RANKED_AT_MOST);
    if POSTGRES {
        q.push(") c WHERE TRUE");
        push_scope(&mut q, scope);
        q.push(" ORDER BY id DESC");
    }
    // Planned for the words asked each time: a prepared statement's
    // generic plan cannot see how common a word is, and PostgreSQL would
    // soon settle on walking every complaint newest first, looking for
    // the few that have a rare word (seconds at a million).
    Ok(q.build_query_as().persistent(false).fetch_all(&mut *conn).await?)
}

/// The complaints in scope whose reporter's name or e-mail has every word,
/// or whose phone is the one sought, among the privacy modes given; the
/// newest first.
pub async fn search_reporters(conn: &mut Conn, query: &ReporterQuery) -> Result<Vec<InboxRow>, StoreError> {
    if query.privacy.is_empty() || (query.terms.is_empty() && query.phone.is_none()) {
        return Ok(Vec::new());
    }
    // The reporters found (by the index of their words, by their phone's
    // key), then their complaints.
    let mut q = QueryBuilder::<Db>::new("SELECT ");
    q.push(INBOX_COLUMNS).push(" FROM (");
    let mut first = true;
    if !query.terms.is_empty() {
        first = false;
        if POSTGRES {
            q.push("SELECT complaint_id AS id FROM reporters WHERE words @@ to_tsquery('simple', ")
                .push_bind(crate::search::tsquery(&query.terms))
                .push(")");
        } else {
            q.push("SELECT rowid AS id FROM reporter_words WHERE reporter_words MATCH ")
                .push_bind(crate::search::fts5_query(&query.terms));
        }
    }
    if let Some(phone) = &query.phone {
        if !first {
            q.push(" UNION ");
        }
        q.push("SELECT complaint_id AS id FROM reporters WHERE ")
            .push(crate::store::PHONE_KEY)
            .push(" = ")
            .push_bind(phone.clone());
    }
    q.push(if POSTGRES {
        ") m JOIN complaints c ON c.id = m.id WHERE (FALSE"
    } else {
        ") m CROSS JOIN complaints c ON c.id = m.id WHERE (FALSE"
    });

    for privacy in &query.privacy {
        let (anonymous, confidential) = (privacy.anonymous(), privacy.confidential());
        q.push(if anonymous { " OR (c.anonymous" } else { " OR (NOT c.anonymous" })
            .push(if confidential { " AND c.confidential)" } else { " AND NOT c.confidential)" });
    }
    q.push(")");
    if let Some(region) = &query.scope.region {
        q.push(" AND c.region_slug = ").push_bind(region.clone());
    }
    if let Some(unit) = &query.scope.unit {
        q.push(" AND c.unit_key = ").push_bind(unit.clone());
    }
    if !query.scope.confidential {
        q.push(" AND NOT c.confidential");
    }
    q.push(" ORDER BY c.id DESC LIMIT ").push_bind(query.limit);
    // Planned for the words asked, as [`candidates`] is.
    Ok(q.build_query_as().persistent(false).fetch_all(&mut *conn).await?)
}

/// Why a compare-and-set on a complaint changed nothing: it changed
/// since it was read, or it is gone.
async fn missed(conn: &mut Conn, complaint_id: i64) -> Result<ActOutcome, StoreError> {
    let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM complaints WHERE id = $1")
        .bind(complaint_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(if exists.is_some() {
        ActOutcome::Changed
    } else {
        ActOutcome::NotFound
    })
}

/// A complaint in scope by tracking code, and its whole history.
pub async fn complaint(
    conn: &mut Conn,
    tracking_code: &str,
    scope: &Scope,
) -> Result<Option<(ComplaintRecord, Vec<HistoryEvent>)>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT id, tracking_code, public_id, region_slug, unit_key, filed_region_slug, district_key, category_key, classification, anonymous, confidential, \
         title, description, location, landmark, latitude, longitude, incident_date, locale, status, due_step, due_date, tier, created_at, updated_at, CAST(version AS BIGINT) AS version, lapor_tracking_id, \
         (SELECT COUNT(*) FROM supporters s WHERE s.complaint_id = complaints.id AND s.confirmed_at IS NOT NULL) AS supporters, \
         assignee_id, (SELECT o.name FROM officers o WHERE o.id = complaints.assignee_id) AS assignee_name \
         FROM complaints WHERE tracking_code = ",
    );
    q.push_bind(tracking_code.to_owned());
    push_scope(&mut q, scope);
    let Some(record): Option<ComplaintRecord> =
        q.build_query_as().fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    let events: Vec<HistoryEvent> = sqlx::query_as(
        "SELECT e.at, e.kind, e.author, o.name AS officer_name, e.from_status, e.to_status, e.public_message, e.internal_note, e.detail \
         FROM complaint_events e LEFT JOIN officers o ON o.id = e.officer_id WHERE e.complaint_id = $1 ORDER BY e.id",
    )
    .bind(record.id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((record, events)))
}

/// The reporter's identity, for a caller that checked the privacy mode.
pub async fn identity(conn: &mut Conn, complaint_id: i64) -> Result<Option<Identity>, StoreError> {
    let row: Option<(Option<String>, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT name, email, phone FROM reporters WHERE complaint_id = $1")
            .bind(complaint_id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(|(name, email, phone)| Identity { name, email, phone }))
}

/// Who a complaint is with and in which state, by tracking code.
pub async fn complaint_ref(
    conn: &mut Conn,
    tracking_code: &str,
) -> Result<Option<ComplaintRef>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, tracking_code, public_id, status, CAST(version AS BIGINT) AS version, region_slug, unit_key, anonymous, confidential, \
         tier, due_step, due_date FROM complaints WHERE tracking_code = $1",
    )
    .bind(tracking_code)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Applies a transition if the complaint is still at `expected_version`.
pub async fn act(conn: &mut Conn, t: &Transition) -> Result<ActOutcome, StoreError> {
    let updated = sqlx::query(
        "UPDATE complaints SET status = $1, region_slug = $2, unit_key = $3, due_step = $4, due_date = $5, tier = $6, \
         updated_at = $7, version = version + 1, \
         assignee_id = CASE WHEN region_slug = $2 AND unit_key = $3 THEN assignee_id ELSE NULL END \
         WHERE id = $8 AND version = $9 AND status = $10",
    )
    .bind(&t.to_status)
    .bind(&t.region)
    .bind(&t.unit)
    .bind(&t.due_step)
    .bind(&t.due_date)
    .bind(&t.tier)
    .bind(t.at_ms)
    .bind(t.complaint_id)
    .bind(t.expected_version)
    .bind(&t.from_status)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        return missed(conn, t.complaint_id).await;
    }
    let moved = t.from_status != t.to_status;
    let event_id: i64 = sqlx::query_scalar(
        "INSERT INTO complaint_events (complaint_id, at, kind, author, officer_id, from_status, to_status, public_message, internal_note, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(t.complaint_id)
    .bind(t.at_ms)
    .bind(t.kind)
    .bind(t.author)
    .bind(t.officer_id)
    .bind(moved.then_some(&t.from_status))
    .bind(moved.then_some(&t.to_status))
    .bind(&t.public_message)
    .bind(&t.internal_note)
    .bind(&t.detail)
    .fetch_one(&mut *conn)
    .await?;
    let facts = crate::outbound::EventFacts {
        kind: t.kind,
        tracking_code: &t.tracking_code,
        public_id: &t.public_id,
        privacy: t.privacy,
        by_reporter: false,
        region: &t.region,
        unit: &t.unit,
        from_status: moved.then_some(t.from_status.as_str()),
        to_status: &t.to_status,
        public_message: t.public_message.as_deref(),
        at_ms: t.at_ms,
    };
    let sender = t.inbound.as_ref().map_or(-1, |(subscriber, _)| *subscriber);
    fan_out_except(conn, event_id, t.complaint_id, &facts, sender).await?;
    if let Some(ctx) = &t.mail {
        queue_mail(conn, event_id, t.complaint_id, t.author, &facts, &t.notify, ctx).await?;
    }
    if let Some(update) = &t.lapor_update {
        sqlx::query("INSERT INTO lapor_updates (update_id, complaint_id, received_at) VALUES ($1, $2, $3)")
            .bind(update)
            .bind(t.complaint_id)
            .bind(t.at_ms)
            .execute(&mut *conn)
            .await?;
    }
    if t.forward_to_lapor {
        queue_lapor(conn, t.complaint_id, t.at_ms).await?;
    }
    refresh_facts(conn, t.complaint_id).await?;
    if let Some((subscriber, message)) = &t.inbound {
        sqlx::query(
            "INSERT INTO inbound_messages (subscriber_id, message_id, received_at, event_id) VALUES ($1, $2, $3, $4)",
        )
        .bind(*subscriber)
        .bind(message)
        .bind(t.at_ms)
        .bind(event_id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(ActOutcome::Done)
}

/// Resolved complaints whose quiet period ended before `today`: id and version.
pub async fn quiet_resolved(
    conn: &mut Conn,
    today: &str,
    limit: i64,
) -> Result<Vec<ComplaintRef>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, tracking_code, public_id, status, CAST(version AS BIGINT) AS version, region_slug, unit_key, anonymous, confidential, \
         tier, due_step, due_date FROM complaints \
         WHERE status = 'resolved' AND due_date < $1 ORDER BY due_date, id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Open complaints per unit in scope, with how many are overdue and due soon.
pub async fn overview(
    conn: &mut Conn,
    scope: &Scope,
    today: &str,
    week_end: &str,
) -> Result<Vec<UnitLoad>, StoreError> {
    let mut q = QueryBuilder::<Db>::new(
        "SELECT region_slug, unit_key, COUNT(*) AS open, \
         COALESCE(SUM(CASE WHEN due_date < ",
    );
    q.push_bind(today.to_owned())
        .push(" THEN 1 ELSE 0 END), 0) AS overdue, COALESCE(SUM(CASE WHEN due_date >= ")
        .push_bind(today.to_owned())
        .push(" AND due_date <= ")
        .push_bind(week_end.to_owned())
        .push(" THEN 1 ELSE 0 END), 0) AS due_soon FROM complaints WHERE ")
        .push(OPEN);
    push_scope(&mut q, scope);
    q.push(" GROUP BY region_slug, unit_key ORDER BY region_slug, unit_key");
    Ok(q.build_query_as().fetch_all(&mut *conn).await?)
}

/// Routes a category of a region to a unit.
pub async fn set_rule(
    conn: &mut Conn,
    region: &str,
    category: &str,
    unit: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO routing_rules (region_slug, category_key, unit_key) VALUES ($1, $2, $3) \
         ON CONFLICT (region_slug, category_key) DO UPDATE SET unit_key = excluded.unit_key",
    )
    .bind(region)
    .bind(category)
    .bind(unit)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
