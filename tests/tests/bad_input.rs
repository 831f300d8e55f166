//! Bad input from the network: a peer with a valid certificate sends
//! malformed frames, oversized messages and operations it may not author.
//! Each gets a gRPC status or a counted rejection; none panics, and the
//! link's good data still lands.

use std::time::Duration;

use liandong_domain::{Applicant, CaseEvent, EventKind, Stamp};
use liandong_domain::{OpBody, Operation};
use liandong_model::{CaseId, EntityId, Hlc, NodeId, OpId};
use liandong_net::rpc::pb;
use liandong_sync::Message;
use tests::raw::{self, batch};
use tests::{eventually, township_id, Net};
use tokio::sync::mpsc;

fn case_op(author: &NodeId, owner: &NodeId, seq: u64) -> Vec<u8> {
    Operation {
        id: OpId {
            origin: author.clone(),
            seq,
        },
        hlc: Hlc {
            wall_ms: seq,
            logical: 0,
        },
        entity: EntityId::Case(CaseId::new("000000", owner, "20261126", seq)),
        body: OpBody::Case(CaseEvent::new(
            1,
            EventKind::Submitted {
                matter: "M001".into(),
                matter_version: Stamp {
                    hlc: Hlc::default(),
                    op: OpId {
                        origin: author.clone(),
                        seq: 0,
                    },
                },
                applicant: Applicant::resident("张三", "410000199001011236", "", ""),
                materials: vec![],
            },
        )),
    }
    .encode()
    .bytes
}

/// A replication stream opened as township T01, its hello sent.
async fn open_stream(
    net: &Net,
    port: u16,
) -> (mpsc::Sender<pb::SyncFrame>, tonic::Streaming<pb::SyncFrame>) {
    open_stream_as_store(net, port, [7; 16]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_frames_and_foreign_operations_are_counted_and_the_good_operations_land() {
    let net = Net::new();
    let county = net.county(0).await;
    let (tx, mut inbound) = open_stream(&net, county.port()).await;

    let t1 = township_id("T01");
    let t2 = township_id("T02");
    // An empty frame (unknown kind), then one batch mixing a good operation,
    // garbage bytes and an operation authored as another township.
    tx.send(pb::SyncFrame { kind: None }).await.unwrap();
    tx.send(batch(
        1,
        1,
        vec![case_op(&t1, &t1, 1), vec![1, 2, 3], case_op(&t2, &t2, 1)],
    ))
    .await
    .unwrap();
    // A good batch afterwards still lands.
    tx.send(batch(2, 4, vec![case_op(&t1, &t1, 2)]))
        .await
        .unwrap();

    let store = county.core().store.clone();
    let landed = eventually(Duration::from_secs(30), || {
        store
            .contains(&OpId {
                origin: t1.clone(),
                seq: 2,
            })
            .unwrap_or(false)
    })
    .await;
    assert!(
        landed,
        "the good operations after the bad input reached the county"
    );
    assert!(store
        .contains(&OpId {
            origin: t1.clone(),
            seq: 1
        })
        .unwrap());
    assert!(!store
        .contains(&OpId {
            origin: t2.clone(),
            seq: 1
        })
        .unwrap());
    let link = county.core().board.get(&t1).expect("link state");
    assert_eq!(link.rejections.get("malformed-frame"), Some(&1));
    assert_eq!(link.rejections.get("malformed"), Some(&1));
    assert_eq!(link.rejections.get("not-origin"), Some(&1));
    // The county acknowledged both batches (the cursor moved past the bad ops).
    let mut acks = 0;
    while acks < 2 {
        let frame = tokio::time::timeout(Duration::from_secs(10), inbound.message())
            .await
            .expect("county answers")
            .expect("stream healthy")
            .expect("frame");
        if let Ok(Message::Ack(a)) = Message::try_from(frame) {
            acks += 1;
            assert_eq!(a.batch_id, acks);
        }
    }
    assert_eq!(store.cursor(&t1).unwrap().seq, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_message_ends_the_stream_with_resource_exhausted() {
    let net = Net::new();
    let county = net.county(0).await;
    let (tx, mut inbound) = open_stream(&net, county.port()).await;
    tx.send(batch(1, 1, vec![vec![0u8; 2 * 1024 * 1024]]))
        .await
        .unwrap();
    let status = loop {
        match tokio::time::timeout(Duration::from_secs(10), inbound.message()).await {
            Ok(Ok(Some(_))) => continue,
            Ok(Ok(None)) => panic!("stream ended without a status"),
            Ok(Err(status)) => break status,
            Err(_) => panic!("no answer to an oversized message"),
        }
    };
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    // The county is still serving: a normal township converges afterwards.
    let town = net.township("T02", county.port(), None).await;
    tests::accept_cases(town.core(), 3);
    assert!(
        eventually(Duration::from_secs(30), || tests::in_sync(
            county.core(),
            town.core()
        ))
        .await,
        "county keeps serving after refusing an oversized message"
    );
}

/// A replication stream opened as township T01 with this store id.
async fn open_stream_as_store(
    net: &Net,
    port: u16,
    store_id: [u8; 16],
) -> (mpsc::Sender<pb::SyncFrame>, tonic::Streaming<pb::SyncFrame>) {
    raw::open(net, &township_id("T01"), port, store_id).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_presenting_a_new_store_id_in_every_hello_gets_one_refill_then_is_refused() {
    let net = Net::new();
    let county = net.county(0).await;
    let t1 = township_id("T01");
    let store = county.core().store.clone();
    let known = |id: [u8; 16]| {
        let store = store.clone();
        let t1 = t1.clone();
        move || store.peer(&t1).is_ok_and(|r| r.store_id == Some(id))
    };

    let (first_tx, _first) = open_stream_as_store(&net, county.port(), [7; 16]).await;
    assert!(eventually(Duration::from_secs(30), known([7; 16])).await);
    drop(first_tx);
    // A restored township: a new store id, one refill.
    let (second_tx, _second) = open_stream_as_store(&net, county.port(), [8; 16]).await;
    assert!(
        eventually(Duration::from_secs(30), known([8; 16])).await,
        "the first change of store id was not served"
    );
    drop(second_tx);
    // Again at once: refused without a refill.
    let (_third_tx, mut third) = open_stream_as_store(&net, county.port(), [9; 16]).await;
    let end = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            match third.message().await {
                Ok(Some(_)) => continue,
                Ok(None) => return None,
                Err(status) => return Some(status),
            }
        }
    })
    .await
    .expect("the county answers");
    let status = end.expect("the county ended the stream with a status");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    assert!(status.message().contains("store id"), "{status:?}");
    assert!(
        known([8; 16])(),
        "the county refilled the outbox for a second change within the interval"
    );
}
