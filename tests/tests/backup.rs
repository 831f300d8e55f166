//! Backups taken while clerks keep writing, restored onto a new machine:
//! nothing accepted before or after the backup is lost once the restored
//! township has talked to the county.

use std::time::Duration;

use liandong_store::{Store, StoreOptions};
use tests::{accept_cases, eventually, in_sync, Net};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_live_writes_restores_to_a_store_that_converges_with_the_county() {
    let net = Net::new();
    let county = net.county(0).await;
    let town = net.township("T01", county.port(), None).await;
    let core = town.core().clone();
    let writer = tokio::task::spawn_blocking(move || accept_cases(&core, 300));
    // Back up while the clerk keeps writing.
    let backup = net.dir("T01.backup");
    let core = town.core().clone();
    assert!(
        eventually(Duration::from_secs(30), || core
            .store
            .stats()
            .map(|s| s.cases)
            .unwrap_or(0)
            >= 50)
        .await
    );
    let message = town
        .core()
        .backup(&tests::network_admin(), &backup)
        .expect("online backup");
    assert!(message.contains("backed up"), "{message}");
    let mut accepted = writer.await.expect("writer");
    accepted.extend(accept_cases(town.core(), 20));
    assert!(
        eventually(Duration::from_secs(60), || in_sync(
            county.core(),
            town.core()
        ))
        .await,
        "county has everything before the machine fails"
    );
    town.stop().await;

    // A new machine: restore into an empty directory, start with the same id.
    let new_dir = net.dir("T01-new");
    let me = tests::township_id("T01");
    let restored = {
        let store = Store::open(&new_dir, &me, &StoreOptions::default()).expect("empty store");
        let file = std::fs::File::open(&backup).expect("backup file");
        store.restore(file, 500).expect("restore")
    };
    assert!(restored.operations > 0 && (restored.operations as usize) < accepted.len() * 2);
    let mut cfg = net.township_config("T01", county.port());
    cfg.data = Some(new_dir);
    let shutdown = liandong_node::shutdown::Shutdown::new();
    let town = township_node::start(cfg, shutdown.clone())
        .await
        .expect("restored township starts");
    // New cases at the restored township get fresh ids, never reused ones.
    let fresh = accept_cases(&town.core, 5);
    assert!(
        eventually(Duration::from_secs(60), || in_sync(
            county.core(),
            &town.core
        ))
        .await,
        "restored township and county converge"
    );
    for id in accepted.iter().chain(fresh.iter()) {
        assert!(
            town.core.store.case(id).expect("read").is_some(),
            "case {id} is back at the township"
        );
        assert!(
            county.core().store.case(id).expect("read").is_some(),
            "case {id} is at the county"
        );
    }
    let listed = town
        .core
        .list_cases(
            &tests::reader(),
            Default::default(),
            None,
            &Default::default(),
        )
        .expect("list");
    assert_eq!(
        listed.len(),
        accepted.len() + fresh.len(),
        "no case lost, none doubled"
    );
    shutdown.drain(Duration::from_secs(10)).await;
}
