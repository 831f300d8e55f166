//! Statistics per department, centre or staff member over a period
//! (DOMAIN.md §6; the basis of the consoles' dashboard and of the hall's
//! assessment): cases accepted, concluded on time, overdue, e-supervision
//! warnings and evaluations by level.
//!
//! [`case_figures`] takes what the figures need from one folded case;
//! [`statistics`] groups them. A period is a closed range of CST dates.
//! What counts in a period:
//! - accepted: accepted (or deemed accepted) on a day of the period;
//! - concluded on time: the clock stopped in the period on a concluded or
//!   delivered case, not past its promised deadline;
//! - overdue: the clock passed the promised deadline and either stopped in
//!   the period or is still running;
//! - warnings: `SupervisionFlagged` events dated in the period;
//! - evaluations: `Evaluated` events dated in the period, by level (1 非常
//!   满意 … 5 非常不满意), except those taken out of the statistics
//!   taken out of the statistics: a false evaluation whose appeal hall
//!   management upheld ([`appealed_out`], applied by [`case_figures`]; a
//!   caller may exclude more with `excluded`). An evaluation taken out is
//!   not deleted; it is only not counted.
//!
//! Cases count for their accepting centre, for each department they were
//! routed to (or decided by), and for the staff member who accepted them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::cst_date;
use crate::event::EventKind;
use crate::fold::CaseState;
use crate::record::CaseRecord;
use crate::status::Status;
use liandong_model::{CaseId, OpId};

/// Key of cases that name no department.
pub const NO_DEPARTMENT: &str = "-";
/// Key of cases accepted without a named recorder.
pub const NO_STAFF: &str = "-";

/// What the figures group by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupBy {
    Department,
    Centre,
    Staff,
}

impl std::str::FromStr for GroupBy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "department" => Ok(GroupBy::Department),
            "centre" => Ok(GroupBy::Centre),
            "staff" => Ok(GroupBy::Staff),
            _ => Err(format!("group `{s}`: use department, centre or staff")),
        }
    }
}

/// What the figures need of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFigures {
    pub centre: String,
    pub departments: Vec<String>,
    /// The staff id of whoever recorded the acceptance.
    pub staff: Option<String>,
    pub accepted_on: Option<NaiveDate>,
    pub stopped_on: Option<NaiveDate>,
    pub concluded: bool,
    pub overdue: bool,
    /// The dates of its `SupervisionFlagged` events.
    pub flagged_on: Vec<NaiveDate>,
    /// Its live evaluations: op id, date, level.
    pub evaluations: Vec<(OpId, NaiveDate, u8)>,
}

/// The figures of one case, from its record and its fold.
pub fn case_figures(case: &CaseId, record: &CaseRecord, state: &CaseState) -> CaseFigures {
    let superseded = record.superseded();
    let live = || {
        record
            .history()
            .into_iter()
            .filter(|(op, _)| !superseded.contains(*op))
    };
    let staff = live()
        .find(|(_, e)| matches!(e.event.kind, EventKind::Accepted { .. }))
        .and_then(|(_, e)| e.event.recorder.as_ref().map(|r| r.staff.clone()));
    let flagged_on = live()
        .filter(|(_, e)| matches!(e.event.kind, EventKind::SupervisionFlagged { .. }))
        .map(|(_, e)| cst_date(e.event.at_ms))
        .collect();
    let taken_out = appealed_out(record);
    let evaluations = live()
        .filter_map(|(op, e)| match e.event.kind {
            EventKind::Evaluated { level, .. } if !taken_out.contains(op) => {
                Some((op.clone(), cst_date(e.event.at_ms), level))
            }
            _ => None,
        })
        .collect();
    let mut departments: BTreeSet<String> = state.routed.iter().cloned().collect();
    departments.extend(state.parts.iter().map(|p| p.department.clone()));
    CaseFigures {
        centre: case.origin().name().to_string(),
        departments: departments.into_iter().collect(),
        staff,
        accepted_on: state.clock.accepted_on,
        stopped_on: state.clock.stopped_on,
        concluded: matches!(state.status, Status::Concluded | Status::Delivered),
        overdue: state.clock.overdue,
        flagged_on,
        evaluations,
    }
}

/// The evaluations of a case taken out of the statistics: those whose
/// appeal (申诉复核) hall management upheld. Only a well-formed pair
/// counts: the appeal names an evaluation of the case, and the decision
/// names that appeal (the first decision of an appeal stands).
pub fn appealed_out(record: &CaseRecord) -> BTreeSet<OpId> {
    let superseded = record.superseded();
    let history: Vec<_> = record
        .history()
        .into_iter()
        .filter(|(op, _)| !superseded.contains(*op))
        .collect();
    let mut decided: BTreeMap<&OpId, bool> = BTreeMap::new();
    for (_, e) in &history {
        if let EventKind::AppealDecided { appeal, upheld, .. } = &e.event.kind {
            decided.entry(appeal).or_insert(*upheld);
        }
    }
    let evaluations: BTreeSet<&OpId> = history
        .iter()
        .filter(|(_, e)| matches!(e.event.kind, EventKind::Evaluated { .. }))
        .map(|(op, _)| *op)
        .collect();
    history
        .iter()
        .filter_map(|(op, e)| match &e.event.kind {
            EventKind::EvaluationAppealed { evaluation, .. }
                if decided.get(op) == Some(&true) && evaluations.contains(evaluation) =>
            {
                Some(evaluation.clone())
            }
            _ => None,
        })
        .collect()
}

/// The figures of one department, centre or staff member.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    pub key: String,
    pub accepted: u32,
    pub concluded_on_time: u32,
    pub overdue: u32,
    pub warnings: u32,
    /// Evaluations by level: index 0 is level 1 (非常满意), 4 is level 5.
    pub evaluations: [u32; 5],
}

/// The figures over `from..=to`, grouped `by`, leaving out the
/// evaluations in `excluded`. Rows by key.
pub fn statistics(
    cases: &[CaseFigures],
    from: NaiveDate,
    to: NaiveDate,
    by: GroupBy,
    excluded: &BTreeSet<OpId>,
) -> Vec<Row> {
    let within = |d: NaiveDate| d >= from && d <= to;
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    for c in cases {
        let keys: Vec<String> = match by {
            GroupBy::Centre => vec![c.centre.clone()],
            GroupBy::Department if c.departments.is_empty() => vec![NO_DEPARTMENT.into()],
            GroupBy::Department => c.departments.clone(),
            GroupBy::Staff => vec![c.staff.clone().unwrap_or_else(|| NO_STAFF.into())],
        };
        let accepted = c.accepted_on.is_some_and(within);
        let stopped_within = c.stopped_on.is_some_and(within);
        let on_time = stopped_within && c.concluded && !c.overdue;
        let overdue = c.overdue && (stopped_within || c.stopped_on.is_none());
        let warnings = c.flagged_on.iter().filter(|d| within(**d)).count();
        let mut levels = [0u32; 5];
        for (op, day, level) in &c.evaluations {
            if within(*day) && !excluded.contains(op) && (1..=5).contains(level) {
                levels[usize::from(*level - 1)] += 1;
            }
        }
        let counts =
            accepted || on_time || overdue || warnings > 0 || levels.iter().any(|n| *n > 0);
        if !counts {
            continue;
        }
        for key in keys {
            let row = rows.entry(key.clone()).or_insert_with(|| Row {
                key,
                ..Row::default()
            });
            row.accepted += u32::from(accepted);
            row.concluded_on_time += u32::from(on_time);
            row.overdue += u32::from(overdue);
            row.warnings += u32::try_from(warnings).unwrap_or(u32::MAX);
            for (sum, n) in row.evaluations.iter_mut().zip(levels) {
                *sum += n;
            }
        }
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests;
