//! 好差评 comes from the applicant only: staff cannot record an
//! evaluation; the one-time code printed at conclusion evaluates the case
//! once; a wrong code is refused, and five wrong codes lock the case's
//! evaluation (the right code included) — so the code cannot be guessed.

use liandong_domain::{Lang, Refusal};
use liandong_node::control::CaseAction;
use liandong_node::error::Forbidden;
use liandong_node::{CaseDetail, NodeCore};
use tests::Net;

use super::support::{authorised_chief, concluded, d01, forbidden, held_events, refusal, refused};

/// How many evaluations `core` shows on `case`.
fn evaluations(core: &NodeCore, case: &str) -> usize {
    let (_, state) = core.case_state(case).expect("case state");
    state.evaluations.len()
}

/// The applicant evaluates `case` with `code` at a kiosk.
fn evaluate(
    core: &NodeCore,
    case: &str,
    code: &str,
) -> Result<CaseDetail, liandong_node::NodeError> {
    core.evaluate(Lang::Zh, case, code, 5, "办事高效", "kiosk")
}

/// A code of the right form that no case was given.
const WRONG: &str = "000000";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_applicants_code_evaluates_a_case_and_only_once() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    authorised_chief(core, "S01", &[], d01(), "A-S01-D01");
    let c00 = tests::sign_in(core, "C00").await;
    let s01 = tests::sign_in(core, "S01").await;
    let done = concluded(core, &c00, &s01, "M001");
    let code = done.evaluation_code.clone().expect("an evaluation code");
    let case = done.id.as_str();
    let before = held_events(core, case);

    let by_staff = CaseAction::Evaluate {
        level: 5,
        text: "很好".into(),
        evaluator: String::new(),
    };
    let e = refused(core, &c00, case, by_staff);
    // Refused by the permission table (nobody records `evaluated`), before
    // the domain check that answers EvaluationByStaff; see the ignored
    // test below.
    let staff_refused = refusal(&e) == Some(&Refusal::EvaluationByStaff)
        || forbidden(&e)
            == Some(&Forbidden::Role {
                staff: "C00".into(),
                act: "evaluated".into(),
            });
    assert!(staff_refused, "{e}");
    assert_eq!(held_events(core, case), before, "nothing written");

    let wrong = evaluate(core, case, WRONG).expect_err("a wrong code evaluates");
    assert_eq!(
        refusal(&wrong),
        Some(&Refusal::WrongEvaluationCode),
        "{wrong}"
    );
    assert_eq!(evaluations(core, case), 0);

    evaluate(core, case, &code).expect("the applicant's code evaluates");
    assert_eq!(evaluations(core, case), 1);
    let again = evaluate(core, case, &code).expect_err("a code evaluates twice");
    assert_eq!(refusal(&again), Some(&Refusal::AlreadyEvaluated), "{again}");
    assert_eq!(evaluations(core, case), 1, "one evaluation per case");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_evaluation_codes_lock_the_cases_evaluation() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    authorised_chief(core, "S01", &[], d01(), "A-S01-D01");
    let c00 = tests::sign_in(core, "C00").await;
    let s01 = tests::sign_in(core, "S01").await;
    let done = concluded(core, &c00, &s01, "M001");
    let code = done.evaluation_code.clone().expect("an evaluation code");
    let case = done.id.as_str();

    for attempt in 1..=5 {
        let e = evaluate(core, case, WRONG).expect_err("a wrong code evaluates");
        assert_eq!(
            refusal(&e),
            Some(&Refusal::WrongEvaluationCode),
            "attempt {attempt}: {e}"
        );
    }
    let locked = evaluate(core, case, &code).expect_err("the right code after five wrong ones");
    assert!(
        matches!(forbidden(&locked), Some(Forbidden::Locked { .. })),
        "{locked}"
    );
    assert_eq!(evaluations(core, case), 0, "nothing was evaluated");

    // The lock is this case's: another case's applicant evaluates.
    let other = concluded(core, &c00, &s01, "M001");
    let other_code = other.evaluation_code.clone().expect("a code");
    evaluate(core, &other.id, &other_code).expect("another case evaluates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerks_evaluation_is_refused_as_evaluation_by_staff() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    authorised_chief(core, "S01", &[], d01(), "A-S01-D01");
    let c00 = tests::sign_in(core, "C00").await;
    let s01 = tests::sign_in(core, "S01").await;
    let done = concluded(core, &c00, &s01, "M001");
    let by_staff = CaseAction::Evaluate {
        level: 5,
        text: "很好".into(),
        evaluator: String::new(),
    };
    let e = refused(core, &c00, &done.id, by_staff);
    assert_eq!(refusal(&e), Some(&Refusal::EvaluationByStaff), "{e}");
}
