//! `/console/password`: an officer changes their own password. The current
//! one is asked for (wrong answers count like failed sign-ins, so a stolen
//! session cannot guess it), the new one is hashed like any other, and every
//! other session of the officer ends: whoever else was signed in as them is
//! signed out.

use aduan_app::api::Locale;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;

use super::pages::{self, Page};
use super::{forbidden, store_failed};
use crate::auth::{self, SignedIn};
use crate::extract::AcceptLocale;
use crate::officers::PASSWORD_MIN;
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

/// `POST /console/password`.
pub async fn change(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    who: SignedIn,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Response {
    if !who.may_post(&headers, &form.csrf) {
        return forbidden(locale, Some(&who));
    }
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
    let now = now_ms();
    let failures = state
        .store
        .sign_in_failures(&email, "", now - auth::FAILURE_WINDOW_MS)
        .await;
    match failures {
        Ok((by_account, _)) if by_account >= auth::FAILURES_PER_ACCOUNT => {
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
            return response;
        }
        Ok(_) => {}
        Err(e) => return store_failed(locale, &e),
    }
    if form.new.chars().count() < PASSWORD_MIN {
        return refuse(&match locale {
            Locale::Id => format!("Kata sandi baru paling sedikit {PASSWORD_MIN} karakter."),
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
    let (current, new) = (form.current, form.new);
    // Both are slow on purpose (argon2id); off the request threads.
    let hashed = tokio::task::spawn_blocking(move || {
        auth::verify_password(&current, &stored).then(|| auth::hash_password(&new))
    })
    .await
    .ok()
    .flatten();
    let hash = match hashed {
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
        None => {
            if let Err(e) = state.store.record_sign_in_failure(&email, "", now).await {
                return store_failed(locale, &e);
            }
            tracing::info!(
                officer = who.officer.id,
                "console: a password change gave a wrong current password"
            );
            return refuse(t(
                "Kata sandi sekarang salah.",
                "The current password is wrong.",
            ));
        }
    };
    if let Err(e) = state
        .store
        .change_password(who.officer.id, &hash, &who.token_hash)
        .await
    {
        return store_failed(locale, &e);
    }
    tracing::info!(
        officer = who.officer.id,
        "console: password changed; other sessions ended"
    );
    let done = html! {
        p.notice role="status" { (t(
            "Kata sandi Anda sudah diubah. Sesi Anda yang lain telah diakhiri.",
            "Your password was changed. Your other sessions have ended."
        )) }
    };
    page(&state, locale, &who, StatusCode::OK, Some(done))
}
