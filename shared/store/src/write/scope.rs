//! Scope in the write path: which outboxes an accepted operation joins.
//!
//! An everyone-scope operation (catalogue, calendar, roster, routing
//! rules, ...) joins every registered peer's outbox and the global feed
//! (`g`), from which a newly registered peer's outbox starts. A case's
//! scope is its held member set (`s`: its accepting centre and every node
//! its routing events named, [`liandong_domain::authority::scope_growth`])
//! plus the county; the reverse index (`e`) lists each member's cases, so
//! registering a peer reads only its own rows, never the whole feed.
//!
//! Scope growth delivers the whole case first: when an operation adds a
//! member, every earlier operation of the case (held, or earlier in this
//! batch) is queued for the new member in feed order, then the operation
//! itself, so no node ever holds half a case.
//!
//! The county fills outboxes at write time for every node a scope names,
//! registering a peer it has not met yet (a bridge first routed to, a
//! township first asked for an opinion) in the same batch; other nodes
//! queue only for the peers they have (their parent). A credential's
//! centres never register a peer (a misspelt centre would stay on the
//! status page for good): a centre gets its credentials from its member
//! rows when it first connects.

use std::collections::BTreeSet;

use super::{Loaded, Pending};
use crate::{decode, keys, new_incarnation, OutboxMeta, PeerRecord, StoreError, StoredOp};
use liandong_domain::{authority::scope_growth, OpBody};
use liandong_model::{EncodedOp, NodeId, Role, Scope};

/// One operation's feed seq, op key and hash.
pub(super) type Entry<'a> = (u64, &'a [u8], [u8; 32]);

/// A held operation's feed seq, op key and hash.
pub(crate) type FeedEntry = (u64, Vec<u8>, [u8; 32]);

impl Pending<'_> {
    /// Queues an accepted operation for every peer in its entity's scope.
    pub(super) fn route(
        &mut self,
        op: &EncodedOp,
        entity_key: &str,
        body: Option<&OpBody>,
        (feed_seq, op_key, hash): Entry<'_>,
        from: Option<&NodeId>,
    ) -> Result<(), StoreError> {
        let entity = op.entity();
        let (scope, grown) = match Scope::base(entity) {
            Scope::CountyAnd(base) => {
                let grows: Vec<NodeId> = body.map(|b| scope_growth(entity, b)).unwrap_or_default();
                let members = self.scope_members(entity_key)?;
                let mut added = Vec::new();
                for node in base.into_iter().chain(grows.iter().cloned()) {
                    if members.value.insert(node.clone()) {
                        added.push(node);
                    }
                }
                let scope = Scope::with_members(entity, members.value.iter());
                for node in &added {
                    self.writes
                        .insert(keys::member(node, entity_key), &[] as &[u8]);
                }
                let grown: Vec<NodeId> = grows.into_iter().filter(|g| added.contains(g)).collect();
                (scope, grown)
            }
            Scope::Everyone => {
                self.writes
                    .insert(keys::global_feed(feed_seq), op_key.to_vec());
                (Scope::Everyone, Vec::new())
            }
        };
        let me = self.store.me.clone();
        // A case's routing names a node that will take part (a bridge, a
        // township asked); a credential's centres only say where it may be
        // used: those nodes get it when they first connect.
        if me.role() == Role::County && matches!(entity, liandong_model::EntityId::Case(_)) {
            let unknown: Vec<NodeId> = scope
                .members()
                .filter(|m| **m != me && !self.state.peers.contains_key(*m))
                .cloned()
                .collect();
            for peer in unknown {
                self.register(&peer)?;
            }
        }
        let targets: Vec<NodeId> = self
            .state
            .peers
            .keys()
            .filter(|p| scope.includes(p) && **p != me)
            .cloned()
            .collect();
        for peer in &targets {
            if grown.contains(peer) {
                for (_, key, h) in self.case_ops(entity_key)? {
                    self.deliver(peer, &key, &h, from)?;
                }
            }
            self.deliver(peer, op_key, &hash, from)?;
        }
        match scope {
            Scope::CountyAnd(_) => self
                .batch_case_ops
                .entry(entity_key.to_string())
                .or_default()
                .push((feed_seq, op_key.to_vec(), hash)),
            Scope::Everyone => self.batch_global.push((feed_seq, op_key.to_vec(), hash)),
        }
        Ok(())
    }

    /// Adds an operation to a peer's scope digest and, unless the peer sent
    /// it, to its outbox.
    fn deliver(
        &mut self,
        peer: &NodeId,
        op_key: &[u8],
        hash: &[u8; 32],
        from: Option<&NodeId>,
    ) -> Result<(), StoreError> {
        self.digest(&super::peer_scope(peer))?.add(op_key, hash);
        if Some(peer) != from {
            self.push_outbox(peer, op_key);
        }
        Ok(())
    }

    /// Registers a peer the county has not met, in this batch: a new
    /// outbox holding every everyone-scope operation so far and those of
    /// the entities that already name it (credentials).
    fn register(&mut self, peer: &NodeId) -> Result<(), StoreError> {
        let rec = PeerRecord {
            node: peer.clone(),
            store_id: None,
            outbox: OutboxMeta {
                incarnation: new_incarnation(),
                head: 0,
            },
        };
        self.state.peers.insert(peer.clone(), rec);
        self.changed_peers.insert(peer.clone());
        let mut entries = self.store.global_entries()?;
        entries.extend(self.batch_global.iter().cloned());
        // What already names it (a credential of staff working there).
        for entity_key in self.store.member_entities(peer)? {
            entries.extend(self.store.entity_entries(&entity_key)?);
        }
        entries.sort_by_key(|(seq, _, _)| *seq);
        entries.dedup_by_key(|(seq, _, _)| *seq);
        for (_, key, hash) in entries {
            self.deliver(peer, &key, &hash, None)?;
        }
        Ok(())
    }

    /// The scope members of a case, loaded once per batch.
    pub(super) fn scope_members(
        &mut self,
        entity_key: &str,
    ) -> Result<&mut Loaded<BTreeSet<NodeId>>, StoreError> {
        if !self.scopes.contains_key(entity_key) {
            let stored = self.store.db.get(keys::scope(entity_key))?;
            let value = match &stored {
                Some(v) => decode("scope members", v)?,
                None => BTreeSet::new(),
            };
            self.scopes
                .insert(entity_key.to_string(), Loaded { value, stored });
        }
        Ok(self.scopes.entry(entity_key.to_string()).or_default())
    }

    /// Every operation of a case held or added by this batch so far, in
    /// feed order.
    fn case_ops(&self, entity_key: &str) -> Result<Vec<FeedEntry>, StoreError> {
        let mut ops = self.store.entity_entries(entity_key)?;
        if let Some(batch) = self.batch_case_ops.get(entity_key) {
            ops.extend(batch.iter().cloned());
        }
        ops.sort_by_key(|(seq, _, _)| *seq);
        Ok(ops)
    }
}

impl crate::Store {
    /// (feed seq, op key, hash) of every held operation of an entity.
    pub(crate) fn entity_entries(&self, entity_key: &str) -> Result<Vec<FeedEntry>, StoreError> {
        let prefix = keys::entity_index_prefix(entity_key);
        let mut out = Vec::new();
        for item in self.db.scan_prefix(&prefix) {
            let (key, _) = item?;
            let op_key = key[prefix.len()..].to_vec();
            out.push(self.entry_of(op_key)?);
        }
        Ok(out)
    }

    /// (feed seq, op key, hash) of every held everyone-scope operation.
    pub(crate) fn global_entries(&self) -> Result<Vec<FeedEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(keys::GLOBAL_FEED_PREFIX) {
            let (_, op_key) = item?;
            out.push(self.entry_of(op_key.to_vec())?);
        }
        Ok(out)
    }

    pub(crate) fn entry_of(&self, op_key: Vec<u8>) -> Result<FeedEntry, StoreError> {
        let raw = self
            .db
            .get(&op_key)?
            .ok_or_else(|| StoreError::corrupt("index", "an index names a missing operation"))?;
        let stored = StoredOp::from_bytes(&raw)?;
        Ok((stored.feed_seq, op_key, stored.hash))
    }
}
