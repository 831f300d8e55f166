//! Operation bodies: the typed content of an operation, and its encoding.
//!
//! The model knows an operation's header ([`Envelope`]: id, clock, entity)
//! and carries its body as bytes; what those bytes say is the domain's. The
//! body is postcard of [`OpBody`], so a body variant newer than this build
//! fails to decode here while its header still reads everywhere: such an
//! operation is still stored, scoped and relayed.
//!
//! [`OpBody`] is (de)serialised through a private wire enum (`wire`), whose
//! variant indices and layouts are the encoding. Old bodies keep their
//! bytes, so the hashes of operations already written do not change: a case
//! event without recorder and seal is encoded as before (variant 0, the
//! three old fields), and so is a roster entry whose centres were never set
//! (variant 4), and a submission's applicant with a resident ID, applying
//! in person, keeps its four old fields. Events with a recorder or a seal,
//! entries with centres, the credential, seal-key and audit bodies, and
//! submissions whose applicant has another document, a legal
//! representative or an agent are variants appended after the old ones, and
//! so are the complaint, assessment, incentive-point and enquiry bodies.
//! Each body has exactly one encoding: a new-layout variant
//! carrying what the old layout can say is refused on decode.

mod wire;

use serde::{Deserialize, Serialize};

use liandong_model::{DecodeError, EncodedOp, EntityId, Envelope, Hlc, NodeId, OpId};

use crate::assessment::{Assessment, PointsEntry};
use crate::authorisation::Authorisation;
use crate::calendar::DaySetting;
use crate::complaint::ComplaintEvent;
use crate::credential::{AuditEntry, Credential, SealKey};
use crate::enquiry::Enquiry;
use crate::event::CaseEvent;
use crate::matter::Matter;
use crate::routing::RoutingRule;
use crate::staff::Staff;

/// The typed content of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "wire::OpBodyWire", try_from = "wire::OpBodyWire")]
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
    /// A staff member's sign-in credential, last writer wins.
    CredentialSet(Credential),
    /// A chief representative's public seal key.
    SealKeyPut(SealKey),
    /// One line of a node's audit log.
    Audit(AuditEntry),
    /// An event of a complaint (投诉): its receipt at a centre, or
    /// e-supervision's answer.
    Complaint(ComplaintEvent),
    /// Hall management's assessment of one period, replacing the last
    /// version (county only).
    AssessmentPut(Assessment),
    /// Incentive points added to (or taken off) one person in one period
    /// (county only).
    PointsAdd(PointsEntry),
    /// A first-asked enquiry (首问负责) as recorded where it was asked.
    EnquiryRecorded(Enquiry),
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
mod tests;
