//! Who may learn what about a complaint: one table of audience × field,
//! each cell a rule over the complaint's privacy. Every outlet (console
//! pages, the tracker, Open311, webhooks, SP4N-LAPOR, e-mail, the outbox
//! list, log lines) asks [`may`] before it writes a field; nothing else
//! decides.
//!
//! The model, in words:
//! - The tracking code is a secret between the reporter and the officers:
//!   whoever holds it may read the complaint and answer as the reporter. No
//!   public listing and no external system receives it; they get the
//!   public id, which grants nothing.
//! - *Anonymous*: no officer and no external system learns who filed. The
//!   contact details serve only to keep the reporter informed.
//! - *Confidential*: the content is never public; only the officers who
//!   handle it (the region's coordinator and the unit) read it.
//! - Whoever the reporter is, the tracker never shows it: a code that
//!   leaked must not name the person who filed.
//! - What the reporter writes back is never public; an internal note
//!   never leaves the console.

use aduan_app::api::Privacy;

use crate::domain::lifecycle::Role;
use crate::store::outbox::ParkedRow;

/// Who receives what leaves the system.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Whoever holds the tracking code: the widget's and the hosted tracker.
    Reporter,
    /// An officer, on a console page of a complaint in their scope.
    Officer(Role),
    /// Anyone: Open311 listings and look-ups.
    Public,
    /// A region's own app, through signed webhooks.
    Webhook,
    /// SP4N-LAPOR, for regions connected to it.
    Lapor,
    /// The e-mail the reporter receives at the address they left.
    ReporterMail,
    /// The e-mail a supporter receives: a citizen who joined the complaint
    /// ("saya juga") and is neither its reporter nor an officer.
    SupporterMail,
    /// The e-mail an officer receives.
    OfficerMail,
    /// An administrator reading the outbox (waiting and parked messages).
    Operator,
    /// The service's log lines.
    Log,
    /// A file exported from the console (CSV, XLSX): it is saved, mailed
    /// and kept where nobody controls it, whoever exported it.
    Export,
}

impl Audience {
    pub const ALL: [Audience; 16] = [
        Audience::Reporter,
        Audience::Officer(Role::Admin),
        Audience::Officer(Role::Province),
        Audience::Officer(Role::Coordinator),
        Audience::Officer(Role::Unit),
        Audience::Officer(Role::Supervisor),
        Audience::Officer(Role::Webmaster),
        Audience::Public,
        Audience::Webhook,
        Audience::Lapor,
        Audience::ReporterMail,
        Audience::SupporterMail,
        Audience::OfficerMail,
        Audience::Operator,
        Audience::Log,
        Audience::Export,
    ];
}

/// What can be told about a complaint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// The reporter's credential.
    TrackingCode,
    /// The non-secret id public outlets name a complaint by.
    PublicId,
    /// Region, unit, category, status and due date.
    Routing,
    Title,
    /// The description, location, landmark, district and incident date.
    Content,
    /// The point the reporter's phone gave (latitude and longitude): it can
    /// be where they live, so it is public only when the reporter is named
    /// and the content is public.
    Position,
    ReporterName,
    ReporterEmail,
    ReporterPhone,
    /// An officer's public reply (and the reason of a rejection).
    OfficerReply,
    /// What the reporter wrote back.
    ReporterMessage,
    /// An officer's internal note (and what is attached to it).
    InternalNote,
    /// Photos and documents the reporter filed with the complaint (what
    /// they attach to a reply goes as `ReporterMessage`).
    Attachment,
    /// Photos an officer attached to a public reply (a fix, before and after).
    OfficerAttachment,
    /// The comment with the reporter's rating of the handling (the score
    /// itself is a figure, counted in the indicators).
    RatingComment,
    /// The name, address and phone number of a citizen who joined the
    /// complaint ("saya juga"): theirs alone. Officers see how many joined.
    SupporterContact,
}

impl Field {
    pub const ALL: [Field; 16] = [
        Field::TrackingCode,
        Field::PublicId,
        Field::Routing,
        Field::Title,
        Field::Content,
        Field::Position,
        Field::ReporterName,
        Field::ReporterEmail,
        Field::ReporterPhone,
        Field::OfficerReply,
        Field::ReporterMessage,
        Field::InternalNote,
        Field::Attachment,
        Field::OfficerAttachment,
        Field::RatingComment,
        Field::SupporterContact,
    ];

    /// The reporter's identity.
    pub const IDENTITY: [Field; 3] = [
        Field::ReporterName,
        Field::ReporterEmail,
        Field::ReporterPhone,
    ];
}

/// A cell of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Always,
    Never,
    /// Only when the reporter did not ask to stay anonymous.
    UnlessAnonymous,
    /// Only when the content is not confidential.
    UnlessConfidential,
    /// Only when the complaint is public: neither anonymous nor confidential.
    OnlyPublic,
}

impl Rule {
    pub fn allows(self, privacy: Privacy) -> bool {
        match self {
            Rule::Always => true,
            Rule::Never => false,
            Rule::UnlessAnonymous => !privacy.anonymous(),
            Rule::UnlessConfidential => !privacy.confidential(),
            Rule::OnlyPublic => !privacy.anonymous() && !privacy.confidential(),
        }
    }
}

/// The table: what `audience` may receive of `field`.
pub fn rule(audience: Audience, field: Field) -> Rule {
    use Field as F;
    use Rule::{Always, Never, OnlyPublic, UnlessAnonymous, UnlessConfidential};
    match audience {
        Audience::Reporter => match field {
            F::TrackingCode | F::PublicId | F::Routing | F::Title | F::Content | F::Position => {
                Always
            }
            F::OfficerReply | F::ReporterMessage => Always,
            F::Attachment | F::OfficerAttachment => Always,
            F::ReporterName | F::ReporterEmail | F::ReporterPhone | F::InternalNote => Never,
            // Written for the officers; the tracker does not show it back.
            F::RatingComment | F::SupporterContact => Never,
        },
        // The officers who handle it: the region's coordinator and the unit.
        Audience::Officer(Role::Coordinator | Role::Unit) => match field {
            F::ReporterName | F::ReporterEmail | F::ReporterPhone => UnlessAnonymous,
            // A supporter asked to hear of the complaint, not to be known.
            F::SupporterContact => Never,
            _ => Always,
        },
        // Officers who oversee but do not handle: never the reporter; the
        // content of a confidential complaint is not theirs to read.
        // The code is withheld too: whoever holds it reads the tracker.
        Audience::Officer(Role::Admin | Role::Province | Role::Supervisor) => match field {
            F::PublicId | F::Routing => Always,
            F::TrackingCode
            | F::Title
            | F::Content
            | F::OfficerReply
            | F::ReporterMessage
            | F::InternalNote
            | F::Attachment
            | F::OfficerAttachment
            | F::RatingComment => UnlessConfidential,
            // Where an anonymous reporter stood can name them.
            F::Position => OnlyPublic,
            F::ReporterName | F::ReporterEmail | F::ReporterPhone | F::SupporterContact => Never,
        },
        // A webmaster sets up the widget on their region's sites: nothing
        // of any complaint is theirs to read.
        Audience::Officer(Role::Webmaster) => Never,
        Audience::Public => match field {
            F::PublicId
            | F::Routing
            | F::Title
            | F::Content
            | F::OfficerReply
            | F::Attachment
            | F::OfficerAttachment => UnlessConfidential,
            F::Position => OnlyPublic,
            F::TrackingCode
            | F::ReporterName
            | F::ReporterEmail
            | F::ReporterPhone
            | F::ReporterMessage
            | F::InternalNote
            | F::RatingComment
            | F::SupporterContact => Never,
        },
        // A region's own app follows the complaint's life; it is an
        // external system, so it learns nobody's identity, and what the
        // reporter writes only when they did not ask to stay anonymous
        // (their words may name them).
        // An officer's photos of the fix follow the reply, but never of a
        // confidential complaint: a receiver may publish them.
        Audience::Webhook => match field {
            F::PublicId | F::Routing | F::OfficerReply => Always,
            F::ReporterMessage => UnlessAnonymous,
            F::OfficerAttachment => UnlessConfidential,
            F::TrackingCode
            | F::Title
            | F::Content
            | F::Position
            | F::Attachment
            | F::ReporterName
            | F::ReporterEmail
            | F::ReporterPhone
            | F::InternalNote
            | F::RatingComment
            | F::SupporterContact => Never,
        },
        // SP4N-LAPOR handles the complaint: its content (flagged `rahasia`
        // when confidential) and, unless anonymous, who filed.
        Audience::Lapor => match field {
            F::PublicId | F::Routing | F::Title | F::Content | F::Attachment => Always,
            F::ReporterName | F::ReporterEmail | F::ReporterPhone => UnlessAnonymous,
            // Not sent: SP4N-LAPOR's form has no point.
            F::TrackingCode
            | F::Position
            | F::OfficerReply
            | F::ReporterMessage
            | F::InternalNote
            | F::OfficerAttachment
            | F::RatingComment
            | F::SupporterContact => Never,
        },
        // Sent to the address the reporter left, for them alone.
        Audience::ReporterMail => match field {
            F::TrackingCode | F::PublicId | F::Routing | F::Title | F::OfficerReply => Always,
            F::ReporterEmail => Always,
            F::Content
            | F::Position
            | F::ReporterName
            | F::ReporterPhone
            | F::ReporterMessage
            | F::InternalNote
            | F::Attachment
            | F::OfficerAttachment
            | F::RatingComment
            | F::SupporterContact => Never,
        },
        // Sent to a citizen who joined the complaint: what anyone may see of
        // its progress (which is nothing of a confidential one), at the
        // address they left. Never the tracking code: they are not its
        // reporter.
        Audience::SupporterMail => match field {
            F::PublicId | F::Routing | F::Title | F::OfficerReply => UnlessConfidential,
            F::SupporterContact => Always,
            F::TrackingCode
            | F::Content
            | F::Position
            | F::ReporterName
            | F::ReporterEmail
            | F::ReporterPhone
            | F::ReporterMessage
            | F::InternalNote
            | F::Attachment
            | F::OfficerAttachment
            | F::RatingComment => Never,
        },
        // A notice to act; the console has the rest. Mailboxes are read in
        // many places, so a confidential title stays in the console.
        Audience::OfficerMail => match field {
            F::TrackingCode | F::PublicId | F::Routing => Always,
            F::Title => UnlessConfidential,
            F::Content
            | F::Position
            | F::ReporterName
            | F::ReporterEmail
            | F::ReporterPhone
            | F::OfficerReply
            | F::ReporterMessage
            | F::InternalNote
            | F::Attachment
            | F::OfficerAttachment
            | F::RatingComment
            | F::SupporterContact => Never,
        },
        Audience::Operator => match field {
            F::PublicId | F::Routing => Always,
            _ => Never,
        },
        Audience::Log => match field {
            F::PublicId => Always,
            _ => Never,
        },
        // A per-complaint export: figures for the region's own analysis.
        // No tracking code (whoever holds it acts as the reporter), no
        // words of anybody, and a confidential title stays in the console.
        Audience::Export => match field {
            F::PublicId | F::Routing => Always,
            F::Title => UnlessConfidential,
            _ => Never,
        },
    }
}

/// Smallest count a public table shows for a category (or any cell below
/// the totals) that holds a confidential complaint: smaller ones are
/// merged, so no small number points at a whistleblower.
pub const MIN_PUBLIC_CELL: i64 = 5;

/// Whether a public table may show this cell on its own: `count`
/// complaints, `confidential` of them confidential.
pub fn may_publish_cell(count: i64, confidential: i64) -> bool {
    confidential <= 0 || count >= MIN_PUBLIC_CELL
}

/// Whether `audience` may receive `field` of a complaint of `privacy`.
pub fn may(audience: Audience, privacy: Privacy, field: Field) -> bool {
    rule(audience, field).allows(privacy)
}

/// `value` when `audience` may receive `field`, else `None`.
pub fn keep<T>(audience: Audience, privacy: Privacy, field: Field, value: Option<T>) -> Option<T> {
    value.filter(|_| may(audience, privacy, field))
}

/// Whether `audience` may see an attachment: the part it belongs to
/// decides, and one an officer hid reaches nobody outside the console and
/// the reporter's tracker.
pub fn may_see_attachment(
    audience: Audience,
    privacy: Privacy,
    part: crate::attachments::Part,
    hidden: bool,
) -> bool {
    use crate::attachments::Part;
    let allowed = match part {
        Part::Complaint => may(audience, privacy, Field::Attachment),
        // What the reporter sends later is both their words and their
        // files: only where both may go.
        Part::ReporterReply => {
            may(audience, privacy, Field::ReporterMessage)
                && may(audience, privacy, Field::Attachment)
        }
        Part::OfficerReply => may(audience, privacy, Field::OfficerAttachment),
        Part::InternalNote => may(audience, privacy, Field::InternalNote),
    };
    let inside = matches!(audience, Audience::Reporter | Audience::Officer(_));
    allowed && (inside || !hidden)
}

/// Whether the reporter's identity may reach `audience` at all.
pub fn sees_identity(audience: Audience, privacy: Privacy) -> bool {
    Field::IDENTITY.iter().any(|f| may(audience, privacy, *f))
}

/// The privacy modes in which `audience` may find complaints by their
/// reporter's name, e-mail or phone: those in which it sees all three (a
/// search by one would otherwise tell what it may not read).
pub fn findable_by_identity(audience: Audience) -> Vec<Privacy> {
    Privacy::ALL
        .into_iter()
        .filter(|p| Field::IDENTITY.iter().all(|f| may(audience, *p, *f)))
        .collect()
}

/// An outbox row as an administrator may read it: a mail to the reporter
/// (or to a supporter) keeps its address out of the target and out of any error quoting it
/// (the outbox row does not say which privacy the complaint has, so the
/// strictest case decides).
pub fn for_operator(mut row: ParkedRow) -> ParkedRow {
    let email = row.channel == "email";
    let to_reporter =
        email && (row.event_type == crate::mail::TO_REPORTER || row.delivery_id.ends_with("_r"));
    let to_supporter = email && row.event_type == crate::mail::TO_SUPPORTER;
    let hidden = |field| {
        Privacy::ALL
            .iter()
            .any(|p| !may(Audience::Operator, *p, field))
    };
    if (to_reporter && hidden(Field::ReporterEmail))
        || (to_supporter && hidden(Field::SupporterContact))
    {
        let address = std::mem::take(&mut row.target);
        row.target = WITHHELD.to_owned();
        row.last_error = row.last_error.map(|e| {
            e.replace(&address, WITHHELD)
                .split(' ')
                .map(|w| if w.contains('@') { WITHHELD } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        });
    }
    row
}

/// A request path as a log line may carry it: no query string (a tracking
/// code may travel there) and no segment that reads as a tracking code.
pub fn loggable_path(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    let withheld = !may(Audience::Log, Privacy::Public, Field::TrackingCode);
    let mut after_complaints = false;
    path.split('/')
        .map(|segment| {
            // Whatever stands where a code goes is withheld, mistyped or
            // percent-encoded as it may be (a near miss gives the code away).
            let credential = withheld
                && (after_complaints
                    || (segment.len() >= 8
                        && aduan_app::tracking::TrackingCode::parse(segment).is_ok()));
            after_complaints = segment == "complaints";
            if credential { "{code}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// What stands for a withheld address.
pub const WITHHELD: &str = "[reporter]";

/// The kinds of event that stay inside the console: an internal note, the
/// erasure of the reporter's contact details, a change of who holds the
/// complaint. No timeline, feed, webhook, forward or e-mail outside the
/// console carries them (the public timeline's statement names them).
pub const INTERNAL_EVENTS: [&str; 3] = ["note", "contact_erased", "assigned"];

/// True for an event kind that stays inside the console.
pub fn is_internal_event(kind: &str) -> bool {
    INTERNAL_EVENTS.contains(&kind)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_public_timeline_leaves_out_every_internal_event() {
        let listed = super::INTERNAL_EVENTS.map(|k| format!("'{k}'")).join(", ");
        assert!(
            crate::store::sql::SELECT_PUBLIC.contains(&format!("e.kind NOT IN ({listed})")),
            "the public timeline must leave out {listed}"
        );
        assert!(super::is_internal_event("assigned"));
        assert!(super::is_internal_event("note"));
        assert!(!super::is_internal_event("reply"));
        assert!(!super::is_internal_event("dispatched"));
    }

    use super::*;

    #[test]
    fn a_reporter_is_findable_only_where_all_of_them_is_seen() {
        use Privacy::{Anonymous, AnonymousConfidential, Confidential, Public};
        for role in [Role::Coordinator, Role::Unit] {
            assert_eq!(
                findable_by_identity(Audience::Officer(role)),
                [Public, Confidential],
                "{role:?}"
            );
        }
        for role in [
            Role::Admin,
            Role::Province,
            Role::Supervisor,
            Role::Webmaster,
        ] {
            assert!(
                findable_by_identity(Audience::Officer(role)).is_empty(),
                "{role:?}"
            );
        }
        assert!(findable_by_identity(Audience::Public).is_empty());
        assert!(findable_by_identity(Audience::Reporter).is_empty());
        for audience in [Audience::Officer(Role::Coordinator), Audience::Operator] {
            let found = findable_by_identity(audience);
            assert!(!found.contains(&Anonymous) && !found.contains(&AnonymousConfidential));
        }
    }

    /// The whole table, spelled out: for every audience and field, four
    /// marks for the four privacy combinations (public, anonymous,
    /// confidential, anonymous and confidential): `y` may receive it, `.`
    /// may not. An audience or field added to the code without a line
    /// here fails the test.
    const TABLE: &str = "
        audience        field            pub anon conf both
        reporter        tracking_code    y   y    y    y
        reporter        public_id        y   y    y    y
        reporter        routing          y   y    y    y
        reporter        title            y   y    y    y
        reporter        content          y   y    y    y
        reporter        position         y   y    y    y
        reporter        reporter_name    .   .    .    .
        reporter        reporter_email   .   .    .    .
        reporter        reporter_phone   .   .    .    .
        reporter        officer_reply    y   y    y    y
        reporter        reporter_message y   y    y    y
        reporter        internal_note    .   .    .    .
        reporter        attachment       y   y    y    y
        reporter        officer_photo    y   y    y    y
        reporter        rating_comment   .   .    .    .
        reporter        supporter        .   .    .    .
        admin           tracking_code    y   y    .    .
        admin           public_id        y   y    y    y
        admin           routing          y   y    y    y
        admin           title            y   y    .    .
        admin           content          y   y    .    .
        admin           position         y   .    .    .
        admin           reporter_name    .   .    .    .
        admin           reporter_email   .   .    .    .
        admin           reporter_phone   .   .    .    .
        admin           officer_reply    y   y    .    .
        admin           reporter_message y   y    .    .
        admin           internal_note    y   y    .    .
        admin           attachment       y   y    .    .
        admin           officer_photo    y   y    .    .
        admin           rating_comment   y   y    .    .
        admin           supporter        .   .    .    .
        province        tracking_code    y   y    .    .
        province        public_id        y   y    y    y
        province        routing          y   y    y    y
        province        title            y   y    .    .
        province        content          y   y    .    .
        province        position         y   .    .    .
        province        reporter_name    .   .    .    .
        province        reporter_email   .   .    .    .
        province        reporter_phone   .   .    .    .
        province        officer_reply    y   y    .    .
        province        reporter_message y   y    .    .
        province        internal_note    y   y    .    .
        province        attachment       y   y    .    .
        province        officer_photo    y   y    .    .
        province        rating_comment   y   y    .    .
        province        supporter        .   .    .    .
        coordinator     tracking_code    y   y    y    y
        coordinator     public_id        y   y    y    y
        coordinator     routing          y   y    y    y
        coordinator     title            y   y    y    y
        coordinator     content          y   y    y    y
        coordinator     position         y   y    y    y
        coordinator     reporter_name    y   .    y    .
        coordinator     reporter_email   y   .    y    .
        coordinator     reporter_phone   y   .    y    .
        coordinator     officer_reply    y   y    y    y
        coordinator     reporter_message y   y    y    y
        coordinator     internal_note    y   y    y    y
        coordinator     attachment       y   y    y    y
        coordinator     officer_photo    y   y    y    y
        coordinator     rating_comment   y   y    y    y
        coordinator     supporter        .   .    .    .
        unit            tracking_code    y   y    y    y
        unit            public_id        y   y    y    y
        unit            routing          y   y    y    y
        unit            title            y   y    y    y
        unit            content          y   y    y    y
        unit            position         y   y    y    y
        unit            reporter_name    y   .    y    .
        unit            reporter_email   y   .    y    .
        unit            reporter_phone   y   .    y    .
        unit            officer_reply    y   y    y    y
        unit            reporter_message y   y    y    y
        unit            internal_note    y   y    y    y
        unit            attachment       y   y    y    y
        unit            officer_photo    y   y    y    y
        unit            rating_comment   y   y    y    y
        unit            supporter        .   .    .    .
        supervisor      tracking_code    y   y    .    .
        supervisor      public_id        y   y    y    y
        supervisor      routing          y   y    y    y
        supervisor      title            y   y    .    .
        supervisor      content          y   y    .    .
        supervisor      position         y   .    .    .
        supervisor      reporter_name    .   .    .    .
        supervisor      reporter_email   .   .    .    .
        supervisor      reporter_phone   .   .    .    .
        supervisor      officer_reply    y   y    .    .
        supervisor      reporter_message y   y    .    .
        supervisor      internal_note    y   y    .    .
        supervisor      attachment       y   y    .    .
        supervisor      officer_photo    y   y    .    .
        supervisor      rating_comment   y   y    .    .
        supervisor      supporter        .   .    .    .
        webmaster       tracking_code    .   .    .    .
        webmaster       public_id        .   .    .    .
        webmaster       routing          .   .    .    .
        webmaster       title            .   .    .    .
        webmaster       content          .   .    .    .
        webmaster       position         .   .    .    .
        webmaster       reporter_name    .   .    .    .
        webmaster       reporter_email   .   .    .    .
        webmaster       reporter_phone   .   .    .    .
        webmaster       officer_reply    .   .    .    .
        webmaster       reporter_message .   .    .    .
        webmaster       internal_note    .   .    .    .
        webmaster       attachment       .   .    .    .
        webmaster       officer_photo    .   .    .    .
        webmaster       rating_comment   .   .    .    .
        webmaster       supporter        .   .    .    .
        public          tracking_code    .   .    .    .
        public          public_id        y   y    .    .
        public          routing          y   y    .    .
        public          title            y   y    .    .
        public          content          y   y    .    .
        public          position         y   .    .    .
        public          reporter_name    .   .    .    .
        public          reporter_email   .   .    .    .
        public          reporter_phone   .   .    .    .
        public          officer_reply    y   y    .    .
        public          reporter_message .   .    .    .
        public          internal_note    .   .    .    .
        public          attachment       y   y    .    .
        public          officer_photo    y   y    .    .
        public          rating_comment   .   .    .    .
        public          supporter        .   .    .    .
        webhook         tracking_code    .   .    .    .
        webhook         public_id        y   y    y    y
        webhook         routing          y   y    y    y
        webhook         title            .   .    .    .
        webhook         content          .   .    .    .
        webhook         position         .   .    .    .
        webhook         reporter_name    .   .    .    .
        webhook         reporter_email   .   .    .    .
        webhook         reporter_phone   .   .    .    .
        webhook         officer_reply    y   y    y    y
        webhook         reporter_message y   .    y    .
        webhook         internal_note    .   .    .    .
        webhook         attachment       .   .    .    .
        webhook         officer_photo    y   y    .    .
        webhook         rating_comment   .   .    .    .
        webhook         supporter        .   .    .    .
        lapor           tracking_code    .   .    .    .
        lapor           public_id        y   y    y    y
        lapor           routing          y   y    y    y
        lapor           title            y   y    y    y
        lapor           content          y   y    y    y
        lapor           position         .   .    .    .
        lapor           reporter_name    y   .    y    .
        lapor           reporter_email   y   .    y    .
        lapor           reporter_phone   y   .    y    .
        lapor           officer_reply    .   .    .    .
        lapor           reporter_message .   .    .    .
        lapor           internal_note    .   .    .    .
        lapor           attachment       y   y    y    y
        lapor           officer_photo    .   .    .    .
        lapor           rating_comment   .   .    .    .
        lapor           supporter        .   .    .    .
        reporter_mail   tracking_code    y   y    y    y
        reporter_mail   public_id        y   y    y    y
        reporter_mail   routing          y   y    y    y
        reporter_mail   title            y   y    y    y
        reporter_mail   content          .   .    .    .
        reporter_mail   position         .   .    .    .
        reporter_mail   reporter_name    .   .    .    .
        reporter_mail   reporter_email   y   y    y    y
        reporter_mail   reporter_phone   .   .    .    .
        reporter_mail   officer_reply    y   y    y    y
        reporter_mail   reporter_message .   .    .    .
        reporter_mail   internal_note    .   .    .    .
        reporter_mail   attachment       .   .    .    .
        reporter_mail   officer_photo    .   .    .    .
        reporter_mail   rating_comment   .   .    .    .
        reporter_mail   supporter        .   .    .    .
        supporter_mail  tracking_code    .   .    .    .
        supporter_mail  public_id        y   y    .    .
        supporter_mail  routing          y   y    .    .
        supporter_mail  title            y   y    .    .
        supporter_mail  content          .   .    .    .
        supporter_mail  position         .   .    .    .
        supporter_mail  reporter_name    .   .    .    .
        supporter_mail  reporter_email   .   .    .    .
        supporter_mail  reporter_phone   .   .    .    .
        supporter_mail  officer_reply    y   y    .    .
        supporter_mail  reporter_message .   .    .    .
        supporter_mail  internal_note    .   .    .    .
        supporter_mail  attachment       .   .    .    .
        supporter_mail  officer_photo    .   .    .    .
        supporter_mail  rating_comment   .   .    .    .
        supporter_mail  supporter        y   y    y    y
        officer_mail    tracking_code    y   y    y    y
        officer_mail    public_id        y   y    y    y
        officer_mail    routing          y   y    y    y
        officer_mail    title            y   y    .    .
        officer_mail    content          .   .    .    .
        officer_mail    position         .   .    .    .
        officer_mail    reporter_name    .   .    .    .
        officer_mail    reporter_email   .   .    .    .
        officer_mail    reporter_phone   .   .    .    .
        officer_mail    officer_reply    .   .    .    .
        officer_mail    reporter_message .   .    .    .
        officer_mail    internal_note    .   .    .    .
        officer_mail    attachment       .   .    .    .
        officer_mail    officer_photo    .   .    .    .
        officer_mail    rating_comment   .   .    .    .
        officer_mail    supporter        .   .    .    .
        operator        tracking_code    .   .    .    .
        operator        public_id        y   y    y    y
        operator        routing          y   y    y    y
        operator        title            .   .    .    .
        operator        content          .   .    .    .
        operator        position         .   .    .    .
        operator        reporter_name    .   .    .    .
        operator        reporter_email   .   .    .    .
        operator        reporter_phone   .   .    .    .
        operator        officer_reply    .   .    .    .
        operator        reporter_message .   .    .    .
        operator        internal_note    .   .    .    .
        operator        attachment       .   .    .    .
        operator        officer_photo    .   .    .    .
        operator        rating_comment   .   .    .    .
        operator        supporter        .   .    .    .
        log             tracking_code    .   .    .    .
        log             public_id        y   y    y    y
        log             routing          .   .    .    .
        log             title            .   .    .    .
        log             content          .   .    .    .
        log             position         .   .    .    .
        log             reporter_name    .   .    .    .
        log             reporter_email   .   .    .    .
        log             reporter_phone   .   .    .    .
        log             officer_reply    .   .    .    .
        log             reporter_message .   .    .    .
        log             internal_note    .   .    .    .
        log             attachment       .   .    .    .
        log             officer_photo    .   .    .    .
        log             rating_comment   .   .    .    .
        log             supporter        .   .    .    .
        export          tracking_code    .   .    .    .
        export          public_id        y   y    y    y
        export          routing          y   y    y    y
        export          title            y   y    .    .
        export          content          .   .    .    .
        export          position         .   .    .    .
        export          reporter_name    .   .    .    .
        export          reporter_email   .   .    .    .
        export          reporter_phone   .   .    .    .
        export          officer_reply    .   .    .    .
        export          reporter_message .   .    .    .
        export          internal_note    .   .    .    .
        export          attachment       .   .    .    .
        export          officer_photo    .   .    .    .
        export          rating_comment   .   .    .    .
        export          supporter        .   .    .    .
    ";

    fn audience_name(a: Audience) -> &'static str {
        match a {
            Audience::Reporter => "reporter",
            Audience::Officer(Role::Admin) => "admin",
            Audience::Officer(Role::Province) => "province",
            Audience::Officer(Role::Coordinator) => "coordinator",
            Audience::Officer(Role::Unit) => "unit",
            Audience::Officer(Role::Supervisor) => "supervisor",
            Audience::Officer(Role::Webmaster) => "webmaster",
            Audience::Public => "public",
            Audience::Webhook => "webhook",
            Audience::Lapor => "lapor",
            Audience::ReporterMail => "reporter_mail",
            Audience::SupporterMail => "supporter_mail",
            Audience::OfficerMail => "officer_mail",
            Audience::Operator => "operator",
            Audience::Log => "log",
            Audience::Export => "export",
        }
    }

    fn field_name(f: Field) -> &'static str {
        match f {
            Field::TrackingCode => "tracking_code",
            Field::PublicId => "public_id",
            Field::Routing => "routing",
            Field::Title => "title",
            Field::Content => "content",
            Field::Position => "position",
            Field::ReporterName => "reporter_name",
            Field::ReporterEmail => "reporter_email",
            Field::ReporterPhone => "reporter_phone",
            Field::OfficerReply => "officer_reply",
            Field::ReporterMessage => "reporter_message",
            Field::InternalNote => "internal_note",
            Field::Attachment => "attachment",
            Field::OfficerAttachment => "officer_photo",
            Field::RatingComment => "rating_comment",
            Field::SupporterContact => "supporter",
        }
    }

    #[test]
    fn files_go_where_their_part_may_go_and_a_hidden_one_stays_inside() {
        use crate::attachments::Part;
        // A reporter's reply files: never to a public outlet, a region's app
        // or LAPOR, whatever the privacy.
        for p in Privacy::ALL {
            for a in [Audience::Public, Audience::Webhook, Audience::Lapor] {
                assert!(
                    !may_see_attachment(a, p, Part::ReporterReply, false),
                    "{a:?} {p:?}"
                );
            }
            assert!(may_see_attachment(
                Audience::Reporter,
                p,
                Part::ReporterReply,
                true
            ));
            assert!(may_see_attachment(
                Audience::Officer(Role::Unit),
                p,
                Part::ReporterReply,
                true
            ));
            assert!(!may_see_attachment(
                Audience::Reporter,
                p,
                Part::InternalNote,
                false
            ));
            assert!(may_see_attachment(
                Audience::Officer(Role::Coordinator),
                p,
                Part::InternalNote,
                true
            ));
        }
        // The complaint's own files are public unless confidential, until hidden.
        assert!(may_see_attachment(
            Audience::Public,
            Privacy::Anonymous,
            Part::Complaint,
            false
        ));
        assert!(!may_see_attachment(
            Audience::Public,
            Privacy::Anonymous,
            Part::Complaint,
            true
        ));
        assert!(!may_see_attachment(
            Audience::Public,
            Privacy::Confidential,
            Part::Complaint,
            false
        ));
        assert!(!may_see_attachment(
            Audience::Webhook,
            Privacy::Public,
            Part::Complaint,
            false
        ));
        assert!(may_see_attachment(
            Audience::Lapor,
            Privacy::AnonymousConfidential,
            Part::Complaint,
            false
        ));
        assert!(!may_see_attachment(
            Audience::Lapor,
            Privacy::Public,
            Part::Complaint,
            true
        ));
        // An officer's photos of the fix reach a region's app, not for a
        // confidential complaint, and not once hidden.
        assert!(may_see_attachment(
            Audience::Webhook,
            Privacy::Anonymous,
            Part::OfficerReply,
            false
        ));
        assert!(!may_see_attachment(
            Audience::Webhook,
            Privacy::Anonymous,
            Part::OfficerReply,
            true
        ));
        assert!(!may_see_attachment(
            Audience::Webhook,
            Privacy::Confidential,
            Part::OfficerReply,
            false
        ));
        // Oversight reads no confidential complaint's files.
        assert!(!may_see_attachment(
            Audience::Officer(Role::Province),
            Privacy::Confidential,
            Part::Complaint,
            false
        ));
        assert!(may_see_attachment(
            Audience::Officer(Role::Province),
            Privacy::Public,
            Part::Complaint,
            true
        ));
    }

    #[test]
    fn every_audience_field_and_privacy_is_decided_as_the_table_says() {
        let privacies = [
            Privacy::Public,
            Privacy::Anonymous,
            Privacy::Confidential,
            Privacy::AnonymousConfidential,
        ];
        assert_eq!(privacies.len(), Privacy::ALL.len());
        let mut expected = std::collections::HashMap::new();
        for line in TABLE
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .skip(1)
        {
            let cols: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(cols.len(), 6, "{line}");
            let marks: Vec<bool> = cols[2..].iter().map(|m| *m == "y").collect();
            assert!(
                expected.insert((cols[0], cols[1]), marks).is_none(),
                "{line} twice"
            );
        }
        let mut seen = 0;
        for a in Audience::ALL {
            for f in Field::ALL {
                let marks = expected
                    .get(&(audience_name(a), field_name(f)))
                    .unwrap_or_else(|| panic!("{a:?} × {f:?} is not in the table"));
                for (p, mark) in privacies.iter().zip(marks) {
                    assert_eq!(may(a, *p, f), *mark, "{a:?} × {f:?} × {p:?}");
                }
                seen += 1;
            }
        }
        assert_eq!(seen, expected.len(), "the table names what the code lacks");
    }

    #[test]
    fn no_outlet_outside_the_handling_officers_names_an_anonymous_reporter() {
        for a in Audience::ALL {
            for p in [Privacy::Anonymous, Privacy::AnonymousConfidential] {
                let allowed = sees_identity(a, p);
                // Only the reporter's own mailbox has the address, to write to it.
                assert_eq!(allowed, a == Audience::ReporterMail, "{a:?} {p:?}");
            }
        }
    }

    #[test]
    fn nothing_public_carries_the_tracking_code_or_the_reporters_words() {
        for p in Privacy::ALL {
            for f in [
                Field::TrackingCode,
                Field::ReporterMessage,
                Field::InternalNote,
            ] {
                assert!(!may(Audience::Public, p, f));
                assert!(!may(Audience::Webhook, p, Field::TrackingCode));
            }
        }
        assert_eq!(
            keep(Audience::Public, Privacy::Public, Field::Title, Some(1)),
            Some(1)
        );
        assert_eq!(
            keep(
                Audience::Public,
                Privacy::Confidential,
                Field::Title,
                Some(1)
            ),
            None
        );
    }

    #[test]
    fn log_lines_carry_no_tracking_code() {
        let code = "BDG-7K3Q-XP9M-2HT4-WQ5B";
        let Some(real) = aduan_app::tracking::TrackingCode::generate("BDG", 12_345) else {
            panic!("a code");
        };
        let real = real.to_string();
        assert_eq!(
            loggable_path(&format!("/api/v1/complaints/{real}/replies")),
            "/api/v1/complaints/{code}/replies"
        );
        let lower = real.to_lowercase().replace('-', "");
        assert_eq!(
            loggable_path(&format!("/console/complaints/{lower}")),
            "/console/complaints/{code}"
        );
        assert_eq!(
            loggable_path(&format!("/r/badung/track?code={code}")),
            "/r/badung/track"
        );
        assert_eq!(
            loggable_path("/open311/v2/requests.json"),
            "/open311/v2/requests.json"
        );
    }

    #[test]
    fn an_operator_reads_no_reporters_address_in_the_outbox() {
        let row = |delivery_id: &str, event_type: &str, target: &str| ParkedRow {
            id: 1,
            delivery_id: delivery_id.into(),
            channel: "email".into(),
            target: target.into(),
            event_type: event_type.into(),
            attempts: 3,
            last_error: Some(format!("550 5.1.1 <{target}>: user unknown ({target})")),
            created_at: 0,
        };
        for r in [
            row("mail_9_r", crate::mail::TO_REPORTER, "wayan@example.id"),
            row("mail_9_r", "email", "Wayan@Example.id"),
            row("mail_9_s3", crate::mail::TO_SUPPORTER, "wayan@example.id"),
        ] {
            let shown = for_operator(r);
            assert_eq!(shown.target, WITHHELD);
            let error = shown.last_error.unwrap_or_default();
            assert!(!error.to_lowercase().contains("wayan"), "{error}");
            assert!(error.starts_with("550 5.1.1"), "{error}");
        }
        let officer = for_operator(row(
            "mail_9_o4",
            crate::mail::TO_OFFICER,
            "pupr@badungkab.go.id",
        ));
        assert_eq!(officer.target, "pupr@badungkab.go.id");
    }
}
