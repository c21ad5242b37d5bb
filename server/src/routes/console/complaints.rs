//! The inbox and a complaint's page, and the actions officers take on it
//! (planned by [`crate::casework`]).

use std::collections::BTreeMap;

use aduan_app::api::{Locale, Status};
use aduan_app::date::Date;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::casework::{self, Actor, CaseError, Command, Refusal, owner};
use crate::disclosure::Audience;
use crate::domain::calendar::add_working_days;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::{Action, Role, next, permits};
use crate::extract::AcceptLocale;
use crate::state::{AppState, now_ms};
use crate::store::{AssigneeFilter, ComplaintRecord, DueFilter, InboxQuery, Scope};

use super::pages::{self, Page};
use super::{PAGE_SIZE, Posted, forbidden, not_found, store_failed};

/// The inbox's filters, from the query string.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct InboxFilters {
    pub status: String,
    pub unit: String,
    pub category: String,
    /// `overdue` or `soon`.
    pub due: String,
    /// The last row of the previous page: `due_date,id`.
    pub after: String,
    /// With `measure`: the complaints a dashboard figure counts, received
    /// in `region` from `from` through `to` (`YYYY-MM-DD`).
    pub measure: String,
    pub region: String,
    pub from: String,
    pub to: String,
    /// A tracking code as a citizen reads it out: whole (the complaint's
    /// page) or its last group of four (the complaints ending with it).
    pub q: String,
    /// `me`: the complaints the officer holds; `none`: those nobody holds.
    pub assignee: String,
}

/// What the search box was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sought {
    Nothing,
    /// A whole, valid code: its page.
    Code(aduan_app::tracking::TrackingCode),
    /// The last group of a code.
    Tail(String),
    /// A whole code whose check symbol is wrong: a typo.
    Mistyped,
    /// Words of the title, description or place, or of the reporter's
    /// name, e-mail or phone (folded, see [`crate::search::terms`]).
    Words(Vec<String>),
    /// Nothing to look for (only signs).
    Unreadable,
}

impl InboxFilters {
    /// What the search box asks for.
    pub fn sought(&self) -> Sought {
        use aduan_app::tracking::{CodeError, TrackingCode, last_group};
        let q = self.q.trim();
        if q.is_empty() {
            return Sought::Nothing;
        }
        match (TrackingCode::parse(q), last_group(q)) {
            (Ok(code), _) => Sought::Code(code),
            (_, Some(tail)) => Sought::Tail(tail),
            (Err(CodeError::Mistyped), None) => Sought::Mistyped,
            (Err(CodeError::Malformed), None) => match crate::search::terms(q) {
                terms if terms.is_empty() => Sought::Unreadable,
                terms => Sought::Words(terms),
            },
        }
    }

    /// The filters a query string (a saved view's) names; unknown names
    /// are ignored, as they are in a request.
    pub fn from_query(query: &str) -> InboxFilters {
        let mut f = InboxFilters::default();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = v.into_owned();
            match k.as_ref() {
                "q" => f.q = v,
                "status" => f.status = v,
                "unit" => f.unit = v,
                "category" => f.category = v,
                "due" => f.due = v,
                "assignee" => f.assignee = v,
                "measure" => f.measure = v,
                "region" => f.region = v,
                "from" => f.from = v,
                "to" => f.to = v,
                _ => {}
            }
        }
        f
    }

    /// The list's filters as a query string, without the page (`after`):
    /// what a link back to it, or a saved view, carries.
    pub fn query_string(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("q", &self.q),
            ("status", &self.status),
            ("unit", &self.unit),
            ("category", &self.category),
            ("due", &self.due),
            ("assignee", &self.assignee),
            ("measure", &self.measure),
            ("region", &self.region),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                q.append_pair(k, v.trim());
            }
        }
        q.finish()
    }

    /// The last row of the previous page of a search by words: its score
    /// and id (`score,id`).
    fn after_score(&self) -> Option<(u32, i64)> {
        let (score, id) = self.after.split_once(',')?;
        Some((score.parse().ok()?, id.parse().ok()?))
    }

    /// The query for the officer's scope; unknown values are ignored.
    pub fn query(&self, who: &SignedIn, catalog: &Catalog, today: Date) -> InboxQuery {
        self.query_for(who.scope(catalog), who.officer.id, catalog, today)
    }

    /// The query within `scope` for officer `me`.
    pub fn query_for(&self, scope: Scope, me: i64, catalog: &Catalog, today: Date) -> InboxQuery {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let status = Status::from_key(&self.status).map(|s| s.key().to_owned());
        let due = match self.due.as_str() {
            "overdue" => Some(DueFilter::Overdue(today.to_string())),
            "soon" => Some(DueFilter::Between(
                today.to_string(),
                add_working_days(today, 3, &Default::default()).to_string(),
            )),
            _ => None,
        };
        let after = self
            .after
            .split_once(',')
            .and_then(|(d, id)| Some((Date::parse(d)?.to_string(), id.parse::<i64>().ok()?)));
        InboxQuery {
            scope,
            status,
            unit: some(&self.unit),
            category: some(&self.category).filter(|c| catalog.category(c).is_some()),
            due,
            after,
            limit: PAGE_SIZE,
            counted: self.counted(catalog, today),
            code_tail: match self.sought() {
                Sought::Tail(tail) => Some(tail),
                _ => None,
            },
            assignee: match self.assignee.as_str() {
                "me" => Some(AssigneeFilter::Officer(me)),
                "none" => Some(AssigneeFilter::Nobody),
                _ => None,
            },
        }
    }

    /// The dashboard figure this list stands for, if any.
    pub fn counted(&self, catalog: &Catalog, today: Date) -> Option<crate::store::Counted> {
        let measure = crate::stats::Measure::from_key(&self.measure)?;
        let from = Date::parse(&self.from)?;
        let to = Date::parse(&self.to)?;
        Some(crate::store::Counted {
            region: catalog.region(&self.region).map(|r| r.slug.clone()),
            unit: (!self.unit.is_empty()).then(|| self.unit.clone()),
            from: from.to_string(),
            to: to.to_string(),
            measure,
            today: today.to_string(),
        })
    }
}

/// `GET /console/inbox`: the officer's complaints by due date, by key.
pub async fn show_inbox(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(filters): Query<InboxFilters>,
) -> Response {
    if let Sought::Code(code) = filters.sought() {
        // Its page says whether it is the officer's to see.
        return Redirect::to(&format!("/console/complaints/{code}")).into_response();
    }
    let catalog = state.catalog();
    let today = catalog.today(now_ms());
    let query = filters.query(&who, &catalog, today);
    let page = Page::new(locale, &who, &catalog);
    let rows = match filters.sought() {
        Sought::Words(terms) => return search(&state, &page, &filters, query, terms, today).await,
        _ => match state.store.inbox(&query).await {
            Ok(rows) => rows,
            Err(e) => return store_failed(locale, &e),
        },
    };
    let colleagues = match colleagues(&state, &who).await {
        Ok(c) => c,
        Err(e) => return store_failed(locale, &e),
    };
    let views = match state.store.saved_views(who.officer.id).await {
        Ok(v) => v,
        Err(e) => return store_failed(locale, &e),
    };
    // Four letters that end no code in scope may be a word.
    if let (Sought::Tail(_), true) = (filters.sought(), rows.is_empty()) {
        let terms = crate::search::terms(&filters.q);
        return search(&state, &page, &filters, query, terms, today).await;
    }
    pages::html(
        StatusCode::OK,
        pages::inbox(
            &page,
            &filters,
            &pages::Listing::Due(&rows),
            &colleagues,
            &views,
            today,
        ),
    )
}

/// The other active officers `who` may give complaints to: a unit
/// officer's colleagues of the unit; for a coordinator, the region's unit
/// officers and coordinators. By id and name.
async fn colleagues(
    state: &AppState,
    who: &SignedIn,
) -> Result<Vec<(i64, String)>, crate::store::StoreError> {
    if !matches!(who.role, Role::Coordinator | Role::Unit) {
        return Ok(Vec::new());
    }
    let officers = state.store.officers(Some(&who.officer.region_slug)).await?;
    Ok(officers
        .into_iter()
        .filter(|o| o.active && o.officer.id != who.officer.id)
        .filter(|o| match (who.role, Role::from_key(&o.officer.role)) {
            (Role::Unit, Some(Role::Unit)) => o.officer.unit_key == who.officer.unit_key,
            (Role::Coordinator, Some(Role::Unit | Role::Coordinator)) => true,
            _ => false,
        })
        .map(|o| (o.officer.id, o.officer.name))
        .collect())
}

/// The complaints in the officer's scope found by words, best first, and,
/// on the first page, those whose reporter has that name, e-mail or phone
/// where the disclosure policy lets this officer see the reporter.
async fn search(
    state: &AppState,
    page: &Page<'_>,
    filters: &InboxFilters,
    inbox: InboxQuery,
    terms: Vec<String>,
    today: Date,
) -> Response {
    let locale = page.locale;
    let colleagues = match colleagues(state, page.who).await {
        Ok(c) => c,
        Err(e) => return store_failed(locale, &e),
    };
    let views = match state.store.saved_views(page.who.officer.id).await {
        Ok(v) => v,
        Err(e) => return store_failed(locale, &e),
    };
    let after = filters.after_score();
    let by_reporter = if after.is_none() {
        let privacy = crate::disclosure::findable_by_identity(Audience::Officer(page.who.role));
        let phone = Some(crate::store::phone_key(&filters.q)).filter(|k| k.len() >= 6);
        let query = crate::store::ReporterQuery {
            scope: inbox.scope.clone(),
            terms: terms.clone(),
            phone,
            privacy,
            limit: PAGE_SIZE,
        };
        match state.store.search_reporters(&query).await {
            Ok(rows) => rows,
            Err(e) => return store_failed(locale, &e),
        }
    } else {
        Vec::new()
    };
    let query = crate::store::WordQuery { inbox, terms };
    let found = match state.store.search(&query).await {
        Ok(found) => found,
        Err(e) => return store_failed(locale, &e),
    };
    let mut found = ranked(found, &query.terms, after, PAGE_SIZE);
    let ids: Vec<i64> = found.iter().map(|(_, r)| r.row.id).collect();
    match state.store.holder_names(&ids).await {
        Ok(names) => {
            for (_, r) in &mut found {
                r.row.assignee_name = names
                    .iter()
                    .find(|(id, _)| *id == r.row.id)
                    .map(|(_, name)| name.clone());
            }
        }
        Err(e) => return store_failed(locale, &e),
    }
    pages::html(
        StatusCode::OK,
        pages::inbox(
            page,
            filters,
            &pages::Listing::Words {
                terms: &query.terms,
                by_reporter: &by_reporter,
                found: &found,
            },
            &colleagues,
            &views,
            today,
        ),
    )
}

/// One page of the complaints found, best first: by their score (their own
/// words alone), then newest; the page after `after` (a score and an id).
pub fn ranked(
    found: Vec<crate::store::FoundRow>,
    terms: &[String],
    after: Option<(u32, i64)>,
    limit: i64,
) -> Vec<(u32, crate::store::FoundRow)> {
    let mut scored: Vec<(u32, crate::store::FoundRow)> = found
        .into_iter()
        .map(|r| {
            let score = crate::search::score(&r.row.title, &r.place(), &r.description, terms);
            (score, r)
        })
        .collect();
    // Best first, then newest: the key a page ends on orders the next.
    let key = |s: u32, id: i64| (std::cmp::Reverse(s), std::cmp::Reverse(id));
    scored.sort_by_key(|(s, r)| key(*s, r.row.id));
    scored
        .into_iter()
        .filter(|(s, r)| after.is_none_or(|(a, id)| key(*s, r.row.id) > key(a, id)))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect()
}

/// Whether `who` may see the reporter's identity of `c`.
fn sees_identity(who: &SignedIn, c: &ComplaintRecord) -> bool {
    crate::disclosure::sees_identity(crate::disclosure::Audience::Officer(who.role), c.privacy())
}

/// The actions `who` may take on `c` now.
fn actions_for(who: &SignedIn, c: &ComplaintRecord) -> Vec<Action> {
    let Some(status) = Status::from_key(&c.status) else {
        return Vec::new();
    };
    Action::OFFICER
        .into_iter()
        .filter(|a| permits(who.role, *a) && next(status, *a).is_ok())
        .collect()
}

/// `?done=` after an action, to confirm it on the page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DoneQuery {
    pub done: String,
}

/// `GET /console/complaints/{code}`.
pub async fn show_complaint(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Path(code): Path<String>,
    Query(done): Query<DoneQuery>,
) -> Response {
    complaint_response(
        &state,
        locale,
        &who,
        &code,
        StatusCode::OK,
        &done.done,
        &BTreeMap::new(),
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn complaint_response(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    code: &str,
    status: StatusCode,
    done: &str,
    errors: &BTreeMap<&'static str, String>,
    posted: Option<&ActionForm>,
) -> Response {
    let catalog = state.catalog();
    let (complaint, history) = match in_scope(state, who, code, locale).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let identity = if sees_identity(who, &complaint) {
        match state.store.identity(complaint.id).await {
            Ok(identity) => identity,
            Err(e) => return store_failed(locale, &e),
        }
    } else {
        None
    };
    let actions = actions_for(who, &complaint);
    let holders = match holders_for(state, who, &complaint, &catalog).await {
        Ok(holders) => holders,
        Err(e) => return store_failed(locale, &e),
    };
    let files = match state.store.attachments(complaint.id).await {
        Ok(rows) => rows
            .into_iter()
            .filter(|f| f.visible_to(Audience::Officer(who.role), complaint.privacy()))
            .collect::<Vec<_>>(),
        Err(e) => return store_failed(locale, &e),
    };
    let rating = match state.store.rating(complaint.id).await {
        Ok(r) => r.map(|(score, comment, _)| {
            let comment = crate::disclosure::keep(
                Audience::Officer(who.role),
                complaint.privacy(),
                crate::disclosure::Field::RatingComment,
                comment,
            );
            (score, comment)
        }),
        Err(e) => return store_failed(locale, &e),
    };
    pages::html(
        status,
        pages::complaint(
            &Page::new(locale, who, &catalog),
            &pages::ComplaintView {
                complaint: &complaint,
                history: &history,
                identity: identity.as_ref(),
                actions: &actions,
                done,
                errors,
                posted,
                files: &files,
                handles_files: handles_files(who),
                rating,
                position: complaint.latitude.zip(complaint.longitude).filter(|_| {
                    crate::disclosure::may(
                        Audience::Officer(who.role),
                        complaint.privacy(),
                        crate::disclosure::Field::Position,
                    )
                }),
                holders: holders.as_deref(),
            },
        ),
    )
}

/// The officers who may hold `c`, by id and name, when `who` may give it
/// to somebody (see [`crate::casework::owner`]).
async fn holders_for(
    state: &AppState,
    who: &SignedIn,
    c: &ComplaintRecord,
    catalog: &Catalog,
) -> Result<Option<Vec<(i64, String)>>, crate::store::StoreError> {
    let open = Status::from_key(&c.status).is_some_and(|s| !s.is_final());
    if !open || !matches!(who.role, Role::Coordinator | Role::Unit) {
        return Ok(None);
    }
    let officers = state.store.officers(Some(&c.region_slug)).await?;
    Ok(Some(
        officers
            .into_iter()
            .filter(|o| owner::may_hold(catalog, o, &c.region_slug, &c.unit_key))
            .map(|o| (o.officer.id, o.officer.name))
            .collect(),
    ))
}

/// Gives `c` to the officer `wanted` names, or back to its unit, if `who`
/// may (the rules are [`owner::check`]'s), while it is still held by
/// whom `who` saw.
pub async fn give(
    state: &AppState,
    who: &SignedIn,
    c: &ComplaintRecord,
    wanted: owner::Wanted,
    locale: Locale,
) -> Result<(), CaseError> {
    let catalog = state.catalog();
    let target = wanted.officer(who.officer.id);
    let entry = match target {
        Some(id) => state
            .store
            .officers(Some(&c.region_slug))
            .await
            .map_err(CaseError::Store)?
            .into_iter()
            .find(|o| o.officer.id == id),
        None => None,
    };
    let eligible = entry
        .as_ref()
        .is_some_and(|o| owner::may_hold(&catalog, o, &c.region_slug, &c.unit_key));
    owner::check(who.role, &c.status, c.assignee_id, target, eligible, locale)
        .map_err(CaseError::Refused)?;
    let assignment = crate::store::Assignment {
        complaint_id: c.id,
        tracking_code: c.tracking_code.clone(),
        privacy: c.privacy(),
        expected: c.assignee_id,
        status: c.status.clone(),
        region: c.region_slug.clone(),
        unit: c.unit_key.clone(),
        assignee: entry.map(|o| (o.officer.id, o.officer.name)),
        by: Some(who.officer.id),
        at_ms: now_ms(),
        mail: crate::mail::MailContext::of(&state.config),
    };
    match state.store.assign(assignment).await {
        Ok(crate::store::ActOutcome::Done) => Ok(()),
        Ok(crate::store::ActOutcome::Changed) => Err(CaseError::Changed),
        Ok(crate::store::ActOutcome::NotFound) => Err(CaseError::NotFound),
        Err(e) => Err(CaseError::Store(e)),
    }
}

/// Who is to hold a complaint, as posted from its page.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct AssignForm {
    pub csrf: String,
    /// `me`, an officer's id, or empty: back to the unit.
    pub assignee: String,
    /// Who held it when the page was drawn (an id, or empty).
    pub holder: String,
}

impl super::WithCsrf for AssignForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/complaints/{code}/assignee`: take a complaint, give it
/// to an officer of its unit, or give it back to the unit.
pub async fn assign_complaint(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Path(code): Path<String>,
    Posted(who, form): Posted<AssignForm>,
) -> Response {
    let (c, _) = match in_scope(&state, &who, &code, locale).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let refused = |status: StatusCode, problem: String| {
        let (state, who, code) = (&state, &who, &code);
        async move {
            let errors = BTreeMap::from([("assignee", problem)]);
            complaint_response(state, locale, who, code, status, "", &errors, None).await
        }
    };
    let changed = || {
        pages::t(
            locale,
            "Pemegang pengaduan ini sudah diubah petugas lain sejak Anda membukanya. Tidak ada yang ditimpa; lihat siapa yang memegangnya sekarang.",
            "Another officer changed who holds this complaint since you opened it. Nothing was overwritten; see who holds it now.",
        )
        .to_owned()
    };
    if !matches!(who.role, Role::Coordinator | Role::Unit) {
        return forbidden(locale, Some(&who));
    }
    let seen = form.holder.trim().parse::<i64>().ok();
    if seen != c.assignee_id {
        return refused(StatusCode::CONFLICT, changed()).await;
    }
    let Some(wanted) = owner::Wanted::parse(&form.assignee) else {
        return refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::t(locale, "Pilih petugas.", "Choose an officer.").to_owned(),
        )
        .await;
    };
    match give(&state, &who, &c, wanted, locale).await {
        Ok(()) => {
            tracing::info!(officer = who.officer.id, "console: holder changed");
            Redirect::to(&format!(
                "/console/complaints/{}?done=assigned",
                c.tracking_code
            ))
            .into_response()
        }
        Err(CaseError::Refused(Refusal::NotPermitted)) => forbidden(locale, Some(&who)),
        Err(CaseError::Refused(Refusal::WrongState(problem))) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, problem).await
        }
        Err(CaseError::Refused(Refusal::Fields(mut errors))) => {
            let problem = errors.remove("assignee").unwrap_or_default();
            refused(StatusCode::UNPROCESSABLE_ENTITY, problem).await
        }
        Err(CaseError::Changed) => refused(StatusCode::CONFLICT, changed()).await,
        Err(CaseError::NotFound) => not_found(locale, &who),
        Err(CaseError::Store(e)) => store_failed(locale, &e),
    }
}

/// The officers who handle complaints may hide files and add their own.
fn handles_files(who: &SignedIn) -> bool {
    matches!(who.role, Role::Coordinator | Role::Unit)
}

/// Hides a file from the outlets outside the console and the tracker.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct VisibilityForm {
    pub csrf: String,
    pub file: String,
    /// `1` hides, `0` shows.
    pub hidden: String,
}

impl super::WithCsrf for VisibilityForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/complaints/{code}/files/visibility`.
pub async fn set_file_visibility(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Path(code): Path<String>,
    Posted(who, form): Posted<VisibilityForm>,
) -> Response {
    let (c, _) = match in_scope(&state, &who, &code, locale).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    if !handles_files(&who) {
        return forbidden(locale, Some(&who));
    }
    match state
        .store
        .set_attachment_hidden(c.id, &form.file, form.hidden == "1")
        .await
    {
        Ok(true) => {
            tracing::info!(
                officer = who.officer.id,
                hidden = form.hidden == "1",
                "console: file visibility changed"
            );
            Redirect::to(&format!(
                "/console/complaints/{}?done=files",
                c.tracking_code
            ))
            .into_response()
        }
        Ok(false) => not_found(locale, &who),
        Err(e) => store_failed(locale, &e),
    }
}

/// `POST /console/complaints/{code}/files` (multipart): an officer's own
/// photos or documents, through the same cleaning as every other door.
pub async fn add_officer_files(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Path(code): Path<String>,
    who: SignedIn,
    headers: axum::http::HeaderMap,
    multipart: axum::extract::Multipart,
) -> Response {
    let (c, _) = match in_scope(&state, &who, &code, locale).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    if !handles_files(&who) {
        return forbidden(locale, Some(&who));
    }
    let form = match crate::attachments::intake::read_form(&state, multipart, locale).await {
        Ok(form) => form,
        Err(e) => {
            let errors = BTreeMap::from([("files", e.text())]);
            return complaint_response(&state, locale, &who, &code, e.status, "", &errors, None)
                .await;
        }
    };
    if !who.may_post(&headers, form.text("csrf")) {
        form.discard(&state).await;
        return forbidden(locale, Some(&who));
    }
    if let Some(e) = &form.refused {
        form.discard(&state).await;
        let errors = BTreeMap::from([("files", e.text())]);
        return complaint_response(&state, locale, &who, &code, e.status, "", &errors, None).await;
    }
    // Only what is asked for reaches the reporter; anything else stays inside.
    let part = match form.text("part") {
        "officer_reply" => crate::attachments::Part::OfficerReply,
        _ => crate::attachments::Part::InternalNote,
    };
    let attached = state
        .files
        .attach(state.store.as_ref(), c.id, &form.uploads, part, locale)
        .await;
    match attached {
        Ok(()) => {
            tracing::info!(
                officer = who.officer.id,
                files = form.uploads.len(),
                "console: files added"
            );
            Redirect::to(&format!(
                "/console/complaints/{}?done=files",
                c.tracking_code
            ))
            .into_response()
        }
        Err(e) => {
            form.discard(&state).await;
            let errors = BTreeMap::from([("files", e.text())]);
            complaint_response(&state, locale, &who, &code, e.status, "", &errors, None).await
        }
    }
}

/// The complaint with this code when it is in `who`'s scope, with its
/// whole history; else the page that says it is not found (the same for a
/// complaint outside the scope as for none at all).
async fn in_scope(
    state: &AppState,
    who: &SignedIn,
    code: &str,
    locale: Locale,
) -> Result<(ComplaintRecord, Vec<crate::store::HistoryEvent>), Response> {
    let Ok(code) = aduan_app::tracking::TrackingCode::parse(code) else {
        return Err(not_found(locale, who));
    };
    match state
        .store
        .officer_complaint(code.as_str(), &who.scope(&state.catalog()))
        .await
    {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(not_found(locale, who)),
        Err(e) => Err(store_failed(locale, &e)),
    }
}

/// An action on a complaint, as posted from its page.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct ActionForm {
    pub csrf: String,
    pub action: String,
    /// The version the officer's page showed (text, so a missing or
    /// mangled one is a stale form rather than a malformed request).
    pub version: String,
    pub message: String,
    pub note: String,
    pub unit: String,
    pub region: String,
    pub tier: String,
}

impl super::WithCsrf for ActionForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/complaints/{code}`: one action, applied only if nobody
/// changed the complaint since the officer opened it.
pub async fn act_on_complaint(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Path(code): Path<String>,
    Posted(who, form): Posted<ActionForm>,
) -> Response {
    let (c, _) = match in_scope(&state, &who, &code, locale).await {
        Ok(found) => found,
        Err(refused) => return refused,
    };
    let actor = Actor::Officer {
        id: who.officer.id,
        role: who.role,
    };
    let Some(action) = Action::from_key(&form.action).filter(|a| actor.may(*a)) else {
        return forbidden(locale, Some(&who));
    };
    let changed = || {
        let mut errors = BTreeMap::new();
        errors.insert(
            "form",
            pages::t(
                locale,
                "Pengaduan ini sudah diubah oleh petugas lain sejak Anda membukanya. Tidak ada yang ditimpa; periksa riwayatnya lalu coba lagi.",
                "Another officer changed this complaint since you opened it. Nothing was overwritten; read its history and try again.",
            )
            .to_owned(),
        );
        errors
    };
    // The complaint's page again, with what is wrong and what was typed.
    let refused = |status: StatusCode, errors: BTreeMap<&'static str, String>| {
        let (state, who, code, form) = (&state, &who, &code, &form);
        async move {
            complaint_response(state, locale, who, code, status, "", &errors, Some(form)).await
        }
    };
    if form.version.trim().parse::<i64>().ok() != Some(c.version) {
        return refused(StatusCode::CONFLICT, changed()).await;
    }
    let command = Command {
        action: Some(action),
        message: form.message.clone(),
        note: form.note.clone(),
        unit: form.unit.clone(),
        region: form.region.clone(),
        tier: form.tier.clone(),
    };
    match casework::apply(&state, &actor, &c.reference(), &command, locale).await {
        Ok(()) => {
            tracing::info!(
                officer = who.officer.id,
                action = action.key(),
                "console: complaint changed"
            );
            if action == Action::Transfer && who.role == Role::Coordinator {
                // It left the region: back to the inbox.
                return Redirect::to("/console/inbox").into_response();
            }
            Redirect::to(&format!(
                "/console/complaints/{}?done={}",
                c.tracking_code,
                action.key()
            ))
            .into_response()
        }
        Err(CaseError::Refused(Refusal::Fields(errors))) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
        Err(CaseError::Refused(Refusal::WrongState(problem))) => {
            refused(
                StatusCode::UNPROCESSABLE_ENTITY,
                BTreeMap::from([("form", problem)]),
            )
            .await
        }
        Err(CaseError::Refused(Refusal::NotPermitted)) => forbidden(locale, Some(&who)),
        Err(CaseError::Changed) => refused(StatusCode::CONFLICT, changed()).await,
        Err(CaseError::NotFound) => not_found(locale, &who),
        Err(CaseError::Store(e)) => store_failed(locale, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::ranked;
    use crate::store::{FoundRow, InboxRow};

    fn found(id: i64, title: &str, description: &str) -> FoundRow {
        FoundRow {
            row: InboxRow {
                id,
                tracking_code: format!("C{id}"),
                region_slug: "badung".into(),
                unit_key: "pupr".into(),
                category_key: "jalan".into(),
                anonymous: false,
                confidential: false,
                title: title.into(),
                status: "submitted".into(),
                due_step: None,
                due_date: None,
                created_at: 0,
                version: 1,
                assignee_id: None,
                assignee_name: None,
            },
            description: description.into(),
            location: Some("Pasar Kuta".into()),
            landmark: None,
        }
    }

    #[test]
    fn the_best_come_first_then_the_newest_and_pages_follow_by_key() {
        let terms = crate::search::terms("lubang");
        let rows = vec![
            found(1, "Jalan rusak", "ada lubang"),
            found(2, "Lubang besar", ""),
            found(3, "Jalan rusak", "lubang lagi"),
            found(4, "Lubang kecil", ""),
        ];
        let ids = |page: &[(u32, FoundRow)]| page.iter().map(|(_, r)| r.row.id).collect::<Vec<_>>();
        let first = ranked(rows.clone(), &terms, None, 3);
        assert_eq!(ids(&first), [4, 2, 3]);
        assert_eq!(first[0].0, 8);
        assert_eq!(first[2].0, 1);
        let last = first.last().map(|(s, r)| (*s, r.row.id));
        assert_eq!(ids(&ranked(rows.clone(), &terms, last, 3)), [1]);
        assert!(ranked(rows.clone(), &terms, Some((0, 0)), 3).is_empty());
        assert_eq!(ids(&ranked(rows, &terms, Some((8, 4)), 1)), [2]);
    }
}
