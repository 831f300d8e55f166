//! Scope and authority: which nodes an entity's operations go to, and who
//! may originate or relay them.
//!
//! Scope is decided per entity, never per operation, so all operations of an
//! entity travel together. Foundation rules (DESIGN.md "Data"): a case goes
//! to its accepting centre and the county; the catalogue goes everywhere.
//! The county holds everything. Routing to departments and other centres
//! widens a case's scope in a later slice.

use super::node::{NodeId, Role};
use super::op::{EntityId, Envelope};

/// The nodes an entity's operations belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every node (catalogue, calendar, roster).
    Everyone,
    /// The county plus these nodes.
    CountyAnd(Vec<NodeId>),
}

impl Scope {
    pub fn of(entity: &EntityId) -> Scope {
        match entity {
            EntityId::Case(case) => Scope::CountyAnd(vec![case.origin().clone()]),
            EntityId::Matter(_)
            | EntityId::Revocation(_)
            | EntityId::Calendar
            | EntityId::Staff(_)
            | EntityId::Authorisation(_) => Scope::Everyone,
        }
    }

    pub fn includes(&self, node: &NodeId) -> bool {
        match self {
            Scope::Everyone => true,
            Scope::CountyAnd(nodes) => node.role() == Role::County || nodes.contains(node),
        }
    }
}

/// Why a received operation was refused. Counted per reason in status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{sender} may not relay an operation originated by {origin}")]
    NotOrigin { sender: NodeId, origin: NodeId },
    #[error("only the county writes the catalogue and revocations; {origin} tried to")]
    CatalogueNotCounty { origin: NodeId },
    #[error("{origin} may not write on case {case}, which belongs to {owner}")]
    ForeignCase {
        origin: NodeId,
        case: String,
        owner: NodeId,
    },
    #[error("{entity} is outside the scope of {receiver}")]
    OutOfScope { entity: String, receiver: NodeId },
    #[error("bridges cannot write yet")]
    BridgeNotSupported,
    #[error("undecodable operation: {0}")]
    Malformed(String),
}

impl Rejection {
    /// A short stable label for metrics and status.
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::NotOrigin { .. } => "not-origin",
            Rejection::CatalogueNotCounty { .. } => "catalogue-not-county",
            Rejection::ForeignCase { .. } => "foreign-case",
            Rejection::OutOfScope { .. } => "out-of-scope",
            Rejection::BridgeNotSupported => "bridge",
            Rejection::Malformed(_) => "malformed",
        }
    }
}

/// Checks an operation received from `sender` by `receiver` against the
/// sender's identity and the operation's origin. A relay cannot widen what
/// an origin may do.
pub fn authorise(sender: &NodeId, receiver: &NodeId, op: &Envelope) -> Result<(), Rejection> {
    let origin = &op.id.origin;
    match sender.role() {
        Role::Bridge => return Err(Rejection::BridgeNotSupported),
        Role::Township if origin != sender => {
            return Err(Rejection::NotOrigin {
                sender: sender.clone(),
                origin: origin.clone(),
            })
        }
        _ => {}
    }
    match (&op.entity, origin.role()) {
        (EntityId::Case(_), Role::County) => {}
        (EntityId::Case(case), _) if case.origin() == origin => {}
        (EntityId::Case(case), _) => {
            return Err(Rejection::ForeignCase {
                origin: origin.clone(),
                case: case.to_string(),
                owner: case.origin().clone(),
            })
        }
        // Catalogue, calendar, roster, authorisations, revocations.
        (_, Role::County) => {}
        (_, _) => {
            return Err(Rejection::CatalogueNotCounty {
                origin: origin.clone(),
            })
        }
    }
    if !Scope::of(&op.entity).includes(receiver) {
        return Err(Rejection::OutOfScope {
            entity: op.entity.key(),
            receiver: receiver.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CaseId, Hlc, OpId};

    fn env(origin: &NodeId, entity: EntityId) -> Envelope {
        Envelope {
            id: OpId {
                origin: origin.clone(),
                seq: 1,
            },
            hlc: Hlc::default(),
            entity,
            body: vec![],
        }
    }

    #[test]
    fn a_township_may_send_only_its_own_cases() {
        let county = NodeId::county("HQ").unwrap();
        let t1 = NodeId::township("T01").unwrap();
        let t2 = NodeId::township("T02").unwrap();
        let own = EntityId::Case(CaseId::new("1", &t1, "20260101", 1));
        let other = EntityId::Case(CaseId::new("1", &t2, "20260101", 1));
        assert!(authorise(&t1, &county, &env(&t1, own)).is_ok());
        assert!(matches!(
            authorise(&t1, &county, &env(&t1, other)),
            Err(Rejection::ForeignCase { .. })
        ));
        assert!(matches!(
            authorise(&t1, &county, &env(&t1, EntityId::Matter("M1".into()))),
            Err(Rejection::CatalogueNotCounty { .. })
        ));
    }

    #[test]
    fn the_county_may_not_send_a_township_another_townships_case() {
        let county = NodeId::county("HQ").unwrap();
        let t1 = NodeId::township("T01").unwrap();
        let t2 = NodeId::township("T02").unwrap();
        let case = EntityId::Case(CaseId::new("1", &t2, "20260101", 1));
        assert!(matches!(
            authorise(&county, &t1, &env(&t2, case)),
            Err(Rejection::OutOfScope { .. })
        ));
    }
}
