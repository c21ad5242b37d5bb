//! Who is on a complaint: one officer of its unit at a time, by name.
//!
//! A unit officer takes a complaint of their unit, or gives it to a
//! colleague of the unit; a coordinator gives any complaint of the region
//! to an officer of its unit; either gives it back to the unit. A
//! complaint that moves to another unit or region leaves its holder, and
//! an officer who is deactivated gives back everything they held. Each
//! change is an event of the complaint's history, inside the console only
//! (see [`crate::disclosure::is_internal_event`]).

use std::collections::BTreeMap;

use aduan_app::api::{Locale, Status};

use super::Refusal;
use crate::domain::catalog::Catalog;
use crate::domain::lifecycle::Role;
use crate::store::console::OfficerEntry;

/// The event kind of a change of holder.
pub const KIND: &str = "assigned";

/// Whether `officer` may hold a complaint in `region` with `unit`: an
/// active officer of that region and unit, or a coordinator of the region
/// while the complaint waits with its coordinating unit.
pub fn may_hold(catalog: &Catalog, officer: &OfficerEntry, region: &str, unit: &str) -> bool {
    let o = &officer.officer;
    officer.active
        && o.region_slug == region
        && match Role::from_key(&o.role) {
            Some(Role::Unit) => o.unit_key.as_deref() == Some(unit),
            Some(Role::Coordinator) => catalog.coordinator(region).is_some_and(|u| u.key == unit),
            _ => false,
        }
}

/// What an officer asks of a complaint's holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// The officer takes it.
    Me,
    /// Given to this officer.
    Officer(i64),
    /// Back to the unit.
    Nobody,
}

impl Wanted {
    /// From a form's value: `me`, an officer's id, or empty for nobody;
    /// `None` for anything else.
    pub fn parse(value: &str) -> Option<Wanted> {
        match value.trim() {
            "" => Some(Wanted::Nobody),
            "me" => Some(Wanted::Me),
            id => id.parse().ok().filter(|id| *id > 0).map(Wanted::Officer),
        }
    }

    /// The officer who will hold it, for the officer `me`.
    pub fn officer(self, me: i64) -> Option<i64> {
        match self {
            Wanted::Me => Some(me),
            Wanted::Officer(id) => Some(id),
            Wanted::Nobody => None,
        }
    }
}

fn t(locale: Locale, id: &str, en: &str) -> String {
    match locale {
        Locale::En => en,
        Locale::Id | Locale::Ban => id,
    }
    .to_owned()
}

/// Checks that an officer in `role` may give a complaint in `status`, held
/// by `holder`, to `target` (none: back to the unit); `eligible` says
/// whether the target may hold it ([`may_hold`]).
pub fn check(
    role: Role,
    status: &str,
    holder: Option<i64>,
    target: Option<i64>,
    eligible: bool,
    locale: Locale,
) -> Result<(), Refusal> {
    if !matches!(role, Role::Coordinator | Role::Unit) {
        return Err(Refusal::NotPermitted);
    }
    if Status::from_key(status).is_none_or(Status::is_final) {
        return Err(Refusal::WrongState(t(
            locale,
            "Pengaduan yang sudah selesai tidak dipegang siapa pun.",
            "A complaint that has ended is nobody's to hold.",
        )));
    }
    if target == holder {
        return Err(Refusal::WrongState(match target {
            Some(_) => t(
                locale,
                "Pengaduan ini sudah dipegang petugas itu.",
                "That officer holds this complaint already.",
            ),
            None => t(
                locale,
                "Pengaduan ini belum dipegang siapa pun.",
                "Nobody holds this complaint.",
            ),
        }));
    }
    if target.is_some() && !eligible {
        return Err(Refusal::Fields(BTreeMap::from([(
            "assignee",
            t(
                locale,
                "Pilih petugas aktif dari unit pengaduan ini.",
                "Choose an active officer of this complaint's unit.",
            ),
        )])));
    }
    Ok(())
}

/// The event's detail: `to:{id}:{name}`, or `released` (`:deactivated`
/// when the holder was deactivated).
pub fn detail(assignee: Option<&(i64, String)>, deactivated: bool) -> String {
    match (assignee, deactivated) {
        (Some((id, name)), _) => format!("to:{id}:{name}"),
        (None, false) => "released".to_owned(),
        (None, true) => "released:deactivated".to_owned(),
    }
}

/// What an event's detail says: the holder's name (none: released) and
/// whether the holder was deactivated.
pub fn read_detail(detail: &str) -> Option<(Option<&str>, bool)> {
    match detail {
        "released" => Some((None, false)),
        "released:deactivated" => Some((None, true)),
        _ => {
            let (_, name) = detail.strip_prefix("to:")?.split_once(':')?;
            Some((Some(name), false))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalog::tests::bali;
    use crate::store::console::Officer;

    fn entry(role: &str, region: &str, unit: Option<&str>, active: bool) -> OfficerEntry {
        OfficerEntry {
            officer: Officer {
                id: 5,
                email: "o@example.id".into(),
                name: "Petugas".into(),
                role: role.into(),
                region_slug: region.into(),
                unit_key: unit.map(Into::into),
            },
            active,
        }
    }

    #[test]
    fn only_an_active_officer_of_the_unit_may_hold_it() {
        let catalog = bali();
        let coordinating = catalog
            .coordinator("badung")
            .map(|u| u.key.clone())
            .unwrap();
        assert!(may_hold(
            &catalog,
            &entry("unit", "badung", Some("pupr"), true),
            "badung",
            "pupr"
        ));
        assert!(!may_hold(
            &catalog,
            &entry("unit", "badung", Some("pupr"), false),
            "badung",
            "pupr"
        ));
        assert!(!may_hold(
            &catalog,
            &entry("unit", "badung", Some("dlhk"), true),
            "badung",
            "pupr"
        ));
        assert!(!may_hold(
            &catalog,
            &entry("unit", "gianyar", Some("pupr"), true),
            "badung",
            "pupr"
        ));
        assert!(!may_hold(
            &catalog,
            &entry("unit", "badung", None, true),
            "badung",
            "pupr"
        ));
        // A coordinator holds what waits with the coordinating unit, not a unit's.
        assert!(may_hold(
            &catalog,
            &entry("coordinator", "badung", None, true),
            "badung",
            &coordinating
        ));
        assert!(!may_hold(
            &catalog,
            &entry("coordinator", "badung", None, true),
            "badung",
            "pupr"
        ));
        assert!(!may_hold(
            &catalog,
            &entry("supervisor", "badung", None, true),
            "badung",
            &coordinating
        ));
        assert!(!may_hold(
            &catalog,
            &entry("admin", "badung", Some("pupr"), true),
            "badung",
            "pupr"
        ));
    }

    #[test]
    fn a_form_asks_for_me_an_officer_or_nobody() {
        assert_eq!(Wanted::parse("me"), Some(Wanted::Me));
        assert_eq!(Wanted::parse(" 12 "), Some(Wanted::Officer(12)));
        assert_eq!(Wanted::parse(""), Some(Wanted::Nobody));
        assert_eq!(Wanted::parse("0"), None);
        assert_eq!(Wanted::parse("-3"), None);
        assert_eq!(Wanted::parse("someone"), None);
        assert_eq!(Wanted::Me.officer(7), Some(7));
        assert_eq!(Wanted::Officer(9).officer(7), Some(9));
        assert_eq!(Wanted::Nobody.officer(7), None);
    }

    #[test]
    fn who_may_give_a_complaint_and_when() {
        let en = Locale::En;
        assert_eq!(
            check(Role::Unit, "verified", None, Some(5), true, en),
            Ok(())
        );
        assert_eq!(
            check(Role::Coordinator, "in_progress", Some(5), Some(6), true, en),
            Ok(())
        );
        assert_eq!(
            check(Role::Unit, "submitted", Some(5), None, false, en),
            Ok(())
        );
        for role in [Role::Supervisor, Role::Province, Role::Admin] {
            assert_eq!(
                check(role, "verified", None, Some(5), true, en),
                Err(Refusal::NotPermitted)
            );
        }
        for status in ["closed", "rejected", "transferred_out", "unknown"] {
            assert!(matches!(
                check(Role::Unit, status, None, Some(5), true, en),
                Err(Refusal::WrongState(_))
            ));
        }
        assert!(matches!(
            check(Role::Unit, "verified", Some(5), Some(5), true, en),
            Err(Refusal::WrongState(m)) if m.contains("holds this complaint already")
        ));
        assert!(matches!(
            check(Role::Unit, "verified", None, None, true, Locale::Id),
            Err(Refusal::WrongState(m)) if m.contains("belum dipegang")
        ));
        assert!(matches!(
            check(Role::Unit, "verified", None, Some(5), false, en),
            Err(Refusal::Fields(f)) if f.contains_key("assignee")
        ));
    }

    #[test]
    fn the_detail_names_the_holder_or_the_release() {
        let given = detail(Some(&(4, "Made: Juru Ukur".into())), false);
        assert_eq!(given, "to:4:Made: Juru Ukur");
        assert_eq!(read_detail(&given), Some((Some("Made: Juru Ukur"), false)));
        assert_eq!(detail(None, false), "released");
        assert_eq!(read_detail("released"), Some((None, false)));
        assert_eq!(detail(None, true), "released:deactivated");
        assert_eq!(read_detail("released:deactivated"), Some((None, true)));
        assert_eq!(read_detail("unit:pupr"), None);
        assert_eq!(read_detail("to:4"), None);
    }
}
