//! Certificate revocation, live, and the record of refused handshakes. The county writes revocations as
//! replicated data (every node holds them); each node keeps the current
//! list in a [`Revocations`] handle that its TLS verifiers consult on every
//! handshake, so a revocation takes effect at the next handshake without
//! rebuilding any TLS config.
//!
//! A revocation names a node and an instant: every certificate of that node
//! issued at or before the instant is refused (issuance time from the serial
//! number `pki issue` writes; for other certificates, notBefore). A replacement
//! certificate issued afterwards for the same node id is accepted, so a
//! re-enrolled machine keeps its id.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use rustls::pki_types::CertificateDer;

use super::verify::peer_identity;
use liandong_model::NodeId;

/// Shared, live list: node → revoked-before (Unix ms); plus the last
/// refusal per node (Unix ms), for status.
#[derive(Debug, Clone)]
pub struct Revocations {
    inner: Arc<RwLock<State>>,
    version: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Default for Revocations {
    fn default() -> Self {
        Revocations {
            inner: Arc::default(),
            version: Arc::new(tokio::sync::watch::channel(0).0),
        }
    }
}

#[derive(Debug, Default)]
struct State {
    revoked_before: BTreeMap<NodeId, i64>,
    /// Last handshake refusal per node: when (Unix ms) and why.
    refused: BTreeMap<NodeId, (i64, String)>,
}

impl Revocations {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replaces the list (called when replicated revocations change).
    pub fn replace(&self, list: BTreeMap<NodeId, i64>) {
        let mut state = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if state.revoked_before != list {
            state.revoked_before = list;
            self.version.send_modify(|v| *v += 1);
        }
    }

    /// Wakes whenever the list changes.
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.version.subscribe()
    }

    /// Whether a certificate (DER) in use right now is revoked; for ending
    /// sessions that were established before the revocation. Not recorded
    /// as a handshake refusal.
    pub fn revokes(&self, cert_der: &[u8]) -> bool {
        self.revoked_node(&CertificateDer::from(cert_der)).is_some()
    }

    pub fn list(&self) -> BTreeMap<NodeId, i64> {
        let state = self.inner.read().unwrap_or_else(|e| e.into_inner());
        state.revoked_before.clone()
    }

    /// Nodes whose certificate was refused at a handshake (revoked,
    /// expired, not yet valid…), with when (Unix ms) and why, for status.
    pub fn refusals(&self) -> BTreeMap<NodeId, (i64, String)> {
        let state = self.inner.read().unwrap_or_else(|e| e.into_inner());
        state.refused.clone()
    }

    /// Whether `cert` is revoked; records the refusal if so.
    /// Handshake check: whether `cert` is revoked; records the refusal.
    pub(super) fn is_revoked(&self, cert: &CertificateDer<'_>, now_ms: i64) -> bool {
        let Some(node) = self.revoked_node(cert) else {
            return false;
        };
        self.record_refusal(node, now_ms, "certificate revoked".to_string());
        true
    }

    /// Records that `node`'s certificate was refused at a handshake.
    pub(super) fn record_refusal(&self, node: NodeId, now_ms: i64, reason: String) {
        let mut state = self.inner.write().unwrap_or_else(|e| e.into_inner());
        state.refused.insert(node, (now_ms, reason));
    }

    fn revoked_node(&self, cert: &CertificateDer<'_>) -> Option<NodeId> {
        let node = peer_identity(cert).ok()?;
        let before = self
            .inner
            .read()
            .ok()
            .and_then(|s| s.revoked_before.get(&node).copied())?;
        (issued_ms(cert) <= before).then_some(node)
    }
}

/// When a certificate was issued (Unix ms): from a serial written by
/// `pki issue`, else its notBefore.
fn issued_ms(cert: &CertificateDer<'_>) -> i64 {
    let Ok((_, parsed)) = x509_parser::parse_x509_certificate(cert) else {
        return i64::MIN;
    };
    let serial = parsed.raw_serial();
    if serial.len() == 16 && serial[0] == super::pki::SERIAL_MARK {
        let mut ms = [0u8; 8];
        ms.copy_from_slice(&serial[1..9]);
        return i64::try_from(u64::from_be_bytes(ms)).unwrap_or(i64::MAX);
    }
    parsed
        .validity()
        .not_before
        .timestamp()
        .saturating_mul(1000)
}
