//! "Saya juga" (me too): while a citizen fills in the form, the widget shows
//! open complaints of the same region, category and district from the last
//! 60 days, and the citizen may join one instead of filing it again.
//!
//! What a listed complaint shows is what the disclosure policy lets anyone
//! see ([`Audience::Public`]): a confidential complaint is never listed, and
//! the title of any other only when the policy allows it. A supporter's
//! contact details reach nobody but the supporter
//! ([`Field::SupporterContact`]); officers and the dashboard see how many
//! joined.

use aduan_app::api::{Locale, Privacy, SimilarView, Status};
use aduan_app::validate::Reporter;
use sha2::{Digest, Sha256};

use crate::disclosure::{Audience, Field, may};

/// How far back the listing looks.
pub const WINDOW_DAYS: i64 = 60;
/// How many complaints it shows at most.
pub const LISTED: i64 = 5;

/// A complaint as the listing's statement reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SimilarRow {
    pub public_id: String,
    pub title: String,
    pub status: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub created_at: i64,
    pub supporters: i64,
}

/// A citizen joining a complaint.
#[derive(Debug, Clone)]
pub struct NewSupporter {
    /// Who they are to the uniqueness check: see [`contact_key`].
    pub contact_key: String,
    pub contact: Reporter,
    pub locale: Locale,
    /// The secret of the link that stops their e-mails.
    pub leave_token: String,
    /// The secret of the link that confirms their address: they count
    /// only once they followed it.
    pub confirm_token: String,
    pub at_ms: i64,
}

impl NewSupporter {
    /// `secret` is the service's key for contact keys (see [`contact_key`]).
    pub fn new(contact: Reporter, locale: Locale, at_ms: i64, secret: &str) -> NewSupporter {
        NewSupporter {
            contact_key: contact_key(secret, &contact),
            contact,
            locale,
            leave_token: format!("{:032x}", rand::random::<u128>()),
            confirm_token: format!("{:032x}", rand::random::<u128>()),
            at_ms,
        }
    }
}

/// What joining did. The citizen is told the same for [`Joined::Asked`]
/// and [`Joined::Known`], so that nobody learns by joining with an address
/// whether it supports a complaint already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    /// No joinable complaint has this id.
    NotFound,
    /// E-mail is off: no confirmation can be sent, so nobody can join.
    NoMail,
    /// A confirmation link is on its way to the address.
    Asked,
    /// This contact had joined before (confirmed or not); nothing changed
    /// and nothing is sent.
    Known,
}

/// What following a confirmation link did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmed {
    /// No supporter waits with this token (unknown, or erased unconfirmed).
    Unknown,
    /// Counted (now or before); the complaint's region and supporters.
    Counted { region: String, supporters: i64 },
}

/// How long an address that was never confirmed is kept.
pub const UNCONFIRMED_DAYS: i64 = 7;

/// The service's key (in the database, made once) that contact keys are
/// hashed with.
pub const SECRET_NAME: &str = "supporter_contacts";

/// The same person is the same key: the e-mail address in lower case, or
/// else the phone number's digits (a leading `0` read as Indonesia's `62`),
/// hashed with the service's secret, so that the key alone names nobody
/// once the details are erased (a plain hash of a phone number is undone
/// by trying them all).
pub fn contact_key(secret: &str, contact: &Reporter) -> String {
    let text = match (&contact.email, &contact.phone) {
        (Some(email), _) => format!("e:{}", email.trim().to_lowercase()),
        (None, Some(phone)) => {
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            match digits.strip_prefix('0') {
                Some(rest) => format!("p:62{rest}"),
                None => format!("p:{digits}"),
            }
        }
        (None, None) => String::new(),
    };
    let mut hasher = Sha256::new();
    hasher.update(secret.as_bytes());
    hasher.update([0]);
    hasher.update(text.as_bytes());
    let digest = hasher.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The listing as anyone may see it: each row only when the policy lets
/// the public see its id, its routing and its title.
pub fn public_view(
    rows: Vec<SimilarRow>,
    today: aduan_app::date::Date,
    offset_minutes: i32,
    locale: Locale,
) -> Vec<SimilarView> {
    rows.into_iter()
        .filter_map(|row| {
            let privacy = Privacy::of(row.anonymous, row.confidential);
            let shown = [Field::PublicId, Field::Routing, Field::Title]
                .iter()
                .all(|f| may(Audience::Public, privacy, *f));
            let status = Status::from_key(&row.status)?;
            if !shown {
                return None;
            }
            let received = aduan_app::date::Date::at(row.created_at, offset_minutes);
            Some(SimilarView {
                id: row.public_id,
                title: row.title,
                status,
                status_label: aduan_app::labels::status(status, locale).to_owned(),
                received_on: received.to_string(),
                age_days: (today.to_days() - received.to_days()).max(0),
                supporters: row.supporters,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use aduan_app::date::Date;

    fn row(id: &str, anonymous: bool, confidential: bool, status: &str) -> SimilarRow {
        SimilarRow {
            public_id: id.into(),
            title: format!("Jalan {id}"),
            status: status.into(),
            anonymous,
            confidential,
            // 2026-11-30 10:00 in Bali (UTC+8).
            created_at: 1_796_004_000_000,
            supporters: 2,
        }
    }

    #[test]
    fn the_listing_shows_what_the_public_may_see_and_never_a_confidential_complaint() {
        let today = Date::new(2026, 12, 4).unwrap();
        let rows = vec![
            row("a", false, false, "verified"),
            row("b", true, false, "in_progress"),
            row("c", false, true, "verified"),
            row("d", true, true, "verified"),
            row("e", false, false, "not_a_status"),
        ];
        let shown = public_view(rows, today, 480, Locale::En);
        let ids: Vec<&str> = shown.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["a", "b"]);
        assert_eq!(shown[0].title, "Jalan a");
        assert_eq!(shown[0].received_on, "2026-11-30");
        assert_eq!(shown[0].age_days, 4);
        assert_eq!(shown[0].supporters, 2);
        assert_eq!(shown[1].status, Status::InProgress);
        assert_eq!(
            shown[1].status_label,
            aduan_app::labels::status(Status::InProgress, Locale::En)
        );
        // A day that has not come yet (a clock set back) is not a negative age.
        let before = public_view(
            vec![row("a", false, false, "verified")],
            Date::new(2026, 11, 1).unwrap(),
            480,
            Locale::Id,
        );
        assert_eq!(before[0].age_days, 0);
    }

    #[test]
    fn one_person_is_one_key_however_they_type_it() {
        let by_mail = |email: &str, phone: Option<&str>| Reporter {
            name: None,
            email: Some(email.into()),
            phone: phone.map(Into::into),
        };
        let by_phone = |phone: &str| Reporter {
            name: Some("Made".into()),
            email: None,
            phone: Some(phone.into()),
        };
        let key = contact_key("k", &by_mail("Ketut@Example.ID", None));
        assert_eq!(
            key,
            contact_key("k", &by_mail("ketut@example.id", Some("081234567890")))
        );
        assert_ne!(key, contact_key("k", &by_mail("kadek@example.id", None)));
        assert_eq!(key.len(), 64);
        assert!(!key.contains("ketut"));
        // Another service's secret, another key.
        assert_ne!(
            key,
            contact_key("other", &by_mail("Ketut@Example.ID", None))
        );
        assert_eq!(
            contact_key("k", &by_phone("081234567890")),
            contact_key("k", &by_phone("+6281234567890"))
        );
        assert_ne!(
            contact_key("k", &by_phone("081234567890")),
            contact_key("k", &by_phone("081234567891"))
        );
        // An address and a phone number are never the same person by accident.
        assert_ne!(
            contact_key("k", &by_phone("6281234567890")),
            contact_key("k", &by_mail("6281234567890", None))
        );
    }
}
