//! The county store `bench serving` serves: built directly through the
//! store API (every write durable, as the node's own would be), and the
//! store-level figure read from it. See the parent module for the layout
//! of the data; nothing here starts a node or opens a socket.

use std::path::Path;
use std::time::Instant;

use anyhow::ensure;
use liandong_domain::{CaseEvent, EventKind, OpBody, Operation};
use liandong_model::{CaseId, Cursor, EncodedOp, EntityId, Hlc, NodeId, OpId};
use liandong_node::boot::{open_store, STORE_LOCK_WAIT};
use liandong_store::{Source, Store, StoreOptions};
use liandong_sync::SessionConfig;

use super::super::workload::{note, Workload};
use super::super::{progress, TOWN};
use super::ServingArgs;
use crate::now_ms;

/// County code of every case the bench writes.
const COUNTY_CODE: &str = "000000";
/// Submission date of T01's cases.
const BACKLOG_DATE: &str = "20261201";

/// The county store as built.
pub(super) struct Built {
    pub(super) ops: u64,
    pub(super) secs: f64,
    pub(super) disk_bytes: u64,
}

/// One other township whose own cases the county holds.
struct Other {
    node: NodeId,
    work: Workload,
    /// Its outbox for the county (the cursor's incarnation).
    incarnation: liandong_model::Incarnation,
    seq: u64,
}

/// Builds the county store of `factor` (see the module docs), then closes it.
pub(super) fn build_county(dir: &Path, args: &ServingArgs, factor: u64) -> anyhow::Result<Built> {
    let started = Instant::now();
    let county = NodeId::county("HQ")?;
    let store = Store::open(dir, &county, &super::county_options(args))?;
    let now = now_ms();
    let mut others = Vec::new();
    for k in 1..=factor + 1 {
        let town = NodeId::township(&format!("T{k:02}"))?;
        store.ensure_peer(&town, None)?;
        if k > 1 {
            others.push(Other {
                work: Workload::new(town.clone(), COUNTY_CODE, now, args.op_bytes),
                node: town,
                incarnation: rand::random(),
                seq: 0,
            });
        }
    }
    let first_half = args.backlog / 2;
    let label = format!("{factor}x: others' data, first half");
    write_others(&store, &mut others, first_half, args.chunk, &label)?;
    write_backlog(&store, args, factor)?;
    let label = format!("{factor}x: others' data, second half");
    write_others(
        &store,
        &mut others,
        args.backlog - first_half,
        args.chunk,
        &label,
    )?;
    let stats = store.stats()?;
    ensure!(
        stats.peers.len() as u64 == factor + 1,
        "the county should know {} townships",
        factor + 1
    );
    Ok(Built {
        ops: stats.ops_held,
        secs: started.elapsed().as_secs_f64(),
        disk_bytes: stats.disk_bytes,
    })
}

/// Writes `per_town` operations of each other township's own cases,
/// round robin in received batches of `chunk`.
fn write_others(
    store: &Store,
    others: &mut [Other],
    per_town: u64,
    chunk: usize,
    label: &str,
) -> anyhow::Result<()> {
    let total = per_town * others.len() as u64;
    let targets: Vec<u64> = others.iter().map(|o| o.seq + per_town).collect();
    let (mut written, step) = (0u64, (total / 4).max(1));
    let mut next_report = step;
    while written < total {
        for (o, &target) in others.iter_mut().zip(&targets) {
            let n = (chunk as u64).min(target - o.seq);
            if n == 0 {
                continue;
            }
            let now = now_ms();
            let ops: Vec<EncodedOp> = (0..n).map(|_| other_op(o, now)).collect();
            let source = Source::Peer {
                node: o.node.clone(),
                cursor: Cursor {
                    incarnation: o.incarnation,
                    seq: o.seq,
                },
            };
            let report = store.apply(source, ops)?;
            ensure!(
                report.applied.len() as u64 == n,
                "{label}: the store applied {} of {n} new operations",
                report.applied.len()
            );
            written += n;
        }
        if written >= next_report {
            progress(&format!("{label}: written {written}/{total}"));
            next_report += step;
        }
    }
    Ok(())
}

/// The next operation of one other township's own cases.
fn other_op(o: &mut Other, now: u64) -> EncodedOp {
    let (entity, body) = o.work.item(now);
    o.seq += 1;
    Operation {
        id: OpId {
            origin: o.node.clone(),
            seq: o.seq,
        },
        hlc: Hlc {
            wall_ms: now,
            logical: 0,
        },
        entity,
        body,
    }
    .encode()
}

/// T01's backlog: one county-written department opinion on each of
/// `backlog` cases of T01, padded to about `--op-bytes`.
fn write_backlog(store: &Store, args: &ServingArgs, factor: u64) -> anyhow::Result<()> {
    let t01 = crate::township_id(TOWN);
    // The text's number prefix is there whatever the padding.
    let fixed = backlog_op(store, &t01, 0)
        .bytes
        .len()
        .saturating_sub(note(PROBE_CASE, 0).len());
    let pad = args.op_bytes.saturating_sub(fixed);
    progress(&format!(
        "{factor}x: T01's backlog: {} county-written operations",
        args.backlog
    ));
    let mut i = 0u64;
    while i < args.backlog {
        let n = (args.chunk as u64).min(args.backlog - i);
        let now = now_ms();
        let items = (i + 1..=i + n)
            .map(|c| backlog_item(&t01, c, pad, now))
            .collect();
        let report = store.append_local(items, now)?;
        ensure!(
            report.applied.len() as u64 == n,
            "backlog: the store applied {} of {n} new operations",
            report.applied.len()
        );
        i += n;
    }
    Ok(())
}

fn backlog_item(t01: &NodeId, case: u64, pad: usize, now: u64) -> (EntityId, OpBody) {
    let kind = EventKind::OpinionGiven {
        department: "D01".into(),
        agree: true,
        text: note(case, pad),
    };
    (
        EntityId::Case(CaseId::new(COUNTY_CODE, t01, BACKLOG_DATE, case)),
        OpBody::Case(CaseEvent::new(now, kind)),
    )
}

/// Case number of the operation [`backlog_op`] encodes for its size.
const PROBE_CASE: u64 = 999_999;

/// One backlog operation as the county would encode it (for its size).
fn backlog_op(store: &Store, t01: &NodeId, pad: usize) -> EncodedOp {
    let now = now_ms();
    let (entity, body) = backlog_item(t01, PROBE_CASE, pad, now);
    Operation {
        id: OpId {
            origin: store.me().clone(),
            seq: PROBE_CASE,
        },
        hlc: Hlc {
            wall_ms: now,
            logical: 0,
        },
        entity,
        body,
    }
    .encode()
}

/// The store-level figure.
pub(super) struct BacklogRead {
    /// The first open after the build (sled replays its log since the build began).
    pub(super) open_s: f64,
    /// The open after that one (as the county node's own open).
    pub(super) reopen_s: f64,
    /// Each read right after a reopen (sled's cache cold).
    pub(super) cold_s: Vec<f64>,
    /// The best of [`WARM_PASSES`] reads after the last cold one.
    pub(super) warm_s: f64,
    /// A whole-store case scan (`Store::cases`, what the county's
    /// supervision pass reads) and the read right after it.
    pub(super) case_scan_s: f64,
    pub(super) after_scan_s: f64,
    pub(super) batches: u64,
}

/// Reads of the whole outbox after the last cold one, for the warm figure.
const WARM_PASSES: usize = 3;

/// Opens the county store once (the first open after the build replays
/// sled's whole log; the county node's later open does not), then
/// `cold_reads` times reopens it and reads T01's whole outbox in the
/// session's batch bounds, as a session serving it would; then warm; then,
/// on a fresh open, after a scan of every case.
pub(super) fn read_backlog(
    dir: &Path,
    backlog: u64,
    cold_reads: usize,
    opts: &StoreOptions,
) -> anyhow::Result<BacklogRead> {
    let t01 = crate::township_id(TOWN);
    let county = NodeId::county("HQ")?;
    let open = || -> anyhow::Result<(Store, f64)> {
        let opened = Instant::now();
        let store = open_store(dir, &county, opts, STORE_LOCK_WAIT)?;
        Ok((store, opened.elapsed().as_secs_f64()))
    };
    let (store, open_s) = open()?;
    let head = store.peer(&t01)?.outbox.head;
    ensure!(
        head == backlog,
        "T01's outbox holds {head} operations, not the backlog of {backlog}"
    );
    drop(store);
    let (mut cold_s, mut reopen_s, mut batches) = (Vec::new(), 0.0, 0);
    let mut last = None;
    for _ in 0..cold_reads.max(1) {
        drop(last.take());
        let (store, took) = open()?;
        reopen_s = took;
        let (secs, n) = read_outbox_once(&store, &t01, head)?;
        cold_s.push(secs);
        batches = n;
        last = Some(store);
    }
    let mut warm_s = f64::INFINITY;
    if let Some(store) = &last {
        for _ in 0..WARM_PASSES {
            warm_s = warm_s.min(read_outbox_once(store, &t01, head)?.0);
        }
    }
    drop(last);
    let (store, _) = open()?;
    let (case_scan_s, after_scan_s) = read_after_case_scan(&store, &t01, head)?;
    Ok(BacklogRead {
        open_s,
        reopen_s,
        cold_s,
        warm_s,
        case_scan_s,
        after_scan_s,
        batches,
    })
}

/// Scans every case (`Store::cases`, as the county's supervision pass
/// does), then reads `peer`'s outbox; returns both times.
fn read_after_case_scan(store: &Store, peer: &NodeId, head: u64) -> anyhow::Result<(f64, f64)> {
    let scan = Instant::now();
    let cases = store.cases(None)?.len();
    let scan_s = scan.elapsed().as_secs_f64();
    progress(&format!(
        "store level: scanned {cases} cases in {scan_s:.3} s"
    ));
    let (read_s, _) = read_outbox_once(store, peer, head)?;
    Ok((scan_s, read_s))
}

/// Reads `peer`'s outbox up to `head` in the session's batch bounds;
/// returns the seconds it took and the batches read.
fn read_outbox_once(store: &Store, peer: &NodeId, head: u64) -> anyhow::Result<(f64, u64)> {
    let cfg = SessionConfig::default();
    let started = Instant::now();
    let (mut after, mut ops, mut batches) = (0u64, 0u64, 0u64);
    while after < head {
        let chunk = store.read_outbox(peer, after, cfg.max_batch_ops, cfg.max_batch_bytes)?;
        let Some(&(last, _)) = chunk.ops.last() else {
            break;
        };
        ops += chunk.ops.len() as u64;
        batches += 1;
        after = last;
    }
    let secs = started.elapsed().as_secs_f64();
    ensure!(ops == head, "read {ops} of the {head} outbox operations");
    Ok((secs, batches))
}
