//! Every sentence a citizen or a client program reads, in Indonesian and English.
//!
//! Hand-written tables: a translation library would add about a third to the
//! widget's download for two languages.

use crate::api::Locale;

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
}

impl Msg {
    /// The sentence in `locale`.
    pub fn text(self, locale: Locale) -> String {
        use Locale::{En, Id};
        use Msg::*;
        let fixed = match (self, locale) {
            (TooShort(n), Id) => return format!("Terlalu pendek: paling sedikit {n} karakter."),
            (TooShort(n), En) => return format!("Too short: at least {n} characters."),
            (TooLong(n), Id) => return format!("Terlalu panjang: paling banyak {n} karakter."),
            (TooLong(n), En) => return format!("Too long: at most {n} characters."),
            (Required, Id) => "Wajib diisi.",
            (Required, En) => "This field is required.",
            (NotText, Id) => "Harus berupa teks.",
            (NotText, En) => "Must be text.",
            (WrongType, Id) => "Jenis nilai tidak sesuai.",
            (WrongType, En) => "This value has the wrong type.",
            (UnknownField, Id) => "Kolom ini tidak dikenal.",
            (UnknownField, En) => "This field is not part of the form.",
            (ControlCharacters, Id) => {
                "Mengandung karakter kontrol atau tak terlihat yang tidak diizinkan."
            }
            (ControlCharacters, En) => {
                "Contains control or invisible characters that are not allowed."
            }
            (SingleLine, Id) => "Harus satu baris.",
            (SingleLine, En) => "Must be a single line.",
            (UnknownClassification, Id) => "Pilih pengaduan, aspirasi, atau permintaan informasi.",
            (UnknownClassification, En) => "Choose complaint, aspiration or information request.",
            (UnknownPrivacy, Id) => "Pilih publik, anonim, rahasia, atau anonim dan rahasia.",
            (UnknownPrivacy, En) => {
                "Choose public, anonymous, confidential, or anonymous and confidential."
            }
            (UnknownLocale, Id) => "Bahasa harus id atau en.",
            (UnknownLocale, En) => "Language must be id or en.",
            (UnknownRegion, Id) => "Daerah ini tidak dikenal.",
            (UnknownRegion, En) => "This region is not known.",
            (UnknownCategory, Id) => "Kategori ini tidak dikenal.",
            (UnknownCategory, En) => "This category is not known.",
            (UnknownDistrict, Id) => "Kecamatan ini tidak dikenal.",
            (UnknownDistrict, En) => "This district is not known.",
            (DateFormat, Id) => "Tanggal harus berformat TTTT-BB-HH dan benar-benar ada.",
            (DateFormat, En) => "The date must be a real day written YYYY-MM-DD.",
            (DateInFuture, Id) => "Tanggal kejadian tidak boleh di masa depan.",
            (DateInFuture, En) => "The incident date cannot be in the future.",
            (DateTooOld, Id) => "Tanggal kejadian terlalu lama.",
            (DateTooOld, En) => "The incident date is too far in the past.",
            (EmailInvalid, Id) => "Alamat e-mail tidak valid.",
            (EmailInvalid, En) => "This is not a valid e-mail address.",
            (PhoneInvalid, Id) => "Nomor telepon harus 8 sampai 15 angka, boleh diawali +.",
            (PhoneInvalid, En) => "A phone number has 8 to 15 digits and may start with +.",
            (ScoreRange, Id) => "Pilih nilai 1 sampai 5.",
            (ScoreRange, En) => "Choose a score from 1 to 5.",
            (TrackingCodeMalformed, Id) => {
                "Ini bukan kode pelacakan. Kode terdiri dari 3 huruf dan 16 karakter, misalnya BDG-7K3Q-XP9M-2HT4-WQ5B."
            }
            (TrackingCodeMalformed, En) => {
                "This is not a tracking code. A code has 3 letters and 16 characters, like BDG-7K3Q-XP9M-2HT4-WQ5B."
            }
            (TrackingCodeMistyped, Id) => {
                "Kode pelacakan ini salah ketik. Periksa kembali setiap karakternya."
            }
            (TrackingCodeMistyped, En) => {
                "This tracking code has a typo. Please check each character."
            }
        };
        fixed.to_owned()
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
        use Locale::{En, Id};
        use Reason::*;
        let fixed = match (self, locale) {
            (Input(msg), _) => return msg.text(locale),
            (OriginNotRegistered, Id) => {
                "Situs ini tidak terdaftar untuk menerima pengaduan bagi daerah ini."
            }
            (OriginNotRegistered, En) => {
                "This site is not registered to take complaints for this region."
            }
            (ValidationFailed, Id) => "Beberapa isian perlu diperbaiki.",
            (ValidationFailed, En) => "Some fields need correcting.",
            (MalformedJson, Id) => "Isi permintaan bukan JSON yang benar.",
            (MalformedJson, En) => "The request body is not valid JSON.",
            (InvalidUtf8, Id) => "Isi permintaan bukan teks UTF-8 yang benar.",
            (InvalidUtf8, En) => "The request body is not valid UTF-8 text.",
            (UnsupportedMediaType, Id) => "Kirim isi permintaan sebagai application/json.",
            (UnsupportedMediaType, En) => "Send the request body as application/json.",
            (PayloadTooLarge, Id) => "Isi permintaan terlalu besar.",
            (PayloadTooLarge, En) => "The request body is too large.",
            (NotFound, Id) => "Alamat ini tidak ada.",
            (NotFound, En) => "There is nothing at this address.",
            (MethodNotAllowed, Id) => "Metode ini tidak didukung di alamat ini.",
            (MethodNotAllowed, En) => "This method is not supported at this address.",
            (IdempotencyKeyRequired, Id) => {
                "Sertakan header Idempotency-Key agar pengiriman ulang tidak menggandakan pengaduan."
            }
            (IdempotencyKeyRequired, En) => {
                "Send an Idempotency-Key header so that a retry cannot file the complaint twice."
            }
            (IdempotencyKeyInvalid, Id) => {
                "Idempotency-Key harus 8 sampai 128 karakter ASCII yang terlihat."
            }
            (IdempotencyKeyInvalid, En) => {
                "An Idempotency-Key is 8 to 128 visible ASCII characters."
            }
            (IdempotencyKeyReused, Id) => "Idempotency-Key ini sudah dipakai untuk pengaduan lain.",
            (IdempotencyKeyReused, En) => {
                "This Idempotency-Key was already used for a different complaint."
            }
            (ComplaintNotFound, Id) => "Tidak ada pengaduan dengan kode ini.",
            (ComplaintNotFound, En) => "No complaint has this code.",
            (RegionNotFound, Id) => "Daerah ini tidak dikenal.",
            (RegionNotFound, En) => "This region is not known.",
            (RepliesClosed, Id) => "Pengaduan ini sudah ditutup dan tidak menerima tanggapan lagi.",
            (RepliesClosed, En) => "This complaint is closed and takes no more replies.",
            (NotResolved, Id) => {
                "Hanya pengaduan yang sudah ditindaklanjuti yang dapat dikonfirmasi."
            }
            (NotResolved, En) => "Only a complaint that has been followed up can be confirmed.",
            (NotRatable, Id) => "Penanganan dapat dinilai setelah pengaduan ditindaklanjuti.",
            (NotRatable, En) => {
                "The handling can be rated once the complaint has been followed up."
            }
            (AlreadyRated, Id) => "Penanganan pengaduan ini sudah dinilai.",
            (AlreadyRated, En) => "The handling of this complaint has been rated already.",
            (ComplaintChanged, Id) => "Pengaduan ini baru saja berubah. Muat ulang dan coba lagi.",
            (ComplaintChanged, En) => "This complaint has just changed. Reload it and try again.",
            (SignatureInvalid, Id) => "Tanda tangan, stempel waktu atau pengirim pesan tidak sah.",
            (SignatureInvalid, En) => "The message's signature, timestamp or sender is not valid.",
            (NotInWebhookMode, Id) => {
                "Pengirim ini tidak terhubung dengan daerah yang memakai mode webhook."
            }
            (NotInWebhookMode, En) => "This sender is not tied to a region in webhook mode.",
            (TransitionRefused, Id) => {
                "Perubahan ini tidak dapat diterapkan pada pengaduan sekarang."
            }
            (TransitionRefused, En) => "This change cannot be applied to the complaint now.",
            (Timeout, Id) => "Permintaan terlalu lama diproses. Silakan coba lagi.",
            (Timeout, En) => "The request took too long. Please try again.",
            (RateLimited, Id) => {
                "Terlalu banyak permintaan dari alamat Anda. Silakan coba lagi sebentar lagi."
            }
            (RateLimited, En) => {
                "Too many requests from your address. Please try again in a little while."
            }
            (Unavailable, Id) => "Layanan sedang sibuk. Silakan coba lagi sebentar lagi.",
            (Unavailable, En) => "The service is busy. Please try again shortly.",
            (Internal, Id) => {
                "Terjadi kesalahan di server. Pengaduan Anda tidak hilang; silakan coba lagi."
            }
            (Internal, En) => {
                "Something went wrong on the server. Nothing you sent was lost; please try again."
            }
        };
        fixed.to_owned()
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
