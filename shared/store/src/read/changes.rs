//! Changes feeds over cases, read from this node's feed: which cases
//! changed after a feed position (a department system's `_changes`-style
//! poll), and which case operations arrived after one (a webhook's
//! deliveries). Both read up to the published (durable) feed head only, so
//! a position handed out never names an entry a power cut could take back
//! and give to another operation.
//!
//! Cost: both walk the feed from `after` to the head, reading each
//! operation once (the feed does not say which entity an entry is about).
//! That suits a node with a narrow scope (a bridge) and a reader that keeps
//! its position; a county-wide reader starting from zero would read
//! everything.
//!
//! Not yet: an index of entity → latest feed position, which would make
//! [`Store::case_changes`] cost the page rather than the tail.

use std::collections::{BTreeMap, HashMap};

use super::super::{keys, Store, StoreError, StoredCase};
use liandong_model::{CaseId, EncodedOp, EntityId, OpId};

/// One changed case: its latest feed position and its operations as held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChange {
    /// Feed position of the case's latest operation.
    pub seq: u64,
    pub case: StoredCase,
}

/// A page of [`Store::case_changes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseChanges {
    /// Ordered by [`CaseChange::seq`]; each case once.
    pub cases: Vec<CaseChange>,
    /// More changed cases lie past the last one returned.
    pub more: bool,
    /// The durable feed head the page was read up to.
    pub head: u64,
}

/// One case operation in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFeedEntry {
    /// Its feed position.
    pub seq: u64,
    pub op: OpId,
    pub case: CaseId,
    /// No operation of this case sits earlier in this node's feed: the
    /// case became present here with this operation.
    pub first_of_case: bool,
}

/// A page of [`Store::case_feed`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFeed {
    pub entries: Vec<CaseFeedEntry>,
    /// Feed position read up to: a reader that handled every entry may
    /// move its position here (past entries about other entities too).
    pub scanned_to: u64,
    /// The durable feed head.
    pub head: u64,
}

impl Store {
    /// The cases whose latest operation sits past feed position `after`,
    /// ordered by that position, at most `limit` of them.
    pub fn case_changes(&self, after: u64, limit: usize) -> Result<CaseChanges, StoreError> {
        let head = self.durable_feed_head();
        let mut latest: HashMap<CaseId, u64> = HashMap::new();
        self.walk_feed(after, head, |seq, op| {
            if let EntityId::Case(case) = op.entity() {
                latest.insert(case.clone(), seq);
            }
            true
        })?;
        let mut by_seq: Vec<(u64, CaseId)> = latest.into_iter().map(|(c, s)| (s, c)).collect();
        by_seq.sort_by_key(|(seq, _)| *seq);
        let more = by_seq.len() > limit;
        let mut cases = Vec::with_capacity(by_seq.len().min(limit));
        for (seq, id) in by_seq.into_iter().take(limit) {
            let case = self.case(id.as_str())?.ok_or_else(|| {
                StoreError::corrupt(
                    format!("case {id}"),
                    "in the feed but not in the entity index",
                )
            })?;
            cases.push(CaseChange { seq, case });
        }
        Ok(CaseChanges { cases, more, head })
    }

    /// The case operations past feed position `after`, in feed order, at
    /// most `limit` of them, each saying whether it is the first of its
    /// case in this node's feed.
    pub fn case_feed(&self, after: u64, limit: usize) -> Result<CaseFeed, StoreError> {
        let head = self.durable_feed_head();
        let mut entries = Vec::new();
        let mut first_seq: BTreeMap<CaseId, u64> = BTreeMap::new();
        let mut scanned_to = after;
        let mut failure = None;
        self.walk_feed(after, head, |seq, op| {
            if entries.len() >= limit {
                return false;
            }
            scanned_to = seq;
            let EntityId::Case(case) = op.entity() else {
                return true;
            };
            let first = match first_seq.get(case) {
                Some(first) => *first,
                None => match self.first_feed_seq(case) {
                    Ok(first) => {
                        first_seq.insert(case.clone(), first);
                        first
                    }
                    Err(e) => {
                        failure = Some(e);
                        return false;
                    }
                },
            };
            entries.push(CaseFeedEntry {
                seq,
                op: op.id().clone(),
                case: case.clone(),
                first_of_case: first == seq,
            });
            true
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        Ok(CaseFeed {
            entries,
            scanned_to,
            head,
        })
    }

    /// The smallest feed position among the case's operations.
    fn first_feed_seq(&self, case: &CaseId) -> Result<u64, StoreError> {
        let prefix = keys::entity_index_prefix(&format!("case/{}", case.as_str()));
        let mut first = u64::MAX;
        for item in self.db.scan_prefix(&prefix) {
            let (k, _) = item?;
            first = first.min(self.stored_op(&k[prefix.len()..])?.feed_seq);
        }
        Ok(first)
    }

    /// Calls `visit` with each feed entry in `(after, head]` and its
    /// operation, until it returns false.
    fn walk_feed(
        &self,
        after: u64,
        head: u64,
        mut visit: impl FnMut(u64, &EncodedOp) -> bool,
    ) -> Result<(), StoreError> {
        if after >= head {
            return Ok(());
        }
        for item in self.db.range(keys::feed(after + 1)..=keys::feed(head)) {
            let (k, op_key) = item?;
            let seq = keys::trailing_seq(&k)
                .ok_or_else(|| StoreError::corrupt("feed key", "too short"))?;
            let stored = self.stored_op(&op_key)?;
            let op = EncodedOp::decode(stored.bytes)
                .map_err(|e| StoreError::corrupt(format!("operation at feed {seq}"), e))?;
            if !visit(seq, &op) {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::StoreOptions;
    use super::*;
    use liandong_domain::{CaseEvent, EventKind, OpBody};
    use liandong_model::NodeId;

    fn town() -> NodeId {
        NodeId::township("T01").unwrap()
    }

    fn event(store: &Store, case: &CaseId, at: u64) {
        let body = OpBody::Case(CaseEvent::new(at, EventKind::Concluded));
        store
            .append_local(vec![(EntityId::Case(case.clone()), body)], at)
            .unwrap();
    }

    #[test]
    fn changed_cases_come_once_each_in_the_order_of_their_latest_operation() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
        let ids: Vec<CaseId> = (1..=3)
            .map(|i| CaseId::new("000000", &town(), "20261126", i))
            .collect();
        event(&store, &ids[0], 1); // feed 1
        event(&store, &ids[1], 2); // feed 2
        event(&store, &ids[2], 3); // feed 3
        event(&store, &ids[0], 4); // feed 4: case 1 changes again

        let all = store.case_changes(0, 10).unwrap();
        let order: Vec<(u64, &str)> = all
            .cases
            .iter()
            .map(|c| (c.seq, c.case.id.as_str()))
            .collect();
        assert_eq!(
            order,
            [
                (2, ids[1].as_str()),
                (3, ids[2].as_str()),
                (4, ids[0].as_str())
            ]
        );
        assert!(!all.more);
        assert_eq!(all.head, 4);
        assert_eq!(all.cases[2].case.record.len(), 2);

        let page = store.case_changes(0, 2).unwrap();
        assert_eq!(page.cases.len(), 2);
        assert!(page.more);
        let since = store.case_changes(3, 10).unwrap();
        assert_eq!(since.cases.len(), 1);
        assert_eq!(since.cases[0].case.id, ids[0]);
        assert!(store.case_changes(4, 10).unwrap().cases.is_empty());
    }

    #[test]
    fn the_case_feed_marks_the_first_operation_of_each_case() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
        let a = CaseId::new("000000", &town(), "20261126", 1);
        let b = CaseId::new("000000", &town(), "20261126", 2);
        event(&store, &a, 1);
        event(&store, &b, 2);
        event(&store, &a, 3);
        let feed = store.case_feed(0, 10).unwrap();
        let seen: Vec<(u64, bool)> = feed
            .entries
            .iter()
            .map(|e| (e.seq, e.first_of_case))
            .collect();
        assert_eq!(seen, [(1, true), (2, true), (3, false)]);
        assert_eq!(feed.scanned_to, 3);
        let later = store.case_feed(1, 1).unwrap();
        assert_eq!(later.entries.len(), 1);
        assert_eq!((later.entries[0].seq, later.scanned_to), (2, 2));
        assert!(later.entries[0].first_of_case && later.entries[0].case == b);
    }
}
