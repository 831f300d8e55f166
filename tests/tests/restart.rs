//! Restarts under a supervisor: a node started while the previous process
//! still holds its store (it is still exiting) waits for the store lock
//! instead of failing at once, and starts when the lock is released; a lock
//! that is never released fails the start with an error naming the data
//! directory and the process holding it.

use std::time::Duration;

use liandong_node::boot::{open_store, OpenError};
use liandong_node::shutdown::Shutdown;
use liandong_store::{Store, StoreOptions};
use tests::{township_id, Net};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_started_while_its_store_is_still_held_waits_for_the_lock_and_starts() {
    let net = Net::new();
    liandong_net::tls::install_crypto_provider();
    liandong_net::tls::init_ca(&net.pki()).expect("dev CA");
    let dir = net.dir("T01");
    // The previous process, still exiting: it holds the store.
    let previous =
        Store::open(&dir, &township_id("T01"), &StoreOptions::default()).expect("first open");
    let release = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(1)).await;
        drop(previous);
    });
    let shutdown = Shutdown::new();
    let started = township_node::start_with(
        net.township_config("T01", 1),
        shutdown.clone(),
        township_node::Seams::default(),
    )
    .await;
    release.await.expect("release task");
    let town = started.expect("the township starts once the previous store is released");
    assert_eq!(town.core.me(), &township_id("T01"));
    shutdown.drain(Duration::from_secs(10)).await;
}

#[test]
fn a_store_lock_held_past_the_deadline_fails_naming_the_directory_and_the_holder() {
    let net = Net::new();
    let dir = net.dir("T02");
    let me = township_id("T02");
    let _held = Store::open(&dir, &me, &StoreOptions::default()).expect("first open");
    let err = open_store(
        &dir,
        &me,
        &StoreOptions::default(),
        Duration::from_millis(300),
    )
    .expect_err("the store is held");
    let text = err.to_string();
    assert!(matches!(err, OpenError::Locked { .. }), "{text}");
    assert!(text.contains(&dir.display().to_string()), "{text}");
    if std::path::Path::new("/proc/locks").exists() {
        let pid = std::process::id().to_string();
        assert!(
            text.contains(&pid),
            "the holder (this process, {pid}) is not named: {text}"
        );
    }
}
