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
    tests::put_m001(&county.core);

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_on_an_injected_clock_dates_its_cases_and_status_by_that_clock() {
    let net = Net::new();
    liandong_net::tls::install_crypto_provider();
    liandong_net::tls::init_ca(&net.pki()).expect("dev CA");
    // 2026-03-02 10:00 CST, a Monday.
    let monday_10am_cst = 1_772_416_800_000;
    let clock = liandong_model::ManualClock::new(monday_10am_cst);
    let seams = township_node::Seams {
        clock: clock.clone(),
        ..Default::default()
    };
    let shutdown = Shutdown::new();
    let town = township_node::start_with(net.township_config("T01", 1), shutdown.clone(), seams)
        .await
        .expect("township starts on the injected clock");
    let status = town.core.status().expect("status");
    assert_eq!(status.now_ms, monday_10am_cst);

    let first = accept_cases(&town.core, 1).remove(0);
    assert!(
        first.contains("20260302"),
        "case {first} is not numbered by the injected date"
    );
    clock.advance(24 * 3600 * 1000);
    let second = accept_cases(&town.core, 1).remove(0);
    assert!(
        second.contains("20260303"),
        "case {second} is not numbered by the injected date after a day passed"
    );
    shutdown.drain(Duration::from_secs(10)).await;
}
