//! Grouping and period rules of the statistics, over plain case figures.

use super::*;
use liandong_model::NodeId;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn eval_op(seq: u64) -> OpId {
    OpId {
        origin: NodeId::township("T01").unwrap(),
        seq,
    }
}

fn case(centre: &str, departments: &[&str], staff: &str) -> CaseFigures {
    CaseFigures {
        centre: centre.into(),
        departments: departments.iter().map(|d| d.to_string()).collect(),
        staff: Some(staff.into()),
        accepted_on: Some(day(1)),
        stopped_on: Some(day(5)),
        concluded: true,
        overdue: false,
        flagged_on: Vec::new(),
        evaluations: Vec::new(),
    }
}

#[test]
fn cases_count_for_their_centre_every_department_and_the_accepting_clerk() {
    let mut late = case("T01", &["D01", "D03"], "S_02");
    late.overdue = true;
    late.flagged_on = vec![day(4)];
    let cases = [case("T01", &["D01"], "S_01"), late, case("HQ", &[], "S_01")];
    let all = |by| statistics(&cases, day(1), day(31), by, &BTreeSet::new());
    let centres = all(GroupBy::Centre);
    assert_eq!(centres.len(), 2);
    let t01 = &centres[1];
    assert_eq!(
        (
            t01.key.as_str(),
            t01.accepted,
            t01.concluded_on_time,
            t01.overdue,
            t01.warnings
        ),
        ("T01", 2, 1, 1, 1)
    );
    let departments: Vec<(String, u32)> = all(GroupBy::Department)
        .into_iter()
        .map(|r| (r.key, r.accepted))
        .collect();
    assert_eq!(
        departments,
        [("-".into(), 1), ("D01".into(), 2), ("D03".into(), 1)]
    );
    let staff = all(GroupBy::Staff);
    assert_eq!((staff[0].key.as_str(), staff[0].accepted), ("S_01", 2));
}

#[test]
fn only_what_happened_within_the_period_counts() {
    let mut c = case("T01", &[], "S_01");
    c.stopped_on = Some(day(20));
    let rows = statistics(
        &[c.clone()],
        day(1),
        day(10),
        GroupBy::Centre,
        &BTreeSet::new(),
    );
    assert_eq!((rows[0].accepted, rows[0].concluded_on_time), (1, 0));
    let rows = statistics(&[c], day(11), day(31), GroupBy::Centre, &BTreeSet::new());
    assert_eq!((rows[0].accepted, rows[0].concluded_on_time), (0, 1));
}

#[test]
fn an_evaluation_taken_out_by_an_upheld_appeal_is_not_counted() {
    let mut c = case("T01", &["D01"], "S_01");
    c.evaluations = vec![(eval_op(7), day(6), 5), (eval_op(8), day(6), 1)];
    let none = BTreeSet::new();
    let rows = statistics(&[c.clone()], day(1), day(31), GroupBy::Centre, &none);
    assert_eq!(rows[0].evaluations, [1, 0, 0, 0, 1]);
    let appealed: BTreeSet<OpId> = [eval_op(7)].into();
    let rows = statistics(&[c.clone()], day(1), day(31), GroupBy::Centre, &appealed);
    assert_eq!(rows[0].evaluations, [1, 0, 0, 0, 0]);
    // The evaluation itself is still on the case.
    assert_eq!(c.evaluations.len(), 2);
}
