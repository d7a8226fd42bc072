//! The `gatehouse` command: `serve` (default), `migrate`, `create-admin`,
//! `reset-password`, `generate-users`, `generate-audit`, `features list`,
//! `backup`, `restore`, `audit verify`.
#![recursion_limit = "256"]

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use gatehouse_server::config::{keys_help, Config};
use std::path::PathBuf;
use std::process::ExitCode;
use app::backend::backup;
use app::backend::features::definitions;
use app::backend::jobs::{generate_audit, generate_users};
use app::backend::service::audit::{verify_chain, ChainCheck};
use app::backend::service::bootstrap;

#[derive(Parser)]
#[command(name = "gatehouse", version, about = "Gatehouse: user and access management for research-data platforms")]
struct Cli {
    /// TOML configuration file (keys as listed below)
    #[arg(long, short, global = true, env = "GATEHOUSE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the site and the API (the default)
    Serve,
    /// Apply database migrations and exit
    Migrate,
    /// Create an admin with a one-time password, printed once
    CreateAdmin {
        username: String,
        #[arg(long)]
        email: Option<String>,
    },
    /// Give a user a new one-time password (printed once), unlock them and end their sessions
    ResetPassword { username: String },
    /// Add N realistic generated users (for tests, demos and benchmarks); they share one password
    GenerateUsers {
        count: usize,
        /// Prefix for their usernames
        #[arg(long, default_value = "")]
        prefix: String,
        /// The password they all get
        #[arg(long, env = "GATEHOUSE_GENERATED_PASSWORD", default_value = "generated-password")]
        password: String,
    },
    /// Add N generated audit events over the past year (for benchmarks and demos)
    GenerateAudit { count: usize },
    /// Copy the SQLite database to FILE while the server runs, and check the copy
    /// (on PostgreSQL: print the pg_dump command)
    Backup { file: PathBuf },
    /// Replace the SQLite database with the backup FILE (every server must be stopped)
    Restore { file: PathBuf },
    /// Feature definitions (read from features_dir and the built-ins)
    Features {
        #[command(subcommand)]
        action: FeaturesCommand,
    },
    /// The audit log
    Audit {
        #[command(subcommand)]
        action: AuditCommand,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the audit log's hash chain in order; report the first break and exit non-zero
    Verify,
}

#[derive(Subcommand)]
enum FeaturesCommand {
    /// Print every feature definition and the file it came from
    List,
}

fn main() -> ExitCode {
    let matches = Cli::command().after_long_help(keys_help()).after_help(keys_help()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let config = match Config::load(cli.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gatehouse: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logging(&config);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gatehouse: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), String> {
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            gatehouse_server::open_state(&config).await?;
            println!("Migrations applied.");
            Ok(())
        }
        Command::CreateAdmin { username, email } => {
            let state = gatehouse_server::open_state(&config).await?;
            let password = bootstrap::create_admin(&state, &username, email.as_deref()).await.map_err(|e| e.to_string())?;
            println!("Admin {username} created. One-time password: {password}");
            println!("They must choose a new password when they first sign in.");
            Ok(())
        }
        Command::GenerateUsers { count, prefix, password } => {
            let state = gatehouse_server::open_state(&config).await?;
            let started = std::time::Instant::now();
            generate_users::generate_users(&state, &prefix, count, &password)
                .await
                .map_err(|e| e.to_string())?;
            println!("Added {count} users in {:.1} s.", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Features { action: FeaturesCommand::List } => {
            let dir = config.features_dir();
            let definitions = definitions::load(&dir)?;
            println!("{} features (definitions folder: {})", definitions.len(), dir.display());
            for d in definitions {
                let default = if d.on_by_default { "on by default" } else { "off by default" };
                println!("{}\t{}\t{default}\t{}\n    {}", d.key, d.name, d.source, d.description);
            }
            Ok(())
        }
        Command::Backup { file } => {
            let started = std::time::Instant::now();
            backup::backup(&config.database_url, &file).await?;
            println!("Backed up the database to {} in {:.1} s; the copy passes PRAGMA integrity_check.", file.display(), started.elapsed().as_secs_f64());
            println!("Uploaded files are not in it: back up the data_dir folder {} separately.", data_dir(&config));
            let in_database: Vec<&str> = [("jwt_secret", &config.jwt_secret), ("secret_key", &config.secret_key)]
                .into_iter()
                .filter(|(_, set)| set.as_deref().is_none_or(|s| s.trim().is_empty()))
                .map(|(key, _)| key)
                .collect();
            if !in_database.is_empty() {
                eprintln!(
                    "Warning: the copy holds the site's signing secrets ({}: not set in the configuration, so kept in the database). \
                     Anyone who reads it can forge API tokens and read stored service keys: keep it as safe as the server, \
                     or set them in the configuration.",
                    in_database.join(", ")
                );
            }
            Ok(())
        }
        Command::Restore { file } => {
            backup::restore(&config.database_url, &file).await?;
            println!("Restored the database from {}. Start the server to use it.", file.display());
            println!("Uploaded files are not in it: restore the data_dir folder {} from the same time.", data_dir(&config));
            Ok(())
        }
        Command::GenerateAudit { count } => {
            let state = gatehouse_server::open_state(&config).await?;
            let started = std::time::Instant::now();
            generate_audit::generate_audit(&state, count).await.map_err(|e| e.to_string())?;
            println!("Added {count} audit events in {:.1} s.", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Audit { action: AuditCommand::Verify } => {
            let state = gatehouse_server::open_state(&config).await?;
            match verify_chain(&state.db).await.map_err(|e| e.to_string())? {
                ChainCheck::Intact { events, unchained, head } => {
                    println!("audit chain intact: {events} events");
                    if unchained > 0 {
                        println!("{unchained} older events were written before the chain began and are not covered by it.");
                    }
                    if !head.is_empty() {
                        println!("Last hash: {head} (note it elsewhere: a later rewrite of the log will not end with it)");
                    }
                    Ok(())
                }
                ChainCheck::Broken { id, problem } => Err(format!("audit chain broken at event {id}: {problem}")),
            }
        }
        Command::ResetPassword { username } => {
            let state = gatehouse_server::open_state(&config).await?;
            let password = bootstrap::reset_password(&state, &username).await.map_err(|e| e.to_string())?;
            println!("New one-time password for {username}: {password}");
            println!("Their sessions have ended; they must choose a new password when they next sign in.");
            Ok(())
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let running = gatehouse_server::start(&config).await?;
    let url = config.public_url();
    if let Some(admin) = &running.first_admin {
        match &admin.generated_password {
            Some(password) => {
                println!("First admin created. Username: {}  One-time password: {password}", admin.username);
                println!("You will be asked to choose a new password when you sign in.");
            }
            None => println!("First admin created: {} (password from configuration).", admin.username),
        }
    }
    if config.site.external_auth_url.is_some() {
        match &config.site.external_auth_admin_role {
            Some(role) => println!("Accounts come from the external authentication provider; a user it gives the role {role:?} is an admin."),
            None => println!("Accounts come from the external authentication provider; it cannot make admins: run `gatehouse create-admin`."),
        }
    }
    println!("Gatehouse is running. Sign in at {url}/login");
    tracing::info!(addr = %running.addr, database = running.state.db.backend_name(), "listening");
    running.task.await.map_err(|e| e.to_string())?.map_err(|e| e.to_string())
}

/// The data_dir folder as an absolute path, for the backup commands' reminders.
fn data_dir(config: &Config) -> String {
    std::path::absolute(&config.site.data_dir).unwrap_or_else(|_| config.site.data_dir.clone()).display().to_string()
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
