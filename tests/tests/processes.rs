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
//! Time only bounds waits; nothing here asserts on timing. The scene (nodes
//! as processes, their commands and logs) is `tests::scene`; every command
//! runs with a session directory of the test's own and signs in the way a
//! user does (a township's clerk needs his credential to have come from
//! the county once before he can work there offline).

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;
use tests::free_port;
use tests::scene::{output, peer, Deadline, NodeProcess, Scene, WAIT};

#[tokio::test]
async fn a_township_killed_with_sigkill_mid_sync_restarts_converges_and_its_store_opens_cleanly() {
    let scene = Scene::new();
    // The clerk's credential reaches T01 once; from then on he signs in
    // and works there with the county down.
    scene.enrol_township("T01").await;
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

    let mut town = scene.command("township-node");
    town.args(["case", "list", "--id", "T09", "--data"])
        .arg(&empty);
    let mut county = scene.command("county-node");
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
    // The development CA comes from `pki init`; the county uses it.
    let mut init = scene.command("county-node");
    init.args(["pki", "init", "--dir"]).arg(scene.net.pki());
    assert!(output(init, WAIT).await.status.success(), "pki init failed");
    let _county = scene.start_county().await;
    let _town = scene.start_township("T01").await;
    let id_number = "410000199001011236";
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
county-node login
county-node logout
county-node whoami
county-node passwd
county-node staff add
county-node staff set-password
county-node audit list
county-node audit export
township-node serve
township-node case accept
township-node case list
township-node case evaluate
township-node status
township-node login
township-node logout
township-node whoami
township-node passwd";

#[tokio::test]
async fn every_command_has_help() {
    let scene = Scene::new();
    for line in EVERY_COMMAND.lines() {
        let mut words = line.split(' ');
        let mut cmd = scene.command(words.next().expect("binary name"));
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
    let mut cmd = scene.command("county-node");
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
    let mut cmd = scene.command("county-node");
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
            let mut cmd = scene.command("township-node");
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
