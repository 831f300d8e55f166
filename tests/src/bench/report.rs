//! The benchmark's report: one JSON object (`--json`) or a table.

use std::fmt::Write as _;

use serde::Serialize;

pub use super::phases::{Catchup, Disk, Initial, Live, Memory};
use super::profile::{ApplyProfile, CaseScan};
use super::sled_raw::SledRaw;
use super::sys::{machine, Machine};
use super::{round3, ReplicationArgs, Summary};

const SETUP: &str = "county and township run in this one process (test harness), \
    replicating over a gRPC bidirectional stream with mutual TLS on 127.0.0.1; \
    sled stores on disk in a temporary directory; every commit is flushed + sync_data'd \
    before it is acknowledged or observed";

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub metric: &'static str,
    pub measured: f64,
    pub target: &'static str,
    pub met: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub bench: &'static str,
    pub initial_ops_per_s: f64,
    pub initial_ops_per_s_from_county_start: f64,
    pub initial_timed_from: &'static str,
    /// This machine's raw sled limit for the same record size, measured
    /// in this run ([`super::sled_raw`]).
    pub sled_raw_ops_per_s: f64,
    /// `initial_ops_per_s / sled_raw_ops_per_s`.
    pub initial_vs_sled_raw: f64,
    pub catchup_10k_s: f64,
    /// Link restored until the new session is up (reconnect schedule).
    pub catchup_reconnect_s: f64,
    /// Session up until the county durably holds everything.
    pub catchup_transfer_s: f64,
    pub catchup_timed_from: &'static str,
    pub live_p50_ms: f64,
    pub live_p99_ms: f64,
    pub county_peak_rss_mib: f64,
    pub township_peak_rss_mib: f64,
    pub rss_scope: &'static str,
    pub ops: u64,
    pub catchup_ops: u64,
    pub live_writes: u64,
    pub chunk: usize,
    pub op_bytes: usize,
    /// sled page cache of each node.
    pub sled_cache_mb: u64,
    pub cores: usize,
    pub machine: Machine,
    /// /proc/loadavg at start and end: other work on the machine skews results.
    pub load_avg_at_start: String,
    pub load_avg_at_end: String,
    pub setup: &'static str,
    pub data_dir: String,
    pub converged: bool,
    pub initial: Initial,
    pub live: Live,
    pub catchup: Catchup,
    pub memory: Memory,
    pub disk_mib: Disk,
    pub apply_profile: Option<ApplyProfile>,
    pub case_scan: Option<CaseScan>,
    pub sled_raw: Option<SledRaw>,
    pub targets: Vec<Target>,
}

impl Report {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        args: &ReplicationArgs,
        op_bytes: usize,
        data_dir: String,
        initial: Initial,
        live: Live,
        catchup: Catchup,
        memory: Memory,
        disk: Disk,
        converged: bool,
        apply_profile: Option<ApplyProfile>,
    ) -> Report {
        let machine = machine();
        let peak = round3(
            [
                memory.township_only,
                memory.after_initial,
                memory.after_live,
                memory.after_catchup,
            ]
            .iter()
            .flat_map(|r| [r.now_mib, r.peak_mib])
            .fold(memory.sampled_peak_mib, f64::max),
        );
        let targets = vec![
            Target {
                metric: "initial ops/s (from link up)",
                measured: initial.ops_per_s_from_link_up,
                target: ">= 45000",
                met: initial.ops_per_s_from_link_up >= 45_000.0,
            },
            Target {
                metric: "catch-up transfer s (from link up)",
                measured: catchup.transfer_s,
                target: "<= 0.3",
                met: catchup.transfer_s <= 0.3,
            },
            Target {
                metric: "catch-up reconnect s",
                measured: catchup.reconnect_s,
                target: "<= 0.5",
                met: catchup.reconnect_s <= 0.5,
            },
            Target {
                metric: "live p50 ms",
                measured: live.latency_ms.p50,
                target: "<= 1",
                met: live.latency_ms.p50 <= 1.0,
            },
            Target {
                metric: "live p99 ms",
                measured: live.latency_ms.p99,
                target: "<= 10",
                met: live.latency_ms.p99 <= 10.0,
            },
            Target {
                metric: "peak RSS MiB (whole process)",
                measured: peak,
                target: "< 150 (county alone)",
                met: peak < 150.0,
            },
        ];
        Report {
            bench: "replication",
            initial_ops_per_s: initial.ops_per_s_from_link_up,
            initial_ops_per_s_from_county_start: initial.ops_per_s_from_county_start,
            initial_timed_from: "link up (county's board shows the session) until the county durably holds every operation",
            sled_raw_ops_per_s: 0.0,
            initial_vs_sled_raw: 0.0,
            catchup_10k_s: catchup.from_restore_s,
            catchup_reconnect_s: catchup.reconnect_s,
            catchup_transfer_s: catchup.transfer_s,
            catchup_timed_from: "link restored (proxy up) until the county durably holds every operation",
            live_p50_ms: live.latency_ms.p50,
            live_p99_ms: live.latency_ms.p99,
            county_peak_rss_mib: peak,
            township_peak_rss_mib: peak,
            rss_scope: "one process: county+township",
            ops: args.ops,
            catchup_ops: args.catchup_ops,
            live_writes: args.live_writes,
            chunk: args.chunk,
            op_bytes,
            sled_cache_mb: args
                .cache_mb
                .unwrap_or(county_node::CountyConfig::default().cache_mb),
            cores: machine.cores,
            machine,
            load_avg_at_start: String::new(),
            load_avg_at_end: super::sys::loadavg(),
            setup: SETUP,
            data_dir,
            converged,
            initial,
            live,
            catchup,
            memory,
            disk_mib: disk,
            apply_profile,
            case_scan: None,
            sled_raw: None,
            targets,
        }
    }

    /// Adds the raw sled limit measured in the same run, the initial
    /// rate's ratio to it, and the ratio's target.
    pub fn set_sled_raw(&mut self, raw: SledRaw) {
        self.sled_raw_ops_per_s = raw.ops_per_s;
        self.initial_vs_sled_raw = round3(self.initial_ops_per_s / raw.ops_per_s.max(1.0));
        self.targets.insert(
            1,
            Target {
                metric: "initial / sled raw",
                measured: self.initial_vs_sled_raw,
                target: ">= 0.7",
                met: self.initial_vs_sled_raw >= 0.7,
            },
        );
        self.sled_raw = Some(raw);
    }

    /// The human table.
    pub fn table(&self) -> String {
        let mut s = String::new();
        let m = &self.machine;
        let _ = writeln!(s, "Liandong replication benchmark");
        let _ = writeln!(s, "  setup:    {SETUP}");
        let _ = writeln!(
            s,
            "  machine:  {} cores, {}, {} MiB RAM, Linux {}",
            m.cores, m.cpu_model, m.mem_total_mib, m.kernel
        );
        let _ = writeln!(
            s,
            "  load:     {} at start, {} at end (1/5/15 min)",
            self.load_avg_at_start, self.load_avg_at_end
        );
        let _ = writeln!(
            s,
            "  data:     {} (sled cache {} MiB per node)",
            self.data_dir, self.sled_cache_mb
        );
        let _ = writeln!(
            s,
            "  workload: {} ops of {} bytes (case Submitted events) in chunks of {}; catch-up {} ops; {} live writes {} ms apart",
            self.ops, self.op_bytes, self.chunk, self.catchup_ops, self.live_writes, self.live.interval_ms
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "  {:<40} {:>12}  {:<22} met",
            "target", "measured", "target"
        );
        for t in &self.targets {
            let met = if t.met { "yes" } else { "NO" };
            let _ = writeln!(
                s,
                "  {:<40} {:>12.3}  {:<22} {met}",
                t.metric, t.measured, t.target
            );
        }
        let i = &self.initial;
        let _ = writeln!(s);
        let _ = writeln!(s, "  initial replication ({} ops)", i.ops);
        if let Some(raw) = &self.sled_raw {
            row(
                &mut s,
                "sled raw (same machine, same run)",
                format!(
                    "{:.0} ops/s ({} x {} B, batches of {}); initial / raw {:.3}",
                    raw.ops_per_s, raw.ops, raw.value_bytes, raw.batch, self.initial_vs_sled_raw
                ),
            );
        }
        row(
            &mut s,
            "township write (county down)",
            format!(
                "{:.3} s, {:.0} ops/s",
                i.township_write_s, i.township_write_ops_per_s
            ),
        );
        row(
            &mut s,
            "  append_local per chunk",
            summary(&i.township_chunk_ms),
        );
        row(
            &mut s,
            "county startup",
            format!("{:.3} s", i.county_startup_s),
        );
        row(
            &mut s,
            "county start -> link up",
            format!("{:.3} s (township reconnect backoff)", i.link_wait_s),
        );
        row(
            &mut s,
            "link up -> all durable at county",
            format!(
                "{:.3} s, {:.0} ops/s",
                i.from_link_up_s, i.ops_per_s_from_link_up
            ),
        );
        row(
            &mut s,
            "  CPU busy meanwhile",
            format!(
                "{:.2} of {} cores (whole process)",
                i.cpu_cores_busy, m.cores
            ),
        );
        row(
            &mut s,
            "county start -> all durable",
            format!(
                "{:.3} s, {:.0} ops/s",
                i.from_county_start_s, i.ops_per_s_from_county_start
            ),
        );
        row(
            &mut s,
            "county commits seen",
            format!(
                "{} ({:.0} ops each)",
                i.county_commits_seen, i.ops_per_commit
            ),
        );
        row(
            &mut s,
            "  interval between commits",
            summary(&i.commit_interval_ms),
        );
        let c = &self.catchup;
        let _ = writeln!(s, "  catch-up ({} ops written while cut)", c.ops);
        row(
            &mut s,
            "restore -> all durable at county",
            format!("{:.3} s", c.from_restore_s),
        );
        row(
            &mut s,
            "  restore -> link up",
            format!("{:.3} s (township reconnect backoff)", c.reconnect_s),
        );
        row(
            &mut s,
            "  link up -> all durable",
            format!("{:.3} s, {:.0} ops/s", c.transfer_s, c.transfer_ops_per_s),
        );
        row(
            &mut s,
            "  CPU busy meanwhile",
            format!(
                "{:.2} of {} cores (whole process)",
                c.cpu_cores_busy, m.cores
            ),
        );
        row(
            &mut s,
            "  interval between commits",
            summary(&c.commit_interval_ms),
        );
        let l = &self.live;
        let _ = writeln!(
            s,
            "  live ({} single-op writes, {} ms apart)",
            l.writes, l.interval_ms
        );
        row(
            &mut s,
            "write returned -> durable at county",
            summary(&l.latency_ms),
        );
        row(
            &mut s,
            "township append_local (1 op)",
            summary(&l.local_write_ms),
        );
        let mem = &self.memory;
        let _ = writeln!(s, "  memory ({})", self.rss_scope);
        row(
            &mut s,
            "RSS before nodes started",
            format!("{:.1} MiB", mem.baseline_mib),
        );
        for (name, r) in [
            ("township only (before county start)", mem.township_only),
            ("after initial", mem.after_initial),
            ("after live", mem.after_live),
            ("after catch-up", mem.after_catchup),
        ] {
            row(
                &mut s,
                name,
                format!(
                    "RSS {:.1} MiB, peak (VmHWM) {:.1} MiB",
                    r.now_mib, r.peak_mib
                ),
            );
        }
        row(
            &mut s,
            "peak (VmHWM and 50 ms VmRSS samples)",
            format!("{:.1} MiB", self.county_peak_rss_mib),
        );
        row(
            &mut s,
            "disk",
            format!(
                "county {:.1} MiB, township {:.1} MiB",
                self.disk_mib.county_mib, self.disk_mib.township_mib
            ),
        );
        row(&mut s, "converged at the end", self.converged.to_string());
        if let Some(p) = &self.apply_profile {
            let _ = writeln!(
                s,
                "  apply profile ({} ops in {} batches of ~{:.0}, replayed into a fresh county store)",
                p.ops, p.batches, p.ops_per_batch
            );
            row(
                &mut s,
                "township read_outbox per batch",
                summary(&p.read_outbox_ms),
            );
            row(&mut s, "decode per batch", summary(&p.decode_ms));
            row(
                &mut s,
                "county Store::apply per batch",
                summary(&p.apply_ms),
            );
            row(
                &mut s,
                "  mean by quarter of the replay",
                format!("{:?} ms", p.apply_ms_mean_by_quarter),
            );
            row(
                &mut s,
                "durability floor (cursor-only apply)",
                summary(&p.durable_only_ms),
            );
            row(
                &mut s,
                "apply-only throughput",
                format!("{:.0} ops/s", p.apply_ops_per_s),
            );
            row(
                &mut s,
                "read+decode+apply, serial",
                format!("{:.0} ops/s", p.serial_pipeline_ops_per_s),
            );
        }
        if let Some(c) = &self.case_scan {
            let _ = writeln!(
                s,
                "  case scan at the county (Store::cases, under NodeCore::fold_all)"
            );
            row(
                &mut s,
                "all cases",
                format!(
                    "{} cases in {:.1} ms; RSS {:.1} -> {:.1} MiB while held",
                    c.cases, c.scan_ms, c.rss_before_mib, c.rss_holding_mib
                ),
            );
        }
        s
    }
}

fn row(s: &mut String, name: &str, value: String) {
    let _ = writeln!(s, "    {name:<38} {value}");
}

fn summary(x: &Summary) -> String {
    format!(
        "p50 {:.3}  p90 {:.3}  p99 {:.3}  max {:.3}  mean {:.3} ms (n={})",
        x.p50, x.p90, x.p99, x.max, x.mean, x.n
    )
}
