//! The hosted pages: a complaint form at `/r/{slug}` and a tracker at
//! `/r/{slug}/track`, rendered on the server and working with no script at
//! all. They are where the widget's plain link leads when script, wasm or
//! the host's CSP stand in the way. Every value is escaped by the templates.

mod pages;

pub(crate) use self::pages::{Link, error_page, link_page, no_such_region};

use std::collections::BTreeMap;

use aduan_app::api::{ComplaintInput, Locale, Receipt, ReporterInput};
use aduan_app::validate;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use self::pages::{form_page, html_response, new_key, receipt_page, tracker_page};
use crate::attachments::intake::{FormFiles, read_form};
use crate::error::ApiError;
use crate::extract::AcceptLocale;
use crate::intake;
use crate::state::{AppState, now_ms};

/// The fields of the hosted form, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HostedForm {
    pub idempotency_key: String,
    pub lang: String,
    pub classification: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub district: String,
    pub location: String,
    pub landmark: String,
    pub incident_date: String,
    pub privacy: String,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_phone: String,
    pub consent: Option<String>,
}

/// `?lang=` and, on the tracker, `?code=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PageQuery {
    pub lang: Option<String>,
    pub code: Option<String>,
}

/// A reply posted from the tracker page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReplyForm {
    pub idempotency_key: String,
    pub code: String,
    pub message: String,
    pub lang: String,
}

fn pick_locale(asked: Option<&str>, header: Locale) -> Locale {
    asked.and_then(Locale::from_key).unwrap_or(header)
}

/// `GET /r/{slug}`: the complaint form.
pub async fn show_complaint_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    AcceptLocale(header): AcceptLocale,
) -> Response {
    let locale = pick_locale(query.lang.as_deref(), header);
    match state.catalog().region(&slug).cloned() {
        Some(region) => {
            let markup = form_page(
                &state.catalog(),
                &region,
                locale,
                &HostedForm::default(),
                &BTreeMap::new(),
                &new_key(),
                &[],
            );
            html_response(StatusCode::OK, markup)
        }
        None => no_such_region(locale),
    }
}

/// The script of the first moments' form (`early.js` beside this file),
/// without its comments and indentation.
static EARLY_SCRIPT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    include_str!("early.js")
        .lines()
        .map(str::trim_start)
        .filter(|l| {
            !(l.is_empty()
                || l.starts_with("//")
                || l.starts_with("/*")
                || l.starts_with("* ")
                || *l == "*"
                || l.starts_with("*/"))
        })
        .collect::<Vec<_>>()
        .join("\n")
});

/// `GET /api/v1/regions/{slug}/early.js?lang=`: the form the widget shows
/// the moment a citizen taps it, while its wasm is on the way, as one
/// module (one request on the tap): the widget's stylesheet and the hosted
/// form's fields for the region and language, and the script that shows
/// them and hands them to the wasm's form. The language is `?lang=` or
/// else `Accept-Language`.
pub async fn early_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    AcceptLocale(header): AcceptLocale,
) -> Result<Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let html = region_markup(
        &state,
        &slug,
        query.lang.as_deref(),
        header,
        pages::early_form,
    )?;
    // JSON strings are JavaScript strings.
    let script = format!(
        "var CSS = {}, HTML = {};\n{}\n",
        serde_json::Value::from(aduan_app::style::STYLE),
        serde_json::Value::from(html),
        *EARLY_SCRIPT
    );
    Ok((
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::VARY, "Accept-Language"),
        ],
        script,
    )
        .into_response())
}

/// `GET /api/v1/regions/{slug}/form.html?lang=`: the complaint form's
/// markup alone, the same the first moments' module carries: the widget
/// draws its form from it when it has no first form to take it from (a
/// citizen back from the tracker, another language chosen on the form).
pub async fn form_fragment(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    AcceptLocale(header): AcceptLocale,
) -> Result<Response, ApiError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    let html = region_markup(
        &state,
        &slug,
        query.lang.as_deref(),
        header,
        pages::widget_form,
    )?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::VARY, "Accept-Language"),
        ],
        html,
    )
        .into_response())
}

/// What `draw` makes of region `slug` in the language asked (`lang`, else
/// the header's), or 404 in that language.
fn region_markup(
    state: &AppState,
    slug: &str,
    lang: Option<&str>,
    header: Locale,
    draw: fn(
        &crate::domain::catalog::Catalog,
        &crate::domain::catalog::Region,
        Locale,
        &str,
    ) -> maud::Markup,
) -> Result<String, ApiError> {
    let locale = pick_locale(lang, header);
    let catalog = state.catalog();
    let region = catalog.region(slug).ok_or_else(|| {
        ApiError::not_found(aduan_app::i18n::Reason::RegionNotFound).speaking(locale)
    })?;
    Ok(draw(&catalog, region, locale, &state.config.public_url).into_string())
}

/// `GET /api/v1/widget.css`: the widget's stylesheet, for a widget whose
/// first moments' module (which carries it) did not come.
pub async fn widget_style() -> Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        aduan_app::style::STYLE,
    )
        .into_response()
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `POST /r/{slug}`: files the complaint and shows the receipt, or the form
/// again with each problem next to its field. The form's idempotency key
/// makes a double click or a reload file nothing twice.
pub async fn submit_complaint_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header): AcceptLocale,
    request: Request,
) -> Response {
    // A form posted from another site's page: only from a registered one
    // (refused before its files are read; the routed region is asked too).
    let headers = request.headers().clone();
    if let Err(e) = crate::sites::gate::admit(&state, &slug, &headers, header).await {
        return error_page(header, &e);
    }
    let (values, files) = match posted::<HostedForm>(&state, request, header).await {
        Ok(posted) => posted,
        Err(e) => return error_page(header, &e),
    };
    let locale = pick_locale(Some(values.lang.as_str()), header);
    let Some(region) = state.catalog().region(&slug).cloned() else {
        files.discard(&state).await;
        return no_such_region(locale);
    };
    // The files taken before (still ticked) and the ones sent now.
    let mut attached: Vec<(String, String)> = Vec::new();
    for id in files.all("attachment") {
        if id.len() == 32
            && id.bytes().all(|b| b.is_ascii_hexdigit())
            && let Ok(Some(upload)) = state.store.upload(id, now_ms()).await
        {
            attached.push((upload.id, upload.filename));
        }
    }
    attached.extend(
        files
            .uploads
            .iter()
            .cloned()
            .zip(files.names.iter().cloned()),
    );
    let key = if (8..=128).contains(&values.idempotency_key.len())
        && values.idempotency_key.bytes().all(|b| b.is_ascii_graphic())
    {
        values.idempotency_key.clone()
    } else {
        new_key()
    };
    let input = ComplaintInput {
        region: slug.clone(),
        classification: values.classification.clone(),
        title: values.title.clone(),
        description: values.description.clone(),
        category: values.category.clone(),
        district: optional(&values.district),
        location: optional(&values.location),
        landmark: optional(&values.landmark),
        // A page without script cannot ask the phone where it is.
        position: None,
        incident_date: optional(&values.incident_date),
        privacy: values.privacy.clone(),
        reporter: ReporterInput {
            name: optional(&values.reporter_name),
            email: optional(&values.reporter_email),
            phone: optional(&values.reporter_phone),
        },
        locale: Some(locale.key().to_owned()),
        attachments: attached.iter().map(|(id, _)| id.clone()).collect(),
    };
    let mut errors = match validate::complaint(
        &input,
        state.catalog().today(now_ms()),
        state.catalog().as_ref(),
    ) {
        Ok(_) => BTreeMap::new(),
        Err(invalid) => invalid.messages(),
    };
    if values.consent.is_none() {
        errors.insert(
            "consent".into(),
            aduan_app::i18n::Msg::Required.text(locale),
        );
    }
    if let Some(refused) = &files.refused {
        errors.insert("attachments".into(), refused.text());
    }
    if !errors.is_empty() {
        let errors = errors
            .into_iter()
            .map(|(k, v)| (k.replace("reporter.", "reporter_"), v))
            .collect();
        let markup = form_page(
            &state.catalog(),
            &region,
            locale,
            &values,
            &errors,
            &key,
            &attached,
        );
        return html_response(StatusCode::UNPROCESSABLE_ENTITY, markup);
    }
    // A second press of the button (or a reload that posts again) sends
    // the files anew: the first press's receipt stands, its files with it.
    if !files.uploads.is_empty()
        && let Ok(Some((_, receipt))) = state.store.idempotent_receipt(&key).await
    {
        files.discard(&state).await;
        return match serde_json::from_str::<Receipt>(&receipt) {
            Ok(receipt) => html_response(StatusCode::OK, receipt_page(&region, locale, &receipt)),
            Err(e) => error_page(locale, &ApiError::internal(e.to_string()).speaking(locale)),
        };
    }
    match intake::file(&state, &input, &key, "hosted", Some(&headers), locale).await {
        Ok(json) => match serde_json::from_str::<Receipt>(&json) {
            Ok(receipt) => html_response(StatusCode::OK, receipt_page(&region, locale, &receipt)),
            Err(e) => error_page(locale, &ApiError::internal(e.to_string()).speaking(locale)),
        },
        Err(error) if error.code == "origin_not_registered" => {
            files.discard(&state).await;
            error_page(locale, &error)
        }
        // A problem with the files: the form again, files still ticked.
        Err(error) if error.said.is_some() && error.status.is_client_error() => {
            let errors = BTreeMap::from([("attachments".to_owned(), error.text())]);
            let markup = form_page(
                &state.catalog(),
                &region,
                locale,
                &values,
                &errors,
                &key,
                &attached,
            );
            html_response(error.status, markup)
        }
        Err(error) => error_page(locale, &error),
    }
}

/// A hosted page's post, urlencoded or (with files) multipart: its fields,
/// and its files taken through the cleaning as uploads.
async fn posted<T: serde::de::DeserializeOwned + Default>(
    state: &AppState,
    request: Request,
    locale: Locale,
) -> Result<(T, FormFiles), ApiError> {
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let unreadable = || ApiError::for_status(StatusCode::BAD_REQUEST).speaking(locale);
    if multipart {
        let multipart = Multipart::from_request(request, state)
            .await
            .map_err(|_| unreadable())?;
        let files = read_form(state, multipart, locale).await?;
        match serde_json::from_value::<T>(files.json()) {
            Ok(values) => Ok((values, files)),
            Err(_) => {
                files.discard(state).await;
                Err(unreadable())
            }
        }
    } else {
        let Form(values) = Form::<T>::from_request(request, state)
            .await
            .map_err(|_| unreadable())?;
        Ok((values, FormFiles::default()))
    }
}

/// `GET /r/{slug}/track?code=`: the tracker.
pub async fn show_tracker(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<PageQuery>,
    AcceptLocale(header): AcceptLocale,
) -> Response {
    let locale = pick_locale(query.lang.as_deref(), header);
    let Some(region) = state.catalog().region(&slug).cloned() else {
        return no_such_region(locale);
    };
    let typed = query.code.unwrap_or_default();
    if typed.trim().is_empty() {
        return html_response(StatusCode::OK, tracker_page(&region, locale, "", None, &[]));
    }
    let found = match intake::tracking_code(&typed, locale) {
        Ok(code) => intake::track(&state, &code, locale).await,
        Err(e) => Err(e),
    };
    tracker_answer(&state, &region, locale, &typed, found).await
}

/// The tracker page with what was found (and the files its reporter may
/// see), or the refusal.
async fn tracker_answer(
    state: &AppState,
    region: &crate::domain::catalog::Region,
    locale: Locale,
    typed: &str,
    found: Result<aduan_app::api::TrackingView, ApiError>,
) -> Response {
    let files = match (&found, intake::tracking_code(typed, locale)) {
        (Ok(_), Ok(code)) => intake::files_for_reporter(state, &code, locale)
            .await
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let status = found.as_ref().map_or_else(|e| e.status, |_| StatusCode::OK);
    html_response(
        status,
        tracker_page(region, locale, typed, Some(found.as_ref()), &files),
    )
}

/// `POST /r/{slug}/track`: the reporter's reply from the tracker page.
pub async fn reply_from_tracker(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header): AcceptLocale,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let (form, files) = match posted::<ReplyForm>(&state, request, header).await {
        Ok(posted) => posted,
        Err(e) => return error_page(header, &e),
    };
    let locale = pick_locale(Some(form.lang.as_str()), header);
    let Some(region) = state.catalog().region(&slug).cloned() else {
        files.discard(&state).await;
        return no_such_region(locale);
    };
    let input = aduan_app::api::ReplyInput {
        message: form.message.clone(),
        locale: Some(locale.key().to_owned()),
        attachments: files.uploads.clone(),
    };
    let result = match (
        intake::tracking_code(&form.code, locale),
        validate::reply(&input),
    ) {
        _ if files.refused.is_some() => Err(files
            .refused
            .clone()
            .unwrap_or_else(|| ApiError::internal("refused"))),
        (Err(e), _) => Err(e),
        (_, Err(invalid)) => Err(ApiError::invalid(&invalid)),
        (Ok(code), Ok((message, _))) => {
            let key = (8..=128)
                .contains(&form.idempotency_key.len())
                .then(|| form.idempotency_key.clone());
            // A reply posted from another site's page: only from one
            // registered for the complaint's region.
            match crate::sites::gate::admit_reply(&state, code.as_str(), &headers, locale).await {
                Ok(()) => {
                    intake::reply(&state, &code, message, &input.attachments, key, locale).await
                }
                Err(e) => Err(e),
            }
        }
    };
    if result.is_err() {
        files.discard(&state).await;
    }
    tracker_answer(&state, &region, locale, &form.code, result).await
}

/// The reporter's confirmation from the tracker page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConfirmForm {
    pub code: String,
    pub lang: String,
}

/// What the reporter asks for with a button on the tracker page.
#[derive(Debug, Clone, Copy)]
enum TrackerButton {
    Confirm,
    Erase,
}

/// A tracker button's post: the action, then the tracker page again (or
/// the refusal on it).
async fn tracker_button(
    state: AppState,
    slug: String,
    header: Locale,
    form: ConfirmForm,
    button: TrackerButton,
) -> Response {
    let locale = pick_locale(Some(form.lang.as_str()), header);
    let Some(region) = state.catalog().region(&slug).cloned() else {
        return no_such_region(locale);
    };
    let result = match intake::tracking_code(&form.code, locale) {
        Ok(code) => match button {
            TrackerButton::Confirm => intake::confirm(&state, &code, locale).await,
            TrackerButton::Erase => match intake::erase_contact(&state, &code, locale).await {
                Ok(()) => intake::track(&state, &code, locale).await,
                Err(e) => Err(e),
            },
        },
        Err(e) => Err(e),
    };
    tracker_answer(&state, &region, locale, &form.code, result).await
}

/// `POST /r/{slug}/track/confirm`: the reporter confirms the resolution.
pub async fn confirm_from_tracker(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header): AcceptLocale,
    Form(form): Form<ConfirmForm>,
) -> Response {
    tracker_button(state, slug, header, form, TrackerButton::Confirm).await
}

/// The rating form of the tracker page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RateForm {
    pub code: String,
    pub lang: String,
    pub score: String,
    pub comment: String,
}

/// `POST /r/{slug}/track/rate`: the reporter rates the handling, once.
pub async fn rate_from_tracker(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header): AcceptLocale,
    Form(form): Form<RateForm>,
) -> Response {
    let locale = pick_locale(Some(form.lang.as_str()), header);
    let Some(region) = state.catalog().region(&slug).cloned() else {
        return no_such_region(locale);
    };
    let input = aduan_app::api::RatingInput {
        score: form.score.trim().parse().unwrap_or(0),
        comment: Some(form.comment.clone()),
        locale: Some(locale.key().to_owned()),
    };
    let result = match intake::tracking_code(&form.code, locale) {
        Ok(code) => match aduan_app::validate::rating(&input) {
            Ok((score, comment, _)) => intake::rate(&state, &code, score, comment, locale).await,
            Err(invalid) => Err(ApiError::invalid(&invalid)),
        },
        Err(e) => Err(e),
    };
    tracker_answer(&state, &region, locale, &form.code, result).await
}

/// `POST /r/{slug}/track/erase`: the reporter erases their contact details.
pub async fn erase_from_tracker(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header): AcceptLocale,
    Form(form): Form<ConfirmForm>,
) -> Response {
    tracker_button(state, slug, header, form, TrackerButton::Erase).await
}
