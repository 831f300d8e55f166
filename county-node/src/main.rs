//! `county-node`: see `county-node --help`.

use clap::Parser;
use county_node::commands::{report, run, Cli};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    liandong_node::logging::init_with_default(cli.log_format, cli.log_filter());
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}
