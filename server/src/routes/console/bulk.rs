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

    /// The complaints picked, each once, in the order given.
    fn picked(&self) -> Vec<Pick> {
        let mut picks: Vec<Pick> = Vec::new();
        for (k, v) in &self.0 {
            if k == "pick" {
                let pick = Pick::parse(v);
                if !picks.iter().any(|p| p.code == pick.code) {
                    picks.push(pick);
                }
            }
        }
        picks
    }
}

/// A complaint picked in a list, with what the list showed of it: its
/// version and who held it. As on its own page, a change of its state is
/// refused when its version has changed since, and a change of its holder
/// when its holder has: nothing anybody did meanwhile is overwritten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pick {
    pub code: String,
    /// `None` when the form did not say (then it is refused as changed).
    seen: Option<(i64, Option<i64>)>,
}

impl Pick {
    /// `CODE/VERSION/HOLDER` (the holder's id, empty for nobody), as
    /// [`pick_value`] writes it.
    pub fn parse(value: &str) -> Pick {
        let mut parts = value.trim().splitn(3, '/');
        let code = parts.next().unwrap_or_default().to_owned();
        let version = parts.next().and_then(|v| v.parse::<i64>().ok());
        let holder = parts.next().map(|h| {
            if h.is_empty() {
                Ok(None)
            } else {
                h.parse::<i64>().map(Some)
            }
        });
        let seen = match (version, holder) {
            (Some(v), Some(Ok(h))) => Some((v, h)),
            _ => None,
        };
        Pick { code, seen }
    }

    /// Whether what `action` changes of a complaint, now at `version`
    /// and held by `holder`, is still as the list showed it.
    fn unchanged(&self, version: i64, holder: Option<i64>, action: &BulkAction) -> bool {
        match (self.seen, action) {
            (Some((_, seen)), BulkAction::Assign(_)) => seen == holder,
            (Some((seen, _)), BulkAction::Command(_)) => seen == version,
            (None, _) => false,
        }
    }
}

/// The value of a row's box in a list: its code, and the version and
/// holder the list shows.
pub fn pick_value(row: &crate::store::InboxRow) -> String {
    format!(
        "{}/{}/{}",
        row.tracking_code,
        row.version,
        row.assignee_id.map(|id| id.to_string()).unwrap_or_default()
    )
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
            "Diubah petugas lain sejak daftar Anda ditampilkan; tidak ada yang ditimpa. Muat ulang daftarnya.",
            "Another officer changed it since your list was shown; nothing was overwritten. Reload the list.",
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
    pick: &Pick,
    action: &BulkAction,
    locale: Locale,
) -> Result<(), CaseError> {
    let code =
        aduan_app::tracking::TrackingCode::parse(&pick.code).map_err(|_| CaseError::NotFound)?;
    let (c, _) = state
        .store
        .officer_complaint(code.as_str(), &who.scope(&state.catalog()))
        .await
        .map_err(CaseError::Store)?
        .ok_or(CaseError::NotFound)?;
    // Out of scope is told apart from nothing before this point.
    if !pick.unchanged(c.version, c.assignee_id, action) {
        return Err(CaseError::Changed);
    }
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
    let picks = form.picked();
    if picks.is_empty() {
        return problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            pages::t(
                locale,
                "Pilih dulu pengaduan di daftar, lalu tindakannya.",
                "Pick complaints in the list first, then the action.",
            ),
        );
    }
    if picks.len() > BULK_MAX {
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
    for pick in picks {
        match apply_one(&state, &who, &pick, &action, locale).await {
            Ok(()) => done.push(pick.code),
            Err(CaseError::Store(e)) if done.is_empty() && refused.is_empty() => {
                return store_failed(locale, &e);
            }
            Err(e) => refused.push((pick.code, refusal_text(&e, locale))),
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
        let f = form(&[
            ("pick", "B/2/"),
            ("csrf", "t"),
            ("pick", "A/1/7"),
            ("pick", "B/3/"),
        ]);
        let codes: Vec<String> = f.picked().into_iter().map(|p| p.code).collect();
        assert_eq!(codes, ["B", "A"]);
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

    #[test]
    fn a_pick_carries_the_version_and_holder_the_list_showed() {
        let pick = |v: &str| Pick::parse(v).seen;
        assert_eq!(pick("BDG-1/4/"), Some((4, None)));
        assert_eq!(pick(" BDG-1/4/12 "), Some((4, Some(12))));
        assert_eq!(Pick::parse("BDG-1/4/12").code, "BDG-1");
        for garbled in [
            "BDG-1",
            "BDG-1/4",
            "BDG-1//",
            "BDG-1/x/",
            "BDG-1/4/x",
            "BDG-1/4/12/9",
        ] {
            assert_eq!(pick(garbled), None, "{garbled}");
        }
        let row = crate::store::InboxRow {
            id: 1,
            tracking_code: "BDG-1".into(),
            region_slug: "badung".into(),
            unit_key: "pupr".into(),
            category_key: "jalan".into(),
            anonymous: false,
            confidential: false,
            title: "Lubang".into(),
            status: "verified".into(),
            due_step: None,
            due_date: None,
            created_at: 0,
            version: 4,
            assignee_id: Some(12),
            assignee_name: Some("Made".into()),
        };
        assert_eq!(pick_value(&row), "BDG-1/4/12");
        assert_eq!(Pick::parse(&pick_value(&row)).seen, Some((4, Some(12))));
        let nobody = crate::store::InboxRow {
            assignee_id: None,
            ..row
        };
        assert_eq!(pick_value(&nobody), "BDG-1/4/");
    }

    #[test]
    fn an_assignment_asks_the_holder_seen_and_a_change_of_state_the_version() {
        let assign = BulkAction::Assign(owner::Wanted::Me);
        let note = BulkAction::Command(Command {
            action: Some(Action::Note),
            ..Command::default()
        });
        let seen = Pick::parse("BDG-1/4/12");
        assert!(seen.unchanged(4, Some(12), &assign));
        assert!(
            seen.unchanged(5, Some(12), &assign),
            "a new version keeps the holder"
        );
        assert!(!seen.unchanged(4, None, &assign));
        assert!(!seen.unchanged(4, Some(13), &assign));
        assert!(seen.unchanged(4, Some(12), &note));
        assert!(
            seen.unchanged(4, None, &note),
            "a new holder keeps the version"
        );
        assert!(!seen.unchanged(5, Some(12), &note));
        let free = Pick::parse("BDG-1/4/");
        assert!(free.unchanged(4, None, &assign));
        assert!(!free.unchanged(4, Some(12), &assign));
        let bare = Pick::parse("BDG-1");
        assert!(!bare.unchanged(4, None, &assign));
        assert!(!bare.unchanged(4, None, &note));
    }

    #[test]
    fn each_refusal_says_why_in_the_officers_language() {
        use std::collections::BTreeMap;
        let (id, en) = (Locale::Id, Locale::En);
        assert_eq!(
            refusal_text(&CaseError::Refused(Refusal::NotPermitted), en),
            "Your role may not do this."
        );
        assert_eq!(
            refusal_text(&CaseError::Refused(Refusal::NotPermitted), id),
            "Peran Anda tidak boleh melakukan ini."
        );
        assert_eq!(
            refusal_text(
                &CaseError::Refused(Refusal::WrongState("Sudah selesai.".into())),
                id
            ),
            "Sudah selesai."
        );
        let fields = BTreeMap::from([
            ("note", "Tulis catatan.".to_owned()),
            ("unit", "Pilih unit.".to_owned()),
        ]);
        assert_eq!(
            refusal_text(&CaseError::Refused(Refusal::Fields(fields)), id),
            "Tulis catatan. Pilih unit."
        );
        assert!(
            refusal_text(&CaseError::Changed, en)
                .starts_with("Another officer changed it since your list was shown")
        );
        assert_eq!(
            refusal_text(&CaseError::NotFound, en),
            "Not found within your scope."
        );
        assert!(refusal_text(&CaseError::NotFound, id).starts_with("Tidak ditemukan"));
    }
}
