//! The township node's command line. Clerk commands act on the running
//! local node through its control socket and never need the county.
//! Failures are typed to the end: [`report`] picks the exit status from
//! the error's type (the table is in `--help`, the same as the county's).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use liandong_cli::{ask_in, bad_argument, status_text, CommandError};
use liandong_domain::Lang;
use liandong_node::control::{Reply, Request};
use liandong_node::logging::LogFormat;
use liandong_node::shutdown::Shutdown;

use liandong_node::config::township::TownshipConfig;

/// Liandong township node (乡镇节点): an offline-first service centre.
#[derive(Parser, Debug)]
#[command(name = "township-node", version, about, after_help = liandong_cli::exit_codes_help())]
pub struct Cli {
    /// Log format: human or json.
    #[arg(long, global = true, default_value = "human")]
    pub log_format: LogFormat,
    /// Language of tables and messages: zh (default) or en.
    #[arg(long, global = true, default_value = "zh")]
    pub lang: Lang,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the township node.
    Serve(ServeArgs),
    /// Cases at this centre's windows (all work with the county unreachable).
    Case(CaseArgs),
    /// The catalogue as this centre holds it.
    #[command(subcommand)]
    Matter(MatterCommand),
    /// This node's link to the county: connected?, last contact, ops each way, lag.
    Status(StatusArgs),
    /// Sign in at this centre (works with the county down, once the
    /// credential has reached this centre); a session for this OS user,
    /// ended by `logout` or 8 hours idle.
    Login {
        #[command(flatten)]
        local: Local,
        /// Staff id (工号), e.g. S02.
        #[arg(long)]
        staff: String,
        /// Read the password from one line of stdin (for scripts).
        #[arg(long)]
        password_stdin: bool,
    },
    /// End this OS user's session at this centre.
    Logout {
        #[command(flatten)]
        local: Local,
    },
    /// Who is signed in here, with which roles.
    Whoami {
        #[command(flatten)]
        local: Local,
        #[arg(long)]
        json: bool,
    },
    /// Change your own password, offline too (current, then new twice; with
    /// --password-stdin two lines: current, then new). It reaches the
    /// county and your other centres when the link allows.
    Passwd {
        #[command(flatten)]
        local: Local,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Online, consistent backup of the running node's operations.
    Backup {
        #[command(flatten)]
        local: Local,
        /// Backup file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Check a stopped node's store: hashes, feed, outbox and index entries.
    Verify {
        #[command(flatten)]
        local: Local,
    },
    /// Restore a backup into an empty data directory (node stopped). New
    /// operations are then numbered in a new epoch, and the county sends
    /// back everything it holds for this centre.
    Restore {
        /// This centre's id, e.g. T01.
        #[arg(long)]
        id: String,
        /// Backup file to read.
        #[arg(long)]
        from: PathBuf,
        /// Data directory to restore into [default: ./data/<id>].
        #[arg(long)]
        data: Option<PathBuf>,
    },
}

/// Environment variables that set configuration keys.
pub const ENV_PREFIX: &str = "LIANDONG_TOWNSHIP_";

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// This centre's id, e.g. T01.
    #[arg(long)]
    pub id: Option<String>,
    /// The county node [default: https://127.0.0.1:7443].
    #[arg(long)]
    pub county: Option<String>,
    /// Data directory [default: ./data/<id>].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Certificate directory [default: ./data/pki].
    #[arg(long)]
    pub pki: Option<PathBuf>,
    /// TOML config file (unknown keys are refused).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Admin HTTP address for /healthz, /metrics, /api/status [default: 127.0.0.1:7081].
    #[arg(long, value_name = "ADDR")]
    pub admin: Option<std::net::SocketAddr>,
    /// Print the effective configuration (defaults, file,
    /// LIANDONG_TOWNSHIP_* environment, flags) as TOML and exit.
    #[arg(long)]
    pub print_config: bool,
}

/// Which local node a clerk command talks to.
#[derive(Args, Debug, Clone)]
pub struct Local {
    /// This centre's id, e.g. T01.
    #[arg(long)]
    pub id: String,
    /// Data directory of the running node [default: ./data/<id>].
    #[arg(long)]
    pub data: Option<PathBuf>,
}

impl Local {
    fn dir(&self) -> PathBuf {
        self.data
            .clone()
            .unwrap_or_else(|| PathBuf::from("./data").join(&self.id))
    }

    fn start_hint(&self) -> String {
        format!("township-node serve --id {}", self.id)
    }
}

/// `case ...`: `--id` (and `--data`) name the local node, before or after
/// the subcommand.
#[derive(Args, Debug)]
pub struct CaseArgs {
    /// This centre's id, e.g. T01.
    #[arg(long, global = true)]
    pub id: Option<String>,
    /// Data directory of the running node [default: ./data/<id>].
    #[arg(long, global = true)]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub cmd: liandong_cli::case::CaseCommand,
}

impl CaseArgs {
    fn local(&self) -> anyhow::Result<Local> {
        let id = self
            .id
            .clone()
            .ok_or_else(|| bad_argument("--id is required: the local centre, e.g. --id T01"))?;
        Ok(Local {
            id,
            data: self.data.clone(),
        })
    }
}

#[derive(Subcommand, Debug)]
pub enum MatterCommand {
    /// Matters this centre may accept (active, at this level by default).
    List {
        #[command(flatten)]
        local: Local,
        /// township or county [default: township]; `all` for every level.
        #[arg(long, default_value = "township")]
        level: String,
        #[arg(long)]
        json: bool,
    },
    /// The one-time written notice (一次性告知) of a matter: all 十公开 fields.
    Guide {
        #[command(flatten)]
        local: Local,
        code: String,
        #[arg(long)]
        json: bool,
    },
}

async fn matter(cmd: MatterCommand, lang: Lang) -> anyhow::Result<()> {
    match cmd {
        MatterCommand::List { local, level, json } => {
            let level = liandong_cli::parse_level(&level, lang)?;
            let reply = ask_in(
                &local.dir(),
                &local.start_hint(),
                lang,
                Request::ListMatters { level },
            )
            .await?;
            liandong_cli::print_reply(reply, json, lang)
        }
        MatterCommand::Guide { local, code, json } => {
            let reply = ask_in(
                &local.dir(),
                &local.start_hint(),
                lang,
                Request::MatterGuide { code },
            )
            .await?;
            liandong_cli::print_reply(reply, json, lang)
        }
    }
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[command(flatten)]
    pub local: Local,
    #[arg(long)]
    pub json: bool,
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let lang = cli.lang;
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Case(args) => {
            let local = args.local()?;
            liandong_cli::case::run(args.cmd, &local.dir(), &local.start_hint(), lang).await
        }
        Command::Matter(cmd) => matter(cmd, lang).await,
        Command::Status(args) => status(args, lang).await,
        Command::Login {
            local,
            staff,
            password_stdin,
        } => {
            let (dir, hint) = (local.dir(), local.start_hint());
            liandong_cli::signin::login(&dir, &hint, lang, &staff, password_stdin).await
        }
        Command::Logout { local } => {
            liandong_cli::signin::logout(&local.dir(), &local.start_hint(), lang).await
        }
        Command::Whoami { local, json } => {
            liandong_cli::signin::whoami(&local.dir(), &local.start_hint(), lang, json).await
        }
        Command::Passwd {
            local,
            password_stdin,
        } => {
            let (dir, hint) = (local.dir(), local.start_hint());
            liandong_cli::signin::passwd(&dir, &hint, lang, password_stdin).await
        }
        Command::Backup { local, out } => {
            let message =
                liandong_cli::backup(&local.dir(), &local.start_hint(), lang, &out).await?;
            println!("{message}");
            Ok(())
        }
        Command::Verify { local } => {
            let me = township_id(&local.id)?;
            let (text, ok) = liandong_cli::verify(&local.dir(), &me)?;
            print!("{text}");
            if !ok {
                return Err(CommandError::StoreDamaged { dir: local.dir() }.into());
            }
            Ok(())
        }
        Command::Restore { id, from, data } => {
            let me = township_id(&id)?;
            let data = data.unwrap_or_else(|| PathBuf::from("./data").join(&id));
            let message = liandong_cli::restore(&from, &data, &me)?;
            println!("{message}");
            Ok(())
        }
    }
}

/// `--id` as this centre's node id.
fn township_id(id: &str) -> anyhow::Result<liandong_model::NodeId> {
    liandong_model::NodeId::township(id).map_err(|e| bad_argument(e.to_string()))
}

/// Reports an error to the user (never a panic) and picks the exit status
/// by the error's type: see `liandong_cli::Exit` and `--help`.
pub fn report(err: &anyhow::Error) -> std::process::ExitCode {
    liandong_cli::report(err)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut cfg: TownshipConfig =
        liandong_node::config::load(args.config.as_deref(), ENV_PREFIX, std::env::vars())?;
    if let Some(v) = args.id {
        cfg.id = v;
    }
    if let Some(v) = args.county {
        cfg.county = v;
    }
    if let Some(v) = args.data {
        cfg.data = Some(v);
    }
    if let Some(v) = args.pki {
        cfg.pki = v;
    }
    if let Some(v) = args.admin {
        cfg.admin = v;
    }
    cfg.validate()?;
    if args.print_config {
        print!("{}", liandong_node::config::to_toml(&cfg));
        return Ok(());
    }
    let shutdown = Shutdown::new();
    shutdown.on_signals();
    let town = crate::start(cfg, shutdown.clone()).await?;
    tracing::info!(node = %town.core.me(), "township node running; Ctrl-C to stop");
    shutdown.serve_until_signalled("township").await;
    Ok(())
}

async fn status(args: StatusArgs, lang: Lang) -> anyhow::Result<()> {
    let local = &args.local;
    let reply = ask_in(&local.dir(), &local.start_hint(), lang, Request::Status).await?;
    let Reply::Status(s) = reply else {
        return Err(CommandError::UnexpectedReply.into());
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&s)?);
    } else {
        print!("{}", status_text(&s));
    }
    Ok(())
}
