//! What commands print: case lines and details, staff lines, supervision
//! lines. Built from folded state; personal fields are masked here (lists
//! and details alike), so nothing personal leaves the node in clear text
//! through a command, a log or the admin page.

use serde::{Deserialize, Serialize};

use liandong_domain::{CaseState, EventKind, Lang, Staff, SupervisionItem};
use liandong_store::StoredCase;

/// One line of a case list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub id: String,
    pub origin: String,
    pub matter: String,
    pub status: String,
    /// Status in the clerk's language.
    pub status_label: String,
    pub applicant_name: String,
    pub applicant_id: String,
    pub submitted_at_ms: u64,
    pub due: Option<String>,
    pub left_days: Option<i64>,
    pub paused: bool,
    /// Warnings in the clerk's language.
    pub warnings: Vec<String>,
    pub yellow: bool,
    pub red: bool,
    pub overdue: bool,
    pub conflict: bool,
    pub events: u32,
    /// Departments the case was routed to (联办).
    #[serde(default)]
    pub routed_to: Vec<String>,
    /// Townships asked for an opinion on the case.
    #[serde(default)]
    pub opinion_asked_of: Vec<String>,
}

/// One event of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub op: String,
    pub at_ms: u64,
    pub event: String,
    pub label: String,
    pub superseded: bool,
    /// Who recorded it (none: recorded before sign-in existed, by the
    /// county's rule engine, or through the applicant's channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder: Option<RecorderLine>,
    /// A sealed decision's short verification code (XXXX-XXXX).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_code: Option<String>,
}

/// The recorder of an event, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecorderLine {
    pub staff: String,
    pub role: String,
    pub role_label: String,
    pub node: String,
}

impl RecorderLine {
    pub fn of(r: &liandong_domain::Recorder, lang: Lang) -> RecorderLine {
        RecorderLine {
            staff: r.staff.clone(),
            role: r.role.as_str().to_string(),
            role_label: r.role.label(lang).to_string(),
            node: r.node.to_string(),
        }
    }
}

/// A sealed event's short verification code (XXXX-XXXX).
pub fn seal_code(event: &liandong_domain::CaseEvent) -> Option<String> {
    event
        .seal
        .as_ref()
        .map(|s| liandong_identity::seal::verification_code(&s.signature))
}

/// `case show`: the folded state (status, clock, warnings, conflicts,
/// anomalies, parts, fees, evaluations) plus the full history.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseDetail {
    pub id: String,
    pub origin: String,
    pub status: String,
    pub status_label: String,
    pub applicant_name: String,
    pub applicant_id: String,
    pub clock: liandong_domain::Clock,
    pub warnings: Vec<String>,
    pub state: serde_json::Value,
    pub history: Vec<HistoryLine>,
    /// The one-time evaluation code for the applicant, printed once when
    /// the case is concluded (only its digest is kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_code: Option<String>,
}

/// One staff member of the roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffLine {
    pub id: String,
    pub name: String,
    pub department: String,
    pub window: Option<String>,
    /// The centres he works at (none: the county hall).
    #[serde(default)]
    pub centres: Vec<String>,
    pub roles: Vec<String>,
    /// Authorisations held: id, scope, powers, validity, revoked.
    pub authorisations: Vec<String>,
}

/// One e-supervision item with its case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SupervisionLine {
    pub case: String,
    pub origin: String,
    pub item: String,
    pub rule: String,
    pub description: String,
    pub current: bool,
    pub flagged: bool,
    pub resolved: bool,
    pub notes: Vec<String>,
}

fn masked_applicant(state: &CaseState) -> (String, String) {
    state
        .applicant
        .as_ref()
        .map(|a| (a.name.masked(), a.id_number.masked()))
        .unwrap_or_default()
}

fn warning_texts(state: &CaseState, lang: Lang) -> Vec<String> {
    state.warnings.iter().map(|w| w.describe(lang)).collect()
}

pub fn summary(case: &StoredCase, state: &CaseState, lang: Lang) -> CaseSummary {
    let (name, id) = masked_applicant(state);
    let submitted_at_ms = state
        .submitted_by
        .as_ref()
        .and_then(|op| case.record.get(op))
        .map(|e| e.event.at_ms)
        .unwrap_or(0);
    let is = |f: fn(&liandong_domain::Warning) -> bool| state.warnings.iter().any(f);
    CaseSummary {
        id: case.id.to_string(),
        origin: case.id.origin().to_string(),
        matter: state.matter.clone().unwrap_or_default(),
        status: state.status.as_str().to_string(),
        status_label: state.status.label(lang).to_string(),
        applicant_name: name,
        applicant_id: id,
        submitted_at_ms,
        due: state.clock.due.map(|d| d.to_string()),
        left_days: state.clock.left_days,
        paused: state.clock.paused,
        warnings: warning_texts(state, lang),
        yellow: is(|w| matches!(w, liandong_domain::Warning::Yellow { .. })),
        red: is(|w| matches!(w, liandong_domain::Warning::Red { .. })),
        overdue: state.clock.overdue,
        conflict: !state.conflicts.is_empty(),
        events: case.record.len() as u32 + case.unknown_events,
        routed_to: named_in(case, |k| match k {
            EventKind::RoutedToDepartment { department, .. } => Some(department),
            _ => None,
        }),
        opinion_asked_of: named_in(case, |k| match k {
            EventKind::OpinionRequested { township, .. } => Some(township),
            _ => None,
        }),
    }
}

/// The codes a case's events name, in order, once each.
fn named_in(case: &StoredCase, pick: impl Fn(&EventKind) -> Option<&String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, e) in case.record.history() {
        if let Some(code) = pick(&e.event.kind) {
            if !out.contains(code) {
                out.push(code.clone());
            }
        }
    }
    out
}

pub fn detail(case: &StoredCase, state: &CaseState, lang: Lang) -> CaseDetail {
    let (name, id) = masked_applicant(state);
    let superseded: std::collections::BTreeSet<_> = state.superseded.iter().collect();
    let history = case
        .record
        .history()
        .into_iter()
        .map(|(op, e)| HistoryLine {
            op: op.to_string(),
            at_ms: e.event.at_ms,
            event: e.event.kind.name().to_string(),
            label: e.event.kind.label(lang).to_string(),
            superseded: superseded.contains(op),
            recorder: e.event.recorder.as_ref().map(|r| RecorderLine::of(r, lang)),
            seal_code: seal_code(&e.event),
        })
        .collect();
    let mut state_json = serde_json::to_value(state).unwrap_or(serde_json::Value::Null);
    // The applicant goes out masked only.
    if let Some(obj) = state_json.as_object_mut() {
        obj.insert(
            "applicant".into(),
            serde_json::json!({ "name": name, "id_number": id }),
        );
    }
    CaseDetail {
        id: case.id.to_string(),
        origin: case.id.origin().to_string(),
        status: state.status.as_str().to_string(),
        status_label: state.status.label(lang).to_string(),
        applicant_name: name,
        applicant_id: id,
        clock: state.clock.clone(),
        warnings: warning_texts(state, lang),
        state: state_json,
        history,
        evaluation_code: None,
    }
}

pub fn staff_line(staff: &Staff, auths: &[liandong_domain::Authorisation]) -> StaffLine {
    StaffLine {
        id: staff.id.clone(),
        name: staff.name().to_string(),
        department: staff.department().to_string(),
        window: staff.window().map(str::to_string),
        centres: staff.centres().iter().cloned().collect(),
        roles: staff
            .roles()
            .iter()
            .map(|r| r.as_str().to_string())
            .collect(),
        authorisations: auths
            .iter()
            .filter(|a| a.staff == staff.id)
            .map(|a| {
                let powers: Vec<&str> = a.powers.iter().map(|p| p.as_str()).collect();
                let scope = match &a.scope {
                    liandong_domain::AuthScope::Matter(code) => format!("matter {code}"),
                    liandong_domain::AuthScope::Department(d) => format!("department {d}"),
                };
                format!(
                    "{} {scope} [{}] {}..{}{}",
                    a.id,
                    powers.join(","),
                    a.valid_from,
                    a.valid_to,
                    if a.revoked_at_ms.is_some() {
                        " revoked"
                    } else {
                        ""
                    }
                )
            })
            .collect(),
    }
}

pub fn supervision_line(case: &StoredCase, item: &SupervisionItem, lang: Lang) -> SupervisionLine {
    let mut notes: Vec<String> = item.notes.iter().map(|n| n.note.clone()).collect();
    if let Some(r) = &item.resolved {
        notes.push(format!("{}: {}", lang.pick("已解决", "resolved"), r.note));
    }
    SupervisionLine {
        case: case.id.to_string(),
        origin: case.id.origin().to_string(),
        item: item.id.to_string(),
        rule: format!("{:?}", item.rule),
        description: item
            .warning
            .as_ref()
            .map(|w| w.describe(lang))
            .unwrap_or_else(|| item.flag_note.clone()),
        current: item.current(),
        flagged: item.flagged_by.is_some(),
        resolved: item.resolved.is_some(),
        notes,
    }
}
