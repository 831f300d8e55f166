//! Reads: outbox chunks for the sync session, cursors and peers, entity
//! views for clerk commands, and the figures status reports. Reads take no
//! writer lock; sled gives each key a consistent value.
//!
//! Invariant: what a peer is sent or told never runs ahead of the disk. An
//! outbox is read up to the head of its published (durable) peer record,
//! never to the end of its key range; peer records, cursors and the feed
//! head in [`StoreStats`] are the published ones. sled serves a batch's
//! keys from the moment it is applied, before it is synced: an entry past
//! the published head may vanish in a power cut, and its outbox position
//! would then be given to another operation. Clerk reads (cases, views,
//! digests) read the tree as it is.

pub mod changes;
mod staffing;

use liandong_domain::DecodeBody;
use std::collections::BTreeMap;

use super::views::{CredentialEntry, SealKeys};
use super::write::{peer_scope, ALL_SCOPE};
use super::StoredCase;
use super::{decode, keys, Cursor, Digest, PeerRecord, Store, StoreError, StoredOp};
use liandong_domain::OpBody;
use liandong_domain::{
    AuditEntry, Authorisation, Calendar, CaseRecord, Catalogue, CatalogueEntry, Credential, Staff,
};
use liandong_model::{EncodedOp, EntityId, NodeId, OutboxChunk};

/// Figures for status and reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreStats {
    pub ops_held: u64,
    pub feed_head: u64,
    pub digest_all: Digest,
    pub peers: Vec<PeerRecord>,
    pub origin_counts: BTreeMap<NodeId, u64>,
    pub disk_bytes: u64,
    pub cases: u64,
}

impl Store {
    /// Reads outbox entries for `peer` after `after` up to its published
    /// (durable) head, bounded in count and bytes (at least one entry is
    /// returned if any exists). Each operation's hash is checked;
    /// corruption is an error, never served.
    pub fn read_outbox(
        &self,
        peer: &NodeId,
        after: u64,
        max_ops: usize,
        max_bytes: usize,
    ) -> Result<OutboxChunk, StoreError> {
        let head = self.peer(peer)?.outbox.head;
        let mut ops = Vec::new();
        if after >= head {
            return Ok(OutboxChunk { ops, head });
        }
        let mut bytes = 0usize;
        let start = keys::outbox(peer, after + 1);
        let end = keys::outbox(peer, head);
        for item in self.db.range(start..=end) {
            let (k, op_key) = item?;
            let seq = keys::trailing_seq(&k)
                .ok_or_else(|| StoreError::corrupt("outbox key", "too short"))?;
            let stored = self.stored_op(&op_key)?;
            bytes += stored.bytes.len();
            ops.push((seq, stored.bytes));
            if ops.len() >= max_ops || bytes >= max_bytes {
                break;
            }
        }
        Ok(OutboxChunk { ops, head })
    }

    pub(super) fn stored_op(&self, op_key: &[u8]) -> Result<StoredOp, StoreError> {
        let what = || format!("operation {}", keys::op_name(op_key));
        let raw = self
            .db
            .get(op_key)?
            .ok_or_else(|| StoreError::corrupt(what(), "indexed but missing"))?;
        let stored = StoredOp::from_bytes(&raw)?;
        if *blake3::hash(&stored.bytes).as_bytes() != stored.hash {
            return Err(StoreError::corrupt(what(), "hash mismatch"));
        }
        Ok(stored)
    }

    pub fn peer(&self, peer: &NodeId) -> Result<PeerRecord, StoreError> {
        self.published()
            .peers
            .get(peer)
            .cloned()
            .ok_or_else(|| StoreError::UnknownPeer(peer.clone()))
    }

    pub fn peers(&self) -> Vec<PeerRecord> {
        self.published().peers.values().cloned().collect()
    }

    /// Our durable cursor into `peer`'s outbox for us (the published one:
    /// a cursor committed with a batch still being synced is not yet ours).
    pub fn cursor(&self, peer: &NodeId) -> Result<Cursor, StoreError> {
        Ok(self
            .published()
            .cursors
            .get(peer)
            .copied()
            .unwrap_or_default())
    }

    pub fn digest(&self, scope: &str) -> Result<Digest, StoreError> {
        match self.db.get(keys::digest(scope))? {
            Some(v) => decode("digest", &v),
            None => Ok(Digest::default()),
        }
    }

    /// Digest over everything this node holds.
    pub fn digest_all(&self) -> Result<Digest, StoreError> {
        self.digest(ALL_SCOPE)
    }

    /// Digest over what this node holds in `peer`'s scope; equals the peer's
    /// [`Store::digest_all`] once both have converged.
    pub fn digest_for_peer(&self, peer: &NodeId) -> Result<Digest, StoreError> {
        self.digest(&peer_scope(peer))
    }

    pub fn case(&self, case_id: &str) -> Result<Option<StoredCase>, StoreError> {
        let prefix = keys::entity_index_prefix(&format!("case/{case_id}"));
        let mut case = None;
        for item in self.db.scan_prefix(&prefix) {
            let (k, _) = item?;
            self.absorb_case_op(&k[prefix.len()..], &mut case)?;
        }
        Ok(case)
    }

    /// Every case in case-number order, optionally only those accepted at
    /// `origin`: one scan of the entity index, one read per operation.
    pub fn cases(&self, origin: Option<&NodeId>) -> Result<Vec<StoredCase>, StoreError> {
        let mut out: Vec<StoredCase> = Vec::new();
        self.each_case(|case| {
            if origin.is_none_or(|o| case.id.origin() == o) {
                out.push(case);
            }
            Ok::<(), StoreError>(())
        })?;
        // The index orders case numbers by length first.
        out.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        Ok(out)
    }

    /// Adds the operation at `op_key` to the case being read.
    pub(super) fn absorb_case_op(
        &self,
        op_key: &[u8],
        case: &mut Option<StoredCase>,
    ) -> Result<(), StoreError> {
        let stored = self.stored_op(op_key)?;
        let op =
            EncodedOp::decode(stored.bytes).map_err(|e| StoreError::corrupt("operation", e))?;
        let EntityId::Case(id) = op.entity() else {
            return Err(StoreError::corrupt(
                "entity index",
                "a case entry names another entity",
            ));
        };
        let case = case.get_or_insert_with(|| StoredCase {
            id: id.clone(),
            record: CaseRecord::new(),
            unknown_events: 0,
        });
        match op.body() {
            Ok(OpBody::Case(event)) => {
                case.record.insert(op.id().clone(), op.envelope.hlc, event);
            }
            _ => case.unknown_events += 1,
        }
        Ok(())
    }

    /// The whole catalogue (every matter with its versions).
    pub fn catalogue(&self) -> Result<Catalogue, StoreError> {
        let mut catalogue = Catalogue::new();
        for item in self.db.scan_prefix(keys::view_prefix("matter")) {
            let entry: Option<CatalogueEntry> = decode("matter", &item?.1)?;
            if let Some(entry) = entry {
                catalogue.insert_entry(entry);
            }
        }
        Ok(catalogue)
    }

    pub fn matter(&self, code: &str) -> Result<Option<CatalogueEntry>, StoreError> {
        match self.db.get(keys::view(&format!("matter/{code}")))? {
            Some(v) => decode("matter", &v),
            None => Ok(None),
        }
    }

    /// The working-day calendar (empty: Mon-Fri, flagged as unknown years).
    pub fn calendar(&self) -> Result<Calendar, StoreError> {
        match self.db.get(keys::view("calendar/county"))? {
            Some(v) => decode("calendar", &v),
            None => Ok(Calendar::new()),
        }
    }

    /// The roster in staff-id order.
    pub fn staff(&self) -> Result<Vec<Staff>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(keys::view_prefix("staff")) {
            let s: Option<Staff> = super::decode_staff(&item?.1)?;
            out.extend(s);
        }
        // The view keys order ids by length first.
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Every authorisation in id order.
    pub fn authorisations(&self) -> Result<Vec<Authorisation>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(keys::view_prefix("authorisation")) {
            let a: Option<Authorisation> = decode("authorisation", &item?.1)?;
            out.extend(a);
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// A staff member's credential, as this node holds it (only the
    /// county and the centres it names hold one).
    pub fn credential(&self, staff: &str) -> Result<Option<Credential>, StoreError> {
        match self.db.get(keys::view(&format!("credential/{staff}")))? {
            Some(v) => {
                let entry: Option<CredentialEntry> = decode("credential", &v)?;
                Ok(entry.map(|e| e.credential))
            }
            None => Ok(None),
        }
    }

    /// Whether this node holds any credential (a new county has none).
    pub fn any_credential(&self) -> Result<bool, StoreError> {
        Ok(self
            .db
            .scan_prefix(keys::view_prefix("credential"))
            .next()
            .transpose()?
            .is_some())
    }

    /// Every public seal key of a staff member, by key id.
    pub fn seal_keys(&self, staff: &str) -> Result<SealKeys, StoreError> {
        match self.db.get(keys::view(&format!("sealkey/{staff}")))? {
            Some(v) => decode("seal keys", &v),
            None => Ok(SealKeys::new()),
        }
    }

    /// Every audit line this node holds (its own; at the county, every
    /// node's), in entity-index order.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(keys::entity_index_kind_prefix("audit")) {
            let (k, _) = item?;
            let op_key = keys::entity_index_op_key(&k)
                .ok_or_else(|| StoreError::corrupt("entity index", "unparsable key"))?;
            let stored = self.stored_op(op_key)?;
            let op =
                EncodedOp::decode(stored.bytes).map_err(|e| StoreError::corrupt("operation", e))?;
            if let Ok(OpBody::Audit(entry)) = op.body() {
                out.push(entry);
            }
        }
        Ok(out)
    }

    /// Every node with revoked certificates: node → revoked before (Unix ms).
    pub fn revocations(&self) -> Result<BTreeMap<NodeId, i64>, StoreError> {
        let prefix = keys::view_prefix("revocation");
        let mut out = BTreeMap::new();
        for item in self.db.scan_prefix(&prefix) {
            let (k, v) = item?;
            let view: super::RevocationView = decode("revocation", &v)?;
            let node = keys::view_id(&k)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| StoreError::corrupt("revocation key", "unparsable node"))?;
            out.insert(node, view.before_ms);
        }
        Ok(out)
    }

    pub fn stats(&self) -> Result<StoreStats, StoreError> {
        let feed_head = self.durable_feed_head();
        let peers = self.peers();
        let mut origin_counts = BTreeMap::new();
        for item in self.db.scan_prefix(keys::ORIGIN_COUNT_PREFIX) {
            let (k, v) = item?;
            let origin: NodeId = keys::leading_str(&k)
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| StoreError::corrupt("origin count key", "unparsable"))?;
            origin_counts.insert(origin, decode("origin count", &v)?);
        }
        let digest_all = self.digest_all()?;
        let cases = match self.db.get(keys::META_CASES)? {
            Some(v) => decode("case count", &v)?,
            None => 0,
        };
        Ok(StoreStats {
            cases,
            ops_held: digest_all.count(),
            feed_head,
            digest_all,
            peers,
            origin_counts,
            disk_bytes: self.disk_bytes(),
        })
    }

    /// Whether an operation is held.
    pub fn contains(&self, id: &liandong_model::OpId) -> Result<bool, StoreError> {
        Ok(self.db.contains_key(keys::op(id))?)
    }
}

mod scope;

#[cfg(test)]
mod tests;
