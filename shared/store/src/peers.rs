//! Peer registration: the record this node keeps of each peer and the
//! outbox it fills for it. A new peer, or one whose store was rebuilt or
//! restored (its store id changed), gets a new outbox incarnation holding
//! every held operation in its scope, in feed order — those it sent
//! included, since a restored store may have lost them — so it can never
//! miss what it lost.
//!
//! The outbox is rebuilt from the peer's own rows, never from the whole
//! feed: the everyone-scope feed (`g`) and the operations of the cases
//! whose scope names it (`e`). Only for the county (a township's or
//! bridge's parent, whose scope is everything such a node holds) is it the
//! whole feed. Feed order keeps a case's earlier operations ahead of the
//! routing event that widened it.
//!
//! Both go through the one commit (`Store::commit`) under the writer lock,
//! like a batch of operations: the peer record, its outbox entries and its
//! scope digest are one atomic, durable batch, and the writer state and the
//! published peer records move with it. A rebuild rewrites only the outbox
//! entries (and the digest) that differ from what is stored, and removes
//! the entries past the new head.

use std::collections::BTreeMap;

use super::write::peer_scope;
use super::{
    encode, keys, new_incarnation, Announce, Digest, Incarnation, OutboxMeta, PeerRecord, Store,
    StoreError, Writes,
};
use liandong_model::{NodeId, Role};

impl Store {
    /// Registers a peer, or refreshes it when its store id changed (the peer
    /// was restored or rebuilt): a new outbox incarnation, so it can never
    /// miss what it lost. Returns the record and whether it was rebuilt.
    pub fn ensure_peer(
        &self,
        peer: &NodeId,
        peer_store_id: Option<Incarnation>,
    ) -> Result<(PeerRecord, bool), StoreError> {
        let mut state = self.lock();
        if let Some(rec) = state.peers.get(peer).cloned() {
            match (rec.store_id, peer_store_id) {
                (_, None) => return Ok((rec, false)),
                (Some(old), Some(new)) if old == new => return Ok((rec, false)),
                (None, Some(new)) => {
                    // First hello from a known peer: remember its store id.
                    let rec = PeerRecord {
                        store_id: Some(new),
                        ..rec
                    };
                    let mut writes = Writes::default();
                    writes.insert(keys::peer(peer), encode(&rec));
                    self.commit(&mut state, writes, Announce::Quiet, |s| {
                        s.peers.insert(peer.clone(), rec.clone());
                    })?;
                    return Ok((rec, false));
                }
                _ => {}
            }
        }
        let (writes, rec) = self.rebuild_outbox(peer, peer_store_id)?;
        self.commit(&mut state, writes, Announce::Quiet, |s| {
            s.peers.insert(peer.clone(), rec.clone());
        })?;
        Ok((rec, true))
    }

    /// The writes that give `peer` a new outbox incarnation holding every
    /// held operation in its scope, and the record that describes it.
    fn rebuild_outbox(
        &self,
        peer: &NodeId,
        store_id: Option<Incarnation>,
    ) -> Result<(Writes, PeerRecord), StoreError> {
        let mut entries = if peer.role() == Role::County {
            self.feed_entries()?
        } else {
            let mut entries = self.global_entries()?;
            for entity_key in self.member_entities(peer)? {
                entries.extend(self.entity_entries(&entity_key)?);
            }
            entries
        };
        entries.sort_by_key(|(seq, _, _)| *seq);
        entries.dedup_by_key(|(seq, _, _)| *seq);
        let mut writes = Writes::default();
        // The current outbox (key → op key): an entry that stays the same
        // is not rewritten, the rest are removed at the end.
        let mut old: BTreeMap<Vec<u8>, sled::IVec> = BTreeMap::new();
        for item in self.db.scan_prefix(keys::outbox_prefix(peer)) {
            let (key, op_key) = item?;
            old.insert(key.to_vec(), op_key);
        }
        let mut digest = Digest::default();
        let mut head = 0;
        for (_, op_key, hash) in entries {
            head += 1;
            let key = keys::outbox(peer, head);
            let stored_entry = old.remove(&key);
            writes.put_changed(key, stored_entry.as_deref(), op_key.clone());
            digest.add(&op_key, &hash);
        }
        for key in old.into_keys() {
            writes.remove(key);
        }
        let rec = PeerRecord {
            node: peer.clone(),
            store_id,
            outbox: OutboxMeta {
                incarnation: new_incarnation(),
                head,
            },
        };
        writes.insert(keys::peer(peer), encode(&rec));
        let digest_key = keys::digest(&peer_scope(peer));
        let stored_digest = self.db.get(&digest_key)?;
        writes.put_changed(digest_key, stored_digest.as_deref(), encode(&digest));
        Ok((writes, rec))
    }

    /// (feed seq, op key, hash) of every held operation.
    fn feed_entries(&self) -> Result<Vec<super::write::FeedEntry>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix([b'f']) {
            let (_, op_key) = item?;
            out.push(self.entry_of(op_key.to_vec())?);
        }
        Ok(out)
    }

    /// The entity keys whose scope names `member`.
    pub(crate) fn member_entities(&self, member: &NodeId) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(keys::member_prefix(member)) {
            let (key, _) = item?;
            let entity = keys::member_entity(member, &key)
                .ok_or_else(|| StoreError::corrupt("member index", "unparsable key"))?;
            out.push(entity.to_string());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::StoreOptions;
    use super::*;
    use liandong_domain::{CaseEvent, EventKind, OpBody};
    use liandong_model::{CaseId, EntityId};

    /// A township store holding `n` cases of its own (in the county's scope).
    fn township_with_cases(dir: &std::path::Path, n: u64) -> Store {
        let me = NodeId::township("T01").unwrap();
        let store = Store::open(dir, &me, &StoreOptions::default()).unwrap();
        for i in 0..n {
            let case = EntityId::Case(CaseId::new("000000", &me, "20261126", i));
            let body = OpBody::Case(CaseEvent::new(i, EventKind::Concluded));
            store.append_local(vec![(case, body)], i + 1).unwrap();
        }
        store
    }

    #[test]
    fn registering_a_peer_goes_through_the_commit_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = township_with_cases(dir.path(), 3);
        let county = NodeId::county("HQ").unwrap();
        let commits = store.commits();

        let (rec, rebuilt) = store.ensure_peer(&county, None).unwrap();
        assert!(rebuilt);
        assert_eq!(store.commits(), commits + 1);
        let written = store.last_commit_keys();
        for key in [
            keys::outbox(&county, 1),
            keys::outbox(&county, 3),
            keys::peer(&county),
            keys::digest(&peer_scope(&county)),
        ] {
            assert!(written.contains(&key), "{:?} not written", key);
        }
        // Published with the commit: readers see the record at once.
        assert_eq!(store.peer(&county).unwrap(), rec);
        assert_eq!(rec.outbox.head, 3);

        // Its first store id is a one-key commit, published the same way.
        let id = new_incarnation();
        let (rec, rebuilt) = store.ensure_peer(&county, Some(id)).unwrap();
        assert!(!rebuilt);
        assert_eq!(store.commits(), commits + 2);
        assert_eq!(store.last_commit_keys(), vec![keys::peer(&county)]);
        assert_eq!(store.peer(&county).unwrap().store_id, Some(id));
        assert_eq!(rec.store_id, Some(id));

        // Nothing changed: no commit at all.
        store.ensure_peer(&county, Some(id)).unwrap();
        store.ensure_peer(&county, None).unwrap();
        assert_eq!(store.commits(), commits + 2);
    }

    #[test]
    fn refilling_an_unchanged_outbox_rewrites_only_the_peer_record() {
        let dir = tempfile::tempdir().unwrap();
        let store = township_with_cases(dir.path(), 5);
        let county = NodeId::county("HQ").unwrap();
        let (first, _) = store.ensure_peer(&county, Some(new_incarnation())).unwrap();
        let chunk = store.read_outbox(&county, 0, 100, usize::MAX).unwrap();

        // The county's store was restored: a new incarnation, same entries.
        let (second, rebuilt) = store.ensure_peer(&county, Some(new_incarnation())).unwrap();
        assert!(rebuilt);
        assert_ne!(second.outbox.incarnation, first.outbox.incarnation);
        assert_eq!(store.last_commit_keys(), vec![keys::peer(&county)]);
        assert_eq!(
            store.read_outbox(&county, 0, 100, usize::MAX).unwrap(),
            chunk
        );
        assert_eq!(second.outbox.head, 5);
        assert!(store.verify().unwrap().ok());
    }

    #[test]
    fn a_refill_removes_outbox_entries_past_the_new_head() {
        let dir = tempfile::tempdir().unwrap();
        let store = township_with_cases(dir.path(), 2);
        let county = NodeId::county("HQ").unwrap();
        store.ensure_peer(&county, Some(new_incarnation())).unwrap();
        // An entry past the head, as a refill from a shorter feed leaves it.
        let stray = keys::outbox(&county, 3);
        let mut writes = Writes::default();
        writes.insert(
            stray.clone(),
            keys::op(&liandong_model::OpId {
                origin: store.me().clone(),
                seq: 1,
            }),
        );
        {
            let mut state = store.lock();
            store
                .commit(&mut state, writes, Announce::Quiet, |_| {})
                .unwrap();
        }

        let (_, rebuilt) = store.ensure_peer(&county, Some(new_incarnation())).unwrap();
        assert!(rebuilt);
        let written = store.last_commit_keys();
        assert!(written.contains(&stray));
        assert!(store.db.get(&stray).unwrap().is_none());
        assert_eq!(store.peer(&county).unwrap().outbox.head, 2);
    }
}
