//! Decoding tests: every entity variant reads back through the wire
//! header, and each kind of bad key string is refused by name.

use super::*;
use crate::node::Role;

fn t01() -> NodeId {
    NodeId::township("T01").unwrap()
}

fn op_on(entity: EntityId) -> EncodedOp {
    let id = OpId {
        origin: t01(),
        seq: 1,
    };
    EncodedOp::from_parts(id, Hlc::default(), entity, vec![7])
}

/// The field a decode refused, and why.
fn refused_field(bytes: Vec<u8>) -> (&'static str, String, FieldProblem) {
    match EncodedOp::decode(bytes) {
        Err(DecodeError::InvalidField(InvalidField {
            field,
            value,
            problem,
        })) => (field, value, problem),
        other => panic!("expected a refused field, got {other:?}"),
    }
}

/// Encodable stand-ins for a node id and an entity that the real types
/// cannot hold: same fields and variants, so the same encoding.
#[derive(Serialize)]
struct AnyNode {
    role: Role,
    name: String,
}

#[derive(Serialize)]
enum AnyEntity {
    Case { text: String, origin: AnyNode },
    Matter(String),
}

fn header_bytes(origin: AnyNode, entity: AnyEntity) -> Vec<u8> {
    let header = (origin, 1u64, Hlc::default(), entity, vec![7u8]);
    let mut bytes = vec![OP_FORMAT_V1];
    bytes.extend(postcard::to_stdvec(&header).unwrap());
    bytes
}

fn town(name: &str) -> AnyNode {
    AnyNode {
        role: Role::Township,
        name: name.into(),
    }
}

#[test]
fn garbage_and_unknown_formats_are_typed_errors() {
    assert_eq!(EncodedOp::decode(vec![]), Err(DecodeError::Empty));
    assert_eq!(
        EncodedOp::decode(vec![9, 1, 2]),
        Err(DecodeError::UnknownFormat(9))
    );
    assert!(matches!(
        EncodedOp::decode(vec![OP_FORMAT_V1, 0xff, 0xff]),
        Err(DecodeError::Header(_))
    ));
}

#[test]
fn a_header_built_from_parts_decodes_back() {
    let origin = NodeId::township("T01").unwrap();
    let id = OpId { origin, seq: 3 };
    let enc = EncodedOp::from_parts(id.clone(), Hlc::default(), EntityId::Calendar, vec![1, 2]);
    let back = EncodedOp::decode(enc.bytes.clone()).unwrap();
    assert_eq!(back.id(), &id);
    assert_eq!(back.envelope.body, vec![1, 2]);
}

#[test]
fn every_entity_variant_decodes_through_the_wire_header() {
    let county = NodeId::county("HQ").unwrap();
    let entities = [
        EntityId::Case(CaseId::new("410100", &t01(), "20261126", 42)),
        EntityId::Matter("M001".into()),
        EntityId::Revocation(t01()),
        EntityId::Calendar,
        EntityId::Staff("S_01".into()),
        EntityId::Authorisation("A-S_01-1".into()),
        EntityId::Routing("M017".into()),
        EntityId::Credential("S_01".into()),
        EntityId::SealKey("S_01".into()),
        EntityId::Audit(t01()),
        EntityId::Complaint(t01(), "TS-0001".into()),
        EntityId::Assessment("2026-Q4".into()),
        EntityId::Points("S_01".into(), "2026-Q4".into()),
        EntityId::Enquiry(t01(), "SW-0001".into()),
    ];
    for entity in entities {
        // Exhaustive: a new variant must be added to the list above
        // and to the wire header.
        match &entity {
            EntityId::Case(_)
            | EntityId::Matter(_)
            | EntityId::Revocation(_)
            | EntityId::Calendar
            | EntityId::Staff(_)
            | EntityId::Authorisation(_)
            | EntityId::Routing(_)
            | EntityId::Credential(_)
            | EntityId::SealKey(_)
            | EntityId::Audit(_)
            | EntityId::Complaint(..)
            | EntityId::Assessment(_)
            | EntityId::Points(..)
            | EntityId::Enquiry(..) => {}
        }
        let enc = EncodedOp::from_parts(
            OpId {
                origin: county.clone(),
                seq: 9,
            },
            Hlc::default(),
            entity.clone(),
            vec![1],
        );
        let back = EncodedOp::decode(enc.bytes.clone()).unwrap();
        assert_eq!(back, enc);
    }
}

#[test]
fn a_case_id_built_by_new_round_trips_through_decode() {
    let case = CaseId::new("410100", &t01(), "20261126", 1_234_567);
    let enc = op_on(EntityId::Case(case.clone()));
    let back = EncodedOp::decode(enc.bytes).unwrap();
    assert_eq!(back.entity(), &EntityId::Case(case));
}

#[test]
fn decode_refuses_a_case_id_naming_another_township_than_its_origin() {
    let forged = AnyEntity::Case {
        text: "410100-T02-20261126-000001".into(),
        origin: town("T01"),
    };
    let (field, value, problem) = refused_field(header_bytes(town("T01"), forged));
    assert_eq!(
        (field, value.as_str()),
        ("case id", "410100-T02-20261126-000001")
    );
    assert_eq!(
        problem,
        FieldProblem::CaseId(CaseIdError::OtherCentre {
            named: "T02".into(),
            origin: t01(),
        })
    );
}

#[test]
fn decode_refuses_a_matter_code_with_a_nul_byte() {
    let (field, value, problem) = refused_field(op_on(EntityId::Matter("M\0".into())).bytes);
    assert_eq!((field, value.as_str()), ("matter code", "M\0"));
    assert_eq!(problem, FieldProblem::ControlCharacter);
    let text = EncodedOp::decode(op_on(EntityId::Matter("M\0".into())).bytes)
        .unwrap_err()
        .to_string();
    assert!(text.contains(r#"matter code "M\0""#), "{text}");
}

#[test]
fn decode_refuses_an_over_long_staff_id_and_takes_one_at_the_limit() {
    let longest = "S".repeat(MAX_KEY_COMPONENT_BYTES);
    assert!(EncodedOp::decode(op_on(EntityId::Staff(longest)).bytes).is_ok());
    let long = "S".repeat(MAX_KEY_COMPONENT_BYTES + 1);
    let (field, value, problem) = refused_field(op_on(EntityId::Staff(long.clone())).bytes);
    assert_eq!((field, value), ("staff id", long));
    assert_eq!(
        problem,
        FieldProblem::TooLong {
            len: MAX_KEY_COMPONENT_BYTES + 1,
            max: MAX_KEY_COMPONENT_BYTES
        }
    );
    let huge = "S".repeat(10_000);
    let (_, shown, _) = refused_field(op_on(EntityId::Staff(huge)).bytes);
    assert_eq!(shown.len(), InvalidField::MAX_SHOWN);
}

#[test]
fn decode_refuses_empty_and_control_character_ids() {
    for entity in [
        EntityId::Authorisation(String::new()),
        EntityId::Staff("S\u{7f}".into()),
        EntityId::Matter("M\n1".into()),
    ] {
        assert!(matches!(
            EncodedOp::decode(op_on(entity.clone()).bytes),
            Err(DecodeError::InvalidField(_))
        ));
        assert!(entity.validate().is_err());
    }
}

#[test]
fn decode_refuses_a_node_id_with_a_bad_name_in_the_wire_bytes() {
    let bytes = header_bytes(town("T/01"), AnyEntity::Matter("M001".into()));
    let (field, value, problem) = refused_field(bytes);
    assert_eq!(
        (field, value.as_str(), problem),
        ("origin", "T/01", FieldProblem::NodeName)
    );
    let case = AnyEntity::Case {
        text: "410100-T\0-20261126-1".into(),
        origin: town("T\0"),
    };
    let (field, _, problem) = refused_field(header_bytes(town("T01"), case));
    assert_eq!(field, "case id");
    assert!(matches!(
        problem,
        FieldProblem::CaseId(CaseIdError::Origin(_))
    ));
}

#[test]
fn a_period_with_a_slash_is_an_invalid_field() {
    let entity = EntityId::Points("S_01".into(), "2026/Q4".into());
    let err = entity.validate().unwrap_err();
    assert_eq!(err.field, "period");
    assert_eq!(err.problem, FieldProblem::Slash);
    let empty = EntityId::Complaint(t01(), String::new())
        .validate()
        .unwrap_err();
    assert_eq!(empty.field, "complaint number");
}
