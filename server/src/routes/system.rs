//! Health, the API description, and the answers for unknown addresses.

use aduan_app::i18n::Reason;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::json;

use crate::error::ApiError;
use crate::extract::AcceptLocale;
use crate::state::AppState;

/// The OpenAPI 3 description of the public API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// `GET /livez`: the process answers; touches nothing else. Also the bare
/// endpoint the benchmark measures against.
pub async fn livez() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// `GET /healthz`: 200 when the database answers reads and writes.
pub async fn healthz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    state.store.health().await?;
    Ok(Json(
        json!({ "status": "ok", "database": state.store.backend() }),
    ))
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

pub async fn not_found(AcceptLocale(locale): AcceptLocale) -> ApiError {
    ApiError::not_found(Reason::NotFound).speaking(locale)
}
