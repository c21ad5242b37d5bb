//! The officer console under `/console`: server-rendered HTML that works
//! with no script at all, fast on an old office PC.
//!
//! Every page is scoped to the signed-in officer ([`SignedIn::scope`]): a
//! complaint outside it answers 404, exactly as one that does not exist.
//! Every form that changes something carries the session's CSRF token, and a
//! post the browser marks as cross-site is refused before it is read: both
//! checked by one extractor, [`Posted`]. Errors are [`ConsoleError`]s, pages
//! in the officer's language. What a change means is decided in
//! [`crate::casework`]; who may see what in [`crate::disclosure`].
//!
//! - `sign_in`: signing in and out.
//! - `complaints`: the inbox, a complaint's page and the actions on it.
//! - `regions`: a region's overview and routing rules.
//! - [`officers`], [`password`], [`integrations`]: administration.

pub mod bulk;
mod complaints;
mod errors;
pub mod integrations;
pub mod officers;
mod pages;
pub mod password;
pub mod performance;
mod regions;
mod sign_in;
pub mod sites;
pub mod views;

pub use complaints::{
    ActionForm, AssignForm, DoneQuery, InboxFilters, Sought, VisibilityForm, act_on_complaint,
    add_officer_files, assign_complaint, ranked, set_file_visibility, show_complaint, show_inbox,
};
pub use errors::{ConsoleError, Posted, WithCsrf};
pub(crate) use errors::{forbidden, not_found, store_failed};
pub use regions::{
    HandoffForm, RuleForm, RulesQuery, save_handoff, save_rule, show_overview, show_rules,
};
pub use sign_in::{CsrfForm, SignInForm, show_sign_in, sign_in, sign_out};

use axum::response::Redirect;

/// Longest public reply or internal note, in characters.
pub use crate::casework::MESSAGE_MAX;
/// Complaints per inbox page.
pub const PAGE_SIZE: i64 = 50;

/// `GET /console`: the inbox, or the sign-in page.
pub async fn home() -> Redirect {
    Redirect::to("/console/inbox")
}
