//! The seeded simulation (`tests::sim`) of a county, twelve townships and
//! two department bridges — the real nodes on turmoil's network with
//! message loss, one-way partitions, held links, cuts, crashes and clock
//! skew — over 200 seeds, split across tests so they run in parallel.
//! Each seed's invariants are checked at its end; a failing seed prints
//! the command that runs it alone. Longer runs:
//! `cargo run --release -p tests --bin sim -- --seeds N [--from S]`.
//!
//! The seeds named below each failed once and are kept as regressions.

use tests::sim::{run_seed, SimOptions};

/// Seeds per test; 8 tests cover seeds 0..200.
const PER_TEST: u64 = 25;

/// The suite's runs: the full county with a 30-second fault phase.
fn opts() -> SimOptions {
    SimOptions {
        fault_ms: 30_000,
        ..SimOptions::default()
    }
}

fn run_block(block: u64) {
    let opts = opts();
    let mut failures = Vec::new();
    for seed in block * PER_TEST..(block + 1) * PER_TEST {
        if let Err(f) = run_seed(seed, &opts) {
            failures.push(f.to_string());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn seeds_0_to_24_lose_nothing_acknowledged_and_converge() {
    run_block(0);
}

#[test]
fn seeds_25_to_49_lose_nothing_acknowledged_and_converge() {
    run_block(1);
}

#[test]
fn seeds_50_to_74_lose_nothing_acknowledged_and_converge() {
    run_block(2);
}

#[test]
fn seeds_75_to_99_lose_nothing_acknowledged_and_converge() {
    run_block(3);
}

#[test]
fn seeds_100_to_124_lose_nothing_acknowledged_and_converge() {
    run_block(4);
}

#[test]
fn seeds_125_to_149_lose_nothing_acknowledged_and_converge() {
    run_block(5);
}

#[test]
fn seeds_150_to_174_lose_nothing_acknowledged_and_converge() {
    run_block(6);
}

#[test]
fn seeds_175_to_199_lose_nothing_acknowledged_and_converge() {
    run_block(7);
}

/// Seed 0 with a small county (2 townships, 1 bridge, 30 s of faults): a
/// township 7 minutes behind a fast one refused the operations the county
/// relayed from it (`future-stamp`), and never held them.
#[test]
fn regression_seed_0_a_slow_township_takes_what_the_county_relays_from_a_fast_one() {
    let opts = SimOptions {
        townships: 2,
        bridges: 1,
        ..opts()
    };
    if let Err(f) = run_seed(0, &opts) {
        panic!("{f}");
    }
}

/// Seeds 2 and 3 with the default two-minute fault phase: the county
/// refused a fast township's operations for good; now held back, they
/// land once its clock catches up.
#[test]
fn regression_seeds_2_and_3_a_fast_townships_operations_land_at_the_county() {
    let opts = SimOptions::default();
    for seed in [2, 3] {
        if let Err(f) = run_seed(seed, &opts) {
            panic!("{f}");
        }
    }
}
