//! The supervision pass's rows and marks: every accepted case operation
//! marks its case, a registry change moves the epoch, and a mark written
//! during a pass survives the pass's commit.

use std::collections::BTreeMap;

use super::super::StoreOptions;
use super::*;
use liandong_domain::{CaseEvent, EventKind, Level, Matter, OpBody};
use liandong_model::{CaseId, EntityId, NodeId};

fn town() -> NodeId {
    NodeId::township("T01").unwrap()
}

fn case_id(store: &Store, i: u64) -> CaseId {
    CaseId::new("000000", store.me(), "20261126", i)
}

fn event_on(store: &Store, i: u64) -> Vec<(EntityId, OpBody)> {
    let case = EntityId::Case(case_id(store, i));
    vec![(case, OpBody::Case(CaseEvent::new(i, EventKind::Concluded)))]
}

fn marked(store: &Store) -> Vec<String> {
    let plan = store.check_plan().unwrap();
    plan.touched.into_iter().map(|(c, _)| c).collect()
}

#[test]
fn every_case_a_batch_writes_to_is_marked_touched_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
    let mut items = event_on(&store, 1);
    items.extend(event_on(&store, 2));
    items.extend(event_on(&store, 1));
    store.append_local(items, 10).unwrap();
    let mut expected = vec![
        case_id(&store, 1).to_string(),
        case_id(&store, 2).to_string(),
    ];
    expected.sort();
    assert_eq!(marked(&store), expected);
}

#[test]
fn a_catalogue_change_moves_the_registry_epoch_and_a_case_event_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
    let fresh = store.check_plan().unwrap();
    assert_eq!(fresh.registry_epoch, 0);
    assert!(fresh.full(), "a store never checked is checked in full");
    store.append_local(event_on(&store, 1), 10).unwrap();
    assert_eq!(store.check_plan().unwrap().registry_epoch, 0);
    let matter = Matter::basic("M001", "户籍证明", Level::Township, 5, 20, "公安局");
    store
        .append_local(
            vec![(EntityId::Matter("M001".into()), OpBody::MatterPut(matter))],
            11,
        )
        .unwrap();
    assert_eq!(store.check_plan().unwrap().registry_epoch, 1);
}

#[test]
fn a_case_touched_during_a_pass_stays_marked_and_the_others_are_cleared() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
    let mut items = event_on(&store, 1);
    items.extend(event_on(&store, 2));
    store.append_local(items, 10).unwrap();
    let plan = store.check_plan().unwrap();
    // Case 2 gets another event after the pass read its plan.
    store.append_local(event_on(&store, 2), 11).unwrap();
    let mut rows = BTreeMap::new();
    rows.insert(
        case_id(&store, 1).to_string(),
        Some(CheckRow {
            day: 20_000,
            red: true,
            ..CheckRow::default()
        }),
    );
    store
        .record_checks(&plan.touched, rows, Some(plan.registry_epoch))
        .unwrap();
    let after = store.check_plan().unwrap();
    assert_eq!(
        after
            .touched
            .iter()
            .map(|(c, _)| c.clone())
            .collect::<Vec<_>>(),
        vec![case_id(&store, 2).to_string()]
    );
    assert!(!after.full());
    assert_eq!(after.rows.len(), 1);
    assert!(after.rows[0].1.red);
}

#[test]
fn recording_the_same_findings_again_writes_nothing_and_none_removes_a_row() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
    let case = case_id(&store, 1).to_string();
    let row = CheckRow {
        day: 20_000,
        items: 2,
        ..CheckRow::default()
    };
    let one = |r: Option<CheckRow>| BTreeMap::from([(case.clone(), r)]);
    assert_eq!(
        store.record_checks(&[], one(Some(row)), Some(0)).unwrap(),
        2
    );
    assert_eq!(
        store.record_checks(&[], one(Some(row)), Some(0)).unwrap(),
        0
    );
    assert_eq!(store.record_checks(&[], one(None), None).unwrap(), 1);
    assert!(store.check_rows().unwrap().is_empty());
}

#[test]
fn each_case_visits_the_cases_the_full_read_returns() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), &town(), &StoreOptions::default()).unwrap();
    for i in 1..=12 {
        store.append_local(event_on(&store, i), 10 + i).unwrap();
    }
    let mut seen = Vec::new();
    store
        .each_case(|c| {
            seen.push(c);
            Ok::<(), StoreError>(())
        })
        .unwrap();
    seen.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    assert_eq!(seen, store.cases(None).unwrap());
}
