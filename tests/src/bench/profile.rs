//! Diagnostic: where a received batch's time goes. Replays the township's
//! outbox for the county (read in the session's own batch bounds) into a
//! fresh county-role store, timing each step on its own: the sender's
//! `read_outbox`, decoding, and the receiver's `Store::apply` (which
//! includes the commit: sled batch + flush + `sync_data`). Empty applies
//! (cursor only) give the durability floor every batch pays.

use std::path::Path;
use std::time::Instant;

use liandong_model::{EncodedOp, NodeId};
use liandong_store::{Cursor, Source, Store, StoreOptions};
use liandong_sync::SessionConfig;
use serde::Serialize;

use super::{ms, Summary};

#[derive(Debug, Clone, Serialize)]
pub struct ApplyProfile {
    pub ops: u64,
    pub batches: u64,
    pub ops_per_batch: f64,
    /// Township side: `read_outbox` of one batch.
    pub read_outbox_ms: Summary,
    /// County side: `EncodedOp::decode` of one batch (the driver screens on its async loop).
    pub decode_ms: Summary,
    /// County side: `Store::apply` of one batch, commit included.
    pub apply_ms: Summary,
    /// Mean `Store::apply` per batch in each quarter of the replay: growth
    /// shows the cost rising with the store's size.
    pub apply_ms_mean_by_quarter: Vec<f64>,
    /// `Store::apply` of a cursor-only batch: sled batch + flush + sync_data.
    pub durable_only_ms: Summary,
    /// ops / total apply time.
    pub apply_ops_per_s: f64,
    /// ops / (read + decode + apply), serially.
    pub serial_pipeline_ops_per_s: f64,
}

pub fn run(
    town: &Store,
    county: &NodeId,
    dir: &Path,
    max_ops: u64,
) -> anyhow::Result<ApplyProfile> {
    let cfg = SessionConfig::default();
    let store = Store::open(dir, county, &StoreOptions::default())?;
    let town_id = town.me().clone();
    store.ensure_peer(&town_id, None)?;
    let incarnation = town.peer(county)?.outbox.incarnation;
    let (mut read, mut decode, mut apply) = (vec![], vec![], vec![]);
    let (mut after, mut ops) = (0u64, 0u64);
    while ops < max_ops {
        let t = Instant::now();
        let chunk = town.read_outbox(county, after, cfg.max_batch_ops, cfg.max_batch_bytes)?;
        let took = ms(t.elapsed());
        let Some(&(last, _)) = chunk.ops.last() else {
            break;
        };
        read.push(took);
        let t = Instant::now();
        let batch = chunk
            .ops
            .into_iter()
            .map(|(_, bytes)| EncodedOp::decode(bytes))
            .collect::<Result<Vec<_>, _>>()?;
        decode.push(ms(t.elapsed()));
        ops += batch.len() as u64;
        let source = Source::Peer {
            node: town_id.clone(),
            cursor: Cursor {
                incarnation,
                seq: last,
            },
        };
        let t = Instant::now();
        store.apply(source, batch)?;
        apply.push(ms(t.elapsed()));
        after = last;
    }
    let mut durable = vec![];
    for _ in 0..30 {
        let source = Source::Peer {
            node: town_id.clone(),
            cursor: Cursor {
                incarnation,
                seq: after,
            },
        };
        let t = Instant::now();
        store.apply(source, vec![])?;
        durable.push(ms(t.elapsed()));
    }
    let secs = |v: &[f64]| v.iter().sum::<f64>() / 1e3;
    let batches = apply.len() as u64;
    Ok(ApplyProfile {
        ops,
        batches,
        ops_per_batch: ops as f64 / batches.max(1) as f64,
        apply_ops_per_s: ops as f64 / secs(&apply).max(1e-9),
        serial_pipeline_ops_per_s: ops as f64
            / (secs(&read) + secs(&decode) + secs(&apply)).max(1e-9),
        read_outbox_ms: Summary::of(read),
        decode_ms: Summary::of(decode),
        apply_ms_mean_by_quarter: quarters(&apply),
        apply_ms: Summary::of(apply),
        durable_only_ms: Summary::of(durable),
    })
}

fn quarters(v: &[f64]) -> Vec<f64> {
    let n = v.len();
    (0..4)
        .map(|q| &v[q * n / 4..(q + 1) * n / 4])
        .filter(|part| !part.is_empty())
        .map(|part| super::round3(part.iter().sum::<f64>() / part.len() as f64))
        .collect()
}

/// Diagnostic: `Store::cases(None)`, the scan under `NodeCore::fold_all`,
/// which the heartbeat's health report (`NodeCore::report` →
/// `warning_counts`) runs on the session's async loop whenever its 30 s
/// cache is stale.
#[derive(Debug, Clone, Serialize)]
pub struct CaseScan {
    pub cases: usize,
    pub scan_ms: f64,
    pub rss_before_mib: f64,
    /// VmRSS while the scanned cases are held.
    pub rss_holding_mib: f64,
}

pub fn scan_cases(store: &Store) -> anyhow::Result<CaseScan> {
    let before = super::sys::rss().now_mib;
    let t = Instant::now();
    let cases = store.cases(None)?;
    let scan_ms = ms(t.elapsed());
    let holding = super::sys::rss().now_mib;
    Ok(CaseScan {
        cases: cases.len(),
        scan_ms: super::round3(scan_ms),
        rss_before_mib: super::round3(before),
        rss_holding_mib: super::round3(holding),
    })
}
