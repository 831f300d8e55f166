//! `bench county-rss`: the county's own memory. The county runs as its own
//! process (the built `county-node serve`); a township in this process
//! writes the operations and replicates them to it; the county's peak RSS
//! (VmHWM of its process) is read once it durably holds them all.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{free_port, Net};
use anyhow::{bail, ensure, Context};
use clap::Args;
use liandong_node::control::{call, Call, Reply, Request};
use serde::Serialize;

use super::workload::Workload;
use super::{progress, start_township, write_bulk};
use crate::now_ms;

#[derive(Args, Debug)]
pub struct CountyRssArgs {
    /// Print one JSON object on stdout instead of text.
    #[arg(long)]
    pub json: bool,
    /// Operations written at the township and replicated to the county.
    #[arg(long, default_value_t = 100_000)]
    pub ops: u64,
    /// Target encoded size of one operation, in bytes.
    #[arg(long, default_value_t = 1024)]
    pub op_bytes: usize,
    /// The county's sled page cache, MiB (default: its own default).
    #[arg(long)]
    pub cache_mb: Option<u64>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 300)]
    pub timeout_s: u64,
}

#[derive(Debug, Serialize)]
pub struct CountyRss {
    pub ops: u64,
    pub op_bytes: usize,
    pub county_peak_rss_mib: f64,
    pub county_rss_now_mib: f64,
    pub seconds_to_hold_all: f64,
    pub rss_scope: &'static str,
}

/// VmHWM and VmRSS of a process, MiB.
fn proc_rss(pid: u32) -> anyhow::Result<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(0.0, |kb| kb / 1024.0)
    };
    Ok((field("VmHWM:"), field("VmRSS:")))
}

async fn county_ops_held(dir: &Path) -> Option<u64> {
    let req = Call::new(Default::default(), Request::Status);
    match call(dir, "county-node serve", &req).await {
        Ok(Reply::Status(s)) => Some(s.ops_held),
        _ => None,
    }
}

pub async fn run_county_rss(args: &CountyRssArgs) -> anyhow::Result<CountyRss> {
    let bin = crate::binary("county-node");
    ensure!(
        bin.exists(),
        "{} not found: build it first with `cargo build --release -p county-node`",
        bin.display()
    );
    let net = Net::new();
    let (port, admin) = (free_port(), free_port());
    let mut cmd = tokio::process::Command::new(&bin);
    cmd.arg("serve")
        .arg("--data")
        .arg(net.dir("county"))
        .arg("--pki")
        .arg(net.pki())
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--admin", &format!("127.0.0.1:{admin}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(mb) = args.cache_mb {
        cmd.env("LIANDONG_COUNTY_CACHE_MB", mb.to_string());
    }
    let mut child = cmd.spawn().context("starting county-node serve")?;
    let pid = child.id().context("county process id")?;
    let limit = Duration::from_secs(args.timeout_s);
    let started = Instant::now();
    while county_ops_held(&net.dir("county")).await.is_none() {
        ensure!(
            started.elapsed() < limit,
            "the county process did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    progress(&format!(
        "county-rss: county process {pid} up on port {port}"
    ));
    let town = start_township(&net, port, None, None).await?;
    let base = county_ops_held(&net.dir("county")).await.unwrap_or(0);
    let mut work = Workload::new(
        town.core().me().clone(),
        &town.core().county_code,
        now_ms(),
        args.op_bytes,
    );
    let op_bytes = work.encoded_len(now_ms());
    let started = Instant::now();
    write_bulk(&town.core().store, &mut work, args.ops, 1000, "county-rss").await?;
    loop {
        let held = county_ops_held(&net.dir("county")).await.unwrap_or(0);
        if held >= base + args.ops {
            break;
        }
        if started.elapsed() > limit {
            bail!(
                "the county holds {held} of {} operations after {limit:?}",
                base + args.ops
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    let (peak, now) = proc_rss(pid)?;
    town.stop().await;
    let _ = child.start_kill();
    let _ = child.wait().await;
    Ok(CountyRss {
        ops: args.ops,
        op_bytes,
        county_peak_rss_mib: (peak * 10.0).round() / 10.0,
        county_rss_now_mib: (now * 10.0).round() / 10.0,
        seconds_to_hold_all: (seconds * 1000.0).round() / 1000.0,
        rss_scope: "the county-node process alone (VmHWM)",
    })
}
