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
    let t = |id: &'static str, en: &'static str| match locale {
        Locale::Id => id,
        Locale::En => en,
    };
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
                Locale::Id => c.name_id.clone(),
                Locale::En => c.name_en.clone(),
            },
        )
    };
    let month = |d: &Date| format!("{:04}-{:02}", d.year(), d.month());
    let other_lang = match locale {
        Locale::Id => Locale::En,
        Locale::En => Locale::Id,
    };
    let few = t("kurang dari 5", "fewer than 5");
    let page = html! {
        (DOCTYPE)
        html lang=(locale.key()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("Catatan penanganan pengaduan", "Complaint handling record")) " · " (name) " · Aduan" }
                link rel="stylesheet" href="/hosted.css";
            }
            body {
                main {
                    p.lang { a href=(format!("/r/{}/stats?lang={}", r.region, other_lang.key())) lang=(other_lang.key()) { (match other_lang { Locale::En => "English", Locale::Id => "Bahasa Indonesia" }) } }
                    h1 { (t("Catatan penanganan pengaduan", "Complaint handling record")) }
                    p { strong { (name) } " · " (t("12 bulan penuh terakhir", "the last 12 complete months")) ": " (r.from) " – " (r.to) }
                    dl.figures {
                        dt { (t("Pengaduan diterima", "Complaints received")) } dd { (r.received) }
                        dt { (t("Selesai ditindaklanjuti", "Resolved")) } dd { (r.resolved) }
                        dt { (t("Diverifikasi dalam 3 hari kerja", "Verified within 3 working days")) } dd { (pct(r.verified_on_time_pct)) }
                        dt { (t("Rencana tindak lanjut dalam 5 hari kerja", "Follow-up plan within 5 working days")) } dd { (pct(r.follow_up_on_time_pct)) }
                        dt { (t("Median hari kerja sampai balasan pertama", "Median working days to the first reply")) } dd { (days(r.median_days_to_first_reply)) }
                        dt { (t("Median hari kerja sampai selesai", "Median working days to resolution")) } dd { (days(r.median_days_to_resolution)) }
                    }
                    h2 { (t("Per kategori", "By category")) }
                    table {
                        thead { tr { th scope="col" { (t("Kategori", "Category")) } th scope="col" { (t("Diterima", "Received")) } th scope="col" { (t("Selesai", "Resolved")) } } }
                        tbody {
                            @for c in &r.categories {
                                tr { th scope="row" { (category(&c.key)) } td { (c.received) } td { (c.resolved) } }
                            }
                            @if let Some((n, res)) = r.other {
                                tr {
                                    th scope="row" { (t("Kategori lain", "Other categories")) }
                                    td { (n.map_or_else(|| few.to_owned(), |n| n.to_string())) }
                                    td { (res.map_or_else(|| few.to_owned(), |n| n.to_string())) }
                                }
                            }
                        }
                    }
                    p.help { (t(
                        "Pengaduan rahasia dihitung dalam jumlah keseluruhan, tetapi tidak pernah ditampilkan per kategori bila jumlahnya kecil, agar tidak ada pelapor yang dapat dikenali.",
                        "Confidential complaints count in the totals but are never shown by category in small numbers, so that no reporter can be recognised.")) }
                    h2 { (t("Per bulan", "By month")) }
                    table {
                        thead { tr { th scope="col" { (t("Bulan", "Month")) } th scope="col" { (t("Diterima", "Received")) } th scope="col" { (t("Selesai", "Resolved")) } } }
                        tbody { @for (d, n, res) in &r.months { tr { th scope="row" { (month(d)) } td { (n) } td { (res) } } } }
                    }
                    p { a href=(format!("/r/{}?lang={}", r.region, locale.key())) { (t("Sampaikan pengaduan", "File a complaint")) } }
                }
            }
        }
    };
    cached((StatusCode::OK, page).into_response())
}
