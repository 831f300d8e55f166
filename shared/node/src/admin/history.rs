//! Lag history for the admin page's detail chart: a ring buffer per peer of
//! (time, lag out, lag in), sampled from the link board every
//! [`SAMPLE_EVERY`] by one tracked task, holding the last [`SPAN`]. In
//! memory only: a restarted county starts with an empty chart.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::shutdown::Shutdown;
use liandong_model::SharedClock;
use liandong_sync::LinkBoard;
use serde::Serialize;

/// How often the board is sampled.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(10);
/// How far back the chart reaches.
pub const SPAN: Duration = Duration::from_secs(3600);

/// One point of a peer's lag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LagSample {
    /// Unix ms.
    pub t: u64,
    /// Operations we hold that the peer has not acknowledged.
    pub out: u64,
    /// Operations the peer holds for us that we have not received.
    #[serde(rename = "in")]
    pub lag_in: u64,
}

/// Per-peer ring buffers; shared, cheap to clone.
#[derive(Debug, Clone)]
pub struct LagHistory {
    capacity: usize,
    inner: Arc<Mutex<BTreeMap<String, VecDeque<LagSample>>>>,
}

impl Default for LagHistory {
    fn default() -> Self {
        let per_span = SPAN.as_secs() / SAMPLE_EVERY.as_secs().max(1);
        LagHistory::with_capacity(usize::try_from(per_span).unwrap_or(360))
    }
}

impl LagHistory {
    pub fn with_capacity(capacity: usize) -> Self {
        LagHistory {
            capacity: capacity.max(1),
            inner: Arc::default(),
        }
    }

    pub fn record(&self, peer: &str, sample: LagSample) {
        let mut map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let ring = map.entry(peer.to_string()).or_default();
        if ring.len() == self.capacity {
            ring.pop_front();
        }
        ring.push_back(sample);
    }

    /// Records every link on the board at `now`.
    pub fn sample_board(&self, board: &LinkBoard, now: u64) {
        for (peer, link) in board.snapshot() {
            let sample = LagSample {
                t: now,
                out: link.lag_out_ops,
                lag_in: link.lag_in_ops,
            };
            self.record(&peer.to_string(), sample);
        }
    }

    /// The peer's samples, oldest first; `None` for a peer never sampled.
    pub fn get(&self, peer: &str) -> Option<Vec<LagSample>> {
        let map = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        map.get(peer).map(|ring| ring.iter().copied().collect())
    }

    /// Starts the tracked sampling task; it stops on shutdown.
    pub fn spawn_sampler(&self, board: LinkBoard, clock: SharedClock, shutdown: &Shutdown) {
        let history = self.clone();
        let token = shutdown.token();
        shutdown.spawn("admin-lag-history", async move {
            let mut tick = tokio::time::interval(SAMPLE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = token.cancelled() => break,
                    _ = tick.tick() => history.sample_board(&board, clock.now_ms()),
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t: u64) -> LagSample {
        LagSample {
            t,
            out: t * 2,
            lag_in: t,
        }
    }

    #[test]
    fn the_ring_keeps_the_newest_samples_in_order() {
        let h = LagHistory::with_capacity(3);
        for t in 1..=5 {
            h.record("township/T01", at(t));
        }
        let got = h.get("township/T01").expect("sampled");
        assert_eq!(got, vec![at(3), at(4), at(5)]);
        assert_eq!(h.get("township/T02"), None);
    }

    #[test]
    fn an_hour_at_the_sampling_rate_fits() {
        let h = LagHistory::default();
        for t in 0..400 {
            h.record("p", at(t));
        }
        let got = h.get("p").expect("sampled");
        assert_eq!(got.len(), 360);
        assert_eq!(got.first(), Some(&at(40)));
    }

    #[tokio::test]
    async fn the_sampler_stops_on_shutdown() {
        let shutdown = Shutdown::new();
        LagHistory::default().spawn_sampler(
            LinkBoard::default(),
            liandong_model::SystemClock::shared(),
            &shutdown,
        );
        assert!(shutdown.drain(Duration::from_secs(5)).await);
    }
}
