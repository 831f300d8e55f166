//! The chief representative's electronic seal across nodes: a decision
//! sealed at the county is verified and stored by every node that holds
//! the case (its township, and the bridge of the department it was routed
//! to), each showing the same XXXX-XXXX code; the same decision with one
//! byte of its signature altered, or with its seal removed, is refused as
//! `bad-seal` — by a store that never saw the real one, and by a running
//! bridge — and counted.

use liandong_domain::{CaseEvent, DecodeBody, Lang, OpBody, Operation};
use liandong_model::{EncodedOp, EntityId, NodeId, OpId, Role};
use liandong_node::control::CaseAction;
use liandong_node::NodeCore;
use liandong_store::{Source, Store, StoreOptions};
use tests::bridge::{PART, VALID_AUTH};
use tests::{eventually, Net, Node};

use super::support::{accept, is_seal_code, op_of, show, step, LIMIT};
use county_node::bridge::Bridge;
use county_node::County;
use township_node::Township;

/// A county, township T01 and the bridge of D03, with a T01 case of M103
/// routed to D03 and decided at the county by S31 under his seal.
struct Sealed {
    county: Node<County>,
    town: Node<Township>,
    bridge: Node<Bridge>,
    case: String,
    /// The decision's op id and seal code at the county.
    op: String,
    code: String,
}

fn county_id() -> NodeId {
    NodeId::county("HQ").expect("county id")
}

fn d03() -> NodeId {
    NodeId::new(Role::Bridge, "D03").expect("bridge id")
}

async fn sealed_decision(net: &Net) -> Sealed {
    let county = net.county(0).await;
    tests::bridge::put_registry(county.core());
    let town = net.township("T01", county.port(), None).await;
    let bridge = net.bridge(county.port(), None).await;
    tests::bridge::wait_for_registry(bridge.core()).await;
    let m103 = || {
        town.core()
            .store
            .matter(tests::bridge::MATTER)
            .ok()
            .flatten()
            .is_some()
    };
    assert!(eventually(LIMIT, m103).await, "T01 never received M103");

    let c01 = tests::sign_in(town.core(), "C01").await;
    let case = accept(town.core(), &c01, tests::bridge::MATTER);
    let route = CaseAction::Route {
        departments: vec!["D03".into()],
        townships: vec![],
        part: PART.into(),
        stage_limit_days: None,
    };
    step(town.core(), &c01, &case, route);
    let routed = || {
        county
            .core()
            .store
            .case(&case)
            .ok()
            .flatten()
            .is_some_and(|c| {
                c.record
                    .iter()
                    .any(|(_, e)| e.event.kind.name() == "routed")
            })
    };
    assert!(
        eventually(LIMIT, routed).await,
        "the routed case never reached the county"
    );

    let s31 = tests::sign_in(county.core(), "S31").await;
    let decide = CaseAction::Decide {
        approve: true,
        by: "S31".into(),
        reason: "符合食品经营条件".into(),
        department: Some("D03".into()),
        authorisation: Some(VALID_AUTH.into()),
    };
    let detail = step(county.core(), &s31, &case, decide);
    let op = op_of(&detail, "decided");
    let line = detail.history.iter().find(|h| h.op == op);
    let code = line.and_then(|h| h.seal_code.clone()).unwrap_or_default();
    assert!(
        is_seal_code(&code),
        "the county shows a seal code: {code:?}"
    );
    Sealed {
        county,
        town,
        bridge,
        case,
        op,
        code,
    }
}

/// The seal code `core` shows for decision `op`, once it holds it.
fn code_at(core: &NodeCore, case: &str, op: &str) -> Option<String> {
    let detail = core.show_case(&tests::reader(), case, Lang::En).ok()?;
    let line = detail.history.into_iter().find(|h| h.op == op)?;
    line.seal_code
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_sealed_at_the_county_is_verified_and_stored_at_the_township_and_the_bridge() {
    let net = Net::new();
    let s = sealed_decision(&net).await;
    for (node, core) in [
        ("township T01", s.town.core()),
        ("bridge D03", s.bridge.core()),
    ] {
        let stored = || code_at(core, &s.case, &s.op).is_some();
        let arrived = eventually(LIMIT, stored).await;
        let rejections = core.store.rejections(20).unwrap_or_default();
        assert!(
            arrived,
            "{node} never stored the sealed decision; its rejections: {rejections:?}"
        );
        assert_eq!(
            code_at(core, &s.case, &s.op),
            Some(s.code.clone()),
            "{node}"
        );
        let status = core.status().expect("status");
        assert_eq!(status.rejected_total, 0, "{node}: {rejections:?}");
    }
    let at_bridge = show(s.bridge.core(), &s.case);
    let decided = at_bridge.history.iter().find(|h| h.op == s.op);
    let recorder = decided.and_then(|h| h.recorder.as_ref());
    assert_eq!(
        recorder.map(|r| (r.staff.as_str(), r.node.as_str())),
        Some(("S31", "county/HQ"))
    );
}

/// The county's stored operation `op`, as it sends it to `peer`.
fn sent_to(county: &NodeCore, peer: &NodeId, wanted: impl Fn(&EncodedOp) -> bool) -> EncodedOp {
    let chunk = county
        .store
        .read_outbox(peer, 0, 100_000, usize::MAX)
        .expect("outbox");
    let ops = chunk.ops.into_iter();
    let mut found = ops.filter_map(|(_, bytes)| EncodedOp::decode(bytes).ok());
    found
        .find(|op| wanted(op))
        .unwrap_or_else(|| panic!("no such operation in the county's outbox for {peer}"))
}

/// The decision `real` re-sent by the county under a fresh op id, its
/// event changed by `alter`.
fn forged(real: &EncodedOp, seq: u64, alter: impl FnOnce(&mut CaseEvent)) -> EncodedOp {
    let Ok(OpBody::Case(mut event)) = real.body() else {
        panic!("{} is not a case event", real.id());
    };
    alter(&mut event);
    Operation {
        id: OpId {
            origin: county_id(),
            seq,
        },
        hlc: real.envelope.hlc,
        entity: real.entity().clone(),
        body: OpBody::Case(event),
    }
    .encode()
}

fn flip_signature(event: &mut CaseEvent) {
    let seal = event.seal.as_mut().expect("the real decision is sealed");
    seal.signature[0] ^= 0x01;
}

fn unseal(event: &mut CaseEvent) {
    assert!(event.recorder.is_some(), "the real decision has a recorder");
    event.seal = None;
}

fn from_county(store: &Store) -> Source {
    let county = county_id();
    let cursor = store.cursor(&county).expect("cursor");
    Source::Peer {
        node: county,
        cursor,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_with_an_altered_or_missing_seal_is_refused_as_bad_seal_and_counted() {
    let net = Net::new();
    let s = sealed_decision(&net).await;
    let stored = || code_at(s.bridge.core(), &s.case, &s.op).is_some();
    assert!(
        eventually(LIMIT, stored).await,
        "premise: the bridge stores the real one"
    );
    let real = sent_to(s.county.core(), &d03(), |op| op.id().to_string() == s.op);
    let decision = real.id().clone();
    let key = sent_to(s.county.core(), &d03(), |op| {
        *op.entity() == EntityId::SealKey("S31".into())
    });
    let (altered, unsealed) = (
        forged(&real, 1_000_001, flip_signature),
        forged(&real, 1_000_002, unseal),
    );

    // A store that never saw the real decision, given S31's public key in
    // the same batch.
    let fresh_id = NodeId::township("T05").expect("id");
    let fresh =
        Store::open(&net.dir("fresh"), &fresh_id, &StoreOptions::default()).expect("fresh store");
    let key_op = key.id().clone();
    let batch = vec![key, altered.clone(), unsealed];
    let report = fresh
        .apply(from_county(&fresh), batch)
        .expect("batch applied");
    assert_eq!(report.applied, [key_op], "only the key is stored");
    let refused: Vec<(u64, &str)> = report
        .refused
        .iter()
        .map(|(id, r)| (id.seq, r.reason()))
        .collect();
    assert_eq!(refused, [(1_000_001, "bad-seal"), (1_000_002, "bad-seal")]);
    let records = fresh.rejections(10).expect("rejection records");
    let why: Vec<(&str, &str)> = records
        .iter()
        .map(|r| (r.reason.as_str(), r.message.as_str()))
        .collect();
    assert_eq!(fresh.rejection_count().expect("count"), 2, "{why:?}");
    assert!(
        why.iter().all(|(reason, _)| *reason == "bad-seal"),
        "{why:?}"
    );
    assert!(
        why.iter().any(|(_, m)| m.contains("does not verify")),
        "{why:?}"
    );
    assert!(why.iter().any(|(_, m)| m.contains("not sealed")), "{why:?}");
    for seq in [1_000_001, 1_000_002] {
        let id = OpId {
            origin: county_id(),
            seq,
        };
        assert!(!fresh.contains(&id).expect("read"), "{id} was stored");
    }
    // The real one, untouched, is taken by the same store.
    let report = fresh
        .apply(from_county(&fresh), vec![real])
        .expect("applied");
    assert_eq!(report.applied, [decision], "{:?}", report.refused);

    // A running bridge counts the altered one among its rejections.
    let bridge = s.bridge.core();
    let before = bridge.status().expect("status").rejected_total;
    let again = forged(&altered, 1_000_003, |_| {});
    let report = bridge
        .store
        .apply(from_county(&bridge.store), vec![again])
        .expect("applied");
    assert_eq!(report.refused.len(), 1, "{report:?}");
    let status = bridge.status().expect("status");
    assert_eq!(status.rejected_total, before + 1);
    let latest = status
        .recent_rejections
        .first()
        .expect("a rejection record");
    assert_eq!(
        (latest.reason.as_str(), &latest.peer),
        ("bad-seal", &county_id())
    );
    let decided = show(bridge, &s.case).history;
    let decisions = decided.iter().filter(|h| h.event == "decided").count();
    assert_eq!(decisions, 1, "only the real decision is held: {decided:?}");
}
