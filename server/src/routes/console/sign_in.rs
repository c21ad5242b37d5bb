//! Signing in and out: the form, the attempt taken from the budgets before
//! the password is checked, the session and device cookies.

use aduan_app::api::Locale;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Posted;
use crate::auth::{self};
use crate::extract::AcceptLocale;
use crate::routes::limits::address_of;
use crate::state::AppState;

use super::pages::{self};
use super::store_failed;

/// `GET /console/login`.
pub async fn show_sign_in(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
) -> Response {
    sign_in_page(&state, locale, StatusCode::OK, None, "")
}

fn sign_in_page(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    problem: Option<&str>,
    email: &str,
) -> Response {
    let form_token = auth::random_token();
    let mut response = pages::html(status, pages::sign_in(locale, &form_token, problem, email));
    if let Ok(cookie) = HeaderValue::from_str(&auth::set_cookie(
        state,
        auth::SIGN_IN_COOKIE,
        &form_token,
        3600,
    )) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The sign-in form, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    pub form_token: String,
}

/// `POST /console/login`: checks the password; on success a session cookie
/// and the inbox. Failures are counted per account and per address.
pub async fn sign_in(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    request_headers: HeaderMap,
    extensions: axum::http::Extensions,
    Form(form): Form<SignInForm>,
) -> Response {
    let email = form.email.trim().to_lowercase();
    // Login CSRF: a post another site makes is refused by what the browser
    // says of its origin; a form this page served must also carry the
    // token its cookie holds.
    let cookie_token = auth::cookie(&request_headers, auth::SIGN_IN_COOKIE).unwrap_or("");
    let token_wrong = !form.form_token.is_empty()
        && (cookie_token.is_empty() || !auth::same_secret(cookie_token, &form.form_token));
    if auth::cross_site(&request_headers) || auth::foreign_origin(&request_headers) || token_wrong {
        let problem = pages::t(
            locale,
            "Formulir masuk sudah kedaluwarsa. Silakan coba lagi.",
            "The sign-in form has expired. Please try again.",
        );
        return sign_in_page(&state, locale, StatusCode::FORBIDDEN, Some(problem), &email);
    }
    let client = address_of(&state, &request_headers, &extensions);
    let device = auth::cookie(&request_headers, auth::DEVICE_COOKIE);
    // The attempt is counted before the password is checked, so parallel
    // guesses cannot slip past the limit.
    let reset = match auth::take_attempt(&state, &email, client, device).await {
        Ok(auth::Attempt::Admitted { reset_on_success }) => reset_on_success,
        Ok(auth::Attempt::Refused) => {
            tracing::info!("console: a sign-in was refused: too many attempts");
            let problem = pages::t(
                locale,
                "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit.",
                "Too many failed sign-ins. Try again in 15 minutes.",
            );
            let mut response = sign_in_page(
                &state,
                locale,
                StatusCode::TOO_MANY_REQUESTS,
                Some(problem),
                &email,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
            return response;
        }
        Err(e) => return store_failed(locale, &e),
    };
    let found = match state.store.officer_by_email(&email).await {
        Ok(found) => found,
        Err(e) => return store_failed(locale, &e),
    };
    let (officer, stored) = found.map_or((None, None), |(o, h)| (Some(o), Some(h)));
    let Some(matched) = auth::check_password(&state, form.password, stored).await else {
        let problem = pages::t(
            locale,
            "Layanan sedang sibuk. Coba lagi sebentar lagi.",
            "The service is busy. Please try again in a moment.",
        );
        let mut response = sign_in_page(
            &state,
            locale,
            StatusCode::SERVICE_UNAVAILABLE,
            Some(problem),
            &email,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    let Some(officer) = officer.filter(|_| matched) else {
        tracing::info!("console: a sign-in failed");
        state.metrics.sign_in_failed();
        let problem = pages::t(
            locale,
            "E-mail atau kata sandi salah.",
            "The e-mail address or the password is wrong.",
        );
        return sign_in_page(
            &state,
            locale,
            StatusCode::UNAUTHORIZED,
            Some(problem),
            &email,
        );
    };
    if let Err(e) = state.store.reset_budgets(&reset).await {
        return store_failed(locale, &e);
    }
    let trusted = reset.iter().any(|k| k.starts_with("device:"));
    let device = match auth::trust_device(&state, officer.id, device, trusted).await {
        Ok(device) => device,
        Err(e) => return store_failed(locale, &e),
    };
    let token = match auth::open_session(&state, &officer).await {
        Ok(token) => token,
        Err(e) => return store_failed(locale, &e),
    };
    tracing::info!(officer = officer.id, role = %officer.role, "console: signed in");
    let mut response = Redirect::to("/console/inbox").into_response();
    for cookie in [
        auth::set_cookie(
            &state,
            auth::SESSION_COOKIE,
            &token,
            auth::SESSION_HOURS * 3600,
        ),
        auth::set_cookie(&state, auth::SIGN_IN_COOKIE, "", 0),
        auth::set_cookie(
            &state,
            auth::DEVICE_COOKIE,
            &device,
            auth::DEVICE_DAYS * 86_400,
        ),
    ] {
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A form that carries only the CSRF token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

impl super::WithCsrf for CsrfForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/logout`.
pub async fn sign_out(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Posted(who, _form): Posted<CsrfForm>,
) -> Response {
    if let Err(e) = state.store.close_session(&who.token_hash).await {
        return store_failed(locale, &e);
    }
    let mut response = Redirect::to("/console/login").into_response();
    if let Ok(value) = HeaderValue::from_str(&auth::set_cookie(&state, auth::SESSION_COOKIE, "", 0))
    {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
