//! A township whose disk fails a sync stops taking writes: the clerk's
//! command that hit it and every later clerk command are refused with the
//! store's error (exit status 5), the node's status and health report say
//! so, and a restart brings it back holding every case it acknowledged.
//! (The failure is injected at the store's sync: the `fault-injection`
//! feature, enabled for tests only.)

use liandong_cli::{exit_for, CommandError, Exit};
use liandong_domain::Lang;
use liandong_node::control::{CaseFilter, Request};
use liandong_node::ErrorKind;
use tests::{accept_cases, Net};

/// Sends `request` over the node's control socket, as a clerk's command does.
async fn clerk(net: &Net, request: Request) -> Result<(), CommandError> {
    liandong_cli::ask_in(&net.dir("T01"), "township-node start", Lang::Zh, request)
        .await
        .map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_whose_sync_fails_refuses_every_clerk_command_until_it_is_restarted() {
    let net = Net::new();
    let port = tests::free_port();
    let town = net.township("T01", port, None).await;
    let acknowledged = accept_cases(town.core(), 3);

    town.core().store.inject_sync_failure_for_test();
    let failed = town
        .core()
        .accept_case(
            &tests::clerk_at(town.core()),
            "M001",
            "李四",
            "410000199002021233",
        )
        .expect_err("the write whose sync failed is not acknowledged");
    assert!(failed.is_store_read_only(), "{failed}");

    // Every later clerk command, write or read, gets the store's error.
    let list = Request::ListCases {
        origin: None,
        filter: CaseFilter::default(),
    };
    let show = Request::ShowCase {
        case: acknowledged[0].clone(),
    };
    for request in [list, show] {
        let err = clerk(&net, request).await.expect_err("refused");
        assert_eq!(err.kind(), Some(ErrorKind::Store), "{err:?}");
        let text = liandong_cli::error_text(
            match &err {
                CommandError::Node { error, .. } => error,
                other => panic!("{other:?}"),
            },
            Lang::Zh,
        );
        assert!(
            text.contains("存储已停止写入") && text.contains("restart"),
            "{text}"
        );
        assert_eq!(exit_for(&anyhow::Error::from(err)), Exit::Store);
        assert_eq!(Exit::Store.code(), 5);
    }
    let again = town
        .core()
        .accept_case(
            &tests::clerk_at(town.core()),
            "M001",
            "王五",
            "410000199003031230",
        )
        .expect_err("later writes refused");
    assert!(again.is_store_read_only(), "{again}");

    // Status and the health report for the county say so.
    let status = town.core().status().expect("status still answers");
    assert!(
        status
            .store_problem
            .as_deref()
            .is_some_and(|p| p.contains("read-only")),
        "{:?}",
        status.store_problem
    );
    assert!(town.core().report().store_problem.contains("read-only"));
    // Reads of the store itself go on (replication sends what is durable).
    assert!(town.core().store.stats().is_ok());
    town.stop().await;

    // Restarted, the township takes writes again and holds every case it
    // acknowledged.
    let town = net.township("T01", port, None).await;
    assert!(town.core().store.read_only().is_none());
    for id in &acknowledged {
        assert!(
            town.core().store.case(id).expect("read").is_some(),
            "{id} lost"
        );
    }
    accept_cases(town.core(), 1);
    assert!(town
        .core()
        .status()
        .expect("status")
        .store_problem
        .is_none());
    town.stop().await;
}
