//! Photos and documents: uploads (over tus, see `routes::uploads`), the
//! cleaning pipeline ([`clean`]), where the bytes live ([`storage`]), and
//! the rules of attaching, showing and forgetting them.
//!
//! An upload is a capability: its id (128 random bits) lets whoever holds
//! it add bytes and attach it, nothing more. Once attached, a file belongs
//! to the complaint and is reachable only through the complaint's own
//! scope: the tracking code, an officer's session, a public id for public
//! outlets (when the disclosure policy allows), or a short-lived signed link.

pub mod clean;
pub mod intake;
pub mod storage;

use std::sync::Arc;

use aduan_app::api::Locale;
use aduan_app::words::Word;
use axum::http::StatusCode;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::store::{Store, StoreError};
pub use clean::{Kind, Refusal};
pub use storage::Blobs;

/// Which message a file belongs to; the disclosure policy decides by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// Filed with the complaint.
    Complaint,
    /// With a reporter's reply.
    ReporterReply,
    /// With an officer's public reply.
    OfficerReply,
    /// With an officer's internal note.
    InternalNote,
}

impl Part {
    pub fn key(self) -> &'static str {
        match self {
            Part::Complaint => "complaint",
            Part::ReporterReply => "reporter_reply",
            Part::OfficerReply => "officer_reply",
            Part::InternalNote => "internal_note",
        }
    }

    pub fn from_key(key: &str) -> Option<Part> {
        [
            Part::Complaint,
            Part::ReporterReply,
            Part::OfficerReply,
            Part::InternalNote,
        ]
        .into_iter()
        .find(|p| p.key() == key)
    }
}

/// An upload to create.
#[derive(Debug, Clone)]
pub struct NewUpload {
    pub id: String,
    pub length: i64,
    pub filename: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// An upload as stored: arriving, or cleaned and waiting to be attached.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct UploadRow {
    pub id: String,
    pub length: i64,
    pub filename: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub blob: Option<String>,
    pub thumb: Option<String>,
    pub kind: Option<String>,
    pub size: Option<i64>,
    pub width: Option<i32>,
    pub height: Option<i32>,
}

impl NewUpload {
    /// An upload of `length` bytes named `filename`, with a fresh id (128
    /// random bits), waiting `expiry_ms` to be attached.
    pub fn new(length: u64, filename: &str, now_ms: i64, expiry_ms: i64) -> NewUpload {
        NewUpload {
            id: format!("{:032x}", rand::random::<u128>()),
            length: i64::try_from(length).unwrap_or(i64::MAX),
            filename: filename.to_owned(),
            created_at: now_ms,
            expires_at: now_ms + expiry_ms,
        }
    }
}

impl UploadRow {
    /// An upload just created: nothing received, nothing cleaned yet.
    pub fn fresh(upload: &NewUpload) -> UploadRow {
        UploadRow {
            id: upload.id.clone(),
            length: upload.length,
            filename: upload.filename.clone(),
            created_at: upload.created_at,
            expires_at: upload.expires_at,
            blob: None,
            thumb: None,
            kind: None,
            size: None,
            width: None,
            height: None,
        }
    }
}

/// Uploads to attach to one message of a complaint.
#[derive(Debug, Clone)]
pub struct Attaching {
    pub complaint_id: i64,
    pub uploads: Vec<String>,
    pub part: Part,
    pub at_ms: i64,
}

/// How attaching ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AttachOutcome {
    /// Attached (this many new; a retry attaches none again).
    Attached(usize),
    /// No upload has this id (or it expired).
    Missing(String),
    /// This file has not arrived whole yet.
    Unfinished(String),
}

/// A file attached to a complaint.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: String,
    pub complaint_id: i64,
    /// The upload it came from (a retry naming it again attaches nothing).
    pub upload_id: String,
    pub part: String,
    pub hidden: bool,
    pub blob: String,
    pub thumb: Option<String>,
    pub kind: String,
    pub filename: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub created_at: i64,
}

impl AttachmentRow {
    pub fn part(&self) -> Part {
        // The schema allows only the four keys; an unknown one is treated
        // as the most private.
        Part::from_key(&self.part).unwrap_or(Part::InternalNote)
    }

    pub fn kind(&self) -> Kind {
        Kind::from_key(&self.kind).unwrap_or(Kind::Pdf)
    }

    /// The name `audience` is shown. A reporter's file name can name them
    /// (`Letter_Budi_Santoso.pdf`) or date them (`IMG_20260301_0715.jpg`):
    /// only the reporter sees it; everyone else sees a name made here.
    /// An officer's own files keep theirs.
    pub fn name_for(&self, audience: crate::disclosure::Audience) -> String {
        let reporters = matches!(self.part(), Part::Complaint | Part::ReporterReply);
        if !reporters || audience == crate::disclosure::Audience::Reporter {
            return self.filename.clone();
        }
        let kind = self.kind();
        let word = if kind.is_photo() { "foto" } else { "dokumen" };
        format!(
            "{word}-{}.{}",
            &self.id[..self.id.len().min(6)],
            kind.extension()
        )
    }

    /// Whether `audience` may see it, on a complaint of `privacy`.
    pub fn visible_to(
        &self,
        audience: crate::disclosure::Audience,
        privacy: aduan_app::api::Privacy,
    ) -> bool {
        crate::disclosure::may_see_attachment(audience, privacy, self.part(), self.hidden)
    }
}

/// What the scope rules need of an attachment's complaint.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AttachmentOwner {
    pub tracking_code: String,
    pub public_id: String,
    pub region_slug: String,
    pub unit_key: String,
    pub anonymous: bool,
    pub confidential: bool,
    pub status: String,
}

impl AttachmentOwner {
    pub fn privacy(&self) -> aduan_app::api::Privacy {
        aduan_app::api::Privacy::of(self.anonymous, self.confidential)
    }
}

/// The limits of attachments (settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Largest file accepted, before cleaning.
    pub max_file_bytes: u64,
    /// Files one message may carry.
    pub max_files: usize,
    /// Bytes (before cleaning) one message's files may add up to.
    pub max_total_bytes: u64,
    /// How long an upload waits to be attached.
    pub expiry_ms: i64,
    /// How long a signed download link works.
    pub link_ms: i64,
    pub clean: clean::Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_file_bytes: 10 * 1024 * 1024,
            max_files: 5,
            max_total_bytes: 20 * 1024 * 1024,
            expiry_ms: 24 * 3_600_000,
            link_ms: 72 * 3_600_000,
            clean: clean::Limits::default(),
        }
    }
}

/// Uploads and attachments, as handlers use them.
#[derive(Debug, Clone)]
pub struct Files {
    pub blobs: Arc<dyn Blobs>,
    pub settings: Settings,
    /// Files cleaned at once (decoding a photo takes memory and a core).
    cleaning: Arc<tokio::sync::Semaphore>,
    /// Signs download links; shared by every process through the database.
    link_key: Arc<[u8]>,
}

/// The name of the link-signing key in `service_keys`.
const LINK_KEY: &str = "attachment_links";

impl Files {
    /// Reads (making it the first time) the shared link key.
    pub async fn open(
        store: &dyn Store,
        blobs: Arc<dyn Blobs>,
        settings: Settings,
    ) -> Result<Files, StoreError> {
        let key = store
            .service_key(LINK_KEY, &crate::auth::random_token())
            .await?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Files {
            blobs,
            settings,
            cleaning: Arc::new(tokio::sync::Semaphore::new(cores.clamp(1, 4))),
            link_key: Arc::from(key.into_bytes()),
        })
    }

    /// Cleans an upload whose last byte arrived and records what it became.
    /// A refused file is forgotten, bytes and row.
    pub async fn finish(&self, store: &dyn Store, upload: &UploadRow) -> Result<(), Finished> {
        // A few files at a time, read and decoded: memory stays the same
        // however many arrive at once and however large they are.
        // The slot goes with the decoding itself: a request that is dropped
        // does not free it while the photo is still being decoded.
        let permit = self
            .cleaning
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Unavailable("shutting down".into()))?;
        let bytes = self.blobs.read_upload(&upload.id).await?;
        let limits = self.settings.clean;
        let cleaned = tokio::task::spawn_blocking(move || {
            let cleaned = clean::clean(&bytes, &limits);
            drop(permit);
            cleaned
        })
        .await
        .map_err(|e| StoreError::Unavailable(format!("cleaning stopped: {e}")))?;
        let cleaned = match cleaned {
            Ok(cleaned) => cleaned,
            Err(refusal) => {
                self.forget_upload(store, &upload.id).await?;
                return Err(Finished::Refused(refusal));
            }
        };
        let blob = hash(&cleaned.bytes);
        self.blobs.put(&blob, &cleaned.bytes).await?;
        let thumb = match &cleaned.thumb {
            Some(bytes) => {
                let h = hash(bytes);
                self.blobs.put(&h, bytes).await?;
                Some(h)
            }
            None => None,
        };
        let done = UploadRow {
            blob: Some(blob),
            thumb,
            kind: Some(cleaned.kind.key().to_owned()),
            size: Some(i64::try_from(cleaned.bytes.len()).unwrap_or(i64::MAX)),
            width: cleaned.width.and_then(|w| i32::try_from(w).ok()),
            height: cleaned.height.and_then(|h| i32::try_from(h).ok()),
            ..upload.clone()
        };
        let hashes: Vec<String> = done.blob.iter().chain(done.thumb.iter()).cloned().collect();
        let kept = store.finish_upload(&upload.id, done).await?;
        self.blobs.drop_upload(&upload.id).await?;
        if !kept {
            // Given up while it was being cleaned: its bytes go too.
            self.collect(store, hashes.iter()).await?;
            return Err(Finished::Store(StoreError::Corrupt(
                "the upload was given up".into(),
            )));
        }
        Ok(())
    }

    /// Forgets an upload: its row, its bytes in progress, and its cleaned
    /// bytes unless something else names them.
    pub async fn forget_upload(&self, store: &dyn Store, id: &str) -> Result<bool, StoreError> {
        let row = store.delete_upload(id).await?;
        self.blobs.drop_upload(id).await?;
        if let Some(row) = &row {
            self.collect(store, row.blob.iter().chain(row.thumb.iter()))
                .await?;
        }
        Ok(row.is_some())
    }

    /// Removes the bytes of these hashes that nothing names any more.
    pub async fn collect<'a>(
        &self,
        store: &dyn Store,
        hashes: impl Iterator<Item = &'a String>,
    ) -> Result<usize, StoreError> {
        let mut removed = 0;
        for hash in hashes {
            if !store.blob_in_use(hash).await? {
                self.blobs.delete(hash).await?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Forgets uploads never attached, and attachments the retention
    /// settings keep no longer (`before`: complaints that ended before it);
    /// how many of each.
    pub async fn sweep(
        &self,
        store: &dyn Store,
        now_ms: i64,
        attachments_before: i64,
    ) -> Result<(usize, usize), StoreError> {
        let expired = store.take_expired_uploads(now_ms, 500).await?;
        for row in &expired {
            self.blobs.drop_upload(&row.id).await?;
            self.collect(store, row.blob.iter().chain(row.thumb.iter()))
                .await?;
        }
        let hashes = store.purge_attachments(attachments_before, 1000).await?;
        self.collect(store, hashes.iter()).await?;
        Ok((expired.len(), hashes.len()))
    }

    /// Checks the uploads a message names before anything is written: how
    /// many, that each arrived whole and was cleaned, and their total size.
    pub async fn check(
        &self,
        store: &dyn Store,
        uploads: &[String],
        attached_to: Option<i64>,
        locale: Locale,
    ) -> Result<(), ApiError> {
        // A retry names uploads attached to this complaint by the first try.
        let earlier: Vec<String> = match attached_to {
            Some(id) if !uploads.is_empty() => store
                .attachments(id)
                .await
                .map_err(ApiError::from)?
                .into_iter()
                .map(|a| a.upload_id)
                .collect(),
            _ => Vec::new(),
        };
        if uploads.len() > self.settings.max_files {
            return Err(refused_files(
                StatusCode::UNPROCESSABLE_ENTITY,
                "too_many_files",
                Word::TooManyFiles.fill(locale, &[("n", &self.settings.max_files.to_string())]),
            ));
        }
        let mut total: u64 = 0;
        for (i, id) in uploads.iter().enumerate() {
            if uploads[..i].contains(id) || earlier.contains(id) {
                continue;
            }
            let row = store
                .upload(id, crate::state::now_ms())
                .await
                .map_err(ApiError::from)?;
            let Some(row) = row else {
                return Err(refused_files(
                    StatusCode::CONFLICT,
                    "upload_not_found",
                    Word::UploadGone.text(locale).to_owned(),
                ));
            };
            if row.blob.is_none() {
                return Err(refused_files(
                    StatusCode::CONFLICT,
                    "upload_unfinished",
                    Word::UploadUnfinished.fill(locale, &[("file", &row.filename)]),
                ));
            }
            total += u64::try_from(row.length).unwrap_or(0);
        }
        if total > self.settings.max_total_bytes {
            return Err(refused_files(
                StatusCode::PAYLOAD_TOO_LARGE,
                "attachments_too_large",
                Word::FilesTooLarge.fill(
                    locale,
                    &[
                        ("total", &megabytes(total)),
                        ("limit", &megabytes(self.settings.max_total_bytes)),
                    ],
                ),
            ));
        }
        Ok(())
    }

    /// Attaches checked uploads to one message of a complaint.
    pub async fn attach(
        &self,
        store: &dyn Store,
        complaint_id: i64,
        uploads: &[String],
        part: Part,
        locale: Locale,
    ) -> Result<(), ApiError> {
        if uploads.is_empty() {
            return Ok(());
        }
        let outcome = store
            .attach(Attaching {
                complaint_id,
                uploads: uploads.to_vec(),
                part,
                at_ms: crate::state::now_ms(),
            })
            .await
            .map_err(ApiError::from)?;
        match outcome {
            AttachOutcome::Attached(_) => Ok(()),
            AttachOutcome::Missing(_) | AttachOutcome::Unfinished(_) => {
                // Checked a moment ago; an expiry in between says the same.
                self.check(store, uploads, Some(complaint_id), locale)
                    .await?;
                Err(ApiError::internal("an upload vanished while attaching"))
            }
        }
    }

    /// A download link for `attachment`, for `audience` (`webhook` or
    /// `lapor`), that works until `expires_ms` without any other credential.
    pub fn signed_path(&self, audience: &str, attachment: &str, expires_ms: i64) -> String {
        format!(
            "/api/v1/files/{attachment}?aud={audience}&expires={expires_ms}&signature={}",
            self.signature(&format!("{audience}:{attachment}"), expires_ms)
        )
    }

    /// A link for an outlet that lives for the configured time.
    pub fn link(&self, public_url: &str, audience: &str, attachment: &str, now_ms: i64) -> String {
        format!(
            "{}{}",
            public_url.trim_end_matches('/'),
            self.signed_path(audience, attachment, now_ms + self.settings.link_ms)
        )
    }

    fn signature(&self, attachment: &str, expires_ms: i64) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.link_key).expect("HMAC takes a key of any length");
        mac.update(attachment.as_bytes());
        mac.update(b"\n");
        mac.update(expires_ms.to_string().as_bytes());
        hex(&mac.finalize().into_bytes())
    }

    /// True when the signature is this service's and has not expired.
    pub fn verify(&self, attachment: &str, expires_ms: i64, signature: &str, now_ms: i64) -> bool {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.link_key).expect("HMAC takes a key of any length");
        mac.update(attachment.as_bytes());
        mac.update(b"\n");
        mac.update(expires_ms.to_string().as_bytes());
        let Some(given) = unhex(signature) else {
            return false;
        };
        expires_ms > now_ms && mac.verify_slice(&given).is_ok()
    }
}

/// How finishing an upload ended badly.
#[derive(Debug)]
pub enum Finished {
    Refused(Refusal),
    Store(StoreError),
}

impl From<StoreError> for Finished {
    fn from(e: StoreError) -> Self {
        Finished::Store(e)
    }
}

/// The hex SHA-256 of `bytes`: a cleaned file's name.
pub fn hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// `12.3 MB`.
pub fn megabytes(bytes: u64) -> String {
    let tenths = (bytes * 10 + 524_288) / 1_048_576;
    format!("{}.{} MB", tenths / 10, tenths % 10)
}

/// A refusal with its own sentence.
pub fn refused(status: StatusCode, code: &'static str, text: String) -> ApiError {
    ApiError::new(status, code, aduan_app::i18n::Reason::ValidationFailed).saying(text)
}

/// A refusal of the files a message names, told beside the form's files.
fn refused_files(status: StatusCode, code: &'static str, text: String) -> ApiError {
    let mut e = refused(status, code, text.clone());
    e.fields.insert("attachments".to_owned(), text);
    e
}

/// Why a file was refused, naming it, in the citizen's language.
pub fn refusal_text(refusal: Refusal, filename: &str, locale: Locale) -> String {
    match refusal {
        Refusal::Unsupported => Word::FileUnsupported,
        Refusal::Polyglot => Word::FilePolyglot,
        Refusal::Unreadable => Word::FileUnreadable,
        Refusal::TooManyPixels => Word::FileTooManyPixels,
    }
    .fill(locale, &[("file", filename)])
}

/// The answer to a refused file: 415 for a type not taken, 422 otherwise.
pub fn refusal_error(refusal: Refusal, filename: &str, locale: Locale) -> ApiError {
    let status = match refusal {
        Refusal::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    refused(
        status,
        refusal.code(),
        refusal_text(refusal, filename, locale),
    )
}

/// The refusal of a file larger than the limit.
pub fn too_large(filename: &str, limit: u64, locale: Locale) -> ApiError {
    refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "file_too_large",
        Word::FileTooLarge.fill(locale, &[("file", filename), ("limit", &megabytes(limit))]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip_their_keys() {
        for part in [
            Part::Complaint,
            Part::ReporterReply,
            Part::OfficerReply,
            Part::InternalNote,
        ] {
            assert_eq!(Part::from_key(part.key()), Some(part));
        }
        assert_eq!(Part::from_key("note"), None);
    }

    #[test]
    fn only_the_reporter_sees_the_names_of_their_files() {
        use crate::disclosure::Audience;
        use crate::domain::lifecycle::Role;
        let mut row = AttachmentRow {
            id: "0123456789abcdef".into(),
            complaint_id: 1,
            upload_id: "0".repeat(32),
            part: "complaint".into(),
            hidden: false,
            blob: "b".repeat(64),
            thumb: None,
            kind: "pdf".into(),
            filename: "Surat_Budi_Santoso.pdf".into(),
            size: 10,
            width: None,
            height: None,
            created_at: 0,
        };
        assert_eq!(row.name_for(Audience::Reporter), "Surat_Budi_Santoso.pdf");
        for audience in [
            Audience::Officer(Role::Unit),
            Audience::Public,
            Audience::Lapor,
            Audience::Webhook,
        ] {
            assert_eq!(row.name_for(audience), "dokumen-012345.pdf", "{audience:?}");
        }
        row.kind = "jpeg".into();
        row.part = "reporter_reply".into();
        assert_eq!(row.name_for(Audience::Lapor), "foto-012345.jpg");
        row.part = "officer_reply".into();
        row.filename = "sesudah.jpg".into();
        assert_eq!(
            row.name_for(Audience::Public),
            "sesudah.jpg",
            "an officer's own name stays"
        );
    }

    #[test]
    fn sizes_read_as_megabytes() {
        assert_eq!(megabytes(10 * 1024 * 1024), "10.0 MB");
        assert_eq!(megabytes(1_572_864), "1.5 MB");
        assert_eq!(megabytes(0), "0.0 MB");
    }

    #[test]
    fn hex_round_trips_and_refuses_what_is_not_hex() {
        assert_eq!(unhex(&hex(&[0, 1, 254, 255])), Some(vec![0, 1, 254, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
        assert_eq!(hash(b"").len(), 64);
    }
}
