//! Write path tests: what a batch writes, and what it leaves alone.

use super::super::{keys, new_incarnation, StoreOptions};
use super::*;
use liandong_domain::{Level, Matter, Staff, Stamp};
use liandong_model::Hlc;

fn store_of(dir: &std::path::Path, me: &NodeId) -> Store {
    Store::open(dir, me, &StoreOptions::default()).unwrap()
}

fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}

/// A catalogue operation written at the county.
fn matter_put(seq: u64) -> EncodedOp {
    let matter = Matter::basic("M001", "户籍证明", Level::Township, 5, 20, "公安局");
    Operation {
        id: OpId {
            origin: county(),
            seq,
        },
        hlc: Hlc {
            wall_ms: 1_000 + seq,
            logical: 0,
        },
        entity: EntityId::Matter("M001".into()),
        body: OpBody::MatterPut(matter),
    }
    .encode()
}

fn from_county(seq: u64) -> Source {
    Source::Peer {
        node: county(),
        cursor: Cursor {
            incarnation: [7; 16],
            seq,
        },
    }
}

#[test]
fn putting_an_unchanged_staff_record_again_rewrites_no_view() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), &county());
    let stamp = Stamp::new(
        Hlc::default(),
        OpId {
            origin: county(),
            seq: 1,
        },
    );
    let staff = Staff::new("S1", "李四", "民政局", stamp);
    let entity = EntityId::Staff("S1".into());
    let view_key = keys::view(&entity.key());
    let put = || vec![(entity.clone(), OpBody::StaffPut(staff.clone()))];

    let first = store.append_local(put(), 1).unwrap();
    assert!(store.last_commit_keys().contains(&view_key));
    let view = store.db.get(&view_key).unwrap();

    // A second operation carrying the same record merges to the same view.
    let second = store.append_local(put(), 2).unwrap();
    assert_eq!(second.applied.len(), 1);
    let written = store.last_commit_keys();
    assert!(
        !written.contains(&view_key),
        "the unchanged view was rewritten"
    );
    assert!(written.contains(&keys::digest(ALL_SCOPE)));
    assert_eq!(second.keys_written, first.keys_written - 1);
    assert_eq!(store.db.get(&view_key).unwrap(), view);
    assert_eq!(store.staff().unwrap(), vec![staff]);
}

#[test]
fn an_operation_this_build_cannot_fold_rewrites_no_catalogue_entry() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_of(dir.path(), &county());
    store.apply(Source::Local, vec![matter_put(1)]).unwrap();
    let entry = store.matter("M001").unwrap();
    assert!(entry.is_some());

    // A newer build's body on the same matter: held, but folds to nothing.
    let newer = EncodedOp::from_parts(
        OpId {
            origin: county(),
            seq: 2,
        },
        Hlc {
            wall_ms: 2_000,
            logical: 0,
        },
        EntityId::Matter("M001".into()),
        vec![200, 1, 2, 3],
    );
    let id = newer.id().clone();
    let report = store.apply(Source::Local, vec![newer]).unwrap();
    assert_eq!(report.applied, vec![id.clone()]);
    assert!(store.contains(&id).unwrap());
    let written = store.last_commit_keys();
    assert!(!written.contains(&keys::view("matter/M001")));
    assert_eq!(store.matter("M001").unwrap(), entry);
}

#[test]
fn reapplying_a_held_catalogue_op_rewrites_no_view_or_digest() {
    let dir = tempfile::tempdir().unwrap();
    let me = NodeId::township("T01").unwrap();
    let store = store_of(dir.path(), &me);
    store
        .ensure_peer(&county(), Some(new_incarnation()))
        .unwrap();
    let first = store.apply(from_county(1), vec![matter_put(1)]).unwrap();
    assert_eq!(first.applied.len(), 1);
    let digest = store.digest_all().unwrap();

    // The county sends it again (a cut link resent the batch).
    let again = store.apply(from_county(2), vec![matter_put(1)]).unwrap();
    assert_eq!((again.applied.len(), again.duplicates), (0, 1));
    assert_eq!(again.keys_written, 1);
    assert_eq!(store.last_commit_keys(), vec![keys::cursor(&county())]);
    assert_eq!(store.cursor(&county()).unwrap().seq, 2);
    assert_eq!(store.digest_all().unwrap(), digest);

    // Written here again (say, a restore's replay): nothing at all.
    let local = store.apply(Source::Local, vec![matter_put(1)]).unwrap();
    assert_eq!((local.duplicates, local.keys_written), (1, 0));
}

#[test]
fn a_received_operation_rewrites_no_local_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let me = NodeId::township("T01").unwrap();
    let store = store_of(dir.path(), &me);
    store
        .ensure_peer(&county(), Some(new_incarnation()))
        .unwrap();
    let report = store.apply(from_county(1), vec![matter_put(1)]).unwrap();
    let written = store.last_commit_keys();
    assert!(written.contains(&keys::META_FEED_HEAD.to_vec()));
    assert!(written.contains(&keys::META_HLC.to_vec()));
    assert!(!written.contains(&keys::META_LOCAL_SEQ.to_vec()));
    // The county's outbox for us does not grow with what it sent us.
    assert!(!written.contains(&keys::peer(&county())));
    assert_eq!(report.keys_written, written.len());

    // Our own numbering still starts at 1.
    let case = EntityId::Case(liandong_model::CaseId::new("000000", &me, "20261126", 1));
    let body = OpBody::Case(liandong_domain::CaseEvent::new(
        1,
        liandong_domain::EventKind::Concluded,
    ));
    let own = store.append_local(vec![(case, body)], 5_000).unwrap();
    assert_eq!(own.applied[0].seq, 1);
    assert!(store
        .last_commit_keys()
        .contains(&keys::META_LOCAL_SEQ.to_vec()));
}
