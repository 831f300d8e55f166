//! A run's faults, drawn from its seed before it starts: per-link message
//! loss, one-way partitions, held links released later, link cuts, node
//! crashes with restarts, and each node's clock skew.
//!
//! Every fault is undone by the end of the fault phase (links repaired and
//! released, crashed nodes restarted, loss set to zero), so the heal phase
//! asks one question: does everything converge, with nothing lost?
//!
//! Message loss is turmoil's: while a link is randomly failed its
//! segments are dropped, and a TCP stream with a lost segment stalls; the
//! nodes must notice a dead session and reconnect.

use rand::rngs::StdRng;
use rand::Rng;

/// The skew bound the simulated nodes run with (the default setting).
pub const MAX_SKEW_MS: i64 = liandong_model::DEFAULT_MAX_CLOCK_SKEW_MS as i64;

/// One fault, or its undoing, between the county and a host (or on a host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The link to `host` drops each message with this chance (per mille).
    Loss {
        host: String,
        per_mille: u32,
    },
    /// Messages from `from` to `to` are dropped (the other way flows).
    PartitionOneWay {
        from: String,
        to: String,
    },
    RepairOneWay {
        from: String,
        to: String,
    },
    /// Messages on the link wait until [`Fault::Release`].
    Hold {
        host: String,
    },
    Release {
        host: String,
    },
    /// Every message on the link is dropped until [`Fault::Repair`].
    Cut {
        host: String,
    },
    Repair {
        host: String,
    },
    /// The host's process dies (its runtime is dropped, the store closed
    /// with what it committed) and comes back with [`Fault::Restart`].
    Crash {
        host: String,
    },
    Restart {
        host: String,
    },
}

/// A fault at a moment of simulated time.
#[derive(Debug, Clone)]
pub struct Scheduled {
    pub at_ms: u64,
    pub fault: Fault,
}

/// What a seed's plan holds, for the run's report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub lossy_links: u32,
    pub one_way_partitions: u32,
    pub holds: u32,
    pub cuts: u32,
    pub crashes: u32,
}

/// Clock skews, one per host in world order: every node's clock within
/// ±5 min of true time, so two honest nodes may be up to twice the skew
/// bound apart (an operation relayed by the county from a fast township
/// to a slow one arrives "from the future" by up to 10 min).
pub fn skews(rng: &mut StdRng, hosts: usize) -> Vec<i64> {
    (0..hosts)
        .map(|_| rng.random_range(-MAX_SKEW_MS..=MAX_SKEW_MS))
        .collect()
}

/// The plan for a fault phase of `phase_ms` over the non-county `hosts`
/// (the county itself may crash too).
pub fn plan(rng: &mut StdRng, hosts: &[String], phase_ms: u64) -> (Vec<Scheduled>, FaultCounts) {
    let mut out = Vec::new();
    let mut counts = FaultCounts::default();
    let window = |rng: &mut StdRng| {
        let start = rng.random_range(0..phase_ms * 3 / 4);
        let len = rng.random_range(2_000..=(phase_ms / 4).max(2_001));
        (start, (start + len).min(phase_ms))
    };
    for host in hosts {
        if rng.random_bool(0.5) {
            let per_mille = rng.random_range(10..=200);
            let (from, to) = window(rng);
            out.push(at(
                from,
                Fault::Loss {
                    host: host.clone(),
                    per_mille,
                },
            ));
            out.push(at(
                to,
                Fault::Loss {
                    host: host.clone(),
                    per_mille: 0,
                },
            ));
            counts.lossy_links += 1;
        }
        match rng.random_range(0..8) {
            0 => {
                let (from, to) = window(rng);
                let (a, b) = if rng.random_bool(0.5) {
                    (host.clone(), "county".to_string())
                } else {
                    ("county".to_string(), host.clone())
                };
                out.push(at(
                    from,
                    Fault::PartitionOneWay {
                        from: a.clone(),
                        to: b.clone(),
                    },
                ));
                out.push(at(to, Fault::RepairOneWay { from: a, to: b }));
                counts.one_way_partitions += 1;
            }
            1 => {
                let (from, to) = window(rng);
                out.push(at(from, Fault::Hold { host: host.clone() }));
                out.push(at(to, Fault::Release { host: host.clone() }));
                counts.holds += 1;
            }
            2 | 3 => {
                let (from, to) = window(rng);
                out.push(at(from, Fault::Cut { host: host.clone() }));
                out.push(at(to, Fault::Repair { host: host.clone() }));
                counts.cuts += 1;
            }
            4 => {
                let (from, to) = window(rng);
                out.push(at(from, Fault::Crash { host: host.clone() }));
                out.push(at(to, Fault::Restart { host: host.clone() }));
                counts.crashes += 1;
            }
            _ => {}
        }
    }
    if rng.random_bool(0.3) {
        let (from, to) = window(rng);
        out.push(at(
            from,
            Fault::Crash {
                host: "county".into(),
            },
        ));
        out.push(at(
            to,
            Fault::Restart {
                host: "county".into(),
            },
        ));
        counts.crashes += 1;
    }
    out.sort_by_key(|s| s.at_ms);
    (out, counts)
}

fn at(at_ms: u64, fault: Fault) -> Scheduled {
    Scheduled { at_ms, fault }
}
