//! A case as the department system sees it through its bridge: the case's
//! number, matter, status and dates; this department's part in full (its
//! stage limit and due date, its own opinion and decision); the
//! applicant's data and materials, which the department is entitled to for
//! its part; the case's events as kind, time and who; and the other
//! departments' parts as their status only (routed, opined, decided).
//!
//! Invariant: nothing another department wrote beyond that reaches this
//! view: no other department's opinion text, decision reason or deciding
//! staff member, and no event's free text (rejection reasons, notes,
//! evaluations) except this department's own.
//!
//! An opinion reads back with its result (通过/退回/其他) and staff member;
//! one in the earlier form (`OpinionGiven`, agree or not) reads as `pass`
//! or `return`.

use std::collections::BTreeMap;

use chrono::TimeZone;
use serde::Serialize;

use crate::cases::Registry;
use crate::{NodeCore, NodeError};
use liandong_domain::{
    cst_date, fold, CaseRecord, CaseState, EventKind, Lang, RecordedEvent, Reviewer,
};
use liandong_model::OpId;
use liandong_store::StoredCase;

/// The case, for `GET /v1/cases/{id}`, the list and the webhook.
#[derive(Debug, Clone, Serialize)]
pub struct CaseView {
    pub id: String,
    pub origin: String,
    pub matter: MatterRef,
    pub status: String,
    pub status_zh: String,
    pub accepted_on: Option<String>,
    pub due: Option<String>,
    pub statutory_due: Option<String>,
    pub part: Option<PartView>,
    pub applicant: Option<ApplicantView>,
    pub materials: Vec<MaterialView>,
    pub events: Vec<EventView>,
    pub other_parts: Vec<OtherPart>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MatterRef {
    pub code: Option<String>,
    pub name: Option<String>,
}

/// This department's part.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    pub department: String,
    pub name: String,
    pub stage_limit_days: Option<u16>,
    pub routed_at: String,
    pub due: Option<String>,
    /// `routed`, `opined` or `decided`.
    pub status: &'static str,
    pub opinion: Option<OpinionView>,
    pub decision: Option<DecisionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpinionView {
    pub op: String,
    pub result: &'static str,
    /// Who gave it (not kept by the earlier opinion form).
    pub staff: Option<String>,
    pub text: String,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub op: String,
    pub approve: bool,
    pub staff: String,
    pub authorisation: String,
    pub reason: String,
    pub at: String,
    /// The electronic seal's short verification code (XXXX-XXXX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seal_code: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicantView {
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub address: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MaterialView {
    pub name: String,
    pub attachment: Option<String>,
}

/// One event: kind, time and who.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub op: String,
    pub kind: &'static str,
    pub kind_zh: &'static str,
    pub at: String,
    pub at_ms: u64,
    /// The node that recorded it.
    pub node: String,
    /// The department a routing, opinion, supplement or decision is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The staff member, on this department's own decisions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff: Option<String>,
    /// Who recorded it (staff id, role, node), when it was recorded in a
    /// signed-in session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorder: Option<crate::output::RecorderLine>,
    pub superseded: bool,
}

/// Another department's part: its status only.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct OtherPart {
    pub department: String,
    pub status: &'static str,
}

/// `YYYY-MM-DDTHH:MM:SS+08:00` of a Unix-ms instant.
pub fn cst_rfc3339(ms: u64) -> String {
    crate::cst()
        .timestamp_millis_opt(ms as i64)
        .single()
        .map(|t| t.to_rfc3339())
        .unwrap_or_else(|| ms.to_string())
}

/// Whether a live (not superseded) routing event names `department`.
pub fn routed_to(record: &CaseRecord, department: &str) -> bool {
    let superseded = record.superseded();
    record.iter().any(|(op, e)| {
        !superseded.contains(op)
            && matches!(&e.event.kind, EventKind::RoutedToDepartment { department: d, .. } if d == department)
    })
}

/// The department's view of a stored case, folded as of now.
pub fn current(
    core: &NodeCore,
    stored: &StoredCase,
    department: &str,
) -> Result<CaseView, NodeError> {
    let reg = core.registry()?;
    let state = fold(
        &stored.record,
        &reg.context(reg.matter_of(&stored.record), None),
    );
    Ok(case_view(stored, &state, &reg, department))
}

/// The department's view of a case.
pub fn case_view(
    stored: &StoredCase,
    state: &CaseState,
    reg: &Registry,
    department: &str,
) -> CaseView {
    let record = &stored.record;
    let superseded = record.superseded();
    let live: Vec<(&OpId, &RecordedEvent)> = record
        .history()
        .into_iter()
        .filter(|(op, _)| !superseded.contains(*op))
        .collect();
    let matter = reg.matter_of(record);
    let parts = part_statuses(&live);
    CaseView {
        id: stored.id.to_string(),
        origin: stored.id.origin().to_string(),
        matter: MatterRef {
            code: state.matter.clone(),
            name: matter.map(|m| m.name.clone()),
        },
        status: state.status.as_str().to_string(),
        status_zh: state.status.label(Lang::Zh).to_string(),
        accepted_on: state.clock.accepted_on.map(|d| d.to_string()),
        due: state.clock.due.map(|d| d.to_string()),
        statutory_due: state.clock.statutory_due.map(|d| d.to_string()),
        part: own_part(&live, reg, matter, department, &parts),
        applicant: state.applicant.as_ref().map(|a| ApplicantView {
            name: a.name.expose().clone(),
            id_number: a.id_number.expose().clone(),
            phone: a.phone.expose().clone(),
            address: a.address.expose().clone(),
        }),
        materials: materials(&live),
        events: record
            .history()
            .into_iter()
            .map(|(op, e)| event_view(op, e, department, superseded.contains(op)))
            .collect(),
        other_parts: parts
            .into_iter()
            .filter(|(d, _)| d != department)
            .map(|(department, status)| OtherPart { department, status })
            .collect(),
    }
}

/// One event as kind, time and who.
pub fn event_view(op: &OpId, e: &RecordedEvent, department: &str, superseded: bool) -> EventView {
    let kind = &e.event.kind;
    let about = match kind {
        EventKind::RoutedToDepartment { department: d, .. }
        | EventKind::OpinionGiven { department: d, .. }
        | EventKind::OpinionRecorded {
            reviewer: Reviewer::Department(d),
            ..
        }
        | EventKind::SupplementRequested { department: d, .. }
        | EventKind::Decided { department: d, .. } => Some(d.clone()),
        _ => None,
    };
    let staff = match kind {
        EventKind::Decided {
            department: d, by, ..
        } if d == department => Some(by.clone()),
        EventKind::OpinionRecorded {
            reviewer: Reviewer::Department(d),
            staff,
            ..
        } if d == department => Some(staff.clone()),
        _ => None,
    };
    EventView {
        op: op.to_string(),
        kind: kind.name(),
        kind_zh: kind.label(Lang::Zh),
        at: cst_rfc3339(e.event.at_ms),
        at_ms: e.event.at_ms,
        node: op.origin.to_string(),
        department: about,
        staff,
        recorder: e
            .event
            .recorder
            .as_ref()
            .map(|r| crate::output::RecorderLine::of(r, Lang::Zh)),
        superseded,
    }
}

/// Each routed department's status, from the live events.
fn part_statuses(live: &[(&OpId, &RecordedEvent)]) -> BTreeMap<String, &'static str> {
    let mut parts: BTreeMap<String, &'static str> = BTreeMap::new();
    for (_, e) in live {
        if let EventKind::RoutedToDepartment { department, .. } = &e.event.kind {
            parts.entry(department.clone()).or_insert("routed");
        }
    }
    for (_, e) in live {
        match &e.event.kind {
            EventKind::OpinionGiven { department, .. }
            | EventKind::OpinionRecorded {
                reviewer: Reviewer::Department(department),
                ..
            } => {
                if let Some(s) = parts.get_mut(department) {
                    if *s == "routed" {
                        *s = "opined";
                    }
                }
            }
            EventKind::Decided { department, .. } => {
                if let Some(s) = parts.get_mut(department) {
                    *s = "decided";
                }
            }
            _ => {}
        }
    }
    parts
}

fn own_part(
    live: &[(&OpId, &RecordedEvent)],
    reg: &Registry,
    matter: Option<&liandong_domain::Matter>,
    department: &str,
    parts: &BTreeMap<String, &'static str>,
) -> Option<PartView> {
    let (routed_at, name, limit) = live.iter().find_map(|(_, e)| match &e.event.kind {
        EventKind::RoutedToDepartment {
            department: d,
            part,
            stage_limit_days,
        } if d == department => Some((e.event.at_ms, part.clone(), *stage_limit_days)),
        _ => None,
    })?;
    let limit = limit.or_else(|| {
        matter
            .and_then(|m| m.stages.iter().find(|s| s.name == name))
            .and_then(|s| s.limit_days)
    });
    let due = limit.map(|n| {
        reg.calendar
            .add_working_days(cst_date(routed_at), u32::from(n))
            .to_string()
    });
    let opinion = live.iter().find_map(|(op, e)| match &e.event.kind {
        EventKind::OpinionGiven {
            department: d,
            agree,
            text,
        } if d == department => Some(OpinionView {
            op: op.to_string(),
            result: if *agree { "pass" } else { "return" },
            staff: None,
            text: text.clone(),
            at: cst_rfc3339(e.event.at_ms),
        }),
        EventKind::OpinionRecorded {
            reviewer: Reviewer::Department(d),
            result,
            staff,
            text,
        } if d == department => Some(OpinionView {
            op: op.to_string(),
            result: result.as_str(),
            staff: Some(staff.clone()),
            text: text.clone(),
            at: cst_rfc3339(e.event.at_ms),
        }),
        _ => None,
    });
    let decision = live.iter().find_map(|(op, e)| match &e.event.kind {
        EventKind::Decided {
            department: d,
            approve,
            by,
            authorisation,
            reason,
            ..
        } if d == department => Some(DecisionView {
            op: op.to_string(),
            approve: *approve,
            staff: by.clone(),
            authorisation: authorisation.clone(),
            reason: reason.clone(),
            at: cst_rfc3339(e.event.at_ms),
            seal_code: crate::output::seal_code(&e.event),
        }),
        _ => None,
    });
    Some(PartView {
        department: department.to_string(),
        name,
        stage_limit_days: limit,
        routed_at: cst_rfc3339(routed_at),
        due,
        status: parts.get(department).copied().unwrap_or("routed"),
        opinion,
        decision,
    })
}

/// The materials handed in at submission, then those supplied later.
fn materials(live: &[(&OpId, &RecordedEvent)]) -> Vec<MaterialView> {
    let mut out = Vec::new();
    for (_, e) in live {
        match &e.event.kind {
            EventKind::Submitted { materials, .. } => {
                out.extend(materials.iter().map(|m| MaterialView {
                    name: m.name.clone(),
                    attachment: m.attachment.as_ref().map(|a| a.expose().clone()),
                }))
            }
            EventKind::CorrectionSupplied {
                supplied: items, ..
            }
            | EventKind::SupplementSupplied { items, .. } => {
                out.extend(items.iter().map(|name| MaterialView {
                    name: name.clone(),
                    attachment: None,
                }))
            }
            _ => {}
        }
    }
    out
}
