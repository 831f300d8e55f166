//! Hybrid logical clock: orders operations across nodes whose wall clocks
//! drift. A stamp is (wall milliseconds, logical counter); it never goes
//! backwards on one node, and observing a remote stamp moves the local clock
//! past it. The clock reads no time itself: callers pass `now_ms`, so the
//! sync core and simulations stay deterministic.
//!
//! Business time (when a case was accepted, in law) is the origin's wall
//! clock, carried in the event; the HLC only orders.

use serde::{Deserialize, Serialize};

/// One HLC stamp. Ordered by wall time, then counter.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Hlc {
    pub wall_ms: u64,
    pub logical: u32,
}

/// The per-node clock state; persisted by the store so a restart never
/// issues a stamp below one already used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HybridClock {
    last: Hlc,
}

impl HybridClock {
    pub fn resume(last: Hlc) -> Self {
        HybridClock { last }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// A new local stamp, strictly above every stamp issued or observed.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        self.last = if now_ms > self.last.wall_ms {
            Hlc {
                wall_ms: now_ms,
                logical: 0,
            }
        } else {
            Hlc {
                wall_ms: self.last.wall_ms,
                logical: self.last.logical.saturating_add(1),
            }
        };
        self.last
    }

    /// Moves the clock past a stamp received from another node.
    pub fn observe(&mut self, remote: Hlc) {
        if remote > self.last {
            self.last = remote;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_strictly_increasing_even_when_the_wall_clock_steps_back() {
        let mut clock = HybridClock::default();
        let a = clock.tick(1_000);
        let b = clock.tick(900);
        let c = clock.tick(1_000);
        assert!(a < b && b < c);
    }

    #[test]
    fn observing_a_remote_stamp_moves_the_clock_past_it() {
        let mut clock = HybridClock::default();
        clock.tick(10);
        clock.observe(Hlc {
            wall_ms: 50,
            logical: 3,
        });
        let next = clock.tick(20);
        assert!(
            next > Hlc {
                wall_ms: 50,
                logical: 3
            }
        );
    }
}
