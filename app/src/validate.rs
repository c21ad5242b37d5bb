//! The complaint rules, written once: the widget runs them before sending and
//! the server before storing.

use std::collections::BTreeMap;

use crate::api::{
    Classification, ComplaintInput, FieldLimits, Locale, Position, Privacy, RatingInput,
    RegionForm, ReplyInput, SupportInput,
};
use crate::date::Date;
use crate::i18n::Msg;

/// The limits every form and the server enforce, in characters.
pub const LIMITS: FieldLimits = FieldLimits {
    title_min: 5,
    title_max: 150,
    description_min: 20,
    description_max: 4000,
    location_max: 300,
    name_max: 100,
    email_max: 254,
    phone_max: 24,
    reply_max: 4000,
};

/// How far back an incident may be, in days (about twenty years).
pub const OLDEST_INCIDENT_DAYS: i64 = 20 * 366;

/// What the rules need to know about regions, categories and districts.
pub trait Catalog {
    fn has_region(&self, slug: &str) -> bool;
    fn has_category(&self, key: &str) -> bool;
    /// The key of the district named by `key_or_name` (a key, or a name in any case).
    fn district_key(&self, key_or_name: &str) -> Option<String>;
}

impl Catalog for RegionForm {
    fn has_region(&self, slug: &str) -> bool {
        self.regions.iter().any(|r| r.key == slug)
    }

    fn has_category(&self, key: &str) -> bool {
        self.categories.iter().any(|c| c.key == key)
    }

    fn district_key(&self, key_or_name: &str) -> Option<String> {
        self.districts
            .iter()
            .find(|d| d.key == key_or_name || d.name.eq_ignore_ascii_case(key_or_name))
            .map(|d| d.key.clone())
    }
}

/// The reporter's contact details, normalised; each `None` when not given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reporter {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl Reporter {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.email.is_none() && self.phone.is_none()
    }
}

/// A complaint that passed every rule. Handlers only ever see these.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidComplaint {
    pub region: String,
    pub classification: Classification,
    pub title: String,
    pub description: String,
    pub category: String,
    pub district: Option<String>,
    pub location: Option<String>,
    pub landmark: Option<String>,
    pub position: Option<Position>,
    pub incident_date: Option<Date>,
    pub privacy: Privacy,
    pub reporter: Reporter,
    pub locale: Locale,
}

/// A refusal: the language to answer in and one problem per field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid {
    pub locale: Locale,
    pub fields: BTreeMap<String, Msg>,
}

impl Invalid {
    /// The field problems as sentences in the refusal's language.
    pub fn messages(&self) -> BTreeMap<String, String> {
        self.fields
            .iter()
            .map(|(k, m)| (k.clone(), m.text(self.locale)))
            .collect()
    }
}

/// Reads the `locale` field; a missing one is Indonesian.
pub fn locale_of(raw: Option<&str>) -> Result<Locale, Msg> {
    match raw.map(str::trim) {
        None | Some("") => Ok(Locale::Id),
        Some(key) => Locale::from_key(key).ok_or(Msg::UnknownLocale),
    }
}

fn char_count(s: &str) -> usize {
    s.chars().count()
}

/// The text itself when its length in characters is within `min..=max`.
fn within(text: &str, min: usize, max: usize) -> Result<String, Msg> {
    let n = char_count(text);
    if n < min {
        return Err(Msg::TooShort(min));
    }
    if n > max {
        return Err(Msg::TooLong(max));
    }
    Ok(text.to_owned())
}

/// A character no field may carry, because an XML 1.0 document, a JSON
/// consumer or a terminal mishandles it: C0 and C1 controls (the callers
/// allow tab and newline where lines are allowed) and the non-characters
/// (U+FDD0 to U+FDEF, and the last two code points of every plane).
fn unfit(c: char) -> bool {
    let u = c as u32;
    c.is_control() || (0xFDD0..=0xFDEF).contains(&u) || u & 0xFFFE == 0xFFFE
}

/// A bidirectional embedding, override or isolate: in one line of text
/// (a title, a name) it can make what is shown differ from what is stored.
pub fn bidi_control(c: char) -> bool {
    matches!(c as u32, 0x202A..=0x202E | 0x2066..=0x2069)
}

/// One line of text: trimmed, no control, non-character or bidirectional
/// control characters, within `min..=max`.
fn line(raw: &str, min: usize, max: usize) -> Result<String, Msg> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Msg::Required);
    }
    if text.contains(['\n', '\r']) {
        return Err(Msg::SingleLine);
    }
    if text.chars().any(|c| unfit(c) || bidi_control(c)) {
        return Err(Msg::ControlCharacters);
    }
    within(text, min, max)
}

/// Text of several lines: line ends become `\n`, tabs stay, other controls are refused.
pub fn paragraphs(raw: &str, min: usize, max: usize) -> Result<String, Msg> {
    // Written out rather than with `str::replace`, whose substring search
    // would be the widget's only one.
    let mut text = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            chars.next_if_eq(&'\n');
            text.push('\n');
        } else {
            text.push(c);
        }
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(Msg::Required);
    }
    if text.chars().any(|c| unfit(c) && c != '\n' && c != '\t') {
        return Err(Msg::ControlCharacters);
    }
    within(text, min, max)
}

fn optional(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|s| !s.is_empty())
}

/// A plausible e-mail address, with its domain in lower case.
pub fn email(raw: &str) -> Result<String, Msg> {
    email_as_typed(raw).map(|text| domain_in_lower_case(&text))
}

fn domain_in_lower_case(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => format!("{local}@{}", domain.to_lowercase()),
        None => address.to_owned(),
    }
}

/// A plausible e-mail address, trimmed but otherwise as typed. (Lower-casing
/// needs Unicode's case tables, which the widget has no other use for.)
fn email_as_typed(raw: &str) -> Result<String, Msg> {
    let text = line(raw, 3, LIMITS.email_max).map_err(|e| match e {
        Msg::TooLong(_) | Msg::Required => e,
        _ => Msg::EmailInvalid,
    })?;
    let (local, domain) = text.split_once('@').ok_or(Msg::EmailInvalid)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains([
            '@', ' ', '<', '>', '(', ')', ',', ';', ':', '"', '\\', '[', ']',
        ]);
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.chars().count() >= 2);
    if !local_ok || !domain_ok {
        return Err(Msg::EmailInvalid);
    }
    Ok(text)
}

/// A phone number of 8 to 15 digits, kept as digits with an optional leading `+`.
pub fn phone(raw: &str) -> Result<String, Msg> {
    let text = raw.trim();
    if char_count(text) > LIMITS.phone_max {
        return Err(Msg::TooLong(LIMITS.phone_max));
    }
    let (plus, rest) = match text.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if !rest
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.'))
    {
        return Err(Msg::PhoneInvalid);
    }
    let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
    if !(8..=15).contains(&digits.len()) {
        return Err(Msg::PhoneInvalid);
    }
    Ok(if plus { format!("+{digits}") } else { digits })
}

/// An incident date: a real day, not after `today`, not decades ago.
pub fn incident_date(raw: &str, today: Date) -> Result<Date, Msg> {
    let date = Date::parse(raw.trim()).ok_or(Msg::DateFormat)?;
    if date > today {
        return Err(Msg::DateInFuture);
    }
    if today.to_days() - date.to_days() > OLDEST_INCIDENT_DAYS {
        return Err(Msg::DateTooOld);
    }
    Ok(date)
}

/// The longest customary village or banjar name, in characters.
pub const LANDMARK_MAX: usize = 150;

/// Whether `text` is decimal degrees within `-limit..=limit`: an optional
/// minus, one to three digits, and optionally a point and one to ten more.
/// Read without floating point (the widget checks it too, and float
/// parsing is large in its bundle).
pub fn degrees(text: &str, limit: u32) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(whole, 3) || fraction.is_some_and(|f| !digits(f, 10)) {
        return false;
    }
    let value = whole
        .bytes()
        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    value < limit || (value == limit && fraction.is_none_or(|f| f.bytes().all(|b| b == b'0')))
}

/// Checks a complaint against every rule and prepares it for storage;
/// `today` is the region's local date.
pub fn complaint(
    input: &ComplaintInput,
    today: Date,
    catalog: &impl Catalog,
) -> Result<ValidComplaint, Invalid> {
    let checked = checked(input, today, catalog);
    // The position is checked here, not in `checked`: the widget copies it
    // from the browser as six decimals and leaves the check to the server
    // (its bundle is the scarcer resource).
    let position = match &input.position {
        Some(p) if !(degrees(&p.latitude, 90) && degrees(&p.longitude, 180)) => {
            let mut invalid = match checked {
                Ok(v) => Invalid {
                    locale: v.locale,
                    fields: BTreeMap::new(),
                },
                Err(invalid) => invalid,
            };
            invalid
                .fields
                .insert("position".to_owned(), Msg::PositionInvalid);
            return Err(invalid);
        }
        p => p.clone(),
    };
    let mut valid = checked?;
    valid.position = position;
    valid.reporter.email = valid.reporter.email.map(|e| domain_in_lower_case(&e));
    Ok(valid)
}

/// The same rules as [`complaint`], without preparing the complaint for
/// storage: what the widget runs before it sends one.
pub fn check_complaint(
    input: &ComplaintInput,
    today: Date,
    catalog: &impl Catalog,
) -> Result<(), Invalid> {
    checked(input, today, catalog).map(drop)
}

fn checked(
    input: &ComplaintInput,
    today: Date,
    catalog: &impl Catalog,
) -> Result<ValidComplaint, Invalid> {
    let mut fields = BTreeMap::new();
    let mut check = |name: &str, result: Result<(), Msg>| {
        if let Err(m) = result {
            fields.insert(name.to_owned(), m);
        }
    };

    let locale = locale_of(input.locale.as_deref());
    check("locale", locale.map(drop));
    let locale = locale.unwrap_or_default();

    let region = input.region.trim();
    check(
        "region",
        if region.is_empty() {
            Err(Msg::Required)
        } else if catalog.has_region(region) {
            Ok(())
        } else {
            Err(Msg::UnknownRegion)
        },
    );

    let classification = match input.classification.trim() {
        "" => Err(Msg::Required),
        key => Classification::from_key(key).ok_or(Msg::UnknownClassification),
    };
    check("classification", classification.map(drop));

    let title = line(&input.title, LIMITS.title_min, LIMITS.title_max);
    check("title", title.as_ref().map(drop).map_err(|m| *m));

    let description = paragraphs(
        &input.description,
        LIMITS.description_min,
        LIMITS.description_max,
    );
    check(
        "description",
        description.as_ref().map(drop).map_err(|m| *m),
    );

    let category = input.category.trim();
    check(
        "category",
        if category.is_empty() {
            Err(Msg::Required)
        } else if catalog.has_category(category) {
            Ok(())
        } else {
            Err(Msg::UnknownCategory)
        },
    );

    let district = match optional(input.district.as_deref()) {
        None => Ok(None),
        Some(d) => catalog
            .district_key(d)
            .map(Some)
            .ok_or(Msg::UnknownDistrict),
    };
    check("district", district.as_ref().map(drop).map_err(|m| *m));

    let location = match optional(input.location.as_deref()) {
        None => Ok(None),
        Some(l) => line(l, 1, LIMITS.location_max).map(Some),
    };
    check("location", location.as_ref().map(drop).map_err(|m| *m));

    let landmark = match optional(input.landmark.as_deref()) {
        None => Ok(None),
        Some(l) => line(l, 1, LANDMARK_MAX).map(Some),
    };
    check("landmark", landmark.as_ref().map(drop).map_err(|m| *m));

    let incident = match optional(input.incident_date.as_deref()) {
        None => Ok(None),
        Some(d) => incident_date(d, today).map(Some),
    };
    check("incident_date", incident.map(drop));

    let privacy = match input.privacy.trim() {
        "" => Err(Msg::Required),
        key => Privacy::from_key(key).ok_or(Msg::UnknownPrivacy),
    };
    check("privacy", privacy.map(drop));

    let name = match optional(input.reporter.name.as_deref()) {
        None => Ok(None),
        Some(n) => line(n, 1, LIMITS.name_max).map(Some),
    };
    check("reporter.name", name.as_ref().map(drop).map_err(|m| *m));
    let mail = optional(input.reporter.email.as_deref())
        .map(email_as_typed)
        .transpose();
    check("reporter.email", mail.as_ref().map(drop).map_err(|m| *m));
    let tel = optional(input.reporter.phone.as_deref())
        .map(phone)
        .transpose();
    check("reporter.phone", tel.as_ref().map(drop).map_err(|m| *m));

    match (
        classification,
        title,
        description,
        district,
        (location, landmark),
        incident,
        privacy,
        name,
        mail,
        tel,
    ) {
        (
            Ok(classification),
            Ok(title),
            Ok(description),
            Ok(district),
            (Ok(location), Ok(landmark)),
            Ok(incident_date),
            Ok(privacy),
            Ok(name),
            Ok(email),
            Ok(phone),
        ) if fields.is_empty() => Ok(ValidComplaint {
            region: region.to_owned(),
            classification,
            title,
            description,
            category: category.to_owned(),
            district,
            location,
            landmark,
            position: None,
            incident_date,
            privacy,
            reporter: Reporter { name, email, phone },
            locale,
        }),
        _ => Err(Invalid { locale, fields }),
    }
}

/// Checks a reporter's reply; returns the message and the language to answer in.
pub fn reply(input: &ReplyInput) -> Result<(String, Locale), Invalid> {
    let mut fields = BTreeMap::new();
    let locale = locale_of(input.locale.as_deref()).unwrap_or_else(|m| {
        fields.insert("locale".to_owned(), m);
        Locale::Id
    });
    match paragraphs(&input.message, 1, LIMITS.reply_max) {
        Ok(message) if fields.is_empty() => Ok((message, locale)),
        Ok(_) => Err(Invalid { locale, fields }),
        Err(m) => {
            fields.insert("message".to_owned(), m);
            Err(Invalid { locale, fields })
        }
    }
}

/// Checks a rating: a score from 1 to 5 and an optional comment (a
/// paragraph text like a reply). Returns the score, the comment and the
/// locale of any refusal.
pub fn rating(input: &RatingInput) -> Result<(u8, Option<String>, Locale), Invalid> {
    let mut fields = BTreeMap::new();
    let locale = locale_of(input.locale.as_deref()).unwrap_or_else(|m| {
        fields.insert("locale".to_owned(), m);
        Locale::Id
    });
    let score = u8::try_from(input.score)
        .ok()
        .filter(|s| (1..=5).contains(s));
    if score.is_none() {
        fields.insert("score".to_owned(), Msg::ScoreRange);
    }
    let comment = match input.comment.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match paragraphs(text, 1, LIMITS.reply_max) {
            Ok(c) => Some(c),
            Err(m) => {
                fields.insert("comment".to_owned(), m);
                None
            }
        },
    };
    match score {
        Some(score) if fields.is_empty() => Ok((score, comment, locale)),
        _ => Err(Invalid { locale, fields }),
    }
}

/// Checks a supporter's contact details ([`SupportInput`]): an e-mail
/// address (the confirmation link and the news go there), an optional name
/// and phone number. Returns them and the language to write to them in.
pub fn supporter(input: &SupportInput) -> Result<(Reporter, Locale), Invalid> {
    let mut fields = BTreeMap::new();
    let locale = locale_of(input.locale.as_deref()).unwrap_or_else(|m| {
        fields.insert("locale".to_owned(), m);
        Locale::Id
    });
    let mut check = |field: &str, result: Result<(), Msg>| {
        if let Err(m) = result {
            fields.insert(field.to_owned(), m);
        }
    };
    let name = optional(input.name.as_deref())
        .map(|n| line(n, 1, LIMITS.name_max))
        .transpose();
    check("name", name.as_ref().map(drop).map_err(|m| *m));
    let mail = optional(input.email.as_deref()).map(email).transpose();
    check("email", mail.as_ref().map(drop).map_err(|m| *m));
    let tel = optional(input.phone.as_deref()).map(phone).transpose();
    check("phone", tel.as_ref().map(drop).map_err(|m| *m));
    if let Ok(None) = &mail {
        check("email", Err(Msg::Required));
    }
    match (name, mail, tel) {
        (Ok(name), Ok(email), Ok(phone)) if fields.is_empty() => {
            Ok((Reporter { name, email, phone }, locale))
        }
        _ => Err(Invalid { locale, fields }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ReporterInput;

    struct Bali;

    impl Catalog for Bali {
        fn has_region(&self, slug: &str) -> bool {
            ["badung", "denpasar"].contains(&slug)
        }
        fn has_category(&self, key: &str) -> bool {
            ["jalan", "pungli"].contains(&key)
        }
        fn district_key(&self, key_or_name: &str) -> Option<String> {
            match key_or_name.to_lowercase().as_str() {
                "kuta" => Some("kuta".into()),
                "denpasar-selatan" | "denpasar selatan" => Some("denpasar-selatan".into()),
                _ => None,
            }
        }
    }

    fn today() -> Date {
        Date::new(2026, 11, 28).unwrap_or_else(|| Date::from_days(0))
    }

    fn good() -> ComplaintInput {
        ComplaintInput {
            region: "badung".into(),
            classification: "complaint".into(),
            title: "Jalan berlubang di Jalan Raya Kuta".into(),
            description: "Lubang besar di depan pasar, sudah dua minggu tidak diperbaiki.".into(),
            category: "jalan".into(),
            district: Some("Denpasar Selatan".into()),
            location: Some("Depan pasar".into()),
            landmark: Some("Banjar Tegal".into()),
            position: Some(Position {
                latitude: "-8.718200".into(),
                longitude: "115.168600".into(),
            }),
            incident_date: Some("2026-11-20".into()),
            privacy: "public".into(),
            reporter: ReporterInput {
                name: Some("Wayan".into()),
                email: Some("wayan@Example.ID".into()),
                phone: Some("+62 812-3456-7890".into()),
            },
            locale: Some("en".into()),
            attachments: Vec::new(),
        }
    }

    #[test]
    fn a_complete_complaint_passes_and_is_normalised() {
        let valid = complaint(&good(), today(), &Bali);
        let valid = valid.as_ref().map_err(|e| e.fields.clone());
        assert_eq!(
            valid.map(|v| v.district.clone()),
            Ok(Some("denpasar-selatan".to_owned()))
        );
        let v = complaint(&good(), today(), &Bali).ok();
        assert_eq!(
            v.as_ref().and_then(|v| v.reporter.email.clone()).as_deref(),
            Some("wayan@example.id")
        );
        assert_eq!(
            v.as_ref().and_then(|v| v.reporter.phone.clone()).as_deref(),
            Some("+6281234567890")
        );
        assert_eq!(v.map(|v| v.locale), Some(Locale::En));
    }

    #[test]
    fn degrees_are_read_as_written_within_their_limit() {
        for (text, limit) in [
            ("0", 90),
            ("-8.7182", 90),
            ("89.9999999999", 90),
            ("90", 90),
            ("-90.000", 90),
            ("115.1686", 180),
            ("-180", 180),
            ("180.0000000000", 180),
            ("007", 90),
        ] {
            assert!(degrees(text, limit), "{text} within {limit}");
        }
        for (text, limit) in [
            ("", 90),
            ("-", 90),
            ("90.000001", 90),
            ("91", 90),
            ("115.1", 90),
            ("180.5", 180),
            ("1000", 180),
            ("8.", 90),
            (".5", 90),
            ("8.12345678901", 90),
            ("+8", 90),
            ("--8", 90),
            ("8,5", 90),
            ("1e2", 180),
            ("8.5 ", 90),
            ("NaN", 90),
        ] {
            assert!(!degrees(text, limit), "{text:?} within {limit}");
        }
    }

    #[test]
    fn a_position_and_a_landmark_are_checked_and_kept() {
        let v = complaint(&good(), today(), &Bali).expect("valid");
        assert_eq!(v.landmark.as_deref(), Some("Banjar Tegal"));
        assert_eq!(
            v.position
                .as_ref()
                .map(|p| (p.latitude.as_str(), p.longitude.as_str())),
            Some(("-8.718200", "115.168600"))
        );
        for (lat, lon) in [("-91", "115"), ("-8.7", "181"), ("x", "115"), ("-8.7", "")] {
            let mut bad = good();
            bad.position = Some(Position {
                latitude: lat.into(),
                longitude: lon.into(),
            });
            let fields = complaint(&bad, today(), &Bali).expect_err("refused").fields;
            assert_eq!(
                fields.get("position"),
                Some(&Msg::PositionInvalid),
                "{lat} {lon}"
            );
            assert_eq!(fields.len(), 1);
        }
        let mut bad = good();
        bad.landmark = Some("Banjar\nTegal".into());
        let fields = complaint(&bad, today(), &Bali).expect_err("refused").fields;
        assert_eq!(fields.get("landmark"), Some(&Msg::SingleLine));
        bad.landmark = Some("x".repeat(LANDMARK_MAX + 1));
        let fields = complaint(&bad, today(), &Bali).expect_err("refused").fields;
        assert_eq!(fields.get("landmark"), Some(&Msg::TooLong(LANDMARK_MAX)));
        let mut none = good();
        none.landmark = Some("  ".into());
        none.position = None;
        let v = complaint(&none, today(), &Bali).expect("valid");
        assert_eq!((v.landmark, v.position), (None, None));
    }

    #[test]
    fn a_position_reads_json_numbers_and_writes_them_back() {
        let p: Position =
            serde_json::from_str(r#"{"latitude": -8.7182, "longitude": 115.1686}"#).expect("read");
        assert_eq!(
            p,
            Position {
                latitude: "-8.718200".into(),
                longitude: "115.168600".into()
            }
        );
        assert_eq!(
            serde_json::to_value(&p).expect("written"),
            serde_json::json!({"latitude": -8.7182, "longitude": 115.1686})
        );
        assert!(
            serde_json::from_str::<Position>(r#"{"latitude": "-8.7", "longitude": 115}"#).is_err()
        );
        assert!(serde_json::from_str::<Position>(r#"{"latitude": -8.7}"#).is_err());
    }

    #[test]
    fn line_ends_of_every_kind_become_newlines() {
        assert_eq!(
            paragraphs("  a\r\nb\rc\n\r\nd\r\r\n\te  ", 1, 100),
            Ok("a\nb\nc\n\nd\n\n\te".to_owned())
        );
        assert_eq!(paragraphs("\r\n\r", 1, 100), Err(Msg::Required));
        assert_eq!(
            paragraphs("jalan\u{0}", 1, 100),
            Err(Msg::ControlCharacters)
        );
    }

    #[test]
    fn the_widget_check_refuses_exactly_what_the_server_refuses() {
        let mut shouting = good();
        shouting.reporter.email = Some(" Wayan@Contoh.CO.ID ".into());
        let stored = complaint(&shouting, today(), &Bali).map(|v| v.reporter.email);
        assert_eq!(stored, Ok(Some("Wayan@contoh.co.id".to_owned())));
        assert_eq!(check_complaint(&shouting, today(), &Bali), Ok(()));
        let mut bad = good();
        bad.title = String::new();
        bad.reporter.email = Some("not an address".into());
        bad.incident_date = Some("2999-01-01".into());
        for input in [bad, ComplaintInput::default()] {
            let server = complaint(&input, today(), &Bali).map(drop);
            assert!(server.is_err());
            assert_eq!(check_complaint(&input, today(), &Bali), server);
        }
    }

    #[test]
    fn an_empty_complaint_gets_an_error_for_every_required_field() {
        let err = complaint(&ComplaintInput::default(), today(), &Bali).err();
        let fields: Vec<String> = err
            .map(|e| e.fields.into_keys().collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            [
                "category",
                "classification",
                "description",
                "privacy",
                "region",
                "title"
            ]
        );
    }

    #[test]
    fn limits_are_counted_in_characters_not_bytes() {
        let mut input = good();
        input.title = "é".repeat(150);
        assert!(complaint(&input, today(), &Bali).is_ok());
        input.title = "é".repeat(151);
        let err = complaint(&input, today(), &Bali).err().map(|e| e.fields);
        assert_eq!(
            err.and_then(|f| f.get("title").copied()),
            Some(Msg::TooLong(150))
        );
        input = good();
        input.description = "x".repeat(4001);
        let err = complaint(&input, today(), &Bali).err().map(|e| e.fields);
        assert_eq!(
            err.and_then(|f| f.get("description").copied()),
            Some(Msg::TooLong(4000))
        );
    }

    #[test]
    fn unknown_references_are_named_per_field() {
        let mut input = good();
        input.region = "atlantis".into();
        input.category = "weather".into();
        input.district = Some("Ubud Utara".into());
        input.classification = "praise".into();
        input.privacy = "secret".into();
        let fields = complaint(&input, today(), &Bali)
            .err()
            .map(|e| e.fields)
            .unwrap_or_default();
        assert_eq!(fields.get("region"), Some(&Msg::UnknownRegion));
        assert_eq!(fields.get("category"), Some(&Msg::UnknownCategory));
        assert_eq!(fields.get("district"), Some(&Msg::UnknownDistrict));
        assert_eq!(
            fields.get("classification"),
            Some(&Msg::UnknownClassification)
        );
        assert_eq!(fields.get("privacy"), Some(&Msg::UnknownPrivacy));
    }

    #[test]
    fn incident_dates_must_be_real_and_not_in_the_future() {
        assert_eq!(incident_date("2026-11-29", today()), Err(Msg::DateInFuture));
        assert_eq!(incident_date("2026-02-30", today()), Err(Msg::DateFormat));
        assert_eq!(incident_date("28/11/2026", today()), Err(Msg::DateFormat));
        assert_eq!(incident_date("1990-01-01", today()), Err(Msg::DateTooOld));
        assert!(incident_date("2026-11-28", today()).is_ok());
    }

    #[test]
    fn contact_details_are_checked_only_when_given() {
        let mut input = good();
        input.reporter = ReporterInput::default();
        assert!(complaint(&input, today(), &Bali).is_ok_and(|v| v.reporter.is_empty()));
        input.reporter.email = Some("not-an-address".into());
        input.reporter.phone = Some("12345".into());
        let fields = complaint(&input, today(), &Bali)
            .err()
            .map(|e| e.fields)
            .unwrap_or_default();
        assert_eq!(fields.get("reporter.email"), Some(&Msg::EmailInvalid));
        assert_eq!(fields.get("reporter.phone"), Some(&Msg::PhoneInvalid));
        assert_eq!(email("a@b"), Err(Msg::EmailInvalid));
        assert_eq!(email("a b@c.id"), Err(Msg::EmailInvalid));
        assert_eq!(phone("0812 3456 789"), Ok("08123456789".into()));
        assert_eq!(phone("0812-abc-789"), Err(Msg::PhoneInvalid));
    }

    #[test]
    fn markup_is_kept_as_text_but_control_characters_are_refused() {
        let mut input = good();
        input.description = "<script>alert(1)</script> dan <img src=x onerror=alert(1)>".into();
        let v = complaint(&input, today(), &Bali)
            .ok()
            .map(|v| v.description);
        assert_eq!(
            v.as_deref(),
            Some("<script>alert(1)</script> dan <img src=x onerror=alert(1)>")
        );
        input.description = "Jalan rusak parah sekali\u{0}di sini.".into();
        let fields = complaint(&input, today(), &Bali)
            .err()
            .map(|e| e.fields)
            .unwrap_or_default();
        assert_eq!(fields.get("description"), Some(&Msg::ControlCharacters));
        input = good();
        input.title = "Dua\nbaris judul".into();
        let fields = complaint(&input, today(), &Bali)
            .err()
            .map(|e| e.fields)
            .unwrap_or_default();
        assert_eq!(fields.get("title"), Some(&Msg::SingleLine));
    }

    #[test]
    fn characters_that_outlets_mishandle_are_refused_in_every_field() {
        for bad in [
            '\u{0}',
            '\u{1}',
            '\u{b}',
            '\u{1b}',
            '\u{7f}',
            '\u{85}',
            '\u{9f}',
            '\u{fdd0}',
            '\u{fdef}',
            '\u{fffe}',
            '\u{ffff}',
            '\u{1fffe}',
            '\u{10ffff}',
        ] {
            assert_eq!(
                line(&format!("Jalan{bad}rusak"), 1, 100),
                Err(Msg::ControlCharacters),
                "{:x}",
                bad as u32
            );
            assert_eq!(
                paragraphs(&format!("Jalan rusak sekali{bad}di sini."), 1, 100),
                Err(Msg::ControlCharacters),
                "{:x}",
                bad as u32
            );
        }
        // Bidirectional controls: refused in one line, such as a title.
        for bad in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}'] {
            let mut input = good();
            input.title = format!("Jalan {bad}rusak");
            let fields = complaint(&input, today(), &Bali)
                .err()
                .map(|e| e.fields)
                .unwrap_or_default();
            assert_eq!(
                fields.get("title"),
                Some(&Msg::ControlCharacters),
                "{:x}",
                bad as u32
            );
        }
        // What is only unusual stays: the neighbours of each refused range.
        for fine in [
            '\u{a0}',
            '\u{fdcf}',
            '\u{fdf0}',
            '\u{fffd}',
            '\u{1f30a}',
            '\u{206a}',
            '\u{2029}',
        ] {
            assert!(
                line(&format!("Jalan{fine}rusak"), 1, 100).is_ok(),
                "{:x}",
                fine as u32
            );
        }
        assert!(paragraphs("Baris satu\n\tBaris dua di sini.", 1, 100).is_ok());
    }

    #[test]
    fn refusals_speak_the_requested_language() {
        let mut input = good();
        input.title = String::new();
        input.locale = Some("id".into());
        let err = complaint(&input, today(), &Bali).err();
        let msg = err
            .map(|e| e.messages())
            .and_then(|m| m.get("title").cloned());
        assert_eq!(msg.as_deref(), Some("Wajib diisi."));
        input.locale = Some("en".into());
        let err = complaint(&input, today(), &Bali).err();
        let msg = err
            .map(|e| e.messages())
            .and_then(|m| m.get("title").cloned());
        assert_eq!(msg.as_deref(), Some("This field is required."));
    }

    #[test]
    fn replies_need_a_message() {
        let ok = reply(&ReplyInput {
            message: "  Foto sudah saya kirim. ".into(),
            locale: None,
            attachments: Vec::new(),
        });
        assert_eq!(ok, Ok(("Foto sudah saya kirim.".to_owned(), Locale::Id)));
        let err = reply(&ReplyInput {
            message: " ".into(),
            locale: Some("en".into()),
            attachments: Vec::new(),
        })
        .err();
        assert_eq!(
            err.map(|e| e.fields.get("message").copied()),
            Some(Some(Msg::Required))
        );
    }

    #[test]
    fn a_rating_takes_a_score_from_one_to_five_and_an_optional_comment() {
        let input = |score: i64, comment: Option<&str>, locale: Option<&str>| RatingInput {
            score,
            comment: comment.map(str::to_owned),
            locale: locale.map(str::to_owned),
        };
        assert_eq!(rating(&input(1, None, None)), Ok((1, None, Locale::Id)));
        assert_eq!(
            rating(&input(5, Some("  Cepat sekali.  "), Some("en"))),
            Ok((5, Some("Cepat sekali.".into()), Locale::En))
        );
        assert_eq!(
            rating(&input(3, Some("   "), None)),
            Ok((3, None, Locale::Id))
        );
        for bad in [0, 6, -1, 256, 261] {
            let refused = rating(&input(bad, None, Some("en"))).err();
            assert_eq!(
                refused.as_ref().and_then(|e| e.fields.get("score")),
                Some(&Msg::ScoreRange),
                "{bad}"
            );
            assert_eq!(refused.map(|e| e.locale), Some(Locale::En));
        }
        let long = "x".repeat(LIMITS.reply_max + 1);
        let refused = rating(&input(4, Some(&long), None)).err();
        assert!(
            refused.is_some_and(
                |e| e.fields.contains_key("comment") && !e.fields.contains_key("score")
            )
        );
        let refused = rating(&input(4, None, Some("fr"))).err();
        assert!(refused.is_some_and(|e| e.fields.contains_key("locale")));
    }

    fn support(name: Option<&str>, email: Option<&str>, phone: Option<&str>) -> SupportInput {
        SupportInput {
            name: name.map(Into::into),
            email: email.map(Into::into),
            phone: phone.map(Into::into),
            locale: None,
        }
    }

    #[test]
    fn a_supporter_leaves_an_address_and_nothing_else_is_needed() {
        let ok = supporter(&support(None, Some(" Ketut@Mail.EXAMPLE.id "), None));
        assert_eq!(
            ok,
            Ok((
                Reporter {
                    name: None,
                    email: Some("Ketut@mail.example.id".into()),
                    phone: None
                },
                Locale::Id
            ))
        );
        let ok = supporter(&SupportInput {
            locale: Some("ban".into()),
            ..support(
                Some("  Made  "),
                Some("made@example.id"),
                Some("0812-3456-7890"),
            )
        });
        assert_eq!(
            ok,
            Ok((
                Reporter {
                    name: Some("Made".into()),
                    email: Some("made@example.id".into()),
                    phone: Some("081234567890".into())
                },
                Locale::Ban
            ))
        );
        // A phone number alone will not do: the confirmation goes by e-mail.
        let refused = supporter(&support(None, Some(""), Some("0812-3456-7890"))).err();
        assert_eq!(
            refused.map(|e| e.fields),
            Some(BTreeMap::from([("email".to_owned(), Msg::Required)]))
        );
        // Neither: the address is asked for, in the asked language.
        let refused = supporter(&SupportInput {
            locale: Some("en".into()),
            ..support(Some("Made"), Some("  "), None)
        })
        .err();
        assert_eq!(
            refused.as_ref().map(|e| e.fields.clone()),
            Some(BTreeMap::from([("email".to_owned(), Msg::Required)]))
        );
        assert_eq!(refused.map(|e| e.locale), Some(Locale::En));
        // Each field is checked as a reporter's would be.
        let refused = supporter(&support(None, Some("not-an-address"), None)).err();
        assert_eq!(
            refused.map(|e| e.fields),
            Some(BTreeMap::from([("email".to_owned(), Msg::EmailInvalid)]))
        );
        let refused = supporter(&support(None, Some("a@b.id"), Some("12"))).err();
        assert_eq!(
            refused.map(|e| e.fields),
            Some(BTreeMap::from([("phone".to_owned(), Msg::PhoneInvalid)]))
        );
        let long = "x".repeat(LIMITS.name_max + 1);
        let refused = supporter(&support(Some(&long), Some("a@b.id"), None)).err();
        assert_eq!(
            refused.map(|e| e.fields),
            Some(BTreeMap::from([(
                "name".to_owned(),
                Msg::TooLong(LIMITS.name_max)
            )]))
        );
        let refused = supporter(&SupportInput {
            locale: Some("fr".into()),
            ..support(None, Some("a@b.id"), None)
        })
        .err();
        assert_eq!(
            refused.map(|e| e.fields),
            Some(BTreeMap::from([("locale".to_owned(), Msg::UnknownLocale)]))
        );
    }
}
