//! From a clerk's step ([`CaseAction`]) to the case event it records:
//! resolving what the step refers to (the open correction notice or
//! special procedure, the authorisation that allows a decision, the
//! catalogue fee) so nobody types an operation id.

use chrono::NaiveDate;

use super::cases::{refusal, Registry};
use super::NodeCore;
use crate::control::CaseAction;
use liandong_domain::{
    authorised, CaseEvent, CaseRecord, CaseState, EventKind, Lang, Matter, Power, Refusal,
    Tolerance,
};
use liandong_model::{OpId, Personal};
use liandong_store::StoredCase;

impl NodeCore {
    pub(super) fn event_for(
        &self,
        lang: Lang,
        stored: &StoredCase,
        state: &CaseState,
        reg: &Registry,
        matter: Option<&Matter>,
        action: CaseAction,
    ) -> Result<CaseEvent, String> {
        let now = reg.now_ms;
        let open = |name: &str| open_request(&stored.record, name);
        let kind = match action {
            CaseAction::Accept {
                tolerated_missing,
                promised_by,
            } => EventKind::Accepted {
                tolerated: tolerance(tolerated_missing, promised_by, lang)?,
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
                request: open("correction").ok_or_else(|| {
                    lang.pick(
                        "此办件没有未答复的补正告知",
                        "this case has no open correction notice",
                    )
                    .to_string()
                })?,
                supplied: items,
            },
            CaseAction::Route {
                department,
                part,
                stage_limit_days,
            } => EventKind::RoutedToDepartment {
                department,
                part,
                stage_limit_days,
            },
            CaseAction::Opinion {
                department,
                agree,
                text,
            } => EventKind::OpinionGiven {
                department,
                agree,
                text,
            },
            CaseAction::RequestSupplement { department, items } => {
                EventKind::SupplementRequested { department, items }
            }
            CaseAction::SupplySupplement { items } => EventKind::SupplementSupplied {
                request: open("supplement").ok_or_else(|| {
                    lang.pick(
                        "此办件没有未答复的补齐补正要求",
                        "this case has no open supplement request",
                    )
                    .to_string()
                })?,
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
                started: open("special").ok_or_else(|| {
                    lang.pick(
                        "此办件没有进行中的特别程序",
                        "this case has no special procedure under way",
                    )
                    .to_string()
                })?,
            },
            CaseAction::Decide {
                approve,
                by,
                reason,
                department,
            } => {
                let Some(m) = matter else {
                    return Err(refusal(
                        Refusal::UnknownMatter {
                            code: state.matter.clone().unwrap_or_default(),
                        },
                        lang,
                    ));
                };
                let grant = authorised(&by, m, Power::Decide, now, &reg.authorisations)
                    .map_err(|e| e.message(lang))?;
                let seal = grant
                    .powers
                    .contains(&Power::Seal)
                    .then_some(liandong_domain::Seal::Approval);
                EventKind::Decided {
                    department: department.unwrap_or_else(|| m.lead_department.clone()),
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
                let op = parse_op(&event).ok_or_else(|| {
                    format!(
                        "{} `{event}`",
                        lang.pick("无法识别的事件编号", "not an event id (ORIGIN#SEQ)")
                    )
                })?;
                return Ok(CaseEvent::new(now, EventKind::Retracted { reason }).superseding(op));
            }
        };
        Ok(CaseEvent::new(now, kind))
    }
}

/// The latest open request of a kind ("correction", "supplement",
/// "special"): one not yet answered by its closing event.
fn open_request(record: &CaseRecord, kind: &str) -> Option<OpId> {
    let mut opened: Vec<(&OpId, u64)> = Vec::new();
    let mut closed = std::collections::BTreeSet::new();
    for (op, e) in record.iter() {
        match (&e.event.kind, kind) {
            (EventKind::CorrectionRequested { .. }, "correction")
            | (EventKind::SupplementRequested { .. }, "supplement")
            | (EventKind::SpecialProcedureStarted { .. }, "special") => {
                opened.push((op, e.hlc.wall_ms))
            }
            (EventKind::CorrectionSupplied { request, .. }, "correction")
            | (EventKind::SupplementSupplied { request, .. }, "supplement")
            | (EventKind::SpecialProcedureEnded { started: request }, "special") => {
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

fn tolerance(
    missing: Vec<String>,
    by: Option<NaiveDate>,
    lang: Lang,
) -> Result<Option<Tolerance>, String> {
    match (missing.is_empty(), by) {
        (true, None) => Ok(None),
        (false, Some(promised_by)) => Ok(Some(Tolerance {
            missing,
            promised_by,
        })),
        _ => Err(lang
            .pick(
                "容缺受理需同时给出缺少的材料和承诺补齐日期",
                "acceptance with missing materials (容缺) needs both --missing and --promised-by",
            )
            .to_string()),
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
