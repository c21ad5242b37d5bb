//! Where the bytes of uploads and attachments live, behind one trait:
//! [`Folder`] beside the SQLite database for the embedded default, and
//! [`Database`] inside PostgreSQL, so that every server process shares them
//! and a database backup includes them.
//!
//! Uploads in progress are kept by upload id; cleaned files by the SHA-256
//! of their bytes (content-addressed: the same photo twice is stored once).

use std::path::{Path, PathBuf};

use sqlx::PgPool;
use tokio::io::AsyncWriteExt;

use crate::store::StoreError;

/// The bytes behind uploads and attachments.
#[async_trait::async_trait]
pub trait Blobs: Send + Sync + std::fmt::Debug {
    /// Bytes held of an upload in progress (0 when none).
    async fn received(&self, upload: &str) -> Result<u64, StoreError>;

    /// Appends `bytes` to an upload in progress that holds `at` bytes now.
    async fn append(&self, upload: &str, at: u64, bytes: &[u8]) -> Result<(), StoreError>;

    /// Cuts an upload in progress back to `len` bytes (a chunk whose
    /// checksum did not match).
    async fn truncate(&self, upload: &str, len: u64) -> Result<(), StoreError>;

    /// Everything an upload in progress holds.
    async fn read_upload(&self, upload: &str) -> Result<Vec<u8>, StoreError>;

    /// Forgets an upload in progress.
    async fn drop_upload(&self, upload: &str) -> Result<(), StoreError>;

    /// Stores a cleaned file under its hash (again, if it is there).
    async fn put(&self, hash: &str, bytes: &[u8]) -> Result<(), StoreError>;

    /// A cleaned file's bytes.
    async fn get(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError>;

    /// Removes a cleaned file's bytes.
    async fn delete(&self, hash: &str) -> Result<(), StoreError>;
}

/// Hex digits only: what an id or a hash may be before it names a file.
fn safe(name: &str) -> Result<&str, StoreError> {
    if !name.is_empty() && name.len() <= 64 && name.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(name)
    } else {
        Err(StoreError::Corrupt(format!("not a blob name: {name:?}")))
    }
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Unavailable(format!("attachment storage: {e}"))
}

/// Files in a folder: `uploads/<id>` while they arrive, `files/<ab>/<hash>`
/// once cleaned.
#[derive(Debug, Clone)]
pub struct Folder {
    root: PathBuf,
    /// One writer per upload at a time (SQLite serves from one process):
    /// the length check and the write are one step.
    writing: std::sync::Arc<
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    >,
}

impl Folder {
    /// Opens (creating) the folder.
    pub fn open(root: &Path) -> Result<Folder, StoreError> {
        for sub in ["uploads", "files"] {
            std::fs::create_dir_all(root.join(sub)).map_err(|e| {
                StoreError::Unavailable(format!(
                    "cannot create the attachment folder {}: {e}",
                    root.join(sub).display()
                ))
            })?;
        }
        Ok(Folder {
            root: root.to_owned(),
            writing: std::sync::Arc::default(),
        })
    }

    /// The lock of one upload's file (dropped from the map when unused).
    fn lock_of(&self, upload: &str) -> std::sync::Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .writing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, lock| std::sync::Arc::strong_count(lock) > 1);
        map.entry(upload.to_owned()).or_default().clone()
    }

    fn upload_path(&self, upload: &str) -> Result<PathBuf, StoreError> {
        Ok(self.root.join("uploads").join(safe(upload)?))
    }

    fn file_path(&self, hash: &str) -> Result<PathBuf, StoreError> {
        let hash = safe(hash)?;
        Ok(self.root.join("files").join(&hash[..2]).join(hash))
    }
}

#[async_trait::async_trait]
impl Blobs for Folder {
    async fn received(&self, upload: &str) -> Result<u64, StoreError> {
        match tokio::fs::metadata(self.upload_path(upload)?).await {
            Ok(m) => Ok(m.len()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(e) => Err(io(e)),
        }
    }

    async fn append(&self, upload: &str, at: u64, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.upload_path(upload)?;
        let lock = self.lock_of(upload);
        let _writing = lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .await
            .map_err(io)?;
        let len = file.metadata().await.map_err(io)?.len();
        if len != at {
            return Err(StoreError::Corrupt(format!(
                "upload holds {len} bytes, not {at}"
            )));
        }
        file.write_all(bytes).await.map_err(io)?;
        file.sync_data().await.map_err(io)?;
        Ok(())
    }

    async fn truncate(&self, upload: &str, len: u64) -> Result<(), StoreError> {
        let lock = self.lock_of(upload);
        let _writing = lock.lock().await;
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .open(self.upload_path(upload)?)
            .await
            .map_err(io)?;
        file.set_len(len).await.map_err(io)?;
        file.sync_data().await.map_err(io)
    }

    async fn read_upload(&self, upload: &str) -> Result<Vec<u8>, StoreError> {
        match tokio::fs::read(self.upload_path(upload)?).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io(e)),
        }
    }

    async fn drop_upload(&self, upload: &str) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.upload_path(upload)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }

    async fn put(&self, hash: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.file_path(hash)?;
        let dir = path.parent().unwrap_or(&self.root).to_owned();
        tokio::fs::create_dir_all(&dir).await.map_err(io)?;
        // Written beside, then renamed: a reader never sees half a file.
        let partial = dir.join(format!(
            "{}.{:08x}.part",
            safe(hash)?,
            rand::random::<u32>()
        ));
        let mut file = tokio::fs::File::create(&partial).await.map_err(io)?;
        file.write_all(bytes).await.map_err(io)?;
        file.sync_all().await.map_err(io)?;
        drop(file);
        tokio::fs::rename(&partial, &path).await.map_err(io)
    }

    async fn get(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match tokio::fs::read(self.file_path(hash)?).await {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    async fn delete(&self, hash: &str) -> Result<(), StoreError> {
        match tokio::fs::remove_file(self.file_path(hash)?).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
            _ => Ok(()),
        }
    }
}

/// Rows in PostgreSQL: `upload_parts` while an upload arrives (one row per
/// chunk), `blobs` once cleaned.
#[derive(Debug, Clone)]
pub struct Database {
    pool: PgPool,
}

impl Database {
    pub fn new(pool: PgPool) -> Database {
        Database { pool }
    }
}

#[async_trait::async_trait]
impl Blobs for Database {
    async fn received(&self, upload: &str) -> Result<u64, StoreError> {
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(at + octet_length(bytes))::BIGINT FROM upload_parts WHERE upload_id = $1",
        )
        .bind(upload)
        .fetch_one(&self.pool)
        .await?;
        Ok(held.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    async fn append(&self, upload: &str, at: u64, bytes: &[u8]) -> Result<(), StoreError> {
        let at = i64::try_from(at).map_err(|_| StoreError::Corrupt("offset".into()))?;
        // The key (upload, offset) refuses a second chunk at the same place;
        // the check refuses a gap or an overlap.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(upload)
            .execute(&mut *tx)
            .await?;
        let held: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(at + octet_length(bytes))::BIGINT FROM upload_parts WHERE upload_id = $1",
        )
        .bind(upload)
        .fetch_one(&mut *tx)
        .await?;
        if held.unwrap_or(0) != at {
            return Err(StoreError::Corrupt(format!(
                "upload holds {} bytes, not {at}",
                held.unwrap_or(0)
            )));
        }
        sqlx::query("INSERT INTO upload_parts (upload_id, at, bytes) VALUES ($1, $2, $3)")
            .bind(upload)
            .bind(at)
            .bind(bytes)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn truncate(&self, upload: &str, len: u64) -> Result<(), StoreError> {
        // Chunks are appended whole and cut back only to a chunk's start.
        let len = i64::try_from(len).map_err(|_| StoreError::Corrupt("offset".into()))?;
        sqlx::query("DELETE FROM upload_parts WHERE upload_id = $1 AND at >= $2")
            .bind(upload)
            .bind(len)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn read_upload(&self, upload: &str) -> Result<Vec<u8>, StoreError> {
        let parts: Vec<Vec<u8>> =
            sqlx::query_scalar("SELECT bytes FROM upload_parts WHERE upload_id = $1 ORDER BY at")
                .bind(upload)
                .fetch_all(&self.pool)
                .await?;
        Ok(parts.concat())
    }

    async fn drop_upload(&self, upload: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM upload_parts WHERE upload_id = $1")
            .bind(upload)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn put(&self, hash: &str, bytes: &[u8]) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO blobs (hash, bytes, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (hash) DO UPDATE SET created_at = excluded.created_at",
        )
        .bind(hash)
        .bind(bytes)
        .bind(crate::state::now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get(&self, hash: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT bytes FROM blobs WHERE hash = $1")
                .bind(hash)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn delete(&self, hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM blobs WHERE hash = $1")
            .bind(hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
