//! Hybrid logical clock: orders operations across nodes whose wall clocks
//! drift. A stamp is (wall milliseconds, logical counter); it never goes
//! backwards on one node, and observing a remote stamp moves the local clock
//! past it. The clock reads no time itself: callers pass `now_ms`, so the
//! sync core and simulations stay deterministic.
//!
//! Business time (when a case was accepted, in law) is the origin's wall
//! clock, carried in the event; the HLC only orders.
//!
//! A received stamp is observed within a bound ([`SkewBound`]): one
//! operation stamped far in the future (a township whose clock was set a
//! year ahead) must not drag every node's clock, and every later local
//! stamp, into that future. [`HybridClock::observe_within`] moves the clock
//! at most to `now + max_skew` and says when it clamped; the operation
//! itself is stored and relayed unchanged (its own stamp still orders it).

use serde::{Deserialize, Serialize};

use crate::clock::SharedClock;

/// How far past its own wall clock a node lets a received stamp move its
/// clock, unless configured otherwise: 5 minutes.
pub const DEFAULT_MAX_CLOCK_SKEW_MS: u64 = 5 * 60 * 1000;

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

    /// Moves the clock past `remote`, however far ahead it is. For stamps
    /// that cannot be poisoned (a fold over known events, tests); a stamp
    /// received from another node goes through [`Self::observe_within`].
    pub fn observe(&mut self, remote: Hlc) {
        if remote > self.last {
            self.last = remote;
        }
    }

    /// Moves the clock past a stamp received from another node, but never
    /// beyond `now_ms + max_skew_ms`: a stamp beyond that bound moves the
    /// clock only to the bound, and the answer says it was clamped.
    pub fn observe_within(&mut self, remote: Hlc, now_ms: u64, max_skew_ms: u64) -> Observed {
        if !remote.is_beyond(now_ms, max_skew_ms) {
            self.observe(remote);
            return Observed::Adopted;
        }
        self.observe(Hlc {
            wall_ms: now_ms.saturating_add(max_skew_ms),
            logical: 0,
        });
        Observed::Clamped {
            ahead_ms: remote.wall_ms - now_ms,
        }
    }
}

impl Hlc {
    /// Whether this stamp lies more than `max_skew_ms` past `now_ms`.
    pub fn is_beyond(&self, now_ms: u64, max_skew_ms: u64) -> bool {
        self.wall_ms > now_ms.saturating_add(max_skew_ms)
    }
}

/// What observing a received stamp did to the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Observed {
    /// The stamp was within the bound: the clock is now at or past it.
    Adopted,
    /// The stamp was `ahead_ms` past the wall clock, beyond the bound: the
    /// clock moved only to `now + max_skew`.
    Clamped { ahead_ms: u64 },
}

/// A node's bound on received stamps: its clock and the largest skew it
/// adopts. The store observes every received operation through it.
#[derive(Debug, Clone)]
pub struct SkewBound {
    pub clock: SharedClock,
    pub max_skew_ms: u64,
}

impl SkewBound {
    pub fn new(clock: SharedClock, max_skew_ms: u64) -> Self {
        SkewBound { clock, max_skew_ms }
    }

    /// Observes `remote` into `hlc` within this bound, now.
    pub fn observe(&self, hlc: &mut HybridClock, remote: Hlc) -> Observed {
        hlc.observe_within(remote, self.clock.now_ms(), self.max_skew_ms)
    }
}

impl Default for SkewBound {
    /// The system clock and [`DEFAULT_MAX_CLOCK_SKEW_MS`].
    fn default() -> Self {
        SkewBound::new(
            crate::clock::SystemClock::shared(),
            DEFAULT_MAX_CLOCK_SKEW_MS,
        )
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

    const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;

    #[test]
    fn observing_a_stamp_beyond_the_skew_bound_clamps_the_clock_to_the_bound() {
        let now = 1_700_000_000_000;
        let mut clock = HybridClock::default();
        clock.tick(now);
        let poisoned = Hlc {
            wall_ms: now + YEAR_MS,
            logical: 7,
        };
        let seen = clock.observe_within(poisoned, now, DEFAULT_MAX_CLOCK_SKEW_MS);
        assert_eq!(seen, Observed::Clamped { ahead_ms: YEAR_MS });
        let next = clock.tick(now + 1);
        assert!(next.wall_ms <= now + DEFAULT_MAX_CLOCK_SKEW_MS, "{next:?}");
        assert!(next < poisoned);
    }

    #[test]
    fn observing_a_stamp_within_the_skew_bound_adopts_it() {
        let now = 1_700_000_000_000;
        let mut clock = HybridClock::default();
        clock.tick(now);
        let ahead = Hlc {
            wall_ms: now + DEFAULT_MAX_CLOCK_SKEW_MS,
            logical: 2,
        };
        let seen = clock.observe_within(ahead, now, DEFAULT_MAX_CLOCK_SKEW_MS);
        assert_eq!(seen, Observed::Adopted);
        assert_eq!(clock.last(), ahead);
        assert!(clock.tick(now) > ahead);
    }

    #[test]
    fn the_skew_bound_does_not_overflow_at_the_end_of_time() {
        let mut clock = HybridClock::default();
        let end = Hlc {
            wall_ms: u64::MAX,
            logical: 0,
        };
        assert_eq!(
            clock.observe_within(end, u64::MAX - 1, u64::MAX),
            Observed::Adopted
        );
        assert!(!end.is_beyond(u64::MAX, 1));
    }
}
