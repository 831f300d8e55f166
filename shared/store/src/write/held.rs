//! Operations held back for their stamp. The county screens every
//! received operation's stamp against its own clock and the skew bound;
//! one stamped further ahead is neither stored nor dropped: it is kept,
//! durably and in the same commit as the batch that brought it (whose
//! cursor then moves past it), under `h` by the time it becomes
//! acceptable — its stamp minus the bound. [`Store::release_held`] applies
//! the due ones through the one write path, screened again, as if the
//! sender had sent them then. A held operation also gets a `future-stamp`
//! rejection record, so status and the admin page show it.
//!
//! Why hold rather than refuse: two honest clocks each within the bound of
//! true time may be twice the bound apart. Refused, an acknowledged clerk
//! write would be lost for good (the sender's cursor has moved past it);
//! held, it lands a few minutes late and nothing is lost, and the node's
//! clock never moves past now + the bound. A stamp years ahead (a broken
//! clock) stays held, visible, until an operator fixes the sender.
//!
//! Children (townships, bridges) do not screen stamps: everything they
//! receive comes from the county, which screened it against its own clock
//! and holds it; refusing what the parent holds would split the two
//! replicas for good. Their clock is still bounded when it observes a
//! stamp ([`liandong_model::SkewBound::observe`]).
//!
//! Not yet: a held operation is applied only when due, even if an operator
//! corrects the sender's clock; no bound on how many are held per sender
//! beyond the store's disk reserve.

use serde::{Deserialize, Serialize};

use super::{Pending, RejectionRecord, Source};
use crate::{decode, encode, keys, Store, StoreError};
use liandong_model::{EncodedOp, NodeId, Rejection, Role};

/// A held operation as stored: who sent it and its bytes as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldOp {
    pub sender: String,
    pub bytes: Vec<u8>,
}

impl Pending<'_> {
    /// Whether this store screens received stamps (the county does).
    pub(super) fn screens_stamps(&self) -> bool {
        self.store.me.role() == Role::County
    }

    /// The time `op` becomes acceptable here, if it is stamped beyond the
    /// bound now.
    pub(super) fn held_until(&self, op: &EncodedOp) -> Option<u64> {
        let bound = self.store.skew.max_skew_ms;
        op.envelope
            .hlc
            .is_beyond(self.now_ms, bound)
            .then(|| op.envelope.hlc.wall_ms.saturating_sub(bound))
    }

    /// Keeps `op` back until `due_ms`, with a rejection record that says so.
    pub(super) fn hold(&mut self, sender: &NodeId, op: &EncodedOp, due_ms: u64) {
        let op_key = keys::op(op.id());
        let held = HeldOp {
            sender: sender.to_string(),
            bytes: op.bytes.clone(),
        };
        self.writes
            .insert(keys::held(due_ms, &op_key), encode(&held));
        let rejection = Rejection::FutureStamp {
            op: op.id().to_string(),
            ahead_ms: op.envelope.hlc.wall_ms.saturating_sub(self.now_ms),
            bound_ms: self.store.skew.max_skew_ms,
        };
        let record = RejectionRecord {
            at_ms: self.now_ms,
            peer: sender.clone(),
            op: op.id().to_string(),
            entity: op.entity().key(),
            reason: rejection.reason().to_string(),
            message: format!(
                "{rejection}; held back, applied when this node's clock reaches {} ms",
                due_ms
            ),
        };
        self.writes
            .insert(keys::rejection(self.state.rejections), encode(&record));
        self.state.rejections += 1;
        self.report.held.push((op.id().clone(), rejection));
    }
}

impl Store {
    /// Applies the held operations that are due now, each sender's in one
    /// commit that also removes their rows. Returns how many it applied
    /// (duplicates and refusals on the second screening included).
    pub fn release_held(&self) -> Result<usize, StoreError> {
        let now = self.skew.clock.now_ms();
        let due = self.due_held(now)?;
        if due.is_empty() {
            return Ok(0);
        }
        self.check_writable()?;
        let mut by_sender: Vec<(NodeId, Vec<Vec<u8>>, Vec<EncodedOp>)> = Vec::new();
        for (key, held) in due {
            let Ok(sender) = held.sender.parse::<NodeId>() else {
                continue;
            };
            let Ok(op) = EncodedOp::decode(held.bytes) else {
                continue;
            };
            match by_sender.iter_mut().find(|(s, _, _)| *s == sender) {
                Some((_, rows, ops)) => {
                    rows.push(key);
                    ops.push(op);
                }
                None => by_sender.push((sender, vec![key], vec![op])),
            }
        }
        let mut released = 0;
        for (node, rows, ops) in by_sender {
            released += ops.len();
            let mut state = self.lock();
            self.apply_locked(&mut state, Source::Held { node, rows }, ops, Vec::new())?;
        }
        Ok(released)
    }

    /// How many operations are held back for their stamp.
    pub fn held_count(&self) -> Result<u64, StoreError> {
        let mut n = 0;
        for item in self.db.scan_prefix(keys::HELD_PREFIX).keys() {
            item?;
            n += 1;
        }
        Ok(n)
    }

    /// The held rows due at `now_ms`, in due order.
    fn due_held(&self, now_ms: u64) -> Result<Vec<(Vec<u8>, HeldOp)>, StoreError> {
        let mut out = Vec::new();
        for item in self.db.scan_prefix(keys::HELD_PREFIX) {
            let (key, value) = item?;
            match keys::held_due(&key) {
                Some(due) if due <= now_ms => {}
                _ => break,
            }
            out.push((key.to_vec(), decode::<HeldOp>("held operation", &value)?));
        }
        Ok(out)
    }
}
