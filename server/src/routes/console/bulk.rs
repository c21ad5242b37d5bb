//! Many at once: the complaints an officer picked in a list, each changed
//! as if from its own page (its own event, the same rules), so that one
//! refusal leaves the others done; the page then says which were refused
//! and why.

use aduan_app::api::Locale;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::auth::SignedIn;
use crate::casework::{self, Actor, CaseError, Command, Refusal, owner};
use crate::domain::lifecycle::Action;
use crate::extract::AcceptLocale;
use crate::state::AppState;

use super::pages::{self, Page};
use super::{Posted, store_failed};

/// The most complaints one action takes (two pages of the inbox).
pub const BULK_MAX: usize = 100;

/// A form posted as its pairs: the picked complaints repeat one name.
#[derive(Debug, Default, Deserialize)]
#[serde(transparent)]
pub struct BulkForm(Vec<(String, String)>);

impl BulkForm {
    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The codes picked, each once, in the order given.
    fn picked(&self) -> Vec<String> {
        let mut codes: Vec<String> = Vec::new();
        for (k, v) in &self.0 {
            if k == "pick" && !codes.iter().any(|c| c == v) {
                codes.push(v.clone());
            }
        }
        codes
    }
}

impl super::WithCsrf for BulkForm {
    fn csrf(&self) -> &str {
        self.get("csrf")
    }
}

/// What an action on several complaints does to each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    Assign(owner::Wanted),
    Command(Command),
}

impl BulkAction {
    /// The action a form asks for, or `None` when it names none this
    /// page offers.
    fn of(form: &BulkForm) -> Option<BulkAction> {
        let command = |action: Action| Command {
            action: Some(action),
            note: form.get("note").to_owned(),
            unit: form.get("unit").to_owned(),
            region: form.get("region").to_owned(),
            ..Command::default()
        };
        match form.get("action") {
            "assign" => owner::Wanted::parse(form.get("assignee")).map(BulkAction::Assign),
            "dispatch" => Some(BulkAction::Command(command(Action::Dispatch))),
            "transfer" => Some(BulkAction::Command(command(Action::Transfer))),
            "note" => Some(BulkAction::Command(command(Action::Note))),
            _ => None,
        }
    }
}

/// Why one complaint was refused, in the officer's language.
pub fn refusal_text(e: &CaseError, locale: Locale) -> String {
    let t = |id: &'static str, en: &'static str| pages::t(locale, id, en).to_owned();
    match e {
        CaseError::Refused(Refusal::NotPermitted) => t(
            "Peran Anda tidak boleh melakukan ini.",
            "Your role may not do this.",
        ),
        CaseError::Refused(Refusal::WrongState(why)) => why.clone(),
        CaseError::Refused(Refusal::Fields(errors)) => {
            errors.values().cloned().collect::<Vec<_>>().join(" ")
        }
        CaseError::Changed => t(
            "Diubah petugas lain pada saat yang sama; coba lagi.",
            "Another officer changed it at the same moment; try again.",
        ),
        CaseError::NotFound => t(
            "Tidak ditemukan dalam cakupan Anda.",
            "Not found within your scope.",
        ),
        CaseError::Store(_) => t(
            "Basis data tidak dapat dijangkau; coba lagi.",
            "The database could not be reached; try again.",
        ),
    }
}

/// Applies `action` to one complaint, as `who`, as from its own page.
async fn apply_one(
    state: &AppState,
    who: &SignedIn,
    code: &str,
    action: &BulkAction,
    locale: Locale,
) -> Result<(), CaseError> {
    let code = aduan_app::tracking::TrackingCode::parse(code).map_err(|_| CaseError::NotFound)?;
    let (c, _) = state
        .store
        .officer_complaint(code.as_str(), &who.scope(&state.catalog()))
        .await
        .map_err(CaseError::Store)?
        .ok_or(CaseError::NotFound)?;
    match action {
        BulkAction::Assign(wanted) => {
            super::complaints::give(state, who, &c, *wanted, locale).await
        }
        BulkAction::Command(command) => {
            let actor = Actor::Officer {
                id: who.officer.id,
                role: who.role,
            };
            casework::apply(state, &actor, &c.reference(), command, locale).await
        }
    }
}

/// `POST /console/inbox/bulk`: one action on each complaint picked.
pub async fn act_on_many(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, form): Posted<BulkForm>,
) -> Response {
    let catalog = state.catalog();
    let page = Page::new(locale, &who, &catalog);
    let back = format!("/console/inbox?{}", form.get("back"));
    let problem = |status: StatusCode, text: &str| {
        pages::message_page(
            locale,
            Some(&who),
            status,
            pages::t(locale, "Tidak diterapkan", "Not applied"),
            text,
        )
    };
    let codes = form.picked();
    if codes.is_empty() {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::t(
                locale,
                "Pilih dulu pengaduan di daftar, lalu tindakannya.",
                "Pick complaints in the list first, then the action.",
            ),
        );
    }
    if codes.len() > BULK_MAX {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::t(
                locale,
                "Paling banyak 100 pengaduan sekaligus.",
                "At most 100 complaints at once.",
            ),
        );
    }
    let Some(action) = BulkAction::of(&form) else {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::t(locale, "Pilih tindakannya.", "Choose the action."),
        );
    };
    let mut done = Vec::new();
    let mut refused = Vec::new();
    for code in codes {
        match apply_one(&state, &who, &code, &action, locale).await {
            Ok(()) => done.push(code),
            Err(CaseError::Store(e)) if done.is_empty() && refused.is_empty() => {
                return store_failed(locale, &e);
            }
            Err(e) => refused.push((code, refusal_text(&e, locale))),
        }
    }
    tracing::info!(
        officer = who.officer.id,
        action = form.get("action"),
        done = done.len(),
        refused = refused.len(),
        "console: action on several complaints"
    );
    let name = match &action {
        BulkAction::Assign(_) => pages::t(locale, "Penugasan", "Assignment"),
        BulkAction::Command(c) => c.action.map_or("", |a| pages::action_name(a, locale)),
    };
    pages::html(
        StatusCode::OK,
        pages::bulk_result(&page, name, &done, &refused, &back),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> BulkForm {
        BulkForm(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn the_picked_codes_are_read_once_each_in_order() {
        let f = form(&[("pick", "B"), ("csrf", "t"), ("pick", "A"), ("pick", "B")]);
        assert_eq!(f.picked(), ["B", "A"]);
        assert_eq!(super::super::WithCsrf::csrf(&f), "t");
        assert_eq!(f.get("absent"), "");
    }

    #[test]
    fn the_form_names_one_action_this_page_offers() {
        let note = form(&[("action", "note"), ("note", "Dicek")]);
        assert!(matches!(
            BulkAction::of(&note),
            Some(BulkAction::Command(c)) if c.action == Some(Action::Note) && c.note == "Dicek"
        ));
        let dispatch = form(&[("action", "dispatch"), ("unit", "pupr")]);
        assert!(matches!(
            BulkAction::of(&dispatch),
            Some(BulkAction::Command(c)) if c.action == Some(Action::Dispatch) && c.unit == "pupr"
        ));
        let transfer = form(&[("action", "transfer"), ("region", "gianyar")]);
        assert!(matches!(
            BulkAction::of(&transfer),
            Some(BulkAction::Command(c)) if c.action == Some(Action::Transfer) && c.region == "gianyar"
        ));
        assert_eq!(
            BulkAction::of(&form(&[("action", "assign"), ("assignee", "me")])),
            Some(BulkAction::Assign(owner::Wanted::Me))
        );
        assert_eq!(
            BulkAction::of(&form(&[("action", "assign"), ("assignee", "x")])),
            None
        );
        assert_eq!(BulkAction::of(&form(&[("action", "resolve")])), None);
        assert_eq!(BulkAction::of(&form(&[])), None);
    }
}
