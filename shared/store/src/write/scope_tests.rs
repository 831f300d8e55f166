//! Scope in the write path: growth delivers the whole case first, the
//! county registers a member it has not met, and a registration reads the
//! member's own rows.

use super::super::StoreOptions;
use super::*;
use liandong_domain::{CaseEvent, EventKind, Level, Matter};
use liandong_model::{CaseId, Cursor, Hlc, Role};

fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}

fn t01() -> NodeId {
    NodeId::township("T01").unwrap()
}

fn d03() -> NodeId {
    NodeId::new(Role::Bridge, "D03").unwrap()
}

fn case() -> EntityId {
    EntityId::Case(CaseId::new("000000", &t01(), "20261201", 1))
}

/// An operation of T01 on its case at `seq`, with `kind`.
fn t01_op(seq: u64, kind: EventKind) -> EncodedOp {
    Operation {
        id: OpId { origin: t01(), seq },
        hlc: Hlc {
            wall_ms: 1_000 + seq,
            logical: 0,
        },
        entity: case(),
        body: OpBody::Case(CaseEvent::new(1_000 + seq, kind)),
    }
    .encode()
}

fn from_t01(seq: u64) -> Source {
    Source::Peer {
        node: t01(),
        cursor: Cursor {
            incarnation: [1; 16],
            seq,
        },
    }
}

fn routed() -> EventKind {
    EventKind::RoutedToDepartment {
        department: "D03".into(),
        part: "site".into(),
        stage_limit_days: Some(3),
    }
}

/// The op ids in a peer's outbox, in order.
fn outbox_ids(store: &Store, peer: &NodeId) -> Vec<OpId> {
    let chunk = store.read_outbox(peer, 0, 10_000, usize::MAX).unwrap();
    chunk
        .ops
        .into_iter()
        .map(|(_, bytes)| EncodedOp::decode(bytes).unwrap().id().clone())
        .collect()
}

fn county_store(dir: &std::path::Path) -> Store {
    let store = Store::open(dir, &county(), &StoreOptions::default()).unwrap();
    store.ensure_peer(&t01(), None).unwrap();
    let matter = Matter::basic("M017", "联办事项", Level::County, 5, 20, "D01");
    store
        .append_local(
            vec![(EntityId::Matter("M017".into()), OpBody::MatterPut(matter))],
            1,
        )
        .unwrap();
    store
}

#[test]
fn routing_a_case_with_30_events_queues_all_30_for_the_new_member_before_the_routing_event() {
    let dir = tempfile::tempdir().unwrap();
    let store = county_store(dir.path());
    // 30 events in three batches, then the routing event, then a later one.
    for chunk in 0..3u64 {
        let ops = (1..=10)
            .map(|i| {
                t01_op(
                    chunk * 10 + i,
                    EventKind::CorrectionRequested { missing: vec![] },
                )
            })
            .collect();
        store.apply(from_t01(chunk * 10 + 10), ops).unwrap();
    }
    assert!(
        store.peer(&d03()).is_err(),
        "no outbox before the case is routed"
    );
    store
        .apply(from_t01(31), vec![t01_op(31, routed())])
        .unwrap();
    store
        .apply(from_t01(32), vec![t01_op(32, EventKind::Concluded)])
        .unwrap();

    let ids = outbox_ids(&store, &d03());
    // The catalogue first (everyone's scope), then the whole case in order.
    assert_eq!(ids[0].origin, county());
    let case_seqs: Vec<u64> = ids[1..].iter().map(|id| id.seq).collect();
    assert_eq!(case_seqs, (1..=32).collect::<Vec<_>>());
    assert_eq!(
        store
            .case_members(&CaseId::new("000000", &t01(), "20261201", 1).to_string())
            .unwrap(),
        [t01(), d03()].into()
    );
    // T01 sent them: its own outbox holds only the catalogue entry.
    assert_eq!(outbox_ids(&store, &t01()).len(), 1);
    assert!(store.verify().unwrap().ok());
}

#[test]
fn a_case_routed_within_the_batch_that_created_it_arrives_whole_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = county_store(dir.path());
    let ops = vec![
        t01_op(1, EventKind::Accepted { tolerated: None }),
        t01_op(2, routed()),
        t01_op(3, EventKind::Concluded),
    ];
    store.apply(from_t01(3), ops).unwrap();
    let ids = outbox_ids(&store, &d03());
    let seqs: Vec<u64> = ids[1..].iter().map(|id| id.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
}

#[test]
fn a_restored_member_is_refilled_from_its_own_rows_with_what_it_sent_itself() {
    let dir = tempfile::tempdir().unwrap();
    let store = county_store(dir.path());
    store
        .apply(
            from_t01(2),
            vec![
                t01_op(1, EventKind::Accepted { tolerated: None }),
                t01_op(2, routed()),
            ],
        )
        .unwrap();
    store.ensure_peer(&d03(), Some([3; 16])).unwrap();
    let before = outbox_ids(&store, &d03());
    // T01's store was restored: its new outbox holds its own case too.
    store.ensure_peer(&t01(), Some([5; 16])).unwrap();
    let (_, rebuilt) = store.ensure_peer(&t01(), Some([6; 16])).unwrap();
    assert!(rebuilt);
    let t01_seqs: Vec<u64> = outbox_ids(&store, &t01()).iter().map(|id| id.seq).collect();
    assert_eq!(t01_seqs.len(), 3, "catalogue + the two operations T01 sent");
    // The bridge's outbox is rebuilt to the same entries.
    let (_, rebuilt) = store.ensure_peer(&d03(), Some([4; 16])).unwrap();
    assert!(rebuilt);
    assert_eq!(outbox_ids(&store, &d03()), before);
    assert!(store.verify().unwrap().ok());
}

#[test]
fn a_refused_operation_is_not_stored_and_leaves_a_rejection_record() {
    let dir = tempfile::tempdir().unwrap();
    let store = county_store(dir.path());
    let forged = Operation {
        id: OpId {
            origin: t01(),
            seq: 1,
        },
        hlc: Hlc::default(),
        entity: EntityId::Calendar,
        body: OpBody::Case(CaseEvent::new(1, EventKind::Concluded)),
    }
    .encode();
    let good = t01_op(2, EventKind::Accepted { tolerated: None });
    let report = store.apply(from_t01(2), vec![forged, good]).unwrap();
    assert_eq!(report.applied.len(), 1);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].1.reason(), "county-only");
    let records = store.rejections(10).unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].peer, t01());
    assert_eq!(records[0].entity, "calendar/county");
    assert_eq!(store.rejection_count().unwrap(), 1);
    assert_eq!(store.cursor(&t01()).unwrap().seq, 2);
}
