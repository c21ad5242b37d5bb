//! Request extractors whose refusals use the common error body.

use aduan_app::api::Locale;
use aduan_app::i18n::{Msg, Reason};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The language the client asked for in `Accept-Language`; Indonesian otherwise.
#[derive(Debug, Clone, Copy)]
pub struct AcceptLocale(pub Locale);

/// Reads the language of a request's headers.
pub fn locale_of(headers: &HeaderMap) -> Locale {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Locale::from_accept_language)
        .unwrap_or_default()
}

impl<S: Send + Sync> FromRequestParts<S> for AcceptLocale {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(AcceptLocale(locale_of(&parts.headers)))
    }
}

/// A JSON body: `application/json`, within the size limit, UTF-8, and exactly
/// the fields `T` names.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let locale = locale_of(req.headers());
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::for_status(StatusCode::UNSUPPORTED_MEDIA_TYPE).speaking(locale));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|r| ApiError::for_status(r.status()).speaking(locale))?;
        parse(&bytes, locale).map(JsonBody)
    }
}

/// Parses a JSON body, naming the field at fault when the shape is wrong.
pub fn parse<T: DeserializeOwned>(bytes: &[u8], locale: Locale) -> Result<T, ApiError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_utf8", Reason::InvalidUtf8)
                .speaking(locale),
        );
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    if value.is_ok() && de.end().is_err() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            Reason::MalformedJson,
        )
        .speaking(locale));
    }
    value.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let text = inner.to_string();
                let (field, problem) = if let Some(rest) = text.strip_prefix("unknown field `") {
                    let name = rest.split('`').next().unwrap_or_default();
                    let field = if path == "." || path.is_empty() {
                        name.to_owned()
                    } else {
                        path
                    };
                    (field, Msg::UnknownField)
                } else if text.contains("expected a string") {
                    (path, Msg::NotText)
                } else {
                    (path, Msg::WrongType)
                };
                let field = if field == "." || field.is_empty() {
                    "body".to_owned()
                } else {
                    field
                };
                ApiError::field(&field, problem, locale)
            }
            _ => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed_json",
                Reason::MalformedJson,
            )
            .speaking(locale),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aduan_app::api::ComplaintInput;

    fn fields(body: &str) -> Vec<(String, String)> {
        match parse::<ComplaintInput>(body.as_bytes(), Locale::En) {
            Ok(_) => vec![],
            Err(e) => e.fields.into_iter().collect(),
        }
    }

    #[test]
    fn an_unknown_field_is_named() {
        let f = fields(r#"{"title":"x","nik":"5103"}"#);
        assert_eq!(f.first().map(|p| p.0.as_str()), Some("nik"));
        let nested = fields(r#"{"reporter":{"name":"A","nik":"5103"}}"#);
        assert_eq!(nested.first().map(|p| p.0.as_str()), Some("reporter.nik"));
    }

    #[test]
    fn a_wrong_type_is_named() {
        let f = fields(r#"{"title": 42}"#);
        assert_eq!(f, vec![("title".to_owned(), "Must be text.".to_owned())]);
    }

    #[test]
    fn broken_json_and_bad_bytes_are_400() {
        let e = parse::<ComplaintInput>(b"{\"title\":", Locale::Id).err();
        assert_eq!(
            e.map(|e| (e.status, e.code)),
            Some((StatusCode::BAD_REQUEST, "malformed_json"))
        );
        let e = parse::<ComplaintInput>(b"{\"title\":\"\xff\"}", Locale::Id).err();
        assert_eq!(e.map(|e| e.code), Some("invalid_utf8"));
        let e = parse::<ComplaintInput>(b"{} {}", Locale::Id).err();
        assert_eq!(e.map(|e| e.code), Some("malformed_json"));
    }
}
