#![no_main]
//! Operation decoding (`EncodedOp::decode`, the header of
//! `liandong_model::op::wire`, then the body, `DecodeBody`) on arbitrary
//! bytes, and what a receiver does next with a decoded operation: its
//! store keys, its scope growth and the authority table.
//!
//! Properties: nothing panics; a decoded header holds only strings that
//! can be part of a store key (its entity validates, its keys parse back
//! to its origin, sequence and entity id); an operation whose body also
//! decodes, re-encoded, decodes to the same header and body; the authority
//! table answers for every sender without panicking.

use std::collections::BTreeSet;

use liandong_domain::authority::{authorise, scope_growth, Holdings};
use liandong_domain::{Authorisation, DecodeBody, Operation};
use liandong_fuzz::fixtures::{authorisations, node, writers};
use liandong_model::{EncodedOp, EntityId, NodeId, Role};
use liandong_store::keys;
use libfuzzer_sys::fuzz_target;

/// A receiver holding the fixture authorisations and a case scope that
/// takes in the bridge of D01 and township T02.
struct Held {
    auths: Vec<Authorisation>,
}

impl Holdings for Held {
    fn members(&self, _case: &EntityId) -> BTreeSet<NodeId> {
        [node(Role::Bridge, "D01"), node(Role::Township, "T02")].into()
    }
    fn case_matter(&self, _case: &EntityId) -> Option<String> {
        Some("M001".into())
    }
    fn authorisation(&self, id: &str) -> Option<Authorisation> {
        self.auths.iter().find(|a| a.id == id).cloned()
    }
    fn staff_department(&self, staff: &str) -> Option<String> {
        (staff == "S01").then(|| "D01".into())
    }
}

fn keys_parse_back(op: &EncodedOp) {
    let id = op.id();
    let op_key = keys::op(id);
    let origin = id.origin.to_string();
    assert_eq!(keys::leading_str(&op_key), Some(origin.as_str()));
    assert_eq!(keys::trailing_seq(&op_key), Some(id.seq));
    assert_eq!(keys::op_name(&op_key), format!("{origin}#{}", id.seq));
    let entity = op.entity().key();
    let (_, entity_id) = entity.split_once('/').unwrap_or((&entity, ""));
    assert_eq!(keys::view_id(&keys::view(&entity)), Some(entity_id));
    let entry = keys::entity_index(&entity, &op_key);
    assert_eq!(keys::entity_index_op_key(&entry), Some(op_key.as_slice()));
    assert!(entry.starts_with(&keys::entity_index_prefix(&entity)));
    let member = &id.origin;
    assert_eq!(
        keys::member_entity(member, &keys::member(member, &entity)),
        Some(entity.as_str())
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok(op) = EncodedOp::decode(data.to_vec()) else {
        return;
    };
    if let Err(e) = op.entity().validate() {
        panic!("a decoded operation's entity does not validate: {e}");
    }
    keys_parse_back(&op);
    let body = op.body().ok();
    let held = Held {
        auths: authorisations(),
    };
    for sender in writers() {
        let _ = authorise(&sender, op.id(), op.entity(), body.as_ref(), &held);
    }
    let Some(body) = body else {
        return;
    };
    let _ = scope_growth(op.entity(), &body);
    let again = Operation {
        id: op.id().clone(),
        hlc: op.envelope.hlc,
        entity: op.entity().clone(),
        body: body.clone(),
    }
    .encode();
    let back = EncodedOp::decode(again.bytes).expect("a re-encoded operation decodes");
    assert_eq!(back.id(), op.id());
    assert_eq!(back.envelope.hlc, op.envelope.hlc);
    assert_eq!(back.entity(), op.entity());
    assert_eq!(back.body().ok(), Some(body), "the body round-trips");
});
