//! What every node does the same way, whatever its role: accept and list
//! cases, report status. The county adds the catalogue and serves its
//! children; the township adds the uplink. Both answer the control socket
//! through [`NodeCore`].
//!
//! Foundation rule for acceptance (DOMAIN.md §3 is the later, fuller slice):
//! a matter that is in the local catalogue but retired is refused; a matter
//! not yet in the local catalogue is accepted (a fresh township may not have
//! received the catalogue yet) and the case records that.

use std::sync::Arc;

use chrono::{FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};

use crate::control::{Handler, Reply, Request};
use crate::model::{
    Applicant, CaseEvent, CaseId, CaseView, EntityId, Level, Matter, NodeId, OpBody, Personal,
};
use crate::store::{Store, StoreError};
use crate::sync::driver::now_ms;
use crate::sync::{LinkBoard, LinkState, NodeReport};

/// China Standard Time: all dates and day boundaries (DOMAIN.md §4).
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
}

/// `YYYYMMDD` of a Unix-ms instant in CST.
pub fn cst_date(ms: u64) -> String {
    cst()
        .timestamp_millis_opt(ms as i64)
        .single()
        .map(|t| t.format("%Y%m%d").to_string())
        .unwrap_or_else(|| "19700101".into())
}

/// One line of a case list: personal fields masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: String,
    pub origin: String,
    pub matter: String,
    pub status: String,
    pub applicant_name: String,
    pub applicant_id: String,
    pub submitted_at_ms: u64,
    pub events: u32,
}

impl From<&CaseView> for CaseSummary {
    fn from(v: &CaseView) -> Self {
        let (name, id) = v
            .applicant
            .as_ref()
            .map(|a| (a.name.masked(), a.id_number.masked()))
            .unwrap_or_default();
        CaseSummary {
            id: v.id.to_string(),
            origin: v.id.origin().to_string(),
            matter: v.matter.clone(),
            status: v.status().as_str().to_string(),
            applicant_name: name,
            applicant_id: id,
            submitted_at_ms: v.submitted_at_ms,
            events: v.events,
        }
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
    pub revocations: crate::tls::Revocations,
}

impl NodeCore {
    pub fn me(&self) -> &NodeId {
        self.store.me()
    }

    /// 受理 at this node's window: Submitted and Accepted, one durable write.
    pub fn accept_case(
        &self,
        matter: &str,
        name: &str,
        id_number: &str,
    ) -> Result<CaseSummary, String> {
        if matter.trim().is_empty() {
            return Err("--matter is required (a catalogue code such as M001)".into());
        }
        if name.trim().is_empty() || id_number.trim().is_empty() {
            return Err("--applicant-name and --applicant-id are required".into());
        }
        if let Some(view) = self.store.matter(matter).map_err(|e| e.to_string())? {
            if view.matter.as_ref().is_some_and(|m| !m.active) {
                return Err(format!(
                    "matter {matter} is retired in the catalogue; it cannot be accepted"
                ));
            }
        }
        let now = now_ms();
        let date = cst_date(now);
        let applicant = Applicant {
            name: Personal::new(name.trim().to_string()),
            id_number: Personal::new(id_number.trim().to_string()),
        };
        let me = self.me().clone();
        let code = self.county_code.clone();
        let matter = matter.to_string();
        let mut case_id = None;
        self.store
            .append_local_with(now, |first_seq| {
                let id = CaseId::new(&code, &me, &date, first_seq);
                case_id = Some(id.clone());
                let entity = EntityId::Case(id);
                vec![
                    (
                        entity.clone(),
                        OpBody::Case(CaseEvent::Submitted {
                            matter,
                            applicant,
                            at_ms: now,
                            note: String::new(),
                        }),
                    ),
                    (entity, OpBody::Case(CaseEvent::Accepted { at_ms: now })),
                ]
            })
            .map_err(|e| store_message(&e))?;
        let id = case_id.ok_or("case id was not assigned")?;
        match self.store.case(id.as_str()) {
            Ok(Some(view)) => Ok(CaseSummary::from(&view)),
            Ok(None) => Err(format!("case {id} was written but cannot be read back")),
            Err(e) => Err(store_message(&e)),
        }
    }

    pub fn list_cases(&self, origin: Option<&str>) -> Result<Vec<CaseSummary>, String> {
        let origin: Option<NodeId> = match origin {
            None => None,
            Some(s) if s.contains('/') => Some(s.parse().map_err(|e| format!("--township: {e}"))?),
            Some(s) => Some(NodeId::township(s).map_err(|e| format!("--township: {e}"))?),
        };
        let cases = self
            .store
            .cases(origin.as_ref())
            .map_err(|e| store_message(&e))?;
        Ok(cases.iter().map(CaseSummary::from).collect())
    }

    /// Writes a catalogue matter (the county only; checked by the caller).
    pub fn put_matter(&self, matter: Matter) -> Result<String, String> {
        let code = matter.code.clone();
        self.store
            .append_local(
                vec![(EntityId::Matter(code.clone()), OpBody::MatterPut(matter))],
                now_ms(),
            )
            .map_err(|e| store_message(&e))?;
        Ok(format!("matter {code} saved"))
    }

    /// Online, consistent backup to `path` (written beside it, then renamed).
    pub fn backup(&self, path: &std::path::Path) -> Result<String, String> {
        let tmp = path.with_extension("partial");
        let write = || -> Result<crate::store::BackupSummary, String> {
            let file = std::fs::File::create(&tmp)
                .map_err(|e| format!("cannot create {}: {e}", tmp.display()))?;
            let summary = self.store.backup(&file).map_err(|e| store_message(&e))?;
            file.sync_all()
                .map_err(|e| format!("cannot sync {}: {e}", tmp.display()))?;
            std::fs::rename(&tmp, path)
                .map_err(|e| format!("cannot rename to {}: {e}", path.display()))?;
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
    pub fn revoke(&self, node: &str, reason: &str) -> Result<String, String> {
        if self.me().role() != crate::model::Role::County {
            return Err("only the county revokes certificates".into());
        }
        let node: NodeId = node.parse().map_err(|e| format!("--role/--id: {e}"))?;
        if &node == self.me() {
            return Err(
                "the county cannot revoke its own certificate; issue a new one and restart".into(),
            );
        }
        let now = now_ms();
        let body = OpBody::Revoke {
            node: node.clone(),
            before_ms: now as i64,
            reason: reason.to_string(),
        };
        self.store
            .append_local(vec![(EntityId::Revocation(node.clone()), body)], now)
            .map_err(|e| store_message(&e))?;
        self.reload_revocations()?;
        Ok(format!("revoked every certificate of {node} issued until now; it is refused at its next handshake"))
    }

    /// Loads the replicated revocations into the live TLS list.
    pub fn reload_revocations(&self) -> Result<(), String> {
        let list = self.store.revocations().map_err(|e| store_message(&e))?;
        self.revocations.replace(list);
        Ok(())
    }

    /// Keeps the live revocation list in step with the store until shutdown.
    pub fn watch_revocations(&self, shutdown: &crate::shutdown::Shutdown) {
        let core = self.clone();
        let mut changes = self.store.subscribe();
        let sd = shutdown.clone();
        shutdown.spawn("revocation-watch", async move {
            loop {
                let c = core.clone();
                let _ = tokio::task::spawn_blocking(move || c.reload_revocations()).await;
                tokio::select! {
                    _ = sd.triggered() => break,
                    r = changes.changed() => if r.is_err() { break },
                }
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        });
    }

    /// A reporter for heartbeats (see [`NodeCore::report`]).
    pub fn reporter(&self) -> crate::sync::driver::Reporter {
        let core = self.clone();
        Arc::new(move || core.report())
    }

    /// This node's health for its parent: cheap (no scans of cases).
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
        if let Some(problem) = self.store.disk_problem() {
            report.store_problem = problem;
        }
        for link in self.board.snapshot().values() {
            report.outbox_pending += link.lag_out_ops;
            for (reason, n) in &link.rejections {
                *report.rejections.entry(reason.clone()).or_insert(0) += n;
            }
        }
        report
    }

    pub fn status(&self) -> Result<NodeStatus, String> {
        let stats = self.store.stats().map_err(|e| store_message(&e))?;
        let links = self.board.snapshot();
        let mut peers = Vec::new();
        for rec in &stats.peers {
            let link = links.get(&rec.node).cloned().unwrap_or_default();
            let digest = self
                .store
                .digest_for_peer(&rec.node)
                .map_err(|e| store_message(&e))?;
            let refused = self.revocations.refusals().get(&rec.node).copied();
            let link = match refused {
                Some(at) => LinkState {
                    last_error: Some(format!(
                        "certificate revoked: refused at handshake ({})",
                        crate::cli::fmt_time(u64::try_from(at).ok())
                    )),
                    ..link
                },
                None => link,
            };
            peers.push(peer_status(
                &rec.node,
                &link,
                rec.outbox.head,
                digest.short(),
            ));
        }
        Ok(NodeStatus {
            cert_not_after_ms: self.cert_not_after_ms,
            node: self.me().to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            now_ms: now_ms(),
            ops_held: stats.ops_held,
            digest: stats.digest_all.short(),
            disk_bytes: stats.disk_bytes,
            cases: stats.cases,
            peers,
        })
    }
}

fn peer_status(node: &NodeId, link: &LinkState, outbox_head: u64, digest: String) -> PeerStatus {
    let now = now_ms();
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

fn store_message(e: &StoreError) -> String {
    match e {
        StoreError::DiskFull { .. } => e.to_string(),
        other => format!("the local store refused the write: {other}"),
    }
}

impl Handler for NodeCore {
    async fn handle(&self, req: Request) -> Reply {
        let core = self.clone();
        let res = tokio::task::spawn_blocking(move || core.handle_blocking(req)).await;
        res.unwrap_or_else(|e| Reply::Error {
            message: format!("internal error: {e}"),
        })
    }
}

impl NodeCore {
    fn handle_blocking(&self, req: Request) -> Reply {
        let result = match req {
            Request::AcceptCase {
                matter,
                applicant_name,
                applicant_id,
            } => self
                .accept_case(&matter, &applicant_name, &applicant_id)
                .map(Reply::Case),
            Request::ListCases { origin } => self
                .list_cases(origin.as_deref())
                .map(|cases| Reply::Cases { cases }),
            Request::PutMatter {
                code,
                name,
                township_level,
                promised_days,
                statutory_days,
                department,
            } => {
                if self.me().role() != crate::model::Role::County {
                    Err("only the county writes the catalogue".to_string())
                } else {
                    self.put_matter(Matter {
                        code,
                        name,
                        level: if township_level {
                            Level::Township
                        } else {
                            Level::County
                        },
                        promised_days,
                        statutory_days,
                        department,
                        active: true,
                    })
                    .map(|message| Reply::Done { message })
                }
            }
            Request::Status => self.status().map(|s| Reply::Status(Box::new(s))),
            Request::Revoke { node, reason } => self
                .revoke(&node, &reason)
                .map(|message| Reply::Done { message }),
            Request::Backup { path } => self
                .backup(std::path::Path::new(&path))
                .map(|message| Reply::Done { message }),
        };
        result.unwrap_or_else(|message| Reply::Error { message })
    }
}
