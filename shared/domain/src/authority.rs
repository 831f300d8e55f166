//! Who may originate what: the one table every received operation is
//! checked against (DESIGN.md "Security"), and which events widen a case's
//! scope.
//!
//! The receiver checks each operation by what it says — the sender's
//! certificate identity, the operation's origin, the entity and the event
//! kind — against what it already holds ([`Holdings`]: the case's scope
//! members, the authorisations and the roster). The table:
//!
//! | origin   | entity                                  | may write |
//! |----------|-----------------------------------------|-----------|
//! | county   | anything                                | everything (the hall coordinates; e-supervision is its own) |
//! | township | its own case (the number names it)      | every event but supervision events and appeal decisions |
//! | township | a case it was asked for an opinion on   | its own opinion (and a retraction of it) |
//! | bridge   | a case routed to its department         | its department's opinions, supplement requests, evaluation appeals, special procedures and decisions — a decision only under an authorisation of that department covering the case's matter, held by the staff member who decides, valid at the decision's time |
//! | a centre | a complaint or an enquiry its id names | the complaint's receipt, the enquiry record (`staffing`) |
//! | anyone but the county | catalogue, calendar, roster, authorisations, revocations, routing rules, assessments, incentive points | nothing |
//!
//! A township or bridge sends only what it originated (it never relays);
//! the county relays, and a relay cannot widen what the origin may do. A
//! non-county origin may retract only its own events. An operation whose
//! body this build cannot read is judged by its header alone: a case's own
//! centre and the county pass, everyone else is refused (what it says
//! cannot be checked).
//!
//! Staff events written at a township are not in the table yet: today the
//! roster is county data.

use std::collections::BTreeSet;

use crate::authorisation::{AuthScope, Authorisation, Power};
use crate::calendar::cst_date;
use crate::event::{CaseEvent, EventKind, Reviewer};
use crate::op::OpBody;
use liandong_model::{EntityId, NodeId, OpId, Rejection, Role};

/// What the receiver holds that the table reads.
pub trait Holdings {
    /// The nodes a case's routing events named, beyond its base scope.
    fn members(&self, case: &EntityId) -> BTreeSet<NodeId>;
    /// The matter code of a case's application, when held.
    fn case_matter(&self, case: &EntityId) -> Option<String>;
    /// An authorisation on file, by id.
    fn authorisation(&self, id: &str) -> Option<Authorisation>;
    /// A staff member's department, from the roster.
    fn staff_department(&self, staff: &str) -> Option<String>;
}

/// The nodes an operation adds to its entity's scope: for a case, the
/// routed department's bridge or the township asked for an opinion; for a
/// credential, the centres it names.
pub fn scope_growth(entity: &EntityId, body: &OpBody) -> Vec<NodeId> {
    if let (EntityId::Credential(_), OpBody::CredentialSet(c)) = (entity, body) {
        // A credential goes to the centres it names: townships by name, a
        // department's bridge in full (`bridge/D03`).
        return c
            .centres
            .iter()
            .filter_map(|n| match n.contains('/') {
                true => n.parse().ok(),
                false => NodeId::township(n).ok(),
            })
            .collect();
    }
    let (EntityId::Case(_), OpBody::Case(event)) = (entity, body) else {
        return Vec::new();
    };
    let grows = match &event.kind {
        EventKind::RoutedToDepartment { department, .. } => {
            NodeId::new(Role::Bridge, department).ok()
        }
        EventKind::OpinionRequested { township, .. } => NodeId::township(township).ok(),
        _ => None,
    };
    grows.into_iter().collect()
}

/// Checks an operation received from `sender`, originated by `origin`, on
/// `entity`, with its decoded body (`None`: a body this build cannot read).
pub fn authorise(
    sender: &NodeId,
    id: &OpId,
    entity: &EntityId,
    body: Option<&OpBody>,
    held: &dyn Holdings,
) -> Result<(), Rejection> {
    let origin = &id.origin;
    if sender.role() != Role::County && origin != sender {
        return Err(Rejection::NotOrigin {
            sender: sender.clone(),
            origin: origin.clone(),
        });
    }
    if origin.role() == Role::County {
        return Ok(());
    }
    if let Some(verdict) = identity_data(sender, origin, entity, body, held) {
        return verdict;
    }
    if let Some(verdict) = staffing::staffing_data(origin, entity, body) {
        return verdict;
    }
    let EntityId::Case(case) = entity else {
        return Err(Rejection::CountyOnly {
            origin: origin.clone(),
            what: county_data(entity),
        });
    };
    let own = case.origin() == origin;
    if own && origin.role() == Role::Township {
        return match body {
            Some(OpBody::Case(event)) if is_supervision(&event.kind) => Err(not_allowed(
                origin,
                case,
                &event.kind,
                "e-supervision events and appeal decisions are the county's",
            )),
            Some(OpBody::Case(_)) | None => Ok(()),
            Some(_) => Err(Rejection::EventNotAllowed {
                origin: origin.clone(),
                case: case.to_string(),
                event: "not a case event",
                why: "a case entity carries case events only".into(),
            }),
        };
    }
    if !held.members(entity).contains(origin) {
        return Err(Rejection::ForeignCase {
            origin: origin.clone(),
            case: case.to_string(),
            owner: case.origin().clone(),
        });
    }
    let Some(OpBody::Case(event)) = body else {
        return Err(Rejection::EventNotAllowed {
            origin: origin.clone(),
            case: case.to_string(),
            event: "unreadable",
            why: "what it says cannot be checked by this build".into(),
        });
    };
    if let Some(earlier) = &event.supersedes {
        if &earlier.origin != origin {
            return Err(not_allowed(
                origin,
                case,
                &event.kind,
                "only its own events may be retracted",
            ));
        }
    }
    match origin.role() {
        Role::Township => township_on_routed_case(origin, case, event),
        Role::Bridge => bridge_on_routed_case(origin, entity, case, event, held),
        Role::County => Ok(()),
    }
}

fn township_on_routed_case(
    origin: &NodeId,
    case: &liandong_model::CaseId,
    event: &CaseEvent,
) -> Result<(), Rejection> {
    match &event.kind {
        EventKind::OpinionRecorded {
            reviewer: Reviewer::Township(t),
            ..
        } if t == origin.name() => Ok(()),
        EventKind::Retracted { .. } => Ok(()),
        kind => Err(not_allowed(
            origin,
            case,
            kind,
            "a township asked for an opinion writes only its own opinion",
        )),
    }
}

fn bridge_on_routed_case(
    origin: &NodeId,
    entity: &EntityId,
    case: &liandong_model::CaseId,
    event: &CaseEvent,
    held: &dyn Holdings,
) -> Result<(), Rejection> {
    let own = |d: &str| d == origin.name();
    match &event.kind {
        EventKind::OpinionRecorded {
            reviewer: Reviewer::Department(d),
            ..
        }
        | EventKind::OpinionGiven { department: d, .. }
        | EventKind::SupplementRequested { department: d, .. }
        | EventKind::EvaluationAppealed { department: d, .. }
            if own(d) =>
        {
            Ok(())
        }
        EventKind::SpecialProcedureStarted { .. }
        | EventKind::SpecialProcedureEnded { .. }
        | EventKind::Retracted { .. } => Ok(()),
        EventKind::Decided {
            department,
            by,
            authorisation,
            ..
        } if own(department) => {
            decision_authorised(origin, entity, event.at_ms, by, authorisation, held).map_err(
                |why| Rejection::DecisionNotAuthorised {
                    origin: origin.clone(),
                    case: case.to_string(),
                    why,
                },
            )
        }
        kind => Err(not_allowed(
            origin,
            case,
            kind,
            "a bridge writes only its own department's opinions, supplement requests, special procedures and decisions",
        )),
    }
}

/// A bridge's decision: under an authorisation on file, of the bridge's
/// department, held by the staff member who decides, covering the case's
/// matter, granting the decision power, valid (and not revoked) then.
fn decision_authorised(
    origin: &NodeId,
    entity: &EntityId,
    at_ms: u64,
    by: &str,
    id: &str,
    held: &dyn Holdings,
) -> Result<(), String> {
    let auth = held
        .authorisation(id)
        .ok_or_else(|| format!("authorisation {id} is not on file"))?;
    let department = match &auth.scope {
        AuthScope::Department(d) => Some(d.clone()),
        AuthScope::Matter(_) => held.staff_department(&auth.staff),
    };
    if department.as_deref() != Some(origin.name()) {
        return Err(format!(
            "authorisation {id} belongs to department {}, not {}",
            department.as_deref().unwrap_or("(unknown holder)"),
            origin.name()
        ));
    }
    if auth.staff != by {
        return Err(format!(
            "authorisation {id} was granted to {}, not {by}",
            auth.staff
        ));
    }
    if let AuthScope::Matter(code) = &auth.scope {
        if held.case_matter(entity).as_deref() != Some(code.as_str()) {
            return Err(format!(
                "authorisation {id} does not cover this case's matter"
            ));
        }
    }
    if !auth.powers.contains(&Power::Decide) {
        return Err(format!(
            "authorisation {id} does not grant the decision power"
        ));
    }
    let day = cst_date(at_ms);
    if day < auth.valid_from || day > auth.valid_to {
        return Err(format!(
            "authorisation {id} is valid {} to {}, not on {day}",
            auth.valid_from, auth.valid_to
        ));
    }
    if auth.revoked_at_ms.is_some_and(|r| r <= at_ms) {
        return Err(format!(
            "authorisation {id} was revoked before the decision"
        ));
    }
    Ok(())
}

fn is_supervision(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::SupervisionFlagged { .. }
            | EventKind::SupervisionResolved { .. }
            | EventKind::SupervisionAnnotated { .. }
            | EventKind::SupervisionAssigned { .. }
            | EventKind::AppealDecided { .. }
    )
}

fn not_allowed(
    origin: &NodeId,
    case: &liandong_model::CaseId,
    kind: &EventKind,
    why: &str,
) -> Rejection {
    Rejection::EventNotAllowed {
        origin: origin.clone(),
        case: case.to_string(),
        event: kind.name(),
        why: why.to_string(),
    }
}

fn county_data(entity: &EntityId) -> &'static str {
    match entity {
        EntityId::Case(_) => "cases",
        EntityId::Matter(_) => "the catalogue",
        EntityId::Revocation(_) => "revocations",
        EntityId::Calendar => "the calendar",
        EntityId::Staff(_) => "the roster",
        EntityId::Authorisation(_) => "authorisations",
        EntityId::Routing(_) => "routing rules",
        EntityId::Credential(_) => "credentials",
        EntityId::SealKey(_) => "seal keys",
        EntityId::Audit(_) => "audit logs",
        EntityId::Complaint(..) => "complaints",
        EntityId::Assessment(_) => "assessments",
        EntityId::Points(..) => "incentive points",
        EntityId::Enquiry(..) => "enquiries",
    }
}

/// Identity data a centre may originate: its own audit log; a password
/// change (`passwd`) of a credential whose scope names it, which neither
/// widens the credential's centres nor changes whether it is disabled;
/// and the public seal key of a staff member whose credential names it
/// (checked where the credential is held; a node that does not hold it
/// takes the county's relay, which checked).
/// `None`: not identity data (the caller's table decides).
fn identity_data(
    sender: &NodeId,
    origin: &NodeId,
    entity: &EntityId,
    body: Option<&OpBody>,
    held: &dyn Holdings,
) -> Option<Result<(), Rejection>> {
    let refuse = |why: &str| {
        Err(Rejection::CountyOnly {
            origin: origin.clone(),
            what: match why {
                "audit" => "another node's audit log",
                "seal" => "seal keys of staff not working there",
                _ => "credentials of staff not working there",
            },
        })
    };
    Some(match (entity, body) {
        (EntityId::Audit(node), Some(OpBody::Audit(_)) | None) => {
            if node == origin {
                Ok(())
            } else {
                refuse("audit")
            }
        }
        (EntityId::Credential(staff), Some(OpBody::CredentialSet(c))) => {
            let members = held.members(entity);
            let confined = c
                .centres
                .iter()
                .all(|n| members.iter().any(|m| m.name() == n || m.to_string() == *n));
            if &c.staff == staff && members.contains(origin) && confined && !c.disabled {
                Ok(())
            } else {
                refuse("credential")
            }
        }
        (EntityId::SealKey(staff), Some(OpBody::SealKeyPut(k))) => {
            let credential = EntityId::Credential(staff.clone());
            let members = held.members(&credential);
            let vouched = sender.role() == Role::County && members.is_empty();
            if &k.staff == staff && (members.contains(origin) || vouched) {
                Ok(())
            } else {
                refuse("seal")
            }
        }
        (EntityId::Audit(_) | EntityId::Credential(_) | EntityId::SealKey(_), _) => {
            refuse("credential")
        }
        _ => return None,
    })
}

mod staffing;

#[cfg(test)]
mod tests;
