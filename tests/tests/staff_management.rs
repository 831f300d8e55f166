//! E-supervision with substance and staff management between real county
//! and township nodes (mutual TLS on loopback, sled stores on disk): a
//! complaint received at a township reaches the county's e-supervision and
//! its answer comes back; a centre cannot answer it; an assessment over the
//! 20% rule is refused with the figures; incentive points add up; the
//! statistics count the township's cases for its centre.
//!
//! Time only bounds waits (`eventually`); nothing asserts on timing.

use std::time::Duration;

use liandong_domain::assessment::Grade;
use liandong_domain::complaint::ComplaintSubject;
use liandong_domain::refusal::StaffRefusal;
use liandong_domain::stats::GroupBy;
use liandong_domain::{cst_date, Lang, Refusal, StaffRole};
use liandong_node::{ComplaintLine, NodeCore, NodeError};
use tests::{accept_cases, acting, eventually, hall, put_clerks, put_m001, township_id, Net};

/// Upper bound of every wait; generous for debug builds on two cores.
const LIMIT: Duration = Duration::from_secs(60);

fn complaint(core: &NodeCore, number: &str) -> Option<ComplaintLine> {
    core.complaints()
        .ok()?
        .into_iter()
        .find(|c| c.number == number)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_received_at_a_township_reaches_the_countys_e_supervision_and_is_answered() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    let clerk = acting("C01", StaffRole::Clerk);
    let supervisor = acting("E01", StaffRole::Supervisor);

    town.core()
        .receive_complaint(
            &clerk,
            "TS-1",
            ComplaintSubject::Staff("C01".into()),
            "张三",
            "窗口排队两小时无人受理",
            5,
        )
        .expect("the township records the complaint");
    let again = town.core().receive_complaint(
        &clerk,
        "TS-1",
        ComplaintSubject::Centre("T01".into()),
        "张三",
        "重复登记",
        5,
    );
    assert!(
        matches!(
            again,
            Err(NodeError::Refused(Refusal::Staff(
                StaffRefusal::ComplaintAlreadyReceived { .. }
            )))
        ),
        "a complaint is received once: {again:?}"
    );
    assert!(
        eventually(LIMIT, || complaint(county.core(), "TS-1")
            .is_some_and(|c| c.status == "open"))
        .await,
        "the complaint reached the county's e-supervision, open"
    );

    let at_town =
        town.core()
            .answer_complaint(&supervisor, &township_id("T01"), "TS-1", "自行答复");
    assert!(
        matches!(
            at_town,
            Err(NodeError::Refused(Refusal::Staff(
                StaffRefusal::AnsweredOutsideCounty { .. }
            )))
        ),
        "a centre does not answer complaints: {at_town:?}"
    );
    county
        .core()
        .answer_complaint(&supervisor, &township_id("T01"), "TS-1", "已约谈，限期整改")
        .expect("e-supervision answers at the county");
    assert!(
        eventually(LIMIT, || complaint(town.core(), "TS-1")
            .is_some_and(|c| c.status == "answered-on-time"))
        .await,
        "the answer came back to the township that received the complaint"
    );
    let line = complaint(town.core(), "TS-1").expect("the complaint at the township");
    assert!(
        line.state.anomalies.is_empty(),
        "{:?}",
        line.state.anomalies
    );
    assert_eq!(
        line.state.answer.map(|a| a.by),
        Some("E01".to_string()),
        "answered by e-supervision"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assessment_over_the_twenty_per_cent_rule_is_refused_with_the_figures() {
    let net = Net::new();
    let county = net.county(0).await;
    put_clerks(county.core());
    let hall = hall(county.core());
    county
        .core()
        .add_staff(
            &hall,
            Lang::Zh,
            "S05",
            "工作人员",
            "D02",
            StaffRole::Clerk,
            &[],
        )
        .expect("a fifth staff member on the roster");
    let grades = |excellent: &[&str]| {
        ["C01", "C00", "R01", "F01", "S05"]
            .into_iter()
            .map(|s| {
                let grade = if excellent.contains(&s) {
                    Grade::Excellent
                } else {
                    Grade::Competent
                };
                (s.to_string(), grade)
            })
            .collect::<Vec<_>>()
    };
    let over = county
        .core()
        .put_assessment(&hall, "2026", grades(&["C01", "R01"]));
    match over {
        Err(NodeError::Refused(Refusal::Staff(StaffRefusal::ExcellentOverQuota {
            excellent,
            assessed,
            max,
        }))) => assert_eq!((excellent, assessed, max), (2, 5, 1)),
        other => panic!("expected the 20% refusal with its figures, got {other:?}"),
    }
    assert!(
        county
            .core()
            .store
            .assessment("2026")
            .expect("read")
            .is_none(),
        "nothing was written"
    );
    county
        .core()
        .put_assessment(&hall, "2026", grades(&["C01"]))
        .expect("one of five is within floor(20%)");
    let held = county
        .core()
        .store
        .assessment("2026")
        .expect("read")
        .expect("the assessment is on file");
    assert_eq!(
        (held.assessment.excellent(), held.assessment.assessed()),
        (1, 5)
    );
    assert_eq!(held.anomaly(), None);

    let total = county
        .core()
        .add_points(&hall, "C01", "2026", 5, "群众来信表扬")
        .expect("points added");
    assert_eq!(total, 5);
    let total = county
        .core()
        .add_points(&hall, "C01", "2026", -2, "迟到")
        .expect("points taken off");
    assert_eq!(total, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_countys_statistics_count_a_townships_cases_for_its_centre() {
    let net = Net::new();
    let county = net.county(0).await;
    put_m001(county.core());
    let town = net.township("T01", county.port(), None).await;
    assert!(
        eventually(LIMIT, || town
            .core()
            .store
            .matter("M001")
            .is_ok_and(|m| m.is_some()))
        .await,
        "the catalogue reached the township"
    );
    let ids = accept_cases(town.core(), 2);
    assert!(
        eventually(LIMIT, || ids
            .iter()
            .all(|id| matches!(county.core().store.case(id), Ok(Some(_)))))
        .await,
        "the township's cases reached the county"
    );
    let today = cst_date(county.core().now_ms());
    let rows = county
        .core()
        .statistics(
            &acting("E01", StaffRole::Supervisor),
            today,
            today,
            GroupBy::Centre,
        )
        .expect("statistics");
    let t01 = rows.iter().find(|r| r.key == "T01").expect("a row for T01");
    assert_eq!(t01.accepted, 2, "{rows:?}");
}
