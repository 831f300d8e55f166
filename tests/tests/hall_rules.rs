//! The acceptance and fee rules at a real county (in-process, real sled
//! store) on a clock the test moves: an application left unanswered past
//! its notice days is deemed accepted, so a correction notice is refused
//! and a decision allowed; a case concludes only once every catalogue fee
//! due is paid at the fee window or waived with a reason.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::NaiveDate;
use county_node::County;
use liandong_domain::{
    cst_time_ms, AuthScope, FeeItem, Lang, Level, Matter, Power, StaffRole, Status,
};
use liandong_model::ManualClock;
use liandong_node::control::{ApplicantInput, CaseAction};
use liandong_node::identity::Actor;
use liandong_node::{CaseDetail, NodeCore, NodeError};
use tests::{Net, Node};

use liandong_node::error::words::node_error_text;

/// What the clerk reads of a refusal.
fn zh(e: &NodeError) -> String {
    node_error_text(e, Lang::Zh)
}

/// 个体工商户变更登记: promised in 5 working days, 15 statutory, 工本费 10 元.
const MATTER: &str = "M020";
const FEE: &str = "工本费";
const CHIEF: &str = "S09";
const FEE_CLERK: &str = "F00";

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).expect("a date of 2026")
}

struct Hall {
    node: Node<County>,
    clock: Arc<ManualClock>,
    clerk: Actor,
    fee_clerk: Actor,
}

impl Hall {
    async fn open(net: &Net) -> Hall {
        let clock = ManualClock::new(cst_time_ms(day(11, 2), 8, 0));
        let node = net.bare_county_on_clock(clock.clone()).await;
        file_the_hall(node.core());
        Hall {
            clerk: tests::clerk_at(node.core()),
            fee_clerk: tests::acting(FEE_CLERK, StaffRole::FeeClerk),
            node,
            clock,
        }
    }

    fn core(&self) -> &NodeCore {
        self.node.core()
    }

    fn at(&self, date: NaiveDate, hour: u32) {
        self.clock.set(cst_time_ms(date, hour, 0));
    }

    /// 申请 at the window, accepted there or only registered.
    fn apply(&self, accept: bool) -> String {
        let applicant = ApplicantInput {
            name: "张三".into(),
            id_number: tests::resident_id(1),
            ..Default::default()
        };
        let detail = self.core().accept_new(
            &self.clerk,
            Lang::Zh,
            MATTER,
            &applicant,
            &[],
            !accept,
            false,
        );
        detail
            .unwrap_or_else(|e| panic!("the application is refused: {e}"))
            .id
    }

    fn step(&self, who: &Actor, case: &str, action: CaseAction) -> Result<CaseDetail, NodeError> {
        self.core().case_action(who, Lang::Zh, case, action)
    }

    /// The chief representative, signed in that morning, approves.
    fn approve(&self, case: &str) {
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
        self.step(&chief, case, approve)
            .unwrap_or_else(|e| panic!("case {case}: the decision is refused: {e}"));
    }

    fn status(&self, case: &str) -> Status {
        let (_, state) = self.core().case_state(case).expect("case state");
        state.status
    }

    async fn close(self) {
        self.node.stop().await;
    }
}

/// The matter with its fee, the test clerks, a county fee clerk and a
/// chief representative of D01 with every power.
fn file_the_hall(county: &NodeCore) {
    let hall = tests::hall(county);
    let mut matter = Matter::basic(MATTER, "个体工商户变更登记", Level::Township, 5, 15, "D01");
    matter.fees = vec![FeeItem {
        name: FEE.into(),
        amount_fen: 1000,
        basis: "县发改委〔2025〕1号".into(),
    }];
    county
        .put_matter(&hall, Lang::Zh, matter)
        .expect("matter saved");
    tests::put_clerks(county);
    county
        .add_staff(
            &hall,
            Lang::Zh,
            FEE_CLERK,
            "收费员",
            "D01",
            StaffRole::FeeClerk,
            &[],
        )
        .expect("fee clerk on the roster");
    tests::put_chief(county, CHIEF, "D01", &[]);
    let powers: BTreeSet<Power> = Power::ALL.into_iter().collect();
    county
        .authorise(
            &hall,
            Lang::Zh,
            CHIEF,
            AuthScope::Department("D01".into()),
            powers,
            day(1, 1),
            day(12, 31),
            Some("A-S09".into()),
        )
        .expect("authorisation filed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_application_unanswered_past_its_notice_days_takes_a_decision_but_no_correction_notice()
{
    let net = Net::new();
    let hall = Hall::open(&net).await;
    hall.at(day(11, 2), 9);
    let case = hall.apply(false);
    assert_eq!(hall.status(&case), Status::Submitted);
    // Notice days 11-03..11-09 pass with no reply.
    hall.at(day(11, 10), 9);
    let notice = CaseAction::RequestCorrection {
        missing: vec!["租赁合同".into()],
    };
    let refused = hall
        .step(&hall.clerk, &case, notice)
        .expect_err("deemed accepted");
    let text = zh(&refused);
    assert!(
        text.contains("视为受理") && text.contains("2026-11-09"),
        "{text}"
    );
    hall.approve(&case);
    hall.step(
        &hall.fee_clerk,
        &case,
        CaseAction::Fee {
            item: FEE.into(),
            amount_fen: None,
        },
    )
    .expect("the fee is paid at the fee window");
    hall.step(&hall.clerk, &case, CaseAction::Conclude)
        .expect("concluded without a recorded acceptance");
    assert_eq!(hall.status(&case), Status::Concluded);
    hall.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_case_concludes_only_once_its_fee_is_paid_or_waived_with_a_reason() {
    let net = Net::new();
    let hall = Hall::open(&net).await;
    hall.at(day(11, 2), 9);
    let (paid, waived) = (hall.apply(true), hall.apply(true));
    hall.at(day(11, 3), 9);
    for case in [&paid, &waived] {
        hall.approve(case);
        let early = hall
            .step(&hall.clerk, case, CaseAction::Conclude)
            .expect_err("fee due");
        let text = zh(&early);
        assert!(
            text.contains("尚未缴费也未登记免收") && text.contains(FEE),
            "{text}"
        );
    }
    hall.step(
        &hall.fee_clerk,
        &paid,
        CaseAction::Fee {
            item: FEE.into(),
            amount_fen: None,
        },
    )
    .expect("paid");
    let waive = |reason: &str| CaseAction::WaiveFee {
        item: FEE.into(),
        reason: reason.into(),
    };
    let blank = hall
        .step(&hall.fee_clerk, &waived, waive(" "))
        .expect_err("reason needed");
    assert!(zh(&blank).contains("免收理由"), "{}", zh(&blank));
    hall.step(&hall.fee_clerk, &waived, waive("低保户，依收费依据免收"))
        .expect("waived");
    let twice = hall
        .step(
            &hall.fee_clerk,
            &waived,
            CaseAction::Fee {
                item: FEE.into(),
                amount_fen: None,
            },
        )
        .expect_err("a waived fee is not charged");
    assert!(zh(&twice).contains("已登记免收"), "{}", zh(&twice));
    for case in [&paid, &waived] {
        hall.step(&hall.clerk, case, CaseAction::Conclude)
            .unwrap_or_else(|e| panic!("case {case}: {e}"));
        assert_eq!(hall.status(case), Status::Concluded);
    }
    hall.close().await;
}
