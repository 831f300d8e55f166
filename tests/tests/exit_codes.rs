//! The exit-status contract of both binaries: a refused step, a node that
//! is not running, an unknown case, a forbidden act, bad arguments and a
//! full disk each end with their own code (the table printed by `--help`),
//! and the message is the clerk's language (Chinese by default, English
//! with `--lang en`).
//!
//! Real nodes run in-process (the `tests` harness: real stores, real
//! mutual TLS); the built `county-node` and `township-node` binaries talk
//! to them through each node's control socket, as a clerk's command does.
//! The binaries must be built first (`cargo build --workspace --bins`).

use std::path::Path;
use std::process::{Output, Stdio};
use std::time::Duration;

use liandong_cli::{exit_codes_help, Exit};
use liandong_domain::{Lang, Refusal};
use tests::{accept_cases, free_port, Net};
use tokio::process::Command;

/// Longest wait for one command.
const WAIT: Duration = Duration::from_secs(60);

use tests::built_binary as bin;

/// What a finished command left: its exit code and stderr.
struct Ran {
    shown: String,
    code: Option<i32>,
    stderr: String,
}

impl Ran {
    fn assert_exit(&self, exit: Exit) -> &Ran {
        assert_eq!(
            self.code,
            Some(i32::from(exit.code())),
            "{}: expected exit {} ({exit:?}); stderr: {}",
            self.shown,
            exit.code(),
            self.stderr
        );
        self
    }

    fn assert_says(&self, text: &str) -> &Ran {
        assert!(
            self.stderr.contains(text),
            "{}: stderr does not say `{text}`: {}",
            self.shown,
            self.stderr
        );
        self
    }
}

async fn run(binary: &str, args: &[&str], data: &Path) -> Ran {
    let mut cmd = Command::new(bin(binary));
    cmd.args(args).arg("--data").arg(data);
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    let shown = format!("{:?}", cmd.as_std());
    let out: Output = match tokio::time::timeout(WAIT, cmd.output()).await {
        Ok(out) => out.unwrap_or_else(|e| panic!("cannot run {shown}: {e}")),
        Err(_) => panic!("{shown} did not finish within {} s", WAIT.as_secs()),
    };
    Ran {
        shown,
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_step_exits_3_with_the_refusal_in_the_clerks_language() {
    let net = Net::new();
    let town = net.township("T01", free_port(), None).await;
    let case = accept_cases(town.core(), 1).remove(0);
    let before = town
        .core()
        .store
        .case(&case)
        .expect("read")
        .map(|c| c.record.len());
    let data = net.dir("T01");

    // A correction notice after acceptance breaks a domain rule.
    let step = [
        "case",
        "request-correction",
        "--id",
        "T01",
        &case,
        "--missing",
        "身份证",
    ];
    let zh = run("township-node", &step, &data).await;
    zh.assert_exit(Exit::Refused)
        .assert_says(&Refusal::CorrectionAfterAcceptance.message(Lang::Zh));
    assert!(chinese(&zh.stderr), "{}", zh.stderr);

    let mut in_english = vec!["--lang", "en"];
    in_english.extend(step);
    let en = run("township-node", &in_english, &data).await;
    en.assert_exit(Exit::Refused)
        .assert_says(&Refusal::CorrectionAfterAcceptance.message(Lang::En));
    assert!(!chinese(&en.stderr), "{}", en.stderr);

    let after = town
        .core()
        .store
        .case(&case)
        .expect("read")
        .map(|c| c.record.len());
    assert_eq!(before, after, "a refused step writes nothing");
}

#[tokio::test]
async fn a_command_without_a_running_node_exits_4_and_says_how_to_start_it() {
    let net = Net::new();
    let empty = net.dir("empty");
    std::fs::create_dir_all(&empty).expect("empty dir");

    let township = ["case", "list", "--id", "T09"];
    let start = "township-node serve --id T09";
    let zh = run("township-node", &township, &empty).await;
    zh.assert_exit(Exit::NotRunning).assert_says(start);
    assert!(chinese(&zh.stderr), "Chinese by default: {}", zh.stderr);
    let en = run(
        "township-node",
        &["--lang", "en", "status", "--id", "T09"],
        &empty,
    )
    .await;
    en.assert_exit(Exit::NotRunning)
        .assert_says(start)
        .assert_says("no node is running");

    let county = run("county-node", &["status"], &empty).await;
    county
        .assert_exit(Exit::NotRunning)
        .assert_says("county-node serve");
    let backup = run(
        "county-node",
        &["backup", "--out", "/tmp/never.bak"],
        &empty,
    )
    .await;
    backup
        .assert_exit(Exit::NotRunning)
        .assert_says("county-node serve");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_case_exits_6() {
    let net = Net::new();
    let town = net.township("T01", free_port(), None).await;
    accept_cases(town.core(), 1);
    let data = net.dir("T01");
    let unknown = "411100-T01-20260101-999999";

    let zh = run(
        "township-node",
        &["case", "show", "--id", "T01", unknown],
        &data,
    )
    .await;
    zh.assert_exit(Exit::NotFound)
        .assert_says(&format!("没有此办件: {unknown}"));
    let en_args = ["--lang", "en", "case", "conclude", "--id", "T01", unknown];
    let en = run("township-node", &en_args, &data).await;
    en.assert_exit(Exit::NotFound)
        .assert_says(&format!("no such case: {unknown}"));
    let guide = run(
        "township-node",
        &["matter", "guide", "--id", "T01", "M999"],
        &data,
    )
    .await;
    guide
        .assert_exit(Exit::NotFound)
        .assert_says("事项目录中没有事项 M999");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_county_revoking_its_own_certificate_exits_7_and_an_unknown_staff_member_exits_6() {
    let net = Net::new();
    let _county = net.county(0).await;
    let data = net.dir("county");

    let own = ["pki", "revoke", "--role", "county", "--id", "HQ"];
    let zh = run("county-node", &own, &data).await;
    zh.assert_exit(Exit::NotPermitted)
        .assert_says("县级节点不能吊销自己的证书");
    let mut in_english = vec!["--lang", "en"];
    in_english.extend(own);
    let en = run("county-node", &in_english, &data).await;
    en.assert_exit(Exit::NotPermitted)
        .assert_says("the county cannot revoke its own certificate");

    let role = ["staff", "assign-role", "S99", "--role", "clerk"];
    let missing = run("county-node", &role, &data).await;
    missing
        .assert_exit(Exit::NotFound)
        .assert_says("没有此人员 S99");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_exit_2_whether_clap_the_command_or_the_node_finds_them() {
    let net = Net::new();
    let town = net.township("T01", free_port(), None).await;
    let case = accept_cases(town.core(), 1).remove(0);
    let data = net.dir("T01");

    // clap: no such subcommand.
    let usage = run(
        "township-node",
        &["case", "frobnicate", "--id", "T01"],
        &data,
    )
    .await;
    usage.assert_exit(Exit::BadArguments);
    // The command: a value clap accepts as a string.
    let warning = ["case", "list", "--id", "T01", "--warning", "purple"];
    let colour = run("township-node", &warning, &data).await;
    colour
        .assert_exit(Exit::BadArguments)
        .assert_says("--warning `purple`");
    // The node: an event id that does not parse.
    let retract = [
        "case",
        "retract",
        "--id",
        "T01",
        &case,
        "--event",
        "nonsense",
        "--reason",
        "录入错误",
    ];
    let event = run("township-node", &retract, &data).await;
    event
        .assert_exit(Exit::BadArguments)
        .assert_says("无法识别的事件编号 `nonsense`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_below_the_disk_reserve_exits_5_naming_the_full_disk() {
    let net = Net::new();
    let port = free_port();
    // The township's first start creates its store and certificate.
    net.township("T01", port, None).await.stop().await;
    let mut cfg = net.township_config("T01", port);
    cfg.disk_reserve_mb = u64::MAX / (1024 * 1024 * 2);
    let shutdown = liandong_node::shutdown::Shutdown::new();
    let _town = township_node::start(cfg, shutdown.clone())
        .await
        .expect("starts");

    let accept = [
        "case",
        "accept",
        "--id",
        "T01",
        "--matter",
        "M001",
        "--applicant-name",
        "李四",
        "--applicant-id",
        "410000199002021234",
    ];
    let full = run("township-node", &accept, &net.dir("T01")).await;
    full.assert_exit(Exit::Store)
        .assert_says("磁盘空间不足")
        .assert_says("disk nearly full");
    shutdown.drain(Duration::from_secs(10)).await;
}

#[tokio::test]
async fn both_binaries_document_the_same_exit_codes_in_their_help() {
    let table = exit_codes_help();
    for binary in ["county-node", "township-node"] {
        let mut cmd = Command::new(bin(binary));
        cmd.arg("--help").stdin(Stdio::null()).kill_on_drop(true);
        let out = tokio::time::timeout(WAIT, cmd.output())
            .await
            .expect("--help finishes")
            .expect("--help runs");
        assert!(out.status.success(), "{binary} --help failed");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(help.contains(table.trim_end()), "{binary} --help:\n{help}");
        for exit in Exit::ALL {
            let line = format!("  {}  {}", exit.code(), exit.meaning());
            assert!(help.contains(&line), "{binary} --help lacks `{line}`");
        }
    }
}
