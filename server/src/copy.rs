//! Moving a deployment: `aduan backup` (a consistent copy of a SQLite
//! database while it serves, with its files) and `aduan copy` (a whole
//! SQLite deployment into an empty PostgreSQL database, verified table by
//! table).
//!
//! The copy reads the tables SQLite has, in an order where every row's
//! parents come first, and writes each into the table of the same name that
//! PostgreSQL's migrations made, typed by PostgreSQL's columns. Afterwards it
//! reads every table back from PostgreSQL and compares counts and an
//! order-free checksum (the sum of each row's SHA-256) with the source, then
//! moves the attachment files into the database and moves the identity
//! sequences past the copied ids.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, anyhow, bail};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{QueryBuilder, Row};

use crate::attachments::Blobs;
use crate::attachments::storage::{Database, Folder};
use crate::store::Store;
use crate::store::postgres::PostgresStore;

/// Tables the copy leaves behind: migration bookkeeping (each engine keeps
/// its own) and what a migration leaves half-way.
const NOT_COPIED: &[&str] = &["_sqlx_migrations", "officers_next"];

/// Rows written per statement.
const BATCH: usize = 200;

/// What one table held and whether the copy matches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    pub table: String,
    pub rows: u64,
    pub checksum: String,
}

/// What `aduan copy` moved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<TableReport>,
    /// Attachment files (photos, documents, their thumbnails) moved into
    /// the database, and their bytes.
    pub files: u64,
    pub file_bytes: u64,
    /// Unfinished uploads whose received bytes were moved.
    pub uploads: u64,
}

/// One value as both engines give it, for writing and for the checksum.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Bytes(Vec<u8>),
    Float(f64),
}

impl Value {
    /// Bytes that name the value unambiguously (type, length, content).
    fn feed(&self, hash: &mut impl sha2::digest::Update) {
        match self {
            Value::Null => hash.update(b"n"),
            Value::Int(n) => {
                hash.update(b"i");
                hash.update(&n.to_le_bytes());
            }
            Value::Bool(b) => hash.update(if *b { b"t" } else { b"f" }),
            Value::Text(t) => {
                hash.update(b"s");
                hash.update(&(t.len() as u64).to_le_bytes());
                hash.update(t.as_bytes());
            }
            Value::Bytes(b) => {
                hash.update(b"b");
                hash.update(&(b.len() as u64).to_le_bytes());
                hash.update(b);
            }
            Value::Float(f) => {
                hash.update(b"d");
                hash.update(&f.to_bits().to_le_bytes());
            }
        }
    }
}

/// How a PostgreSQL column's values are read and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Text,
    Bytes,
    Float,
}

impl Kind {
    fn of(data_type: &str) -> anyhow::Result<Kind> {
        Ok(match data_type {
            "bigint" | "integer" | "smallint" => Kind::Int,
            "boolean" => Kind::Bool,
            "text" | "character varying" | "character" => Kind::Text,
            "bytea" => Kind::Bytes,
            "double precision" | "real" => Kind::Float,
            other => bail!("the copy does not know how to move a `{other}` column"),
        })
    }
}

/// A table: its columns and their kinds, in SQLite's order.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<(String, Kind)>,
}

/// An order-free checksum of rows: the sum of each row's HMAC-SHA-256
/// under a key made for one run. Both sides of a copy are summed with the
/// same key; the printed sums mean nothing outside the run, so they cannot
/// be used to test a guess of what a row holds (a reporter's name, say).
#[derive(Debug)]
struct Checksum {
    key: [u8; 32],
    rows: u64,
    sum: u128,
}

impl Checksum {
    fn new(key: [u8; 32]) -> Checksum {
        Checksum {
            key,
            rows: 0,
            sum: 0,
        }
    }

    fn add(&mut self, row: &[Value]) {
        use hmac::Mac;
        let mut hash = hmac::Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC takes any key");
        for value in row {
            value.feed(&mut hash);
        }
        let digest = hash.finalize().into_bytes();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(first));
        self.rows += 1;
    }

    fn text(&self) -> String {
        format!("{:032x}", self.sum)
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The SQLite database and files folder `sqlite:PATH` names.
fn sqlite_path(from: &str) -> anyhow::Result<PathBuf> {
    let path = from
        .strip_prefix("sqlite://")
        .or_else(|| from.strip_prefix("sqlite:"))
        .ok_or_else(|| {
            anyhow!(
                "--from must be `sqlite:PATH`, not `{}`",
                crate::config::redacted_url(from)
            )
        })?;
    let path = PathBuf::from(path);
    if !path.is_file() {
        bail!("there is no SQLite database at {}", path.display());
    }
    Ok(path)
}

/// The folder beside a SQLite database where its files live by default.
pub fn files_beside(database: &Path) -> PathBuf {
    PathBuf::from(format!("{}-files", database.display()))
}

async fn open_source(path: &Path) -> anyhow::Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(path)
        .read_only(true);
    SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening {}", path.display()))
}

/// The migration versions a database has applied.
async fn versions_sqlite(pool: &SqlitePool) -> anyhow::Result<BTreeSet<i64>> {
    let rows: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(pool)
        .await
        .context("reading the source's migrations (is it an Aduan database?)")?;
    Ok(rows.into_iter().collect())
}

/// SQLite's tables, parents before children.
async fn source_tables(pool: &SqlitePool) -> anyhow::Result<Vec<String>> {
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    // The search indexes (FTS5 tables and the tables they keep) are not
    // data: PostgreSQL builds its own from the rows copied.
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
    )
    .fetch_all(pool)
    .await?;
    let names: Vec<String> = names
        .into_iter()
        .filter(|n| !NOT_COPIED.contains(&n.as_str()))
        .filter(|n| {
            !indexes.iter().any(|i| {
                n == i
                    || n.strip_prefix(i.as_str())
                        .is_some_and(|rest| rest.starts_with('_'))
            })
        })
        .collect();
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for name in &names {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "PRAGMA foreign_key_list({})",
            quoted(name)
        )))
        .fetch_all(pool)
        .await?;
        let set = parents.entry(name.clone()).or_default();
        for row in rows {
            let parent: String = row.try_get("table")?;
            if parent != *name {
                set.insert(parent);
            }
        }
    }
    let mut ordered = Vec::new();
    let mut placed = BTreeSet::new();
    while ordered.len() < names.len() {
        let ready: Vec<String> = names
            .iter()
            .filter(|n| !placed.contains(*n))
            .filter(|n| {
                parents[*n]
                    .iter()
                    .all(|p| placed.contains(p) || !names.contains(p))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            bail!("the source's tables refer to each other in a circle; cannot order the copy");
        }
        for name in ready {
            placed.insert(name.clone());
            ordered.push(name);
        }
    }
    Ok(ordered)
}

/// A table's columns as SQLite has them, typed as PostgreSQL has them.
async fn table(source: &SqlitePool, target: &PgPool, name: &str) -> anyhow::Result<Table> {
    let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
        "PRAGMA table_info({})",
        quoted(name)
    )))
    .fetch_all(source)
    .await?
    .into_iter()
    .map(|row| row.try_get::<String, _>("name"))
    .collect::<Result<_, _>>()?;
    let types: BTreeMap<String, String> = sqlx::query_as(
        "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(name)
    .fetch_all(target)
    .await?
    .into_iter()
    .collect();
    if types.is_empty() {
        bail!("PostgreSQL has no table `{name}`: is this Aduan's version on both sides?");
    }
    let mut typed = Vec::new();
    for column in columns {
        let data_type = types.get(&column).ok_or_else(|| {
            anyhow!("PostgreSQL's `{name}` has no column `{column}`: is this Aduan's version on both sides?")
        })?;
        typed.push((column, Kind::of(data_type)?));
    }
    Ok(Table {
        name: name.to_owned(),
        columns: typed,
    })
}

/// One column of a row as either engine gives it. `integer` columns of
/// PostgreSQL come back as `i32`, so an integer is tried both ways.
fn read<'r, R>(row: &'r R, i: usize, kind: Kind) -> anyhow::Result<Value>
where
    R: sqlx::Row,
    usize: sqlx::ColumnIndex<R>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    f64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(match kind {
        Kind::Int => match row.try_get::<Option<i64>, _>(i) {
            Ok(v) => v.map_or(Value::Null, Value::Int),
            Err(_) => row
                .try_get::<Option<i32>, _>(i)?
                .map_or(Value::Null, |n| Value::Int(i64::from(n))),
        },
        Kind::Bool => row
            .try_get::<Option<bool>, _>(i)?
            .map_or(Value::Null, Value::Bool),
        Kind::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(Value::Null, Value::Text),
        Kind::Bytes => row
            .try_get::<Option<Vec<u8>>, _>(i)?
            .map_or(Value::Null, Value::Bytes),
        Kind::Float => row
            .try_get::<Option<f64>, _>(i)?
            .map_or(Value::Null, Value::Float),
    })
}

fn select(table: &Table) -> String {
    let columns: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    format!("SELECT {} FROM {}", columns.join(", "), quoted(&table.name))
}

async fn write_batch(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    table: &Table,
    rows: &[Vec<Value>],
) -> anyhow::Result<()> {
    let columns: Vec<String> = table.columns.iter().map(|(c, _)| quoted(c)).collect();
    let mut insert = QueryBuilder::new(format!(
        "INSERT INTO {} ({}) ",
        quoted(&table.name),
        columns.join(", ")
    ));
    insert.push_values(rows, |mut b, row| {
        for (value, (_, kind)) in row.iter().zip(&table.columns) {
            match (value, kind) {
                (Value::Null, Kind::Int) => b.push_bind(None::<i64>),
                (Value::Null, Kind::Bool) => b.push_bind(None::<bool>),
                (Value::Null, Kind::Text) => b.push_bind(None::<String>),
                (Value::Null, Kind::Bytes) => b.push_bind(None::<Vec<u8>>),
                (Value::Null, Kind::Float) => b.push_bind(None::<f64>),
                (Value::Int(n), _) => b.push_bind(*n),
                (Value::Bool(v), _) => b.push_bind(*v),
                (Value::Text(t), _) => b.push_bind(t.clone()),
                (Value::Bytes(v), _) => b.push_bind(v.clone()),
                (Value::Float(f), _) => b.push_bind(*f),
            };
        }
    });
    insert
        .build()
        .execute(&mut **tx)
        .await
        .with_context(|| format!("writing rows of `{}`", table.name))?;
    Ok(())
}

/// Copies one table inside the target's transaction; the source's count
/// and checksum.
async fn copy_table(
    source: &SqlitePool,
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    table: &Table,
    key: [u8; 32],
) -> anyhow::Result<Checksum> {
    use futures_util::TryStreamExt;
    let mut checksum = Checksum::new(key);
    let query = select(table);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(query)).fetch(source);
    let mut batch = Vec::with_capacity(BATCH);
    while let Some(row) = rows.try_next().await? {
        let values = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| read(&row, i, *kind))
            .collect::<anyhow::Result<Vec<_>>>()
            .with_context(|| format!("reading `{}`", table.name))?;
        checksum.add(&values);
        batch.push(values);
        if batch.len() == BATCH {
            write_batch(tx, table, &batch).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() {
        write_batch(tx, table, &batch).await?;
    }
    Ok(checksum)
}

/// Reads a table back from PostgreSQL: its count and checksum.
async fn verify_table(target: &PgPool, table: &Table, key: [u8; 32]) -> anyhow::Result<Checksum> {
    use futures_util::TryStreamExt;
    let mut checksum = Checksum::new(key);
    let query = select(table);
    let mut rows = sqlx::query(sqlx::AssertSqlSafe(query)).fetch(target);
    while let Some(row) = rows.try_next().await? {
        let values = table
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, kind))| read(&row, i, *kind))
            .collect::<anyhow::Result<Vec<_>>>()?;
        checksum.add(&values);
    }
    Ok(checksum)
}

/// Moves every identity sequence past the largest id copied, so the next
/// complaint does not collide with a copied one.
async fn advance_sequences(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>) -> anyhow::Result<()> {
    let owned: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::TEXT, column_name::TEXT FROM information_schema.columns \
         WHERE table_schema = current_schema() \
         AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
    )
    .fetch_all(&mut **tx)
    .await?;
    for (table, column) in owned {
        let statement = format!(
            "SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(MAX({c}), 0) + 1, false) FROM {t}",
            c = quoted(&column),
            t = quoted(&table),
        );
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .bind(&table)
            .bind(&column)
            .execute(&mut **tx)
            .await
            .with_context(|| format!("moving the sequence of {table}.{column}"))?;
    }
    Ok(())
}

/// Every file under `dir` (recursively): its name and path.
fn files_under(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    if !dir.is_dir() {
        return Ok(found);
    }
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if let Some(name) = path.file_name().and_then(|n| n.to_str()) {
                // Half-written files carry a dot (`.partial`); they belong
                // to nothing.
                if !name.contains('.') {
                    found.push((name.to_owned(), path));
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `aduan copy --from sqlite:PATH --to postgres://…`: copies a whole
/// deployment into an empty PostgreSQL database and verifies it. The source
/// should not be serving (copy a backup, or stop the service first).
pub async fn copy(from: &str, files: Option<&Path>, to: &str) -> anyhow::Result<CopyReport> {
    let path = sqlite_path(from)?;
    if !to.starts_with("postgres://") && !to.starts_with("postgresql://") {
        bail!("--to must be a `postgres://` URL");
    }
    let source = open_source(&path).await?;
    // Migrations make the target's tables (and refuse a database that
    // holds another version's schema).
    let store = PostgresStore::open(to, 2, false)
        .await
        .context("opening the target PostgreSQL database")?;
    store.close().await;
    let target = PgPoolOptions::new()
        .max_connections(2)
        .connect(to)
        .await
        .context("connecting to the target PostgreSQL database")?;
    let result = copy_into(&source, &path, files, &target).await;
    source.close().await;
    target.close().await;
    result
}

async fn copy_into(
    source: &SqlitePool,
    path: &Path,
    files: Option<&Path>,
    target: &PgPool,
) -> anyhow::Result<CopyReport> {
    let here: BTreeSet<i64> = crate::store::sqlite::MIGRATOR
        .iter()
        .map(|m| m.version)
        .collect();
    if versions_sqlite(source).await? != here {
        bail!(
            "the source database is at another version than this program: start this version of Aduan on it once (or back it up with it) before copying"
        );
    }
    let names = source_tables(source).await?;
    let key: [u8; 32] = rand::random();
    let mut tables = Vec::new();
    for name in &names {
        tables.push(table(source, target, name).await?);
    }
    // Only into an empty database: a copy never mixes two deployments.
    let mut occupied = Vec::new();
    let bytes_tables = ["blobs".to_owned(), "upload_parts".to_owned()];
    for name in names.iter().chain(&bytes_tables) {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {}",
            quoted(name)
        )))
        .fetch_one(target)
        .await?;
        if n > 0 {
            occupied.push(format!("{name} ({n} rows)"));
        }
    }
    if !occupied.is_empty() {
        bail!(
            "the target database is not empty: {}. Copy only into a new, empty database",
            occupied.join(", ")
        );
    }

    let mut tx = target.begin().await?;
    let mut sums = Vec::new();
    for table in &tables {
        sums.push(copy_table(source, &mut tx, table, key).await?);
    }
    advance_sequences(&mut tx).await?;
    tx.commit().await.context("committing the copy")?;

    let mut report = CopyReport::default();
    for (table, sum) in tables.iter().zip(&sums) {
        let copied = verify_table(target, table, key).await?;
        if copied.rows != sum.rows || copied.sum != sum.sum {
            bail!(
                "`{}` does not match after the copy: {} rows ({}) in SQLite, {} rows ({}) in PostgreSQL",
                table.name,
                sum.rows,
                sum.text(),
                copied.rows,
                copied.text()
            );
        }
        report.tables.push(TableReport {
            table: table.name.clone(),
            rows: sum.rows,
            checksum: sum.text(),
        });
    }

    // The bytes of attachments and of unfinished uploads.
    let dir = files.map_or_else(|| files_beside(path), Path::to_path_buf);
    if !dir.is_dir() {
        return Ok(report);
    }
    let folder = Folder::open(&dir)
        .with_context(|| format!("opening the files folder {}", dir.display()))?;
    let blobs = Database::new(target.clone());
    for (hash, _) in files_under(&dir.join("files"))? {
        let Some(bytes) = folder.get(&hash).await? else {
            continue;
        };
        blobs.put(&hash, &bytes).await?;
        let back = blobs
            .get(&hash)
            .await?
            .ok_or_else(|| anyhow!("the file {hash} is missing after the copy"))?;
        if Sha256::digest(&back) != Sha256::digest(&bytes) {
            bail!("the file {hash} differs after the copy");
        }
        report.files += 1;
        report.file_bytes += bytes.len() as u64;
    }
    let uploads: Vec<String> = sqlx::query_scalar("SELECT id FROM uploads")
        .fetch_all(source)
        .await
        .unwrap_or_default();
    for id in uploads {
        let bytes = folder.read_upload(&id).await.unwrap_or_default();
        if !bytes.is_empty() {
            blobs.append(&id, 0, &bytes).await?;
            report.uploads += 1;
        }
    }
    Ok(report)
}

/// `aduan backup --to FILE`: a consistent copy of a SQLite database taken
/// while it serves (`VACUUM INTO` reads one snapshot), then its files,
/// beside the copy where a service started on it looks for them. Returns
/// the copy's complaints and files.
pub async fn backup(
    database: &Path,
    files: Option<&Path>,
    to: &Path,
) -> anyhow::Result<(i64, u64)> {
    if to.exists() {
        bail!("{} exists already; a backup never overwrites", to.display());
    }
    if !database.is_file() {
        bail!("there is no SQLite database at {}", database.display());
    }
    if let Some(dir) = to.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // The copy holds every reporter's name: it is readable by its owner
    // only, whatever the umask. `VACUUM INTO` writes into an empty file,
    // and creating it here also makes "never overwrites" hold against a
    // file that appeared since the check above.
    drop(private_file(to).with_context(|| format!("creating {}", to.display()))?);
    let options = SqliteConnectOptions::from_str("sqlite:")?
        .filename(database)
        .busy_timeout(std::time::Duration::from_secs(30));
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening {}", database.display()))?;
    let target = to
        .to_str()
        .ok_or_else(|| anyhow!("the backup's path must be valid UTF-8"))?;
    let made = sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(&pool)
        .await;
    pool.close().await;
    if let Err(e) = made {
        // Nothing half-written is left to be mistaken for a backup.
        let _ = std::fs::remove_file(to);
        return Err(e).with_context(|| format!("writing the backup {}", to.display()));
    }

    let copy = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::from_str("sqlite:")?
                .filename(to)
                .read_only(true),
        )
        .await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&copy)
        .await?;
    let complaints: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM complaints")
        .fetch_one(&copy)
        .await?;
    let referenced: Vec<String> = sqlx::query_scalar(
        "SELECT blob FROM attachments UNION SELECT thumb FROM attachments WHERE thumb IS NOT NULL",
    )
    .fetch_all(&copy)
    .await?;
    copy.close().await;
    if check != "ok" {
        bail!(
            "the backup {} fails SQLite's integrity check: {check}",
            to.display()
        );
    }

    // Files are written before the rows that name them and never change,
    // so every file the snapshot names is in the folder now.
    let from_dir = files.map_or_else(|| files_beside(database), Path::to_path_buf);
    let to_dir = files_beside(to);
    let mut copied = 0;
    for hash in referenced {
        let shard = hash.get(..2).unwrap_or("00");
        let source = from_dir.join("files").join(shard).join(&hash);
        let dest = to_dir.join("files").join(shard).join(&hash);
        if let Some(parent) = dest.parent() {
            private_dir(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        let mut input = std::fs::File::open(&source)
            .with_context(|| format!("reading the file {}", source.display()))?;
        private_file(&dest)
            .and_then(|mut output| std::io::copy(&mut input, &mut output))
            .with_context(|| format!("copying the file {}", source.display()))?;
        copied += 1;
    }
    Ok((complaints, copied))
}

/// Creates a folder (and its parents) that only its owner can enter.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates an empty file only its owner can read; refuses one that exists.
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(rows: &[Vec<Value>]) -> (u64, String) {
        let mut c = Checksum::new([7; 32]);
        for row in rows {
            c.add(row);
        }
        (c.rows, c.text())
    }

    #[test]
    fn the_checksum_ignores_order_and_sees_every_value() {
        let a = vec![Value::Int(1), Value::Text("Jalan".into()), Value::Null];
        let b = vec![Value::Int(2), Value::Bool(true), Value::Bytes(vec![0, 1])];
        assert_eq!(sum(&[a.clone(), b.clone()]), sum(&[b.clone(), a.clone()]));
        assert_ne!(sum(std::slice::from_ref(&a)), sum(std::slice::from_ref(&b)));
        // Types and boundaries count, not only the text of a value.
        let pairs = [
            (Value::Null, Value::Text(String::new())),
            (Value::Int(1), Value::Bool(true)),
            (Value::Text("1".into()), Value::Int(1)),
            (Value::Bytes(b"ab".to_vec()), Value::Text("ab".into())),
            (Value::Float(1.0), Value::Int(1)),
            (Value::Bool(false), Value::Bool(true)),
        ];
        for (x, y) in pairs {
            assert_ne!(
                sum(&[vec![x.clone()]]),
                sum(&[vec![y.clone()]]),
                "{x:?} {y:?}"
            );
        }
        let split = sum(&[vec![Value::Text("ab".into()), Value::Text("c".into())]]);
        let joined = sum(&[vec![Value::Text("a".into()), Value::Text("bc".into())]]);
        assert_ne!(split, joined);
        // A missing or a repeated row changes it.
        assert_ne!(sum(std::slice::from_ref(&a)), sum(&[a.clone(), a.clone()]));
        assert_eq!(sum(&[]).0, 0);
    }

    #[test]
    fn columns_are_read_by_their_postgres_type() {
        assert_eq!(Kind::of("bigint").ok(), Some(Kind::Int));
        assert_eq!(Kind::of("integer").ok(), Some(Kind::Int));
        assert_eq!(Kind::of("boolean").ok(), Some(Kind::Bool));
        assert_eq!(Kind::of("text").ok(), Some(Kind::Text));
        assert_eq!(Kind::of("bytea").ok(), Some(Kind::Bytes));
        assert_eq!(Kind::of("double precision").ok(), Some(Kind::Float));
        assert!(Kind::of("jsonb").is_err(), "an unknown type stops the copy");
    }

    #[test]
    fn the_checksum_depends_on_the_runs_key() {
        let row = [Value::Text("Ni Luh Putu".into())];
        let (mut one, mut two, mut again) = (
            Checksum::new([1; 32]),
            Checksum::new([2; 32]),
            Checksum::new([1; 32]),
        );
        one.add(&row);
        two.add(&row);
        again.add(&row);
        assert_ne!(one.text(), two.text());
        assert_eq!(one.text(), again.text());
    }

    #[test]
    fn only_a_sqlite_source_is_copied() {
        let refused = sqlite_path("postgres://aduan:hunter2secret@db/aduan")
            .expect_err("not SQLite")
            .to_string();
        assert!(!refused.contains("hunter2secret"), "{refused}");
        assert!(refused.contains("sqlite:PATH"), "{refused}");
        assert!(sqlite_path("postgres://x/y").is_err());
        assert!(sqlite_path("sqlite:/nowhere/at/all.db").is_err());
        assert_eq!(
            files_beside(Path::new("/srv/aduan.db")),
            PathBuf::from("/srv/aduan.db-files")
        );
    }
}
