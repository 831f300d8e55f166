//! Process-level tests: the built `county-node` and `township-node`
//! binaries run as child processes with their own data directories, on
//! free loopback ports, over real mutual TLS from a development CA, and are
//! driven through their command lines (clerk commands go over each node's
//! control socket). The chaos tests SIGKILL a node in the middle of a bulk
//! transfer and prove that it restarts, its store opens, and county and
//! township converge on exactly the cases accepted.
//!
//! The binaries must be built first (`cargo build --workspace --bins`);
//! these tests do not build them. A failing test prints every node's log.
//! Time only bounds waits; nothing here asserts on timing.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tests::{accept_cases, free_port, Net};
use tokio::process::{Child, Command};

/// Longest wait for anything: a node to start, a command, convergence.
const WAIT: Duration = Duration::from_secs(60);

/// Pause between two polls of a node's status.
const POLL: Duration = Duration::from_millis(20);

/// Cases written straight into a township's store before its process runs:
/// two operations each, so several replication batches, and a transfer that
/// lasts long enough to be interrupted.
const BULK_CASES: usize = 4000;

use tests::built_binary as bin;

/// Runs a command to completion (killed if it outlives `limit`).
async fn output(mut cmd: Command, limit: Duration) -> Output {
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    let shown = format!("{:?}", cmd.as_std());
    match tokio::time::timeout(limit, cmd.output()).await {
        Ok(out) => out.unwrap_or_else(|e| panic!("cannot run {shown}: {e}")),
        Err(_) => panic!("{shown} did not finish within {} s", limit.as_secs()),
    }
}

/// A command's stdout as JSON, or its stderr if it failed.
async fn json_of(cmd: Command) -> Result<Value, String> {
    let out = output(cmd, WAIT).await;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("stdout is not JSON: {e}"))
}

/// A bounded wait that fails naming what it waited for.
struct Deadline {
    what: String,
    until: Instant,
}

impl Deadline {
    fn start(what: impl Into<String>) -> Deadline {
        Deadline {
            what: what.into(),
            until: Instant::now() + WAIT,
        }
    }

    async fn tick(&self) {
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
struct NodeProcess {
    child: Child,
    label: String,
}

impl NodeProcess {
    fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!(
                "{} exited early ({status}); its log is printed below",
                self.label
            );
        }
    }

    /// SIGKILL: no shutdown, no flush, no cleanup of the control socket.
    async fn sigkill(mut self) {
        self.child.start_kill().expect("SIGKILL sent");
        self.child.wait().await.expect("killed process reaped");
    }
}

/// One test's machine: a temp root holding the PKI, the data directories and
/// every process's log; the county's ports stay the same across restarts.
struct Scene {
    net: Net,
    grpc: u16,
    admin: u16,
    started: Cell<u32>,
}

impl Scene {
    fn new() -> Scene {
        Scene {
            net: Net::new(),
            grpc: free_port(),
            admin: free_port(),
            started: Cell::new(0),
        }
    }

    fn root(&self) -> &Path {
        self.net.root.path()
    }

    fn spawn(&self, label: &str, mut cmd: Command) -> NodeProcess {
        self.started.set(self.started.get() + 1);
        let log = self
            .root()
            .join(format!("{:02}-{label}.log", self.started.get()));
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
        }
    }

    /// Starts `county-node serve` and waits until it answers `status`.
    async fn start_county(&self) -> NodeProcess {
        let mut cmd = Command::new(bin("county-node"));
        cmd.arg("serve").arg("--data").arg(self.net.dir("county"));
        cmd.args(["--listen", &format!("127.0.0.1:{}", self.grpc)]);
        cmd.args(["--admin", &format!("127.0.0.1:{}", self.admin)]);
        cmd.arg("--pki").arg(self.net.pki());
        self.ready(self.spawn("county", cmd), None).await
    }

    /// Starts `township-node serve` and waits until it answers `status`.
    async fn start_township(&self, id: &str) -> NodeProcess {
        let mut cmd = Command::new(bin("township-node"));
        cmd.args(["serve", "--id", id]);
        cmd.args(["--county", &format!("https://localhost:{}", self.grpc)]);
        cmd.args(["--admin", "127.0.0.1:0"]);
        cmd.arg("--data").arg(self.net.dir(id));
        cmd.arg("--pki").arg(self.net.pki());
        self.ready(self.spawn(id, cmd), Some(id)).await
    }

    /// Waits until the county (or township `id`) answers `status`.
    async fn ready(&self, mut node: NodeProcess, township: Option<&str>) -> NodeProcess {
        let deadline = Deadline::start(format!("{} to answer `status`", node.label));
        loop {
            let status = match township {
                Some(id) => self.township_json(id, &["status"]).await,
                None => self.county_json(&["status"]).await,
            };
            if status.is_ok() {
                return node;
            }
            node.assert_running();
            deadline.tick().await;
        }
    }

    /// `county-node ARGS --data DIR --json`.
    async fn county_json(&self, args: &[&str]) -> Result<Value, String> {
        let mut cmd = Command::new(bin("county-node"));
        cmd.args(args)
            .arg("--data")
            .arg(self.net.dir("county"))
            .arg("--json");
        json_of(cmd).await
    }

    /// `township-node ARGS --id ID --data DIR --json`.
    async fn township_json(&self, id: &str, args: &[&str]) -> Result<Value, String> {
        let mut cmd = Command::new(bin("township-node"));
        cmd.args(args)
            .args(["--id", id])
            .arg("--data")
            .arg(self.net.dir(id))
            .arg("--json");
        json_of(cmd).await
    }

    /// Accepts a case at a township's window (`case accept --json`); its id.
    async fn accept(&self, id: &str, id_number: &str) -> String {
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
    async fn accept_n(&self, id: &str, n: usize) -> Vec<String> {
        let mut ids = Vec::new();
        for i in 0..n {
            ids.push(self.accept(id, &format!("41000019850101{i:04}")).await);
        }
        ids
    }

    /// Writes [`BULK_CASES`] into a township's store in-process while no
    /// process runs it; their ids.
    async fn seed(&self, id: &str) -> BTreeSet<String> {
        let town = self.net.township(id, self.grpc, None).await;
        let ids = accept_cases(town.core(), BULK_CASES);
        town.stop().await;
        ids.into_iter().collect()
    }

    /// Polls the county until it has received some, not all, of the
    /// operations township `id` holds.
    async fn wait_mid_transfer(&self, id: &str) {
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
    async fn assert_converges(&self, id: &str, expected: &BTreeSet<String>) {
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

impl Drop for Scene {
    /// On failure, prints every process's log (stderr and stdout).
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
        for log in logs {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            eprintln!("===== {} =====\n{text}", log.display());
        }
    }
}

/// The county's status entry for township `id`.
fn peer<'a>(status: &'a Value, id: &str) -> Option<&'a Value> {
    let node = format!("township/{id}");
    status["peers"]
        .as_array()?
        .iter()
        .find(|p| p["node"] == node.as_str())
}

/// A `case list --json` holds every expected case once and nothing else.
fn assert_same_cases(holder: &str, list: &Value, expected: &BTreeSet<String>) {
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

#[tokio::test]
async fn a_township_killed_with_sigkill_mid_sync_restarts_converges_and_its_store_opens_cleanly() {
    let scene = Scene::new();
    let mut expected = scene.seed("T01").await;
    // The township runs before the county: its clerks work offline.
    let town = scene.start_township("T01").await;
    expected.extend(scene.accept_n("T01", 3).await);
    let _county = scene.start_county().await;

    scene.wait_mid_transfer("T01").await;
    town.sigkill().await;

    let _town = scene.start_township("T01").await;
    scene.assert_converges("T01", &expected).await;
}

#[tokio::test]
async fn a_county_killed_with_sigkill_mid_sync_restarts_and_converges() {
    let scene = Scene::new();
    let mut expected = scene.seed("T01").await;
    let county = scene.start_county().await;
    let _town = scene.start_township("T01").await;

    scene.wait_mid_transfer("T01").await;
    county.sigkill().await;
    // Clerks keep accepting while the county is down.
    expected.extend(scene.accept_n("T01", 3).await);

    let _county = scene.start_county().await;
    scene.assert_converges("T01", &expected).await;
}

#[tokio::test]
async fn clerk_commands_say_how_to_start_the_node_when_it_is_not_running() {
    let scene = Scene::new();
    let empty = scene.net.dir("empty");
    std::fs::create_dir_all(&empty).expect("empty dir");

    let mut town = Command::new(bin("township-node"));
    town.args(["case", "list", "--id", "T09", "--data"])
        .arg(&empty);
    let mut county = Command::new(bin("county-node"));
    county.args(["status", "--data"]).arg(&empty);
    for (cmd, hint) in [(town, "township-node serve"), (county, "county-node serve")] {
        let shown = format!("{:?}", cmd.as_std());
        let out = output(cmd, WAIT).await;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{shown} succeeded with no node running"
        );
        assert!(
            stderr.contains(hint),
            "{shown}: stderr does not mention `{hint}`: {stderr}"
        );
    }
}

#[tokio::test]
async fn case_accept_json_prints_the_new_case_id_and_case_list_shows_it_with_the_id_number_masked()
{
    let scene = Scene::new();
    // No county runs: the development CA comes from `pki init`.
    let mut init = Command::new(bin("county-node"));
    init.args(["pki", "init", "--dir"]).arg(scene.net.pki());
    assert!(output(init, WAIT).await.status.success(), "pki init failed");
    let _town = scene.start_township("T01").await;
    let id_number = "410000199001011234";
    let case_id = scene.accept("T01", id_number).await;

    let list = scene
        .township_json("T01", &["case", "list"])
        .await
        .expect("case list --json");
    let listed = list
        .as_array()
        .expect("case list is an array")
        .iter()
        .find(|c| c["id"] == case_id.as_str())
        .unwrap_or_else(|| panic!("case {case_id} is not in the list: {list}"));
    let shown = listed["applicant_id"].as_str().expect("applicant_id");
    assert!(!shown.is_empty(), "applicant_id is empty");
    assert!(
        !shown.contains(id_number),
        "the ID number is listed unmasked: {shown}"
    );
}

/// Every command of both binaries, one a line.
const EVERY_COMMAND: &str = "\
county-node serve
county-node bridge
county-node demo
county-node pki init
county-node pki issue
county-node pki list
county-node case list
county-node case accept
county-node matter add
county-node status
township-node serve
township-node case accept
township-node case list
township-node status";

#[tokio::test]
async fn every_command_has_help() {
    for line in EVERY_COMMAND.lines() {
        let mut words = line.split(' ');
        let mut cmd = Command::new(bin(words.next().expect("binary name")));
        cmd.args(words).arg("--help");
        let out = output(cmd, WAIT).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "`{line} --help` failed");
        assert!(
            stdout.contains("Usage:"),
            "`{line} --help` shows no usage: {stdout}"
        );
    }
}

#[tokio::test]
async fn county_node_demo_exits_zero_when_every_node_converged() {
    let scene = Scene::new();
    let mut cmd = Command::new(bin("county-node"));
    cmd.current_dir(scene.root());
    cmd.args([
        "demo",
        "--townships",
        "2",
        "--cases",
        "30",
        "--seconds",
        "3",
        "--seed",
        "3",
        "--json",
    ]);
    cmd.arg("--data").arg(scene.net.dir("demo"));
    // The demo itself waits up to 60 s for convergence.
    let out = output(cmd, 2 * WAIT).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed: {stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).expect("demo --json prints JSON");
    assert_eq!(report["converged"], true, "{report}");
    assert_eq!(
        report["cases_at_county"], 31,
        "30 cases and the joint case: {report}"
    );
    let nodes = report["nodes"].as_array().expect("nodes");
    assert_eq!(
        nodes.len(),
        4,
        "a county, two townships and the bridge: {report}"
    );
    assert!(nodes.iter().all(|n| n["converged"] == true), "{report}");
    assert_eq!(report["joint_case"]["agreed"], true, "{report}");
}

#[tokio::test]
async fn a_config_file_with_an_unknown_key_is_refused_naming_the_key() {
    let scene = Scene::new();
    let config = scene.root().join("county.toml");
    std::fs::write(&config, format!("lisen = \"127.0.0.1:{}\"\n", free_port())).expect("config");
    let mut cmd = Command::new(bin("county-node"));
    cmd.current_dir(scene.root())
        .arg("serve")
        .arg("--config")
        .arg(&config);
    let out = output(cmd, WAIT).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "a config with `lisen` was accepted");
    assert!(
        stderr.contains("lisen"),
        "stderr does not name `lisen`: {stderr}"
    );
}

/// Sends SIGTERM to a node process.
fn sigterm(node: &NodeProcess) {
    let pid = node.child.id().expect("process still running");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -TERM {pid}");
}

/// The county's view of township `id`: its link state.
async fn link_state(scene: &Scene, id: &str) -> Option<String> {
    let status = scene.county_json(&["status"]).await.ok()?;
    peer(&status, id).and_then(|p| p["state"].as_str().map(str::to_string))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_and_exits_zero_and_the_store_reopens_with_every_case() {
    let scene = Scene::new();
    let _county = scene.start_county().await;
    let mut town = scene.start_township("T01").await;
    let ids: BTreeSet<String> = scene.accept_n("T01", 5).await.into_iter().collect();
    sigterm(&town);
    let status = tokio::time::timeout(Duration::from_secs(30), town.child.wait())
        .await
        .expect("the township stops within the drain deadline")
        .expect("exit status");
    assert!(status.success(), "SIGTERM exits 0, got {status}");
    let _town = scene.start_township("T01").await;
    scene.assert_converges("T01", &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_shows_a_killed_township_down_within_seconds_and_up_after_restart() {
    let scene = Scene::new();
    let _county = scene.start_county().await;
    let town = scene.start_township("T01").await;
    let deadline = Deadline::start("the county to show T01 up");
    while link_state(&scene, "T01").await.as_deref() != Some("up") {
        deadline.tick().await;
    }
    town.sigkill().await;
    let deadline = Deadline::start("the county to show the killed T01 down");
    loop {
        match link_state(&scene, "T01").await.as_deref() {
            Some("down") | Some("silent") => break,
            _ => deadline.tick().await,
        }
    }
    let _town = scene.start_township("T01").await;
    let deadline = Deadline::start("the county to show the restarted T01 up");
    while link_state(&scene, "T01").await.as_deref() != Some("up") {
        deadline.tick().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sigterms_in_a_row_exit_promptly_and_leave_a_store_that_verifies() {
    let scene = Scene::new();
    let _county = scene.start_county().await;
    let mut town = scene.start_township("T01").await;
    let ids: BTreeSet<String> = scene.accept_n("T01", 5).await.into_iter().collect();
    sigterm(&town);
    sigterm(&town);
    let status = tokio::time::timeout(Duration::from_secs(30), town.child.wait())
        .await
        .expect("the township exits promptly after a second SIGTERM")
        .expect("exit status");
    // 0 when the drain finished first, 130 when the second signal cut it short.
    assert!(
        matches!(status.code(), Some(0) | Some(130)),
        "exit {status}"
    );
    let verify = output(
        {
            let mut cmd = Command::new(bin("township-node"));
            cmd.args(["verify", "--id", "T01", "--data"])
                .arg(scene.net.dir("T01"));
            cmd
        },
        Duration::from_secs(60),
    )
    .await;
    assert!(
        verify.status.success(),
        "verify: {}",
        String::from_utf8_lossy(&verify.stdout)
    );
    let _town = scene.start_township("T01").await;
    scene.assert_converges("T01", &ids).await;
}
