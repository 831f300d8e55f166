//! The fold is a function of the event set: any arrival order, any
//! duplication, any split across replicas gives the same state.

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::*;

/// Events of one case with the HLC of their operations.
pub(super) type Events = Vec<(OpId, Hlc, CaseEvent)>;

/// The shape of one random event; `build` turns a list into real events.
#[derive(Debug, Clone)]
pub(super) struct Spec {
    kind: u8,
    node: bool,
    day: u8,
    minute: u16,
    target: u8,
    flag: bool,
    supersede: bool,
}

pub(super) fn arb_spec() -> impl Strategy<Value = Spec> {
    (
        0u8..22,
        any::<bool>(),
        0u8..40,
        0u16..600,
        any::<u8>(),
        any::<bool>(),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(kind, node, day, minute, target, flag, supersede)| Spec {
            kind,
            node,
            day,
            minute,
            target,
            flag,
            supersede,
        })
}

/// Random events of one case: mostly a plausible life, with contradictions,
/// dangling references and supersessions mixed in.
pub(super) fn arb_events() -> impl Strategy<Value = Events> {
    let opening = |kind| Spec {
        kind,
        node: false,
        day: 0,
        minute: kind.into(),
        target: 0,
        flag: false,
        supersede: false,
    };
    (
        prop::bool::weighted(0.7),
        prop::collection::vec(arb_spec(), 1..24),
    )
        .prop_map(move |(opened, mut specs)| {
            // Most cases start as cases do: an application, then acceptance.
            if opened {
                specs.splice(0..0, [opening(0), opening(3)]);
            }
            build(&specs)
        })
}

fn build(specs: &[Spec]) -> Events {
    let mut seqs = [0u64; 2];
    let ids: Vec<OpId> = specs
        .iter()
        .map(|s| {
            let n = usize::from(s.node);
            seqs[n] += 1;
            OpId {
                origin: if s.node { county() } else { township() },
                seq: seqs[n],
            }
        })
        .collect();
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let target = ids[usize::from(s.target) % ids.len()].clone();
            let at_ms = cst_time_ms(day(2026, 9, 28) + chrono::Days::new(u64::from(s.day)), 9, 0)
                + u64::from(s.minute) * 60_000;
            // The county's clock runs two minutes ahead: HLC order and
            // business-time order disagree now and then.
            let hlc = Hlc {
                wall_ms: at_ms + if s.node { 120_000 } else { 0 },
                logical: 0,
            };
            let mut event = CaseEvent::new(at_ms, kind(s, target.clone()));
            if s.supersede {
                event = event.superseding(target);
            }
            (ids[i].clone(), hlc, event)
        })
        .collect()
}

fn kind(s: &Spec, target: OpId) -> EventKind {
    let dept = if s.flag { "D02" } else { "D03" };
    let item = SupervisionId(format!("item{}", s.target % 3));
    match s.kind {
        0 => submitted(
            &matter_m001(),
            if s.flag {
                &["申请书"]
            } else {
                &["申请书", "身份证", "经营场所证明"]
            },
        ),
        1 => EventKind::CorrectionRequested {
            missing: vec!["身份证".into()],
        },
        2 => EventKind::CorrectionSupplied {
            request: target,
            supplied: vec!["身份证".into()],
        },
        3 => EventKind::Accepted { tolerated: None },
        4 => EventKind::Rejected {
            reason: if s.flag {
                String::new()
            } else {
                "不符合条件".into()
            },
            legal_basis: "第三十二条".into(),
            competent_authority: None,
        },
        5 => EventKind::RoutedToDepartment {
            department: dept.into(),
            part: "审查".into(),
            stage_limit_days: Some(2),
        },
        6 => EventKind::OpinionGiven {
            department: dept.into(),
            agree: s.flag,
            text: "意见".into(),
        },
        7 => EventKind::SupplementRequested {
            department: "D01".into(),
            items: vec!["合同".into()],
        },
        8 => EventKind::SupplementSupplied {
            request: target,
            items: vec!["合同".into()],
        },
        9 => EventKind::SpecialProcedureStarted {
            code: if s.flag {
                SpecialCode::Extension
            } else {
                SpecialCode::Other
            },
            kind: if s.flag {
                SpecialKind::Extension
            } else {
                SpecialKind::SiteInspection
            },
            reason: "需要".into(),
            approver: "局长".into(),
            days: u16::from(s.day % 7) + 1,
        },
        10 => EventKind::SpecialProcedureEnded { started: target },
        11 => decided(
            s.flag,
            if s.flag { "S01" } else { "S02" },
            if s.flag { "A01" } else { "A02" },
            if s.minute < 300 { "理由" } else { "" },
        ),
        12 => EventKind::FeeCharged {
            item: if s.flag { "工本费" } else { "加急费" }.into(),
            amount_fen: 1000,
        },
        13 | 14 => EventKind::Concluded,
        15 => EventKind::Delivered { recipient: None },
        16 => EventKind::Withdrawn {
            reason: "申请人要求".into(),
        },
        17 => EventKind::Evaluated {
            level: s.day % 5 + 1,
            text: Personal::new("评价".into()),
            evaluator: Personal::new("张三".into()),
        },
        18 => EventKind::BadReviewHandled {
            evaluation: target,
            note: "已回访".into(),
        },
        19 => EventKind::SupervisionFlagged {
            item,
            rule: Rule::Red,
            note: "督办".into(),
        },
        20 => {
            if s.flag {
                EventKind::SupervisionResolved {
                    item,
                    note: "已办结".into(),
                }
            } else {
                EventKind::SupervisionAnnotated {
                    item,
                    note: "批注".into(),
                }
            }
        }
        _ => EventKind::Retracted {
            reason: "更正".into(),
        },
    }
}

struct Context {
    calendar: Calendar,
    matter: Matter,
    authorisations: Vec<Authorisation>,
}

fn context() -> Context {
    let mut revoked = authorisation("A02", "S02", AuthScope::Department("D01".into()));
    revoked.revoke(at(10, 20, 9, 0));
    Context {
        calendar: calendar_2026(),
        matter: matter_m001(),
        authorisations: vec![
            authorisation("A01", "S01", AuthScope::Matter("M001".into())),
            revoked,
        ],
    }
}

fn state_of(record: &CaseRecord, c: &Context, now_ms: u64) -> CaseState {
    let ctx = FoldContext {
        calendar: &c.calendar,
        matter: Some(&c.matter),
        authorisations: &c.authorisations,
        roster: &[],
        routing: None,
        now_ms,
        thresholds: Thresholds::default(),
        recorder_level: None,
    };
    fold(record, &ctx)
}

fn record_of<'a>(events: impl IntoIterator<Item = &'a (OpId, Hlc, CaseEvent)>) -> CaseRecord {
    let mut record = CaseRecord::new();
    for (op, hlc, e) in events {
        record.insert(op.clone(), *hlc, e.clone());
    }
    record
}

fn shuffled_with_duplicates() -> impl Strategy<Value = (Events, Vec<usize>, Vec<usize>)> {
    arb_events().prop_flat_map(|events| {
        let n = events.len();
        let order = Just((0..n).collect::<Vec<usize>>()).prop_shuffle();
        let dups = prop::collection::vec(0..n, 0..n + 1);
        (Just(events), order, dups)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_permutation_and_duplication_of_a_case_events_folds_to_the_same_state(
        (events, order, dups) in shuffled_with_duplicates(),
        now_day in 0u64..60,
    ) {
        let c = context();
        let now = cst_time_ms(day(2026, 9, 28) + chrono::Days::new(now_day), 16, 0);
        let reference = record_of(&events);
        let arrival = order.iter().chain(&dups).map(|&i| &events[i]);
        let replayed = record_of(arrival);
        prop_assert_eq!(&replayed, &reference);
        prop_assert_eq!(state_of(&replayed, &c, now), state_of(&reference, &c, now));
    }

    #[test]
    fn replicas_that_split_the_events_and_sync_show_the_same_state(
        events in arb_events(),
        mask in prop::collection::vec(0u8..3, 26),
    ) {
        let c = context();
        let now = at(11, 15, 12, 0);
        // 0: only on the township, 1: only on the county, 2: on both.
        let mut t = CaseRecord::new();
        let mut k = CaseRecord::new();
        for (i, (op, hlc, e)) in events.iter().enumerate() {
            if mask[i] != 1 { t.insert(op.clone(), *hlc, e.clone()); }
            if mask[i] != 0 { k.insert(op.clone(), *hlc, e.clone()); }
        }
        let mut t_after = t.clone();
        t_after.merge_from(&k);
        let mut k_after = k.clone();
        k_after.merge_from(&t);
        let a = state_of(&t_after, &c, now);
        prop_assert_eq!(&a, &state_of(&k_after, &c, now));
        prop_assert_eq!(&a, &state_of(&record_of(&events), &c, now));
    }
}

#[test]
fn the_random_events_reach_conflicts_anomalies_and_pauses() {
    // Guards the generator: the property above must see the hard cases.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut conflicts, mut anomalies, mut paused) = (0, 0, 0);
    let c = context();
    for _ in 0..300 {
        let events = arb_events().new_tree(&mut runner).unwrap().current();
        let s = state_of(&record_of(&events), &c, at(10, 12, 12, 0));
        conflicts += usize::from(s.status == Status::Conflict);
        anomalies += usize::from(!s.anomalies.is_empty());
        paused += usize::from(s.clock.paused_days > 0);
    }
    assert!(
        conflicts > 30 && conflicts < 270 && anomalies > 100 && paused > 10,
        "{conflicts} {anomalies} {paused}"
    );
}
