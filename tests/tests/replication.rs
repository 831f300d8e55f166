//! Replication between real county and township nodes in one process, over
//! real mutual TLS on loopback, with real sled stores: cases accepted while
//! the county is down, the catalogue reaching every township, links cut at
//! random bytes, a certificate from another CA refused, the demo (its
//! bridge converged, its joint case delivered at every node), and the
//! link status the county reports.
//!
//! Time only bounds waits (`eventually`); nothing asserts on timing.

use std::collections::BTreeSet;
use std::time::Duration;

use county_node::demo::{run_demo, DemoArgs};
use liandong_domain::{Lang, Level, Matter};
use liandong_model::{NodeId, OpId};
use liandong_net::tls;
use liandong_node::shutdown::Shutdown;
use liandong_node::{CaseSummary, NodeCore, PeerStatus};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tests::{accept_cases, eventually, free_port, in_sync, proxy, township_id, Net};

/// Upper bound of every wait; generous for debug builds on two cores.
const LIMIT: Duration = Duration::from_secs(60);

fn county_id() -> NodeId {
    NodeId::county("HQ").expect("county id")
}

fn matter(code: &str, name: &str) -> Matter {
    Matter::basic(code, name, Level::Township, 3, 15, "D01")
}

/// Whether `core` holds matter `code` under exactly this name.
fn has_matter(core: &NodeCore, code: &str, name: &str) -> bool {
    core.store
        .matter(code)
        .ok()
        .flatten()
        .is_some_and(|entry| entry.current().name == name)
}

/// How the county's status reports `town` (None: not registered).
fn peer_status(county: &NodeCore, town: &NodeId) -> Option<PeerStatus> {
    let status = county.status().expect("county status");
    status
        .peers
        .into_iter()
        .find(|p| p.node == town.to_string())
}

/// What replication must carry identically: id, status, event count and
/// the (masked) applicant. Derived figures such as the due date depend on
/// each node's catalogue and are not compared.
fn sorted(cases: Vec<CaseSummary>) -> Vec<(String, String, u32, String, String)> {
    let mut out: Vec<_> = cases
        .into_iter()
        .map(|c| (c.id, c.status, c.events, c.applicant_name, c.applicant_id))
        .collect();
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn township_accepts_100_cases_while_county_is_down_and_all_reach_it_after_it_starts() {
    let net = Net::new();
    let port = free_port();
    let town = net.township("T01", port, None).await;

    let ids = accept_cases(town.core(), 100);
    let local = town
        .core()
        .list_cases(&tests::reader(), Lang::Zh, None, &Default::default())
        .expect("local case list");
    assert_eq!(
        local.len(),
        100,
        "the township lists every case it accepted offline"
    );
    let contact = town.core().board.get(&county_id());
    assert!(
        !contact.is_some_and(|l| l.connected),
        "nothing listens on the county's port yet, the township cannot be connected"
    );

    let county = net.county(port).await;
    let all_arrived = eventually(LIMIT, || {
        ids.iter()
            .all(|id| matches!(county.core().store.case(id), Ok(Some(_))))
    })
    .await;
    let missing = ids
        .iter()
        .filter(|id| !matches!(county.core().store.case(id), Ok(Some(_))))
        .count();
    assert!(
        all_arrived,
        "{missing} of 100 cases never reached the county"
    );
    assert!(
        eventually(LIMIT, || in_sync(county.core(), town.core())).await,
        "county and township digests of the township's scope differ"
    );

    let at_county = county
        .core()
        .list_cases(&tests::reader(), Lang::Zh, Some("T01"), &Default::default())
        .expect("county case list");
    assert_eq!(
        at_county.len(),
        100,
        "the county lists exactly the township's 100 cases"
    );
    let listed: BTreeSet<&str> = at_county.iter().map(|c| c.id.as_str()).collect();
    let accepted: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(
        listed, accepted,
        "the county lists the very cases the township accepted"
    );
    assert_eq!(
        sorted(at_county),
        sorted(local),
        "each case reads the same (status, events, masked applicant) at both nodes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catalogue_matter_written_at_the_county_reaches_every_township() {
    let net = Net::new();
    let county = net.county(0).await;
    let link = proxy(county.port(), &county.shutdown).await;
    let t1 = net.township("T01", county.port(), None).await;
    let t2 = net.township("T02", county.port(), None).await;
    let t3 = net
        .township("T03", county.port(), Some(link.addr().to_string()))
        .await;
    let towns = [t1.core(), t2.core(), t3.core()];

    let has_m100 = |t: &NodeCore| has_matter(t, "M100", "食品经营许可");
    county
        .core()
        .put_matter(
            &tests::hall(county.core()),
            Lang::Zh,
            matter("M100", "食品经营许可"),
        )
        .expect("matter saved");
    assert!(
        eventually(LIMIT, || towns.iter().all(|t| has_m100(t))).await,
        "a township lacks matter M100 or holds it under another name"
    );

    // Cut T03's link and wait until the county has seen it go.
    link.set_up(false);
    let t3_id = township_id("T03");
    let t3_gone = || {
        county
            .core()
            .board
            .get(&t3_id)
            .is_some_and(|l| !l.connected)
    };
    assert!(
        eventually(LIMIT, t3_gone).await,
        "the county still shows T03 connected through a cut link"
    );
    let has_m101 = |t: &NodeCore| has_matter(t, "M101", "小餐饮登记");
    county
        .core()
        .put_matter(
            &tests::hall(county.core()),
            Lang::Zh,
            matter("M101", "小餐饮登记"),
        )
        .expect("matter saved");
    assert!(
        eventually(LIMIT, || towns[..2].iter().all(|t| has_m101(t))).await,
        "T01 or T02 lacks matter M101"
    );
    assert!(
        !has_m101(t3.core()),
        "T03 received M101 although its link is cut"
    );

    link.set_up(true);
    assert!(
        eventually(LIMIT, || has_m101(t3.core())).await,
        "matter M101 never reached T03 after its link was restored"
    );
    assert!(
        eventually(LIMIT, || towns.iter().all(|t| in_sync(county.core(), t))).await,
        "a township's digest differs from the county's view of its scope"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutting_the_link_at_random_bytes_50_times_during_5000_ops_loses_and_duplicates_nothing() {
    const CUTS: usize = 50;
    const CHUNK: usize = 25;
    const CASES: usize = 2_500; // each accept writes two ops: Submitted + Accepted
    const OPS: u64 = 5_000;

    let net = Net::new();
    let county = net.county(0).await;
    let link = proxy(county.port(), &county.shutdown).await;
    // Budgets cover both directions of one connection; small ones cut the
    // TLS handshake, the rest cut inside frames, batches and acks.
    let mut rng = StdRng::seed_from_u64(20_240_601);
    let budgets: Vec<u64> = (0..CUTS).map(|_| rng.random_range(200..12_000)).collect();
    link.cut_after(budgets.iter().copied());
    let town = net
        .township("T01", county.port(), Some(link.addr().to_string()))
        .await;
    let t01 = township_id("T01");

    // Written while the link is up and being cut, in small chunks, so batches
    // stay small and cuts land between batches and acks as well as inside them.
    for _ in 0..CASES / CHUNK {
        let core = town.core().clone();
        tokio::task::spawn_blocking(move || accept_cases(&core, CHUNK))
            .await
            .expect("cases accepted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let own = town
        .core()
        .store
        .stats()
        .expect("township stats")
        .origin_counts;
    assert_eq!(
        own.get(&t01).copied(),
        Some(OPS),
        "the township wrote 5,000 ops"
    );
    // Every op must cross the proxy at least once; the budgets add up to
    // less, so convergence is impossible before every cut has been used.
    let outbox = town
        .core()
        .store
        .read_outbox(&county_id(), 0, usize::MAX, usize::MAX)
        .expect("township outbox");
    let op_bytes: u64 = outbox.ops.iter().map(|(_, op)| op.len() as u64).sum();
    let budget_bytes: u64 = budgets.iter().sum();
    assert!(
        budget_bytes < op_bytes,
        "test premise: budgets ({budget_bytes} B) must add up to less than the op bytes ({op_bytes} B)"
    );

    let count_at_county = || {
        let stats = county.core().store.stats().expect("county stats");
        stats.origin_counts.get(&t01).copied().unwrap_or(0)
    };
    let converged = eventually(LIMIT, || {
        count_at_county() >= OPS && in_sync(county.core(), town.core())
    })
    .await;
    assert!(
        converged,
        "no convergence: county holds {} of {OPS} ops from T01 after {} connections, {} cuts",
        count_at_county(),
        link.connections(),
        link.cuts()
    );
    assert_eq!(link.budgets_left(), 0, "not every cut was used");
    assert!(
        eventually(LIMIT, || link.cuts() == CUTS as u64).await,
        "the proxy cut {} connections, not {CUTS}",
        link.cuts()
    );
    assert_eq!(
        count_at_county(),
        OPS,
        "the county counts an op from T01 twice"
    );
    let missing: Vec<u64> = (1..=OPS)
        .filter(|&seq| {
            let id = OpId {
                origin: t01.clone(),
                seq,
            };
            !county
                .core()
                .store
                .contains(&id)
                .expect("county store read")
        })
        .collect();
    assert!(missing.is_empty(), "the county lacks T01's ops {missing:?}");
    let cases = county
        .core()
        .list_cases(&tests::reader(), Lang::Zh, Some("T01"), &Default::default())
        .expect("county case list");
    assert_eq!(cases.len(), CASES, "the county lists each case once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_with_a_certificate_from_another_ca_is_refused() {
    let net = Net::new();
    let county = net.county(0).await;

    // An intruder trusts the network's CA (so the county's certificate
    // verifies) but presents a certificate issued by a CA of its own.
    let foreign = tempfile::tempdir().expect("temp dir");
    tls::init_ca(foreign.path()).expect("foreign CA");
    let foreign_ca = tls::Ca::load(foreign.path()).expect("foreign CA loads");
    let intruder = township_id("T09");
    let issued = foreign_ca
        .issue(&intruder, &[], 30)
        .expect("certificate issued");
    let intruder_pki = net.dir("intruder-pki");
    let files =
        tls::write_node_cert(&intruder_pki, &intruder, &issued, &net.pki()).expect("files written");

    let material = tls::TlsMaterial::load(&files).expect("intruder TLS material");
    let config = tls::client_config(&material, &county_id()).expect("client config");
    let direct = tls::connect_channel(
        &format!("127.0.0.1:{}", county.port()),
        "localhost",
        config,
        tls::ChannelOptions::default(),
    )
    .await;
    let err = direct.expect_err("the county accepted a certificate from another CA");
    assert!(
        err.is_certificate_problem(),
        "not reported as a certificate problem: {err}"
    );

    let mut cfg = net.township_config("T09", county.port());
    cfg.pki = intruder_pki;
    let shutdown = Shutdown::new();
    let town = township_node::start(cfg, shutdown.clone())
        .await
        .expect("the intruder's township starts");
    let last_error = || town.core.board.get(&county_id()).and_then(|l| l.last_error);
    assert!(
        eventually(LIMIT, || last_error().is_some()).await,
        "the township never recorded a failed attempt"
    );
    // Let it retry a few times before looking at the county.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let error = last_error().unwrap_or_default().to_lowercase();
    assert!(
        error.contains("certificate"),
        "the township's error does not name its certificate as the cause: {error}"
    );
    assert!(
        peer_status(county.core(), &intruder).is_none(),
        "the county registered the intruder as a peer"
    );
    assert!(
        county.core().board.get(&intruder).is_none(),
        "the county opened a session with the intruder"
    );
    assert!(
        county
            .core()
            .list_cases(&tests::reader(), Lang::Zh, Some("T09"), &Default::default())
            .expect("county list")
            .is_empty(),
        "the county holds cases from the intruder"
    );
    shutdown.drain(Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_township_whose_county_address_serves_another_county_shows_both_identities_in_its_status()
{
    let net = Net::new();
    // A county named OTHER (same CA, certificate valid for localhost) at the
    // address the township is configured to reach county/HQ on.
    let shutdown = Shutdown::new();
    let other = county_node::start(
        county_node::CountyConfig {
            name: "OTHER".into(),
            ..net.county_config(0)
        },
        shutdown.clone(),
    )
    .await
    .expect("county OTHER starts");
    let town = net.township("T01", other.grpc_addr.port(), None).await;

    let hq_error = || {
        let status = town.core().status().expect("township status");
        status
            .peers
            .into_iter()
            .find(|p| p.node == county_id().to_string())
            .and_then(|p| p.last_error)
    };
    assert!(
        eventually(LIMIT, || hq_error().is_some()).await,
        "the township's status never showed a failed attempt to reach county/HQ"
    );
    let error = hq_error().unwrap_or_default();
    assert!(
        error.contains("server is county/OTHER, expected county/HQ"),
        "the township's status does not name both identities: {error}"
    );
    assert!(
        !tests::connected(town.core(), &county_id()),
        "the township opened a session with county/OTHER"
    );
    assert!(
        peer_status(&other.core, &township_id("T01")).is_none(),
        "county/OTHER registered the township as a peer"
    );
    town.stop().await;
    shutdown.drain(Duration::from_secs(10)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_converges_with_flaky_links() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = run_demo(&DemoArgs {
        townships: 2,
        cases: 40,
        seconds: 3,
        seed: 7,
        json: true,
        data: dir.path().join("demo"),
        verbose: false,
    })
    .await
    .expect("demo runs");
    assert!(report.converged, "demo did not converge: {}", report.text());
    assert_eq!(
        report.cases_at_county,
        41,
        "40 cases and the joint case: {}",
        report.text()
    );
    let nodes: Vec<(&str, bool)> = report
        .nodes
        .iter()
        .map(|n| (n.node.as_str(), n.converged))
        .collect();
    assert_eq!(
        nodes,
        [
            ("county/HQ", true),
            ("township/T01", true),
            ("township/T02", true),
            ("bridge/D03", true)
        ],
        "the county, two townships and the bridge, each converged: {}",
        report.text()
    );
    let joint = report
        .joint_case
        .as_ref()
        .expect("the joint case is reported");
    assert!(joint.id.is_some(), "T01 accepted it: {}", report.text());
    let status_at = |node: &str| {
        joint
            .nodes
            .iter()
            .find(|s| s.node == node)
            .and_then(|s| s.status.clone())
    };
    for node in ["township/T01", "county/HQ", "township/T02", "bridge/D03"] {
        assert_eq!(
            status_at(node).as_deref(),
            Some("delivered"),
            "the joint case at {node}: {}",
            report.text()
        );
    }
    assert!(
        joint.finished && joint.agreed && report.ok(),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_reports_each_township_with_its_counters() {
    let net = Net::new();
    let county = net.county(0).await;
    let t1 = net.township("T01", county.port(), None).await;
    let t2 = net.township("T02", county.port(), None).await;
    let (t1_id, t2_id) = (township_id("T01"), township_id("T02"));
    accept_cases(t1.core(), 10);
    accept_cases(t2.core(), 5);
    assert!(
        eventually(LIMIT, || in_sync(county.core(), t1.core())
            && in_sync(county.core(), t2.core()))
        .await,
        "townships did not converge with the county"
    );

    let caught_up = |id: &NodeId, ops: u64| {
        peer_status(county.core(), id)
            .is_some_and(|p| p.connected && p.ops_received >= ops && p.lag_in_ops == 0)
    };
    let both = eventually(LIMIT, || caught_up(&t1_id, 20) && caught_up(&t2_id, 10)).await;
    assert!(
        both,
        "status: {:?} / {:?}",
        peer_status(county.core(), &t1_id),
        peer_status(county.core(), &t2_id)
    );
    let t1_seen = peer_status(county.core(), &t1_id).expect("T01 listed");
    let t1_digest = t1.core().store.digest_all().expect("T01 digest").short();
    assert_eq!(
        t1_seen.scope_digest, t1_digest,
        "status shows the county's digest of T01's scope"
    );

    t1.stop().await;
    let gone = eventually(LIMIT, || {
        peer_status(county.core(), &t1_id)
            .is_some_and(|p| !p.connected && p.last_contact_ms.is_some())
    })
    .await;
    assert!(
        gone,
        "after T01 stopped: {:?}",
        peer_status(county.core(), &t1_id)
    );
    let t2_seen = peer_status(county.core(), &t2_id).expect("T02 listed");
    assert!(
        t2_seen.connected,
        "T02 shows disconnected although it still runs"
    );
}
