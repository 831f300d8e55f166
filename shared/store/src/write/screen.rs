//! Screening a received operation before it is stored (after the county's
//! stamp check, `held`): the domain's authority table
//! ([`liandong_domain::authority::authorise`]) against what this store
//! holds — committed, or earlier in the same batch (a case's members, its
//! matter, the authorisations and the roster).
//!
//! A decision recorded by a signed-in chief representative carries his
//! electronic seal: it must verify against one of his public keys in the
//! roster held here (committed, or earlier in this batch), or the
//! operation is refused as [`Rejection::BadSeal`], like a forged one. A
//! decision without a recorder was written before sign-in existed and is
//! kept as it is.
//!
//! A refused operation is not stored and does not stop the batch: a
//! [`RejectionRecord`] is written in the same commit (a ring of the last
//! [`keys::REJECTIONS_KEPT`]), and the report lists it for the link to
//! count and log.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::Pending;
use crate::views::View;
use crate::{encode, keys};
use liandong_domain::authority::{authorise, Holdings};
use liandong_domain::{Authorisation, EventKind, OpBody, Staff};
use liandong_model::{CaseId, EncodedOp, EntityId, NodeId, Rejection};

/// A refused operation, as kept for status and the admin page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectionRecord {
    /// This node's wall time when it was refused.
    pub at_ms: u64,
    pub peer: NodeId,
    pub op: String,
    pub entity: String,
    pub reason: String,
    pub message: String,
}

impl Pending<'_> {
    pub(super) fn screen(
        &mut self,
        sender: &NodeId,
        op: &EncodedOp,
        body: Option<&OpBody>,
    ) -> Result<(), Rejection> {
        let members_of = match op.entity() {
            EntityId::Case(_) | EntityId::Credential(_) => Some(op.entity().key()),
            EntityId::SealKey(staff) => Some(EntityId::Credential(staff.clone()).key()),
            _ => None,
        };
        if let Some(key) = members_of {
            // Make sure the entity's members are loaded for the table.
            self.scope_members(&key)
                .map_err(|e| Rejection::Malformed(format!("scope of {key} unreadable: {e}")))?;
        }
        authorise(sender, op.id(), op.entity(), body, &Held { pending: self })?;
        if let (EntityId::Case(case), Some(OpBody::Case(event))) = (op.entity(), body) {
            self.verify_seal(op, case, event)?;
        }
        Ok(())
    }

    /// A recorded decision's seal verifies against the decider's keys.
    fn verify_seal(
        &self,
        op: &EncodedOp,
        case: &CaseId,
        event: &liandong_domain::CaseEvent,
    ) -> Result<(), Rejection> {
        let (EventKind::Decided { by, .. }, Some(_)) = (&event.kind, &event.recorder) else {
            return Ok(());
        };
        let refuse = |why: String| Rejection::BadSeal {
            origin: op.id().origin.clone(),
            case: case.to_string(),
            why,
        };
        let Some(seal) = &event.seal else {
            return Err(refuse("the decision is not sealed".into()));
        };
        let keys = match (Held { pending: self }).view(&EntityId::SealKey(by.clone())) {
            Some(View::SealKeys(keys)) => keys,
            _ => Default::default(),
        };
        let Some(key) = keys.get(&seal.key_id) else {
            return Err(refuse(format!(
                "{by} has no public key {} in the roster held here",
                seal.key_id
            )));
        };
        let message = liandong_domain::seal_message(case, event)
            .ok_or_else(|| refuse("nothing to verify".into()))?;
        let public = liandong_identity::seal::SealPublicKey {
            algorithm: key.algorithm.clone(),
            bytes: key.public.clone(),
        };
        let verified = liandong_identity::seal::provider(&seal.algorithm).is_some_and(|p| {
            seal.algorithm == key.algorithm && p.verify(&public, &message, &seal.signature)
        });
        if verified {
            Ok(())
        } else {
            Err(refuse(format!(
                "the signature does not verify against {by}'s key {}",
                seal.key_id
            )))
        }
    }

    pub(super) fn refuse(&mut self, sender: &NodeId, op: &EncodedOp, rejection: Rejection) {
        self.record_refusal(sender, &op.id().to_string(), &op.entity().key(), &rejection);
        self.report.refused.push((op.id().clone(), rejection));
    }

    /// Writes one rejection record in this batch.
    pub(super) fn record_refusal(
        &mut self,
        sender: &NodeId,
        op: &str,
        entity: &str,
        rejection: &Rejection,
    ) {
        let record = RejectionRecord {
            at_ms: self.now_ms,
            peer: sender.clone(),
            op: op.to_string(),
            entity: entity.to_string(),
            reason: rejection.reason().to_string(),
            message: rejection.to_string(),
        };
        self.writes
            .insert(keys::rejection(self.state.rejections), encode(&record));
        self.state.rejections += 1;
    }
}

/// What the table reads, from the batch first, then the tree.
struct Held<'p, 'a> {
    pending: &'p Pending<'a>,
}

impl Held<'_, '_> {
    fn view(&self, entity: &EntityId) -> Option<View> {
        let key = entity.key();
        if let Some(loaded) = self.pending.views.get(&key) {
            return Some(loaded.value.clone());
        }
        let stored = self.pending.store.db.get(keys::view(&key)).ok()??;
        View::load(entity, Some(&stored)).ok()
    }
}

impl Holdings for Held<'_, '_> {
    fn members(&self, case: &EntityId) -> BTreeSet<NodeId> {
        self.pending
            .scopes
            .get(&case.key())
            .map(|m| m.value.clone())
            .unwrap_or_default()
    }

    fn case_matter(&self, case: &EntityId) -> Option<String> {
        let key = case.key();
        if let Some(m) = self.pending.batch_matters.get(&key) {
            return Some(m.clone());
        }
        let EntityId::Case(id) = case else {
            return None;
        };
        matter_of(self.pending.store, id)
    }

    fn authorisation(&self, id: &str) -> Option<Authorisation> {
        match self.view(&EntityId::Authorisation(id.to_string()))? {
            View::Authorisation(a) => a,
            _ => None,
        }
    }

    fn staff_department(&self, staff: &str) -> Option<String> {
        match self.view(&EntityId::Staff(staff.to_string()))? {
            View::Staff(Some(Staff { department, .. })) => Some(department.val),
            _ => None,
        }
    }
}

/// The matter code of a held case's application.
fn matter_of(store: &crate::Store, id: &CaseId) -> Option<String> {
    let case = store.case(id.as_str()).ok()??;
    let matter = case.record.iter().find_map(|(_, e)| match &e.event.kind {
        EventKind::Submitted { matter, .. } => Some(matter.clone()),
        _ => None,
    });
    matter
}
