//! This node's health report for its parent (version, certificate expiry,
//! operations held, disk, cases with warnings, store problems, rejections),
//! carried on every heartbeat.
//!
//! Building it counts the store (a prefix scan and the size on disk), so it
//! never runs on the session driver's async thread: a background pass
//! rebuilds it on the blocking pool every [`REPORT_PERIOD`] and heartbeats
//! read the cached copy ([`NodeCore::reporter`]). The pass runs only on a
//! node that reports to a parent.

use std::sync::Arc;
use std::time::Duration;

use liandong_sync::NodeReport;

use crate::shutdown::Shutdown;
use crate::NodeCore;

/// How often the cached report is rebuilt (the heartbeat period).
pub const REPORT_PERIOD: Duration = Duration::from_secs(1);

impl NodeCore {
    /// A reporter for heartbeats: the cached report, never a store scan.
    /// Starts the pass that keeps it fresh, so only a node that reports
    /// upward pays for the scans.
    pub fn reporter(&self, shutdown: &Shutdown) -> liandong_net::driver::Reporter {
        self.refresh_reports(shutdown);
        let core = self.clone();
        Arc::new(move || core.cached_report())
    }

    /// The report as last rebuilt (a default one before the first pass).
    pub fn cached_report(&self) -> NodeReport {
        self.last_report
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Builds the report now (scans the store: call on the blocking pool).
    pub fn report(&self) -> NodeReport {
        let mut report = NodeReport {
            version: env!("CARGO_PKG_VERSION").to_string(),
            cert_not_after_ms: self.cert_not_after_ms,
            ..NodeReport::default()
        };
        match self.store.stats() {
            Ok(stats) => {
                report.ops_held = stats.ops_held;
                report.disk_bytes = stats.disk_bytes;
                report.cases = stats.cases;
            }
            Err(e) => report.store_problem = e.to_string(),
        }
        report.write_refusals = self.store.write_refusals();
        let counts = self.warning_counts();
        report.cases_yellow = counts.yellow;
        report.cases_red = counts.red;
        report.cases_overdue = counts.overdue;
        if let Some(problem) = self.store.disk_problem() {
            report.store_problem = problem;
        }
        // A store that stopped taking writes outweighs anything else.
        if let Some(stopped) = self.store.read_only() {
            report.store_problem = stopped.to_string();
        }
        for link in self.board.snapshot().values() {
            report.outbox_pending += link.lag_out_ops;
            for (reason, n) in &link.rejections {
                *report.rejections.entry(reason.clone()).or_insert(0) += n;
            }
        }
        report
    }

    /// Rebuilds the cached report on the blocking pool until shutdown.
    fn refresh_reports(&self, shutdown: &Shutdown) {
        let core = self.clone();
        let sd = shutdown.clone();
        shutdown.spawn("health-report", async move {
            let mut tick = tokio::time::interval(REPORT_PERIOD);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = sd.triggered() => break,
                    _ = tick.tick() => {
                        let c = core.clone();
                        if let Ok(report) = tokio::task::spawn_blocking(move || c.report()).await {
                            *core.last_report.lock().unwrap_or_else(|e| e.into_inner()) = report;
                        }
                    }
                }
            }
        });
    }
}
