//! The operation header as encoded, before anything in it is checked: the
//! same fields, variants and order as [`Envelope`], [`OpId`] and
//! [`EntityId`], so the bytes of an envelope decode here unchanged.
//! Converting a [`Header`] into an [`Envelope`] is the only way a received
//! header becomes one; it checks every node id and case number, then
//! [`EntityId::validate`]s the entity, and names the first bad field.
//!
//! A new [`EntityId`] variant is added here too, at the same position; the
//! test `every_entity_variant_decodes_through_the_wire_header` fails until
//! it is.

use serde::Deserialize;

use super::{EntityId, Envelope, FieldProblem, InvalidField, OpId};
use crate::case::{CaseId, CaseIdWire};
use crate::hlc::Hlc;
use crate::node::{NodeId, NodeIdWire};

/// [`Envelope`] as encoded.
#[derive(Deserialize)]
pub(super) struct Header {
    id: OpIdWire,
    hlc: Hlc,
    entity: EntityWire,
    body: Vec<u8>,
}

/// [`OpId`] as encoded.
#[derive(Deserialize)]
struct OpIdWire {
    origin: NodeIdWire,
    seq: u64,
}

/// [`EntityId`] as encoded: same variants, same order.
#[derive(Deserialize)]
enum EntityWire {
    Case(CaseIdWire),
    Matter(String),
    Revocation(NodeIdWire),
    Calendar,
    Staff(String),
    Authorisation(String),
    Routing(String),
    Credential(String),
    SealKey(String),
    Audit(NodeIdWire),
    Complaint(NodeIdWire, String),
    Assessment(String),
    Points(String, String),
    Enquiry(NodeIdWire, String),
}

impl TryFrom<Header> for Envelope {
    type Error = InvalidField;

    fn try_from(header: Header) -> Result<Envelope, InvalidField> {
        let Header {
            id: OpIdWire { origin, seq },
            hlc,
            entity,
            body,
        } = header;
        let origin = node("origin", origin)?;
        let entity = EntityId::try_from(entity)?;
        entity.validate()?;
        Ok(Envelope {
            id: OpId { origin, seq },
            hlc,
            entity,
            body,
        })
    }
}

impl TryFrom<EntityWire> for EntityId {
    type Error = InvalidField;

    fn try_from(entity: EntityWire) -> Result<EntityId, InvalidField> {
        Ok(match entity {
            EntityWire::Case(wire) => {
                let text = wire.text.clone();
                let id = CaseId::try_from(wire)
                    .map_err(|e| InvalidField::new("case id", &text, FieldProblem::CaseId(e)))?;
                EntityId::Case(id)
            }
            EntityWire::Matter(code) => EntityId::Matter(code),
            EntityWire::Revocation(wire) => EntityId::Revocation(node("revoked node", wire)?),
            EntityWire::Calendar => EntityId::Calendar,
            EntityWire::Staff(id) => EntityId::Staff(id),
            EntityWire::Authorisation(id) => EntityId::Authorisation(id),
            EntityWire::Routing(code) => EntityId::Routing(code),
            EntityWire::Credential(id) => EntityId::Credential(id),
            EntityWire::SealKey(id) => EntityId::SealKey(id),
            EntityWire::Audit(wire) => EntityId::Audit(node("audit node", wire)?),
            EntityWire::Complaint(wire, number) => {
                EntityId::Complaint(node("receiving centre", wire)?, number)
            }
            EntityWire::Assessment(period) => EntityId::Assessment(period),
            EntityWire::Points(staff, period) => EntityId::Points(staff, period),
            EntityWire::Enquiry(wire, number) => {
                EntityId::Enquiry(node("receiving centre", wire)?, number)
            }
        })
    }
}

fn node(field: &'static str, wire: NodeIdWire) -> Result<NodeId, InvalidField> {
    let name = wire.name.clone();
    NodeId::try_from(wire).map_err(|_| InvalidField::new(field, &name, FieldProblem::NodeName))
}
