//! The one write path: a whole batch of operations (received from a peer or
//! written by a clerk) is deduplicated, indexed, folded into entity views and
//! handed to the one commit (`Store::commit`) as one atomic `sled::Batch`,
//! durable before the call returns. A received batch's cursor is written in
//! the same batch, so a cut at any byte either keeps both or neither. Once
//! the store has stopped taking writes (a failed sync), every batch is
//! refused before any work ([`StoreError::ReadOnly`]).
//!
//! Write only what changed: every view, digest and count the batch touches
//! is read once (or taken from the writer state, which mirrors the meta rows
//! and peer records) and written at the end only if its encoded bytes
//! differ from what is stored, so a duplicate or an idempotent merge costs
//! no rewrite. The cursor is written with every received batch.
//!
//! Every received operation is screened first: at the county, one stamped
//! beyond the clock-skew bound is held back until its time (`held`);
//! refused by the domain's authority table (`screen`), it is not stored.
//! Either way a rejection record is written in the same batch and the
//! batch goes on. Scope is computed here for every accepted operation
//! (`scope`): from the case's held members and the operation itself, so a
//! routing event that widens a case queues the whole case for the new
//! member ahead of itself.

mod held;
mod marks;
mod scope;
mod screen;

pub use held::HeldOp;
pub(crate) use marks::registry_epoch;
pub(crate) use scope::FeedEntry;
pub use screen::RejectionRecord;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::views::View;
use super::{
    decode, encode, keys, Announce, Cursor, Digest, Store, StoreError, StoredOp, WriterState,
    Writes,
};
use liandong_domain::{DecodeBody, OpBody, Operation};
use liandong_model::{EncodedOp, EntityId, NodeId, OpId, Rejection, MAX_OP_BYTES};

/// Where a batch comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Written at this node (a clerk, the county's hall management).
    Local,
    /// Received from this peer; the cursor is its outbox position after the batch.
    Peer { node: NodeId, cursor: Cursor },
    /// Received from this peer earlier and held back for their stamps
    /// (`held`); these rows are removed in the same commit.
    Held { node: NodeId, rows: Vec<Vec<u8>> },
}

/// What a committed batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    pub applied: Vec<OpId>,
    pub duplicates: usize,
    pub feed_head: u64,
    /// Keys the commit wrote: each new operation's rows, then only the
    /// views, digests, counts, peer records and meta rows that changed
    /// (and a received batch's cursor).
    pub keys_written: usize,
    /// Received operations refused (not stored), with why; each has a
    /// rejection record.
    pub refused: Vec<(OpId, Rejection)>,
    /// Received operations held back for their stamps (stored apart,
    /// applied when due by [`Store::release_held`]); each has a rejection
    /// record.
    pub held: Vec<(OpId, Rejection)>,
}

/// A value read once per batch, with the bytes the tree held for it.
#[derive(Default)]
struct Loaded<T> {
    value: T,
    stored: Option<sled::IVec>,
}

/// Scratch state of one batch; merged into the writer state on commit.
struct Pending<'a> {
    store: &'a Store,
    /// The committed writer state, which mirrors the stored meta rows.
    before: &'a WriterState,
    writes: Writes,
    state: WriterState,
    seen: HashSet<Vec<u8>>,
    views: BTreeMap<String, Loaded<View>>,
    digests: BTreeMap<String, Loaded<Digest>>,
    origin_counts: BTreeMap<NodeId, u64>,
    new_cases: u64,
    new_case_keys: HashSet<String>,
    changed_peers: BTreeSet<NodeId>,
    /// Scope members of the cases the batch touches.
    scopes: BTreeMap<String, Loaded<BTreeSet<NodeId>>>,
    /// Operations of each case added by this batch so far: (feed seq, op
    /// key, hash), for a member added later in the same batch.
    batch_case_ops: HashMap<String, Vec<scope::FeedEntry>>,
    /// Everyone-scope operations added by this batch so far.
    batch_global: Vec<scope::FeedEntry>,
    /// Matter codes of the applications in this batch, by case key.
    batch_matters: HashMap<String, String>,
    /// Cases touched and registry changes, for the supervision pass.
    marks: marks::CaseMarks,
    /// Wall time of this batch (rejection records).
    now_ms: u64,
    report: ApplyReport,
}

impl Store {
    /// Applies operations atomically and durably. Already-held operations
    /// are counted as duplicates and skipped.
    pub fn apply(&self, source: Source, ops: Vec<EncodedOp>) -> Result<ApplyReport, StoreError> {
        self.apply_received(source, ops, Vec::new())
    }

    /// [`Store::apply`] for a received batch some of whose operations did
    /// not even decode: each of those gets a rejection record in the same
    /// commit (it names no operation, only why).
    pub fn apply_received(
        &self,
        source: Source,
        ops: Vec<EncodedOp>,
        undecodable: Vec<Rejection>,
    ) -> Result<ApplyReport, StoreError> {
        self.check_writable()?;
        let mut state = self.lock();
        self.apply_locked(&mut state, source, ops, undecodable)
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
        self.check_writable()?;
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
        self.apply_locked(&mut state, Source::Local, ops, Vec::new())
    }

    fn apply_locked(
        &self,
        state: &mut WriterState,
        source: Source,
        ops: Vec<EncodedOp>,
        undecodable: Vec<Rejection>,
    ) -> Result<ApplyReport, StoreError> {
        let mut pending = Pending {
            store: self,
            before: state,
            writes: Writes::default(),
            state: state.clone(),
            seen: HashSet::new(),
            views: BTreeMap::new(),
            digests: BTreeMap::new(),
            origin_counts: BTreeMap::new(),
            new_cases: 0,
            new_case_keys: HashSet::new(),
            changed_peers: Default::default(),
            scopes: BTreeMap::new(),
            batch_case_ops: HashMap::new(),
            batch_global: Vec::new(),
            batch_matters: HashMap::new(),
            marks: Default::default(),
            now_ms: self.skew.clock.now_ms(),
            report: ApplyReport::default(),
        };
        let from = match &source {
            Source::Local => None,
            Source::Peer { node, .. } | Source::Held { node, .. } => Some(node.clone()),
        };
        if let Some(sender) = &from {
            for rejection in undecodable {
                pending.record_refusal(sender, "?", "?", &rejection);
            }
        }
        for op in ops {
            pending.add(op, from.as_ref())?;
        }
        match &source {
            Source::Peer { node, cursor } => {
                pending.writes.insert(keys::cursor(node), encode(cursor));
                pending.state.cursors.insert(node.clone(), *cursor);
            }
            Source::Held { rows, .. } => {
                for row in rows {
                    pending.writes.remove(row.clone());
                }
            }
            Source::Local => {}
        }
        let (writes, next, mut report) = pending.finish()?;
        report.keys_written = self.commit(state, writes, Announce::Subscribers, |s| *s = next)?;
        Ok(report)
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
        let body = op.body().ok();
        if let Some(sender) = from {
            if self.screens_stamps() {
                if let Some(due_ms) = self.held_until(&op) {
                    self.hold(sender, &op, due_ms);
                    return Ok(());
                }
            }
            if let Err(rejection) = self.screen(sender, &op, body.as_ref()) {
                self.refuse(sender, &op, rejection);
                return Ok(());
            }
        }
        let hash = op.hash();
        self.state.feed_head += 1;
        let feed_seq = self.state.feed_head;
        let entity_key = op.entity().key();
        self.writes.insert(keys::feed(feed_seq), op_key.clone());
        self.writes
            .insert(keys::entity_index(&entity_key, &op_key), &[] as &[u8]);
        self.digest(ALL_SCOPE)?.add(&op_key, &hash);
        self.route(
            &op,
            &entity_key,
            body.as_ref(),
            (feed_seq, &op_key, hash),
            from,
        )?;
        if let Some(OpBody::Case(event)) = &body {
            if let liandong_domain::EventKind::Submitted { matter, .. } = &event.kind {
                self.batch_matters
                    .insert(entity_key.clone(), matter.clone());
            }
        }
        self.absorb(&entity_key, &op)?;
        self.marks.note(op.entity(), feed_seq);
        *self
            .origin_counts
            .entry(op.id().origin.clone())
            .or_insert(0) += 1;
        // A local write (or a restore) never moves the clock past now +
        // the skew bound; a received one beyond it was refused above.
        let store = self.store;
        store.skew.observe(&mut self.state.clock, op.envelope.hlc);
        if op.id().origin == store.me {
            self.state.next_local_seq = self.state.next_local_seq.max(op.id().seq + 1);
        }
        self.report.applied.push(op.id().clone());
        let stored = StoredOp {
            hash,
            feed_seq,
            source: from.cloned(),
            bytes: op.bytes,
        };
        self.writes.insert(op_key, stored.to_bytes());
        Ok(())
    }

    /// Appends an operation to a peer's outbox.
    fn push_outbox(&mut self, peer: &NodeId, op_key: &[u8]) {
        if let Some(rec) = self.state.peers.get_mut(peer) {
            rec.outbox.head += 1;
            self.writes
                .insert(keys::outbox(peer, rec.outbox.head), op_key.to_vec());
            self.changed_peers.insert(peer.clone());
        }
    }

    fn digest(&mut self, scope: &str) -> Result<&mut Digest, StoreError> {
        if !self.digests.contains_key(scope) {
            let stored = self.store.db.get(keys::digest(scope))?;
            let value = match &stored {
                Some(v) => decode("digest", v)?,
                None => Digest::default(),
            };
            self.digests
                .insert(scope.to_string(), Loaded { value, stored });
        }
        Ok(&mut self.digests.entry(scope.to_string()).or_default().value)
    }

    fn absorb(&mut self, entity_key: &str, op: &EncodedOp) -> Result<(), StoreError> {
        if let EntityId::Audit(_) = op.entity() {
            // Audit lines are read from the entity index.
            return Ok(());
        }
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
            let value = View::load(op.entity(), stored.as_deref())?;
            self.views
                .insert(entity_key.to_string(), Loaded { value, stored });
        }
        if let Some(view) = self.views.get_mut(entity_key) {
            view.value.absorb(op);
        }
        Ok(())
    }

    /// Puts what changed into the batch: views, digests, counts, peer
    /// records and meta rows. Returns the writes, the writer state they
    /// persist and the report.
    fn finish(mut self) -> Result<(Writes, WriterState, ApplyReport), StoreError> {
        self.report.feed_head = self.state.feed_head;
        if self.state.rejections != self.before.rejections {
            self.writes
                .insert(keys::META_REJECTIONS, encode(&self.state.rejections));
        }
        if self.report.applied.is_empty() {
            // Nothing new; the batch may still carry a cursor.
            return Ok((self.writes, self.state, self.report));
        }
        for (key, view) in &self.views {
            let value = view.value.encode();
            self.writes
                .put_changed(keys::view(key), view.stored.as_deref(), value);
        }
        for (scope, d) in &self.digests {
            let value = encode(&d.value);
            self.writes
                .put_changed(keys::digest(scope), d.stored.as_deref(), value);
        }
        for (key, members) in &self.scopes {
            let value = encode(&members.value);
            self.writes
                .put_changed(keys::scope(key), members.stored.as_deref(), value);
        }
        for (origin, n) in std::mem::take(&mut self.origin_counts) {
            self.add_to_count("origin count", keys::origin_count(&origin), n)?;
        }
        if self.new_cases > 0 {
            self.add_to_count("case count", keys::META_CASES.to_vec(), self.new_cases)?;
        }
        self.put_peers_and_meta();
        std::mem::take(&mut self.marks).finish(self.store, &mut self.writes)?;
        Ok((self.writes, self.state, self.report))
    }

    /// Adds `n` to the stored counter under `key`.
    fn add_to_count(&mut self, what: &str, key: Vec<u8>, n: u64) -> Result<(), StoreError> {
        let stored = self.store.db.get(&key)?;
        let old: u64 = match &stored {
            Some(v) => decode(what, v)?,
            None => 0,
        };
        self.writes
            .put_changed(key, stored.as_deref(), encode(&(old + n)));
        Ok(())
    }

    /// The peer records whose outbox grew and the meta rows, each only if
    /// it differs from the committed writer state (what is stored).
    fn put_peers_and_meta(&mut self) {
        for peer in &self.changed_peers {
            if let Some(rec) = self.state.peers.get(peer) {
                if self.before.peers.get(peer) != Some(rec) {
                    self.writes.insert(keys::peer(peer), encode(rec));
                }
            }
        }
        let (before, after) = (self.before, &self.state);
        if after.feed_head != before.feed_head {
            self.writes
                .insert(keys::META_FEED_HEAD, encode(&after.feed_head));
        }
        if after.next_local_seq != before.next_local_seq {
            self.writes
                .insert(keys::META_LOCAL_SEQ, encode(&(after.next_local_seq - 1)));
        }
        if after.clock.last() != before.clock.last() {
            self.writes
                .insert(keys::META_HLC, encode(&after.clock.last()));
        }
    }
}

#[cfg(test)]
mod held_tests;
#[cfg(test)]
mod scope_tests;
#[cfg(test)]
mod tests;
