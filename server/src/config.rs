//! The command line and every setting, each read from a flag or its environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::routes::limits::Cidr;

/// A setting that must never be printed: its `Debug` says only whether it
/// is set, so a config in a log line or an error carries no secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Secret, Self::Err> {
        Ok(Secret(s.to_owned()))
    }
}

/// A database URL without its password, for messages and `Debug`.
pub fn redacted_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((credentials, host)) => {
                let user = credentials.split(':').next().unwrap_or_default();
                if credentials.contains(':') {
                    format!("{scheme}://{user}:[redacted]@{host}")
                } else {
                    format!("{scheme}://{user}@{host}")
                }
            }
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}
/// Aduan: public-service complaints for regional governments.
#[derive(Debug, Parser)]
#[command(name = "aduan", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the service.
    Serve(Box<Config>),
    /// Apply migrations and load the Bali reference data, then exit.
    Migrate(DatabaseArgs),
    /// Manage officers.
    #[command(subcommand)]
    Officer(OfficerCommand),
    /// Manage webhook subscribers.
    #[command(subcommand)]
    Webhook(WebhookCommand),
    /// Manage Open311 partners.
    #[command(subcommand)]
    Partner(PartnerCommand),
    /// The indicators' sums.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// A consistent copy of a SQLite deployment (database and files) taken
    /// while it serves; on PostgreSQL use `pg_dump` or base backups.
    Backup(BackupArgs),
    /// Move a whole SQLite deployment into an empty PostgreSQL database,
    /// verifying every table's count and checksum.
    Copy(CopyArgs),
}

/// `aduan backup`
#[derive(Debug, Clone, Args)]
pub struct BackupArgs {
    /// The file to write (refused if it exists). Its files go beside it, in
    /// `FILE-files`, where a service started on the copy looks for them.
    #[arg(long)]
    pub to: PathBuf,

    /// Where the deployment's files live, when not beside the database.
    #[arg(long, env = "ADUAN_FILES_DIR")]
    pub files_dir: Option<PathBuf>,

    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `aduan copy`
#[derive(Debug, Clone, Args)]
pub struct CopyArgs {
    /// The SQLite database, `sqlite:PATH` (a backup, or a stopped service's).
    #[arg(long)]
    pub from: String,

    /// An empty PostgreSQL database, `postgres://…` (its password is never
    /// printed; give it in `ADUAN_COPY_TO` to keep it out of `ps`).
    #[arg(long, env = "ADUAN_COPY_TO", hide_env_values = true)]
    pub to: Secret,

    /// Where the source's files live, when not beside its database.
    #[arg(long)]
    pub files_dir: Option<PathBuf>,
}

/// `aduan stats ...`
#[derive(Debug, Clone, Subcommand)]
pub enum StatsCommand {
    /// Rebuild the sums the dashboard reads from every complaint's facts
    /// (after restoring a backup, or facts written in bulk), then exit.
    Rebuild(DatabaseArgs),
}

/// `aduan partner ...`
#[derive(Debug, Clone, Subcommand)]
pub enum PartnerCommand {
    /// Issue an Open311 API key; it is printed once.
    Add(NewPartnerArgs),
}

/// `aduan partner add`
#[derive(Debug, Clone, Args)]
pub struct NewPartnerArgs {
    /// Who the key is for.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `aduan webhook ...`
#[derive(Debug, Clone, Subcommand)]
pub enum WebhookCommand {
    /// Add a subscriber; its signing secret is printed once.
    Add(NewWebhookArgs),
}

/// `aduan webhook add`
#[derive(Debug, Clone, Args)]
pub struct NewWebhookArgs {
    /// Where events are posted (http or https).
    #[arg(long)]
    pub url: String,
    /// Only this region's events, while the region is in `webhook` mode;
    /// without it, every region's events.
    #[arg(long)]
    pub region: Option<String>,
    /// Allow a loopback, private or link-local address (tests and
    /// single-host deployments only).
    #[arg(long, env = "ADUAN_WEBHOOK_ALLOW_PRIVATE", default_value_t = false)]
    pub allow_private: bool,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// `aduan officer ...`
#[derive(Debug, Clone, Subcommand)]
pub enum OfficerCommand {
    /// Create an officer; the password is read from standard input.
    Add(NewOfficerArgs),
}

/// `aduan officer add`
#[derive(Debug, Clone, Args)]
pub struct NewOfficerArgs {
    /// The officer's e-mail address: their sign-in name.
    #[arg(long)]
    pub email: String,
    /// The region they belong to (a slug such as `badung`, or `bali` for the province).
    #[arg(long)]
    pub region: String,
    /// admin, province, coordinator, unit, supervisor or webmaster.
    #[arg(long)]
    pub role: String,
    /// Their unit (required for the `unit` role), such as `pupr`.
    #[arg(long)]
    pub unit: Option<String>,
    /// The name shown in the console and in a complaint's history.
    #[arg(long)]
    pub name: Option<String>,
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Where the data lives.
#[derive(Clone, Args)]
pub struct DatabaseArgs {
    /// `sqlite:PATH` or `postgres://…`; unset means a SQLite file under `./data/`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// SQLite durability: `full` (default; a commit survives power loss) or
    /// `normal` (a commit survives a crash of the process, not of the machine).
    #[arg(long, env = "ADUAN_SQLITE_SYNCHRONOUS", default_value = "full")]
    pub sqlite_synchronous: SqliteSynchronous,

    /// Connections in the PostgreSQL pool; SQLite opens a quarter as many
    /// readers (at least two) beside its one writer.
    #[arg(long, env = "ADUAN_DB_POOL", default_value_t = 16)]
    pub pool_size: u32,

    /// PostgreSQL: listen for other processes' notifications (new outbox
    /// messages, edited reference data) on one more connection. With
    /// `false`, deliveries wait for the next poll and other processes see
    /// edits at the clock's next reread.
    #[arg(long, env = "ADUAN_PG_LISTEN", default_value_t = true, action = clap::ArgAction::Set)]
    pub pg_listen: bool,
}

impl std::fmt::Debug for DatabaseArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DatabaseArgs")
            .field(
                "database_url",
                &self.database_url.as_deref().map(redacted_url),
            )
            .field("sqlite_synchronous", &self.sqlite_synchronous)
            .field("pool_size", &self.pool_size)
            .field("pg_listen", &self.pg_listen)
            .finish()
    }
}

/// Photos and documents: the limits of uploads and where their bytes live.
#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// Largest file accepted, in bytes, before cleaning.
    #[arg(long, env = "ADUAN_UPLOAD_MAX_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub upload_max_bytes: u64,

    /// Files one message (a complaint, a reply, a note) may carry.
    #[arg(long, env = "ADUAN_ATTACHMENTS_MAX_FILES", default_value_t = 5)]
    pub attachments_max_files: usize,

    /// Bytes one message's files may add up to, before cleaning.
    #[arg(long, env = "ADUAN_ATTACHMENTS_MAX_BYTES", default_value_t = 20 * 1024 * 1024)]
    pub attachments_max_bytes: u64,

    /// Hours an upload waits to be attached before it is deleted.
    #[arg(long, env = "ADUAN_UPLOAD_EXPIRY_HOURS", default_value_t = 24)]
    pub upload_expiry_hours: u32,

    /// Longest side of a cleaned photo, in pixels.
    #[arg(long, env = "ADUAN_PHOTO_MAX_SIDE", default_value_t = 2048)]
    pub photo_max_side: u32,

    /// Most pixels a photo may have before scaling (refuses decompression bombs).
    #[arg(long, env = "ADUAN_PHOTO_MAX_PIXELS", default_value_t = 50_000_000)]
    pub photo_max_pixels: u64,

    /// Hours a signed download link (in a webhook or a LAPOR forward) works.
    #[arg(long, env = "ADUAN_FILE_LINK_HOURS", default_value_t = 72)]
    pub file_link_hours: u32,

    /// Folder for the bytes of uploads and attachments on SQLite (unset:
    /// beside the database file, `<database>-files`). On PostgreSQL they
    /// live in the database.
    #[arg(long, env = "ADUAN_FILES_DIR")]
    pub files_dir: Option<PathBuf>,
}

impl UploadArgs {
    pub fn settings(&self) -> crate::attachments::Settings {
        crate::attachments::Settings {
            max_file_bytes: self.upload_max_bytes,
            max_files: self.attachments_max_files,
            max_total_bytes: self.attachments_max_bytes,
            expiry_ms: i64::from(self.upload_expiry_hours) * 3_600_000,
            link_ms: i64::from(self.file_link_hours) * 3_600_000,
            clean: crate::attachments::clean::Limits {
                max_side: self.photo_max_side.max(1),
                max_pixels: self.photo_max_pixels,
                ..crate::attachments::clean::Limits::default()
            },
        }
    }
}

/// SQLite's `synchronous` setting, made explicit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SqliteSynchronous {
    Full,
    Normal,
}

/// Everything `aduan serve` needs. Its `Debug` shows no secret: tokens and
/// passwords are [`Secret`]s and the database URL loses its password.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(long, env = "ADUAN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The address citizens and officers reach this service at, used in links.
    #[arg(
        long,
        env = "ADUAN_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub public_url: String,

    /// Largest request body accepted, in bytes; a complaint needs far less than 64 KiB.
    #[arg(long, env = "ADUAN_BODY_LIMIT", default_value_t = 64 * 1024)]
    pub body_limit: usize,

    /// Seconds a request may take before it is answered with a timeout.
    #[arg(long, env = "ADUAN_REQUEST_TIMEOUT", default_value_t = 15)]
    pub request_timeout_secs: u64,

    /// Complaints and replies one address may send per minute (0: no limit);
    /// a burst of up to ten is allowed.
    #[arg(long, env = "ADUAN_SUBMIT_RATE", default_value_t = 10)]
    pub submit_per_minute: u32,

    /// Tracking look-ups one address may make per minute (0: no limit).
    #[arg(long, env = "ADUAN_LOOKUP_RATE", default_value_t = 120)]
    pub lookup_per_minute: u32,

    /// Upload requests (creations and resumptions) one address may make per
    /// minute (0: no limit); a burst of up to sixty is allowed.
    #[arg(long, env = "ADUAN_UPLOAD_RATE", default_value_t = 120)]
    pub upload_per_minute: u32,

    /// Take the client address from `X-Forwarded-For`: the right-most
    /// address that is not one of `--trusted-proxies`. Set it only behind a
    /// reverse proxy you run.
    #[arg(long, env = "ADUAN_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// The proxies in front of the service (addresses or ranges, comma
    /// separated), skipped when reading `X-Forwarded-For`.
    #[arg(
        long,
        env = "ADUAN_TRUSTED_PROXIES",
        value_delimiter = ',',
        default_value = "127.0.0.0/8,::1"
    )]
    pub trusted_proxies: Vec<Cidr>,

    /// Seconds a client may take to send a request's headers; a connection
    /// that sends nothing for this long is closed.
    #[arg(long, env = "ADUAN_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Connections served at once; further ones wait in the kernel's
    /// queue until one closes.
    #[arg(long, env = "ADUAN_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,

    /// Let webhook subscribers be on loopback, private, link-local or
    /// metadata addresses (tests and single-host deployments only).
    #[arg(long, env = "ADUAN_WEBHOOK_ALLOW_PRIVATE", default_value_t = false)]
    pub webhook_allow_private: bool,

    /// Let a webmaster's page check (the console's "Check now") fetch pages
    /// on loopback or private addresses (an intranet's own sites, tests).
    /// Link-local and metadata addresses stay refused.
    #[arg(long, env = "ADUAN_SITE_CHECK_ALLOW_PRIVATE", default_value_t = false)]
    pub site_check_allow_private: bool,

    /// Days delivered outbox messages (and their payloads, such as a LAPOR
    /// forward with the reporter's identity) are kept.
    #[arg(long, env = "ADUAN_KEEP_DELIVERED_DAYS", default_value_t = 30)]
    pub keep_delivered_days: u32,

    /// Days idempotency keys, reply keys and the ids of inbound and LAPOR
    /// messages are kept (a retry after this files anew).
    #[arg(long, env = "ADUAN_KEEP_KEYS_DAYS", default_value_t = 30)]
    pub keep_keys_days: u32,

    /// Days after a complaint closed (or was rejected) that the reporter's
    /// contact details are erased; the complaint itself stays.
    #[arg(long, env = "ADUAN_KEEP_CONTACTS_DAYS", default_value_t = 365)]
    pub keep_contacts_days: u32,

    /// Days after a complaint closed (or was rejected) that its photos and
    /// documents are deleted, bytes and all.
    #[arg(long, env = "ADUAN_KEEP_ATTACHMENTS_DAYS", default_value_t = 730)]
    pub keep_attachments_days: u32,

    #[command(flatten)]
    pub uploads: UploadArgs,

    /// Folder of static files (the loader, the widget bundle, demo pages).
    #[arg(long, env = "ADUAN_PUBLIC_DIR", default_value = "public")]
    pub public_dir: PathBuf,

    /// Seconds between runs of the clock task (closing complaints whose quiet
    /// period has passed, forgetting expired sessions, rereading routing rules).
    #[arg(long, env = "ADUAN_CLOCK_INTERVAL", default_value_t = 60)]
    pub clock_interval_secs: u64,

    /// Outbox: attempts before a message is parked as failed (shown to
    /// administrators, who can retry it).
    #[arg(long, env = "ADUAN_OUTBOX_MAX_ATTEMPTS", default_value_t = 12)]
    pub outbox_max_attempts: u32,

    /// Outbox: the first retry waits this long (milliseconds); each next one
    /// twice as long (at most an hour), with random jitter.
    #[arg(long, env = "ADUAN_OUTBOX_BACKOFF_MS", default_value_t = 2000)]
    pub outbox_backoff_ms: u64,

    /// Outbox: seconds a worker holds a claimed message; if the process dies,
    /// another claims it after this.
    #[arg(long, env = "ADUAN_OUTBOX_LEASE", default_value_t = 60)]
    pub outbox_lease_secs: u64,

    /// Outbox: milliseconds between looks for due messages when idle.
    #[arg(long, env = "ADUAN_OUTBOX_POLL_MS", default_value_t = 200)]
    pub outbox_poll_ms: u64,

    /// Seconds a receiver may take to answer one delivery.
    #[arg(long, env = "ADUAN_DELIVERY_TIMEOUT", default_value_t = 10)]
    pub delivery_timeout_secs: u64,

    /// SP4N-LAPOR's integration endpoint (its `/stream` receives complaints);
    /// unset, complaints of regions in `lapor` mode wait in the outbox and
    /// are parked with that reason.
    #[arg(long, env = "ADUAN_LAPOR_URL")]
    pub lapor_url: Option<String>,

    /// Serve `/metrics` (Prometheus) on this separate address, without a
    /// token: bind it where only the monitoring system reaches.
    #[arg(long, env = "ADUAN_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,

    /// Serve `/metrics` on the public address too, to requests that carry
    /// `Authorization: Bearer TOKEN` (never logged). Unset: not served there.
    #[arg(long, env = "ADUAN_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<Secret>,

    /// The integration token LAPOR issued (never logged).
    #[arg(long, env = "ADUAN_LAPOR_TOKEN", hide_env_values = true)]
    pub lapor_token: Option<Secret>,

    /// The token LAPOR sends with its status updates to
    /// `/api/v1/lapor/status`; unset, that endpoint refuses everything.
    #[arg(long, env = "ADUAN_LAPOR_CALLBACK_TOKEN", hide_env_values = true)]
    pub lapor_callback_token: Option<Secret>,

    /// SMTP server for e-mail; unset, e-mail is off (the console says so).
    #[arg(long, env = "ADUAN_SMTP_HOST")]
    pub smtp_host: Option<String>,

    #[arg(long, env = "ADUAN_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,

    /// `starttls` (default), `tls` (implicit, port 465) or `none` (only on a
    /// trusted local relay).
    #[arg(long, env = "ADUAN_SMTP_SECURITY", default_value = "starttls")]
    pub smtp_security: SmtpSecurity,

    #[arg(long, env = "ADUAN_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    #[arg(long, env = "ADUAN_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<Secret>,

    /// The sender, e.g. `Aduan Bali <aduan@baliprov.go.id>`.
    #[arg(
        long,
        env = "ADUAN_SMTP_FROM",
        default_value = "Aduan <aduan@localhost>"
    )]
    pub smtp_from: String,

    /// Create demo officers for every Bali region (password `demo-aduan`),
    /// for trying the console; never on a real deployment.
    #[arg(long, env = "ADUAN_DEMO_OFFICERS", default_value_t = false)]
    pub demo_officers: bool,

    /// Log format: `text` for people, `json` for collectors.
    #[arg(long, env = "ADUAN_LOG_FORMAT", default_value = "text")]
    pub log_format: LogFormat,
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SmtpSecurity {
    Starttls,
    Tls,
    None,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// The storage engine a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file at this path.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl DatabaseArgs {
    /// The backend the URL picks; anything but SQLite or PostgreSQL is refused.
    pub fn backend(&self) -> Result<Backend, String> {
        match self.database_url.as_deref().map(str::trim) {
            None | Some("") | Some("sqlite:") => {
                Ok(Backend::Sqlite(PathBuf::from("data/aduan.db")))
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Backend::Postgres(url.to_owned()))
            }
            Some(url) if url.starts_with("sqlite:") => {
                let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
                let path = path.split('?').next().unwrap_or(path);
                Ok(Backend::Sqlite(PathBuf::from(path)))
            }
            Some(url) => {
                let scheme = url.split(':').next().unwrap_or(url);
                Err(format!(
                    "DATABASE_URL has the scheme `{scheme}`; use `sqlite:PATH` or `postgres://…`"
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: Option<&str>) -> DatabaseArgs {
        DatabaseArgs {
            database_url: url.map(str::to_owned),
            sqlite_synchronous: SqliteSynchronous::Full,
            pool_size: 4,
            pg_listen: true,
        }
    }

    #[test]
    fn no_secret_is_in_a_configs_debug() {
        use clap::Parser;
        let cli = Cli::try_parse_from([
            "aduan",
            "serve",
            "--database-url",
            "postgres://aduan:db-pass-123@db.internal/aduan",
            "--lapor-token",
            "lapor-token-456",
            "--lapor-callback-token",
            "callback-789",
            "--smtp-username",
            "relay",
            "--smtp-password",
            "smtp-pass-000",
        ]);
        let Ok(Cli {
            command: Command::Serve(config),
        }) = cli
        else {
            panic!("the flags parse: {cli:?}");
        };
        let printed = format!("{config:?}");
        for secret in [
            "db-pass-123",
            "lapor-token-456",
            "callback-789",
            "smtp-pass-000",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(
            printed.contains("postgres://aduan:[redacted]@db.internal/aduan"),
            "{printed}"
        );
        assert_eq!(
            config.lapor_token.as_ref().map(Secret::expose),
            Some("lapor-token-456")
        );
        assert_eq!(config.header_timeout_secs, 10);
        assert_eq!(config.trusted_proxies.len(), 2);
        assert!(!config.webhook_allow_private);
        assert!(!config.site_check_allow_private);
    }

    #[test]
    fn the_url_scheme_picks_the_backend() {
        assert_eq!(
            args(None).backend(),
            Ok(Backend::Sqlite("data/aduan.db".into()))
        );
        assert_eq!(
            args(Some("sqlite:")).backend(),
            Ok(Backend::Sqlite("data/aduan.db".into()))
        );
        assert_eq!(
            args(Some("sqlite:///tmp/a.db")).backend(),
            Ok(Backend::Sqlite("/tmp/a.db".into()))
        );
        assert_eq!(
            args(Some("sqlite:x.db?mode=rwc")).backend(),
            Ok(Backend::Sqlite("x.db".into()))
        );
        assert!(matches!(
            args(Some("postgres://u@h/db")).backend(),
            Ok(Backend::Postgres(_))
        ));
        let err = args(Some("mysql://u:secret@h/db"))
            .backend()
            .err()
            .unwrap_or_default();
        assert!(err.contains("mysql") && !err.contains("secret"), "{err}");
    }
}
