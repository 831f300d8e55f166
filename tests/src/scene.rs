//! Process-level scenes: the built `county-node` and `township-node`
//! binaries run as child processes with their own data directories, on
//! free loopback ports, over real mutual TLS from a development CA, driven
//! through their command lines (clerk commands go over each node's control
//! socket). Shared by the process tests (`tests/tests/processes.rs`) and
//! the crash loop (`tests/tests/crash_loop.rs`).
//!
//! Every command runs with a session directory (`LIANDONG_SESSION_DIR`
//! under the scene's root; one directory stands for one OS user) and signs
//! in like a user ([`Cli`]): the county's first hall-management account
//! with its one-time password makes the scene's clerks, then each node's
//! commands run in the session of its clerk (C00 at the county, C01 at
//! every township), a township's once his credential has replicated there
//! (`scene/signin.rs`).
//!
//! The binaries must be built first (`cargo build --workspace --bins`);
//! nothing here builds them. A scene dropped during a panic prints the logs
//! of its latest processes. Time only bounds waits; nothing here asserts on
//! timing.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

mod signin;

use crate::{accept_cases, free_port, Net, COUNTY_CLERK, PASSWORD, TOWNSHIP_CLERK};
use liandong_cli::session::SESSION_DIR_VAR;
use liandong_node::identity::INITIAL_ADMIN;
use serde_json::Value;
pub use signin::{clerks, initial_password, make_accounts, output_with_input, Account, Cli};
use tokio::process::{Child, Command};

/// Longest wait for anything: a node to start, a command, convergence.
pub const WAIT: Duration = Duration::from_secs(60);

/// Pause between two polls of a node's status.
pub const POLL: Duration = Duration::from_millis(20);

/// Cases written straight into a township's store before its process runs:
/// two operations each, so several replication batches, and a transfer that
/// lasts long enough to be interrupted.
pub const BULK_CASES: usize = 4000;

use crate::built_binary as bin;

/// Runs a command to completion (killed if it outlives `limit`).
pub async fn output(mut cmd: Command, limit: Duration) -> Output {
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    let shown = format!("{:?}", cmd.as_std());
    match tokio::time::timeout(limit, cmd.output()).await {
        Ok(out) => out.unwrap_or_else(|e| panic!("cannot run {shown}: {e}")),
        Err(_) => panic!("{shown} did not finish within {} s", limit.as_secs()),
    }
}

/// A command's stdout as JSON, or its stderr if it failed.
pub async fn json_of(cmd: Command) -> Result<Value, String> {
    let out = output(cmd, WAIT).await;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("stdout is not JSON: {e}"))
}

/// A bounded wait that fails naming what it waited for.
pub struct Deadline {
    what: String,
    until: Instant,
}

impl Deadline {
    pub fn start(what: impl Into<String>) -> Deadline {
        Deadline {
            what: what.into(),
            until: Instant::now() + WAIT,
        }
    }

    pub async fn tick(&self) {
        assert!(
            Instant::now() < self.until,
            "gave up after {} s waiting for {}",
            WAIT.as_secs(),
            self.what
        );
        tokio::time::sleep(POLL).await;
    }
}

/// A node process; SIGKILLed if dropped while running.
pub struct NodeProcess {
    pub child: Child,
    pub label: String,
    /// Its stdout and stderr.
    pub log: PathBuf,
}

impl NodeProcess {
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited early ({status}); its log is printed below",
                self.label
            );
        }
    }

    /// SIGKILL: no shutdown, no flush, no cleanup of the control socket.
    pub async fn sigkill(mut self) {
        self.child.start_kill().expect("SIGKILL sent");
        self.child.wait().await.expect("killed process reaped");
    }

    /// SIGTERM, then waits for the drain; the process must exit 0.
    pub async fn stop(mut self) {
        let pid = self.child.id().expect("process still running");
        let sent = std::process::Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM {pid}");
        let status = tokio::time::timeout(WAIT, self.child.wait())
            .await
            .unwrap_or_else(|_| panic!("{} did not stop within {WAIT:?}", self.label))
            .expect("exit status");
        assert!(status.success(), "{} stopped with {status}", self.label);
    }
}

/// One test's machine: a temp root holding the PKI, the data directories and
/// every process's log; the county's ports stay the same across restarts.
pub struct Scene {
    pub net: Net,
    pub grpc: u16,
    pub admin: u16,
    started: Cell<u32>,
    /// Whether the county's accounts exist and its clerk is signed in.
    county_signed_in: Cell<bool>,
    /// Townships whose clerk is signed in.
    signed_in: RefCell<BTreeSet<String>>,
}

impl Scene {
    pub fn new() -> Scene {
        Scene {
            net: Net::new(),
            grpc: free_port(),
            admin: free_port(),
            started: Cell::new(0),
            county_signed_in: Cell::new(false),
            signed_in: RefCell::new(BTreeSet::new()),
        }
    }

    /// The session directory of the scene's clerks.
    pub fn sessions(&self) -> PathBuf {
        self.root().join("sessions")
    }

    /// The session directory of someone else (another OS user).
    pub fn sessions_of(&self, person: &str) -> PathBuf {
        self.root().join(format!("sessions-{person}"))
    }

    /// A command of one of the built binaries, in the clerks' sessions.
    pub fn command(&self, binary: &str) -> Command {
        let mut cmd = Command::new(bin(binary));
        cmd.env(SESSION_DIR_VAR, self.sessions());
        cmd
    }

    /// The county's command line, in the clerks' sessions.
    pub fn county_cli(&self) -> Cli {
        Cli::county(&self.net.dir("county"), &self.sessions())
    }

    /// Township `id`'s command line, in the clerks' sessions.
    pub fn township_cli(&self, id: &str) -> Cli {
        Cli::township(id, &self.net.dir(id), &self.sessions())
    }

    /// Once per scene, at the running county: hall management signs in
    /// with the one-time password, makes the [`clerks`], and the county's
    /// commands then run as C00.
    pub async fn sign_in_county(&self) {
        if self.county_signed_in.get() {
            return;
        }
        let county = self.county_cli();
        county
            .sign_in(INITIAL_ADMIN, &initial_password(&self.net.dir("county")))
            .await;
        make_accounts(&county, &clerks()).await;
        county.switch_to(COUNTY_CLERK, PASSWORD).await;
        self.county_signed_in.set(true);
    }

    /// Runs county commands as hall management (`admin`, signed in with
    /// the one-time password), then signs C00 in again.
    pub async fn as_hall(&self, commands: &[(&[&str], &str)]) {
        let county = self.switch_to_hall().await;
        for (args, input) in commands {
            county.must(args, input).await;
        }
        county.switch_to(COUNTY_CLERK, PASSWORD).await;
    }

    /// Makes more accounts as hall management, like [`Scene::as_hall`].
    pub async fn add_accounts(&self, accounts: &[Account]) {
        let county = self.switch_to_hall().await;
        make_accounts(&county, accounts).await;
        county.switch_to(COUNTY_CLERK, PASSWORD).await;
    }

    async fn switch_to_hall(&self) -> Cli {
        self.sign_in_county().await;
        let county = self.county_cli();
        let admin = initial_password(&self.net.dir("county"));
        county.switch_to(INITIAL_ADMIN, &admin).await;
        county
    }

    /// Once per township: its clerk C01 signs in there, once his
    /// credential has reached it from the county.
    pub async fn sign_in_township(&self, id: &str) {
        if self.signed_in.borrow().contains(id) {
            return;
        }
        self.sign_in_county().await;
        self.township_cli(id)
            .sign_in_once_replicated(TOWNSHIP_CLERK, PASSWORD)
            .await;
        self.signed_in.borrow_mut().insert(id.to_string());
    }

    /// A township's first day: the county and the township run until the
    /// clerk's credential has reached it and he signed in there, then
    /// both stop (SIGTERM); the session outlives the restarts.
    pub async fn enrol_township(&self, id: &str) {
        let county = self.start_county().await;
        let town = self.start_township(id).await;
        town.stop().await;
        county.stop().await;
    }

    pub fn root(&self) -> &Path {
        self.net.root.path()
    }

    pub fn spawn(&self, label: &str, mut cmd: Command) -> NodeProcess {
        self.started.set(self.started.get() + 1);
        let log = self
            .root()
            .join(format!("{:04}-{label}.log", self.started.get()));
        let file = std::fs::File::create(&log).expect("log file");
        let out = file.try_clone().expect("log file handle");
        cmd.current_dir(self.root())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(file)
            .kill_on_drop(true);
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {label}: {e}"));
        NodeProcess {
            child,
            label: label.into(),
            log,
        }
    }

    /// Starts `county-node serve`, waits until it answers `status`, and
    /// (once per scene) signs its clerk in.
    pub async fn start_county(&self) -> NodeProcess {
        let node = self.ready(self.spawn_county(), None).await;
        self.sign_in_county().await;
        node
    }

    /// Starts `county-node serve` without waiting for it.
    pub fn spawn_county(&self) -> NodeProcess {
        let mut cmd = self.command("county-node");
        cmd.arg("serve").arg("--data").arg(self.net.dir("county"));
        cmd.args(["--listen", &format!("127.0.0.1:{}", self.grpc)]);
        cmd.args(["--admin", &format!("127.0.0.1:{}", self.admin)]);
        cmd.arg("--pki").arg(self.net.pki());
        self.spawn("county", cmd)
    }

    /// Starts `township-node serve`, waits until it answers `status`, and
    /// (once per township) signs its clerk in, which needs the county.
    pub async fn start_township(&self, id: &str) -> NodeProcess {
        let node = self.ready(self.spawn_township(id), Some(id)).await;
        self.sign_in_township(id).await;
        node
    }

    /// Starts `township-node serve` without waiting for it.
    pub fn spawn_township(&self, id: &str) -> NodeProcess {
        let mut cmd = self.command("township-node");
        cmd.args(["serve", "--id", id]);
        cmd.args(["--county", &format!("https://localhost:{}", self.grpc)]);
        cmd.args(["--admin", "127.0.0.1:0"]);
        cmd.arg("--data").arg(self.net.dir(id));
        cmd.arg("--pki").arg(self.net.pki());
        self.spawn(id, cmd)
    }

    /// Waits until the county (or township `id`) answers `status`.
    ///
    /// A node that exits because one of its fixed ports was taken while it
    /// was down (another process on this host bound it, e.g. as an
    /// ephemeral port) is started again, a few times: the scene keeps the
    /// county's ports across restarts, the host does not reserve them.
    pub async fn ready(&self, mut node: NodeProcess, township: Option<&str>) -> NodeProcess {
        let deadline = Deadline::start(format!("{} to answer `status`", node.label));
        let mut port_retries = 0;
        loop {
            let status = match township {
                Some(id) => self.township_json(id, &["status"]).await,
                None => self.county_json(&["status"]).await,
            };
            if status.is_ok() {
                return node;
            }
            let exited = matches!(node.child.try_wait(), Ok(Some(_)));
            let log = std::fs::read_to_string(&node.log).unwrap_or_default();
            if exited && log.contains("Address already in use") && port_retries < 20 {
                port_retries += 1;
                tokio::time::sleep(Duration::from_millis(250)).await;
                node = match township {
                    Some(id) => self.spawn_township(id),
                    None => self.spawn_county(),
                };
                continue;
            }
            node.assert_running();
            deadline.tick().await;
        }
    }

    /// The command `county-node ARGS --data DIR --json`, not yet run.
    pub fn county_command(&self, args: &[&str]) -> Command {
        self.county_cli().json(args)
    }

    /// The command `township-node ARGS --id ID --data DIR --json`, not yet run.
    pub fn township_command(&self, id: &str, args: &[&str]) -> Command {
        self.township_cli(id).json(args)
    }

    /// `county-node ARGS --data DIR --json`.
    pub async fn county_json(&self, args: &[&str]) -> Result<Value, String> {
        json_of(self.county_command(args)).await
    }

    /// `township-node ARGS --id ID --data DIR --json`.
    pub async fn township_json(&self, id: &str, args: &[&str]) -> Result<Value, String> {
        json_of(self.township_command(id, args)).await
    }

    /// Accepts a case at a township's window (`case accept --json`); its id.
    pub async fn accept(&self, id: &str, id_number: &str) -> String {
        let args = [
            "case",
            "accept",
            "--matter",
            "M001",
            "--applicant-name",
            "张三",
            "--applicant-id",
            id_number,
        ];
        let case = self.township_json(id, &args).await;
        let case = case.unwrap_or_else(|e| panic!("case accept at {id} failed: {e}"));
        case["id"]
            .as_str()
            .expect("`id` in the accept JSON")
            .to_string()
    }

    /// Accepts `n` cases at a township through the CLI; their ids.
    pub async fn accept_n(&self, id: &str, n: usize) -> Vec<String> {
        let mut ids = Vec::new();
        for i in 0..n {
            ids.push(self.accept(id, &crate::resident_id(i as u32)).await);
        }
        ids
    }

    /// Writes [`BULK_CASES`] into a township's store in-process while no
    /// process runs it; their ids.
    pub async fn seed(&self, id: &str) -> BTreeSet<String> {
        let town = self.net.township(id, self.grpc, None).await;
        let ids = accept_cases(town.core(), BULK_CASES);
        town.stop().await;
        ids.into_iter().collect()
    }

    /// Polls the county until it has received some, not all, of the
    /// operations township `id` holds.
    pub async fn wait_mid_transfer(&self, id: &str) {
        let status = self.township_json(id, &["status"]).await;
        let total = status.expect("township status")["ops_held"]
            .as_u64()
            .expect("ops_held");
        let deadline = Deadline::start(format!("the county to start receiving {id}'s operations"));
        loop {
            let received = match self.county_json(&["status"]).await {
                Ok(status) => peer(&status, id)
                    .and_then(|p| p["ops_received"].as_u64())
                    .unwrap_or(0),
                Err(_) => 0,
            };
            assert!(
                received < total,
                "the county received all {total} operations before the test could interrupt the transfer; raise BULK_CASES"
            );
            if received > 0 {
                return;
            }
            deadline.tick().await;
        }
    }

    /// Waits until the county's digest of the township's scope equals the
    /// township's own digest, then checks both list exactly `expected`.
    pub async fn assert_converges(&self, id: &str, expected: &BTreeSet<String>) {
        let deadline = Deadline::start(format!("the county's digest of {id} to equal {id}'s own"));
        loop {
            let county = self.county_json(&["status"]).await.ok();
            let town = self.township_json(id, &["status"]).await.ok();
            let view = county
                .as_ref()
                .and_then(|s| peer(s, id))
                .map(|p| p["scope_digest"].clone());
            let own = town.map(|s| s["digest"].clone());
            if view.is_some() && view == own {
                break;
            }
            deadline.tick().await;
        }
        let at_county = self.county_json(&["case", "list", "--township", id]).await;
        assert_same_cases(
            "the county",
            &at_county.expect("county case list"),
            expected,
        );
        let at_town = self.township_json(id, &["case", "list"]).await;
        assert_same_cases(id, &at_town.expect("township case list"), expected);
    }
}

impl Default for Scene {
    fn default() -> Self {
        Scene::new()
    }
}

/// Logs printed when a scene fails: the latest processes' (a crash loop
/// starts hundreds).
const LOGS_SHOWN: usize = 8;

impl Drop for Scene {
    /// On failure, prints the logs (stderr and stdout) of the latest
    /// [`LOGS_SHOWN`] processes.
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        let mut logs: Vec<PathBuf> = std::fs::read_dir(self.root())
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "log"))
            .collect();
        logs.sort();
        let skipped = logs.len().saturating_sub(LOGS_SHOWN);
        if skipped > 0 {
            eprintln!("({skipped} earlier process logs not shown)");
        }
        for log in logs.into_iter().skip(skipped) {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            eprintln!("===== {} =====\n{text}", log.display());
        }
    }
}

/// The county's status entry for township `id`.
pub fn peer<'a>(status: &'a Value, id: &str) -> Option<&'a Value> {
    let node = format!("township/{id}");
    status["peers"]
        .as_array()?
        .iter()
        .find(|p| p["node"] == node.as_str())
}

/// A `case list --json` holds every expected case once and nothing else.
pub fn assert_same_cases(holder: &str, list: &Value, expected: &BTreeSet<String>) {
    let ids: Vec<&str> = list
        .as_array()
        .expect("case list is an array")
        .iter()
        .map(|c| c["id"].as_str().expect("case id"))
        .collect();
    let held: BTreeSet<String> = ids.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        held.len(),
        ids.len(),
        "{holder} lists {} duplicate case(s)",
        ids.len() - held.len()
    );
    let missing: Vec<&String> = expected.difference(&held).collect();
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
