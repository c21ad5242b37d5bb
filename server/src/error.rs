//! The one error type handlers return, and the JSON body every refusal shares.

use std::collections::BTreeMap;

use aduan_app::api::{ErrorBody, ErrorDetail, Locale};
use aduan_app::i18n::{Msg, Reason};
use aduan_app::validate::Invalid;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::store::StoreError;

/// A refusal or a failure, answered as `{"error": {"code", "message", "fields"}}`.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable, for programs: `validation_failed`, `not_found`, …
    pub code: &'static str,
    pub msg: Reason,
    pub locale: Locale,
    pub fields: BTreeMap<String, String>,
    /// What went wrong inside, for the log only; never sent.
    pub internal: Option<String>,
    /// A sentence of its own (naming a file, say), already in the
    /// citizen's language; it stands instead of `msg`.
    pub said: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, msg: impl Into<Reason>) -> ApiError {
        ApiError {
            status,
            code,
            msg: msg.into(),
            locale: Locale::Id,
            fields: BTreeMap::new(),
            internal: None,
            said: None,
        }
    }

    /// The sentence the client reads.
    pub fn text(&self) -> String {
        self.said
            .clone()
            .unwrap_or_else(|| self.msg.text(self.locale))
    }

    /// The same error, told with this sentence.
    pub fn saying(mut self, text: String) -> ApiError {
        self.said = Some(text);
        self
    }

    /// The same error, in `locale`.
    pub fn speaking(mut self, locale: Locale) -> ApiError {
        self.locale = locale;
        self
    }

    /// 422 with one sentence per field.
    pub fn invalid(invalid: &Invalid) -> ApiError {
        ApiError {
            fields: invalid.messages(),
            ..ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                Reason::ValidationFailed,
            )
            .speaking(invalid.locale)
        }
    }

    /// 422 for one field.
    pub fn field(field: &str, problem: Msg, locale: Locale) -> ApiError {
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), problem);
        ApiError::invalid(&Invalid { locale, fields })
    }

    pub fn not_found(msg: Reason) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", msg)
    }

    /// 500; `detail` goes to the log only.
    pub fn internal(detail: impl Into<String>) -> ApiError {
        ApiError {
            internal: Some(detail.into()),
            ..ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                Reason::Internal,
            )
        }
    }

    /// The error body a bare status code stands for, when something below the
    /// handlers (the router, a timeout, a body limit) answered without one.
    pub fn for_status(status: StatusCode) -> ApiError {
        let (code, msg) = match status {
            StatusCode::NOT_FOUND => ("not_found", Reason::NotFound),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", Reason::MethodNotAllowed),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", Reason::PayloadTooLarge),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("unsupported_media_type", Reason::UnsupportedMediaType)
            }
            StatusCode::REQUEST_TIMEOUT => ("timeout", Reason::Timeout),
            StatusCode::SERVICE_UNAVAILABLE => ("unavailable", Reason::Unavailable),
            StatusCode::TOO_MANY_REQUESTS => ("rate_limited", Reason::RateLimited),
            s if s.is_server_error() => ("internal", Reason::Internal),
            _ => ("bad_request", Reason::MalformedJson),
        };
        ApiError::new(status, code, msg)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Unavailable(detail) => ApiError {
                internal: Some(detail),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    Reason::Unavailable,
                )
            },
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = self.status.as_u16(), code = self.code, detail = ?self.internal, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.text(),
                fields: self.fields,
            },
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        response
    }
}
