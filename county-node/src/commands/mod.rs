//! The county node's command line: every command has `--help`; clerk and
//! admin commands talk to the running node through its control socket.
//! The registry commands (catalogue, staff, calendar, e-supervision) live
//! in [`matter`] (flags in [`matter_fields`]) and [`registry`], their flag
//! parsing in [`parse`].
//!
//! Failures are typed to the end: [`report`] picks the exit status from
//! the error's type (the table is in `--help`, shared with the township's
//! binary through `liandong_cli::exit`).

mod audit;
mod matter;
mod matter_fields;
mod parse;
mod registry;
mod routing;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::bail;
use clap::{Args, Parser, Subcommand};
use liandong_cli::{ask_in, bad_argument, print_reply, status_text, CommandError};
use liandong_model::{NodeId, Role};
use liandong_net::tls;
use liandong_node::control::{Reply, Request};
use liandong_node::logging::LogFormat;
use liandong_node::shutdown::Shutdown;

use liandong_node::config::county::CountyConfig;

/// Liandong county node (县级节点): the hub that townships replicate with.
#[derive(Parser, Debug)]
#[command(name = "county-node", version, about, after_help = liandong_cli::exit_codes_help())]
pub struct Cli {
    /// Log format: human or json.
    #[arg(long, global = true, default_value = "human")]
    pub log_format: LogFormat,
    /// Language of tables and messages: zh (default) or en.
    #[arg(long, global = true, default_value = "zh")]
    pub lang: liandong_domain::Lang,
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The log filter when `RUST_LOG` is not set: `info`, or the demo's
    /// own (it quiets the links it cuts on purpose unless `--verbose`).
    pub fn log_filter(&self) -> &'static str {
        match &self.command {
            Command::Demo(args) => args.log_filter(),
            _ => "info",
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the county node.
    Serve(ServeArgs),
    /// Run a department bridge (部门前置机): dials the county, holds the
    /// cases routed to its department, serves the department's system an
    /// HTTP/JSON API.
    Bridge(crate::bridge::BridgeArgs),
    /// Run a county, townships and department D03's bridge in this process
    /// over real mutual TLS, cutting and restoring links at random while a
    /// joint case crosses both levels, then report convergence.
    Demo(crate::demo::DemoArgs),
    /// Certificates: the development CA and node certificates.
    #[command(subcommand)]
    Pki(PkiCommand),
    /// Cases: every township's, and the county hall's own windows.
    Case(CaseArgs),
    /// The catalogue of matters (事项目录, county only): add, edit, retire,
    /// list, and the one-time written notice.
    Matter(Box<matter::MatterArgs>),
    /// The staff roster: roles, windows, chief-representative authorisations.
    Staff(registry::StaffArgs),
    /// The working-day calendar: statutory holidays and adjusted working days.
    Calendar(registry::CalendarArgs),
    /// Routing rules of joint matters (联办): departments and townships asked.
    Routing(routing::RoutingArgs),
    /// E-supervision (电子监察): every warning and overdue case.
    Supervision(registry::SupervisionArgs),
    /// Every peer of the running county: connected?, last contact, ops each way, lag.
    Status(StatusArgs),
    /// Sign in at the running county (a session for this OS user; 8 hours idle ends it).
    Login {
        /// Staff id (工号), e.g. admin or S02.
        #[arg(long)]
        staff: String,
        /// Read the password from one line of stdin (for scripts).
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        node: NodeDir,
    },
    /// End this OS user's session at the county.
    Logout {
        #[command(flatten)]
        node: NodeDir,
    },
    /// Who is signed in here, with which roles.
    Whoami {
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        node: NodeDir,
    },
    /// Change your own password (current, then new twice; with
    /// --password-stdin two lines: current, then new).
    Passwd {
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        node: NodeDir,
    },
    /// The audit log (等保): sign-ins, session ends and every command, from
    /// every node (townships' lines arrive by replication).
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Online, consistent backup of the running county's operations.
    Backup {
        /// Backup file to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        node: NodeDir,
    },
    /// Check a stopped county's store: hashes, feed, outbox and index entries.
    Verify {
        /// Data directory of the (stopped) county.
        #[arg(long, default_value = "./data/county")]
        data: PathBuf,
        /// County node name, as in its certificate.
        #[arg(long, default_value = "HQ")]
        name: String,
    },
    /// Restore a backup into an empty data directory (node stopped).
    Restore {
        /// Backup file to read.
        #[arg(long)]
        from: PathBuf,
        /// Data directory to restore into (must be empty or absent).
        #[arg(long)]
        data: PathBuf,
        /// County node name, as in its certificate.
        #[arg(long, default_value = "HQ")]
        name: String,
    },
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// TOML config file (unknown keys are refused).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data directory [default: ./data/county].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// gRPC address [default: 127.0.0.1:7443].
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Admin HTTP address [default: 127.0.0.1:7080].
    #[arg(long)]
    pub admin: Option<SocketAddr>,
    /// PKI directory [default: ./data/pki].
    #[arg(long)]
    pub pki: Option<PathBuf>,
    /// Print the effective configuration (defaults, file, LIANDONG_COUNTY_*
    /// environment, flags) as TOML and exit.
    #[arg(long)]
    pub print_config: bool,
}

#[derive(Subcommand, Debug)]
pub enum PkiCommand {
    /// Create the development CA (ca.pem, ca.key) if it does not exist.
    Init {
        #[arg(long, default_value = "./data/pki")]
        dir: PathBuf,
    },
    /// Issue a node certificate signed by the CA.
    Issue {
        /// township, county or bridge.
        #[arg(long)]
        role: Role,
        /// Node name, e.g. T01.
        #[arg(long)]
        id: String,
        /// Where to write ROLE-ID.pem/.key and ca.pem [default: the CA directory].
        #[arg(long)]
        out: Option<PathBuf>,
        /// DNS names or IPs the node serves under (repeatable).
        #[arg(long = "host")]
        hosts: Vec<String>,
        /// Validity in days.
        #[arg(long, default_value_t = 825)]
        days: u32,
        #[arg(long, default_value = "./data/pki")]
        dir: PathBuf,
    },
    /// List the certificates in the PKI directory.
    List {
        #[arg(long, default_value = "./data/pki")]
        dir: PathBuf,
    },
    /// Revoke every certificate of a node issued until now: the running
    /// county records it, every node learns it, and the node is refused at
    /// its next handshake. Issue a new certificate to re-enrol the node.
    Revoke {
        /// township, county or bridge.
        #[arg(long)]
        role: Role,
        /// Node name, e.g. T01.
        #[arg(long)]
        id: String,
        /// Why (kept with the revocation).
        #[arg(long, default_value = "")]
        reason: String,
        #[command(flatten)]
        node: NodeDir,
    },
}

#[derive(Args, Debug, Clone)]
pub struct NodeDir {
    /// Data directory of the running county [default: ./data/county].
    #[arg(long, default_value = "./data/county")]
    pub data: PathBuf,
}

/// `case ...` at the county hall's windows.
#[derive(Args, Debug)]
pub struct CaseArgs {
    /// Data directory of the running county [default: ./data/county].
    #[arg(long, global = true, default_value = "./data/county")]
    pub data: PathBuf,
    #[command(subcommand)]
    pub cmd: liandong_cli::case::CaseCommand,
}

#[derive(Args, Debug)]
pub struct StatusArgs {
    #[arg(long)]
    pub json: bool,
    /// Redraw every 2 seconds until Ctrl-C.
    #[arg(long)]
    pub watch: bool,
    #[command(flatten)]
    pub node: NodeDir,
}

const START_HINT: &str = "county-node serve";

/// Environment variables that set configuration keys.
pub const ENV_PREFIX: &str = "LIANDONG_COUNTY_";

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let lang = cli.lang;
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Bridge(args) => crate::bridge::run(args).await,
        Command::Demo(args) => crate::demo::run(args).await,
        Command::Pki(PkiCommand::Revoke {
            role,
            id,
            reason,
            node,
        }) => {
            let target = NodeId::new(role, &id).map_err(|e| bad_argument(e.to_string()))?;
            let req = Request::Revoke {
                node: target.to_string(),
                reason,
            };
            match ask_in(&node.data, START_HINT, lang, req).await? {
                Reply::Done { message } => {
                    println!("{message}");
                    Ok(())
                }
                _ => Err(CommandError::UnexpectedReply.into()),
            }
        }
        Command::Pki(cmd) => pki(cmd),
        Command::Case(args) => {
            liandong_cli::case::run(args.cmd, &args.data, START_HINT, lang).await
        }
        Command::Matter(args) => matter::run(*args, lang).await,
        Command::Staff(args) => registry::run_staff(args, lang).await,
        Command::Calendar(args) => registry::run_calendar(args, lang).await,
        Command::Routing(args) => routing::run_routing(args, lang).await,
        Command::Supervision(args) => registry::run_supervision(args, lang).await,
        Command::Status(args) => status(args, lang).await,
        Command::Login {
            staff,
            password_stdin,
            node,
        } => {
            liandong_cli::signin::login(&node.data, START_HINT, lang, &staff, password_stdin).await
        }
        Command::Logout { node } => {
            liandong_cli::signin::logout(&node.data, START_HINT, lang).await
        }
        Command::Whoami { json, node } => {
            liandong_cli::signin::whoami(&node.data, START_HINT, lang, json).await
        }
        Command::Passwd {
            password_stdin,
            node,
        } => liandong_cli::signin::passwd(&node.data, START_HINT, lang, password_stdin).await,
        Command::Audit(cmd) => audit::run(cmd, lang).await,
        Command::Backup { out, node } => {
            let message = liandong_cli::backup(&node.data, START_HINT, lang, &out).await?;
            println!("{message}");
            Ok(())
        }
        Command::Verify { data, name } => {
            let (text, ok) = liandong_cli::verify(&data, &county_id(&name)?)?;
            print!("{text}");
            if !ok {
                return Err(CommandError::StoreDamaged { dir: data }.into());
            }
            Ok(())
        }
        Command::Restore { from, data, name } => {
            let me = county_id(&name)?;
            let message = liandong_cli::restore(&from, &data, &me)?;
            println!("{message}");
            Ok(())
        }
    }
}

/// `--name` as the county's node id.
fn county_id(name: &str) -> anyhow::Result<NodeId> {
    NodeId::county(name).map_err(|e| bad_argument(e.to_string()))
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let mut cfg: CountyConfig =
        liandong_node::config::load(args.config.as_deref(), ENV_PREFIX, std::env::vars())?;
    if let Some(v) = args.data {
        cfg.data = v;
    }
    if let Some(v) = args.listen {
        cfg.listen = v;
    }
    if let Some(v) = args.admin {
        cfg.admin = v;
    }
    if let Some(v) = args.pki {
        cfg.pki = v;
    }
    cfg.validate()?;
    if args.print_config {
        print!("{}", liandong_node::config::to_toml(&cfg));
        return Ok(());
    }
    let shutdown = Shutdown::new();
    shutdown.on_signals();
    let county = crate::start(cfg, shutdown.clone()).await?;
    tracing::info!(grpc = %county.grpc_addr, admin = %county.admin_addr, "county node running; Ctrl-C to stop");
    shutdown.serve_until_signalled("county").await;
    Ok(())
}

fn pki(cmd: PkiCommand) -> anyhow::Result<()> {
    tls::install_crypto_provider();
    match cmd {
        PkiCommand::Init { dir } => {
            let c = tls::init_ca(&dir)?;
            if c.created {
                println!(
                    "created development CA {} (key {})",
                    c.cert_path.display(),
                    c.key_path.display()
                );
            } else {
                println!("CA already exists at {}; unchanged", c.cert_path.display());
            }
        }
        PkiCommand::Issue {
            role,
            id,
            out,
            hosts,
            days,
            dir,
        } => {
            let node = NodeId::new(role, &id).map_err(|e| bad_argument(e.to_string()))?;
            let ca = tls::Ca::load(&dir)?;
            let issued = ca.issue(&node, &hosts, days)?;
            let out = out.unwrap_or_else(|| dir.clone());
            let files = tls::write_node_cert(&out, &node, &issued, &dir)?;
            println!(
                "issued {} ({}): {} {} {}",
                node,
                node.uri(),
                files.cert.display(),
                files.key.display(),
                files.ca.display()
            );
        }
        PkiCommand::Revoke { .. } => bail!("revoke needs the running county"),
        PkiCommand::List { dir } => {
            for c in tls::list_certs(&dir)? {
                println!("{c}");
            }
        }
    }
    Ok(())
}

async fn status(args: StatusArgs, lang: liandong_domain::Lang) -> anyhow::Result<()> {
    loop {
        let reply = ask_in(&args.node.data, START_HINT, lang, Request::Status).await?;
        let Reply::Status(s) = reply else {
            return Err(CommandError::UnexpectedReply.into());
        };
        let text = if args.json {
            serde_json::to_string_pretty(&s)? + "\n"
        } else {
            status_text(&s)
        };
        if !args.watch {
            print!("{text}");
            return Ok(());
        }
        // Clear the screen and redraw.
        print!("\x1b[2J\x1b[H{text}");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
        }
    }
}

/// Sends one request to the running county and prints the reply (a table
/// or text in `lang`, or JSON).
async fn send(
    data: &Path,
    lang: liandong_domain::Lang,
    req: Request,
    json: bool,
) -> anyhow::Result<()> {
    let reply = ask_in(data, START_HINT, lang, req).await?;
    print_reply(reply, json, lang)
}

/// Reports an error to the user (never a panic) and picks the exit status
/// by the error's type: see `liandong_cli::Exit` and `--help`.
pub fn report(err: &anyhow::Error) -> std::process::ExitCode {
    liandong_cli::report(err)
}
