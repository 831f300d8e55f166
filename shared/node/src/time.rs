//! The process's own wall-clock reading (when it started, for metrics).
//! Everything about the node's work reads the node core's injected clock.

use liandong_model::{Clock, SystemClock};

/// Milliseconds since the Unix epoch by the system clock.
pub(crate) fn now_ms() -> u64 {
    SystemClock.now_ms()
}
