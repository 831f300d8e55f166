use super::*;
use crate::base::Stamp;
use crate::event::{Applicant, EventKind};
use liandong_model::{CaseId, Hlc, NodeId, Personal, OP_FORMAT_V1};

fn sample() -> Operation {
    let origin = NodeId::township("T01").unwrap();
    let case = CaseId::new("410000", &origin, "20261126", 7);
    let stamp = Stamp {
        hlc: Hlc::default(),
        op: OpId {
            origin: NodeId::county("HQ").unwrap(),
            seq: 1,
        },
    };
    Operation {
        id: OpId { origin, seq: 7 },
        hlc: Hlc {
            wall_ms: 1,
            logical: 0,
        },
        entity: EntityId::Case(case),
        body: OpBody::Case(CaseEvent::new(
            1,
            EventKind::Submitted {
                matter: "M001".into(),
                matter_version: stamp,
                applicant: Applicant {
                    name: Personal::new("张三".into()),
                    id_number: Personal::new("410000199001011234".into()),
                    phone: Personal::new(String::new()),
                    address: Personal::new(String::new()),
                },
                materials: vec![],
            },
        )),
    }
}

#[test]
fn encode_then_decode_gives_the_same_operation() {
    let op = sample();
    let enc = op.encode();
    let back = EncodedOp::decode(enc.bytes.clone()).unwrap();
    assert_eq!(back.id(), &op.id);
    assert_eq!(back.body().unwrap(), op.body);
}

#[test]
fn an_unknown_body_still_has_a_readable_header() {
    let mut enc = sample().encode();
    enc.envelope.body = vec![200, 1, 2, 3];
    let mut bytes = vec![OP_FORMAT_V1];
    bytes.extend(postcard::to_stdvec(&enc.envelope).unwrap());
    let back = EncodedOp::decode(bytes).unwrap();
    assert_eq!(back.id().seq, 7);
    assert!(back.body().is_err());
}
