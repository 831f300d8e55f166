//! The store's own limit on this machine, measured in the same run as the
//! replication it is compared with: sled alone, opened as the store opens
//! it (same cache, `HighThroughput` mode), taking batches of records of the
//! replicated operations' size through `apply_batch`, each batch made
//! durable as a commit is (`flush`, then `sync_data` of the log file).
//! One key per record, no views, no indexes, no cursor: what a write path
//! that did nothing but store the bytes would reach.

use std::fs::File;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use serde::Serialize;

/// What the raw sled run measured.
#[derive(Debug, Clone, Serialize)]
pub struct SledRaw {
    pub ops: u64,
    pub value_bytes: usize,
    pub batch: usize,
    pub secs: f64,
    pub ops_per_s: f64,
    pub method: &'static str,
}

/// Inserts `ops` records of `value_bytes` in durable batches of `batch`
/// into a fresh sled tree under `dir` (removed afterwards).
pub fn measure(
    dir: &Path,
    ops: u64,
    value_bytes: usize,
    batch: usize,
    cache_bytes: u64,
) -> anyhow::Result<SledRaw> {
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(cache_bytes)
        .mode(sled::Mode::HighThroughput)
        .open()
        .with_context(|| format!("opening a raw sled tree in {}", dir.display()))?;
    let log = dir.join("db");
    let log_file = File::open(&log).with_context(|| format!("opening {}", log.display()))?;
    // Values differ from record to record, as operations do.
    let mut value = vec![0u8; value_bytes];
    let start = Instant::now();
    let mut written = 0u64;
    while written < ops {
        let n = (batch as u64).min(ops - written);
        let mut b = sled::Batch::default();
        for i in written..written + n {
            value[..8].copy_from_slice(&i.to_le_bytes());
            let mut key = b"o/T01/".to_vec();
            key.extend_from_slice(&i.to_be_bytes());
            b.insert(key, value.as_slice());
        }
        db.apply_batch(b)
            .with_context(|| format!("raw sled batch in {}", dir.display()))?;
        db.flush()
            .with_context(|| format!("flush of the raw sled tree in {}", dir.display()))?;
        log_file
            .sync_data()
            .with_context(|| format!("sync_data of {}", log.display()))?;
        written += n;
    }
    let secs = start.elapsed().as_secs_f64();
    drop(db);
    let _ = std::fs::remove_dir_all(dir);
    Ok(SledRaw {
        ops,
        value_bytes,
        batch,
        secs: super::round3(secs),
        ops_per_s: (ops as f64 / secs.max(1e-9)).round(),
        method:
            "sled apply_batch of `batch` records, then flush + sync_data of the log, per batch; \
                 same cache size and mode as the stores",
    })
}
