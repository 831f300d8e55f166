//! Complaints (投诉), DOMAIN.md §6: an entity of its own, linked to a case,
//! a staff member or a centre, received at any centre, routed to
//! e-supervision at the county, answered within a configured number of
//! working days, and never deleted.
//!
//! A complaint is the grow-only set of its events ([`ComplaintEvent`]):
//! one [`ComplaintKind::Received`] written where it was received (the
//! centre its [`EntityId::Complaint`](liandong_model::EntityId::Complaint)
//! names, so it travels to that centre and the county, where
//! e-supervision works), then one [`ComplaintKind::Answered`] written by
//! e-supervision at the county. No body removes a complaint or an event
//! of it; the store keeps every event.
//!
//! [`check_complaint`] refuses a broken event where it is written;
//! [`fold_complaint`] folds whatever arrived (any order) and lists as
//! anomalies what the checks would have refused: a second receipt (the
//! earliest stands), an answer without a receipt, a second answer (the
//! earliest stands), an answer from a centre.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::{cst_date, Calendar};
use crate::refusal::{StaffRefusal, MAX_ANSWER_DAYS};
use liandong_model::{CaseId, NodeId, OpId, Personal, Role};

/// What a complaint is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ComplaintSubject {
    /// A case (办件).
    Case(CaseId),
    /// A staff member, by staff id.
    Staff(String),
    /// A centre, by node name (`T01`, or the county's name).
    Centre(String),
}

impl std::fmt::Display for ComplaintSubject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ComplaintSubject::Case(c) => write!(f, "case {c}"),
            ComplaintSubject::Staff(s) => write!(f, "staff {s}"),
            ComplaintSubject::Centre(c) => write!(f, "centre {c}"),
        }
    }
}

/// One event of a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintEvent {
    /// Business time, Unix ms.
    pub at_ms: u64,
    /// The staff id of whoever wrote it.
    pub by: String,
    pub kind: ComplaintKind,
}

/// What happened to a complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComplaintKind {
    /// Received at a centre and routed to e-supervision.
    Received {
        subject: ComplaintSubject,
        /// The complainant (personal data).
        complainant: Personal<String>,
        /// What the complaint says (personal data: it may name people).
        text: Personal<String>,
        /// Working days e-supervision has to answer, after the day of
        /// receipt (the county's configured figure when received).
        answer_days: u16,
    },
    /// E-supervision's answer.
    Answered { answer: String },
}

/// A complaint as folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintState {
    /// The first receipt, if one arrived.
    pub receipt: Option<Receipt>,
    /// The first answer, if one arrived.
    pub answer: Option<Answer>,
    /// What arrived broken.
    pub anomalies: Vec<ComplaintAnomaly>,
}

/// A complaint's receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub op: OpId,
    pub at_ms: u64,
    pub by: String,
    pub subject: ComplaintSubject,
    pub complainant: Personal<String>,
    pub text: Personal<String>,
    pub answer_days: u16,
}

/// A complaint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub op: OpId,
    pub at_ms: u64,
    pub by: String,
    pub answer: String,
}

/// An event of a complaint that its checks would have refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintAnomaly {
    pub op: OpId,
    pub problem: StaffRefusal,
}

/// Where a complaint stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ComplaintStatus {
    /// Nothing but answers arrived (the receipt is still on its way).
    NotReceived,
    /// Waiting for its answer, within the time.
    Open,
    /// Waiting for its answer past the time.
    Overdue,
    AnsweredOnTime,
    AnsweredLate,
}

impl ComplaintStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ComplaintStatus::NotReceived => "not-received",
            ComplaintStatus::Open => "open",
            ComplaintStatus::Overdue => "overdue",
            ComplaintStatus::AnsweredOnTime => "answered-on-time",
            ComplaintStatus::AnsweredLate => "answered-late",
        }
    }
}

impl ComplaintState {
    /// The last day to answer: the `answer_days`-th working day after the
    /// day of receipt (China Standard Time).
    pub fn due(&self, calendar: &Calendar) -> Option<NaiveDate> {
        let r = self.receipt.as_ref()?;
        Some(calendar.add_working_days(cst_date(r.at_ms), u32::from(r.answer_days)))
    }

    /// Where the complaint stands on `today`.
    pub fn status(&self, calendar: &Calendar, today: NaiveDate) -> ComplaintStatus {
        let Some(due) = self.due(calendar) else {
            return ComplaintStatus::NotReceived;
        };
        match &self.answer {
            Some(a) if cst_date(a.at_ms) <= due => ComplaintStatus::AnsweredOnTime,
            Some(_) => ComplaintStatus::AnsweredLate,
            None if today > due => ComplaintStatus::Overdue,
            None => ComplaintStatus::Open,
        }
    }
}

/// Checks an event before `writer` writes it on a complaint whose events
/// so far fold to `state`.
pub fn check_complaint(
    state: &ComplaintState,
    writer: &NodeId,
    event: &ComplaintEvent,
) -> Result<(), StaffRefusal> {
    if event.by.trim().is_empty() {
        return Err(empty("staff id"));
    }
    match &event.kind {
        ComplaintKind::Received {
            complainant,
            text,
            answer_days,
            subject,
        } => {
            if let Some(r) = &state.receipt {
                return Err(StaffRefusal::ComplaintAlreadyReceived {
                    receipt: r.op.clone(),
                });
            }
            if complainant.expose().trim().is_empty() {
                return Err(empty("complainant"));
            }
            if text.expose().trim().is_empty() {
                return Err(empty("complaint"));
            }
            let subject_empty = match subject {
                ComplaintSubject::Case(_) => false,
                ComplaintSubject::Staff(s) | ComplaintSubject::Centre(s) => s.trim().is_empty(),
            };
            if subject_empty {
                return Err(empty("subject"));
            }
            if *answer_days == 0 || *answer_days > MAX_ANSWER_DAYS {
                return Err(StaffRefusal::AnswerDaysOutOfRange { days: *answer_days });
            }
            Ok(())
        }
        ComplaintKind::Answered { answer } => {
            if writer.role() != Role::County {
                return Err(StaffRefusal::AnsweredOutsideCounty {
                    node: writer.to_string(),
                });
            }
            if state.receipt.is_none() {
                return Err(StaffRefusal::ComplaintNotReceived);
            }
            if let Some(a) = &state.answer {
                return Err(StaffRefusal::ComplaintAlreadyAnswered {
                    answer: a.op.clone(),
                });
            }
            if answer.trim().is_empty() {
                return Err(empty("answer"));
            }
            Ok(())
        }
    }
}

fn empty(field: &str) -> StaffRefusal {
    StaffRefusal::Empty {
        field: field.to_string(),
    }
}

/// Folds a complaint's events, whatever order they arrived in: receipts
/// before answers, each in (business time, op id) order; the first of
/// each stands and every event its checks refuse is an anomaly.
pub fn fold_complaint(events: &BTreeMap<OpId, ComplaintEvent>) -> ComplaintState {
    let mut ordered: Vec<(&OpId, &ComplaintEvent)> = events.iter().collect();
    ordered.sort_by_key(|(op, e)| {
        let answer = matches!(e.kind, ComplaintKind::Answered { .. });
        (answer, e.at_ms, (*op).clone())
    });
    let mut state = ComplaintState {
        receipt: None,
        answer: None,
        anomalies: Vec::new(),
    };
    for (op, e) in ordered {
        if let Err(problem) = check_complaint(&state, &op.origin, e) {
            // An answer whose receipt has not arrived is kept (shown with
            // the anomaly); everything else refused changes nothing.
            let keep = problem == StaffRefusal::ComplaintNotReceived && state.answer.is_none();
            state.anomalies.push(ComplaintAnomaly {
                op: op.clone(),
                problem,
            });
            if !keep {
                continue;
            }
        }
        match &e.kind {
            ComplaintKind::Received {
                subject,
                complainant,
                text,
                answer_days,
            } => {
                state.receipt = Some(Receipt {
                    op: op.clone(),
                    at_ms: e.at_ms,
                    by: e.by.clone(),
                    subject: subject.clone(),
                    complainant: complainant.clone(),
                    text: text.clone(),
                    answer_days: *answer_days,
                });
            }
            ComplaintKind::Answered { answer } => {
                state.answer = Some(Answer {
                    op: op.clone(),
                    at_ms: e.at_ms,
                    by: e.by.clone(),
                    answer: answer.clone(),
                });
            }
        }
    }
    state
}

#[cfg(test)]
mod tests;
