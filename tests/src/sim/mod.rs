//! A seeded simulation of the real nodes (turmoil): a county, twelve
//! townships and two department bridges, each the real node started
//! through its seams (clock, dialer, listener) with its real sled store
//! on disk and real mutual TLS, on a simulated network that loses, holds
//! and partitions messages, while clerks work at every centre. Nodes crash
//! and restart; clocks are skewed. At the end of every seed the
//! invariants of [`check`] must hold.
//!
//! A run has two phases: a fault phase (faults drawn from the seed by
//! [`faults::plan`], each undone before it ends) and a heal phase, which
//! ends as soon as every child has converged with the county (or fails
//! the seed when it does not within its limit).
//!
//! Determinism: the network, the fault plan, the clerks and every clock
//! come from the seed, and a host runs only while the simulation steps it.
//! What the seed does not fix: the TLS handshakes' randomness, store ids,
//! and the reconnect backoff's jitter (the `backoff` crate draws it from
//! the thread's generator). A failing seed therefore fails again most of
//! the time, not always; the reproduction command says which seed.
//!
//! Crashes drop the host's runtime: every task stops between two steps,
//! so a crash never falls inside a store write, and the store keeps what
//! it committed. Losing unsynced writes is what the SIGKILL loops on the
//! real binaries test (`tests/tests/crash_loop.rs`).

pub mod check;
pub mod clerk;
pub mod faults;
pub mod forger;
pub mod net;
pub mod world;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use liandong_node::shutdown::Shutdown;
use liandong_node::NodeCore;
use rand::rngs::StdRng;
use rand::SeedableRng;

use clerk::{Ledger, SharedLedger};
use faults::{Fault, FaultCounts, Scheduled};
use net::{SimDialer, SimListener};
use world::{Kind, Member, World};

/// The shape of a run.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub townships: usize,
    pub bridges: usize,
    /// Simulated length of the fault phase.
    pub fault_ms: u64,
    /// Longest simulated heal phase before the seed fails.
    pub heal_ms: u64,
    /// Simulated time per step.
    pub tick_ms: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            townships: 12,
            bridges: 2,
            fault_ms: 120_000,
            heal_ms: 420_000,
            tick_ms: 50,
        }
    }
}

/// What one seed did.
#[derive(Debug, Clone, Default)]
pub struct SeedReport {
    pub seed: u64,
    pub simulated_ms: u64,
    pub real_ms: u64,
    pub cases: usize,
    pub acked_ops: usize,
    pub steps_ok: u64,
    pub steps_refused: u64,
    pub faults: FaultCounts,
    /// Operations the nodes refused on receipt (all causes), at the end.
    pub rejections: u64,
    /// Forged operations the hostile township sent, and how many of them
    /// reached the county and were refused there (the rest were lost to
    /// the faults on the way).
    pub forged_ops: usize,
    pub forged_refused: usize,
}

/// A seed that broke an invariant, or whose nodes did not converge.
#[derive(Debug, Clone)]
pub struct SeedFailure {
    pub report: SeedReport,
    pub problems: Vec<String>,
}

impl SeedFailure {
    /// The one-line command that runs this seed again.
    pub fn reproduce(&self) -> String {
        format!(
            "cargo run --release -p tests --bin sim -- --seeds 1 --from {}",
            self.report.seed
        )
    }
}

impl std::fmt::Display for SeedFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "seed {} failed:", self.report.seed)?;
        for p in self.problems.iter().take(20) {
            writeln!(f, "  {p}")?;
        }
        if self.problems.len() > 20 {
            writeln!(f, "  … and {} more", self.problems.len() - 20)?;
        }
        write!(f, "reproduce: {}", self.reproduce())
    }
}

/// The cores of the nodes that are running now, by host.
type Live = Rc<RefCell<BTreeMap<String, NodeCore>>>;

/// Runs one seed to its end and checks the invariants.
pub fn run_seed(seed: u64, opts: &SimOptions) -> Result<SeedReport, Box<SeedFailure>> {
    let started = Instant::now();
    let root = sim_root().map_err(|e| fail(seed, format!("temp dir: {e}")))?;
    let mut rng = StdRng::seed_from_u64(seed);
    let hosts = 1 + opts.townships + opts.bridges.min(world::JOINT.len());
    let skews = faults::skews(&mut rng, hosts);
    let world = World::new(root.path(), opts.townships, opts.bridges, &skews);
    liandong_net::tls::install_crypto_provider();
    liandong_net::tls::init_ca(&world.pki()).map_err(|e| fail(seed, format!("dev CA: {e}")))?;
    let children: Vec<String> = world.members[1..].iter().map(|m| m.host.clone()).collect();
    let (plan, counts) = faults::plan(&mut rng, &children, opts.fault_ms);

    let ledger: SharedLedger = Arc::new(Mutex::new(Ledger::default()));
    let live: Live = Rc::new(RefCell::new(BTreeMap::new()));
    let mut sim = turmoil::Builder::new()
        .rng_seed(seed)
        .tick_duration(Duration::from_millis(opts.tick_ms))
        .simulation_duration(Duration::from_secs(365 * 24 * 3600))
        .repair_rate(0.5)
        .enable_tokio_io()
        .build();
    for m in &world.members {
        add_host(&mut sim, &world, m, seed, &ledger, &live);
    }
    let forged: forger::Forged = Arc::default();
    {
        let (world, ledger, forged) = (world.clone(), ledger.clone(), forged.clone());
        let clock = world.members[0].clock.clone();
        sim.host(forger::FORGER, move || {
            forger::run(world.clone(), ledger.clone(), forged.clone(), clock.clone())
        });
    }

    let mut report = SeedReport {
        seed,
        faults: counts,
        ..SeedReport::default()
    };
    let outcome = drive(&mut sim, &world, &plan, opts, &live, &ledger);
    report.simulated_ms = sim.elapsed().as_millis() as u64;
    let mut problems = match outcome {
        Ok(()) => Vec::new(),
        Err(p) => vec![p],
    };
    {
        let live = live.borrow();
        let ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
        report.acked_ops = ledger.acked_ops();
        report.cases = ledger.acked.len();
        report.steps_ok = ledger.steps_ok;
        report.steps_refused = ledger.steps_refused;
        report.rejections = live
            .values()
            .map(|c| c.store.rejection_count().unwrap_or(0))
            .sum();
        if problems.is_empty() {
            match live.get("county") {
                Some(county) => {
                    let kids: Vec<NodeCore> = children
                        .iter()
                        .filter_map(|h| live.get(h).cloned())
                        .collect();
                    let forged = forged.lock().map(|f| f.clone()).unwrap_or_default();
                    report.forged_ops = forged.len();
                    let names: std::collections::BTreeSet<String> =
                        forged.iter().map(|o| o.to_string()).collect();
                    report.forged_refused = county
                        .store
                        .rejections(10_000)
                        .unwrap_or_default()
                        .iter()
                        .filter(|r| names.contains(&r.op))
                        .count();
                    problems.extend(check::violations(county, &kids, &ledger, &forged));
                }
                None => problems.push("the county is not running at the end".into()),
            }
        }
    }
    live.borrow_mut().clear();
    drop(sim);
    report.real_ms = started.elapsed().as_millis() as u64;
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(Box::new(SeedFailure { report, problems }))
    }
}

/// The run's directory: in memory (`/dev/shm`) where there is one, since
/// a simulated crash never loses what the page cache holds and a sync
/// there costs nothing; else the system's temporary directory.
fn sim_root() -> std::io::Result<tempfile::TempDir> {
    let shm = std::path::Path::new("/dev/shm");
    if shm.is_dir() {
        if let Ok(dir) = tempfile::Builder::new()
            .prefix("liandong-sim")
            .tempdir_in(shm)
        {
            return Ok(dir);
        }
    }
    tempfile::tempdir()
}

fn fail(seed: u64, problem: String) -> Box<SeedFailure> {
    Box::new(SeedFailure {
        report: SeedReport {
            seed,
            ..SeedReport::default()
        },
        problems: vec![problem],
    })
}

/// Steps the simulation through the fault phase, then heals until every
/// child has converged.
fn drive(
    sim: &mut turmoil::Sim<'_>,
    world: &World,
    plan: &[Scheduled],
    opts: &SimOptions,
    live: &Live,
    ledger: &SharedLedger,
) -> Result<(), String> {
    let mut next = 0;
    let mut last_check = 0;
    loop {
        let elapsed = sim.elapsed().as_millis() as u64;
        world.set_clocks(elapsed);
        while next < plan.len() && plan[next].at_ms <= elapsed {
            apply(sim, &plan[next].fault, live);
            next += 1;
        }
        sim.step()
            .map_err(|e| format!("a node failed at {elapsed} ms: {e}"))?;
        if elapsed < opts.fault_ms || elapsed < last_check + 2_000 {
            continue;
        }
        if let Ok(mut l) = ledger.lock() {
            l.closed = true;
        }
        last_check = elapsed;
        if converged(world, live) {
            return Ok(());
        }
        if elapsed > opts.fault_ms + opts.heal_ms {
            return Err(format!(
                "not converged {} ms after the faults ended: {}",
                opts.heal_ms,
                lagging(world, live).join(", ")
            ));
        }
    }
}

fn apply(sim: &mut turmoil::Sim<'_>, fault: &Fault, live: &Live) {
    const COUNTY: &str = "county";
    match fault {
        Fault::Loss { host, per_mille } => {
            sim.set_link_fail_rate(COUNTY, host.as_str(), f64::from(*per_mille) / 1000.0);
            if *per_mille == 0 {
                sim.repair(COUNTY, host.as_str());
            }
        }
        Fault::PartitionOneWay { from, to } => sim.partition_oneway(from.as_str(), to.as_str()),
        Fault::RepairOneWay { from, to } => sim.repair_oneway(from.as_str(), to.as_str()),
        Fault::Hold { host } => sim.hold(COUNTY, host.as_str()),
        Fault::Release { host } => sim.release(COUNTY, host.as_str()),
        Fault::Cut { host } => sim.partition(COUNTY, host.as_str()),
        Fault::Repair { host } => sim.repair(COUNTY, host.as_str()),
        Fault::Crash { host } => {
            // The harness lets go of the node first, so the crash closes
            // its store.
            live.borrow_mut().remove(host);
            sim.crash(host.as_str());
        }
        Fault::Restart { host } => sim.bounce(host.as_str()),
    }
}

fn converged(world: &World, live: &Live) -> bool {
    lagging(world, live).is_empty()
}

/// The children not (yet) converged with the county, with why.
fn lagging(world: &World, live: &Live) -> Vec<String> {
    let live = live.borrow();
    let Some(county) = live.get("county") else {
        return vec!["county not running".into()];
    };
    world.members[1..]
        .iter()
        .filter_map(|m| match live.get(&m.host) {
            None => Some(format!("{} not running", m.host)),
            Some(core) => match county_node::demo::converged(county, core) {
                Ok(true) => None,
                Ok(false) => Some(describe_lag(county, core)),
                Err(e) => Some(format!("{}: {e}", m.host)),
            },
        })
        .collect()
}

/// Why a child is behind, as both ends see their link.
fn describe_lag(county: &NodeCore, child: &NodeCore) -> String {
    let up = county.board.get(child.me()).unwrap_or_default();
    let down = child.board.get(county.me()).unwrap_or_default();
    let held = |c: &NodeCore| c.store.stats().map(|s| s.ops_held).unwrap_or(0);
    let rejected = |c: &NodeCore| {
        c.store
            .rejections(3)
            .unwrap_or_default()
            .into_iter()
            .map(|r| format!("{} {}", r.reason, r.message))
            .collect::<Vec<_>>()
    };
    format!(
        "{} behind (holds {} ops; county link connected={} sessions={} lag_out={} error={:?}; \
         child link connected={} sessions={} lag_out={} error={:?}; child refused {:?}; county refused {:?})",
        child.me(),
        held(child),
        up.connected,
        up.sessions,
        up.lag_out_ops,
        up.last_error,
        down.connected,
        down.sessions,
        down.lag_out_ops,
        down.last_error,
        rejected(child),
        rejected(county),
    )
}

/// Registers `m`'s software with the simulation: start the real node,
/// publish its core to the harness, then run its clerks.
fn add_host(
    sim: &mut turmoil::Sim<'_>,
    world: &World,
    m: &Member,
    seed: u64,
    ledger: &SharedLedger,
    live: &Live,
) {
    let (world, m) = (world.clone(), m.clone());
    let (ledger, live) = (ledger.clone(), live.clone());
    let incarnation = Rc::new(RefCell::new(0u64));
    let host = m.host.clone();
    sim.host(host.as_str(), move || {
        let (world, m) = (world.clone(), m.clone());
        let (ledger, live) = (ledger.clone(), live.clone());
        *incarnation.borrow_mut() += 1;
        let clerk_seed = seed ^ hash(&m.host) ^ (*incarnation.borrow() << 48);
        async move {
            let shutdown = Shutdown::new();
            let seams = liandong_node::boot::Seams {
                clock: m.clock.clone(),
                dialer: Arc::new(SimDialer),
            };
            let core = start(&world, &m, shutdown.clone(), seams).await?;
            live.borrow_mut().insert(m.host.clone(), core.clone());
            clerk::run(core, m.kind, clerk_seed, ledger).await;
            Ok(())
        }
    });
}

async fn start(
    world: &World,
    m: &Member,
    shutdown: Shutdown,
    seams: liandong_node::boot::Seams,
) -> Result<NodeCore, Box<dyn std::error::Error>> {
    let core = match m.kind {
        Kind::County => {
            let listener = SimListener::bind().await?;
            let county =
                county_node::start_on(world.county_config(), shutdown, seams, listener).await?;
            world::ensure_registry(&county.core, m.clock_now())?;
            county.core
        }
        Kind::Township => {
            township_node::start_with(world.township_config(m), shutdown, seams)
                .await?
                .core
        }
        Kind::Bridge => {
            county_node::bridge::start_with(world.bridge_config(m), shutdown, seams)
                .await?
                .core
        }
    };
    Ok(core)
}

fn hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

impl Member {
    fn clock_now(&self) -> u64 {
        liandong_model::Clock::now_ms(&*self.clock)
    }
}
