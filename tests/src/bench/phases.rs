//! What each phase of `bench replication` measured: the initial load, the
//! catch-up after a cut, live latency, memory and disk.

use std::time::Instant;

use serde::Serialize;

use super::probe::Commit;
use super::sys::Rss;
use super::{ms, round3, BulkWrite, Summary};

#[derive(Debug, Clone, Serialize)]
pub struct Initial {
    pub ops: u64,
    /// Writing the operations at the township (county down).
    pub township_write_s: f64,
    pub township_write_ops_per_s: f64,
    /// One `append_local` of a chunk at the township (durable on return).
    pub township_chunk_ms: Summary,
    /// `county_node::start` (PKI, store open, listeners).
    pub county_startup_s: f64,
    /// County start until the county's board shows the session connected
    /// (includes the township's reconnect backoff, up to 2 s + jitter).
    pub link_wait_s: f64,
    pub from_county_start_s: f64,
    pub from_link_up_s: f64,
    pub ops_per_s_from_link_up: f64,
    pub ops_per_s_from_county_start: f64,
    /// Process CPU seconds per wall second from link up to all durable
    /// (the machine has `cores`; near it means CPU-bound).
    pub cpu_cores_busy: f64,
    /// Durable commits of the county's store seen through its change watch.
    pub county_commits_seen: usize,
    pub ops_per_commit: f64,
    pub commit_interval_ms: Summary,
}

impl Initial {
    pub fn new(
        ops: u64,
        bulk: &BulkWrite,
        county_start: Instant,
        county_ready: Instant,
        link_up: Instant,
        held: Instant,
        commits: &[Commit],
    ) -> Initial {
        let from_start = held.duration_since(county_start).as_secs_f64();
        let from_link = held.duration_since(link_up).as_secs_f64();
        let (seen, intervals) = commit_intervals(link_up, commits);
        Initial {
            ops,
            township_write_s: round3(bulk.secs),
            township_write_ops_per_s: (bulk.ops as f64 / bulk.secs).round(),
            township_chunk_ms: Summary::of(bulk.chunk_ms.clone()),
            county_startup_s: round3(county_ready.duration_since(county_start).as_secs_f64()),
            link_wait_s: round3(link_up.duration_since(county_start).as_secs_f64()),
            from_county_start_s: round3(from_start),
            from_link_up_s: round3(from_link),
            ops_per_s_from_link_up: (ops as f64 / from_link.max(1e-9)).round(),
            ops_per_s_from_county_start: (ops as f64 / from_start.max(1e-9)).round(),
            cpu_cores_busy: 0.0,
            county_commits_seen: seen,
            ops_per_commit: round3(ops as f64 / seen.max(1) as f64),
            commit_interval_ms: intervals,
        }
    }
}

/// (commits that added operations, intervals between them starting at `from`).
fn commit_intervals(from: Instant, commits: &[Commit]) -> (usize, Summary) {
    let mut last_head = None;
    let mut last_at = from;
    let mut intervals = Vec::new();
    for c in commits {
        if last_head.is_some_and(|h| c.feed_head <= h) {
            continue;
        }
        intervals.push(ms(c.at.saturating_duration_since(last_at)));
        last_at = c.at;
        last_head = Some(c.feed_head);
    }
    (intervals.len(), Summary::of(intervals))
}

#[derive(Debug, Clone, Serialize)]
pub struct Catchup {
    pub ops: u64,
    pub township_write_s: f64,
    /// Link restored (proxy up) until the county durably holds every operation.
    pub from_restore_s: f64,
    /// Restore until the county's board shows the new session (the
    /// township's reconnect backoff dominates).
    pub reconnect_s: f64,
    /// New session until the county durably holds every operation.
    pub transfer_s: f64,
    pub transfer_ops_per_s: f64,
    /// Process CPU seconds per wall second during the transfer.
    pub cpu_cores_busy: f64,
    pub county_commits_seen: usize,
    pub commit_interval_ms: Summary,
}

impl Catchup {
    pub fn new(
        ops: u64,
        bulk: &BulkWrite,
        restored: Instant,
        link_up: Instant,
        held: Instant,
        commits: &[Commit],
    ) -> Catchup {
        let transfer = held.duration_since(link_up).as_secs_f64();
        let (seen, intervals) = commit_intervals(link_up, commits);
        Catchup {
            ops,
            township_write_s: round3(bulk.secs),
            from_restore_s: round3(held.duration_since(restored).as_secs_f64()),
            reconnect_s: round3(link_up.duration_since(restored).as_secs_f64()),
            transfer_s: round3(transfer),
            transfer_ops_per_s: (ops as f64 / transfer.max(1e-9)).round(),
            cpu_cores_busy: 0.0,
            county_commits_seen: seen,
            commit_interval_ms: intervals,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Live {
    pub writes: u64,
    pub interval_ms: u64,
    /// Write call returned (durable at the township) until the county durably holds the op.
    pub latency_ms: Summary,
    /// The township's own `append_local` of one operation.
    pub local_write_ms: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct Memory {
    pub baseline_mib: f64,
    /// After the township wrote the initial operations, before the county started.
    pub township_only: Rss,
    pub after_initial: Rss,
    pub after_live: Rss,
    pub after_catchup: Rss,
    /// Highest VmRSS sampled every 50 ms until the end of catch-up.
    pub sampled_peak_mib: f64,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Disk {
    pub county_mib: f64,
    pub township_mib: f64,
}
