//! The JSON types of the public API, version 1.
//!
//! Inputs keep their enumerated fields as text so that a wrong value is
//! refused by [`crate::validate`] with a sentence in the citizen's language,
//! not by the JSON parser.

use serde::{Deserialize, Serialize};

/// Kinds of report a citizen can file (as SP4N-LAPOR classifies them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Classification {
    Complaint,
    Aspiration,
    InformationRequest,
}

impl Classification {
    pub const ALL: [Classification; 3] = [
        Classification::Complaint,
        Classification::Aspiration,
        Classification::InformationRequest,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Classification::Complaint => "complaint",
            Classification::Aspiration => "aspiration",
            Classification::InformationRequest => "information_request",
        }
    }

    pub fn from_key(key: &str) -> Option<Classification> {
        Classification::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// Who may learn who filed, and who may read what was filed: two independent
/// choices, as SP4N-LAPOR's *anonim* and *rahasia*.
///
/// - anonymous: no officer and no external system learns who filed; the
///   contact details, if given, are used only to keep the reporter informed.
/// - confidential: the content is never public; only the officers handling
///   it read it.
///
/// It travels as one key (`public`, `anonymous`, `confidential`,
/// `anonymous_confidential`), so the three keys of earlier versions still
/// mean what they meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Privacy {
    Public,
    Anonymous,
    Confidential,
    AnonymousConfidential,
}

impl Privacy {
    pub const ALL: [Privacy; 4] = [
        Privacy::Public,
        Privacy::Anonymous,
        Privacy::Confidential,
        Privacy::AnonymousConfidential,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Privacy::Public => "public",
            Privacy::Anonymous => "anonymous",
            Privacy::Confidential => "confidential",
            Privacy::AnonymousConfidential => "anonymous_confidential",
        }
    }

    pub fn from_key(key: &str) -> Option<Privacy> {
        Privacy::ALL.into_iter().find(|p| p.key() == key)
    }

    /// The privacy of the two choices.
    pub fn of(anonymous: bool, confidential: bool) -> Privacy {
        match (anonymous, confidential) {
            (false, false) => Privacy::Public,
            (true, false) => Privacy::Anonymous,
            (false, true) => Privacy::Confidential,
            (true, true) => Privacy::AnonymousConfidential,
        }
    }

    /// No officer and no external system learns who filed.
    pub fn anonymous(self) -> bool {
        matches!(self, Privacy::Anonymous | Privacy::AnonymousConfidential)
    }

    /// The content is never public.
    pub fn confidential(self) -> bool {
        matches!(self, Privacy::Confidential | Privacy::AnonymousConfidential)
    }

    /// The same anonymity, made confidential (what a supervisory category
    /// does: it never removes anonymity).
    pub fn made_confidential(self) -> Privacy {
        Privacy::of(self.anonymous(), true)
    }
}

/// The languages every citizen-facing sentence exists in: Indonesian,
/// English and Balinese (in Latin script). Officers' pages speak
/// Indonesian or English ([`Locale::for_officers`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    Id,
    En,
    Ban,
}

impl Locale {
    /// Every language, in the order a chooser lists them.
    pub const ALL: [Locale; 3] = [Locale::Id, Locale::En, Locale::Ban];

    pub fn key(self) -> &'static str {
        match self {
            Locale::Id => "id",
            Locale::En => "en",
            Locale::Ban => "ban",
        }
    }

    /// The language's name in itself, as a chooser shows it.
    pub fn name(self) -> &'static str {
        match self {
            Locale::Id => "Bahasa Indonesia",
            Locale::En => "English",
            Locale::Ban => "Basa Bali",
        }
    }

    pub fn from_key(key: &str) -> Option<Locale> {
        match key.trim().to_ascii_lowercase().as_str() {
            "id" | "id-id" | "in" => Some(Locale::Id),
            "en" | "en-us" | "en-gb" | "en-au" => Some(Locale::En),
            "ban" | "ban-id" | "ban-latn" | "ban-latn-id" => Some(Locale::Ban),
            _ => None,
        }
    }

    /// The language of the pages officers and webmasters read: Balinese
    /// readers get Indonesian there (the console's words exist in
    /// Indonesian and English only).
    pub fn for_officers(self) -> Locale {
        match self {
            Locale::Ban => Locale::Id,
            other => other,
        }
    }

    /// Dates and numbers: Balinese readers use the Indonesian conventions.
    pub fn conventions(self) -> Locale {
        self.for_officers()
    }

    /// The first supported language in an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        header
            .split(',')
            .filter_map(|part| part.split(';').next())
            .find_map(|tag| {
                let primary = tag.trim().split('-').next().unwrap_or("");
                Locale::from_key(primary)
            })
    }
}

/// Where a complaint is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Submitted,
    NeedsInfo,
    Verified,
    InProgress,
    Resolved,
    Closed,
    Rejected,
    TransferredOut,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Submitted,
        Status::NeedsInfo,
        Status::Verified,
        Status::InProgress,
        Status::Resolved,
        Status::Closed,
        Status::Rejected,
        Status::TransferredOut,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::NeedsInfo => "needs_info",
            Status::Verified => "verified",
            Status::InProgress => "in_progress",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
            Status::TransferredOut => "transferred_out",
        }
    }

    pub fn from_key(key: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Closed states take no more replies from the reporter.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Status::Closed | Status::Rejected | Status::TransferredOut
        )
    }
}

/// How a region exchanges complaints with the portals it already uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IntegrationMode {
    Lapor,
    Webhook,
    None,
}

impl IntegrationMode {
    pub fn key(self) -> &'static str {
        match self {
            IntegrationMode::Lapor => "lapor",
            IntegrationMode::Webhook => "webhook",
            IntegrationMode::None => "none",
        }
    }

    pub fn from_key(key: &str) -> Option<IntegrationMode> {
        match key {
            "lapor" => Some(IntegrationMode::Lapor),
            "webhook" => Some(IntegrationMode::Webhook),
            "none" => Some(IntegrationMode::None),
            _ => None,
        }
    }
}

/// The reporter's contact details as sent; every field optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReporterInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

/// `POST /api/v1/complaints`: a complaint as the citizen sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ComplaintInput {
    /// Slug of the region whose site the form is on.
    pub region: String,
    pub classification: String,
    pub title: String,
    pub description: String,
    /// Category key from the form endpoint.
    pub category: String,
    /// District key or name from the form endpoint; it decides the region.
    pub district: Option<String>,
    pub location: Option<String>,
    /// The customary village (desa adat) or banjar, as the reporter names it.
    pub landmark: Option<String>,
    /// Where the reporter's phone was when they asked it to say so.
    pub position: Option<Position>,
    /// `YYYY-MM-DD`, not in the future.
    pub incident_date: Option<String>,
    pub privacy: String,
    pub reporter: ReporterInput,
    pub locale: Option<String>,
    /// Ids of finished uploads (`/api/v1/uploads`) to attach; at most five.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// A point in decimal degrees (WGS 84), kept as the digits written: the
/// widget copies it from the browser without reading it as a number, and
/// the server writes six decimals (about 11 cm). In JSON it is
/// `{"latitude": -8.65, "longitude": 115.2167}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub latitude: String,
    pub longitude: String,
}

/// [`Position`] as JSON numbers.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Degrees {
    latitude: f64,
    longitude: f64,
}

impl Position {
    /// Latitude and longitude as numbers (`None` unless both are numbers).
    pub fn degrees(&self) -> Option<(f64, f64)> {
        Some((self.latitude.parse().ok()?, self.longitude.parse().ok()?))
    }
}

impl Serialize for Position {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (latitude, longitude) = self
            .degrees()
            .ok_or_else(|| serde::ser::Error::custom("a position that is not numbers"))?;
        Degrees {
            latitude,
            longitude,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Degrees {
            latitude,
            longitude,
        } = Degrees::deserialize(d)?;
        Ok(Position {
            latitude: format!("{latitude:.6}"),
            longitude: format!("{longitude:.6}"),
        })
    }
}

/// A region and unit named in a receipt or a tracking view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub key: String,
    pub name: String,
}

/// A step's due date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// `verification`, `follow_up_plan`, `follow_up` or `auto_close`.
    pub step: String,
    /// `YYYY-MM-DD`, in the region's local calendar.
    pub date: String,
}

/// The answer to a filed complaint (201).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub tracking_code: String,
    pub status: Status,
    pub privacy: Privacy,
    pub region: Named,
    pub unit: Named,
    /// RFC 3339, UTC.
    pub submitted_at: String,
    pub due: Due,
}

/// One public entry of a complaint's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// RFC 3339, UTC.
    pub at: String,
    /// `submitted`, `reply`, `status_changed`, `transferred`, …
    pub kind: String,
    /// `reporter`, `officer` or `system`.
    pub author: String,
    pub from_status: Option<Status>,
    pub to_status: Option<Status>,
    /// A public reply or the reporter's message; never an internal note.
    pub message: Option<String>,
}

/// `GET /api/v1/complaints/{code}`: what anyone holding the code may see.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingView {
    pub tracking_code: String,
    pub status: Status,
    pub classification: Classification,
    pub privacy: Privacy,
    pub title: String,
    pub category: CategoryOption,
    pub region: Named,
    pub unit: Named,
    pub submitted_at: String,
    pub updated_at: String,
    /// The current step's due date; none once the complaint is final.
    pub due: Option<Due>,
    /// True while the reporter can add information.
    pub accepts_replies: bool,
    /// The SP4N-LAPOR tracking id, once the complaint was forwarded there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lapor_tracking_id: Option<String>,
    pub timeline: Vec<TimelineEntry>,
    /// The reporter's rating of the handling (1–5), once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
}

/// `POST /api/v1/complaints/{code}/rating`: the reporter rates the
/// handling of a resolved or closed complaint, once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RatingInput {
    pub score: i64,
    pub comment: Option<String>,
    pub locale: Option<String>,
}

/// `POST /api/v1/similar/{id}/supporters`: a citizen joins
/// an open complaint ("saya juga") instead of filing the same one again.
/// An e-mail address or a phone number is needed: it makes joining twice
/// count once, and the address hears of the complaint's progress. None of
/// it is ever shown to anyone.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupportInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
}

/// One complaint like the one a citizen is about to file, as anyone may
/// see it (`GET /api/v1/regions/{slug}/similar`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimilarView {
    /// The public id: what joining names it by.
    pub id: String,
    pub title: String,
    pub status: Status,
    /// The status in the asked language.
    pub status_label: String,
    /// The day it was received (`YYYY-MM-DD`, Bali time).
    pub received_on: String,
    /// Whole days since then.
    pub age_days: i64,
    /// Citizens who joined it.
    pub supporters: i64,
}

/// `POST /api/v1/complaints/{code}/replies`: the reporter adds information.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplyInput {
    pub message: String,
    pub locale: Option<String>,
    /// Ids of finished uploads to attach to the reply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// A photo or document attached to a complaint, as its reporter sees it
/// (the tracker's `attachments`, beside the [`TrackingView`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    pub id: String,
    pub name: String,
    /// `jpeg`, `png` or `pdf`.
    pub kind: String,
    pub size: u64,
    /// `complaint`, `reporter_reply` or `officer_reply`.
    pub part: String,
    pub at: String,
    /// Where to fetch it (the tracking code is part of the address).
    pub url: String,
    /// A small preview, for photos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_url: Option<String>,
}

/// A region as listed by `GET /api/v1/regions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionSummary {
    pub slug: String,
    /// Ministry of Home Affairs code, e.g. `51.03`.
    pub code: String,
    pub name: String,
    /// `province`, `regency` or `city`.
    pub kind: String,
    /// Slug of the province, for regencies and cities.
    pub parent: Option<String>,
    /// SP4N-LAPOR connection group reported in 2019 (1, 2 or 3); `None` is unknown.
    pub lapor_group_2019: Option<u8>,
    pub integration_mode: IntegrationMode,
    /// The region's own complaint app, where it runs one.
    pub own_portal: Option<String>,
    /// The three letters that start its tracking codes.
    pub code_prefix: String,
}

/// A category a citizen can choose.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategoryOption {
    pub key: String,
    pub name_id: String,
    pub name_en: String,
    /// Supervisory complaints go to the Inspectorate and are confidential.
    pub supervisory: bool,
}

/// A district (kecamatan) a citizen can choose; it decides the region.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistrictOption {
    pub key: String,
    pub name: String,
    pub region: String,
    pub region_name: String,
}

/// A fixed choice with its labels, and a one-sentence explanation where useful.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub key: String,
    pub label_id: String,
    pub label_en: String,
    pub help_id: Option<String>,
    pub help_en: Option<String>,
}

/// The limits the form enforces, in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldLimits {
    pub title_min: usize,
    pub title_max: usize,
    pub description_min: usize,
    pub description_max: usize,
    pub location_max: usize,
    pub name_max: usize,
    pub email_max: usize,
    pub phone_max: usize,
    pub reply_max: usize,
}

/// `GET /api/v1/regions/{slug}/form`: everything a form for that site needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegionForm {
    pub region: RegionSummary,
    pub categories: Vec<CategoryOption>,
    /// The region's own districts first, then every other district in the
    /// province ("no wrong door").
    pub districts: Vec<DistrictOption>,
    pub classifications: Vec<Choice>,
    pub privacy_modes: Vec<Choice>,
    pub limits: FieldLimits,
    /// Every region that can receive complaints, for `region` in a complaint.
    pub regions: Vec<Named>,
}

/// The error body of every refusal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong, for people (`message`) and programs (`code`, `fields`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub fields: std::collections::BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_first_supported_language() {
        assert_eq!(
            Locale::from_accept_language("en-GB,en;q=0.9"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("fr-FR, id;q=0.8"),
            Some(Locale::Id)
        );
        assert_eq!(Locale::from_accept_language("fr, de"), None);
    }

    #[test]
    fn unknown_fields_in_a_complaint_are_refused() {
        let body = r#"{"region":"badung","extra":1}"#;
        assert!(serde_json::from_str::<ComplaintInput>(body).is_err());
        let reporter = r#"{"reporter":{"name":"A","nik":"1"}}"#;
        assert!(serde_json::from_str::<ComplaintInput>(reporter).is_err());
    }

    #[test]
    fn enumerations_round_trip_through_their_keys() {
        for s in Status::ALL {
            assert_eq!(Status::from_key(s.key()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).ok(),
                Some(format!("\"{}\"", s.key()))
            );
        }
        for c in Classification::ALL {
            assert_eq!(Classification::from_key(c.key()), Some(c));
        }
        for p in Privacy::ALL {
            assert_eq!(Privacy::from_key(p.key()), Some(p));
            assert_eq!(
                serde_json::to_string(&p).ok(),
                Some(format!("\"{}\"", p.key()))
            );
        }
    }

    #[test]
    fn privacy_is_two_independent_choices() {
        for anonymous in [false, true] {
            for confidential in [false, true] {
                let p = Privacy::of(anonymous, confidential);
                assert_eq!((p.anonymous(), p.confidential()), (anonymous, confidential));
                // Made confidential, it keeps its anonymity.
                let c = p.made_confidential();
                assert_eq!((c.anonymous(), c.confidential()), (anonymous, true));
            }
        }
        // The keys of earlier versions mean what they meant.
        assert_eq!(Privacy::from_key("public"), Some(Privacy::of(false, false)));
        assert_eq!(
            Privacy::from_key("anonymous"),
            Some(Privacy::of(true, false))
        );
        assert_eq!(
            Privacy::from_key("confidential"),
            Some(Privacy::of(false, true))
        );
    }
}
