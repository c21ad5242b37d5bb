//! What one complaint's history means for the indicators: a pure reading of
//! its events with the working-day calendar (never wall-clock days).
//!
//! - **Received**: the day it was filed, in the local calendar. Every
//!   indicator counts a complaint in the period it was received in.
//! - **Verification**: the first dispatch, return for information,
//!   rejection or archiving after it arrived in the region that holds it
//!   (filed there, or transferred there); on time when no later than
//!   `verify_days` working days after that arrival.
//! - **Follow-up plan**: the first plan after the first dispatch; on time
//!   when no later than `follow_up_plan_days` working days after it.
//! - **First reply** and **resolution**: working days from receipt to the
//!   first officer's public message and to the last resolution.
//! - **Outcome**: open, resolved, closed by the reporter's confirmation or
//!   by the quiet period, or rejected (archived included).
//! - **Reopened**: how often the reporter's answer reopened a resolution.

use std::collections::BTreeSet;

use aduan_app::date::Date;

use crate::domain::calendar::{add_working_days, is_working_day};

/// An event as the indicators read it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FactEvent {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub author: String,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub public_message: Option<String>,
}

/// Whether a deadline was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timing {
    /// The step has not started (no plan is owed before a dispatch).
    None,
    /// Owed, not yet done; due on the date.
    Pending(Date),
    OnTime,
    Late,
}

impl Timing {
    pub fn key(self) -> &'static str {
        match self {
            Timing::None => "none",
            Timing::Pending(_) => "pending",
            Timing::OnTime => "on_time",
            Timing::Late => "late",
        }
    }

    pub fn due(self) -> Option<Date> {
        match self {
            Timing::Pending(d) => Some(d),
            _ => None,
        }
    }

    /// From the stored key and due date.
    pub fn from_parts(key: &str, due: Option<&str>) -> Option<Timing> {
        Some(match key {
            "none" => Timing::None,
            "pending" => Timing::Pending(Date::parse(due?)?),
            "on_time" => Timing::OnTime,
            "late" => Timing::Late,
            _ => return None,
        })
    }
}

/// How a complaint stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Open,
    Resolved,
    /// Closed by the reporter's confirmation.
    Confirmed,
    /// Closed when the quiet period passed.
    Quiet,
    Rejected,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Open,
        Outcome::Resolved,
        Outcome::Confirmed,
        Outcome::Quiet,
        Outcome::Rejected,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Resolved => "resolved",
            Outcome::Confirmed => "confirmed",
            Outcome::Quiet => "quiet",
            Outcome::Rejected => "rejected",
        }
    }

    pub fn from_key(key: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.key() == key)
    }

    /// Resolved, whether closed since or not.
    pub fn is_resolved(self) -> bool {
        matches!(
            self,
            Outcome::Resolved | Outcome::Confirmed | Outcome::Quiet
        )
    }
}

/// The calendar and limits the reading uses.
#[derive(Debug, Clone, Copy)]
pub struct Clock<'a> {
    pub offset_minutes: i32,
    pub verify_days: u32,
    pub plan_days: u32,
    pub holidays: &'a BTreeSet<Date>,
}

impl Clock<'_> {
    fn day(&self, at: i64) -> Date {
        Date::at(at, self.offset_minutes)
    }

    /// Working days after `from` up to and including `to` (0 on the same day
    /// or when `to` comes first).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut n = 0;
        let mut day = from.add_days(1);
        while day <= to {
            if is_working_day(day, self.holidays) {
                n += 1;
            }
            day = day.add_days(1);
        }
        n
    }
}

/// What the complaint row contributes besides its events.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FactSource {
    pub id: i64,
    pub region_slug: String,
    pub unit_key: String,
    pub handed_off_from: Option<String>,
    pub category_key: String,
    pub channel: String,
    pub confidential: bool,
    pub status: String,
    pub due_date: Option<String>,
    pub created_at: i64,
    pub rating: Option<i32>,
}

/// One complaint's indicators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub complaint_id: i64,
    /// The region it counts for: where it happened.
    pub region: String,
    pub unit: String,
    pub category: String,
    pub channel: String,
    pub confidential: bool,
    pub day: Date,
    pub verification: Timing,
    pub plan: Timing,
    pub first_reply_days: Option<u32>,
    pub resolution_days: Option<u32>,
    pub outcome: Outcome,
    pub reopened: u32,
    pub followups: u32,
    pub template_followups: u32,
    pub rating: Option<u8>,
    /// The due date of its current step while it is open.
    pub open_due: Option<String>,
    pub last_event_id: i64,
}

/// Event kinds that count as the verification of a complaint.
const VERIFYING: [&str; 4] = ["dispatched", "returned", "rejected", "archived"];
/// Event kinds whose public message is a follow-up (checked for templates).
pub const FOLLOW_UPS: [&str; 3] = ["planned", "resolved", "reply"];

/// True for an officer's follow-up text.
pub fn is_follow_up(e: &FactEvent) -> bool {
    e.author == "officer"
        && FOLLOW_UPS.contains(&e.kind.as_str())
        && e.public_message
            .as_deref()
            .is_some_and(|m| !m.trim().is_empty())
}

/// Reads a complaint's history (events in order). Template counts are
/// carried over from `before`: they are decided once, when a follow-up is
/// written (see [`super::ops`]).
pub fn derive(source: &FactSource, events: &[FactEvent], clock: &Clock<'_>) -> Fact {
    let received = clock.day(source.created_at);
    let arrival = events
        .iter()
        .rev()
        .find(|e| e.kind == "transferred")
        .map_or(source.created_at, |e| e.at);
    let after_arrival = || events.iter().filter(move |e| e.at >= arrival);

    let verify_due = add_working_days(clock.day(arrival), clock.verify_days, clock.holidays);
    let verification = match after_arrival()
        .find(|e| e.author == "officer" && VERIFYING.contains(&e.kind.as_str()))
    {
        Some(e) if clock.day(e.at) <= verify_due => Timing::OnTime,
        Some(_) => Timing::Late,
        None if source.status == "closed" || source.status == "rejected" => Timing::None,
        None => Timing::Pending(verify_due),
    };

    let dispatch = after_arrival().find(|e| e.kind == "dispatched");
    let plan = match dispatch {
        None => Timing::None,
        Some(d) => {
            let due = add_working_days(clock.day(d.at), clock.plan_days, clock.holidays);
            match events.iter().find(|e| e.at >= d.at && e.kind == "planned") {
                Some(p) if clock.day(p.at) <= due => Timing::OnTime,
                Some(_) => Timing::Late,
                None if matches!(source.status.as_str(), "verified") => Timing::Pending(due),
                None => Timing::None,
            }
        }
    };

    let first_reply_days = events
        .iter()
        .find(|e| {
            e.author == "officer" && e.public_message.as_deref().is_some_and(|m| !m.is_empty())
        })
        .map(|e| clock.working_days_between(received, clock.day(e.at)));

    let outcome = match source.status.as_str() {
        "resolved" => Outcome::Resolved,
        "closed" => {
            if events.iter().rev().any(|e| e.kind == "auto_closed") {
                Outcome::Quiet
            } else {
                Outcome::Confirmed
            }
        }
        "rejected" => Outcome::Rejected,
        _ => Outcome::Open,
    };
    let resolution_days = if outcome.is_resolved() {
        events
            .iter()
            .rev()
            .find(|e| e.kind == "resolved")
            .map(|e| clock.working_days_between(received, clock.day(e.at)))
    } else {
        None
    };
    let reopened = events
        .iter()
        .filter(|e| {
            e.author == "reporter"
                && e.from_status.as_deref() == Some("resolved")
                && e.to_status.as_deref() == Some("in_progress")
        })
        .count() as u32;

    Fact {
        complaint_id: source.id,
        region: source
            .handed_off_from
            .clone()
            .unwrap_or_else(|| source.region_slug.clone()),
        unit: source.unit_key.clone(),
        category: source.category_key.clone(),
        channel: source.channel.clone(),
        confidential: source.confidential,
        day: received,
        verification,
        plan,
        first_reply_days,
        resolution_days,
        outcome,
        reopened,
        followups: 0,
        template_followups: 0,
        rating: source
            .rating
            .and_then(|r| u8::try_from(r).ok())
            .filter(|r| (1..=5).contains(r)),
        open_due: source.due_date.clone().filter(|_| {
            !matches!(
                source.status.as_str(),
                "closed" | "rejected" | "transferred_out"
            )
        }),
        last_event_id: events.last().map_or(0, |e| e.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WITA: i32 = 480;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap_or_else(|| Date::from_days(0))
    }

    /// Noon, local time, on `day`.
    fn noon(day: &str) -> i64 {
        (d(day).to_days() * 86_400 + 12 * 3_600 - i64::from(WITA) * 60) * 1_000
    }

    fn source(status: &str, created: &str) -> FactSource {
        FactSource {
            id: 7,
            region_slug: "badung".into(),
            unit_key: "pupr".into(),
            handed_off_from: None,
            category_key: "jalan".into(),
            channel: "widget".into(),
            confidential: false,
            status: status.into(),
            due_date: Some("2026-12-31".into()),
            created_at: noon(created),
            rating: None,
        }
    }

    struct History(Vec<FactEvent>);

    impl History {
        fn new() -> History {
            History(Vec::new())
        }
        fn ev(
            mut self,
            day: &str,
            kind: &str,
            author: &str,
            from: &str,
            to: &str,
            msg: &str,
        ) -> History {
            let id = self.0.len() as i64 + 1;
            self.0.push(FactEvent {
                id,
                at: noon(day),
                kind: kind.into(),
                author: author.into(),
                from_status: (!from.is_empty()).then(|| from.into()),
                to_status: (!to.is_empty()).then(|| to.into()),
                public_message: (!msg.is_empty()).then(|| msg.into()),
            });
            self
        }
        fn officer(self, day: &str, kind: &str, from: &str, to: &str, msg: &str) -> History {
            self.ev(day, kind, "officer", from, to, msg)
        }
    }

    fn clock(holidays: &BTreeSet<Date>) -> Clock<'_> {
        Clock {
            offset_minutes: WITA,
            verify_days: 3,
            plan_days: 5,
            holidays,
        }
    }

    #[test]
    fn a_friday_complaint_verified_on_wednesday_is_on_time_and_thursday_is_late() {
        let none = BTreeSet::new();
        // Friday 27 November 2026: due Wednesday 2 December.
        for (day, timing, reply_days) in [
            ("2026-12-02", Timing::OnTime, 3),
            ("2026-12-03", Timing::Late, 4),
        ] {
            let h = History::new()
                .ev("2026-11-27", "submitted", "reporter", "", "submitted", "")
                .officer(
                    day,
                    "returned",
                    "submitted",
                    "needs_info",
                    "Mohon foto lokasi.",
                );
            let f = derive(&source("needs_info", "2026-11-27"), &h.0, &clock(&none));
            assert_eq!(f.verification, timing, "{day}");
            assert_eq!(f.plan, Timing::None);
            assert_eq!(f.first_reply_days, Some(reply_days));
            assert_eq!(f.outcome, Outcome::Open);
            assert_eq!(f.day, d("2026-11-27"));
            assert_eq!(f.last_event_id, 2);
        }
    }

    #[test]
    fn holidays_and_weekends_extend_the_verification_deadline() {
        // Tuesday 17 March 2026; Nyepi on Thursday 19th: due Monday 23rd.
        let nyepi: BTreeSet<Date> = [d("2026-03-19")].into();
        let h = History::new()
            .ev("2026-03-17", "submitted", "reporter", "", "submitted", "")
            .officer("2026-03-23", "dispatched", "submitted", "verified", "");
        let f = derive(&source("verified", "2026-03-17"), &h.0, &clock(&nyepi));
        assert_eq!(f.verification, Timing::OnTime);
        assert_eq!(
            f.open_due.as_deref(),
            Some("2026-12-31"),
            "open: its step's due date"
        );
        let f = derive(
            &source("verified", "2026-03-17"),
            &h.0,
            &clock(&BTreeSet::new()),
        );
        assert_eq!(f.verification, Timing::Late);
        // Dispatched, no plan yet: the plan is owed five working days later.
        assert_eq!(f.plan, Timing::Pending(d("2026-03-30")));
        assert_eq!(f.first_reply_days, None);
    }

    #[test]
    fn an_unverified_complaint_is_pending_with_its_due_date() {
        let h = History::new().ev("2026-11-28", "submitted", "reporter", "", "submitted", "");
        // Saturday: the count starts on Monday.
        let f = derive(
            &source("submitted", "2026-11-28"),
            &h.0,
            &clock(&BTreeSet::new()),
        );
        assert_eq!(f.verification, Timing::Pending(d("2026-12-02")));
        assert_eq!(f.verification.due(), Some(d("2026-12-02")));
        assert_eq!(f.plan, Timing::None);
    }

    #[test]
    fn a_complaint_reopened_twice_counts_twice_and_resolves_at_its_last_resolution() {
        let none = BTreeSet::new();
        let h = History::new()
            .ev("2026-11-02", "submitted", "reporter", "", "submitted", "")
            .officer("2026-11-03", "dispatched", "submitted", "verified", "")
            .officer(
                "2026-11-09",
                "planned",
                "verified",
                "in_progress",
                "Kami perbaiki.",
            )
            .officer(
                "2026-11-10",
                "resolved",
                "in_progress",
                "resolved",
                "Sudah diperbaiki.",
            )
            .ev(
                "2026-11-11",
                "reply",
                "reporter",
                "resolved",
                "in_progress",
                "Belum.",
            )
            .officer(
                "2026-11-12",
                "resolved",
                "in_progress",
                "resolved",
                "Sudah.",
            )
            .ev(
                "2026-11-13",
                "reply",
                "reporter",
                "resolved",
                "in_progress",
                "Masih belum.",
            )
            .officer(
                "2026-11-20",
                "resolved",
                "in_progress",
                "resolved",
                "Selesai.",
            )
            .ev(
                "2026-11-23",
                "confirmed",
                "reporter",
                "resolved",
                "closed",
                "",
            );
        let mut s = source("closed", "2026-11-02");
        s.rating = Some(4);
        let f = derive(&s, &h.0, &clock(&none));
        assert_eq!(f.verification, Timing::OnTime);
        // Dispatched Tuesday 3rd, due Tuesday 10th; planned Monday 9th.
        assert_eq!(f.plan, Timing::OnTime);
        assert_eq!(f.reopened, 2);
        assert_eq!(f.outcome, Outcome::Confirmed);
        // Monday 2nd to Friday 20th: 14 working days.
        assert_eq!(f.resolution_days, Some(14));
        assert_eq!(f.first_reply_days, Some(5));
        assert_eq!(f.rating, Some(4));
    }

    #[test]
    fn a_quiet_close_and_a_reopened_complaint_not_yet_resolved() {
        let none = BTreeSet::new();
        let base = History::new()
            .ev("2026-11-02", "submitted", "reporter", "", "submitted", "")
            .officer("2026-11-02", "dispatched", "submitted", "verified", "")
            .officer(
                "2026-11-16",
                "planned",
                "verified",
                "in_progress",
                "Rencana.",
            )
            .officer(
                "2026-11-17",
                "resolved",
                "in_progress",
                "resolved",
                "Selesai.",
            );
        let quiet = History(base.0.clone()).ev(
            "2026-12-02",
            "auto_closed",
            "system",
            "resolved",
            "closed",
            "",
        );
        let f = derive(&source("closed", "2026-11-02"), &quiet.0, &clock(&none));
        assert_eq!(f.outcome, Outcome::Quiet);
        assert_eq!(f.plan, Timing::Late);
        assert_eq!(f.verification, Timing::OnTime);
        assert_eq!(f.first_reply_days, Some(10));
        let reopened = base.ev(
            "2026-11-18",
            "reply",
            "reporter",
            "resolved",
            "in_progress",
            "Belum.",
        );
        let f = derive(
            &source("in_progress", "2026-11-02"),
            &reopened.0,
            &clock(&none),
        );
        assert_eq!(f.outcome, Outcome::Open);
        assert_eq!(f.resolution_days, None);
        assert_eq!(f.reopened, 1);
        // A reporter's own words never count as a reply.
        assert_eq!(f.first_reply_days, Some(10));
    }

    #[test]
    fn a_transfer_starts_the_receiving_regions_verification_clock() {
        let none = BTreeSet::new();
        let h = History::new()
            .ev("2026-11-02", "submitted", "reporter", "", "submitted", "")
            .officer("2026-11-09", "transferred", "submitted", "submitted", "")
            .officer("2026-11-11", "dispatched", "submitted", "verified", "");
        let mut s = source("verified", "2026-11-02");
        s.region_slug = "buleleng".into();
        let f = derive(&s, &h.0, &clock(&none));
        // Late for Badung (due 5 November), on time for Buleleng (due 12th).
        assert_eq!(f.verification, Timing::OnTime);
        assert_eq!(f.region, "buleleng");
        assert_eq!(
            f.day,
            d("2026-11-02"),
            "it counts when the citizen filed it"
        );
    }

    #[test]
    fn a_handed_off_complaint_counts_where_it_happened() {
        let mut s = source("submitted", "2026-11-02");
        s.region_slug = "bali".into();
        s.unit_key = "saber-pungli".into();
        s.handed_off_from = Some("badung".into());
        let f = derive(&s, &[], &clock(&BTreeSet::new()));
        assert_eq!(f.region, "badung");
        assert_eq!(f.unit, "saber-pungli");
        assert_eq!(f.last_event_id, 0);
    }

    #[test]
    fn a_rejection_is_a_verification_and_an_outcome() {
        let h = History::new()
            .ev("2026-11-02", "submitted", "reporter", "", "submitted", "")
            .officer(
                "2026-11-03",
                "rejected",
                "submitted",
                "rejected",
                "Bukan wewenang kami.",
            );
        let f = derive(
            &source("rejected", "2026-11-02"),
            &h.0,
            &clock(&BTreeSet::new()),
        );
        assert_eq!(f.verification, Timing::OnTime);
        assert_eq!(f.outcome, Outcome::Rejected);
        assert_eq!(f.plan, Timing::None);
        assert_eq!(f.resolution_days, None);
        assert_eq!(f.first_reply_days, Some(1));
    }

    #[test]
    fn a_resolved_complaint_waiting_for_its_reporter_counts_as_resolved() {
        let h = History::new()
            .ev("2026-11-02", "submitted", "reporter", "", "submitted", "")
            .officer("2026-11-03", "dispatched", "submitted", "verified", "")
            .officer(
                "2026-11-04",
                "planned",
                "verified",
                "in_progress",
                "Rencana.",
            )
            .officer(
                "2026-11-06",
                "resolved",
                "in_progress",
                "resolved",
                "Selesai.",
            );
        let f = derive(
            &source("resolved", "2026-11-02"),
            &h.0,
            &clock(&BTreeSet::new()),
        );
        assert_eq!(f.outcome, Outcome::Resolved);
        assert_eq!(f.resolution_days, Some(4));
        assert_eq!(f.plan, Timing::OnTime);
    }

    #[test]
    fn no_plan_is_owed_once_a_dispatched_complaint_went_back_or_was_rejected() {
        let none = BTreeSet::new();
        for (kind, to) in [("returned", "needs_info"), ("rejected", "rejected")] {
            let h = History::new()
                .ev("2026-11-02", "submitted", "reporter", "", "submitted", "")
                .officer("2026-11-03", "dispatched", "submitted", "verified", "")
                .officer("2026-11-04", kind, "verified", to, "Mohon keterangan.");
            let f = derive(&source(to, "2026-11-02"), &h.0, &clock(&none));
            assert_eq!(f.plan, Timing::None, "{kind}");
        }
    }

    #[test]
    fn only_an_officers_verifying_step_verifies() {
        let none = BTreeSet::new();
        // A note and a reply on Monday do not verify; the dispatch on
        // Thursday, after the Wednesday deadline, is late.
        let h = History::new()
            .ev("2026-11-27", "submitted", "reporter", "", "submitted", "")
            .officer("2026-11-30", "note", "", "", "")
            .officer("2026-11-30", "reply", "", "", "Sedang kami periksa.")
            .officer("2026-12-03", "dispatched", "submitted", "verified", "");
        let f = derive(&source("verified", "2026-11-27"), &h.0, &clock(&none));
        assert_eq!(f.verification, Timing::Late);
        assert_eq!(f.first_reply_days, Some(1), "the reply is still a reply");
    }

    #[test]
    fn a_complaint_ended_without_an_officers_verification_owes_none() {
        let none = BTreeSet::new();
        for status in ["rejected", "closed"] {
            // Ended by the service (not an officer): nothing is owed, nothing late.
            let h = History::new()
                .ev("2026-11-02", "submitted", "reporter", "", "submitted", "")
                .ev("2026-11-20", "rejected", "system", "submitted", status, "");
            let f = derive(&source(status, "2026-11-02"), &h.0, &clock(&none));
            assert_eq!(f.verification, Timing::None, "{status}");
            assert_eq!(f.open_due, None, "{status}");
        }
        // Still open: owed, with its due date.
        let h = History::new().ev("2026-11-02", "submitted", "reporter", "", "submitted", "");
        let f = derive(&source("needs_info", "2026-11-02"), &h.0, &clock(&none));
        assert_eq!(f.verification, Timing::Pending(d("2026-11-05")));
    }

    #[test]
    fn follow_ups_are_officers_public_plans_resolutions_and_replies() {
        let h = History::new()
            .officer("2026-11-03", "planned", "", "", "Rencana.")
            .officer("2026-11-03", "note", "", "", "")
            .officer("2026-11-03", "returned", "", "", "Foto?")
            .officer("2026-11-03", "reply", "", "", "  ")
            .ev("2026-11-03", "reply", "reporter", "", "", "Terima kasih");
        let flags: Vec<bool> = h.0.iter().map(is_follow_up).collect();
        assert_eq!(flags, [true, false, false, false, false]);
    }

    #[test]
    fn working_days_between_counts_the_end_not_the_start() {
        let none = BTreeSet::new();
        let c = clock(&none);
        assert_eq!(c.working_days_between(d("2026-11-27"), d("2026-11-27")), 0);
        assert_eq!(c.working_days_between(d("2026-11-27"), d("2026-11-30")), 1);
        assert_eq!(c.working_days_between(d("2026-11-30"), d("2026-11-27")), 0);
        assert_eq!(c.working_days_between(d("2026-11-28"), d("2026-11-29")), 0);
    }

    #[test]
    fn timings_and_outcomes_round_trip_their_keys() {
        for t in [
            Timing::None,
            Timing::OnTime,
            Timing::Late,
            Timing::Pending(d("2026-01-02")),
        ] {
            let due = t.due().map(|d| d.to_string());
            assert_eq!(Timing::from_parts(t.key(), due.as_deref()), Some(t));
        }
        assert_eq!(Timing::from_parts("pending", None), None);
        assert_eq!(Timing::from_parts("soon", None), None);
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_key(o.key()), Some(o));
        }
        assert!(
            Outcome::Quiet.is_resolved()
                && !Outcome::Rejected.is_resolved()
                && !Outcome::Open.is_resolved()
        );
    }
}
