//! The control socket of a running county: only its owner can open it
//! (mode 0600), every request but status and sign-in needs a session,
//! and a session acts only in its roles — hall management and the network
//! admin never read cases, a window clerk does.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use liandong_domain::{Lang, StaffRole};
use liandong_node::control::{self, Call, CaseFilter, Reply, Request};
use liandong_node::error::{ErrorReply, Forbidden};
use tests::{Net, PASSWORD};

use super::support::{accept, put_staff};

async fn call(dir: &Path, call: Call) -> Reply {
    control::call(dir, "county-node", &call)
        .await
        .unwrap_or_else(|e| panic!("control socket of {}: {e}", dir.display()))
}

/// Signs `staff` in over the socket; his session token.
async fn session(dir: &Path, staff: &str, password: &str) -> String {
    let request = Request::Login {
        staff: staff.into(),
        password: password.into(),
    };
    match call(dir, Call::new(Lang::Zh, request)).await {
        Reply::LoggedIn(reply) => reply.token,
        other => panic!("{staff} does not sign in over the socket: {other:?}"),
    }
}

fn list_cases() -> Request {
    Request::ListCases {
        origin: None,
        filter: CaseFilter::default(),
    }
}

/// What a refused reply forbids.
fn forbids(reply: &Reply) -> Option<&Forbidden> {
    match reply {
        Reply::Error {
            error: ErrorReply::NotPermitted { what },
        } => Some(what),
        _ => None,
    }
}

fn role_refusal(staff: &str) -> Forbidden {
    Forbidden::Role {
        staff: staff.into(),
        act: "read-cases".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_control_socket_is_private_needs_a_session_and_reads_cases_only_in_a_case_role() {
    let net = Net::new();
    let county = net.county(0).await;
    let core = county.core();
    put_staff(core, "N01", StaffRole::NetworkAdmin);
    let case = accept(core, &tests::clerk_at(core), "M001");
    let dir = net.dir("county");

    let socket = control::socket_path(&dir);
    let mode = std::fs::metadata(&socket)
        .expect("socket")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{}: mode {mode:o}", socket.display());

    let anonymous = call(&dir, Call::new(Lang::Zh, list_cases())).await;
    assert_eq!(
        forbids(&anonymous),
        Some(&Forbidden::NotSignedIn {
            node: "county/HQ".into()
        }),
        "{anonymous:?}"
    );
    let show = || Request::ShowCase { case: case.clone() };
    let anonymous = call(&dir, Call::new(Lang::Zh, show())).await;
    assert!(
        matches!(forbids(&anonymous), Some(Forbidden::NotSignedIn { .. })),
        "{anonymous:?}"
    );

    let initial = core
        .store
        .path()
        .join(liandong_node::identity::INITIAL_PASSWORD_FILE);
    let admin_password = std::fs::read_to_string(&initial).expect("initial password");
    let hall = session(&dir, "admin", admin_password.trim()).await;
    let shown = call(&dir, Call::signed(Lang::Zh, &hall, show())).await;
    assert_eq!(forbids(&shown), Some(&role_refusal("admin")), "{shown:?}");

    let admin = session(&dir, "N01", PASSWORD).await;
    let listed = call(&dir, Call::signed(Lang::Zh, &admin, list_cases())).await;
    assert_eq!(forbids(&listed), Some(&role_refusal("N01")), "{listed:?}");
    let shown = call(&dir, Call::signed(Lang::Zh, &admin, show())).await;
    assert_eq!(forbids(&shown), Some(&role_refusal("N01")), "{shown:?}");

    // The window clerk's session reads them: the refusals were the roles'.
    let clerk = session(&dir, "C00", PASSWORD).await;
    let listed = call(&dir, Call::signed(Lang::Zh, &clerk, list_cases())).await;
    let Reply::Cases { cases } = listed else {
        panic!("the clerk cannot list cases: {listed:?}");
    };
    assert!(cases.iter().any(|c| c.id == case), "{cases:?}");
    let shown = call(&dir, Call::signed(Lang::Zh, &clerk, show())).await;
    assert!(matches!(shown, Reply::Case(_)), "{shown:?}");
}
