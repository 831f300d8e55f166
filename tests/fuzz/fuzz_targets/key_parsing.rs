#![no_main]
//! Key parsing: node ids (`ROLE/NAME`, `liandong://` URIs and their
//! postcard form), case numbers (`CaseId::parse` and their postcard form),
//! entity ids, and the store's key layout (`liandong_store::keys`).
//!
//! Properties: nothing panics on any text or bytes; what parses prints
//! back to the same text and parses again to the same value; a decoded
//! node id or case number is valid by construction; store keys built from
//! valid components parse back to them, never collide for distinct
//! components, and a prefix scan of one component never covers another's.

use arbitrary::Arbitrary;
use liandong_model::{CaseId, EntityId, NodeId, OpId, Role, MAX_CASE_ID_BYTES};
use liandong_store::keys;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    /// Parsed as a node id, a URI and a case number.
    text: String,
    /// Read as a store key and as postcard.
    raw: Vec<u8>,
    /// A second node and case number, for collisions.
    role: u8,
    name: String,
    other_name: String,
    seq: u64,
    other_seq: u64,
    /// Entity keys, `kind/id`.
    entity: String,
    other_entity: String,
}

fn role(i: u8) -> Role {
    [Role::County, Role::Township, Role::Bridge][usize::from(i) % 3]
}

fn text_forms(text: &str, origin: &NodeId) {
    if let Ok(id) = text.parse::<NodeId>() {
        assert_eq!(id.to_string(), text, "a node id prints as parsed");
        assert_eq!(NodeId::from_uri(&id.uri()), Ok(id.clone()));
    }
    if let Ok(id) = NodeId::from_uri(text) {
        assert_eq!(id.uri(), text, "a URI prints as parsed");
    }
    if let Ok(case) = CaseId::parse(text, origin) {
        assert!(case.as_str().len() <= MAX_CASE_ID_BYTES);
        assert_eq!(case.to_string(), text);
        assert_eq!(case.origin(), origin);
        let entity = EntityId::Case(case.clone());
        assert!(entity.validate().is_ok(), "a parsed case id validates");
        let bytes = postcard::to_stdvec(&case).expect("a case id encodes");
        assert_eq!(postcard::from_bytes::<CaseId>(&bytes).ok(), Some(case));
    }
}

fn decoded_forms(raw: &[u8]) {
    if let Ok(id) = postcard::from_bytes::<NodeId>(raw) {
        assert_eq!(NodeId::new(id.role(), id.name()), Ok(id.clone()));
    }
    if let Ok(case) = postcard::from_bytes::<CaseId>(raw) {
        assert_eq!(
            CaseId::parse(case.as_str(), case.origin()),
            Ok(case.clone())
        );
    }
    if let Ok(op) = postcard::from_bytes::<OpId>(raw) {
        let key = keys::op(&op);
        assert_eq!(keys::op_name(&key), op.to_string());
    }
    if let Ok(entity) = postcard::from_bytes::<EntityId>(raw) {
        let _ = entity.validate();
        let _ = keys::view(&entity.key());
    }
    // Any bytes as any key: readers return None, never panic.
    let _ = keys::entity_index_op_key(raw);
    let _ = keys::view_id(raw);
    let _ = keys::leading_str(raw);
    let _ = keys::trailing_seq(raw);
    let _ = keys::op_name(raw);
}

/// Keys of one node: its outbox, cursor, peer and origin-count keys.
fn node_keys(node: &NodeId, seq: u64) -> Vec<Vec<u8>> {
    vec![
        keys::outbox(node, seq),
        keys::cursor(node),
        keys::peer(node),
        keys::origin_count(node),
        keys::op(&OpId {
            origin: node.clone(),
            seq,
        }),
    ]
}

fn node_layout(a: &NodeId, b: &NodeId, seq: u64, other_seq: u64) {
    let text = a.to_string();
    for key in node_keys(a, seq) {
        assert_eq!(keys::leading_str(&key), Some(text.as_str()), "{key:?}");
    }
    assert_eq!(keys::trailing_seq(&keys::outbox(a, seq)), Some(seq));
    assert!(keys::outbox(a, seq).starts_with(&keys::outbox_prefix(a)));
    if a != b {
        assert!(!keys::outbox(b, other_seq).starts_with(&keys::outbox_prefix(a)));
        assert!(!keys::member(b, "case/x").starts_with(&keys::member_prefix(a)));
        for (x, y) in node_keys(a, seq).iter().zip(node_keys(b, other_seq)) {
            assert_ne!(x, &y, "distinct nodes share a key");
        }
    } else if seq != other_seq {
        assert_ne!(keys::outbox(a, seq), keys::outbox(a, other_seq));
    }
}

fn entity_layout(entity: &str, other: &str, node: &NodeId) {
    let (kind, id) = entity.split_once('/').unwrap_or((entity, ""));
    let view = keys::view(entity);
    assert!(view.starts_with(&keys::view_prefix(kind)));
    assert_eq!(keys::view_id(&view), Some(id));
    let op_key = keys::op(&OpId {
        origin: node.clone(),
        seq: 1,
    });
    let entry = keys::entity_index(entity, &op_key);
    assert_eq!(keys::entity_index_op_key(&entry), Some(op_key.as_slice()));
    assert!(entry.starts_with(&keys::entity_index_kind_prefix(kind)));
    let member = keys::member(node, entity);
    if entity.len() < usize::from(u16::MAX) {
        assert_eq!(keys::member_entity(node, &member), Some(entity));
    }
    if entity != other {
        let split = |e: &str| {
            e.split_once('/')
                .map_or((e.to_string(), String::new()), |(k, i)| {
                    (k.into(), i.into())
                })
        };
        if split(entity) != split(other) {
            assert_ne!(
                view,
                keys::view(other),
                "distinct entities share a view key"
            );
            assert_ne!(keys::scope(entity), keys::scope(other));
            assert!(
                !keys::entity_index(other, &op_key).starts_with(&keys::entity_index_prefix(entity))
            );
        }
        assert_ne!(member, keys::member(node, other));
    }
}

fuzz_target!(|input: Input| {
    let origin = NodeId::new(role(input.role), &input.name)
        .unwrap_or_else(|_| NodeId::new(Role::Township, "T01").expect("a valid fixture"));
    text_forms(&input.text, &origin);
    decoded_forms(&input.raw);
    if let Ok(other) = NodeId::new(role(input.role.wrapping_add(1)), &input.other_name) {
        node_layout(&origin, &other, input.seq, input.other_seq);
        node_layout(&origin, &origin, input.seq, input.other_seq);
    }
    entity_layout(&input.entity, &input.other_entity, &origin);
});
