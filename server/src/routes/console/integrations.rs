//! `/console/integrations`, for administrators: each region's integration
//! mode, the webhook subscribers (a secret is shown once, when it is made),
//! and the outbox: what waits, what was delivered, what is parked and why,
//! with a button to try a parked message again.

use aduan_app::api::{IntegrationMode, Locale};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::Posted;
use super::pages::{self, Page};
use super::{forbidden, store_failed};
use crate::auth::SignedIn;
use crate::domain::lifecycle::Role;
use crate::extract::AcceptLocale;
use crate::state::{AppState, now_ms};
use crate::store::outbox::{OutboxCounts, ParkedRow, Partner, Subscriber};
use crate::subscribers;

const MODES: [IntegrationMode; 3] = [
    IntegrationMode::Lapor,
    IntegrationMode::Webhook,
    IntegrationMode::None,
];

fn mode_name(mode: IntegrationMode, locale: Locale) -> &'static str {
    match mode {
        IntegrationMode::Lapor => pages::t(locale, "SP4N-LAPOR", "SP4N-LAPOR"),
        IntegrationMode::Webhook => pages::t(
            locale,
            "Aplikasi daerah (webhook)",
            "The region's own app (webhook)",
        ),
        IntegrationMode::None => pages::t(locale, "Belum terhubung", "Not connected"),
    }
}

async fn page(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let (counts, parked, subs, partners) = match (
        state.store.outbox_counts().await,
        state.store.parked(100).await,
        state.store.subscribers().await,
        state.store.partners().await,
    ) {
        (Ok(c), Ok(p), Ok(s), Ok(o)) => (c, p, s, o),
        (Err(e), _, _, _) | (_, Err(e), _, _) | (_, _, Err(e), _) | (_, _, _, Err(e)) => {
            return store_failed(locale, &e);
        }
    };
    let catalog = state.catalog();
    let p = Page::new(locale, who, &catalog);
    let mail = state
        .config
        .smtp_host
        .as_deref()
        .filter(|h| !h.trim().is_empty())
        .map(|h| format!("{h}:{}", state.config.smtp_port));
    pages::html(
        status,
        render(
            &p,
            notice,
            counts,
            &parked,
            &subs,
            &partners,
            mail.as_deref(),
        ),
    )
}

fn render(
    p: &Page<'_>,
    notice: Option<Markup>,
    counts: OutboxCounts,
    parked: &[ParkedRow],
    subs: &[Subscriber],
    partners: &[Partner],
    mail: Option<&str>,
) -> Markup {
    let l = p.locale;
    let t = |id, en| pages::t(l, id, en);
    p.layout(
        t("Integrasi", "Integrations"),
        html! {
            h1 { (t("Integrasi", "Integrations")) }
            @if let Some(notice) = notice { (notice) }
            h2 { (t("Mode per daerah", "Mode per region")) }
            p { (t("Menentukan ke mana pengaduan daerah itu diteruskan: SP4N-LAPOR, aplikasi daerah sendiri lewat webhook bertanda tangan, atau belum ke mana pun.",
                   "Where a region's complaints flow: to SP4N-LAPOR, to the region's own app by signed webhooks, or nowhere yet.")) }
            table {
                thead { tr { th scope="col" { (t("Daerah", "Region")) } th scope="col" { (t("Mode", "Mode")) } } }
                tbody {
                    @for r in &p.catalog.regions {
                        tr {
                            td { (r.name) }
                            td {
                                form.inline method="post" action="/console/integrations/mode" {
                                    input type="hidden" name="csrf" value=(p.who.csrf);
                                    input type="hidden" name="region" value=(r.slug);
                                    select name="mode" aria-label=(format!("{} · {}", t("Mode", "Mode"), r.name)) {
                                        @for m in MODES {
                                            option value=(m.key()) selected[m == r.integration_mode] { (mode_name(m, l)) }
                                        }
                                    }
                                    button type="submit" { (t("Simpan", "Save")) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (t("Pelanggan webhook", "Webhook subscribers")) }
            @if subs.is_empty() {
                p.empty { (t("Belum ada.", "None yet.")) }
            } @else {
                table {
                    thead { tr {
                        th scope="col" { "#" }
                        th scope="col" { (t("Alamat", "Address")) }
                        th scope="col" { (t("Daerah", "Region")) }
                        th scope="col" { (t("Aktif", "Active")) }
                        th scope="col" { (t("Tindakan", "Actions")) }
                    } }
                    tbody {
                        @for s in subs {
                            tr {
                                td { (s.id) }
                                td { code { (s.url) } }
                                td { (s.region_slug.as_deref().map_or_else(|| t("Semua daerah", "Every region").to_owned(), |r| p.catalog.region(r).map_or(r.to_owned(), |x| x.name.clone()))) }
                                td { (if s.active { t("ya", "yes") } else { t("tidak", "no") }) }
                                td {
                                    form.inline method="post" action="/console/integrations/subscriber" {
                                        input type="hidden" name="csrf" value=(p.who.csrf);
                                        input type="hidden" name="id" value=(s.id);
                                        button type="submit" name="do" value="rotate" { (t("Ganti rahasia", "Rotate secret")) }
                                        button type="submit" name="do" value=(if s.active { "disable" } else { "enable" }) {
                                            (if s.active { t("Nonaktifkan", "Disable") } else { t("Aktifkan", "Enable") })
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action="/console/integrations/subscriber" {
                input type="hidden" name="csrf" value=(p.who.csrf);
                input type="hidden" name="do" value="add";
                div.field {
                    label for="sub-url" { (t("Alamat penerima (http/https)", "Receiver address (http/https)")) }
                    input #sub-url type="url" name="url" required;
                }
                div.field {
                    label for="sub-region" { (t("Daerah", "Region")) }
                    select #sub-region name="region" {
                        option value="" { (t("Semua daerah", "Every region")) }
                        @for r in &p.catalog.regions { option value=(r.slug) { (r.name) } }
                    }
                }
                button type="submit" { (t("Tambah pelanggan", "Add subscriber")) }
            }
            h2 { (t("Kotak keluar", "Outbox")) }
            ul.totals {
                li { strong { (counts.pending) } " " (t("menunggu", "waiting")) }
                li { strong { (counts.delivered) } " " (t("terkirim", "delivered")) }
                li.bad { strong { (counts.failed) } " " (t("gagal", "failed")) }
            }
            @if !parked.is_empty() {
                table {
                    thead { tr {
                        th scope="col" { (t("Pesan", "Message")) }
                        th scope="col" { (t("Saluran", "Channel")) }
                        th scope="col" { (t("Percobaan", "Attempts")) }
                        th scope="col" { (t("Galat terakhir", "Last error")) }
                        th scope="col" {}
                    } }
                    tbody {
                        @for row in parked.iter().cloned().map(crate::disclosure::for_operator) {
                            tr {
                                td { code { (row.delivery_id) } br; (row.event_type) }
                                td { (row.channel) " → " (row.target) }
                                td.num { (row.attempts) }
                                td { (row.last_error.as_deref().unwrap_or("–")) }
                                td {
                                    form method="post" action="/console/integrations/retry" {
                                        input type="hidden" name="csrf" value=(p.who.csrf);
                                        input type="hidden" name="outbox_id" value=(row.id);
                                        button type="submit" { (t("Coba lagi", "Retry")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (t("Mitra Open311", "Open311 partners")) }
            @if partners.is_empty() {
                p.empty { (t("Belum ada.", "None yet.")) }
            } @else {
                ul { @for o in partners { li { (o.id) " · " (o.name) } } }
            }
            form method="post" action="/console/integrations/subscriber" {
                input type="hidden" name="csrf" value=(p.who.csrf);
                input type="hidden" name="do" value="partner";
                div.field {
                    label for="partner-name" { (t("Nama mitra", "Partner name")) }
                    input #partner-name type="text" name="name" required maxlength="200";
                }
                button type="submit" { (t("Terbitkan kunci API", "Issue an API key")) }
            }
            h2 { (t("E-mail", "E-mail")) }
            @match mail {
                Some(server) => p { (t("E-mail aktif lewat", "E-mail is on, through")) " " code { (server) } "." },
                None => p.notice.bad { (t("E-mail belum dikonfigurasi: tidak ada e-mail yang dikirim (ADUAN_SMTP_HOST).", "E-mail is not configured: no e-mail is sent (ADUAN_SMTP_HOST).")) },
            }
        },
    )
}

/// Only administrators work here (posts are checked for CSRF by [`Posted`]).
fn admin_only(who: &SignedIn, locale: Locale) -> Option<Response> {
    (who.role != Role::Admin).then(|| forbidden(locale, Some(who)))
}

/// `GET /console/integrations`.
pub async fn show(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
) -> Response {
    if let Some(refused) = admin_only(&who, locale) {
        return refused;
    }
    page(&state, locale, &who, StatusCode::OK, None).await
}

/// A region's mode, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ModeForm {
    pub csrf: String,
    pub region: String,
    pub mode: String,
}

impl super::WithCsrf for ModeForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/integrations/mode`.
pub async fn set_mode(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<ModeForm>,
) -> Response {
    if let Some(refused) = admin_only(&who, locale) {
        return refused;
    }
    let Some(mode) = IntegrationMode::from_key(&form.mode) else {
        return page(&state, locale, &who, StatusCode::UNPROCESSABLE_ENTITY, Some(html! { p.notice.bad role="alert" { (pages::t(locale, "Mode tidak dikenal.", "Unknown mode.")) } })).await;
    };
    match state.store.set_integration_mode(&form.region, mode.key()).await {
        Ok(true) => {}
        Ok(false) => return page(&state, locale, &who, StatusCode::UNPROCESSABLE_ENTITY, Some(html! { p.notice.bad role="alert" { (pages::t(locale, "Daerah tidak dikenal.", "Unknown region.")) } })).await,
        Err(e) => return store_failed(locale, &e),
    }
    if let Err(e) = state.catalog_changed().await {
        return store_failed(locale, &e);
    }
    tracing::info!(officer = who.officer.id, region = %form.region, mode = mode.key(), "console: integration mode changed");
    Redirect::to("/console/integrations").into_response()
}

/// A subscriber action, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubscriberForm {
    pub csrf: String,
    #[serde(rename = "do")]
    pub action: String,
    pub id: String,
    pub url: String,
    pub region: String,
    pub name: String,
}

impl super::WithCsrf for SubscriberForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn secret_notice(locale: Locale, id: i64, secret: &str) -> Markup {
    html! {
        div.notice.good role="status" {
            p { (pages::t(locale, "Rahasia penanda tangan untuk pelanggan", "The signing secret of subscriber")) " " (id) " "
                (pages::t(locale, "(hanya ditampilkan sekarang; simpan di penerima):", "(shown only now; keep it with the receiver):")) }
            p { code.secret { (secret) } }
        }
    }
}

/// `POST /console/integrations/subscriber`: add, rotate, disable, enable.
pub async fn subscriber(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<SubscriberForm>,
) -> Response {
    if let Some(refused) = admin_only(&who, locale) {
        return refused;
    }
    let id = form.id.trim().parse::<i64>().unwrap_or(0);
    let store = state.store.as_ref();
    let outcome = match form.action.as_str() {
        "add" => {
            let region = (!form.region.is_empty()).then_some(form.region.as_str());
            subscribers::add(
                store,
                &state.catalog(),
                &form.url,
                region,
                state.config.webhook_allow_private,
            )
                .await
                .map(|(id, secret)| Some(secret_notice(locale, id, &secret)))
        }
        "partner" => subscribers::add_partner(store, &form.name).await.map(|(id, key)| {
            Some(html! {
                div.notice.good role="status" {
                    p { (pages::t(locale, "Kunci API untuk mitra", "The API key of partner")) " " (id) " "
                        (pages::t(locale, "(hanya ditampilkan sekarang):", "(shown only now):")) }
                    p { code.secret { (key) } }
                }
            })
        }),
        "rotate" => subscribers::rotate(store, id)
            .await
            .map(|secret| Some(secret_notice(locale, id, &secret))),
        "disable" | "enable" => store
            .set_subscriber_active(id, form.action == "enable")
            .await
            .map_err(|e| e.to_string())
            .and_then(|done| {
                if done {
                    Ok(None)
                } else {
                    Err(format!("there is no subscriber {id}"))
                }
            }),
        _ => Err("unknown action".to_owned()),
    };
    match outcome {
        Ok(Some(notice)) => {
            tracing::info!(officer = who.officer.id, action = %form.action, "console: webhook subscriber changed");
            page(&state, locale, &who, StatusCode::OK, Some(notice)).await
        }
        Ok(None) => Redirect::to("/console/integrations").into_response(),
        Err(problem) => {
            page(
                &state,
                locale,
                &who,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(html! { p.notice.bad role="alert" { (problem) } }),
            )
            .await
        }
    }
}

/// A parked message to retry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RetryForm {
    pub csrf: String,
    pub outbox_id: String,
}

impl super::WithCsrf for RetryForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/integrations/retry`.
pub async fn retry(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<RetryForm>,
) -> Response {
    if let Some(refused) = admin_only(&who, locale) {
        return refused;
    }
    let id = form.outbox_id.trim().parse::<i64>().unwrap_or(0);
    match state.store.retry_parked(id, now_ms()).await {
        Ok(true) => Redirect::to("/console/integrations").into_response(),
        Ok(false) => page(&state, locale, &who, StatusCode::NOT_FOUND, Some(html! { p.notice.bad role="alert" { (pages::t(locale, "Tidak ada pesan gagal dengan nomor itu.", "There is no parked message with that number.")) } })).await,
        Err(e) => store_failed(locale, &e),
    }
}
