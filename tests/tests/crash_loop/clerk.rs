//! The crash loop's clerks: one task per node running real clerk commands
//! (`county-node case …`, `township-node case …`) one after another, a few
//! tens of milliseconds apart, while the loop kills nodes under them.
//!
//! The township's clerk accepts and registers applications, asks for and
//! receives corrections, accepts registered ones, withdraws, and gives its
//! opinion on cases the county routed to it; the county's clerk accepts
//! cases at the hall and routes them to the township for an opinion (so
//! operations flow both ways) or withdraws them. Every acknowledged reply
//! goes into the ledger.
//!
//! A failed command is excused only by its node: down when it started, or
//! killed (a new epoch) before it ended. Any other failure, and any
//! success that does not print the case, is recorded as a problem that the
//! loop fails on; so is an acknowledged reply that reuses a case id or
//! adds no operation (see the ledger). The one benign refusal is an opinion asked of the
//! township on a routed case that has not reached it yet (not found); it is
//! retried later. A case touched by an excused failure is left alone from
//! then on: what the failed command did is unknown.
//!
//! Every command runs signed in (the sessions outlive the kills): the
//! window clerk's, or for an opinion the township's reviewer S21's, each
//! in a session directory of his own.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::Value;
use tokio::process::Command;

use super::ledger::{Ledger, Side};

/// Longest a clerk command may take before it counts as hung.
const COMMAND_LIMIT: Duration = Duration::from_secs(60);

/// Longest pause between two commands (ms): a clerk's pace, which also
/// bounds how fast the stores grow (`verify` reads them whole every cycle).
const PACE_MS: u64 = 40;

/// Pause after a command found its node down.
const DOWN_PAUSE: Duration = Duration::from_millis(60);

/// Exit status of a command whose subject was not found.
const EXIT_NOT_FOUND: i32 = 6;

/// Exit status of a command that found no node running.
const EXIT_NOT_RUNNING: i32 = 4;

/// What the loop and the clerks know of one node process.
#[derive(Debug, Default)]
pub struct NodeFlags {
    /// Started and answering; cleared just before each kill.
    pub up: AtomicBool,
    /// Kills so far.
    pub epoch: AtomicU64,
    /// Clerk commands at this node now running.
    pub in_flight: AtomicU32,
}

/// State shared by the loop and its clerks.
#[derive(Debug, Default)]
pub struct Shared {
    pub county: NodeFlags,
    pub township: NodeFlags,
    pub stop: AtomicBool,
    /// Clerks start no new command while set (a checkpoint).
    pub paused: AtomicBool,
    pub ledger: Mutex<Ledger>,
    /// County cases routed to the township, awaiting its opinion.
    routed: Mutex<Vec<String>>,
}

impl Shared {
    pub fn flags(&self, side: Side) -> &NodeFlags {
        match side {
            Side::County => &self.county,
            Side::Township => &self.township,
        }
    }

    /// Whether no clerk command is running at either node.
    pub fn idle(&self) -> bool {
        self.county.in_flight.load(Ordering::SeqCst) == 0
            && self.township.in_flight.load(Ordering::SeqCst) == 0
    }

    pub fn ledger(&self) -> std::sync::MutexGuard<'_, Ledger> {
        self.ledger.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn routed(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.routed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// How a clerk command reaches one node: its binary, the flags naming
/// the local node (`--data DIR`, `--id T01`), `--json` included, and the
/// session directories of the people signed in there: the window clerk,
/// and at the township the department reviewer who gives its opinions.
#[derive(Debug, Clone)]
pub struct Window {
    pub side: Side,
    pub program: PathBuf,
    pub local: Vec<OsString>,
    pub clerk: PathBuf,
    pub reviewer: Option<PathBuf>,
}

impl Window {
    fn command(&self, action: &Action, args: &[String]) -> Command {
        let sessions = match (action, &self.reviewer) {
            (Action::Opinion(_), Some(reviewer)) => reviewer,
            _ => &self.clerk,
        };
        let mut cmd = Command::new(&self.program);
        cmd.args(args).args(&self.local);
        cmd.env(liandong_cli::session::SESSION_DIR_VAR, sessions);
        cmd.stdin(std::process::Stdio::null()).kill_on_drop(true);
        cmd
    }
}

/// Where a case stands in a clerk's own work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Accepted (受理), in process.
    InProcess,
    /// Registered only.
    Submitted,
    /// A correction notice is open.
    Correcting,
    /// The applicant supplied what was missing.
    Supplied,
}

/// One clerk command.
#[derive(Debug, Clone)]
enum Action {
    Accept,
    Submit,
    RequestCorrection(String),
    Supply(String),
    AcceptRegistered(String),
    Withdraw(String),
    Route(String),
    Opinion(String),
}

impl Action {
    fn args(&self, n: u64) -> Vec<String> {
        let id_number = tests::resident_id((n % 20_000_000) as u32);
        let new = |verb: &str| {
            vec![
                "case".into(),
                verb.into(),
                "--matter".into(),
                "M001".into(),
                "--applicant-name".into(),
                "张三".into(),
                "--applicant-id".into(),
                id_number.clone(),
            ]
        };
        let on = |verb: &str, case: &str, rest: &[&str]| {
            let mut v = vec!["case".to_string(), verb.to_string(), case.to_string()];
            v.extend(rest.iter().map(|s| s.to_string()));
            v
        };
        match self {
            Action::Accept => new("accept"),
            Action::Submit => new("submit"),
            Action::RequestCorrection(c) => {
                on("request-correction", c, &["--missing", "经营场所证明"])
            }
            Action::Supply(c) => on("supply", c, &["--item", "经营场所证明"]),
            Action::AcceptRegistered(c) => on("accept", c, &[]),
            Action::Withdraw(c) => on("withdraw", c, &["--reason", "申请人申请撤回"]),
            Action::Route(c) => on("route", c, &["--township", "T01"]),
            // The reviewer is the signed-in one (the opinion's own staff).
            Action::Opinion(c) => on("opinion", c, &["--result", "pass"]),
        }
    }

    /// The case it acts on, for one that exists.
    fn case(&self) -> Option<&str> {
        match self {
            Action::Accept | Action::Submit => None,
            Action::RequestCorrection(c)
            | Action::Supply(c)
            | Action::AcceptRegistered(c)
            | Action::Withdraw(c)
            | Action::Route(c)
            | Action::Opinion(c) => Some(c),
        }
    }

    /// Where the case stands after it succeeded (None: no further work).
    fn next(&self) -> Option<Stage> {
        match self {
            Action::Accept | Action::AcceptRegistered(_) => Some(Stage::InProcess),
            Action::Submit => Some(Stage::Submitted),
            Action::RequestCorrection(_) => Some(Stage::Correcting),
            Action::Supply(_) => Some(Stage::Supplied),
            Action::Withdraw(_) | Action::Route(_) | Action::Opinion(_) => None,
        }
    }
}

/// A clerk's cases still open for work.
#[derive(Debug, Default)]
struct Desk {
    open: Vec<(String, Stage)>,
}

impl Desk {
    /// The next command: a new application, or a step on an open case.
    fn pick(&mut self, side: Side, shared: &Shared, rng: &mut StdRng) -> Action {
        if side == Side::Township && rng.random_bool(0.25) {
            let mut routed = shared.routed();
            if !routed.is_empty() {
                let i = rng.random_range(0..routed.len());
                return Action::Opinion(routed.swap_remove(i));
            }
        }
        if self.open.is_empty() || rng.random_bool(0.4) {
            return match side {
                Side::Township if rng.random_bool(0.5) => Action::Submit,
                _ => Action::Accept,
            };
        }
        let (case, stage) = self.open.swap_remove(rng.random_range(0..self.open.len()));
        match (side, stage) {
            (Side::County, _) if rng.random_bool(0.6) => Action::Route(case),
            (_, Stage::InProcess) => Action::Withdraw(case),
            (_, Stage::Submitted) => Action::RequestCorrection(case),
            (_, Stage::Correcting) => Action::Supply(case),
            (_, Stage::Supplied) => Action::AcceptRegistered(case),
        }
    }
}

/// How a command ended.
enum Ran {
    Printed(Value),
    Failed { code: Option<i32>, stderr: String },
}

async fn run(window: &Window, action: &Action, args: &[String]) -> Result<Ran, String> {
    let cmd = window.command(action, args);
    let out = match tokio::time::timeout(COMMAND_LIMIT, { cmd }.output()).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(format!("cannot run {}: {e}", window.program.display())),
        Err(_) => {
            return Err(format!(
                "`{}` hung for {} s",
                args.join(" "),
                COMMAND_LIMIT.as_secs()
            ))
        }
    };
    if !out.status.success() {
        return Ok(Ran::Failed {
            code: out.status.code(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    serde_json::from_slice(&out.stdout)
        .map(Ran::Printed)
        .map_err(|e| format!("`{}` exited 0 but printed no case ({e})", args.join(" ")))
}

/// Runs clerk commands at `window`'s node until the loop stops it.
pub async fn work(window: Window, shared: Arc<Shared>, mut rng: StdRng) {
    let side = window.side;
    let mut desk = Desk::default();
    let mut n: u64 = match side {
        Side::County => 1_000_000,
        Side::Township => 0,
    };
    while !shared.stop.load(Ordering::SeqCst) {
        if shared.paused.load(Ordering::SeqCst) {
            tokio::time::sleep(DOWN_PAUSE).await;
            continue;
        }
        n += 1;
        let action = desk.pick(side, &shared, &mut rng);
        let args = action.args(n);
        let flags = shared.flags(side);
        let up = flags.up.load(Ordering::SeqCst);
        let epoch = flags.epoch.load(Ordering::SeqCst);
        flags.in_flight.fetch_add(1, Ordering::SeqCst);
        let ran = run(&window, &action, &args).await;
        flags.in_flight.fetch_sub(1, Ordering::SeqCst);
        let killed = flags.epoch.load(Ordering::SeqCst) != epoch;
        let ended = Ended {
            ran,
            excused: !up || killed || !flags.up.load(Ordering::SeqCst),
            killed,
        };
        let pause = if settle(&shared, &mut desk, side, &action, &args, ended) {
            DOWN_PAUSE
        } else {
            Duration::from_millis(rng.random_range(0..PACE_MS))
        };
        tokio::time::sleep(pause).await;
    }
}

/// How a command ended, and what happened to its node meanwhile.
struct Ended {
    ran: Result<Ran, String>,
    /// The node was down when it started, or killed before it ended.
    excused: bool,
    /// The node was killed while it ran.
    killed: bool,
}

/// Books one command's outcome; whether its node looked down.
fn settle(
    shared: &Shared,
    desk: &mut Desk,
    side: Side,
    action: &Action,
    args: &[String],
    ended: Ended,
) -> bool {
    let Ended {
        ran,
        excused,
        killed,
    } = ended;
    let shown = args.join(" ");
    let mut ledger = shared.ledger();
    match ran {
        Ok(Ran::Printed(reply)) => {
            let routed = matches!(action, Action::Route(_));
            let opened = action.case().is_none();
            match ledger.acknowledge(&reply, opened, routed) {
                Ok(id) => {
                    ledger.tally(side).acknowledged += 1;
                    if let Some(stage) = action.next() {
                        desk.open.push((id.clone(), stage));
                    }
                    if routed {
                        shared.routed().push(id);
                    }
                }
                Err(e) => ledger
                    .problems
                    .push(format!("{} `{shown}`: {e}", side.name())),
            }
            false
        }
        Ok(Ran::Failed { code, .. })
            if !excused && code == Some(EXIT_NOT_FOUND) && matches!(action, Action::Opinion(_)) =>
        {
            ledger.tally(side).not_yet_arrived += 1;
            if let Some(case) = action.case() {
                shared.routed().push(case.to_string());
            }
            false
        }
        Ok(Ran::Failed { code, stderr }) if !excused => {
            ledger.problems.push(format!(
                "{} `{shown}` failed (exit {code:?}) with its node up and not killed: {}",
                side.name(),
                stderr.trim()
            ));
            false
        }
        Ok(Ran::Failed { code, .. }) => {
            match action {
                Action::Accept | Action::Submit => {
                    *ledger.unacknowledged_new.entry(side).or_default() += 1
                }
                Action::Route(_) => ledger.unacknowledged_routes += 1,
                _ => {}
            }
            let tally = ledger.tally(side);
            if killed && code != Some(EXIT_NOT_RUNNING) {
                tally.cut += 1;
            } else {
                tally.down += 1;
            }
            true
        }
        Err(e) => {
            ledger.problems.push(format!("{} {e}", side.name()));
            true
        }
    }
}
