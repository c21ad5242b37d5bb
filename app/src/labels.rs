//! The words of the complaint form, the receipt and the tracker, in every
//! language, for the widget and the hosted pages alike (from the word
//! files; see [`crate::words`]).

use crate::api::{Classification, Locale, Privacy, Status};
pub use crate::words::Word as Label;
use crate::words::Word;

/// The status as a citizen reads it.
pub fn status(status: Status, locale: Locale) -> &'static str {
    match status {
        Status::Submitted => Word::StatusSubmitted,
        Status::NeedsInfo => Word::StatusNeedsInfo,
        Status::Verified => Word::StatusVerified,
        Status::InProgress => Word::StatusInProgress,
        Status::Resolved => Word::StatusResolved,
        Status::Closed => Word::StatusClosed,
        Status::Rejected => Word::StatusRejected,
        Status::TransferredOut => Word::StatusTransferredOut,
    }
    .text(locale)
}

/// A kind of report, as the form names it.
pub fn classification(c: Classification, locale: Locale) -> &'static str {
    match c {
        Classification::Complaint => Word::KindComplaint,
        Classification::Aspiration => Word::KindAspiration,
        Classification::InformationRequest => Word::KindInformationRequest,
    }
    .text(locale)
}

/// A privacy choice, as the form names it, and what it means.
pub fn privacy(p: Privacy, locale: Locale) -> (&'static str, &'static str) {
    let (name, help) = match p {
        Privacy::Public => (Word::PrivacyPublic, Word::PrivacyPublicHelp),
        Privacy::Anonymous => (Word::PrivacyAnonymous, Word::PrivacyAnonymousHelp),
        Privacy::Confidential => (Word::PrivacyConfidential, Word::PrivacyConfidentialHelp),
        Privacy::AnonymousConfidential => (
            Word::PrivacyAnonymousConfidential,
            Word::PrivacyAnonymousConfidentialHelp,
        ),
    };
    (name.text(locale), help.text(locale))
}
