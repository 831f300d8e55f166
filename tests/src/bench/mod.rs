//! `bench replication`: replication throughput, catch-up time, live latency
//! and memory of a county and one township, both started in this process by
//! the test harness (real mutual TLS on loopback, real sled stores on disk
//! in a temporary directory).
//!
//! Phases, in the order run:
//! 1. initial: `--ops` operations written at the township (chunks of
//!    `--chunk` through `Store::append_local`) while the county is down;
//!    then the county starts and the bench waits until it durably holds
//!    them all. Timed from the county's start and from the link coming up.
//! 2. live: `--live-writes` single-operation writes, `--live-interval-ms`
//!    apart; each timed from the write call returning (durable at the
//!    township) until the county durably holds it.
//! 3. catch-up: the township is restarted behind a `LinkProxy` (so its link
//!    can be cut); with the link up the proxy cuts it, `--catchup-ops` are
//!    written, the link is restored, and the bench times until the county
//!    durably holds them all.
//!
//! Before them, the raw sled limit for the same record size ([`sled_raw`]),
//! which the initial rate is reported against. Then memory (VmHWM of this
//! process), disk use, convergence, and an optional apply profile
//! ([`profile`]).
//!
//! `bench fan-in` ([`fan_in`]) has sixty townships connect to one county
//! at once. `bench serving` ([`serving`]) times serving one township's backlog as
//! the county's data for other townships grows.

pub mod county_rss;
pub mod county_scale;
pub mod fan_in;
mod nodes;
mod phases;
pub mod probe;
pub mod profile;
pub mod report;
pub mod serving;
pub mod sled_raw;
pub mod sys;
pub mod workload;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::now_ms;
use anyhow::{bail, ensure, Context};
use county_node::demo::proxy::LinkProxy;
use liandong_model::NodeId;
use liandong_node::shutdown::Shutdown;
use liandong_store::Store;
use serde::Serialize;

use crate::{free_port, Net};
pub(crate) use nodes::start_township;
use nodes::{start_county, wait_in_sync};
use report::{Catchup, Disk, Initial, Live, Memory, Report};
use workload::Workload;

const TOWN: &str = "T01";

#[derive(clap::Args, Debug, Clone)]
pub struct ReplicationArgs {
    /// Print one JSON object on stdout instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Operations written at the township while the county is down (initial replication).
    #[arg(long, default_value_t = 100_000)]
    pub ops: u64,
    /// Operations written while the link is cut (catch-up).
    #[arg(long, default_value_t = 10_000)]
    pub catchup_ops: u64,
    /// Single-operation writes in the live-latency phase.
    #[arg(long, default_value_t = 1_000)]
    pub live_writes: u64,
    /// Pause between live writes, in milliseconds.
    #[arg(long, default_value_t = 20)]
    pub live_interval_ms: u64,
    /// Operations per `append_local` call in the bulk writes.
    #[arg(long, default_value_t = 1_000)]
    pub chunk: usize,
    /// Target encoded size of one operation, in bytes.
    #[arg(long, default_value_t = 1024)]
    pub op_bytes: usize,
    /// Operations replayed in the apply profile (0 skips it).
    #[arg(long, default_value_t = 20_000)]
    pub profile_ops: u64,
    /// Directory to create the temporary stores in (default: the system temp dir).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// sled page cache of each node, MiB (default: the nodes' own default).
    #[arg(long)]
    pub cache_mb: Option<u64>,
    /// Give up on any single wait after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_s: u64,
}

/// Percentiles of a sample, in its unit (ms here).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    pub n: usize,
    pub mean: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    pub fn of(mut v: Vec<f64>) -> Summary {
        if v.is_empty() {
            return Summary::default();
        }
        v.sort_by(f64::total_cmp);
        // Nearest rank.
        let pct = |p: f64| v[((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        Summary {
            n: v.len(),
            mean: round3(v.iter().sum::<f64>() / v.len() as f64),
            p50: round3(pct(50.0)),
            p90: round3(pct(90.0)),
            p99: round3(pct(99.0)),
            max: round3(v[v.len() - 1]),
        }
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// A progress line on stderr, stamped with seconds since the bench started.
pub fn progress(msg: &str) {
    let t = START.get_or_init(Instant::now).elapsed().as_secs_f64();
    eprintln!("[bench {t:7.2}s] {msg}");
}

/// Runs the replication benchmark and returns its report.
pub async fn run_replication(args: &ReplicationArgs) -> anyhow::Result<Report> {
    progress("replication benchmark: county and township in this process, loopback, mutual TLS, sled on disk");
    ensure!(
        args.ops > 0 && args.chunk > 0,
        "--ops and --chunk must be at least 1"
    );
    ensure!(args.op_bytes >= 300, "--op-bytes must be at least 300");
    let rss_baseline = sys::rss();
    let load_at_start = sys::loadavg();
    let sampler = sys::RssSampler::start();
    let limit = Duration::from_secs(args.timeout_s);
    let net = match &args.dir {
        Some(dir) => Net {
            root: tempfile::tempdir_in(dir)
                .with_context(|| format!("temp dir in {}", dir.display()))?,
        },
        None => Net::new(),
    };
    let data_dir = net.root.path().display().to_string();
    progress(&format!("stores under {data_dir}"));

    let raw_ops = args.ops.min(50_000);
    progress(&format!(
        "sled raw: {raw_ops} records of {} bytes, durable batches of {}",
        args.op_bytes, args.chunk
    ));
    let cache_mb = args
        .cache_mb
        .unwrap_or(county_node::CountyConfig::default().cache_mb);
    let (dir, (value, chunk)) = (net.dir("sled-raw"), (args.op_bytes, args.chunk));
    let sled_raw = tokio::task::spawn_blocking(move || {
        sled_raw::measure(&dir, raw_ops, value, chunk, cache_mb * 1024 * 1024)
    })
    .await??;
    progress(&format!("sled raw: {:.0} ops/s", sled_raw.ops_per_s));

    // Phase 1: initial replication.
    let county_port = free_port();
    progress(&format!(
        "initial: starting township {TOWN}; the county (port {county_port}) is down"
    ));
    let town = start_township(&net, county_port, None, args.cache_mb).await?;
    let town_id = town.core().me().clone();
    let mut work = Workload::new(
        town_id.clone(),
        &town.core().county_code,
        now_ms(),
        args.op_bytes,
    );
    let op_bytes = work.encoded_len(now_ms());
    progress(&format!(
        "initial: writing {} operations of {op_bytes} bytes in chunks of {}",
        args.ops, args.chunk
    ));
    let bulk = write_bulk(
        &town.core().store,
        &mut work,
        args.ops,
        args.chunk,
        "initial",
    )
    .await?;
    let rss_township_only = sys::rss();
    progress("initial: starting the county");
    let county_start = Instant::now();
    let county = start_county(&net, county_port, args.cache_mb).await?;
    let county_ready = Instant::now();
    let county_id = county.core().me().clone();
    let county_store = county.core().store.clone();
    let board = county.core().board.clone();
    let link = probe::watch_link_up(board.clone(), town_id.clone(), 0, limit);
    let mut commits = Vec::new();
    let held = probe::wait_held(
        &county_store,
        &town_id,
        args.ops,
        limit,
        "initial",
        &mut commits,
    )
    .await?;
    let cpu_held = sys::cpu_seconds();
    let (link_up, cpu_link) = link.await?.context("the link never came up")?;
    let link_up = link_up.min(held);
    let mut initial = Initial::new(
        args.ops,
        &bulk,
        county_start,
        county_ready,
        link_up,
        held,
        &commits,
    );
    initial.cpu_cores_busy =
        round3((cpu_held - cpu_link) / held.duration_since(link_up).as_secs_f64().max(1e-9));
    progress(&format!(
        "initial: county holds all {} after {:.3} s from county start ({:.3} s from link up): {:.0} ops/s from link up",
        args.ops, initial.from_county_start_s, initial.from_link_up_s, initial.ops_per_s_from_link_up
    ));
    let rss_after_initial = sys::rss();

    // Phase 2: live latency.
    let mut expected = args.ops;
    let live = live_phase(
        &town.core().store,
        &county_store,
        &town_id,
        &mut work,
        args,
        limit,
    )
    .await?;
    expected += args.live_writes;
    let rss_after_live = sys::rss();

    // Phase 3: catch-up behind a cuttable link.
    progress(&format!("catch-up: restarting {TOWN} behind a link proxy"));
    town.stop().await;
    let proxy_shutdown = Shutdown::new();
    let proxy = LinkProxy::start(county.inner.grpc_addr, &proxy_shutdown).await?;
    let before = probe::sessions(&board, &town_id);
    let dial = Some(proxy.addr().to_string());
    let town = start_township(&net, county_port, dial, args.cache_mb).await?;
    probe::wait_link(&board, &town_id, true, before, limit).await?;
    wait_in_sync(&county, &town, limit).await?;
    progress("catch-up: link up and in sync; cutting it");
    proxy.set_up(false);
    probe::wait_link(&board, &town_id, false, 0, limit).await?;
    progress(&format!(
        "catch-up: writing {} operations while cut",
        args.catchup_ops
    ));
    let cut_bulk = write_bulk(
        &town.core().store,
        &mut work,
        args.catchup_ops,
        args.chunk,
        "catch-up",
    )
    .await?;
    expected += args.catchup_ops;
    let before = probe::sessions(&board, &town_id);
    progress("catch-up: restoring the link");
    let restored = Instant::now();
    proxy.set_up(true);
    let link = probe::watch_link_up(board.clone(), town_id.clone(), before, limit);
    let mut commits = Vec::new();
    let held = probe::wait_held(
        &county_store,
        &town_id,
        expected,
        limit,
        "catch-up",
        &mut commits,
    )
    .await?;
    let cpu_held = sys::cpu_seconds();
    let (link_up, cpu_link) = link.await?.context("the link never came back")?;
    let link_up = link_up.min(held);
    let mut catchup = Catchup::new(
        args.catchup_ops,
        &cut_bulk,
        restored,
        link_up,
        held,
        &commits,
    );
    catchup.cpu_cores_busy =
        round3((cpu_held - cpu_link) / held.duration_since(link_up).as_secs_f64().max(1e-9));
    progress(&format!(
        "catch-up: county holds all {} after {:.3} s from restore (reconnect {:.3} s, transfer {:.3} s)",
        args.catchup_ops, catchup.from_restore_s, catchup.reconnect_s, catchup.transfer_s
    ));
    let rss_end = sys::rss();
    let sampled_peak = sampler.max_mib();
    drop(sampler);

    let converged = wait_in_sync(&county, &town, limit).await.is_ok();
    let disk = Disk {
        county_mib: county_store.disk_bytes() as f64 / 1048576.0,
        township_mib: town.core().store.disk_bytes() as f64 / 1048576.0,
    };
    let case_scan = if args.profile_ops > 0 {
        progress("profile: scanning every case at the county (Store::cases)");
        let store = county_store.clone();
        Some(tokio::task::spawn_blocking(move || profile::scan_cases(&store)).await??)
    } else {
        None
    };
    let apply_profile = if args.profile_ops > 0 {
        progress(&format!(
            "profile: replaying {} operations into a fresh store, timing each step",
            args.profile_ops
        ));
        let town_store = town.core().store.clone();
        let (dir, max) = (net.dir("profile-county"), args.profile_ops);
        let p =
            tokio::task::spawn_blocking(move || profile::run(&town_store, &county_id, &dir, max))
                .await??;
        Some(p)
    } else {
        None
    };

    progress("stopping nodes");
    town.stop().await;
    county.stop().await;
    proxy_shutdown.drain(Duration::from_secs(5)).await;

    let memory = Memory {
        baseline_mib: rss_baseline.now_mib,
        township_only: rss_township_only,
        after_initial: rss_after_initial,
        after_live: rss_after_live,
        after_catchup: rss_end,
        sampled_peak_mib: sampled_peak,
        note: "VmHWM/VmRSS of this one process: county + township + bench driver \
               (workload generation, tokio runtime); peak = max of VmHWM readings and \
               VmRSS sampled every 50 ms, up to the end of catch-up (before the apply profile)"
            .into(),
    };
    let mut report = Report::new(
        args,
        op_bytes,
        data_dir,
        initial,
        live,
        catchup,
        memory,
        disk,
        converged,
        apply_profile,
    );
    report.load_avg_at_start = load_at_start;
    report.case_scan = case_scan;
    report.set_sled_raw(sled_raw);
    Ok(report)
}

/// A bulk write: how long it took overall and per chunk.
pub struct BulkWrite {
    pub ops: u64,
    pub secs: f64,
    pub chunk_ms: Vec<f64>,
}

pub(crate) async fn write_bulk(
    store: &Arc<Store>,
    work: &mut Workload,
    total: u64,
    chunk: usize,
    label: &str,
) -> anyhow::Result<BulkWrite> {
    let start = Instant::now();
    let mut chunk_ms = Vec::new();
    let mut written = 0u64;
    let step = (total / 10).max(1);
    let mut next_report = step;
    while written < total {
        let n = chunk.min((total - written) as usize);
        let now = now_ms();
        let items = work.chunk(n, now);
        let s = store.clone();
        let (took, applied) = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            s.append_local(items, now)
                .map(|r| (t.elapsed(), r.applied.len()))
        })
        .await??;
        ensure!(
            applied == n,
            "{label}: the store applied {applied} of {n} new operations"
        );
        chunk_ms.push(ms(took));
        written += n as u64;
        if written >= next_report {
            progress(&format!("{label}: written {written}/{total}"));
            next_report += step;
        }
    }
    Ok(BulkWrite {
        ops: total,
        secs: start.elapsed().as_secs_f64(),
        chunk_ms,
    })
}

async fn live_phase(
    town: &Arc<Store>,
    county: &Arc<Store>,
    town_id: &NodeId,
    work: &mut Workload,
    args: &ReplicationArgs,
    limit: Duration,
) -> anyhow::Result<Live> {
    progress(&format!(
        "live: {} single-operation writes, {} ms apart",
        args.live_writes, args.live_interval_ms
    ));
    let mut rx = county.subscribe();
    let mut tick = tokio::time::interval(Duration::from_millis(args.live_interval_ms.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let (mut latency, mut local) = (Vec::new(), Vec::new());
    let step = (args.live_writes / 10).max(1);
    for i in 1..=args.live_writes {
        tick.tick().await;
        rx.borrow_and_update();
        let now = now_ms();
        let items = work.chunk(1, now);
        let s = town.clone();
        let (returned, took, report) = tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            s.append_local(items, now)
                .map(|r| (Instant::now(), t.elapsed(), r))
        })
        .await??;
        let Some(id) = report.applied.first().cloned() else {
            bail!("live: the write applied nothing");
        };
        let seen = probe::wait_op(county, town_id, &mut rx, &id, limit).await?;
        latency.push(ms(seen.saturating_duration_since(returned)));
        local.push(ms(took));
        if i % step == 0 {
            let s = Summary::of(latency.clone());
            progress(&format!(
                "live: {i}/{} (so far p50 {:.3} ms, p99 {:.3} ms)",
                args.live_writes, s.p50, s.p99
            ));
        }
    }
    Ok(Live {
        writes: args.live_writes,
        interval_ms: args.live_interval_ms,
        latency_ms: Summary::of(latency),
        local_write_ms: Summary::of(local),
    })
}
