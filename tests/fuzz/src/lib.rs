//! What the fuzz targets share: fixed fixtures (nodes, the 2026 calendar,
//! three matters, authorisations, a roster), case events built from
//! fuzz input with `arbitrary`, and the merge laws every replicated type
//! must keep.
//!
//! Invariants: everything here is deterministic in its input, so a crash
//! file replays the same run; strings come from small fixed pools, so
//! events built from unrelated bytes still refer to each other (an opinion
//! names a routed department, a decision a held authorisation) and the
//! fuzzer reaches deep fold states instead of refusals at the first check.
//!
//! Not here: the targets themselves (`fuzz_targets/`), the seed corpora
//! (`src/bin/write_seeds.rs`).

pub mod events;
pub mod fixtures;
pub mod laws;
