//! What is wrong with a request or with what a citizen typed, as sentences
//! in every language (from the word files; see [`crate::words`]).

use crate::api::Locale;
use crate::words::Word;

/// What is wrong with what a citizen typed (a field, or a tracking code), as
/// a sentence with the numbers it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    // Problems with one field.
    Required,
    TooShort(usize),
    TooLong(usize),
    NotText,
    WrongType,
    UnknownField,
    ControlCharacters,
    SingleLine,
    UnknownClassification,
    UnknownPrivacy,
    UnknownLocale,
    UnknownRegion,
    UnknownCategory,
    UnknownDistrict,
    DateFormat,
    DateInFuture,
    DateTooOld,
    EmailInvalid,
    PhoneInvalid,
    ScoreRange,
    // A tracking code, typed into the tracker or an address.
    TrackingCodeMalformed,
    TrackingCodeMistyped,
    /// A position that is not a latitude and a longitude.
    PositionInvalid,
}

impl Msg {
    /// The sentence in `locale`.
    pub fn text(self, locale: Locale) -> String {
        use Msg::*;
        let word = match self {
            TooShort(_) => Word::TooShort,
            TooLong(_) => Word::TooLong,
            Required => Word::Required,
            NotText => Word::NotText,
            WrongType => Word::WrongType,
            UnknownField => Word::UnknownField,
            ControlCharacters => Word::ControlCharacters,
            SingleLine => Word::SingleLine,
            UnknownClassification => Word::UnknownClassification,
            UnknownPrivacy => Word::UnknownPrivacy,
            UnknownLocale => Word::UnknownLocale,
            UnknownRegion => Word::UnknownRegion,
            UnknownCategory => Word::UnknownCategory,
            UnknownDistrict => Word::UnknownDistrict,
            DateFormat => Word::DateFormat,
            DateInFuture => Word::DateInFuture,
            DateTooOld => Word::DateTooOld,
            EmailInvalid => Word::EmailInvalid,
            PhoneInvalid => Word::PhoneInvalid,
            ScoreRange => Word::ScoreRange,
            TrackingCodeMalformed => Word::TrackingCodeMalformed,
            TrackingCodeMistyped => Word::TrackingCodeMistyped,
            PositionInvalid => Word::PositionInvalid,
        };
        match self {
            TooShort(n) | TooLong(n) => word.fill(locale, &[("n", &n.to_string())]),
            _ => word.text(locale).to_owned(),
        }
    }
}

/// Why a request was refused as a whole, in a sentence for the client
/// program's user. (Apart from [`Msg`], so the widget, which only ever shows
/// what is wrong with what a citizen typed, does not carry these.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    ValidationFailed,
    MalformedJson,
    InvalidUtf8,
    UnsupportedMediaType,
    PayloadTooLarge,
    NotFound,
    MethodNotAllowed,
    IdempotencyKeyRequired,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    ComplaintNotFound,
    RegionNotFound,
    /// No complaint by this id can be joined ("saya juga") in this region.
    SupportNotFound,
    /// Joining needs e-mail (the confirmation link), which is off here.
    SupportNeedsMail,
    RepliesClosed,
    NotResolved,
    NotRatable,
    AlreadyRated,
    ComplaintChanged,
    SignatureInvalid,
    NotInWebhookMode,
    TransitionRefused,
    Timeout,
    RateLimited,
    Unavailable,
    Internal,
    /// The request's origin may not do this (a site not registered for the region).
    OriginNotRegistered,
    /// A problem with what was typed, standing for the whole request (a
    /// tracking code in the address).
    Input(Msg),
}

impl From<Msg> for Reason {
    fn from(msg: Msg) -> Reason {
        Reason::Input(msg)
    }
}

impl Reason {
    /// The sentence in `locale`.
    pub fn text(self, locale: Locale) -> String {
        use Reason::*;
        let word = match self {
            Input(msg) => return msg.text(locale),
            OriginNotRegistered => Word::OriginNotRegistered,
            ValidationFailed => Word::ValidationFailed,
            MalformedJson => Word::MalformedJson,
            InvalidUtf8 => Word::InvalidUtf8,
            UnsupportedMediaType => Word::UnsupportedMediaType,
            PayloadTooLarge => Word::PayloadTooLarge,
            NotFound => Word::NotFound,
            MethodNotAllowed => Word::MethodNotAllowed,
            IdempotencyKeyRequired => Word::IdempotencyKeyRequired,
            IdempotencyKeyInvalid => Word::IdempotencyKeyInvalid,
            IdempotencyKeyReused => Word::IdempotencyKeyReused,
            ComplaintNotFound => Word::ComplaintNotFound,
            RegionNotFound => Word::RegionNotFound,
            SupportNotFound => Word::SupportNotFound,
            SupportNeedsMail => Word::SupportNeedsMail,
            RepliesClosed => Word::RepliesClosed,
            NotResolved => Word::NotResolved,
            NotRatable => Word::NotRatable,
            AlreadyRated => Word::AlreadyRated,
            ComplaintChanged => Word::ComplaintChanged,
            SignatureInvalid => Word::SignatureInvalid,
            NotInWebhookMode => Word::NotInWebhookMode,
            TransitionRefused => Word::TransitionRefused,
            Timeout => Word::Timeout,
            RateLimited => Word::RateLimited,
            Unavailable => Word::Unavailable,
            Internal => Word::Internal,
        };
        word.text(locale).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_differs_between_the_languages() {
        let all = [
            Msg::Required,
            Msg::TooShort(5),
            Msg::TooLong(150),
            Msg::UnknownDistrict,
            Msg::DateInFuture,
            Msg::TrackingCodeMistyped,
        ];
        for m in all {
            assert_ne!(m.text(Locale::Id), m.text(Locale::En), "{m:?}");
            assert!(!m.text(Locale::Id).is_empty());
        }
        for r in [
            Reason::Internal,
            Reason::ComplaintNotFound,
            Reason::RateLimited,
        ] {
            assert_ne!(r.text(Locale::Id), r.text(Locale::En), "{r:?}");
            assert!(!r.text(Locale::En).is_empty());
        }
        let code = Reason::from(Msg::TrackingCodeMistyped);
        assert_eq!(
            code.text(Locale::En),
            Msg::TrackingCodeMistyped.text(Locale::En)
        );
        assert!(Msg::TooLong(150).text(Locale::En).contains("150"));
    }
}
