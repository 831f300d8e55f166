//! Observing a node from the outside, promptly: the store's change watch
//! (fired after each commit is durable) and the link board.
//!
//! "Durably held" is checked strictly: `StoreStats::feed_head` is the head
//! published by the watch after flush + `sync_data`, read before the
//! per-origin counts, so `feed_head >= sum(counts)` means every counted
//! operation is on disk (the county writes nothing of its own here, and
//! each applied operation takes exactly one feed position).

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use liandong_model::{NodeId, OpId};
use liandong_store::Store;
use liandong_sync::LinkBoard;
use tokio::sync::watch;

use super::progress;

/// (holds `target` operations from `origin` durably, count from `origin`).
pub fn holds_durably(store: &Store, origin: &NodeId, target: u64) -> anyhow::Result<(bool, u64)> {
    let s = store.stats()?;
    let n = s.origin_counts.get(origin).copied().unwrap_or(0);
    let counted: u64 = s.origin_counts.values().sum();
    Ok((n >= target && s.feed_head >= counted, n))
}

/// One durable commit seen through the watch.
#[derive(Debug, Clone, Copy)]
pub struct Commit {
    pub at: Instant,
    pub feed_head: u64,
}

/// Waits until `store` durably holds `target` operations from `origin`;
/// returns when that was first observable (the wake-up that showed it).
/// Every commit seen on the way is logged in `commits`.
pub async fn wait_held(
    store: &Store,
    origin: &NodeId,
    target: u64,
    limit: Duration,
    label: &str,
    commits: &mut Vec<Commit>,
) -> anyhow::Result<Instant> {
    let mut rx = store.subscribe();
    rx.borrow_and_update();
    let start = Instant::now();
    let mut at = start;
    let mut last_report = start;
    loop {
        let (done, n) = holds_durably(store, origin, target)?;
        if done {
            return Ok(at);
        }
        let now = Instant::now();
        if now.duration_since(start) > limit {
            bail!("{label}: county holds {n} of {target} operations after {limit:?}; giving up");
        }
        if now.duration_since(last_report) >= Duration::from_secs(1) {
            progress(&format!("{label}: county holds {n}/{target}"));
            last_report = now;
        }
        match tokio::time::timeout(Duration::from_millis(50), rx.changed()).await {
            Ok(Ok(())) => {
                at = Instant::now();
                let feed_head = *rx.borrow_and_update();
                commits.push(Commit { at, feed_head });
            }
            Ok(Err(_)) => bail!("{label}: the county store closed"),
            Err(_) => at = Instant::now(),
        }
    }
}

/// Waits until the county durably holds the operation `id`, woken by the
/// store's change watch (`rx` must have been marked seen before the write).
pub async fn wait_op(
    store: &Store,
    origin: &NodeId,
    rx: &mut watch::Receiver<u64>,
    id: &OpId,
    limit: Duration,
) -> anyhow::Result<Instant> {
    let deadline = Instant::now() + limit;
    let mut at = Instant::now();
    loop {
        if store.contains(id)? && holds_durably(store, origin, 0)?.0 {
            return Ok(at);
        }
        let remaining = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, rx.changed()).await {
            Ok(Ok(())) => {
                at = Instant::now();
                rx.borrow_and_update();
            }
            Ok(Err(_)) => bail!("the county store closed"),
            Err(_) => bail!("operation {id} did not reach the county within {limit:?}"),
        }
    }
}

/// Sessions the board has seen with `peer` so far.
pub fn sessions(board: &LinkBoard, peer: &NodeId) -> u64 {
    board.get(peer).map_or(0, |l| l.sessions)
}

/// Resolves (polling the board every millisecond: tokio's timer resolution)
/// when a session with `peer` newer than `after_sessions` is connected,
/// with the process's CPU seconds at that moment.
pub fn watch_link_up(
    board: LinkBoard,
    peer: NodeId,
    after_sessions: u64,
    limit: Duration,
) -> tokio::task::JoinHandle<Option<(Instant, f64)>> {
    tokio::spawn(async move {
        let start = Instant::now();
        loop {
            if board
                .get(&peer)
                .is_some_and(|l| l.connected && l.sessions > after_sessions)
            {
                return Some((Instant::now(), super::sys::cpu_seconds()));
            }
            if start.elapsed() > limit {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    })
}

/// Waits for a link state on the board.
pub async fn wait_link(
    board: &LinkBoard,
    peer: &NodeId,
    connected: bool,
    after_sessions: u64,
    limit: Duration,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        let state = board.get(peer);
        let ok = match connected {
            true => state.is_some_and(|l| l.connected && l.sessions > after_sessions),
            false => !state.is_some_and(|l| l.connected),
        };
        if ok {
            return Ok(());
        }
        if start.elapsed() > limit {
            let want = if connected { "up" } else { "down" };
            return Err(anyhow::anyhow!("link of {peer} not {want}"))
                .with_context(|| format!("waited {limit:?}"));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}
