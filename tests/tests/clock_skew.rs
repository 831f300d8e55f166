//! A poisoned clock: the county's wall clock is a year ahead for a moment
//! and it writes a catalogue entry stamped then. The township stores the
//! entry (never lose an operation) and counts it as a `clock-skew`
//! rejection, but its own clock does not follow: the cases it accepts
//! afterwards are stamped near real time, not a year ahead.

use std::time::Duration;

use liandong_model::{ManualClock, NodeId, DEFAULT_MAX_CLOCK_SKEW_MS};
use liandong_node::shutdown::Shutdown;
use tests::{accept_cases, eventually, now_ms, Net};

const YEAR_MS: u64 = 365 * 24 * 3600 * 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_holding_an_op_stamped_a_year_ahead_keeps_stamping_near_real_time() {
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
        town.core().store.matter("M001").ok().flatten().is_some()
    })
    .await;
    assert!(held, "the township never received the year-ahead entry");
    let county_id = NodeId::county("HQ").expect("county id");
    let skew_rejections = town
        .core()
        .board
        .get(&county_id)
        .and_then(|l| l.rejections.get("clock-skew").copied())
        .unwrap_or(0);
    assert!(
        skew_rejections >= 1,
        "the year-ahead stamp is not counted as clock-skew: {:?}",
        town.core().board.get(&county_id)
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
