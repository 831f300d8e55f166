//! A township whose disk is below its free-space reserve refuses clerk
//! writes with a clear error, keeps replicating what it already stored, and
//! says so in the county's status. (The reserve is set above the free space
//! of the test machine's disk: the same check a filling disk trips.)

use std::time::Duration;

use tests::{accept_cases, eventually, in_sync, Net};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_below_its_disk_reserve_refuses_writes_but_keeps_replicating() {
    let net = Net::new();
    let port = tests::free_port();
    let town = net.township("T01", port, None).await;
    let stored = accept_cases(town.core(), 10);
    town.stop().await;

    // Restart with a reserve larger than any disk: the disk counts as full.
    let mut cfg = net.township_config("T01", port);
    cfg.disk_reserve_mb = u64::MAX / (1024 * 1024 * 2);
    let shutdown = liandong_node::shutdown::Shutdown::new();
    let town = township_node::start(cfg, shutdown.clone())
        .await
        .expect("starts");
    let refused = town
        .core
        .accept_case(
            &tests::clerk_at(&town.core),
            "M001",
            "李四",
            "410000199002021233",
        )
        .expect_err("write refused when the disk is below the reserve");
    let refused = liandong_cli::node_error_text(&refused, liandong_domain::Lang::Zh);
    assert!(
        refused.contains("磁盘空间不足") && refused.contains("disk nearly full"),
        "{refused}"
    );

    // Replication of what is stored goes on, and the county is told.
    let county = net.county(port).await;
    assert!(
        eventually(Duration::from_secs(30), || in_sync(
            county.core(),
            &town.core
        ))
        .await,
        "the stored cases reach the county"
    );
    for id in &stored {
        assert!(county.core().store.case(id).unwrap().is_some());
    }
    let told = eventually(Duration::from_secs(30), || {
        county
            .core()
            .status()
            .ok()
            .and_then(|s| s.peers.into_iter().find(|p| p.node == "township/T01"))
            .and_then(|p| p.report)
            .is_some_and(|r| r.store_problem.contains("disk nearly full") && r.write_refusals >= 1)
    })
    .await;
    assert!(
        told,
        "the county's status shows the township's disk problem"
    );
    shutdown.drain(Duration::from_secs(10)).await;
}
