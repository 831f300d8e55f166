//! Key layout tests: keys sort by sequence, parse back, never collide, and a
//! prefix scan for one peer, origin, entity or kind never reaches another's.

use std::collections::HashMap;

use proptest::prelude::*;

use super::*;
use liandong_model::Role;

fn town(name: &str) -> NodeId {
    NodeId::township(name).unwrap()
}

fn op_id(origin: &NodeId, seq: u64) -> OpId {
    OpId {
        origin: origin.clone(),
        seq,
    }
}

#[test]
fn outbox_keys_sort_by_sequence() {
    let p = town("T01");
    assert!(outbox(&p, 2) < outbox(&p, 256));
    assert_eq!(trailing_seq(&outbox(&p, 300)), Some(300));
    assert_eq!(leading_str(&outbox(&p, 1)), Some("township/T01"));
}

#[test]
fn a_string_component_is_its_u16_length_then_its_bytes() {
    let mut expected = vec![b'c', 0, 12];
    expected.extend_from_slice(b"township/T01");
    assert_eq!(cursor(&town("T01")), expected);
    assert_eq!(
        view("matter/M1"),
        [b"v\0\x06matter".as_slice(), b"\0\x02M1"].concat()
    );
}

#[test]
fn one_peer_prefix_does_not_cover_another() {
    let a = town("T1");
    let b = town("T10");
    assert!(!outbox(&b, 1).starts_with(&outbox_prefix(&a)));
    assert!(outbox(&a, 1).starts_with(&outbox_prefix(&a)));
}

#[test]
fn one_entity_prefix_does_not_cover_a_longer_id() {
    let op_key = op(&op_id(&town("T1"), 1));
    let longer = entity_index("matter/M1x", &op_key);
    assert!(!longer.starts_with(&entity_index_prefix("matter/M1")));
    assert!(entity_index("matter/M1", &op_key).starts_with(&entity_index_prefix("matter/M1")));
    assert!(!view("matter/M1x").starts_with(&view("matter/M1")));
}

#[test]
fn a_kind_prefix_covers_its_entities_and_no_other_kind() {
    assert!(view("matter/M1").starts_with(&view_prefix("matter")));
    assert!(!view("matters/M1").starts_with(&view_prefix("matter")));
    assert!(!view("matter/M1").starts_with(&view_prefix("matters")));
    let op_key = op(&op_id(&town("T1"), 1));
    let case = entity_index("case/1-T1-20261126-000001", &op_key);
    assert!(case.starts_with(&entity_index_kind_prefix("case")));
    assert!(!case.starts_with(&entity_index_kind_prefix("cas")));
}

#[test]
fn an_entity_key_splits_at_its_first_slash() {
    let key = view("revocation/township/T01");
    assert!(key.starts_with(&view_prefix("revocation")));
    assert_eq!(view_id(&key), Some("township/T01"));
    assert_eq!(view_id(&view("calendar/county")), Some("county"));
}

#[test]
fn an_entity_index_entry_gives_back_its_op_key() {
    let op_key = op(&op_id(&town("T01"), 7));
    let entry = entity_index("case/1-T01-20261126-000007", &op_key);
    assert_eq!(entity_index_op_key(&entry), Some(op_key.as_slice()));
    assert_eq!(op_name(&op_key), "township/T01#7");
    assert_eq!(
        entity_index_op_key(&entry).map(op_name),
        Some("township/T01#7".into())
    );
}

#[test]
fn a_string_past_the_u16_range_is_written_with_a_u64_length_and_read_back() {
    let long = "d".repeat(70_000);
    let key = digest(&long);
    assert_eq!(&key[1..3], &[0xff, 0xff]);
    assert_eq!(&key[3..11], &70_000u64.to_be_bytes());
    assert_eq!(leading_str(&key), Some(long.as_str()));
    let edge = "d".repeat(usize::from(u16::MAX));
    assert_eq!(leading_str(&digest(&edge)), Some(edge.as_str()));
    assert_ne!(digest(&edge), digest(&long));
}

#[test]
fn the_new_families_are_sequence_keys_under_their_own_prefix() {
    assert!(global_feed(2) < global_feed(256));
    assert!(global_feed(9).starts_with(GLOBAL_FEED_PREFIX));
    assert_eq!(rejection(9)[0], b'r');
    assert_eq!(trailing_seq(&rejection(41)), Some(41));
    assert_eq!(scope("matter/M1")[0], b's');
    assert!(!feed(9).starts_with(GLOBAL_FEED_PREFIX));
}

#[test]
fn every_family_has_its_own_first_byte() {
    let p = town("T01");
    let id = op_id(&p, 1);
    let keys = [
        META_FORMAT.to_vec(),
        op(&id),
        feed(1),
        outbox(&p, 1),
        entity_index("matter/M1", &op(&id)),
        view("matter/M1"),
        scope("matter/M1"),
        cursor(&p),
        peer(&p),
        digest("all"),
        origin_count(&p),
        global_feed(1),
        rejection(1),
    ];
    let mut firsts: Vec<u8> = keys.iter().map(|k| k[0]).collect();
    firsts.sort_unstable();
    firsts.dedup();
    assert_eq!(firsts.len(), keys.len());
}

#[test]
fn truncated_keys_do_not_parse() {
    assert_eq!(leading_str(b"c"), None);
    assert_eq!(leading_str(b"c\0"), None);
    assert_eq!(leading_str(b"c\0\x05ab"), None);
    assert_eq!(leading_str(b"c\xff\xff\0\0"), None);
    assert_eq!(view_id(b"v\0\x06matter"), None);
    assert_eq!(entity_index_op_key(b"i\0\x01a"), None);
    assert_eq!(op_name(b"o\0\x02T1\0"), "key \"o\\0\\u{2}T1\\0\"");
}

/// The components of one key of any family.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Parts {
    Op(NodeId, u64),
    Feed(u64),
    Outbox(NodeId, u64),
    Index(String, String, NodeId, u64),
    View(String, String),
    Scope(String, String),
    Cursor(NodeId),
    Peer(NodeId),
    Digest(String),
    Count(NodeId),
    GlobalFeed(u64),
    Rejection(u64),
}

impl Parts {
    fn key(&self) -> Vec<u8> {
        let entity = |kind: &str, id: &str| format!("{kind}/{id}");
        match self {
            Parts::Op(o, s) => op(&op_id(o, *s)),
            Parts::Feed(s) => feed(*s),
            Parts::Outbox(p, s) => outbox(p, *s),
            Parts::Index(k, i, o, s) => entity_index(&entity(k, i), &op(&op_id(o, *s))),
            Parts::View(k, i) => view(&entity(k, i)),
            Parts::Scope(k, i) => scope(&entity(k, i)),
            Parts::Cursor(p) => cursor(p),
            Parts::Peer(p) => peer(p),
            Parts::Digest(d) => digest(d),
            Parts::Count(p) => origin_count(p),
            Parts::GlobalFeed(s) => global_feed(*s),
            Parts::Rejection(s) => rejection(*s),
        }
    }
}

/// Names that are prefixes of each other, or arbitrary ones.
fn arb_node() -> impl Strategy<Value = NodeId> {
    let name = prop_oneof![
        prop::sample::select(vec!["T", "T1", "T10", "T100", "1", "HQ"]).prop_map(String::from),
        "[A-Za-z0-9_]{1,32}",
    ];
    let role = prop::sample::select(vec![Role::County, Role::Township, Role::Bridge]);
    (role, name).prop_map(|(role, name)| NodeId::new(role, &name).unwrap())
}

/// Kinds never hold `/` (an entity key splits at its first one). Mostly
/// from a few that run into each other and into the ids below (`a` + `bc`
/// and `ab` + `c`), so near misses are common.
fn arb_kind() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["matter", "matte", "m", "a", "ab"]).prop_map(String::from),
        1 => "[a-z]{1,16}",
    ]
}

fn arb_id() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["M1", "M1x", "", "/", "M1/x", "\0", "b", "bc", "c"])
            .prop_map(String::from),
        1 => "\\PC{0,40}",
        1 => any::<String>(),
    ]
}

fn arb_seq() -> impl Strategy<Value = u64> {
    prop_oneof![0u64..3, Just(255), Just(256), Just(u64::MAX), any::<u64>()]
}

fn arb_parts() -> impl Strategy<Value = Parts> {
    prop_oneof![
        (arb_node(), arb_seq()).prop_map(|(n, s)| Parts::Op(n, s)),
        arb_seq().prop_map(Parts::Feed),
        (arb_node(), arb_seq()).prop_map(|(n, s)| Parts::Outbox(n, s)),
        (arb_kind(), arb_id(), arb_node(), arb_seq())
            .prop_map(|(k, i, n, s)| Parts::Index(k, i, n, s)),
        (arb_kind(), arb_id()).prop_map(|(k, i)| Parts::View(k, i)),
        (arb_kind(), arb_id()).prop_map(|(k, i)| Parts::Scope(k, i)),
        arb_node().prop_map(Parts::Cursor),
        arb_node().prop_map(Parts::Peer),
        arb_id().prop_map(Parts::Digest),
        arb_node().prop_map(Parts::Count),
        arb_seq().prop_map(Parts::GlobalFeed),
        arb_seq().prop_map(Parts::Rejection),
    ]
}

proptest! {
    #[test]
    fn distinct_components_never_give_equal_keys(
        parts in prop::collection::vec(arb_parts(), 2..40)
    ) {
        let mut seen: HashMap<Vec<u8>, Parts> = HashMap::new();
        for p in parts {
            if let Some(earlier) = seen.insert(p.key(), p.clone()) {
                prop_assert_eq!(earlier, p);
            }
        }
    }

    #[test]
    fn moving_the_boundary_between_kind_and_id_changes_the_key(
        text in "[a-z\\x00]{2,12}", x in 1usize..12, y in 1usize..12
    ) {
        let (x, y) = (x.min(text.len()), y.min(text.len()));
        prop_assume!(x != y);
        let (k1, i1) = text.split_at(x);
        let (k2, i2) = text.split_at(y);
        let (e1, e2) = (format!("{k1}/{i1}"), format!("{k2}/{i2}"));
        prop_assert_ne!(view(&e1), view(&e2));
        prop_assert_ne!(scope(&e1), scope(&e2));
        let op_key = op(&op_id(&NodeId::township("T1").unwrap(), 1));
        prop_assert_ne!(entity_index(&e1, &op_key), entity_index(&e2, &op_key));
    }

    #[test]
    fn a_peer_prefix_scan_matches_only_that_peers_keys(
        a in arb_node(), b in arb_node(), seq in arb_seq()
    ) {
        let key = outbox(&a, seq);
        prop_assert!(key.starts_with(&outbox_prefix(&a)));
        prop_assert_eq!(leading_str(&key).map(String::from), Some(a.to_string()));
        prop_assert_eq!(trailing_seq(&key), Some(seq));
        if a != b {
            prop_assert!(!outbox(&b, seq).starts_with(&outbox_prefix(&a)));
            prop_assert!(!cursor(&b).starts_with(&cursor(&a)));
            prop_assert!(!origin_count(&b).starts_with(&origin_count(&a)));
            prop_assert!(!op(&op_id(&b, seq)).starts_with(&with_str(b'o', &a.to_string())));
        }
    }

    #[test]
    fn an_entity_prefix_scan_matches_only_that_entitys_keys(
        (k1, i1) in (arb_kind(), arb_id()),
        (k2, i2) in (arb_kind(), arb_id()),
        origin in arb_node(),
        seq in arb_seq(),
    ) {
        let (e1, e2) = (format!("{k1}/{i1}"), format!("{k2}/{i2}"));
        let op_key = op(&op_id(&origin, seq));
        let entry = entity_index(&e2, &op_key);
        prop_assert_eq!(entity_index_op_key(&entry), Some(op_key.as_slice()));
        let view_key = view(&e2);
        prop_assert_eq!(view_id(&view_key), Some(i2.as_str()));
        prop_assert!(view_key.starts_with(&view_prefix(&k2)));
        prop_assert!(entry.starts_with(&entity_index_kind_prefix(&k2)));
        if e1 != e2 {
            prop_assert!(!entry.starts_with(&entity_index_prefix(&e1)));
            prop_assert!(!view(&e2).starts_with(&view(&e1)));
        }
        if k1 != k2 {
            prop_assert!(!view(&e2).starts_with(&view_prefix(&k1)));
            prop_assert!(!entry.starts_with(&entity_index_kind_prefix(&k1)));
        }
    }

    #[test]
    fn parsing_any_bytes_as_a_key_never_panics(key in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = leading_str(&key);
        let _ = view_id(&key);
        let _ = entity_index_op_key(&key);
        let _ = trailing_seq(&key);
        let _ = op_name(&key);
    }
}
