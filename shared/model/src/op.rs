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

use serde::{Deserialize, Serialize};

use super::case::CaseId;
use super::hlc::Hlc;
use super::node::NodeId;

/// Leading byte of every encoded operation.
pub const OP_FORMAT_V1: u8 = 1;

/// Largest encoded operation accepted anywhere (a case event with its
/// applicant fields is about 1 KiB; attachments travel by reference).
pub const MAX_OP_BYTES: usize = 256 * 1024;

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
}

/// An operation as bytes with its decoded header. Cheap to clone around the
/// write path; `bytes` is the canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedOp {
    pub envelope: Envelope,
    pub bytes: Vec<u8>,
}

impl EncodedOp {
    /// Parses received bytes; only the header must be understood.
    pub fn decode(bytes: Vec<u8>) -> Result<Self, DecodeError> {
        if bytes.len() > MAX_OP_BYTES {
            return Err(DecodeError::TooLarge(bytes.len()));
        }
        match bytes.first() {
            None => return Err(DecodeError::Empty),
            Some(&OP_FORMAT_V1) => {}
            Some(&other) => return Err(DecodeError::UnknownFormat(other)),
        }
        let envelope: Envelope =
            postcard::from_bytes(&bytes[1..]).map_err(|e| DecodeError::Header(e.to_string()))?;
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
mod tests {
    use super::*;

    #[test]
    fn garbage_and_unknown_formats_are_typed_errors() {
        assert_eq!(EncodedOp::decode(vec![]), Err(DecodeError::Empty));
        assert_eq!(
            EncodedOp::decode(vec![9, 1, 2]),
            Err(DecodeError::UnknownFormat(9))
        );
        assert!(matches!(
            EncodedOp::decode(vec![OP_FORMAT_V1, 0xff, 0xff]),
            Err(DecodeError::Header(_))
        ));
    }

    #[test]
    fn a_header_built_from_parts_decodes_back() {
        let origin = NodeId::township("T01").unwrap();
        let id = OpId { origin, seq: 3 };
        let enc = EncodedOp::from_parts(id.clone(), Hlc::default(), EntityId::Calendar, vec![1, 2]);
        let back = EncodedOp::decode(enc.bytes.clone()).unwrap();
        assert_eq!(back.id(), &id);
        assert_eq!(back.envelope.body, vec![1, 2]);
    }
}
