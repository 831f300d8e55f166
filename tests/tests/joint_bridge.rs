//! Joint cases through department bridges, over real nodes and real
//! mutual TLS (the county, townships and bridges in-process on loopback,
//! each with its sled store on disk):
//!
//! - a case accepted at T01 for a county matter, routed to department D03
//!   (its bridge, through the HTTP API) and to T02 for a site opinion:
//!   both answer while T01 is offline, D03 decides, T01 comes back,
//!   concludes and delivers, and the county holds the whole history;
//! - a case with 30 events routed to a department arrives whole at its
//!   bridge: all 30, then the routing event, then what came after;
//! - a case crossing T01, T02 and a bridge that are never online together.
//!
//! Scope confinement is `scope_confinement.rs`.

use liandong_domain::{CaseEvent, EventKind, Lang, OpBody, OpinionResult};
use liandong_model::{EncodedOp, EntityId, NodeId, Role};
use liandong_node::control::CaseAction;
use liandong_node::NodeCore;
use tests::http::{get, post};
use tests::joint::{
    applicant, bridge, holds, kinds, put_joint_registry, ready, route_by_rule, GRANT, LIMIT,
};
use tests::Steps;
use tests::{eventually, now_ms, proxy, Net};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joint_case_crosses_both_levels_while_its_accepting_centre_is_offline() {
    let net = Net::new();
    let county = net.county(0).await;
    let port = county.port();
    put_joint_registry(county.core());
    let link = proxy(port, &county.shutdown).await;
    let t1 = net
        .township("T01", port, Some(link.addr().to_string()))
        .await;
    let t2 = net.township("T02", port, None).await;
    let d3 = bridge(&net, port, "D03").await;
    for core in [t1.core(), t2.core(), d3.core()] {
        ready(core).await;
    }

    let case = t1
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
        .expect("T01 accepts as a receiving point")
        .id;
    t1.core()
        .step(Lang::Zh, &case, route_by_rule())
        .expect("routed by the rule");
    let reached = eventually(LIMIT, || holds(d3.core(), &case) && holds(t2.core(), &case)).await;
    assert!(
        reached,
        "the county forwarded the case to D03's bridge and to T02"
    );

    // T01 goes offline; D03 (through its bridge's API) and T02 answer.
    link.set_up(false);
    let token = d3.token();
    let api = d3.api();
    let opinion = post(
        api,
        &format!("/v1/cases/{case}/opinions"),
        Some(&token),
        Some("op-1"),
        r#"{"staff":"S31","result":"pass","text":"符合规划条件"}"#,
    )
    .await;
    assert_eq!(opinion.status, 201, "{}", opinion.body);
    let t2_opinion = CaseAction::Opinion {
        department: None,
        result: OpinionResult::Pass,
        staff: "S21".into(),
        text: "现场无异议".into(),
    };
    t2.core()
        .step(Lang::Zh, &case, t2_opinion)
        .expect("T02's opinion");
    let decision = post(
        api,
        &format!("/v1/cases/{case}/decisions"),
        Some(&token),
        Some("dec-1"),
        &tests::bridge::decision_by("S31", GRANT),
    )
    .await;
    assert_eq!(decision.status, 201, "{}", decision.body);
    let shown = get(api, &format!("/v1/cases/{case}"), Some(&token))
        .await
        .json();
    assert_eq!(shown["part"]["decision"]["authorisation"], GRANT);

    // T01 returns and hears everything through the county.
    link.set_up(true);
    let heard = eventually(LIMIT, || {
        let k = kinds(t1.core(), &case);
        k.iter().filter(|e| *e == "opinion").count() == 2 && k.contains(&"decided".to_string())
    })
    .await;
    assert!(
        heard,
        "T01 received both opinions and the decision: {:?}",
        kinds(t1.core(), &case)
    );
    t1.core()
        .step(Lang::Zh, &case, CaseAction::Conclude)
        .expect("T01 concludes");
    t1.core()
        .step(Lang::Zh, &case, CaseAction::Deliver { recipient: None })
        .expect("T01 delivers");
    let whole = [
        "submitted",
        "accepted",
        "routed",
        "opinion-requested",
        "opinion",
        "opinion",
        "decided",
        "concluded",
        "evaluation-invited",
        "delivered",
    ];
    let at_county = eventually(LIMIT, || kinds(county.core(), &case).len() == whole.len()).await;
    let mut history = kinds(county.core(), &case);
    assert!(at_county, "the county holds the whole history: {history:?}");
    history.sort();
    let mut expected: Vec<String> = whole.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(history, expected);
    let status = county
        .core()
        .show_case(&tests::reader(), &case, Lang::En)
        .expect("county")
        .status;
    assert_eq!(status, "delivered");
    // The bridge sees the conclusion too, and its department system can
    // poll for it.
    assert!(
        eventually(LIMIT, || kinds(d3.core(), &case)
            .contains(&"delivered".to_string()))
        .await
    );
}

/// The op ids the county's outbox for `peer` holds for `case`, in order.
fn outbox_order(county: &NodeCore, peer: &NodeId, case: &str) -> Vec<String> {
    let chunk = county
        .store
        .read_outbox(peer, 0, 100_000, usize::MAX)
        .expect("outbox");
    chunk
        .ops
        .into_iter()
        .filter_map(|(_, bytes)| EncodedOp::decode(bytes).ok())
        .filter(|op| matches!(op.entity(), EntityId::Case(c) if c.as_str() == case))
        .map(|op| op.id().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_with_30_events_routed_to_a_department_reaches_its_bridge_whole_and_in_order() {
    let net = Net::new();
    let county = net.county(0).await;
    let port = county.port();
    put_joint_registry(county.core());
    let t1 = net.township("T01", port, None).await;
    let d3 = bridge(&net, port, "D03").await;
    ready(t1.core()).await;
    ready(d3.core()).await;
    let case = t1
        .core()
        .accept_new(
            &tests::clerk_at(t1.core()),
            Lang::Zh,
            "M017",
            &applicant("李四", "410000198502021235"),
            &[],
            false,
            false,
        )
        .expect("accepted")
        .id;
    // 28 more events (fees at the window), 30 in all before routing.
    let entity = EntityId::Case(t1.core().store.case(&case).unwrap().unwrap().id.clone());
    for i in 0..28u64 {
        let fee = EventKind::FeeCharged {
            item: format!("工本费{i}"),
            amount_fen: 100,
        };
        t1.core()
            .store
            .append_local(
                vec![(entity.clone(), OpBody::Case(CaseEvent::new(now_ms(), fee)))],
                now_ms(),
            )
            .expect("event written");
    }
    let t1_id = NodeId::township("T01").unwrap();
    let synced = eventually(LIMIT, || kinds(county.core(), &case).len() == 30).await;
    assert!(synced, "the county holds the 30 events");
    assert!(
        !holds(d3.core(), &case),
        "not routed yet: the bridge holds nothing of it"
    );
    t1.core()
        .step(
            Lang::Zh,
            &case,
            CaseAction::Route {
                departments: vec!["D03".into()],
                townships: vec![],
                part: String::new(),
                stage_limit_days: None,
            },
        )
        .expect("routed");
    t1.core()
        .step(
            Lang::Zh,
            &case,
            CaseAction::Withdraw {
                reason: "申请人撤回".into(),
            },
        )
        .expect("a later event");
    let whole = eventually(LIMIT, || kinds(d3.core(), &case).len() == 32).await;
    assert!(
        whole,
        "the bridge holds all 32: {}",
        kinds(d3.core(), &case).len()
    );
    // The order the county queued them for the bridge (and so sent them).
    let d03 = NodeId::new(Role::Bridge, "D03").unwrap();
    let order = outbox_order(county.core(), &d03, &case);
    let seqs: Vec<u64> = order
        .iter()
        .map(|id| id.rsplit('#').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(order.len(), 32);
    assert!(order.iter().all(|id| id.starts_with(&t1_id.to_string())));
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(
        seqs, sorted,
        "the 30 first, then the routing event, then the withdrawal"
    );
    let routed_at = kinds(d3.core(), &case);
    assert_eq!(routed_at.iter().filter(|k| *k == "routed").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joint_case_reaches_t02_and_d03_though_t01_t02_and_the_bridge_are_never_online_together()
{
    let net = Net::new();
    let county = net.county(0).await;
    let port = county.port();
    put_joint_registry(county.core());
    let has = |core: &NodeCore, case: &str, kind: &str| kinds(core, case).iter().any(|k| k == kind);

    // T01 alone: accepts and routes, then goes away.
    let t1 = net.township("T01", port, None).await;
    ready(t1.core()).await;
    let case = t1
        .core()
        .accept_new(
            &tests::clerk_at(t1.core()),
            Lang::Zh,
            "M017",
            &applicant("钱七", "410000196001013334"),
            &[],
            false,
            false,
        )
        .unwrap()
        .id;
    t1.core().step(Lang::Zh, &case, route_by_rule()).unwrap();
    assert!(eventually(LIMIT, || has(county.core(), &case, "opinion-requested")).await);
    t1.stop().await;

    // T02 alone: receives it from the county, answers, goes away.
    let t2 = net.township("T02", port, None).await;
    assert!(
        eventually(LIMIT, || holds(t2.core(), &case)).await,
        "T02 got the case"
    );
    let opinion = CaseAction::Opinion {
        department: None,
        result: OpinionResult::Pass,
        staff: "S21".into(),
        text: String::new(),
    };
    t2.core().step(Lang::Zh, &case, opinion).unwrap();
    let up = eventually(LIMIT, || {
        kinds(county.core(), &case)
            .iter()
            .filter(|k| *k == "opinion")
            .count()
            == 1
    })
    .await;
    assert!(up, "T02's opinion reached the county");
    t2.stop().await;

    // The bridge alone: receives it, decides, goes away.
    let d3 = bridge(&net, port, "D03").await;
    assert!(
        eventually(LIMIT, || holds(d3.core(), &case)).await,
        "D03 got the case"
    );
    ready(d3.core()).await;
    let core = d3.core();
    let d3_opinion = CaseAction::Opinion {
        department: None,
        result: OpinionResult::Pass,
        staff: "S31".into(),
        text: String::new(),
    };
    core.step(Lang::Zh, &case, d3_opinion).unwrap();
    let decide = CaseAction::Decide {
        approve: true,
        by: "S31".into(),
        reason: String::new(),
        department: None,
        authorisation: Some(GRANT.into()),
    };
    let chief = tests::sign_in(core, "S31").await;
    core.case_action(&chief, Lang::Zh, &case, decide).unwrap();
    assert!(eventually(LIMIT, || has(county.core(), &case, "decided")).await);
    d3.stop().await;

    // T01 back: everything is there, it concludes.
    let t1 = net.township("T01", port, None).await;
    let heard = eventually(LIMIT, || {
        let k = kinds(t1.core(), &case);
        has(t1.core(), &case, "decided") && k.iter().filter(|e| *e == "opinion").count() == 2
    })
    .await;
    assert!(
        heard,
        "T01 heard from T02 and D03: {:?}",
        kinds(t1.core(), &case)
    );
    t1.core()
        .step(Lang::Zh, &case, CaseAction::Conclude)
        .expect("concludes");
}
