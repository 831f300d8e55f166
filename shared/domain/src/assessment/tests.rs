//! The 20% rule, assessment versions, and the incentive-point counter.

use super::*;
use liandong_model::{Hlc, NodeId};

fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}

fn op(seq: u64) -> OpId {
    OpId {
        origin: county(),
        seq,
    }
}

/// `n` staff assessed, the first `excellent` of them 优秀.
fn assessment(n: usize, excellent: usize) -> Assessment {
    let grades = (0..n)
        .map(|i| {
            let grade = if i < excellent {
                Grade::Excellent
            } else {
                Grade::Competent
            };
            (format!("S{i:02}"), grade)
        })
        .collect();
    Assessment {
        period: "2026".into(),
        grades,
        by: "HM1".into(),
    }
}

#[test]
fn the_excellent_quota_is_the_floor_of_twenty_per_cent() {
    assert_eq!(excellent_quota(4), 0);
    assert_eq!(excellent_quota(5), 1);
    assert_eq!(excellent_quota(14), 2);
    assert_eq!(excellent_quota(15), 3);
}

#[test]
fn an_assessment_over_the_twenty_per_cent_rule_is_refused_with_the_figures() {
    check_assessment(&assessment(14, 2), |_| true).unwrap();
    let err = check_assessment(&assessment(14, 3), |_| true).unwrap_err();
    assert_eq!(
        err,
        StaffRefusal::ExcellentOverQuota {
            excellent: 3,
            assessed: 14,
            max: 2
        }
    );
    assert!(err.message(Lang::Zh).contains("优秀 3 人"));
    assert!(err
        .message(Lang::En)
        .contains("out of 14 assessed: at most 2"));
}

#[test]
fn an_assessment_grading_someone_off_the_roster_is_refused() {
    let err = check_assessment(&assessment(5, 0), |s| s != "S03").unwrap_err();
    assert_eq!(
        err,
        StaffRefusal::NotOnRoster {
            staff: "S03".into()
        }
    );
}

#[test]
fn a_broken_assessment_arriving_by_replication_is_an_anomaly_of_its_entry() {
    let stamp = |seq| Stamp::new(Hlc::default(), op(seq));
    let mut entry = AssessmentEntry {
        assessment: assessment(10, 2),
        stamp: stamp(1),
    };
    assert_eq!(entry.anomaly(), None);
    entry.put(assessment(10, 5), stamp(2));
    assert!(matches!(
        entry.anomaly(),
        Some(StaffRefusal::ExcellentOverQuota { max: 2, .. })
    ));
    // An older version does not replace a newer one.
    entry.put(assessment(10, 1), stamp(0));
    assert_eq!(entry.assessment.excellent(), 5);
}

fn points(n: i64) -> PointsEntry {
    PointsEntry {
        staff: "S01".into(),
        period: "2026-12".into(),
        points: n,
        reason: "群众表扬".into(),
        by: "HM1".into(),
    }
}

#[test]
fn points_counted_in_any_order_and_twice_give_one_total() {
    let mut a = Points::default();
    a.absorb(&op(1), points(5));
    a.absorb(&op(2), points(-2));
    a.absorb(&op(1), points(5));
    let mut b = Points::default();
    b.absorb(&op(2), points(-2));
    b.absorb(&op(3), points(4));
    b.absorb(&op(1), points(5));
    assert_eq!(a.total(), 3);
    assert_eq!(b.total(), 7);
    a.merge_from(&b);
    b.merge_from(&a);
    assert_eq!(a.total(), 7);
    assert_eq!(a, b);
}

#[test]
fn zero_points_are_refused() {
    assert_eq!(check_points(&points(0)), Err(StaffRefusal::ZeroPoints));
    check_points(&points(-1)).unwrap();
}
