//! Tests of the domain: fixtures shared by the scenario, property and
//! calendar tests. The county's 2026 calendar has the National Day holiday
//! (2026-10-01..07) and the adjusted Saturday working day 2026-10-10.

mod applicants;
mod calendar;
mod checks;
mod clock;
mod fold_props;
mod joint;
mod laws;
mod rules;
mod scenarios;
mod staffing;
mod supervision_year;

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::*;
use liandong_model::{CaseId, Hlc, HybridClock, NodeId, OpId, Personal};

pub(super) fn township() -> NodeId {
    NodeId::township("T01").unwrap()
}

pub(super) fn county() -> NodeId {
    NodeId::county("HQ").unwrap()
}

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Unix ms of `h:m` CST on 2026-`month`-`d`.
pub(super) fn at(month: u32, d: u32, h: u32, m: u32) -> u64 {
    cst_time_ms(day(2026, month, d), h, m)
}

pub(super) fn stamp(node: &NodeId, seq: u64, wall_ms: u64) -> Stamp {
    Stamp::new(
        Hlc {
            wall_ms,
            logical: 0,
        },
        OpId {
            origin: node.clone(),
            seq,
        },
    )
}

/// The county's 2026 calendar as the 部分节假日安排 notice sets it.
pub(super) fn calendar_2026() -> Calendar {
    let mut cal = Calendar::new();
    let hq = county();
    let mut seq = 0;
    let mut set = |date: NaiveDate, setting: DaySetting| {
        seq += 1;
        cal.set(date, setting, stamp(&hq, seq, 1));
    };
    for date in dates_from_until(day(2026, 1, 1), day(2026, 1, 3)).unwrap() {
        set(date, DaySetting::Holiday);
    }
    for date in dates_from_until(day(2026, 10, 1), day(2026, 10, 7)).unwrap() {
        set(date, DaySetting::Holiday);
    }
    set(day(2026, 10, 10), DaySetting::Workday);
    cal
}

fn material(name: &str, tolerable: bool) -> Material {
    Material {
        name: name.into(),
        form: MaterialForm::Original,
        mandatory: true,
        tolerable,
    }
}

/// 个体工商户设立登记: a promised township matter, 5 of 15 days, with a fee
/// and a site inspection that does not count toward the limit.
pub(super) fn matter_m001() -> Matter {
    Matter {
        code: "M001".into(),
        implementation_code: String::new(),
        category: Some(1),
        name: "个体工商户设立登记".into(),
        kind: MatterKind::Promised,
        level: Level::Township,
        statutory_days: 15,
        promised_days: 5,
        lead_department: "D01".into(),
        co_departments: vec![],
        legal_basis: "《促进个体工商户发展条例》".into(),
        conditions: "具有经营能力的自然人".into(),
        materials: vec![
            material("申请书", false),
            material("身份证", false),
            material("经营场所证明", true),
        ],
        stages: vec![],
        fees: vec![FeeItem {
            name: "工本费".into(),
            amount_fen: 1000,
            basis: "县发改委〔2025〕1号".into(),
        }],
        staff_contact: "李明".into(),
        phone: "0371-1234567".into(),
        supervision_phone: "12345".into(),
        special_steps: vec![SpecialStep {
            kind: SpecialKind::SiteInspection,
            max_days: 5,
            basis: "县市场监管局规定".into(),
            counted: false,
        }],
        active: true,
    }
}

/// 居民身份证明: an immediate matter.
pub(super) fn matter_m002() -> Matter {
    Matter {
        code: "M002".into(),
        name: "居住证明".into(),
        kind: MatterKind::Immediate,
        promised_days: 0,
        statutory_days: 1,
        materials: vec![material("身份证", false)],
        fees: vec![],
        special_steps: vec![],
        ..matter_m001()
    }
}

/// S01's authorisation for M001, all four powers, 2026–2027.
pub(super) fn authorisation(id: &str, staff: &str, scope: AuthScope) -> Authorisation {
    Authorisation {
        id: id.into(),
        staff: staff.into(),
        scope,
        powers: Power::ALL.into_iter().collect::<BTreeSet<_>>(),
        valid_from: day(2026, 1, 1),
        valid_to: day(2027, 12, 31),
        revoked_at_ms: None,
    }
}

pub(super) fn applicant() -> Applicant {
    Applicant::resident("张三", "410000199001011236", "13800000000", "某某镇某某村")
}

pub(super) fn submitted(matter: &Matter, materials: &[&str]) -> EventKind {
    EventKind::Submitted {
        matter: matter.code.clone(),
        matter_version: stamp(&county(), 1, 1),
        applicant: applicant(),
        materials: materials
            .iter()
            .map(|m| SubmittedMaterial {
                name: (*m).into(),
                attachment: None,
            })
            .collect(),
    }
}

/// M001's one catalogue fee, paid.
pub(super) fn fee_paid() -> EventKind {
    EventKind::FeeCharged {
        item: "工本费".into(),
        amount_fen: 1000,
    }
}

pub(super) fn decided(approve: bool, by: &str, auth: &str, reason: &str) -> EventKind {
    EventKind::Decided {
        department: "D01".into(),
        approve,
        by: by.into(),
        authorisation: auth.into(),
        seal: Some(Seal::Approval),
        reason: reason.into(),
    }
}

/// One node's window: records events after checking them, with its own
/// HLC, on its own replica of the case.
pub(super) struct Window {
    pub node: NodeId,
    pub clock: HybridClock,
    pub seq: u64,
    pub record: CaseRecord,
    pub calendar: Calendar,
    pub matter: Matter,
    pub authorisations: Vec<Authorisation>,
    pub roster: Vec<Staff>,
    pub routing: Option<RoutingRule>,
}

impl Window {
    pub fn new(node: NodeId, matter: Matter) -> Self {
        Window {
            node,
            clock: HybridClock::default(),
            seq: 0,
            record: CaseRecord::new(),
            calendar: calendar_2026(),
            matter,
            authorisations: vec![authorisation(
                "A01",
                "S01",
                AuthScope::Matter("M001".into()),
            )],
            roster: vec![],
            routing: None,
        }
    }

    pub fn ctx(&self, now_ms: u64) -> FoldContext<'_> {
        FoldContext {
            calendar: &self.calendar,
            matter: Some(&self.matter),
            authorisations: &self.authorisations,
            roster: &self.roster,
            routing: self.routing.as_ref(),
            now_ms,
            thresholds: Thresholds::default(),
            recorder_level: Some(Level::Township),
        }
    }

    /// Records an event at business time `at_ms`, as the clerk would.
    pub fn record(&mut self, at_ms: u64, kind: EventKind) -> Result<OpId, Refusal> {
        self.record_event(CaseEvent::new(at_ms, kind))
    }

    pub fn record_event(&mut self, event: CaseEvent) -> Result<OpId, Refusal> {
        check(&self.record, &event, &self.ctx(event.at_ms))?;
        Ok(self.insert(event))
    }

    /// Stores an event without checking it (as replication does).
    pub fn insert(&mut self, event: CaseEvent) -> OpId {
        self.seq += 1;
        let op = OpId {
            origin: self.node.clone(),
            seq: self.seq,
        };
        let hlc = self.clock.tick(event.at_ms);
        self.record.insert(op.clone(), hlc, event);
        op
    }

    /// Pulls the other replica's events (one direction of a sync).
    pub fn sync_from(&mut self, other: &Window) {
        for (_, e) in other.record.iter() {
            self.clock.observe(e.hlc);
        }
        self.record.merge_from(&other.record);
    }

    pub fn state(&self, now_ms: u64) -> CaseState {
        fold(&self.record, &self.ctx(now_ms))
    }

    pub fn case_id(&self) -> CaseId {
        CaseId::new("410100", &self.node, "20260928", 1)
    }
}
