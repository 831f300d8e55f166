//! A year of simulated days at a real county (in-process, real sled store)
//! started on a clock the test moves (`Seams { clock: ManualClock }`):
//! every day of 2026 the hall's window records that day's steps in the
//! morning, then the county's rule engine (`NodeCore::flag_crossings`, the
//! pass the node runs in the background) runs in the evening. Nothing
//! sleeps: a day passes when the test sets the clock. Each test asserts
//! exactly the supervision items the county holds at the end of the year,
//! and how many times each was flagged.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use county_node::County;
use liandong_domain::{
    cst_date, cst_time_ms, AuthScope, EventKind, Lang, Level, Matter, MatterKind, Power, Rule,
    StaffRole,
};
use liandong_model::ManualClock;
use liandong_node::control::{ApplicantInput, CaseAction};
use liandong_node::identity::Actor;
use liandong_node::{CaseDetail, NodeCore};
use tests::{Net, Node};

/// 老年人优待证办理: an immediate matter (即办件), concluded on acceptance.
const IMMEDIATE: &str = "M010";
/// 个体工商户变更登记: promised in 5 working days, 15 statutory.
const PROMISED: &str = "M020";
const REVIEWER: &str = "R09";
const CHIEF: &str = "S09";

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).expect("a date of 2026")
}

fn days_of_2026() -> impl Iterator<Item = NaiveDate> {
    day(1, 1).iter_days().take_while(|d| d.year() == 2026)
}

/// The county hall on a manual clock, its catalogue and staff filed.
struct Hall {
    node: Node<County>,
    clock: Arc<ManualClock>,
    clerk: Actor,
    reviewer: Actor,
}

impl Hall {
    async fn open(net: &Net) -> Hall {
        let clock = ManualClock::new(cst_time_ms(day(1, 1), 8, 0));
        let node = net.bare_county_on_clock(clock.clone()).await;
        file_the_hall(node.core());
        Hall {
            clerk: tests::clerk_at(node.core()),
            reviewer: tests::acting(REVIEWER, StaffRole::Reviewer),
            node,
            clock,
        }
    }

    fn core(&self) -> &NodeCore {
        self.node.core()
    }

    /// Every day of 2026: the morning's steps (`script`), then the
    /// evening's rule-engine pass.
    fn run_year(&self, mut script: impl FnMut(&Hall, NaiveDate)) {
        for date in days_of_2026() {
            self.clock.set(cst_time_ms(date, 9, 0));
            script(self, date);
            self.clock.set(cst_time_ms(date, 18, 0));
            self.core().flag_crossings().expect("rule engine pass");
        }
    }

    /// 申请 and 受理 at the hall's window; an immediate matter is concluded
    /// on the spot, as the window clerk does it.
    fn accept(&self, matter: &str, conclude: bool) -> String {
        let applicant = ApplicantInput {
            name: "张三".into(),
            id_number: tests::resident_id(1),
            ..Default::default()
        };
        let detail = self.core().accept_new(
            &self.clerk,
            Lang::Zh,
            matter,
            &applicant,
            &[],
            false,
            conclude,
        );
        detail
            .unwrap_or_else(|e| panic!("a {matter} case is refused: {e}"))
            .id
    }

    fn step(&self, who: &Actor, case: &str, action: CaseAction) -> CaseDetail {
        self.core()
            .case_action(who, Lang::Zh, case, action)
            .unwrap_or_else(|e| panic!("case {case}: {} refused: {e}", who.staff))
    }

    /// The chief representative approves (signed in that morning, his seal
    /// unlocked) and the window concludes.
    fn approve_and_conclude(&self, case: &str) {
        let core = self.core();
        let login = core.login(CHIEF, tests::PASSWORD, "test", None);
        let token = login.expect("the chief representative signs in").token;
        let chief = core.actor(&token, None).expect("his session");
        let approve = CaseAction::Decide {
            approve: true,
            by: CHIEF.into(),
            reason: "经审查，符合条件".into(),
            department: None,
            authorisation: None,
        };
        self.step(&chief, case, approve);
        self.step(&self.clerk, case, CaseAction::Conclude);
    }

    fn request_supplement(&self, case: &str) {
        let request = CaseAction::RequestSupplement {
            department: "D01".into(),
            items: vec!["租赁合同".into()],
        };
        self.step(&self.reviewer, case, request);
    }

    fn supply_supplement(&self, case: &str) {
        let items = vec!["租赁合同".into()];
        self.step(&self.reviewer, case, CaseAction::SupplySupplement { items });
    }

    fn deliver(&self, case: &str) {
        self.step(&self.clerk, case, CaseAction::Deliver { recipient: None });
    }

    /// The case's supervision items as e-supervision lists them: rule →
    /// (still current, flagged).
    fn items(&self, case: &str) -> BTreeMap<String, Vec<(bool, bool)>> {
        let lines = self.core().supervision(&tests::reader(), Lang::Zh, None);
        let mut items: BTreeMap<String, Vec<(bool, bool)>> = BTreeMap::new();
        for line in lines.expect("supervision list") {
            if line.case == case {
                items
                    .entry(line.rule)
                    .or_default()
                    .push((line.current, line.flagged));
            }
        }
        items
    }

    /// Every `SupervisionFlagged` the county wrote on the case: its rule
    /// and the day it was written.
    fn flags(&self, case: &str) -> Vec<(Rule, NaiveDate)> {
        let stored = self.core().store.case(case).expect("read").expect("case");
        let mut flags: Vec<(Rule, NaiveDate)> = stored
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

    /// The rules of the warnings e-supervision acts on, as the case stands.
    fn supervised_warnings(&self, case: &str) -> BTreeSet<Rule> {
        let (_, state) = self.core().case_state(case).expect("case state");
        state.warnings.iter().filter_map(|w| w.rule()).collect()
    }

    async fn close(self) {
        self.node.stop().await;
    }
}

/// The catalogue (an immediate and a promised matter of D01), the test
/// clerks, a reviewer and a chief representative of D01 at the county hall
/// with every power from 2025-12-01 to 2027-12-31.
fn file_the_hall(county: &NodeCore) {
    let hall = tests::hall(county);
    let mut immediate = Matter::basic(IMMEDIATE, "老年人优待证办理", Level::Township, 0, 1, "D01");
    immediate.kind = MatterKind::Immediate;
    let promised = Matter::basic(
        PROMISED,
        "个体工商户变更登记",
        Level::Township,
        5,
        15,
        "D01",
    );
    for matter in [immediate, promised] {
        county
            .put_matter(&hall, Lang::Zh, matter)
            .expect("matter saved");
    }
    tests::put_clerks(county);
    county
        .add_staff(
            &hall,
            Lang::Zh,
            REVIEWER,
            "审查人员",
            "D01",
            StaffRole::Reviewer,
            &[],
        )
        .expect("reviewer on the roster");
    tests::put_chief(county, CHIEF, "D01", &[]);
    let powers: BTreeSet<Power> = Power::ALL.into_iter().collect();
    let valid_from = NaiveDate::from_ymd_opt(2025, 12, 1).expect("date");
    let valid_to = NaiveDate::from_ymd_opt(2027, 12, 31).expect("date");
    county
        .authorise(
            &hall,
            Lang::Zh,
            CHIEF,
            AuthScope::Department("D01".into()),
            powers,
            valid_from,
            valid_to,
            Some("A-S09".into()),
        )
        .expect("authorisation filed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn immediate_matters_concluded_at_the_window_raise_no_delivery_item_in_a_year_and_an_undelivered_promised_matter_raises_one(
) {
    let net = Net::new();
    let hall = Hall::open(&net).await;
    // Ten 即办件, one every Monday from 1-05, concluded on the spot; one
    // 承诺件 accepted on 3-02, concluded on 3-04 and never delivered.
    let mondays: Vec<NaiveDate> = (0..10)
        .map(|w| day(1, 5) + chrono::Days::new(7 * w))
        .collect();
    let mut immediate = Vec::new();
    let mut promised = None;
    hall.run_year(|hall, date| {
        if mondays.contains(&date) {
            immediate.push(hall.accept(IMMEDIATE, true));
        }
        if date == day(3, 2) {
            promised = Some(hall.accept(PROMISED, false));
        }
        if date == day(3, 4) {
            hall.approve_and_conclude(promised.as_deref().expect("accepted on 3-02"));
        }
    });

    assert_eq!(immediate.len(), 10);
    for case in &immediate {
        assert_eq!(hall.supervised_warnings(case), BTreeSet::new(), "{case}");
        assert_eq!(hall.items(case), BTreeMap::new(), "{case}");
        assert_eq!(hall.flags(case), [], "{case}");
    }
    let promised = promised.expect("the promised case");
    assert_eq!(
        hall.supervised_warnings(&promised),
        BTreeSet::from([Rule::DeliveryOverdue])
    );
    // Ten working days after the conclusion day (3-05 … 3-18).
    assert_eq!(hall.flags(&promised), [(Rule::DeliveryOverdue, day(3, 19))]);
    let expected = BTreeMap::from([("DeliveryOverdue".to_string(), vec![(true, true)])]);
    assert_eq!(hall.items(&promised), expected);
    hall.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yellow_case_paused_for_months_keeps_one_yellow_item_and_one_resumed_into_red_gets_one_yellow_and_one_red(
) {
    let net = Net::new();
    let hall = Hall::open(&net).await;
    let (mut paused, mut resumed) = (None, None);
    hall.run_year(|hall, date| match (date.month(), date.day()) {
        // Accepted on a Monday: four of five days used on Friday 3-06,
        // yellow; the department asks for a supplement that morning and it
        // never comes.
        (3, 2) => paused = Some(hall.accept(PROMISED, false)),
        (3, 6) => hall.request_supplement(paused.as_deref().expect("paused case")),
        // Yellow on Friday 4-10, paused from then to 6-01; 6-02 is the
        // last day, then the deadline passes: red. Concluded late on 6-08,
        // delivered 6-09.
        (4, 6) => resumed = Some(hall.accept(PROMISED, false)),
        (4, 10) => hall.request_supplement(resumed.as_deref().expect("resumed case")),
        (6, 1) => hall.supply_supplement(resumed.as_deref().expect("resumed case")),
        (6, 8) => hall.approve_and_conclude(resumed.as_deref().expect("resumed case")),
        (6, 9) => hall.deliver(resumed.as_deref().expect("resumed case")),
        _ => {}
    });

    // Paused nine months with a due date that moved every working day:
    // one yellow item, flagged once, still current.
    let paused = paused.expect("the paused case");
    assert_eq!(hall.flags(&paused), [(Rule::Yellow, day(3, 6))]);
    let expected = BTreeMap::from([("Yellow".to_string(), vec![(true, true)])]);
    assert_eq!(hall.items(&paused), expected);

    let resumed = resumed.expect("the resumed case");
    let flags = hall.flags(&resumed);
    assert_eq!(flags.len(), 2, "{flags:?}");
    assert_eq!(flags[0], (Rule::Yellow, day(4, 10)));
    assert_eq!(flags[1].0, Rule::Red);
    assert!(
        (day(6, 3)..day(6, 8)).contains(&flags[1].1),
        "red after the clock resumed, before the conclusion: {flags:?}"
    );
    // Yellow was for the running clock; red stays on a case concluded late.
    let expected = BTreeMap::from([
        ("Red".to_string(), vec![(true, true)]),
        ("Yellow".to_string(), vec![(false, true)]),
    ]);
    assert_eq!(hall.items(&resumed), expected);
    hall.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_paused_on_its_last_working_day_stays_yellow_and_turns_red_only_after_it_resumes() {
    let net = Net::new();
    let hall = Hall::open(&net).await;
    let (mut held, mut resumed) = (None, None);
    hall.run_year(|hall, date| match (date.month(), date.day()) {
        // Accepted Monday 3-02: Monday 3-09 is the fifth and last working
        // day (0 left); the department asks for a supplement that day and
        // it never comes.
        (3, 2) => held = Some(hall.accept(PROMISED, false)),
        (3, 9) => hall.request_supplement(held.as_deref().expect("held case")),
        // Accepted Monday 4-06, paused on its last day, Monday 4-13, and
        // supplied on Thursday 4-16: Friday 4-17 is the first day after the
        // deadline that no pause covers.
        (4, 6) => resumed = Some(hall.accept(PROMISED, false)),
        (4, 13) => hall.request_supplement(resumed.as_deref().expect("resumed case")),
        (4, 16) => hall.supply_supplement(resumed.as_deref().expect("resumed case")),
        _ => {}
    });

    let held = held.expect("the held case");
    assert_eq!(hall.flags(&held), [(Rule::Yellow, day(3, 6))]);
    let expected = BTreeMap::from([("Yellow".to_string(), vec![(true, true)])]);
    assert_eq!(hall.items(&held), expected);

    let resumed = resumed.expect("the resumed case");
    let flags = hall.flags(&resumed);
    assert_eq!(flags.len(), 3, "{flags:?}");
    assert_eq!(
        flags[..2],
        [(Rule::Yellow, day(4, 10)), (Rule::Red, day(4, 17))]
    );
    // Never concluded: the statutory limit passes later in the year.
    assert_eq!(flags[2].0, Rule::StatutoryOverdue);
    hall.close().await;
}
