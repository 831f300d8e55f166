//! Signing in needs only the node one signs in at: a township holds the
//! credentials of the staff who work there (written at the county,
//! replicated), so its clerks sign in and work with the county down; a
//! reset at the county and a change at a township each reach the other
//! side once they are connected again.

use liandong_model::NodeId;
use liandong_node::error::Forbidden;
use liandong_node::NodeCore;
use tests::{connected, eventually, Net, Node, PASSWORD};
use township_node::Township;

use super::support::{accept, credential_arrived, forbidden, show, LIMIT};

/// The password a test changes to.
const NEW: &str = "Neu-Passwort-2027";

fn county_id() -> NodeId {
    NodeId::county("HQ").expect("county id")
}

/// The password hash `core` holds for `staff`, if any.
fn hash_at(core: &NodeCore, staff: &str) -> Option<String> {
    core.store.credential(staff).ok().flatten().map(|c| c.hash)
}

/// Waits until `town` holds C01's credential and roster entry.
async fn c01_arrived(town: &NodeCore) {
    credential_arrived(town, "C01").await;
}

/// Waits until `town` no longer shows its county connected.
async fn county_gone(town: &Node<Township>) {
    assert!(
        eventually(LIMIT, || !connected(town.core(), &county_id())).await,
        "the township still shows the county connected"
    );
}

/// Whether a sign-in was refused as a wrong id or password.
fn wrong_credentials(
    r: Result<liandong_node::identity::LoginReply, liandong_node::NodeError>,
) -> bool {
    matches!(
        r.as_ref().map_err(forbidden),
        Err(Some(Forbidden::WrongCredentials))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clerk_signs_in_at_a_township_and_accepts_a_case_with_the_county_down() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    c01_arrived(town.core()).await;
    county.stop().await;
    county_gone(&town).await;

    let core = town.core();
    let reply = core
        .login("C01", PASSWORD, "test", None)
        .expect("C01 signs in with the county down");
    assert_eq!(reply.staff, "C01");
    let c01 = core.actor(&reply.token, None).expect("his session");
    let case = accept(core, &c01, "M001");
    let detail = show(core, &case);
    let recorders: Vec<Option<&str>> = detail
        .history
        .iter()
        .map(|h| h.recorder.as_ref().map(|r| r.staff.as_str()))
        .collect();
    assert_eq!(
        recorders,
        [Some("C01"), Some("C01")],
        "{:?}",
        detail.history
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_at_the_county_replaces_the_old_password_at_the_township() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    c01_arrived(town.core()).await;
    let before = hash_at(town.core(), "C01");

    let hall = tests::hall(county.core());
    county
        .core()
        .set_password(&hall, "C01", Some(NEW), false)
        .expect("hall management resets C01's password");
    let replaced = || hash_at(town.core(), "C01") != before;
    assert!(
        eventually(LIMIT, replaced).await,
        "the reset never reached the township"
    );

    let old = town.core().login("C01", PASSWORD, "test", None);
    assert!(wrong_credentials(old), "the old password still signs in");
    let new = town
        .core()
        .login("C01", NEW, "test", None)
        .expect("the new password signs in at the township");
    assert!(new.must_change, "a reset asks for a new password");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_changed_at_an_offline_township_reaches_the_county_later() {
    let net = Net::new();
    let county = net.county(0).await;
    let port = county.port();
    let town = net.township("T01", port, None).await;
    c01_arrived(town.core()).await;
    let at_county = hash_at(county.core(), "C01");
    county.stop().await;
    county_gone(&town).await;

    let core = town.core();
    let reply = core.login("C01", PASSWORD, "test", None).expect("signs in");
    let c01 = core.actor(&reply.token, None).expect("his session");
    core.passwd(liandong_domain::Lang::Zh, &c01, PASSWORD, NEW)
        .expect("C01 changes his password offline");
    let old = core.login("C01", PASSWORD, "test", None);
    assert!(
        wrong_credentials(old),
        "the old password still signs in here"
    );
    core.login("C01", NEW, "test", None)
        .expect("the new password signs in at the township");

    let county = net.county(port).await;
    let changed = || hash_at(county.core(), "C01") != at_county;
    assert!(
        eventually(LIMIT, changed).await,
        "the change never reached the county"
    );
    let old = county.core().login("C01", PASSWORD, "test", None);
    assert!(
        wrong_credentials(old),
        "the county still takes the old password"
    );
    let new = county
        .core()
        .login("C01", NEW, "test", None)
        .expect("the county takes the new password");
    assert!(!new.must_change, "his own choice needs no change");
}
