//! Operations: the immutable unit of change that replicates.
//!
//! An operation has a global id `(origin node, origin seq)`, an HLC stamp,
//! the entity it touches and a typed body. Its canonical form is its encoded
//! bytes ([`EncodedOp`]); relays forward those bytes unchanged, and the store
//! keeps them with their hash.
//!
//! Encoding (format version 1): one leading format byte, then postcard of
//! [`Envelope`], whose `body` is itself postcard of [`OpBody`]. The header
//! (id, clock, entity) therefore decodes even when a newer node wrote a body
//! variant this build does not know: such an operation is still stored,
//! scoped and relayed, and its entity view marks the body as unknown.
//!
//! Invariant: a decoded header holds only strings that can be part of a
//! store key. [`EncodedOp::decode`] reads the header as encoded (`wire`,
//! nothing checked yet), then checks every node id and case number (see
//! [`CaseId::parse`]) and [`EntityId::validate`]s the entity: a matter code,
//! staff id or authorisation id is 1 to [`MAX_KEY_COMPONENT_BYTES`] bytes
//! with no control character. The first bad field is a
//! [`DecodeError::InvalidField`] naming it and its value, so a receiver
//! counts the operation as malformed. Operations a node builds itself
//! ([`EncodedOp::from_parts`]) are not checked here.

mod wire;

use serde::{Deserialize, Serialize};

use super::case::{CaseId, CaseIdError};
use super::hlc::Hlc;
use super::node::NodeId;

/// Leading byte of every encoded operation.
pub const OP_FORMAT_V1: u8 = 1;

/// Largest encoded operation accepted anywhere (a case event with its
/// applicant fields is about 1 KiB; attachments travel by reference).
pub const MAX_OP_BYTES: usize = 256 * 1024;

/// Longest matter code, staff id or authorisation id, in bytes (each is part
/// of store keys; case numbers have their own limit,
/// [`crate::case::MAX_CASE_ID_BYTES`]).
pub const MAX_KEY_COMPONENT_BYTES: usize = 64;

/// Global id of an operation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct OpId {
    pub origin: NodeId,
    pub seq: u64,
}

impl std::fmt::Display for OpId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.origin, self.seq)
    }
}

/// What an operation is about. Scope is decided per entity.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum EntityId {
    /// A citizen's case (办件).
    Case(CaseId),
    /// A catalogue matter (事项) by its code.
    Matter(String),
    /// The revocation record of one node's certificates (county data).
    Revocation(NodeId),
    /// The county's working-day calendar (one entity).
    Calendar,
    /// A staff member of the public roster, by staff id.
    Staff(String),
    /// A chief-representative authorisation (授权书), by its id.
    Authorisation(String),
    /// The routing rule of one matter (county data), by matter code.
    Routing(String),
    /// A staff member's sign-in credential, by staff id: county data that
    /// goes only to the centres the credential names (and the county).
    Credential(String),
    /// A chief representative's public seal keys, by staff id (public roster).
    SealKey(String),
    /// One node's audit log (append-only; goes to the county).
    Audit(NodeId),
    /// A complaint (投诉) received at a centre, by that centre and its
    /// number there: goes to the receiving centre and the county
    /// (e-supervision); never deleted.
    Complaint(NodeId, String),
    /// The hall's assessment (考核) of its staff for one period (`2026`,
    /// `2026-Q4`, `2026-12`): county data, held by the county only.
    Assessment(String),
    /// A staff member's incentive points for one period, by staff id and
    /// period: a counter, county data held by the county only.
    Points(String, String),
    /// A first-asked enquiry (首问负责) recorded at a centre, by that centre
    /// and its number there: goes to that centre and the county.
    Enquiry(NodeId, String),
}

impl EntityId {
    /// A stable, printable key (used in store keys and digests).
    pub fn key(&self) -> String {
        match self {
            EntityId::Case(id) => format!("case/{id}"),
            EntityId::Matter(code) => format!("matter/{code}"),
            EntityId::Revocation(node) => format!("revocation/{node}"),
            EntityId::Calendar => "calendar/county".to_string(),
            EntityId::Staff(id) => format!("staff/{id}"),
            EntityId::Authorisation(id) => format!("authorisation/{id}"),
            EntityId::Routing(code) => format!("routing/{code}"),
            EntityId::Credential(id) => format!("credential/{id}"),
            EntityId::SealKey(id) => format!("sealkey/{id}"),
            EntityId::Audit(node) => format!("audit/{node}"),
            EntityId::Complaint(centre, number) => format!("complaint/{centre}/{number}"),
            EntityId::Assessment(period) => format!("assessment/{period}"),
            EntityId::Points(staff, period) => format!("points/{staff}/{period}"),
            EntityId::Enquiry(centre, number) => format!("enquiry/{centre}/{number}"),
        }
    }

    /// Checks that every string of the entity can be part of a store key:
    /// a case number is well formed and names its accepting centre; a
    /// matter code, staff id or authorisation id is 1 to
    /// [`MAX_KEY_COMPONENT_BYTES`] bytes without control characters. (A
    /// [`NodeId`] is valid by construction.)
    pub fn validate(&self) -> Result<(), InvalidField> {
        match self {
            EntityId::Case(id) => match CaseId::parse(id.as_str(), id.origin()) {
                Ok(_) => Ok(()),
                Err(e) => Err(InvalidField::new(
                    "case id",
                    id.as_str(),
                    FieldProblem::CaseId(e),
                )),
            },
            EntityId::Matter(code) => key_component("matter code", code),
            EntityId::Staff(id) => key_component("staff id", id),
            EntityId::Authorisation(id) => key_component("authorisation id", id),
            EntityId::Routing(code) => key_component("matter code", code),
            EntityId::Credential(id) | EntityId::SealKey(id) => key_component("staff id", id),
            EntityId::Complaint(_, number) => key_component("complaint number", number),
            EntityId::Enquiry(_, number) => key_component("enquiry number", number),
            EntityId::Assessment(period) => period_component(period),
            EntityId::Points(staff, period) => {
                key_component("staff id", staff)?;
                period_component(period)
            }
            EntityId::Revocation(_) | EntityId::Calendar | EntityId::Audit(_) => Ok(()),
        }
    }
}

/// Checks a period (`2026`, `2026-Q4`, `2026-12`): a key component with no
/// `/`, since it ends a key that other components precede.
fn period_component(period: &str) -> Result<(), InvalidField> {
    key_component("period", period)?;
    if period.contains('/') {
        return Err(InvalidField::new("period", period, FieldProblem::Slash));
    }
    Ok(())
}

/// Checks one string that becomes part of a store key.
fn key_component(field: &'static str, value: &str) -> Result<(), InvalidField> {
    let problem = if value.is_empty() {
        FieldProblem::Empty
    } else if value.len() > MAX_KEY_COMPONENT_BYTES {
        FieldProblem::TooLong {
            len: value.len(),
            max: MAX_KEY_COMPONENT_BYTES,
        }
    } else if value.chars().any(char::is_control) {
        FieldProblem::ControlCharacter
    } else {
        return Ok(());
    };
    Err(InvalidField::new(field, value, problem))
}

/// What is wrong with a header field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldProblem {
    #[error("it is empty")]
    Empty,
    #[error("it is {len} bytes, over the {max}-byte limit")]
    TooLong { len: usize, max: usize },
    #[error("it contains a control character")]
    ControlCharacter,
    #[error("a node name is 1-32 characters from A-Z, a-z, 0-9, `_`")]
    NodeName,
    #[error("it contains `/`")]
    Slash,
    #[error(transparent)]
    CaseId(CaseIdError),
}

/// A header field that cannot become part of a store key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {value:?}: {problem}")]
pub struct InvalidField {
    /// Which field: `origin`, `case id`, `matter code`, `staff id`,
    /// `authorisation id`, `revoked node`.
    pub field: &'static str,
    /// The value as received (its first [`InvalidField::MAX_SHOWN`]
    /// characters when longer).
    pub value: String,
    pub problem: FieldProblem,
}

impl InvalidField {
    /// Characters of a bad value kept in the error.
    pub const MAX_SHOWN: usize = 80;

    fn new(field: &'static str, value: &str, problem: FieldProblem) -> InvalidField {
        InvalidField {
            field,
            value: value.chars().take(Self::MAX_SHOWN).collect(),
            problem,
        }
    }
}

impl std::fmt::Display for EntityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// The header fields every build can read, plus the body bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    pub id: OpId,
    pub hlc: Hlc,
    pub entity: EntityId,
    pub body: Vec<u8>,
}

/// Why bytes are not an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("empty operation")]
    Empty,
    #[error("operation format {0} is newer than this build understands; upgrade the node")]
    UnknownFormat(u8),
    #[error("operation of {0} bytes exceeds the {MAX_OP_BYTES}-byte limit")]
    TooLarge(usize),
    #[error("malformed operation header: {0}")]
    Header(String),
    #[error("malformed operation body: {0}")]
    Body(String),
    /// A string of the header cannot be part of a store key.
    #[error("malformed operation header: {0}")]
    InvalidField(#[from] InvalidField),
}

/// An operation as bytes with its decoded header. Cheap to clone around the
/// write path; `bytes` is the canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedOp {
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
}

impl EncodedOp {
    /// Parses received bytes; only the header must be understood, and every
    /// string in it must be able to be part of a store key.
    pub fn decode(bytes: Vec<u8>) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_OP_BYTES {
            return Err(DecodeError::TooLarge(bytes.len()));
        }
        match bytes.first() {
            None => return Err(DecodeError::Empty),
            Some(&OP_FORMAT_V1) => {}
            Some(&other) => return Err(DecodeError::UnknownFormat(other)),
        }
        let header: wire::Header =
            postcard::from_bytes(&bytes[1..]).map_err(|e| DecodeError::Header(e.to_string()))?;
        let envelope = Envelope::try_from(header)?;
        Ok(EncodedOp { envelope, bytes })
    }

    pub fn id(&self) -> &OpId {
        &self.envelope.id
    }

    pub fn entity(&self) -> &EntityId {
        &self.envelope.entity
    }

    pub fn hash(&self) -> [u8; 32] {
        *blake3::hash(&self.bytes).as_bytes()
    }

    /// Encodes a header and already-encoded body bytes (the body's own
    /// encoding belongs to the domain, which knows its variants).
    pub fn from_parts(id: OpId, hlc: Hlc, entity: EntityId, body: Vec<u8>) -> EncodedOp {
        let envelope = Envelope {
            id,
            hlc,
            entity,
            body,
        };
        let mut bytes = vec![OP_FORMAT_V1];
        // Encoding owned, plain-data structs into a Vec cannot fail.
        bytes.extend(postcard::to_stdvec(&envelope).unwrap_or_default());
        EncodedOp { envelope, bytes }
    }
}

#[cfg(test)]
mod tests;
