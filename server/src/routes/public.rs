//! The citizen-facing JSON API: regions, forms, complaints, tracking and replies.

use aduan_app::api::{ComplaintInput, Locale, ReplyInput};
use aduan_app::i18n::Reason;
use aduan_app::validate;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::domain::catalog::Catalog;
use crate::error::ApiError;
use crate::extract::{AcceptLocale, JsonBody};
use crate::intake;
use crate::state::AppState;
/// `GET /api/v1/regions`.
pub async fn list_regions(State(state): State<AppState>) -> impl IntoResponse {
    let regions: Vec<_> = state
        .catalog()
        .regions
        .iter()
        .map(Catalog::summary)
        .collect();
    Json(regions)
}

/// `GET /api/v1/regions/{slug}/form`.
///
/// A browser asking (it names its page's origin) is a widget loading on a
/// site: that keeps the region's "widget seen working" sign of life.
pub async fn find_region_form(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(locale): AcceptLocale,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let form = state
        .catalog()
        .form(&slug)
        .ok_or_else(|| ApiError::not_found(Reason::RegionNotFound).speaking(locale))?;
    if channel_of(&headers) == "widget" {
        state.note_widget(&slug).await;
        unregistered_load(&state, &slug, &headers).await;
    }
    Ok(([(header::CACHE_CONTROL, "public, max-age=300")], Json(form)))
}

/// A widget loading for a region with sites on an origin none of them
/// lists: recorded (once a minute per process) for its webmasters.
async fn unregistered_load(state: &AppState, region: &str, headers: &HeaderMap) {
    use crate::sites::gate;
    let Some(origin) = gate::sent_origin(headers).and_then(crate::sites::origin::parse_origin)
    else {
        return;
    };
    if gate::own_origin(state, headers)
        || !state.first_in_a_minute(&format!("load\u{0}{region}\u{0}{origin}"))
    {
        return;
    }
    let rules = match state.store.region_origins(region).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "could not read the region's origins");
            return;
        }
    };
    if let gate::Decision::Refused(Some(origin)) = gate::decide(Some(&origin), false, &rules) {
        let note = crate::sites::SiteNote::Loaded {
            region: region.to_owned(),
            origin,
        };
        if let Err(e) = state.store.site_note(note, crate::state::now_ms()).await {
            tracing::warn!(error = %e, "could not record an unregistered origin");
        }
    }
}

/// `widget` for a browser's request (it names its page's origin or its
/// fetch mode), `api` for any other client.
pub fn channel_of(headers: &HeaderMap) -> &'static str {
    if headers.contains_key(header::ORIGIN) || headers.contains_key("sec-fetch-mode") {
        "widget"
    } else {
        "api"
    }
}

/// Reads the `Idempotency-Key` header: 8 to 128 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap, locale: Locale) -> Result<String, ApiError> {
    let raw = headers.get("idempotency-key").ok_or_else(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_required",
            Reason::IdempotencyKeyRequired,
        )
        .speaking(locale)
    })?;
    let key = raw.to_str().unwrap_or_default().trim();
    let key = key.trim_matches('"');
    if !(8..=128).contains(&key.len()) || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "idempotency_key_invalid",
            Reason::IdempotencyKeyInvalid,
        )
        .speaking(locale));
    }
    Ok(key.to_owned())
}

/// `POST /api/v1/complaints`: validate, route, and store in one transaction;
/// 201 only after it committed.
pub async fn submit_complaint(
    State(state): State<AppState>,
    AcceptLocale(header_locale): AcceptLocale,
    headers: HeaderMap,
    JsonBody(input): JsonBody<ComplaintInput>,
) -> Result<Response, ApiError> {
    let locale = validate::locale_of(input.locale.as_deref()).unwrap_or(header_locale);
    let key = idempotency_key(&headers, locale)?;
    let receipt = intake::file(
        &state,
        &input,
        &key,
        channel_of(&headers),
        Some(&headers),
        locale,
    )
    .await?;
    // The widget asks for the receipt as the markup it shows.
    if asks_html(&headers)
        && let Ok(r) = serde_json::from_str::<aduan_app::api::Receipt>(&receipt)
    {
        return Ok((
            StatusCode::CREATED,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::VARY, "Accept, Accept-Language"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            aduan_app::markup::receipt(&r, locale),
        )
            .into_response());
    }
    // The receipt holds the tracking code: no cache keeps it.
    Ok((
        StatusCode::CREATED,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::VARY, "Accept, Accept-Language"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        receipt,
    )
        .into_response())
}

/// Whether a client asks for HTML first (the widget, for the markup it
/// shows), rather than JSON.
fn asks_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|first| first.trim().starts_with("text/html"))
}

/// `GET /api/v1/complaints/{code}`: never the reporter's identity.
pub async fn find_complaint_by_code(
    State(state): State<AppState>,
    Path(typed): Path<String>,
    AcceptLocale(locale): AcceptLocale,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = intake::tracking_code(&typed, locale)?;
    let (view, attachments) = intake::tracked(&state, &code, locale).await?;
    Ok(answer(
        &headers,
        StatusCode::OK,
        Tracked { view, attachments },
        locale,
    ))
}

/// The tracker's answer as JSON, or, to a client that asks for HTML first
/// (the widget), as the markup the widget shows
/// ([`aduan_app::markup::tracked`]): the same view either way, every text
/// escaped, never stored by a cache.
fn answer(headers: &HeaderMap, status: StatusCode, tracked: Tracked, locale: Locale) -> Response {
    let vary = (header::VARY, "Accept, Accept-Language");
    if asks_html(headers) {
        let markup = aduan_app::markup::tracked(&tracked.view, locale, "");
        return (
            status,
            [
                (header::CACHE_CONTROL, "no-store"),
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                vary,
            ],
            markup,
        )
            .into_response();
    }
    (
        status,
        [(header::CACHE_CONTROL, "no-store"), vary],
        Json(tracked),
    )
        .into_response()
}

/// The tracker's view with the files its reporter may see.
#[derive(Debug, serde::Serialize)]
pub struct Tracked {
    #[serde(flatten)]
    pub view: aduan_app::api::TrackingView,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<aduan_app::api::FileView>,
}

async fn with_files(
    state: &AppState,
    code: &aduan_app::tracking::TrackingCode,
    view: aduan_app::api::TrackingView,
    locale: aduan_app::api::Locale,
) -> Result<Tracked, ApiError> {
    Ok(Tracked {
        attachments: intake::files_for_reporter(state, code, locale).await?,
        view,
    })
}

/// `POST /api/v1/complaints/{code}/replies`: the reporter adds information.
/// An `Idempotency-Key` is optional here; with one, a retry is stored once.
pub async fn add_reporter_reply(
    State(state): State<AppState>,
    Path(typed): Path<String>,
    AcceptLocale(header_locale): AcceptLocale,
    headers: HeaderMap,
    JsonBody(input): JsonBody<ReplyInput>,
) -> Result<Response, ApiError> {
    let code = intake::tracking_code(&typed, header_locale)?;
    let (message, locale) = validate::reply(&input).map_err(|e| ApiError::invalid(&e))?;
    let key = match headers.contains_key("idempotency-key") {
        true => Some(idempotency_key(&headers, locale)?),
        false => None,
    };
    crate::sites::gate::admit_reply(&state, code.as_str(), &headers, locale).await?;
    let view = intake::reply(&state, &code, message, &input.attachments, key, locale).await?;
    Ok(answer(
        &headers,
        StatusCode::CREATED,
        with_files(&state, &code, view, locale).await?,
        locale,
    ))
}

/// `POST /api/v1/complaints/{code}/rating`: the reporter rates the handling
/// (1–5, with an optional comment only officers read), once, after the
/// complaint was resolved; 409 before that or the second time.
pub async fn rate_handling(
    State(state): State<AppState>,
    Path(typed): Path<String>,
    AcceptLocale(header_locale): AcceptLocale,
    headers: HeaderMap,
    JsonBody(input): JsonBody<aduan_app::api::RatingInput>,
) -> Result<Response, ApiError> {
    let code = intake::tracking_code(&typed, header_locale)?;
    let (score, comment, locale) = validate::rating(&input).map_err(|e| ApiError::invalid(&e))?;
    let locale = if input.locale.is_some() {
        locale
    } else {
        header_locale
    };
    let view = intake::rate(&state, &code, score, comment, locale).await?;
    Ok(answer(
        &headers,
        StatusCode::CREATED,
        with_files(&state, &code, view, locale).await?,
        locale,
    ))
}

/// `DELETE /api/v1/complaints/{code}/contact`: the reporter erases their
/// name, e-mail address and phone number; the complaint as the tracker
/// shows it, also when they were erased before.
pub async fn erase_reporter_contact(
    State(state): State<AppState>,
    Path(typed): Path<String>,
    AcceptLocale(locale): AcceptLocale,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = intake::tracking_code(&typed, locale)?;
    intake::erase_contact(&state, &code, locale).await?;
    let view = intake::track(&state, &code, locale).await?;
    Ok(answer(
        &headers,
        StatusCode::OK,
        with_files(&state, &code, view, locale).await?,
        locale,
    ))
}

/// `POST /api/v1/complaints/{code}/confirmation`: the reporter confirms the
/// follow-up resolved the complaint, which closes it. Confirming again
/// changes nothing.
pub async fn confirm_resolution(
    State(state): State<AppState>,
    Path(typed): Path<String>,
    AcceptLocale(locale): AcceptLocale,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = intake::tracking_code(&typed, locale)?;
    let view = intake::confirm(&state, &code, locale).await?;
    Ok(answer(
        &headers,
        StatusCode::OK,
        with_files(&state, &code, view, locale).await?,
        locale,
    ))
}
