//! The clerk's and the operator's side of a namespace run: the built
//! binaries' commands (`status`, `case accept`, `case list`, all `--json`)
//! run from this process's own namespace and reach each node through the
//! control socket in its data directory, a file path, which every
//! namespace shares. Also where a run keeps its PKI, data and logs.
//!
//! Every command runs with the run's own session directory
//! ([`NodeDirs::sessions`]) and signs in like a user ([`crate::scene::Cli`]):
//! hall management makes the clerks with the county's one-time password,
//! C00 works at the county, C01 at every township once his credential has
//! reached it.
//!
//! Also the checks on a `case list --json`: every case once, exactly the
//! expected ones.
//!
//! Every command is bounded by [`COMMAND_LIMIT`] and killed past it. It
//! does not start nodes (that is [`super::Lab::spawn`]).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::process::Command;

use crate::built_binary;
use crate::scene::{clerks, initial_password, make_accounts, Cli};
use crate::{COUNTY_CLERK, PASSWORD, TOWNSHIP_CLERK};
use liandong_cli::session::SESSION_DIR_VAR;
use liandong_node::identity::INITIAL_ADMIN;

/// Longest a command may run.
pub const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// Runs a command to completion (killed if it outlives [`COMMAND_LIMIT`]).
pub async fn output(mut cmd: Command) -> Output {
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    let shown = format!("{:?}", cmd.as_std());
    match tokio::time::timeout(COMMAND_LIMIT, cmd.output()).await {
        Ok(out) => out.unwrap_or_else(|e| panic!("cannot run {shown}: {e}")),
        Err(_) => panic!(
            "{shown} did not finish within {} s",
            COMMAND_LIMIT.as_secs()
        ),
    }
}

/// A command's stdout as JSON, or its stderr if it failed.
pub async fn json_of(cmd: Command) -> Result<Value, String> {
    let out = output(cmd).await;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("stdout is not JSON: {e}"))
}

/// Where one run keeps its PKI, the nodes' data directories and logs.
#[derive(Debug, Clone)]
pub struct NodeDirs {
    pub root: PathBuf,
}

impl NodeDirs {
    pub fn pki(&self) -> PathBuf {
        self.root.join("pki")
    }

    /// `county` or a township id.
    pub fn data(&self, node: &str) -> PathBuf {
        self.root.join(node)
    }

    pub fn log(&self, node: &str) -> PathBuf {
        self.root.join(format!("{node}.log"))
    }

    /// The session directory of every command of the run.
    pub fn sessions(&self) -> PathBuf {
        self.root.join("sessions")
    }

    pub fn county_cli(&self) -> Cli {
        Cli::county(&self.data("county"), &self.sessions())
    }

    pub fn township_cli(&self, id: &str) -> Cli {
        Cli::township(id, &self.data(id), &self.sessions())
    }

    /// At the running county: hall management makes the clerks (C00 at
    /// the county, C01 at the townships), then C00 signs in there.
    pub async fn make_clerks(&self) {
        let county = self.county_cli();
        let admin = initial_password(&self.data("county"));
        county.sign_in(INITIAL_ADMIN, &admin).await;
        make_accounts(&county, &clerks()).await;
        county.switch_to(COUNTY_CLERK, PASSWORD).await;
    }

    /// C01 signs in at township `id` once his credential has reached it.
    pub async fn sign_in_township(&self, id: &str) {
        self.township_cli(id)
            .sign_in_once_replicated(TOWNSHIP_CLERK, PASSWORD)
            .await;
    }

    /// Copies the nodes' logs into `dir` (kept after the run).
    pub fn keep_logs(&self, nodes: &[&str], dir: &Path) {
        let _ = std::fs::create_dir_all(dir);
        for node in nodes {
            let _ = std::fs::copy(self.log(node), dir.join(format!("{node}.log")));
        }
    }

    /// Prints the last `lines` lines of each node's log to stderr.
    pub fn print_log_tails(&self, nodes: &[&str], lines: usize) {
        for node in nodes {
            let text = std::fs::read_to_string(self.log(node)).unwrap_or_default();
            let all: Vec<&str> = text.lines().collect();
            let tail = &all[all.len().saturating_sub(lines)..];
            eprintln!("===== {node} (last {} lines) =====", tail.len());
            for line in tail {
                eprintln!("{line}");
            }
        }
    }

    /// `county-node pki init`: the development CA every node enrols with.
    pub async fn init_ca(&self) -> Result<(), String> {
        let mut cmd = Command::new(built_binary("county-node"));
        cmd.args(["pki", "init", "--dir"]).arg(self.pki());
        cmd.env(SESSION_DIR_VAR, self.sessions());
        let out = output(cmd).await;
        if out.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&out.stderr).into_owned())
        }
    }

    /// `county-node ARGS --data DIR --json`.
    pub async fn county(&self, args: &[&str]) -> Result<Value, String> {
        json_of(self.county_cli().json(args)).await
    }

    /// `township-node ARGS --id ID --data DIR --json`.
    pub async fn township(&self, id: &str, args: &[&str]) -> Result<Value, String> {
        json_of(self.township_cli(id).json(args)).await
    }

    /// The county's status entry for township `id`.
    pub async fn county_view(&self, id: &str) -> Option<Value> {
        let status = self.county(&["status"]).await.ok()?;
        let node = format!("township/{id}");
        status["peers"]
            .as_array()?
            .iter()
            .find(|p| p["node"] == node.as_str())
            .cloned()
    }

    /// `case accept` of a new application for matter M001; the case id.
    pub async fn accept(&self, id: &str, applicant_id: &str) -> Result<String, String> {
        let args = [
            "case",
            "accept",
            "--matter",
            "M001",
            "--applicant-name",
            "张三",
            "--applicant-id",
            applicant_id,
        ];
        let case = self.township(id, &args).await?;
        case["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no `id` in the accept JSON: {case}"))
    }
}

/// Case ids in a `case list --json`, failing on a duplicate.
pub fn listed_once(holder: &str, list: &Value) -> BTreeSet<String> {
    let ids: Vec<String> = list
        .as_array()
        .unwrap_or_else(|| panic!("{holder}: case list is not an array: {list}"))
        .iter()
        .map(|c| c["id"].as_str().expect("case id").to_string())
        .collect();
    let once: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(
        once.len(),
        ids.len(),
        "{holder} lists {} case(s) twice",
        ids.len() - once.len()
    );
    once
}

/// `held` is exactly `expected`, or the test fails saying what differs.
pub fn assert_same(holder: &str, held: &BTreeSet<String>, expected: &BTreeSet<String>) {
    let missing: Vec<&String> = expected.difference(held).collect();
    let extra: Vec<&String> = held.difference(expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{holder}: {} case(s) missing (first {:?}), {} unexpected (first {:?})",
        missing.len(),
        missing.first(),
        extra.len(),
        extra.first()
    );
}
