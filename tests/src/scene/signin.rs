//! Signing in the way a user does, for the process-level tests: one
//! person's command line at one node ([`Cli`]: the binary, the flags
//! naming the node, and the session directory standing for that person's
//! OS user, `LIANDONG_SESSION_DIR`), `login --password-stdin`, `logout`,
//! and hall management making accounts with `staff add` and
//! `staff set-password`.
//!
//! Decisions:
//! - A failed sign-in counts towards the account's lockout (five in 15
//!   minutes lock it), so a township is not polled with `login` until
//!   the credential arrives: [`Cli::sign_in_once_replicated`] logs in
//!   only once the node's `status` shows its county link caught up, and
//!   gives up after [`SIGN_IN_TRIES`] failures, before the lock.
//! - Every account the tests make gets [`PASSWORD`]; the county's first
//!   account (`admin`) keeps its one-time password
//!   ([`initial_password`]).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;

use liandong_cli::session::SESSION_DIR_VAR;
use liandong_node::identity::INITIAL_PASSWORD_FILE;
use tokio::process::Command;

use super::{json_of, Deadline, WAIT};
use crate::built_binary as bin;
use crate::{COUNTY_CLERK, PASSWORD, TOWNSHIP_CLERK};

/// Runs a command with `input` on its stdin (a password for
/// `--password-stdin`); its output.
pub async fn output_with_input(mut cmd: Command, input: &str) -> Output {
    use tokio::io::AsyncWriteExt;
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let shown = format!("{:?}", cmd.as_std());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(format!("{input}\n").as_bytes()).await;
    }
    match tokio::time::timeout(WAIT, child.wait_with_output()).await {
        Ok(out) => out.unwrap_or_else(|e| panic!("cannot run {shown}: {e}")),
        Err(_) => panic!("{shown} did not finish within {} s", WAIT.as_secs()),
    }
}

/// Failed sign-ins [`Cli::sign_in_once_replicated`] allows itself: one
/// fewer than lock the account (`liandong_identity::lockout::MAX_FAILURES`).
const SIGN_IN_TRIES: u32 = 4;

/// One person's command line at one node: the binary, the flags naming
/// the node (`--id`, `--data`) and the session directory standing for
/// that person's OS user.
#[derive(Debug, Clone)]
pub struct Cli {
    pub program: PathBuf,
    /// Appended to every command: `--data DIR` (and `--id ID`).
    pub node: Vec<OsString>,
    pub sessions: PathBuf,
}

impl Cli {
    /// `county-node … --data DIR`.
    pub fn county(data: &Path, sessions: &Path) -> Cli {
        Cli {
            program: bin("county-node"),
            node: vec!["--data".into(), data.into()],
            sessions: sessions.into(),
        }
    }

    /// `township-node … --id ID --data DIR`.
    pub fn township(id: &str, data: &Path, sessions: &Path) -> Cli {
        Cli {
            program: bin("township-node"),
            node: vec!["--id".into(), id.into(), "--data".into(), data.into()],
            sessions: sessions.into(),
        }
    }

    /// `BINARY ARGS NODE-FLAGS` in this person's session directory, not yet run.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.args(args)
            .args(&self.node)
            .env(SESSION_DIR_VAR, &self.sessions);
        cmd
    }

    /// [`Cli::command`] with `--json`.
    pub fn json(&self, args: &[&str]) -> Command {
        let mut cmd = self.command(args);
        cmd.arg("--json");
        cmd
    }

    /// Runs `ARGS` with `input` on stdin; it must succeed.
    pub async fn must(&self, args: &[&str], input: &str) -> Output {
        let cmd = self.command(args);
        let shown = format!("{:?}", cmd.as_std());
        let out = output_with_input(cmd, input).await;
        assert!(
            out.status.success(),
            "{shown} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// `login --staff STAFF --password-stdin`, whatever it answers.
    pub async fn login(&self, staff: &str, password: &str) -> Output {
        let login = ["login", "--staff", staff, "--password-stdin"];
        output_with_input(self.command(&login), password).await
    }

    /// `login`, which must succeed.
    pub async fn sign_in(&self, staff: &str, password: &str) {
        self.must(&["login", "--staff", staff, "--password-stdin"], password)
            .await;
    }

    /// `logout`, then `login` as `staff`: one OS user, one session per node.
    pub async fn switch_to(&self, staff: &str, password: &str) {
        self.must(&["logout"], "").await;
        self.sign_in(staff, password).await;
    }

    /// Signs `staff` in at a township once his credential has come from
    /// the county: waits until the township's link to the county is up
    /// with nothing left to receive, then logs in, at most
    /// [`SIGN_IN_TRIES`] times, further apart each time.
    pub async fn sign_in_once_replicated(&self, staff: &str, password: &str) {
        let deadline = Deadline::start(format!("{staff}'s credential to reach {:?}", self.node));
        let mut pause = Duration::from_millis(250);
        let mut failed = Vec::new();
        loop {
            if self.caught_up_with_county().await {
                let out = self.login(staff, password).await;
                if out.status.success() {
                    return;
                }
                failed.push(String::from_utf8_lossy(&out.stderr).trim().to_string());
                assert!(
                    failed.len() < SIGN_IN_TRIES as usize,
                    "{staff} could not sign in at {:?} although it caught up with the county: {failed:?}",
                    self.node
                );
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
            deadline.tick().await;
        }
    }

    /// Whether this node's `status` shows its county link up with no
    /// operation left to receive.
    async fn caught_up_with_county(&self) -> bool {
        let Ok(status) = json_of(self.json(&["status"])).await else {
            return false;
        };
        status["peers"].as_array().is_some_and(|peers| {
            peers.iter().any(|p| {
                p["node"].as_str().is_some_and(|n| n.starts_with("county/"))
                    && p["connected"] == true
                    && p["lag_in_ops"] == 0
            })
        })
    }
}

/// The one-time password of the county's first hall-management account
/// (`admin`), from `initial-admin-password` in its data directory.
pub fn initial_password(county_data: &Path) -> String {
    let file = county_data.join(INITIAL_PASSWORD_FILE);
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("the county's one-time password {}: {e}", file.display()));
    text.trim().to_string()
}

/// A staff account hall management makes (`staff add`, then
/// `staff set-password` with [`PASSWORD`]).
#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// The CLI spelling: `window-clerk`, `reviewer`, `supervisor`, …
    pub role: String,
    /// Centres he works at; none: the county hall.
    pub centres: Vec<String>,
}

impl Account {
    pub fn new(id: &str, name: &str, role: &str, centres: &[&str]) -> Account {
        Account {
            id: id.into(),
            name: name.into(),
            role: role.into(),
            centres: centres.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// Makes `accounts` at the county through `hall`, a session of hall
/// management.
pub async fn make_accounts(hall: &Cli, accounts: &[Account]) {
    for a in accounts {
        let mut add = vec!["staff", "add", "--id", &a.id, "--name", &a.name];
        add.extend(["--department", "D01", "--role", &a.role]);
        for c in &a.centres {
            add.extend(["--centre", c]);
        }
        hall.must(&add, "").await;
        let set = ["staff", "set-password", &a.id, "--password-stdin"];
        hall.must(&set, PASSWORD).await;
    }
}

/// The scene's clerks: C00 at the county hall, C01 at T01 to T09.
pub fn clerks() -> Vec<Account> {
    let towns: Vec<String> = (1..=9).map(|i| format!("T{i:02}")).collect();
    let towns: Vec<&str> = towns.iter().map(String::as_str).collect();
    vec![
        Account::new(COUNTY_CLERK, "窗口人员", "window-clerk", &[]),
        Account::new(TOWNSHIP_CLERK, "窗口人员", "window-clerk", &towns),
    ]
}
