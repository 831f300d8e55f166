//! Tests of the session driver: the skew arithmetic, and the wake-up of a
//! session by its store (an operation committed as a session opens must
//! not wait for the next write to be sent).

use std::sync::Arc;
use std::time::Duration;

use liandong_model::{EncodedOp, EntityId, Hlc, NodeId, OpId, SystemClock};
use liandong_store::{Source, Store, StoreOptions};
use liandong_sync::board::LinkBoard;
use liandong_sync::message::{Hello, Message, PROTOCOL_VERSION};
use liandong_sync::session::SessionConfig;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::{run_session, skew_ms, FrameError, LinkContext, OUTGOING_CAPACITY};

#[test]
fn a_hostile_heartbeat_time_saturates_the_skew_instead_of_wrapping() {
    assert_eq!(skew_ms(u64::MAX, 1_000), i64::MAX);
    assert_eq!(skew_ms(1 << 63, 0), i64::MAX);
    assert_eq!(skew_ms(1 << 63, 1_000), i64::MAX - 999);
    assert_eq!(skew_ms(0, u64::MAX), i64::MIN);
    assert_eq!(skew_ms(1_500, 1_000), 500);
    assert_eq!(skew_ms(1_000, 1_500), -500);
}

/// An everyone-scope operation (a catalogue entry; its body is opaque to
/// the driver) written at the county.
fn catalogue_op(county: &NodeId) -> EncodedOp {
    EncodedOp::from_parts(
        OpId {
            origin: county.clone(),
            seq: 1,
        },
        Hlc {
            wall_ms: 1_000,
            logical: 0,
        },
        EntityId::Matter("M001".into()),
        vec![200, 1, 2, 3],
    )
}

/// The county's session with T01 reads its hello (its outbox head for T01)
/// on the blocking pool; an operation committed after that read and before
/// the session listens for store changes must still be sent at once. The
/// runtime has one thread and one blocking thread, so the order is fixed:
/// the session queues its hello read, the test queues the write behind it
/// and holds the runtime thread until both are done, and only then does
/// the session run on.
#[test]
fn an_operation_committed_while_a_session_reads_its_hello_is_sent_without_waiting_for_another_write(
) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .max_blocking_threads(1)
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let county = NodeId::county("HQ").unwrap();
        let town = NodeId::township("T01").unwrap();
        let store = Arc::new(Store::open(dir.path(), &county, &StoreOptions::default()).unwrap());
        let town_store = [7u8; 16];
        // Registered before the session, as after an earlier session: the
        // session's own registration then writes nothing.
        store.ensure_peer(&town, Some(town_store)).unwrap();
        let shutdown = CancellationToken::new();
        let ctx = LinkContext {
            store: store.clone(),
            board: LinkBoard::default(),
            clock: SystemClock::shared(),
            config: SessionConfig::default(),
            shutdown: shutdown.clone(),
            reporter: None,
        };
        let (_from_town, incoming) = mpsc::channel::<Result<Message, FrameError>>(16);
        let (outgoing, mut sent) = mpsc::channel(OUTGOING_CAPACITY);
        let town_hello = Hello {
            node: town.clone(),
            protocol_version: PROTOCOL_VERSION,
            store_id: town_store,
            outbox: [8u8; 16],
            outbox_head: 0,
            resume: Default::default(),
            version_vector: Default::default(),
        };
        let session = tokio::spawn(run_session(
            ctx,
            town,
            ReceiverStream::new(incoming),
            outgoing,
            Some(town_hello),
        ));
        // The session's first poll queues its hello read.
        tokio::task::yield_now().await;
        let writer = store.clone();
        let write = tokio::task::spawn_blocking(move || {
            writer.apply(
                Source::Local,
                vec![catalogue_op(&NodeId::county("HQ").unwrap())],
            )
        });
        std::thread::sleep(Duration::from_millis(500));
        assert_eq!(write.await.unwrap().unwrap().applied.len(), 1);

        let batch = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match sent.recv().await {
                    Some(Message::Batch(b)) => return Some(b),
                    Some(_) => continue,
                    None => return None,
                }
            }
        })
        .await;
        shutdown.cancel();
        let _ = session.await;
        let batch = batch
            .expect("the operation was not sent within 5 s (no later write woke the session)")
            .expect("the session ended without sending the operation");
        assert_eq!((batch.first_seq, batch.last_seq), (1, 1));
    });
}
