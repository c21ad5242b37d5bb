//! The Aduan contract shared by the widget and the server.
//!
//! - [`api`]: the JSON types of the public API, version 1.
//! - [`validate`]: the complaint rules, run by the widget before sending and by
//!   the server before storing, so the two never disagree.
//! - [`tracking`]: tracking codes a person can read aloud, with a check symbol.
//! - [`date`]: calendar dates and timestamps without a date library.
//! - [`words`]: every sentence, from the word files `app/words/*.txt`.
//! - [`i18n`]: messages of refusals, in every language.
//! - [`labels`]: the words of the form, receipt and tracker.
//! - [`markup`]: the receipt and the tracker's answer as escaped markup.
//! - [`search`]: the console's search words, scores and marks.
//! - [`style`]: the widget's stylesheet (the server sends it with the form
//!   the widget shows while its wasm is on the way).
//! - `json` (feature `ui`): the widget's small JSON reader and writer.
//! - `ui` (feature `ui`): the Leptos components the widget mounts.

pub mod api;
pub mod date;
pub mod i18n;
#[cfg(any(feature = "ui", test))]
pub mod json;
pub mod labels;
pub mod markup;
pub mod search;
pub mod style;
pub mod tracking;
pub mod validate;
pub mod words;

#[cfg(feature = "ui")]
pub mod ui;
