//! Revocation: the county revokes a township's certificate; the township's
//! live session ends, it is refused at every later handshake with a reason
//! both sides show, the revocation reaches every node, and a certificate
//! issued after the revocation lets the same township back in with nothing
//! lost.

use std::time::Duration;

use tests::{accept_cases, eventually, in_sync, township_id, Net};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_township_is_cut_off_until_it_gets_a_new_certificate() {
    let net = Net::new();
    let county = net.county(0).await;
    let t1 = net.township("T01", county.port(), None).await;
    let t2 = net.township("T02", county.port(), None).await;
    accept_cases(t1.core(), 3);
    assert!(
        eventually(Duration::from_secs(30), || in_sync(
            county.core(),
            t1.core()
        ))
        .await
    );

    let message = county
        .core()
        .revoke(&tests::network_admin(), "township/T01", "machine stolen")
        .expect("revoke");
    assert!(message.contains("township/T01"), "{message}");
    let t1_id = township_id("T01");
    let county_id = liandong_model::NodeId::county("HQ").unwrap();

    // The revocation replicates to every node that is still trusted.
    assert!(
        eventually(Duration::from_secs(30), || {
            t2.core()
                .store
                .revocations()
                .map(|r| r.contains_key(&t1_id))
                .unwrap_or(false)
        })
        .await,
        "T02 holds the revocation"
    );
    // T01 is cut off and refused; both sides say why.
    let refused = eventually(Duration::from_secs(30), || {
        let t1_says = t1
            .core()
            .board
            .get(&county_id)
            .and_then(|l| l.last_error)
            .unwrap_or_default();
        let county_says = county
            .core()
            .status()
            .ok()
            .and_then(|s| s.peers.into_iter().find(|p| p.node == "township/T01"))
            .and_then(|p| p.last_error)
            .unwrap_or_default();
        t1_says.contains("revoked") && county_says.contains("revoked")
    })
    .await;
    let t1_link = t1.core().board.get(&county_id);
    let county_view = county.core().status().ok().map(|s| s.peers);
    assert!(
        refused,
        "both sides report the revocation: T01 {t1_link:?} county {county_view:?}"
    );
    let during = accept_cases(t1.core(), 2);
    tokio::time::sleep(Duration::from_secs(2)).await;
    for id in &during {
        assert!(
            county.core().store.case(id).unwrap().is_none(),
            "revoked T01 delivered {id}"
        );
    }
    t1.stop().await;

    // A certificate issued after the revocation re-enrols T01.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let ca = liandong_net::tls::Ca::load(&net.pki()).expect("CA");
    let issued = ca.issue(&t1_id, &[], 30).expect("new certificate");
    liandong_net::tls::write_node_cert(&net.pki(), &t1_id, &issued, &net.pki()).expect("written");
    let t1 = net.township("T01", county.port(), None).await;
    assert!(
        eventually(Duration::from_secs(30), || in_sync(
            county.core(),
            t1.core()
        ))
        .await,
        "re-enrolled T01 converges"
    );
    for id in &during {
        assert!(
            county.core().store.case(id).unwrap().is_some(),
            "{id} arrives after re-enrolment"
        );
    }
}
