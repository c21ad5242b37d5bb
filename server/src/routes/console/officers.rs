//! `/console/officers`, for administrators: every officer, adding one (with
//! a first password, which they change on `/console/password`), and letting
//! one sign in or not.
//! A deactivated officer's sessions end at once.

use aduan_app::api::Locale;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::Posted;
use super::pages::{self, Page, role_name};
use super::{forbidden, store_failed};
use crate::auth::SignedIn;
use crate::domain::lifecycle::Role;
use crate::extract::AcceptLocale;
use crate::officers::{OfficerRequest, PASSWORD_MIN, add};
use crate::state::AppState;

async fn page(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let list = match state.store.officers(None).await {
        Ok(list) => list,
        Err(e) => return store_failed(locale, &e),
    };
    let catalog = state.catalog();
    let p = Page::new(locale, who, &catalog);
    let t = |id, en| pages::t(locale, id, en);
    let body = html! {
        h1 { (t("Petugas", "Officers")) }
        @if let Some(notice) = notice { (notice) }
        table {
            thead { tr {
                th scope="col" { (t("Nama", "Name")) }
                th scope="col" { "E-mail" }
                th scope="col" { (t("Peran", "Role")) }
                th scope="col" { (t("Daerah", "Region")) }
                th scope="col" { (t("Unit", "Unit")) }
                th scope="col" { (t("Boleh masuk", "May sign in")) }
            } }
            tbody {
                @for entry in &list {
                    @let o = &entry.officer;
                    tr {
                        td { (o.name) }
                        td { (o.email) }
                        td { (Role::from_key(&o.role).map_or(o.role.as_str(), |r| role_name(r, locale))) }
                        td { (catalog.region(&o.region_slug).map_or(o.region_slug.as_str(), |r| r.name.as_str())) }
                        td { (o.unit_key.as_deref().and_then(|u| catalog.unit(&o.region_slug, u)).map_or("–", |u| u.name.as_str())) }
                        td {
                            @if o.id == who.officer.id {
                                (t("ya (Anda)", "yes (you)"))
                            } @else {
                                form.inline method="post" action="/console/officers" {
                                    input type="hidden" name="csrf" value=(who.csrf);
                                    input type="hidden" name="id" value=(o.id);
                                    @if entry.active {
                                        (t("ya", "yes")) " "
                                        button type="submit" name="do" value="disable" { (t("Nonaktifkan", "Deactivate")) }
                                    } @else {
                                        (t("tidak", "no")) " "
                                        button type="submit" name="do" value="enable" { (t("Aktifkan", "Activate")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (t("Tambah petugas", "Add an officer")) }
        form method="post" action="/console/officers" {
            input type="hidden" name="csrf" value=(who.csrf);
            input type="hidden" name="do" value="add";
            div.field { label for="o-email" { "E-mail" } input #o-email type="email" name="email" required; }
            div.field { label for="o-name" { (t("Nama", "Name")) } input #o-name type="text" name="name" maxlength="200"; }
            div.field {
                label for="o-role" { (t("Peran", "Role")) }
                select #o-role name="role" {
                    @for r in Role::ALL { option value=(r.key()) { (role_name(r, locale)) } }
                }
            }
            div.field {
                label for="o-region" { (t("Daerah", "Region")) }
                select #o-region name="region" { @for r in &catalog.regions { option value=(r.slug) { (r.name) } } }
            }
            div.field {
                label for="o-unit" { (t("Unit (untuk petugas unit)", "Unit (for a unit officer)")) }
                select #o-unit name="unit" {
                    option value="" { "–" }
                    @for u in catalog.units.iter().filter(|u| u.region == "bali") { option value=(u.key) { (u.name) } }
                }
            }
            div.field {
                label for="o-password" { (t("Kata sandi pertama", "First password")) " (" (PASSWORD_MIN) "+)" }
                input #o-password type="password" name="password" required minlength=(PASSWORD_MIN) autocomplete="new-password";
            }
            button type="submit" { (t("Tambah", "Add")) }
        }
    };
    pages::html(status, p.layout(t("Petugas", "Officers"), body))
}

/// `GET /console/officers`.
pub async fn show(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
) -> Response {
    if who.role != Role::Admin {
        return forbidden(locale, Some(&who));
    }
    page(&state, locale, &who, StatusCode::OK, None).await
}

/// An officer form, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfficerForm {
    pub csrf: String,
    #[serde(rename = "do")]
    pub action: String,
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub region: String,
    pub unit: String,
    pub password: String,
}

impl super::WithCsrf for OfficerForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/officers`: add, deactivate, activate.
pub async fn change(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<OfficerForm>,
) -> Response {
    if who.role != Role::Admin {
        return forbidden(locale, Some(&who));
    }
    let problem = |text: String| html! { p.notice.bad role="alert" { (text) } };
    match form.action.as_str() {
        "add" => {
            let request = OfficerRequest {
                email: form.email.clone(),
                name: Some(form.name.clone()),
                role: form.role.clone(),
                region: form.region.clone(),
                unit: Some(form.unit.clone()),
            };
            match add(
                state.store.as_ref(),
                &state.catalog(),
                &request,
                &form.password,
            )
            .await
            {
                Ok(id) => {
                    tracing::info!(
                        officer = who.officer.id,
                        added = id,
                        "console: officer added"
                    );
                    Redirect::to("/console/officers").into_response()
                }
                Err(e) => {
                    page(
                        &state,
                        locale,
                        &who,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Some(problem(e)),
                    )
                    .await
                }
            }
        }
        "disable" | "enable" => {
            let id = form.id.trim().parse::<i64>().unwrap_or(0);
            if id == who.officer.id {
                return page(
                    &state,
                    locale,
                    &who,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(problem(
                        pages::t(
                            locale,
                            "Anda tidak dapat menonaktifkan diri sendiri.",
                            "You cannot deactivate yourself.",
                        )
                        .to_owned(),
                    )),
                )
                .await;
            }
            match state
                .store
                .set_officer_active(id, form.action == "enable", crate::state::now_ms())
                .await
            {
                Ok(true) => {
                    tracing::info!(officer = who.officer.id, target = id, action = %form.action, "console: officer changed");
                    Redirect::to("/console/officers").into_response()
                }
                Ok(false) => {
                    page(
                        &state,
                        locale,
                        &who,
                        StatusCode::NOT_FOUND,
                        Some(problem("no such officer".into())),
                    )
                    .await
                }
                Err(e) => store_failed(locale, &e),
            }
        }
        _ => forbidden(locale, Some(&who)),
    }
}
