//! A poisoned clock: the county's wall clock is a year ahead for a moment
//! and it writes a catalogue entry stamped then. The township refuses the
//! entry (stamped beyond the skew bound), counts it as a `future-stamp`
//! rejection and keeps a rejection record; its own clock does not follow:
//! the cases it accepts afterwards are stamped near real time.

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
    let county_id = NodeId::county("HQ").expect("county id");
    let skew_rejections = || {
        town.core()
            .board
            .get(&county_id)
            .and_then(|l| l.rejections.get("future-stamp").copied())
            .unwrap_or(0)
    };
    let refused = eventually(Duration::from_secs(30), || skew_rejections() >= 1).await;
    assert!(
        refused,
        "the year-ahead stamp is not counted as future-stamp: {:?}",
        town.core().board.get(&county_id)
    );
    assert!(town.core().store.matter("M001").expect("read").is_none());
    let status = town.core().status().expect("status");
    assert!(status
        .recent_rejections
        .iter()
        .any(|r| r.reason == "future-stamp" && r.entity == "matter/M001"));

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
