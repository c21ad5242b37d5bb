//! `POST /api/v1/webhooks/{subscriber}`: a region's own app sends its status
//! updates and replies back, signed the same way Aduan signs what it sends
//! (Standard Webhooks, with the subscriber's secret).
//!
//! Refused, changing nothing: an unknown or disabled subscriber, a missing
//! or wrong signature, a timestamp more than five minutes away (a replay).
//! A message id seen before answers 200 and changes nothing again.
//!
//! The body: `{"type": "complaint.status_changed", "data": {"id":
//! "...", "status": "in_progress", "message": "...", "unit": "pupr"}}` or
//! `{"type": "complaint.reply_added", "data": {"id": "...",
//! "message": "..."}}`, naming the complaint by the public id Aduan's own
//! messages carry (a `tracking_code` instead is read too). A status change follows the same lifecycle as the
//! console: `verified` (dispatch, optionally to `unit`), `needs_info`,
//! `in_progress`, `resolved`, `rejected`.

use std::collections::BTreeMap;

use aduan_app::api::{Locale, Status};
use aduan_app::i18n::Reason;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::casework::{self, Actor, CaseError, Command, Refusal};
use crate::domain::lifecycle::Action;
use crate::error::ApiError;
use crate::state::{AppState, now_ms};
use crate::store::Scope;

/// How far a message's timestamp may be from now, in seconds.
pub const TOLERANCE_SECS: i64 = 300;

/// A message in; other fields (such as `timestamp`) are ignored.
#[derive(Debug, Deserialize)]
struct Inbound {
    #[serde(rename = "type")]
    kind: String,
    data: InboundData,
}

#[derive(Debug, Deserialize)]
struct InboundData {
    /// The public id, as Aduan's messages name the complaint.
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    tracking_code: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    tier: Option<String>,
}

fn refuse(status: StatusCode, code: &'static str, msg: Reason) -> Response {
    ApiError::new(status, code, msg).into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The action a region's app asks for.
fn action_for(kind: &str, status: Option<&str>) -> Option<Action> {
    match (kind, status.and_then(Status::from_key)) {
        ("complaint.reply_added", _) => Some(Action::Reply),
        ("complaint.status_changed", Some(Status::Verified)) => Some(Action::Dispatch),
        ("complaint.status_changed", Some(Status::NeedsInfo)) => Some(Action::ReturnForInfo),
        ("complaint.status_changed", Some(Status::InProgress)) => Some(Action::Plan),
        ("complaint.status_changed", Some(Status::Resolved)) => Some(Action::Resolve),
        ("complaint.status_changed", Some(Status::Rejected)) => Some(Action::Reject),
        _ => None,
    }
}

/// `POST /api/v1/webhooks/{subscriber}`.
pub async fn receive(
    State(state): State<AppState>,
    Path(subscriber): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let unauthorised = || {
        refuse(
            StatusCode::UNAUTHORIZED,
            "signature_invalid",
            Reason::SignatureInvalid,
        )
    };
    let Ok(subscriber) = subscriber.parse::<i64>() else {
        return unauthorised();
    };
    let keys = match state.store.subscriber_keys(subscriber).await {
        Ok(Some(keys)) if keys.active => keys,
        Ok(_) => return unauthorised(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let id = header(&headers, "webhook-id");
    let Ok(timestamp) = header(&headers, "webhook-timestamp").parse::<i64>() else {
        return unauthorised();
    };
    let now = now_ms();
    if id.is_empty() || id.len() > 200 || (now / 1000 - timestamp).abs() > TOLERANCE_SECS {
        return unauthorised();
    }
    let Ok(text) = std::str::from_utf8(&body) else {
        return unauthorised();
    };
    let signature = header(&headers, "webhook-signature");
    let mut valid = crate::outbound::verify(&keys.secret, id, timestamp, text, signature);
    if let (Some(old), Some(until)) = (&keys.previous_secret, keys.previous_until)
        && until > now
    {
        valid |= crate::outbound::verify(old, id, timestamp, text, signature);
    }
    if !valid {
        tracing::info!(
            subscriber,
            "inbound webhook refused: bad signature or timestamp"
        );
        return unauthorised();
    }
    match state.store.inbound_seen(subscriber, id).await {
        Ok(true) => return (StatusCode::OK, Json(json!({"duplicate": true}))).into_response(),
        Ok(false) => {}
        Err(e) => return ApiError::from(e).into_response(),
    }
    let message: Inbound = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => {
            let mut error = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Reason::ValidationFailed,
            );
            error.internal = Some(e.to_string());
            error.fields.insert("body".into(), e.to_string());
            return error.into_response();
        }
    };
    let catalog = state.catalog();
    // Only a region's own subscriber, while the region is in webhook mode
    // (as stored: another process may have just changed it).
    let Some(region) = keys
        .region_slug
        .as_deref()
        .filter(|_| keys.region_mode.as_deref() == Some("webhook"))
        .and_then(|r| catalog.region(r))
    else {
        return refuse(
            StatusCode::FORBIDDEN,
            "not_in_webhook_mode",
            Reason::NotInWebhookMode,
        );
    };
    let typed = match (&message.data.id, &message.data.tracking_code) {
        (Some(id), _) => match state.store.code_by_public_id(id).await {
            Ok(code) => code.unwrap_or_default(),
            Err(e) => return ApiError::from(e).into_response(),
        },
        (None, Some(code)) => code.clone(),
        (None, None) => {
            let mut error = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Reason::ValidationFailed,
            );
            error
                .fields
                .insert("data.id".into(), "the complaint's public id".into());
            return error.into_response();
        }
    };
    let Ok(code) = aduan_app::tracking::TrackingCode::parse(&typed) else {
        return ApiError::not_found(Reason::ComplaintNotFound).into_response();
    };
    let scope = Scope {
        region: Some(region.slug.clone()),
        unit: None,
        confidential: true,
    };
    let complaint = match state.store.officer_complaint(code.as_str(), &scope).await {
        Ok(Some((c, _))) => c,
        Ok(None) => return ApiError::not_found(Reason::ComplaintNotFound).into_response(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some(action) = action_for(&message.kind, message.data.status.as_deref()) else {
        let mut error = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            Reason::ValidationFailed,
        );
        error.fields.insert("type".into(), "complaint.status_changed (with data.status: verified, needs_info, in_progress, resolved or rejected) or complaint.reply_added".into());
        return error.into_response();
    };
    // The app may leave the unit as it is and the complexity simple.
    let command = Command {
        action: Some(action),
        message: message.data.message.clone().unwrap_or_default(),
        unit: message
            .data
            .unit
            .clone()
            .unwrap_or_else(|| complaint.unit_key.clone()),
        tier: message.data.tier.clone().unwrap_or_else(|| "simple".into()),
        ..Command::default()
    };
    let actor = Actor::RegionApp {
        subscriber,
        message_id: id.to_owned(),
    };
    let refused = |status: StatusCode, problems: BTreeMap<&'static str, String>| {
        let mut error = ApiError::new(status, "transition_refused", Reason::TransitionRefused);
        for (k, v) in problems {
            error.fields.insert(k.to_owned(), v);
        }
        error.into_response()
    };
    let reference = complaint.reference();
    match casework::apply(&state, &actor, &reference, &command, Locale::En).await {
        Ok(()) => (StatusCode::OK, Json(json!({"applied": true}))).into_response(),
        Err(CaseError::Refused(Refusal::Fields(problems))) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, problems)
        }
        Err(CaseError::Refused(Refusal::WrongState(problem))) => {
            refused(StatusCode::CONFLICT, BTreeMap::from([("form", problem)]))
        }
        Err(CaseError::Refused(Refusal::NotPermitted)) => refuse(
            StatusCode::FORBIDDEN,
            "transition_refused",
            Reason::TransitionRefused,
        ),
        Err(CaseError::Changed) => match state.store.inbound_seen(subscriber, id).await {
            // The same message twice at once: the other one applied it.
            Ok(true) => (StatusCode::OK, Json(json!({"duplicate": true}))).into_response(),
            _ => refuse(
                StatusCode::CONFLICT,
                "complaint_changed",
                Reason::ComplaintChanged,
            ),
        },
        Err(CaseError::NotFound) => ApiError::not_found(Reason::ComplaintNotFound).into_response(),
        Err(CaseError::Store(e)) => ApiError::from(e).into_response(),
    }
}
