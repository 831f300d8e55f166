//! What every node does the same way, whatever its role, behind the control
//! socket: the hall's work on cases ([`cases`]), the county's registries
//! (catalogue, roster, authorisations, calendar: [`registry`]), e-supervision
//! ([`supervision`]), status and health reports, backups and revocations.
//! Output shapes for commands live in [`output`]; dispatch in [`handler`].
//!
//! Every write goes through the store's one write path; checks against the
//! domain rules ([`liandong_domain::check`]) happen here, at the node where an
//! event is recorded. Events that arrive by replication are never refused
//! for domain reasons: their problems show on the case.
//!
//! Every operation fails with a [`NodeError`]: a refusal as the domain's
//! [`liandong_domain::Refusal`], what was not found or not permitted as
//! data, a store failure as the store's error. Nothing here words an
//! error for a clerk; the presentation crate does.

use std::sync::Arc;

use chrono::{FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};

use crate::error::{FileOp, Forbidden, Malformed, NodeError};
use crate::supervision::SUPERVISION_PERIOD;

use liandong_domain::OpBody;
use liandong_model::SharedClock;
use liandong_model::{EntityId, NodeId};
use liandong_store::Store;
use liandong_sync::{LinkBoard, LinkState, NodeReport};

/// China Standard Time: all dates and day boundaries (DOMAIN.md §4).
pub fn cst() -> FixedOffset {
    const CST: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
        Some(offset) => offset,
        None => panic!("UTC+8 is a valid offset"),
    };
    CST
}

/// `YYYYMMDD` of a Unix-ms instant in CST.
pub fn cst_date(ms: u64) -> String {
    cst()
        .timestamp_millis_opt(ms as i64)
        .single()
        .map(|t| t.format("%Y%m%d").to_string())
        .unwrap_or_else(|| "19700101".into())
}

/// The CST calendar day of a Unix-ms instant.
pub fn cst_day(ms: u64) -> chrono::NaiveDate {
    cst()
        .timestamp_millis_opt(ms as i64)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// Where a node keeps its sessions' digests, in its data directory.
pub const SESSIONS_FILE: &str = "sessions.json";

/// `YYYY-MM-DD HH:MM:SS` of a Unix-ms instant in CST, or "never".
pub fn fmt_time(ms: Option<u64>) -> String {
    match ms {
        None => "never".into(),
        Some(ms) => cst()
            .timestamp_millis_opt(ms as i64)
            .single()
            .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
            .unwrap_or_else(|| ms.to_string()),
    }
}

/// A peer as this node sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerStatus {
    pub node: String,
    pub connected: bool,
    pub last_contact_ms: Option<u64>,
    pub connected_since_ms: Option<u64>,
    pub ops_sent: u64,
    pub ops_received: u64,
    pub lag_out_ops: u64,
    pub lag_in_ops: u64,
    pub outbox_head: u64,
    /// What we hold in the peer's scope (compare with the peer's own digest).
    pub scope_digest: String,
    pub clock_skew_ms: Option<i64>,
    pub rejections: std::collections::BTreeMap<String, u64>,
    pub last_error: Option<String>,
    /// "up", "silent", "down" or "never".
    pub state: String,
    /// Seconds the peer has been behind us.
    pub lag_seconds: u64,
    /// The peer's own report (townships report to the county).
    pub report: Option<NodeReport>,
    pub reported_at_ms: Option<u64>,
}

/// This node's status.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NodeStatus {
    pub node: String,
    pub version: String,
    pub now_ms: u64,
    pub ops_held: u64,
    pub digest: String,
    pub disk_bytes: u64,
    pub cases: u64,
    pub cert_not_after_ms: i64,
    pub peers: Vec<PeerStatus>,
    /// What is wrong with the local store, if anything: it stopped taking
    /// writes after a failed sync (every clerk command is refused until
    /// the node is restarted), or its disk is below the reserve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_problem: Option<String>,
    /// Received operations this node refused, since its store was created.
    #[serde(default)]
    pub rejected_total: u64,
    /// The latest rejection records, newest first (at most 20).
    #[serde(default)]
    pub recent_rejections: Vec<liandong_store::RejectionRecord>,
    /// Received operations held back because their stamps are further
    /// ahead of this node's clock than the skew bound (the county only);
    /// each is applied once this clock catches up. Non-zero for long: a
    /// sender's clock is wrong.
    #[serde(default)]
    pub held_back_ops: u64,
}

/// The shared core of a running node.
#[derive(Clone)]
pub struct NodeCore {
    pub store: Arc<Store>,
    pub board: LinkBoard,
    pub county_code: String,
    /// When this node's certificate expires (Unix ms).
    pub cert_not_after_ms: i64,
    /// The live revocation list the TLS verifiers consult.
    pub revocations: liandong_net::tls::Revocations,
    /// Cases with yellow/red warnings and overdue, as last counted by the
    /// background pass (folding every case is not free).
    pub warning_counts: Arc<std::sync::Mutex<WarningCounts>>,
    /// Where this node reads the time (the system clock unless a test or a
    /// simulation injects another, see `boot::Seams`).
    pub clock: SharedClock,
    /// This node's health report as last refreshed by the background pass
    /// (heartbeats read it; see [`crate::report`]).
    pub(crate) last_report: Arc<std::sync::Mutex<NodeReport>>,
    /// Sessions and the sign-in failure counter ([`crate::identity`]).
    pub(crate) identity: Arc<crate::identity::Identity>,
}

/// Cases with warnings, as last counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct WarningCounts {
    pub counted_at_ms: u64,
    pub yellow: u64,
    pub red: u64,
    pub overdue: u64,
}

impl NodeCore {
    pub fn new(
        store: Arc<Store>,
        county_code: &str,
        cert_not_after_ms: i64,
        revocations: liandong_net::tls::Revocations,
        clock: SharedClock,
    ) -> NodeCore {
        NodeCore {
            board: LinkBoard::default(),
            county_code: county_code.to_string(),
            cert_not_after_ms,
            revocations,
            warning_counts: Default::default(),
            identity: Arc::new(crate::identity::Identity::load(
                &store.path().join(SESSIONS_FILE),
                clock.now_ms(),
            )),
            store,
            clock,
            last_report: Default::default(),
        }
    }

    /// Now, by this node's clock (Unix ms).
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Starts the node's background work: the revocation watch and the
    /// supervision pass.
    pub fn start_background(&self, shutdown: &crate::shutdown::Shutdown) {
        self.watch_revocations(shutdown);
        self.run_supervision(shutdown, SUPERVISION_PERIOD);
        self.run_held_back_release(shutdown);
    }

    pub fn me(&self) -> &NodeId {
        self.store.me()
    }

    /// Online, consistent backup to `path` (written beside it, then renamed).
    pub fn backup(
        &self,
        who: &crate::identity::Actor,
        path: &std::path::Path,
    ) -> Result<String, NodeError> {
        who.may(liandong_domain::permission::Act::Backup)?;
        let tmp = path.with_extension("partial");
        let write = || -> Result<liandong_store::BackupSummary, NodeError> {
            let file = std::fs::File::create(&tmp).map_err(file_error(FileOp::Create, &tmp))?;
            let summary = self.store.backup(&file)?;
            file.sync_all().map_err(file_error(FileOp::Sync, &tmp))?;
            std::fs::rename(&tmp, path).map_err(file_error(FileOp::Rename, path))?;
            Ok(summary)
        };
        match write() {
            Ok(s) => Ok(format!(
                "backed up {} operations ({} bytes) of {} to {}",
                s.operations,
                s.bytes,
                self.me(),
                path.display()
            )),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Revokes every certificate of `node` issued until now (county only);
    /// the node is refused at its next handshake, everywhere.
    pub fn revoke(
        &self,
        who: &crate::identity::Actor,
        node: &str,
        reason: &str,
    ) -> Result<String, NodeError> {
        who.may(liandong_domain::permission::Act::Pki)?;
        if self.me().role() != liandong_model::Role::County {
            return Err(NodeError::not_permitted(Forbidden::Revocation));
        }
        let node: NodeId = node
            .parse()
            .map_err(|e| Malformed::node_id("--role/--id", e))?;
        if &node == self.me() {
            return Err(NodeError::not_permitted(Forbidden::RevokeSelf));
        }
        let now = self.now_ms();
        let body = OpBody::Revoke {
            node: node.clone(),
            before_ms: now as i64,
            reason: reason.to_string(),
        };
        self.store
            .append_local(vec![(EntityId::Revocation(node.clone()), body)], now)?;
        self.reload_revocations()?;
        Ok(format!("revoked every certificate of {node} issued until now; it is refused at its next handshake"))
    }

    /// Loads the replicated revocations into the live TLS list.
    pub fn reload_revocations(&self) -> Result<(), NodeError> {
        let list = self.store.revocations()?;
        self.revocations.replace(list);
        Ok(())
    }

    /// Keeps the live revocation list in step with the store until shutdown
    /// (boot loads it once before any peer may connect; a failed reload
    /// keeps the last list and says so).
    pub fn watch_revocations(&self, shutdown: &crate::shutdown::Shutdown) {
        let core = self.clone();
        let mut changes = self.store.subscribe();
        let sd = shutdown.clone();
        shutdown.spawn("revocation-watch", async move {
            loop {
                let c = core.clone();
                let loaded = tokio::task::spawn_blocking(move || c.reload_revocations()).await;
                if let Ok(Err(e)) = loaded {
                    tracing::warn!(path = %core.store.path().display(), error = %e, "cannot reload the revocation list; keeping the one loaded before");
                }
                tokio::select! {
                    _ = sd.triggered() => break,
                    r = changes.changed() => if r.is_err() { break },
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        });
    }

    /// Cases with warnings as last counted (cheap: the count is kept
    /// fresh by the background pass in [`supervision`]).
    pub fn warning_counts(&self) -> WarningCounts {
        *self
            .warning_counts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Recounts cases with warnings: one supervision pass, which folds only
    /// the cases that can have changed since the last (`supervision::pass`).
    pub fn recount_warnings(&self) -> Result<WarningCounts, NodeError> {
        Ok(self.pass_once(false)?.counts)
    }

    pub fn status(&self) -> Result<NodeStatus, NodeError> {
        let stats = self.store.stats()?;
        let links = self.board.snapshot();
        let mut peers = Vec::new();
        for rec in &stats.peers {
            let link = links.get(&rec.node).cloned().unwrap_or_default();
            let digest = self.store.digest_for_peer(&rec.node)?;
            let refused = self.revocations.refusals().get(&rec.node).cloned();
            let link = match refused {
                // A refusal newer than the last contact explains the link's state.
                Some((at, why)) if link.last_contact_ms.is_none_or(|c| at >= c as i64) => {
                    LinkState {
                        last_error: Some(format!(
                            "{why}: refused at handshake ({})",
                            fmt_time(u64::try_from(at).ok())
                        )),
                        ..link
                    }
                }
                _ => link,
            };
            peers.push(peer_status(
                &rec.node,
                &link,
                rec.outbox.head,
                digest.short(),
                self.now_ms(),
            ));
        }
        Ok(NodeStatus {
            cert_not_after_ms: self.cert_not_after_ms,
            node: self.me().to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            now_ms: self.now_ms(),
            ops_held: stats.ops_held,
            digest: stats.digest_all.short(),
            disk_bytes: stats.disk_bytes,
            cases: stats.cases,
            peers,
            store_problem: self
                .store
                .read_only()
                .map(|e| e.to_string())
                .or_else(|| self.store.disk_problem()),
            rejected_total: self.store.rejection_count()?,
            recent_rejections: self.store.rejections(20)?,
            held_back_ops: self.store.held_count()?,
        })
    }
}

/// A failed `op` on a file outside the store.
pub(crate) fn file_error(
    op: FileOp,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> NodeError + '_ {
    move |source| NodeError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

fn peer_status(
    node: &NodeId,
    link: &LinkState,
    outbox_head: u64,
    digest: String,
    now: u64,
) -> PeerStatus {
    PeerStatus {
        state: link.state(now).to_string(),
        lag_seconds: link.lag_seconds(now),
        report: link.report.clone(),
        reported_at_ms: link.reported_at_ms,
        node: node.to_string(),
        connected: link.connected,
        last_contact_ms: link.last_contact_ms,
        connected_since_ms: link.connected_since_ms,
        ops_sent: link.ops_sent,
        ops_received: link.ops_received,
        lag_out_ops: link.lag_out_ops,
        lag_in_ops: link.lag_in_ops,
        outbox_head,
        scope_digest: digest,
        clock_skew_ms: link.clock_skew_ms,
        rejections: link.rejections.clone(),
        last_error: link.last_error.clone(),
    }
}
