//! What the write path tells the supervision pass: which cases changed
//! since the pass last looked at them, and whether anything the fold reads
//! besides a case's events (calendar, catalogue, roster, authorisations,
//! routing) changed.
//!
//! Every accepted operation on a case leaves a touched mark (`t`, keyed by
//! case id, value the feed seq of the newest operation that touched it);
//! every accepted operation on a calendar, matter, staff member,
//! authorisation or routing rule moves the registry epoch (`m registry_epoch`)
//! by one per batch. Both are written in the batch of the operations, so a
//! pass that reads them after a commit sees every change that commit made.
//! The pass clears a mark only while it still holds the seq it read
//! ([`crate::Store::record_checks`]), so a case touched during a pass stays
//! marked for the next.
//!
//! A mark is a pure consequence of the operations held: a restore (which
//! replays every operation through the write path) marks every case, and
//! the pass then checks each once.

use std::collections::BTreeMap;

use super::super::{decode, encode, keys, Store, StoreError, Writes};
use liandong_model::EntityId;

/// The marks one batch leaves.
#[derive(Default)]
pub(super) struct CaseMarks {
    /// Case id → feed seq of the batch's newest operation on it.
    touched: BTreeMap<String, u64>,
    registry_changed: bool,
}

impl CaseMarks {
    /// Notes an accepted operation.
    pub(super) fn note(&mut self, entity: &EntityId, feed_seq: u64) {
        match entity {
            EntityId::Case(id) => {
                self.touched.insert(id.to_string(), feed_seq);
            }
            EntityId::Matter(_)
            | EntityId::Calendar
            | EntityId::Staff(_)
            | EntityId::Authorisation(_)
            | EntityId::Routing(_) => self.registry_changed = true,
            _ => {}
        }
    }

    /// Puts the marks into the batch.
    pub(super) fn finish(self, store: &Store, writes: &mut Writes) -> Result<(), StoreError> {
        for (case, seq) in self.touched {
            writes.insert(keys::touched(&case), encode(&seq));
        }
        if self.registry_changed {
            let epoch = registry_epoch(store)?;
            writes.insert(keys::META_REGISTRY_EPOCH, encode(&(epoch + 1)));
        }
        Ok(())
    }
}

/// The registry epoch as stored (0 on a store that never had one).
pub(crate) fn registry_epoch(store: &Store) -> Result<u64, StoreError> {
    match store.db.get(keys::META_REGISTRY_EPOCH)? {
        Some(v) => decode("registry epoch", &v),
        None => Ok(0),
    }
}
