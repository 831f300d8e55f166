//! Cases (办件): a grow-only set of events and the view folded from it.
//!
//! This is the foundation slice of DOMAIN.md §3: the events needed to accept,
//! conclude and withdraw a case. The view is a commutative fold, so any
//! arrival order and any duplication give the same view. Contradictory
//! events (a conclusion and a withdrawal) show as a conflict; nothing is
//! resolved by arrival order. The full lifecycle is a later slice.

use serde::{Deserialize, Serialize};

use super::node::NodeId;
use super::op::OpId;
use super::personal::Personal;

/// 办件编号: `<county code>-<node>-<YYYYMMDD>-<seq>`, assigned offline by the
/// accepting centre. Equality and order are on the text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CaseId {
    text: String,
    origin: NodeId,
}

impl CaseId {
    pub fn new(county_code: &str, origin: &NodeId, yyyymmdd: &str, seq: u64) -> Self {
        CaseId {
            text: format!("{county_code}-{}-{yyyymmdd}-{seq:06}", origin.name()),
            origin: origin.clone(),
        }
    }

    /// The accepting centre: always in the case's scope.
    pub fn origin(&self) -> &NodeId {
        &self.origin
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for CaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The applicant's personal fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: Personal<String>,
    pub id_number: Personal<String>,
}

/// One event in a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseEvent {
    /// 申请: the application with the applicant's data.
    Submitted {
        matter: String,
        applicant: Applicant,
        at_ms: u64,
        note: String,
    },
    /// 受理: the clock starts.
    Accepted { at_ms: u64 },
    /// 办结.
    Concluded { at_ms: u64 },
    /// 撤回, on the applicant's request.
    Withdrawn { at_ms: u64, reason: String },
}

/// Folded status (foundation subset of DOMAIN.md §3's status fold).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStatus {
    Conflict,
    Withdrawn,
    Concluded,
    InProcess,
    Submitted,
    /// Events arrived but not the application itself (yet).
    Incomplete,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Conflict => "conflict",
            CaseStatus::Withdrawn => "withdrawn",
            CaseStatus::Concluded => "concluded",
            CaseStatus::InProcess => "in-process",
            CaseStatus::Submitted => "submitted",
            CaseStatus::Incomplete => "incomplete",
        }
    }
}

/// The materialised view of a case. Every field is a commutative,
/// idempotent-under-dedup summary of the event set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub id: CaseId,
    /// The Submitted event that wins if (abnormally) there are several:
    /// the smallest op id, whatever the arrival order.
    pub submitted_by: Option<OpId>,
    pub matter: String,
    pub applicant: Option<Applicant>,
    pub submitted_at_ms: u64,
    pub accepted_at_ms: Option<u64>,
    pub concluded_at_ms: Option<u64>,
    pub withdrawn_at_ms: Option<u64>,
    pub events: u32,
    /// Operations whose body this build cannot read.
    pub unknown_events: u32,
}

impl CaseView {
    pub fn empty(id: CaseId) -> Self {
        CaseView {
            id,
            submitted_by: None,
            matter: String::new(),
            applicant: None,
            submitted_at_ms: 0,
            accepted_at_ms: None,
            concluded_at_ms: None,
            withdrawn_at_ms: None,
            events: 0,
            unknown_events: 0,
        }
    }

    /// Adds one event (each op id is absorbed once: the store dedups).
    pub fn absorb(&mut self, op: &OpId, event: Option<&CaseEvent>) {
        self.events += 1;
        let Some(event) = event else {
            self.unknown_events += 1;
            return;
        };
        match event {
            CaseEvent::Submitted {
                matter,
                applicant,
                at_ms,
                ..
            } => {
                if self.submitted_by.as_ref().is_none_or(|cur| op < cur) {
                    self.submitted_by = Some(op.clone());
                    self.matter = matter.clone();
                    self.applicant = Some(applicant.clone());
                    self.submitted_at_ms = *at_ms;
                }
            }
            CaseEvent::Accepted { at_ms } => min_into(&mut self.accepted_at_ms, *at_ms),
            CaseEvent::Concluded { at_ms } => min_into(&mut self.concluded_at_ms, *at_ms),
            CaseEvent::Withdrawn { at_ms, .. } => min_into(&mut self.withdrawn_at_ms, *at_ms),
        }
    }

    pub fn status(&self) -> CaseStatus {
        match (
            self.submitted_by.is_some(),
            self.accepted_at_ms,
            self.concluded_at_ms,
            self.withdrawn_at_ms,
        ) {
            (_, _, Some(_), Some(_)) => CaseStatus::Conflict,
            (_, _, _, Some(_)) => CaseStatus::Withdrawn,
            (_, _, Some(_), _) => CaseStatus::Concluded,
            (false, _, _, _) => CaseStatus::Incomplete,
            (true, Some(_), _, _) => CaseStatus::InProcess,
            (true, None, _, _) => CaseStatus::Submitted,
        }
    }
}

fn min_into(slot: &mut Option<u64>, value: u64) {
    *slot = Some(slot.map_or(value, |cur| cur.min(value)));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(seq: u64, event: CaseEvent) -> (OpId, CaseEvent) {
        (
            OpId {
                origin: NodeId::township("T01").unwrap(),
                seq,
            },
            event,
        )
    }

    fn events() -> Vec<(OpId, CaseEvent)> {
        vec![
            ev(
                1,
                CaseEvent::Submitted {
                    matter: "M001".into(),
                    applicant: Applicant {
                        name: Personal::new("张三".into()),
                        id_number: Personal::new("1".into()),
                    },
                    at_ms: 5,
                    note: String::new(),
                },
            ),
            ev(2, CaseEvent::Accepted { at_ms: 6 }),
            ev(3, CaseEvent::Concluded { at_ms: 9 }),
        ]
    }

    fn fold(order: &[usize]) -> CaseView {
        let id = CaseId::new("410000", &NodeId::township("T01").unwrap(), "20261126", 1);
        let evs = events();
        let mut view = CaseView::empty(id);
        for &i in order {
            view.absorb(&evs[i].0, Some(&evs[i].1));
        }
        view
    }

    #[test]
    fn every_arrival_order_folds_to_the_same_view() {
        let reference = fold(&[0, 1, 2]);
        for order in [[0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            assert_eq!(fold(&order), reference);
        }
        assert_eq!(reference.status(), CaseStatus::Concluded);
    }

    #[test]
    fn a_conclusion_racing_a_withdrawal_is_a_conflict() {
        let mut view = fold(&[0, 1, 2]);
        let (id, w) = ev(
            4,
            CaseEvent::Withdrawn {
                at_ms: 8,
                reason: "applicant asked".into(),
            },
        );
        view.absorb(&id, Some(&w));
        assert_eq!(view.status(), CaseStatus::Conflict);
    }
}
