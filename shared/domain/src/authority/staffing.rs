//! The rows of the authority table for complaints and first-asked
//! enquiries, the entities a centre originates besides its cases:
//!
//! | origin (not the county) | entity | may write |
//! |---|---|---|
//! | the centre named in the id | its complaint | the receipt only (answers are e-supervision's, at the county) |
//! | the centre named in the id | its enquiry | the enquiry record |
//! | anyone else | complaints, enquiries | nothing |
//!
//! A body this build cannot read is judged by its header: the centre named
//! in the id passes (as for its own case), anyone else is refused.
//! Assessments and incentive points are county data (the main table).

use crate::complaint::ComplaintKind;
use crate::op::OpBody;
use liandong_model::{EntityId, NodeId, Rejection};

/// `None`: not a complaint or an enquiry (the caller's table decides).
pub(super) fn staffing_data(
    origin: &NodeId,
    entity: &EntityId,
    body: Option<&OpBody>,
) -> Option<Result<(), Rejection>> {
    let refuse = |what: &'static str| {
        Err(Rejection::CountyOnly {
            origin: origin.clone(),
            what,
        })
    };
    Some(match entity {
        EntityId::Complaint(centre, _) => {
            if centre != origin {
                return Some(refuse("complaints received at another centre"));
            }
            match body {
                Some(OpBody::Complaint(e)) => match e.kind {
                    ComplaintKind::Received { .. } => Ok(()),
                    ComplaintKind::Answered { .. } => refuse("answers to complaints"),
                },
                None => Ok(()),
                Some(_) => refuse("anything but complaint events on a complaint"),
            }
        }
        EntityId::Enquiry(centre, _) => {
            if centre != origin {
                return Some(refuse("enquiries recorded at another centre"));
            }
            match body {
                Some(OpBody::EnquiryRecorded(_)) | None => Ok(()),
                Some(_) => refuse("anything but an enquiry record on an enquiry"),
            }
        }
        _ => return None,
    })
}
