//! The encoding of [`OpBody`]: a wire enum whose variant indices are fixed
//! forever (postcard writes a variant as its index). Indices 0–6 are the
//! bodies as they were first encoded; new ones are only ever appended.
//!
//! | index | variant | carries |
//! |-------|---------|---------|
//! | 0 | `Case` | a case event without recorder and seal, in its first layout |
//! | 1–3 | `MatterPut`, `Revoke`, `CalendarSet` | unchanged |
//! | 4 | `StaffPut` | a roster entry whose centres were never set ([`LegacyStaff`]) |
//! | 5–6 | `Authorise`, `RoutingSet` | unchanged |
//! | 7 | `CaseRecorded` | a case event with a recorder or a seal |
//! | 8 | `StaffPutCentres` | a roster entry with centres |
//! | 9 | `CredentialSet` | a sign-in credential |
//! | 10 | `SealKeyPut` | a public seal key |
//! | 11 | `Audit` | an audit line |
//! | 12 | `CaseIdentified` | a submission whose applicant has another document, a legal representative or an agent: the event (applicant in its first layout) and the [`ApplicantIdentity`] beside it |
//! | 13 | `Complaint` | a complaint's receipt or answer ([`ComplaintEvent`]) |
//! | 14 | `AssessmentPut` | an assessment of one period ([`Assessment`]) |
//! | 15 | `PointsAdd` | an incentive-point entry ([`PointsEntry`]) |
//! | 16 | `EnquiryRecorded` | a first-asked enquiry ([`Enquiry`]) |
//!
//! Decoding refuses a 7 or an 8 that the old layout could have said (no
//! recorder and no seal; centres unset), and a 12 whose identity the first
//! layout says (resident ID, nobody else) or that is not a submission, so
//! every body has one encoding and re-encoding a decoded body gives back
//! its bytes.

use serde::{Deserialize, Serialize};

use super::OpBody;
use crate::assessment::{Assessment, PointsEntry};
use crate::authorisation::Authorisation;
use crate::calendar::DaySetting;
use crate::complaint::ComplaintEvent;
use crate::credential::{AuditEntry, Credential, SealKey};
use crate::enquiry::Enquiry;
use crate::event::{ApplicantIdentity, CaseEvent, EventKind};
use crate::matter::Matter;
use crate::routing::RoutingRule;
use crate::staff::{LegacyStaff, Staff};
use liandong_model::{NodeId, OpId};

/// A case event in its first layout (no recorder, no seal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct CaseEventV1 {
    at_ms: u64,
    supersedes: Option<OpId>,
    kind: EventKind,
}

/// [`OpBody`] as encoded. The order of the variants is the encoding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum OpBodyWire {
    Case(CaseEventV1),
    MatterPut(Matter),
    Revoke {
        node: NodeId,
        before_ms: i64,
        reason: String,
    },
    CalendarSet {
        dates: Vec<chrono::NaiveDate>,
        setting: DaySetting,
    },
    StaffPut(LegacyStaff),
    Authorise(Authorisation),
    RoutingSet(RoutingRule),
    CaseRecorded(CaseEvent),
    StaffPutCentres(Staff),
    CredentialSet(Credential),
    SealKeyPut(SealKey),
    Audit(AuditEntry),
    CaseIdentified {
        event: CaseEvent,
        identity: ApplicantIdentity,
    },
    Complaint(ComplaintEvent),
    AssessmentPut(Assessment),
    PointsAdd(PointsEntry),
    EnquiryRecorded(Enquiry),
}

/// A body encoded in a new-layout variant that the old layout could carry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(super) enum NonCanonical {
    #[error("a case event without recorder and seal must use the first case layout")]
    Case,
    #[error("a roster entry without centres must use the first roster layout")]
    Staff,
    #[error("an applicant identity must be a submission's, and say more than the first layout")]
    Identity,
}

impl From<OpBody> for OpBodyWire {
    fn from(body: OpBody) -> Self {
        match body {
            OpBody::Case(mut event) if identified(&event) => {
                let identity = match &mut event.kind {
                    EventKind::Submitted { applicant, .. } => applicant.take_identity(),
                    _ => ApplicantIdentity::default(),
                };
                OpBodyWire::CaseIdentified { event, identity }
            }
            OpBody::Case(event) if event.recorder.is_none() && event.seal.is_none() => {
                OpBodyWire::Case(CaseEventV1 {
                    at_ms: event.at_ms,
                    supersedes: event.supersedes,
                    kind: event.kind,
                })
            }
            OpBody::Case(event) => OpBodyWire::CaseRecorded(event),
            OpBody::MatterPut(m) => OpBodyWire::MatterPut(m),
            OpBody::Revoke {
                node,
                before_ms,
                reason,
            } => OpBodyWire::Revoke {
                node,
                before_ms,
                reason,
            },
            OpBody::CalendarSet { dates, setting } => OpBodyWire::CalendarSet { dates, setting },
            OpBody::StaffPut(staff) => match staff.legacy() {
                Some(old) => OpBodyWire::StaffPut(old),
                None => OpBodyWire::StaffPutCentres(staff),
            },
            OpBody::Authorise(a) => OpBodyWire::Authorise(a),
            OpBody::RoutingSet(r) => OpBodyWire::RoutingSet(r),
            OpBody::CredentialSet(c) => OpBodyWire::CredentialSet(c),
            OpBody::SealKeyPut(k) => OpBodyWire::SealKeyPut(k),
            OpBody::Audit(a) => OpBodyWire::Audit(a),
            OpBody::Complaint(c) => OpBodyWire::Complaint(c),
            OpBody::AssessmentPut(a) => OpBodyWire::AssessmentPut(a),
            OpBody::PointsAdd(p) => OpBodyWire::PointsAdd(p),
            OpBody::EnquiryRecorded(e) => OpBodyWire::EnquiryRecorded(e),
        }
    }
}

impl TryFrom<OpBodyWire> for OpBody {
    type Error = NonCanonical;

    fn try_from(wire: OpBodyWire) -> Result<Self, Self::Error> {
        Ok(match wire {
            OpBodyWire::Case(old) => OpBody::Case(CaseEvent {
                at_ms: old.at_ms,
                supersedes: old.supersedes,
                kind: old.kind,
                recorder: None,
                seal: None,
            }),
            OpBodyWire::CaseRecorded(event) => {
                if event.recorder.is_none() && event.seal.is_none() {
                    return Err(NonCanonical::Case);
                }
                OpBody::Case(event)
            }
            OpBodyWire::CaseIdentified {
                mut event,
                identity,
            } => {
                match &mut event.kind {
                    EventKind::Submitted { applicant, .. } if !identity.is_default() => {
                        applicant.set_identity(identity)
                    }
                    _ => return Err(NonCanonical::Identity),
                }
                OpBody::Case(event)
            }
            OpBodyWire::MatterPut(m) => OpBody::MatterPut(m),
            OpBodyWire::Revoke {
                node,
                before_ms,
                reason,
            } => OpBody::Revoke {
                node,
                before_ms,
                reason,
            },
            OpBodyWire::CalendarSet { dates, setting } => OpBody::CalendarSet { dates, setting },
            OpBodyWire::StaffPut(old) => OpBody::StaffPut(Staff::from(old)),
            OpBodyWire::StaffPutCentres(staff) => {
                if staff.centres_are_unset() {
                    return Err(NonCanonical::Staff);
                }
                OpBody::StaffPut(staff)
            }
            OpBodyWire::Authorise(a) => OpBody::Authorise(a),
            OpBodyWire::RoutingSet(r) => OpBody::RoutingSet(r),
            OpBodyWire::CredentialSet(c) => OpBody::CredentialSet(c),
            OpBodyWire::SealKeyPut(k) => OpBody::SealKeyPut(k),
            OpBodyWire::Audit(a) => OpBody::Audit(a),
            OpBodyWire::Complaint(c) => OpBody::Complaint(c),
            OpBodyWire::AssessmentPut(a) => OpBody::AssessmentPut(a),
            OpBodyWire::PointsAdd(p) => OpBody::PointsAdd(p),
            OpBodyWire::EnquiryRecorded(e) => OpBody::EnquiryRecorded(e),
        })
    }
}

/// A submission whose applicant the first layout cannot say.
fn identified(event: &CaseEvent) -> bool {
    matches!(&event.kind, EventKind::Submitted { applicant, .. } if !applicant.has_first_layout())
}
