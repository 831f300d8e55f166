//! A year of simulated days at the hall: every day of 2026 the window
//! records that day's events, then the county's rule engine runs in the
//! evening (as the node's daily supervision pass does, with `now` stepped
//! one day at a time) and flags every item that needs it. Each test asserts
//! exactly the items that exist at the end of the year.

use chrono::Datelike;

use super::*;

/// The rule engine's daily run.
fn evening(date: NaiveDate) -> u64 {
    cst_time_ms(date, 18, 0)
}

fn on(date: NaiveDate, h: u32, m: u32) -> u64 {
    cst_time_ms(date, h, m)
}

fn days_of_2026() -> impl Iterator<Item = NaiveDate> {
    day(2026, 1, 1).iter_days().take_while(|d| d.year() == 2026)
}

/// One case on its own replica.
struct Case {
    w: Window,
    id: CaseId,
}

impl Case {
    fn new(matter: Matter, seq: u64) -> Self {
        Case {
            w: Window::new(township(), matter),
            id: CaseId::new("410100", &township(), "20260101", seq),
        }
    }

    fn record(&mut self, at_ms: u64, kind: EventKind) -> OpId {
        self.w.record(at_ms, kind).unwrap()
    }

    fn items(&self, now_ms: u64) -> Vec<SupervisionItem> {
        supervision_items(&self.id, &self.w.record, &self.w.ctx(now_ms))
    }

    /// One pass of the county's rule engine (`NodeCore::flag_crossings`).
    fn flag_crossings(&mut self, now_ms: u64) {
        for item in self.items(now_ms).into_iter().filter(|i| i.needs_flag()) {
            let note = item.warning.map(|w| w.describe(Lang::Zh));
            let kind = EventKind::SupervisionFlagged {
                item: item.id,
                rule: item.rule,
                note: note.unwrap_or_default(),
            };
            self.record(now_ms, kind);
        }
    }

    /// Every `SupervisionFlagged` of the case: its rule and the day written.
    fn flags(&self) -> Vec<(Rule, NaiveDate)> {
        let mut flags: Vec<(Rule, NaiveDate)> = self
            .w
            .record
            .iter()
            .filter_map(|(_, e)| match &e.event.kind {
                EventKind::SupervisionFlagged { rule, .. } => {
                    Some((*rule, cst_date(e.event.at_ms)))
                }
                _ => None,
            })
            .collect();
        flags.sort();
        flags
    }

    fn approve_and_conclude(&mut self, date: NaiveDate) {
        self.record(on(date, 9, 0), decided(true, "S01", "A01", ""));
        self.record(on(date, 9, 30), fee_paid());
        self.record(on(date, 10, 0), EventKind::Concluded);
    }

    fn deliver(&mut self, date: NaiveDate) {
        self.record(on(date, 9, 0), EventKind::Delivered { recipient: None });
    }
}

/// Every day of 2026: `script` records the day's events on each case, then
/// the engine runs that evening.
fn run_year(cases: &mut [Case], mut script: impl FnMut(usize, &mut Case, NaiveDate)) {
    for date in days_of_2026() {
        for (i, case) in cases.iter_mut().enumerate() {
            script(i, case, date);
            case.flag_crossings(evening(date));
        }
    }
}

fn year_end() -> u64 {
    evening(day(2026, 12, 31))
}

fn submit_and_accept(case: &mut Case, date: NaiveDate) {
    let materials: &[&str] = match case.w.matter.kind {
        MatterKind::Immediate => &["身份证"],
        MatterKind::Promised => &["申请书", "身份证", "经营场所证明"],
    };
    let kind = submitted(&case.w.matter, materials);
    case.record(on(date, 9, 0), kind);
    case.record(on(date, 9, 5), EventKind::Accepted { tolerated: None });
}

fn supplement_requested(case: &mut Case, at_ms: u64) -> OpId {
    let kind = EventKind::SupplementRequested {
        department: "D01".into(),
        items: vec!["租赁合同".into()],
    };
    case.record(at_ms, kind)
}

fn supplement_supplied(case: &mut Case, at_ms: u64, request: OpId) {
    let kind = EventKind::SupplementSupplied {
        request,
        items: vec!["租赁合同".into()],
    };
    case.record(at_ms, kind);
}

#[test]
fn fifty_immediate_matters_concluded_on_the_spot_raise_no_supervision_item_in_a_year() {
    let cal = calendar_2026();
    let working: Vec<NaiveDate> = days_of_2026().filter(|d| cal.is_working_day(*d)).collect();
    let spot_days: Vec<NaiveDate> = (0..50).map(|i| working[i * 4]).collect();
    let mut cases: Vec<Case> = (0..50).map(|i| Case::new(matter_m002(), i + 1)).collect();
    run_year(&mut cases, |i, case, date| {
        if date == spot_days[i] {
            submit_and_accept(case, date);
            case.record(on(date, 9, 20), EventKind::Concluded);
        }
    });
    for case in &cases {
        let state = case.w.state(year_end());
        assert_eq!(state.status, Status::Concluded);
        assert!(
            state.warnings.is_empty(),
            "{}: {:?}",
            case.id,
            state.warnings
        );
        assert_eq!(case.flags(), [], "{}", case.id);
        assert!(case.items(year_end()).is_empty(), "{}", case.id);
    }
}

#[test]
fn a_promised_matter_concluded_but_never_delivered_is_flagged_delivery_overdue_once_in_a_year() {
    let mut cases = [Case::new(matter_m001(), 1)];
    run_year(&mut cases, |_, case, date| {
        if date == day(2026, 3, 2) {
            submit_and_accept(case, date);
        } else if date == day(2026, 3, 4) {
            case.approve_and_conclude(date);
        }
    });
    // Ten working days after the conclusion day: 3-05 … 3-18.
    assert_eq!(
        cases[0].flags(),
        [(Rule::DeliveryOverdue, day(2026, 3, 19))]
    );
    let items = cases[0].items(year_end());
    assert_eq!(items.len(), 1);
    assert!(items[0].current());
}

#[test]
fn an_immediate_matter_concluded_after_its_acceptance_day_is_red_and_still_awaits_delivery() {
    let mut cases = [Case::new(matter_m002(), 1)];
    run_year(&mut cases, |_, case, date| {
        if date == day(2026, 3, 2) {
            submit_and_accept(case, date);
        } else if date == day(2026, 3, 3) {
            case.record(on(date, 9, 20), EventKind::Concluded);
        }
    });
    assert_eq!(
        cases[0].flags(),
        [
            (Rule::Red, day(2026, 3, 3)),
            (Rule::DeliveryOverdue, day(2026, 3, 18)),
        ]
    );
}

#[test]
fn an_immediate_matter_concluded_on_its_acceptance_day_at_another_node_still_awaits_delivery() {
    let mut town = Case::new(matter_m002(), 1);
    let mut hq = Case {
        w: Window::new(county(), matter_m002()),
        id: town.id.clone(),
    };
    for date in days_of_2026() {
        if date == day(2026, 3, 2) {
            submit_and_accept(&mut town, date);
            // Concluded the same afternoon, but by the county, not at the
            // window the applicant stood at: the result is still to be
            // handed over.
            hq.w.sync_from(&town.w);
            hq.record(on(date, 15, 0), EventKind::Concluded);
        }
        hq.flag_crossings(evening(date));
    }
    // Ten working days after the conclusion day: 3-03 … 3-16.
    assert_eq!(hq.flags(), [(Rule::DeliveryOverdue, day(2026, 3, 17))]);
    let items = hq.items(year_end());
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(items[0].current());
}

#[test]
fn a_case_that_goes_yellow_then_pauses_for_a_month_has_exactly_one_yellow_item_in_a_year() {
    let mut cases = [Case::new(matter_m001(), 1)];
    let mut request = None;
    run_year(&mut cases, |_, case, date| {
        match (date.month(), date.day()) {
            (3, 2) => submit_and_accept(case, date),
            // Four of five days used: yellow, and the department pauses the
            // clock the same morning.
            (3, 6) => request = Some(supplement_requested(case, on(date, 10, 0))),
            (4, 6) => supplement_supplied(case, on(date, 9, 0), request.take().unwrap()),
            (4, 7) => case.approve_and_conclude(date),
            (4, 8) => case.deliver(date),
            _ => {}
        }
    });
    assert_eq!(cases[0].flags(), [(Rule::Yellow, day(2026, 3, 6))]);
    let items = cases[0].items(year_end());
    assert_eq!(items.len(), 1, "{items:?}");
    assert!(
        !items[0].current(),
        "concluded in time: the warning is gone"
    );
}

#[test]
fn a_case_that_crosses_yellow_red_and_the_statutory_limit_has_one_item_per_crossing_in_a_year() {
    let mut cases = [Case::new(matter_m001(), 1)];
    let mut request = None;
    run_year(&mut cases, |_, case, date| {
        match (date.month(), date.day()) {
            (5, 4) => submit_and_accept(case, date),
            // Yellow on 5-08, paused over the next week while yellow.
            (5, 8) => request = Some(supplement_requested(case, on(date, 11, 0))),
            (5, 15) => supplement_supplied(case, on(date, 9, 0), request.take().unwrap()),
            (6, 5) => case.approve_and_conclude(date),
            (6, 8) => case.deliver(date),
            _ => {}
        }
    });
    // Resumed on 5-18 (day 5 of 5), red from 5-19, day 16 of 15 on 6-02.
    assert_eq!(
        cases[0].flags(),
        [
            (Rule::Yellow, day(2026, 5, 8)),
            (Rule::Red, day(2026, 5, 19)),
            (Rule::StatutoryOverdue, day(2026, 6, 2)),
        ]
    );
    let items = cases[0].items(year_end());
    let mut current: Vec<Rule> = items
        .iter()
        .filter(|i| i.current())
        .map(|i| i.rule)
        .collect();
    current.sort();
    assert_eq!(
        current,
        [Rule::Red, Rule::StatutoryOverdue],
        "late: both stay"
    );
}

#[test]
fn an_extension_after_a_yellow_makes_the_next_yellow_a_new_crossing() {
    let mut cases = [Case::new(matter_m001(), 1)];
    run_year(&mut cases, |_, case, date| {
        match (date.month(), date.day()) {
            (7, 6) => submit_and_accept(case, date),
            // Yellow on 7-10; a code 1 extension of 10 days on 7-13 (day 5).
            (7, 13) => {
                let kind = EventKind::SpecialProcedureStarted {
                    code: SpecialCode::Extension,
                    kind: SpecialKind::Extension,
                    reason: "情况复杂".into(),
                    approver: "王局长".into(),
                    days: 10,
                };
                case.record(on(date, 9, 0), kind);
            }
            (7, 27) => case.approve_and_conclude(date),
            (7, 28) => case.deliver(date),
            _ => {}
        }
    });
    // Day 14 of 15 on 7-24: yellow again, on the extended limit.
    assert_eq!(
        cases[0].flags(),
        [
            (Rule::Yellow, day(2026, 7, 10)),
            (Rule::Yellow, day(2026, 7, 24))
        ]
    );
    let items = cases[0].items(year_end());
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items.iter().all(|i| !i.current()));
}

/// The id the county wrote for a yellow before ids were keyed on the
/// crossing: its due date as of that day.
fn due_date_id(case: &Case, now_ms: u64) -> SupervisionId {
    let due = case.w.state(now_ms).clock.due.unwrap();
    SupervisionId::derive(&case.id, Rule::Yellow, &format!("due:{due}"))
}

#[test]
fn yellow_items_flagged_under_due_date_ids_still_show_and_are_not_flagged_again() {
    let mut case = Case::new(matter_m001(), 1);
    let mut request = None;
    let switch = day(2026, 3, 20);
    let mut old_ids: Vec<SupervisionId> = Vec::new();
    for date in days_of_2026() {
        match (date.month(), date.day()) {
            (3, 2) => submit_and_accept(&mut case, date),
            (3, 6) => request = Some(supplement_requested(&mut case, on(date, 10, 0))),
            (3, 9) => {
                let item = old_ids[0].clone();
                let note = "已催办".into();
                case.record(
                    on(date, 9, 0),
                    EventKind::SupervisionAnnotated { item, note },
                );
            }
            (4, 6) => supplement_supplied(&mut case, on(date, 9, 0), request.take().unwrap()),
            (4, 7) => case.approve_and_conclude(date),
            (4, 8) => case.deliver(date),
            _ => {}
        }
        let now = evening(date);
        let yellow = case
            .w
            .state(now)
            .warnings
            .iter()
            .any(|w| w.rule() == Some(Rule::Yellow));
        if date < switch && yellow {
            // The engine of before: one new id every paused day.
            let item = due_date_id(&case, now);
            if !old_ids.contains(&item) {
                let kind = EventKind::SupervisionFlagged {
                    item: item.clone(),
                    rule: Rule::Yellow,
                    note: "黄牌".into(),
                };
                case.record(now, kind);
                old_ids.push(item);
            }
        } else {
            case.flag_crossings(now);
        }
        if date == day(2026, 3, 25) {
            let items = case.items(now);
            let current: Vec<&SupervisionId> = items
                .iter()
                .filter(|i| i.current())
                .map(|i| &i.id)
                .collect();
            assert_eq!(current, [&old_ids[0]], "shown on the first old item");
            assert!(items.iter().all(|i| !i.needs_flag()));
        }
    }
    // 3-06 … 3-19: ten working days, ten due dates, ten old items.
    assert_eq!(old_ids.len(), 10);
    assert_eq!(case.flags().len(), 10, "nothing flagged after the switch");
    let items = case.items(year_end());
    let mut ids: Vec<SupervisionId> = items.iter().map(|i| i.id.clone()).collect();
    ids.sort();
    let mut expected = old_ids.clone();
    expected.sort();
    assert_eq!(ids, expected, "every old item is still listed");
    let first = items.iter().find(|i| i.id == old_ids[0]).unwrap();
    assert_eq!(first.notes.len(), 1);
    assert_eq!(first.flag_note, "黄牌");
}
