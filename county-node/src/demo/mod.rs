//! `county-node demo`: a county and N townships in one process, on
//! loopback, over real mutual TLS, with real sled stores under
//! `./data/demo`. Cases are accepted at every township while a seeded
//! random schedule cuts and restores each township's link (a proxy per
//! link); the county edits the catalogue meanwhile. At the end every link
//! is restored and the demo waits for convergence, then prints a report
//! (per node: operations held, scope digest, lag). Exit status 0 only if
//! every node converged.

pub mod proxy;
mod report;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use liandong_domain::{Lang, Level, Matter};
use liandong_node::shutdown::Shutdown;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use liandong_node::config::county::CountyConfig;
use proxy::LinkProxy;
pub use report::{converged, ConvergenceReport, NodeLine};

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Number of townships.
    #[arg(long, default_value_t = 3)]
    pub townships: usize,
    /// Cases to accept in all (spread over the townships).
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
}

/// How long to wait for convergence once every link is restored.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    if args.townships == 0 || args.townships > 99 {
        anyhow::bail!("--townships must be between 1 and 99");
    }
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
    Ok(())
}

struct Member {
    proxy: LinkProxy,
    town: liandong_node::boot::Township,
}

/// Runs the demo and returns its report (used by tests too).
pub async fn run_demo(args: &DemoArgs) -> anyhow::Result<ConvergenceReport> {
    if args.data.exists() {
        std::fs::remove_dir_all(&args.data)
            .with_context(|| format!("clearing the demo directory {}", args.data.display()))?;
    }
    let shutdown = Shutdown::new();
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
    county
        .core
        .put_matter(
            Lang::Zh,
            Matter::basic("M001", "个体工商户设立登记", Level::Township, 3, 15, "D01"),
        )
        .map_err(anyhow::Error::msg)?;
    let mut members = Vec::new();
    for i in 1..=args.townships {
        let proxy = LinkProxy::start(county.grpc_addr, &shutdown).await?;
        let cfg = liandong_node::config::township::TownshipConfig {
            id: format!("T{i:02}"),
            county: format!("https://localhost:{}", county.grpc_addr.port()),
            data: Some(args.data.join(format!("T{i:02}"))),
            pki: pki.clone(),
            admin: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Default::default()
        };
        // The township dials its proxy, which forwards to the county and
        // cuts the link when the demo says so.
        let seams = liandong_node::boot::Seams {
            dialer: liandong_net::tls::TcpDialer::via(proxy.addr().to_string()),
            ..Default::default()
        };
        let town = liandong_node::boot::start_township_with(cfg, shutdown.clone(), seams).await?;
        members.push(Member { proxy, town });
    }
    progress(
        args,
        &format!(
            "{} townships up, each behind its own cuttable link",
            members.len()
        ),
    );

    flaky_phase(args, &county, &members).await?;

    for m in &members {
        m.proxy.set_up(true);
    }
    progress(args, "all links restored; waiting for convergence");
    let started = Instant::now();
    let towns: Vec<_> = members.iter().map(|m| m.town.core.clone()).collect();
    let mut report = report::measure(&county.core, &towns)?;
    while !report.converged && started.elapsed() < CONVERGE_TIMEOUT {
        tokio::time::sleep(Duration::from_millis(200)).await;
        report = report::measure(&county.core, &towns)?;
    }
    report.seconds_to_converge = started.elapsed().as_secs_f64();
    shutdown.drain(Duration::from_secs(10)).await;
    Ok(report)
}

async fn flaky_phase(
    args: &DemoArgs,
    county: &crate::County,
    members: &[Member],
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(args.seed);
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
        // Cases: spread evenly over the phase.
        let due = (args.cases as u64 * (tick + 1) / ticks) as usize;
        while accepted < due {
            let m = &members[rng.random_range(0..members.len())];
            let n = accepted + 1;
            m.town
                .core
                .accept_case(
                    "M001",
                    &format!("申请人{n}"),
                    &format!("41000019900101{n:04}"),
                )
                .map_err(anyhow::Error::msg)?;
            accepted += 1;
        }
        // The county edits the catalogue now and then.
        if rng.random_bool(0.05) {
            catalogue += 1;
            county
                .core
                .put_matter(
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
        if tick % 10 == 9 {
            let links: Vec<String> = members
                .iter()
                .map(|m| {
                    format!(
                        "{} {}",
                        m.town.core.me().name(),
                        if m.proxy.is_up() { "up" } else { "CUT" }
                    )
                })
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
