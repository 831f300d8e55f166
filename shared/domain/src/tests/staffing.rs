//! E-supervision with substance on a case: a flag's responsible department
//! and correction deadline, and the 好差评 appeal that takes a false
//! evaluation out of the statistics without deleting it.

use super::*;
use crate::refusal::StaffRefusal;
use crate::stats::{appealed_out, case_figures, statistics, GroupBy};

/// A township window with an accepted M001 case.
fn accepted() -> Window {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(9, 28, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(9, 28, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    w
}

fn assign(item: &SupervisionId, department: &str, correct_by: NaiveDate) -> EventKind {
    EventKind::SupervisionAssigned {
        item: item.clone(),
        department: department.into(),
        correct_by,
        note: "限期整改".into(),
    }
}

#[test]
fn a_flag_names_its_responsible_department_and_correction_deadline() {
    let mut w = accepted();
    let item = SupervisionId::derive(&w.case_id(), Rule::Red, "limit:5");
    assert_eq!(
        w.record(at(10, 12, 9, 0), assign(&item, "D03", day(2026, 10, 16))),
        Err(Refusal::UnknownSupervisionItem { item: item.clone() })
    );
    w.record(
        at(10, 12, 8, 0),
        EventKind::SupervisionFlagged {
            item: item.clone(),
            rule: Rule::Red,
            note: "超期".into(),
        },
    )
    .unwrap();
    assert_eq!(
        w.record(at(10, 12, 9, 0), assign(&item, "D03", day(2026, 10, 9))),
        Err(Refusal::Staff(StaffRefusal::CorrectionDeadlinePast {
            correct_by: day(2026, 10, 9),
            on: day(2026, 10, 12),
        }))
    );
    assert!(matches!(
        w.record(at(10, 12, 9, 0), assign(&item, " ", day(2026, 10, 16))),
        Err(Refusal::Staff(StaffRefusal::Empty { .. }))
    ));
    w.record(at(10, 12, 9, 0), assign(&item, "D03", day(2026, 10, 16)))
        .unwrap();
    let ctx = w.ctx(at(10, 12, 10, 0));
    let items = supervision_items(&w.case_id(), &w.record, &ctx);
    let flagged = items.iter().find(|i| i.id == item).unwrap();
    let assigned = flagged.assigned.as_ref().unwrap();
    assert_eq!(
        (assigned.department.as_str(), assigned.correct_by),
        ("D03", day(2026, 10, 16))
    );
    assert!(!flagged.correction_overdue(day(2026, 10, 16)));
    assert!(flagged.correction_overdue(day(2026, 10, 17)));
}

#[test]
fn an_assignment_arriving_without_its_flag_is_an_anomaly() {
    let mut w = accepted();
    let item = SupervisionId::derive(&w.case_id(), Rule::Red, "limit:5");
    w.insert(CaseEvent::new(
        at(10, 12, 9, 0),
        assign(&item, "D03", day(2026, 10, 16)),
    ));
    let state = w.state(at(10, 12, 10, 0));
    assert!(state
        .anomalies
        .iter()
        .any(|a| a.event == "supervision-assigned"
            && a.problem == Refusal::UnknownSupervisionItem { item: item.clone() }));
}

fn evaluated(level: u8) -> EventKind {
    EventKind::Evaluated {
        level,
        text: Personal::new("态度差".into()),
        evaluator: Personal::new("张三".into()),
    }
}

#[test]
fn an_upheld_appeal_takes_a_bad_evaluation_out_of_the_statistics_without_deleting_it() {
    let mut w = accepted();
    let bad = w.record(at(9, 29, 9, 0), evaluated(5)).unwrap();
    let appeal = w
        .record(
            at(9, 29, 10, 0),
            EventKind::EvaluationAppealed {
                evaluation: bad.clone(),
                department: "D01".into(),
                reason: "评价人并非申请人".into(),
            },
        )
        .unwrap();
    let period = |w: &Window| {
        let state = w.state(at(9, 30, 9, 0));
        let figures = case_figures(&w.case_id(), &w.record, &state);
        statistics(
            &[figures],
            day(2026, 9, 1),
            day(2026, 9, 30),
            GroupBy::Centre,
            &BTreeSet::new(),
        )
    };
    // Appealed but not decided: still counted.
    assert_eq!(period(&w)[0].evaluations, [0, 0, 0, 0, 1]);
    w.record(
        at(9, 29, 11, 0),
        EventKind::AppealDecided {
            appeal: appeal.clone(),
            upheld: true,
            note: "经核实为误评".into(),
        },
    )
    .unwrap();
    assert_eq!(appealed_out(&w.record), [bad.clone()].into());
    assert_eq!(period(&w)[0].evaluations, [0; 5]);
    // The evaluation is still on the case.
    let state = w.state(at(9, 30, 9, 0));
    assert_eq!(state.evaluations.len(), 1);
    assert_eq!(state.evaluations[0].op, bad);
}

#[test]
fn an_appeal_names_an_evaluation_of_the_case_and_is_decided_once() {
    let mut w = accepted();
    let missing = OpId {
        origin: township(),
        seq: 99,
    };
    let appeal_of = |evaluation: &OpId| EventKind::EvaluationAppealed {
        evaluation: evaluation.clone(),
        department: "D01".into(),
        reason: "误评".into(),
    };
    assert_eq!(
        w.record(at(9, 29, 9, 0), appeal_of(&missing)),
        Err(Refusal::Staff(StaffRefusal::UnknownEvaluation {
            op: missing.clone()
        }))
    );
    let bad = w.record(at(9, 29, 9, 0), evaluated(4)).unwrap();
    let appeal = w.record(at(9, 29, 10, 0), appeal_of(&bad)).unwrap();
    assert_eq!(
        w.record(at(9, 29, 10, 5), appeal_of(&bad)),
        Err(Refusal::Staff(StaffRefusal::AlreadyAppealed {
            appeal: appeal.clone()
        }))
    );
    let decide = |upheld| EventKind::AppealDecided {
        appeal: appeal.clone(),
        upheld,
        note: "复核".into(),
    };
    let first = w.record(at(9, 29, 11, 0), decide(false)).unwrap();
    assert_eq!(
        w.record(at(9, 29, 11, 5), decide(true)),
        Err(Refusal::Staff(StaffRefusal::AppealAlreadyDecided {
            decision: first
        }))
    );
    // Refused: the evaluation stays in the statistics.
    assert!(appealed_out(&w.record).is_empty());
}
