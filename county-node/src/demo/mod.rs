//! `county-node demo`: a county, N townships and department D03's bridge
//! in one process, on loopback, over real mutual TLS, with real sled
//! stores under `./data/demo`. Cases are accepted at every township while
//! a seeded random schedule cuts and restores each township's and the
//! bridge's link (a proxy per link); the county edits the catalogue
//! meanwhile. A joint case (联办, matter M017, see [`joint`]) crosses both
//! levels: accepted at T01, routed by the county's rule to D03 and for an
//! opinion of T02, given its opinions, decided at the bridge, concluded
//! and delivered at T01, each step as soon as the links let it reach the
//! node that takes it. At the end every link is restored, the joint case's
//! remaining steps are recorded, and the demo waits for convergence, then
//! prints a report (per node: operations held, scope digest, lag; the
//! joint case's status at each node). Exit status 0 only if every node
//! converged and the joint case was finished with the same state at every
//! node that holds it.
//!
//! Logging: the demo cuts links on purpose, and a cut link makes the
//! uplink, the replication service and the TLS dialer warn at every
//! retry. Unless `--verbose`, `main` installs [`DemoArgs::log_filter`]
//! (warnings and errors, but only errors from those modules and from the
//! development-certificate notices), so the screen shows the demo's
//! progress and report; `RUST_LOG`, when set, decides instead.

mod accounts;
pub mod joint;
pub mod proxy;
mod report;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use liandong_domain::{Lang, Level, Matter, StaffRole};
use liandong_node::shutdown::Shutdown;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use liandong_net::tls::TcpDialer;
use liandong_node::boot::bridge::{start_bridge_with, Bridge};
use liandong_node::boot::Seams;
use liandong_node::config::bridge::BridgeConfig;
use liandong_node::config::county::CountyConfig;
use liandong_node::NodeCore;

use joint::JointCase;
pub use joint::{JointCaseLine, JointStatus};
use proxy::LinkProxy;
pub use report::{converged, ConvergenceReport, NodeLine};

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Number of townships.
    #[arg(long, default_value_t = 3)]
    pub townships: usize,
    /// Cases to accept in all (spread over the townships), besides the
    /// joint case.
    #[arg(long, default_value_t = 300)]
    pub cases: usize,
    /// How long to run the flaky-link phase.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Seed of the link schedule and case placement.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print the final report as JSON (progress goes to stderr).
    #[arg(long)]
    pub json: bool,
    /// Demo data directory (wiped at start).
    #[arg(long, default_value = "./data/demo")]
    pub data: PathBuf,
    /// Log as every other command does (info and up), the warnings of the
    /// links the demo cuts on purpose included; without it only their
    /// errors are shown. RUST_LOG, when set, decides either way.
    #[arg(long)]
    pub verbose: bool,
}

impl DemoArgs {
    /// The demo's log filter when `RUST_LOG` is not set.
    pub fn log_filter(&self) -> &'static str {
        if self.verbose {
            "info"
        } else {
            QUIET_LOG
        }
    }
}

/// Warnings and errors, but only errors from the modules that warn at
/// every retry of a cut link (the uplink, the replication service's
/// session end, the TLS dialer) and from the per-node
/// development-certificate notice. The session driver's warnings
/// (refused operations, malformed frames) and the TLS acceptor's
/// (refused certificates) stay: a cut link does not cause them.
pub const QUIET_LOG: &str = "warn,liandong_net::rpc::client=error,liandong_net::rpc::server=error,\
liandong_net::tls::transport::connect=error,liandong_net::tls::pki::node_files=error";

/// How long to wait for convergence once every link is restored.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(60);
/// How long to wait, every link up, for the joint case's remaining steps.
const JOINT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a new account may take to reach its township at start-up.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(30);
/// The bridge's link schedule is drawn from its own stream (this seed
/// mixed in), so adding it left the townships' schedules unchanged.
const BRIDGE_SCHEDULE: u64 = 0xB21D_6E03;

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let report = run_demo(&args).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.text());
    }
    if !report.converged {
        anyhow::bail!(
            "not every node converged within {} s",
            CONVERGE_TIMEOUT.as_secs()
        );
    }
    if !report.ok() {
        anyhow::bail!("the joint case did not finish with the same state at every node");
    }
    Ok(())
}

struct Member {
    proxy: LinkProxy,
    town: liandong_node::boot::Township,
    /// The window clerk signed in at this township.
    clerk: liandong_node::identity::Actor,
}

/// The department bridge and its link.
struct BridgeMember {
    proxy: LinkProxy,
    bridge: Bridge,
}

/// The running demo: the nodes and their links.
struct Demo {
    county: crate::County,
    /// Hall management, signed in at the county.
    hall: liandong_node::identity::Actor,
    /// T02's reviewer, signed in there (two or more townships).
    asked_reviewer: Option<liandong_node::identity::Actor>,
    members: Vec<Member>,
    bridge: BridgeMember,
}

impl Demo {
    fn proxies(&self) -> impl Iterator<Item = &LinkProxy> {
        self.members
            .iter()
            .map(|m| &m.proxy)
            .chain(std::iter::once(&self.bridge.proxy))
    }

    /// Where the joint case is recorded: T01, T02 (if any), the bridge.
    fn joint_nodes(&self) -> joint::Nodes<'_> {
        joint::Nodes {
            receiving: &self.members[0].town.core,
            clerk: &self.members[0].clerk,
            asked: self.members.get(1).map(|m| &m.town.core),
            asked_reviewer: self.asked_reviewer.as_ref(),
            bridge: &self.bridge.bridge.core,
            county: &self.county.core,
        }
    }

    fn measure(&self, joint: &JointCase) -> anyhow::Result<ConvergenceReport> {
        let towns: Vec<NodeCore> = self.members.iter().map(|m| m.town.core.clone()).collect();
        let mut report = report::measure(&self.county.core, &towns, &self.bridge.bridge.core)?;
        report.joint_case = Some(joint.line(&self.joint_nodes())?);
        Ok(report)
    }
}

/// Runs the demo and returns its report (used by tests too).
pub async fn run_demo(args: &DemoArgs) -> anyhow::Result<ConvergenceReport> {
    if args.townships == 0 || args.townships > 99 {
        anyhow::bail!("--townships must be between 1 and 99");
    }
    if args.data.exists() {
        std::fs::remove_dir_all(&args.data)
            .with_context(|| format!("clearing the demo directory {}", args.data.display()))?;
    }
    let shutdown = Shutdown::new();
    let demo = start(args, &shutdown).await?;
    let mut joint = JointCase::new(demo.members.len() >= 2);

    flaky_phase(args, &demo, &mut joint).await?;

    for proxy in demo.proxies() {
        proxy.set_up(true);
    }
    let mut restored = "all links restored; ";
    if !joint.is_finished() {
        let line = format!("{restored}recording the joint case's remaining steps");
        progress(args, &line);
        joint
            .finish(&demo.joint_nodes(), JOINT_TIMEOUT, |line| {
                progress(args, line)
            })
            .await?;
        restored = "";
    }
    progress(args, &format!("{restored}waiting for convergence"));
    let started = Instant::now();
    // Whether the joint case finished does not change from here on; its
    // status at each node does, as the nodes converge.
    let settled =
        |r: &ConvergenceReport| r.converged && r.joint_case.as_ref().is_none_or(|j| j.agreed);
    let mut report = demo.measure(&joint)?;
    while !settled(&report) && started.elapsed() < CONVERGE_TIMEOUT {
        tokio::time::sleep(Duration::from_millis(200)).await;
        report = demo.measure(&joint)?;
    }
    report.seconds_to_converge = started.elapsed().as_secs_f64();
    shutdown.drain(Duration::from_secs(10)).await;
    Ok(report)
}

/// The county and its registry, the townships, then the bridge, each
/// node but the county behind its own cuttable link.
async fn start(args: &DemoArgs, shutdown: &Shutdown) -> anyhow::Result<Demo> {
    let pki = args.data.join("pki");
    let county = crate::start(
        CountyConfig {
            data: args.data.join("county"),
            pki: pki.clone(),
            listen: "127.0.0.1:0".parse()?,
            admin: "127.0.0.1:0".parse()?,
            ..CountyConfig::default()
        },
        shutdown.clone(),
    )
    .await?;
    progress(
        args,
        &format!(
            "county up: gRPC {} admin {}",
            county.grpc_addr, county.admin_addr
        ),
    );
    let hall = accounts::hall(&county.core)?;
    county
        .core
        .put_matter(
            &hall,
            Lang::Zh,
            Matter::basic("M001", "个体工商户设立登记", Level::Township, 3, 15, "D01"),
        )
        .map_err(anyhow::Error::msg)?;
    joint::put_registry(&county.core, &hall, args.townships >= 2)?;
    for i in 1..=args.townships {
        let id = accounts::clerk_id(i);
        let who = (id.as_str(), "窗口人员", "D01");
        accounts::add(
            &county.core,
            &hall,
            who,
            &[StaffRole::Clerk],
            &[format!("T{i:02}")],
        )?;
    }
    progress(
        args,
        &format!(
            "hall management signed in; {} window clerk account{} made",
            args.townships,
            if args.townships == 1 { "" } else { "s" }
        ),
    );
    let county_url = format!("https://localhost:{}", county.grpc_addr.port());
    let mut members = Vec::new();
    for i in 1..=args.townships {
        let proxy = LinkProxy::start(county.grpc_addr, shutdown).await?;
        let cfg = liandong_node::config::township::TownshipConfig {
            id: format!("T{i:02}"),
            county: county_url.clone(),
            data: Some(args.data.join(format!("T{i:02}"))),
            pki: pki.clone(),
            admin: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Default::default()
        };
        // The township dials its proxy, which forwards to the county and
        // cuts the link when the demo says so.
        let town =
            liandong_node::boot::start_township_with(cfg, shutdown.clone(), via(&proxy)).await?;
        let clerk = accounts::sign_in(&town.core, &accounts::clerk_id(i), SIGN_IN_TIMEOUT).await?;
        members.push(Member { proxy, town, clerk });
    }
    let asked_reviewer = match members.get(1) {
        Some(m) => {
            Some(accounts::sign_in(&m.town.core, joint::TOWNSHIP_STAFF, SIGN_IN_TIMEOUT).await?)
        }
        None => None,
    };
    progress(
        args,
        &format!(
            "{} township{} up, each behind its own cuttable link",
            members.len(),
            if members.len() == 1 { "" } else { "s" }
        ),
    );
    let proxy = LinkProxy::start(county.grpc_addr, shutdown).await?;
    let cfg = BridgeConfig {
        department: joint::DEPARTMENT.into(),
        county: county_url,
        data: Some(args.data.join(format!("bridge-{}", joint::DEPARTMENT))),
        pki,
        api: "127.0.0.1:0".parse()?,
        ..BridgeConfig::default()
    };
    let bridge = start_bridge_with(cfg, shutdown.clone(), via(&proxy)).await?;
    progress(
        args,
        &format!(
            "{} up: API http://{}, behind its own cuttable link",
            bridge.core.me(),
            bridge.api_addr
        ),
    );
    Ok(Demo {
        county,
        hall,
        asked_reviewer,
        members,
        bridge: BridgeMember { proxy, bridge },
    })
}

/// A node's seams: it dials the county through `proxy`.
/// A resident ID number that passes GB 11643, for demo applicant `n`.
fn resident_id(n: usize) -> String {
    let first17 = format!("41000019900101{:03}", n % 1000);
    liandong_domain::with_check_digit(&first17).expect("17 digits")
}

fn via(proxy: &LinkProxy) -> Seams {
    Seams {
        dialer: TcpDialer::via(proxy.addr().to_string()),
        ..Seams::default()
    }
}

async fn flaky_phase(args: &DemoArgs, demo: &Demo, joint: &mut JointCase) -> anyhow::Result<()> {
    let (county, members) = (&demo.county, &demo.members);
    let mut rng = StdRng::seed_from_u64(args.seed);
    let mut bridge_rng = StdRng::seed_from_u64(args.seed ^ BRIDGE_SCHEDULE);
    let ticks = (args.seconds * 10).max(1);
    let mut accepted = 0usize;
    let mut catalogue = 0u32;
    for tick in 0..ticks {
        // Links: each tick, each link flips with a small probability.
        for m in members {
            if rng.random_bool(0.04) {
                m.proxy.set_up(!m.proxy.is_up());
            }
        }
        let bridge_link = &demo.bridge.proxy;
        if bridge_rng.random_bool(0.04) {
            bridge_link.set_up(!bridge_link.is_up());
        }
        // Cases: spread evenly over the phase.
        let due = (args.cases as u64 * (tick + 1) / ticks) as usize;
        while accepted < due {
            let m = &members[rng.random_range(0..members.len())];
            let n = accepted + 1;
            m.town
                .core
                .accept_case(&m.clerk, "M001", &format!("申请人{n}"), &resident_id(n))
                .map_err(anyhow::Error::msg)?;
            accepted += 1;
        }
        // The county edits the catalogue now and then.
        if rng.random_bool(0.05) {
            catalogue += 1;
            county
                .core
                .put_matter(
                    &demo.hall,
                    Lang::Zh,
                    Matter::basic(
                        &format!("M{:03}", catalogue % 5 + 1),
                        &format!("个体工商户设立登记 v{catalogue}"),
                        Level::Township,
                        3,
                        15,
                        "D01",
                    ),
                )
                .map_err(anyhow::Error::msg)?;
        }
        // The joint case, from a third of the way in: every step that the
        // links have let reach its node.
        if tick >= ticks / 3 && !joint.is_finished() {
            for line in joint.advance(&demo.joint_nodes())? {
                progress(
                    args,
                    &format!("t={:>5.1}s {line}", (tick + 1) as f64 / 10.0),
                );
            }
        }
        if tick % 10 == 9 {
            let links: Vec<String> = demo
                .proxies()
                .zip(
                    members
                        .iter()
                        .map(|m| m.town.core.me().name())
                        .chain(std::iter::once(joint::DEPARTMENT)),
                )
                .map(|(proxy, name)| format!("{name} {}", if proxy.is_up() { "up" } else { "CUT" }))
                .collect();
            let held = county.core.store.stats().map(|s| s.ops_held).unwrap_or(0);
            progress(
                args,
                &format!(
                    "t={:>3}s cases {accepted}/{} catalogue edits {catalogue}  links [{}]  county holds {held} ops",
                    (tick + 1) / 10,
                    args.cases,
                    links.join(", ")
                ),
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

fn progress(args: &DemoArgs, line: &str) {
    if args.json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_demo_quiets_its_cut_links_unless_verbose_and_other_commands_log_at_info() {
        assert!(
            tracing_subscriber::EnvFilter::try_new(QUIET_LOG).is_ok(),
            "{QUIET_LOG}"
        );
        let filter = |args: &[&str]| {
            crate::commands::Cli::try_parse_from(args)
                .map(|cli| cli.log_filter())
                .map_err(|e| e.to_string())
        };
        assert_eq!(filter(&["county-node", "demo"]), Ok(QUIET_LOG));
        assert_eq!(filter(&["county-node", "demo", "--verbose"]), Ok("info"));
        assert_eq!(filter(&["county-node", "status"]), Ok("info"));
    }
}
