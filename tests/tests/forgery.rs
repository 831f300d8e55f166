//! Forged operations over a real mutual-TLS stream, each refused by what
//! it says, counted per peer and reason, kept as a rejection record — and
//! followed by a good operation that does land, on the same stream.
//!
//! The peer is a raw client with a real certificate of the test CA (a
//! township's), sending what no honest node would.

use std::time::Duration;

use liandong_domain::{Applicant, CaseEvent, EventKind, Matter, OpBody, Operation, Rule, Stamp};
use liandong_domain::{Level, SupervisionId};
use liandong_model::{CaseId, EntityId, Hlc, NodeId, OpId};
use tests::raw::{self, batch};
use tests::{eventually, now_ms, township_id, Net};

const LIMIT: Duration = Duration::from_secs(60);

fn op(origin: &NodeId, seq: u64, wall_ms: u64, entity: EntityId, body: OpBody) -> Vec<u8> {
    Operation {
        id: OpId {
            origin: origin.clone(),
            seq,
        },
        hlc: Hlc {
            wall_ms,
            logical: 0,
        },
        entity,
        body,
    }
    .encode()
    .bytes
}

fn submitted(origin: &NodeId) -> OpBody {
    OpBody::Case(CaseEvent::new(
        now_ms(),
        EventKind::Submitted {
            matter: "M001".into(),
            matter_version: Stamp {
                hlc: Hlc::default(),
                op: OpId {
                    origin: origin.clone(),
                    seq: 0,
                },
            },
            applicant: Applicant::resident("张三", "410000199001011236", "", ""),
            materials: vec![],
        },
    ))
}

fn case_of(owner: &NodeId, n: u64) -> EntityId {
    EntityId::Case(CaseId::new("000000", owner, "20261201", n))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_operations_are_refused_counted_recorded_and_the_good_ones_around_them_land() {
    let net = Net::new();
    let county = net.county(0).await;
    let t1 = township_id("T01");
    let t2 = township_id("T02");
    let (tx, _inbound) = raw::open(&net, &t1, county.port(), [7; 16]).await;
    let now = now_ms();
    let year_ms = 365 * 86_400_000;
    let own = case_of(&t1, 1);
    let supervision = OpBody::Case(CaseEvent::new(
        now,
        EventKind::SupervisionFlagged {
            item: SupervisionId::derive(&CaseId::new("000000", &t1, "20261201", 1), Rule::Red, "x"),
            rule: Rule::Red,
            note: "pre-empting e-supervision".into(),
        },
    ));
    let catalogue = OpBody::MatterPut(Matter::basic(
        "M666",
        "forged",
        Level::Township,
        1,
        1,
        "D01",
    ));
    // (forgery, the reason it must be refused with), each followed by a
    // good operation of T01's own case.
    let forgeries: Vec<(Vec<u8>, &str)> = vec![
        (
            op(&t1, 100, now, EntityId::Matter("M666".into()), catalogue),
            "county-only",
        ),
        (
            op(&t1, 101, now, case_of(&t2, 7), submitted(&t1)),
            "foreign-case",
        ),
        (
            op(&t1, 102, now, own.clone(), supervision),
            "event-not-allowed",
        ),
        (
            op(&t2, 1, now, case_of(&t2, 1), submitted(&t2)),
            "not-origin",
        ),
        (
            op(&t1, 103, now + year_ms, case_of(&t1, 3), submitted(&t1)),
            "future-stamp",
        ),
    ];
    let mut seq = 0;
    let mut good = Vec::new();
    for (i, (forged, _)) in forgeries.iter().enumerate() {
        let ok_seq = 1 + i as u64;
        let ok = op(&t1, ok_seq, now, own.clone(), submitted(&t1));
        good.push(ok_seq);
        let batch_id = i as u64 + 1;
        tx.send(batch(batch_id, seq + 1, vec![forged.clone(), ok]))
            .await
            .expect("frame sent");
        seq += 2;
    }
    let store = county.core().store.clone();
    let landed = eventually(LIMIT, || {
        good.iter().all(|&s| {
            store
                .contains(&OpId {
                    origin: t1.clone(),
                    seq: s,
                })
                .unwrap_or(false)
        })
    })
    .await;
    assert!(landed, "every good operation after a forgery landed");
    for (seq, origin) in [
        (100, &t1),
        (101, &t1),
        (102, &t1),
        (103, &t1),
        (104, &t1),
        (1, &t2),
    ] {
        let held = store.contains(&OpId {
            origin: origin.clone(),
            seq,
        });
        assert!(!held.unwrap(), "forged {origin}#{seq} was stored");
    }
    assert!(store.matter("M666").unwrap().is_none());
    let link = county.core().board.get(&t1).expect("link state");
    for (_, reason) in &forgeries {
        assert_eq!(
            link.rejections.get(*reason),
            Some(&1),
            "{reason}: {:?}",
            link.rejections
        );
    }
    let status = county.core().status().expect("status");
    assert_eq!(status.rejected_total, forgeries.len() as u64);
    let mut reasons: Vec<&str> = status
        .recent_rejections
        .iter()
        .map(|r| r.reason.as_str())
        .collect();
    reasons.sort();
    let mut expected: Vec<&str> = forgeries.iter().map(|(_, r)| *r).collect();
    expected.sort();
    assert_eq!(reasons, expected);
    assert!(status.recent_rejections.iter().all(|r| r.peer == t1));
    // The clock never adopted the year-ahead stamp.
    let hlc = county.core().store.clock_now();
    assert!(
        hlc.wall_ms < now + year_ms / 2,
        "clock followed a forged stamp"
    );
}

/// A T01 case routed to D03, as T01 sent it to the county.
fn routed_case(county: &liandong_node::NodeCore, t1: &NodeId) -> EntityId {
    let case = case_of(t1, 50);
    let now = now_ms();
    let routed = OpBody::Case(CaseEvent::new(
        now,
        EventKind::RoutedToDepartment {
            department: "D03".into(),
            part: "规划审查".into(),
            stage_limit_days: None,
        },
    ));
    let accepted = OpBody::Case(CaseEvent::new(now, EventKind::Accepted { tolerated: None }));
    let ops = [submitted(t1), accepted, routed]
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let bytes = op(t1, 500 + i as u64, now, case.clone(), body);
            liandong_model::EncodedOp::decode(bytes).expect("decodes")
        })
        .collect();
    let source = liandong_store::Source::Peer {
        node: t1.clone(),
        cursor: liandong_store::Cursor::default(),
    };
    county.store.apply(source, ops).expect("case held");
    case
}

fn decision(department: &str, by: &str, grant: &str) -> OpBody {
    OpBody::Case(CaseEvent::new(
        now_ms(),
        EventKind::Decided {
            department: department.into(),
            approve: true,
            by: by.into(),
            authorisation: grant.into(),
            seal: None,
            reason: String::new(),
        },
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_deciding_a_case_not_routed_to_it_or_under_another_departments_grant_is_refused() {
    let net = Net::new();
    let county = net.county(0).await;
    tests::bridge::put_registry(county.core());
    let t1 = township_id("T01");
    let case = routed_case(county.core(), &t1);
    let d3 = NodeId::new(liandong_model::Role::Bridge, "D03").unwrap();
    let d5 = NodeId::new(liandong_model::Role::Bridge, "D05").unwrap();
    let now = now_ms();
    // D05 was never routed this case.
    let (tx5, _in5) = raw::open(&net, &d5, county.port(), [5; 16]).await;
    tx5.send(batch(
        1,
        1,
        vec![op(
            &d5,
            1,
            now,
            case.clone(),
            decision("D05", "S32", tests::bridge::OTHER_DEPT_AUTH),
        )],
    ))
    .await
    .unwrap();
    // D03 decides under S32's grant, which belongs to D05; then gives an
    // opinion, which is its to give.
    let (tx3, _in3) = raw::open(&net, &d3, county.port(), [3; 16]).await;
    let opinion = OpBody::Case(CaseEvent::new(
        now,
        EventKind::OpinionRecorded {
            reviewer: liandong_domain::Reviewer::Department("D03".into()),
            result: liandong_domain::OpinionResult::Pass,
            staff: "S31".into(),
            text: String::new(),
        },
    ));
    tx3.send(batch(
        1,
        1,
        vec![
            op(
                &d3,
                1,
                now,
                case.clone(),
                decision("D03", "S32", tests::bridge::OTHER_DEPT_AUTH),
            ),
            op(&d3, 2, now, case.clone(), opinion),
        ],
    ))
    .await
    .unwrap();
    let store = county.core().store.clone();
    let landed = eventually(LIMIT, || {
        store
            .contains(&OpId {
                origin: d3.clone(),
                seq: 2,
            })
            .unwrap_or(false)
    })
    .await;
    assert!(landed, "D03's own opinion after the forged decision landed");
    let held = |origin: &NodeId| {
        store
            .contains(&OpId {
                origin: origin.clone(),
                seq: 1,
            })
            .unwrap()
    };
    assert!(
        !held(&d3),
        "a decision under another department's grant was stored"
    );
    let refused_d5 = eventually(LIMIT, || {
        county
            .core()
            .board
            .get(&d5)
            .is_some_and(|l| l.rejections.get("foreign-case") == Some(&1))
    })
    .await;
    assert!(
        refused_d5,
        "D05's decision on a case not routed to it is counted"
    );
    assert!(!held(&d5));
    let d3_link = county.core().board.get(&d3).expect("D03 link");
    assert_eq!(d3_link.rejections.get("decision-not-authorised"), Some(&1));
    let status = county.core().status().expect("status");
    let why: Vec<&str> = status
        .recent_rejections
        .iter()
        .map(|r| r.message.as_str())
        .collect();
    assert!(
        why.iter().any(|m| m.contains("belongs to department D05")),
        "{why:?}"
    );
}
