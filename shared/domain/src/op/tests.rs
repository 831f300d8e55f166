use super::wire::OpBodyWire;
use super::*;
use crate::applicant::IdType;
use crate::base::Stamp;
use crate::event::ApplicantIdentity;
use crate::event::{Agent, Applicant, EventKind};
use crate::recorder::Recorder;
use crate::staff::StaffRole;
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
                // The example number older stores hold (a wrong check
                // digit): the bytes below are theirs.
                applicant: Applicant::resident("张三", "410000199001011234", "", ""),
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

/// The body of [`sample`] as the first build wrote it: variant 0, the
/// applicant's four fields, no materials.
const SUBMITTED_FIRST_LAYOUT: [u8; 45] = [
    0, 1, 0, 0, 4, 77, 48, 48, 49, 0, 0, 0, 2, 72, 81, 1, 6, 229, 188, 160, 228, 184, 137, 18, 52,
    49, 48, 48, 48, 48, 49, 57, 57, 48, 48, 49, 48, 49, 49, 50, 51, 52, 0, 0, 0,
];

fn sample_recorded() -> Operation {
    let mut op = sample();
    if let OpBody::Case(e) = &mut op.body {
        e.recorder = Some(Recorder::new(
            "S02",
            StaffRole::Clerk,
            NodeId::township("T01").unwrap(),
        ));
    }
    op
}

fn with_applicant(op: &mut Operation, edit: impl FnOnce(&mut Applicant)) {
    if let OpBody::Case(CaseEvent {
        kind: EventKind::Submitted { applicant, .. },
        ..
    }) = &mut op.body
    {
        edit(applicant);
    }
}

fn organisation(a: &mut Applicant) {
    a.id_type = IdType::CreditCode;
    a.id_number = Personal::new("91350100M000100Y43".into());
    a.legal_representative = Some(Personal::new("李四".into()));
    a.agent = Some(Agent {
        name: Personal::new("王五".into()),
        id_type: IdType::ResidentId,
        id_number: Personal::new("11010519491231002X".into()),
    });
}

#[test]
fn a_resident_id_applicant_in_person_keeps_the_first_builds_bytes() {
    assert_eq!(sample().encode().envelope.body, SUBMITTED_FIRST_LAYOUT);
    // Recorded: variant 7, the same event bytes, then the recorder.
    let mut recorded = SUBMITTED_FIRST_LAYOUT.to_vec();
    recorded[0] = 7;
    recorded.extend([1, 3, 83, 48, 50, 0, 1, 3, 84, 48, 49, 0]);
    assert_eq!(sample_recorded().encode().envelope.body, recorded);
}

#[test]
fn an_applicant_with_another_document_or_an_agent_travels_beside_the_event_and_reads_back() {
    let edits: [fn(&mut Applicant); 3] = [
        organisation,
        |a| a.id_type = IdType::Passport,
        |a| {
            a.agent = Some(Agent {
                name: Personal::new("王五".into()),
                id_type: IdType::TaiwanPermit,
                id_number: Personal::new("12345678".into()),
            })
        },
    ];
    for edit in edits {
        for mut op in [sample(), sample_recorded()] {
            with_applicant(&mut op, edit);
            let enc = op.encode();
            assert_eq!(enc.envelope.body[0], 12, "{:?}", op.body);
            let back = EncodedOp::decode(enc.bytes.clone()).unwrap();
            assert_eq!(back.body().unwrap(), op.body);
            let again = Operation {
                body: back.body().unwrap(),
                ..op.clone()
            };
            assert_eq!(again.encode().bytes, enc.bytes);
        }
    }
}

#[test]
fn an_identity_body_that_the_first_layout_could_say_is_refused() {
    let OpBody::Case(event) = sample().body else {
        panic!("a case body")
    };
    let default = OpBodyWire::CaseIdentified {
        event: event.clone(),
        identity: ApplicantIdentity::default(),
    };
    let bytes = postcard::to_stdvec(&default).unwrap();
    assert!(postcard::from_bytes::<OpBody>(&bytes).is_err());
    let not_a_submission = OpBodyWire::CaseIdentified {
        event: CaseEvent::new(1, EventKind::Concluded),
        identity: ApplicantIdentity {
            id_type: IdType::Passport,
            ..ApplicantIdentity::default()
        },
    };
    let bytes = postcard::to_stdvec(&not_a_submission).unwrap();
    assert!(postcard::from_bytes::<OpBody>(&bytes).is_err());
}

#[test]
fn staffing_bodies_take_wire_indices_thirteen_to_sixteen_and_round_trip() {
    use crate::assessment::{Assessment, Grade, PointsEntry};
    use crate::complaint::{ComplaintEvent, ComplaintKind};
    use crate::enquiry::{Enquiry, Handling};
    let bodies = [
        OpBody::Complaint(ComplaintEvent {
            at_ms: 1,
            by: "SUP1".into(),
            kind: ComplaintKind::Answered {
                answer: "已答复".into(),
            },
        }),
        OpBody::AssessmentPut(Assessment {
            period: "2026".into(),
            grades: [("S01".to_string(), Grade::Competent)].into(),
            by: "HM1".into(),
        }),
        OpBody::PointsAdd(PointsEntry {
            staff: "S01".into(),
            period: "2026".into(),
            points: -3,
            reason: "迟到".into(),
            by: "HM1".into(),
        }),
        OpBody::EnquiryRecorded(Enquiry {
            at_ms: 1,
            asked: "S01".into(),
            acting_for: Some("S02".into()),
            topic: "社保转移".into(),
            handling: Handling::HandledHere {
                note: "当场答复".into(),
            },
        }),
    ];
    for (index, body) in (13u8..).zip(bodies) {
        let bytes = postcard::to_stdvec(&body).unwrap();
        assert_eq!(bytes[0], index, "{body:?}");
        assert_eq!(postcard::from_bytes::<OpBody>(&bytes).unwrap(), body);
    }
}
