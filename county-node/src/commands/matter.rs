//! `county-node matter ...`: the catalogue of matters (事项目录) with all
//! 十公开 fields. Only the county writes it; every node replicates it.
//!
//! `add` builds a whole matter from flags and replaces any matter with the
//! same code; `edit` reads the current version from the node, changes only
//! the fields given and writes a new version; `retire` stops new cases.
//! The flags of `add`/`edit` and the matter they build are in
//! [`super::matter_fields`]; rules across fields are checked by the node.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use liandong_cli::{ask_in, bad_argument, parse_level, CommandError};
use liandong_domain::{Lang, Matter};
use liandong_node::control::{Reply, Request};

use super::matter_fields::{edited_matter, new_matter, AddArgs, EditArgs};
use super::parse::FlagError;
use super::{send, START_HINT};

/// `matter ...`, with the county's data directory for every subcommand.
#[derive(Args, Debug)]
pub struct MatterArgs {
    /// Data directory of the running county.
    #[arg(long, global = true, default_value = "./data/county")]
    pub data: PathBuf,
    #[command(subcommand)]
    pub cmd: MatterCommand,
}

#[derive(Subcommand, Debug)]
pub enum MatterCommand {
    /// Add a matter (or replace the one with this code) with its 十公开
    /// fields; it replicates to every township.
    Add(AddArgs),
    /// Change some fields of a matter; the others keep their values.
    Edit(EditArgs),
    /// Retire a matter: no new cases; cases under way go on.
    Retire {
        #[command(flatten)]
        code: CodeArg,
    },
    /// Active matters of the catalogue.
    List {
        /// township, county or all.
        #[arg(long, default_value = "all")]
        level: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// The one-time written notice (一次性告知) of a matter: all 十公开 fields.
    Guide {
        #[command(flatten)]
        code: CodeArg,
        /// Print JSON instead of the printable notice.
        #[arg(long)]
        json: bool,
    },
}

/// A matter code, positional or as `--code`.
#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct CodeArg {
    /// Matter code (基本编码), e.g. M001.
    #[arg(value_name = "CODE")]
    positional: Option<String>,
    /// The same, as a flag.
    #[arg(long = "code", value_name = "CODE")]
    flag: Option<String>,
}

impl CodeArg {
    fn into_code(self) -> String {
        self.positional.or(self.flag).unwrap_or_default()
    }
}

pub async fn run(args: MatterArgs, lang: Lang) -> anyhow::Result<()> {
    let data = args.data.as_path();
    let flag = |e: FlagError| bad_argument(e.message(lang));
    match args.cmd {
        MatterCommand::Add(add) => {
            let matter = new_matter(&add).map_err(flag)?;
            put(data, lang, matter).await
        }
        MatterCommand::Edit(edit) => {
            let current = guide(data, lang, edit.code.clone()).await?;
            let matter = edited_matter(&current, &edit).map_err(flag)?;
            if matter == current {
                return Err(bad_argument(lang.pick(
                    "没有要修改的内容：请至少给出一个字段，如 --name 或 --promised-days",
                    "nothing to change: give at least one field, e.g. --name or --promised-days",
                )));
            }
            put(data, lang, matter).await
        }
        MatterCommand::Retire { code } => {
            let req = Request::RetireMatter {
                code: code.into_code(),
            };
            send(data, lang, req, false).await
        }
        MatterCommand::List { level, json } => {
            let level = parse_level(&level, lang)?;
            send(data, lang, Request::ListMatters { level }, json).await
        }
        MatterCommand::Guide { code, json } => {
            let req = Request::MatterGuide {
                code: code.into_code(),
            };
            send(data, lang, req, json).await
        }
    }
}

async fn put(data: &Path, lang: Lang, matter: Matter) -> anyhow::Result<()> {
    let req = Request::PutMatter {
        matter: Box::new(matter),
    };
    send(data, lang, req, false).await
}

/// The current version of a matter, from the running county.
async fn guide(data: &Path, lang: Lang, code: String) -> anyhow::Result<Matter> {
    match ask_in(data, START_HINT, lang, Request::MatterGuide { code }).await? {
        Reply::Guide { matter } => Ok(*matter),
        _ => Err(CommandError::UnexpectedReply.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: MatterCommand,
    }

    fn parse(args: &[&str]) -> MatterCommand {
        Cli::try_parse_from(std::iter::once("matter").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"))
            .cmd
    }

    #[test]
    fn retire_and_guide_take_the_code_positionally_or_as_a_flag() {
        let code = |args: &[&str]| match parse(args) {
            MatterCommand::Retire { code } | MatterCommand::Guide { code, .. } => code.into_code(),
            _ => panic!("not retire or guide"),
        };
        assert_eq!(code(&["retire", "M001"]), "M001");
        assert_eq!(code(&["retire", "--code", "M002"]), "M002");
        assert_eq!(code(&["guide", "M003", "--json"]), "M003");
        let both = Cli::try_parse_from(["matter", "retire", "M1", "--code", "M2"]);
        assert!(both.is_err());
        assert!(Cli::try_parse_from(["matter", "retire"]).is_err());
    }
}
