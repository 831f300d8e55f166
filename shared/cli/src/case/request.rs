//! What each `case` subcommand asks the running node for.

use super::args::{AcceptArgs, CaseCommand};
use crate::bad_argument;
use liandong_domain::{Lang, SpecialCode, SpecialKind};
use liandong_node::control::{
    AgentInput, ApplicantInput, CaseAction, CaseFilter, Request, WarningColour,
};

/// The request a command sends, and whether it wants JSON.
pub(super) fn request(cmd: CaseCommand, lang: Lang) -> anyhow::Result<(Request, bool)> {
    let on = |case: String, action: CaseAction| Request::Case { case, action };
    Ok(match cmd {
        CaseCommand::Accept(a) => accept_request(a, false, lang)?,
        CaseCommand::Submit(a) => accept_request(a, true, lang)?,
        CaseCommand::Reject {
            case,
            reason,
            legal_basis,
            authority,
            json,
        } => (
            on(
                case,
                CaseAction::Reject {
                    reason,
                    legal_basis,
                    competent_authority: authority,
                },
            ),
            json,
        ),
        CaseCommand::RequestCorrection {
            case,
            missing,
            json,
        } => (on(case, CaseAction::RequestCorrection { missing }), json),
        CaseCommand::Supply { case, items, json } => (on(case, CaseAction::Supply { items }), json),
        CaseCommand::Route {
            case,
            departments,
            townships,
            part,
            stage_days,
            json,
        } => (
            on(
                case,
                CaseAction::Route {
                    departments,
                    townships,
                    part,
                    stage_limit_days: stage_days,
                },
            ),
            json,
        ),
        CaseCommand::Opinion {
            case,
            department,
            result,
            staff,
            text,
            json,
        } => (
            on(
                case,
                CaseAction::Opinion {
                    department,
                    result,
                    staff,
                    text,
                },
            ),
            json,
        ),
        CaseCommand::Special {
            case,
            kind,
            extension,
            reason,
            approver,
            days,
            json,
        } => {
            let (code, kind) = if extension {
                (SpecialCode::Extension, SpecialKind::Extension)
            } else {
                (SpecialCode::Other, SpecialKind::from_word(&kind))
            };
            let action = CaseAction::StartSpecial {
                code,
                kind,
                reason,
                approver,
                days,
            };
            (on(case, action), json)
        }
        CaseCommand::SpecialEnd { case, json } => (on(case, CaseAction::EndSpecial), json),
        CaseCommand::Decide {
            case,
            approve,
            deny: _,
            by,
            reason,
            department,
            authorisation,
            json,
        } => (
            on(
                case,
                CaseAction::Decide {
                    approve,
                    by,
                    reason,
                    department,
                    authorisation,
                },
            ),
            json,
        ),
        CaseCommand::Fee {
            case,
            item,
            amount,
            json,
        } => {
            let amount_fen = match amount.as_deref() {
                None => None,
                Some(a) => Some(crate::yuan_to_fen(a).ok_or_else(|| {
                    bad_argument(format!(
                        "--amount `{a}`: {}",
                        lang.pick(
                            "请写金额（元），如 12 或 12.50",
                            "write yuan, e.g. 12 or 12.50"
                        )
                    ))
                })?),
            };
            (on(case, CaseAction::Fee { item, amount_fen }), json)
        }
        CaseCommand::WaiveFee {
            case,
            item,
            reason,
            json,
        } => (on(case, CaseAction::WaiveFee { item, reason }), json),
        CaseCommand::Conclude { case, json } => (on(case, CaseAction::Conclude), json),
        CaseCommand::Deliver {
            case,
            recipient,
            json,
        } => (on(case, CaseAction::Deliver { recipient }), json),
        CaseCommand::Withdraw { case, reason, json } => {
            (on(case, CaseAction::Withdraw { reason }), json)
        }
        CaseCommand::Evaluate {
            case,
            code,
            level,
            text,
            json,
        } => (
            Request::Evaluate {
                case,
                code,
                level,
                text,
            },
            json,
        ),
        CaseCommand::Retract {
            case,
            event,
            reason,
            json,
        } => (on(case, CaseAction::Retract { event, reason }), json),
        CaseCommand::Show { case, json } => (Request::ShowCase { case }, json),
        CaseCommand::List {
            township,
            department,
            overdue,
            warning,
            json,
        } => {
            let warning = match warning.as_deref() {
                None => None,
                Some("yellow") => Some(WarningColour::Yellow),
                Some("red") => Some(WarningColour::Red),
                Some(other) => {
                    return Err(bad_argument(format!(
                        "--warning `{other}`: {}",
                        lang.pick("请用 yellow 或 red", "use yellow or red")
                    )))
                }
            };
            let filter = CaseFilter {
                overdue,
                warning,
                department,
            };
            (
                Request::ListCases {
                    origin: township,
                    filter,
                },
                json,
            )
        }
    })
}

pub(super) fn accept_request(
    a: AcceptArgs,
    submit_only: bool,
    lang: Lang,
) -> anyhow::Result<(Request, bool)> {
    if let Some(case) = a.case {
        let action = CaseAction::Accept {
            tolerated_missing: a.missing,
            promised_by: a.promised_by,
        };
        return Ok((Request::Case { case, action }, a.json));
    }
    let need = |v: Option<String>, flag: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| bad_argument(format!("{flag} {}", lang.pick("必填", "is required"))))
    };
    let agent = match (a.agent_name, a.agent_id) {
        (Some(name), Some(id_number)) => Some(AgentInput {
            name,
            id_type: a.agent_id_type,
            id_number,
        }),
        _ => None,
    };
    let applicant = ApplicantInput {
        name: need(a.applicant_name, "--applicant-name")?,
        id_number: need(a.applicant_id, "--applicant-id")?,
        phone: a.phone,
        address: a.address,
        id_type: a.applicant_id_type,
        legal_representative: a.legal_representative,
        agent,
    };
    let request = Request::AcceptCase {
        matter: need(a.matter, "--matter")?,
        applicant,
        materials: a.materials,
        submit_only,
        conclude: a.conclude,
    };
    Ok((request, a.json))
}
