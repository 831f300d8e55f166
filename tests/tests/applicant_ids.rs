//! The applicant's identity at a real window and on receipt: a township
//! node refuses a submission whose ID number is wrong (the length, the
//! character, the check digit) or an organisation without its legal
//! representative, accepts a valid resident ID and an explicitly chosen
//! passport; `case accept` exits 3 naming the wrong character; and a
//! submission with a broken ID that arrives by replication (as an old
//! store would send it) is kept and shown as an anomaly.
//!
//! The binaries must be built first (`cargo build --workspace --bins`).

use std::process::Stdio;
use std::time::Duration;

use liandong_cli::Exit;
use liandong_domain::{
    Applicant, CaseEvent, EventKind, Holder, IdType, Lang, NumberFault, OpBody, Operation, Refusal,
    RequiredField, Stamp,
};
use liandong_model::{CaseId, EntityId, Hlc, NodeId, OpId};
use liandong_node::control::{AgentInput, ApplicantInput};
use liandong_node::error::NodeError;
use tests::raw::{self, batch};
use tests::scene::Cli;
use tests::TOWNSHIP_CLERK;
use tests::{clerk_at, credential_arrived, eventually, now_ms, resident_id, township_id};
use tests::{Net, PASSWORD};

const LIMIT: Duration = Duration::from_secs(60);

fn input(name: &str, id_type: IdType, id_number: &str) -> ApplicantInput {
    ApplicantInput {
        name: name.into(),
        id_number: id_number.into(),
        id_type,
        ..ApplicantInput::default()
    }
}

fn refusal(result: Result<impl std::fmt::Debug, NodeError>) -> Refusal {
    match result {
        Err(NodeError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn the_generated_test_ids_pass_and_are_distinct() {
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    let mut seen = std::collections::BTreeSet::new();
    for n in (0..5000).chain([19_999_999]) {
        let id = resident_id(n);
        assert_eq!(
            liandong_domain::check_number(IdType::ResidentId, &id, day),
            Ok(()),
            "{id}"
        );
        assert!(seen.insert(id), "{n}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_window_refuses_wrong_ids_and_accepts_valid_documents() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    let core = town.core();
    credential_arrived(core, TOWNSHIP_CLERK).await;
    let has_m001 = || core.store.matter("M001").ok().flatten().is_some();
    assert!(
        eventually(LIMIT, has_m001).await,
        "the catalogue reached T01"
    );
    let clerk = clerk_at(core);
    let accept =
        |a: &ApplicantInput| core.accept_new(&clerk, Lang::Zh, "M001", a, &[], false, false);

    let short = refusal(accept(&input("张三", IdType::ResidentId, "123")));
    assert_eq!(
        short,
        Refusal::DocumentNumber {
            holder: Holder::Applicant,
            id_type: IdType::ResidentId,
            fault: NumberFault::Length {
                min: 18,
                max: 18,
                got: 3
            },
        }
    );
    assert!(short.message(Lang::En).contains("18 characters, got 3"));
    assert!(short.message(Lang::Zh).contains("应为 18 位，实际为 3 位"));
    let letter = refusal(accept(&input(
        "张三",
        IdType::ResidentId,
        "41000019900101A236",
    )));
    assert!(
        letter.message(Lang::En).contains("character 15")
            && letter.message(Lang::En).contains("`A`"),
        "{letter:?}"
    );

    let valid = resident_id(1);
    let case = accept(&input("张三", IdType::ResidentId, &valid)).expect("a valid ID is accepted");
    let (_, state) = core.case_state(&case.id).expect("the case");
    assert!(state.anomalies.is_empty(), "{:?}", state.anomalies);

    // A lowercase x is recorded as X.
    let with_x = "11010519491231002x";
    let case = accept(&input("李四", IdType::ResidentId, with_x)).expect("lowercase x");
    let (_, state) = core.case_state(&case.id).expect("the case");
    let recorded = state.applicant.expect("an applicant");
    assert_eq!(recorded.id_number.expose(), "11010519491231002X");

    let organisation = input("某某有限公司", IdType::CreditCode, "91350100M000100Y43");
    assert_eq!(
        refusal(accept(&organisation)),
        Refusal::Required(RequiredField::LegalRepresentative)
    );
    let with_representative = ApplicantInput {
        legal_representative: Some("王五".into()),
        agent: Some(AgentInput {
            name: "赵六".into(),
            id_type: IdType::ResidentId,
            id_number: resident_id(2),
        }),
        ..organisation
    };
    let case = accept(&with_representative).expect("an organisation with its representative");
    let (_, state) = core.case_state(&case.id).expect("the case");
    let recorded = state.applicant.expect("an applicant");
    assert_eq!(recorded.id_type, IdType::CreditCode);
    assert_eq!(
        recorded
            .legal_representative
            .as_ref()
            .map(|r| r.expose().as_str()),
        Some("王五")
    );
    assert_eq!(
        recorded.agent.as_ref().map(|a| a.name.expose().as_str()),
        Some("赵六")
    );

    // A passport number is refused as a resident ID, accepted as a passport.
    let passport = "E12345678";
    assert!(matches!(
        refusal(accept(&input("JOHN SMITH", IdType::ResidentId, passport))),
        Refusal::DocumentNumber {
            id_type: IdType::ResidentId,
            ..
        }
    ));
    let case = accept(&input("JOHN SMITH", IdType::Passport, passport)).expect("a passport");
    let (_, state) = core.case_state(&case.id).expect("the case");
    assert_eq!(
        state.applicant.expect("an applicant").id_type,
        IdType::Passport
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_accept_with_a_wrong_check_digit_exits_3_naming_character_18() {
    let net = Net::new();
    let county = net.county(0).await;
    let _town = net.township("T01", county.port(), None).await;
    let cli = Cli::township("T01", &net.dir("T01"), &net.dir("sessions"));
    cli.sign_in_once_replicated(TOWNSHIP_CLERK, PASSWORD).await;
    let run = |args: Vec<&str>| {
        let mut cmd = cli.command(&args);
        cmd.stdin(Stdio::null()).kill_on_drop(true);
        async move {
            tokio::time::timeout(LIMIT, cmd.output())
                .await
                .expect("the command finishes")
                .expect("the command runs")
        }
    };
    let accept = |id: &'static str, extra: &[&'static str]| {
        let mut args = vec![
            "--lang",
            "en",
            "case",
            "accept",
            "--matter",
            "M001",
            "--applicant-name",
            "李四",
            "--applicant-id",
            id,
        ];
        args.extend(extra);
        args
    };

    let out = run(accept("410000199001011234", &[])).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(i32::from(Exit::Refused.code())),
        "{stderr}"
    );
    assert!(
        stderr.contains("character 18") && stderr.contains("`4`") && stderr.contains("`6`"),
        "{stderr}"
    );

    let out = run(accept("E12345678", &["--applicant-id-type", "passport"])).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a passport chosen explicitly: {stderr}"
    );

    let out = run(accept(
        "91350100M000100Y43",
        &["--applicant-id-type", "credit-code"],
    ))
    .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(i32::from(Exit::Refused.code())),
        "{stderr}"
    );
    assert!(stderr.contains("--legal-representative"), "{stderr}");

    let out = run(accept("123", &["--applicant-id-type", "idcard"])).await;
    assert_eq!(
        out.status.code(),
        Some(i32::from(Exit::BadArguments.code())),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn submitted(origin: &NodeId, seq: u64, id_number: &str) -> Vec<u8> {
    let event = CaseEvent::new(
        now_ms(),
        EventKind::Submitted {
            matter: "M001".into(),
            matter_version: Stamp {
                hlc: Hlc::default(),
                op: OpId {
                    origin: origin.clone(),
                    seq: 0,
                },
            },
            applicant: Applicant::resident("张三", id_number, "", ""),
            materials: vec![],
        },
    );
    Operation {
        id: OpId {
            origin: origin.clone(),
            seq,
        },
        hlc: Hlc {
            wall_ms: now_ms(),
            logical: 0,
        },
        entity: EntityId::Case(CaseId::new("000000", origin, "20261126", seq)),
        body: OpBody::Case(event),
    }
    .encode()
    .bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_received_submission_with_a_broken_id_is_kept_and_shown_as_an_anomaly() {
    let net = Net::new();
    let county = net.county(0).await;
    let t1 = township_id("T01");
    let (tx, _inbound) = raw::open(&net, &t1, county.port(), [7; 16]).await;
    // As an old store holds it: the example number with a wrong check
    // digit, and a valid one beside it.
    let ops = vec![
        submitted(&t1, 1, "410000199001011234"),
        submitted(&t1, 2, &resident_id(3)),
    ];
    tx.send(batch(1, 1, ops)).await.expect("frame sent");
    let store = county.core().store.clone();
    let landed = eventually(LIMIT, || {
        [1, 2].iter().all(|&seq| {
            store
                .contains(&OpId {
                    origin: t1.clone(),
                    seq,
                })
                .unwrap_or(false)
        })
    })
    .await;
    assert!(landed, "both submissions are kept");

    let broken = CaseId::new("000000", &t1, "20261126", 1).to_string();
    let (_, state) = county.core().case_state(&broken).expect("the broken case");
    assert_eq!(state.anomalies.len(), 1, "{:?}", state.anomalies);
    assert_eq!(
        state.anomalies[0].problem,
        Refusal::DocumentNumber {
            holder: Holder::Applicant,
            id_type: IdType::ResidentId,
            fault: NumberFault::CheckCharacter {
                got: '4',
                expected: '6'
            },
        }
    );
    let good = CaseId::new("000000", &t1, "20261126", 2).to_string();
    let (_, state) = county.core().case_state(&good).expect("the good case");
    assert!(state.anomalies.is_empty(), "{:?}", state.anomalies);
}
