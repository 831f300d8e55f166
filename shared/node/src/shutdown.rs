//! One shutdown primitive: a cancellation token plus a task tracker. Every
//! background task is spawned through [`Shutdown::spawn`] with a name, so a
//! shutdown can wait for all of them with a deadline. Tests trigger shutdown
//! through the handle, never by signals.

use std::future::Future;
use std::time::Duration;

use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// How long a binary waits for in-flight work after a shutdown signal.
pub const DRAIN_DEADLINE: Duration = Duration::from_secs(10);

#[derive(Clone, Debug, Default)]
pub struct Shutdown {
    token: CancellationToken,
    tracker: TaskTracker,
}

impl Shutdown {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }

    pub fn tracker(&self) -> TaskTracker {
        self.tracker.clone()
    }

    /// Spawns a named, tracked task; its end is logged at debug level.
    pub fn spawn<F>(&self, name: &'static str, fut: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.tracker.spawn(async move {
            tracing::debug!(task = name, "started");
            fut.await;
            tracing::debug!(task = name, "stopped");
        });
    }

    pub fn trigger(&self) {
        self.token.cancel();
    }

    pub fn is_triggered(&self) -> bool {
        self.token.is_cancelled()
    }

    pub async fn triggered(&self) {
        self.token.cancelled().await
    }

    /// Triggers shutdown and waits for every tracked task, at most `deadline`.
    /// Returns false when tasks were still running at the deadline.
    pub async fn drain(&self, deadline: Duration) -> bool {
        self.trigger();
        self.tracker.close();
        tokio::time::timeout(deadline, self.tracker.wait())
            .await
            .is_ok()
    }

    /// Binaries: waits for a shutdown signal, then drains within
    /// [`DRAIN_DEADLINE`]; `what` names the node in the log lines.
    pub async fn serve_until_signalled(&self, what: &str) {
        self.triggered().await;
        if !self.drain(DRAIN_DEADLINE).await {
            tracing::warn!(
                node = what,
                "some tasks did not stop within the drain deadline"
            );
        }
        tracing::info!(node = what, "stopped");
    }

    /// Binaries: the first SIGINT/SIGTERM triggers shutdown; a second one
    /// exits at once (every acknowledged write is already durable).
    pub fn on_signals(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            wait_signal().await;
            tracing::info!("shutdown requested; draining (signal again to exit at once)");
            this.trigger();
            wait_signal().await;
            tracing::warn!("second signal: exiting now");
            std::process::exit(130);
        });
    }
}

async fn wait_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
