//! The complaint lifecycle as a pure state machine: which action moves a
//! complaint from which state to which, who may take it, and which clock
//! starts afterwards.
//!
//! ```text
//! submitted ──dispatch──▶ verified ──plan──▶ in_progress ──resolve──▶ resolved ──confirm / quiet period──▶ closed
//!     ▲  │                   │                    ▲                      │
//!     │  └─return─▶ needs_info (reporter replies ─▶ submitted)           └─reporter answers (reopen)─┘
//!     └──── transfer (to another region; the history goes with it)
//! submitted / needs_info / verified ──reject or archive (with a reason)──▶ rejected
//! ```

use aduan_app::api::Status;

use super::catalog::Settings;

/// What an officer may do, by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Regions, units, officers; reads everything, edits routing rules.
    Admin,
    /// Every Bali region: reads, transfers between regions.
    Province,
    /// One region: verifies, returns, dispatches, transfers, rejects.
    Coordinator,
    /// One unit of one region: plans the follow-up, replies, resolves.
    Unit,
    /// One region or the province: reads only.
    Supervisor,
    /// One region's websites: registers them and sets up the widget on
    /// them; sees no complaint.
    Webmaster,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Province,
        Role::Coordinator,
        Role::Unit,
        Role::Supervisor,
        Role::Webmaster,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Province => "province",
            Role::Coordinator => "coordinator",
            Role::Unit => "unit",
            Role::Supervisor => "supervisor",
            Role::Webmaster => "webmaster",
        }
    }

    pub fn from_key(key: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.key() == key)
    }

    /// Whether the role reads complaints at all (a webmaster does not).
    pub fn reads_complaints(self) -> bool {
        self != Role::Webmaster
    }

    /// Roles whose scope is every region.
    pub fn sees_every_region(self) -> bool {
        matches!(self, Role::Admin | Role::Province)
    }
}

/// Something done to a complaint. Officers take the first ones; the
/// reporter and the service take the last three.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Verify and assign to a unit (again, to move it to another unit).
    Dispatch,
    /// Return to the reporter for more information.
    ReturnForInfo,
    /// Write the follow-up plan.
    Plan,
    /// Write the follow-up; the reporter may confirm or answer.
    Resolve,
    /// Refuse, with a reason the reporter sees.
    Reject,
    /// Archive (not a complaint the service can act on), with a reason.
    Archive,
    /// Hand over to another region's coordinator.
    Transfer,
    /// A public reply without a change of state.
    Reply,
    /// An internal note, never shown to the reporter.
    Note,
    /// The reporter writes (needs_info resumes, resolved reopens).
    ReporterReply,
    /// The reporter confirms the resolution.
    ReporterConfirm,
    /// The quiet period after the resolution passed without an answer.
    AutoClose,
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 12] = [
        Action::Dispatch,
        Action::ReturnForInfo,
        Action::Plan,
        Action::Resolve,
        Action::Reject,
        Action::Archive,
        Action::Transfer,
        Action::Reply,
        Action::Note,
        Action::ReporterReply,
        Action::ReporterConfirm,
        Action::AutoClose,
    ];

    /// The actions officers take in the console, in the order it lists them.
    pub const OFFICER: [Action; 9] = [
        Action::Dispatch,
        Action::Plan,
        Action::Resolve,
        Action::ReturnForInfo,
        Action::Reply,
        Action::Note,
        Action::Transfer,
        Action::Reject,
        Action::Archive,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Action::Dispatch => "dispatch",
            Action::ReturnForInfo => "return",
            Action::Plan => "plan",
            Action::Resolve => "resolve",
            Action::Reject => "reject",
            Action::Archive => "archive",
            Action::Transfer => "transfer",
            Action::Reply => "reply",
            Action::Note => "note",
            Action::ReporterReply => "reporter_reply",
            Action::ReporterConfirm => "confirm",
            Action::AutoClose => "auto_close",
        }
    }

    pub fn from_key(key: &str) -> Option<Action> {
        Action::OFFICER
            .into_iter()
            .chain([
                Action::ReporterReply,
                Action::ReporterConfirm,
                Action::AutoClose,
            ])
            .find(|a| a.key() == key)
    }

    /// The event kind the action leaves in the history.
    pub fn event_kind(self) -> &'static str {
        match self {
            Action::Dispatch => "dispatched",
            Action::ReturnForInfo => "returned",
            Action::Plan => "planned",
            Action::Resolve => "resolved",
            Action::Reject => "rejected",
            Action::Archive => "archived",
            Action::Transfer => "transferred",
            Action::Reply | Action::ReporterReply => "reply",
            Action::Note => "note",
            Action::ReporterConfirm => "confirmed",
            Action::AutoClose => "auto_closed",
        }
    }

    /// True when the action must carry a public message (the reporter is
    /// owed the reason, the plan, the follow-up or the question).
    pub fn needs_public_message(self) -> bool {
        matches!(
            self,
            Action::ReturnForInfo
                | Action::Plan
                | Action::Resolve
                | Action::Reject
                | Action::Archive
                | Action::Reply
                | Action::ReporterReply
        )
    }

    /// True when the action carries only an internal note.
    pub fn is_internal(self) -> bool {
        self == Action::Note
    }
}

/// Whether `role` may ever take `action` (the scope check is separate).
pub fn permits(role: Role, action: Action) -> bool {
    match role {
        Role::Coordinator => matches!(
            action,
            Action::Dispatch
                | Action::ReturnForInfo
                | Action::Reject
                | Action::Archive
                | Action::Transfer
                | Action::Reply
                | Action::Note
        ),
        Role::Unit => matches!(
            action,
            Action::Plan | Action::Resolve | Action::Reply | Action::Note
        ),
        Role::Province => matches!(action, Action::Transfer | Action::Note),
        Role::Admin | Role::Supervisor | Role::Webmaster => false,
    }
}

/// Why a transition is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("`{action}` is not possible while the complaint is `{from}`")]
pub struct Refused {
    pub from: &'static str,
    pub action: &'static str,
}

/// The state after `action`, or why it cannot be taken now.
pub fn next(from: Status, action: Action) -> Result<Status, Refused> {
    use Status::*;
    let to = match (from, action) {
        (Submitted | Verified, Action::Dispatch) => Some(Verified),
        (Submitted | Verified, Action::ReturnForInfo) => Some(NeedsInfo),
        (Verified, Action::Plan) => Some(InProgress),
        (InProgress, Action::Resolve) => Some(Resolved),
        (Submitted | NeedsInfo | Verified, Action::Reject | Action::Archive) => Some(Rejected),
        (Submitted | NeedsInfo | Verified | InProgress, Action::Transfer) => Some(Submitted),
        (s, Action::Reply | Action::Note) if !s.is_final() => Some(s),
        (NeedsInfo, Action::ReporterReply) => Some(Submitted),
        (Resolved, Action::ReporterReply) => Some(InProgress),
        (s, Action::ReporterReply) if !s.is_final() => Some(s),
        (Resolved, Action::ReporterConfirm | Action::AutoClose) => Some(Closed),
        _ => None,
    };
    to.ok_or(Refused {
        from: from.key(),
        action: action.key(),
    })
}

/// How much work the follow-up is, chosen with the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    Simple,
    Moderate,
    Complex,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Simple, Tier::Moderate, Tier::Complex];

    pub fn key(self) -> &'static str {
        match self {
            Tier::Simple => "simple",
            Tier::Moderate => "moderate",
            Tier::Complex => "complex",
        }
    }

    pub fn from_key(key: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.key() == key)
    }

    pub fn days(self, settings: &Settings) -> u32 {
        match self {
            Tier::Simple => settings.tier_simple_days,
            Tier::Moderate => settings.tier_moderate_days,
            Tier::Complex => settings.tier_complex_days,
        }
    }
}

/// The clock that runs in a state: the step it times and its length in
/// working days. Final states run none.
pub fn clock(
    status: Status,
    tier: Option<Tier>,
    settings: &Settings,
) -> Option<(&'static str, u32)> {
    match status {
        Status::Submitted => Some(("verification", settings.verify_days)),
        Status::Verified => Some(("follow_up_plan", settings.follow_up_plan_days)),
        Status::InProgress => Some(("follow_up", tier.unwrap_or(Tier::Simple).days(settings))),
        Status::NeedsInfo => Some(("reporter_information", settings.auto_close_days)),
        Status::Resolved => Some(("reporter_confirmation", settings.auto_close_days)),
        Status::Closed | Status::Rejected | Status::TransferredOut => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            timezone_offset_minutes: 480,
            verify_days: 3,
            follow_up_plan_days: 5,
            auto_close_days: 10,
            tier_simple_days: 5,
            tier_moderate_days: 14,
            tier_complex_days: 60,
        }
    }

    const ALL_ACTIONS: [Action; 12] = Action::ALL;

    /// Every allowed transition, written out; everything else is refused.
    const ALLOWED: &[(Status, Action, Status)] = {
        use Status::*;
        &[
            (Submitted, Action::Dispatch, Verified),
            (Verified, Action::Dispatch, Verified),
            (Submitted, Action::ReturnForInfo, NeedsInfo),
            (Verified, Action::ReturnForInfo, NeedsInfo),
            (Verified, Action::Plan, InProgress),
            (InProgress, Action::Resolve, Resolved),
            (Submitted, Action::Reject, Rejected),
            (NeedsInfo, Action::Reject, Rejected),
            (Verified, Action::Reject, Rejected),
            (Submitted, Action::Archive, Rejected),
            (NeedsInfo, Action::Archive, Rejected),
            (Verified, Action::Archive, Rejected),
            (Submitted, Action::Transfer, Submitted),
            (NeedsInfo, Action::Transfer, Submitted),
            (Verified, Action::Transfer, Submitted),
            (InProgress, Action::Transfer, Submitted),
            (Submitted, Action::Reply, Submitted),
            (NeedsInfo, Action::Reply, NeedsInfo),
            (Verified, Action::Reply, Verified),
            (InProgress, Action::Reply, InProgress),
            (Resolved, Action::Reply, Resolved),
            (Submitted, Action::Note, Submitted),
            (NeedsInfo, Action::Note, NeedsInfo),
            (Verified, Action::Note, Verified),
            (InProgress, Action::Note, InProgress),
            (Resolved, Action::Note, Resolved),
            (Submitted, Action::ReporterReply, Submitted),
            (NeedsInfo, Action::ReporterReply, Submitted),
            (Verified, Action::ReporterReply, Verified),
            (InProgress, Action::ReporterReply, InProgress),
            (Resolved, Action::ReporterReply, InProgress),
            (Resolved, Action::ReporterConfirm, Closed),
            (Resolved, Action::AutoClose, Closed),
        ]
    };

    #[test]
    fn every_allowed_transition_lands_where_the_table_says() {
        for &(from, action, to) in ALLOWED {
            assert_eq!(next(from, action), Ok(to), "{from:?} --{action:?}-->");
        }
    }

    #[test]
    fn every_other_transition_is_refused() {
        let mut refused = 0;
        for from in Status::ALL {
            for action in ALL_ACTIONS {
                if ALLOWED.iter().any(|&(f, a, _)| f == from && a == action) {
                    continue;
                }
                assert_eq!(
                    next(from, action),
                    Err(Refused {
                        from: from.key(),
                        action: action.key()
                    }),
                    "{from:?} --{action:?}--> should be refused"
                );
                refused += 1;
            }
        }
        assert_eq!(refused, 8 * 12 - ALLOWED.len());
    }

    #[test]
    fn final_states_take_nothing() {
        for from in [Status::Closed, Status::Rejected, Status::TransferredOut] {
            for action in ALL_ACTIONS {
                assert!(next(from, action).is_err(), "{from:?} {action:?}");
            }
        }
    }

    #[test]
    fn roles_take_only_their_actions() {
        use Action::*;
        let coordinator = [
            Dispatch,
            ReturnForInfo,
            Reject,
            Archive,
            Transfer,
            Reply,
            Note,
        ];
        let unit = [Plan, Resolve, Reply, Note];
        for action in ALL_ACTIONS {
            assert_eq!(
                permits(Role::Coordinator, action),
                coordinator.contains(&action)
            );
            assert_eq!(permits(Role::Unit, action), unit.contains(&action));
            assert_eq!(
                permits(Role::Province, action),
                matches!(action, Transfer | Note)
            );
            assert!(!permits(Role::Supervisor, action));
            assert!(!permits(Role::Admin, action));
        }
    }

    #[test]
    fn clocks_follow_the_settings() {
        let s = settings();
        assert_eq!(
            clock(Status::Submitted, None, &s),
            Some(("verification", 3))
        );
        assert_eq!(
            clock(Status::Verified, None, &s),
            Some(("follow_up_plan", 5))
        );
        assert_eq!(
            clock(Status::InProgress, Some(Tier::Moderate), &s),
            Some(("follow_up", 14))
        );
        assert_eq!(
            clock(Status::InProgress, Some(Tier::Complex), &s),
            Some(("follow_up", 60))
        );
        assert_eq!(clock(Status::InProgress, None, &s), Some(("follow_up", 5)));
        assert_eq!(
            clock(Status::Resolved, None, &s),
            Some(("reporter_confirmation", 10))
        );
        assert_eq!(clock(Status::Closed, None, &s), None);
        assert_eq!(clock(Status::Rejected, None, &s), None);
    }

    #[test]
    fn keys_round_trip() {
        for action in ALL_ACTIONS {
            assert_eq!(Action::from_key(action.key()), Some(action));
        }
        for role in Role::ALL {
            assert_eq!(Role::from_key(role.key()), Some(role));
        }
        for tier in Tier::ALL {
            assert_eq!(Tier::from_key(tier.key()), Some(tier));
        }
        assert_eq!(Role::from_key("root"), None);
    }

    #[test]
    fn the_reporter_is_owed_a_message_for_every_decision() {
        for action in [
            Action::ReturnForInfo,
            Action::Plan,
            Action::Resolve,
            Action::Reject,
            Action::Archive,
        ] {
            assert!(action.needs_public_message(), "{action:?}");
        }
        assert!(!Action::Dispatch.needs_public_message());
        assert!(Action::Note.is_internal());
    }
}
