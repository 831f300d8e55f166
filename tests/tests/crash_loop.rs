//! Crash loop on the built binaries: a county and township T01 run as
//! `county-node serve` and `township-node serve` processes while a clerk at
//! each runs real clerk commands one after another (`crash_loop/clerk.rs`),
//! and the loop SIGKILLs one of them per cycle at a random moment: after a
//! random delay, in the middle of a running clerk command, or in the middle
//! of a backlog transfer; some cycles kill the victim once more while it
//! starts again. After every kill the victim's store must open and `verify`
//! must pass, and the victim must start again. At the end every case and
//! operation a clerk command acknowledged (exit 0, case printed) is at its
//! origin and at the county exactly once, the county's digest of the
//! township equals the township's own, and both stores verify.
//!
//! `LIANDONG_CRASH_CYCLES` sets the number of cycles (default
//! [`DEFAULT_CYCLES`]); `LIANDONG_CRASH_SEED` replays a seed. The seed is
//! printed at the start and in every failure with the command that replays
//! it. It fixes the loop's draws (victim, moment, delays, backlogs, outages)
//! and the clerks' random streams; the operating system's timing (which
//! command a kill cuts, and so which cases a clerk works on next) is not
//! fixed, so a replay retraces the plan, not the exact interleaving.
//!
//! Backlogs: on some township kills the loop writes a batch of
//! applications straight into the stopped township's store (one durable
//! append, as a window would build up during a long outage), so the restart
//! begins a bulk transfer for the next kill to land in; on some kills the
//! victim is kept down a while so the survivor's clerk builds one up.
//!
//! The checks at the end and the summary are in `crash_loop/finish.rs`;
//! what counts as acknowledged, in `crash_loop/ledger.rs`.
//!
//! The clerks sign in like users before the loop starts (hall management
//! makes the accounts and the matter); their sessions outlive every kill.
//!
//! The binaries must be built first (`cargo build --workspace --bins`).
//! Time only bounds waits and is reported; nothing asserts on timing.

#[path = "crash_loop/clerk.rs"]
mod clerk;
#[path = "crash_loop/finish.rs"]
mod finish;
#[path = "crash_loop/ledger.rs"]
mod ledger;
#[path = "crash_loop/moment.rs"]
mod moment;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clerk::{Shared, Window};
use ledger::Side;
use moment::{Kills, Moment};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tests::scene::{output, Account, Cli, Deadline, NodeProcess, Scene};
use tests::{built_binary, township_id, PASSWORD};

/// Cycles of a default (CI) run.
const DEFAULT_CYCLES: u32 = 100;

/// Applications in one backlog written into the stopped township.
const BACKLOG_CASES: u64 = 200;

/// Cycles between two checkpoints (clerks paused until the county and T01
/// converge: an operation left unsent with nothing new to wake its link
/// shows there, not only at the end).
const CHECKPOINT_EVERY: u32 = 10;

/// Cycles between two progress lines.
const PROGRESS_EVERY: u32 = 50;

/// The township of the scene.
const TOWN: &str = "T01";

/// The cycle now running, for the failure note.
static CYCLE: AtomicU32 = AtomicU32::new(0);

/// The run's seed and length, from the environment.
#[derive(Debug, Clone, Copy)]
struct Run {
    seed: u64,
    cycles: u32,
}

impl Run {
    fn from_env() -> Run {
        let number = |name: &str| {
            std::env::var(name).ok().map(|v| {
                v.trim()
                    .parse::<u64>()
                    .unwrap_or_else(|e| panic!("{name}={v} is not a number: {e}"))
            })
        };
        Run {
            seed: number("LIANDONG_CRASH_SEED").unwrap_or_else(rand::random),
            cycles: number("LIANDONG_CRASH_CYCLES")
                .map(|n| u32::try_from(n).expect("LIANDONG_CRASH_CYCLES fits in 32 bits"))
                .unwrap_or(DEFAULT_CYCLES),
        }
    }

    fn replay(&self) -> String {
        format!(
            "cargo build --workspace --bins && LIANDONG_CRASH_SEED={} LIANDONG_CRASH_CYCLES={} cargo nextest run -p tests --test crash_loop",
            self.seed, self.cycles
        )
    }

    /// Where a failure happened and how to replay it.
    fn at(&self) -> String {
        format!(
            "crash loop seed {} at cycle {} of {}; replay: {}",
            self.seed,
            CYCLE.load(Ordering::SeqCst),
            self.cycles,
            self.replay()
        )
    }

    /// Every panic (an assertion here, a wait that gave up in the scene, a
    /// node that would not start) also prints the seed and the cycle.
    fn note_on_panic(self) {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            eprintln!("{}", self.at());
            previous(info);
        }));
    }
}

/// The loop: the scene, its two node processes (None while one is down),
/// the clerks' shared state and what the run counted.
struct CrashLoop {
    run: Run,
    scene: Scene,
    shared: Arc<Shared>,
    county: Option<NodeProcess>,
    township: Option<NodeProcess>,
    rng: StdRng,
    kills: Kills,
    figures: Figures,
    /// A backlog was written before the last restart.
    backlog_sent: bool,
}

/// Figures for the summary.
#[derive(Debug, Default)]
struct Figures {
    aiming: Duration,
    verify: Duration,
    verify_longest: Duration,
    restart: Duration,
    restart_longest: Duration,
    backlog: Duration,
    backlogs: u32,
    outages: u32,
    checkpoints: u32,
    checkpoint: Duration,
    final_check: Duration,
}

impl CrashLoop {
    /// Starts the county and T01, signs their clerks in, puts matter M001
    /// in the catalogue and signs T01's reviewer in.
    async fn new(run: Run) -> CrashLoop {
        let mut this = CrashLoop {
            run,
            scene: Scene::new(),
            shared: Arc::new(Shared::default()),
            county: None,
            township: None,
            rng: StdRng::seed_from_u64(run.seed),
            kills: Kills::default(),
            figures: Figures::default(),
            backlog_sent: false,
        };
        this.start(Side::County).await;
        this.scene.sign_in_county().await;
        this.start(Side::Township).await;
        this.scene.sign_in_township(TOWN).await;
        put_m001(&this.scene).await;
        sign_in_reviewer(&this.scene).await;
        this
    }

    /// One clerk task per node, each with its own seeded choices.
    fn spawn_clerks(&self) -> Vec<tokio::task::JoinHandle<()>> {
        [Side::County, Side::Township]
            .into_iter()
            .map(|side| {
                let (program, local) = match side {
                    Side::County => ("county-node", self.scene.county_command(&[])),
                    Side::Township => ("township-node", self.scene.township_command(TOWN, &[])),
                };
                let window = Window {
                    side,
                    program: built_binary(program),
                    local: local
                        .as_std()
                        .get_args()
                        .map(|a| a.to_os_string())
                        .collect(),
                    clerk: self.scene.sessions(),
                    reviewer: (side == Side::Township).then(|| self.scene.sessions_of(REVIEWER)),
                };
                let salt = side as u64 + 1;
                let rng = StdRng::seed_from_u64(self.run.seed.wrapping_mul(31).wrapping_add(salt));
                tokio::spawn(clerk::work(window, self.shared.clone(), rng))
            })
            .collect()
    }

    fn slot(&mut self, side: Side) -> &mut Option<NodeProcess> {
        match side {
            Side::County => &mut self.county,
            Side::Township => &mut self.township,
        }
    }

    fn spawn(&self, side: Side) -> NodeProcess {
        match side {
            Side::County => self.scene.spawn_county(),
            Side::Township => self.scene.spawn_township(TOWN),
        }
    }

    /// Starts `side` and waits until it answers; its clerk may count on it.
    async fn start(&mut self, side: Side) {
        let started = Instant::now();
        let town = (side == Side::Township).then_some(TOWN);
        let node = self.scene.ready(self.spawn(side), town).await;
        *self.slot(side) = Some(node);
        self.shared.flags(side).up.store(true, Ordering::SeqCst);
        let took = started.elapsed();
        self.figures.restart += took;
        self.figures.restart_longest = self.figures.restart_longest.max(took);
    }

    /// SIGKILL: the node's clerk sees a new epoch from here on.
    async fn kill(&mut self, side: Side) {
        let flags = self.shared.flags(side);
        flags.up.store(false, Ordering::SeqCst);
        flags.epoch.fetch_add(1, Ordering::SeqCst);
        let node = self.slot(side).take().expect("the victim is running");
        node.sigkill().await;
    }

    /// `verify` on the stopped `side`'s store: it must open and check clean.
    async fn verify(&mut self, side: Side) {
        let started = Instant::now();
        let mut cmd = match side {
            Side::County => {
                let mut c = self.scene.command("county-node");
                c.arg("verify");
                c
            }
            Side::Township => {
                let mut c = self.scene.command("township-node");
                c.args(["verify", "--id", TOWN]);
                c
            }
        };
        cmd.arg("--data").arg(data_dir(&self.scene, side));
        let out = output(cmd, Duration::from_secs(120)).await;
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("no problems found"),
            "{}: verify of the {}'s store failed ({}): {stdout}{}",
            self.run.at(),
            side.name(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let took = started.elapsed();
        self.figures.verify += took;
        self.figures.verify_longest = self.figures.verify_longest.max(took);
    }

    /// One cycle: a victim and a moment, the kill, `verify`; sometimes a
    /// backlog, an outage, or a kill during the restart; the restart.
    async fn cycle(&mut self) {
        let victim = if self.rng.random_bool(0.5) {
            Side::County
        } else {
            Side::Township
        };
        // Right after a backlog was written the restarted township is
        // sending it: most such cycles aim at that transfer.
        let aim = if std::mem::take(&mut self.backlog_sent) && self.rng.random_bool(0.8) {
            Moment::MidBacklog
        } else {
            Moment::pick(&mut self.rng)
        };
        let aiming = Instant::now();
        let seen = moment::wait_for(aim, &self.scene, &self.shared, victim, &mut self.rng).await;
        self.figures.aiming += aiming.elapsed();
        let cut_before = self.shared.ledger().tally(victim).cut;
        self.kill(victim).await;
        self.kills.record(victim, aim, seen);
        self.verify(victim).await;

        if victim == Side::Township && self.rng.random_bool(0.3) {
            self.write_backlog().await;
            self.backlog_sent = true;
        } else if self.rng.random_bool(0.25) {
            // An outage: the survivor's clerk builds up a backlog meanwhile.
            let ms = self.rng.random_range(200..1000);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            self.figures.outages += 1;
        }
        if self.rng.random_bool(0.15) {
            self.kill_during_startup(victim).await;
        }
        self.start(victim).await;
        if self.shared.ledger().tally(victim).cut > cut_before {
            self.kills.cut_a_request(victim);
        }
        self.assert_no_problems();
    }

    /// Starts `side` and kills it again a random moment later, whether or
    /// not it is up yet; then `verify`.
    async fn kill_during_startup(&mut self, side: Side) {
        let mut node = self.spawn(side);
        let ms = self.rng.random_range(0..300);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        node.assert_running();
        let answered = moment::answers(&self.scene, side).await;
        node.sigkill().await;
        self.kills.during_startup(side, answered);
        self.verify(side).await;
    }

    /// Pauses the clerks, waits until no command runs and the county's
    /// digest of T01 equals T01's own, then lets the clerks go on.
    async fn checkpoint(&mut self) {
        let started = Instant::now();
        self.shared.paused.store(true, Ordering::SeqCst);
        let deadline = Deadline::start("the clerks' commands to end at a checkpoint");
        while !self.shared.idle() {
            deadline.tick().await;
        }
        finish::converge(self, &self.run.at()).await;
        self.shared.paused.store(false, Ordering::SeqCst);
        self.figures.checkpoints += 1;
        self.figures.checkpoint += started.elapsed();
    }

    /// Writes a backlog into the stopped township's store.
    async fn write_backlog(&mut self) {
        let started = Instant::now();
        let dir = data_dir(&self.scene, Side::Township);
        let written = tokio::task::spawn_blocking(move || {
            ledger::write_backlog(&dir, &township_id(TOWN), BACKLOG_CASES)
        })
        .await
        .expect("backlog task")
        .and_then(|backlog| self.shared.ledger().merge_backlog(backlog));
        written.unwrap_or_else(|e| panic!("{}: {e}", self.run.at()));
        self.figures.backlogs += 1;
        self.figures.backlog += started.elapsed();
    }

    /// Fails the run if a clerk saw something no kill explains.
    fn assert_no_problems(&self) {
        let problems = self.shared.ledger().problems.clone();
        assert!(
            problems.is_empty(),
            "{}: {} clerk command(s) went wrong:\n{}",
            self.run.at(),
            problems.len(),
            problems.join("\n")
        );
    }
}

fn data_dir(scene: &Scene, side: Side) -> PathBuf {
    match side {
        Side::County => scene.net.dir("county"),
        Side::Township => scene.net.dir(TOWN),
    }
}

/// Puts matter M001 (no required materials, so every step of the clerks'
/// work is allowed) in the county's catalogue, as hall management, and
/// waits until the township holds it.
async fn put_m001(scene: &Scene) {
    let add: &[&str] = &[
        "matter",
        "add",
        "--code",
        "M001",
        "--name",
        "个体工商户设立登记",
        "--kind",
        "promised",
        "--statutory-days",
        "15",
        "--promised-days",
        "3",
        "--department",
        "D01",
        "--level",
        "township",
    ];
    scene.as_hall(&[(add, "")]).await;
    let deadline = Deadline::start("T01 to hold matter M001");
    loop {
        let listed = scene.township_json(TOWN, &["matter", "list"]).await;
        if listed.is_ok_and(|l| l.to_string().contains("\"M001\"")) {
            return;
        }
        deadline.tick().await;
    }
}

/// Department D01's reviewer at T01, who gives the township's opinions.
const REVIEWER: &str = "S21";

/// Makes [`REVIEWER`] (at T01) and signs him in there, in a session
/// directory of his own, once his credential has arrived.
async fn sign_in_reviewer(scene: &Scene) {
    let reviewer = Account::new(REVIEWER, "审查人员", "reviewer", &[TOWN]);
    scene.add_accounts(&[reviewer]).await;
    let data = scene.net.dir(TOWN);
    let cli = Cli::township(TOWN, &data, &scene.sessions_of(REVIEWER));
    cli.sign_in_once_replicated(REVIEWER, PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_moments_loses_no_acknowledged_operation_and_every_store_verifies() {
    let run = Run::from_env();
    run.note_on_panic();
    eprintln!(
        "crash loop: seed {}, {} cycles; replay: {}",
        run.seed,
        run.cycles,
        run.replay()
    );
    let began = Instant::now();
    let mut crash = CrashLoop::new(run).await;
    let clerks = crash.spawn_clerks();
    for c in 1..=run.cycles {
        CYCLE.store(c, Ordering::SeqCst);
        crash.cycle().await;
        if c % CHECKPOINT_EVERY == 0 {
            crash.checkpoint().await;
        }
        if c % PROGRESS_EVERY == 0 && c < run.cycles {
            let acknowledged = crash.shared.ledger().operations();
            eprintln!(
                "crash loop: {c} of {} cycles, {:.0} s, {acknowledged} operations acknowledged",
                run.cycles,
                began.elapsed().as_secs_f64()
            );
        }
    }
    let looped = began.elapsed();

    crash.shared.stop.store(true, Ordering::SeqCst);
    for clerk in clerks {
        clerk.await.expect("clerk task");
    }
    crash.assert_no_problems();
    let ledger = std::mem::take(&mut *crash.shared.ledger());
    let checked = finish::check(&mut crash, &ledger).await;
    eprintln!(
        "{}",
        finish::summary(&crash, &ledger, checked, looped, began.elapsed())
    );
}
