//! `county-node bridge`: runs a department bridge (部门前置机) on the
//! department's front-end processor. The node itself lives in
//! `liandong-node` ([`start`] is its boot; the API in
//! `liandong_node::bridge`); this module reads its configuration (TOML
//! file, then `LIANDONG_BRIDGE_*` environment, then flags) and runs it
//! until a signal.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use liandong_node::config::bridge::BridgeConfig;
use liandong_node::shutdown::Shutdown;

pub use liandong_node::boot::bridge::{
    start_bridge as start, start_bridge_with as start_with, Bridge,
};

/// Environment variables that set configuration keys.
pub const ENV_PREFIX: &str = "LIANDONG_BRIDGE_";

/// Runs a department bridge: it dials the county like a township, holds
/// the cases routed to its department, and serves the department's own
/// system an HTTP/JSON API (bearer token; OpenAPI at /openapi.json).
#[derive(Args, Debug)]
pub struct BridgeArgs {
    /// The department served, e.g. D03 (node bridge/D03).
    #[arg(long)]
    pub department: Option<String>,
    /// The county node [default: https://127.0.0.1:7443].
    #[arg(long)]
    pub county: Option<String>,
    /// The API's address [default: 127.0.0.1:7090]; plain HTTP, keep it on loopback.
    #[arg(long, value_name = "ADDR")]
    pub api: Option<SocketAddr>,
    /// Data directory [default: ./data/bridge-<department>].
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Certificate directory [default: ./data/pki].
    #[arg(long)]
    pub pki: Option<PathBuf>,
    /// The API's bearer-token file, made 0600 with a random token when
    /// missing [default: <data>/api-token].
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// POST each new case and event here, HMAC-signed with the token,
    /// retried until 2xx (http:// only).
    #[arg(long, value_name = "URL")]
    pub webhook: Option<String>,
    /// TOML config file (unknown keys are refused).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print the effective configuration (defaults, file,
    /// LIANDONG_BRIDGE_* environment, flags) as TOML and exit.
    #[arg(long)]
    pub print_config: bool,
}

/// The configuration from file, environment and `args`.
pub fn config(args: &BridgeArgs) -> anyhow::Result<BridgeConfig> {
    let mut cfg: BridgeConfig =
        liandong_node::config::load(args.config.as_deref(), ENV_PREFIX, std::env::vars())?;
    if let Some(v) = &args.department {
        cfg.department = v.clone();
    }
    if let Some(v) = &args.county {
        cfg.county = v.clone();
    }
    if let Some(v) = args.api {
        cfg.api = v;
    }
    if let Some(v) = &args.data {
        cfg.data = Some(v.clone());
    }
    if let Some(v) = &args.pki {
        cfg.pki = v.clone();
    }
    if let Some(v) = &args.token_file {
        cfg.token_file = Some(v.clone());
    }
    if let Some(v) = &args.webhook {
        cfg.webhook = Some(v.clone());
    }
    cfg.validate()?;
    Ok(cfg)
}

pub async fn run(args: BridgeArgs) -> anyhow::Result<()> {
    let cfg = config(&args)?;
    if args.print_config {
        print!("{}", liandong_node::config::to_toml(&cfg));
        return Ok(());
    }
    let shutdown = Shutdown::new();
    shutdown.on_signals();
    let bridge = start(cfg, shutdown.clone()).await?;
    tracing::info!(node = %bridge.core.me(), api = %bridge.api_addr, token = %bridge.token_path.display(), "bridge running; Ctrl-C to stop");
    shutdown.serve_until_signalled("bridge").await;
    Ok(())
}
