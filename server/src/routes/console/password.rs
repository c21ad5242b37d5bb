//! `/console/password`: an officer changes their own password. The current
//! one is asked for (each attempt is taken from the same budgets as a
//! sign-in, so a stolen session cannot guess it), the new one is hashed
//! like any other, and every session of the officer ends: whoever else was
//! signed in as them is signed out, and this browser goes on under a new
//! session token.

use aduan_app::api::Locale;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::Posted;
use super::pages::{self, Page};
use super::{forbidden, store_failed};
use crate::auth::{self, SignedIn};
use crate::extract::AcceptLocale;
use crate::officers::PASSWORD_MIN;
use crate::routes::limits::address_of;
use crate::state::{AppState, now_ms};

fn page(
    state: &AppState,
    locale: Locale,
    who: &SignedIn,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let catalog = state.catalog();
    let p = Page::new(locale, who, &catalog);
    let t = |id, en| pages::t(locale, id, en);
    let body = html! {
        h1 { (t("Ubah kata sandi", "Change your password")) }
        @if let Some(notice) = notice { (notice) }
        form method="post" action="/console/password" {
            input type="hidden" name="csrf" value=(who.csrf);
            // The account's name, for password managers.
            input type="hidden" name="username" autocomplete="username" value=(who.officer.email);
            div.field {
                label for="p-current" { (t("Kata sandi sekarang", "Current password")) }
                input #p-current type="password" name="current" required autocomplete="current-password";
            }
            div.field {
                label for="p-new" { (t("Kata sandi baru", "New password")) " (" (PASSWORD_MIN) "+)" }
                input #p-new type="password" name="new" required minlength=(PASSWORD_MIN) autocomplete="new-password";
            }
            div.field {
                label for="p-repeat" { (t("Ulangi kata sandi baru", "The new password again")) }
                input #p-repeat type="password" name="repeat" required minlength=(PASSWORD_MIN) autocomplete="new-password";
            }
            p.muted { (t(
                "Sesi Anda yang lain (di perangkat lain) akan diakhiri.",
                "Your other sessions (on other devices) will be ended."
            )) }
            button type="submit" { (t("Ubah", "Change")) }
        }
    };
    pages::html(status, p.layout(t("Kata sandi", "Password"), body))
}

fn problem(text: &str) -> Markup {
    html! { p.notice.bad role="alert" { (text) } }
}

/// `GET /console/password`.
pub async fn show(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
) -> Response {
    page(&state, locale, &who, StatusCode::OK, None)
}

/// The password form, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub csrf: String,
    pub current: String,
    pub new: String,
    pub repeat: String,
}

impl super::WithCsrf for PasswordForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /console/password`.
pub async fn change(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Posted(who, form): Posted<PasswordForm>,
) -> Response {
    let t = |id, en| pages::t(locale, id, en);
    let refuse = |text: &str| {
        page(
            &state,
            locale,
            &who,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem(text)),
        )
    };
    let email = who.officer.email.clone();
    let too_many = || {
        let text = t(
            "Terlalu banyak percobaan yang gagal. Coba lagi dalam 15 menit.",
            "Too many failed attempts. Try again in 15 minutes.",
        );
        let mut response = page(
            &state,
            locale,
            &who,
            StatusCode::TOO_MANY_REQUESTS,
            Some(problem(text)),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("900"));
        response
    };
    if form.new.chars().count() < PASSWORD_MIN {
        return refuse(&match locale {
            Locale::Id | Locale::Ban => {
                format!("Kata sandi baru paling sedikit {PASSWORD_MIN} karakter.")
            }
            Locale::En => format!("The new password needs at least {PASSWORD_MIN} characters."),
        });
    }
    if form.new != form.repeat {
        return refuse(t(
            "Kedua isian kata sandi baru tidak sama.",
            "The two new passwords are not the same.",
        ));
    }
    if form.new == form.current {
        return refuse(t(
            "Kata sandi baru harus berbeda dari yang sekarang.",
            "The new password must differ from the current one.",
        ));
    }
    let stored = match state.store.officer_by_email(&email).await {
        Ok(Some((_, hash))) => hash,
        Ok(None) => return forbidden(locale, Some(&who)),
        Err(e) => return store_failed(locale, &e),
    };
    // The current password is guessed like a sign-in: the attempt is
    // counted first, from the same budgets as this browser's sign-ins.
    let client = address_of(&state, &headers, &extensions);
    let device = auth::cookie(&headers, auth::DEVICE_COOKIE);
    let reset = match auth::take_attempt(&state, &email, client, device).await {
        Ok(auth::Attempt::Admitted { reset_on_success }) => reset_on_success,
        Ok(auth::Attempt::Refused) => return too_many(),
        Err(e) => return store_failed(locale, &e),
    };
    let busy = || {
        pages::message_page(
            locale,
            Some(&who),
            StatusCode::SERVICE_UNAVAILABLE,
            t("Layanan sedang sibuk", "The service is busy"),
            t(
                "Kata sandi tidak diubah. Silakan coba lagi sebentar lagi.",
                "The password was not changed. Please try again in a moment.",
            ),
        )
    };
    let Some(matched) = auth::check_password(&state, form.current, Some(stored)).await else {
        return busy();
    };
    if !matched {
        tracing::info!(
            officer = who.officer.id,
            "console: a password change gave a wrong current password"
        );
        return refuse(t(
            "Kata sandi sekarang salah.",
            "The current password is wrong.",
        ));
    }
    let hash = match auth::hash_bounded(&state, form.new).await {
        Some(Ok(hash)) => hash,
        Some(Err(e)) => {
            tracing::error!(error = %e, "console: a password could not be hashed");
            return pages::message_page(
                locale,
                Some(&who),
                StatusCode::INTERNAL_SERVER_ERROR,
                t("Terjadi kesalahan", "Something went wrong"),
                t(
                    "Kata sandi tidak diubah. Silakan coba lagi.",
                    "The password was not changed. Please try again.",
                ),
            );
        }
        None => return busy(),
    };
    if let Err(e) = state.store.reset_budgets(&reset).await {
        return store_failed(locale, &e);
    }
    // Every session ends, this one too: it goes on under a new token.
    let token = auth::random_token();
    let now = now_ms();
    let session = crate::store::NewSession {
        token_hash: auth::token_hash(&token),
        officer_id: who.officer.id,
        csrf_token: auth::random_token(),
        at_ms: now,
        expires_at: now + auth::SESSION_HOURS * 3600 * 1000,
    };
    if let Err(e) = state
        .store
        .change_password(who.officer.id, &hash, session.clone())
        .await
    {
        return store_failed(locale, &e);
    }
    tracing::info!(
        officer = who.officer.id,
        "console: password changed; other sessions ended"
    );
    let who = SignedIn {
        csrf: session.csrf_token.clone(),
        token_hash: session.token_hash.clone(),
        ..who
    };
    let done = html! {
        p.notice role="status" { (t(
            "Kata sandi Anda sudah diubah. Sesi Anda yang lain telah diakhiri.",
            "Your password was changed. Your other sessions have ended."
        )) }
    };
    let mut response = page(&state, locale, &who, StatusCode::OK, Some(done));
    let cookie = auth::set_cookie(
        &state,
        auth::SESSION_COOKIE,
        &token,
        auth::SESSION_HOURS * 3600,
    );
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}
