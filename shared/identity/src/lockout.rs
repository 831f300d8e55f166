//! Sign-in lockout: failed sign-ins are counted per account and source; after
//! [`MAX_FAILURES`] of one account from one source within [`WINDOW`] the
//! account is locked for [`LOCK`], whatever the source.
//!
//! Decisions:
//! - Sans-IO: time is passed in as milliseconds since the Unix epoch; the
//!   caller owns the clock and the wording (which never says whether the
//!   account exists: unknown accounts are counted like known ones).
//! - Failures while the account is locked are neither counted nor extend the
//!   lock. Locking clears the failures that caused it, so after the lock the
//!   count starts again. A success clears that source's failures only.
//! - Memory is bounded: at most [`Lockout::with_max_tracked`] (account,
//!   source) pairs and as many locks are kept. When full, entries that no
//!   longer matter are dropped first, then the one seen longest ago. Making
//!   room scans the table, which happens only when it is full.
//! - In memory only: a restarted node forgets failures and locks.

use std::collections::{HashMap, VecDeque};

/// Failed sign-ins of one account from one source that lock the account.
pub const MAX_FAILURES: usize = 5;
/// How far back failures count, in milliseconds (15 minutes).
pub const WINDOW: u64 = 15 * 60 * 1000;
/// How long a lock lasts, in milliseconds (15 minutes).
pub const LOCK: u64 = 15 * 60 * 1000;
/// The default bound on tracked (account, source) pairs and on locks.
pub const DEFAULT_MAX_TRACKED: usize = 10_000;

/// Failed sign-ins and locks, see the module doc.
#[derive(Debug, Clone)]
pub struct Lockout {
    /// Recent failure times per (account, source), oldest first, at most
    /// [`MAX_FAILURES`] each.
    failures: HashMap<(String, String), VecDeque<u64>>,
    /// Lock end per account.
    locks: HashMap<String, u64>,
    max_tracked: usize,
}

impl Default for Lockout {
    fn default() -> Self {
        Self::new()
    }
}

impl Lockout {
    /// An empty table bounded by [`DEFAULT_MAX_TRACKED`].
    pub fn new() -> Self {
        Self::with_max_tracked(DEFAULT_MAX_TRACKED)
    }

    /// An empty table that tracks at most `max_tracked` (account, source)
    /// pairs and at most as many locks (at least one of each).
    pub fn with_max_tracked(max_tracked: usize) -> Self {
        Lockout {
            failures: HashMap::new(),
            locks: HashMap::new(),
            max_tracked: max_tracked.max(1),
        }
    }

    /// Until when `account` is locked, if it is locked at `now_ms`.
    pub fn locked_until(&self, account: &str, now_ms: u64) -> Option<u64> {
        self.locks
            .get(account)
            .copied()
            .filter(|until| *until > now_ms)
    }

    /// Records a failed sign-in of `account` from `source` at `now_ms`;
    /// `Some(until)` when this failure locks the account.
    pub fn record_failure(&mut self, account: &str, source: &str, now_ms: u64) -> Option<u64> {
        if self.locked_until(account, now_ms).is_some() {
            return None;
        }
        let key = (account.to_string(), source.to_string());
        if !self.failures.contains_key(&key) {
            self.make_room_for_failures(now_ms);
        }
        let times = self.failures.entry(key).or_default();
        times.retain(|t| counts_at(*t, now_ms));
        times.push_back(now_ms);
        if times.len() < MAX_FAILURES {
            return None;
        }
        self.failures
            .remove(&(account.to_string(), source.to_string()));
        let until = now_ms.saturating_add(LOCK);
        if !self.locks.contains_key(account) {
            self.make_room_for_locks(now_ms);
        }
        self.locks.insert(account.to_string(), until);
        Some(until)
    }

    /// Records a successful sign-in: forgets the failures of `account` from
    /// `source` (not those from other sources, nor a lock).
    pub fn record_success(&mut self, account: &str, source: &str) {
        self.failures
            .remove(&(account.to_string(), source.to_string()));
    }

    /// How many (account, source) pairs and locks are held.
    pub fn tracked(&self) -> (usize, usize) {
        (self.failures.len(), self.locks.len())
    }

    /// Drops failures outside the window, then the pair whose last failure
    /// is oldest, until there is room for one more pair.
    fn make_room_for_failures(&mut self, now_ms: u64) {
        if self.failures.len() < self.max_tracked {
            return;
        }
        self.failures
            .retain(|_, times| times.back().is_some_and(|t| counts_at(*t, now_ms)));
        while self.failures.len() >= self.max_tracked {
            let oldest = self
                .failures
                .iter()
                .min_by_key(|(_, times)| times.back().copied().unwrap_or(0))
                .map(|(key, _)| key.clone());
            match oldest {
                Some(key) => self.failures.remove(&key),
                None => break,
            };
        }
    }

    /// Drops ended locks, then the one that ends first, until there is room
    /// for one more lock.
    fn make_room_for_locks(&mut self, now_ms: u64) {
        if self.locks.len() < self.max_tracked {
            return;
        }
        self.locks.retain(|_, until| *until > now_ms);
        while self.locks.len() >= self.max_tracked {
            let first = self
                .locks
                .iter()
                .min_by_key(|(_, until)| **until)
                .map(|(account, _)| account.clone());
            match first {
                Some(account) => self.locks.remove(&account),
                None => break,
            };
        }
    }
}

/// Whether a failure at `at` still counts at `now`.
fn counts_at(at: u64, now: u64) -> bool {
    now.saturating_sub(at) < WINDOW
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: u64 = 60 * 1000;
    const T0: u64 = 1_750_000_000_000;

    fn fail_n(l: &mut Lockout, account: &str, source: &str, n: usize, at: u64) -> Option<u64> {
        let mut last = None;
        for _ in 0..n {
            last = l.record_failure(account, source, at);
        }
        last
    }

    #[test]
    fn four_failures_do_not_lock_and_the_fifth_does() {
        let mut l = Lockout::new();
        for i in 0..4 {
            assert_eq!(l.record_failure("w001", "10.0.0.5", T0 + i * MIN), None);
        }
        assert_eq!(l.locked_until("w001", T0 + 4 * MIN), None);
        let until = l.record_failure("w001", "10.0.0.5", T0 + 4 * MIN);
        assert_eq!(until, Some(T0 + 4 * MIN + LOCK));
        assert_eq!(l.locked_until("w001", T0 + 5 * MIN), until);
        // The lock holds for every source.
        assert_eq!(l.locked_until("w001", T0 + 18 * MIN), until);
    }

    #[test]
    fn the_lock_ends_after_fifteen_minutes() {
        let mut l = Lockout::new();
        let until = fail_n(&mut l, "w001", "a", MAX_FAILURES, T0).unwrap();
        assert_eq!(until, T0 + LOCK);
        assert_eq!(l.locked_until("w001", T0 + LOCK - 1), Some(until));
        assert_eq!(l.locked_until("w001", T0 + LOCK), None);
        // After the lock the count starts again.
        assert_eq!(fail_n(&mut l, "w001", "a", 4, T0 + LOCK), None);
    }

    #[test]
    fn failures_older_than_the_window_do_not_count() {
        let mut l = Lockout::new();
        fail_n(&mut l, "w001", "a", 4, T0);
        assert_eq!(l.record_failure("w001", "a", T0 + WINDOW), None);
        assert_eq!(l.locked_until("w001", T0 + WINDOW), None);
        // Four inside the window now (one at T0 + WINDOW and three more).
        assert_eq!(fail_n(&mut l, "w001", "a", 3, T0 + WINDOW + MIN), None);
        assert!(l
            .record_failure("w001", "a", T0 + WINDOW + 2 * MIN)
            .is_some());
    }

    #[test]
    fn failures_are_counted_per_source() {
        let mut l = Lockout::new();
        assert_eq!(fail_n(&mut l, "w001", "a", 4, T0), None);
        assert_eq!(fail_n(&mut l, "w001", "b", 4, T0), None);
        assert_eq!(l.locked_until("w001", T0), None);
        assert!(l.record_failure("w001", "b", T0).is_some());
    }

    #[test]
    fn failures_are_counted_per_account() {
        let mut l = Lockout::new();
        assert_eq!(fail_n(&mut l, "w001", "a", 4, T0), None);
        assert_eq!(l.record_failure("w002", "a", T0), None);
        assert_eq!(l.locked_until("w002", T0), None);
    }

    #[test]
    fn a_success_clears_that_source_only() {
        let mut l = Lockout::new();
        fail_n(&mut l, "w001", "a", 4, T0);
        fail_n(&mut l, "w001", "b", 4, T0);
        l.record_success("w001", "a");
        assert_eq!(fail_n(&mut l, "w001", "a", 4, T0 + MIN), None);
        assert!(l.record_failure("w001", "b", T0 + MIN).is_some());
    }

    #[test]
    fn failures_while_locked_do_not_extend_the_lock() {
        let mut l = Lockout::new();
        let until = fail_n(&mut l, "w001", "a", MAX_FAILURES, T0).unwrap();
        assert_eq!(fail_n(&mut l, "w001", "a", 10, T0 + MIN), None);
        assert_eq!(l.locked_until("w001", T0 + MIN), Some(until));
    }

    #[test]
    fn memory_is_capped_by_evicting_the_oldest_pair() {
        let mut l = Lockout::with_max_tracked(3);
        for (i, source) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            l.record_failure("w001", source, T0 + i as u64);
        }
        assert_eq!(l.tracked().0, 3);
        // "a" was evicted (oldest): it starts from zero again.
        assert_eq!(fail_n(&mut l, "w001", "a", 4, T0 + 10), None);
        // "e" is still tracked: four more lock.
        assert!(fail_n(&mut l, "w001", "e", 4, T0 + 10).is_some());
        assert!(l.tracked().0 <= 3);
    }

    #[test]
    fn locks_are_capped_too() {
        let mut l = Lockout::with_max_tracked(2);
        for (i, account) in ["w1", "w2", "w3"].iter().enumerate() {
            assert!(fail_n(&mut l, account, "a", MAX_FAILURES, T0 + i as u64).is_some());
        }
        assert_eq!(l.tracked().1, 2);
        assert_eq!(l.locked_until("w1", T0 + 10), None);
        assert!(l.locked_until("w3", T0 + 10).is_some());
    }
}
