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
use crate::domain::{Authorisation, CaseEvent, DaySetting, Matter, Staff};

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
        }
    }
}

impl std::fmt::Display for EntityId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

/// The typed content of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OpBody {
    /// An event in a case's grow-only history.
    Case(CaseEvent),
    /// A new version of a catalogue matter (county only).
    MatterPut(Matter),
    /// Certificates of `node` issued at or before `before_ms` are refused
    /// (county only).
    Revoke {
        node: NodeId,
        before_ms: i64,
        reason: String,
    },
    /// Calendar settings for these dates (county only).
    CalendarSet {
        dates: Vec<chrono::NaiveDate>,
        setting: DaySetting,
    },
    /// A staff record's new state, merged into the roster (county only).
    StaffPut(Staff),
    /// An authorisation's new state, merged (county only).
    Authorise(Authorisation),
}

/// A decoded operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: OpId,
    pub hlc: Hlc,
    pub entity: EntityId,
    pub body: OpBody,
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

    /// Decodes the body; fails for body variants newer than this build.
    pub fn body(&self) -> Result<OpBody, DecodeError> {
        postcard::from_bytes(&self.envelope.body).map_err(|e| DecodeError::Body(e.to_string()))
    }

    pub fn hash(&self) -> [u8; 32] {
        *blake3::hash(&self.bytes).as_bytes()
    }
}

impl Operation {
    /// The canonical encoding.
    pub fn encode(&self) -> EncodedOp {
        // Encoding owned, plain-data structs into a Vec cannot fail.
        let body = postcard::to_stdvec(&self.body).unwrap_or_default();
        let envelope = Envelope {
            id: self.id.clone(),
            hlc: self.hlc,
            entity: self.entity.clone(),
            body,
        };
        let mut bytes = vec![OP_FORMAT_V1];
        bytes.extend(postcard::to_stdvec(&envelope).unwrap_or_default());
        EncodedOp { envelope, bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Applicant, EventKind, Stamp};
    use crate::model::Personal;

    fn sample() -> Operation {
        let origin = NodeId::township("T01").unwrap();
        let case = CaseId::new("410000", &origin, "20261126", 7);
        let stamp = Stamp {
            hlc: Hlc::default(),
            op: OpId {
                origin: NodeId::county("HQ").unwrap(),
                seq: 1,
            },
        };
        Operation {
            id: OpId { origin, seq: 7 },
            hlc: Hlc {
                wall_ms: 1,
                logical: 0,
            },
            entity: EntityId::Case(case),
            body: OpBody::Case(CaseEvent::new(
                1,
                EventKind::Submitted {
                    matter: "M001".into(),
                    matter_version: stamp,
                    applicant: Applicant {
                        name: Personal::new("张三".into()),
                        id_number: Personal::new("410000199001011234".into()),
                        phone: Personal::new(String::new()),
                        address: Personal::new(String::new()),
                    },
                    materials: vec![],
                },
            )),
        }
    }

    #[test]
    fn encode_then_decode_gives_the_same_operation() {
        let op = sample();
        let enc = op.encode();
        let back = EncodedOp::decode(enc.bytes.clone()).unwrap();
        assert_eq!(back.id(), &op.id);
        assert_eq!(back.body().unwrap(), op.body);
    }

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
    fn an_unknown_body_still_has_a_readable_header() {
        let mut enc = sample().encode();
        enc.envelope.body = vec![200, 1, 2, 3];
        let mut bytes = vec![OP_FORMAT_V1];
        bytes.extend(postcard::to_stdvec(&enc.envelope).unwrap());
        let back = EncodedOp::decode(bytes).unwrap();
        assert_eq!(back.id().seq, 7);
        assert!(back.body().is_err());
    }
}
