//! Sixty townships' uplinks served by one county at once, in one process,
//! over real mutual TLS on loopback with real sled stores: every township
//! wrote its backlog while the county was down (one of them a backlog many
//! times the others'), the county starts, and every link comes up and
//! delivers everything it holds.
//!
//! Time only bounds waits (`eventually`); nothing asserts on timing.

use std::time::Duration;

use tests::bench::workload::Workload;
use tests::{eventually, free_port, now_ms, Net};

/// Upper bound of every wait; generous for debug builds on two cores.
const LIMIT: Duration = Duration::from_secs(240);

const TOWNSHIPS: usize = 60;
const SMALL_BACKLOG: u64 = 10;
const BIG_BACKLOG: u64 = 3_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_townships_connecting_at_once_all_deliver_their_backlogs_beside_a_big_one() {
    let net = Net::new();
    let county_port = free_port();
    let mut towns = Vec::new();
    for i in 0..TOWNSHIPS {
        let name = format!("T{:02}", i + 1);
        let town = net.township(&name, county_port, None).await;
        let backlog = if i == 0 { BIG_BACKLOG } else { SMALL_BACKLOG };
        let core = town.core();
        let mut work = Workload::new(core.me().clone(), &core.county_code, now_ms(), 400);
        let mut written = 0;
        while written < backlog {
            let n = (backlog - written).min(1_000);
            let now = now_ms();
            let report = core
                .store
                .append_local(work.chunk(n as usize, now), now)
                .expect("backlog written at the township");
            assert_eq!(report.applied.len() as u64, n, "{name} wrote its backlog");
            written += n;
        }
        towns.push((town, backlog));
    }

    let county = net.county(county_port).await;
    let store = county.core().store.clone();
    let all_held = eventually(LIMIT, || {
        let Ok(stats) = store.stats() else {
            return false;
        };
        towns.iter().all(|(town, backlog)| {
            stats.origin_counts.get(town.core().me()).copied() == Some(*backlog)
        })
    })
    .await;
    let stats = store.stats().expect("county stats");
    let missing: Vec<String> = towns
        .iter()
        .filter_map(|(town, backlog)| {
            let held = stats.origin_counts.get(town.core().me()).copied();
            (held != Some(*backlog)).then(|| format!("{}: {held:?} of {backlog}", town.core().me()))
        })
        .collect();
    assert!(
        all_held,
        "the county holds every backlog; short: {missing:?}"
    );

    let board = county.core().board.snapshot();
    for (town, _) in &towns {
        let link = board
            .get(town.core().me())
            .unwrap_or_else(|| panic!("{} is on the county's link board", town.core().me()));
        assert!(link.connected, "{}'s uplink is up", town.core().me());
    }
    for (town, _) in towns {
        town.stop().await;
    }
    county.stop().await;
}
