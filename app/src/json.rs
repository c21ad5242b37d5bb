//! The widget's JSON: a small reader and writer, and the API types the
//! widget sends and receives, decoded and encoded by hand.
//!
//! The server reads and writes these types with serde. The widget does not:
//! serde's generated code for them was about a fifth of the WebAssembly
//! bundle, while the plain, non-generic code here costs a few kilobytes.
//! The tests below check every type against serde in both directions, so
//! the two cannot drift apart.

use crate::api::{
    CategoryOption, Choice, Classification, ComplaintInput, DistrictOption, Due, FieldLimits,
    IntegrationMode, Named, Privacy, RatingInput, Receipt, RegionForm, RegionSummary, ReplyInput,
    ReporterInput, Status, TimelineEntry, TrackingView,
};

/// One JSON value. Numbers keep their text: the API sends whole numbers
/// only, and a number the widget does not read is never converted.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// A document that is not JSON, or not the shape the widget expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

pub type Decoded<T> = Result<T, Malformed>;

/// Arrays and objects nested deeper than this are refused.
const MAX_DEPTH: usize = 64;

static NULL: Json = Json::Null;

impl Json {
    /// Reads a whole document; anything after the value is refused.
    pub fn parse(text: &str) -> Decoded<Json> {
        let mut p = Parser { text, at: 0 };
        let value = p.value(0)?;
        p.space();
        if p.at == text.len() {
            Ok(value)
        } else {
            Err(Malformed)
        }
    }

    /// An object's member by name; `null` when absent or not an object.
    pub fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(members) => members
                .iter()
                .find(|(k, _)| k == key)
                .map_or(&NULL, |(_, v)| v),
            _ => &NULL,
        }
    }

    /// Checks that this is an object (a struct), and gives it back.
    pub fn object(&self) -> Decoded<&Json> {
        match self {
            Json::Object(_) => Ok(self),
            _ => Err(Malformed),
        }
    }

    pub fn str(&self) -> Decoded<&str> {
        match self {
            Json::String(s) => Ok(s),
            _ => Err(Malformed),
        }
    }

    pub fn string(&self) -> Decoded<String> {
        self.str().map(str::to_owned)
    }

    /// A string, or `None` for `null` or a missing member.
    pub fn opt_string(&self) -> Decoded<Option<String>> {
        match self {
            Json::Null => Ok(None),
            other => other.string().map(Some),
        }
    }

    pub fn bool(&self) -> Decoded<bool> {
        match self {
            Json::Bool(b) => Ok(*b),
            _ => Err(Malformed),
        }
    }

    /// A whole number that is not negative.
    pub fn uint(&self) -> Decoded<u64> {
        match self {
            Json::Number(n) => n.parse().map_err(|_| Malformed),
            _ => Err(Malformed),
        }
    }

    pub fn usize(&self) -> Decoded<usize> {
        usize::try_from(self.uint()?).map_err(|_| Malformed)
    }

    pub fn list<T: FromJson>(&self) -> Decoded<Vec<T>> {
        match self {
            Json::Array(items) => items.iter().map(T::from_json).collect(),
            _ => Err(Malformed),
        }
    }

    /// A value, or `T`'s default for `null` or a missing member.
    pub fn or_default<T: FromJson + Default>(&self) -> Decoded<T> {
        match self {
            Json::Null => Ok(T::default()),
            other => T::from_json(other),
        }
    }

    /// The text of this value, compact.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) => out.push_str(n),
            Json::String(s) => write_string(out, s),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl std::fmt::Display for Json {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

fn write_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let b = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[b >> 4]));
                out.push(char::from(HEX[b & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn text(s: &str) -> Json {
    Json::String(s.to_owned())
}

fn opt_text(s: Option<&String>) -> Json {
    s.map_or(Json::Null, |s| text(s))
}

fn texts(items: &[String]) -> Json {
    Json::Array(items.iter().map(|s| text(s)).collect())
}

/// An object of these members; an empty list is left out, as serde's
/// `skip_serializing_if = "Vec::is_empty"` leaves it.
fn object(members: Vec<(&str, Json)>) -> Json {
    Json::Object(
        members
            .into_iter()
            .filter(|(_, v)| !matches!(v, Json::Array(items) if items.is_empty()))
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn next(&mut self) -> Decoded<u8> {
        let b = self.peek().ok_or(Malformed)?;
        self.at += 1;
        Ok(b)
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.at += 1;
        }
        found
    }

    fn space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn word(&mut self, word: &str, value: Json) -> Decoded<Json> {
        if self
            .text
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(word))
        {
            self.at += word.len();
            Ok(value)
        } else {
            Err(Malformed)
        }
    }

    fn value(&mut self, depth: usize) -> Decoded<Json> {
        if depth > MAX_DEPTH {
            return Err(Malformed);
        }
        self.space();
        match self.peek().ok_or(Malformed)? {
            b'n' => self.word("null", Json::Null),
            b't' => self.word("true", Json::Bool(true)),
            b'f' => self.word("false", Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.eat(b']') {
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.space();
                    match self.next()? {
                        b',' => {}
                        b']' => return Ok(Json::Array(items)),
                        _ => return Err(Malformed),
                    }
                }
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                self.space();
                if self.eat(b'}') {
                    return Ok(Json::Object(members));
                }
                loop {
                    self.space();
                    if self.peek() != Some(b'"') {
                        return Err(Malformed);
                    }
                    let key = self.string()?;
                    self.space();
                    if !self.eat(b':') {
                        return Err(Malformed);
                    }
                    members.push((key, self.value(depth + 1)?));
                    self.space();
                    match self.next()? {
                        b',' => {}
                        b'}' => return Ok(Json::Object(members)),
                        _ => return Err(Malformed),
                    }
                }
            }
            _ => Err(Malformed),
        }
    }

    fn digits(&mut self) -> Decoded<()> {
        let start = self.at;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
        if self.at > start {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    fn number(&mut self) -> Decoded<Json> {
        let start = self.at;
        self.eat(b'-');
        self.digits()?;
        if self.eat(b'.') {
            self.digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.digits()?;
        }
        let number = self.text.get(start..self.at).ok_or(Malformed)?;
        Ok(Json::Number(number.to_owned()))
    }

    fn hex4(&mut self) -> Decoded<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = char::from(self.next()?).to_digit(16).ok_or(Malformed)?;
            n = n * 16 + digit;
        }
        Ok(n)
    }

    /// A string; the parser stands on its opening quote.
    fn string(&mut self) -> Decoded<String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            // Runs of plain text are copied whole; they start and end next
            // to ASCII bytes, so they are always whole characters.
            let start = self.at;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.at += 1;
            }
            out.push_str(self.text.get(start..self.at).ok_or(Malformed)?);
            match self.next()? {
                b'"' => return Ok(out),
                b'\\' => {}
                _ => return Err(Malformed),
            }
            let c = match self.next()? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let first = self.hex4()?;
                    let code = match first {
                        0xD800..=0xDBFF => {
                            if !(self.eat(b'\\') && self.eat(b'u')) {
                                return Err(Malformed);
                            }
                            let second = self.hex4()?;
                            if !(0xDC00..=0xDFFF).contains(&second) {
                                return Err(Malformed);
                            }
                            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                        }
                        0xDC00..=0xDFFF => return Err(Malformed),
                        _ => first,
                    };
                    char::from_u32(code).ok_or(Malformed)?
                }
                _ => return Err(Malformed),
            };
            out.push(c);
        }
    }
}

/// A type the widget reads from the API.
pub trait FromJson: Sized {
    fn from_json(value: &Json) -> Decoded<Self>;

    /// Reads a whole document of this type.
    fn from_json_text(text: &str) -> Decoded<Self> {
        Self::from_json(&Json::parse(text)?)
    }
}

/// A type the widget sends to the API or keeps in the browser.
pub trait ToJson {
    fn to_json(&self) -> Json;

    fn to_json_text(&self) -> String {
        let mut out = String::new();
        self.to_json().write(&mut out);
        out
    }
}

impl FromJson for String {
    fn from_json(v: &Json) -> Decoded<String> {
        v.string()
    }
}

impl FromJson for bool {
    fn from_json(v: &Json) -> Decoded<bool> {
        v.bool()
    }
}

impl FromJson for usize {
    fn from_json(v: &Json) -> Decoded<usize> {
        v.usize()
    }
}

impl FromJson for u8 {
    fn from_json(v: &Json) -> Decoded<u8> {
        u8::try_from(v.uint()?).map_err(|_| Malformed)
    }
}

/// `null` or a missing member is `None`.
impl<T: FromJson> FromJson for Option<T> {
    fn from_json(v: &Json) -> Decoded<Option<T>> {
        match v {
            Json::Null => Ok(None),
            other => T::from_json(other).map(Some),
        }
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(v: &Json) -> Decoded<Vec<T>> {
        v.list()
    }
}

/// Enumerations travel as their keys.
macro_rules! from_key {
    ($($ty:ident),* $(,)?) => {$(
        impl FromJson for $ty {
            fn from_json(v: &Json) -> Decoded<$ty> {
                $ty::from_key(v.str()?).ok_or(Malformed)
            }
        }
    )*};
}

from_key!(Status, Privacy, Classification, IntegrationMode);

/// A struct read member by member, each named as the field (as serde
/// names them). `strict`: every member must be there, as serde requires;
/// `lenient`: a missing or `null` member is the field's default, as serde's
/// `#[serde(default)]` gives (inputs read back from the browser's draft).
macro_rules! from_members {
    (strict $ty:ident { $($field:ident),* $(,)? }) => {
        impl FromJson for $ty {
            fn from_json(v: &Json) -> Decoded<$ty> {
                let v = v.object()?;
                Ok($ty { $($field: FromJson::from_json(v.get(stringify!($field)))?,)* })
            }
        }
    };
    (lenient $ty:ident { $($field:ident),* $(,)? }) => {
        impl FromJson for $ty {
            fn from_json(v: &Json) -> Decoded<$ty> {
                let v = v.object()?;
                #[allow(clippy::needless_update)]
                Ok($ty { $($field: v.get(stringify!($field)).or_default()?,)* ..$ty::default() })
            }
        }
    };
}

from_members!(strict Named { key, name });
from_members!(strict Due { step, date });
from_members!(strict Receipt { tracking_code, status, privacy, region, unit, submitted_at, due });
from_members!(strict TimelineEntry { at, kind, author, from_status, to_status, message });
from_members!(strict TrackingView {
    tracking_code, status, classification, privacy, title, category, region, unit,
    submitted_at, updated_at, due, accepts_replies, lapor_tracking_id, timeline, rating,
});
from_members!(strict RegionSummary {
    slug, code, name, kind, parent, lapor_group_2019, integration_mode, own_portal, code_prefix,
});
from_members!(strict CategoryOption { key, name_id, name_en, supervisory });
from_members!(strict DistrictOption { key, name, region, region_name });
from_members!(strict Choice { key, label_id, label_en, help_id, help_en });
from_members!(strict FieldLimits {
    title_min, title_max, description_min, description_max, location_max, name_max,
    email_max, phone_max, reply_max,
});
from_members!(strict RegionForm {
    region, categories, districts, classifications, privacy_modes, limits, regions,
});
from_members!(lenient ReporterInput { name, email, phone });
// Not the position: the widget sends one but does not keep it in a draft.
from_members!(lenient ComplaintInput {
    region, classification, title, description, category, district, location,
    landmark, incident_date, privacy, reporter, locale,
});

/// The error body of every refusal (`ErrorBody` on the server), as the
/// widget shows it: the sentence, and one sentence per field in error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    pub fields: Vec<(String, String)>,
}

impl Refusal {
    /// The sentence for a field in error.
    pub fn field(&self, name: &str) -> Option<&String> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, m)| m)
    }
}

impl FromJson for Refusal {
    fn from_json(v: &Json) -> Decoded<Refusal> {
        let detail = v.object()?.get("error").object()?;
        let fields = match detail.get("fields") {
            Json::Null => Vec::new(),
            Json::Object(members) => members
                .iter()
                .map(|(field, message)| Ok((field.clone(), message.string()?)))
                .collect::<Decoded<_>>()?,
            _ => return Err(Malformed),
        };
        Ok(Refusal {
            message: detail.get("message").string()?,
            fields,
        })
    }
}

impl ToJson for ReporterInput {
    fn to_json(&self) -> Json {
        object(vec![
            ("name", opt_text(self.name.as_ref())),
            ("email", opt_text(self.email.as_ref())),
            ("phone", opt_text(self.phone.as_ref())),
        ])
    }
}

impl ToJson for ComplaintInput {
    fn to_json(&self) -> Json {
        object(vec![
            ("region", text(&self.region)),
            ("classification", text(&self.classification)),
            ("title", text(&self.title)),
            ("description", text(&self.description)),
            ("category", text(&self.category)),
            ("district", opt_text(self.district.as_ref())),
            ("location", opt_text(self.location.as_ref())),
            ("landmark", opt_text(self.landmark.as_ref())),
            // The digits as they were checked (`validate::degrees`): numbers.
            (
                "position",
                match &self.position {
                    Some(p) => object(vec![
                        ("latitude", Json::Number(p.latitude.clone())),
                        ("longitude", Json::Number(p.longitude.clone())),
                    ]),
                    None => Json::Null,
                },
            ),
            ("incident_date", opt_text(self.incident_date.as_ref())),
            ("privacy", text(&self.privacy)),
            ("reporter", self.reporter.to_json()),
            ("locale", opt_text(self.locale.as_ref())),
            ("attachments", texts(&self.attachments)),
        ])
    }
}

impl ToJson for RatingInput {
    fn to_json(&self) -> Json {
        object(vec![
            ("score", Json::Number(self.score.to_string())),
            ("comment", opt_text(self.comment.as_ref())),
            ("locale", opt_text(self.locale.as_ref())),
        ])
    }
}

impl ToJson for ReplyInput {
    fn to_json(&self) -> Json {
        object(vec![
            ("message", text(&self.message)),
            ("locale", opt_text(self.locale.as_ref())),
            ("attachments", texts(&self.attachments)),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ErrorBody, ErrorDetail};
    use std::collections::BTreeMap;

    /// Text with everything a citizen might type that JSON must escape.
    const AWKWARD: &str = "Jalan \"Sunset\" rusak\\parah\n\tdi Kuta — 路 😀 \u{1}\u{1f} </script>";

    fn complaint() -> ComplaintInput {
        ComplaintInput {
            region: "badung".into(),
            classification: "complaint".into(),
            title: AWKWARD.into(),
            description: format!("{AWKWARD} {AWKWARD}"),
            category: "roads".into(),
            district: Some("kuta".into()),
            location: None,
            landmark: Some(AWKWARD.into()),
            position: None,
            incident_date: Some("2026-11-01".into()),
            privacy: "anonymous".into(),
            reporter: ReporterInput {
                name: Some("Ni Luh Putu".into()),
                email: None,
                phone: Some("+62 812".into()),
            },
            locale: Some("en".into()),
            attachments: vec![
                "0123456789abcdef0123456789abcdef".into(),
                "fedcba98765432100123456789abcdef".into(),
            ],
        }
    }

    fn named(key: &str) -> Named {
        Named {
            key: key.into(),
            name: format!("{key} {AWKWARD}"),
        }
    }

    fn category() -> CategoryOption {
        CategoryOption {
            key: "roads".into(),
            name_id: "Jalan".into(),
            name_en: "Roads".into(),
            supervisory: true,
        }
    }

    fn region_form() -> RegionForm {
        RegionForm {
            region: RegionSummary {
                slug: "badung".into(),
                code: "51.03".into(),
                name: "Kabupaten Badung".into(),
                kind: "regency".into(),
                parent: Some("bali".into()),
                lapor_group_2019: Some(2),
                integration_mode: IntegrationMode::Lapor,
                own_portal: None,
                code_prefix: "BDG".into(),
            },
            categories: vec![category(), category()],
            districts: vec![DistrictOption {
                key: "kuta".into(),
                name: "Kuta".into(),
                region: "badung".into(),
                region_name: "Kabupaten Badung".into(),
            }],
            classifications: vec![Choice {
                key: "complaint".into(),
                label_id: "Pengaduan".into(),
                label_en: "Complaint".into(),
                help_id: None,
                help_en: Some(AWKWARD.into()),
            }],
            privacy_modes: vec![],
            limits: crate::validate::LIMITS,
            regions: vec![named("badung"), named("denpasar")],
        }
    }

    #[test]
    fn a_rating_is_written_as_serde_writes_it() {
        let input = RatingInput {
            score: 4,
            comment: Some(AWKWARD.into()),
            locale: Some("en".into()),
        };
        let ours: serde_json::Value =
            serde_json::from_str(&input.to_json_text()).unwrap_or_default();
        assert_eq!(ours, serde_json::to_value(&input).unwrap_or_default());
        let none = RatingInput::default();
        let ours: serde_json::Value =
            serde_json::from_str(&none.to_json_text()).unwrap_or_default();
        assert_eq!(ours, serde_json::to_value(&none).unwrap_or_default());
    }

    fn tracking_view(with_lapor: bool) -> TrackingView {
        TrackingView {
            tracking_code: "BDG-1234-5678".into(),
            status: Status::NeedsInfo,
            classification: Classification::InformationRequest,
            privacy: Privacy::Confidential,
            title: AWKWARD.into(),
            category: category(),
            region: named("badung"),
            unit: named("pupr"),
            submitted_at: "2026-11-28T01:02:03Z".into(),
            updated_at: "2026-11-28T04:05:06Z".into(),
            due: Some(Due {
                step: "verification".into(),
                date: "2026-12-03".into(),
            }),
            accepts_replies: true,
            lapor_tracking_id: with_lapor.then(|| "LAPOR-99".into()),
            rating: with_lapor.then_some(4),
            timeline: Status::ALL
                .iter()
                .map(|s| TimelineEntry {
                    at: "2026-11-28T01:02:03Z".into(),
                    kind: "status_changed".into(),
                    author: "officer".into(),
                    from_status: None,
                    to_status: Some(*s),
                    message: Some(AWKWARD.into()),
                })
                .collect(),
        }
    }

    /// What serde writes, the widget reads as the same value.
    fn reads_like_serde<T>(value: &T)
    where
        T: FromJson + serde::Serialize + PartialEq + std::fmt::Debug,
    {
        let text = serde_json::to_string(value).unwrap();
        assert_eq!(T::from_json_text(&text).as_ref(), Ok(value), "{text}");
        let pretty = serde_json::to_string_pretty(value).unwrap();
        assert_eq!(T::from_json_text(&pretty).as_ref(), Ok(value), "{pretty}");
    }

    /// What the widget writes, serde reads as the same value.
    fn writes_for_serde<T>(value: &T)
    where
        T: ToJson + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let text = value.to_json_text();
        assert_eq!(&serde_json::from_str::<T>(&text).unwrap(), value, "{text}");
    }

    #[test]
    fn every_answer_the_widget_reads_matches_serde() {
        reads_like_serde(&region_form());
        reads_like_serde(&tracking_view(true));
        reads_like_serde(&tracking_view(false));
        reads_like_serde(&Receipt {
            tracking_code: "BDG-1234-5678".into(),
            status: Status::Submitted,
            privacy: Privacy::Public,
            region: named("badung"),
            unit: named("pupr"),
            submitted_at: "2026-11-28T01:02:03Z".into(),
            due: Due {
                step: "verification".into(),
                date: "2026-12-03".into(),
            },
        });
        let mut fields = BTreeMap::new();
        fields.insert("title".to_owned(), AWKWARD.to_owned());
        fields.insert("reporter.email".to_owned(), "Bad".to_owned());
        for fields in [fields, BTreeMap::new()] {
            let body = ErrorBody {
                error: ErrorDetail {
                    code: "invalid".into(),
                    message: AWKWARD.into(),
                    fields: fields.clone(),
                },
            };
            let read = Refusal::from_json_text(&serde_json::to_string(&body).unwrap());
            let expected = Refusal {
                message: AWKWARD.into(),
                fields: fields.into_iter().collect(),
            };
            assert_eq!(read.as_ref(), Ok(&expected));
            assert_eq!(
                read.as_ref().ok().and_then(|r| r.field("title")),
                body.error.fields.get("title")
            );
        }
        for s in Status::ALL {
            reads_like_serde(&s);
        }
        for c in Classification::ALL {
            reads_like_serde(&c);
        }
    }

    #[test]
    fn every_input_the_widget_sends_matches_serde() {
        writes_for_serde(&complaint());
        writes_for_serde(&ComplaintInput::default());
        // A point, as "use my location" gives it (six decimals).
        writes_for_serde(&ComplaintInput {
            position: Some(crate::api::Position {
                latitude: "-8.718200".into(),
                longitude: "115.168600".into(),
            }),
            ..complaint()
        });
        writes_for_serde(&ReplyInput {
            message: AWKWARD.into(),
            locale: None,
            attachments: Vec::new(),
        });
        writes_for_serde(&ReplyInput {
            message: AWKWARD.into(),
            locale: Some("id".into()),
            attachments: vec!["0123456789abcdef0123456789abcdef".into()],
        });
        // The widget reads back its own drafts, which hold no files.
        reads_like_serde(&ComplaintInput {
            attachments: Vec::new(),
            ..complaint()
        });
        reads_like_serde(&ReporterInput::default());
        // A draft is written by the widget and read back by it; its files
        // are kept by attach.js, not in the draft.
        let back = ComplaintInput::from_json_text(&complaint().to_json_text());
        assert_eq!(
            back,
            Ok(ComplaintInput {
                attachments: Vec::new(),
                ..complaint()
            })
        );
    }

    #[test]
    fn inputs_read_missing_members_as_empty_like_serde_default() {
        let read = ComplaintInput::from_json_text(r#"{"title":"Lampu mati"}"#).unwrap();
        assert_eq!(
            read,
            serde_json::from_str::<ComplaintInput>(r#"{"title":"Lampu mati"}"#).unwrap()
        );
        assert_eq!(read.title, "Lampu mati");
        assert_eq!(read.reporter, ReporterInput::default());
    }

    #[test]
    fn answers_missing_a_required_member_or_of_the_wrong_type_are_refused() {
        let mut view = serde_json::to_value(tracking_view(true)).unwrap();
        view.as_object_mut().unwrap().remove("status");
        assert_eq!(
            TrackingView::from_json_text(&view.to_string()),
            Err(Malformed)
        );
        let mut view = serde_json::to_value(tracking_view(true)).unwrap();
        view["accepts_replies"] = serde_json::json!("yes");
        assert_eq!(
            TrackingView::from_json_text(&view.to_string()),
            Err(Malformed)
        );
        let mut view = serde_json::to_value(tracking_view(true)).unwrap();
        view["status"] = serde_json::json!("lost");
        assert_eq!(
            TrackingView::from_json_text(&view.to_string()),
            Err(Malformed)
        );
        let mut form = serde_json::to_value(region_form()).unwrap();
        form["limits"]["title_max"] = serde_json::json!(-1);
        assert_eq!(
            RegionForm::from_json_text(&form.to_string()),
            Err(Malformed)
        );
        form["limits"]["title_max"] = serde_json::json!(2.5);
        assert_eq!(
            RegionForm::from_json_text(&form.to_string()),
            Err(Malformed)
        );
        assert_eq!(Named::from_json_text("[]"), Err(Malformed));
    }

    #[test]
    fn members_the_widget_does_not_know_are_passed_over() {
        let mut view = serde_json::to_value(tracking_view(false)).unwrap();
        view["later"] = serde_json::json!({"a": [1.5e3, -2, null, true, {"b": "c"}]});
        assert_eq!(
            TrackingView::from_json_text(&view.to_string()),
            Ok(tracking_view(false))
        );
    }

    #[test]
    fn the_reader_takes_every_json_form_and_refuses_broken_documents() {
        let v = Json::parse(r#" { "a" : [ 1 , -0.5e+3 , true , false , null , "\u00e9\ud83d\ude00\/" ] , "b" : { } } "#)
            .unwrap();
        assert_eq!(
            v.get("a"),
            &Json::Array(vec![
                Json::Number("1".into()),
                Json::Number("-0.5e+3".into()),
                Json::Bool(true),
                Json::Bool(false),
                Json::Null,
                Json::String("é😀/".into()),
            ])
        );
        assert_eq!(v.get("b"), &Json::Object(vec![]));
        assert_eq!(v.get("missing"), &Json::Null);
        for broken in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "\"open",
            "\"tab\there\"",
            "\"\\x\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"\\u12\"",
            "tru",
            "nul",
            "-",
            "1.",
            "1e",
            "[] []",
            "'a'",
        ] {
            assert_eq!(Json::parse(broken), Err(Malformed), "{broken:?}");
        }
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        assert_eq!(Json::parse(&deep), Err(Malformed));
        let fine = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(Json::parse(&fine).is_ok());
    }

    #[test]
    fn written_text_is_valid_json_with_every_control_character_escaped() {
        let all: String = (0u32..0x80).filter_map(char::from_u32).collect();
        let value = Json::Array(vec![Json::String(all.clone()), text(AWKWARD)]);
        let written = value.to_string();
        assert!(!written.bytes().any(|b| b < 0x20), "{written}");
        let back: Vec<String> = serde_json::from_str(&written).unwrap();
        assert_eq!(back, vec![all, AWKWARD.to_owned()]);
        assert_eq!(Json::parse(&written), Ok(value));
    }
}
