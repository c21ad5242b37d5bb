//! A region's public record of complaint handling, for any citizen:
//! `/r/{slug}/stats` (server-rendered, no script, cacheable) and
//! `/api/v1/regions/{slug}/stats` (the same figures as JSON, for the
//! widget's `data-view="stats"`). Aggregates only (see
//! [`crate::stats::public`]).

use aduan_app::api::Locale;
use aduan_app::date::Date;
use aduan_app::i18n::Reason;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, html};
use serde::Deserialize;

use crate::error::ApiError;
use crate::extract::AcceptLocale;
use crate::state::{AppState, now_ms};
use crate::stats::FactFilter;
use crate::stats::public::{PublicRecord, record};
use crate::stats::report::{self, Grain};

/// How long a public record may be cached, in seconds.
const MAX_AGE: &str = "public, max-age=900";

/// The last 12 complete months of a region (through the end of last month:
/// figures that change as today's complaints arrive would tell a watcher
/// when a confidential one came in).
pub async fn public_record(
    state: &AppState,
    slug: &str,
    locale: Locale,
) -> Result<(PublicRecord, String), ApiError> {
    let catalog = state.catalog();
    let region = catalog
        .region(slug)
        .ok_or_else(|| ApiError::not_found(Reason::RegionNotFound).speaking(locale))?;
    let now = now_ms();
    let today = catalog.today(now);
    let to = Grain::Month.start(today).add_days(-1);
    let mut from = Grain::Month.start(to);
    for _ in 0..11 {
        from = Grain::Month.start(from.add_days(-1));
    }
    let filter = FactFilter {
        region: Some(region.slug.clone()),
        unit: None,
        by_unit: false,
        from: from.to_string(),
        to: to.to_string(),
    };
    let failed = |e: crate::store::StoreError| ApiError::from(e).speaking(locale);
    let days = state.store.stats_days(&filter).await.map_err(failed)?;
    let live = state
        .store
        .stats_live(&filter, &today.to_string())
        .await
        .map_err(failed)?;
    let built = report::build(report::Inputs {
        from,
        to,
        by_unit: false,
        grain: Grain::Month,
        keys: vec![(region.slug.clone(), None)],
        days: &days,
        live: &live,
        pulses: &[],
        now_ms: now,
        offset_minutes: catalog.settings.timezone_offset_minutes,
    })
    .map_err(ApiError::internal)?;
    let line = built
        .lines
        .first()
        .ok_or_else(|| ApiError::internal("no line for the region".to_owned()))?;
    Ok((record(line, &built), region.name.clone()))
}

/// `?lang=`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LangQuery {
    pub lang: String,
}

fn cached(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(MAX_AGE));
    response
}

/// `GET /api/v1/regions/{slug}/stats`.
pub async fn stats_json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(locale): AcceptLocale,
) -> Result<Response, ApiError> {
    let (r, name) = public_record(&state, &slug, locale).await?;
    Ok(cached(
        axum::Json(r.json(&name, &state.catalog())).into_response(),
    ))
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}%"))
}

fn days(v: Option<u32>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| v.to_string())
}

/// `GET /r/{slug}/stats`.
pub async fn stats_page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    AcceptLocale(header_locale): AcceptLocale,
    Query(q): Query<LangQuery>,
) -> Response {
    let locale = Locale::from_key(&q.lang).unwrap_or(header_locale);
    // The page says what the widget's `stats` view says.
    let t = |key: &'static str| aduan_app::words::script_word("stats", key, locale);
    let (r, name) = match public_record(&state, &slug, locale).await {
        Ok(found) => found,
        Err(e) => {
            let text = e.text();
            return (
                e.status,
                html! { (DOCTYPE) html lang=(locale.key()) { head { meta charset="utf-8"; title { (text) } link rel="stylesheet" href="/hosted.css"; } body { main { h1 { (text) } } } } },
            )
                .into_response();
        }
    };
    let catalog = state.catalog();
    let category = |key: &str| {
        catalog.category(key).map_or_else(
            || key.to_owned(),
            |c| match locale {
                Locale::En => c.name_en.clone(),
                // Official Indonesian names, also in Balinese.
                Locale::Id | Locale::Ban => c.name_id.clone(),
            },
        )
    };
    let month = |d: &Date| format!("{:04}-{:02}", d.year(), d.month());
    let few = t("few");
    let page = html! {
        (DOCTYPE)
        html lang=(locale.key()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("title")) " · " (name) " · Aduan" }
                link rel="stylesheet" href="/hosted.css";
            }
            body {
                main {
                    nav.lang {
                        @for (i, other) in Locale::ALL.iter().filter(|l| **l != locale).enumerate() {
                            @if i > 0 { " · " }
                            a href=(format!("/r/{}/stats?lang={}", r.region, other.key())) lang=(other.key()) hreflang=(other.key()) { (other.name()) }
                        }
                    }
                    h1 { (t("title")) }
                    p { strong { (name) } " · " (t("last")) ": " (r.from) " – " (r.to) }
                    dl.figures {
                        dt { (t("received")) } dd { (r.received) }
                        dt { (t("resolved")) } dd { (r.resolved) }
                        dt { (t("verified")) } dd { (pct(r.verified_on_time_pct)) }
                        dt { (t("planned")) } dd { (pct(r.follow_up_on_time_pct)) }
                        dt { (t("reply")) } dd { (days(r.median_days_to_first_reply)) }
                        dt { (t("resolution")) } dd { (days(r.median_days_to_resolution)) }
                    }
                    h2 { (t("byCategory")) }
                    table {
                        thead { tr { th scope="col" { (t("category")) } th scope="col" { (t("received_short")) } th scope="col" { (t("resolved_short")) } } }
                        tbody {
                            @for c in &r.categories {
                                tr { th scope="row" { (category(&c.key)) } td { (c.received) } td { (c.resolved) } }
                            }
                            @if let Some((n, res)) = r.other {
                                tr {
                                    th scope="row" { (t("other")) }
                                    td { (n.map_or_else(|| few.to_owned(), |n| n.to_string())) }
                                    td { (res.map_or_else(|| few.to_owned(), |n| n.to_string())) }
                                }
                            }
                        }
                    }
                    p.help { (t("confidential")) }
                    h2 { (t("byMonth")) }
                    table {
                        thead { tr { th scope="col" { (t("month")) } th scope="col" { (t("received_short")) } th scope="col" { (t("resolved_short")) } } }
                        tbody { @for (d, n, res) in &r.months { tr { th scope="row" { (month(d)) } td { (n) } td { (res) } } } }
                    }
                    p { a href=(format!("/r/{}?lang={}", r.region, locale.key())) { (aduan_app::labels::Label::FileTitle.text(locale)) } }
                }
            }
        }
    };
    cached((StatusCode::OK, page).into_response())
}
