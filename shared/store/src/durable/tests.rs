//! Durability tests: large values' blob files are synced with the commit,
//! and a failed sync stops writes without moving anything.

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::super::{keys, Source, Store, StoreOptions};
use super::*;
use liandong_domain::{CaseEvent, EventKind, OpBody};
use liandong_model::{CaseId, Cursor, EncodedOp, EntityId, Hlc, NodeId, OpId, MAX_OP_BYTES};

fn town() -> NodeId {
    NodeId::township("T01").unwrap()
}

fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}

fn open(path: &Path, me: &NodeId) -> Store {
    crate::open_after_close(path, me, &StoreOptions::default()).unwrap()
}

fn case_id(store: &Store, i: u64) -> CaseId {
    CaseId::new("000000", store.me(), "20261126", i)
}

fn a_case(store: &Store, i: u64) -> Vec<(EntityId, OpBody)> {
    let case = EntityId::Case(case_id(store, i));
    vec![(case, OpBody::Case(CaseEvent::new(i, EventKind::Concluded)))]
}

/// A catalogue operation of exactly `size` encoded bytes (a body from a
/// newer build, which the store holds without folding).
fn op_of_size(origin: &NodeId, seq: u64, size: usize) -> EncodedOp {
    let make = |n: usize| {
        EncodedOp::from_parts(
            OpId {
                origin: origin.clone(),
                seq,
            },
            Hlc {
                wall_ms: 1_000 + seq,
                logical: 0,
            },
            EntityId::Matter(format!("M{seq}")),
            vec![200; n],
        )
    };
    let mut n = size - make(0).bytes.len();
    while make(n).bytes.len() > size {
        n -= 1;
    }
    let op = make(n);
    assert_eq!(op.bytes.len(), size);
    op
}

fn blob_files(dir: &Path) -> BTreeSet<PathBuf> {
    std::fs::read_dir(dir.join("blobs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect()
}

#[test]
fn an_operation_at_the_size_limit_has_its_blob_file_synced_and_reads_back_after_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &county());
    let big = op_of_size(&county(), 1, MAX_OP_BYTES);
    store.apply(Source::Local, vec![big.clone()]).unwrap();

    // sled wrote the value as a file of its own: the case this guards.
    let blobs = blob_files(dir.path());
    assert!(
        !blobs.is_empty(),
        "no blob file for a {MAX_OP_BYTES}-byte value"
    );
    let synced: BTreeSet<PathBuf> = store.durability.last_synced().into_iter().collect();
    assert!(synced.contains(&dir.path().join("db")));
    for blob in &blobs {
        assert!(synced.contains(blob), "{blob:?} not synced: {synced:?}");
    }

    // The next commit syncs only blob files it has not synced before.
    store
        .apply(Source::Local, vec![op_of_size(&county(), 2, 1_000)])
        .unwrap();
    let again: BTreeSet<PathBuf> = store.durability.last_synced().into_iter().collect();
    assert!(again.intersection(&blobs).next().is_none(), "{again:?}");
    drop(store);

    let store = open(dir.path(), &county());
    let stored = store.stored_op(&keys::op(big.id())).unwrap();
    assert_eq!(stored.bytes, big.bytes);
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[test]
fn a_failed_sync_moves_nothing_refuses_every_later_write_and_keeps_reads() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &town());
    store.ensure_peer(&county(), None).unwrap();
    for i in 0..2 {
        store.append_local(a_case(&store, i), i + 1).unwrap();
    }
    let state = store.lock().clone();
    let peer = store.peer(&county()).unwrap();
    let mut changes = store.subscribe();
    changes.borrow_and_update();
    assert!(store.read_only().is_none());

    store.inject_sync_failure_for_test();
    let err = store.append_local(a_case(&store, 2), 3).unwrap_err();
    assert!(err.is_read_only(), "{err:?}");
    assert!(
        matches!(err, StoreError::ReadOnly { since: 2, .. }),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("db"),
        "the error names the file: {err}"
    );

    // Nothing moved: the writer state, the published records, the feed head.
    let after = store.lock().clone();
    assert_eq!(
        (after.feed_head, after.next_local_seq, after.clock.last()),
        (state.feed_head, state.next_local_seq, state.clock.last())
    );
    assert_eq!(after.peers, state.peers);
    assert_eq!(store.peer(&county()).unwrap(), peer);
    assert_eq!(store.stats().unwrap().feed_head, 2);
    assert!(!changes.has_changed().unwrap(), "subscribers were woken");
    let chunk = store.read_outbox(&county(), 0, 100, usize::MAX).unwrap();
    assert_eq!((chunk.head, chunk.ops.len()), (2, 2));

    // Every later write is refused: clerk, peer batch, side writes.
    let refused = [
        store.append_local(a_case(&store, 3), 4).map(|_| ()),
        store.apply(Source::Local, vec![]).map(|_| ()),
        store
            .apply(
                Source::Peer {
                    node: county(),
                    cursor: Cursor {
                        incarnation: [1; 16],
                        seq: 1,
                    },
                },
                vec![op_of_size(&county(), 1, 200)],
            )
            .map(|_| ()),
        store
            .ensure_peer(&NodeId::township("T02").unwrap(), None)
            .map(|_| ()),
    ];
    for result in refused {
        let err = result.unwrap_err();
        assert!(
            matches!(&err, StoreError::ReadOnly { since: 2, cause, .. } if cause.contains("injected")),
            "{err:?}"
        );
    }
    assert!(store.read_only().is_some_and(|e| e.is_read_only()));

    // Reads go on.
    assert!(store
        .case(&case_id(&store, 0).to_string())
        .unwrap()
        .is_some());
    assert!(store.cases(None).unwrap().len() >= 2);
    assert!(store.stats().is_ok());
}

#[test]
fn a_store_reopened_after_a_failed_sync_holds_what_reached_the_disk_and_reuses_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), &town());
    for i in 0..2 {
        store.append_local(a_case(&store, i), i + 1).unwrap();
    }
    store.inject_sync_failure_for_test();
    store.append_local(a_case(&store, 2), 3).unwrap_err();
    let failed = OpId {
        origin: town(),
        seq: 3,
    };
    drop(store);

    let store = open(dir.path(), &town());
    assert!(store.read_only().is_none(), "a reopened store takes writes");
    let report = store.verify().unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    for seq in 1..=2 {
        let id = OpId {
            origin: town(),
            seq,
        };
        assert!(store.contains(&id).unwrap(), "acknowledged {id} lost");
    }
    // The failed batch reached the disk wholly or not at all (sled may
    // have written it after the failure), and numbering goes on past it.
    let held = store.contains(&failed).unwrap();
    let stats = store.stats().unwrap();
    assert_eq!(stats.feed_head, stats.ops_held);
    assert_eq!(stats.ops_held, if held { 3 } else { 2 });
    assert_eq!(
        store
            .case(&case_id(&store, 2).to_string())
            .unwrap()
            .is_some(),
        held
    );
    let next = store.append_local(a_case(&store, 3), 4).unwrap();
    assert_eq!(next.applied[0].seq, if held { 4 } else { 3 });
}
