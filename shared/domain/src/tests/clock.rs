//! The working-day clock of a case: deemed acceptance, pauses, extensions.

use super::*;

#[test]
fn an_application_left_unanswered_for_five_working_days_is_deemed_accepted() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(at(9, 28, 9, 0), submitted(&m, &["申请书"]))
        .unwrap();
    // 9-29, 9-30, 10-08, 10-09, 10-10: the notice window ends on 10-10.
    let s = w.state(at(10, 10, 17, 0));
    assert_eq!(s.status, Status::Submitted);
    assert_eq!(s.clock.notice_due, Some(day(2026, 10, 10)));
    assert_eq!(s.clock.notice_days_left, Some(0));
    let s = w.state(at(10, 12, 9, 0));
    assert!(s.clock.deemed_accepted);
    assert_eq!(s.clock.accepted_on, Some(day(2026, 9, 28)));
    assert_eq!(s.status, Status::InProcess);
    assert!(s.warnings.contains(&Warning::DeemedAccepted {
        notice_due: day(2026, 10, 10)
    }));
}

#[test]
fn a_supplement_and_an_overlapping_special_procedure_pause_the_clock_once() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(10, 12, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(10, 12, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    let supplement = w
        .record(
            at(10, 13, 9, 0),
            EventKind::SupplementRequested {
                department: "D01".into(),
                items: vec!["租赁合同".into()],
            },
        )
        .unwrap();
    let hearing = w
        .record(
            at(10, 14, 9, 0),
            EventKind::SpecialProcedureStarted {
                code: SpecialCode::Other,
                kind: SpecialKind::Hearing,
                reason: "利害关系人申请听证".into(),
                approver: "王局长".into(),
                days: 5,
            },
        )
        .unwrap();
    w.record(
        at(10, 15, 9, 0),
        EventKind::SupplementSupplied {
            request: supplement,
            items: vec!["租赁合同".into()],
        },
    )
    .unwrap();
    w.record(
        at(10, 16, 9, 0),
        EventKind::SpecialProcedureEnded { started: hearing },
    )
    .unwrap();
    // Paused: 10-14, 10-15 (supplement) ∪ 10-15, 10-16 (hearing) = 3 days.
    let s = w.state(at(10, 19, 9, 0));
    assert_eq!(s.clock.paused_days, 3);
    assert_eq!(s.clock.used_days, 2); // 10-13 and 10-19
    assert_eq!(s.clock.pauses.len(), 2);
}

#[test]
fn an_extension_adds_its_days_to_both_limits() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(10, 12, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(10, 12, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    let extend = |days| EventKind::SpecialProcedureStarted {
        code: SpecialCode::Extension,
        kind: SpecialKind::Extension,
        reason: "情况复杂".into(),
        approver: "局长".into(),
        days,
    };
    assert_eq!(
        w.record(at(10, 13, 9, 0), extend(11)),
        Err(Refusal::ExtensionTooLong { days: 11, max: 10 })
    );
    w.record(at(10, 13, 9, 0), extend(10)).unwrap();
    let s = w.state(at(10, 13, 12, 0));
    assert_eq!(s.clock.limit_days, Some(15));
    assert_eq!(s.clock.statutory_limit_days, Some(25));
    assert!(!s.clock.paused);
}

/// A case accepted on Monday 11-02 with all of M001's materials.
fn accepted_on_11_02() -> Window {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(11, 2, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(11, 2, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    w
}

fn supplement_asked() -> EventKind {
    EventKind::SupplementRequested {
        department: "D01".into(),
        items: vec!["租赁合同".into()],
    }
}

fn is_red(w: &Window) -> impl Fn(u64) -> bool + '_ {
    move |now| {
        w.state(now)
            .warnings
            .iter()
            .any(|x| matches!(x, Warning::Red { .. }))
    }
}

#[test]
fn a_case_paused_on_its_last_day_is_not_red_while_the_pause_lasts() {
    let mut w = accepted_on_11_02();
    // 11-03, 04, 05, 06, 09: the fifth working day is Monday 11-09.
    assert_eq!(w.state(at(11, 9, 9, 0)).clock.due, Some(day(2026, 11, 9)));
    let asked = w.record(at(11, 9, 10, 0), supplement_asked()).unwrap();
    for (m, d) in [(11, 10), (11, 14), (11, 20)] {
        let s = w.state(at(m, d, 17, 0));
        assert!(s.clock.paused);
        assert!(!s.clock.overdue, "red on {m}-{d} while paused");
        assert_eq!(s.clock.left_days, Some(0));
        assert_eq!(
            s.clock.due,
            Some(day(2026, m, d)),
            "the due date follows the pause"
        );
        assert!(!is_red(&w)(at(m, d, 17, 0)));
    }
    // Supplied on Friday 11-20: the pause covers it; Saturday 11-21 is the
    // first day after the deadline that no pause covers.
    w.record(
        at(11, 20, 10, 0),
        EventKind::SupplementSupplied {
            request: asked,
            items: vec!["租赁合同".into()],
        },
    )
    .unwrap();
    assert_eq!(
        w.state(at(11, 20, 17, 0)).clock.due,
        Some(day(2026, 11, 20))
    );
    assert!(!is_red(&w)(at(11, 20, 17, 0)));
    assert!(is_red(&w)(at(11, 21, 9, 0)));
}

#[test]
fn a_case_paused_on_its_statutory_deadline_is_not_statutory_overdue_while_paused() {
    let mut w = accepted_on_11_02();
    // 15 working days after 11-02: Monday 11-23 (red on the promised 5 since 11-10).
    let s = w.state(at(11, 23, 9, 0));
    assert_eq!(s.clock.statutory_due, Some(day(2026, 11, 23)));
    w.record(at(11, 23, 10, 0), supplement_asked()).unwrap();
    let s = w.state(at(11, 30, 9, 0));
    assert!(!s.clock.statutory_overdue);
    assert_eq!(s.clock.statutory_due, Some(day(2026, 11, 30)));
    assert!(!s
        .warnings
        .iter()
        .any(|x| matches!(x, Warning::StatutoryOverdue { .. })));
    // The promised deadline had passed before the pause: still red.
    assert!(s.clock.overdue);
}
