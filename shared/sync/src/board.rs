//! The link board: what this node knows, right now, about each peer link
//! (connected since, last contact, session counters, rejections by reason).
//! Drivers write it; status commands and the admin page read it. In memory
//! only: after a restart a link shows as never contacted until it returns.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::message::NodeReport;
use super::session::SessionStats;
use liandong_model::NodeId;

/// One peer link as seen from this node.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkState {
    pub connected: bool,
    pub connected_since_ms: Option<u64>,
    pub last_contact_ms: Option<u64>,
    pub last_error: Option<String>,
    pub sessions: u64,
    pub ops_sent: u64,
    pub ops_received: u64,
    pub lag_out_ops: u64,
    pub lag_in_ops: u64,
    pub ignored_acks: u64,
    pub duplicate_batches: u64,
    pub future_cursor: bool,
    /// Peer's wall clock minus ours at its last heartbeat (ms).
    pub clock_skew_ms: Option<i64>,
    pub rejections: BTreeMap<String, u64>,
    /// The peer's own health report, from its last heartbeat.
    pub report: Option<NodeReport>,
    pub reported_at_ms: Option<u64>,
    /// Since when we hold operations the peer has not acknowledged.
    pub behind_since_ms: Option<u64>,
}

/// A heartbeat older than this makes a connected link count as silent.
pub const SILENT_AFTER_MS: u64 = 5_000;

impl LinkState {
    /// "up", "silent" (connected but no word for a while), "down" or "never".
    pub fn state(&self, now_ms: u64) -> &'static str {
        match (self.connected, self.last_contact_ms) {
            (_, None) => "never",
            (true, Some(t)) if now_ms.saturating_sub(t) <= SILENT_AFTER_MS => "up",
            (true, Some(_)) => "silent",
            (false, Some(_)) => "down",
        }
    }

    /// Seconds the peer has been behind us (0 when caught up).
    pub fn lag_seconds(&self, now_ms: u64) -> u64 {
        self.behind_since_ms
            .map_or(0, |since| now_ms.saturating_sub(since) / 1000)
    }
}

/// Shared, cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct LinkBoard {
    inner: Arc<Mutex<BTreeMap<NodeId, LinkState>>>,
}

impl LinkBoard {
    fn with<R>(&self, peer: &NodeId, f: impl FnOnce(&mut LinkState) -> R) -> R {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        f(map.entry(peer.clone()).or_default())
    }

    pub fn connected(&self, peer: &NodeId, now_ms: u64) {
        self.with(peer, |l| {
            l.connected = true;
            l.connected_since_ms = Some(now_ms);
            l.last_contact_ms = Some(now_ms);
            l.sessions += 1;
        });
    }

    pub fn disconnected(&self, peer: &NodeId, error: Option<String>) {
        self.with(peer, |l| {
            l.connected = false;
            l.connected_since_ms = None;
            if error.is_some() {
                l.last_error = error;
            }
        });
    }

    /// A failed attempt to reach a peer (dial or handshake).
    pub fn unreachable(&self, peer: &NodeId, error: String) {
        self.with(peer, |l| {
            l.connected = false;
            l.last_error = Some(error);
        });
    }

    pub fn contact(&self, peer: &NodeId, now_ms: u64) {
        self.with(peer, |l| l.last_contact_ms = Some(now_ms));
    }

    pub fn skew(&self, peer: &NodeId, skew_ms: i64) {
        self.with(peer, |l| l.clock_skew_ms = Some(skew_ms));
    }

    pub fn reject(&self, peer: &NodeId, reason: &str) {
        self.with(peer, |l| {
            *l.rejections.entry(reason.to_string()).or_insert(0) += 1
        });
    }

    pub fn report(&self, peer: &NodeId, report: NodeReport, now_ms: u64) {
        self.with(peer, |l| {
            l.report = Some(report);
            l.reported_at_ms = Some(now_ms);
        });
    }

    /// Folds a session's counters in; `base` is what earlier sessions added.
    pub fn session_stats(&self, peer: &NodeId, base: (u64, u64), s: &SessionStats, now_ms: u64) {
        self.with(peer, |l| {
            l.behind_since_ms = match (s.lag_out(), l.behind_since_ms) {
                (0, _) => None,
                (_, Some(since)) => Some(since),
                (_, None) => Some(now_ms),
            };
            l.ops_sent = base.0 + s.ops_sent;
            l.ops_received = base.1 + s.ops_received;
            l.lag_out_ops = s.lag_out();
            l.lag_in_ops = s.lag_in();
            l.ignored_acks = s.ignored_acks;
            l.duplicate_batches = s.duplicate_batches;
            l.future_cursor = s.future_cursor;
        });
    }

    /// Totals carried across sessions (ops sent, ops received).
    pub fn totals(&self, peer: &NodeId) -> (u64, u64) {
        self.with(peer, |l| (l.ops_sent, l.ops_received))
    }

    pub fn snapshot(&self) -> BTreeMap<NodeId, LinkState> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn get(&self, peer: &NodeId) -> Option<LinkState> {
        self.inner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(peer)
            .cloned()
    }
}
