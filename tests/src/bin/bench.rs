//! Benchmarks of a Liandong county and township started in this process
//! (see `tests::bench`). Progress goes to stderr; the result (a table, or
//! one JSON object with `--json`) to stdout. Set RUST_LOG to see the
//! nodes' own logs on stderr.

use clap::{Parser, Subcommand};
use tests::bench::county_rss::{run_county_rss, CountyRssArgs};
use tests::bench::county_scale::{run_county_scale, CountyScaleArgs};
use tests::bench::fan_in::{run_fan_in, FanInArgs};
use tests::bench::serving::{run_serving, ServingArgs};
use tests::bench::{progress, run_replication, ReplicationArgs};

#[derive(Parser, Debug)]
#[command(
    name = "bench",
    about = "Liandong benchmarks: a county and a township in this process, loopback, mutual TLS, sled on disk"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Initial replication throughput, catch-up after a cut, live latency, peak RSS.
    Replication(ReplicationArgs),
    /// The county's own peak memory: the county runs as its own process
    /// (build it first: `cargo build --release -p county-node`).
    CountyRss(CountyRssArgs),
    /// Time to serve one township's backlog when the county holds 1x and
    /// Fx as much data for other townships, and the ratio of the two.
    Serving(ServingArgs),
    /// A county holding many townships' cases: RSS, supervision pass,
    /// list pages, status, restart and disk use.
    CountyScale(CountyScaleArgs),
    /// Sixty townships (by default), each with a week of backlog, connect
    /// to the county at once: time until it holds everything, fairness,
    /// peak RSS, then live latency with all of them connected.
    FanIn(FanInArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if std::env::var_os("RUST_LOG").is_some() {
        liandong_node::logging::init(liandong_node::logging::LogFormat::Human);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    match cli.command {
        Command::Replication(args) => {
            let report = runtime.block_on(run_replication(&args))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.table());
            }
            progress("done");
        }
        Command::CountyRss(args) => {
            let r = runtime.block_on(run_county_rss(&args))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&r)?);
            } else {
                println!(
                    "county peak RSS {:.1} MiB ({:.1} MiB now) after receiving {} operations of {} bytes in {:.1} s ({})",
                    r.county_peak_rss_mib, r.county_rss_now_mib, r.ops, r.op_bytes, r.seconds_to_hold_all, r.rss_scope
                );
            }
            progress("done");
        }
        Command::CountyScale(args) => {
            let report = runtime.block_on(run_county_scale(&args))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.table());
            }
            progress("done");
        }
        Command::Serving(args) => {
            let report = runtime.block_on(run_serving(&args))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.table());
            }
            progress("done");
        }
        Command::FanIn(args) => {
            let report = runtime.block_on(run_fan_in(&args))?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.text());
            }
            progress("done");
        }
    }
    Ok(())
}
