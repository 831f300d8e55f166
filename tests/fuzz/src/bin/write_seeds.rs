//! Writes the seed corpora (`corpus/<target>/seed-*`) from real encodings:
//! the frames a node sends, operations of every body variant, the example
//! configs of `deploy/`, and control calls as the CLI sends them. The
//! structured targets (`case_fold`, `crdt_merge`, `key_parsing`) read
//! their input through `arbitrary` and start from an empty corpus.
//!
//! Usage: `cargo run --manifest-path tests/fuzz/Cargo.toml --bin write-seeds`
//! (writes under the fuzz crate's `corpus/`; re-run after a wire or
//! encoding change and commit the result).

use std::path::{Path, PathBuf};

use liandong_domain::{
    Agent, Applicant, AuthScope, CaseEvent, DaySetting, EventKind, IdType, Lang, OpBody, Operation,
    Power, Stamp,
};
use liandong_fuzz::fixtures::{
    authorisation, case_id, county, day, matter_m001, roster, routing_m001, township,
};
use liandong_model::{Cursor, EntityId, Hlc, OpId, Personal};
use liandong_net::rpc::pb;
use liandong_node::control::{ApplicantInput, Call, CaseAction, Request};
use liandong_sync::{Ack, Batch, Heartbeat, Hello, Message, NodeReport};
use prost::Message as _;

type Seeds = Vec<(&'static str, Vec<u8>)>;

fn op(seq: u64, entity: EntityId, body: OpBody) -> Vec<u8> {
    Operation {
        id: OpId {
            origin: if matches!(entity, EntityId::Case(_)) {
                township()
            } else {
                county()
            },
            seq,
        },
        hlc: Hlc {
            wall_ms: 1_790_000_000_000 + seq,
            logical: 0,
        },
        entity,
        body,
    }
    .encode()
    .bytes
}

fn ops() -> Seeds {
    let case = EntityId::Case(case_id());
    let event = CaseEvent::new(
        1_790_000_000_000,
        EventKind::RoutedToDepartment {
            department: "D01".into(),
            part: "审查".into(),
            stage_limit_days: Some(2),
        },
    );
    let staff = roster().remove(0);
    let grant = authorisation("A01", "S01", AuthScope::Matter("M001".into()));
    vec![
        ("case-event", op(1, case, OpBody::Case(event))),
        (
            "matter",
            op(
                2,
                EntityId::Matter("M001".into()),
                OpBody::MatterPut(matter_m001()),
            ),
        ),
        (
            "revoke",
            op(
                3,
                EntityId::Revocation(township()),
                OpBody::Revoke {
                    node: township(),
                    before_ms: 1_790_000_000_000,
                    reason: "lost laptop".into(),
                },
            ),
        ),
        (
            "calendar",
            op(
                4,
                EntityId::Calendar,
                OpBody::CalendarSet {
                    dates: vec![day(2026, 10, 1), day(2026, 10, 2)],
                    setting: DaySetting::Holiday,
                },
            ),
        ),
        (
            "staff",
            op(5, EntityId::Staff("S01".into()), OpBody::StaffPut(staff)),
        ),
        (
            "authorise",
            op(
                6,
                EntityId::Authorisation("A01".into()),
                OpBody::Authorise(grant),
            ),
        ),
        (
            "routing",
            op(
                7,
                EntityId::Routing("M001".into()),
                OpBody::RoutingSet(routing_m001()),
            ),
        ),
        (
            "case-identified",
            op(8, EntityId::Case(case_id()), OpBody::Case(organisation())),
        ),
    ]
}

/// A submission by an organisation, with its legal representative and an
/// agent: the body variant that carries an applicant's identity.
fn organisation() -> CaseEvent {
    let mut applicant = Applicant::resident("某某有限公司", "91350100M000100Y43", "", "");
    applicant.id_type = IdType::CreditCode;
    applicant.legal_representative = Some(Personal::new("李四".into()));
    applicant.agent = Some(Agent {
        name: Personal::new("王五".into()),
        id_type: IdType::ResidentId,
        id_number: Personal::new("11010519491231002X".into()),
    });
    CaseEvent::new(
        1_790_000_000_000,
        EventKind::Submitted {
            matter: "M001".into(),
            matter_version: Stamp::new(
                Hlc::default(),
                OpId {
                    origin: county(),
                    seq: 1,
                },
            ),
            applicant,
            materials: vec![],
        },
    )
}

fn messages() -> Vec<(&'static str, Message)> {
    let cursor = Cursor {
        incarnation: [3; 16],
        seq: 4,
    };
    vec![
        (
            "hello",
            Message::Hello(Hello {
                node: township(),
                protocol_version: 1,
                store_id: [1; 16],
                outbox: [2; 16],
                outbox_head: 5,
                resume: cursor,
                version_vector: [(township(), 9), (county(), 2)].into(),
            }),
        ),
        (
            "batch",
            Message::Batch(Batch {
                batch_id: 1,
                incarnation: [2; 16],
                first_seq: 1,
                last_seq: 7,
                ops: ops().into_iter().map(|(_, bytes)| bytes).collect(),
            }),
        ),
        (
            "ack",
            Message::Ack(Ack {
                batch_id: 1,
                cursor,
            }),
        ),
        (
            "heartbeat",
            Message::Heartbeat(Heartbeat {
                outbox_head: 3,
                sent_at_ms: 1_790_000_000_000,
                report: Some(NodeReport {
                    version: "0.1.0".into(),
                    ops_held: 5,
                    rejections: [("malformed".to_string(), 2), ("clock-skew".to_string(), 1)]
                        .into(),
                    store_problem: "磁盘空间不足".into(),
                    ..NodeReport::default()
                }),
            }),
        ),
    ]
}

/// One seed per message type, led by the type byte `wire_messages` reads.
fn wire() -> Seeds {
    let mut seeds = Seeds::new();
    for (name, msg) in messages() {
        let frame = pb::SyncFrame::from(msg);
        seeds.push((name, [vec![0], frame.encode_to_vec()].concat()));
        let (byte, inner) = match frame.kind {
            Some(pb::sync_frame::Kind::Hello(h)) => (1, h.encode_to_vec()),
            Some(pb::sync_frame::Kind::Batch(b)) => (2, b.encode_to_vec()),
            Some(pb::sync_frame::Kind::Ack(a)) => (3, a.encode_to_vec()),
            Some(pb::sync_frame::Kind::Heartbeat(h)) => (4, h.encode_to_vec()),
            None => continue,
        };
        seeds.push((name, [vec![byte], inner].concat()));
    }
    let report = pb::NodeReport::from(NodeReport {
        version: "0.1.0".into(),
        ..NodeReport::default()
    });
    let cursor = pb::Cursor {
        incarnation: vec![7; 16],
        seq: 9,
    };
    let origin = pb::OriginCount {
        origin: "county/HQ".into(),
        count: 4,
    };
    let status = pb::StatusReply {
        node: "county/HQ".into(),
        version: "0.1.0".into(),
        ops_held: 12,
        digest: "ab".repeat(16),
    };
    seeds.push(("report", [vec![5], report.encode_to_vec()].concat()));
    seeds.push(("cursor", [vec![6], cursor.encode_to_vec()].concat()));
    seeds.push(("origin-count", [vec![7], origin.encode_to_vec()].concat()));
    seeds.push(("status-request", vec![8]));
    seeds.push(("status-reply", [vec![9], status.encode_to_vec()].concat()));
    seeds
}

fn configs(deploy: &Path) -> std::io::Result<Seeds> {
    let mut seeds = Seeds::new();
    for (byte, name) in [(0u8, "county"), (1, "township"), (2, "bridge")] {
        let text = std::fs::read(deploy.join(format!("{name}.example.toml")))?;
        seeds.push((name, [vec![byte], text].concat()));
    }
    seeds.push((
        "county-env",
        b"\x03CACHE_MB=32\nLISTEN=\"0.0.0.0:7443\"\n".to_vec(),
    ));
    seeds.push((
        "township-env",
        b"\x04ID=T01\nCOUNTY=https://[::1]:7443\n".to_vec(),
    ));
    seeds.push((
        "bridge-env",
        b"\x05DEPARTMENT=D03\nWEBHOOK=http://127.0.0.1:8080/x\n".to_vec(),
    ));
    seeds.push(("endpoint", b"\x06https://county.example:7443/".to_vec()));
    seeds.push(("webhook", b"\x06http://[::1]:8080/liandong?x=1".to_vec()));
    Ok(seeds)
}

fn calls() -> Seeds {
    let case = case_id().to_string();
    let requests = vec![
        (
            "accept-case",
            Request::AcceptCase {
                matter: "M001".into(),
                applicant: ApplicantInput {
                    name: "张三".into(),
                    id_number: "410000199001011236".into(),
                    ..ApplicantInput::default()
                },
                materials: vec!["申请书".into()],
                submit_only: false,
                conclude: false,
            },
        ),
        (
            "decide",
            Request::Case {
                case: case.clone(),
                action: CaseAction::Decide {
                    approve: true,
                    by: "S01".into(),
                    reason: "符合条件".into(),
                    department: None,
                    authorisation: Some("A01".into()),
                },
            },
        ),
        (
            "retract",
            Request::Case {
                case,
                action: CaseAction::Retract {
                    event: "township/T01#3".into(),
                    reason: "更正".into(),
                },
            },
        ),
        (
            "authorise",
            Request::Authorise {
                staff: "S01".into(),
                scope: AuthScope::Department("D01".into()),
                powers: Power::ALL.into_iter().collect(),
                from: day(2026, 1, 1),
                to: day(2026, 12, 31),
                id: None,
            },
        ),
        (
            "set-calendar",
            Request::SetCalendar {
                dates: vec![day(2026, 10, 1)],
                setting: DaySetting::Holiday,
            },
        ),
        (
            "put-matter",
            Request::PutMatter {
                matter: Box::new(matter_m001()),
            },
        ),
        ("status", Request::Status),
    ];
    requests
        .into_iter()
        .map(|(name, request)| {
            let call = Call::new(Lang::En, request);
            (name, serde_json::to_vec(&call).unwrap_or_default())
        })
        .collect()
}

fn write(dir: &Path, seeds: Seeds) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (i, (name, bytes)) in seeds.into_iter().enumerate() {
        std::fs::write(dir.join(format!("seed-{i:02}-{name}")), bytes)?;
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let fuzz = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = fuzz.join("corpus");
    let deploy = fuzz.join("../../deploy");
    write(&corpus.join("wire_messages"), wire())?;
    write(&corpus.join("op_decode"), ops())?;
    write(&corpus.join("config_parse"), configs(&deploy)?)?;
    write(&corpus.join("control_request"), calls())?;
    println!("seeds written under {}", corpus.display());
    Ok(())
}
