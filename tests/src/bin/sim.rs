//! Runs seeds of the simulation (`tests::sim`): a county, twelve townships
//! and two bridges, the real nodes on a simulated network with faults.
//! Progress goes to stderr; a summary (or, with `--json`, one JSON object
//! per seed) to stdout. Any failing seed is printed with the one-line
//! command that runs it again, and the exit code is 1.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use tests::sim::{run_seed, SimOptions};

#[derive(Parser, Debug)]
#[command(
    name = "sim",
    about = "Seeded simulation of the real Liandong nodes under network faults, crashes and clock skew"
)]
struct Cli {
    /// How many seeds to run.
    #[arg(long, default_value_t = 20)]
    seeds: u64,
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// Townships in the simulated county.
    #[arg(long, default_value_t = 12)]
    townships: usize,
    /// Department bridges (at most 2).
    #[arg(long, default_value_t = 2)]
    bridges: usize,
    /// Simulated seconds of faults per seed.
    #[arg(long, default_value_t = 120)]
    fault_secs: u64,
    /// One JSON line per seed on stdout.
    #[arg(long)]
    json: bool,
}

/// `[#####.....]  12/60`
fn bar(done: u64, total: u64) -> String {
    const WIDTH: u64 = 30;
    let filled = (done * WIDTH).checked_div(total).unwrap_or(WIDTH) as usize;
    format!(
        "[{}{}] {done:>5}/{total}",
        "#".repeat(filled),
        ".".repeat(WIDTH as usize - filled)
    )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if std::env::var_os("RUST_LOG").is_some() {
        liandong_node::logging::init(liandong_node::logging::LogFormat::Human);
    }
    let opts = SimOptions {
        townships: cli.townships,
        bridges: cli.bridges,
        fault_ms: cli.fault_secs.saturating_mul(1000),
        ..SimOptions::default()
    };
    let mut failed = Vec::new();
    let (mut simulated_ms, mut real_ms, mut acked) = (0u64, 0u64, 0usize);
    let (mut forged, mut refused) = (0usize, 0usize);
    for (i, seed) in (cli.from..cli.from.saturating_add(cli.seeds)).enumerate() {
        eprint!(
            "\r{} seed {seed}, {} failed ",
            bar(i as u64, cli.seeds),
            failed.len()
        );
        let _ = std::io::stderr().flush();
        let report = match run_seed(seed, &opts) {
            Ok(r) => r,
            Err(f) => {
                eprintln!();
                eprintln!("{f}");
                failed.push(f.reproduce());
                f.report.clone()
            }
        };
        simulated_ms += report.simulated_ms;
        real_ms += report.real_ms;
        acked += report.acked_ops;
        forged += report.forged_ops;
        refused += report.forged_refused;
        if cli.json {
            println!(
                "{{\"seed\":{},\"simulated_ms\":{},\"real_ms\":{},\"cases\":{},\"acked_ops\":{},\"steps_refused\":{},\"rejections\":{},\"forged_ops\":{},\"forged_refused\":{},\"crashes\":{},\"cuts\":{},\"lossy_links\":{}}}",
                report.seed,
                report.simulated_ms,
                report.real_ms,
                report.cases,
                report.acked_ops,
                report.steps_refused,
                report.rejections,
                report.forged_ops,
                report.forged_refused,
                report.faults.crashes,
                report.faults.cuts,
                report.faults.lossy_links
            );
        }
    }
    eprintln!();
    let speedup = simulated_ms as f64 / real_ms.max(1) as f64;
    println!(
        "seeds {} from {}: {} failed; simulated {:.2} h in {:.1} s real ({speedup:.1}x); {acked} acknowledged operations checked; {forged} forged operations sent, {refused} refused at the county, none held anywhere",
        cli.seeds,
        cli.from,
        failed.len(),
        simulated_ms as f64 / 3_600_000.0,
        real_ms as f64 / 1000.0
    );
    for cmd in &failed {
        println!("reproduce: {cmd}");
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
