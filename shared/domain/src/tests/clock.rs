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
