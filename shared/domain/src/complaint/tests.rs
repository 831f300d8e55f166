//! Complaints: the checks where they are written, the fold of whatever
//! arrives, and the answer deadline in working days.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::calendar::cst_time_ms;

fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}

fn t01() -> NodeId {
    NodeId::township("T01").unwrap()
}

fn op(origin: &NodeId, seq: u64) -> OpId {
    OpId {
        origin: origin.clone(),
        seq,
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

/// Received on Tuesday 1 December 2026, 10:00 CST, with `days` to answer.
fn received(days: u16) -> ComplaintEvent {
    ComplaintEvent {
        at_ms: cst_time_ms(day(1), 10, 0),
        by: "S_01".into(),
        kind: ComplaintKind::Received {
            subject: ComplaintSubject::Staff("S_07".into()),
            complainant: Personal::new("张三".into()),
            text: Personal::new("窗口态度差".into()),
            answer_days: days,
        },
    }
}

fn answered(on: NaiveDate) -> ComplaintEvent {
    ComplaintEvent {
        at_ms: cst_time_ms(on, 15, 0),
        by: "SUP1".into(),
        kind: ComplaintKind::Answered {
            answer: "已约谈，限期整改".into(),
        },
    }
}

fn fold_of(events: &[(OpId, ComplaintEvent)]) -> ComplaintState {
    let set: BTreeMap<OpId, ComplaintEvent> = events.iter().cloned().collect();
    fold_complaint(&set)
}

#[test]
fn a_complaint_received_at_a_township_is_answered_by_the_county() {
    let empty = fold_of(&[]);
    check_complaint(&empty, &t01(), &received(5)).unwrap();
    let state = fold_of(&[(op(&t01(), 1), received(5))]);
    check_complaint(&state, &county(), &answered(day(3))).unwrap();
    let state = fold_of(&[
        (op(&t01(), 1), received(5)),
        (op(&county(), 1), answered(day(3))),
    ]);
    assert!(state.anomalies.is_empty());
    assert_eq!(state.answer.as_ref().unwrap().by, "SUP1");
}

#[test]
fn a_centre_may_not_answer_a_complaint() {
    let state = fold_of(&[(op(&t01(), 1), received(5))]);
    let err = check_complaint(&state, &t01(), &answered(day(3))).unwrap_err();
    assert!(matches!(err, StaffRefusal::AnsweredOutsideCounty { .. }));
}

#[test]
fn a_complaint_is_answered_once() {
    let state = fold_of(&[
        (op(&t01(), 1), received(5)),
        (op(&county(), 1), answered(day(3))),
    ]);
    let err = check_complaint(&state, &county(), &answered(day(4))).unwrap_err();
    assert_eq!(
        err,
        StaffRefusal::ComplaintAlreadyAnswered {
            answer: op(&county(), 1)
        }
    );
}

#[test]
fn an_answer_time_outside_one_to_sixty_working_days_is_refused() {
    let empty = fold_of(&[]);
    for days in [0, MAX_ANSWER_DAYS + 1] {
        let err = check_complaint(&empty, &t01(), &received(days)).unwrap_err();
        assert_eq!(err, StaffRefusal::AnswerDaysOutOfRange { days });
    }
}

#[test]
fn the_answer_deadline_counts_working_days_after_receipt() {
    let cal = Calendar::new();
    let state = fold_of(&[(op(&t01(), 1), received(5))]);
    // Tuesday 1st + 5 working days = Tuesday 8th.
    assert_eq!(state.due(&cal), Some(day(8)));
    assert_eq!(state.status(&cal, day(8)), ComplaintStatus::Open);
    assert_eq!(state.status(&cal, day(9)), ComplaintStatus::Overdue);
    let late = fold_of(&[
        (op(&t01(), 1), received(5)),
        (op(&county(), 1), answered(day(9))),
    ]);
    assert_eq!(late.status(&cal, day(20)), ComplaintStatus::AnsweredLate);
    let on_time = fold_of(&[
        (op(&t01(), 1), received(5)),
        (op(&county(), 1), answered(day(8))),
    ]);
    assert_eq!(
        on_time.status(&cal, day(20)),
        ComplaintStatus::AnsweredOnTime
    );
}

#[test]
fn an_answer_arriving_before_its_receipt_is_kept_and_shown() {
    let early = fold_of(&[(op(&county(), 1), answered(day(3)))]);
    assert_eq!(
        early.status(&Calendar::new(), day(3)),
        ComplaintStatus::NotReceived
    );
    assert_eq!(early.anomalies.len(), 1);
    assert_eq!(
        early.anomalies[0].problem,
        StaffRefusal::ComplaintNotReceived
    );
    assert!(early.answer.is_some());
}

#[test]
fn broken_events_arriving_by_replication_are_anomalies_and_the_first_receipt_stands() {
    let mut second = received(5);
    second.at_ms += 1000;
    let state = fold_of(&[
        (op(&t01(), 2), second),
        (op(&t01(), 1), received(5)),
        (op(&t01(), 3), answered(day(3))),
    ]);
    assert_eq!(state.receipt.as_ref().unwrap().op, op(&t01(), 1));
    let problems: Vec<&str> = state.anomalies.iter().map(|a| a.problem.code()).collect();
    assert_eq!(
        problems,
        ["complaint-already-received", "answered-outside-county"]
    );
    assert!(state.answer.is_none());
}

#[test]
fn the_fold_does_not_depend_on_arrival_order() {
    let events = [
        (op(&t01(), 1), received(5)),
        (op(&county(), 1), answered(day(3))),
        (op(&county(), 2), answered(day(4))),
    ];
    let forward = fold_of(&events);
    let mut reversed = events.to_vec();
    reversed.reverse();
    assert_eq!(fold_of(&reversed), forward);
    assert_eq!(forward.answer.as_ref().unwrap().op, op(&county(), 1));
    assert_eq!(forward.anomalies.len(), 1);
}
