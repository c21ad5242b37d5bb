use aduan_app::api::Privacy;

use super::*;
use crate::domain::catalog::tests::bali;

const NOW: i64 = 1_764_547_200_000; // 2025-12-01, a Monday

fn complaint(status: Status) -> ComplaintRef {
    ComplaintRef {
        id: 7,
        tracking_code: "BDG-7K3Q-XP9M-2HT4-WQ5B".into(),
        public_id: "5c1d0e9a7b3f2468".into(),
        status: status.key().into(),
        version: 3,
        region_slug: "badung".into(),
        unit_key: "pupr".into(),
        anonymous: true,
        confidential: false,
        tier: None,
        due_step: Some("verification".into()),
        due_date: Some("2025-12-03".into()),
    }
}

fn officer(role: Role) -> Actor {
    Actor::Officer { id: 11, role }
}

fn command(action: Action) -> Command {
    Command {
        message: "Kami periksa.".into(),
        note: "Catatan.".into(),
        unit: "dlh".into(),
        region: "denpasar".into(),
        tier: "moderate".into(),
        ..Command::of(action)
    }
}

fn planned(actor: &Actor, status: Status, action: Action) -> Result<Transition, Refusal> {
    plan(
        &bali(),
        actor,
        &complaint(status),
        &command(action),
        Locale::En,
        NOW,
    )
}

#[test]
fn each_actor_takes_only_its_own_actions() {
    let every = Action::ALL;
    let actors = [
        officer(Role::Admin),
        officer(Role::Province),
        officer(Role::Coordinator),
        officer(Role::Unit),
        officer(Role::Supervisor),
        Actor::Reporter,
        Actor::RegionApp {
            subscriber: 1,
            message_id: "m".into(),
        },
        Actor::Lapor {
            update_id: "u".into(),
            tracking_id: "LPR1".into(),
        },
        Actor::Clock,
    ];
    for actor in &actors {
        for action in every {
            let allowed = actor.may(action);
            let expected = match actor {
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
            };
            assert_eq!(allowed, expected, "{actor:?} {action:?}");
            if !allowed {
                for status in Status::ALL {
                    assert_eq!(
                        planned(actor, status, action).err(),
                        Some(Refusal::NotPermitted),
                        "{actor:?} {action:?}"
                    );
                }
            }
        }
    }
    assert!(!officer(Role::Supervisor).may(Action::Note));
    assert!(officer(Role::Unit).may(Action::Resolve) && !officer(Role::Unit).may(Action::Dispatch));
}

#[test]
fn a_dispatch_moves_the_state_the_unit_and_the_clock_and_forwards_once() {
    let t = planned(
        &officer(Role::Coordinator),
        Status::Submitted,
        Action::Dispatch,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (t.from_status.as_str(), t.to_status.as_str()),
        ("submitted", "verified")
    );
    assert_eq!((t.region.as_str(), t.unit.as_str()), ("badung", "dlh"));
    assert_eq!(t.detail.as_deref(), Some("unit:dlh"));
    assert_eq!(t.due_step.as_deref(), Some("follow_up_plan"));
    assert_eq!(
        t.due_date, "2025-12-08",
        "five working days from Monday 1 December"
    );
    assert_eq!(
        (t.author, t.officer_id, t.expected_version),
        ("officer", Some(11), 3)
    );
    assert_eq!(t.public_message.as_deref(), Some("Kami periksa."));
    assert_eq!(t.privacy, Privacy::Anonymous);
    assert!(t.forward_to_lapor);
    assert_eq!(t.notify, Notify::Unit);
    // Dispatching again to another unit forwards nothing new.
    let again = planned(
        &officer(Role::Coordinator),
        Status::Verified,
        Action::Dispatch,
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert!(!again.forward_to_lapor);
    assert_eq!(again.notify, Notify::Nobody);
    assert_eq!(again.due_date, "2025-12-03", "the clock keeps running");
}

#[test]
fn wrong_states_and_wrong_fields_are_refused_with_reasons() {
    assert!(matches!(
        planned(&officer(Role::Unit), Status::Submitted, Action::Resolve),
        Err(Refusal::WrongState(_))
    ));
    let mut bare = Command::of(Action::Reject);
    bare.message = "   ".into();
    let refused = plan(
        &bali(),
        &officer(Role::Coordinator),
        &complaint(Status::Submitted),
        &bare,
        Locale::En,
        NOW,
    );
    let Err(Refusal::Fields(fields)) = refused else {
        panic!("{refused:?}")
    };
    assert!(fields.contains_key("message"));
    let mut dispatch = command(Action::Dispatch);
    dispatch.unit = "nowhere".into();
    let refused = plan(
        &bali(),
        &officer(Role::Coordinator),
        &complaint(Status::Submitted),
        &dispatch,
        Locale::Id,
        NOW,
    );
    let Err(Refusal::Fields(fields)) = refused else {
        panic!("{refused:?}")
    };
    assert_eq!(
        fields.get("unit").map(String::as_str),
        Some("Pilih unit tujuan.")
    );
    let mut transfer = command(Action::Transfer);
    transfer.region = "badung".into();
    let refused = plan(
        &bali(),
        &officer(Role::Coordinator),
        &complaint(Status::Submitted),
        &transfer,
        Locale::En,
        NOW,
    );
    assert!(matches!(refused, Err(Refusal::Fields(ref f)) if f.contains_key("region")));
    let mut plan_cmd = command(Action::Plan);
    plan_cmd.tier = "enormous".into();
    let refused = plan(
        &bali(),
        &officer(Role::Unit),
        &complaint(Status::Verified),
        &plan_cmd,
        Locale::En,
        NOW,
    );
    assert!(matches!(refused, Err(Refusal::Fields(ref f)) if f.contains_key("tier")));
    let mut control = command(Action::Reply);
    control.message = "Balasan\u{0}".into();
    let refused = plan(
        &bali(),
        &officer(Role::Unit),
        &complaint(Status::Verified),
        &control,
        Locale::En,
        NOW,
    );
    assert!(matches!(refused, Err(Refusal::Fields(ref f)) if f.contains_key("message")));
    let mut note = Command::of(Action::Note);
    note.note = String::new();
    let refused = plan(
        &bali(),
        &officer(Role::Unit),
        &complaint(Status::Verified),
        &note,
        Locale::En,
        NOW,
    );
    assert!(matches!(refused, Err(Refusal::Fields(ref f)) if f.contains_key("note")));
}

#[test]
fn a_transfer_moves_the_complaint_to_the_other_coordinator_and_restarts_the_clock() {
    let t = planned(&officer(Role::Province), Status::Verified, Action::Transfer)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (t.region.as_str(), t.unit.as_str()),
        ("denpasar", "inspektorat")
    );
    assert_eq!(t.detail.as_deref(), Some("region:badung>denpasar"));
    assert_eq!(t.to_status, "submitted");
    assert_eq!(t.notify, Notify::Coordinators);
}

#[test]
fn notes_stay_internal_and_replies_are_public() {
    let note = planned(&officer(Role::Coordinator), Status::Submitted, Action::Note)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (note.public_message, note.internal_note.as_deref()),
        (None, Some("Catatan."))
    );
    let reply = planned(&officer(Role::Unit), Status::InProgress, Action::Reply)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(reply.public_message.as_deref(), Some("Kami periksa."));
    assert_eq!(reply.to_status, reply.from_status);
}

#[test]
fn the_other_doors_record_who_came_through_them() {
    let app = Actor::RegionApp {
        subscriber: 4,
        message_id: "m-1".into(),
    };
    let t = planned(&app, Status::Verified, Action::Plan).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((t.author, t.officer_id), ("officer", None));
    assert_eq!(t.inbound, Some((4, "m-1".into())));
    assert_eq!(t.detail.as_deref(), Some("app:4"));
    assert_eq!(t.tier.as_deref(), Some("moderate"));

    let lapor = Actor::Lapor {
        update_id: "upd-9".into(),
        tracking_id: "LPR7".into(),
    };
    // LAPOR reports what happened there, whatever the state here.
    let t = planned(&lapor, Status::Closed, Action::Reply).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((t.kind, t.author), ("lapor_update", "system"));
    assert_eq!(
        (t.from_status.as_str(), t.to_status.as_str()),
        ("closed", "closed")
    );
    assert_eq!(t.lapor_update.as_deref(), Some("upd-9"));
    assert_eq!(t.detail.as_deref(), Some("lapor:LPR7"));

    let t = planned(&Actor::Clock, Status::Resolved, Action::AutoClose)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        (t.author, t.to_status.as_str(), t.due_step),
        ("system", "closed", None)
    );
    assert_eq!(
        t.due_date, "2025-12-01",
        "a final state records the day it ended"
    );
    assert!(matches!(
        planned(&Actor::Clock, Status::InProgress, Action::AutoClose),
        Err(Refusal::WrongState(_))
    ));

    let t = planned(&Actor::Reporter, Status::Resolved, Action::ReporterConfirm)
        .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!((t.author, t.to_status.as_str()), ("reporter", "closed"));
    assert!(matches!(
        planned(&Actor::Reporter, Status::Submitted, Action::ReporterConfirm),
        Err(Refusal::WrongState(_))
    ));
}

#[test]
fn who_must_act_is_told() {
    assert_eq!(notify(None, Status::Submitted), Notify::Coordinators);
    assert_eq!(
        notify(Some(Status::NeedsInfo), Status::Submitted),
        Notify::Coordinators
    );
    assert_eq!(
        notify(Some(Status::Submitted), Status::Submitted),
        Notify::Nobody
    );
    assert_eq!(
        notify(Some(Status::Submitted), Status::Verified),
        Notify::Unit
    );
    assert_eq!(
        notify(Some(Status::Verified), Status::Verified),
        Notify::Nobody
    );
    assert_eq!(
        notify(Some(Status::InProgress), Status::Resolved),
        Notify::Nobody
    );
}
