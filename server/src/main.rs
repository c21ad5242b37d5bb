//! `aduan`: parse the command line, start logging, run.

use aduan_server::config::{
    Backend, BackupArgs, Cli, Command, Config, CopyArgs, LogFormat, NewOfficerArgs, NewPartnerArgs,
    NewWebhookArgs, OfficerCommand, PartnerCommand, StatsCommand, WebhookCommand,
};
use clap::Parser;
use tracing_subscriber::EnvFilter;

fn init_logs(format: LogFormat) {
    let filter = EnvFilter::try_from_env("ADUAN_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    aduan_server::run(config, listener, shutdown_signal()).await
}

/// `aduan officer add`: the password comes from standard input, so it is
/// neither in the shell history nor in the process list.
async fn add_officer(args: NewOfficerArgs) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .read_line(&mut password)
        .map_err(|e| anyhow::anyhow!("cannot read the password from standard input: {e}"))?;
    let password = password.trim_end_matches(['\r', '\n']);
    let store = aduan_server::open_store(&args.database).await?;
    let catalog = store
        .load_catalog()
        .await
        .map_err(|e| anyhow::anyhow!("reading the reference data: {e}"))?;
    let request = aduan_server::officers::OfficerRequest {
        email: args.email,
        name: args.name,
        role: args.role,
        region: args.region,
        unit: args.unit,
    };
    let added = aduan_server::officers::add(store.as_ref(), &catalog, &request, password).await;
    store.close().await;
    let id = added.map_err(|e| anyhow::anyhow!(e))?;
    println!(
        "Officer {id} created: {} ({} of {}).",
        request.email.trim().to_lowercase(),
        request.role,
        request.region
    );
    Ok(())
}

/// `aduan webhook add`: prints the new subscriber's secret once.
async fn add_webhook(args: NewWebhookArgs) -> anyhow::Result<()> {
    let store = aduan_server::open_store(&args.database).await?;
    let catalog = store
        .load_catalog()
        .await
        .map_err(|e| anyhow::anyhow!("reading the reference data: {e}"))?;
    let added = aduan_server::subscribers::add(
        store.as_ref(),
        &catalog,
        &args.url,
        args.region.as_deref(),
        args.allow_private,
    )
    .await;
    store.close().await;
    let (id, secret) = added.map_err(|e| anyhow::anyhow!(e))?;
    println!("Webhook subscriber {id} added for {}.", args.url.trim());
    println!("Its signing secret (shown only now; keep it with the receiver):");
    println!("{secret}");
    Ok(())
}

/// `aduan partner add`: prints the new Open311 key once.
async fn add_partner(args: NewPartnerArgs) -> anyhow::Result<()> {
    let store = aduan_server::open_store(&args.database).await?;
    let added = aduan_server::subscribers::add_partner(store.as_ref(), &args.name).await;
    store.close().await;
    let (id, key) = added.map_err(|e| anyhow::anyhow!(e))?;
    println!("Open311 partner {id} ({}) added.", args.name.trim());
    println!("Its API key (shown only now; give it to the partner):");
    println!("{key}");
    Ok(())
}

/// `aduan backup --to FILE`.
async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let Backend::Sqlite(path) = args.database.backend().map_err(anyhow::Error::msg)? else {
        anyhow::bail!(
            "`aduan backup` copies a SQLite deployment; back up PostgreSQL with pg_dump or base backups (see the README)"
        );
    };
    let started = std::time::Instant::now();
    let (complaints, files) =
        aduan_server::copy::backup(&path, args.files_dir.as_deref(), &args.to).await?;
    println!(
        "Backed up {} to {} in {:.1} s: {complaints} complaints, {files} files (in {}).",
        path.display(),
        args.to.display(),
        started.elapsed().as_secs_f64(),
        aduan_server::copy::files_beside(&args.to).display()
    );
    println!(
        "To serve from it: DATABASE_URL=sqlite:{} aduan serve",
        args.to.display()
    );
    Ok(())
}

/// `aduan copy --from sqlite:PATH --to postgres://…`.
async fn copy(args: CopyArgs) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let report =
        aduan_server::copy::copy(&args.from, args.files_dir.as_deref(), args.to.expose()).await?;
    println!(
        "{:<24} {:>10}  checksum (same on both sides)",
        "table", "rows"
    );
    for t in &report.tables {
        println!("{:<24} {:>10}  {}", t.table, t.rows, t.checksum);
    }
    println!(
        "Copied {} tables, {} rows, {} files ({} bytes) and {} unfinished uploads in {:.1} s; every count and checksum matches.",
        report.tables.len(),
        report.tables.iter().map(|t| t.rows).sum::<u64>(),
        report.files,
        report.file_bytes,
        report.uploads,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    // Blocking work (file writes of uploads, cleaning photos, password
    // hashing) on a bounded set of threads: each thread holds memory of its
    // own, so fifty uploads at once must not mean fifty threads.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(16)
        .build();
    match runtime {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("aduan: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(config) => {
            let config = *config;
            init_logs(config.log_format);
            serve(config).await
        }
        Command::Officer(OfficerCommand::Add(args)) => {
            init_logs(LogFormat::Text);
            add_officer(args).await
        }
        Command::Webhook(WebhookCommand::Add(args)) => {
            init_logs(LogFormat::Text);
            add_webhook(args).await
        }
        Command::Partner(PartnerCommand::Add(args)) => {
            init_logs(LogFormat::Text);
            add_partner(args).await
        }
        Command::Stats(StatsCommand::Rebuild(db)) => {
            init_logs(LogFormat::Text);
            match aduan_server::open_store(&db).await {
                Ok(store) => {
                    let started = std::time::Instant::now();
                    let outcome = store.rebuild_stats().await;
                    store.close().await;
                    match outcome {
                        Ok(rows) => {
                            println!(
                                "Rebuilt {rows} rows of sums in {:.1} s.",
                                started.elapsed().as_secs_f64()
                            );
                            Ok(())
                        }
                        Err(e) => Err(e.into()),
                    }
                }
                Err(e) => Err(e),
            }
        }
        Command::Backup(args) => {
            init_logs(LogFormat::Text);
            backup(args).await
        }
        Command::Copy(args) => {
            init_logs(LogFormat::Text);
            copy(args).await
        }
        Command::Migrate(db) => {
            init_logs(LogFormat::Text);
            match aduan_server::open_store(&db).await {
                Ok(store) => {
                    store.close().await;
                    println!("The database is migrated and holds the Bali reference data.");
                    Ok(())
                }
                Err(e) => Err(e),
            }
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("aduan: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
