//! Scope: which nodes an entity's operations go to, and the reasons a
//! received operation is refused.
//!
//! Scope is decided per entity, never per operation, so all operations of
//! an entity travel together. The catalogue, the calendar, routing rules,
//! revocations, the roster and authorisations go everywhere. A case's
//! *base* scope is its accepting centre and the county; the case's own
//! routing events widen it to the departments routed to (their bridges)
//! and the townships asked for an opinion. A credential goes only to the
//! centres its operations name (scope growth again) and the county; a
//! node's audit log goes only to the county. A complaint or an enquiry
//! goes to the centre that received it and the county; the hall's
//! assessments and incentive points stay at the county. Which events widen a scope is
//! the domain's business (`liandong_domain::authority`); the store keeps
//! each case's members and computes [`Scope::with_members`] in its one
//! write path. The county holds everything.
//!
//! Who may originate what is the domain's table
//! (`liandong_domain::authority`); [`Rejection`] is what it answers, here
//! so that every layer (the store that records refusals, the link that
//! counts them) names the same reasons.

use std::collections::BTreeSet;

use super::node::{NodeId, Role};
use super::op::EntityId;

/// The nodes an entity's operations belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every node (catalogue, calendar, roster, routing rules, ...).
    Everyone,
    /// The county plus these nodes.
    CountyAnd(BTreeSet<NodeId>),
}

impl Scope {
    /// The scope an entity has before any of its operations widen it: a
    /// case's accepting centre (and the county); everyone for the rest.
    pub fn base(entity: &EntityId) -> Scope {
        match entity {
            EntityId::Case(case) => Scope::CountyAnd([case.origin().clone()].into()),
            // A credential's centres come from its operations (scope growth).
            EntityId::Credential(_) => Scope::CountyAnd(BTreeSet::new()),
            EntityId::Audit(node) => Scope::CountyAnd([node.clone()].into()),
            // Received or asked at a centre: that centre and the county
            // (where e-supervision works).
            EntityId::Complaint(centre, _) | EntityId::Enquiry(centre, _) => {
                Scope::CountyAnd([centre.clone()].into())
            }
            // The hall's personnel records: the county only.
            EntityId::Assessment(_) | EntityId::Points(..) => Scope::CountyAnd(BTreeSet::new()),
            EntityId::SealKey(_)
            | EntityId::Matter(_)
            | EntityId::Revocation(_)
            | EntityId::Calendar
            | EntityId::Staff(_)
            | EntityId::Authorisation(_)
            | EntityId::Routing(_) => Scope::Everyone,
        }
    }

    /// The base scope widened by `members` (the nodes a case's routing
    /// events named). Everyone stays everyone.
    pub fn with_members<'a>(
        entity: &EntityId,
        members: impl IntoIterator<Item = &'a NodeId>,
    ) -> Scope {
        match Scope::base(entity) {
            Scope::Everyone => Scope::Everyone,
            Scope::CountyAnd(mut nodes) => {
                nodes.extend(members.into_iter().cloned());
                Scope::CountyAnd(nodes)
            }
        }
    }

    pub fn includes(&self, node: &NodeId) -> bool {
        match self {
            Scope::Everyone => true,
            Scope::CountyAnd(nodes) => node.role() == Role::County || nodes.contains(node),
        }
    }

    /// The nodes named beside the county (none for everyone).
    pub fn members(&self) -> impl Iterator<Item = &NodeId> {
        let named = match self {
            Scope::Everyone => None,
            Scope::CountyAnd(nodes) => Some(nodes.iter()),
        };
        named.into_iter().flatten()
    }
}

/// Why a received operation was refused. Counted per peer and reason,
/// kept as a rejection record, shown in status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{sender} may not relay an operation originated by {origin}")]
    NotOrigin { sender: NodeId, origin: NodeId },
    #[error("only the county writes {what}; {origin} tried to")]
    CountyOnly { origin: NodeId, what: &'static str },
    #[error(
        "{origin} may not write on case {case}, which belongs to {owner} and was not routed to it"
    )]
    ForeignCase {
        origin: NodeId,
        case: String,
        owner: NodeId,
    },
    #[error("{origin} may not record `{event}` on case {case}: {why}")]
    EventNotAllowed {
        origin: NodeId,
        case: String,
        event: &'static str,
        why: String,
    },
    #[error("{origin} may not decide on case {case}: {why}")]
    DecisionNotAuthorised {
        origin: NodeId,
        case: String,
        why: String,
    },
    /// A decision whose electronic seal does not verify against the
    /// decider's public keys in the roster (an identity violation).
    #[error("{origin}'s decision on case {case} carries a seal that does not verify: {why}")]
    BadSeal {
        origin: NodeId,
        case: String,
        why: String,
    },
    #[error("operation {op} is stamped {ahead_ms} ms ahead of this node's clock (more than the {bound_ms} ms allowed)")]
    FutureStamp {
        op: String,
        ahead_ms: u64,
        bound_ms: u64,
    },
    #[error("undecodable operation: {0}")]
    Malformed(String),
}

impl Rejection {
    /// A short stable label for metrics and status.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::NotOrigin { .. } => "not-origin",
            Rejection::CountyOnly { .. } => "county-only",
            Rejection::ForeignCase { .. } => "foreign-case",
            Rejection::EventNotAllowed { .. } => "event-not-allowed",
            Rejection::DecisionNotAuthorised { .. } => "decision-not-authorised",
            Rejection::BadSeal { .. } => "bad-seal",
            Rejection::FutureStamp { .. } => "future-stamp",
            Rejection::Malformed(_) => "malformed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CaseId;

    #[test]
    fn a_case_reaches_its_centre_the_county_and_the_members_its_routing_named() {
        let t1 = NodeId::township("T01").unwrap();
        let t2 = NodeId::township("T02").unwrap();
        let d3 = NodeId::new(Role::Bridge, "D03").unwrap();
        let d5 = NodeId::new(Role::Bridge, "D05").unwrap();
        let case = EntityId::Case(CaseId::new("1", &t1, "20260101", 1));
        let scope = Scope::with_members(&case, [&d3]);
        assert!(scope.includes(&t1));
        assert!(scope.includes(&NodeId::county("HQ").unwrap()));
        assert!(scope.includes(&d3));
        assert!(!scope.includes(&d5));
        assert!(!scope.includes(&t2));
        assert!(Scope::with_members(&EntityId::Calendar, [&d3]).includes(&t2));
    }
}
