//! Preconditions of the case events of e-supervision and staff management:
//! a supervision item's responsible department and correction deadline,
//! and the 好差评 appeal (申诉复核) of an evaluation.
//!
//! - `SupervisionAssigned`: the item is flagged and not resolved, a
//!   department is named, and the deadline is not before the day it is set.
//! - `EvaluationAppealed`: the evaluation is on the case, a department and
//!   a reason are given, and it is not already appealed.
//! - `AppealDecided`: the appeal is on the case and not decided yet; a note
//!   is given.

use crate::calendar::cst_date;
use crate::event::{CaseEvent, EventKind};
use crate::facts::Facts;
use crate::refusal::{Refusal, StaffRefusal};

pub(super) fn preconditions(facts: &Facts<'_>, event: &CaseEvent) -> Result<(), Refusal> {
    let staff = |r: StaffRefusal| Err(Refusal::Staff(r));
    let empty = |field: &str| {
        staff(StaffRefusal::Empty {
            field: field.to_string(),
        })
    };
    match &event.kind {
        EventKind::SupervisionAssigned {
            item,
            department,
            correct_by,
            ..
        } => {
            if !facts.flagged_items().contains(item) {
                return Err(Refusal::UnknownSupervisionItem { item: item.clone() });
            }
            if facts.resolved_items().contains(item) {
                return Err(Refusal::SupervisionAlreadyResolved { item: item.clone() });
            }
            if department.trim().is_empty() {
                return empty("department");
            }
            let on = cst_date(event.at_ms);
            if *correct_by < on {
                return staff(StaffRefusal::CorrectionDeadlinePast {
                    correct_by: *correct_by,
                    on,
                });
            }
            Ok(())
        }
        EventKind::EvaluationAppealed {
            evaluation,
            department,
            reason,
        } => {
            if department.trim().is_empty() {
                return empty("department");
            }
            if reason.trim().is_empty() {
                return empty("reason");
            }
            if !facts.evaluations.iter().any(|e| e.op == evaluation) {
                return staff(StaffRefusal::UnknownEvaluation {
                    op: evaluation.clone(),
                });
            }
            let earlier = facts.staffing.iter().find(|e| {
                matches!(&e.kind, EventKind::EvaluationAppealed { evaluation: ev, .. } if ev == evaluation)
            });
            if let Some(e) = earlier {
                return staff(StaffRefusal::AlreadyAppealed {
                    appeal: e.op.clone(),
                });
            }
            Ok(())
        }
        EventKind::AppealDecided { appeal, note, .. } => {
            if note.trim().is_empty() {
                return empty("note");
            }
            let appealed = facts
                .staffing
                .iter()
                .any(|e| e.op == appeal && matches!(e.kind, EventKind::EvaluationAppealed { .. }));
            if !appealed {
                return staff(StaffRefusal::UnknownAppeal { op: appeal.clone() });
            }
            let decided = facts.staffing.iter().find(
                |e| matches!(&e.kind, EventKind::AppealDecided { appeal: a, .. } if a == appeal),
            );
            if let Some(e) = decided {
                return staff(StaffRefusal::AppealAlreadyDecided {
                    decision: e.op.clone(),
                });
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
