//! What the officer console reads and writes: officers, sessions, sign-in
//! budgets, the inbox, a complaint with its whole history, transitions,
//! the region overview and routing rules.
//!
//! The statements are written once in `ops/` (a file per resource) and
//! compiled for each engine (see [`super::sqlite_ops`] and
//! [`super::postgres_ops`]), so the two read alike by construction.

use aduan_app::api::Privacy;
use aduan_app::validate::Reporter;

/// The states that no longer count as open. The partial indexes of migration
/// 0003 carry this predicate word for word, so queries must too.
pub const OPEN: &str = "status NOT IN ('closed', 'rejected', 'transferred_out')";

/// An officer as the console uses them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Officer {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub region_slug: String,
    pub unit_key: Option<String>,
}

/// An officer as an administrator lists them.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OfficerEntry {
    #[sqlx(flatten)]
    pub officer: Officer,
    pub active: bool,
}

/// An officer to create.
#[derive(Debug, Clone)]
pub struct NewOfficer {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: String,
    pub region: String,
    pub unit: Option<String>,
    pub at_ms: i64,
}

/// A session to open: only the token's hash is stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub officer_id: i64,
    pub csrf_token: String,
    pub at_ms: i64,
    pub expires_at: i64,
}

/// Which complaints an officer may see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    /// One region, or every region.
    pub region: Option<String>,
    /// One unit of that region, or every unit.
    pub unit: Option<String>,
    /// Whether confidential complaints are in scope at all.
    pub confidential: bool,
}

/// Which due dates the inbox keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueFilter {
    /// Due before this date.
    Overdue(String),
    /// Due from the first date through the second.
    Between(String, String),
}

/// One page of an inbox, by key: the page after `after` (due date, id).
#[derive(Debug, Clone, Default)]
pub struct InboxQuery {
    pub scope: Scope,
    /// One state, or every open one.
    pub status: Option<String>,
    pub unit: Option<String>,
    pub category: Option<String>,
    pub due: Option<DueFilter>,
    pub after: Option<(String, i64)>,
    pub limit: i64,
    /// Set when the list is the complaints a dashboard figure counts.
    pub counted: Option<Counted>,
    /// The last group of a tracking code (canonical, see
    /// [`aduan_app::tracking::last_group`]): the complaints in scope whose
    /// code ends with it, in any state.
    pub code_tail: Option<String>,
    /// Whose complaints: one officer's, or those nobody holds.
    pub assignee: Option<AssigneeFilter>,
}

/// Which holder the inbox keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Held by this officer.
    Officer(i64),
    /// Held by nobody: the unit's to pick up.
    Nobody,
}

/// A search by words within an officer's inbox: its scope and filters
/// (`inbox`, whose own `after` and `limit` are not read), in any state
/// unless one is chosen.
#[derive(Debug, Clone, Default)]
pub struct WordQuery {
    pub inbox: InboxQuery,
    /// The words, folded ([`crate::search::terms`]); none finds nothing.
    pub terms: Vec<String>,
}

/// At most this many of the newest complaints that have the words are
/// ranked (the ranking reads each one): a word in every tenth of a million
/// complaints still answers at once. More words narrow it.
pub const RANKED_AT_MOST: i64 = 1000;

/// A complaint found by its words, with what the match is shown in.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct FoundRow {
    #[sqlx(flatten)]
    pub row: InboxRow,
    pub description: String,
    pub location: Option<String>,
    pub landmark: Option<String>,
}

impl FoundRow {
    /// Its location and customary village, as one line.
    pub fn place(&self) -> String {
        [self.location.as_deref(), self.landmark.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// A search by the reporter's name or e-mail (its words) or phone, within
/// an officer's scope, among the complaints whose privacy lets this
/// officer see the reporter ([`crate::disclosure`] says which).
#[derive(Debug, Clone, Default)]
pub struct ReporterQuery {
    pub scope: Scope,
    pub terms: Vec<String>,
    /// A phone number as [`phone_key`] makes it.
    pub phone: Option<String>,
    /// The privacy modes in which the officer sees the reporter; none
    /// finds nothing.
    pub privacy: Vec<aduan_app::api::Privacy>,
    pub limit: i64,
}

/// A phone number as its index keeps it: digits without the country code
/// (62) or the trunk zero, so "+62 812-3456", "0812 3456" and "8123456"
/// are one. The same as [`PHONE_KEY`] makes of a stored number.
pub fn phone_key(typed: &str) -> String {
    let digits: String = typed.chars().filter(char::is_ascii_digit).collect();
    let rest = digits
        .strip_prefix("62")
        .or_else(|| digits.strip_prefix('0'))
        .unwrap_or(&digits);
    rest.to_owned()
}

/// The SQL expression (the same on both engines, and indexed) of a stored
/// phone number's key: stored numbers are digits with an optional `+`.
pub const PHONE_KEY: &str = "(CASE WHEN phone LIKE '+62%' THEN substr(phone, 4) WHEN phone LIKE '62%' THEN substr(phone, 3) WHEN phone LIKE '0%' THEN substr(phone, 2) WHEN phone LIKE '+%' THEN substr(phone, 2) ELSE phone END)";

/// The SQL expression (the same on both engines, and indexed) of a
/// tracking code's last group.
pub const CODE_TAIL: &str = "substr(tracking_code, length(tracking_code) - 3)";

/// The complaints a dashboard figure counts: received in the region
/// (where it happened) from `from` through `to`, and matching `measure`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counted {
    pub region: Option<String>,
    pub unit: Option<String>,
    pub from: String,
    pub to: String,
    pub measure: crate::stats::Measure,
    /// Today, for what is late without an event.
    pub today: String,
}

/// A complaint in an inbox.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct InboxRow {
    pub id: i64,
    pub tracking_code: String,
    pub region_slug: String,
    pub unit_key: String,
    pub category_key: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub title: String,
    pub status: String,
    pub due_step: Option<String>,
    pub due_date: Option<String>,
    pub created_at: i64,
    /// Its version (each change of its state adds one).
    pub version: i64,
    /// The officer who holds it, and their name.
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
}

/// A complaint as an officer in scope sees it (the reporter apart).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ComplaintRecord {
    pub id: i64,
    pub tracking_code: String,
    pub public_id: String,
    pub region_slug: String,
    pub unit_key: String,
    pub filed_region_slug: String,
    pub district_key: Option<String>,
    pub category_key: String,
    pub classification: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub title: String,
    pub description: String,
    pub location: Option<String>,
    pub landmark: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub incident_date: Option<String>,
    pub locale: String,
    pub status: String,
    pub due_step: Option<String>,
    pub due_date: Option<String>,
    pub tier: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub version: i64,
    pub lapor_tracking_id: Option<String>,
    /// Citizens who joined it ("saya juga"); never who they are.
    pub supporters: i64,
    /// The officer of its unit who holds it, if any.
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
}

impl InboxRow {
    pub fn privacy(&self) -> Privacy {
        Privacy::of(self.anonymous, self.confidential)
    }
}

impl ComplaintRecord {
    pub fn privacy(&self) -> Privacy {
        Privacy::of(self.anonymous, self.confidential)
    }

    /// What a change of its state needs to know.
    pub fn reference(&self) -> ComplaintRef {
        ComplaintRef {
            id: self.id,
            tracking_code: self.tracking_code.clone(),
            public_id: self.public_id.clone(),
            status: self.status.clone(),
            version: self.version,
            region_slug: self.region_slug.clone(),
            unit_key: self.unit_key.clone(),
            anonymous: self.anonymous,
            confidential: self.confidential,
            tier: self.tier.clone(),
            due_step: self.due_step.clone(),
            due_date: self.due_date.clone(),
        }
    }
}

/// One event of the whole history, internal notes included.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct HistoryEvent {
    pub at: i64,
    pub kind: String,
    pub author: String,
    pub officer_name: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub public_message: Option<String>,
    pub internal_note: Option<String>,
    pub detail: Option<String>,
}

/// A change to one complaint, applied only if nobody changed it since
/// `expected_version` was read.
#[derive(Debug, Clone)]
pub struct Transition {
    pub complaint_id: i64,
    pub tracking_code: String,
    pub public_id: String,
    pub privacy: Privacy,
    pub expected_version: i64,
    pub author: &'static str,
    pub officer_id: Option<i64>,
    pub kind: &'static str,
    pub from_status: String,
    pub to_status: String,
    pub region: String,
    pub unit: String,
    /// The step its clock now times, if any.
    pub due_step: Option<String>,
    /// The due date, or for a final state the day it ended.
    pub due_date: String,
    pub tier: Option<String>,
    pub public_message: Option<String>,
    pub internal_note: Option<String>,
    pub detail: Option<String>,
    pub at_ms: i64,
    /// When a region's app sent the change: its subscriber id and message
    /// id, recorded with the change (a repeat is recognised) and not echoed
    /// back to that subscriber.
    pub inbound: Option<(i64, String)>,
    /// When SP4N-LAPOR sent the change: its update id, recorded with it.
    pub lapor_update: Option<String>,
    /// Forward the complaint to SP4N-LAPOR if its region is connected
    /// (once per complaint).
    pub forward_to_lapor: bool,
    /// Which officers are told by e-mail.
    pub notify: crate::casework::Notify,
    /// Set when e-mail is on: who must hear of the change is written with it.
    pub mail: Option<crate::mail::MailContext>,
}

/// A complaint given to one officer of its unit, or back to the unit
/// (`assignee` none), applied only while it is still held by `expected`
/// and still in the state, region and unit it was read in.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub complaint_id: i64,
    pub tracking_code: String,
    pub privacy: Privacy,
    pub expected: Option<i64>,
    pub status: String,
    pub region: String,
    pub unit: String,
    /// The officer who will hold it: id and name.
    pub assignee: Option<(i64, String)>,
    /// The officer who gave it, if an officer did.
    pub by: Option<i64>,
    pub at_ms: i64,
    /// Set when e-mail is on: an assignee given it by somebody else hears
    /// of it (as their preference allows).
    pub mail: Option<crate::mail::MailContext>,
}

/// A view of the inbox an officer saved: its filters as a query string.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SavedView {
    pub id: i64,
    pub name: String,
    pub query: String,
    /// Whether it is in the officer's daily digest.
    pub in_digest: bool,
}

/// A view to save.
#[derive(Debug, Clone)]
pub struct NewView {
    pub name: String,
    pub query: String,
    pub in_digest: bool,
    pub at_ms: i64,
}

/// An officer whose digest is due.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DigestDue {
    #[sqlx(flatten)]
    pub officer: Officer,
    pub mail_pref: String,
}

/// How a transition ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActOutcome {
    Done,
    /// Somebody changed the complaint first; nothing was written.
    Changed,
    NotFound,
}

/// A complaint as a change of its state needs it: who it is, where it is,
/// at which version.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct ComplaintRef {
    pub id: i64,
    pub tracking_code: String,
    pub public_id: String,
    pub status: String,
    pub version: i64,
    pub region_slug: String,
    pub unit_key: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub tier: Option<String>,
    pub due_step: Option<String>,
    pub due_date: Option<String>,
}

impl ComplaintRef {
    pub fn privacy(&self) -> Privacy {
        Privacy::of(self.anonymous, self.confidential)
    }
}

/// Open complaints of one unit: how many, how many overdue, how many due this week.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UnitLoad {
    pub region_slug: String,
    pub unit_key: String,
    pub open: i64,
    pub overdue: i64,
    pub due_soon: i64,
}

/// The reporter's identity, when the privacy mode lets this officer see it.
pub type Identity = Reporter;
