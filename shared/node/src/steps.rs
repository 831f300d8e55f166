//! From a clerk's step ([`CaseAction`]) to the case event it records:
//! resolving what the step refers to (the open correction notice or
//! special procedure, the authorisation that allows a decision, the
//! catalogue fee) so nobody types an operation id. A step that answers
//! nothing open fails with [`Missing::OpenRequest`]; a decision without a
//! valid authorisation with the domain's [`Refusal::Unauthorised`].

use chrono::NaiveDate;

use super::cases::Registry;
use super::NodeCore;
use crate::control::CaseAction;
use crate::error::{Malformed, Missing, NodeError, OpenRequest};
use liandong_domain::{
    authorised, AuthError, CaseEvent, CaseRecord, CaseState, EventKind, Matter, Power, Refusal,
    Reviewer, Tolerance,
};
use liandong_model::{OpId, Personal, Role};
use liandong_store::StoredCase;

impl NodeCore {
    pub(super) fn event_for(
        &self,
        stored: &StoredCase,
        state: &CaseState,
        reg: &Registry,
        matter: Option<&Matter>,
        action: CaseAction,
    ) -> Result<CaseEvent, NodeError> {
        let now = reg.now_ms;
        let open = |kind: OpenRequest| {
            open_request(&stored.record, kind)
                .ok_or_else(|| NodeError::not_found(Missing::OpenRequest { kind }))
        };
        let kind = match action {
            CaseAction::Accept {
                tolerated_missing,
                promised_by,
            } => EventKind::Accepted {
                tolerated: tolerance(tolerated_missing, promised_by)?,
            },
            CaseAction::Reject {
                reason,
                legal_basis,
                competent_authority,
            } => EventKind::Rejected {
                reason,
                legal_basis,
                competent_authority,
            },
            CaseAction::RequestCorrection { missing } => EventKind::CorrectionRequested { missing },
            CaseAction::Supply { items } => EventKind::CorrectionSupplied {
                request: open(OpenRequest::Correction)?,
                supplied: items,
            },
            // Several events: `NodeCore::case_action` writes them.
            CaseAction::Route { .. } => {
                return Err(NodeError::internal("routing is written as several events"))
            }
            CaseAction::Opinion {
                department,
                result,
                staff,
                text,
            } => EventKind::OpinionRecorded {
                reviewer: self.reviewer(department)?,
                result,
                staff,
                text,
            },
            CaseAction::RequestSupplement { department, items } => {
                EventKind::SupplementRequested { department, items }
            }
            CaseAction::SupplySupplement { items } => EventKind::SupplementSupplied {
                request: open(OpenRequest::Supplement)?,
                items,
            },
            CaseAction::StartSpecial {
                code,
                kind,
                reason,
                approver,
                days,
            } => EventKind::SpecialProcedureStarted {
                code,
                kind,
                reason,
                approver,
                days,
            },
            CaseAction::EndSpecial => EventKind::SpecialProcedureEnded {
                started: open(OpenRequest::Special)?,
            },
            CaseAction::Decide {
                approve,
                by,
                reason,
                department,
                authorisation,
            } => {
                let Some(m) = matter else {
                    return Err(NodeError::Refused(Refusal::UnknownMatter {
                        code: state.matter.clone().unwrap_or_default(),
                    }));
                };
                let grant = match &authorisation {
                    // Named: the domain's check says whether it allows this.
                    Some(id) => {
                        reg.authorisations
                            .iter()
                            .find(|a| &a.id == id)
                            .ok_or_else(|| {
                                Refusal::Unauthorised(AuthError::UnknownAuthorisation {
                                    id: id.clone(),
                                })
                            })?
                    }
                    None => authorised(&by, m, Power::Decide, now, &reg.authorisations)
                        .map_err(Refusal::Unauthorised)?,
                };
                let seal = grant
                    .powers
                    .contains(&Power::Seal)
                    .then_some(liandong_domain::Seal::Approval);
                let department = match (department, self.me().role()) {
                    (Some(d), _) => d,
                    (None, Role::Bridge) => self.me().name().to_string(),
                    (None, _) => m.lead_department.clone(),
                };
                EventKind::Decided {
                    department,
                    approve,
                    by,
                    authorisation: grant.id.clone(),
                    seal,
                    reason,
                }
            }
            CaseAction::Fee { item, amount_fen } => {
                let catalogue_amount = matter
                    .and_then(|m| m.fees.iter().find(|f| f.name == item))
                    .map(|f| f.amount_fen);
                EventKind::FeeCharged {
                    amount_fen: amount_fen.or(catalogue_amount).unwrap_or(0),
                    item,
                }
            }
            CaseAction::WaiveFee { item, reason } => EventKind::FeeWaived { item, reason },
            CaseAction::Conclude => EventKind::Concluded,
            CaseAction::Deliver { recipient } => EventKind::Delivered {
                recipient: recipient.map(Personal::new),
            },
            CaseAction::Withdraw { reason } => EventKind::Withdrawn { reason },
            CaseAction::Evaluate {
                level,
                text,
                evaluator,
            } => EventKind::Evaluated {
                level,
                text: Personal::new(text),
                evaluator: Personal::new(evaluator),
            },
            CaseAction::Retract { event, reason } => {
                let op = parse_op(&event).ok_or_else(|| Malformed::EventId {
                    text: event.clone(),
                })?;
                return Ok(CaseEvent::new(now, EventKind::Retracted { reason }).superseding(op));
            }
        };
        Ok(CaseEvent::new(now, kind))
    }
}

impl NodeCore {
    /// Who gives an opinion recorded here: a bridge speaks for its
    /// department, a township for itself unless a department is named, the
    /// county hall for the department named.
    fn reviewer(&self, department: Option<String>) -> Result<Reviewer, NodeError> {
        let me = self.me();
        Ok(match (me.role(), department) {
            (Role::Bridge, _) => Reviewer::Department(me.name().to_string()),
            (_, Some(d)) if !d.trim().is_empty() => Reviewer::Department(d.trim().to_string()),
            (Role::Township, _) => Reviewer::Township(me.name().to_string()),
            (Role::County, _) => {
                return Err(NodeError::Refused(Refusal::Required(
                    liandong_domain::RequiredField::Department,
                )))
            }
        })
    }
}

/// The latest open request of a kind: one not yet answered by its
/// closing event.
fn open_request(record: &CaseRecord, kind: OpenRequest) -> Option<OpId> {
    let mut opened: Vec<(&OpId, u64)> = Vec::new();
    let mut closed = std::collections::BTreeSet::new();
    for (op, e) in record.iter() {
        match (&e.event.kind, kind) {
            (EventKind::CorrectionRequested { .. }, OpenRequest::Correction)
            | (EventKind::SupplementRequested { .. }, OpenRequest::Supplement)
            | (EventKind::SpecialProcedureStarted { .. }, OpenRequest::Special) => {
                opened.push((op, e.hlc.wall_ms))
            }
            (EventKind::CorrectionSupplied { request, .. }, OpenRequest::Correction)
            | (EventKind::SupplementSupplied { request, .. }, OpenRequest::Supplement)
            | (EventKind::SpecialProcedureEnded { started: request }, OpenRequest::Special) => {
                closed.insert(request.clone());
            }
            _ => {}
        }
    }
    opened
        .into_iter()
        .filter(|(op, _)| !closed.contains(*op))
        .max_by_key(|(op, wall)| (*wall, (*op).clone()))
        .map(|(op, _)| op.clone())
}

fn tolerance(missing: Vec<String>, by: Option<NaiveDate>) -> Result<Option<Tolerance>, Malformed> {
    match (missing.is_empty(), by) {
        (true, None) => Ok(None),
        (false, Some(promised_by)) => Ok(Some(Tolerance {
            missing,
            promised_by,
        })),
        _ => Err(Malformed::ToleranceIncomplete),
    }
}

/// `township/T01#12` → op id.
pub(crate) fn parse_op(s: &str) -> Option<OpId> {
    let (origin, seq) = s.rsplit_once('#')?;
    Some(OpId {
        origin: origin.parse().ok()?,
        seq: seq.parse().ok()?,
    })
}
