//! Operation bodies: the typed content of an operation, and its encoding.
//!
//! The model knows an operation's header ([`Envelope`]: id, clock, entity)
//! and carries its body as bytes; what those bytes say is the domain's. The
//! body is postcard of [`OpBody`], so a body variant newer than this build
//! fails to decode here while its header still reads everywhere: such an
//! operation is still stored, scoped and relayed.

use serde::{Deserialize, Serialize};

use liandong_model::{DecodeError, EncodedOp, EntityId, Envelope, Hlc, NodeId, OpId};

use crate::authorisation::Authorisation;
use crate::calendar::DaySetting;
use crate::event::CaseEvent;
use crate::matter::Matter;
use crate::routing::RoutingRule;
use crate::staff::Staff;

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
    /// A matter's routing rule, last writer wins (county only).
    RoutingSet(RoutingRule),
}

/// A decoded operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub id: OpId,
    pub hlc: Hlc,
    pub entity: EntityId,
    pub body: OpBody,
}

impl Operation {
    /// The canonical encoding.
    pub fn encode(&self) -> EncodedOp {
        // Encoding owned, plain-data structs into a Vec cannot fail.
        let body = postcard::to_stdvec(&self.body).unwrap_or_default();
        EncodedOp::from_parts(self.id.clone(), self.hlc, self.entity.clone(), body)
    }
}

/// Decoding an operation's body, for whatever carries an [`Envelope`].
pub trait DecodeBody {
    /// Decodes the body; fails for body variants newer than this build.
    fn body(&self) -> Result<OpBody, DecodeError>;
}

impl DecodeBody for Envelope {
    fn body(&self) -> Result<OpBody, DecodeError> {
        postcard::from_bytes(&self.body).map_err(|e| DecodeError::Body(e.to_string()))
    }
}

impl DecodeBody for EncodedOp {
    fn body(&self) -> Result<OpBody, DecodeError> {
        self.envelope.body()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Stamp;
    use crate::event::{Applicant, EventKind};
    use liandong_model::{CaseId, Hlc, NodeId, Personal, OP_FORMAT_V1};

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
