//! Preconditions (DOMAIN.md §3, "preconditions / content" column), checked
//! where an event is recorded: [`check`] refuses an event the case cannot
//! take, with a [`Refusal`] a clerk can act on. The fold runs the same
//! checks over received events, in `(hlc, op id)` order, and shows the
//! failures as anomalies instead of refusing them.
//!
//! Superseded events do not count: a corrected decision may be decided
//! again once the new event supersedes the old one. Checks read business
//! time from the event itself, never `now`.
//!
//! Deemed acceptance (行政许可法 §32) counts everywhere acceptance does:
//! once the notice days have passed with no notice, acceptance or
//! rejection, routing, opinions and decisions are allowed as after an
//! acceptance, and a correction notice or a rejection is refused.
//!
//! Who recorded the event (its role, the person, the node) is checked
//! first, by `recorder`; an event without a recorder is checked as before.

mod acts;
mod applicant;
mod recorder;
mod staffing;

use acts::{accepted, concluded, decided, fee, fee_waived, opinion, special_started, submitted};
pub(crate) use recorder::{on_roster, recorded_by};

use crate::context::FoldContext;
use crate::event::{CaseEvent, EventKind};
use crate::facts::{Ev, Facts};
use crate::matter::Matter;
use crate::record::CaseRecord;
use crate::refusal::{Refusal, RequiredField};
use crate::status::Status;
use liandong_model::OpId;

/// Whether `event` may be recorded on the case `record`.
pub fn check(record: &CaseRecord, event: &CaseEvent, ctx: &FoldContext<'_>) -> Result<(), Refusal> {
    recorded_by(record, event)?;
    let mut superseded = record.superseded();
    if let Some(target) = &event.supersedes {
        let Some(recorded) = record.get(target) else {
            return Err(Refusal::UnknownSupersededEvent { op: target.clone() });
        };
        // Supervision items are never deleted, by anyone (DOMAIN.md §3).
        if matches!(
            recorded.event.kind,
            EventKind::SupervisionFlagged { .. }
                | EventKind::SupervisionResolved { .. }
                | EventKind::SupervisionAnnotated { .. }
                | EventKind::SupervisionAssigned { .. }
                | EventKind::AppealDecided { .. }
        ) {
            return Err(Refusal::SupervisionIsPermanent { op: target.clone() });
        }
        superseded.insert(target.clone());
    }
    let facts = Facts::of_record(record, &superseded);
    preconditions(&facts, event, ctx)
}

pub(super) fn required(value: &str, field: RequiredField) -> Result<(), Refusal> {
    if value.trim().is_empty() {
        Err(Refusal::Required(field))
    } else {
        Ok(())
    }
}

pub(super) fn open_case(facts: &Facts<'_>) -> Result<(), Refusal> {
    match facts.closed_as() {
        Some(status) => Err(Refusal::CaseClosed { status }),
        None => Ok(()),
    }
}

pub(super) fn accepted_and_open(facts: &Facts<'_>) -> Result<(), Refusal> {
    open_case(facts)?;
    if !facts.stands_accepted() {
        return Err(Refusal::NotAccepted);
    }
    Ok(())
}

/// The last notice day, when the case stands deemed accepted at business
/// time `at_ms`: no notice, acceptance or rejection on or before that day,
/// and the event is dated after it (the clock's rule, DOMAIN.md §4).
pub(crate) fn deemed_accepted_by(
    facts: &Facts<'_>,
    ctx: &FoldContext<'_>,
    at_ms: u64,
) -> Option<chrono::NaiveDate> {
    let submitted_on = facts.submission()?.date();
    let notice_due = ctx
        .calendar
        .add_working_days(submitted_on, ctx.thresholds.notice_days);
    let replied_in_time = facts
        .first_response()
        .is_some_and(|r| r.date() <= notice_due);
    (!replied_in_time && crate::calendar::cst_date(at_ms) > notice_due).then_some(notice_due)
}

/// A correction notice or a rejection answers an application not yet
/// accepted, neither recorded nor deemed.
fn before_acceptance(facts: &Facts<'_>, accepted: Refusal) -> Result<(), Refusal> {
    if !facts.accepted.is_empty() {
        return Err(accepted);
    }
    if let Some(notice_due) = facts.deemed_accepted {
        return Err(Refusal::DeemedAccepted { notice_due });
    }
    Ok(())
}

pub(super) fn known_matter<'a>(ctx: &FoldContext<'a>, code: &str) -> Result<&'a Matter, Refusal> {
    ctx.matter
        .filter(|m| m.code == code)
        .ok_or_else(|| Refusal::UnknownMatter {
            code: code.to_string(),
        })
}

/// The matter of the case, when the context has it.
pub(super) fn case_matter<'a>(
    facts: &Facts<'_>,
    ctx: &FoldContext<'a>,
) -> Result<&'a Matter, Refusal> {
    match facts.submission().map(|s| s.kind) {
        Some(EventKind::Submitted { matter, .. }) => known_matter(ctx, matter),
        _ => Err(Refusal::NotSubmitted),
    }
}

/// The first live event that an answer must name, and that it answers once.
fn answerable(openers: &[Ev<'_>], answers: &[Ev<'_>], op: &OpId) -> Result<(), Refusal> {
    if !openers.iter().any(|o| o.op == op) {
        return Err(Refusal::NoSuchRequest { op: op.clone() });
    }
    if Facts::answer(answers, op).is_some() {
        return Err(Refusal::AlreadyAnswered { op: op.clone() });
    }
    Ok(())
}

/// The preconditions of `event` given the live facts before it.
pub(crate) fn preconditions(
    facts: &Facts<'_>,
    event: &CaseEvent,
    ctx: &FoldContext<'_>,
) -> Result<(), Refusal> {
    if let EventKind::Submitted { .. } = event.kind {
        return submitted(facts, event, ctx);
    }
    if facts.submission().is_none() {
        return Err(Refusal::NotSubmitted);
    }
    let mut facts = facts.clone();
    facts.deemed_accepted = deemed_accepted_by(&facts, ctx, event.at_ms);
    let facts = &facts;
    match &event.kind {
        EventKind::Submitted { .. } => Ok(()),
        EventKind::CorrectionRequested { missing } => {
            open_case(facts)?;
            before_acceptance(facts, Refusal::CorrectionAfterAcceptance)?;
            if missing.iter().all(|m| m.trim().is_empty()) {
                return Err(Refusal::NothingListed);
            }
            match facts.correction_requests.first() {
                Some(r) => Err(Refusal::CorrectionAlreadyRequested {
                    request: r.op.clone(),
                }),
                None => Ok(()),
            }
        }
        EventKind::CorrectionSupplied { request, .. } => {
            open_case(facts)?;
            answerable(
                &facts.correction_requests,
                &facts.corrections_supplied,
                request,
            )
        }
        EventKind::Accepted { tolerated } => accepted(facts, event, tolerated.as_ref(), ctx),
        EventKind::Rejected {
            reason,
            legal_basis,
            ..
        } => {
            open_case(facts)?;
            before_acceptance(facts, Refusal::AlreadyAccepted)?;
            required(reason, RequiredField::RejectionReason)?;
            required(legal_basis, RequiredField::LegalBasis)
        }
        EventKind::RoutedToDepartment { department, .. } => {
            accepted_and_open(facts)?;
            required(department, RequiredField::Department)?;
            if facts.routed_departments().contains_key(department.as_str()) {
                return Err(Refusal::AlreadyRouted {
                    department: department.clone(),
                });
            }
            acts::routable(facts, department, ctx)
        }
        EventKind::OpinionRequested { township, .. } => {
            accepted_and_open(facts)?;
            required(township, RequiredField::Township)?;
            if facts.requested_townships().contains_key(township.as_str()) {
                return Err(Refusal::AlreadyAsked {
                    township: township.clone(),
                });
            }
            Ok(())
        }
        EventKind::OpinionRecorded {
            reviewer,
            result,
            staff,
            text,
        } => acts::reviewed(facts, reviewer, *result, staff, text, ctx),
        EventKind::OpinionGiven {
            department,
            agree,
            text,
        } => opinion(facts, department, *agree, text, ctx),
        EventKind::SupplementRequested { department, items } => {
            accepted_and_open(facts)?;
            required(department, RequiredField::Department)?;
            if items.iter().all(|i| i.trim().is_empty()) {
                return Err(Refusal::NothingListed);
            }
            Ok(())
        }
        EventKind::SupplementSupplied { request, .. } => {
            accepted_and_open(facts)?;
            answerable(
                &facts.supplement_requests,
                &facts.supplements_supplied,
                request,
            )
        }
        EventKind::SpecialProcedureStarted { .. } => special_started(facts, event, ctx),
        EventKind::SpecialProcedureEnded { started } => {
            accepted_and_open(facts)?;
            answerable(&facts.specials_started, &facts.specials_ended, started)
        }
        EventKind::Decided { .. } => decided(facts, event, ctx),
        EventKind::FeeCharged { item, amount_fen } => fee(facts, item, *amount_fen, ctx),
        EventKind::Concluded => concluded(facts, ctx),
        EventKind::Delivered { .. } => {
            if !facts.withdrawn.is_empty() {
                return Err(Refusal::CaseClosed {
                    status: Status::Withdrawn,
                });
            }
            if !facts.delivered.is_empty() {
                return Err(Refusal::AlreadyDelivered);
            }
            if facts.concluded.is_empty() {
                return Err(Refusal::NotConcluded);
            }
            Ok(())
        }
        EventKind::Withdrawn { reason } => {
            if !facts.concluded.is_empty() || !facts.delivered.is_empty() {
                return Err(Refusal::WithdrawAfterConclusion);
            }
            if !facts.withdrawn.is_empty() {
                return Err(Refusal::AlreadyWithdrawn);
            }
            open_case(facts)?;
            required(reason, RequiredField::WithdrawalReason)
        }
        EventKind::EvaluationInvited { .. } => {
            if facts.concluded.is_empty() {
                return Err(Refusal::InvitationBeforeConclusion);
            }
            Ok(())
        }
        EventKind::Evaluated { level, .. } => {
            if !(1..=5).contains(level) {
                return Err(Refusal::EvaluationLevel { level: *level });
            }
            if !facts.evaluations.is_empty() {
                return Err(Refusal::AlreadyEvaluated);
            }
            Ok(())
        }
        EventKind::BadReviewHandled { evaluation, note } => {
            required(note, RequiredField::Note)?;
            answerable(&facts.evaluations, &facts.bad_reviews_handled, evaluation)?;
            let bad = facts.evaluations.iter().any(|e| {
                e.op == evaluation && matches!(e.kind, EventKind::Evaluated { level: 4..=5, .. })
            });
            if !bad {
                return Err(Refusal::NotABadReview {
                    op: evaluation.clone(),
                });
            }
            Ok(())
        }
        EventKind::SupervisionFlagged { item, .. } => {
            if facts.flagged_items().contains(item) {
                return Err(Refusal::SupervisionAlreadyFlagged { item: item.clone() });
            }
            Ok(())
        }
        EventKind::SupervisionResolved { item, note } => {
            required(note, RequiredField::Note)?;
            if !facts.flagged_items().contains(item) {
                return Err(Refusal::UnknownSupervisionItem { item: item.clone() });
            }
            if facts.resolved_items().contains(item) {
                return Err(Refusal::SupervisionAlreadyResolved { item: item.clone() });
            }
            Ok(())
        }
        EventKind::SupervisionAnnotated { item, note } => {
            required(note, RequiredField::Note)?;
            if !facts.flagged_items().contains(item) {
                return Err(Refusal::UnknownSupervisionItem { item: item.clone() });
            }
            Ok(())
        }
        EventKind::FeeWaived { item, reason } => fee_waived(facts, item, reason, ctx),
        EventKind::SupervisionAssigned { .. }
        | EventKind::EvaluationAppealed { .. }
        | EventKind::AppealDecided { .. } => staffing::preconditions(facts, event),
        EventKind::Retracted { reason } => {
            if event.supersedes.is_none() {
                return Err(Refusal::NothingToRetract);
            }
            required(reason, RequiredField::RetractionReason)
        }
    }
}
