//! Case events from fuzz input: an [`EventSpec`] is the shape of one event
//! (which kind, which writer, when, what it refers to), decoded by
//! `arbitrary`; [`build`] turns a list of them into real `(op id, HLC,
//! event)` triples of one case.
//!
//! Invariants: references (`request`, `started`, `evaluation`,
//! `supersedes`) name op ids of the same list, so pairings and
//! supersessions happen; a spec may also reuse another event's op id with
//! a different body (two bodies under one id, which the record must
//! resolve the same way in any order). Business time and HLC are related
//! but not equal: a writer's clock may lead or lag by minutes.

use arbitrary::Arbitrary;
use liandong_domain::{
    Applicant, CaseEvent, EventKind, OpinionResult, Reviewer, Rule, Seal, SpecialCode, SpecialKind,
    SubmittedMaterial, SupervisionId, Tolerance,
};
use liandong_model::{Hlc, OpId, Personal};

use crate::fixtures::{
    business_ms, county, day, stamp, writers, AUTHORISATIONS, DEPARTMENTS, FEE_ITEMS, ITEMS,
    MATERIALS, STAFF, TOWNSHIPS,
};

/// Events of one case with the HLC of their operations.
pub type Events = Vec<(OpId, Hlc, CaseEvent)>;

/// Most events built from one input (the fold is quadratic in places).
pub const MAX_EVENTS: usize = 64;

/// The shape of one event.
#[derive(Arbitrary, Debug, Clone)]
pub struct EventSpec {
    pub kind: KindSpec,
    /// Index into [`writers`].
    pub writer: u8,
    /// Business time: days after 2026-09-28 09:00 CST, and minutes.
    pub day: u8,
    pub minute: u16,
    /// How far the writer's HLC runs ahead of business time, in seconds
    /// (negative: behind).
    pub clock_lead_s: i16,
    pub logical: u8,
    /// The event (by index in the list) this one supersedes.
    pub supersedes: Option<u8>,
    /// Take the op id of this other event instead of a fresh one.
    pub reuse_id: Option<u8>,
    /// Raw business time and HLC wall time instead of the ones above (a
    /// skewed or forged clock: 1970, year 262143, anything between).
    pub raw_times: Option<(u64, u64)>,
}

/// Which event, with small choices instead of free text.
#[derive(Arbitrary, Debug, Clone)]
pub enum KindSpec {
    Submitted {
        matter: u8,
        materials: u8,
    },
    CorrectionRequested {
        missing: u8,
    },
    CorrectionSupplied {
        request: u8,
        supplied: u8,
    },
    Accepted {
        tolerated: Option<(u8, i32)>,
    },
    Rejected {
        reason: bool,
        authority: bool,
    },
    Routed {
        department: u8,
        limit: Option<u16>,
    },
    OpinionGiven {
        department: u8,
        agree: bool,
    },
    SupplementRequested {
        department: u8,
        items: u8,
    },
    SupplementSupplied {
        request: u8,
        items: u8,
    },
    SpecialStarted {
        extension: bool,
        kind: u8,
        days: u16,
    },
    SpecialEnded {
        started: u8,
    },
    Decided {
        approve: bool,
        staff: u8,
        authorisation: u8,
        department: u8,
        reason: bool,
        seal: Option<bool>,
    },
    Fee {
        item: u8,
        amount_fen: u64,
    },
    Concluded,
    Delivered {
        recipient: bool,
    },
    Withdrawn,
    Evaluated {
        level: u8,
    },
    BadReviewHandled {
        evaluation: u8,
    },
    SupervisionFlagged {
        item: u8,
        rule: u8,
    },
    SupervisionResolved {
        item: u8,
    },
    SupervisionAnnotated {
        item: u8,
    },
    Retracted,
    OpinionRequested {
        township: u8,
        limit: Option<u16>,
    },
    OpinionRecorded {
        township: bool,
        code: u8,
        result: u8,
        staff: u8,
    },
}

/// Mostly a plausible number of days (`x % 30`), now and then any `u16`
/// (the top bit set): limits and extensions arrive from other nodes.
fn days(x: u16) -> u16 {
    if x & 0x8000 == 0 {
        x % 30
    } else {
        x
    }
}

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[usize::from(i) % pool.len()]
}

/// The names of `pool` whose bit is set in `mask`.
fn subset(pool: &[&str], mask: u8) -> Vec<String> {
    pool.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, s)| (*s).to_string())
        .collect()
}

const RULES: [Rule; 11] = [
    Rule::Yellow,
    Rule::Red,
    Rule::StatutoryOverdue,
    Rule::StageOverrun,
    Rule::DecisionWithoutReasons,
    Rule::RejectionWithoutReasons,
    Rule::FeeNotInCatalogue,
    Rule::DeemedAccepted,
    Rule::Conflict,
    Rule::DeliveryOverdue,
    Rule::BadReviewOverdue,
];

const SPECIAL_KINDS: [SpecialKind; 4] = [
    SpecialKind::SiteInspection,
    SpecialKind::ExpertReview,
    SpecialKind::Hearing,
    SpecialKind::Extension,
];

fn applicant() -> Applicant {
    Applicant::resident("张三", "410000199001011236", "13800000000", "某某镇某某村")
}

/// The event kind of a spec; `target` resolves a reference to an op id.
fn kind(spec: &KindSpec, target: &dyn Fn(u8) -> OpId) -> EventKind {
    use KindSpec as K;
    match *spec {
        K::Submitted { matter, materials } => EventKind::Submitted {
            matter: format!("M00{}", matter % 4 + 1),
            matter_version: stamp(&county(), 1, 1),
            applicant: applicant(),
            materials: subset(&MATERIALS, materials)
                .into_iter()
                .map(|name| SubmittedMaterial {
                    name,
                    attachment: None,
                })
                .collect(),
        },
        K::CorrectionRequested { missing } => EventKind::CorrectionRequested {
            missing: subset(&MATERIALS, missing),
        },
        K::CorrectionSupplied { request, supplied } => EventKind::CorrectionSupplied {
            request: target(request),
            supplied: subset(&MATERIALS, supplied),
        },
        K::Accepted { tolerated } => EventKind::Accepted {
            tolerated: tolerated.map(|(missing, offset)| Tolerance {
                missing: subset(&MATERIALS, missing),
                // Any date chrono can hold, mostly near the case.
                promised_by: day(2026, 10, 1)
                    .checked_add_signed(chrono::TimeDelta::days(if offset.abs() < 1 << 20 {
                        i64::from(offset % 60)
                    } else {
                        i64::from(offset)
                    }))
                    .unwrap_or(chrono::NaiveDate::MAX),
            }),
        },
        K::Rejected { reason, authority } => EventKind::Rejected {
            reason: if reason {
                "不符合条件".into()
            } else {
                String::new()
            },
            legal_basis: "第三十二条".into(),
            competent_authority: authority.then(|| "县市场监管局".into()),
        },
        K::Routed { department, limit } => EventKind::RoutedToDepartment {
            department: pick(&DEPARTMENTS, department).into(),
            part: "审查".into(),
            stage_limit_days: limit.map(days),
        },
        K::OpinionGiven { department, agree } => EventKind::OpinionGiven {
            department: pick(&DEPARTMENTS, department).into(),
            agree,
            text: "意见".into(),
        },
        K::SupplementRequested { department, items } => EventKind::SupplementRequested {
            department: pick(&DEPARTMENTS, department).into(),
            items: subset(&MATERIALS, items),
        },
        K::SupplementSupplied { request, items } => EventKind::SupplementSupplied {
            request: target(request),
            items: subset(&MATERIALS, items),
        },
        K::SpecialStarted {
            extension,
            kind,
            days: d,
        } => EventKind::SpecialProcedureStarted {
            code: if extension {
                SpecialCode::Extension
            } else {
                SpecialCode::Other
            },
            kind: SPECIAL_KINDS[usize::from(kind) % SPECIAL_KINDS.len()].clone(),
            reason: "需要".into(),
            approver: "局长".into(),
            days: days(d),
        },
        K::SpecialEnded { started } => EventKind::SpecialProcedureEnded {
            started: target(started),
        },
        K::Decided {
            approve,
            staff,
            authorisation,
            department,
            reason,
            seal,
        } => EventKind::Decided {
            department: pick(&DEPARTMENTS, department).into(),
            approve,
            by: pick(&STAFF, staff).into(),
            authorisation: pick(&AUTHORISATIONS, authorisation).into(),
            seal: seal.map(|s| if s { Seal::Approval } else { Seal::Official }),
            reason: if reason {
                "理由".into()
            } else {
                String::new()
            },
        },
        K::Fee { item, amount_fen } => EventKind::FeeCharged {
            item: pick(&FEE_ITEMS, item).into(),
            amount_fen,
        },
        K::Concluded => EventKind::Concluded,
        K::Delivered { recipient } => EventKind::Delivered {
            recipient: recipient.then(|| Personal::new("张三".into())),
        },
        K::Withdrawn => EventKind::Withdrawn {
            reason: "申请人要求".into(),
        },
        K::Evaluated { level } => EventKind::Evaluated {
            level,
            text: Personal::new("评价".into()),
            evaluator: Personal::new("张三".into()),
        },
        K::BadReviewHandled { evaluation } => EventKind::BadReviewHandled {
            evaluation: target(evaluation),
            note: "已回访".into(),
        },
        K::SupervisionFlagged { item, rule } => EventKind::SupervisionFlagged {
            item: SupervisionId(pick(&ITEMS, item).into()),
            rule: RULES[usize::from(rule) % RULES.len()],
            note: "督办".into(),
        },
        K::SupervisionResolved { item } => EventKind::SupervisionResolved {
            item: SupervisionId(pick(&ITEMS, item).into()),
            note: "已办结".into(),
        },
        K::SupervisionAnnotated { item } => EventKind::SupervisionAnnotated {
            item: SupervisionId(pick(&ITEMS, item).into()),
            note: "批注".into(),
        },
        K::Retracted => EventKind::Retracted {
            reason: "更正".into(),
        },
        K::OpinionRequested { township, limit } => EventKind::OpinionRequested {
            township: pick(&TOWNSHIPS, township).into(),
            stage_limit_days: limit.map(days),
        },
        K::OpinionRecorded {
            township,
            code,
            result,
            staff,
        } => EventKind::OpinionRecorded {
            reviewer: if township {
                Reviewer::Township(pick(&TOWNSHIPS, code).into())
            } else {
                Reviewer::Department(pick(&DEPARTMENTS, code).into())
            },
            result: [
                OpinionResult::Pass,
                OpinionResult::Return,
                OpinionResult::Other,
            ][usize::from(result) % 3],
            staff: pick(&STAFF, staff).into(),
            text: "意见".into(),
        },
    }
}

/// Real events from specs (at most [`MAX_EVENTS`]).
pub fn build(specs: &[EventSpec]) -> Events {
    let specs = &specs[..specs.len().min(MAX_EVENTS)];
    if specs.is_empty() {
        return Vec::new();
    }
    let writers = writers();
    let mut seqs = [0u64; 4];
    let fresh: Vec<OpId> = specs
        .iter()
        .map(|s| {
            let w = usize::from(s.writer) % writers.len();
            seqs[w] += 1;
            OpId {
                origin: writers[w].clone(),
                seq: seqs[w],
            }
        })
        .collect();
    let target = |i: u8| fresh[usize::from(i) % fresh.len()].clone();
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let at_ms = business_ms(u64::from(s.day % 60), u64::from(s.minute % 720));
            let wall_ms = at_ms.saturating_add_signed(i64::from(s.clock_lead_s) * 1000);
            let (at_ms, wall_ms) = s.raw_times.unwrap_or((at_ms, wall_ms));
            let hlc = Hlc {
                wall_ms,
                logical: u32::from(s.logical % 4),
            };
            let mut event = CaseEvent::new(at_ms, kind(&s.kind, &target));
            if let Some(earlier) = s.supersedes {
                event = event.superseding(target(earlier));
            }
            let id = s.reuse_id.map_or_else(|| fresh[i].clone(), target);
            (id, hlc, event)
        })
        .collect()
}
