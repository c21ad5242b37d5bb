//! The hosted pages' HTML, rendered with maud (every value escaped).

use std::collections::BTreeMap;

use aduan_app::api::{Classification, Locale, Privacy, Receipt, TrackingView};
use aduan_app::labels::{self, Label};
use aduan_app::validate::LIMITS;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};

use super::HostedForm;
use crate::domain::catalog::{Catalog, Region};
use crate::error::ApiError;
use crate::state::now_ms;

pub(super) fn new_key() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// A page; `switch_to(l)` is the address of the same page in language `l`.
fn page(locale: Locale, title: &str, switch_to: &dyn Fn(Locale) -> String, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(locale.key()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Aduan" }
                link rel="stylesheet" href="/hosted.css";
            }
            body {
                main {
                    nav.lang aria-label=(Label::Language.text(locale)) {
                        @for (i, other) in Locale::ALL.iter().filter(|l| **l != locale).enumerate() {
                            @if i > 0 { " · " }
                            a href=(switch_to(*other)) lang=(other.key()) hreflang=(other.key()) { (other.name()) }
                        }
                    }
                    (body)
                }
            }
        }
    }
}

pub(super) fn html_response(status: StatusCode, markup: Markup) -> Response {
    (status, markup).into_response()
}

pub(crate) fn error_page(locale: Locale, error: &ApiError) -> Response {
    let message = error.text();
    let body = html! { h1 { (message) } };
    html_response(
        error.status,
        page(locale, &message, &|l| format!("?lang={}", l.key()), body),
    )
}

pub(crate) fn no_such_region(locale: Locale) -> Response {
    let error = ApiError::not_found(aduan_app::i18n::Reason::RegionNotFound).speaking(locale);
    error_page(locale, &error)
}

fn field_error(errors: &BTreeMap<String, String>, name: &str) -> Markup {
    html! {
        @if let Some(message) = errors.get(name) {
            p.error id=(format!("err-{name}")) { (message) }
        }
    }
}

fn described(errors: &BTreeMap<String, String>, name: &str) -> Option<String> {
    errors.contains_key(name).then(|| format!("err-{name}"))
}

/// Files to attach: the ones taken already (kept while their box stays
/// ticked, so a form shown again with errors does not ask for them twice),
/// and a chooser that opens the phone's camera or gallery.
fn files_field(
    locale: Locale,
    errors: &BTreeMap<String, String>,
    attached: &[(String, String)],
) -> Markup {
    let t = |l: Label| l.text(locale);
    html! {
        fieldset.field {
            legend { (t(Label::Attachments)) " (" (t(Label::Optional)) ")" }
            @for (id, name) in attached {
                label.choice {
                    input type="checkbox" name="attachment" value=(id) checked;
                    (name)
                }
            }
            input id="files" name="files" type="file" multiple accept="image/*,application/pdf"
                aria-describedby=(if errors.contains_key("attachments") { "help-files err-attachments" } else { "help-files" });
            p.help id="help-files" { (t(Label::AttachmentsHelp)) }
            (field_error(errors, "attachments"))
        }
    }
}

pub(super) fn form_page(
    catalog: &Catalog,
    region: &Region,
    locale: Locale,
    values: &HostedForm,
    errors: &BTreeMap<String, String>,
    key: &str,
    attached: &[(String, String)],
) -> Markup {
    let t = |l: Label| l.text(locale);
    let switch = |l: Locale| format!("/r/{}?lang={}", region.slug, l.key());
    let form = Filled {
        values,
        errors,
        key,
        attached,
    };
    let body = html! {
        h1 { (t(Label::FileTitle)) }
        p.region { (region.name) }
        p { (t(Label::FileIntro)) }
        @if !errors.is_empty() {
            p.error role="alert" { (t(Label::FixErrors)) }
        }
        (form_markup(catalog, region, locale, Some(&form), ""))
        p { a href=(format!("/r/{}/track?lang={}", region.slug, locale.key())) { (t(Label::TrackLink)) } }
    };
    page(locale, t(Label::FileTitle), &switch, body)
}

/// What a citizen sent in the hosted form, shown again with its problems.
pub(super) struct Filled<'a> {
    pub values: &'a HostedForm,
    pub errors: &'a BTreeMap<String, String>,
    pub key: &'a str,
    pub attached: &'a [(String, String)],
}

/// What the widget shows the moment a citizen taps it, while its wasm is
/// still on the way: the hosted form's own fields (the one definition of
/// the form for pages without script and for this), laid out as the
/// widget lays out its form. The citizen types into it at once; the
/// widget takes every value, the focus and the caret over when it arrives
/// (`early.js`).
///
/// Should the widget never arrive, the form posts itself to the hosted
/// page: its address is the service's own (`public_url`), never the
/// government site's the widget sits on, and the script gives it a key.
pub(crate) fn early_form(
    catalog: &Catalog,
    region: &Region,
    locale: Locale,
    public_url: &str,
) -> Markup {
    let t = |l: Label| l.text(locale);
    html! {
        div.aduan lang=(locale.key()) data-aduan-early {
            div.top {
                div.tabs role="group" {
                    button.tab type="button" aria-pressed="true" { (t(Label::FileTitle)) }
                    button.tab type="button" aria-pressed="false" { (t(Label::TrackTitle)) }
                }
                select.lang aria-label=(t(Label::Language)) { option { (locale.name()) } }
            }
            div.file { (widget_form(catalog, region, locale, public_url)) }
        }
    }
}

/// The widget's complaint form: the hosted form's fields, empty, posting
/// to the service's own address (`public_url`). The widget draws it and
/// keeps its values, errors and state; the first moments' form is it too.
pub(crate) fn widget_form(
    catalog: &Catalog,
    region: &Region,
    locale: Locale,
    public_url: &str,
) -> Markup {
    form_markup(catalog, region, locale, None, public_url)
}

/// The complaint form's `<form>`: filled in and posted back on the hosted
/// page (`filled`), or empty with the widget's heading for the widget's
/// first moments (`None`, no file chooser: the widget adds its own).
#[allow(clippy::too_many_lines)]
fn form_markup(
    catalog: &Catalog,
    region: &Region,
    locale: Locale,
    filled: Option<&Filled<'_>>,
    origin: &str,
) -> Markup {
    let Some(form) = catalog.form(&region.slug) else {
        return html! {};
    };
    let no_errors = BTreeMap::new();
    let empty = HostedForm::default();
    let (values, errors) = filled.map_or((&empty, &no_errors), |f| (f.values, f.errors));
    let today = catalog.today(now_ms()).to_string();
    let t = |l: Label| l.text(locale);
    // Categories keep their official Indonesian names in Balinese.
    let name_of = |id: &str, en: &str| {
        if locale == Locale::En {
            en.to_owned()
        } else {
            id.to_owned()
        }
    };
    let text_input = |name: &str,
                      label: Label,
                      value: &str,
                      kind: &str,
                      max: usize,
                      required: bool| {
        html! {
            div.field {
                label for=(name) { (t(label)) @if !required { " (" (t(Label::Optional)) ")" } }
                input id=(name) name=(name) type=(kind) value=(value) maxlength=(max)
                    required[required] aria-invalid=[errors.contains_key(name).then_some("true")]
                    aria-describedby=[described(errors, name)];
                (field_error(errors, name))
            }
        }
    };
    let own: Vec<_> = form
        .districts
        .iter()
        .filter(|d| d.region == region.slug)
        .collect();
    let mut others: Vec<(String, Vec<&aduan_app::api::DistrictOption>)> = Vec::new();
    for d in form.districts.iter().filter(|d| d.region != region.slug) {
        match others.last_mut() {
            Some((name, list)) if *name == d.region_name => list.push(d),
            _ => others.push((d.region_name.clone(), vec![d])),
        }
    }
    html! {
        form method="post" action=(format!("{}/r/{}", origin.trim_end_matches('/'), region.slug)) enctype="multipart/form-data" novalidate {
            input type="hidden" name="idempotency_key" value=(filled.map_or("", |f| f.key));
            @if filled.is_none() {
                h2 { (t(Label::FileTitle)) }
                p.muted { (t(Label::FileIntro)) }
            }
            input type="hidden" name="lang" value=(locale.key());
            fieldset.field {
                legend { (t(Label::Classification)) }
                @for c in form.classifications.iter().filter_map(|c| Classification::from_key(&c.key)) {
                    label.choice {
                        input type="radio" name="classification" value=(c.key())
                            checked[values.classification == c.key() || (values.classification.is_empty() && c == Classification::Complaint)];
                        span { strong { (labels::classification(c, locale)) } }
                    }
                }
                (field_error(errors, "classification"))
            }
            (text_input("title", Label::Title, &values.title, "text", LIMITS.title_max, true))
            div.field {
                label for="description" { (t(Label::Description)) }
                textarea id="description" name="description" rows="6" maxlength=(LIMITS.description_max) required
                    aria-invalid=[errors.contains_key("description").then_some("true")]
                    aria-describedby=[described(errors, "description")] { (values.description) }
                (field_error(errors, "description"))
            }
            div.field {
                label for="category" { (t(Label::Category)) }
                select id="category" name="category" required aria-describedby=[described(errors, "category")] {
                    option value="" { (t(Label::Choose)) }
                    @for c in &form.categories {
                        option value=(c.key) selected[values.category == c.key] { (name_of(&c.name_id, &c.name_en)) }
                    }
                }
                (field_error(errors, "category"))
            }
            div.field {
                label for="district" { (t(Label::District)) " (" (t(Label::Optional)) ")" }
                select id="district" name="district" aria-describedby="help-district" {
                    option value="" { (t(Label::Choose)) }
                    optgroup label=(region.name) {
                        @for d in &own { option value=(d.key) selected[values.district == d.key] { (d.name) } }
                    }
                    @for (region_name, list) in &others {
                        optgroup label=(format!("{} · {}", t(Label::OtherRegions), region_name)) {
                            @for d in list { option value=(d.key) selected[values.district == d.key] { (d.name) } }
                        }
                    }
                }
                span.help id="help-district" { (t(Label::DistrictHelp)) }
                (field_error(errors, "district"))
            }
            (text_input("location", Label::Location, &values.location, "text", LIMITS.location_max, false))
            (text_input("landmark", Label::Landmark, &values.landmark, "text", aduan_app::validate::LANDMARK_MAX, false))
            div.field {
                label for="incident_date" { (t(Label::IncidentDate)) " (" (t(Label::Optional)) ")" }
                input id="incident_date" name="incident_date" type="date" max=(today) value=(values.incident_date)
                    aria-describedby=[described(errors, "incident_date")];
                (field_error(errors, "incident_date"))
            }
            fieldset.field {
                legend { (t(Label::Privacy)) }
                @for p in form.privacy_modes.iter().filter_map(|p| Privacy::from_key(&p.key)) {
                    @let (name, help) = labels::privacy(p, locale);
                    label.choice {
                        input type="radio" name="privacy" value=(p.key())
                            checked[values.privacy == p.key() || (values.privacy.is_empty() && p == Privacy::Public)];
                        span { strong { (name) } span.help { (help) } }
                    }
                }
                (field_error(errors, "privacy"))
            }
            @if let Some(f) = filled {
                (files_field(locale, errors, f.attached))
            }
            fieldset.field {
                legend { (t(Label::Contact)) }
                span.help { (t(Label::ContactHelp)) }
                (text_input("reporter_name", Label::Name, &values.reporter_name, "text", LIMITS.name_max, false))
                (text_input("reporter_email", Label::Email, &values.reporter_email, "email", LIMITS.email_max, false))
                (text_input("reporter_phone", Label::Phone, &values.reporter_phone, "tel", LIMITS.phone_max, false))
            }
            div.field {
                label.choice {
                    input type="checkbox" name="consent" value="yes" required checked[values.consent.is_some()]
                        aria-describedby=[described(errors, "consent")];
                    span { (t(Label::Consent)) }
                }
                (field_error(errors, "consent"))
            }
            button.primary type="submit" { (t(Label::Submit)) }
        }
    }
}

/// The links in a supporter's e-mails: the one that confirms their
/// address, the one that stops the e-mails. Each asks first (a mail
/// scanner following it changes nothing), then says what was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Link {
    Join,
    Leave,
}

impl Link {
    /// Its path under `/r/{region}/`.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Link::Join => "join",
            Link::Leave => "leave",
        }
    }

    /// Its page's title, the question, the button and the sentence for an
    /// unknown token.
    fn words(self) -> [aduan_app::words::Word; 4] {
        use aduan_app::words::Word;
        match self {
            Link::Join => [
                Word::JoinTitle,
                Word::JoinIntro,
                Word::JoinButton,
                Word::JoinUnknown,
            ],
            Link::Leave => [
                Word::LeaveTitle,
                Word::LeaveIntro,
                Word::LeaveButton,
                Word::LeaveUnknown,
            ],
        }
    }
}

/// The page behind a supporter's link: the question while `done` is
/// `None` (for a `token` that may be one), then what was done; an unknown
/// token is told so.
pub(crate) fn link_page(
    link: Link,
    region: &str,
    locale: Locale,
    token: Option<&str>,
    done: Option<String>,
) -> Response {
    let [title, intro, button, unknown] = link.words().map(|w| w.text(locale));
    let path = link.path();
    let (status, body) = match (token, done) {
        (Some(_), Some(done)) => (
            StatusCode::OK,
            html! { h1 { (title) } p role="status" { (done) } },
        ),
        (Some(token), None) => (
            StatusCode::OK,
            html! {
                h1 { (title) }
                p { (intro) }
                form method="post" action=(format!("/r/{region}/{path}")) {
                    input type="hidden" name="token" value=(token);
                    input type="hidden" name="lang" value=(locale.key());
                    button type="submit" { (button) }
                }
            },
        ),
        (None, _) => (
            StatusCode::NOT_FOUND,
            html! { h1 { (title) } p.error role="alert" { (unknown) } },
        ),
    };
    let token = token.unwrap_or_default().to_owned();
    let region = region.to_owned();
    let switch = move |l: Locale| format!("/r/{region}/{path}?token={token}&lang={}", l.key());
    html_response(status, page(locale, title, &switch, body))
}

pub(super) fn receipt_page(region: &Region, locale: Locale, receipt: &Receipt) -> Markup {
    let t = |l: Label| l.text(locale);
    let track = format!(
        "/r/{}/track?lang={}&code={}",
        region.slug,
        locale.key(),
        receipt.tracking_code
    );
    let body = html! {
        h1 { (t(Label::ReceiptTitle)) }
        p { (t(Label::TrackingCode)) ":" }
        p.code { (receipt.tracking_code) }
        p { (t(Label::ReceiptHowTo)) }
        p { (t(Label::ReceiptRoutedTo)) ": " (receipt.region.name) " · " (receipt.unit.name) }
        p { (t(Label::DueBy)) ": " (receipt.due.date) }
        p { a href=(track) { (t(Label::TrackLink)) } }
    };
    page(
        locale,
        t(Label::ReceiptTitle),
        &|l| {
            format!(
                "/r/{}/track?lang={}&code={}",
                region.slug,
                l.key(),
                receipt.tracking_code
            )
        },
        body,
    )
}

fn when(at: &str) -> String {
    format!(
        "{} {} UTC",
        at.get(..10).unwrap_or(at),
        at.get(11..16).unwrap_or("")
    )
}

/// The reporter rates the handling once it was followed up (1–5, with an
/// optional comment only the officers read); afterwards, their score.
fn rating_form(region: &Region, locale: Locale, view: &TrackingView) -> Markup {
    let t = |key: &'static str| aduan_app::words::script_word("rate", key, locale);
    html! {
        @match view.rating {
            Some(score) => {
                p.rated { (t("rated")) " " strong { (score) " / 5" } ". " (t("thanks")) }
            },
            None => {
                h2 { (t("heading")) }
                form method="post" action=(format!("/r/{}/track/rate", region.slug)) {
                    input type="hidden" name="code" value=(view.tracking_code);
                    input type="hidden" name="lang" value=(locale.key());
                    fieldset.field {
                        legend { (t("question")) }
                        @for n in 1..=5 {
                            label.choice { input type="radio" name="score" value=(n) required; (n) }
                        }
                    }
                    div.field {
                        label for="rating-comment" { (t("comment")) }
                        textarea id="rating-comment" name="comment" rows="3" maxlength=(LIMITS.reply_max) {}
                    }
                    button type="submit" { (t("send")) }
                }
            },
        }
    }
}

pub(super) fn tracker_page(
    region: &Region,
    locale: Locale,
    code: &str,
    found: Option<Result<&TrackingView, &ApiError>>,
    files: &[aduan_app::api::FileView],
) -> Markup {
    let t = |l: Label| l.text(locale);
    let body = html! {
        h1 { (t(Label::TrackTitle)) }
        form method="get" action=(format!("/r/{}/track", region.slug)) {
            input type="hidden" name="lang" value=(locale.key());
            div.field {
                label for="code" { (t(Label::TrackingCode)) }
                input id="code" name="code" value=(code) autocomplete="off" spellcheck="false" required;
            }
            button type="submit" { (t(Label::Track)) }
        }
        @match found {
            None => {},
            Some(Err(error)) => {
                p.error role="alert" { (error.text()) }
                @if !error.fields.is_empty() {
                    ul.error { @for message in error.fields.values() { li { (message) } } }
                }
            },
            Some(Ok(view)) => {
                section.result {
                    p.code { (view.tracking_code) }
                    p { strong { (t(Label::Status)) ": " } (labels::status(view.status, locale)) }
                    p { (view.title) }
                    p { (t(Label::ReceiptRoutedTo)) ": " (view.region.name) " · " (view.unit.name) }
                    @if let Some(due) = &view.due { p { (t(Label::DueBy)) ": " (due.date) } }
                    @if let Some(id) = &view.lapor_tracking_id { p { "SP4N-LAPOR: " (id) } }
                    h2 { (t(Label::History)) }
                    ol.history {
                        @for e in &view.timeline {
                            li {
                                span.when { (when(&e.at)) } " · "
                                strong { (match e.author.as_str() { "reporter" => t(Label::ByReporter), "officer" => t(Label::ByOfficer), _ => t(Label::BySystem) }) }
                                @if e.kind == "submitted" { " · " (t(Label::Submitted)) }
                                @if let Some(to) = e.to_status { @if e.kind != "submitted" { " · " (labels::status(to, locale)) } }
                                @if let Some(message) = &e.message { p.message { (message) } }
                            }
                        }
                    }
                    @if !files.is_empty() {
                        h2 { (t(Label::Attachments)) }
                        ul.files {
                            @for f in files {
                                li {
                                    @if let Some(thumb) = &f.thumb_url {
                                        a href=(f.url) { img src=(thumb) alt=(f.name) loading="lazy"; }
                                    }
                                    a href=(f.url) download[f.kind == "pdf"] { (f.name) }
                                }
                            }
                        }
                    }
                    @if view.status == aduan_app::api::Status::Resolved {
                        form method="post" action=(format!("/r/{}/track/confirm", region.slug)) {
                            input type="hidden" name="code" value=(view.tracking_code);
                            input type="hidden" name="lang" value=(locale.key());
                            p { (t(Label::ConfirmHelp)) }
                            button type="submit" { (t(Label::ConfirmResolved)) }
                        }
                    }
                    @if matches!(view.status, aduan_app::api::Status::Resolved | aduan_app::api::Status::Closed) {
                        (rating_form(region, locale, view))
                    }
                    form method="post" action=(format!("/r/{}/track/erase", region.slug)) {
                        input type="hidden" name="code" value=(view.tracking_code);
                        input type="hidden" name="lang" value=(locale.key());
                        p { (t(Label::EraseHelp)) }
                        button type="submit" { (t(Label::EraseButton)) }
                    }
                    @if view.accepts_replies {
                        h2 { (t(Label::ReplyTitle)) }
                        form method="post" action=(format!("/r/{}/track", region.slug)) enctype="multipart/form-data" {
                            input type="hidden" name="idempotency_key" value=(new_key());
                            input type="hidden" name="code" value=(view.tracking_code);
                            input type="hidden" name="lang" value=(locale.key());
                            div.field {
                                label for="message" { (t(Label::ReplyHelp)) }
                                textarea id="message" name="message" rows="4" maxlength=(LIMITS.reply_max) required {}
                            }
                            div.field {
                                label for="reply-files" { (t(Label::Attachments)) " (" (t(Label::Optional)) ")" }
                                input id="reply-files" name="files" type="file" multiple accept="image/*,application/pdf" aria-describedby="help-reply-files";
                                p.help id="help-reply-files" { (t(Label::AttachmentsHelp)) }
                            }
                            button type="submit" { (t(Label::SendReply)) }
                        }
                    }
                }
            },
        }
        p { a href=(format!("/r/{}?lang={}", region.slug, locale.key())) { (t(Label::FileLink)) } }
    };
    let switch = |l: Locale| format!("/r/{}/track?lang={}&code={}", region.slug, l.key(), code);
    page(locale, t(Label::TrackTitle), &switch, body)
}
