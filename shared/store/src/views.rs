//! Materialised views: what each entity's operations fold into, kept by the
//! write path so reads need no replay. Every view is a CRDT state (or a
//! grow-only set) updated by merging each new operation in, so the view is
//! a function of the operation set whatever the arrival order; the store
//! applies each operation once (dedup by op id).
//!
//! | entity        | view                                                  |
//! |---------------|-------------------------------------------------------|
//! | case          | none kept: [`StoredCase`] (the grow-only event set) is read from the entity index and the operations, so a case event's bytes are stored once; status, clock and warnings are folded at read time (they depend on the calendar, the catalogue and now) |
//! | matter        | [`CatalogueEntry`]: every version, current by (HLC, op id) |
//! | calendar      | [`Calendar`]: one LWW register per date                |
//! | staff         | [`Staff`]: merged roster record                        |
//! | authorisation | [`Authorisation`]: merged grant (earliest revocation)  |
//! | revocation    | [`RevocationView`]: latest instant named               |
//! | routing       | [`RoutingEntry`]: the latest rule by (HLC, op id)      |
//! | credential    | [`CredentialEntry`]: the latest credential by (HLC, op id) |
//! | seal key      | [`SealKeys`]: every public key a staff member had (grow-only) |
//! | audit         | none kept: lines are read from the entity index, like a case |
//! | complaint     | [`ComplaintView`]: its id and every event (grow-only: never deleted), folded at read time |
//! | assessment    | [`AssessmentEntry`]: the latest version by (HLC, op id) |
//! | points        | [`Points`]: a `PNCounter` (one actor per entry) and the entries |
//! | enquiry       | [`EnquiryView`]: its id and every record (one expected; more are an anomaly) |

use liandong_domain::DecodeBody;
use serde::{Deserialize, Serialize};

use super::{decode, encode, StoreError};
use liandong_domain::assessment::{AssessmentEntry, Points};
use liandong_domain::complaint::ComplaintEvent;
use liandong_domain::enquiry::Enquiry;
use liandong_domain::OpBody;
use liandong_domain::{
    Authorisation, Calendar, CaseRecord, CatalogueEntry, Credential, RoutingEntry, SealKey, Staff,
    Stamp,
};
use liandong_model::{CaseId, EncodedOp, EntityId, NodeId, OpId};

/// A case as stored: its number and its event set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCase {
    pub id: CaseId,
    pub record: CaseRecord,
    /// Operations whose body this build cannot read (a newer node wrote them).
    pub unknown_events: u32,
}

/// Revocations of one node: the latest instant named wins (grow-only max).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevocationView {
    pub before_ms: i64,
    pub reasons: Vec<String>,
}

/// A staff member's credential: the latest by stamp wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialEntry {
    pub credential: Credential,
    pub stamp: Stamp,
}

/// A staff member's public seal keys by key id (old decisions verify
/// against the key they were sealed with).
pub type SealKeys = std::collections::BTreeMap<String, SealKey>;

/// A complaint as held: its id and every event that arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintView {
    pub centre: NodeId,
    pub number: String,
    pub events: std::collections::BTreeMap<OpId, ComplaintEvent>,
}

/// An enquiry as held: its id and every record that arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnquiryView {
    pub centre: NodeId,
    pub number: String,
    pub records: std::collections::BTreeMap<OpId, Enquiry>,
}

/// One entity's view while a batch is applied.
#[derive(Debug, Clone)]
pub(super) enum View {
    Matter(Option<CatalogueEntry>),
    Revocation(RevocationView),
    Calendar(Calendar),
    Staff(Option<Staff>),
    Authorisation(Option<Authorisation>),
    Routing(Option<RoutingEntry>),
    Credential(Option<CredentialEntry>),
    SealKeys(SealKeys),
    Complaint(ComplaintView),
    Assessment(Option<AssessmentEntry>),
    Points(Points),
    Enquiry(EnquiryView),
}

impl View {
    /// The stored view of `entity`, or an empty one. Cases have no view
    /// (the write path never asks for one).
    pub(super) fn load(entity: &EntityId, stored: Option<&[u8]>) -> Result<View, StoreError> {
        let Some(bytes) = stored else {
            let view = match entity {
                EntityId::Case(_) | EntityId::Matter(_) | EntityId::Audit(_) => View::Matter(None),
                EntityId::Credential(_) => View::Credential(None),
                EntityId::SealKey(_) => View::SealKeys(SealKeys::new()),
                EntityId::Revocation(_) => View::Revocation(RevocationView::default()),
                EntityId::Calendar => View::Calendar(Calendar::new()),
                EntityId::Staff(_) => View::Staff(None),
                EntityId::Authorisation(_) => View::Authorisation(None),
                EntityId::Routing(_) => View::Routing(None),
                EntityId::Complaint(centre, number) => View::Complaint(ComplaintView {
                    centre: centre.clone(),
                    number: number.clone(),
                    events: Default::default(),
                }),
                EntityId::Assessment(_) => View::Assessment(None),
                EntityId::Points(..) => View::Points(Points::default()),
                EntityId::Enquiry(centre, number) => View::Enquiry(EnquiryView {
                    centre: centre.clone(),
                    number: number.clone(),
                    records: Default::default(),
                }),
            };
            return Ok(view);
        };
        let view = match entity {
            EntityId::Case(_) | EntityId::Matter(_) | EntityId::Audit(_) => {
                View::Matter(decode("matter", bytes)?)
            }
            EntityId::Credential(_) => View::Credential(decode("credential", bytes)?),
            EntityId::SealKey(_) => View::SealKeys(decode("seal keys", bytes)?),
            EntityId::Revocation(_) => View::Revocation(decode("revocation", bytes)?),
            EntityId::Calendar => View::Calendar(decode("calendar", bytes)?),
            EntityId::Staff(_) => View::Staff(super::decode_staff(bytes)?),
            EntityId::Authorisation(_) => View::Authorisation(decode("authorisation", bytes)?),
            EntityId::Routing(_) => View::Routing(decode("routing rule", bytes)?),
            EntityId::Complaint(..) => View::Complaint(decode("complaint", bytes)?),
            EntityId::Assessment(_) => View::Assessment(decode("assessment", bytes)?),
            EntityId::Points(..) => View::Points(decode("incentive points", bytes)?),
            EntityId::Enquiry(..) => View::Enquiry(decode("enquiry", bytes)?),
        };
        Ok(view)
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        match self {
            View::Matter(v) => encode(v),
            View::Revocation(v) => encode(v),
            View::Calendar(v) => encode(v),
            View::Staff(v) => encode(v),
            View::Authorisation(v) => encode(v),
            View::Routing(v) => encode(v),
            View::Credential(v) => encode(v),
            View::SealKeys(v) => encode(v),
            View::Complaint(v) => encode(v),
            View::Assessment(v) => encode(v),
            View::Points(v) => encode(v),
            View::Enquiry(v) => encode(v),
        }
    }

    /// Merges one operation in. A body that does not fit the entity (or
    /// that this build cannot read) changes nothing.
    pub(super) fn absorb(&mut self, op: &EncodedOp) {
        let stamp = Stamp {
            hlc: op.envelope.hlc,
            op: op.id().clone(),
        };
        match (self, op.body().ok()) {
            (View::Matter(entry), Some(OpBody::MatterPut(matter))) => match entry {
                Some(e) => e.put(matter, stamp),
                None => *entry = Some(CatalogueEntry::new(matter, stamp)),
            },
            (
                View::Revocation(v),
                Some(OpBody::Revoke {
                    before_ms, reason, ..
                }),
            ) => {
                v.before_ms = v.before_ms.max(before_ms);
                v.reasons.push(reason);
                v.reasons.sort();
            }
            (View::Calendar(cal), Some(OpBody::CalendarSet { dates, setting })) => {
                for date in dates {
                    cal.set(date, setting, stamp.clone());
                }
            }
            (View::Staff(slot), Some(OpBody::StaffPut(staff))) => match slot {
                Some(s) => s.merge_from(&staff),
                None => *slot = Some(staff),
            },
            (View::Authorisation(slot), Some(OpBody::Authorise(grant))) => match slot {
                Some(a) => a.merge_from(&grant),
                None => *slot = Some(grant),
            },
            (View::Routing(slot), Some(OpBody::RoutingSet(rule))) => match slot {
                Some(r) => r.put(rule, stamp),
                None => *slot = Some(RoutingEntry { rule, stamp }),
            },
            (View::Credential(slot), Some(OpBody::CredentialSet(credential))) => match slot {
                Some(e) if e.stamp >= stamp => {}
                _ => *slot = Some(CredentialEntry { credential, stamp }),
            },
            (View::SealKeys(keys), Some(OpBody::SealKeyPut(key))) => {
                keys.entry(key.key_id.clone()).or_insert(key);
            }
            (View::Complaint(v), Some(OpBody::Complaint(event))) => {
                v.events.entry(op.id().clone()).or_insert(event);
            }
            (View::Assessment(slot), Some(OpBody::AssessmentPut(a))) => match slot {
                Some(e) => e.put(a, stamp),
                None => {
                    *slot = Some(AssessmentEntry {
                        assessment: a,
                        stamp,
                    })
                }
            },
            (View::Points(points), Some(OpBody::PointsAdd(entry))) => {
                points.absorb(op.id(), entry);
            }
            (View::Enquiry(v), Some(OpBody::EnquiryRecorded(record))) => {
                v.records.entry(op.id().clone()).or_insert(record);
            }
            _ => {}
        }
    }
}
