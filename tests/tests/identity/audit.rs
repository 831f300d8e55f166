//! The audit log, fed by the control socket of a running township: a
//! sign-in, a case accepted, a failed sign-in and a sign-out each leave a
//! line with the staff member, the action, its result and the OS user who
//! sent it (the kernel's, not the caller's word); the township's lines
//! reach the county, where hall management reads them.

use std::path::Path;

use liandong_domain::{AuditEntry, Lang, StaffRole};
use liandong_node::control::{self, ApplicantInput, Call, Reply, Request};
use liandong_node::identity::AuditFilter;
use liandong_node::NodeCore;
use tests::{eventually, Net, PASSWORD};

use super::support::{credential_arrived, my_uid, LIMIT};

/// One call on the control socket of the node whose data is `dir`.
async fn call(dir: &Path, call: Call) -> Reply {
    control::call(dir, "township-node", &call)
        .await
        .unwrap_or_else(|e| panic!("control socket of {}: {e}", dir.display()))
}

fn login(password: &str) -> Call {
    let request = Request::Login {
        staff: "C01".into(),
        password: password.into(),
    };
    Call::new(Lang::Zh, request)
}

/// The (action, result, staff, OS uid) of each of C01's lines at `core`
/// written by `node`, oldest first.
fn c01_lines(core: &NodeCore, who: &liandong_node::identity::Actor, node: &str) -> Vec<AuditEntry> {
    let filter = AuditFilter {
        staff: Some("C01".into()),
        ..Default::default()
    };
    let lines = core.audit_list(who, &filter).expect("audit list");
    lines.into_iter().filter(|l| l.node == node).collect()
}

fn summary(lines: &[AuditEntry]) -> Vec<(&str, &str)> {
    lines
        .iter()
        .map(|l| (l.action.as_str(), l.result.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn control_socket_calls_are_audited_with_staff_result_and_os_user_and_reach_the_county() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    credential_arrived(town.core(), "C01").await;
    let dir = net.dir("T01");
    let uid = my_uid(&net);

    let Reply::LoggedIn(reply) = call(&dir, login(PASSWORD)).await else {
        panic!("C01 does not sign in over the socket");
    };
    let accept = Request::AcceptCase {
        matter: "M001".into(),
        applicant: ApplicantInput {
            name: "李四".into(),
            id_number: "410000199001015675".into(),
            ..Default::default()
        },
        materials: vec![],
        submit_only: false,
        conclude: false,
    };
    let accepted = call(&dir, Call::signed(Lang::Zh, &reply.token, accept)).await;
    assert!(matches!(accepted, Reply::Case(_)), "{accepted:?}");
    let failed = call(&dir, login("Wrong-Password-9")).await;
    assert!(matches!(failed, Reply::Error { .. }), "{failed:?}");
    let out = call(&dir, Call::signed(Lang::Zh, &reply.token, Request::Logout)).await;
    assert!(matches!(out, Reply::Done { .. }), "{out:?}");

    let expected = [
        ("login", "ok"),
        ("case-accept", "ok"),
        ("login", "failed"),
        ("logout", "ok"),
    ];
    let at_town = c01_lines(town.core(), &tests::reader(), "township/T01");
    assert_eq!(summary(&at_town), expected, "{at_town:?}");
    for line in &at_town {
        assert_eq!(line.staff.as_deref(), Some("C01"), "{line:?}");
        assert_eq!(line.os_uid, Some(uid), "the caller's uid: {line:?}");
    }
    let accept_line = at_town.iter().find(|l| l.action == "case-accept");
    let accept_line = accept_line.expect("the accept line");
    assert_eq!(accept_line.role, Some(StaffRole::Clerk));
    assert_eq!(accept_line.target, "M001");

    let hall = tests::hall(county.core());
    let arrived = || c01_lines(county.core(), &hall, "township/T01").len() == at_town.len();
    assert!(
        eventually(LIMIT, arrived).await,
        "the township's lines never reached the county: {:?}",
        c01_lines(county.core(), &hall, "township/T01")
    );
    assert_eq!(c01_lines(county.core(), &hall, "township/T01"), at_town);
}

/// The handler's rule: each call leaves one audit line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_out_over_the_control_socket_leaves_one_audit_line() {
    let net = Net::new();
    let county = net.county(0).await;
    let dir = net.dir("county");
    let request = Request::Login {
        staff: "C00".into(),
        password: PASSWORD.into(),
    };
    let Reply::LoggedIn(reply) = call(&dir, Call::new(Lang::Zh, request)).await else {
        panic!("C00 does not sign in over the socket");
    };
    let out = call(&dir, Call::signed(Lang::Zh, &reply.token, Request::Logout)).await;
    assert!(matches!(out, Reply::Done { .. }), "{out:?}");

    let filter = AuditFilter {
        staff: Some("C00".into()),
        ..Default::default()
    };
    let hall = tests::hall(county.core());
    let lines = county
        .core()
        .audit_list(&hall, &filter)
        .expect("audit list");
    assert_eq!(
        summary(&lines),
        [("login", "ok"), ("logout", "ok")],
        "one line per call: {lines:?}"
    );
}
