//! The seams a simulation needs: the real county and township, started
//! through `Seams` and `start_county_on`, replicate over an in-memory
//! network (no socket anywhere) with real mutual TLS, survive a cut of that
//! network, and converge.

use std::time::Duration;

use liandong_node::shutdown::Shutdown;
use tests::memnet::MemNet;
use tests::{accept_cases, eventually, in_sync, township_id, Net};

const LIMIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn county_and_township_replicate_over_an_in_memory_network_and_converge_after_a_cut() {
    let net = Net::new();
    let (mem, listener) = MemNet::new();

    let county_shutdown = Shutdown::new();
    let county = county_node::start_on(
        net.county_config(0),
        county_shutdown.clone(),
        county_node::Seams::default(),
        listener,
    )
    .await
    .expect("county starts on the in-memory listener");
    county
        .core
        .put_matter(
            liandong_domain::Lang::Zh,
            liandong_domain::Matter::basic(
                "M001",
                "个体工商户设立登记",
                liandong_domain::Level::Township,
                3,
                15,
                "D01",
            ),
        )
        .expect("catalogue entry M001");

    let town_shutdown = Shutdown::new();
    let seams = township_node::Seams {
        dialer: mem.dialer(),
        ..Default::default()
    };
    // The configured county address is never dialled: the dialer ignores it.
    let town =
        township_node::start_with(net.township_config("T01", 1), town_shutdown.clone(), seams)
            .await
            .expect("township starts with the in-memory dialer");

    let t01 = township_id("T01");
    accept_cases(&town.core, 20);
    assert!(
        eventually(LIMIT, || in_sync(&county.core, &town.core)).await,
        "county and township did not converge over the in-memory network"
    );
    assert_eq!(county.core.store.stats().expect("stats").cases, 20);
    assert!(
        county.core.board.get(&t01).is_some_and(|l| l.connected),
        "the county's board does not show the township connected"
    );

    mem.set_up(false);
    assert!(
        eventually(LIMIT, || !county
            .core
            .board
            .get(&t01)
            .is_some_and(|l| l.connected))
        .await,
        "the county never noticed the cut"
    );
    accept_cases(&town.core, 15);
    mem.set_up(true);
    assert!(
        eventually(LIMIT, || in_sync(&county.core, &town.core)).await,
        "county and township did not converge after the network came back"
    );
    assert_eq!(county.core.store.stats().expect("stats").cases, 35);

    town_shutdown.drain(Duration::from_secs(10)).await;
    county_shutdown.drain(Duration::from_secs(10)).await;
}
