//! E-supervision's pages (电子监察), for the `supervisor` role:
//!
//! - the lists ([`list`]):
//!   `/supervision?kind=yellow|red|overdue|flagged|items&centre=T01&department=D03&page=N`
//!   across centres and departments with their filters, and
//!   `/supervision.csv` (the same list as CSV for Excel);
//! - an item ([`item`]): `/supervision/item/{case}/{item}`, with its case
//!   and its notes, annotated and resolved by a form (never deleted);
//! - the dashboard ([`dashboard`]): `/supervision/dashboard`, server-drawn
//!   SVG charts ([`chart`]) of the figures [`stats`] computes.
//!
//! This module gathers a list's rows: the case lines of `ListCases`
//! (masked applicant) joined with the items of `Supervision`, both read
//! as the page's session, so the node's own permission checks apply.

pub mod chart;
pub mod dashboard;
pub mod item;
pub mod list;
pub mod stats;

use std::collections::BTreeSet;

use serde::Deserialize;

use super::visit::Visit;
use super::Console;
use crate::control::{CaseFilter, Reply, Request, WarningColour};
use crate::error::ErrorReply;
use crate::{CaseSummary, SupervisionLine};

/// Which list is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Yellow,
    Red,
    Overdue,
    Flagged,
    Items,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Items,
        Kind::Yellow,
        Kind::Red,
        Kind::Overdue,
        Kind::Flagged,
    ];

    /// `?kind=`; every item unless one of the others is named.
    pub fn of(param: Option<&str>) -> Kind {
        match param {
            Some("yellow") => Kind::Yellow,
            Some("red") => Kind::Red,
            Some("overdue") => Kind::Overdue,
            Some("flagged") => Kind::Flagged,
            _ => Kind::Items,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Yellow => "yellow",
            Kind::Red => "red",
            Kind::Overdue => "overdue",
            Kind::Flagged => "flagged",
            Kind::Items => "items",
        }
    }

    pub fn title(self, visit: &Visit) -> &'static str {
        match self {
            Kind::Yellow => visit.t("黄牌清单", "Yellow-card list"),
            Kind::Red => visit.t("红牌清单", "Red-card list"),
            Kind::Overdue => visit.t("逾期清单", "Overdue list"),
            Kind::Flagged => visit.t("已督办事项", "Flagged items"),
            Kind::Items => visit.t("督办事项", "Supervision items"),
        }
    }

    /// The case filter of the lists that are about cases.
    fn case_filter(self, department: Option<String>) -> CaseFilter {
        CaseFilter {
            overdue: self == Kind::Overdue,
            warning: match self {
                Kind::Yellow => Some(WarningColour::Yellow),
                Kind::Red => Some(WarningColour::Red),
                _ => None,
            },
            department,
        }
    }

    /// Whether an item of a listed case belongs on this list.
    fn keeps(self, item: &SupervisionLine) -> bool {
        match self {
            Kind::Yellow => item.rule == "Yellow",
            Kind::Red => item.rule == "Red",
            Kind::Overdue => item.rule == "Red" || item.rule == "StatutoryOverdue",
            Kind::Flagged => item.flagged,
            Kind::Items => true,
        }
    }

    /// A case of a case list is shown even when no item of it matches.
    fn lists_cases(self) -> bool {
        matches!(self, Kind::Yellow | Kind::Red | Kind::Overdue)
    }
}

/// The filters of a list, as the GET form sends them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ListQuery {
    pub kind: Option<String>,
    pub centre: Option<String>,
    pub department: Option<String>,
    pub page: Option<String>,
}

impl ListQuery {
    pub fn centre(&self) -> Option<String> {
        non_empty(self.centre.as_deref())
    }

    pub fn department(&self) -> Option<String> {
        non_empty(self.department.as_deref())
    }

    /// The query string of these filters (no page), URL-escaped.
    pub fn query(&self) -> String {
        let mut q = format!("kind={}", Kind::of(self.kind.as_deref()).as_str());
        if let Some(c) = self.centre() {
            q.push_str(&format!("&centre={}", super::visit::url_escape(&c)));
        }
        if let Some(d) = self.department() {
            q.push_str(&format!("&department={}", super::visit::url_escape(&d)));
        }
        q
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// One line of a list: a case and, unless the case has none that
/// matches, one of its items.
#[derive(Debug, Clone)]
pub struct Row {
    pub case: CaseSummary,
    pub item: Option<SupervisionLine>,
}

impl Row {
    /// Where the line links: the item's page, else the case's.
    pub fn href(&self) -> String {
        match &self.item {
            Some(i) => format!("/supervision/item/{}/{}", self.case.id, i.item),
            None => format!("/cases/{}", self.case.id),
        }
    }
}

/// The rows of a list, in case order, read as the visit's session.
pub async fn rows(console: &Console, visit: &Visit, q: &ListQuery) -> Result<Vec<Row>, ErrorReply> {
    let kind = Kind::of(q.kind.as_deref());
    let cases = match console
        .call(
            visit,
            Request::ListCases {
                origin: q.centre(),
                filter: kind.case_filter(q.department()),
            },
        )
        .await?
    {
        Reply::Cases { cases } => cases,
        other => return Err(unexpected(&other)),
    };
    let items = match console
        .call(visit, Request::Supervision { origin: q.centre() })
        .await?
    {
        Reply::Supervision { items } => items,
        other => return Err(unexpected(&other)),
    };
    Ok(join(kind, cases, items))
}

/// Joins case lines and items (pure, for the tests).
fn join(kind: Kind, cases: Vec<CaseSummary>, items: Vec<SupervisionLine>) -> Vec<Row> {
    let mut out = Vec::new();
    for case in cases {
        let mine: Vec<&SupervisionLine> = items
            .iter()
            .filter(|i| i.case == case.id && kind.keeps(i))
            .collect();
        if mine.is_empty() {
            if kind.lists_cases() {
                out.push(Row { case, item: None });
            }
            continue;
        }
        for item in mine {
            out.push(Row {
                case: case.clone(),
                item: Some(item.clone()),
            });
        }
    }
    out
}

pub(super) fn unexpected(reply: &Reply) -> ErrorReply {
    ErrorReply::internal(format!("the node answered an unexpected reply: {reply:?}"))
}

/// The choices of the centre and department filters: this node, the
/// centres and departments on the roster, and the catalogue's departments.
pub async fn choices(console: &Console, visit: &Visit) -> (Vec<String>, Vec<String>) {
    let mut centres = BTreeSet::new();
    let mut departments = BTreeSet::new();
    if let Ok(Reply::Staff { staff }) = console.call(visit, Request::ListStaff).await {
        for s in staff {
            for c in s.centres {
                if !c.contains('/') {
                    centres.insert(c);
                }
            }
            if !s.department.is_empty() {
                departments.insert(s.department);
            }
        }
    }
    if let Ok(Reply::Matters { matters }) = console
        .call(visit, Request::ListMatters { level: None })
        .await
    {
        for m in matters {
            departments.insert(m.lead_department);
            departments.extend(m.co_departments);
        }
    }
    let me = console.core.me();
    let mine = match me.role() {
        liandong_model::Role::Township => me.name().to_string(),
        _ => me.to_string(),
    };
    let mut out = vec![mine.clone()];
    out.extend(centres.into_iter().filter(|c| *c != mine));
    (out, departments.into_iter().collect())
}

/// The item's state in the page's language.
pub fn item_state(visit: &Visit, item: &SupervisionLine) -> &'static str {
    if item.resolved {
        visit.t("已解决", "resolved")
    } else if item.current {
        visit.t("预警中", "active")
    } else {
        visit.t("已消除", "cleared")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(id: &str) -> CaseSummary {
        CaseSummary {
            id: id.into(),
            origin: "township/T01".into(),
            matter: "M001".into(),
            status: "accepted".into(),
            status_label: "已受理".into(),
            applicant_name: "张*".into(),
            applicant_id: "**************1234".into(),
            submitted_at_ms: 0,
            due: None,
            left_days: None,
            paused: false,
            warnings: vec![],
            yellow: false,
            red: true,
            overdue: true,
            conflict: false,
            events: 1,
            routed_to: vec![],
            opinion_asked_of: vec![],
        }
    }

    fn item(case: &str, id: &str, rule: &str, flagged: bool) -> SupervisionLine {
        SupervisionLine {
            case: case.into(),
            origin: "township/T01".into(),
            item: id.into(),
            rule: rule.into(),
            description: String::new(),
            current: true,
            flagged,
            resolved: false,
            notes: vec![],
        }
    }

    #[test]
    fn a_red_list_shows_each_red_case_once_with_its_red_item() {
        let items = vec![
            item("A", "a1", "Yellow", true),
            item("A", "a2", "Red", false),
            item("B", "b1", "Red", true),
        ];
        let rows = join(Kind::Red, vec![case("A"), case("C")], items);
        let shown: Vec<(String, Option<String>)> = rows
            .iter()
            .map(|r| (r.case.id.clone(), r.item.as_ref().map(|i| i.item.clone())))
            .collect();
        assert_eq!(
            shown,
            vec![("A".into(), Some("a2".into())), ("C".into(), None)]
        );
        assert_eq!(rows[0].href(), "/supervision/item/A/a2");
        assert_eq!(rows[1].href(), "/cases/C");
    }

    #[test]
    fn the_flagged_list_shows_flagged_items_only_and_no_case_without_one() {
        let items = vec![
            item("A", "a1", "Yellow", true),
            item("A", "a2", "Red", false),
        ];
        let rows = join(Kind::Flagged, vec![case("A"), case("B")], items);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].item.as_ref().map(|i| i.item.as_str()), Some("a1"));
    }

    #[test]
    fn the_query_string_keeps_the_filters_and_drops_empty_ones() {
        let q = ListQuery {
            kind: Some("red".into()),
            centre: Some("T01".into()),
            department: Some(" ".into()),
            page: Some("2".into()),
        };
        assert_eq!(q.query(), "kind=red&centre=T01");
        assert_eq!(Kind::of(Some("nonsense")), Kind::Items);
    }
}
