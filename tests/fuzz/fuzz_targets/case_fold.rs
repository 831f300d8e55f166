#![no_main]
//! The case fold over arbitrary event sets (`liandong_domain::fold`).
//!
//! Properties, on events built from the input (`liandong_fuzz::events`):
//! - the record and its folded state depend on the event set only: the
//!   events inserted in another order with duplicates, or split across two
//!   replicas that then merge either way, give the same record, the same
//!   state and the same supervision items;
//! - the state is consistent with its record: it counts its events, its
//!   fee total is the sum of its fee lines, every operation it names is in
//!   the record, and no superseded operation is in a conflict, an anomaly,
//!   a decision or a fee line;
//! - a retraction voids the event it supersedes and nothing else: the
//!   state with the event and its retraction is the state without the
//!   event (but with the retraction), except the event count and the
//!   event's own clock-skew warning.

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use liandong_domain::{
    fold, supervision_items, CaseEvent, CaseRecord, CaseState, EventKind, FoldContext, Level,
    Thresholds, Warning,
};
use liandong_fuzz::events::{build, EventSpec, Events};
use liandong_fuzz::fixtures::{
    authorisations, business_ms, calendar_2026, case_id, county, matters, roster, routing_m001,
};
use liandong_model::{Hlc, OpId};
use libfuzzer_sys::fuzz_target;

/// 2100-01-01 00:00 UTC, in Unix milliseconds.
const YEAR_2100_MS: u64 = 4_102_444_800_000;

#[derive(Arbitrary, Debug)]
struct Input {
    specs: Vec<EventSpec>,
    /// A sort key per event: the second arrival order.
    order: Vec<u16>,
    /// Events delivered again, by index.
    duplicates: Vec<u8>,
    /// Per event: bit 0 on the first replica, bit 1 on the second
    /// (neither: on both).
    split: Vec<u8>,
    /// Which matter the case pinned (3 and above: not in the catalogue).
    matter: u8,
    now_day: u8,
    recorder: Option<bool>,
    routing: bool,
    /// The event a retraction voids, by index.
    retract: u8,
    /// A `now` anywhere from 1970 to 2100 (a node whose clock is far off)
    /// instead of `now_day`. `now` is the node's own clock, not received:
    /// a later `now` makes the fold walk more days, by design.
    now_raw: Option<u64>,
    /// The pinned matter's promised and statutory days, as a received
    /// catalogue entry may carry them.
    limits: Option<(u16, u16)>,
}

fn record_of<'a>(events: impl IntoIterator<Item = &'a (OpId, Hlc, CaseEvent)>) -> CaseRecord {
    let mut record = CaseRecord::new();
    for (op, hlc, e) in events {
        record.insert(op.clone(), *hlc, e.clone());
    }
    record
}

/// The second arrival: reordered by the input's keys, then duplicates.
fn arrival<'a>(events: &'a Events, input: &Input) -> Vec<&'a (OpId, Hlc, CaseEvent)> {
    let mut order: Vec<usize> = (0..events.len()).collect();
    order.sort_by_key(|&i| (input.order.get(i).copied().unwrap_or(0), usize::MAX - i));
    let dups = input
        .duplicates
        .iter()
        .map(|&d| usize::from(d) % events.len());
    order.into_iter().chain(dups).map(|i| &events[i]).collect()
}

/// Two replicas holding parts of the events.
fn split(events: &Events, input: &Input) -> (CaseRecord, CaseRecord) {
    let mut a = CaseRecord::new();
    let mut b = CaseRecord::new();
    for (i, (op, hlc, e)) in events.iter().enumerate() {
        let mask = input.split.get(i).copied().unwrap_or(0) & 3;
        if mask != 2 {
            a.insert(op.clone(), *hlc, e.clone());
        }
        if mask != 1 {
            b.insert(op.clone(), *hlc, e.clone());
        }
    }
    (a, b)
}

fn consistent(record: &CaseRecord, state: &CaseState) {
    assert_eq!(state.events, record.len(), "the state counts its events");
    let total = state
        .fees
        .iter()
        .map(|f| f.amount_fen)
        .fold(0, u64::saturating_add);
    assert_eq!(state.fees_total_fen, total, "the fee total sums the lines");
    let superseded = record.superseded();
    let live_named = state
        .conflicts
        .iter()
        .flat_map(|c| c.ops.iter())
        .chain(state.anomalies.iter().map(|a| &a.op))
        .chain(state.parts.iter().map(|p| &p.op))
        .chain(state.fees.iter().map(|f| &f.op))
        .chain(state.evaluations.iter().map(|e| &e.op))
        .chain(state.submitted_by.iter());
    for op in live_named {
        assert!(
            record.contains(op),
            "the state names {op}, not in the record"
        );
        assert!(
            !superseded.contains(op),
            "the state uses {op}, which is superseded"
        );
    }
}

/// The state without what differs between "with the voided event" and
/// "without it": the event count and that event's clock-skew warning.
fn without_voided(mut state: CaseState, voided: &OpId) -> CaseState {
    state.events = 0;
    state
        .warnings
        .retain(|w| !matches!(w, Warning::ClockSkew { op, .. } if op == voided));
    state
}

fn retraction_voids_only_its_target(events: &Events, index: u8, ctx: &FoldContext<'_>) {
    let (target, _, event) = &events[usize::from(index) % events.len()];
    let named_once = events.iter().filter(|(op, _, _)| op == target).count() == 1;
    if event.supersedes.is_some() || !named_once {
        // Voiding it would also un-supersede what it supersedes, or
        // another body under the same id would stay.
        return;
    }
    let latest = events.iter().map(|(_, h, _)| *h).max().unwrap_or_default();
    let after = latest.wall_ms.saturating_add(1);
    let retraction = (
        OpId {
            origin: county(),
            seq: 1_000_000,
        },
        Hlc {
            wall_ms: after,
            logical: 0,
        },
        CaseEvent::new(
            after,
            EventKind::Retracted {
                reason: "更正".into(),
            },
        )
        .superseding(target.clone()),
    );
    let with = record_of(events.iter().chain([&retraction]));
    let without = record_of(
        events
            .iter()
            .filter(|(op, _, _)| op != target)
            .chain([&retraction]),
    );
    assert_eq!(
        without_voided(fold(&with, ctx), target),
        without_voided(fold(&without, ctx), target),
        "a retraction of {target} changes more than {target}"
    );
}

fuzz_target!(|input: Input| {
    let events = build(&input.specs);
    if events.is_empty() {
        return;
    }
    let calendar = calendar_2026();
    let mut matters = matters();
    if let Some((promised, statutory)) = input.limits {
        for m in &mut matters {
            (m.promised_days, m.statutory_days) = (promised, statutory);
        }
    }
    let auths = authorisations();
    let roster = roster();
    let routing = routing_m001();
    let ctx = FoldContext {
        calendar: &calendar,
        matter: matters.get(usize::from(input.matter % 4)),
        authorisations: &auths,
        roster: &roster,
        routing: input.routing.then_some(&routing),
        now_ms: input
            .now_raw
            .map(|ms| ms % YEAR_2100_MS)
            .unwrap_or_else(|| business_ms(u64::from(input.now_day % 90), 420)),
        thresholds: Thresholds::default(),
        recorder_level: input.recorder.map(|county| {
            if county {
                Level::County
            } else {
                Level::Township
            }
        }),
    };

    let reference = record_of(&events);
    let replayed = record_of(arrival(&events, &input));
    assert_eq!(replayed, reference, "arrival order changed the record");
    let (mut a, mut b) = split(&events, &input);
    let (a0, b0) = (a.clone(), b.clone());
    a.merge_from(&b0);
    b.merge_from(&a0);
    assert_eq!(
        a, reference,
        "a replica merged from the other misses events"
    );
    assert_eq!(
        b, reference,
        "a replica merged from the other misses events"
    );

    let state = fold(&reference, &ctx);
    consistent(&reference, &state);
    assert_eq!(
        fold(&replayed, &ctx),
        state,
        "arrival order changed the state"
    );
    assert_eq!(fold(&b, &ctx), state, "merge direction changed the state");
    let case = case_id();
    assert_eq!(
        supervision_items(&case, &replayed, &ctx),
        supervision_items(&case, &reference, &ctx),
        "arrival order changed the supervision items"
    );
    let distinct: BTreeSet<&OpId> = events.iter().map(|(op, _, _)| op).collect();
    assert_eq!(reference.len(), distinct.len(), "one entry per op id");

    retraction_voids_only_its_target(&events, input.retract, &ctx);
});
