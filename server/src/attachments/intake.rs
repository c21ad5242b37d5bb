//! Files posted in a plain multipart form (the no-script hosted form, an
//! officer's console page): each goes through the same storage and the
//! same cleaning as a tus upload, and comes out as an upload id to attach.

use aduan_app::api::Locale;
use aduan_app::words::Word;
use axum::extract::Multipart;
use axum::http::StatusCode;

use super::{Finished, NewUpload, UploadRow, refusal_error, refused, too_large};
use crate::error::ApiError;
use crate::state::{AppState, now_ms};

/// Longest text field read from a multipart form.
const TEXT_MAX: usize = 64 * 1024;

/// A multipart form: its text fields, and its files as cleaned uploads.
#[derive(Debug, Default)]
pub struct FormFiles {
    pub texts: Vec<(String, String)>,
    /// The upload ids of its files, in order.
    pub uploads: Vec<String>,
    /// Their names, in the same order.
    pub names: Vec<String>,
    /// The SHA-256 of each file as sent, in the same order (to tell a
    /// retried form from another).
    pub digests: Vec<String>,
    /// Why a file was refused (the rest of the form was still read).
    pub refused: Option<ApiError>,
}

impl FormFiles {
    /// A text field (the first of its name), or `""`.
    pub fn text(&self, name: &str) -> &str {
        self.texts
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of a field that may repeat.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.texts
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The text fields as one JSON object of strings (the last of a name wins).
    pub fn json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.texts
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        )
    }

    /// Forgets the uploads (the form was refused).
    pub async fn discard(&self, state: &AppState) {
        for id in &self.uploads {
            if let Err(e) = state.files.forget_upload(state.store.as_ref(), id).await {
                tracing::warn!(error = %e, "a refused form's upload stays until it expires");
            }
        }
    }
}

fn malformed(locale: Locale) -> ApiError {
    refused(
        StatusCode::BAD_REQUEST,
        "malformed_form",
        Word::FormUnreadable.text(locale).to_owned(),
    )
}

/// Reads a multipart form; every file field with a file becomes a cleaned
/// upload. A refused file is named in `refused` and the files after it are
/// skipped; the text fields are all read, so the form can be shown again.
/// A form that cannot be read at all is refused, and what was taken is
/// forgotten.
pub async fn read_form(
    state: &AppState,
    mut multipart: Multipart,
    locale: Locale,
) -> Result<FormFiles, ApiError> {
    let mut form = FormFiles::default();
    let settings = state.files.settings;
    let mut total: u64 = 0;
    let result: Result<(), ApiError> = async {
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(|_| malformed(locale))?
        {
            let name = field.name().unwrap_or_default().to_owned();
            let Some(filename) = field.file_name().map(crate::routes::uploads::clean_name) else {
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|_| malformed(locale))? {
                    text.extend_from_slice(&chunk);
                    if text.len() > TEXT_MAX {
                        return Err(malformed(locale));
                    }
                }
                let text = String::from_utf8(text).map_err(|_| malformed(locale))?;
                form.texts.push((name, text));
                continue;
            };
            let mut bytes = Vec::new();
            let mut oversize = false;
            while let Some(chunk) = field.chunk().await.map_err(|_| malformed(locale))? {
                if !oversize && form.refused.is_none() {
                    bytes.extend_from_slice(&chunk);
                }
                if bytes.len() as u64 > settings.max_file_bytes {
                    oversize = true;
                    bytes = Vec::new();
                }
            }
            if form.refused.is_some() {
                continue;
            }
            if oversize {
                form.refused = Some(too_large(&filename, settings.max_file_bytes, locale));
                continue;
            }
            // A file input left empty sends a part with no name and no bytes.
            if bytes.is_empty() {
                continue;
            }
            if form.uploads.len() >= settings.max_files {
                form.refused = Some(refused(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "too_many_files",
                    Word::TooManyFiles.fill(locale, &[("n", &settings.max_files.to_string())]),
                ));
                continue;
            }
            total += bytes.len() as u64;
            if total > settings.max_total_bytes {
                form.refused = Some(too_large(&filename, settings.max_total_bytes, locale));
                continue;
            }
            match take(state, &filename, &bytes, locale).await {
                Ok(id) => {
                    form.uploads.push(id);
                    form.names.push(filename);
                    form.digests.push(super::hash(&bytes));
                }
                Err(e) if e.status.is_client_error() => form.refused = Some(e),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Ok(form),
        Err(e) => {
            form.discard(state).await;
            Err(e)
        }
    }
}

/// One file, stored and cleaned as a tus upload would be; its upload id.
pub async fn take(
    state: &AppState,
    filename: &str,
    bytes: &[u8],
    locale: Locale,
) -> Result<String, ApiError> {
    let now = now_ms();
    let upload = NewUpload::new(
        bytes.len() as u64,
        filename,
        now,
        state.files.settings.expiry_ms,
    );
    state.store.create_upload(upload.clone()).await?;
    state.files.blobs.append(&upload.id, 0, bytes).await?;
    let row = UploadRow::fresh(&upload);
    match state.files.finish(state.store.as_ref(), &row).await {
        Ok(()) => Ok(upload.id),
        Err(Finished::Refused(refusal)) => Err(refusal_error(refusal, filename, locale)),
        Err(Finished::Store(e)) => Err(e.into()),
    }
}
