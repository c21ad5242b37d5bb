//! The officer console under `/console`: server-rendered HTML that works
//! with no script at all, fast on an old office PC.
//!
//! Every page is scoped to the signed-in officer ([`SignedIn::scope`]): a
//! complaint outside it answers 404, exactly as one that does not exist.
//! Every form that changes something carries the session's CSRF token, and a
//! post the browser marks as cross-site is refused before it is read.

pub mod integrations;
pub mod officers;
mod pages;
pub mod password;

use std::collections::BTreeMap;

use aduan_app::api::{Locale, Status};
use aduan_app::date::Date;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::auth::{self, SignedIn};
use crate::casework::{self, Actor, CaseError, Command, Refusal};
use crate::domain::calendar::add_working_days;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::{Action, Role, next, permits};
use crate::extract::AcceptLocale;
use crate::routes::limits::address_of;
use crate::state::{AppState, now_ms};
use crate::store::{ComplaintRecord, DueFilter, InboxQuery, StoreError};

use self::pages::Page;

/// Longest public reply or internal note, in characters.
pub use crate::casework::MESSAGE_MAX;
/// Complaints per inbox page.
pub const PAGE_SIZE: i64 = 50;

pub(super) fn store_failed(locale: Locale, e: &StoreError) -> Response {
    tracing::error!(error = %e, "console: the store failed");
    pages::message_page(
        locale,
        None,
        StatusCode::SERVICE_UNAVAILABLE,
        pages::t(
            locale,
            "Layanan sedang tidak tersedia",
            "The service is unavailable",
        ),
        pages::t(
            locale,
            "Basis data tidak menjawab. Coba lagi sebentar lagi.",
            "The database did not answer. Try again in a moment.",
        ),
    )
}

fn not_found(locale: Locale, who: &SignedIn) -> Response {
    pages::message_page(
        locale,
        Some(who),
        StatusCode::NOT_FOUND,
        pages::t(locale, "Tidak ditemukan", "Not found"),
        pages::t(
            locale,
            "Tidak ada pengaduan dengan kode ini dalam wilayah kerja Anda.",
            "There is no complaint with this code in your scope.",
        ),
    )
}

pub(super) fn forbidden(locale: Locale, who: Option<&SignedIn>) -> Response {
    pages::message_page(
        locale,
        who,
        StatusCode::FORBIDDEN,
        pages::t(locale, "Tidak diizinkan", "Not allowed"),
        pages::t(
            locale,
            "Peran Anda tidak mengizinkan tindakan ini, atau formulirnya sudah kedaluwarsa. Muat ulang halaman dan coba lagi.",
            "Your role does not allow this, or the form has expired. Reload the page and try again.",
        ),
    )
}

/// `GET /console`: the inbox, or the sign-in page.
pub async fn home() -> Redirect {
    Redirect::to("/console/inbox")
}

/// `GET /console/login`.
pub async fn show_sign_in(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
) -> Response {
    sign_in_page(&state, locale, StatusCode::OK, None, "")
}

fn sign_in_page(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    problem: Option<&str>,
    email: &str,
) -> Response {
    let form_token = auth::random_token();
    let mut response = pages::html(status, pages::sign_in(locale, &form_token, problem, email));
    if let Ok(cookie) = HeaderValue::from_str(&auth::set_cookie(
        state,
        auth::SIGN_IN_COOKIE,
        &form_token,
        3600,
    )) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The sign-in form, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    pub form_token: String,
}

/// `POST /console/login`: checks the password; on success a session cookie
/// and the inbox. Failures are counted per account and per address.
pub async fn sign_in(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    request_headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(form): Form<SignInForm>,
) -> Response {
    let email = form.email.trim().to_lowercase();
    // Login CSRF: a post another site makes is refused by what the browser
    // says of its origin; a form this page served must also carry the
    // token its cookie holds.
    let cookie_token = auth::cookie(&request_headers, auth::SIGN_IN_COOKIE).unwrap_or("");
    let token_wrong = !form.form_token.is_empty()
        && (cookie_token.is_empty() || !auth::same_secret(cookie_token, &form.form_token));
    if auth::cross_site(&request_headers) || auth::foreign_origin(&request_headers) || token_wrong {
        let problem = pages::t(
            locale,
            "Formulir masuk sudah kedaluwarsa. Silakan coba lagi.",
            "The sign-in form has expired. Please try again.",
        );
        return sign_in_page(&state, locale, StatusCode::FORBIDDEN, Some(problem), &email);
    }
    let client = address_of(&state, &request_headers, &extensions);
    let device = auth::cookie(&request_headers, auth::DEVICE_COOKIE);
    // The attempt is counted before the password is checked, so parallel
    // guesses cannot slip past the limit.
    let reset = match auth::take_attempt(&state, &email, client, device).await {
        Ok(auth::Attempt::Admitted { reset_on_success }) => reset_on_success,
        Ok(auth::Attempt::Refused) => {
            tracing::info!("console: a sign-in was refused: too many attempts");
            let problem = pages::t(
                locale,
                "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit.",
                "Too many failed sign-ins. Try again in 15 minutes.",
            );
            let mut response = sign_in_page(
                &state,
                locale,
                StatusCode::TOO_MANY_REQUESTS,
                Some(problem),
                &email,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
            return response;
        }
        Err(e) => return store_failed(locale, &e),
    };
    let found = match state.store.officer_by_email(&email).await {
        Ok(found) => found,
        Err(e) => return store_failed(locale, &e),
    };
    let (officer, stored) = found.map_or((None, None), |(o, h)| (Some(o), Some(h)));
    let Some(matched) = auth::check_password(&state, form.password, stored).await else {
        let problem = pages::t(
            locale,
            "Layanan sedang sibuk. Coba lagi sebentar lagi.",
            "The service is busy. Please try again in a moment.",
        );
        let mut response = sign_in_page(
            &state,
            locale,
            StatusCode::SERVICE_UNAVAILABLE,
            Some(problem),
            &email,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    let Some(officer) = officer.filter(|_| matched) else {
        tracing::info!("console: a sign-in failed");
        let problem = pages::t(
            locale,
            "E-mail atau kata sandi salah.",
            "The e-mail address or the password is wrong.",
        );
        return sign_in_page(
            &state,
            locale,
            StatusCode::UNAUTHORIZED,
            Some(problem),
            &email,
        );
    };
    if let Err(e) = state.store.reset_budgets(&reset).await {
        return store_failed(locale, &e);
    }
    let trusted = reset.iter().any(|k| k.starts_with("device:"));
    let device = match auth::trust_device(&state, officer.id, device, trusted).await {
        Ok(device) => device,
        Err(e) => return store_failed(locale, &e),
    };
    let token = match auth::open_session(&state, &officer).await {
        Ok(token) => token,
        Err(e) => return store_failed(locale, &e),
    };
    tracing::info!(officer = officer.id, role = %officer.role, "console: signed in");
    let mut response = Redirect::to("/console/inbox").into_response();
    for cookie in [
        auth::set_cookie(
            &state,
            auth::SESSION_COOKIE,
            &token,
            auth::SESSION_HOURS * 3600,
        ),
        auth::set_cookie(&state, auth::SIGN_IN_COOKIE, "", 0),
        auth::set_cookie(
            &state,
            auth::DEVICE_COOKIE,
            &device,
            auth::DEVICE_DAYS * 86_400,
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A form that carries only the CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// `POST /console/logout`.
pub async fn sign_out(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Response {
    if !who.may_post(&headers, &form.csrf) {
        return forbidden(locale, Some(&who));
    }
    if let Err(e) = state.store.close_session(&who.token_hash).await {
        return store_failed(locale, &e);
    }
    let mut response = Redirect::to("/console/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&auth::set_cookie(&state, auth::SESSION_COOKIE, "", 0))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

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
}

impl InboxFilters {
    /// The query for the officer's scope; unknown values are ignored.
    fn query(&self, who: &SignedIn, catalog: &Catalog, today: Date) -> InboxQuery {
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
            scope: who.scope(catalog),
            status,
            unit: some(&self.unit),
            category: some(&self.category).filter(|c| catalog.category(c).is_some()),
            due,
            after,
            limit: PAGE_SIZE,
        }
    }
}

/// `GET /console/inbox`: the officer's complaints by due date, by key.
pub async fn show_inbox(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(filters): Query<InboxFilters>,
) -> Response {
    let catalog = state.catalog();
    let today = catalog.today(now_ms());
    let query = filters.query(&who, &catalog, today);
    match state.store.inbox(&query).await {
        Ok(rows) => pages::html(
            StatusCode::OK,
            pages::inbox(&Page::new(locale, &who, &catalog), &filters, &rows, today),
        ),
        Err(e) => store_failed(locale, &e),
    }
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
    let Ok(code) = aduan_app::tracking::TrackingCode::parse(code) else {
        return not_found(locale, who);
    };
    let found = match state
        .store
        .officer_complaint(code.as_str(), &who.scope(&catalog))
        .await
    {
        Ok(found) => found,
        Err(e) => return store_failed(locale, &e),
    };
    let Some((complaint, history)) = found else {
        return not_found(locale, who);
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
            },
        ),
    )
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

/// `POST /console/complaints/{code}`: one action, applied only if nobody
/// changed the complaint since the officer opened it.
pub async fn act_on_complaint(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(form): Form<ActionForm>,
) -> Response {
    if !who.may_post(&headers, &form.csrf) {
        return forbidden(locale, Some(&who));
    }
    let catalog = state.catalog();
    let Ok(parsed) = aduan_app::tracking::TrackingCode::parse(&code) else {
        return not_found(locale, &who);
    };
    let found = match state
        .store
        .officer_complaint(parsed.as_str(), &who.scope(&catalog))
        .await
    {
        Ok(found) => found,
        Err(e) => return store_failed(locale, &e),
    };
    let Some((c, _)) = found else {
        return not_found(locale, &who);
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
    if form.version.trim().parse::<i64>().ok() != Some(c.version) {
        return complaint_response(
            &state,
            locale,
            &who,
            &code,
            StatusCode::CONFLICT,
            "",
            &changed(),
            Some(&form),
        )
        .await;
    }
    let command = Command {
        action: Some(action),
        message: form.message.clone(),
        note: form.note.clone(),
        unit: form.unit.clone(),
        region: form.region.clone(),
        tier: form.tier.clone(),
    };
    let refused = |errors: BTreeMap<&'static str, String>| {
        let (state, who, code, form) = (&state, &who, &code, &form);
        async move {
            complaint_response(
                state,
                locale,
                who,
                code,
                StatusCode::UNPROCESSABLE_ENTITY,
                "",
                &errors,
                Some(form),
            )
            .await
        }
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
                parsed.as_str(),
                action.key()
            ))
            .into_response()
        }
        Err(CaseError::Refused(Refusal::Fields(errors))) => refused(errors).await,
        Err(CaseError::Refused(Refusal::WrongState(problem))) => {
            refused(BTreeMap::from([("form", problem)])).await
        }
        Err(CaseError::Refused(Refusal::NotPermitted)) => forbidden(locale, Some(&who)),
        Err(CaseError::Changed) => {
            complaint_response(
                &state,
                locale,
                &who,
                &code,
                StatusCode::CONFLICT,
                "",
                &changed(),
                Some(&form),
            )
            .await
        }
        Err(CaseError::NotFound) => not_found(locale, &who),
        Err(CaseError::Store(e)) => store_failed(locale, &e),
    }
}

/// `GET /console/overview`: open, overdue and due-this-week per unit.
pub async fn show_overview(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
) -> Response {
    if who.role == Role::Unit {
        return forbidden(locale, Some(&who));
    }
    let catalog = state.catalog();
    let today = catalog.today(now_ms());
    // The whole scope counts here, confidential complaints included: these
    // are numbers, not contents.
    let scope = crate::store::Scope {
        confidential: true,
        ..who.scope(&catalog)
    };
    let week_end = today.add_days(6);
    match state
        .store
        .overview(&scope, &today.to_string(), &week_end.to_string())
        .await
    {
        Ok(loads) => pages::html(
            StatusCode::OK,
            pages::overview(
                &Page::new(locale, &who, &catalog),
                &loads,
                scope.region.is_none(),
            ),
        ),
        Err(e) => store_failed(locale, &e),
    }
}

/// `?region=` for an administrator choosing whose rules to edit.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesQuery {
    pub region: String,
    pub done: String,
}

/// The region whose rules `who` may edit.
fn rules_region(who: &SignedIn, catalog: &Catalog, asked: &str) -> Option<String> {
    match who.role {
        Role::Coordinator => Some(who.officer.region_slug.clone()),
        Role::Admin => catalog
            .region(asked)
            .or_else(|| catalog.region(&who.officer.region_slug))
            .map(|r| r.slug.clone()),
        _ => None,
    }
}

/// `GET /console/rules`: which unit each category goes to.
pub async fn show_rules(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(query): Query<RulesQuery>,
) -> Response {
    let catalog = state.catalog();
    let Some(region) = rules_region(&who, &catalog, &query.region) else {
        return forbidden(locale, Some(&who));
    };
    pages::html(
        StatusCode::OK,
        pages::rules(
            &Page::new(locale, &who, &catalog),
            &region,
            &query.done,
            None,
        ),
    )
}

/// A routing rule, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub csrf: String,
    pub region: String,
    pub category: String,
    pub unit: String,
}

/// `POST /console/rules`: routes a category to a unit from now on.
pub async fn save_rule(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    headers: HeaderMap,
    Form(form): Form<RuleForm>,
) -> Response {
    if !who.may_post(&headers, &form.csrf) {
        return forbidden(locale, Some(&who));
    }
    let catalog = state.catalog();
    let Some(region) = rules_region(&who, &catalog, &form.region) else {
        return forbidden(locale, Some(&who));
    };
    let valid =
        catalog.category(&form.category).is_some() && catalog.unit(&region, &form.unit).is_some();
    if !valid {
        let problem = pages::t(
            locale,
            "Pilih kategori dan unit yang ada.",
            "Choose a category and a unit that exist.",
        );
        return pages::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::rules(
                &Page::new(locale, &who, &catalog),
                &region,
                "",
                Some(problem),
            ),
        );
    }
    if let Err(e) = state
        .store
        .set_rule(&region, &form.category, &form.unit)
        .await
    {
        return store_failed(locale, &e);
    }
    if let Err(e) = state.reload_catalog().await {
        return store_failed(locale, &e);
    }
    tracing::info!(officer = who.officer.id, region = %region, category = %form.category, "console: routing rule changed");
    Redirect::to(&format!(
        "/console/rules?region={region}&done={}",
        form.category
    ))
    .into_response()
}
