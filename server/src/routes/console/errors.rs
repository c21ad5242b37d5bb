//! Why a console request ends on an error page, and the one extractor that
//! checks every post: the officer signed in, the browser does not mark the
//! post cross-site, and it carries the session's CSRF token.

use aduan_app::api::Locale;
use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use super::pages;
use crate::auth::SignedIn;
use crate::extract::locale_of;
use crate::state::AppState;
use crate::store::StoreError;

/// What went wrong, as an officer reads it: a page in their language.
#[derive(Debug)]
pub enum ConsoleError {
    /// The role does not allow it, or the form is forged or stale.
    Forbidden(Locale, Option<SignedIn>),
    /// Outside the officer's scope, or not there at all: the same answer.
    NotFound(Locale, SignedIn),
    /// The database did not answer.
    Unavailable(Locale, StoreError),
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let t = pages::t;
        match self {
            ConsoleError::Forbidden(locale, who) => pages::message_page(
                locale,
                who.as_ref(),
                StatusCode::FORBIDDEN,
                t(locale, "Tidak diizinkan", "Not allowed"),
                t(
                    locale,
                    "Peran Anda tidak mengizinkan tindakan ini, atau formulirnya sudah kedaluwarsa. Muat ulang halaman dan coba lagi.",
                    "Your role does not allow this, or the form has expired. Reload the page and try again.",
                ),
            ),
            ConsoleError::NotFound(locale, who) => pages::message_page(
                locale,
                Some(&who),
                StatusCode::NOT_FOUND,
                t(locale, "Tidak ditemukan", "Not found"),
                t(
                    locale,
                    "Tidak ada pengaduan dengan kode ini dalam wilayah kerja Anda.",
                    "There is no complaint with this code in your scope.",
                ),
            ),
            ConsoleError::Unavailable(locale, e) => {
                tracing::error!(error = %e, "console: the store failed");
                pages::message_page(
                    locale,
                    None,
                    StatusCode::SERVICE_UNAVAILABLE,
                    t(
                        locale,
                        "Layanan sedang tidak tersedia",
                        "The service is unavailable",
                    ),
                    t(
                        locale,
                        "Basis data tidak menjawab. Coba lagi sebentar lagi.",
                        "The database did not answer. Try again in a moment.",
                    ),
                )
            }
        }
    }
}

pub(crate) fn store_failed(locale: Locale, e: &StoreError) -> Response {
    ConsoleError::Unavailable(locale, e.clone()).into_response()
}

pub(crate) fn not_found(locale: Locale, who: &SignedIn) -> Response {
    ConsoleError::NotFound(locale, who.clone()).into_response()
}

pub(crate) fn forbidden(locale: Locale, who: Option<&SignedIn>) -> Response {
    ConsoleError::Forbidden(locale, who.cloned()).into_response()
}

/// A form that carries the session's CSRF token.
pub trait WithCsrf {
    fn csrf(&self) -> &str;
}

/// A console post, taken only from a signed-in officer, not marked
/// cross-site by the browser, with the session's CSRF token: the officer
/// and the form. Anything else is refused before a handler runs.
#[derive(Debug)]
pub struct Posted<T>(pub SignedIn, pub T);

impl<T> FromRequest<AppState> for Posted<T>
where
    T: DeserializeOwned + WithCsrf + Send,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let who = SignedIn::from_request_parts(&mut parts, state).await?;
        let locale = locale_of(&parts.headers);
        let headers = parts.headers.clone();
        let Form(form) = Form::<T>::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        if !who.may_post(&headers, form.csrf()) {
            return Err(ConsoleError::Forbidden(locale, Some(who)).into_response());
        }
        Ok(Posted(who, form))
    }
}
