//! What a set of (live, i.e. unsuperseded) case events establishes: the
//! working summary shared by the fold, the clock, the warnings and the
//! precondition check. It borrows the events and sorts them into buckets by
//! kind; every question it answers is a function of the bucket *contents*,
//! never of their order, except where an order is documented (then it is
//! the `(hlc, op id)` order the fold absorbs in).
//!
//! It sits below everything that reads it: it knows events, records and
//! status values, never the context, the clock or the fold.

use std::collections::{BTreeMap, BTreeSet};

use crate::calendar::cst_date;
use crate::event::{EventKind, Reviewer, SpecialCode};
use crate::record::{CaseRecord, RecordedEvent};
use crate::rule::SupervisionId;
use crate::status::Status;
use liandong_model::OpId;

/// One live event, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ev<'a> {
    pub op: &'a OpId,
    pub at_ms: u64,
    pub kind: &'a EventKind,
}

impl<'a> Ev<'a> {
    pub fn of(op: &'a OpId, e: &'a RecordedEvent) -> Self {
        Ev {
            op,
            at_ms: e.event.at_ms,
            kind: &e.event.kind,
        }
    }

    pub fn date(&self) -> chrono::NaiveDate {
        cst_date(self.at_ms)
    }
}

/// Live events sorted by kind.
#[derive(Debug, Default, Clone)]
pub(crate) struct Facts<'a> {
    pub submitted: Vec<Ev<'a>>,
    pub correction_requests: Vec<Ev<'a>>,
    pub corrections_supplied: Vec<Ev<'a>>,
    pub accepted: Vec<Ev<'a>>,
    pub rejected: Vec<Ev<'a>>,
    pub routed: Vec<Ev<'a>>,
    pub opinions: Vec<Ev<'a>>,
    pub opinion_requests: Vec<Ev<'a>>,
    pub supplement_requests: Vec<Ev<'a>>,
    pub supplements_supplied: Vec<Ev<'a>>,
    pub specials_started: Vec<Ev<'a>>,
    pub specials_ended: Vec<Ev<'a>>,
    pub decisions: Vec<Ev<'a>>,
    pub fees: Vec<Ev<'a>>,
    pub concluded: Vec<Ev<'a>>,
    pub delivered: Vec<Ev<'a>>,
    pub withdrawn: Vec<Ev<'a>>,
    pub evaluations: Vec<Ev<'a>>,
    pub invitations: Vec<Ev<'a>>,
    pub bad_reviews_handled: Vec<Ev<'a>>,
    pub flagged: Vec<Ev<'a>>,
    pub resolved: Vec<Ev<'a>>,
    pub annotated: Vec<Ev<'a>>,
    pub retracted: Vec<Ev<'a>>,
    pub fee_waivers: Vec<Ev<'a>>,
    /// The last day of the notice clock when the case stands deemed
    /// accepted at the time of the event being checked (行政许可法 §32: no
    /// notice, acceptance or rejection by then). Set by the precondition
    /// check, which has the calendar; `None` elsewhere.
    pub deemed_accepted: Option<chrono::NaiveDate>,
    /// Supervision assignments, evaluation appeals and their decisions.
    pub staffing: Vec<Ev<'a>>,
}

/// The earliest business time of a bucket (ties: smallest op id).
fn earliest<'a>(evs: &[Ev<'a>]) -> Option<Ev<'a>> {
    evs.iter()
        .copied()
        .min_by(|a, b| (a.at_ms, a.op).cmp(&(b.at_ms, b.op)))
}

impl<'a> Facts<'a> {
    /// The facts of every live event of a record (`superseded` excluded).
    pub fn of_record(record: &'a CaseRecord, superseded: &BTreeSet<OpId>) -> Self {
        let mut facts = Facts::default();
        for (op, e) in record.history() {
            if !superseded.contains(op) {
                facts.absorb(Ev::of(op, e));
            }
        }
        facts
    }

    pub fn absorb(&mut self, ev: Ev<'a>) {
        let bucket = match ev.kind {
            EventKind::Submitted { .. } => &mut self.submitted,
            EventKind::CorrectionRequested { .. } => &mut self.correction_requests,
            EventKind::CorrectionSupplied { .. } => &mut self.corrections_supplied,
            EventKind::Accepted { .. } => &mut self.accepted,
            EventKind::Rejected { .. } => &mut self.rejected,
            EventKind::RoutedToDepartment { .. } => &mut self.routed,
            EventKind::OpinionGiven { .. } | EventKind::OpinionRecorded { .. } => {
                &mut self.opinions
            }
            EventKind::OpinionRequested { .. } => &mut self.opinion_requests,
            EventKind::SupplementRequested { .. } => &mut self.supplement_requests,
            EventKind::SupplementSupplied { .. } => &mut self.supplements_supplied,
            EventKind::SpecialProcedureStarted { .. } => &mut self.specials_started,
            EventKind::SpecialProcedureEnded { .. } => &mut self.specials_ended,
            EventKind::Decided { .. } => &mut self.decisions,
            EventKind::FeeCharged { .. } => &mut self.fees,
            EventKind::Concluded => &mut self.concluded,
            EventKind::Delivered { .. } => &mut self.delivered,
            EventKind::Withdrawn { .. } => &mut self.withdrawn,
            EventKind::Evaluated { .. } => &mut self.evaluations,
            EventKind::EvaluationInvited { .. } => &mut self.invitations,
            EventKind::BadReviewHandled { .. } => &mut self.bad_reviews_handled,
            EventKind::SupervisionFlagged { .. } => &mut self.flagged,
            EventKind::SupervisionResolved { .. } => &mut self.resolved,
            EventKind::SupervisionAnnotated { .. } => &mut self.annotated,
            EventKind::Retracted { .. } => &mut self.retracted,
            EventKind::FeeWaived { .. } => &mut self.fee_waivers,
            EventKind::SupervisionAssigned { .. }
            | EventKind::EvaluationAppealed { .. }
            | EventKind::AppealDecided { .. } => &mut self.staffing,
        };
        bucket.push(ev);
    }

    /// The application: the smallest op id if (abnormally) there are several.
    pub fn submission(&self) -> Option<Ev<'a>> {
        self.submitted.iter().copied().min_by_key(|e| e.op)
    }

    pub fn first_accepted(&self) -> Option<Ev<'a>> {
        earliest(&self.accepted)
    }

    pub fn first_concluded(&self) -> Option<Ev<'a>> {
        earliest(&self.concluded)
    }

    /// The first reply to an application (notice, acceptance or rejection).
    pub fn first_response(&self) -> Option<Ev<'a>> {
        let all: Vec<Ev<'a>> = [&self.correction_requests, &self.accepted, &self.rejected]
            .into_iter()
            .flatten()
            .copied()
            .collect();
        earliest(&all)
    }

    /// How the case was closed, if it was (the status-fold order).
    pub fn closed_as(&self) -> Option<Status> {
        if !self.withdrawn.is_empty() {
            Some(Status::Withdrawn)
        } else if !self.delivered.is_empty() {
            Some(Status::Delivered)
        } else if !self.concluded.is_empty() {
            Some(Status::Concluded)
        } else if !self.rejected.is_empty() {
            Some(Status::Rejected)
        } else {
            None
        }
    }

    /// The first answer naming `opener` (its op id) in a closing bucket.
    pub fn answer(closers: &[Ev<'a>], opener: &OpId) -> Option<Ev<'a>> {
        let named: Vec<Ev<'a>> = closers
            .iter()
            .copied()
            .filter(|e| closes(e.kind) == Some(opener))
            .collect();
        earliest(&named)
    }

    /// Correction notices not yet answered.
    pub fn open_corrections(&self) -> Vec<Ev<'a>> {
        self.correction_requests
            .iter()
            .copied()
            .filter(|r| Self::answer(&self.corrections_supplied, r.op).is_none())
            .collect()
    }

    /// Clock pauses not yet ended: supplements, and code 2 procedures
    /// (whether the catalogue counts them is decided by the clock).
    pub fn open_pauses(&self) -> Vec<Ev<'a>> {
        let supplements = self
            .supplement_requests
            .iter()
            .filter(|r| Self::answer(&self.supplements_supplied, r.op).is_none());
        let specials = self.specials_started.iter().filter(|s| {
            matches!(
                s.kind,
                EventKind::SpecialProcedureStarted {
                    code: SpecialCode::Other,
                    ..
                }
            ) && Self::answer(&self.specials_ended, s.op).is_none()
        });
        supplements.chain(specials).copied().collect()
    }

    /// Departments a part was routed to, with the routing event (the
    /// earliest if routed twice).
    pub fn routed_departments(&self) -> BTreeMap<&'a str, Ev<'a>> {
        let mut out: BTreeMap<&'a str, Ev<'a>> = BTreeMap::new();
        for e in &self.routed {
            if let EventKind::RoutedToDepartment { department, .. } = e.kind {
                let slot = out.entry(department.as_str()).or_insert(*e);
                if (e.at_ms, e.op) < (slot.at_ms, slot.op) {
                    *slot = *e;
                }
            }
        }
        out
    }

    /// The first opinion or decision of a department.
    pub fn department_answer(&self, department: &str) -> Option<Ev<'a>> {
        let answers: Vec<Ev<'a>> = self
            .opinions
            .iter()
            .chain(&self.decisions)
            .copied()
            .filter(|e| event_department(e.kind) == Some(department))
            .collect();
        earliest(&answers)
    }

    /// Routed departments that have neither given an opinion nor decided,
    /// then townships asked for an opinion that have not given it.
    pub fn awaiting_opinions(&self) -> Vec<String> {
        let departments = self
            .routed_departments()
            .into_keys()
            .filter(|d| self.department_answer(d).is_none())
            .map(str::to_string);
        let townships = self
            .requested_townships()
            .into_keys()
            .filter(|t| self.township_opinion(t).is_none())
            .map(str::to_string);
        departments.chain(townships).collect()
    }

    /// Townships asked for an opinion, with the (earliest) request.
    pub fn requested_townships(&self) -> BTreeMap<&'a str, Ev<'a>> {
        let mut out: BTreeMap<&'a str, Ev<'a>> = BTreeMap::new();
        for e in &self.opinion_requests {
            if let EventKind::OpinionRequested { township, .. } = e.kind {
                let slot = out.entry(township.as_str()).or_insert(*e);
                if (e.at_ms, e.op) < (slot.at_ms, slot.op) {
                    *slot = *e;
                }
            }
        }
        out
    }

    /// The first opinion of a township asked for one.
    pub fn township_opinion(&self, township: &str) -> Option<Ev<'a>> {
        let given: Vec<Ev<'a>> = self
            .opinions
            .iter()
            .copied()
            .filter(|e| {
                matches!(e.kind, EventKind::OpinionRecorded { reviewer: Reviewer::Township(t), .. } if t == township)
            })
            .collect();
        earliest(&given)
    }

    /// Routed departments without a live decision of their own part.
    pub fn undecided_parts(&self) -> Vec<String> {
        let decided = self.decisions_by_department();
        self.routed_departments()
            .into_keys()
            .filter(|d| !decided.contains_key(d))
            .map(str::to_string)
            .collect()
    }

    /// Live decisions, grouped by department.
    pub fn decisions_by_department(&self) -> BTreeMap<&'a str, Vec<Ev<'a>>> {
        let mut out: BTreeMap<&'a str, Vec<Ev<'a>>> = BTreeMap::new();
        for e in &self.decisions {
            if let Some(d) = event_department(e.kind) {
                out.entry(d).or_default().push(*e);
            }
        }
        out
    }

    /// Supervision items flagged on this case.
    pub fn flagged_items(&self) -> BTreeSet<&'a SupervisionId> {
        self.flagged
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::SupervisionFlagged { item, .. } => Some(item),
                _ => None,
            })
            .collect()
    }

    /// Supervision items resolved on this case.
    pub fn resolved_items(&self) -> BTreeSet<&'a SupervisionId> {
        self.resolved
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::SupervisionResolved { item, .. } => Some(item),
                _ => None,
            })
            .collect()
    }

    /// Whether the case stands accepted: recorded or deemed.
    pub fn stands_accepted(&self) -> bool {
        !self.accepted.is_empty() || self.deemed_accepted.is_some()
    }

    /// Fee items charged or waived (live events).
    pub fn fees_settled(&self) -> BTreeSet<&'a str> {
        self.fees
            .iter()
            .chain(&self.fee_waivers)
            .filter_map(|e| match e.kind {
                EventKind::FeeCharged { item, .. } | EventKind::FeeWaived { item, .. } => {
                    Some(item.as_str())
                }
                _ => None,
            })
            .collect()
    }

    /// Whether some live decision approves a part (准予).
    pub fn any_approval(&self) -> bool {
        self.decisions
            .iter()
            .any(|e| matches!(e.kind, EventKind::Decided { approve: true, .. }))
    }

    /// Material names handed in: at submission and in answered notices.
    pub fn materials_in_hand(&self) -> BTreeSet<&'a str> {
        let mut names = BTreeSet::new();
        if let Some(EventKind::Submitted { materials, .. }) = self.submission().map(|s| s.kind) {
            names.extend(materials.iter().map(|m| m.name.as_str()));
        }
        for e in &self.corrections_supplied {
            if let EventKind::CorrectionSupplied { supplied, .. } = e.kind {
                names.extend(supplied.iter().map(String::as_str));
            }
        }
        names
    }
}

/// The opening event an event answers, if it is a closing event.
pub(crate) fn closes(kind: &EventKind) -> Option<&OpId> {
    match kind {
        EventKind::CorrectionSupplied { request, .. }
        | EventKind::SupplementSupplied { request, .. } => Some(request),
        EventKind::SpecialProcedureEnded { started } => Some(started),
        EventKind::BadReviewHandled { evaluation, .. } => Some(evaluation),
        _ => None,
    }
}

/// The department an opinion or decision speaks for.
pub(crate) fn event_department(kind: &EventKind) -> Option<&str> {
    match kind {
        EventKind::OpinionGiven { department, .. } | EventKind::Decided { department, .. } => {
            Some(department)
        }
        EventKind::OpinionRecorded {
            reviewer: Reviewer::Department(department),
            ..
        } => Some(department),
        _ => None,
    }
}
