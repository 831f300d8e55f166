//! `verify`: walks a (stopped) store and checks what the write path
//! promises: every operation's bytes match their hash and decode; the feed
//! names exactly the operations held, each once; every outbox and entity
//! index entry points at a held operation; the digest of everything held
//! matches a recount. Reports every problem found; fixes nothing.

use std::collections::HashSet;

use super::{keys, Digest, Store, StoreError, StoredOp};
use liandong_model::EncodedOp;

/// What `verify` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VerifyReport {
    pub operations: u64,
    pub feed_entries: u64,
    pub outbox_entries: u64,
    pub index_entries: u64,
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Problems reported in full before the rest are only counted.
const MAX_LISTED: usize = 50;

impl VerifyReport {
    fn problem(&mut self, text: String) {
        if self.problems.len() < MAX_LISTED {
            self.problems.push(text);
        } else if self.problems.len() == MAX_LISTED {
            self.problems.push("… more problems not listed".into());
        }
    }
}

impl Store {
    /// Checks the store's operations and indexes (see the module doc).
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let mut report = VerifyReport::default();
        let mut held = HashSet::new();
        let mut digest = Digest::default();
        for item in self.db.scan_prefix([b'o']) {
            let (key, raw) = item?;
            report.operations += 1;
            let name = format!("operation {}", keys::op_name(&key));
            let stored = match StoredOp::from_bytes(&raw) {
                Ok(s) => s,
                Err(e) => {
                    report.problem(format!("{name}: {e}"));
                    continue;
                }
            };
            if *blake3::hash(&stored.bytes).as_bytes() != stored.hash {
                report.problem(format!("{name}: bytes do not match their hash"));
                continue;
            }
            match EncodedOp::decode(stored.bytes) {
                Ok(op) if keys::op(op.id()) == key.as_ref() => {}
                Ok(op) => report.problem(format!("{name}: holds operation {}", op.id())),
                Err(e) => report.problem(format!("{name}: {e}")),
            }
            digest.add(&key, &stored.hash);
            held.insert(key.to_vec());
        }
        let mut fed = HashSet::new();
        for item in self.db.scan_prefix([b'f']) {
            let (key, op_key) = item?;
            report.feed_entries += 1;
            if !held.contains(op_key.as_ref()) {
                report.problem(format!(
                    "feed entry {:?} names a missing operation",
                    keys::trailing_seq(&key)
                ));
            } else if !fed.insert(op_key.to_vec()) {
                report.problem(format!("feed names {} twice", keys::op_name(&op_key)));
            }
        }
        if fed.len() != held.len() {
            report.problem(format!(
                "{} operations held but {} in the feed",
                held.len(),
                fed.len()
            ));
        }
        for item in self.db.scan_prefix([b'x']) {
            let (key, op_key) = item?;
            report.outbox_entries += 1;
            if !held.contains(op_key.as_ref()) {
                let entry = match (keys::leading_str(&key), keys::trailing_seq(&key)) {
                    (Some(peer), Some(seq)) => format!("{seq} of {peer}"),
                    _ => format!("{:?}", String::from_utf8_lossy(&key)),
                };
                report.problem(format!("outbox entry {entry} names a missing operation"));
            }
        }
        for item in self.db.scan_prefix([b'i']) {
            let (key, _) = item?;
            report.index_entries += 1;
            let op_key = keys::entity_index_op_key(&key);
            if !op_key.is_some_and(|k| held.contains(k)) {
                report.problem(format!(
                    "entity index entry {:?} names a missing operation",
                    String::from_utf8_lossy(&key)
                ));
            }
        }
        if digest != self.digest_all()? {
            report.problem("the stored digest of all operations differs from a recount".into());
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreOptions;
    use liandong_domain::OpBody;
    use liandong_domain::{CaseEvent, EventKind};
    use liandong_model::{CaseId, EntityId, NodeId};

    #[test]
    fn a_healthy_store_verifies_and_a_damaged_operation_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let me = NodeId::township("T01").unwrap();
        let store = Store::open(dir.path(), &me, &StoreOptions::default()).unwrap();
        for i in 0..5 {
            let case = EntityId::Case(CaseId::new("000000", &me, "20261126", i));
            store
                .append_local(
                    vec![(case, OpBody::Case(CaseEvent::new(i, EventKind::Concluded)))],
                    i,
                )
                .unwrap();
        }
        let report = store.verify().unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        assert_eq!((report.operations, report.feed_entries), (5, 5));

        // Flip one byte of one stored operation.
        let (key, raw) = store.db.scan_prefix([b'o']).next().unwrap().unwrap();
        let mut damaged = raw.to_vec();
        let last = damaged.len() - 1;
        damaged[last] ^= 0xff;
        store.db.insert(key, damaged).unwrap();
        let report = store.verify().unwrap();
        assert!(
            report.problems.iter().any(|p| p.contains("hash")),
            "{:?}",
            report.problems
        );
    }
}
