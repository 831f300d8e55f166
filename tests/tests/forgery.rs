//! Forged operations over a real mutual-TLS stream, each refused by what
//! it says, counted per peer and reason, kept as a rejection record — and
//! followed by a good operation that does land, on the same stream.
//!
//! The peer is a raw client with a real certificate of the test CA (a
//! township's), sending what no honest node would.

use std::time::Duration;

use liandong_domain::{Applicant, CaseEvent, EventKind, Matter, OpBody, Operation, Rule, Stamp};
use liandong_domain::{Level, SupervisionId};
use liandong_model::{CaseId, EntityId, Hlc, NodeId, OpId, Personal};
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
            applicant: Applicant {
                name: Personal::new("张三".into()),
                id_number: Personal::new("410000199001011234".into()),
                phone: Personal::new(String::new()),
                address: Personal::new(String::new()),
            },
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
