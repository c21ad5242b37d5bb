//! Resumable uploads: tus 1.0 (core, creation, creation-with-upload,
//! expiration, termination, checksum) at `/api/v1/uploads`.
//!
//! Bytes are streamed to storage in chunks as they arrive and kept when a
//! connection drops, so a client resumes from the last byte the server
//! holds (`HEAD` tells it). When the last byte is in, the file is cleaned
//! (`attachments::clean`); a refused file is forgotten at once and the
//! answer names it.

// Every step answers with the response the client gets; they are built
// once per request, so their size does not matter.
#![allow(clippy::result_large_err)]

use aduan_app::api::Locale;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures_util::StreamExt;
use sha1::Digest as _;

use crate::attachments::{Finished, NewUpload, UploadRow, refusal_error, refused, too_large};
use crate::error::ApiError;
use crate::extract::locale_of;
use crate::state::{AppState, now_ms};
use crate::store::StoreError;

pub const TUS_VERSION: &str = "1.0.0";
pub const TUS_EXTENSIONS: &str = "creation,creation-with-upload,expiration,termination,checksum";
pub const TUS_CHECKSUMS: &str = "sha1,sha256";
const OFFSET_TYPE: &str = "application/offset+octet-stream";

/// Bytes gathered before they are written: memory per upload stays this,
/// whatever the file's size.
const CHUNK: usize = 64 * 1024;

/// A request body that sends nothing for this long has stopped; what came
/// before it is kept.
const IDLE: std::time::Duration = std::time::Duration::from_secs(30);

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn bad_request(code: &'static str, text: &str) -> ApiError {
    refused(StatusCode::BAD_REQUEST, code, text.to_owned())
}

/// `Tus-Resumable: 1.0.0` on every request but `OPTIONS`.
fn check_version(headers: &HeaderMap) -> Result<(), Response> {
    if header_str(headers, "tus-resumable") == Some(TUS_VERSION) {
        return Ok(());
    }
    let mut response = refused(
        StatusCode::PRECONDITION_FAILED,
        "tus_version",
        "This server speaks tus 1.0.0; send `Tus-Resumable: 1.0.0`.".to_owned(),
    )
    .into_response();
    response
        .headers_mut()
        .insert("tus-version", HeaderValue::from_static(TUS_VERSION));
    Err(response)
}

/// The file's name from `Upload-Metadata` (`filename` or `name`), reduced to
/// what is safe to show: no folders, no control or direction characters.
pub fn filename_of(metadata: Option<&str>) -> String {
    let named = metadata
        .into_iter()
        .flat_map(|m| m.split(','))
        .find_map(|pair| {
            let mut parts = pair.trim().splitn(2, ' ');
            let key = parts.next()?;
            let value = parts.next().unwrap_or_default();
            matches!(key, "filename" | "name").then(|| {
                base64::engine::general_purpose::STANDARD
                    .decode(value.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
            })?
        });
    clean_name(named.as_deref().unwrap_or_default())
}

/// One value of `Upload-Metadata` (`key base64,key base64`), as text.
pub fn metadata_value(metadata: Option<&str>, wanted: &str) -> Option<String> {
    metadata
        .into_iter()
        .flat_map(|m| m.split(','))
        .find_map(|pair| {
            let mut parts = pair.trim().splitn(2, ' ');
            (parts.next()? == wanted).then(|| {
                base64::engine::general_purpose::STANDARD
                    .decode(parts.next().unwrap_or_default().trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
            })?
        })
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

/// A file name as the service keeps and shows it.
pub fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let kept: String = base
        .chars()
        .filter(|c| {
            !c.is_control()
                && !aduan_app::validate::bidi_control(*c)
                && !matches!(c, '"' | '<' | '>')
        })
        .take(100)
        .collect();
    let kept = kept.trim();
    if kept.is_empty() || kept == "." || kept == ".." {
        "file".to_owned()
    } else {
        kept.to_owned()
    }
}

/// `OPTIONS`: what this server supports (the headers come from the layer).
pub async fn options(State(state): State<AppState>) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(max) = HeaderValue::from_str(&state.files.settings.max_file_bytes.to_string()) {
        response.headers_mut().insert("tus-max-size", max);
    }
    response
}

/// `POST`: a new upload, with its first bytes if the body carries any.
pub async fn create(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    check_version(&headers)?;
    let locale = locale_of(&headers);
    if headers.contains_key("upload-defer-length") {
        return Err(bad_request(
            "length_required",
            "Send `Upload-Length`: this server needs to know a file's size up front.",
        )
        .speaking(locale)
        .into_response());
    }
    let filename = filename_of(header_str(&headers, "upload-metadata"));
    // A browser names the region its form files for: a site not registered
    // for it may not upload either.
    if let Some(region) = metadata_value(header_str(&headers, "upload-metadata"), "region") {
        crate::sites::gate::admit(&state, &region, &headers, locale)
            .await
            .map_err(IntoResponse::into_response)?;
    }
    let length: u64 = header_str(&headers, "upload-length")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            bad_request(
                "length_required",
                "Send `Upload-Length` as a whole number of bytes.",
            )
            .into_response()
        })?;
    let max = state.files.settings.max_file_bytes;
    if length > max {
        return Err(too_large(&filename, max, locale).into_response());
    }
    let now = now_ms();
    let upload = NewUpload::new(length, &filename, now, state.files.settings.expiry_ms);
    state
        .store
        .create_upload(upload.clone())
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    let row = UploadRow::fresh(&upload);
    let with_body = header_str(&headers, header::CONTENT_TYPE.as_str()) == Some(OFFSET_TYPE);
    let offset = if with_body || length == 0 {
        receive(&state, &row, 0, &headers, body, locale).await?
    } else {
        0
    };
    let mut response = StatusCode::CREATED.into_response();
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/uploads/{}", upload.id)) {
        h.insert(header::LOCATION, v);
    }
    set_state(h, offset, &row);
    Ok(response)
}

fn set_state(h: &mut HeaderMap, offset: u64, row: &UploadRow) {
    h.insert("upload-offset", HeaderValue::from(offset));
    h.insert("upload-length", HeaderValue::from(row.length));
    let expires = std::time::UNIX_EPOCH
        + std::time::Duration::from_millis(u64::try_from(row.expires_at).unwrap_or(0));
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(expires)) {
        h.insert("upload-expires", v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn gone() -> Response {
    let mut response = StatusCode::NOT_FOUND.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Bytes an upload holds: all of them once it was cleaned.
async fn held(state: &AppState, row: &UploadRow) -> Result<u64, StoreError> {
    if row.blob.is_some() {
        return Ok(u64::try_from(row.length).unwrap_or(0));
    }
    state.files.blobs.received(&row.id).await
}

/// An upload that has not expired, and the bytes it holds.
async fn found(state: &AppState, id: &str) -> Result<Option<(UploadRow, u64)>, Response> {
    let Some(row) = state
        .store
        .upload(id, now_ms())
        .await
        .map_err(|e| ApiError::from(e).into_response())?
    else {
        return Ok(None);
    };
    let offset = held(state, &row)
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    Ok(Some((row, offset)))
}

/// `HEAD`: how many bytes the server holds.
pub async fn head(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    check_version(&headers)?;
    let Some((row, offset)) = found(&state, &id).await? else {
        return Ok(gone());
    };
    let mut response = StatusCode::OK.into_response();
    set_state(response.headers_mut(), offset, &row);
    Ok(response)
}

/// `PATCH`: more bytes, from `Upload-Offset`.
pub async fn patch(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, Response> {
    check_version(&headers)?;
    let locale = locale_of(&headers);
    if header_str(&headers, header::CONTENT_TYPE.as_str()) != Some(OFFSET_TYPE) {
        return Err(refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("Send the bytes as `{OFFSET_TYPE}`."),
        )
        .into_response());
    }
    let claimed: u64 = header_str(&headers, "upload-offset")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            bad_request(
                "offset_required",
                "Send `Upload-Offset` as a whole number of bytes.",
            )
            .into_response()
        })?;
    let Some((row, offset)) = found(&state, &id).await? else {
        return Ok(gone());
    };
    if claimed != offset {
        let mut response = refused(
            StatusCode::CONFLICT,
            "offset_mismatch",
            format!("The server holds {offset} bytes of this upload; continue from there."),
        )
        .into_response();
        response
            .headers_mut()
            .insert("upload-offset", HeaderValue::from(offset));
        return Err(response);
    }
    let offset = if row.blob.is_some() {
        offset
    } else {
        receive(&state, &row, offset, &headers, body, locale).await?
    };
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_state(response.headers_mut(), offset, &row);
    Ok(response)
}

/// `DELETE`: the client gives the upload up; its bytes go.
pub async fn terminate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Response> {
    check_version(&headers)?;
    let found = state
        .files
        .forget_upload(state.store.as_ref(), &id)
        .await
        .map_err(|e| ApiError::from(e).into_response())?;
    Ok(if found {
        StatusCode::NO_CONTENT.into_response()
    } else {
        gone()
    })
}

/// A checksum the client sent for this request's bytes.
enum Checksum {
    Sha1(sha1::Sha1, Vec<u8>),
    Sha256(sha2::Sha256, Vec<u8>),
}

impl Checksum {
    fn of(headers: &HeaderMap) -> Result<Option<Checksum>, ApiError> {
        let Some(value) = header_str(headers, "upload-checksum") else {
            return Ok(None);
        };
        let mut parts = value.splitn(2, ' ');
        let algorithm = parts.next().unwrap_or_default();
        let expected = base64::engine::general_purpose::STANDARD
            .decode(parts.next().unwrap_or_default().trim())
            .map_err(|_| bad_request("checksum_malformed", "`Upload-Checksum` is not base64."))?;
        match algorithm {
            "sha1" => Ok(Some(Checksum::Sha1(sha1::Sha1::new(), expected))),
            "sha256" => Ok(Some(Checksum::Sha256(sha2::Sha256::new(), expected))),
            _ => Err(bad_request(
                "checksum_algorithm",
                "`Upload-Checksum` takes sha1 or sha256.",
            )),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Checksum::Sha1(h, _) => h.update(bytes),
            Checksum::Sha256(h, _) => h.update(bytes),
        }
    }

    fn matches(self) -> bool {
        match self {
            Checksum::Sha1(h, expected) => h.finalize()[..] == expected[..],
            Checksum::Sha256(h, expected) => h.finalize()[..] == expected[..],
        }
    }
}

/// Streams a request body into the upload from `offset`; the bytes held
/// afterwards. The last byte cleans the file.
async fn receive(
    state: &AppState,
    row: &UploadRow,
    start: u64,
    headers: &HeaderMap,
    body: Body,
    locale: Locale,
) -> Result<u64, Response> {
    // On a task of its own: when the client goes away, the server may drop
    // the request, but the bytes that came are still written.
    let (state, row, headers) = (state.clone(), row.clone(), headers.clone());
    tokio::spawn(async move { receive_all(&state, &row, start, &headers, body, locale).await })
        .await
        .unwrap_or_else(|e| {
            Err(ApiError::internal(format!("receiving stopped: {e}")).into_response())
        })
}

async fn receive_all(
    state: &AppState,
    row: &UploadRow,
    start: u64,
    headers: &HeaderMap,
    body: Body,
    locale: Locale,
) -> Result<u64, Response> {
    let length = u64::try_from(row.length).unwrap_or(0);
    let mut checksum = Checksum::of(headers).map_err(IntoResponse::into_response)?;
    let blobs = &state.files.blobs;
    let mut stream = body.into_data_stream();
    let mut offset = start;
    let mut pending: Vec<u8> =
        Vec::with_capacity(CHUNK.min(usize::try_from(length).unwrap_or(CHUNK)));
    let mut interrupted = false;
    let mut overflow = false;
    loop {
        match tokio::time::timeout(IDLE, stream.next()).await {
            Ok(Some(Ok(bytes))) => {
                let room = length.saturating_sub(offset + pending.len() as u64);
                let take = bytes.len().min(usize::try_from(room).unwrap_or(usize::MAX));
                if take < bytes.len() {
                    overflow = true;
                }
                if let Some(c) = checksum.as_mut() {
                    c.update(&bytes[..take]);
                }
                pending.extend_from_slice(&bytes[..take]);
                if pending.len() >= CHUNK || overflow {
                    write(blobs.as_ref(), &row.id, &mut offset, &mut pending).await?;
                }
                if overflow {
                    break;
                }
            }
            Ok(None) => break,
            // The client went away or stopped sending: keep what came.
            Ok(Some(Err(_))) | Err(_) => {
                interrupted = true;
                break;
            }
        }
    }
    write(blobs.as_ref(), &row.id, &mut offset, &mut pending).await?;
    if let Some(c) = checksum {
        // A request whose bytes cannot be vouched for is taken back whole.
        if interrupted || !c.matches() {
            blobs
                .truncate(&row.id, start)
                .await
                .map_err(|e| ApiError::from(e).into_response())?;
            if !interrupted {
                let mut response = refused(
                    StatusCode::from_u16(460).unwrap_or(StatusCode::BAD_REQUEST),
                    "checksum_mismatch",
                    "The bytes do not match `Upload-Checksum`; send them again.".to_owned(),
                )
                .into_response();
                response
                    .headers_mut()
                    .insert("upload-offset", HeaderValue::from(start));
                return Err(response);
            }
            return Ok(start);
        }
    }
    if overflow {
        return Err(bad_request(
            "too_many_bytes",
            "The body goes past `Upload-Length`; the bytes up to it were kept.",
        )
        .into_response());
    }
    if offset == length && !interrupted {
        match state.files.finish(state.store.as_ref(), row).await {
            Ok(()) => {}
            Err(Finished::Refused(refusal)) => {
                return Err(refusal_error(refusal, &row.filename, locale).into_response());
            }
            Err(Finished::Store(e)) => return Err(ApiError::from(e).into_response()),
        }
    }
    Ok(offset)
}

async fn write(
    blobs: &dyn crate::attachments::Blobs,
    id: &str,
    offset: &mut u64,
    pending: &mut Vec<u8>,
) -> Result<(), Response> {
    if pending.is_empty() {
        return Ok(());
    }
    match blobs.append(id, *offset, pending).await {
        Ok(()) => {
            *offset += pending.len() as u64;
            pending.clear();
            Ok(())
        }
        // Another request for the same upload wrote first.
        Err(StoreError::Corrupt(_)) => Err(refused(
            StatusCode::CONFLICT,
            "offset_mismatch",
            "Another request is writing this upload; ask for its offset and continue.".to_owned(),
        )
        .into_response()),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_comes_from_the_metadata_and_is_made_safe() {
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let meta = format!(
            "filetype {},filename {}",
            b64("image/jpeg"),
            b64("jalan rusak.jpg")
        );
        assert_eq!(filename_of(Some(&meta)), "jalan rusak.jpg");
        let meta = format!("name {}", b64("C:\\Users\\x\\kuitansi.pdf"));
        assert_eq!(filename_of(Some(&meta)), "kuitansi.pdf");
        let meta = format!("filename {}", b64("a\u{202e}gpj.exe<script>\n"));
        assert_eq!(filename_of(Some(&meta)), "agpj.exescript");
        assert_eq!(filename_of(Some("filename !!!notbase64")), "file");
        assert_eq!(filename_of(None), "file");
        assert_eq!(clean_name("../.."), "file");
        assert_eq!(clean_name(&"x".repeat(300)).len(), 100);
    }
}
