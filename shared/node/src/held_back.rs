//! Applies the operations the store holds back for their stamps
//! (`liandong_store`'s `held`: the county keeps an operation stamped beyond
//! the skew bound until its clock catches up). A pass every
//! [`HELD_BACK_PERIOD`] on the blocking pool; a pass with nothing due
//! reads one key.

use std::time::Duration;

use crate::shutdown::Shutdown;
use crate::NodeCore;

/// How often due operations are looked for.
pub const HELD_BACK_PERIOD: Duration = Duration::from_secs(1);

impl NodeCore {
    /// Starts the pass that applies held operations once they are due.
    pub fn run_held_back_release(&self, shutdown: &Shutdown) {
        let core = self.clone();
        let sd = shutdown.clone();
        shutdown.spawn("held-back-release", async move {
            loop {
                tokio::select! {
                    _ = sd.triggered() => break,
                    _ = tokio::time::sleep(HELD_BACK_PERIOD) => {}
                }
                let store = core.store.clone();
                match tokio::task::spawn_blocking(move || store.release_held()).await {
                    Ok(Ok(0)) => {}
                    Ok(Ok(n)) => tracing::info!(
                        released = n,
                        "operations held back for their stamps are now within the skew bound: applied"
                    ),
                    Ok(Err(e)) => {
                        tracing::warn!(error = %e, "applying held-back operations failed; retrying")
                    }
                    Err(e) => tracing::warn!(error = %e, "held-back release task failed"),
                }
            }
        });
    }
}
