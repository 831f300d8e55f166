//! The node's time until every caller reads the node core's injected clock.

use liandong_model::{Clock, SystemClock};

/// Milliseconds since the Unix epoch by the system clock.
pub(crate) fn now_ms() -> u64 {
    SystemClock.now_ms()
}
