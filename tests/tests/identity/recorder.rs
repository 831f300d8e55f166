//! Every accepted case shows who recorded it, wherever it is read: a case
//! accepted at a township by its signed-in window clerk carries him, his
//! role and the township on each event, and the county shows the same
//! once the case has arrived.

use liandong_node::control::CaseAction;
use liandong_node::output::RecorderLine;
use tests::{eventually, Net};

use super::support::{accept, show, step, LIMIT};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_accepted_at_a_township_shows_its_recorder_at_the_county() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    let c01 = tests::sign_in(town.core(), "C01").await;
    let case = accept(town.core(), &c01, "M001");
    step(
        town.core(),
        &c01,
        &case,
        CaseAction::Withdraw {
            reason: "申请人撤回".into(),
        },
    );
    let expected = RecorderLine {
        staff: "C01".into(),
        role: "window-clerk".into(),
        role_label: String::new(),
        node: "township/T01".into(),
    };
    let events = ["submitted", "accepted", "withdrawn"];

    let arrived = || {
        let held = county.core().store.case(&case).ok().flatten();
        held.is_some_and(|c| c.record.len() == events.len())
    };
    assert!(
        eventually(LIMIT, arrived).await,
        "the case never reached the county whole"
    );
    for (node, core) in [("township", town.core()), ("county", county.core())] {
        let detail = show(core, &case);
        let names: Vec<&str> = detail.history.iter().map(|h| h.event.as_str()).collect();
        assert_eq!(names, events, "{node}");
        for line in &detail.history {
            let recorder = line
                .recorder
                .clone()
                .unwrap_or_else(|| panic!("{node}: {} has no recorder", line.event));
            assert_eq!(
                RecorderLine {
                    role_label: String::new(),
                    ..recorder.clone()
                },
                expected,
                "{node}: {}",
                line.event
            );
            assert!(!recorder.role_label.is_empty(), "{node}: {recorder:?}");
        }
    }
}
