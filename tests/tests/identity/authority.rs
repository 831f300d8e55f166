//! Who may decide and who may retract, for staff signed in the real way
//! at a real county: a window clerk never decides; a chief representative
//! decides only within his written authorisation and only in his own
//! name; a decision is retracted by the one who made it; an evaluation or
//! a supervision record is retracted by nobody. Every refusal leaves the
//! case as it was.

use liandong_domain::{AuthError, Refusal, StaffRole};
use liandong_node::error::Forbidden;
use liandong_node::identity::Actor;
use tests::{Net, Node};

use super::support::{
    accept, authorised_chief, concluded, d01, decide, forbidden, held_events, op_of, put_matter,
    put_staff, refusal, refused, retract, show, step,
};
use county_node::County;

/// S01's grant covers matter M001 only.
const S01_GRANT: &str = "A-S01-M001";

/// A county with matters M001 and M002 (both D01's), chief
/// representatives S01 (authorised for M001 only) and S09 (all of D01),
/// and e-supervision E01.
async fn hall(net: &Net) -> Node<County> {
    let county = net.county(0).await;
    let core = county.core();
    put_matter(core, "M002", 3);
    let m001 = liandong_domain::AuthScope::Matter("M001".into());
    authorised_chief(core, "S01", &[], m001, S01_GRANT);
    authorised_chief(core, "S09", &[], d01(), "A-S09-D01");
    put_staff(core, "E01", StaffRole::Supervisor);
    county
}

/// C00 (window clerk), S01 and S09, each signed in at the county.
async fn signed_in(core: &liandong_node::NodeCore) -> (Actor, Actor, Actor) {
    (
        tests::sign_in(core, "C00").await,
        tests::sign_in(core, "S01").await,
        tests::sign_in(core, "S09").await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_in_window_clerk_cannot_decide_and_nothing_is_written() {
    let net = Net::new();
    let county = hall(&net).await;
    let core = county.core();
    let (c00, _, _) = signed_in(core).await;
    let case = accept(core, &c00, "M001");
    let before = held_events(core, &case);

    let in_s01s_name = refused(core, &c00, &case, decide("S01"));
    assert_eq!(
        forbidden(&in_s01s_name),
        Some(&Forbidden::Role {
            staff: "C00".into(),
            act: "decided".into()
        }),
        "{in_s01s_name}"
    );
    // In his own name (the session's): he holds no authorisation.
    let in_his_own = refused(core, &c00, &case, decide(""));
    assert_eq!(
        refusal(&in_his_own),
        Some(&Refusal::Unauthorised(AuthError::NoAuthorisation {
            staff: "C00".into()
        })),
        "{in_his_own}"
    );
    assert_eq!(held_events(core, &case), before, "nothing was written");
    assert!(show(core, &case)
        .history
        .iter()
        .all(|h| h.event != "decided"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chief_representative_cannot_decide_a_matter_outside_his_authorisation() {
    let net = Net::new();
    let county = hall(&net).await;
    let core = county.core();
    let (c00, s01, _) = signed_in(core).await;
    let other_matter = accept(core, &c00, "M002");
    let before = held_events(core, &other_matter);

    let e = refused(core, &s01, &other_matter, decide("S01"));
    assert!(
        matches!(
            refusal(&e),
            Some(Refusal::Unauthorised(AuthError::OutOfScope { id, matter, .. }))
                if id == S01_GRANT && matter == "M002"
        ),
        "{e}"
    );
    assert_eq!(held_events(core, &other_matter), before, "nothing written");

    // Within his authorisation the same chief representative decides.
    let own_matter = accept(core, &c00, "M001");
    let d = step(core, &s01, &own_matter, decide("S01"));
    assert!(d.history.iter().any(|h| h.event == "decided"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chief_representative_cannot_decide_in_another_chief_representatives_name() {
    let net = Net::new();
    let county = hall(&net).await;
    let core = county.core();
    let (c00, s01, _) = signed_in(core).await;
    let case = accept(core, &c00, "M001");
    let before = held_events(core, &case);

    // S09 holds a valid grant for the matter: only the name is wrong.
    let e = refused(core, &s01, &case, decide("S09"));
    assert_eq!(
        refusal(&e),
        Some(&Refusal::DecidesAsSomeoneElse {
            recorder: "S01".into(),
            by: "S09".into()
        }),
        "{e}"
    );
    assert_eq!(held_events(core, &case), before, "nothing written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_chief_representative_who_decided_may_retract_his_decision() {
    let net = Net::new();
    let county = hall(&net).await;
    let core = county.core();
    let (c00, s01, s09) = signed_in(core).await;
    let case = accept(core, &c00, "M001");
    let decision = op_of(&step(core, &s01, &case, decide("S01")), "decided");
    let before = held_events(core, &case);

    let by_clerk = refused(core, &c00, &case, retract(&decision));
    assert_eq!(
        refusal(&by_clerk),
        Some(&Refusal::RetractsAnotherRole {
            role: StaffRole::Clerk,
            recorded_as: StaffRole::ChiefRepresentative
        }),
        "{by_clerk}"
    );
    let by_other_chief = refused(core, &s09, &case, retract(&decision));
    assert_eq!(
        refusal(&by_other_chief),
        Some(&Refusal::RetractsAnotherPersonsDecision {
            staff: "S09".into(),
            by: "S01".into()
        }),
        "{by_other_chief}"
    );
    assert_eq!(held_events(core, &case), before, "nothing written");

    let d = step(core, &s01, &case, retract(&decision));
    let line = d.history.iter().find(|h| h.op == decision);
    assert!(
        line.is_some_and(|h| h.superseded),
        "S01's own retraction voids his decision: {:?}",
        d.history
    );
    let retraction = d.history.iter().find(|h| h.event == "retracted");
    let recorder = retraction.and_then(|h| h.recorder.as_ref());
    assert_eq!(recorder.map(|r| r.staff.as_str()), Some("S01"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nobody_can_retract_an_evaluation_or_a_supervision_record() {
    let net = Net::new();
    let county = hall(&net).await;
    let core = county.core();
    let (c00, s01, _) = signed_in(core).await;
    let e01 = tests::sign_in(core, "E01").await;

    let done = concluded(core, &c00, &s01, "M001");
    let code = done.evaluation_code.clone().expect("an evaluation code");
    let evaluated = core
        .evaluate(
            liandong_domain::Lang::Zh,
            &done.id,
            &code,
            5,
            "满意",
            "kiosk",
        )
        .expect("the applicant evaluates");
    let evaluation = op_of(&evaluated, "evaluated");
    for who in [&c00, &s01] {
        let e = refused(core, who, &done.id, retract(&evaluation));
        assert_eq!(
            refusal(&e),
            Some(&Refusal::EvaluationRetracted),
            "{}: {e}",
            who.staff
        );
    }
    assert!(show(core, &done.id).history.iter().all(|h| !h.superseded));

    // One working day promised: yellow at once, flagged by the county.
    put_matter(core, "M003", 1);
    let yellow = accept(core, &c00, "M003");
    core.flag_crossings().expect("rule engine pass");
    let flag = op_of(&show(core, &yellow), "supervision-flagged");
    let by_clerk = refused(core, &c00, &yellow, retract(&flag));
    assert!(
        matches!(refusal(&by_clerk), Some(Refusal::SupervisionIsPermanent { op }) if op.to_string() == flag),
        "{by_clerk}"
    );
    let by_supervisor = refused(core, &e01, &yellow, retract(&flag));
    assert_eq!(
        forbidden(&by_supervisor),
        Some(&Forbidden::Role {
            staff: "E01".into(),
            act: "retracted".into()
        }),
        "e-supervision retracts nothing: {by_supervisor}"
    );
    let flags = show(core, &yellow).history;
    assert!(
        flags.iter().all(|h| !h.superseded) && flags.iter().all(|h| h.event != "retracted"),
        "{flags:?}"
    );
}
