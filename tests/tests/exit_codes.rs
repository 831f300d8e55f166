//! The exit-status contract of both binaries: a refused step, a node that
//! is not running, an unknown case, a forbidden act, bad arguments and a
//! full disk each end with their own code (the table printed by `--help`),
//! and the message is the clerk's language (Chinese by default, English
//! with `--lang en`).
//!
//! Real nodes run in-process (the `tests` harness: real stores, real
//! mutual TLS); the built `county-node` and `township-node` binaries talk
//! to them through each node's control socket, as a clerk's command does,
//! each test's commands in a session directory of its own. A command
//! signs in the way a user does (`login --password-stdin`), a township's
//! clerk once his credential has come from the county.
//! The binaries must be built first (`cargo build --workspace --bins`).

use std::process::{Output, Stdio};
use std::time::Duration;

use county_node::County;
use liandong_cli::{exit_codes_help, Exit};
use liandong_domain::{Lang, Refusal, StaffRole};
use liandong_node::identity::INITIAL_ADMIN;
use tests::scene::{initial_password, Cli};
use tests::{accept_cases, Net, Node, PASSWORD, TOWNSHIP_CLERK};
use tokio::process::Command;
use township_node::Township;

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

async fn run(cli: &Cli, args: &[&str]) -> Ran {
    let mut cmd = cli.command(args);
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

/// T01's command line, in the test's session directory.
fn township_cli(net: &Net) -> Cli {
    Cli::township("T01", &net.dir("T01"), &net.dir("sessions"))
}

/// The county's command line, in the test's session directory.
fn county_cli(net: &Net) -> Cli {
    Cli::county(&net.dir("county"), &net.dir("sessions"))
}

/// A county (which makes the clerks) and township T01 in-process, without
/// anyone signed in at T01.
async fn county_and_township(net: &Net) -> (Node<County>, Node<Township>) {
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    (county, town)
}

/// [`county_and_township`], with T01's clerk signed in through the CLI.
async fn signed_in_township(net: &Net) -> (Node<County>, Node<Township>, Cli) {
    let (county, town) = county_and_township(net).await;
    let cli = township_cli(net);
    cli.sign_in_once_replicated(TOWNSHIP_CLERK, PASSWORD).await;
    (county, town, cli)
}

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_step_exits_3_with_the_refusal_in_the_clerks_language() {
    let net = Net::new();
    let (_county, town, cli) = signed_in_township(&net).await;
    let case = accept_cases(town.core(), 1).remove(0);
    let before = town
        .core()
        .store
        .case(&case)
        .expect("read")
        .map(|c| c.record.len());

    // A correction notice after acceptance breaks a domain rule.
    let step = ["case", "request-correction", &case, "--missing", "身份证"];
    let zh = run(&cli, &step).await;
    zh.assert_exit(Exit::Refused)
        .assert_says(&Refusal::CorrectionAfterAcceptance.message(Lang::Zh));
    assert!(chinese(&zh.stderr), "{}", zh.stderr);

    let mut in_english = vec!["--lang", "en"];
    in_english.extend(step);
    let en = run(&cli, &in_english).await;
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
    let sessions = net.dir("sessions");
    let t09 = Cli::township("T09", &empty, &sessions);
    let county = Cli::county(&empty, &sessions);

    let start = "township-node serve --id T09";
    let zh = run(&t09, &["case", "list"]).await;
    zh.assert_exit(Exit::NotRunning).assert_says(start);
    assert!(chinese(&zh.stderr), "Chinese by default: {}", zh.stderr);
    let en = run(&t09, &["--lang", "en", "status"]).await;
    en.assert_exit(Exit::NotRunning)
        .assert_says(start)
        .assert_says("no node is running");

    let status = run(&county, &["status"]).await;
    status
        .assert_exit(Exit::NotRunning)
        .assert_says("county-node serve");
    let backup = run(&county, &["backup", "--out", "/tmp/never.bak"]).await;
    backup
        .assert_exit(Exit::NotRunning)
        .assert_says("county-node serve");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_case_exits_6() {
    let net = Net::new();
    let (_county, town, cli) = signed_in_township(&net).await;
    accept_cases(town.core(), 1);
    let unknown = "411100-T01-20260101-999999";

    let zh = run(&cli, &["case", "show", unknown]).await;
    zh.assert_exit(Exit::NotFound)
        .assert_says(&format!("没有此办件: {unknown}"));
    let en_args = ["--lang", "en", "case", "conclude", unknown];
    let en = run(&cli, &en_args).await;
    en.assert_exit(Exit::NotFound)
        .assert_says(&format!("no such case: {unknown}"));
    let guide = run(&cli, &["matter", "guide", "M999"]).await;
    guide
        .assert_exit(Exit::NotFound)
        .assert_says("事项目录中没有事项 M999");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_county_revoking_its_own_certificate_exits_7_and_an_unknown_staff_member_exits_6() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    // The network admin may revoke certificates; the county's own, never.
    let hall = tests::hall(core);
    let role = StaffRole::NetworkAdmin;
    core.add_staff(&hall, Lang::Zh, "N01", "网络管理员", "D01", role, &[])
        .expect("network admin on the roster");
    core.set_password(&hall, "N01", Some(PASSWORD), false)
        .expect("network admin's password");
    let cli = county_cli(&net);
    cli.sign_in("N01", PASSWORD).await;

    let own = ["pki", "revoke", "--role", "county", "--id", "HQ"];
    let zh = run(&cli, &own).await;
    zh.assert_exit(Exit::NotPermitted)
        .assert_says("县级节点不能吊销自己的证书");
    let mut in_english = vec!["--lang", "en"];
    in_english.extend(own);
    let en = run(&cli, &in_english).await;
    en.assert_exit(Exit::NotPermitted)
        .assert_says("the county cannot revoke its own certificate");

    // The roster is hall management's.
    let admin = initial_password(&net.dir("county"));
    cli.switch_to(INITIAL_ADMIN, &admin).await;
    let role = ["staff", "assign-role", "S99", "--role", "clerk"];
    let missing = run(&cli, &role).await;
    missing
        .assert_exit(Exit::NotFound)
        .assert_says("没有此人员 S99");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_arguments_exit_2_whether_clap_the_command_or_the_node_finds_them() {
    let net = Net::new();
    let (_county, town, cli) = signed_in_township(&net).await;
    let case = accept_cases(town.core(), 1).remove(0);

    // clap: no such subcommand.
    let usage = run(&cli, &["case", "frobnicate"]).await;
    usage.assert_exit(Exit::BadArguments);
    // The command: a value clap accepts as a string.
    let warning = ["case", "list", "--warning", "purple"];
    let colour = run(&cli, &warning).await;
    colour
        .assert_exit(Exit::BadArguments)
        .assert_says("--warning `purple`");
    // The node: an event id that does not parse.
    let retract = [
        "case",
        "retract",
        &case,
        "--event",
        "nonsense",
        "--reason",
        "录入错误",
    ];
    let event = run(&cli, &retract).await;
    event
        .assert_exit(Exit::BadArguments)
        .assert_says("无法识别的事件编号 `nonsense`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_below_the_disk_reserve_exits_5_naming_the_full_disk() {
    let net = Net::new();
    // The township's first start creates its store and certificate, and
    // the clerk signs in (his session outlives the restart).
    let (county, town, cli) = signed_in_township(&net).await;
    town.stop().await;
    let mut cfg = net.township_config("T01", county.port());
    cfg.disk_reserve_mb = u64::MAX / (1024 * 1024 * 2);
    let shutdown = liandong_node::shutdown::Shutdown::new();
    let _town = township_node::start(cfg, shutdown.clone())
        .await
        .expect("starts");

    let accept = [
        "case",
        "accept",
        "--matter",
        "M001",
        "--applicant-name",
        "李四",
        "--applicant-id",
        "410000199002021233",
    ];
    let full = run(&cli, &accept).await;
    full.assert_exit(Exit::Store)
        .assert_says("磁盘空间不足")
        .assert_says("disk nearly full");
    shutdown.drain(Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_command_without_a_session_exits_7_and_says_how_to_sign_in() {
    let net = Net::new();
    let (_county, town) = county_and_township(&net).await;
    accept_cases(town.core(), 1);
    let cli = township_cli(&net);

    let zh = run(&cli, &["case", "list"]).await;
    zh.assert_exit(Exit::NotPermitted)
        .assert_says("township-node login --id T01");
    assert!(chinese(&zh.stderr), "Chinese by default: {}", zh.stderr);
    let en = run(&cli, &["--lang", "en", "case", "list"]).await;
    en.assert_exit(Exit::NotPermitted)
        .assert_says("not signed in")
        .assert_says("township-node login --id T01");
    let county = run(&county_cli(&net), &["case", "list"]).await;
    county
        .assert_exit(Exit::NotPermitted)
        .assert_says("county-node login");

    // The session was all that was missing.
    cli.sign_in_once_replicated(TOWNSHIP_CLERK, PASSWORD).await;
    run(&cli, &["case", "list"])
        .await
        .assert_exit(Exit::Success);
}

#[tokio::test]
async fn both_binaries_document_the_same_exit_codes_in_their_help() {
    let net = Net::new();
    let table = exit_codes_help();
    for binary in ["county-node", "township-node"] {
        let mut cmd = Command::new(bin(binary));
        cmd.arg("--help").stdin(Stdio::null()).kill_on_drop(true);
        cmd.env(liandong_cli::session::SESSION_DIR_VAR, net.dir("sessions"));
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
