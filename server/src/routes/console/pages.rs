//! The console's HTML, rendered with maud: every value is escaped, no page
//! carries a script, and every form that changes something carries the
//! session's CSRF token.

use std::collections::BTreeMap;

use aduan_app::api::{Locale, Status};
use aduan_app::date::{Date, rfc3339};
use aduan_app::labels;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::{ActionForm, InboxFilters, MESSAGE_MAX, PAGE_SIZE};
use crate::auth::SignedIn;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::{Action, Role, Tier};
use crate::store::{ComplaintRecord, FoundRow, HistoryEvent, Identity, InboxRow, UnitLoad};

/// The console's words, in Indonesian or English.
pub fn t(locale: Locale, id: &'static str, en: &'static str) -> &'static str {
    match locale {
        Locale::Id | Locale::Ban => id,
        Locale::En => en,
    }
}

pub fn html(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

/// What every signed-in page knows.
#[derive(Debug)]
pub struct Page<'a> {
    pub locale: Locale,
    pub who: &'a SignedIn,
    pub catalog: &'a Catalog,
}

impl<'a> Page<'a> {
    pub fn new(locale: Locale, who: &'a SignedIn, catalog: &'a Catalog) -> Page<'a> {
        Page {
            locale,
            who,
            catalog,
        }
    }

    pub(super) fn t(&self, id: &'static str, en: &'static str) -> &'static str {
        t(self.locale, id, en)
    }

    pub(super) fn region_name(&self, slug: &str) -> String {
        self.catalog
            .region(slug)
            .map_or_else(|| slug.to_owned(), |r| r.name.clone())
    }

    pub(super) fn unit_name(&self, region: &str, unit: &str) -> String {
        self.catalog
            .unit(region, unit)
            .map_or_else(|| unit.to_owned(), |u| u.name.clone())
    }

    pub(super) fn category_name(&self, key: &str) -> String {
        self.catalog.category(key).map_or_else(
            || key.to_owned(),
            |c| match self.locale {
                Locale::Id | Locale::Ban => c.name_id.clone(),
                Locale::En => c.name_en.clone(),
            },
        )
    }

    fn status(&self, key: &str) -> &'static str {
        Status::from_key(key).map_or("?", |s| labels::status(s, self.locale))
    }

    pub fn layout(&self, title: &str, body: Markup) -> Markup {
        let who = self.who;
        layout(
            self.locale,
            title,
            html! {
                header.bar {
                    nav aria-label=(self.t("Menu konsol", "Console menu")) {
                        @if who.role.reads_complaints() {
                            a href="/console/inbox" { (self.t("Kotak masuk", "Inbox")) }
                        }
                        @if !matches!(who.role, Role::Unit | Role::Webmaster) {
                            a href="/console/overview" { (self.t("Ringkasan", "Overview")) }
                            a href="/console/performance" { (self.t("Kinerja", "Performance")) }
                        }
                        @if matches!(who.role, Role::Coordinator | Role::Admin) {
                            a href="/console/rules" { (self.t("Aturan penerusan", "Routing rules")) }
                        }
                        @if matches!(who.role, Role::Webmaster | Role::Admin) {
                            a href="/console/sites" { (self.t("Situs web", "Websites")) }
                        }
                        @if who.role == Role::Admin {
                            a href="/console/officers" { (self.t("Petugas", "Officers")) }
                            a href="/console/integrations" { (self.t("Integrasi", "Integrations")) }
                        }
                    }
                    div.who {
                        span { (who.officer.name) " · " (role_name(who.role, self.locale)) " · " (self.region_name(&who.officer.region_slug))
                            @if let Some(unit) = &who.officer.unit_key { " · " (self.unit_name(&who.officer.region_slug, unit)) }
                        }
                        @if who.role.reads_complaints() {
                            a href="/console/views" { (self.t("Tampilan & e-mail", "Views & e-mail")) }
                        }
                        a href="/console/password" { (self.t("Kata sandi", "Password")) }
                        form method="post" action="/console/logout" {
                            input type="hidden" name="csrf" value=(who.csrf);
                            button.link type="submit" { (self.t("Keluar", "Sign out")) }
                        }
                    }
                }
                main { (body) }
            },
        )
    }
}

fn layout(locale: Locale, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(locale.key()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · Aduan" }
                link rel="stylesheet" href="/console.css";
            }
            body { (body) }
        }
    }
}

pub fn role_name(role: Role, locale: Locale) -> &'static str {
    match role {
        Role::Admin => t(locale, "Administrator sistem", "System administrator"),
        Role::Province => t(locale, "Koordinator provinsi", "Province coordinator"),
        Role::Coordinator => t(locale, "Koordinator daerah", "Region coordinator"),
        Role::Unit => t(locale, "Petugas unit", "Unit officer"),
        Role::Supervisor => t(locale, "Pengawas", "Supervisor"),
        Role::Webmaster => t(locale, "Pengelola situs web", "Webmaster"),
    }
}

pub fn action_name(action: Action, locale: Locale) -> &'static str {
    match action {
        Action::Dispatch => t(locale, "Verifikasi dan disposisikan", "Verify and dispatch"),
        Action::ReturnForInfo => t(
            locale,
            "Minta informasi tambahan",
            "Ask for more information",
        ),
        Action::Plan => t(
            locale,
            "Tulis rencana tindak lanjut",
            "Write the follow-up plan",
        ),
        Action::Resolve => t(locale, "Selesaikan tindak lanjut", "Resolve"),
        Action::Reject => t(locale, "Tolak", "Reject"),
        Action::Archive => t(locale, "Arsipkan", "Archive"),
        Action::Transfer => t(
            locale,
            "Alihkan ke daerah lain",
            "Transfer to another region",
        ),
        Action::Reply => t(locale, "Balas pelapor", "Reply to the reporter"),
        Action::Note => t(locale, "Catatan internal", "Internal note"),
        Action::ReporterReply => t(locale, "Tanggapan pelapor", "Reporter's reply"),
        Action::ReporterConfirm => t(locale, "Dikonfirmasi pelapor", "Confirmed by the reporter"),
        Action::AutoClose => t(locale, "Ditutup otomatis", "Closed automatically"),
    }
}

fn event_name(kind: &str, locale: Locale) -> &'static str {
    match kind {
        "submitted" => t(locale, "Pengaduan masuk", "Complaint filed"),
        "dispatched" => action_name(Action::Dispatch, locale),
        "returned" => action_name(Action::ReturnForInfo, locale),
        "planned" => t(locale, "Rencana tindak lanjut", "Follow-up plan"),
        "resolved" => t(locale, "Tindak lanjut selesai", "Resolved"),
        "rejected" => t(locale, "Ditolak", "Rejected"),
        "archived" => t(locale, "Diarsipkan", "Archived"),
        "transferred" => t(locale, "Dialihkan", "Transferred"),
        "reply" => t(locale, "Tanggapan", "Reply"),
        "note" => t(locale, "Catatan internal", "Internal note"),
        "confirmed" => action_name(Action::ReporterConfirm, locale),
        "lapor_update" => t(locale, "Pembaruan SP4N-LAPOR", "SP4N-LAPOR update"),
        "auto_closed" => action_name(Action::AutoClose, locale),
        "contact_erased" => t(
            locale,
            "Pelapor menghapus data kontaknya",
            "The reporter erased their contact details",
        ),
        "assigned" => t(locale, "Pemegang pengaduan", "Holder"),
        _ => t(locale, "Peristiwa", "Event"),
    }
}

fn step_name(step: &str, locale: Locale) -> &'static str {
    match step {
        "verification" => t(locale, "verifikasi", "verification"),
        "follow_up_plan" => t(locale, "rencana tindak lanjut", "follow-up plan"),
        "follow_up" => t(locale, "tindak lanjut", "follow-up"),
        "reporter_information" => t(
            locale,
            "menunggu informasi pelapor",
            "waiting for the reporter",
        ),
        "reporter_confirmation" => t(
            locale,
            "menunggu konfirmasi pelapor",
            "waiting for confirmation",
        ),
        _ => t(locale, "langkah berikut", "next step"),
    }
}

fn tier_name(tier: Tier, locale: Locale) -> &'static str {
    match tier {
        Tier::Simple => t(locale, "Sederhana", "Simple"),
        Tier::Moderate => t(locale, "Sedang", "Moderate"),
        Tier::Complex => t(locale, "Kompleks", "Complex"),
    }
}

/// A page with one message, for refusals and failures.
pub fn message_page(
    locale: Locale,
    who: Option<&SignedIn>,
    status: StatusCode,
    title: &str,
    text: &str,
) -> Response {
    let body = html! {
        h1 { (title) }
        p { (text) }
        p { a href="/console/inbox" { (t(locale, "Kembali ke kotak masuk", "Back to the inbox")) } }
    };
    let markup = match who {
        Some(who) => {
            // The catalog is not needed for a message; an empty one names nothing.
            let catalog = Catalog::empty();
            Page::new(locale, who, &catalog).layout(title, body)
        }
        None => layout(locale, title, html! { main { (body) } }),
    };
    html(status, markup)
}

pub fn sign_in(locale: Locale, form_token: &str, problem: Option<&str>, email: &str) -> Markup {
    layout(
        locale,
        t(locale, "Masuk", "Sign in"),
        html! {
            main.narrow {
                h1 { (t(locale, "Konsol petugas Aduan", "Aduan officer console")) }
                @if let Some(problem) = problem {
                    p.notice.bad role="alert" { (problem) }
                }
                form method="post" action="/console/login" {
                    input type="hidden" name="form_token" value=(form_token);
                    div.field {
                        label for="email" { (t(locale, "E-mail", "E-mail")) }
                        input #email type="email" name="email" value=(email) autocomplete="username" required;
                    }
                    div.field {
                        label for="password" { (t(locale, "Kata sandi", "Password")) }
                        input #password type="password" name="password" autocomplete="current-password" required;
                    }
                    button type="submit" { (t(locale, "Masuk", "Sign in")) }
                }
            }
        },
    )
}

fn selected_if(a: &str, b: &str) -> bool {
    a == b
}

/// What the inbox lists.
#[derive(Debug)]
pub enum Listing<'a> {
    /// By due date: the inbox, a figure's complaints, a code's last group.
    Due(&'a [InboxRow]),
    /// Found by words, best first; on the first page, those found by their
    /// reporter first.
    Words {
        terms: &'a [String],
        by_reporter: &'a [InboxRow],
        found: &'a [(u32, FoundRow)],
    },
}

pub fn inbox(
    page: &Page<'_>,
    filters: &InboxFilters,
    listing: &Listing<'_>,
    colleagues: &[(i64, String)],
    views: &[crate::store::SavedView],
    today: Date,
) -> Markup {
    let who = page.who;
    let counted = filters.counted(page.catalog, today);
    let today_s = today.to_string();
    // Who handles complaints holds them and acts on several at once.
    let works = matches!(who.role, Role::Coordinator | Role::Unit);
    let picks = works
        && match listing {
            Listing::Due(rows) => !rows.is_empty(),
            Listing::Words {
                by_reporter, found, ..
            } => !by_reporter.is_empty() || !found.is_empty(),
        };
    let return_to = filters.query_string();
    let empty: &[InboxRow] = &[];
    let rows = match listing {
        Listing::Due(rows) => *rows,
        Listing::Words { .. } => empty,
    };
    let units: Vec<_> = page
        .catalog
        .units
        .iter()
        .filter(|u| u.region == who.officer.region_slug)
        .collect();
    let next_page = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last())
        .flatten()
        .map(|last| {
            let mut url = format!("/console/inbox?{return_to}");
            if !return_to.is_empty() {
                url.push('&');
            }
            let due = match (&last.due_date, counted.is_some()) {
                (Some(d), _) => d.as_str(),
                (None, true) => "9999-12-31",
                (None, false) => "",
            };
            url.push_str(&format!("after={},{}", encode(due), last.id));
            url
        });
    let next_page = match listing {
        Listing::Due(_) => next_page,
        Listing::Words { found, .. } => (found.len() as i64 == PAGE_SIZE)
            .then(|| found.last())
            .flatten()
            .map(|last| {
                let mut url = format!("/console/inbox?{return_to}&");
                url.push_str(&format!("after={},{}", last.0, last.1.row.id));
                url
            }),
    };
    page.layout(
        page.t("Kotak masuk", "Inbox"),
        html! {
            h1 { (page.t("Kotak masuk", "Inbox")) }
            @if !views.is_empty() {
                nav.views aria-label=(page.t("Tampilan tersimpan", "Saved views")) {
                    @for v in views {
                        a href=(format!("/console/inbox?{}", v.query)) aria-current=[(v.query == return_to).then_some("page")] { (v.name) }
                    }
                }
            }
            @if let Some(c) = &counted {
                p.counted role="status" {
                    (page.t("Pengaduan yang dihitung dalam", "The complaints counted in"))
                    " “" strong { (super::performance::measure_name(c.measure, page.locale)) } "”, "
                    (c.region.as_deref().map_or_else(|| page.t("semua wilayah", "every region").to_owned(), |r| page.region_name(r)))
                    @if let Some(u) = &c.unit { " · " (c.region.as_deref().map_or_else(|| u.clone(), |r| page.unit_name(r, u))) }
                    ", " (page.t("diterima", "received")) " " (c.from) " – " (c.to) ". "
                    (page.t("Pengaduan rahasia hanya tampil bagi petugas yang menanganinya.", "Confidential complaints are listed only to the officers who handle them."))
                    " " a href="/console/inbox" { (page.t("Kembali ke kotak masuk", "Back to the inbox")) }
                }
            }
            form.filters method="get" action="/console/inbox" {
                @for (k, v) in [("measure", &filters.measure), ("region", &filters.region), ("from", &filters.from), ("to", &filters.to)] {
                    @if counted.is_some() { input type="hidden" name=(k) value=(v); }
                }
                label { (page.t("Cari", "Search"))
                    input type="search" name="q" value=(filters.q) autocomplete="off" spellcheck="false"
                        placeholder=(page.t("kode (atau 4 huruf terakhirnya), kata, nama pelapor", "code (or its last 4), words, reporter's name"));
                }
                label { (page.t("Status", "Status"))
                    select name="status" {
                        option value="" { (page.t("Semua yang terbuka", "Every open one")) }
                        @for s in Status::ALL {
                            option value=(s.key()) selected[selected_if(&filters.status, s.key())] { (labels::status(s, page.locale)) }
                        }
                    }
                }
                @if who.role != Role::Unit && !who.role.sees_every_region() {
                    label { (page.t("Unit", "Unit"))
                        select name="unit" {
                            option value="" { (page.t("Semua unit", "Every unit")) }
                            @for u in &units {
                                option value=(u.key) selected[selected_if(&filters.unit, &u.key)] { (u.name) }
                            }
                        }
                    }
                }
                label { (page.t("Kategori", "Category"))
                    select name="category" {
                        option value="" { (page.t("Semua kategori", "Every category")) }
                        @for c in &page.catalog.categories {
                            option value=(c.key) selected[selected_if(&filters.category, &c.key)] { (page.category_name(&c.key)) }
                        }
                    }
                }
                @if works {
                    label { (page.t("Pemegang", "Holder"))
                        select name="assignee" {
                            option value="" { (page.t("Siapa saja", "Anyone")) }
                            option value="me" selected[filters.assignee == "me"] { (page.t("Saya", "Me")) }
                            option value="none" selected[filters.assignee == "none"] { (page.t("Belum dipegang", "Nobody yet")) }
                        }
                    }
                }
                label { (page.t("Tenggat", "Due"))
                    select name="due" {
                        option value="" { (page.t("Semua", "Any")) }
                        option value="overdue" selected[filters.due == "overdue"] { (page.t("Lewat tenggat", "Overdue")) }
                        option value="soon" selected[filters.due == "soon"] { (page.t("Segera (3 hari kerja)", "Due soon (3 working days)")) }
                    }
                }
                button type="submit" { (page.t("Saring", "Filter")) }
            }
            @match filters.sought() {
                super::complaints::Sought::Mistyped => {
                    p.notice.bad role="alert" { (page.t(
                        "Kode ini salah ketik: periksa lagi dengan pelapor, atau cari dengan 4 huruf terakhirnya.",
                        "This code has a typo: check it with the reporter again, or search by its last 4.")) }
                }
                super::complaints::Sought::Unreadable => {
                    p.notice.bad role="alert" { (page.t(
                        "Cari dengan kode pelacakan (lengkap, mis. BDG-7K3Q-XP9M-2HT4-WQ5R, atau 4 huruf terakhirnya) atau dengan kata.",
                        "Search by tracking code (whole, e.g. BDG-7K3Q-XP9M-2HT4-WQ5R, or its last 4) or by words.")) }
                }
                _ => {}
            }
            @if let Listing::Words { terms, by_reporter, found } = listing {
                (found_by_words(page, terms, by_reporter, found, &today_s))
            } @else if rows.is_empty() {
                p.empty { (page.t("Tidak ada pengaduan yang cocok.", "No complaint matches.")) }
            } @else {
                (complaint_table(page, rows.iter().map(|r| (r, None)), &today_s))
            }
            @if picks {
                (bulk_form(page, &return_to, colleagues))
            }
            @if let Some(url) = next_page {
                p { a rel="next" href=(url) { (page.t("Halaman berikutnya", "Next page")) " →" } }
            }
            @if who.role.reads_complaints() {
                details.action.save-view {
                    summary { (page.t("Simpan saringan ini sebagai tampilan", "Save this filter as a view")) }
                    form method="post" action="/console/views" {
                        input type="hidden" name="csrf" value=(who.csrf);
                        input type="hidden" name="do" value="save";
                        input type="hidden" name="query" value=(return_to);
                        div.field {
                            label for="view-name" { (page.t("Nama", "Name")) }
                            input #view-name type="text" name="name" maxlength="60" required
                                placeholder=(page.t("mis. Lewat tenggat di unit saya", "e.g. Overdue in my unit"));
                        }
                        label.choice { input type="checkbox" name="in_digest" value="1"; (page.t("Kirim ringkasannya tiap hari lewat e-mail", "E-mail me its digest every day")) }
                        button type="submit" { (page.t("Simpan tampilan", "Save the view")) }
                    }
                }
            }
        },
    )
}

/// A search's results: those found by their reporter (which says only
/// that it was the reporter, never what of them matched), then those found
/// by their words, the words marked in the title and in a line of the
/// description or the place.
fn found_by_words(
    page: &Page<'_>,
    terms: &[String],
    by_reporter: &[InboxRow],
    found: &[(u32, FoundRow)],
    today: &str,
) -> Markup {
    use crate::search::{highlight, snippet};
    html! {
        @if !by_reporter.is_empty() {
            h2 { (page.t("Dari pelapor dengan nama, e-mail atau telepon itu", "By a reporter with that name, e-mail or phone")) }
            (complaint_table(page, by_reporter.iter().map(|r| (r, None)), today))
            h2 { (page.t("Dari kata-katanya", "By their words")) }
        }
        @if found.is_empty() {
            p.empty { (page.t("Tidak ada pengaduan dengan kata-kata itu.", "No complaint has those words.")) }
        } @else {
            (complaint_table(page, found.iter().map(|(_, r)| {
                let line = snippet(&r.description, terms, 160).or_else(|| snippet(&r.place(), terms, 160));
                (&r.row, Some(html! {
                    (highlight(&r.row.title, terms))
                    @if let Some(line) = line { br; span.snippet { (line) } }
                }))
            }), today))
        }
    }
}

/// Complaints as a table (cards on a phone): each with its code, its
/// title (or what a search marked in it), due date, state, category, unit
/// and holder, and for an officer who handles complaints a box that picks
/// it for an action on several at once.
fn complaint_table<'r>(
    page: &Page<'_>,
    rows: impl Iterator<Item = (&'r InboxRow, Option<Markup>)>,
    today: &str,
) -> Markup {
    let who = page.who;
    let picks = matches!(who.role, Role::Coordinator | Role::Unit);
    html! {
        table.inbox {
            thead { tr {
                @if picks { th scope="col" { span.visually-hidden { (page.t("Pilih", "Pick")) } } }
                th scope="col" { (page.t("Pengaduan", "Complaint")) }
                th scope="col" { (page.t("Tenggat", "Due")) }
                th scope="col" { (page.t("Status", "Status")) }
                th scope="col" { (page.t("Kategori", "Category")) }
                th scope="col" { (page.t("Unit", "Unit")) }
                th scope="col" { (page.t("Pemegang", "Holder")) }
            } }
            tbody {
                @for (row, title) in rows {
                    @let overdue = row.due_date.as_deref().is_some_and(|d| d < today) && Status::from_key(&row.status).is_some_and(|s| !s.is_final());
                    tr class=[overdue.then_some("overdue")] {
                        @if picks {
                            td.pick {
                                label {
                                    input type="checkbox" name="pick" value=(super::bulk::pick_value(row)) form="bulk";
                                    span.visually-hidden { (page.t("Pilih ", "Pick ")) (row.tracking_code) }
                                }
                            }
                        }
                        td.what {
                            a href=(format!("/console/complaints/{}", row.tracking_code)) { code { (row.tracking_code) } }
                            br;
                            @match title { Some(marked) => { (marked) } None => { (row.title) } }
                        }
                        td data-label=(page.t("Tenggat", "Due")) { (row.due_date.as_deref().unwrap_or("–"))
                            @if overdue { " " strong.bad { (page.t("lewat", "overdue")) } } }
                        td data-label=(page.t("Status", "Status")) { (page.status(&row.status)) }
                        td data-label=(page.t("Kategori", "Category")) { (page.category_name(&row.category_key)) }
                        td data-label=(page.t("Unit", "Unit")) { (page.unit_name(&row.region_slug, &row.unit_key))
                            @if who.role.sees_every_region() || who.officer.region_slug != row.region_slug { " · " (page.region_name(&row.region_slug)) } }
                        td data-label=(page.t("Pemegang", "Holder")) {
                            @match &row.assignee_name { Some(name) => { (name) } None => { span.muted { "–" } } }
                        }
                    }
                }
            }
        }
    }
}

/// The form that acts on the complaints picked in the list: dispatch them
/// to a unit, give them to an officer, transfer them to another region, or
/// add one internal note to each.
fn bulk_form(page: &Page<'_>, return_to: &str, colleagues: &[(i64, String)]) -> Markup {
    let who = page.who;
    let region = &who.officer.region_slug;
    let units: Vec<_> = page
        .catalog
        .units
        .iter()
        .filter(|u| &u.region == region)
        .collect();
    html! {
        form #bulk.bulk method="post" action="/console/inbox/bulk" {
            input type="hidden" name="csrf" value=(who.csrf);
            input type="hidden" name="back" value=(return_to);
            fieldset {
                legend { (page.t("Untuk pengaduan yang dipilih", "For the complaints picked")) }
                div.field {
                    label for="bulk-action" { (page.t("Tindakan", "Action")) }
                    select #bulk-action name="action" {
                        option value="assign" { (page.t("Tugaskan kepada…", "Assign to…")) }
                        @if who.role == Role::Coordinator {
                            option value="dispatch" { (action_name(Action::Dispatch, page.locale)) }
                            option value="transfer" { (action_name(Action::Transfer, page.locale)) }
                        }
                        option value="note" { (action_name(Action::Note, page.locale)) }
                    }
                }
                div.field {
                    label for="bulk-assignee" { (page.t("Petugas (untuk penugasan)", "Officer (to assign)")) }
                    select #bulk-assignee name="assignee" {
                        option value="me" { (page.t("Saya", "Me")) }
                        @for (id, name) in colleagues {
                            option value=(id) { (name) }
                        }
                        option value="" { (page.t("Kembalikan ke unit", "Back to the unit")) }
                    }
                }
                @if who.role == Role::Coordinator {
                    div.field {
                        label for="bulk-unit" { (page.t("Unit tujuan (untuk disposisi)", "Unit (to dispatch)")) }
                        select #bulk-unit name="unit" {
                            @for u in &units { option value=(u.key) { (u.name) } }
                        }
                    }
                    div.field {
                        label for="bulk-region" { (page.t("Daerah tujuan (untuk pengalihan)", "Region (to transfer)")) }
                        select #bulk-region name="region" {
                            option value="" { (page.t("Pilih…", "Choose…")) }
                            @for r in page.catalog.regions.iter().filter(|r| &r.slug != region) {
                                option value=(r.slug) { (r.name) }
                            }
                        }
                    }
                }
                div.field {
                    label for="bulk-note" { (page.t("Catatan internal (tidak terlihat pelapor)", "Internal note (the reporter never sees it)")) }
                    textarea #bulk-note name="note" rows="2" maxlength=(MESSAGE_MAX) {}
                }
                button type="submit" { (page.t("Terapkan pada yang dipilih", "Apply to those picked")) }
            }
        }
    }
}

/// What became of an action on several complaints: those done, and those
/// refused, each with why.
pub fn bulk_result(
    page: &Page<'_>,
    action: &str,
    done: &[String],
    refused: &[(String, String)],
    back: &str,
) -> Markup {
    page.layout(
        page.t("Hasil tindakan", "What was done"),
        html! {
            p.crumbs { a href=(back) { "← " (page.t("Kotak masuk", "Inbox")) } }
            h1 { (page.t("Hasil tindakan", "What was done")) }
            p { (page.t("Tindakan", "Action")) ": " strong { (action) } }
            @if !done.is_empty() {
                h2 { (page.t("Dilakukan", "Done")) " (" (done.len()) ")" }
                ul.done { @for code in done { li { a href=(format!("/console/complaints/{code}")) { code { (code) } } } } }
            }
            @if !refused.is_empty() {
                h2 { (page.t("Ditolak", "Refused")) " (" (refused.len()) ")" }
                ul.refused { @for (code, why) in refused { li { code { (code) } ": " (why) } } }
            }
            p { a href=(back) { (page.t("Kembali ke daftar", "Back to the list")) } }
        },
    )
}

/// Percent-encodes a query value.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the complaint page shows.
#[derive(Debug)]
pub struct ComplaintView<'a> {
    pub complaint: &'a ComplaintRecord,
    pub history: &'a [HistoryEvent],
    pub identity: Option<&'a Identity>,
    pub actions: &'a [Action],
    pub done: &'a str,
    pub errors: &'a BTreeMap<&'static str, String>,
    pub posted: Option<&'a ActionForm>,
    /// The files this officer may see.
    pub files: &'a [crate::attachments::AttachmentRow],
    /// Whether this officer may hide files and add their own.
    pub handles_files: bool,
    /// The reporter's rating, and its comment when this officer may read it.
    pub rating: Option<(i32, Option<String>)>,
    /// The point the reporter's phone gave, when this officer may see it.
    pub position: Option<(f64, f64)>,
    /// Who may hold it, when this officer may give it to somebody: the
    /// officers of its unit, by id and name.
    pub holders: Option<&'a [(i64, String)]>,
}

/// Who holds a complaint, and the forms that change it: take it, give it
/// to an officer of its unit, give it back to the unit.
fn holder_section(page: &Page<'_>, view: &ComplaintView<'_>) -> Markup {
    let c = view.complaint;
    let me = page.who.officer.id;
    let action = format!("/console/complaints/{}/assignee", c.tracking_code);
    let holder = c.assignee_id.map_or(String::new(), |id| id.to_string());
    html! {
        section.holder aria-labelledby="holder-h" {
            h2 #holder-h { (page.t("Pemegang", "Holder")) }
            p {
                @match (&c.assignee_name, c.assignee_id == Some(me)) {
                    (Some(_), true) => { strong { (page.t("Anda", "You")) } }
                    (Some(name), false) => { strong { (name) } }
                    (None, _) => { (page.t("Belum dipegang siapa pun: pengaduan ini milik unit.", "Nobody holds it yet: it is the unit's.")) }
                }
            }
            @if let Some(problem) = view.errors.get("assignee") {
                p.notice.bad role="alert" { (problem) }
            }
            @if let Some(holders) = view.holders {
                div.holder-actions {
                    @if c.assignee_id != Some(me) && holders.iter().any(|(id, _)| *id == me) {
                        form method="post" action=(action) {
                            input type="hidden" name="csrf" value=(page.who.csrf);
                            input type="hidden" name="holder" value=(holder);
                            input type="hidden" name="assignee" value="me";
                            button type="submit" { (page.t("Ambil", "Take it")) }
                        }
                    }
                    @if holders.iter().any(|(id, _)| Some(*id) != c.assignee_id) {
                        form method="post" action=(action) {
                            input type="hidden" name="csrf" value=(page.who.csrf);
                            input type="hidden" name="holder" value=(holder);
                            label { (page.t("Tugaskan kepada", "Assign to"))
                                select name="assignee" {
                                    @for (id, name) in holders.iter().filter(|(id, _)| Some(*id) != c.assignee_id) {
                                        option value=(id) { (name) }
                                    }
                                }
                            }
                            button type="submit" { (page.t("Tugaskan", "Assign")) }
                        }
                    }
                    @if c.assignee_id.is_some() {
                        form method="post" action=(action) {
                            input type="hidden" name="csrf" value=(page.who.csrf);
                            input type="hidden" name="holder" value=(holder);
                            input type="hidden" name="assignee" value="";
                            button.secondary type="submit" { (page.t("Kembalikan ke unit", "Give back to the unit")) }
                        }
                    }
                }
            }
        }
    }
}

fn part_name(part: crate::attachments::Part, l: Locale) -> &'static str {
    use crate::attachments::Part;
    match (part, l) {
        (Part::Complaint, Locale::Id | Locale::Ban) => "dari pelapor, bersama pengaduan",
        (Part::Complaint, Locale::En) => "from the reporter, with the complaint",
        (Part::ReporterReply, Locale::Id | Locale::Ban) => "dari pelapor, bersama balasan",
        (Part::ReporterReply, Locale::En) => "from the reporter, with a reply",
        (Part::OfficerReply, Locale::Id | Locale::Ban) => "dari petugas, untuk pelapor",
        (Part::OfficerReply, Locale::En) => "from an officer, for the reporter",
        (Part::InternalNote, Locale::Id | Locale::Ban) => "dari petugas, internal",
        (Part::InternalNote, Locale::En) => "from an officer, internal",
    }
}

/// Thumbnails (served by the service, no script), a full-size link, the
/// switch that hides a file from outlets outside the console and the
/// tracker, and the form an officer adds their own photos with.
fn files_section(page: &Page<'_>, view: &ComplaintView<'_>) -> Markup {
    let c = view.complaint;
    let l = page.locale;
    html! {
        @if !view.files.is_empty() || view.handles_files {
            h2 { (page.t("Foto dan dokumen", "Photos and documents")) }
        }
        @if let Some(problem) = view.errors.get("files") {
            p.notice.bad role="alert" { (problem) }
        }
        @if !view.files.is_empty() {
            ul.files {
                @for f in view.files {
                    @let url = format!("/console/files/{}", f.id);
                    li {
                        @if f.thumb.is_some() {
                            a href=(url) {
                                img src=(format!("{url}?size=thumb")) alt=(f.name_for(crate::disclosure::Audience::Officer(page.who.role))) loading="lazy"
                                    width=[f.width.map(|w| w.min(320))] ;
                            }
                        }
                        p {
                            a href=(url) download[!f.kind().is_photo()] { (f.name_for(crate::disclosure::Audience::Officer(page.who.role))) }
                            " · " (f.kind().key().to_uppercase()) " · " (crate::attachments::megabytes(u64::try_from(f.size).unwrap_or(0)))
                            br;
                            span.detail { (part_name(f.part(), l)) " · " (rfc3339(f.created_at)) }
                            @if f.hidden {
                                br; span.tag { (page.t("Disembunyikan dari publik", "Hidden from the public")) }
                            }
                        }
                        @if view.handles_files && f.part() != crate::attachments::Part::InternalNote {
                            form method="post" action=(format!("/console/complaints/{}/files/visibility", c.tracking_code)) {
                                input type="hidden" name="csrf" value=(page.who.csrf);
                                input type="hidden" name="file" value=(f.id);
                                input type="hidden" name="hidden" value=(if f.hidden { "0" } else { "1" });
                                button type="submit" {
                                    @if f.hidden { (page.t("Tampilkan lagi untuk publik", "Show to the public again")) }
                                    @else { (page.t("Sembunyikan dari publik", "Hide from the public")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        @if view.handles_files {
            details.action {
                summary { (page.t("Tambah foto atau dokumen", "Add photos or documents")) }
                form method="post" enctype="multipart/form-data" action=(format!("/console/complaints/{}/files", c.tracking_code)) {
                    input type="hidden" name="csrf" value=(page.who.csrf);
                    fieldset.field {
                        legend { (page.t("Untuk siapa", "For whom")) }
                        label.choice { input type="radio" name="part" value="officer_reply" checked; (page.t("Pelapor (misalnya sebelum dan sesudah perbaikan)", "The reporter (a fix, before and after)")) }
                        label.choice { input type="radio" name="part" value="internal_note"; (page.t("Internal, hanya petugas", "Internal, officers only")) }
                    }
                    div.field {
                        label for="officer-files" { (page.t("Berkas (JPEG, PNG, WebP atau PDF)", "Files (JPEG, PNG, WebP or PDF)")) }
                        input id="officer-files" type="file" name="files" multiple accept="image/jpeg,image/png,image/webp,application/pdf";
                    }
                    button type="submit" { (page.t("Unggah", "Upload")) }
                }
            }
        }
    }
}

#[allow(clippy::too_many_lines)]
pub fn complaint(page: &Page<'_>, view: &ComplaintView<'_>) -> Markup {
    let c = view.complaint;
    let l = page.locale;
    let privacy = c.privacy();
    let privacy = match (privacy.anonymous(), privacy.confidential()) {
        (true, true) => page.t("Anonim dan rahasia: tidak ada petugas yang melihat identitas pelapor, dan isinya tidak pernah ditampilkan umum.", "Anonymous and confidential: no officer sees who filed it, and the content is never made public."),
        (true, false) => page.t("Anonim: identitas pelapor tidak ditampilkan kepada petugas mana pun.", "Anonymous: no officer sees who filed it."),
        (false, true) => page.t("Rahasia: isinya hanya untuk petugas yang menangani, tidak pernah ditampilkan umum.", "Confidential: the content is for the handling officers only, never made public."),
        (false, false) => page.t("Publik", "Public"),
    };
    let posted = view.posted;
    let posted_for = |a: Action| posted.filter(|p| p.action == a.key());
    let field_error = |a: Action, name: &str| -> Option<String> {
        posted_for(a).and_then(|_| view.errors.get(name).cloned())
    };
    page.layout(
        &c.title,
        html! {
            p.crumbs { a href="/console/inbox" { "← " (page.t("Kotak masuk", "Inbox")) } }
            h1 { (c.title) }
            p.code { (c.tracking_code) }
            @if !view.done.is_empty() {
                p.notice.good role="status" { (page.t("Tersimpan.", "Saved.")) }
            }
            @if let Some(problem) = view.errors.get("form") {
                p.notice.bad role="alert" { (problem) }
            }
            dl.facts {
                dt { (page.t("Status", "Status")) } dd { strong { (page.status(&c.status)) } }
                @if let (Some(step), Some(date)) = (&c.due_step, &c.due_date) {
                    dt { (page.t("Tenggat", "Due")) } dd { (date) " · " (step_name(step, l)) }
                }
                dt { (page.t("Daerah", "Region")) } dd { (page.region_name(&c.region_slug))
                    @if c.filed_region_slug != c.region_slug { " (" (page.t("diajukan di", "filed in")) " " (page.region_name(&c.filed_region_slug)) ")" } }
                dt { (page.t("Unit", "Unit")) } dd { (page.unit_name(&c.region_slug, &c.unit_key)) }
                dt { (page.t("Kategori", "Category")) } dd { (page.category_name(&c.category_key)) }
                dt { (page.t("Klasifikasi", "Classification")) } dd { (c.classification) }
                // Citizens who joined it instead of filing it again: how
                // many, never who.
                dt { (page.t("Warga yang ikut mendukung", "Citizens supporting it")) } dd.supporters { (c.supporters) }
                @if let Some(d) = &c.district_key {
                    dt { (page.t("Kecamatan", "District")) } dd { (page.catalog.district(d).map_or(d.as_str(), |x| x.name.as_str())) }
                }
                @if let Some(loc) = &c.location {
                    dt { (page.t("Lokasi", "Location")) } dd { (loc) }
                }
                @if let Some(landmark) = &c.landmark {
                    dt { (page.t("Desa adat atau banjar", "Customary village or banjar")) } dd { (landmark) }
                }
                @if let Some((lat, lon)) = view.position {
                    // A geo: link opens the phone's own map, wherever the
                    // officer stands; nothing is sent to a map service.
                    dt { (page.t("Titik dari ponsel pelapor", "Point from the reporter's phone")) }
                    dd.position { a href=(format!("geo:{lat:.6},{lon:.6}")) { (format!("{lat:.6}, {lon:.6}")) } }
                }
                @if let Some(date) = &c.incident_date {
                    dt { (page.t("Tanggal kejadian", "Incident date")) } dd { (date) }
                }
                @if let Some(tier) = c.tier.as_deref().and_then(Tier::from_key) {
                    dt { (page.t("Kerumitan", "Complexity")) } dd { (tier_name(tier, l)) }
                }
                dt { (page.t("Privasi", "Privacy")) } dd { (privacy) }
                dt { (page.t("Pelapor", "Reporter")) }
                dd {
                    @match view.identity {
                        Some(id) if !id.is_empty() => {
                            (id.name.as_deref().unwrap_or("–"))
                            @if let Some(e) = &id.email { " · " (e) }
                            @if let Some(p) = &id.phone { " · " (p) }
                        }
                        Some(_) => { (page.t("Tidak meninggalkan kontak", "Left no contact")) }
                        None => { (page.t("Tidak ditampilkan", "Not shown")) }
                    }
                }
                dt { (page.t("Diterima", "Received")) } dd { (rfc3339(c.created_at)) }
                @if let Some(id) = &c.lapor_tracking_id {
                    dt { "SP4N-LAPOR" } dd { code { (id) } }
                }
            }
            (holder_section(page, view))
            h2 { (page.t("Isi pengaduan", "The complaint")) }
            p.message { (c.description) }

            @if let Some((score, comment)) = &view.rating {
                h2 { (page.t("Penilaian pelapor", "The reporter's rating")) }
                p.rating { strong { (score) " / 5" }
                    @if let Some(c) = comment { " · " span.message { (c) } }
                }
            }
            (files_section(page, view))

            h2 { (page.t("Riwayat", "History")) }
            ol.history {
                @for e in view.history {
                    li class=[(e.kind == "note" || (e.internal_note.is_some() && e.public_message.is_none())).then_some("internal")] {
                        span.when { (rfc3339(e.at)) } " · "
                        strong { (event_name(&e.kind, l)) }
                        " · "
                        @match e.author.as_str() {
                            "reporter" => { (page.t("pelapor", "reporter")) }
                            "system" => { (page.t("sistem", "system")) }
                            _ => { (e.officer_name.as_deref().unwrap_or("–")) }
                        }
                        @if let (Some(from), Some(to)) = (&e.from_status, &e.to_status) {
                            " · " (page.status(from)) " → " (page.status(to))
                        }
                        @if let Some(detail) = &e.detail {
                            " · " span.detail { (describe_detail(page, detail)) }
                        }
                        @if let Some(m) = &e.public_message {
                            p.message { span.tag { (page.t("Untuk pelapor", "To the reporter")) } " " (m) }
                        }
                        @if let Some(n) = &e.internal_note {
                            p.message.internal { span.tag { (page.t("Internal", "Internal")) } " " (n) }
                        }
                    }
                }
            }

            @if !view.actions.is_empty() {
                h2 { (page.t("Tindakan", "Actions")) }
                @for action in view.actions {
                    @let a = *action;
                    @let id = format!("act-{}", a.key());
                    @let old = posted_for(a);
                    details.action open[old.is_some()] {
                        summary { (action_name(a, l)) }
                        form method="post" action=(format!("/console/complaints/{}", c.tracking_code)) {
                            input type="hidden" name="csrf" value=(page.who.csrf);
                            input type="hidden" name="action" value=(a.key());
                            input type="hidden" name="version" value=(c.version);
                            @if a == Action::Dispatch {
                                div.field {
                                    label for=(format!("{id}-unit")) { (page.t("Unit tujuan", "Unit")) }
                                    select id=(format!("{id}-unit")) name="unit" {
                                        @for u in page.catalog.units.iter().filter(|u| u.region == c.region_slug) {
                                            option value=(u.key) selected[u.key == c.unit_key] { (u.name) }
                                        }
                                    }
                                    @if let Some(e) = field_error(a, "unit") { p.error { (e) } }
                                }
                            }
                            @if a == Action::Transfer {
                                div.field {
                                    label for=(format!("{id}-region")) { (page.t("Daerah tujuan", "Region")) }
                                    select id=(format!("{id}-region")) name="region" {
                                        option value="" { (page.t("Pilih…", "Choose…")) }
                                        @for r in page.catalog.regions.iter().filter(|r| r.slug != c.region_slug) {
                                            option value=(r.slug) { (r.name) }
                                        }
                                    }
                                    @if let Some(e) = field_error(a, "region") { p.error { (e) } }
                                }
                            }
                            @if a == Action::Plan {
                                fieldset.field {
                                    legend { (page.t("Kerumitan (menentukan tenggat)", "Complexity (sets the due date)")) }
                                    @for tier in Tier::ALL {
                                        label.choice {
                                            input type="radio" name="tier" value=(tier.key()) checked[tier == Tier::Simple];
                                            (tier_name(tier, l)) " · " (tier.days(&page.catalog.settings)) " " (page.t("hari kerja", "working days"))
                                        }
                                    }
                                    @if let Some(e) = field_error(a, "tier") { p.error { (e) } }
                                }
                            }
                            @if !a.is_internal() {
                                div.field {
                                    label for=(format!("{id}-message")) {
                                        (page.t("Tanggapan untuk pelapor", "Reply the reporter will read"))
                                        @if !a.needs_public_message() { " (" (page.t("boleh kosong", "optional")) ")" }
                                    }
                                    textarea id=(format!("{id}-message")) name="message" rows="4" maxlength=(MESSAGE_MAX) { (old.map_or("", |p| p.message.as_str())) }
                                    @if let Some(e) = field_error(a, "message") { p.error { (e) } }
                                }
                            }
                            div.field {
                                label for=(format!("{id}-note")) {
                                    (page.t("Catatan internal (tidak terlihat pelapor)", "Internal note (the reporter never sees it)"))
                                    @if !a.is_internal() { " (" (page.t("boleh kosong", "optional")) ")" }
                                }
                                textarea id=(format!("{id}-note")) name="note" rows="3" maxlength=(MESSAGE_MAX) { (old.map_or("", |p| p.note.as_str())) }
                                @if let Some(e) = field_error(a, "note") { p.error { (e) } }
                            }
                            button type="submit" { (action_name(a, l)) }
                        }
                    }
                }
            }
        },
    )
}

fn describe_detail(page: &Page<'_>, detail: &str) -> String {
    if let Some((name, deactivated)) = crate::casework::owner::read_detail(detail) {
        return match (name, deactivated) {
            (Some(name), _) => format!("{} {name}", page.t("kepada", "to")),
            (None, false) => page
                .t("dikembalikan ke unit", "back to the unit")
                .to_owned(),
            (None, true) => page
                .t(
                    "dikembalikan ke unit: pemegangnya dinonaktifkan",
                    "back to the unit: its holder was deactivated",
                )
                .to_owned(),
        };
    }
    if let Some(unit) = detail.strip_prefix("unit:") {
        return format!("{} {}", page.t("ke", "to"), unit_of_any_region(page, unit));
    }
    if let Some((from, to)) = detail
        .strip_prefix("region:")
        .and_then(|r| r.split_once('>'))
    {
        return format!("{} → {}", page.region_name(from), page.region_name(to));
    }
    if let Some(tier) = detail.strip_prefix("tier:").and_then(Tier::from_key) {
        return tier_name(tier, page.locale).to_owned();
    }
    detail.to_owned()
}

fn unit_of_any_region(page: &Page<'_>, unit: &str) -> String {
    page.catalog
        .units
        .iter()
        .find(|u| u.key == unit)
        .map_or_else(|| unit.to_owned(), |u| u.name.clone())
}

/// How a region's complaints leave Aduan, in words.
fn mode_words(mode: aduan_app::api::IntegrationMode, locale: Locale) -> &'static str {
    match mode {
        aduan_app::api::IntegrationMode::Lapor => {
            t(locale, "terhubung ke SP4N-LAPOR", "connected to SP4N-LAPOR")
        }
        aduan_app::api::IntegrationMode::Webhook => t(
            locale,
            "terhubung ke aplikasi daerah",
            "connected to the region's own app",
        ),
        aduan_app::api::IntegrationMode::None => t(locale, "belum terhubung", "not connected"),
    }
}

/// Citizens who joined complaints in the last 30 days instead of filing them
/// again ("saya juga"), and how many complaints they joined.
#[derive(Debug, Clone, Copy, Default)]
pub struct Support {
    pub supporters: i64,
    pub complaints: i64,
}

pub fn overview(
    page: &Page<'_>,
    loads: &[UnitLoad],
    every_region: bool,
    support: Support,
) -> Markup {
    let total = |f: fn(&UnitLoad) -> i64| loads.iter().map(f).sum::<i64>();
    let region_total = |slug: &str, f: fn(&UnitLoad) -> i64| {
        loads
            .iter()
            .filter(|l| l.region_slug == slug)
            .map(f)
            .sum::<i64>()
    };
    page.layout(
        page.t("Ringkasan", "Overview"),
        html! {
            h1 { (page.t("Ringkasan pengaduan terbuka", "Open complaints")) }
            @if every_region {
                h2 { (page.t("Daerah dan keterhubungannya", "Regions and their connections")) }
                table.regions.cards {
                    thead { tr {
                        th scope="col" { (page.t("Daerah", "Region")) }
                        th scope="col" { (page.t("Keterhubungan", "Connection")) }
                        th scope="col" { (page.t("Terbuka", "Open")) }
                        th scope="col" { (page.t("Lewat tenggat", "Overdue")) }
                    } }
                    tbody {
                        @for r in &page.catalog.regions {
                            tr {
                                th scope="row" { (r.name) }
                                td class=[(r.integration_mode == aduan_app::api::IntegrationMode::None).then_some("bad")] data-label=(page.t("Keterhubungan", "Connection")) { (mode_words(r.integration_mode, page.locale)) }
                                td.num data-label=(page.t("Terbuka", "Open")) { (region_total(&r.slug, |l| l.open)) }
                                td.num data-label=(page.t("Lewat tenggat", "Overdue")) { (region_total(&r.slug, |l| l.overdue)) }
                            }
                        }
                    }
                }
                h2 { (page.t("Per unit", "By unit")) }
            }
            ul.totals {
                li { strong { (total(|l| l.open)) } " " (page.t("terbuka", "open")) }
                li.bad { strong { (total(|l| l.overdue)) } " " (page.t("lewat tenggat", "overdue")) }
                li { strong { (total(|l| l.due_soon)) } " " (page.t("tenggat minggu ini", "due this week")) }
                li.support { strong { (support.supporters) } " " (page.t("warga ikut mendukung", "citizens joined"))
                    " " (page.t("pengaduan yang ada (30 hari), pada", "existing complaints (30 days), on")) " "
                    strong { (support.complaints) } " " (page.t("pengaduan", "complaints")) }
            }
            @if loads.is_empty() {
                p.empty { (page.t("Tidak ada pengaduan terbuka.", "No open complaint.")) }
            } @else {
                table.cards {
                    thead { tr {
                        th scope="col" { (page.t("Daerah", "Region")) }
                        th scope="col" { (page.t("Unit", "Unit")) }
                        th scope="col" { (page.t("Terbuka", "Open")) }
                        th scope="col" { (page.t("Lewat tenggat", "Overdue")) }
                        th scope="col" { (page.t("Tenggat minggu ini", "Due this week")) }
                    } }
                    tbody {
                        @for load in loads {
                            tr {
                                td data-label=(page.t("Daerah", "Region")) { (page.region_name(&load.region_slug)) }
                                th scope="row" { (page.unit_name(&load.region_slug, &load.unit_key)) }
                                td.num data-label=(page.t("Terbuka", "Open")) { (load.open) }
                                td.num class=[(load.overdue > 0).then_some("bad")] data-label=(page.t("Lewat tenggat", "Overdue")) { (load.overdue) }
                                td.num data-label=(page.t("Tenggat minggu ini", "Due this week")) { (load.due_soon) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn rules(page: &Page<'_>, region: &str, done: &str, problem: Option<&str>) -> Markup {
    let units: Vec<_> = page
        .catalog
        .units
        .iter()
        .filter(|u| u.region == region)
        .collect();
    page.layout(
        page.t("Aturan penerusan", "Routing rules"),
        html! {
            h1 { (page.t("Aturan penerusan", "Routing rules")) " · " (page.region_name(region)) }
            p { (page.t(
                "Pengaduan baru dengan kategori ini diteruskan ke unit yang dipilih. Pengaduan yang sudah masuk tidak berubah.",
                "New complaints of a category go to the chosen unit. Complaints already filed stay where they are.")) }
            @if page.who.role == Role::Admin {
                form.filters method="get" action="/console/rules" {
                    label { (page.t("Daerah", "Region"))
                        select name="region" {
                            @for r in &page.catalog.regions {
                                option value=(r.slug) selected[r.slug == region] { (r.name) }
                            }
                        }
                    }
                    button type="submit" { (page.t("Tampilkan", "Show")) }
                }
            }
            @if let Some(problem) = problem { p.notice.bad role="alert" { (problem) } }
            @if !done.is_empty() { p.notice.good role="status" { (page.t("Aturan tersimpan.", "Rule saved.")) } }
            table.rules {
                thead { tr {
                    th scope="col" { (page.t("Kategori", "Category")) }
                    th scope="col" { (page.t("Unit", "Unit")) }
                } }
                tbody {
                    @for c in &page.catalog.categories {
                        @let current = page.catalog.rule(region, &c.key).unwrap_or("");
                        tr {
                            td { (page.category_name(&c.key)) }
                            td {
                                form.inline method="post" action="/console/rules" {
                                    input type="hidden" name="csrf" value=(page.who.csrf);
                                    input type="hidden" name="region" value=(region);
                                    input type="hidden" name="category" value=(c.key);
                                    select name="unit" aria-label=(format!("{} · {}", page.t("Unit untuk", "Unit for"), page.category_name(&c.key))) {
                                        @for u in &units {
                                            option value=(u.key) selected[u.key == current] { (u.name) }
                                        }
                                    }
                                    button type="submit" { (page.t("Simpan", "Save")) }
                                }
                            }
                        }
                    }
                }
            }
            @if page.who.role == Role::Admin {
                (handoff_rules(page))
            }
        },
    )
}

/// Supervisory categories every region hands to one unit of the province
/// (illegal levies to Saber Pungli), or leaves with each region.
fn handoff_rules(page: &Page<'_>) -> Markup {
    let province = page
        .catalog
        .regions
        .iter()
        .find(|r| r.kind == "province")
        .map_or("bali", |r| r.slug.as_str());
    let units: Vec<_> = page
        .catalog
        .units
        .iter()
        .filter(|u| u.region == province)
        .collect();
    html! {
        h2 #handoff { (page.t("Penyerahan ke provinsi", "Hand-off to the province")) }
        p { (page.t(
            "Pengaduan kategori pengawasan dari semua daerah dapat diserahkan ke satu unit provinsi (misalnya pungutan liar ke Unit Saber Pungli). Pengaduan itu menjadi rahasia; daerah asalnya tetap dihitung dalam statistik, dan petugas daerah itu hanya melihat bahwa sebuah pengaduan rahasia diserahkan.",
            "Supervisory complaints from every region can be handed to one unit of the province (illegal levies to the Saber Pungli unit, say). They become confidential; the region where it happened keeps them in its statistics, and its officers see only that a confidential complaint was handed off.")) }
        table.rules {
            thead { tr {
                th scope="col" { (page.t("Kategori pengawasan", "Supervisory category")) }
                th scope="col" { (page.t("Diserahkan ke", "Handed to")) }
            } }
            tbody {
                @for c in page.catalog.categories.iter().filter(|c| c.supervisory) {
                    @let current = page.catalog.handoff(&c.key).map(|(_, u)| u).unwrap_or("");
                    tr {
                        td { (page.category_name(&c.key)) }
                        td {
                            form.inline method="post" action="/console/rules/handoff" {
                                input type="hidden" name="csrf" value=(page.who.csrf);
                                input type="hidden" name="category" value=(c.key);
                                select name="unit" aria-label=(format!("{} · {}", page.t("Diserahkan ke", "Handed to"), page.category_name(&c.key))) {
                                    option value="" selected[current.is_empty()] { (page.t("Tetap di daerah masing-masing", "Stays with each region")) }
                                    @for u in &units {
                                        option value=(u.key) selected[u.key == current] { (page.region_name(province)) " · " (u.name) }
                                    }
                                }
                                button type="submit" { (page.t("Simpan", "Save")) }
                            }
                        }
                    }
                }
            }
        }
    }
}
