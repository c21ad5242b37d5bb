//! Downloads of attached files. Each door checks the same scope rules as
//! the complaint, then asks the disclosure policy; anything outside scope is
//! a plain 404, never a hint that the file exists.
//!
//! - the reporter: `/api/v1/complaints/{code}/files/{id}` (the code is the credential);
//! - an officer: `/console/files/{id}` (the session's scope);
//! - the public (Open311 `media_url`): `/api/v1/media/{id}`, photos only;
//! - webhook receivers and SP4N-LAPOR: `/api/v1/files/{id}?aud&expires&signature`,
//!   a short-lived link minted only for what their audience may see.
//!
//! `?size=thumb` asks for the small preview of a photo. Every answer is
//! sandboxed and never sniffed; a PDF is only ever a download.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::attachments::{AttachmentOwner, AttachmentRow, Kind};
use crate::auth::SignedIn;
use crate::disclosure::Audience;
use crate::error::ApiError;
use crate::extract::AcceptLocale;
use crate::state::{AppState, now_ms};
use crate::store::Scope;
use aduan_app::i18n::Reason;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FileQuery {
    pub size: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignedQuery {
    pub size: String,
    pub aud: String,
    pub expires: i64,
    pub signature: String,
}

fn nothing_here() -> Response {
    ApiError::not_found(Reason::NotFound).into_response()
}

/// The complaint of an attachment is in the officer's scope.
pub fn scope_admits(scope: &Scope, owner: &AttachmentOwner) -> bool {
    scope
        .region
        .as_ref()
        .is_none_or(|r| *r == owner.region_slug)
        && scope.unit.as_ref().is_none_or(|u| *u == owner.unit_key)
        && (scope.confidential || !owner.confidential)
}

async fn found(
    state: &AppState,
    id: &str,
) -> Result<Option<(AttachmentRow, AttachmentOwner)>, Response> {
    if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    state
        .store
        .attachment(id)
        .await
        .map_err(|e| ApiError::from(e).into_response())
}

/// `Content-Disposition` with the name in ASCII and in UTF-8.
fn disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// The file's bytes with headers that keep them inert.
async fn serve(
    state: &AppState,
    row: &AttachmentRow,
    audience: Audience,
    size: &str,
    cache: &'static str,
) -> Response {
    let kind = row.kind();
    let (hash, thumb) = match (size, &row.thumb) {
        ("thumb", Some(thumb)) => (thumb.as_str(), true),
        _ => (row.blob.as_str(), false),
    };
    let bytes = match state.files.blobs.get(hash).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return nothing_here(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    let content_type = if thumb {
        Kind::Jpeg.content_type()
    } else {
        kind.content_type()
    };
    let shown = row.name_for(audience);
    let stem = shown.rsplit_once('.').map_or(shown.as_str(), |(s, _)| s);
    let name = format!("{stem}.{}", if thumb { "jpg" } else { kind.extension() });
    let inline = if kind.is_photo() {
        "inline"
    } else {
        "attachment"
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&disposition(inline, &name)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// The reporter, by tracking code.
pub async fn for_reporter(
    State(state): State<AppState>,
    AcceptLocale(locale): AcceptLocale,
    Path((code, id)): Path<(String, String)>,
    Query(q): Query<FileQuery>,
) -> Response {
    let code = match crate::intake::tracking_code(&code, locale) {
        Ok(code) => code,
        Err(e) => return e.into_response(),
    };
    match found(&state, &id).await {
        Ok(Some((row, owner)))
            if owner.tracking_code == code.as_str()
                && row.visible_to(Audience::Reporter, owner.privacy()) =>
        {
            serve(
                &state,
                &row,
                Audience::Reporter,
                &q.size,
                "private, no-store",
            )
            .await
        }
        Ok(_) => nothing_here(),
        Err(response) => response,
    }
}

/// An officer, within their scope and role.
pub async fn for_officer(
    State(state): State<AppState>,
    who: SignedIn,
    Path(id): Path<String>,
    Query(q): Query<FileQuery>,
) -> Response {
    let scope = who.scope(&state.catalog());
    match found(&state, &id).await {
        Ok(Some((row, owner)))
            if scope_admits(&scope, &owner)
                && row.visible_to(Audience::Officer(who.role), owner.privacy()) =>
        {
            serve(
                &state,
                &row,
                Audience::Officer(who.role),
                &q.size,
                "private, no-store",
            )
            .await
        }
        Ok(_) => nothing_here(),
        Err(response) => response,
    }
}

/// Anyone: a public complaint's visible photo (Open311 `media_url`).
pub async fn for_public(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<FileQuery>,
) -> Response {
    match found(&state, &id).await {
        Ok(Some((row, owner)))
            if row.kind().is_photo() && row.visible_to(Audience::Public, owner.privacy()) =>
        {
            // Short, so that a photo an officer hides stops showing soon.
            serve(
                &state,
                &row,
                Audience::Public,
                &q.size,
                "public, max-age=300",
            )
            .await
        }
        Ok(_) => nothing_here(),
        Err(response) => response,
    }
}

/// The audiences a signed link may be minted for.
pub fn link_audience(key: &str) -> Option<Audience> {
    match key {
        "webhook" => Some(Audience::Webhook),
        "lapor" => Some(Audience::Lapor),
        _ => None,
    }
}

/// A webhook receiver or SP4N-LAPOR, by a signed link.
pub async fn for_link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<SignedQuery>,
) -> Response {
    let Some(audience) = link_audience(&q.aud) else {
        return nothing_here();
    };
    if !state.files.verify(
        &format!("{}:{id}", q.aud),
        q.expires,
        &q.signature,
        now_ms(),
    ) {
        return nothing_here();
    }
    // The policy is asked again: a file hidden since the link was made is not served.
    match found(&state, &id).await {
        Ok(Some((row, owner))) if row.visible_to(audience, owner.privacy()) => {
            serve(&state, &row, audience, &q.size, "private, no-store").await
        }
        Ok(_) => nothing_here(),
        Err(response) => response,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(region: &str, unit: &str, confidential: bool) -> AttachmentOwner {
        AttachmentOwner {
            tracking_code: String::new(),
            public_id: String::new(),
            region_slug: region.into(),
            unit_key: unit.into(),
            anonymous: false,
            confidential,
            status: "submitted".into(),
        }
    }

    #[test]
    fn the_scope_admits_its_region_unit_and_confidentiality() {
        let unit = Scope {
            region: Some("badung".into()),
            unit: Some("pupr".into()),
            confidential: true,
        };
        assert!(scope_admits(&unit, &owner("badung", "pupr", true)));
        assert!(!scope_admits(&unit, &owner("badung", "dlh", false)));
        assert!(!scope_admits(&unit, &owner("gianyar", "pupr", false)));
        let province = Scope {
            region: None,
            unit: None,
            confidential: false,
        };
        assert!(scope_admits(&province, &owner("gianyar", "pupr", false)));
        assert!(!scope_admits(&province, &owner("gianyar", "pupr", true)));
    }

    #[test]
    fn the_file_name_goes_out_quoted_and_encoded() {
        assert_eq!(
            disposition("attachment", "kuitansi \"x\".pdf"),
            "attachment; filename=\"kuitansi _x_.pdf\"; filename*=UTF-8''kuitansi%20%22x%22.pdf"
        );
        assert!(
            disposition("inline", "jalan é.jpg").contains("filename*=UTF-8''jalan%20%C3%A9.jpg")
        );
    }

    #[test]
    fn links_are_minted_only_for_external_systems() {
        assert_eq!(link_audience("webhook"), Some(Audience::Webhook));
        assert_eq!(link_audience("lapor"), Some(Audience::Lapor));
        assert_eq!(link_audience("public"), None);
        assert_eq!(link_audience("officer"), None);
    }
}
