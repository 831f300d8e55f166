//! Fixed fixtures of one county: its nodes, its 2026 calendar (National
//! Day holiday 2026-10-01..07, adjusted working day 2026-10-10), three
//! matters (a promised one with a fee and a paused site inspection, an
//! immediate one, a joint one with stages), authorisations (one revoked)
//! and a roster.
//!
//! Invariant: every value is built the same way on every call; stamps
//! come from a caller-given sequence, so two writes never share one.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use liandong_domain::{
    cst_time_ms, dates_from_until, AuthScope, Authorisation, Calendar, DaySetting, FeeItem, Level,
    Material, MaterialForm, Matter, MatterKind, Power, RoutingRule, SpecialKind, SpecialStep,
    Staff, Stage, Stamp,
};
use liandong_model::{CaseId, Hlc, NodeId, OpId, Role};

/// Departments, townships, staff, authorisations, materials, fee items and
/// supervision items the generated events pick from.
pub const DEPARTMENTS: [&str; 3] = ["D01", "D02", "D05"];
pub const TOWNSHIPS: [&str; 2] = ["T01", "T02"];
pub const STAFF: [&str; 3] = ["S01", "S02", "S03"];
pub const AUTHORISATIONS: [&str; 4] = ["A01", "A02", "A03", "A09"];
pub const MATERIALS: [&str; 4] = ["申请书", "身份证", "经营场所证明", "合同"];
pub const FEE_ITEMS: [&str; 2] = ["工本费", "加急费"];
pub const ITEMS: [&str; 3] = ["item0", "item1", "item2"];

/// A valid node id (the names here are constants).
pub fn node(role: Role, name: &str) -> NodeId {
    NodeId::new(role, name).unwrap_or_else(|e| panic!("fixture node {name}: {e}"))
}

pub fn county() -> NodeId {
    node(Role::County, "HQ")
}

pub fn township() -> NodeId {
    node(Role::Township, "T01")
}

/// The writers of a case: its centre, the county, a second township and
/// the bridge of D01.
pub fn writers() -> [NodeId; 4] {
    [
        township(),
        county(),
        node(Role::Township, "T02"),
        node(Role::Bridge, "D01"),
    ]
}

/// The case every generated event belongs to.
pub fn case_id() -> CaseId {
    CaseId::new("410100", &township(), "20260928", 1)
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

/// Unix ms of 09:00 CST on 2026-09-28 plus `days` and `minutes`.
pub fn business_ms(days: u64, minutes: u64) -> u64 {
    cst_time_ms(day(2026, 9, 28) + chrono::Days::new(days), 9, 0) + minutes * 60_000
}

pub fn stamp(origin: &NodeId, seq: u64, wall_ms: u64) -> Stamp {
    Stamp::new(
        Hlc {
            wall_ms,
            logical: 0,
        },
        OpId {
            origin: origin.clone(),
            seq,
        },
    )
}

pub fn calendar_2026() -> Calendar {
    let mut cal = Calendar::new();
    let hq = county();
    let mut seq = 0;
    let mut set = |date: NaiveDate, setting: DaySetting| {
        seq += 1;
        cal.set(date, setting, stamp(&hq, seq, 1));
    };
    let holidays = [
        (day(2026, 1, 1), day(2026, 1, 3)),
        (day(2026, 10, 1), day(2026, 10, 7)),
    ];
    for (from, until) in holidays {
        for date in dates_from_until(from, until).unwrap_or_default() {
            set(date, DaySetting::Holiday);
        }
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

/// 个体工商户设立登记: promised, 5 of 15 days, a fee, a paused site
/// inspection.
pub fn matter_m001() -> Matter {
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

/// 居住证明: immediate.
pub fn matter_m002() -> Matter {
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

/// A joint county matter: a co-department and two staged parts.
pub fn matter_m003() -> Matter {
    Matter {
        code: "M003".into(),
        name: "联办事项".into(),
        level: Level::County,
        co_departments: vec!["D05".into()],
        stages: vec![
            Stage {
                name: "审查".into(),
                limit_days: Some(2),
            },
            Stage {
                name: "现场".into(),
                limit_days: None,
            },
        ],
        ..matter_m001()
    }
}

pub fn matters() -> [Matter; 3] {
    [matter_m001(), matter_m002(), matter_m003()]
}

pub fn authorisation(id: &str, staff: &str, scope: AuthScope) -> Authorisation {
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

/// A01 (S01, M001), A02 (S02, D01, revoked on 2026-10-20), A03 (S03,
/// D05, valid from November).
pub fn authorisations() -> Vec<Authorisation> {
    let mut revoked = authorisation("A02", "S02", AuthScope::Department("D01".into()));
    revoked.revoke(cst_time_ms(day(2026, 10, 20), 9, 0));
    let mut late = authorisation("A03", "S03", AuthScope::Department("D05".into()));
    late.valid_from = day(2026, 11, 1);
    vec![
        authorisation("A01", "S01", AuthScope::Matter("M001".into())),
        revoked,
        late,
    ]
}

pub fn roster() -> Vec<Staff> {
    let hq = county();
    STAFF
        .iter()
        .zip(["D01", "D01", "D05"])
        .enumerate()
        .map(|(i, (id, dept))| Staff::new(id, "李明", dept, stamp(&hq, i as u64 + 1, 1)))
        .collect()
}

pub fn routing_m001() -> RoutingRule {
    RoutingRule {
        matter: "M001".into(),
        departments: ["D01".to_string(), "D05".to_string()].into(),
        township_opinions: ["T02".to_string()].into(),
    }
}
