//! Every change of a complaint, from whichever door (an officer in the
//! console, the reporter, a region's app, SP4N-LAPOR, the clock), as one
//! typed [`Command`] by one [`Actor`]. The core checks it against the
//! lifecycle and the actor's role, works out the new state, place and
//! clock, and decides what the change causes (a LAPOR forward, who is
//! told); the store applies all of it in one transaction. No HTTP here and
//! no SQL: handlers translate requests into commands and outcomes into
//! responses.
//!
//! Scope (which complaints an actor may reach at all) is applied when the
//! complaint is read, before a command is planned: a complaint outside it
//! is never found.

pub mod owner;

use std::collections::BTreeMap;

use aduan_app::api::{Locale, Status};

use crate::domain::calendar::add_working_days;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::{Action, Role, Tier, clock, next, permits};
use crate::state::{AppState, now_ms};
use crate::store::{ActOutcome, ComplaintRef, StoreError, Transition};

/// The longest officer's reply or note, in characters.
pub const MESSAGE_MAX: usize = 4000;

/// Who changes a complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// An officer in the console.
    Officer { id: i64, role: Role },
    /// Whoever holds the tracking code.
    Reporter,
    /// A region's own app, by a signed webhook message.
    RegionApp { subscriber: i64, message_id: String },
    /// SP4N-LAPOR, by a status update.
    Lapor {
        update_id: String,
        tracking_id: String,
    },
    /// The service's clock.
    Clock,
}

impl Actor {
    /// Whether this actor may take `action` at all.
    pub fn may(&self, action: Action) -> bool {
        match self {
            Actor::Officer { role, .. } => {
                Action::OFFICER.contains(&action) && permits(*role, action)
            }
            Actor::Reporter => action == Action::ReporterConfirm,
            Actor::RegionApp { .. } => matches!(
                action,
                Action::Dispatch
                    | Action::ReturnForInfo
                    | Action::Plan
                    | Action::Resolve
                    | Action::Reject
                    | Action::Reply
            ),
            Actor::Lapor { .. } => action == Action::Reply,
            Actor::Clock => action == Action::AutoClose,
        }
    }

    fn author(&self) -> &'static str {
        match self {
            Actor::Officer { .. } | Actor::RegionApp { .. } => "officer",
            Actor::Reporter => "reporter",
            Actor::Lapor { .. } | Actor::Clock => "system",
        }
    }
}

/// What the actor asks for, with the text they wrote, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Command {
    pub action: Option<Action>,
    pub message: String,
    pub note: String,
    pub unit: String,
    pub region: String,
    pub tier: String,
}

impl Command {
    pub fn of(action: Action) -> Command {
        Command {
            action: Some(action),
            ..Command::default()
        }
    }
}

/// Who must hear of a change by e-mail, besides the reporter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notify {
    Nobody,
    /// The coordinators of the complaint's region: it waits for them.
    Coordinators,
    /// The officers of the complaint's unit: it was dispatched to them.
    Unit,
}

/// Why a command is not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The actor may never take this action.
    NotPermitted,
    /// Not possible in the complaint's current state.
    WrongState(String),
    /// Fields that are missing or wrong, each with a sentence.
    Fields(BTreeMap<&'static str, String>),
}

/// What became of an applied command.
#[derive(Debug)]
pub enum CaseError {
    Refused(Refusal),
    /// Somebody changed the complaint since it was read; nothing was written.
    Changed,
    NotFound,
    Store(StoreError),
}

fn t(locale: Locale, id: &'static str, en: &'static str) -> String {
    match locale {
        Locale::Id | Locale::Ban => id,
        Locale::En => en,
    }
    .to_owned()
}

fn trimmed(s: &str) -> Option<&str> {
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

/// Who must act after a change from `from` to `to`.
pub fn notify(from: Option<Status>, to: Status) -> Notify {
    match (from, to) {
        (None, Status::Submitted) => Notify::Coordinators,
        (Some(f), Status::Submitted) if f != Status::Submitted => Notify::Coordinators,
        (Some(f), Status::Verified) if f != Status::Verified => Notify::Unit,
        _ => Notify::Nobody,
    }
}

/// Checks `command` by `actor` against complaint `c` and works out the
/// change: the event, the new state, place and clock, and what it causes.
pub fn plan(
    catalog: &Catalog,
    actor: &Actor,
    c: &ComplaintRef,
    command: &Command,
    locale: Locale,
    now: i64,
) -> Result<Transition, Refusal> {
    let action = command
        .action
        .filter(|a| actor.may(*a))
        .ok_or(Refusal::NotPermitted)?;
    let from = Status::from_key(&c.status).unwrap_or(Status::Submitted);
    // SP4N-LAPOR reports what happened there, whatever the state here.
    let to = if matches!(actor, Actor::Lapor { .. }) {
        Ok(from)
    } else {
        next(from, action)
    };
    let to = to.map_err(|_| {
        Refusal::WrongState(t(
            locale,
            "Tindakan ini tidak dapat dilakukan pada status pengaduan sekarang.",
            "This action is not possible in the complaint's current state.",
        ))
    })?;
    let mut errors = BTreeMap::new();
    // Whoever writes, the words reach the tracker, Open311, webhooks and
    // e-mail: they follow the same rules as a reporter's.
    let mut text = |field: &'static str, raw: &str| {
        let raw = trimmed(raw)?;
        match aduan_app::validate::paragraphs(raw, 1, MESSAGE_MAX) {
            Ok(text) => Some(text),
            Err(problem) => {
                errors.insert(field, problem.text(locale));
                None
            }
        }
    };
    let message = text("message", &command.message);
    let note = text("note", &command.note);
    if action.needs_public_message() && message.is_none() && !errors.contains_key("message") {
        errors.insert(
            "message",
            t(
                locale,
                "Tulis tanggapan untuk pelapor: alasan, rencana atau hasil tindak lanjut.",
                "Write the reply the reporter will read: the reason, the plan or the follow-up.",
            ),
        );
    }
    if action.is_internal() && note.is_none() && !errors.contains_key("note") {
        errors.insert(
            "note",
            t(
                locale,
                "Tulis catatan internal.",
                "Write the internal note.",
            ),
        );
    }
    let mut region = c.region_slug.clone();
    let mut unit = c.unit_key.clone();
    let mut tier = c.tier.clone();
    let mut detail = None;
    match action {
        Action::Dispatch => match catalog.unit(&c.region_slug, command.unit.trim()) {
            Some(u) => {
                unit = u.key.clone();
                detail = Some(format!("unit:{}", u.key));
            }
            None => {
                errors.insert("unit", t(locale, "Pilih unit tujuan.", "Choose the unit."));
            }
        },
        Action::Transfer => {
            let target = catalog
                .region(command.region.trim())
                .filter(|r| r.slug != c.region_slug);
            match target.and_then(|r| catalog.coordinator(&r.slug).map(|u| (r, u))) {
                Some((r, u)) => {
                    detail = Some(format!("region:{}>{}", c.region_slug, r.slug));
                    region = r.slug.clone();
                    unit = u.key.clone();
                }
                None => {
                    errors.insert(
                        "region",
                        t(
                            locale,
                            "Pilih daerah tujuan yang lain.",
                            "Choose another region.",
                        ),
                    );
                }
            }
        }
        Action::Plan => match Tier::from_key(command.tier.trim()) {
            Some(chosen) => {
                tier = Some(chosen.key().to_owned());
                detail = Some(format!("tier:{}", chosen.key()));
            }
            None => {
                errors.insert(
                    "tier",
                    t(locale, "Pilih tingkat kerumitan.", "Choose the complexity."),
                );
            }
        },
        _ => {}
    }
    if !errors.is_empty() {
        return Err(Refusal::Fields(errors));
    }
    let today = catalog.today(now);
    // The clock restarts when the state or the region changes; a reply or a
    // note leaves it running. A final state records the day it ended.
    let restarts = to != from || region != c.region_slug;
    let (due_step, due_date) = if !restarts {
        (
            c.due_step.clone(),
            c.due_date.clone().unwrap_or_else(|| today.to_string()),
        )
    } else {
        match clock(
            to,
            tier.as_deref().and_then(Tier::from_key),
            &catalog.settings,
        ) {
            Some((step, days)) => (
                Some(step.to_owned()),
                add_working_days(today, days, catalog.holidays(&region)).to_string(),
            ),
            None => (None, today.to_string()),
        }
    };
    let (public_message, internal_note) = if action.is_internal() {
        (None, note)
    } else {
        (message, note)
    };
    let (officer_id, kind, inbound, lapor_update) = match actor {
        Actor::Officer { id, .. } => (Some(*id), action.event_kind(), None, None),
        Actor::RegionApp {
            subscriber,
            message_id,
        } => {
            detail = Some(format!("app:{subscriber}"));
            (
                None,
                action.event_kind(),
                Some((*subscriber, message_id.clone())),
                None,
            )
        }
        Actor::Lapor {
            update_id,
            tracking_id,
        } => {
            detail = Some(format!("lapor:{tracking_id}"));
            (None, "lapor_update", None, Some(update_id.clone()))
        }
        Actor::Reporter | Actor::Clock => (None, action.event_kind(), None, None),
    };
    Ok(Transition {
        complaint_id: c.id,
        tracking_code: c.tracking_code.clone(),
        public_id: c.public_id.clone(),
        privacy: c.privacy(),
        expected_version: c.version,
        author: actor.author(),
        officer_id,
        kind,
        from_status: c.status.clone(),
        to_status: to.key().to_owned(),
        region,
        unit,
        due_step,
        due_date,
        tier,
        public_message,
        internal_note,
        detail,
        at_ms: now,
        inbound,
        lapor_update,
        // Verified complaints go to SP4N-LAPOR when their region is
        // connected to it (the store checks the region's mode as stored,
        // and forwards each complaint once).
        forward_to_lapor: to == Status::Verified && from != Status::Verified,
        notify: notify(Some(from), to),
        mail: None,
    })
}

/// Plans `command` and applies it, with e-mail as configured.
pub async fn apply(
    state: &AppState,
    actor: &Actor,
    c: &ComplaintRef,
    command: &Command,
    locale: Locale,
) -> Result<(), CaseError> {
    let transition =
        plan(&state.catalog(), actor, c, command, locale, now_ms()).map_err(CaseError::Refused)?;
    let transition = Transition {
        mail: crate::mail::MailContext::of(&state.config),
        ..transition
    };
    match state.store.act(transition).await {
        Ok(ActOutcome::Done) => Ok(()),
        Ok(ActOutcome::Changed) => Err(CaseError::Changed),
        Ok(ActOutcome::NotFound) => Err(CaseError::NotFound),
        Err(e) => Err(CaseError::Store(e)),
    }
}

#[cfg(test)]
mod tests;
