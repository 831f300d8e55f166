//! Reads for peers never run ahead of the disk: a reader running while a
//! commit is applied but not yet synced sees the state before it.

use std::sync::{mpsc, Arc};
use std::time::Duration;

use super::super::{Source, StoreOptions};
use super::*;
use liandong_domain::{CaseEvent, EventKind, OpBody};
use liandong_model::CaseId;

fn town() -> NodeId {
    NodeId::township("T01").unwrap()
}

fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}

fn a_case(store: &Store, i: u64) -> Vec<(EntityId, OpBody)> {
    let case = EntityId::Case(CaseId::new("000000", store.me(), "20261126", i));
    vec![(case, OpBody::Case(CaseEvent::new(i, EventKind::Concluded)))]
}

/// Holds the next commit between applying and syncing its batch: the first
/// receiver hears when it is applied, sending on the second lets it go on.
fn hold_next_commit(store: &Store) -> (mpsc::Receiver<()>, mpsc::Sender<()>) {
    let (applied_tx, applied_rx) = mpsc::channel();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    store.hold_next_commit_after_apply(move || {
        let _ = applied_tx.send(());
        let _ = release_rx.recv_timeout(Duration::from_secs(30));
    });
    (applied_rx, release_tx)
}

#[test]
fn an_outbox_read_during_a_commit_stops_at_the_published_durable_head() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap());
    for i in 0..3 {
        store.append_local(a_case(&store, i), i + 1).unwrap();
    }
    store.ensure_peer(&county(), None).unwrap();

    let (applied, release) = hold_next_commit(&store);
    let writer = {
        let store = store.clone();
        std::thread::spawn(move || store.append_local(a_case(&store, 3), 9).map(|_| ()))
    };
    applied.recv_timeout(Duration::from_secs(10)).unwrap();
    // The fourth case is in the tree (sled serves it) but not synced.
    assert!(store.db.get(keys::outbox(&county(), 4)).unwrap().is_some());
    let during = store.read_outbox(&county(), 0, 100, usize::MAX).unwrap();
    let from_three = store.read_outbox(&county(), 3, 100, usize::MAX).unwrap();
    let stats = store.stats().unwrap();
    release.send(()).unwrap();
    writer.join().unwrap().unwrap();

    let seqs: Vec<u64> = during.ops.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(during.head, 3);
    assert_eq!(seqs, vec![1, 2, 3], "read past the published head");
    assert!(from_three.ops.is_empty());
    assert_eq!(stats.feed_head, 3);

    // Once durable, the entry is published and read.
    let after = store.read_outbox(&county(), 0, 100, usize::MAX).unwrap();
    assert_eq!((after.head, after.ops.len()), (4, 4));
}

#[test]
fn a_cursor_committed_with_a_batch_is_ours_only_once_the_batch_is_durable() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap());
    store.ensure_peer(&county(), None).unwrap();
    let cursor = Cursor {
        incarnation: [7; 16],
        seq: 5,
    };

    let (applied, release) = hold_next_commit(&store);
    let writer = {
        let store = store.clone();
        let source = Source::Peer {
            node: county(),
            cursor,
        };
        std::thread::spawn(move || store.apply(source, vec![]).map(|_| ()))
    };
    applied.recv_timeout(Duration::from_secs(10)).unwrap();
    let during = store.cursor(&county()).unwrap();
    release.send(()).unwrap();
    writer.join().unwrap().unwrap();

    assert_eq!(
        during,
        Cursor::default(),
        "a cursor not yet durable was read"
    );
    assert_eq!(store.cursor(&county()).unwrap(), cursor);
    drop(store);
    // And it is read back from disk on open.
    let store = crate::open_after_close(dir.path(), &town(), &StoreOptions::default()).unwrap();
    assert_eq!(store.cursor(&county()).unwrap(), cursor);
}

#[test]
fn cases_come_back_in_case_number_order_each_with_all_its_events() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
    // `…-1000000` sorts before `…-999999` as text, though it is longer.
    for seq in [999_999, 1_000_000, 5] {
        store.append_local(a_case(&store, seq), 1).unwrap();
        store.append_local(a_case(&store, seq), 2).unwrap();
    }
    let cases = store.cases(None).unwrap();
    let ids: Vec<&str> = cases.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "000000-T01-20261126-000005",
            "000000-T01-20261126-1000000",
            "000000-T01-20261126-999999",
        ]
    );
    assert!(cases.iter().all(|c| c.record.len() == 2));
    let one = store.case("000000-T01-20261126-1000000").unwrap().unwrap();
    assert_eq!(one.record.len(), 2);
    assert!(store.case("000000-T01-20261126-10000").unwrap().is_none());
}
