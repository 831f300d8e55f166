//! The rules on who recorded an event (its [`Recorder`]), beside the
//! preconditions on what it says.
//!
//! [`recorded_by`] is checked where an event is written (from
//! [`super::check`]) and again over received events by the fold, which
//! shows a failure as an anomaly. An event without a recorder (written
//! before staff signed in, or by the county's rule engine) passes as it
//! always did. With a recorder:
//! - the role may record the kind ([`may_record`]); an evaluation never has
//!   a recorder (it comes from the applicant);
//! - a decision's `by` is the recorder;
//! - an event that supersedes another (a retraction, or a correction that
//!   replaces it) is recorded in the role that recorded the target (an old
//!   target without a recorder: a role that may record its kind), at the
//!   target's origin node, by the same person when the target is a
//!   decision; never of an evaluation or a supervision event. This holds
//!   for every superseding event, not only `Retracted`: a superseding
//!   event voids its target whatever its own kind, so the rule on who may
//!   void an event cannot depend on it.
//!
//! [`on_roster`] is the fold's alone: received events are judged against
//! the roster as currently held. Roles are an Orswot without history, so
//! "had the role at that time" is "has it in the roster held now": an
//! anomaly appears while the roster has not arrived and vanishes once it
//! does (or appears when a role is later removed). The recording node
//! must be the operation's origin; the window clerk, the fee clerk, and a
//! reviewer recording at a township work at their centres (node names;
//! none: the county hall, so the node must be a county).

use crate::event::{CaseEvent, EventKind};
use crate::permission::may_record;
use crate::record::CaseRecord;
use crate::recorder::Recorder;
use crate::refusal::Refusal;
use crate::staff::{Staff, StaffRole};
use liandong_model::{NodeId, OpId, Role};

/// The rules on an event's recorder, given the record it joins.
pub(crate) fn recorded_by(record: &CaseRecord, event: &CaseEvent) -> Result<(), Refusal> {
    let Some(r) = &event.recorder else {
        return Ok(());
    };
    if let EventKind::Evaluated { .. } = event.kind {
        return Err(Refusal::EvaluationByStaff);
    }
    // An unknown target is the precondition check's to refuse.
    let target = event
        .supersedes
        .as_ref()
        .and_then(|op| record.get(op).map(|e| (op, &e.event)));
    if let Some((op, earlier)) = target {
        never_superseded(op, earlier)?;
    }
    if !may_record(r.role, &event.kind) {
        return Err(Refusal::RoleMayNotRecord {
            role: r.role,
            event: event.kind.name(),
        });
    }
    if let EventKind::Decided { by, .. } = &event.kind {
        if by != &r.staff {
            return Err(Refusal::DecidesAsSomeoneElse {
                recorder: r.staff.clone(),
                by: by.clone(),
            });
        }
    }
    match target {
        Some((op, earlier)) => supersedes(r, &op.origin, earlier),
        None => Ok(()),
    }
}

/// Evaluations and supervision events are never superseded, by anyone.
fn never_superseded(op: &OpId, target: &CaseEvent) -> Result<(), Refusal> {
    match &target.kind {
        EventKind::Evaluated { .. } => Err(Refusal::EvaluationRetracted),
        EventKind::SupervisionFlagged { .. }
        | EventKind::SupervisionResolved { .. }
        | EventKind::SupervisionAnnotated { .. } => {
            Err(Refusal::SupervisionIsPermanent { op: op.clone() })
        }
        _ => Ok(()),
    }
}

/// Whether `r` may supersede `target`, an event recorded at `origin`.
fn supersedes(r: &Recorder, origin: &NodeId, target: &CaseEvent) -> Result<(), Refusal> {
    match &target.recorder {
        Some(t) if t.role != r.role => {
            return Err(Refusal::RetractsAnotherRole {
                role: r.role,
                recorded_as: t.role,
            })
        }
        Some(_) => {}
        None if !may_record(r.role, &target.kind) => {
            return Err(Refusal::RoleMayNotRetract {
                role: r.role,
                event: target.kind.name(),
            })
        }
        None => {}
    }
    if &r.node != origin {
        return Err(Refusal::RetractsElsewhere {
            node: r.node.clone(),
            origin: origin.clone(),
        });
    }
    if let EventKind::Decided { by, .. } = &target.kind {
        if by != &r.staff {
            return Err(Refusal::RetractsAnotherPersonsDecision {
                staff: r.staff.clone(),
                by: by.clone(),
            });
        }
    }
    Ok(())
}

/// What the roster held here says against a received event's recorder,
/// the operation having been originated by `origin`.
pub(crate) fn on_roster(roster: &[Staff], r: &Recorder, origin: &NodeId) -> Vec<Refusal> {
    let mut problems = Vec::new();
    if &r.node != origin {
        problems.push(Refusal::RecorderNotOrigin {
            node: r.node.clone(),
            origin: origin.clone(),
        });
    }
    let Some(staff) = roster.iter().find(|s| s.id == r.staff) else {
        problems.push(Refusal::RecorderNotOnRoster {
            staff: r.staff.clone(),
        });
        return problems;
    };
    if !staff.has_role(r.role) {
        problems.push(Refusal::RecorderLacksRole {
            staff: r.staff.clone(),
            role: r.role,
            node: r.node.clone(),
        });
    }
    if tied_to_centres(r.role, &r.node) && !works_at(staff, &r.node) {
        problems.push(Refusal::RecorderOutsideCentres {
            staff: r.staff.clone(),
            role: r.role,
            node: r.node.clone(),
            centres: staff.centres().iter().cloned().collect(),
        });
    }
    problems
}

/// The roles that work at a centre's windows: the window and fee clerks
/// everywhere, a reviewer when recording at a township (a department's
/// reviewer works through its bridge or at the hall).
fn tied_to_centres(role: StaffRole, node: &NodeId) -> bool {
    match role {
        StaffRole::Clerk | StaffRole::FeeClerk => true,
        StaffRole::Reviewer => node.role() == Role::Township,
        _ => false,
    }
}

/// Whether `node` is one of the staff member's centres (none: the county).
fn works_at(staff: &Staff, node: &NodeId) -> bool {
    if staff.centres().is_empty() {
        node.role() == Role::County
    } else {
        staff.centres().contains(node.name())
    }
}
