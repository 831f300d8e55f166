//! `routing ...`: the county's routing rules (联办路由), which departments
//! a matter's cases are routed to and which townships are asked for an
//! opinion. County data, replicated to every node; `case route` with no
//! department named uses the rule of the case's matter.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use liandong_domain::Lang;
use liandong_node::control::Request;

use super::send;

/// `routing ...`, with the county's data directory for every subcommand.
#[derive(Args, Debug)]
pub struct RoutingArgs {
    /// Data directory of the running county.
    #[arg(long, global = true, default_value = "./data/county")]
    pub data: PathBuf,
    #[command(subcommand)]
    pub cmd: RoutingCommand,
}

#[derive(Subcommand, Debug)]
pub enum RoutingCommand {
    /// Set (or replace) the routing of a matter.
    Add {
        /// Matter code, e.g. M017.
        #[arg(long)]
        matter: String,
        /// A department its cases are routed to (repeatable).
        #[arg(long = "department")]
        departments: Vec<String>,
        /// A township centre asked for an opinion (repeatable).
        #[arg(long = "township-opinion")]
        townships: Vec<String>,
    },
    /// Every routing rule.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub async fn run_routing(args: RoutingArgs, lang: Lang) -> anyhow::Result<()> {
    let (req, json) = match args.cmd {
        RoutingCommand::Add {
            matter,
            departments,
            townships,
        } => (
            Request::PutRouting {
                matter,
                departments,
                townships,
            },
            false,
        ),
        RoutingCommand::List { json } => (Request::ListRouting, json),
    };
    send(&args.data, lang, req, json).await
}
