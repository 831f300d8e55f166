//! Clocks out of step, with real nodes over real mutual TLS:
//!
//! - a poisoned clock: the county's wall clock is a year ahead for a moment
//!   and it writes a catalogue entry stamped then. The township holds the
//!   entry as the county does (the county is where stamps are screened;
//!   refusing what it holds would split the replicas for good), but its own
//!   clock does not follow: the cases it accepts afterwards are stamped
//!   near real time;
//! - a township whose clock runs 8 minutes fast (beyond the 5-minute
//!   bound): the county holds its operations back, counts and shows them,
//!   and applies every one once its own clock is within the bound. Nothing
//!   the township's clerks were told succeeded is lost.

use std::time::Duration;

use liandong_model::{ManualClock, DEFAULT_MAX_CLOCK_SKEW_MS};
use liandong_node::shutdown::Shutdown;
use tests::{accept_cases, eventually, now_ms, Net};

const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_holding_an_op_stamped_a_year_ahead_by_its_county_keeps_stamping_near_real_time()
{
    let net = Net::new();
    let clock = ManualClock::new(now_ms());
    let seams = county_node::Seams {
        clock: clock.clone(),
        ..Default::default()
    };
    let county_shutdown = Shutdown::new();
    let county = county_node::start_with(net.county_config(0), county_shutdown.clone(), seams)
        .await
        .expect("county starts");
    // For one write the county's clock is a year ahead.
    clock.set(now_ms() + YEAR_MS);
    tests::put_m001(&county.core);
    clock.set(now_ms());

    let town = net.township("T01", county.grpc_addr.port(), None).await;
    let held = eventually(Duration::from_secs(30), || {
        town.core().store.matter("M001").is_ok_and(|m| m.is_some())
    })
    .await;
    assert!(
        held,
        "the township does not hold the entry the county holds"
    );
    let hlc = town.core().store.clock_now();
    assert!(
        hlc.wall_ms <= now_ms() + DEFAULT_MAX_CLOCK_SKEW_MS,
        "the township's clock followed the year-ahead stamp"
    );

    let ids = accept_cases(town.core(), 1);
    let case = town
        .core()
        .store
        .case(&ids[0])
        .expect("read case")
        .expect("case stored");
    let limit = now_ms() + DEFAULT_MAX_CLOCK_SKEW_MS;
    for (op, event) in case.record.iter() {
        assert!(
            event.hlc.wall_ms <= limit,
            "{op} is stamped {} ms ahead of real time",
            event.hlc.wall_ms.saturating_sub(now_ms())
        );
    }
    town.stop().await;
    county_shutdown.drain(Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_holds_back_a_fast_townships_cases_and_applies_every_one_when_its_clock_catches_up(
) {
    let net = Net::new();
    let county_clock = ManualClock::new(now_ms());
    let seams = county_node::Seams {
        clock: county_clock.clone(),
        ..Default::default()
    };
    let county_shutdown = Shutdown::new();
    let county = county_node::start_with(net.county_config(0), county_shutdown.clone(), seams)
        .await
        .expect("county starts");
    tests::put_m001(&county.core);
    liandong_net::tls::init_ca(&net.pki()).expect("dev CA");
    let eight_minutes = 8 * 60 * 1000;
    let town_clock = ManualClock::new(now_ms() + eight_minutes);
    let town_seams = township_node::Seams {
        clock: town_clock.clone(),
        ..Default::default()
    };
    let town_shutdown = Shutdown::new();
    let town = township_node::start_with(
        net.township_config("T01", county.grpc_addr.port()),
        town_shutdown.clone(),
        town_seams,
    )
    .await
    .expect("township starts");
    let ids = accept_cases(&town.core, 3);

    let status = || county.core.status().expect("status");
    let held = eventually(Duration::from_secs(30), || status().held_back_ops > 0).await;
    assert!(
        held,
        "the county did not hold the fast township's operations back"
    );
    assert!(ids
        .iter()
        .all(|id| county.core.store.case(id).expect("read").is_none()));
    assert!(status()
        .recent_rejections
        .iter()
        .any(|r| r.reason == "future-stamp" && r.message.contains("held back")));

    // The county's clock reaches the stamps minus the bound.
    county_clock.set(now_ms() + eight_minutes);
    let landed = eventually(Duration::from_secs(30), || {
        ids.iter()
            .all(|id| county.core.store.case(id).is_ok_and(|c| c.is_some()))
            && status().held_back_ops == 0
    })
    .await;
    assert!(landed, "held operations were not applied: {:?}", status());
    let synced = eventually(Duration::from_secs(30), || {
        tests::in_sync(&county.core, &town.core)
    })
    .await;
    assert!(synced, "county and township did not converge");
    town_shutdown.drain(Duration::from_secs(10)).await;
    county_shutdown.drain(Duration::from_secs(10)).await;
}
