//! What the widget asks about its site: the settings the loader reads on a
//! citizen's first intent (which is also the heartbeat: the site, the page's
//! origin, the bundle version), the policy violations its own code met, and
//! `/s/{key}`, the plain link that opens the site's region's hosted form.

use aduan_app::i18n::Reason;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::AcceptLocale;
use crate::sites::gate::{own_origin, sent_origin};
use crate::sites::origin::{admits, parse_origin};
use crate::sites::{self, Site, SiteNote};
use crate::state::{AppState, now_ms};

/// The directives a report may name.
const DIRECTIVES: [&str; 8] = [
    "script-src",
    "script-src-elem",
    "connect-src",
    "img-src",
    "style-src",
    "style-src-elem",
    "default-src",
    "worker-src",
];

/// What a report may say was blocked besides the service itself.
const KEYWORDS: [&str; 3] = ["wasm-eval", "eval", "inline"];

/// `?v=` on the settings request: the bundle version.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SettingsQuery {
    pub v: String,
}

fn version_of(v: &str) -> String {
    if (1..=32).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        v.to_ascii_lowercase()
    } else {
        "?".to_owned()
    }
}

async fn site_of(
    state: &AppState,
    key: &str,
    locale: aduan_app::api::Locale,
) -> Result<(Site, Vec<String>), ApiError> {
    let missing = || ApiError::not_found(Reason::NotFound).speaking(locale);
    if !sites::is_key(key) {
        return Err(missing());
    }
    state
        .store
        .site_by_key(key)
        .await
        .map_err(|e| ApiError::from(e).speaking(locale))?
        .ok_or_else(missing)
}

/// The page's origin: the `Origin` header, or the origin of the `Referer`
/// (an image request sends no `Origin`).
fn page_origin(headers: &HeaderMap) -> Option<String> {
    if let Some(sent) = sent_origin(headers) {
        return parse_origin(sent);
    }
    let referer = headers.get(header::REFERER)?.to_str().ok()?;
    let url = reqwest::Url::parse(referer).ok()?;
    parse_origin(&url.origin().ascii_serialization())
}

/// `GET /api/v1/sites/{key}`: the settings, named as the tag's attributes.
pub async fn settings(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<SettingsQuery>,
    AcceptLocale(locale): AcceptLocale,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (site, origins) = site_of(&state, &key, locale).await?;
    if !own_origin(&state, &headers)
        && let Some(origin) = page_origin(&headers)
    {
        heartbeat(&state, &site, &origins, origin, version_of(&q.v)).await;
    }
    Ok((
        // Read again on every load (a 304 when unchanged): a saved change
        // shows at once, and every load is a sign of life.
        [(header::CACHE_CONTROL, "no-cache")],
        Json(sites::loader_settings(&site)),
    )
        .into_response())
}

/// Records a load of the widget: seen on a registered origin, or an
/// unregistered origin for the region's webmasters. At most once a minute
/// per site, origin and process.
async fn heartbeat(
    state: &AppState,
    site: &Site,
    origins: &[String],
    origin: String,
    version: String,
) {
    if !state.first_in_a_minute(&format!("seen\u{0}{}\u{0}{origin}", site.id)) {
        return;
    }
    let note = if origins.iter().any(|r| admits(r, &origin)) {
        state.note_widget(&site.region_slug).await;
        SiteNote::Seen {
            site_id: site.id,
            origin,
            version,
        }
    } else {
        SiteNote::Loaded {
            region: site.region_slug.clone(),
            origin,
        }
    };
    if let Err(e) = state.store.site_note(note, now_ms()).await {
        tracing::warn!(error = %e, "could not record the widget as seen");
    }
}

/// `?d=directive&b=blocked` of a violation report.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub d: String,
    pub b: String,
}

/// `GET` or `POST /api/v1/sites/{key}/csp`: a violation of the page's
/// policy met by the widget's own code (sent as an image or a beacon, so it
/// gets through whichever of img-src and connect-src the page allows).
/// Only what is about the widget is kept: a known directive, and the
/// service's own origin or a keyword as what was blocked; never a path.
pub async fn csp_report(
    State(state): State<AppState>,
    Path(key): Path<String>,
    Query(q): Query<ReportQuery>,
    AcceptLocale(locale): AcceptLocale,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let (site, origins) = site_of(&state, &key, locale).await?;
    let directive = q.d.trim().to_ascii_lowercase();
    if !DIRECTIVES.contains(&directive.as_str()) {
        return Ok(StatusCode::NO_CONTENT);
    }
    // What was blocked: the service's own (configured) origin, or a keyword.
    let service = parse_origin(state.config.public_url.trim_end_matches('/'));
    let blocked = match KEYWORDS.iter().find(|k| q.b == **k) {
        Some(k) => (*k).to_owned(),
        None => match reqwest::Url::parse(&q.b)
            .ok()
            .and_then(|u| parse_origin(&u.origin().ascii_serialization()))
        {
            Some(o) if Some(&o) == service.as_ref() => o,
            _ => return Ok(StatusCode::NO_CONTENT),
        },
    };
    let Some(origin) = page_origin(&headers).filter(|o| origins.iter().any(|r| admits(r, o)))
    else {
        return Ok(StatusCode::NO_CONTENT);
    };
    if state.first_in_a_minute(&format!(
        "csp\u{0}{}\u{0}{origin}\u{0}{directive}\u{0}{blocked}",
        site.id
    )) {
        let note = SiteNote::Csp {
            site_id: site.id,
            origin,
            directive,
            blocked,
        };
        if let Err(e) = state.store.site_note(note, now_ms()).await {
            tracing::warn!(error = %e, "could not record a policy report");
        }
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /s/{key}`: the site's region's hosted form, in the site's language.
pub async fn hosted(
    State(state): State<AppState>,
    Path(key): Path<String>,
    AcceptLocale(locale): AcceptLocale,
) -> Result<Response, ApiError> {
    let (site, _) = site_of(&state, &key, locale).await?;
    Ok(Redirect::to(&format!("/r/{}?lang={}", site.region_slug, site.lang)).into_response())
}
