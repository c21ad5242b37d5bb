//! A region's overview (open, overdue, due this week per unit) and its
//! routing rules.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Posted;
use crate::auth::SignedIn;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::Role;
use crate::extract::AcceptLocale;
use crate::state::{AppState, now_ms};

use super::pages::{self, Page};
use super::{forbidden, store_failed};

/// `GET /console/overview`: open, overdue and due-this-week per unit.
pub async fn show_overview(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
) -> Response {
    if matches!(who.role, Role::Unit | Role::Webmaster) {
        return forbidden(locale, Some(&who));
    }
    let catalog = state.catalog();
    let today = catalog.today(now_ms());
    // The whole scope counts here, confidential complaints included: these
    // are numbers, not contents.
    let scope = crate::store::Scope {
        confidential: true,
        ..who.scope(&catalog)
    };
    let week_end = today.add_days(6);
    let now = now_ms();
    let support = state
        .store
        .supporters_between(scope.region.as_deref(), now - 30 * 86_400_000, now + 1)
        .await
        .map(|(supporters, complaints)| pages::Support {
            supporters,
            complaints,
        });
    let loads = state
        .store
        .overview(&scope, &today.to_string(), &week_end.to_string())
        .await;
    match loads.and_then(|loads| support.map(|support| (loads, support))) {
        Ok((loads, support)) => pages::html(
            StatusCode::OK,
            pages::overview(
                &Page::new(locale, &who, &catalog),
                &loads,
                scope.region.is_none(),
                support,
            ),
        ),
        Err(e) => store_failed(locale, &e),
    }
}

/// `?region=` for an administrator choosing whose rules to edit.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesQuery {
    pub region: String,
    pub done: String,
}

/// The region whose rules `who` may edit.
fn rules_region(who: &SignedIn, catalog: &Catalog, asked: &str) -> Option<String> {
    match who.role {
        Role::Coordinator => Some(who.officer.region_slug.clone()),
        Role::Admin => catalog
            .region(asked)
            .or_else(|| catalog.region(&who.officer.region_slug))
            .map(|r| r.slug.clone()),
        _ => None,
    }
}

/// `GET /console/rules`: which unit each category goes to.
pub async fn show_rules(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    Query(query): Query<RulesQuery>,
) -> Response {
    let catalog = state.catalog();
    let Some(region) = rules_region(&who, &catalog, &query.region) else {
        return forbidden(locale, Some(&who));
    };
    pages::html(
        StatusCode::OK,
        pages::rules(
            &Page::new(locale, &who, &catalog),
            &region,
            &query.done,
            None,
        ),
    )
}

/// A routing rule, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub csrf: String,
    pub region: String,
    pub category: String,
    pub unit: String,
}

impl super::WithCsrf for RuleForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/rules`: routes a category to a unit from now on.
pub async fn save_rule(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<RuleForm>,
) -> Response {
    let catalog = state.catalog();
    let Some(region) = rules_region(&who, &catalog, &form.region) else {
        return forbidden(locale, Some(&who));
    };
    let valid =
        catalog.category(&form.category).is_some() && catalog.unit(&region, &form.unit).is_some();
    if !valid {
        let problem = pages::t(
            locale,
            "Pilih kategori dan unit yang ada.",
            "Choose a category and a unit that exist.",
        );
        return pages::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::rules(
                &Page::new(locale, &who, &catalog),
                &region,
                "",
                Some(problem),
            ),
        );
    }
    if let Err(e) = state
        .store
        .set_rule(&region, &form.category, &form.unit)
        .await
    {
        return store_failed(locale, &e);
    }
    if let Err(e) = state.catalog_changed().await {
        return store_failed(locale, &e);
    }
    tracing::info!(officer = who.officer.id, region = %region, category = %form.category, "console: routing rule changed");
    Redirect::to(&format!(
        "/console/rules?region={region}&done={}",
        form.category
    ))
    .into_response()
}

/// A hand-off rule, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct HandoffForm {
    pub csrf: String,
    pub category: String,
    /// A unit of the province, or empty to leave the category with each region.
    pub unit: String,
}

impl super::WithCsrf for HandoffForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/rules/handoff`: an administrator hands a supervisory
/// category from every region to a unit of the province, or stops it.
pub async fn save_handoff(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<HandoffForm>,
) -> Response {
    if who.role != Role::Admin {
        return forbidden(locale, Some(&who));
    }
    let catalog = state.catalog();
    let province = catalog
        .regions
        .iter()
        .find(|r| r.kind == "province")
        .map(|r| r.slug.clone())
        .unwrap_or_default();
    let supervisory = catalog
        .category(&form.category)
        .is_some_and(|c| c.supervisory);
    let to = (!form.unit.is_empty()).then(|| (province.clone(), form.unit.clone()));
    let unit_ok = to
        .as_ref()
        .is_none_or(|(r, u)| catalog.unit(r, u).is_some());
    if !supervisory || !unit_ok {
        let problem = pages::t(
            locale,
            "Pilih kategori pengawasan dan unit provinsi yang ada.",
            "Choose a supervisory category and a unit of the province that exist.",
        );
        return pages::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::rules(
                &Page::new(locale, &who, &catalog),
                &province,
                "",
                Some(problem),
            ),
        );
    }
    if let Err(e) = state.store.set_handoff(&form.category, to).await {
        return store_failed(locale, &e);
    }
    if let Err(e) = state.catalog_changed().await {
        return store_failed(locale, &e);
    }
    tracing::info!(officer = who.officer.id, category = %form.category, unit = %form.unit, "console: hand-off rule changed");
    Redirect::to(&format!(
        "/console/rules?region={province}&done={}#handoff",
        form.category
    ))
    .into_response()
}
