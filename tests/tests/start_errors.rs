//! A node that cannot start says why with a typed error naming the setting,
//! file or directory, and the binaries' exit status follows its kind.

use liandong_cli::{exit_for, Exit};
use liandong_node::boot::StartError;
use liandong_node::shutdown::Shutdown;
use tests::Net;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_admin_address_fails_the_start_naming_the_setting() {
    let net = Net::new();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let mut cfg = net.county_config(0);
    cfg.admin = busy.local_addr().expect("addr");
    let err = county_node::start(cfg, Shutdown::new())
        .await
        .err()
        .expect("the county started on a busy admin address");
    assert!(
        matches!(
            err,
            StartError::Bind {
                setting: "admin",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_config_problem());
    assert!(err.to_string().contains("(setting `admin`)"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_that_cannot_be_opened_fails_the_start_as_a_store_problem() {
    let net = Net::new();
    let not_a_dir = net.dir("county-is-a-file");
    std::fs::write(&not_a_dir, b"not a store").expect("write");
    let mut cfg = net.county_config(0);
    cfg.data = not_a_dir.clone();
    let err = county_node::start(cfg, Shutdown::new())
        .await
        .err()
        .expect("the county started on a file instead of a store");
    assert!(err.is_store_problem(), "{err:?}");
    assert!(
        err.to_string().contains(&not_a_dir.display().to_string()),
        "the error does not name the store: {err}"
    );
    assert_eq!(exit_for(&anyhow::Error::new(err)), Exit::Store);
}
