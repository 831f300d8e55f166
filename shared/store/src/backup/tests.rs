//! Backup and restore tests: a sound backup restores whole; a damaged,
//! truncated or foreign one leaves the target exactly as it was.

use std::io::Cursor;

use super::*;
use crate::StoreOptions;
use liandong_domain::OpBody;
use liandong_domain::{CaseEvent, EventKind};
use liandong_model::{CaseId, EntityId, NodeId};

fn town(name: &str) -> NodeId {
    NodeId::township(name).unwrap()
}

fn open(path: &std::path::Path, me: &NodeId) -> Store {
    crate::open_after_close(path, me, &StoreOptions::default()).unwrap()
}

fn accepted(store: &Store, n: u64) {
    let me = store.me().clone();
    for i in 0..n {
        let case = EntityId::Case(CaseId::new("000000", &me, "20261126", i));
        store
            .append_local(
                vec![(case, OpBody::Case(CaseEvent::new(i, EventKind::Concluded)))],
                i,
            )
            .unwrap();
    }
}

fn backup_of(store: &Store) -> Vec<u8> {
    let mut file = Vec::new();
    store.backup(&mut file).unwrap();
    file
}

/// Every key and value of the tree.
fn snapshot(store: &Store) -> Vec<(Vec<u8>, Vec<u8>)> {
    store
        .db
        .iter()
        .map(|kv| {
            let (k, v) = kv.unwrap();
            (k.to_vec(), v.to_vec())
        })
        .collect()
}

fn a_new_matter(store: &Store) -> u64 {
    let report = store
        .append_local(
            vec![(
                EntityId::Matter("x".into()),
                OpBody::Case(CaseEvent::new(0, EventKind::Concluded)),
            )],
            1,
        )
        .unwrap();
    report.applied[0].seq
}

#[test]
fn a_restored_store_holds_the_same_operations_and_numbers_new_ones_past_an_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let me = town("T01");
    let src = open(&dir.path().join("a"), &me);
    accepted(&src, 20);
    let file = backup_of(&src);

    let dst = open(&dir.path().join("b"), &me);
    let restored = dst.restore(Cursor::new(&file), 7).unwrap();
    assert_eq!(restored.operations, 20);
    assert_eq!(restored.bytes, file.len() as u64);
    assert_eq!(dst.digest_all().unwrap(), src.digest_all().unwrap());
    assert_ne!(dst.store_id(), src.store_id());
    assert_eq!(a_new_matter(&dst), RESTORE_SEQ_EPOCH + 1);
}

#[test]
fn a_restore_epoch_is_committed_and_synced_through_the_write_path_before_any_operation() {
    let dir = tempfile::tempdir().unwrap();
    let me = town("T01");
    let src = open(&dir.path().join("a"), &me);
    accepted(&src, 20);
    let file = backup_of(&src);

    let path = dir.path().join("b");
    let dst = open(&path, &me);
    let commits = dst.commits();
    // The first commit of the restore (the epoch) is held: nothing else is
    // in the tree yet.
    let (seen_tx, seen_rx) = std::sync::mpsc::channel();
    let db = dst.db.clone();
    dst.hold_next_commit_after_apply(move || {
        let ops = db.scan_prefix([b'o']).count();
        let epoch = db.get(keys::META_LOCAL_SEQ).unwrap().map(|v| v.to_vec());
        seen_tx.send((ops, epoch)).unwrap();
    });
    dst.restore(Cursor::new(&file), 7).unwrap();
    let (ops, epoch) = seen_rx.recv().unwrap();
    assert_eq!(ops, 0, "operations applied before the epoch");
    assert_eq!(epoch, Some(encode(&RESTORE_SEQ_EPOCH)));
    // The epoch, then chunks of 7, 7 and 6 operations: four commits.
    assert_eq!(dst.commits(), commits + 4);
    drop(dst);

    // Reopened, the store still numbers past the epoch.
    let dst = open(&path, &me);
    assert_eq!(a_new_matter(&dst), RESTORE_SEQ_EPOCH + 1);
}

#[test]
fn a_truncated_backup_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let me = town("T01");
    let src = open(&dir.path().join("a"), &me);
    accepted(&src, 10);
    let file = backup_of(&src);
    let dst = open(&dir.path().join("b"), &me);
    let before = snapshot(&dst);
    let digest = dst.digest_all().unwrap();
    let commits = dst.commits();

    // Cut inside the checksum, at a record boundary, inside a record.
    let first_record = file.iter().position(|&b| b == b'\n').unwrap() + 1;
    for cut in [file.len() - 10, file.len() - 36, first_record + 20] {
        let err = dst.restore(Cursor::new(&file[..cut]), 3).unwrap_err();
        assert!(
            matches!(err, StoreError::RestoreRefused { .. }),
            "{cut}: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.contains("truncated") && text.contains("not changed"),
            "{text}"
        );
        assert_eq!(snapshot(&dst), before, "the target changed ({cut})");
        assert_eq!(dst.digest_all().unwrap(), digest);
        assert_eq!(dst.stats().unwrap().ops_held, 0);
        assert_eq!(dst.commits(), commits, "a commit was made ({cut})");
    }
    // Refused without numbering past an epoch: the store is as new.
    assert_eq!(a_new_matter(&dst), 1);
}

#[test]
fn a_backup_of_another_township_is_refused_naming_both_and_the_target_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let src = open(&dir.path().join("t02"), &town("T02"));
    accepted(&src, 4);
    let file = backup_of(&src);
    let dst = open(&dir.path().join("t01"), &town("T01"));
    let before = snapshot(&dst);

    let err = dst.restore(Cursor::new(&file), 3).unwrap_err();
    assert!(matches!(err, StoreError::ForeignBackup { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("township/T02") && text.contains("township/T01"),
        "{text}"
    );
    assert_eq!(snapshot(&dst), before);
    assert_eq!(dst.stats().unwrap().ops_held, 0);
}

#[test]
fn a_damaged_backup_is_refused_and_an_occupied_store_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let me = town("T01");
    let src = open(&dir.path().join("a"), &me);
    accepted(&src, 5);
    let mut file = backup_of(&src);
    let mid = file.len() / 2;
    file[mid] ^= 0xff;
    let dst = open(&dir.path().join("b"), &me);
    let before = snapshot(&dst);
    assert!(matches!(
        dst.restore(Cursor::new(&file), 100),
        Err(StoreError::RestoreRefused { .. })
    ));
    assert_eq!(snapshot(&dst), before);

    let good = backup_of(&src);
    let before = snapshot(&src);
    assert!(
        matches!(
            src.restore(Cursor::new(&good), 100),
            Err(StoreError::RestoreRefused { .. })
        ),
        "restore into a non-empty store"
    );
    assert_eq!(snapshot(&src), before);

    // Bytes after the checksum are damage too.
    let mut longer = good.clone();
    longer.push(0);
    let err = dst.restore(Cursor::new(&longer), 100).unwrap_err();
    assert!(err.to_string().contains("follow its checksum"), "{err}");
}

#[test]
fn a_restore_rebuilds_every_row_but_the_meta_rows_as_the_source_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let me = town("T01");
    let src = open(&dir.path().join("a"), &me);
    accepted(&src, 5);
    a_new_matter(&src);
    let file = backup_of(&src);

    let dst = open(&dir.path().join("b"), &me);
    dst.restore(Cursor::new(&file), 2).unwrap();
    // Meta rows differ by design (store id, numbering epoch); every other
    // row (operations, feed, entity index, views, digest, counts) is
    // rebuilt from the operations alone (scope members and their reverse
    // index, the everyone-scope feed and the touched marks included).
    let rows = |s: &Store| -> Vec<(Vec<u8>, Vec<u8>)> {
        snapshot(s)
            .into_iter()
            .filter(|(k, _)| k[0] != b'm')
            .collect()
    };
    let families: std::collections::BTreeSet<u8> = rows(&src).iter().map(|(k, _)| k[0]).collect();
    assert_eq!(families, b"defginostv".iter().copied().collect());
    assert_eq!(rows(&dst), rows(&src));
    assert_eq!(dst.stats().unwrap().cases, 5);
}
