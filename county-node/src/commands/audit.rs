//! `county-node audit list|export`: the audit log (等保 2.0) as the county
//! holds it, every node's lines included (they arrive by replication).

use std::path::PathBuf;

use clap::Subcommand;
use liandong_cli::{ask_in, bad_argument, CommandError};
use liandong_node::control::{Reply, Request};

use super::{send, NodeDir, START_HINT};

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// List audit lines, oldest first.
    List {
        /// Only this staff member's lines.
        #[arg(long)]
        staff: Option<String>,
        /// From this day (YYYY-MM-DD, CST), inclusive.
        #[arg(long)]
        from: Option<String>,
        /// Up to this day (YYYY-MM-DD, CST), inclusive.
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        node: NodeDir,
    },
    /// Write the whole audit log as JSON lines to a file.
    Export {
        /// File to write.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        node: NodeDir,
    },
}

pub async fn run(cmd: AuditCommand, lang: liandong_domain::Lang) -> anyhow::Result<()> {
    let day = |flag: &str, v: Option<String>| -> anyhow::Result<Option<chrono::NaiveDate>> {
        v.map(|v| {
            chrono::NaiveDate::parse_from_str(&v, "%Y-%m-%d")
                .map_err(|_| bad_argument(format!("{flag} `{v}`: use YYYY-MM-DD")))
        })
        .transpose()
    };
    match cmd {
        AuditCommand::List {
            staff,
            from,
            to,
            json,
            node,
        } => {
            let filter = liandong_node::identity::AuditFilter {
                staff,
                from: day("--from", from)?,
                to: day("--to", to)?,
            };
            send(&node.data, lang, Request::AuditList { filter }, json).await
        }
        AuditCommand::Export { out, node } => {
            let req = Request::AuditList {
                filter: Default::default(),
            };
            let Reply::Audit { lines } = ask_in(&node.data, START_HINT, lang, req).await? else {
                return Err(CommandError::UnexpectedReply.into());
            };
            let mut text = String::new();
            for line in &lines {
                text.push_str(&serde_json::to_string(line)?);
                text.push('\n');
            }
            std::fs::write(&out, text)
                .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
            println!(
                "{} {} → {}",
                lines.len(),
                lang.pick("条审计记录", "audit lines"),
                out.display()
            );
            Ok(())
        }
    }
}
