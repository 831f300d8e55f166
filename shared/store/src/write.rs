//! The one write path: a whole batch of operations (received from a peer or
//! written by a clerk) is deduplicated, indexed, folded into entity views and
//! committed in one atomic `sled::Batch`, then made durable before the call
//! returns. A received batch's cursor is written in the same batch, so a cut
//! at any byte either keeps both or neither.

use std::collections::{BTreeMap, HashSet};

use super::views::View;
use super::{
    decode, encode, keys, Cursor, Digest, OutboxMeta, PeerRecord, Store, StoreError, StoredOp,
    WriterState,
};
use liandong_domain::{OpBody, Operation};
use liandong_model::{EncodedOp, EntityId, NodeId, OpId, Scope, MAX_OP_BYTES};

/// Where a batch comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Written at this node (a clerk, the county's hall management).
    Local,
    /// Received from this peer; the cursor is its outbox position after the batch.
    Peer { node: NodeId, cursor: Cursor },
}

/// What a committed batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub applied: Vec<OpId>,
    pub duplicates: usize,
    pub feed_head: u64,
}

/// Scratch state of one batch; merged into the writer state on commit.
struct Pending<'a> {
    store: &'a Store,
    batch: sled::Batch,
    state: WriterState,
    seen: HashSet<Vec<u8>>,
    views: BTreeMap<String, View>,
    digests: BTreeMap<String, Digest>,
    origin_counts: BTreeMap<NodeId, u64>,
    new_cases: u64,
    new_case_keys: HashSet<String>,
    changed_peers: std::collections::BTreeSet<NodeId>,
    report: ApplyReport,
}

impl Store {
    /// Applies operations atomically and durably. Already-held operations
    /// are counted as duplicates and skipped.
    pub fn apply(&self, source: Source, ops: Vec<EncodedOp>) -> Result<ApplyReport, StoreError> {
        let mut state = self.lock();
        self.apply_locked(&mut state, source, ops)
    }

    /// Writes new local operations (stamped with this node's next sequence
    /// numbers and HLC) through the same path. `now_ms` is wall time.
    pub fn append_local(
        &self,
        items: Vec<(EntityId, OpBody)>,
        now_ms: u64,
    ) -> Result<ApplyReport, StoreError> {
        self.append_local_with(now_ms, |_| items)
    }

    /// Like [`Store::append_local`], for items that need the sequence number
    /// their first operation will get (a case id is derived from it).
    pub fn append_local_with(
        &self,
        now_ms: u64,
        make: impl FnOnce(u64) -> Vec<(EntityId, OpBody)>,
    ) -> Result<ApplyReport, StoreError> {
        self.check_reserve()?;
        let mut state = self.lock();
        let items = make(state.next_local_seq);
        let mut clock = state.clock;
        let mut ops = Vec::with_capacity(items.len());
        for (i, (entity, body)) in items.into_iter().enumerate() {
            let op = Operation {
                id: OpId {
                    origin: self.me.clone(),
                    seq: state.next_local_seq + i as u64,
                },
                hlc: clock.tick(now_ms),
                entity,
                body,
            }
            .encode();
            if op.bytes.len() > MAX_OP_BYTES {
                return Err(StoreError::TooLarge(op.bytes.len()));
            }
            ops.push(op);
        }
        self.apply_locked(&mut state, Source::Local, ops)
    }

    fn apply_locked(
        &self,
        state: &mut WriterState,
        source: Source,
        ops: Vec<EncodedOp>,
    ) -> Result<ApplyReport, StoreError> {
        let mut pending = Pending {
            store: self,
            batch: sled::Batch::default(),
            state: state.clone(),
            seen: HashSet::new(),
            views: BTreeMap::new(),
            digests: BTreeMap::new(),
            origin_counts: BTreeMap::new(),
            new_cases: 0,
            new_case_keys: HashSet::new(),
            changed_peers: Default::default(),
            report: ApplyReport::default(),
        };
        let from = match &source {
            Source::Local => None,
            Source::Peer { node, .. } => Some(node.clone()),
        };
        for op in ops {
            pending.add(op, from.as_ref())?;
        }
        if let Source::Peer { node, cursor } = &source {
            pending.batch.insert(keys::cursor(node), encode(cursor));
        }
        let new_state = pending.finish()?;
        let head = new_state.0.feed_head;
        *state = new_state.0;
        self.make_durable()?;
        self.publish_peers(state);
        self.changes.send_replace(head);
        Ok(new_state.1)
    }

    /// Registers a peer, or refreshes it when its store id changed (the peer
    /// was restored or rebuilt). A new or changed peer gets a new outbox
    /// incarnation filled with every held operation in its scope, so it can
    /// never miss what it lost. Returns the record and whether it was rebuilt.
    pub fn ensure_peer(
        &self,
        peer: &NodeId,
        peer_store_id: Option<super::Incarnation>,
    ) -> Result<(PeerRecord, bool), StoreError> {
        let mut state = self.lock();
        if let Some(rec) = state.peers.get(peer).cloned() {
            match (rec.store_id, peer_store_id) {
                (_, None) => return Ok((rec, false)),
                (Some(old), Some(new)) if old == new => return Ok((rec, false)),
                (None, Some(new)) => {
                    let rec = PeerRecord {
                        store_id: Some(new),
                        ..rec
                    };
                    self.db.insert(keys::peer(peer), encode(&rec))?;
                    self.make_durable()?;
                    state.peers.insert(peer.clone(), rec.clone());
                    self.publish_peers(&state);
                    return Ok((rec, false));
                }
                _ => {}
            }
        }
        let rec = self.rebuild_outbox(peer, peer_store_id)?;
        state.peers.insert(peer.clone(), rec.clone());
        self.publish_peers(&state);
        Ok((rec, true))
    }

    fn rebuild_outbox(
        &self,
        peer: &NodeId,
        store_id: Option<super::Incarnation>,
    ) -> Result<PeerRecord, StoreError> {
        let mut batch = sled::Batch::default();
        for item in self.db.scan_prefix(keys::outbox_prefix(peer)) {
            batch.remove(item?.0);
        }
        let mut head = 0;
        let mut digest = Digest::default();
        for item in self.db.scan_prefix([b'f']) {
            let (_, op_key) = item?;
            let Some(raw) = self.db.get(&op_key)? else {
                return Err(StoreError::corrupt(
                    "feed",
                    "feed names a missing operation",
                ));
            };
            let stored = StoredOp::from_bytes(&raw)?;
            let op =
                EncodedOp::decode(stored.bytes).map_err(|e| StoreError::corrupt("operation", e))?;
            if Scope::of(op.entity()).includes(peer) {
                head += 1;
                batch.insert(keys::outbox(peer, head), op_key.clone());
                digest.add(&op_key, &stored.hash);
            }
        }
        let rec = PeerRecord {
            node: peer.clone(),
            store_id,
            outbox: OutboxMeta {
                incarnation: super::new_incarnation(),
                head,
            },
        };
        batch.insert(keys::peer(peer), encode(&rec));
        batch.insert(keys::digest(&peer_scope(peer)), encode(&digest));
        self.db.apply_batch(batch)?;
        self.make_durable()?;
        Ok(rec)
    }
}

/// Name of the digest over everything in a peer's scope.
pub(super) fn peer_scope(peer: &NodeId) -> String {
    format!("peer:{peer}")
}

pub(super) const ALL_SCOPE: &str = "all";

impl Pending<'_> {
    fn add(&mut self, op: EncodedOp, from: Option<&NodeId>) -> Result<(), StoreError> {
        let op_key = keys::op(op.id());
        if !self.seen.insert(op_key.clone()) || self.store.db.contains_key(&op_key)? {
            self.report.duplicates += 1;
            return Ok(());
        }
        let hash = op.hash();
        self.state.feed_head += 1;
        let entity_key = op.entity().key();
        let scope = Scope::of(op.entity());
        self.batch
            .insert(keys::feed(self.state.feed_head), op_key.clone());
        self.batch
            .insert(keys::entity_index(&entity_key, &op_key), &[] as &[u8]);
        self.digest(ALL_SCOPE)?.add(&op_key, &hash);
        let store = self.store;
        let me = &store.me;
        // Usually one peer (a case's centre) or every peer (catalogue).
        let targets: Vec<NodeId> = self
            .state
            .peers
            .keys()
            .filter(|p| scope.includes(p) && *p != me)
            .cloned()
            .collect();
        for peer in &targets {
            self.digest(&peer_scope(peer))?.add(&op_key, &hash);
            if Some(peer) == from {
                continue;
            }
            if let Some(rec) = self.state.peers.get_mut(peer) {
                rec.outbox.head += 1;
                self.batch
                    .insert(keys::outbox(peer, rec.outbox.head), op_key.clone());
                self.changed_peers.insert(peer.clone());
            }
        }
        self.absorb(&entity_key, &op)?;
        *self
            .origin_counts
            .entry(op.id().origin.clone())
            .or_insert(0) += 1;
        self.state.clock.observe(op.envelope.hlc);
        if &op.id().origin == me {
            self.state.next_local_seq = self.state.next_local_seq.max(op.id().seq + 1);
        }
        self.report.applied.push(op.id().clone());
        let stored = StoredOp {
            hash,
            feed_seq: self.state.feed_head,
            source: from.cloned(),
            bytes: op.bytes,
        };
        self.batch.insert(op_key, stored.to_bytes());
        Ok(())
    }

    fn digest(&mut self, scope: &str) -> Result<&mut Digest, StoreError> {
        if !self.digests.contains_key(scope) {
            let d = match self.store.db.get(keys::digest(scope))? {
                Some(v) => decode("digest", &v)?,
                None => Digest::default(),
            };
            self.digests.insert(scope.to_string(), d);
        }
        Ok(self.digests.entry(scope.to_string()).or_default())
    }

    fn absorb(&mut self, entity_key: &str, op: &EncodedOp) -> Result<(), StoreError> {
        if let EntityId::Case(_) = op.entity() {
            // A case's view is its event set, read from the entity index
            // (the operations are stored once); only count new cases.
            if self.new_case_keys.insert(entity_key.to_string())
                && self
                    .store
                    .db
                    .scan_prefix(keys::entity_index_prefix(entity_key))
                    .next()
                    .is_none()
            {
                self.new_cases += 1;
            }
            return Ok(());
        }
        if !self.views.contains_key(entity_key) {
            let stored = self.store.db.get(keys::view(entity_key))?;
            let view = View::load(op.entity(), stored.as_deref())?;
            self.views.insert(entity_key.to_string(), view);
        }
        if let Some(view) = self.views.get_mut(entity_key) {
            view.absorb(op);
        }
        Ok(())
    }

    /// Writes the meta rows and commits. Returns the new writer state.
    fn finish(mut self) -> Result<(WriterState, ApplyReport), StoreError> {
        if self.report.applied.is_empty() {
            // Nothing new; the batch may still carry a cursor.
            self.store.db.apply_batch(self.batch)?;
            self.report.feed_head = self.state.feed_head;
            return Ok((self.state, self.report));
        }
        for (key, view) in &self.views {
            self.batch.insert(keys::view(key), view.encode());
        }
        for (scope, d) in &self.digests {
            self.batch.insert(keys::digest(scope), encode(d));
        }
        for (origin, n) in &self.origin_counts {
            let key = keys::origin_count(origin);
            let old: u64 = match self.store.db.get(&key)? {
                Some(v) => decode("origin count", &v)?,
                None => 0,
            };
            self.batch.insert(key, encode(&(old + n)));
        }
        if self.new_cases > 0 {
            let old: u64 = match self.store.db.get(keys::META_CASES)? {
                Some(v) => decode("case count", &v)?,
                None => 0,
            };
            self.batch
                .insert(keys::META_CASES, encode(&(old + self.new_cases)));
        }
        // Only the peers whose outbox grew in this batch.
        for peer in &self.changed_peers {
            if let Some(rec) = self.state.peers.get(peer) {
                self.batch.insert(keys::peer(peer), encode(rec));
            }
        }
        self.batch
            .insert(keys::META_FEED_HEAD, encode(&self.state.feed_head));
        self.batch.insert(
            keys::META_LOCAL_SEQ,
            encode(&(self.state.next_local_seq - 1)),
        );
        self.batch
            .insert(keys::META_HLC, encode(&self.state.clock.last()));
        self.store.db.apply_batch(self.batch)?;
        self.report.feed_head = self.state.feed_head;
        Ok((self.state, self.report))
    }
}
