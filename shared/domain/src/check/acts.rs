//! The preconditions of the events that carry the most rules: the
//! application, acceptance (complete or 容缺), opinions, special
//! procedures, decisions (authorisation and seal), fees and conclusion.

use super::{accepted_and_open, case_matter, known_matter, open_case, required};
use crate::authorisation::{AuthError, AuthScope, Power};
use crate::base::Level;
use crate::calendar::cst_date;
use crate::context::FoldContext;
use crate::event::{CaseEvent, EventKind, OpinionResult, Reviewer, SpecialCode, Tolerance};
use crate::facts::Facts;
use crate::matter::MatterKind;
use crate::refusal::{Refusal, RequiredField};
use crate::status::Status;

pub(super) fn submitted(
    facts: &Facts<'_>,
    event: &CaseEvent,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    let EventKind::Submitted {
        matter, applicant, ..
    } = &event.kind
    else {
        return Ok(());
    };
    if facts.submission().is_some() {
        return Err(Refusal::AlreadySubmitted);
    }
    // Before the matter: a centre without the catalogue yet still checks
    // the applicant (it records an unknown matter as typed).
    super::applicant::applicant(applicant, event.at_ms)?;
    let m = known_matter(ctx, matter)?;
    if !m.active {
        return Err(Refusal::MatterRetired {
            code: matter.clone(),
        });
    }
    // 二级联动: a township is a receiving point for a county-level matter
    // the county routes (it has a routing rule), never otherwise.
    let receiving_point = ctx.routing.is_some_and(|r| !r.departments.is_empty());
    if ctx.recorder_level == Some(Level::Township) && m.level == Level::County && !receiving_point {
        return Err(Refusal::MatterNotAtThisLevel {
            code: matter.clone(),
            level: m.level,
        });
    }
    Ok(())
}

pub(super) fn accepted(
    facts: &Facts<'_>,
    event: &CaseEvent,
    tolerated: Option<&Tolerance>,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    open_case(facts)?;
    if !facts.accepted.is_empty() {
        return Err(Refusal::AlreadyAccepted);
    }
    let open: Vec<String> = facts
        .open_corrections()
        .iter()
        .filter_map(|r| match r.kind {
            EventKind::CorrectionRequested { missing } => Some(missing.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    if !open.is_empty() {
        return Err(Refusal::CorrectionOutstanding { missing: open });
    }
    let matter = case_matter(facts, ctx)?;
    let tolerated_names: Vec<&str> = tolerated
        .map(|t| t.missing.iter().map(String::as_str).collect())
        .unwrap_or_default();
    if let Some(t) = tolerated {
        for name in &t.missing {
            let ok = matter
                .materials
                .iter()
                .any(|m| &m.name == name && m.tolerable);
            if !ok {
                return Err(Refusal::NotTolerable {
                    material: name.clone(),
                });
            }
        }
        let latest = ctx
            .calendar
            .add_working_days(cst_date(event.at_ms), matter.clock_limit_days());
        if t.promised_by > latest {
            return Err(Refusal::TolerancePromiseTooLate {
                promised_by: t.promised_by,
                latest,
            });
        }
    }
    let in_hand = facts.materials_in_hand();
    let missing: Vec<String> = matter
        .materials
        .iter()
        .filter(|m| m.mandatory)
        .map(|m| m.name.as_str())
        .filter(|n| !in_hand.contains(n) && !tolerated_names.contains(n))
        .map(str::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(Refusal::MaterialsMissing { materials: missing });
    }
    Ok(())
}

pub(super) fn opinion(
    facts: &Facts<'_>,
    department: &str,
    agree: bool,
    text: &str,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    accepted_and_open(facts)?;
    required(department, RequiredField::Department)?;
    if !agree {
        required(text, RequiredField::OpinionText)?;
    }
    let lead = case_matter(facts, ctx).is_ok_and(|m| m.lead_department == department);
    if !lead && !facts.routed_departments().contains_key(department) {
        return Err(Refusal::NotRouted {
            department: department.to_string(),
        });
    }
    let given = facts
        .opinions
        .iter()
        .any(|o| crate::facts::event_department(o.kind) == Some(department));
    if given {
        return Err(Refusal::AlreadyGaveOpinion {
            department: department.to_string(),
        });
    }
    Ok(())
}

/// 分送: only to the matter's lead and co-departments or the departments
/// its routing rule names (when the catalogue has the matter).
pub(super) fn routable(
    facts: &Facts<'_>,
    department: &str,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    let Ok(matter) = case_matter(facts, ctx) else {
        return Ok(());
    };
    let in_rule = ctx.routing.is_some_and(|r| r.names_department(department));
    if matter.involves(department) || in_rule {
        return Ok(());
    }
    Err(Refusal::NotInRouting {
        department: department.to_string(),
        matter: matter.code.clone(),
    })
}

/// 审查意见 with a result: a routed department (or the lead) once, or a
/// township that was asked, once.
pub(super) fn reviewed(
    facts: &Facts<'_>,
    reviewer: &Reviewer,
    result: OpinionResult,
    staff: &str,
    text: &str,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    required(staff, RequiredField::OpinionStaff)?;
    match reviewer {
        Reviewer::Department(d) => opinion(facts, d, result == OpinionResult::Pass, text, ctx),
        Reviewer::Township(t) => {
            accepted_and_open(facts)?;
            if result != OpinionResult::Pass {
                required(text, RequiredField::OpinionText)?;
            }
            if !facts.requested_townships().contains_key(t.as_str()) {
                return Err(Refusal::OpinionNotRequested {
                    township: t.clone(),
                });
            }
            if facts.township_opinion(t).is_some() {
                return Err(Refusal::AlreadyGaveOpinion {
                    department: t.clone(),
                });
            }
            Ok(())
        }
    }
}

pub(super) fn special_started(
    facts: &Facts<'_>,
    event: &CaseEvent,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    let EventKind::SpecialProcedureStarted {
        code,
        kind,
        reason,
        days,
        ..
    } = &event.kind
    else {
        return Ok(());
    };
    accepted_and_open(facts)?;
    required(reason, RequiredField::ProcedureReason)?;
    if *days == 0 {
        return Err(Refusal::Required(RequiredField::ProcedureDays));
    }
    let matter = case_matter(facts, ctx)?;
    match code {
        SpecialCode::Extension => {
            let earlier = facts.specials_started.iter().find(|s| {
                matches!(
                    s.kind,
                    EventKind::SpecialProcedureStarted {
                        code: SpecialCode::Extension,
                        ..
                    }
                )
            });
            if let Some(e) = earlier {
                return Err(Refusal::ExtensionAlreadyGranted { op: e.op.clone() });
            }
            let max = if matter.is_joint() {
                ctx.thresholds.extension_days_joint
            } else {
                ctx.thresholds.extension_days_single
            };
            if *days > max {
                return Err(Refusal::ExtensionTooLong { days: *days, max });
            }
        }
        SpecialCode::Other => {
            if let Some(step) = matter.special_step(kind).filter(|s| *days > s.max_days) {
                return Err(Refusal::ProcedureTooLong {
                    kind: kind.clone(),
                    days: *days,
                    max: step.max_days,
                });
            }
        }
    }
    Ok(())
}

pub(super) fn decided(
    facts: &Facts<'_>,
    event: &CaseEvent,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    let EventKind::Decided {
        department,
        approve,
        by,
        authorisation,
        seal,
        reason,
    } = &event.kind
    else {
        return Ok(());
    };
    accepted_and_open(facts)?;
    required(department, RequiredField::Department)?;
    required(by, RequiredField::DecidedBy)?;
    required(authorisation, RequiredField::Authorisation)?;
    if !approve {
        required(reason, RequiredField::DenialReason)?;
    }
    if let Some(earlier) = facts.decisions_by_department().get(department.as_str()) {
        if let Some(first) = earlier.first() {
            return Err(Refusal::AlreadyDecided {
                department: department.clone(),
                op: first.op.clone(),
            });
        }
    }
    let matter = case_matter(facts, ctx)?;
    let auth = ctx
        .authorisations
        .iter()
        .find(|a| &a.id == authorisation)
        .ok_or_else(|| {
            Refusal::Unauthorised(AuthError::UnknownAuthorisation {
                id: authorisation.clone(),
            })
        })?;
    auth.permits(by, matter, Power::Decide, event.at_ms)
        .map_err(Refusal::Unauthorised)?;
    let belongs_to = match &auth.scope {
        AuthScope::Department(d) => Some(d.clone()),
        AuthScope::Matter(_) => ctx
            .roster
            .iter()
            .find(|s| s.id == auth.staff)
            .map(|s| s.department.val.clone()),
    };
    // A grant whose holder is not on the roster here yet is judged by its
    // scope alone (the roster may arrive later).
    if let Some(belongs_to) = belongs_to {
        if &belongs_to != department {
            return Err(Refusal::DecisionDepartment {
                department: department.clone(),
                authorisation: authorisation.clone(),
                belongs_to,
            });
        }
    }
    if seal.is_some() {
        auth.permits(by, matter, Power::Seal, event.at_ms)
            .map_err(Refusal::Unauthorised)?;
    }
    Ok(())
}

pub(super) fn fee(
    facts: &Facts<'_>,
    item: &str,
    amount_fen: u64,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    accepted_and_open(facts)?;
    required(item, RequiredField::FeeItem)?;
    if amount_fen == 0 {
        return Err(Refusal::Required(RequiredField::FeeAmount));
    }
    let matter = case_matter(facts, ctx)?;
    let Some(line) = matter.fee(item) else {
        return Err(Refusal::FeeNotInCatalogue {
            item: item.to_string(),
            allowed: matter.fees.iter().map(|f| f.name.clone()).collect(),
        });
    };
    if line.amount_fen != amount_fen {
        return Err(Refusal::FeeAmountMismatch {
            item: item.to_string(),
            catalogue_fen: line.amount_fen,
            charged_fen: amount_fen,
        });
    }
    settled_once(facts, item)
}

/// A fee item is charged or waived once.
fn settled_once(facts: &Facts<'_>, item: &str) -> Result<(), Refusal> {
    let charged = facts
        .fees
        .iter()
        .any(|f| matches!(f.kind, EventKind::FeeCharged { item: i, .. } if i == item));
    if charged {
        return Err(Refusal::FeeAlreadyCharged {
            item: item.to_string(),
        });
    }
    let waived = facts
        .fee_waivers
        .iter()
        .any(|f| matches!(f.kind, EventKind::FeeWaived { item: i, .. } if i == item));
    if waived {
        return Err(Refusal::FeeAlreadyWaived {
            item: item.to_string(),
        });
    }
    Ok(())
}

/// 免收: a catalogue fee of the case's matter, with a reason, once, and
/// never one already charged.
pub(super) fn fee_waived(
    facts: &Facts<'_>,
    item: &str,
    reason: &str,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    accepted_and_open(facts)?;
    required(item, RequiredField::FeeItem)?;
    required(reason, RequiredField::WaiverReason)?;
    let matter = case_matter(facts, ctx)?;
    if matter.fee(item).is_none() {
        return Err(Refusal::FeeNotInCatalogue {
            item: item.to_string(),
            allowed: matter.fees.iter().map(|f| f.name.clone()).collect(),
        });
    }
    settled_once(facts, item)
}

/// The catalogue fees due on the case and neither charged nor waived: due
/// once a part is approved (准予) or for an immediate matter; a case
/// denied in every part owes none.
pub(crate) fn fees_unsettled(facts: &Facts<'_>, matter: &crate::matter::Matter) -> Vec<String> {
    if !facts.any_approval() && matter.kind != MatterKind::Immediate {
        return Vec::new();
    }
    let settled = facts.fees_settled();
    matter
        .fees
        .iter()
        .map(|f| f.name.as_str())
        .filter(|n| !settled.contains(n))
        .map(str::to_string)
        .collect()
}

pub(super) fn concluded(facts: &Facts<'_>, ctx: &FoldContext<'_>) -> Result<(), Refusal> {
    if !facts.withdrawn.is_empty() {
        return Err(Refusal::CaseClosed {
            status: Status::Withdrawn,
        });
    }
    if !facts.concluded.is_empty() || !facts.delivered.is_empty() {
        return Err(Refusal::AlreadyConcluded);
    }
    accepted_and_open(facts)?;
    let immediate = case_matter(facts, ctx).is_ok_and(|m| m.kind == MatterKind::Immediate);
    if facts.decisions.is_empty() && !immediate {
        return Err(Refusal::DecisionRequired);
    }
    let waiting = facts.awaiting_opinions();
    if !waiting.is_empty() {
        return Err(Refusal::AwaitingOpinions {
            departments: waiting,
        });
    }
    let undecided = facts.undecided_parts();
    if !undecided.is_empty() {
        return Err(Refusal::PartsUndecided {
            departments: undecided,
        });
    }
    if let Some(open) = facts.open_pauses().first() {
        return Err(Refusal::PauseOpen {
            op: open.op.clone(),
        });
    }
    if let Ok(matter) = case_matter(facts, ctx) {
        let items = fees_unsettled(facts, matter);
        if !items.is_empty() {
            return Err(Refusal::FeesUnsettled { items });
        }
    }
    Ok(())
}
