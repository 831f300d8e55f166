//! The fold: a case's state as a pure function of its event set and a
//! context (calendar, matter version, authorisations, `now`, thresholds).
//!
//! Superseded events are set aside first (an event is superseded when any
//! event in the set names it). The live events are then absorbed in
//! `(hlc, op id)` order — the order is a property of the set, so arrival
//! order and duplication cannot change it — and each is checked against
//! the facts of the events before it: a received event that breaks a
//! precondition is kept, takes effect, and is listed as an anomaly.
//! An event with a recorder is also judged on who recorded it: the rules
//! checked where it is written, and the roster as held here (the role, the
//! centres, the node; see `check`'s recorder rules). A failure is an
//! anomaly too — kept, shown, seen by e-supervision; since rosters
//! replicate late, such an anomaly can appear or vanish as the roster
//! arrives or changes.
//! Contradictions (DOMAIN.md §3 status fold, rule 1) become conflicts that
//! name every event involved; no winner is picked by timestamp, and only a
//! later superseding event clears one.
//!
//! The fold sits above everything it folds: the check, the clock, the
//! warnings and the facts they share. Its context ([`FoldContext`],
//! [`Thresholds`]) is defined below them in [`crate::context`] and
//! re-exported here.

use serde::{Deserialize, Serialize};

use crate::authorisation::AuthError;
use crate::base::Stamp;
use crate::check::{on_roster, preconditions, recorded_by};
use crate::clock::{self, Clock};
pub use crate::context::{FoldContext, Thresholds};
use crate::event::{Applicant, EventKind, Seal};
use crate::facts::{Ev, Facts};
use crate::matter::MatterKind;
use crate::record::CaseRecord;
use crate::refusal::Refusal;
use crate::rule::SupervisionId;
pub use crate::status::{Conflict, ConflictKind, Status};
use crate::warning::{self, Warning};
use liandong_model::OpId;

/// A received event that broke a precondition: kept, and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anomaly {
    pub op: OpId,
    pub event: String,
    pub problem: Refusal,
}

/// One department's decision on its part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartDecision {
    pub op: OpId,
    pub department: String,
    pub approve: bool,
    pub by: String,
    pub authorisation: String,
    pub seal: Option<Seal>,
    pub at_ms: u64,
}

/// One fee charged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeLine {
    pub op: OpId,
    pub item: String,
    pub amount_fen: u64,
}

/// One evaluation (the comment and evaluator stay in the event: personal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvaluationLine {
    pub op: OpId,
    pub level: u8,
    pub handled: bool,
}

/// Everything shown about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseState {
    pub status: Status,
    pub matter: Option<String>,
    pub matter_version: Option<Stamp>,
    pub submitted_by: Option<OpId>,
    pub applicant: Option<Applicant>,
    pub clock: Clock,
    pub warnings: Vec<Warning>,
    pub conflicts: Vec<Conflict>,
    pub anomalies: Vec<Anomaly>,
    /// Decisions per part; an immediate matter concluded at the window may
    /// have none.
    pub parts: Vec<PartDecision>,
    pub routed: Vec<String>,
    pub awaiting_opinions: Vec<String>,
    /// Items of the open correction notice(s).
    pub missing: Vec<String>,
    pub fees: Vec<FeeLine>,
    pub fees_total_fen: u64,
    pub evaluations: Vec<EvaluationLine>,
    /// Flagged supervision items not yet resolved.
    pub open_supervision: Vec<SupervisionId>,
    pub superseded: Vec<OpId>,
    pub events: usize,
}

/// The state of a case.
pub fn fold(record: &CaseRecord, ctx: &FoldContext<'_>) -> CaseState {
    let replay = FoldContext {
        recorder_level: None,
        ..*ctx
    };
    let superseded = record.superseded();
    let mut facts = Facts::default();
    let mut anomalies = Vec::new();
    for (op, e) in record.history() {
        if superseded.contains(op) {
            continue;
        }
        match preconditions(&facts, &e.event, &replay) {
            // A decision under a revoked authorisation is a conflict.
            Err(Refusal::Unauthorised(AuthError::Revoked { .. })) | Ok(()) => {}
            Err(problem) => anomalies.push(Anomaly {
                op: op.clone(),
                event: e.event.kind.name().to_string(),
                problem,
            }),
        }
        if let Some(r) = &e.event.recorder {
            let problems = recorded_by(record, &e.event)
                .err()
                .into_iter()
                .chain(on_roster(ctx.roster, r, &op.origin));
            anomalies.extend(problems.map(|problem| Anomaly {
                op: op.clone(),
                event: e.event.kind.name().to_string(),
                problem,
            }));
        }
        facts.absorb(Ev::of(op, e));
    }
    let conflicts = conflicts(&facts, ctx);
    let clock = clock::compute(&facts, ctx);
    let warnings = warning::derive(record, &facts, &clock, &conflicts, ctx);
    let status = status(&facts, &conflicts, &clock);
    let submission = facts.submission();
    let (matter, matter_version, applicant) = match submission.map(|s| s.kind) {
        Some(EventKind::Submitted {
            matter,
            matter_version,
            applicant,
            ..
        }) => (
            Some(matter.clone()),
            Some(matter_version.clone()),
            Some(applicant.clone()),
        ),
        _ => (None, None, None),
    };
    let fees = fee_lines(&facts);
    let resolved = facts.resolved_items();
    CaseState {
        status,
        matter,
        matter_version,
        submitted_by: submission.map(|s| s.op.clone()),
        applicant,
        clock,
        warnings,
        conflicts,
        anomalies,
        parts: part_decisions(&facts),
        routed: facts
            .routed_departments()
            .into_keys()
            .map(str::to_string)
            .collect(),
        awaiting_opinions: facts.awaiting_opinions(),
        missing: open_missing(&facts),
        fees_total_fen: fees
            .iter()
            .map(|f| f.amount_fen)
            .fold(0, u64::saturating_add),
        fees,
        evaluations: evaluation_lines(&facts),
        open_supervision: facts
            .flagged_items()
            .into_iter()
            .filter(|i| !resolved.contains(i))
            .cloned()
            .collect(),
        superseded: superseded.into_iter().collect(),
        events: record.len(),
    }
}

fn status(facts: &Facts<'_>, conflicts: &[Conflict], clock: &Clock) -> Status {
    if !conflicts.is_empty() {
        return Status::Conflict;
    }
    if let Some(closed) = facts.closed_as() {
        return closed;
    }
    if clock.accepted_on.is_some() {
        return if clock.paused {
            Status::Paused
        } else if !facts.awaiting_opinions().is_empty() {
            Status::AwaitingOpinions
        } else {
            Status::InProcess
        };
    }
    if !facts.open_corrections().is_empty() {
        Status::AwaitingCorrection
    } else if facts.submission().is_some() {
        Status::Submitted
    } else {
        Status::Incomplete
    }
}

fn pairs(kind: ConflictKind, a: &[Ev<'_>], b: &[Ev<'_>], out: &mut Vec<Conflict>) {
    for x in a {
        for y in b {
            let mut ops = vec![x.op.clone(), y.op.clone()];
            ops.sort();
            out.push(Conflict {
                kind: kind.clone(),
                ops,
            });
        }
    }
}

fn conflicts(facts: &Facts<'_>, ctx: &FoldContext<'_>) -> Vec<Conflict> {
    let mut out = Vec::new();
    pairs(
        ConflictKind::AcceptedAndRejected,
        &facts.accepted,
        &facts.rejected,
        &mut out,
    );
    pairs(
        ConflictKind::ConcludedAndWithdrawn,
        &facts.concluded,
        &facts.withdrawn,
        &mut out,
    );
    for (department, decisions) in facts.decisions_by_department() {
        let outcome = |e: &Ev<'_>| matches!(e.kind, EventKind::Decided { approve: true, .. });
        let (approvals, denials): (Vec<Ev<'_>>, Vec<Ev<'_>>) =
            decisions.iter().copied().partition(outcome);
        let kind = ConflictKind::DecisionsDisagree {
            department: department.to_string(),
        };
        pairs(kind, &approvals, &denials, &mut out);
    }
    for d in &facts.decisions {
        let EventKind::Decided { authorisation, .. } = d.kind else {
            continue;
        };
        let revoked = ctx
            .authorisations
            .iter()
            .filter(|a| &a.id == authorisation)
            .any(|a| a.revoked_at_ms.is_some_and(|r| r <= d.at_ms));
        if revoked {
            out.push(Conflict {
                kind: ConflictKind::DecisionUnderRevokedAuthorisation {
                    authorisation: authorisation.clone(),
                },
                ops: vec![d.op.clone()],
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

fn part_decisions(facts: &Facts<'_>) -> Vec<PartDecision> {
    let mut parts: Vec<PartDecision> = facts
        .decisions
        .iter()
        .filter_map(|d| match d.kind {
            EventKind::Decided {
                department,
                approve,
                by,
                authorisation,
                seal,
                ..
            } => Some(PartDecision {
                op: d.op.clone(),
                department: department.clone(),
                approve: *approve,
                by: by.clone(),
                authorisation: authorisation.clone(),
                seal: *seal,
                at_ms: d.at_ms,
            }),
            _ => None,
        })
        .collect();
    parts.sort_by(|a, b| (&a.department, &a.op).cmp(&(&b.department, &b.op)));
    parts
}

fn open_missing(facts: &Facts<'_>) -> Vec<String> {
    let mut missing: Vec<String> = facts
        .open_corrections()
        .iter()
        .filter_map(|r| match r.kind {
            EventKind::CorrectionRequested { missing } => Some(missing.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

fn fee_lines(facts: &Facts<'_>) -> Vec<FeeLine> {
    let mut fees: Vec<FeeLine> = facts
        .fees
        .iter()
        .filter_map(|f| match f.kind {
            EventKind::FeeCharged { item, amount_fen } => Some(FeeLine {
                op: f.op.clone(),
                item: item.clone(),
                amount_fen: *amount_fen,
            }),
            _ => None,
        })
        .collect();
    fees.sort_by(|a, b| a.op.cmp(&b.op));
    fees
}

fn evaluation_lines(facts: &Facts<'_>) -> Vec<EvaluationLine> {
    let mut lines: Vec<EvaluationLine> = facts
        .evaluations
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Evaluated { level, .. } => Some(EvaluationLine {
                op: e.op.clone(),
                level: *level,
                handled: Facts::answer(&facts.bad_reviews_handled, e.op).is_some(),
            }),
            _ => None,
        })
        .collect();
    lines.sort_by(|a, b| a.op.cmp(&b.op));
    lines
}

impl CaseState {
    /// Whether the matter was approved: every part approved (an immediate
    /// matter concluded with no recorded decision counts as approved at
    /// the window); `None` while undecided.
    pub fn approved(&self, kind: Option<MatterKind>) -> Option<bool> {
        if self.parts.is_empty() {
            let concluded = matches!(self.status, Status::Concluded | Status::Delivered);
            return (concluded && kind == Some(MatterKind::Immediate)).then_some(true);
        }
        Some(self.parts.iter().all(|p| p.approve))
    }
}
