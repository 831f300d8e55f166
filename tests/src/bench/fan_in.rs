//! `bench fan-in`: many townships' uplinks served by one county at once.
//!
//! `--townships` townships (60 by default) are started with the county
//! down, and each writes `--cases` new case applications (a week of a
//! township's backlog, one `Submitted` operation of `--op-bytes` each).
//! Then the county starts and all of them connect at once. Measured: the
//! time from the county's start until it durably holds everything, each
//! township's own time (when the county first held all of its backlog),
//! the slowest over the fastest of those, the same from each township's
//! own link up (fairness: a township that waits for the others' backlogs
//! shows as a large ratio there, whatever its reconnect schedule), and the
//! peak RSS.
//! Then live latency with every link up: single-operation writes, round
//! robin over the townships, each timed from the write returning (durable
//! at the township) until the county durably holds it.
//!
//! Everything runs in this one process (real mutual TLS on loopback, real
//! sled stores on disk), so the peak RSS is that of the county and all the
//! townships together; the report says so.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use liandong_model::NodeId;
use liandong_node::shutdown::Shutdown;
use liandong_store::Store;
use serde::Serialize;
use township_node::Township;

use super::nodes::start_county;
use super::workload::Workload;
use super::{ms, probe, progress, round3, sys, write_bulk, Summary};
use crate::{free_port, now_ms, Net, Node};

#[derive(clap::Args, Debug, Clone)]
pub struct FanInArgs {
    /// Print one JSON object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Townships connecting at once.
    #[arg(long, default_value_t = 60)]
    pub townships: usize,
    /// Cases each township holds for the county when it connects.
    #[arg(long, default_value_t = 500)]
    pub cases: u64,
    /// Target encoded size of one operation, in bytes.
    #[arg(long, default_value_t = 1024)]
    pub op_bytes: usize,
    /// Single-operation writes in the live phase (round robin).
    #[arg(long, default_value_t = 600)]
    pub live_writes: u64,
    /// Pause between live writes, in milliseconds.
    #[arg(long, default_value_t = 10)]
    pub live_interval_ms: u64,
    /// Give up on any single wait after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_s: u64,
}

#[derive(Debug, Serialize)]
pub struct FanInReport {
    pub bench: &'static str,
    pub townships: usize,
    pub cases_per_township: u64,
    pub op_bytes: usize,
    /// County start until it durably holds every township's backlog.
    pub all_held_s: f64,
    pub all_held_ops_per_s: f64,
    /// Per township: county start until the county held all of its backlog.
    pub township_held_s: Summary,
    pub fastest_township_s: f64,
    pub slowest_township_s: f64,
    /// Slowest township's time over the fastest's.
    pub slowest_over_fastest: f64,
    /// Per township: its link up (the county's board) until the county
    /// held all of its backlog; this leaves out when each township's
    /// reconnect schedule let it dial.
    pub township_held_from_link_up_s: Summary,
    /// Slowest over fastest of those.
    pub slowest_over_fastest_from_link_up: f64,
    pub peak_rss_mib: f64,
    pub rss_scope: &'static str,
    pub live_latency_ms: Summary,
    pub live_p99_ms: f64,
    pub load_avg_at_start: String,
    pub load_avg_at_end: String,
    pub cores: usize,
}

impl FanInReport {
    pub fn text(&self) -> String {
        format!(
            "fan-in: {} townships x {} cases of {} B\n  \
             county holds everything after {:.3} s ({:.0} ops/s)\n  \
             per township: fastest {:.3} s, slowest {:.3} s, slowest/fastest {:.2}, p50 {:.3} s\n  \
             per township from its link up: p50 {:.3} s, max {:.3} s, slowest/fastest {:.2}\n  \
             peak RSS {:.1} MiB ({})\n  \
             live with all connected: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} writes)\n  \
             load {} at start, {} at end\n",
            self.townships,
            self.cases_per_township,
            self.op_bytes,
            self.all_held_s,
            self.all_held_ops_per_s,
            self.fastest_township_s,
            self.slowest_township_s,
            self.slowest_over_fastest,
            self.township_held_s.p50,
            self.township_held_from_link_up_s.p50,
            self.township_held_from_link_up_s.max,
            self.slowest_over_fastest_from_link_up,
            self.peak_rss_mib,
            self.rss_scope,
            self.live_latency_ms.p50,
            self.live_latency_ms.p99,
            self.live_latency_ms.max,
            self.live_latency_ms.n,
            self.load_avg_at_start,
            self.load_avg_at_end,
        )
    }
}

/// Township `i`'s name (T01, T02, ...).
fn township_name(i: usize) -> String {
    format!("T{:02}", i + 1)
}

async fn start_town(net: &Net, name: &str, county_port: u16) -> anyhow::Result<Node<Township>> {
    let shutdown = Shutdown::new();
    let cfg = net.township_config(name, county_port);
    let inner = township_node::start_with(cfg, shutdown.clone(), crate::seams_dialling(None))
        .await
        .with_context(|| format!("starting township {name}"))?;
    Ok(Node { inner, shutdown })
}

pub async fn run_fan_in(args: &FanInArgs) -> anyhow::Result<FanInReport> {
    ensure!(
        (1..=99).contains(&args.townships),
        "--townships must be 1..=99"
    );
    ensure!(args.cases > 0, "--cases must be at least 1");
    let load_at_start = sys::loadavg();
    let sampler = sys::RssSampler::start();
    let limit = Duration::from_secs(args.timeout_s);
    let net = Net::new();
    liandong_net::tls::install_crypto_provider();
    liandong_net::tls::init_ca(&net.pki())?;
    let county_port = free_port();
    progress(&format!(
        "fan-in: starting {} townships (county down), {} cases each",
        args.townships, args.cases
    ));
    let mut towns = Vec::with_capacity(args.townships);
    let mut works = Vec::with_capacity(args.townships);
    for i in 0..args.townships {
        let name = township_name(i);
        let town = start_town(&net, &name, county_port).await?;
        let mut work = Workload::new(
            town.core().me().clone(),
            &town.core().county_code,
            now_ms(),
            args.op_bytes,
        );
        write_bulk(&town.core().store, &mut work, args.cases, 1000, &name).await?;
        towns.push(town);
        works.push(work);
    }
    let ids: Vec<NodeId> = towns.iter().map(|t| t.core().me().clone()).collect();

    progress("fan-in: starting the county; every township connects at once");
    let (start, start_ms) = (Instant::now(), now_ms());
    let county = start_county(&net, county_port, None).await?;
    let store = county.core().store.clone();
    let held = wait_all_held(&store, &ids, args.cases, start, limit).await?;
    let all_held = held.values().copied().fold(0.0, f64::max);
    let fastest = held.values().copied().fold(f64::INFINITY, f64::min);
    let total_ops = args.cases * args.townships as u64;
    progress(&format!(
        "fan-in: county holds all {total_ops} after {all_held:.3} s (townships {fastest:.3}..{all_held:.3} s)"
    ));

    let mut from_link_up = Vec::with_capacity(ids.len());
    for id in &ids {
        probe::wait_link(&county.core().board, id, true, 0, limit).await?;
        let up_ms = county
            .core()
            .board
            .get(id)
            .and_then(|l| l.connected_since_ms)
            .unwrap_or(start_ms);
        let up_s = up_ms.saturating_sub(start_ms) as f64 / 1e3;
        let held_s = held.get(id).copied().unwrap_or(all_held);
        from_link_up.push((held_s - up_s).max(0.0));
    }
    let link_fastest = from_link_up.iter().copied().fold(f64::INFINITY, f64::min);
    let link_slowest = from_link_up.iter().copied().fold(0.0, f64::max);
    progress(&format!(
        "fan-in: live: {} single writes round robin over {} connected townships",
        args.live_writes, args.townships
    ));
    let latency = live(&towns, &mut works, &store, args, limit).await?;
    let peak = sampler.max_mib().max(sys::rss().peak_mib);
    drop(sampler);

    progress("stopping nodes");
    for town in towns {
        town.stop().await;
    }
    county.stop().await;
    let live_latency_ms = Summary::of(latency);
    Ok(FanInReport {
        bench: "fan-in",
        townships: args.townships,
        cases_per_township: args.cases,
        op_bytes: args.op_bytes,
        all_held_s: round3(all_held),
        all_held_ops_per_s: (total_ops as f64 / all_held.max(1e-9)).round(),
        township_held_s: Summary::of(held.values().copied().collect()),
        fastest_township_s: round3(fastest),
        slowest_township_s: round3(all_held),
        slowest_over_fastest: round3(all_held / fastest.max(1e-9)),
        township_held_from_link_up_s: Summary::of(from_link_up),
        slowest_over_fastest_from_link_up: round3(link_slowest / link_fastest.max(1e-3)),
        peak_rss_mib: round3(peak),
        rss_scope: "one process: county + every township + bench driver",
        live_p99_ms: live_latency_ms.p99,
        live_latency_ms,
        load_avg_at_start: load_at_start,
        load_avg_at_end: sys::loadavg(),
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}

/// Seconds from `start` until `store` first durably held `cases`
/// operations of each township, by township.
async fn wait_all_held(
    store: &Arc<Store>,
    ids: &[NodeId],
    cases: u64,
    start: Instant,
    limit: Duration,
) -> anyhow::Result<BTreeMap<NodeId, f64>> {
    let mut rx = store.subscribe();
    let mut held = BTreeMap::new();
    let mut last_report = Instant::now();
    loop {
        let at = start.elapsed().as_secs_f64();
        let stats = store.stats()?;
        let counted: u64 = stats.origin_counts.values().sum();
        if stats.feed_head >= counted {
            for id in ids {
                let n = stats.origin_counts.get(id).copied().unwrap_or(0);
                if n >= cases && !held.contains_key(id) {
                    held.insert(id.clone(), at);
                }
            }
        }
        if held.len() == ids.len() {
            return Ok(held);
        }
        if start.elapsed() > limit {
            bail!(
                "fan-in: after {limit:?} the county holds every case of only {} of {} townships",
                held.len(),
                ids.len()
            );
        }
        if last_report.elapsed() >= Duration::from_secs(1) {
            progress(&format!(
                "fan-in: county holds {counted} operations; {} of {} townships complete",
                held.len(),
                ids.len()
            ));
            last_report = Instant::now();
        }
        match tokio::time::timeout(Duration::from_millis(50), rx.changed()).await {
            Ok(Ok(())) => {
                rx.borrow_and_update();
            }
            Ok(Err(_)) => bail!("fan-in: the county store closed"),
            Err(_) => {}
        }
    }
}

async fn live(
    towns: &[Node<Township>],
    works: &mut [Workload],
    county: &Arc<Store>,
    args: &FanInArgs,
    limit: Duration,
) -> anyhow::Result<Vec<f64>> {
    let mut rx = county.subscribe();
    let mut tick = tokio::time::interval(Duration::from_millis(args.live_interval_ms.max(1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut latency = Vec::new();
    for i in 0..args.live_writes as usize {
        tick.tick().await;
        let k = i % towns.len();
        let (town, work) = (&towns[k], &mut works[k]);
        rx.borrow_and_update();
        let now = now_ms();
        let items = work.chunk(1, now);
        let s = town.core().store.clone();
        let (returned, report) = tokio::task::spawn_blocking(move || {
            s.append_local(items, now).map(|r| (Instant::now(), r))
        })
        .await??;
        let Some(id) = report.applied.first().cloned() else {
            bail!(
                "fan-in live: the write at {} applied nothing",
                town.core().me()
            );
        };
        let seen = probe::wait_op(county, town.core().me(), &mut rx, &id, limit).await?;
        latency.push(ms(seen.saturating_duration_since(returned)));
    }
    Ok(latency)
}
