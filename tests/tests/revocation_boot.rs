//! Revocations at boot: a county whose store already holds a revocation
//! (written before a restart) has it in its live list by the time its
//! replication server accepts, so the revoked township is refused from the
//! first handshake, not only once a background pass has caught up.
//!
//! The test runs on a single-threaded runtime on purpose: there, a
//! background task spawned during boot cannot run before boot yields, so a
//! list loaded "soon, in the background" shows as empty when the start
//! returns.

use std::time::Duration;

use liandong_domain::OpBody;
use liandong_model::{EntityId, NodeId};
use liandong_node::shutdown::Shutdown;
use liandong_store::{Store, StoreOptions};
use tests::{eventually, now_ms, township_id, Net};

#[tokio::test]
async fn a_county_starts_with_its_stored_revocations_loaded_before_it_accepts_peers() {
    let net = Net::new();
    liandong_net::tls::install_crypto_provider();
    liandong_net::tls::init_ca(&net.pki()).expect("dev CA");
    let t01 = township_id("T01");
    // T01's certificate, issued before the county revoked it.
    liandong_net::tls::ensure_dev_node_cert(&net.pki(), &t01, &[]).expect("T01 certificate");
    tokio::time::sleep(Duration::from_millis(20)).await;
    {
        let county_id = NodeId::county("HQ").expect("county id");
        let store = Store::open(&net.dir("county"), &county_id, &StoreOptions::default())
            .expect("county store");
        let now = now_ms();
        let revoke = OpBody::Revoke {
            node: t01.clone(),
            before_ms: now as i64,
            reason: "machine stolen".into(),
        };
        store
            .append_local(vec![(EntityId::Revocation(t01.clone()), revoke)], now)
            .expect("revocation written");
    }

    let shutdown = Shutdown::new();
    let county = county_node::start(net.county_config(0), shutdown.clone())
        .await
        .expect("county starts");
    assert!(
        county.core.revocations.list().contains_key(&t01),
        "the county accepts peers with an empty revocation list"
    );

    let town = net.township("T01", county.grpc_addr.port(), None).await;
    let county_id = NodeId::county("HQ").expect("county id");
    let refused = eventually(Duration::from_secs(30), || {
        town.core()
            .board
            .get(&county_id)
            .and_then(|l| l.last_error)
            .is_some_and(|e| e.contains("revoked"))
    })
    .await;
    assert!(
        refused,
        "revoked T01 was not refused: {:?}",
        town.core().board.get(&county_id)
    );
    assert!(
        !town
            .core()
            .board
            .get(&county_id)
            .is_some_and(|l| l.connected),
        "revoked T01 holds a session"
    );
    town.stop().await;
    shutdown.drain(Duration::from_secs(10)).await;
}
