//! Joint cases (联办) across levels, over real nodes and real mutual TLS:
//! routing by the county's rule, a township asked for an opinion that sees
//! exactly the cases it was asked about and answers with the county down,
//! and store-and-forward through the county back to the accepting centre.

use liandong_domain::{Lang, OpinionResult};
use liandong_node::control::{CaseAction, CaseFilter};
use liandong_node::NodeCore;
use tests::joint::{applicant, holds, put_joint_registry, LIMIT};
use tests::Steps;
use tests::{eventually, Net};

fn opinions_of(core: &NodeCore, case: &str) -> usize {
    core.show_case(&tests::reader(), case, Lang::En)
        .map(|d| d.history.iter().filter(|h| h.event == "opinion").count())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_asked_for_an_opinion_sees_only_that_case_answers_with_the_county_down_and_the_county_forwards_it(
) {
    let net = Net::new();
    let county = net.county(0).await;
    let port = county.port();
    put_joint_registry(county.core());
    let t1 = net.township("T01", port, None).await;
    let t2 = net.township("T02", port, None).await;
    assert!(
        eventually(LIMIT, || t1
            .core()
            .store
            .routing_rules()
            .is_ok_and(|r| r.contains_key("M017")))
        .await,
        "the routing rule reached T01"
    );
    // T01 is a receiving point for the county-level matter: it accepts and
    // routes by the county's rule (D03 and an opinion of T02).
    let joint = t1
        .core()
        .accept_new(
            &tests::clerk_at(t1.core()),
            Lang::Zh,
            "M017",
            &applicant("王五", "410000197001011114"),
            &[],
            false,
            false,
        )
        .expect("T01 accepts M017 as a receiving point")
        .id;
    let route = CaseAction::Route {
        departments: vec![],
        townships: vec![],
        part: String::new(),
        stage_limit_days: Some(3),
    };
    let routed = t1.core().step(Lang::Zh, &joint, route).expect("routed");
    assert_eq!(
        routed
            .history
            .iter()
            .filter(|h| h.event == "routed")
            .count(),
        1
    );
    assert_eq!(
        routed
            .history
            .iter()
            .filter(|h| h.event == "opinion-requested")
            .count(),
        1
    );
    // A case of T01's own that nobody else was asked about.
    let private = t1
        .core()
        .accept_case(
            &tests::clerk_at(t1.core()),
            "M001",
            "赵六",
            "410000198001012226",
        )
        .expect("own case")
        .id;

    assert!(
        eventually(LIMIT, || holds(t2.core(), &joint)).await,
        "the county forwarded the joint case to T02"
    );
    let listed = t2
        .core()
        .list_cases(&tests::reader(), Lang::Zh, None, &CaseFilter::default())
        .expect("T02 lists");
    let ids: Vec<&str> = listed.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![joint.as_str()],
        "T02 holds exactly the case it was asked about"
    );
    assert_eq!(listed[0].opinion_asked_of, vec!["T02".to_string()]);
    assert!(!holds(t2.core(), &private));
    // The county lists it under T02 too (asked of it), and under D03.
    let under = |filter: CaseFilter, origin: Option<&str>| {
        county
            .core()
            .list_cases(&tests::reader(), Lang::Zh, origin, &filter)
            .expect("county lists")
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        under(CaseFilter::default(), Some("T02")),
        vec![joint.clone()]
    );
    let d03 = CaseFilter {
        department: Some("D03".into()),
        ..CaseFilter::default()
    };
    assert_eq!(under(d03, None), vec![joint.clone()]);

    // The county goes down; T02 gives its opinion at its own window.
    county.stop().await;
    let opinion = CaseAction::Opinion {
        department: None,
        result: OpinionResult::Pass,
        staff: "S21".into(),
        text: "现场符合规划".into(),
    };
    t2.core()
        .step(Lang::Zh, &joint, opinion)
        .expect("T02 records its opinion offline");
    // T01 hears of it once the county is back.
    let county = net.county(port).await;
    assert!(
        eventually(LIMIT, || opinions_of(t1.core(), &joint) == 1).await,
        "T02's opinion reached T01 through the county"
    );
    assert_eq!(opinions_of(county.core(), &joint), 1);
    // A township gives one opinion per case.
    let again = CaseAction::Opinion {
        department: None,
        result: OpinionResult::Pass,
        staff: "S21".into(),
        text: String::new(),
    };
    assert!(
        t2.core().step(Lang::Zh, &joint, again).is_err(),
        "one opinion per township"
    );
}
