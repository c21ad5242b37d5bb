//! An officer's saved views and e-mail preferences (see [`crate::digest`]).

use aduan_app::api::Locale;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::digest::{MailPref, VIEWS_MAX, time_of_day, view_name};
use crate::extract::AcceptLocale;
use crate::routes::console::InboxFilters;
use crate::state::{AppState, now_ms};
use crate::store::{NewView, SavedView};

use super::pages::{self, Page};
use super::{DoneQuery, Posted, not_found, store_failed};

/// A view saved, put in the digest or taken out, or forgotten.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct ViewForm {
    pub csrf: String,
    /// `save`, `digest` or `delete`.
    #[serde(rename = "do")]
    pub act: String,
    pub name: String,
    /// The inbox's filters, as its query string.
    pub query: String,
    /// `1`: in the daily digest.
    pub in_digest: String,
    pub id: String,
}

impl super::WithCsrf for ViewForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// How an officer wants to hear by e-mail.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct PreferenceForm {
    pub csrf: String,
    pub mail: String,
    pub digest_at: String,
}

impl super::WithCsrf for PreferenceForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

fn pref_name(p: MailPref, locale: Locale) -> &'static str {
    match p {
        MailPref::Immediate => pages::t(
            locale,
            "Segera: satu e-mail untuk setiap pengaduan yang perlu saya tangani",
            "At once: an e-mail for each complaint I must act on",
        ),
        MailPref::Digest => pages::t(locale, "Ringkasan harian saja", "Only the daily digest"),
        MailPref::Off => pages::t(locale, "Tidak ada e-mail", "No e-mail"),
    }
}

/// The page: the officer's views, and their e-mail preference.
async fn views_page(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    status: StatusCode,
    done: &str,
    problem: Option<&str>,
) -> Response {
    let views = match state.store.saved_views(who.officer.id).await {
        Ok(v) => v,
        Err(e) => return store_failed(locale, &e),
    };
    let (pref, digest_at) = match state.store.mail_preference(who.officer.id).await {
        Ok(Some(p)) => p,
        Ok(None) => return not_found(locale, who),
        Err(e) => return store_failed(locale, &e),
    };
    let mail_on = crate::mail::MailContext::of(&state.config).is_some();
    let catalog = state.catalog();
    let page = Page::new(locale, who, &catalog);
    let t = |id: &'static str, en: &'static str| pages::t(locale, id, en);
    pages::html(
        status,
        page.layout(
            t("Tampilan dan e-mail", "Views and e-mail"),
            html! {
                h1 { (t("Tampilan tersimpan dan e-mail", "Saved views and e-mail")) }
                @if !done.is_empty() { p.notice.good role="status" { (t("Tersimpan.", "Saved.")) } }
                @if let Some(problem) = problem { p.notice.bad role="alert" { (problem) } }
                h2 { (t("Tampilan tersimpan", "Saved views")) }
                @if views.is_empty() {
                    p.empty { (t(
                        "Belum ada. Saring kotak masuk, lalu simpan saringannya dengan nama.",
                        "None yet. Filter the inbox, then save the filter under a name.")) }
                } @else {
                    ul.views {
                        @for v in &views {
                            li {
                                a href=(format!("/console/inbox?{}", v.query)) { (v.name) }
                                @if v.in_digest { " " span.tag { (t("dalam ringkasan", "in the digest")) } }
                                div.row-actions {
                                    form method="post" action="/console/views" {
                                        input type="hidden" name="csrf" value=(who.csrf);
                                        input type="hidden" name="do" value="digest";
                                        input type="hidden" name="id" value=(v.id);
                                        input type="hidden" name="in_digest" value=(if v.in_digest { "0" } else { "1" });
                                        button.secondary type="submit" {
                                            @if v.in_digest { (t("Keluarkan dari ringkasan", "Take out of the digest")) }
                                            @else { (t("Masukkan ke ringkasan harian", "Put in the daily digest")) }
                                        }
                                    }
                                    form method="post" action="/console/views" {
                                        input type="hidden" name="csrf" value=(who.csrf);
                                        input type="hidden" name="do" value="delete";
                                        input type="hidden" name="id" value=(v.id);
                                        button.secondary type="submit" { (t("Hapus", "Delete")) }
                                    }
                                }
                            }
                        }
                    }
                }
                h2 { (t("E-mail", "E-mail")) }
                @if !mail_on {
                    p.notice { (t(
                        "E-mail belum diaktifkan di layanan ini; pilihan Anda berlaku setelah diaktifkan.",
                        "E-mail is not switched on in this service yet; your choice applies once it is.")) }
                }
                form.preferences method="post" action="/console/preferences" {
                    input type="hidden" name="csrf" value=(who.csrf);
                    fieldset.field {
                        legend { (t("Kabari saya", "Tell me")) }
                        @for p in MailPref::ALL {
                            label.choice {
                                input type="radio" name="mail" value=(p.key()) checked[p.key() == pref];
                                (pref_name(p, locale))
                            }
                        }
                    }
                    div.field {
                        label for="digest-at" { (t("Jam ringkasan harian (WITA)", "Time of the daily digest (local)")) }
                        input #digest-at type="time" name="digest_at" value=(digest_at) required;
                    }
                    button type="submit" { (t("Simpan", "Save")) }
                }
            },
        ),
    )
}

/// `GET /console/views`.
pub async fn show_views(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(done): Query<DoneQuery>,
) -> Response {
    views_page(&state, locale, &who, StatusCode::OK, &done.done, None).await
}

/// What a posted view form asks for.
enum Change {
    /// Save under this name this query (a new view, or one of theirs put
    /// in or out of the digest).
    Save(String, String),
    /// Forget one of theirs.
    Forget(i64),
}

/// `POST /console/views`: save a view, put it in the digest or take it
/// out, or forget it.
pub async fn change_view(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<ViewForm>,
) -> Response {
    let refused = |problem: &'static str| {
        let (state, who) = (&state, &who);
        async move {
            views_page(
                state,
                locale,
                who,
                StatusCode::UNPROCESSABLE_ENTITY,
                "",
                Some(problem),
            )
            .await
        }
    };
    let views = match state.store.saved_views(who.officer.id).await {
        Ok(v) => v,
        Err(e) => return store_failed(locale, &e),
    };
    let chosen = || -> Option<&SavedView> {
        let id: i64 = form.id.trim().parse().ok()?;
        views.iter().find(|v| v.id == id)
    };
    // A view to save (new, or one of theirs in or out of the digest), or
    // one of theirs to forget.
    let change = match form.act.as_str() {
        "save" => {
            let name = match view_name(&form.name) {
                Ok(name) => name,
                Err("long") => {
                    return refused(pages::t(
                        locale,
                        "Nama tampilan paling panjang 60 karakter.",
                        "A view's name is at most 60 characters.",
                    ))
                    .await;
                }
                Err(_) => {
                    return refused(pages::t(
                        locale,
                        "Beri nama tampilan ini.",
                        "Give the view a name.",
                    ))
                    .await;
                }
            };
            if views.len() >= VIEWS_MAX && !views.iter().any(|v| v.name == name) {
                return refused(pages::t(
                    locale,
                    "Paling banyak 20 tampilan; hapus satu dulu.",
                    "At most 20 views; delete one first.",
                ))
                .await;
            }
            // Only the filters the inbox knows, in its own order.
            let query = InboxFilters::from_query(&form.query).query_string();
            Change::Save(name, query)
        }
        "digest" | "delete" => match chosen() {
            Some(v) if form.act == "digest" => Change::Save(v.name.clone(), v.query.clone()),
            Some(v) => Change::Forget(v.id),
            None => return not_found(locale, &who),
        },
        _ => {
            return refused(pages::t(
                locale,
                "Permintaan tidak dikenal.",
                "Unknown request.",
            ))
            .await;
        }
    };
    let result = match change {
        Change::Save(name, query) => {
            let view = NewView {
                name,
                query,
                in_digest: form.in_digest == "1",
                at_ms: now_ms(),
            };
            state
                .store
                .save_view(who.officer.id, view)
                .await
                .map(|_| ())
        }
        Change::Forget(id) => state
            .store
            .delete_view(who.officer.id, id)
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => Redirect::to("/console/views?done=saved").into_response(),
        Err(e) => store_failed(locale, &e),
    }
}

/// `POST /console/preferences`: how the officer hears by e-mail.
pub async fn set_preferences(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<PreferenceForm>,
) -> Response {
    let (Some(pref), Some(at)) = (MailPref::from_key(&form.mail), time_of_day(&form.digest_at))
    else {
        let problem = pages::t(
            locale,
            "Pilih cara dikabari dan jam ringkasan (JJ:MM).",
            "Choose how to hear, and the digest's time (HH:MM).",
        );
        return views_page(
            &state,
            locale,
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            Some(problem),
        )
        .await;
    };
    match state
        .store
        .set_mail_preference(who.officer.id, pref.key(), &at)
        .await
    {
        Ok(()) => {
            tracing::info!(
                officer = who.officer.id,
                mail = pref.key(),
                "console: e-mail preference changed"
            );
            Redirect::to("/console/views?done=saved").into_response()
        }
        Err(e) => store_failed(locale, &e),
    }
}
