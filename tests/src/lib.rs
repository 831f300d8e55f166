//! Test harness: real county, township and bridge nodes started in-process on
//! `127.0.0.1:0`, with real sled stores in temporary directories and real
//! mutual TLS from a development CA made per test. Also waits with
//! deadlines (time only bounds a wait; no test asserts on timing).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use county_node::demo::proxy::LinkProxy;
use county_node::{County, CountyConfig};
use liandong_domain::StaffRole;
use liandong_model::NodeId;
use liandong_node::identity::Actor;
use liandong_node::shutdown::Shutdown;
use liandong_node::NodeCore;
use township_node::{Township, TownshipConfig};

pub mod bench;
pub mod bridge;
pub mod browser;
pub mod http;
pub mod joint;
pub mod memnet;
pub mod netns;
pub mod raw;
pub mod scene;
pub mod sim;
pub mod webhook_receiver;

/// One test's network: a temp root with a shared PKI directory.
pub struct Net {
    pub root: tempfile::TempDir,
}

impl Net {
    pub fn new() -> Net {
        Net {
            root: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn pki(&self) -> PathBuf {
        self.root.path().join("pki")
    }

    pub fn dir(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    pub fn county_config(&self, listen_port: u16) -> CountyConfig {
        CountyConfig {
            data: self.dir("county"),
            pki: self.pki(),
            listen: format!("127.0.0.1:{listen_port}").parse().expect("addr"),
            admin: "127.0.0.1:0".parse().expect("addr"),
            ..CountyConfig::default()
        }
    }

    /// Starts a county on a fresh port (or `port`, to restart on the same one).
    pub async fn county(&self, port: u16) -> Node<County> {
        let shutdown = Shutdown::new();
        let county = county_node::start(self.county_config(port), shutdown.clone())
            .await
            .expect("county starts");
        Self::filed(county, shutdown)
    }

    /// [`Net::county`] on a fresh port, on a clock the test moves.
    pub async fn county_on_clock(
        &self,
        clock: std::sync::Arc<liandong_model::ManualClock>,
    ) -> Node<County> {
        let node = self.bare_county_on_clock(clock).await;
        file_m001_and_clerks(&node.inner.core);
        node
    }

    /// A county on a fresh port and a clock the test moves, with nothing
    /// filed: for a test that files its own hall.
    pub async fn bare_county_on_clock(
        &self,
        clock: std::sync::Arc<liandong_model::ManualClock>,
    ) -> Node<County> {
        let seams = county_node::Seams {
            clock,
            ..Default::default()
        };
        let shutdown = Shutdown::new();
        let inner = county_node::start_with(self.county_config(0), shutdown.clone(), seams)
            .await
            .expect("county starts on the test's clock");
        Node { inner, shutdown }
    }

    /// A started county with M001 and the test clerks (once per store).
    fn filed(county: County, shutdown: Shutdown) -> Node<County> {
        file_m001_and_clerks(&county.core);
        Node {
            inner: county,
            shutdown,
        }
    }

    pub fn township_config(&self, id: &str, county_port: u16) -> TownshipConfig {
        TownshipConfig {
            id: id.into(),
            county: format!("https://localhost:{county_port}"),
            data: Some(self.dir(id)),
            pki: self.pki(),
            admin: "127.0.0.1:0".parse().expect("addr"),
            ..TownshipConfig::default()
        }
    }

    /// Starts a township whose uplink dials `dial` (the county or a proxy).
    pub async fn township(
        &self,
        id: &str,
        county_port: u16,
        dial: Option<String>,
    ) -> Node<Township> {
        liandong_net::tls::install_crypto_provider();
        // The county creates the development CA; a township started first
        // (county down) needs it too.
        liandong_net::tls::init_ca(&self.pki()).expect("dev CA");
        let shutdown = Shutdown::new();
        let town = township_node::start_with(
            self.township_config(id, county_port),
            shutdown.clone(),
            seams_dialling(dial),
        )
        .await
        .expect("township starts");
        Node {
            inner: town,
            shutdown,
        }
    }
}

impl Default for Net {
    fn default() -> Self {
        Self::new()
    }
}

/// A running node and its shutdown handle; stopped on drop.
/// M001 and the test clerks, filed once per store.
fn file_m001_and_clerks(core: &NodeCore) {
    if core.store.matter("M001").ok().flatten().is_none() {
        put_m001(core);
        put_clerks(core);
    }
}

pub struct Node<T> {
    pub inner: T,
    pub shutdown: Shutdown,
}

impl<T> Node<T> {
    /// Stops the node and waits for its tasks (store flushed and closed).
    pub async fn stop(self) {
        self.shutdown.drain(Duration::from_secs(10)).await;
    }
}

impl<T> Drop for Node<T> {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

impl Node<County> {
    pub fn core(&self) -> &NodeCore {
        &self.inner.core
    }
    pub fn port(&self) -> u16 {
        self.inner.grpc_addr.port()
    }
}

impl Node<Township> {
    pub fn core(&self) -> &NodeCore {
        &self.inner.core
    }
}

/// A resident ID number that passes GB 11643, for test applicant `n`:
/// region 410000, born `n / 1000` days after 1950-01-01 (within 20,000
/// days), sequence `n % 1000`, and its check digit. Distinct for `n` below
/// 20 million. The one generator of valid test IDs.
pub fn resident_id(n: u32) -> String {
    let first = chrono::NaiveDate::from_ymd_opt(1950, 1, 1).expect("a date");
    let born = first + chrono::Days::new(u64::from(n / 1000 % 20_000));
    let first17 = format!("410000{}{:03}", born.format("%Y%m%d"), n % 1000);
    liandong_domain::with_check_digit(&first17).expect("17 digits")
}

/// A free loopback port (bound and released; for restarting a county on
/// a port townships already know).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Polls `check` until it holds or `limit` passes; returns whether it held.
pub async fn eventually(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if check() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Whether county and township agree on the township's scope.
pub fn in_sync(county: &NodeCore, town: &NodeCore) -> bool {
    county_node::demo::converged(county, town).unwrap_or(false)
}

/// Accepts `n` cases at a node, as its window clerk.
pub fn accept_cases(core: &NodeCore, n: usize) -> Vec<String> {
    let who = clerk_at(core);
    (0..n)
        .map(|i| {
            core.accept_case(&who, "M001", &format!("申请人{i}"), &resident_id(i as u32))
                .expect("case accepted")
                .id
        })
        .collect()
}

/// A proxy between a township and the county.
pub async fn proxy(target_port: u16, shutdown: &Shutdown) -> LinkProxy {
    LinkProxy::start(
        format!("127.0.0.1:{target_port}").parse().expect("addr"),
        shutdown,
    )
    .await
    .expect("proxy starts")
}

pub fn township_id(name: &str) -> NodeId {
    NodeId::township(name).expect("township id")
}

/// Path of a built binary of this workspace (debug or release, whichever
/// profile the tests were built with).
pub fn binary(name: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let mut dir: &Path = exe.parent().expect("exe dir");
    if dir.ends_with("deps") {
        dir = dir.parent().expect("profile dir");
    }
    dir.join(name)
}

/// Path of a built binary of this workspace; fails saying how to build it.
pub fn built_binary(name: &str) -> PathBuf {
    let path = binary(name);
    assert!(
        path.exists(),
        "{} not found: run `cargo build --workspace --bins` first (these tests run the built binaries)",
        path.display()
    );
    path
}

/// Whether `core` holds a live link to `peer`.
pub fn connected(core: &NodeCore, peer: &NodeId) -> bool {
    core.board.get(peer).is_some_and(|l| l.connected)
}

/// The state of a case `record` as `core`'s replicated registries
/// (calendar, catalogue, authorisations) show it at `now_ms`: the real
/// events of a real node, folded at a chosen time (a node's own clock is
/// the wall clock, so this is how a test sees a case days later).
pub fn fold_at(
    core: &NodeCore,
    record: &liandong_domain::CaseRecord,
    now_ms: u64,
) -> liandong_domain::CaseState {
    use liandong_domain::{fold, EventKind, FoldContext, Thresholds};
    let calendar = core.store.calendar().expect("calendar");
    let catalogue = core.store.catalogue().expect("catalogue");
    let authorisations = core.store.authorisations().expect("authorisations");
    // The matter version the case pinned at submission, as a node reads it.
    let matter = record.iter().find_map(|(_, e)| match &e.event.kind {
        EventKind::Submitted {
            matter,
            matter_version,
            ..
        } => catalogue
            .pinned(matter, matter_version)
            .or_else(|| catalogue.current(matter)),
        _ => None,
    });
    let ctx = FoldContext {
        calendar: &calendar,
        matter,
        authorisations: &authorisations,
        roster: &[],
        routing: None,
        now_ms,
        thresholds: Thresholds::default(),
        recorder_level: None,
    };
    fold(record, &ctx)
}

/// Seams of a real township whose uplink dials `dial` (a proxy in front of
/// the county) instead of the county's address, when given.
pub fn seams_dialling(dial: Option<String>) -> township_node::Seams {
    township_node::Seams {
        dialer: dial
            .map(liandong_net::tls::TcpDialer::via)
            .unwrap_or_else(liandong_net::tls::TcpDialer::shared),
        ..Default::default()
    }
}

/// Milliseconds since the Unix epoch by the system clock.
pub fn now_ms() -> u64 {
    liandong_model::Clock::now_ms(&liandong_model::SystemClock)
}

/// Writes catalogue entry M001 (个体工商户设立登记, a township matter) at a
/// county.
pub fn put_m001(county: &NodeCore) {
    let m001 = liandong_domain::Matter::basic(
        "M001",
        "个体工商户设立登记",
        liandong_domain::Level::Township,
        3,
        15,
        "D01",
    );
    county
        .put_matter(&hall(county), liandong_domain::Lang::Zh, m001)
        .expect("catalogue entry M001");
}

/// The test townships' window clerk (C01 works at T01 to T09) and the
/// county hall's (C00).
pub const TOWNSHIP_CLERK: &str = "C01";
pub const COUNTY_CLERK: &str = "C00";
/// The password tests give every account they make.
pub const PASSWORD: &str = "Test-2026-liandong";

/// Hall management, signed in at a county the real way: the account
/// `admin` with the one-time password the new county wrote.
pub fn hall(county: &NodeCore) -> Actor {
    try_hall(county).expect("hall management signs in")
}

/// [`hall`], or why it could not sign in.
pub fn try_hall(county: &NodeCore) -> Result<Actor, String> {
    let file = county
        .store
        .path()
        .join(liandong_node::identity::INITIAL_PASSWORD_FILE);
    let password =
        std::fs::read_to_string(&file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let reply = county
        .login("admin", password.trim(), "test", None)
        .map_err(|e| e.to_string())?;
    county.actor(&reply.token, None).map_err(|e| e.to_string())
}

/// Someone who may read every case (e-supervision), for tests' reads.
pub fn reader() -> Actor {
    Actor::new("E01", [StaffRole::Supervisor])
}

/// Puts the test staff on the county's roster, with credentials: the
/// clerks C01 (townships T01 to T09) and C00 (the county hall), reviewer
/// R01 and fee clerk F01 (townships).
pub fn put_clerks(county: &NodeCore) {
    let hall = hall(county);
    let centres: Vec<String> = (1..=9).map(|i| format!("T{i:02}")).collect();
    let staff = [
        (TOWNSHIP_CLERK, StaffRole::Clerk, centres.clone()),
        (COUNTY_CLERK, StaffRole::Clerk, Vec::new()),
        ("R01", StaffRole::Reviewer, centres.clone()),
        ("F01", StaffRole::FeeClerk, centres),
    ];
    for (id, role, centres) in staff {
        county
            .add_staff(
                &hall,
                liandong_domain::Lang::Zh,
                id,
                "工作人员",
                "D01",
                role,
                &centres,
            )
            .expect("staff on the roster");
        county
            .set_password(&hall, id, Some(PASSWORD), false)
            .expect("clerk's password");
    }
}

/// The window clerk of a node, as its in-process API takes him (the
/// control socket and admin port build the same [`Actor`] from a session).
pub fn clerk_at(core: &NodeCore) -> Actor {
    let id = match core.me().role() {
        liandong_model::Role::County => COUNTY_CLERK,
        _ => TOWNSHIP_CLERK,
    };
    Actor::new(id, [StaffRole::Clerk])
}

/// Puts a chief representative on the county's roster (department `dept`,
/// working at `centres`: townships by name, a bridge as `bridge/D03`) with
/// the test password. He gets his seal at his first sign-in.
pub fn put_chief(county: &NodeCore, staff: &str, dept: &str, centres: &[&str]) {
    let hall = hall(county);
    let centres: Vec<String> = centres.iter().map(|c| c.to_string()).collect();
    county
        .add_staff(
            &hall,
            liandong_domain::Lang::Zh,
            staff,
            "首席代表",
            dept,
            StaffRole::ChiefRepresentative,
            &centres,
        )
        .expect("chief representative on the roster");
    county
        .set_password(&hall, staff, Some(PASSWORD), false)
        .expect("chief representative's password");
}

/// Waits until `core` holds `staff`'s credential and his roster entry
/// (sign in only then: a failed attempt counts towards the lockout).
pub async fn credential_arrived(core: &NodeCore, staff: &str) {
    let arrived = || {
        core.store.credential(staff).ok().flatten().is_some()
            && core
                .store
                .staff()
                .is_ok_and(|r| r.iter().any(|s| s.id == staff && !s.roles().is_empty()))
    };
    assert!(
        eventually(Duration::from_secs(60), arrived).await,
        "{staff}'s credential never reached {}",
        core.me()
    );
}

/// Signs `staff` in at `core` the real way (password, lockout, audit;
/// a chief representative's seal unlocked or made), once his credential
/// and roster entry have reached that node ([`credential_arrived`]).
pub async fn sign_in(core: &NodeCore, staff: &str) -> Actor {
    credential_arrived(core, staff).await;
    let reply = core
        .login(staff, PASSWORD, "test", None)
        .unwrap_or_else(|e| panic!("{staff} cannot sign in at {}: {e}", core.me()));
    core.actor(&reply.token, None).expect("the new session")
}

/// The network admin (status, PKI, backup), as the in-process API takes him.
pub fn network_admin() -> Actor {
    Actor::new("N01", [StaffRole::NetworkAdmin])
}

/// The actor who takes a case step: an opinion's named reviewer, a
/// decision's named chief representative, else the node's window clerk
/// (fees: its fee clerk, e-supervision notes: e-supervision).
pub fn actor_for(core: &NodeCore, action: &liandong_node::control::CaseAction) -> Actor {
    use liandong_node::control::CaseAction;
    match action {
        CaseAction::Opinion { staff, .. } if !staff.is_empty() => {
            acting(staff, StaffRole::Reviewer)
        }
        CaseAction::Opinion { .. }
        | CaseAction::RequestSupplement { .. }
        | CaseAction::SupplySupplement { .. }
        | CaseAction::StartSpecial { .. }
        | CaseAction::EndSpecial => acting("R01", StaffRole::Reviewer),
        CaseAction::Decide { by, .. } => acting(by, StaffRole::ChiefRepresentative),
        CaseAction::Fee { .. } | CaseAction::WaiveFee { .. } => acting("F01", StaffRole::FeeClerk),
        _ => clerk_at(core),
    }
}

/// Case steps as the tests take them: each by the staff member
/// [`actor_for`] names.
pub trait Steps {
    fn step(
        &self,
        lang: liandong_domain::Lang,
        case: &str,
        action: liandong_node::control::CaseAction,
    ) -> Result<liandong_node::CaseDetail, liandong_node::NodeError>;
}

impl Steps for NodeCore {
    fn step(
        &self,
        lang: liandong_domain::Lang,
        case: &str,
        action: liandong_node::control::CaseAction,
    ) -> Result<liandong_node::CaseDetail, liandong_node::NodeError> {
        let who = actor_for(self, &action);
        self.case_action(&who, lang, case, action)
    }
}

/// Someone acting in one role (the in-process API's view of a session).
pub fn acting(staff: &str, role: StaffRole) -> Actor {
    Actor::new(staff, [role])
}
