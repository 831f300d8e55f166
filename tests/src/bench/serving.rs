//! `bench serving`: how long the county takes to serve one township's
//! backlog when it holds 1× and F× as much data for *other* townships.
//! Serving a peer should cost what that peer's outbox holds, not what the
//! whole store holds: the ratio of the two serve times is the figure (a
//! target of ≤ 1.2 is printed beside it, never asserted).
//!
//! Per factor, in a fresh temporary directory:
//! 1. A county store (`HQ`) is built directly through the store API:
//!    townships T01 … T(F+1) are registered first (`ensure_peer`, as a
//!    running county has them), then half of the F × backlog operations
//!    of the other townships' own cases (one backlog's worth each;
//!    received batches, `Source::Peer`, cursors increasing), then T01's
//!    backlog (county-written opinions on T01's cases, `append_local`),
//!    then the other half of the others' data, so the backlog is not one
//!    contiguous run of the feed.
//! 2. Store level: the closed store is opened (sled replays its log),
//!    closed and opened again as the node will, and T01's whole outbox is
//!    read with `read_outbox` in the session's batch bounds (no network),
//!    once with sled's cache cold, then three times more (best: warm);
//!    then once more on a fresh open right after a scan of every case
//!    (`Store::cases`, what the county's supervision pass reads).
//! 3. End to end: a real county node starts on that directory (mutual TLS
//!    on 127.0.0.1:0), then a fresh township T01 with an empty store; timed
//!    from the township's start until its store durably holds the backlog.
//!
//! The county's background work (its supervision pass folds every case at
//! start) runs concurrently unless `--wait-idle` is given. With
//! `--repeat R` each factor is served R times, each time by a county node
//! on a fresh copy of the store as built (a second township on the same
//! county would present a new store id and be refilled), and the store
//! level cold read is repeated R times; the figures are medians. Single
//! runs on a loaded 2-core machine vary by ±30 %.

mod county_data;
mod table;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use liandong_model::NodeId;
use liandong_store::{Store, StoreOptions};
use serde::Serialize;

use super::nodes::start_county;
use super::sys::{self, machine, Machine};
use super::{probe, progress, round3, start_township, TOWN};
use crate::Net;
use county_data::{build_county, read_backlog};

const SETUP: &str = "county built through the store API, then served by a real county node; \
    a fresh township T01 in this process replicates over a gRPC bidirectional stream with \
    mutual TLS on 127.0.0.1; sled stores on disk in a temporary directory";

#[derive(clap::Args, Debug, Clone)]
pub struct ServingArgs {
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Operations in T01's backlog (county-written events on T01's cases).
    #[arg(long, default_value_t = 10_000)]
    pub backlog: u64,
    /// Data held for other townships, as a multiple of the backlog (one
    /// township per backlog's worth); compared with 1×.
    #[arg(long, default_value_t = 20)]
    pub factor: u64,
    /// Operations per write batch while building the county store.
    #[arg(long, default_value_t = 500)]
    pub chunk: usize,
    /// Target encoded size of one operation, in bytes.
    #[arg(long, default_value_t = 1024)]
    pub op_bytes: usize,
    /// Start the township only once the county's process has gone idle
    /// (its start-up supervision pass done), instead of right after start.
    #[arg(long)]
    pub wait_idle: bool,
    /// Serves per factor, each on a fresh copy of the built county store
    /// with a fresh township; times are medians (every sample is in the
    /// JSON), and the store-level cold read is repeated as often.
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// The county's sled page cache, MiB, in the node and at store level
    /// (default: the store's own default).
    #[arg(long)]
    pub cache_mb: Option<u64>,
    /// Directory to create the temporary stores in (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Give up on any single wait after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_s: u64,
}

/// One factor's figures.
#[derive(Debug, Clone, Serialize)]
pub struct FactorRun {
    pub factor: u64,
    /// Townships registered at the county (T01 and the others).
    pub townships: u64,
    /// Operations the county held when the township started.
    pub county_ops: u64,
    pub backlog: u64,
    /// Building the county store (all writes, each durable).
    pub build_s: f64,
    pub county_disk_mib: f64,
    /// Store level: the first open after the build (sled replays its log).
    pub store_open_s: f64,
    /// Store level: the open after that, before the reads (as the node's).
    pub store_reopen_s: f64,
    /// Store level: `read_outbox` of T01's whole outbox, session batch
    /// bounds, right after a reopen (sled's cache cold); median.
    pub store_read_s: f64,
    pub store_read_s_samples: Vec<f64>,
    /// The same read again, best of three (cache warm).
    pub store_read_warm_s: f64,
    /// A whole-store case scan on a fresh open (what the county's
    /// supervision pass reads), and T01's outbox read right after it.
    pub store_case_scan_s: f64,
    pub store_read_after_scan_s: f64,
    pub store_read_batches: u64,
    pub store_ops_per_s: f64,
    /// Township start until its store durably held the whole backlog; median.
    pub serve_s: f64,
    pub serve_ops_per_s: f64,
    /// Every serve (`--repeat`), in order.
    pub serves: Vec<Served>,
}

/// What one end-to-end serve measured (seconds).
#[derive(Debug, Clone, Serialize)]
pub struct Served {
    /// The county node's start (store open included).
    pub county_start_s: f64,
    /// County start until its first supervision recount was published, if
    /// it was before the township held the backlog.
    pub county_first_recount_s: Option<f64>,
    /// Township start until the county's board showed its session.
    pub link_up_s: f64,
    /// Township start until its store durably held the whole backlog.
    pub serve_s: f64,
    /// CPU cores this process kept busy while serving (county + township).
    pub cpu_cores_busy: f64,
    /// Operations the county wrote itself while running (supervision flags).
    pub county_writes_while_running: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ratio {
    pub metric: &'static str,
    pub measured: f64,
    pub target: &'static str,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServingReport {
    pub bench: &'static str,
    pub backlog: u64,
    pub factor: u64,
    pub op_bytes: usize,
    pub waited_for_idle_county: bool,
    /// Serves (and cold reads) per factor; the figures are medians.
    pub repeat: usize,
    /// The county's sled page cache.
    pub county_cache_mib: u64,
    pub runs: Vec<FactorRun>,
    /// Serve time at F× over 1×, end to end and store level.
    pub ratios: Vec<Ratio>,
    pub cores: usize,
    pub machine: Machine,
    /// /proc/loadavg at start and end: other work on the machine skews results.
    pub load_avg_at_start: String,
    pub load_avg_at_end: String,
    pub setup: &'static str,
}

/// Runs the serving benchmark at 1× and at `--factor`.
pub async fn run_serving(args: &ServingArgs) -> anyhow::Result<ServingReport> {
    progress("serving benchmark: one township's backlog, county at 1x and Fx other data");
    ensure!(
        args.backlog > 0 && args.chunk > 0 && args.factor > 0,
        "--backlog, --chunk and --factor must be at least 1"
    );
    ensure!(args.op_bytes >= 300, "--op-bytes must be at least 300");
    ensure!(args.repeat > 0, "--repeat must be at least 1");
    let load_avg_at_start = sys::loadavg();
    let mut factors = vec![1];
    if args.factor != 1 {
        factors.push(args.factor);
    }
    let mut runs = Vec::new();
    for factor in factors {
        runs.push(run_factor(args, factor).await?);
    }
    let ratio = |metric, f: fn(&FactorRun) -> f64| {
        let (base, top) = (&runs[0], &runs[runs.len() - 1]);
        let measured = round3(f(top) / f(base).max(1e-9));
        Ratio {
            metric,
            measured,
            target: "<= 1.2",
            met: measured <= 1.2,
        }
    };
    let ratios = vec![
        ratio("serve time, end to end (Fx / 1x)", |r| r.serve_s),
        ratio("outbox read, store level, cold (Fx / 1x)", |r| {
            r.store_read_s
        }),
        ratio("outbox read, store level, warm (Fx / 1x)", |r| {
            r.store_read_warm_s
        }),
        ratio("outbox read after a case scan (Fx / 1x)", |r| {
            r.store_read_after_scan_s
        }),
    ];
    let machine = machine();
    Ok(ServingReport {
        bench: "serving",
        backlog: args.backlog,
        factor: args.factor,
        op_bytes: args.op_bytes,
        waited_for_idle_county: args.wait_idle,
        repeat: args.repeat,
        county_cache_mib: county_options(args).cache_bytes / (1024 * 1024),
        runs,
        ratios,
        cores: machine.cores,
        machine,
        load_avg_at_start,
        load_avg_at_end: sys::loadavg(),
        setup: SETUP,
    })
}

/// The county store's options at store level (the node's, from `--cache-mb`).
fn county_options(args: &ServingArgs) -> StoreOptions {
    let default = StoreOptions::default();
    StoreOptions {
        cache_bytes: args
            .cache_mb
            .map_or(default.cache_bytes, |mb| mb.saturating_mul(1024 * 1024)),
        ..default
    }
}

/// A fresh temporary directory for one node set.
fn new_net(args: &ServingArgs) -> anyhow::Result<Net> {
    Ok(match &args.dir {
        Some(dir) => Net {
            root: tempfile::tempdir_in(dir)
                .with_context(|| format!("temp dir in {}", dir.display()))?,
        },
        None => Net::new(),
    })
}

async fn run_factor(args: &ServingArgs, factor: u64) -> anyhow::Result<FactorRun> {
    let limit = Duration::from_secs(args.timeout_s);
    let net = new_net(args)?;
    let dir = net.dir("county");
    progress(&format!(
        "{factor}x: building the county store under {}",
        dir.display()
    ));
    let (a, d) = (args.clone(), dir.clone());
    let built = tokio::task::spawn_blocking(move || build_county(&d, &a, factor)).await??;
    let (a, d) = (args.clone(), dir.clone());
    let read = tokio::task::spawn_blocking(move || {
        read_backlog(&d, a.backlog, a.repeat, &county_options(&a))
    })
    .await??;
    let cold = median(&read.cold_s);
    progress(&format!(
        "{factor}x: store level: T01's outbox read in {cold:.3} s cold, {:.3} s warm ({} batches; store opened in {:.3} s, then {:.3} s)",
        read.warm_s, read.batches, read.open_s, read.reopen_s
    ));
    let mut serves = Vec::new();
    for _ in 0..args.repeat {
        // Each serve starts from the store as built: the county records
        // the township's store id, which a second fresh township would
        // change (a refill).
        let copy = new_net(args)?;
        let (from, to) = (dir.clone(), copy.dir("county"));
        tokio::task::spawn_blocking(move || copy_dir(&from, &to)).await??;
        serves.push(serve(&copy, args, factor, limit).await?);
    }
    let serve_s = median(&serves.iter().map(|s| s.serve_s).collect::<Vec<_>>());
    Ok(FactorRun {
        factor,
        townships: factor + 1,
        county_ops: built.ops,
        backlog: args.backlog,
        build_s: round3(built.secs),
        county_disk_mib: round3(built.disk_bytes as f64 / 1048576.0),
        store_open_s: round3(read.open_s),
        store_reopen_s: round3(read.reopen_s),
        store_read_s: round3(cold),
        store_read_s_samples: read.cold_s.iter().copied().map(round3).collect(),
        store_read_warm_s: round3(read.warm_s),
        store_case_scan_s: round3(read.case_scan_s),
        store_read_after_scan_s: round3(read.after_scan_s),
        store_read_batches: read.batches,
        store_ops_per_s: round3(args.backlog as f64 / cold.max(1e-9)),
        serve_s: round3(serve_s),
        serve_ops_per_s: round3(args.backlog as f64 / serve_s.max(1e-9)),
        serves,
    })
}

/// The median of a sample (the mean of the middle two for an even count).
fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => 0.0,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// Copies a closed store's directory (files and subdirectories).
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("copying {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// Starts a county node on the built store and a fresh township, times
/// the serve of the backlog, and stops both.
async fn serve(
    net: &Net,
    args: &ServingArgs,
    factor: u64,
    limit: Duration,
) -> anyhow::Result<Served> {
    progress(&format!("{factor}x: starting the county node"));
    let county_start = Instant::now();
    let county = start_county(net, 0, args.cache_mb).await?;
    let county_start_s = county_start.elapsed().as_secs_f64();
    let county_id = county.core().me().clone();
    let recount = watch_first_recount(county.core().clone(), county_start, limit);
    if args.wait_idle {
        wait_idle(limit).await?;
        progress(&format!(
            "{factor}x: county idle {:.3} s after its start",
            county_start.elapsed().as_secs_f64()
        ));
    }
    let t01 = crate::township_id(TOWN);
    let link = probe::watch_link_up(county.core().board.clone(), t01, 0, limit);
    progress(&format!(
        "{factor}x: starting township {TOWN} (empty store)"
    ));
    let cpu_before = sys::cpu_seconds();
    let started = Instant::now();
    let town = start_township(net, county.port(), None, None).await?;
    let held = wait_holds(&town.core().store, &county_id, args.backlog, started, limit).await?;
    let cpu_s = sys::cpu_seconds() - cpu_before;
    let serve_s = held.duration_since(started).as_secs_f64();
    let (link_at, _) = link.await?.context("the link never came up")?;
    let first_recount_s = recount
        .get()
        .map(|at| round3(at.duration_since(county_start).as_secs_f64()));
    drop(recount);
    let county_local = county
        .core()
        .store
        .stats()?
        .origin_counts
        .get(&county_id)
        .copied()
        .unwrap_or(0);
    progress(&format!(
        "{factor}x: township holds all {} after {serve_s:.3} s from its start",
        args.backlog
    ));
    town.stop().await;
    county.stop().await;
    // A supervision pass still folding outlives the drain deadline: let it
    // end before the next serve or build.
    wait_idle(limit).await?;
    Ok(Served {
        county_start_s: round3(county_start_s),
        county_first_recount_s: first_recount_s,
        link_up_s: round3(link_at.saturating_duration_since(started).as_secs_f64()),
        serve_s: round3(serve_s),
        cpu_cores_busy: round3(cpu_s / serve_s.max(1e-9)),
        county_writes_while_running: county_local.saturating_sub(args.backlog),
    })
}

/// Waits until `store` durably holds `target` operations from `origin`,
/// checking every few milliseconds; returns when it first did.
async fn wait_holds(
    store: &Store,
    origin: &NodeId,
    target: u64,
    started: Instant,
    limit: Duration,
) -> anyhow::Result<Instant> {
    let mut last_report = Instant::now();
    loop {
        let (done, n) = probe::holds_durably(store, origin, target)?;
        let now = Instant::now();
        if done {
            return Ok(now);
        }
        ensure!(
            now.duration_since(started) < limit,
            "the township holds {n} of {target} backlog operations after {limit:?}"
        );
        if now.duration_since(last_report) >= Duration::from_secs(1) {
            progress(&format!("township holds {n}/{target}"));
            last_report = now;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Set (within 5 ms) when the node's first supervision recount is
/// published; the watch ends with the node or after `limit`.
fn watch_first_recount(
    core: liandong_node::NodeCore,
    since: Instant,
    limit: Duration,
) -> Arc<OnceLock<Instant>> {
    let seen = Arc::new(OnceLock::new());
    let out = seen.clone();
    tokio::spawn(async move {
        while since.elapsed() < limit && Arc::strong_count(&seen) > 1 {
            if core.warning_counts().counted_at_ms != 0 {
                let _ = seen.set(Instant::now());
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    out
}

/// Waits until this process uses under a tenth of a core over 300 ms.
async fn wait_idle(limit: Duration) -> anyhow::Result<()> {
    let started = Instant::now();
    loop {
        let before = sys::cpu_seconds();
        tokio::time::sleep(Duration::from_millis(300)).await;
        if sys::cpu_seconds() - before < 0.03 {
            return Ok(());
        }
        ensure!(
            started.elapsed() < limit,
            "the county did not go idle within {limit:?}"
        );
    }
}
