//! The acceptance and fee rules: deemed acceptance counts as acceptance
//! in every precondition, and a conclusion needs every catalogue fee due
//! paid or waived with a reason; both are refused where recorded and shown
//! as anomalies when they arrive broken by replication.

use super::*;

/// Submitted on Monday 11-02 and left unanswered: the notice days are
/// 11-03..11-09, so from 11-10 the case stands deemed accepted.
fn unanswered_since_11_02() -> Window {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(11, 2, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w
}

fn correction() -> EventKind {
    EventKind::CorrectionRequested {
        missing: vec!["身份证".into()],
    }
}

fn rejection() -> EventKind {
    EventKind::Rejected {
        reason: "不属于本机关职权".into(),
        legal_basis: "行政许可法第三十二条".into(),
        competent_authority: None,
    }
}

#[test]
fn within_the_notice_days_a_correction_notice_is_allowed_and_a_decision_is_not() {
    let mut w = unanswered_since_11_02();
    assert_eq!(
        w.record(at(11, 9, 10, 0), decided(true, "S01", "A01", "")),
        Err(Refusal::NotAccepted)
    );
    w.record(at(11, 9, 16, 0), correction()).unwrap();
}

#[test]
fn after_deemed_acceptance_a_decision_and_conclusion_are_allowed_without_a_recorded_acceptance() {
    let mut w = unanswered_since_11_02();
    w.record(
        at(11, 10, 9, 0),
        decided(true, "S01", "A01", "经审查，符合条件"),
    )
    .unwrap();
    w.record(at(11, 10, 9, 30), fee_paid()).unwrap();
    w.record(at(11, 10, 10, 0), EventKind::Concluded).unwrap();
    let s = w.state(at(11, 10, 12, 0));
    assert_eq!(s.status, Status::Concluded);
    assert!(s.anomalies.is_empty(), "{:?}", s.anomalies);
}

#[test]
fn after_deemed_acceptance_a_correction_notice_or_a_rejection_is_refused_naming_the_last_notice_day(
) {
    let mut w = unanswered_since_11_02();
    let deemed = Refusal::DeemedAccepted {
        notice_due: day(2026, 11, 9),
    };
    assert_eq!(
        w.record(at(11, 10, 9, 0), correction()),
        Err(deemed.clone())
    );
    assert_eq!(w.record(at(11, 10, 9, 0), rejection()), Err(deemed.clone()));
    let text = deemed.message(Lang::Zh);
    assert!(
        text.contains("视为受理") && text.contains("2026-11-09"),
        "{text}"
    );
}

#[test]
fn a_correction_notice_dated_after_deemed_acceptance_arriving_by_replication_is_an_anomaly() {
    let mut w = unanswered_since_11_02();
    let late = w.insert(CaseEvent::new(at(11, 11, 9, 0), correction()));
    let s = w.state(at(11, 11, 12, 0));
    assert!(s.clock.deemed_accepted);
    assert_eq!(s.anomalies.len(), 1, "{:?}", s.anomalies);
    assert_eq!(s.anomalies[0].op, late);
    assert_eq!(
        s.anomalies[0].problem,
        Refusal::DeemedAccepted {
            notice_due: day(2026, 11, 9)
        }
    );
}

fn approved() -> Window {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(11, 2, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(11, 2, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    w.record(
        at(11, 3, 9, 0),
        decided(true, "S01", "A01", "经审查，符合条件"),
    )
    .unwrap();
    w
}

fn waiver(reason: &str) -> EventKind {
    EventKind::FeeWaived {
        item: "工本费".into(),
        reason: reason.into(),
    }
}

#[test]
fn an_approved_case_concludes_only_once_every_catalogue_fee_is_paid() {
    let mut w = approved();
    let refusal = w
        .record(at(11, 3, 10, 0), EventKind::Concluded)
        .unwrap_err();
    assert_eq!(
        refusal,
        Refusal::FeesUnsettled {
            items: vec!["工本费".into()]
        }
    );
    assert_eq!(
        refusal.message(Lang::Zh),
        "以下收费项目尚未缴费也未登记免收，不能办结：工本费"
    );
    w.record(at(11, 3, 10, 5), fee_paid()).unwrap();
    w.record(at(11, 3, 10, 10), EventKind::Concluded).unwrap();
}

#[test]
fn a_fee_waived_with_a_reason_lets_the_case_conclude_and_cannot_then_be_charged() {
    let mut w = approved();
    assert_eq!(
        w.record(at(11, 3, 10, 0), waiver(" ")),
        Err(Refusal::Required(RequiredField::WaiverReason))
    );
    w.record(at(11, 3, 10, 0), waiver("低保户，依收费依据免收"))
        .unwrap();
    assert_eq!(
        w.record(at(11, 3, 10, 5), fee_paid()),
        Err(Refusal::FeeAlreadyWaived {
            item: "工本费".into()
        })
    );
    w.record(at(11, 3, 10, 10), EventKind::Concluded).unwrap();
}

#[test]
fn a_paid_fee_cannot_be_waived_and_a_waiver_outside_the_catalogue_is_refused() {
    let mut w = approved();
    let outside = EventKind::FeeWaived {
        item: "加急费".into(),
        reason: "免收".into(),
    };
    assert!(matches!(
        w.record(at(11, 3, 9, 30), outside),
        Err(Refusal::FeeNotInCatalogue { .. })
    ));
    w.record(at(11, 3, 10, 0), fee_paid()).unwrap();
    assert_eq!(
        w.record(at(11, 3, 10, 5), waiver("免收")),
        Err(Refusal::FeeAlreadyCharged {
            item: "工本费".into()
        })
    );
}

#[test]
fn a_case_denied_in_every_part_owes_no_fee_at_conclusion() {
    let m = matter_m001();
    let mut w = Window::new(township(), m.clone());
    w.record(
        at(11, 2, 9, 0),
        submitted(&m, &["申请书", "身份证", "经营场所证明"]),
    )
    .unwrap();
    w.record(at(11, 2, 9, 30), EventKind::Accepted { tolerated: None })
        .unwrap();
    w.record(
        at(11, 3, 9, 0),
        decided(false, "S01", "A01", "经营场所不符合规划用途"),
    )
    .unwrap();
    w.record(at(11, 3, 10, 0), EventKind::Concluded).unwrap();
}

#[test]
fn a_conclusion_without_the_fee_arriving_by_replication_is_an_anomaly_naming_the_fee() {
    let mut w = approved();
    let concluded = w.insert(CaseEvent::new(at(11, 3, 10, 0), EventKind::Concluded));
    let s = w.state(at(11, 3, 12, 0));
    assert_eq!(s.status, Status::Concluded);
    assert_eq!(s.anomalies.len(), 1, "{:?}", s.anomalies);
    assert_eq!(s.anomalies[0].op, concluded);
    assert_eq!(
        s.anomalies[0].problem,
        Refusal::FeesUnsettled {
            items: vec!["工本费".into()]
        }
    );
}
