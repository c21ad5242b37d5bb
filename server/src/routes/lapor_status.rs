//! `POST /api/v1/lapor/status`: SP4N-LAPOR sends its status updates back.
//! The request carries the callback token (`X-Lapor-Token` or
//! `Authorization: Bearer`); the body is XML:
//!
//! ```xml
//! <pembaruan><id>upd-981</id><tracking_id>2611280042</tracking_id>
//!   <status>Diproses</status><tanggapan>Sudah diteruskan ke dinas terkait.</tanggapan></pembaruan>
//! ```
//!
//! Each update joins the complaint's public timeline once (an `id` seen
//! before answers `duplicate` and changes nothing). Aduan's own lifecycle
//! stays with the region's officers.

use aduan_app::api::Locale;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::same_secret;
use crate::casework::{self, Actor, CaseError, Command};
use crate::domain::lifecycle::Action;
use crate::lapor::element;
use crate::state::AppState;
use crate::store::Scope;

fn answer(status: StatusCode, word: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><respon><status>{word}</status><pesan>{}</pesan></respon>",
        message
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    );
    (status, [(header::CONTENT_TYPE, "application/xml")], body).into_response()
}

/// The token a request carries.
fn token(headers: &HeaderMap) -> &str {
    headers
        .get("x-lapor-token")
        .and_then(|v| v.to_str().ok())
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
        })
        .unwrap_or_default()
}

/// `POST /api/v1/lapor/status`.
pub async fn receive(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let expected = state
        .config
        .lapor_callback_token
        .as_ref()
        .map(crate::config::Secret::expose)
        .unwrap_or_default();
    if expected.is_empty() || !same_secret(expected, token(&headers)) {
        return answer(StatusCode::UNAUTHORIZED, "gagal", "token tidak sah");
    }
    let text = String::from_utf8_lossy(&body);
    let (Some(update), Some(lapor_id)) = (element(&text, "id"), element(&text, "tracking_id"))
    else {
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "gagal",
            "id dan tracking_id wajib ada",
        );
    };
    let status = element(&text, "status").unwrap_or_default();
    let reply = element(&text, "tanggapan").unwrap_or_default();
    if update.len() > 200 || (status.trim().is_empty() && reply.trim().is_empty()) {
        return answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "gagal",
            "status atau tanggapan wajib ada",
        );
    }
    let unavailable = |e: crate::store::StoreError| {
        tracing::error!(error = %e, "LAPOR update: the store failed");
        answer(StatusCode::SERVICE_UNAVAILABLE, "gagal", "coba lagi nanti")
    };
    match state.store.lapor_update_seen(&update).await {
        Ok(true) => return answer(StatusCode::OK, "duplikat", "sudah diterima"),
        Ok(false) => {}
        Err(e) => return unavailable(e),
    }
    let code = match state.store.code_by_lapor_id(&lapor_id).await {
        Ok(Some(code)) => code,
        Ok(None) => return answer(StatusCode::NOT_FOUND, "gagal", "tracking_id tidak dikenal"),
        Err(e) => return unavailable(e),
    };
    let scope = Scope {
        confidential: true,
        ..Scope::default()
    };
    let c = match state.store.officer_complaint(&code, &scope).await {
        Ok(Some((c, _))) => c,
        Ok(None) => return answer(StatusCode::NOT_FOUND, "gagal", "tracking_id tidak dikenal"),
        Err(e) => return unavailable(e),
    };
    let message = match (status.trim(), reply.trim()) {
        ("", r) => format!("SP4N-LAPOR: {r}"),
        (s, "") => format!("SP4N-LAPOR: {s}"),
        (s, r) => format!("SP4N-LAPOR · {s}: {r}"),
    };
    let command = Command {
        message: message.chars().take(4000).collect(),
        ..Command::of(Action::Reply)
    };
    let actor = Actor::Lapor {
        update_id: update.clone(),
        tracking_id: lapor_id.clone(),
    };
    let applied = casework::apply(&state, &actor, &c.reference(), &command, Locale::Id).await;
    match applied {
        Ok(()) => answer(StatusCode::OK, "sukses", "diterima"),
        Err(CaseError::Changed) => match state.store.lapor_update_seen(&update).await {
            Ok(true) => answer(StatusCode::OK, "duplikat", "sudah diterima"),
            _ => answer(
                StatusCode::CONFLICT,
                "gagal",
                "pengaduan baru saja berubah; kirim ulang",
            ),
        },
        Err(CaseError::NotFound) => {
            answer(StatusCode::NOT_FOUND, "gagal", "tracking_id tidak dikenal")
        }
        Err(CaseError::Refused(_)) => answer(
            StatusCode::UNPROCESSABLE_ENTITY,
            "gagal",
            "status atau tanggapan tidak dapat diterima",
        ),
        Err(CaseError::Store(e)) => unavailable(e),
    }
}
