//! `/console/sites`, for a region's webmasters (and administrators): the
//! region's sites, the widget's look on each, the snippet to paste, a
//! preview, and the proof that it works there (where it was seen, what a
//! page's policy blocked, an active check of a page). Origins the region's
//! widget was used from without being registered are listed for adding.

use aduan_app::api::Locale;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{DOCTYPE, Markup, html};
use serde::Deserialize;

use super::Posted;
use super::pages::{self, Page};
use super::{forbidden, not_found, store_failed};
use crate::auth::SignedIn;
use crate::domain::lifecycle::Role;
use crate::extract::AcceptLocale;
use crate::sites::check::{self, Report};
use crate::sites::csp;
use crate::sites::theme::{self, Rgb};
use crate::sites::{self, Settings, SettingsInput, SiteDetail, SiteNote, SiteRow, SiteWrite};
use crate::state::{AppState, now_ms};

/// The region a signed-in officer manages sites for: their own for a
/// webmaster, any (`None`) for an administrator; nobody else works here.
fn managed(who: &SignedIn) -> Option<Option<String>> {
    match who.role {
        Role::Webmaster => Some(Some(who.officer.region_slug.clone())),
        Role::Admin => Some(None),
        _ => None,
    }
}

fn may_manage(who: &SignedIn, region: &str) -> bool {
    managed(who).is_some_and(|r| r.is_none_or(|own| own == region))
}

/// The service's address as pasted into snippets, without a trailing slash.
fn service(state: &AppState) -> String {
    state.config.public_url.trim_end_matches('/').to_owned()
}

/// The bundle version the service serves now (the wasm file's hash).
pub fn current_version(state: &AppState) -> Option<String> {
    let dir = std::fs::read_dir(state.config.public_dir.join("dist")).ok()?;
    dir.filter_map(Result::ok).find_map(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.strip_prefix("aduan_widget_bg.")
            .and_then(|rest| rest.strip_suffix(".wasm"))
            .map(str::to_owned)
    })
}

/// "3 minutes ago", in the officer's language.
pub fn ago(now_ms: i64, at_ms: i64, locale: Locale) -> String {
    let secs = (now_ms - at_ms).max(0) / 1000;
    let (n, id, en) = match secs {
        0..60 => return pages::t(locale, "baru saja", "just now").to_owned(),
        60..3_600 => (secs / 60, "menit", "minute"),
        3_600..86_400 => (secs / 3_600, "jam", "hour"),
        _ => (secs / 86_400, "hari", "day"),
    };
    match locale {
        Locale::En => format!("{n} {en}{} ago", if n == 1 { "" } else { "s" }),
        Locale::Id | Locale::Ban => format!("{n} {id} lalu"),
    }
}

fn problems_markup(problems: &[(&'static str, String)], field: &str) -> Markup {
    html! {
        @for (_, text) in problems.iter().filter(|(f, _)| *f == field) {
            p.error id=(format!("error-{field}")) { (text) }
        }
    }
}

fn option(value: &str, chosen: &str, label: &str) -> Markup {
    html! { option value=(value) selected[value == chosen] { (label) } }
}

/// The settings fields, shared by the new-site and the site form.
fn settings_fields(
    p: &Page<'_>,
    form: &SettingsInput,
    problems: &[(&'static str, String)],
    full: bool,
) -> Markup {
    let t = |id, en| p.t(id, en);
    let invalid = |f: &str| problems.iter().any(|(x, _)| *x == f);
    html! {
        div.field {
            label for="s-name" { (t("Nama situs", "Site name")) }
            input #s-name name="name" value=(form.name) required maxlength="120" aria-invalid=[invalid("name").then_some("true")];
            (problems_markup(problems, "name"))
        }
        div.field {
            label for="s-origins" { (t("Asal yang diizinkan (satu per baris)", "Allowed origins (one per line)")) }
            p.when id="help-origins" { (t(
                "Skema dan nama host saja, misalnya https://badungkab.go.id. Untuk semua subdomain: https://*.badungkab.go.id.",
                "Scheme and host only, e.g. https://badungkab.go.id. For every subdomain: https://*.badungkab.go.id."
            )) }
            textarea #s-origins name="origins" rows="3" required aria-describedby="help-origins" aria-invalid=[invalid("origins").then_some("true")] { (form.origins) }
            (problems_markup(problems, "origins"))
        }
        @if full {
            div.field {
                label for="s-lang" { (t("Bahasa awal", "Default language")) }
                select #s-lang name="lang" {
                    @for l in sites::languages() {
                        (option(l.key(), &form.lang, l.name()))
                    }
                }
                (problems_markup(problems, "lang"))
            }
            div.field {
                label for="s-accent" { (t("Warna aksen", "Accent colour")) }
                input #s-accent name="accent" value=(form.accent) placeholder="#0b5cad" aria-describedby="help-accent" aria-invalid=[invalid("accent").then_some("true")];
                p.when id="help-accent" { (t(
                    "#rrggbb. Diperiksa terhadap WCAG AA: teks di atas warna ini 4,5:1, warna ini pada latar 3:1.",
                    "#rrggbb. Checked against WCAG AA: text on it 4.5:1, the colour on the background 3:1."
                )) }
                (problems_markup(problems, "accent"))
            }
            div.field {
                label for="s-theme" { (t("Tema", "Theme")) }
                select #s-theme name="theme" {
                    (option("auto", &form.theme, t("Ikuti perangkat", "Follow the device")))
                    (option("light", &form.theme, t("Terang", "Light")))
                    (option("dark", &form.theme, t("Gelap", "Dark")))
                }
                (problems_markup(problems, "theme"))
            }
            div.field {
                label for="s-radius" { (t("Sudut tombol dan kotak isian (piksel, 0–24)", "Corner radius of buttons and fields (pixels, 0–24)")) }
                input #s-radius name="radius" type="number" min="0" max="24" value=(form.radius) aria-invalid=[invalid("radius").then_some("true")];
                (problems_markup(problems, "radius"))
            }
            div.field {
                label for="s-mode" { (t("Tampilan", "Mode")) }
                select #s-mode name="mode" {
                    (option("floating", &form.mode, t("Tombol mengambang yang membuka formulir", "A floating button that opens the form")))
                    (option("inline", &form.mode, t("Formulir di dalam halaman", "The form inside the page")))
                }
                (problems_markup(problems, "mode"))
            }
            div.field {
                label for="s-launcher" { (t("Teks tombol (kosong: bawaan)", "Launcher text (empty: the default)")) }
                input #s-launcher name="launcher" value=(form.launcher) maxlength="40" placeholder=(t("Sampaikan pengaduan", "File a complaint"));
                (problems_markup(problems, "launcher"))
            }
            div.field {
                label for="s-position" { (t("Letak tombol", "Launcher position")) }
                select #s-position name="position" {
                    (option("right", &form.position, t("Kanan bawah", "Bottom right")))
                    (option("left", &form.position, t("Kiri bawah", "Bottom left")))
                }
                (problems_markup(problems, "position"))
            }
        }
    }
}

fn list_page(
    p: &Page<'_>,
    rows: &[SiteRow],
    refusals: &[sites::Refusal],
    form: &SettingsInput,
    region_typed: &str,
    problems: &[(&'static str, String)],
    notice: Option<Markup>,
) -> Markup {
    let t = |id, en| p.t(id, en);
    let now = now_ms();
    let admin = p.who.role == Role::Admin;
    let body = html! {
        h1 { (t("Situs web", "Websites")) }
        @if let Some(n) = notice { (n) }
        p { (t(
            "Daftarkan situs yang memasang widget pengaduan. Setelah daerah Anda punya satu situs, pengaduan hanya diterima dari asal situs yang terdaftar (dan dari halaman Aduan sendiri).",
            "Register the sites that carry the complaint widget. Once your region has one site, complaints are only taken from the origins of registered sites (and from Aduan's own pages)."
        )) }
        @if rows.is_empty() {
            p.empty { (t("Belum ada situs terdaftar: widget menerima pengaduan dari situs mana pun.", "No site is registered yet: the widget takes complaints from any site.")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (t("Situs", "Site")) }
                    th scope="col" { (t("Daerah", "Region")) }
                    th scope="col" { (t("Asal", "Origins")) }
                    th scope="col" { (t("Terakhir terlihat", "Last seen")) }
                } }
                tbody {
                    @for r in rows {
                        tr {
                            td { a href=(format!("/console/sites/{}", r.site.id)) { (r.site.name) } }
                            td { (p.region_name(&r.site.region_slug)) }
                            td { @for o in &r.origins { code { (o) } br; } }
                            td {
                                @if let Some(s) = r.seen.first() {
                                    (s.origin) " · " (ago(now, s.seen_at, p.locale))
                                } @else {
                                    span.empty { (t("belum terlihat", "not seen yet")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if !refusals.is_empty() {
            h2 #unregistered { (t("Asal yang belum terdaftar", "Origins not registered")) }
            p { (t(
                "Widget daerah Anda dipakai dari asal berikut, yang tidak terdaftar. Jika asal itu milik Anda, tambahkan ke situsnya; jika tidak, abaikan.",
                "Your region's widget was used from these origins, which are not registered. If one is yours, add it to its site; if not, set it aside."
            )) }
            p.when { (t(
                "Siapa pun dapat mengirim permintaan yang menyebut asal apa pun: tambahkan hanya asal yang Anda tahu milik Anda.",
                "Anyone can send a request naming any origin: add only an origin you know is yours."
            )) }
            table {
                thead { tr {
                    th scope="col" { (t("Asal", "Origin")) }
                    th scope="col" { (t("Daerah", "Region")) }
                    th scope="col" class="num" { (t("Ditolak", "Refused")) }
                    th scope="col" class="num" { (t("Dimuat", "Loaded")) }
                    th scope="col" { (t("Terakhir", "Last")) }
                    th scope="col" { (t("Tindakan", "Action")) }
                } }
                tbody {
                    @for f in refusals {
                        tr {
                            td { code { (f.origin) } }
                            td { (p.region_name(&f.region_slug)) }
                            td.num { (f.refused) }
                            td.num { (f.loaded) }
                            td { (ago(now, f.last_at, p.locale)) }
                            td {
                                @let own: Vec<&SiteRow> = rows.iter().filter(|r| r.site.region_slug == f.region_slug).collect();
                                @if !own.is_empty() {
                                    form.inline method="post" action="/console/sites" {
                                        input type="hidden" name="csrf" value=(p.who.csrf);
                                        input type="hidden" name="do" value="add_origin";
                                        input type="hidden" name="origin" value=(f.origin);
                                        label.visually-hidden for=(format!("to-{}", f.origin)) { (t("Situs", "Site")) }
                                        select id=(format!("to-{}", f.origin)) name="site" {
                                            @for r in &own { option value=(r.site.id) { (r.site.name) } }
                                        }
                                        button type="submit" { (t("Tambahkan", "Add")) }
                                    }
                                }
                                form method="post" action="/console/sites" {
                                    input type="hidden" name="csrf" value=(p.who.csrf);
                                    input type="hidden" name="do" value="dismiss";
                                    input type="hidden" name="origin" value=(f.origin);
                                    input type="hidden" name="region" value=(f.region_slug);
                                    button.link type="submit" { (t("Abaikan", "Set aside")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 #new { (t("Daftarkan situs", "Register a site")) }
        form method="post" action="/console/sites" {
            input type="hidden" name="csrf" value=(p.who.csrf);
            input type="hidden" name="do" value="create";
            @if admin {
                div.field {
                    label for="s-region" { (t("Daerah", "Region")) }
                    select #s-region name="region" {
                        @for r in &p.catalog.regions {
                            option value=(r.slug) selected[r.slug == region_typed] { (r.name) }
                        }
                    }
                    (problems_markup(problems, "region"))
                }
            }
            (settings_fields(p, form, problems, false))
            button type="submit" { (t("Daftarkan", "Register")) }
        }
    };
    p.layout(t("Situs web", "Websites"), body)
}

/// The new-site form as typed, and what is wrong with it.
#[derive(Debug, Default)]
struct Typed<'a> {
    form: SettingsInput,
    region: &'a str,
    problems: Vec<(&'static str, String)>,
}

async fn show_list(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    status: StatusCode,
    typed: Typed<'_>,
    notice: Option<Markup>,
) -> Response {
    let Some(region) = managed(who) else {
        return forbidden(locale, Some(who));
    };
    let (rows, refusals) = match (
        state.store.sites(region.as_deref()).await,
        state.store.origin_refusals(region.as_deref()).await,
    ) {
        (Ok(r), Ok(f)) => (r, f),
        (Err(e), _) | (_, Err(e)) => return store_failed(locale, &e),
    };
    let catalog = state.catalog();
    let p = Page::new(locale, who, &catalog);
    pages::html(
        status,
        list_page(
            &p,
            &rows,
            &refusals,
            &typed.form,
            typed.region,
            &typed.problems,
            notice,
        ),
    )
}

/// `GET /console/sites`.
pub async fn show_all(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
) -> Response {
    show_list(&state, locale, &who, StatusCode::OK, Typed::default(), None).await
}

/// A post to `/console/sites`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListForm {
    pub csrf: String,
    #[serde(rename = "do")]
    pub action: String,
    pub region: String,
    pub origin: String,
    pub site: String,
    #[serde(flatten)]
    pub settings: SettingsInput,
}

impl super::WithCsrf for ListForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn good(text: String) -> Markup {
    html! { p.notice.good role="status" { (text) } }
}

fn bad(text: String) -> Markup {
    html! { p.notice.bad role="alert" { (text) } }
}

/// `POST /console/sites`: register a site, add an unregistered origin to
/// one, or set it aside.
pub async fn change_all(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<ListForm>,
) -> Response {
    let Some(scope) = managed(&who) else {
        return forbidden(locale, Some(&who));
    };
    let t = |id: &'static str, en: &'static str| pages::t(locale, id, en).to_owned();
    match form.action.as_str() {
        "create" => {
            let region = scope
                .clone()
                .unwrap_or_else(|| form.region.trim().to_owned());
            let mut problems: Vec<(&'static str, String)> = Vec::new();
            if state.catalog().region(&region).is_none() {
                problems.push(("region", t("Pilih daerah.", "Choose a region.")));
            }
            let settings = match sites::check_settings(&form.settings, locale) {
                Ok(s) => Some(s),
                Err(p) => {
                    problems.extend(p);
                    None
                }
            };
            let (Some(settings), true) = (settings, problems.is_empty()) else {
                return show_list(
                    &state,
                    locale,
                    &who,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Typed {
                        form: form.settings.clone(),
                        region: &region,
                        problems,
                    },
                    None,
                )
                .await;
            };
            let write = SiteWrite {
                id: None,
                key: sites::new_key(),
                region: region.clone(),
                settings,
                at_ms: now_ms(),
            };
            match state.store.save_site(write).await {
                Ok(Some(id)) => {
                    tracing::info!(officer = who.officer.id, site = id, region = %region, "console: site registered");
                    Redirect::to(&format!("/console/sites/{id}?done=created")).into_response()
                }
                Ok(None) => not_found(locale, &who),
                Err(e) => store_failed(locale, &e),
            }
        }
        "add_origin" => {
            let id = form.site.trim().parse::<i64>().unwrap_or(0);
            let detail = match state.store.site_detail(id).await {
                Ok(Some(d)) if may_manage(&who, &d.row.site.region_slug) => d,
                Ok(_) => return not_found(locale, &who),
                Err(e) => return store_failed(locale, &e),
            };
            let Ok(origin) = sites::origin::parse_rule(&form.origin) else {
                return show_list(
                    &state,
                    locale,
                    &who,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Typed::default(),
                    Some(bad(t("Asal itu tidak sah.", "That origin is not valid."))),
                )
                .await;
            };
            let mut input = SettingsInput::of(&detail.row.site, &detail.row.origins);
            input.origins.push('\n');
            input.origins.push_str(&origin);
            let settings = match sites::check_settings(&input, locale) {
                Ok(s) => s,
                Err(p) => {
                    let text = p.into_iter().map(|(_, m)| m).collect::<Vec<_>>().join(" ");
                    return show_list(
                        &state,
                        locale,
                        &who,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Typed::default(),
                        Some(bad(text)),
                    )
                    .await;
                }
            };
            save(&state, &who, locale, &detail, settings)
                .await
                .unwrap_or_else(|| Redirect::to("/console/sites?done=added").into_response())
        }
        "dismiss" => {
            let region = form.region.trim().to_owned();
            if !may_manage(&who, &region) {
                return not_found(locale, &who);
            }
            let note = SiteNote::Dismiss {
                region,
                origin: form.origin.trim().to_owned(),
            };
            match state.store.site_note(note, now_ms()).await {
                Ok(()) => Redirect::to("/console/sites").into_response(),
                Err(e) => store_failed(locale, &e),
            }
        }
        _ => forbidden(locale, Some(&who)),
    }
}

/// Saves settings over a site; `None` when it worked.
async fn save(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    detail: &SiteDetail,
    settings: Settings,
) -> Option<Response> {
    let site = &detail.row.site;
    let write = SiteWrite {
        id: Some(site.id),
        key: site.site_key.clone(),
        region: site.region_slug.clone(),
        settings,
        at_ms: now_ms(),
    };
    match state.store.save_site(write).await {
        Ok(Some(_)) => {
            tracing::info!(
                officer = who.officer.id,
                site = site.id,
                "console: site changed"
            );
            None
        }
        Ok(None) => Some(not_found(locale, who)),
        Err(e) => Some(store_failed(locale, &e)),
    }
}

/// `?done=` after a change.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SiteQuery {
    pub done: String,
}

async fn detail_for(
    state: &AppState,
    who: &SignedIn,
    locale: Locale,
    id: &str,
) -> Result<SiteDetail, Response> {
    if managed(who).is_none() {
        return Err(forbidden(locale, Some(who)));
    }
    let id = id.parse::<i64>().unwrap_or(0);
    match state.store.site_detail(id).await {
        Ok(Some(d)) if may_manage(who, &d.row.site.region_slug) => Ok(d),
        Ok(_) => Err(not_found(locale, who)),
        Err(e) => Err(store_failed(locale, &e)),
    }
}

fn need_text(key: &str, locale: Locale) -> &'static str {
    check::need_of(key).map_or("", |n| n.say(locale == Locale::En))
}

fn check_markup(p: &Page<'_>, r: &Report, at: Option<i64>) -> Markup {
    let t = |id, en| p.t(id, en);
    let now = now_ms();
    html! {
        div.notice.(if r.passes() { "good" } else { "bad" }) role="status" #check-result {
            p {
                strong { (if r.passes() { t("Berfungsi.", "Working.") } else { t("Perlu diperbaiki.", "Needs fixing.") }) }
                " " (r.final_url)
                @if let Some(at) = at { " · " (ago(now, at, p.locale)) }
            }
            @if !r.failure.is_empty() {
                p { (match r.failure.as_str() {
                    "timeout" => t("Halaman tidak menjawab dalam 10 detik.", "The page did not answer within 10 seconds."),
                    "refused" => t("Alamat itu ada di jaringan internal dan tidak boleh dihubungi.", "That address is on an internal network and may not be reached."),
                    "status" => t("Halaman menjawab dengan galat.", "The page answered with an error."),
                    "not_html" => t("Alamat itu bukan halaman HTML.", "That address is not an HTML page."),
                    _ => t("Halaman tidak dapat dihubungi.", "The page could not be reached."),
                }) " " code { (r.detail) } }
            } @else {
                ul {
                    li { (match r.tag.as_str() {
                        "ok" => html! { (t("Tag widget ditemukan, dengan kunci situs ini.", "The widget's tag is there, with this site's key.")) },
                        "other_site" => html! { (t("Tag widget ditemukan, tetapi dengan kunci situs lain:", "The widget's tag is there, but with another site's key:")) " " code { (r.tag_names) } ". " (t("Tempel ulang tag di atas.", "Paste the tag above again.")) },
                        "region" => html! { (t("Tag widget ditemukan dengan data-region=", "The widget's tag is there with data-region=")) code { (r.tag_names) } ". " (t("Ganti dengan tag di atas agar tampilan dan bukti berfungsi memakai situs ini.", "Replace it with the tag above so that the look and the proof of work use this site.")) },
                        _ => html! { (t("Tag widget tidak ditemukan di halaman ini.", "The widget's tag is not on this page.")) " " (t("Tempel tag di atas sebelum </body>.", "Paste the tag above before </body>.")) },
                    }) }
                    @if r.truncated { li { (t("Halaman lebih dari 2 MB; hanya awalnya yang dibaca.", "The page is over 2 MB; only its start was read.")) } }
                    @if r.policies.is_empty() {
                        li { (t("Halaman tidak memasang Content-Security-Policy: tidak ada yang perlu ditambahkan.", "The page sets no Content-Security-Policy: nothing to add.")) }
                    } @else {
                        @for (from, text) in &r.policies {
                            li { (if from == "meta" { t("Kebijakan dari <meta>:", "Policy from <meta>:") } else { t("Kebijakan dari header:", "Policy from the header:") }) " " code { (text) } }
                        }
                        @if r.missing.is_empty() {
                            li { (t("Kebijakan halaman mengizinkan semua yang dibutuhkan widget.", "The page's policy allows everything the widget needs.")) }
                        }
                        @for (directive, add, need, new) in &r.missing {
                            li.bad {
                                @if need == "nonce" {
                                    code { (directive) } ": " (need_text(need, p.locale))
                                } @else if *new {
                                    (t("Tambahkan direktif", "Add the directive")) " " code { (directive) " " (add) } " "
                                    (need_text(need, p.locale)) ". "
                                    (t(
                                        "Halaman tidak memilikinya, jadi default-src yang berlaku; baris ini memuat sumber default-src Anda ditambah yang dibutuhkan widget.",
                                        "The page has none, so default-src decides; this line holds your default-src sources plus what the widget needs."
                                    ))
                                } @else {
                                    (t("Tambahkan", "Add")) " " code { (add) } " " (t("ke", "to")) " " code { (directive) } " " (need_text(need, p.locale)) "."
                                }
                            }
                        }
                    }
                    @for text in &r.report_only {
                        li { (t("Kebijakan hanya-lapor (tidak memblokir):", "Report-only policy (blocks nothing):")) " " code { (text) } }
                    }
                }
            }
        }
    }
}

fn site_page(
    p: &Page<'_>,
    state: &AppState,
    d: &SiteDetail,
    form: &SettingsInput,
    problems: &[(&'static str, String)],
    done: &str,
    check_url: &str,
) -> Markup {
    let t = |id, en| p.t(id, en);
    let site = &d.row.site;
    let service = service(state);
    let snippet = sites::snippet(site, &service);
    let now = now_ms();
    let current = current_version(state);
    let accent = Rgb::parse(&site.accent);
    let verdict = accent.map(|a| theme::check(a, &site.theme));
    let check_report: Option<Report> = site
        .check_result
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok());
    let body = html! {
        p.crumbs { a href="/console/sites" { (t("Situs web", "Websites")) } }
        h1 { (site.name) }
        @match done {
            "created" => (good(t("Situs terdaftar. Tempel tag di bawah ke halaman Anda.", "The site is registered. Paste the tag below into your pages.").to_owned())),
            "saved" => (good(t("Tersimpan. Pratinjau dan halaman Anda memakai pengaturan baru saat dimuat ulang.", "Saved. The preview and your pages use the new settings when reloaded.").to_owned())),
            _ => {}
        }
        @if !problems.is_empty() {
            p.notice.bad role="alert" { (t("Beberapa isian perlu diperbaiki; tidak ada yang disimpan.", "Some fields need correcting; nothing was saved.")) }
        }
        dl.facts {
            dt { (t("Daerah", "Region")) } dd { (p.region_name(&site.region_slug)) }
            dt { (t("Kunci situs", "Site key")) } dd { code { (site.site_key) } }
            dt { (t("Asal", "Origins")) } dd { @for o in &d.row.origins { code { (o) } " " } }
        }

        h2 #install { (t("Pasang widget", "Install the widget")) }
        p { (t("Salin tag ini dan tempel di setiap halaman yang memuat widget, sebelum </body>.", "Copy this tag and paste it into every page that shows the widget, before </body>.")) }
        div.field {
            label for="snippet" { (t("Tag untuk ditempel", "The tag to paste")) }
            textarea #snippet readonly rows=(if site.mode == "inline" { "3" } else { "2" }) { (snippet.tag) }
        }
        @if site.mode == "inline" {
            p.when { (t("Formulir muncul di elemen <div id=\"aduan-pengaduan\">; letakkan elemen itu di tempat formulir harus tampil.", "The form appears in the <div id=\"aduan-pengaduan\"> element; put that element where the form should show.")) }
        } @else {
            div.field {
                label for="snippet-link" { (t("Tautan pembuka (tidak wajib)", "An opening link (optional)")) }
                textarea #snippet-link readonly rows="2" { (snippet.link) }
                p.when { (t("Taruh tautan ini di menu Anda: dengan skrip ia membuka formulir, tanpa skrip ia membuka formulir biasa. Bila ada tautan seperti ini, tombol mengambang tidak ditampilkan.", "Put this link in your menu: with script it opens the form, without script the plain form. When the page has such a link, no floating button is shown.")) }
            }
            div.field {
                label for="snippet-look" { (t("Tag dengan tampilan tombol tertulis (tidak wajib)", "The tag with the launcher's look written out (optional)")) }
                textarea #snippet-look readonly rows="2" { (snippet.tag_with_look) }
                p.when { (t(
                    "Tag pertama tidak memuat apa pun sebelum pengunjung berinteraksi: warna dan teks tombol datang bersama formulir dan diingat peramban. Pakai tag ini bila tombol harus berwarna Anda sejak kunjungan pertama; atribut di tag mengalahkan pengaturan di sini, jadi tempel ulang setelah mengubahnya.",
                    "The first tag loads nothing before a visitor interacts: the launcher's colour and text come with the form and the browser remembers them. Use this one if the launcher must carry your colour from the first visit; attributes on the tag win over the settings here, so paste it again after changing them."
                )) }
            }
        }
        h3 { (t("Jika halaman Anda memakai Content-Security-Policy", "If your page has a Content-Security-Policy")) }
        p { (t("Tambahkan sumber ini ke direktif yang sudah ada (atau tambahkan direktifnya):", "Add these sources to the directives you have (or add the directives):")) }
        div.field {
            label for="csp-lines" { (t("Baris kebijakan", "Policy lines")) }
            textarea #csp-lines readonly rows="3" { (csp::needed_lines(&service).join(";\n")) }
        }
        p { a href=(format!("/console/sites/{}/preview", site.id)) target="_blank" rel="noopener" { (t("Buka pratinjau widget dengan pengaturan ini", "Open a preview of the widget with these settings")) } }

        h2 #working { (t("Apakah berfungsi?", "Is it working?")) }
        @if d.row.seen.is_empty() {
            p.empty { (t("Widget situs ini belum terlihat dimuat di asal yang terdaftar.", "This site's widget has not been seen loading on a registered origin yet.")) }
        } @else {
            ul #seen {
                @for s in &d.row.seen {
                    li {
                        (t("Terlihat di", "Seen on")) " " code { (s.origin) } " " (ago(now, s.seen_at, p.locale)) ", "
                        (t("versi", "version")) " " code { (s.version) }
                        @if current.as_deref().is_some_and(|c| c != s.version) {
                            " " span.when { (t("(versi lama; pengunjung memuat versi baru di kunjungan berikutnya)", "(an older version; visitors load the new one on their next visit)")) }
                        }
                    }
                }
            }
        }
        @if !d.csp.is_empty() {
            h3 #csp-reports { (t("Diblokir oleh kebijakan halaman", "Blocked by the page's policy")) }
            table {
                thead { tr {
                    th scope="col" { (t("Halaman", "Page")) }
                    th scope="col" { (t("Direktif", "Directive")) }
                    th scope="col" { (t("Yang diblokir", "Blocked")) }
                    th scope="col" class="num" { (t("Laporan", "Reports")) }
                    th scope="col" { (t("Terakhir", "Last")) }
                } }
                tbody {
                    @for r in &d.csp {
                        tr {
                            td { code { (r.origin) } }
                            td { code { (r.directive) } }
                            td { code { (r.blocked) } }
                            td.num { (r.reports) }
                            td { (ago(now, r.last_at, p.locale)) }
                        }
                    }
                }
            }
        }
        h3 #check { (t("Periksa halaman", "Check a page")) }
        p { (t("Server mengambil halaman Anda, mencari tag widget, dan membaca kebijakannya.", "The server fetches your page, looks for the widget's tag and reads its policy.")) }
        form method="post" action=(format!("/console/sites/{}", site.id)) {
            input type="hidden" name="csrf" value=(p.who.csrf);
            input type="hidden" name="do" value="check";
            div.field {
                label for="check-url" { (t("Alamat halaman", "Page address")) }
                input #check-url name="url" type="url" value=(check_url) required aria-invalid=[problems.iter().any(|(f, _)| *f == "url").then_some("true")];
                (problems_markup(problems, "url"))
            }
            button type="submit" { (t("Periksa sekarang", "Check now")) }
        }
        @if let Some(r) = &check_report { (check_markup(p, r, site.check_at)) }

        h2 #settings { (t("Pengaturan", "Settings")) }
        @if let Some(v) = &verdict {
            p.when #contrast {
                (t("Kontras warna aksen", "Accent contrast")) ": "
                @for (i, m) in v.measures.iter().enumerate() {
                    @if i > 0 { " · " }
                    (match m.against { "text" => t("teks di atasnya", "text on it"), "light" => t("pada latar terang", "on the light background"), _ => t("pada latar gelap", "on the dark background") })
                    " " (format!("{:.1}:1", m.ratio)) " "
                    (if m.passes() { t("(lulus AA)", "(passes AA)") } else if m.required { t("(gagal AA)", "(fails AA)") } else { t("(di bawah AA pada mode gelap perangkat)", "(below AA in the device's dark mode)") })
                }
            }
        }
        form method="post" action=(format!("/console/sites/{}", site.id)) {
            input type="hidden" name="csrf" value=(p.who.csrf);
            input type="hidden" name="do" value="save";
            (settings_fields(p, form, problems, true))
            button type="submit" { (t("Simpan", "Save")) }
        }
        h2 { (t("Hapus situs", "Remove the site")) }
        form method="post" action=(format!("/console/sites/{}", site.id)) {
            input type="hidden" name="csrf" value=(p.who.csrf);
            input type="hidden" name="do" value="delete";
            p { (t("Asal situs ini tidak lagi diizinkan. Bila ini situs terakhir daerah, pengaduan diterima dari situs mana pun.", "This site's origins are no longer allowed. If it is the region's last site, complaints are taken from any site.")) }
            button type="submit" { (t("Hapus", "Remove")) }
        }
    };
    p.layout(&site.name, body)
}

fn default_check_url(d: &SiteDetail) -> String {
    d.row.site.check_url.clone().unwrap_or_else(|| {
        d.row
            .origins
            .iter()
            .find(|o| !o.contains('*'))
            .map_or_else(String::new, |o| format!("{o}/"))
    })
}

/// `GET /console/sites/{id}`.
pub async fn show_one(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<SiteQuery>,
) -> Response {
    let d = match detail_for(&state, &who, locale, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let catalog = state.catalog();
    let p = Page::new(locale, &who, &catalog);
    let form = SettingsInput::of(&d.row.site, &d.row.origins);
    pages::html(
        StatusCode::OK,
        site_page(&p, &state, &d, &form, &[], &q.done, &default_check_url(&d)),
    )
}

/// A post to `/console/sites/{id}`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SiteForm {
    pub csrf: String,
    #[serde(rename = "do")]
    pub action: String,
    pub url: String,
    #[serde(flatten)]
    pub settings: SettingsInput,
}

impl super::WithCsrf for SiteForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/sites/{id}`: save, check a page, remove.
pub async fn change_one(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Path(id): Path<String>,
    Posted(who, form): Posted<SiteForm>,
) -> Response {
    let d = match detail_for(&state, &who, locale, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let site_id = d.row.site.id;
    let again = |problems: Vec<(&'static str, String)>, form_in: SettingsInput, url: String| {
        let catalog = state.catalog();
        let p = Page::new(locale, &who, &catalog);
        pages::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            site_page(&p, &state, &d, &form_in, &problems, "", &url),
        )
    };
    match form.action.as_str() {
        "save" => match sites::check_settings(&form.settings, locale) {
            Ok(settings) => save(&state, &who, locale, &d, settings)
                .await
                .unwrap_or_else(|| {
                    Redirect::to(&format!("/console/sites/{site_id}?done=saved#settings"))
                        .into_response()
                }),
            Err(problems) => again(problems, form.settings.clone(), default_check_url(&d)),
        },
        "check" => {
            let url = match check::page_of_site(&form.url, &d.row.origins) {
                Ok(u) => u,
                Err(why) => {
                    let text = if why == "not_site" {
                        pages::t(
                            locale,
                            "Periksa halaman dari salah satu asal situs ini.",
                            "Check a page of one of this site's origins.",
                        )
                    } else {
                        pages::t(
                            locale,
                            "Tulis alamat halaman lengkap, misalnya https://badungkab.go.id/.",
                            "Write a whole page address, e.g. https://badungkab.go.id/.",
                        )
                    };
                    let form_in = SettingsInput::of(&d.row.site, &d.row.origins);
                    return again(vec![("url", text.to_owned())], form_in, form.url.clone());
                }
            };
            let report = check::run(
                url.clone(),
                &d.row.origins,
                &d.row.site.site_key,
                &service(&state),
                state.config.site_check_allow_private,
            )
            .await;
            tracing::info!(
                officer = who.officer.id,
                site = site_id,
                passes = report.passes(),
                "console: site page checked"
            );
            let result = serde_json::to_string(&report).unwrap_or_default();
            let note = SiteNote::Check {
                site_id,
                url: url.to_string(),
                result,
            };
            match state.store.site_note(note, now_ms()).await {
                Ok(()) => {
                    Redirect::to(&format!("/console/sites/{site_id}#check-result")).into_response()
                }
                Err(e) => store_failed(locale, &e),
            }
        }
        "delete" => match state.store.delete_site(site_id).await {
            Ok(_) => {
                tracing::info!(
                    officer = who.officer.id,
                    site = site_id,
                    "console: site removed"
                );
                Redirect::to("/console/sites").into_response()
            }
            Err(e) => store_failed(locale, &e),
        },
        _ => forbidden(locale, Some(&who)),
    }
}

/// The preview page's policy: the widget from this service, nothing else.
pub const PREVIEW_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'; img-src 'self'; \
     style-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// `GET /console/sites/{id}/preview`: the real widget with the site's
/// settings, on a page of the service's own (its own policy; the console
/// keeps its script-free one).
pub async fn preview(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let d = match detail_for(&state, &who, locale, &id).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let site = &d.row.site;
    let t = |id, en| pages::t(locale, id, en);
    let inline = site.mode == "inline";
    let markup = html! {
        (DOCTYPE)
        html lang=(locale.key()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (t("Pratinjau", "Preview")) " · " (site.name) }
                link rel="stylesheet" href="/demo/demo.css";
            }
            body {
                header {
                    h1 { (site.name) }
                    p { (t("Pratinjau widget dengan pengaturan tersimpan. Muat ulang setelah menyimpan perubahan.", "A preview of the widget with the saved settings. Reload after saving a change.")) }
                    p { strong { (t("Pengaduan yang dikirim dari sini adalah pengaduan sungguhan.", "A complaint sent from here is a real complaint.")) } }
                    p { a href=(format!("/console/sites/{}", site.id)) { (t("Kembali ke pengaturan", "Back to the settings")) } }
                }
                main {
                    @if inline {
                        section.card { div id=(sites::INLINE_TARGET) {} }
                        script src="/widget.js" data-site=(site.site_key) data-target=(format!("#{}", sites::INLINE_TARGET)) async {}
                    } @else {
                        p { (t("Tombol widget ada di pojok halaman.", "The widget's button is in the corner of the page.")) }
                        script src="/widget.js" data-site=(site.site_key) async {}
                    }
                }
            }
        }
    };
    // The console's other headers (no framing, no caching) are added by
    // its router; this page's policy is its own.
    let mut response = (StatusCode::OK, markup).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PREVIEW_CSP),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ago_speaks_in_whole_units() {
        let m = 60_000;
        assert_eq!(ago(10 * m, 10 * m, Locale::En), "just now");
        assert_eq!(ago(10 * m, 10 * m - 59_999, Locale::En), "just now");
        assert_eq!(ago(10 * m, 7 * m, Locale::En), "3 minutes ago");
        assert_eq!(ago(10 * m, 9 * m, Locale::En), "1 minute ago");
        assert_eq!(ago(10 * m, 7 * m, Locale::Id), "3 menit lalu");
        assert_eq!(ago(200 * m, 200 * m - 120 * m, Locale::En), "2 hours ago");
        assert_eq!(ago(5 * 1440 * m, 0, Locale::Id), "5 hari lalu");
        assert_eq!(ago(0, 5 * m, Locale::En), "just now");
    }
}
