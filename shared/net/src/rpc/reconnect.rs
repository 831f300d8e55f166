//! When an uplink tries its parent again after losing it (or never having
//! reached it): quickly while the loss is fresh, slowly once it is old.
//!
//! A link that drops usually returns within seconds (a proxy restart, a
//! router, a county node restarting); for the first [`FAST_FOR`] after the
//! loss the uplink retries every [`FAST_RETRY`], so a returning link is used
//! within about that long. After that the county is probably down for a
//! while: the wait grows exponentially from [`SLOW_FIRST`] to [`SLOW_MAX`],
//! so sixty townships facing a county that is down for days make about a
//! dozen attempts a second between them, not a thousand. A session that
//! the parent drops at once does not count as a fresh loss (see
//! [`Reconnect::session_ended`]).
//!
//! Every wait is jittered by ±[`JITTER`] so links that dropped together do
//! not return in lock-step. The schedule itself ([`wait_before`]) is a pure
//! function of the time since the loss and the attempt count; the uplink
//! loop measures the time and draws the jitter.

use std::time::Duration;

/// How long after a loss the uplink keeps retrying quickly.
pub const FAST_FOR: Duration = Duration::from_secs(3);

/// The wait between attempts while the loss is fresh.
pub const FAST_RETRY: Duration = Duration::from_millis(50);

/// The first wait once the loss is older than [`FAST_FOR`].
pub const SLOW_FIRST: Duration = Duration::from_millis(250);

/// The longest wait between attempts (before jitter).
pub const SLOW_MAX: Duration = Duration::from_secs(5);

/// Each wait is multiplied by a factor drawn from `1 ± JITTER`.
pub const JITTER: f64 = 0.2;

/// The wait before the next attempt, without jitter. `since_loss`: time
/// since the link was lost (or since the first failed attempt when it was
/// never up); `slow_attempts`: attempts already made after [`FAST_FOR`].
pub fn wait_before(since_loss: Duration, slow_attempts: u32) -> Duration {
    if since_loss < FAST_FOR {
        return FAST_RETRY;
    }
    let factor = 1u32.checked_shl(slow_attempts.min(16)).unwrap_or(u32::MAX);
    SLOW_FIRST.saturating_mul(factor).min(SLOW_MAX)
}

/// `wait` scaled by `1 + JITTER * (2 * unit - 1)`; `unit` in `[0, 1]`.
pub fn jittered(wait: Duration, unit: f64) -> Duration {
    let unit = unit.clamp(0.0, 1.0);
    wait.mul_f64(1.0 + JITTER * (2.0 * unit - 1.0))
}

/// Where an uplink is in the schedule.
#[derive(Debug, Default)]
pub struct Reconnect {
    lost_at: Option<tokio::time::Instant>,
    slow_attempts: u32,
}

impl Reconnect {
    /// A session that was opened at `opened` ended at `now`; `moved_data`
    /// says whether any operation crossed it. After a session that moved
    /// data or lasted at least [`FAST_FOR`] the loss is fresh and retried
    /// quickly (a link cut mid-backlog resumes at once); one that ended
    /// sooner with nothing across (a parent that accepts and drops the
    /// link at once) keeps the schedule where it was, so a flapping link
    /// is not retried every [`FAST_RETRY`] for ever.
    pub fn session_ended(
        &mut self,
        opened: tokio::time::Instant,
        now: tokio::time::Instant,
        moved_data: bool,
    ) {
        if moved_data || now.saturating_duration_since(opened) >= FAST_FOR || self.lost_at.is_none()
        {
            self.lost_at = Some(now);
            self.slow_attempts = 0;
        }
    }

    /// The jittered wait before the next attempt, after an attempt that
    /// failed (or a session that ended) at `now`.
    pub fn next_wait(&mut self, now: tokio::time::Instant) -> Duration {
        let lost_at = *self.lost_at.get_or_insert(now);
        let since = now.saturating_duration_since(lost_at);
        let wait = wait_before(since, self.slow_attempts);
        if since >= FAST_FOR {
            self.slow_attempts = self.slow_attempts.saturating_add(1);
        }
        jittered(wait, rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_loss_is_retried_every_fifty_milliseconds() {
        for ms in [0, 1, 500, 2_999] {
            assert_eq!(wait_before(Duration::from_millis(ms), 0), FAST_RETRY);
        }
    }

    #[test]
    fn an_old_loss_waits_longer_each_attempt_up_to_the_cap() {
        let old = FAST_FOR;
        let waits: Vec<u64> = (0..10)
            .map(|n| wait_before(old, n).as_millis() as u64)
            .collect();
        assert_eq!(
            waits,
            [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000, 5_000, 5_000, 5_000]
        );
        assert_eq!(
            wait_before(Duration::from_secs(86_400 * 7), u32::MAX),
            SLOW_MAX
        );
    }

    #[test]
    fn jitter_stays_within_a_fifth_either_way() {
        let base = Duration::from_millis(1_000);
        assert_eq!(jittered(base, 0.0), Duration::from_millis(800));
        assert_eq!(jittered(base, 0.5), base);
        assert_eq!(jittered(base, 1.0), Duration::from_millis(1_200));
        assert_eq!(jittered(base, 7.0), Duration::from_millis(1_200));
    }

    #[test]
    fn the_schedule_turns_slow_after_the_fast_period_and_a_new_loss_is_fast_again() {
        let mut r = Reconnect::default();
        let start = tokio::time::Instant::now();
        let fast = r.next_wait(start);
        assert!(fast <= jittered(FAST_RETRY, 1.0));
        let later = start + FAST_FOR + Duration::from_millis(1);
        let first_slow = r.next_wait(later);
        assert!(first_slow >= jittered(SLOW_FIRST, 0.0));
        let second_slow = r.next_wait(later);
        assert!(second_slow >= jittered(SLOW_FIRST * 2, 0.0));
        let opened = later;
        let ended = opened + FAST_FOR;
        r.session_ended(opened, ended, false);
        assert!(r.next_wait(ended) <= jittered(FAST_RETRY, 1.0));
    }

    #[test]
    fn a_session_dropped_at_once_does_not_restart_the_fast_retries() {
        let mut r = Reconnect::default();
        let start = tokio::time::Instant::now();
        let old = start + FAST_FOR * 2;
        r.next_wait(start);
        r.next_wait(old);
        r.session_ended(old, old + Duration::from_millis(10), false);
        let wait = r.next_wait(old + Duration::from_millis(10));
        assert!(wait >= jittered(SLOW_FIRST * 2, 0.0), "{wait:?}");
    }

    #[test]
    fn a_short_session_that_moved_data_restarts_the_fast_retries() {
        let mut r = Reconnect::default();
        let start = tokio::time::Instant::now();
        let old = start + FAST_FOR * 2;
        r.next_wait(start);
        r.next_wait(old);
        r.session_ended(old, old + Duration::from_millis(10), true);
        let wait = r.next_wait(old + Duration::from_millis(10));
        assert!(wait <= jittered(FAST_RETRY, 1.0), "{wait:?}");
    }
}
