//! The window's and the departments' pages: the intake ([`intake`]),
//! `/today` (due today and tomorrow, yellow and red, awaiting correction,
//! awaiting opinions), `/cases` (every case this node holds, by status,
//! paginated) and `/queue` (the cases routed to the signed-in reviewer's
//! or chief representative's department, with their stage limits).
//!
//! Lists come from the same `ListCases` request as `case list`, so they
//! show masked ID numbers only; the store still folds every case for it
//! (indexes are the scale work's), the page draws one [`Page`] of it.

pub mod intake;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

use crate::console::layout;
use crate::console::visit::{url_escape, Page, Problem, Visit};
use crate::console::Console;
use crate::control::{CaseFilter, Reply, Request};
use crate::CaseSummary;
use liandong_domain::permission::Act;
use liandong_model::Role;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    page: Option<String>,
}

async fn cases(
    console: &Console,
    visit: &Visit,
    filter: CaseFilter,
) -> Result<Vec<CaseSummary>, Problem> {
    // A township lists the cases of its scope; the county every case.
    let origin = match console.core.me().role() {
        Role::Township => Some(console.core.me().name().to_string()),
        _ => None,
    };
    match console
        .call(visit, Request::ListCases { origin, filter })
        .await
    {
        Ok(Reply::Cases { cases }) => Ok(cases),
        Ok(_) => Ok(Vec::new()),
        Err(e) => Err(Problem::of(&e, visit.lang)),
    }
}

/// A table of case lines.
pub fn case_table(visit: &Visit, lines: &[&CaseSummary]) -> Markup {
    html! {
        @if lines.is_empty() {
            p.muted { (visit.t("没有办件。", "No cases.")) }
        } @else {
            table {
                thead { tr {
                    th { (visit.t("办件编号", "Case")) } th { (visit.t("事项", "Matter")) }
                    th { (visit.t("申请人", "Applicant")) } th { (visit.t("证件号码", "ID number")) }
                    th { (visit.t("状态", "Status")) } th { (visit.t("办结期限", "Due")) } th { (visit.t("预警", "Warnings")) }
                } }
                tbody {
                    @for c in lines {
                        tr {
                            td { a href={ "/cases/" (url_escape(&c.id)) } { (c.id) } }
                            td { (c.matter) } td { (c.applicant_name) } td { (c.applicant_id) }
                            td { (c.status_label) @if c.paused { " " span.tag { (visit.t("暂停计时", "paused")) } } }
                            td { (due_text(visit, c)) }
                            td {
                                @if c.overdue { span.tag.red { (visit.t("超期", "overdue")) } " " }
                                @if c.red { span.tag.red { (visit.t("红牌", "red")) } " " }
                                @if c.yellow { span.tag.yellow { (visit.t("黄牌", "yellow")) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// "今日到期", "剩 3 个工作日", "超期 2 个工作日".
pub fn due_text(visit: &Visit, c: &CaseSummary) -> String {
    match (c.due.as_deref(), c.left_days) {
        (Some(due), Some(0)) => format!("{due}（{}）", visit.t("今日到期", "due today")),
        (Some(due), Some(n)) if n > 0 => format!(
            "{due}（{} {n} {}）",
            visit.t("剩", ""),
            visit.t("个工作日", "working days left")
        ),
        (Some(due), Some(n)) => format!(
            "{due}（{} {} {}）",
            visit.t("超期", "overdue by"),
            -n,
            visit.t("个工作日", "working days")
        ),
        (Some(due), None) => due.to_string(),
        (None, _) => String::new(),
    }
}

/// `GET /today`.
pub async fn today(State(console): State<Console>, visit: Visit) -> Response {
    let who = match console.may(&visit, Act::ReadCases).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let body = match cases(&console, &visit, CaseFilter::default()).await {
        Err(p) => html! { p.error role="alert" { (p.text) } },
        Ok(all) => {
            let open = |c: &&CaseSummary| {
                !matches!(
                    c.status.as_str(),
                    "concluded" | "delivered" | "rejected" | "withdrawn"
                )
            };
            let pick = |f: &dyn Fn(&CaseSummary) -> bool| -> Vec<&CaseSummary> {
                all.iter().filter(open).filter(|c| f(c)).collect()
            };
            let sections: [(&str, &str, Vec<&CaseSummary>); 6] = [
                ("今日到期", "Due today", pick(&|c| c.left_days == Some(0))),
                (
                    "明日到期",
                    "Due tomorrow",
                    pick(&|c| c.left_days == Some(1)),
                ),
                (
                    "红牌预警与超期",
                    "Red and overdue",
                    pick(&|c| c.red || c.overdue),
                ),
                ("黄牌预警", "Yellow", pick(&|c| c.yellow)),
                (
                    "待补正",
                    "Awaiting correction",
                    pick(&|c| c.status == "awaiting-correction"),
                ),
                (
                    "待部门意见",
                    "Awaiting opinions",
                    pick(&|c| c.status == "awaiting-opinions"),
                ),
            ];
            html! {
                p { a.button href="/matters" { (visit.t("受理新办件", "Take a new case")) } }
                @for (zh, en, lines) in &sections {
                    section aria-label=(visit.t(zh, en)) {
                        h2 { (visit.t(zh, en)) " (" (lines.len()) ")" }
                        (case_table(&visit, &lines.iter().take(Page::SIZE).copied().collect::<Vec<_>>()))
                    }
                }
            }
        }
    };
    layout::page(
        &console.core,
        &visit,
        Some(&who),
        visit.t("今日待办", "Today"),
        body,
    )
}

/// `GET /cases?status=&page=`.
pub async fn list(
    State(console): State<Console>,
    visit: Visit,
    Query(q): Query<ListQuery>,
) -> Response {
    let who = match console.may(&visit, Act::ReadCases).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let status = q.status.unwrap_or_default();
    let page = Page::of(q.page.as_deref());
    let body = match cases(&console, &visit, CaseFilter::default()).await {
        Err(p) => html! { p.error role="alert" { (p.text) } },
        Ok(all) => {
            let mut lines: Vec<&CaseSummary> = all
                .iter()
                .filter(|c| status.is_empty() || c.status == status)
                .collect();
            lines.sort_by_key(|c| std::cmp::Reverse(c.submitted_at_ms));
            let (shown, pages) = page.slice(&lines);
            let base = format!("/cases?status={}", url_escape(&status));
            html! {
                form.panel method="get" action="/cases" {
                    div.field {
                        label for="f-status" { (visit.t("状态", "Status")) }
                        select id="f-status" name="status" {
                            @for (value, zh, en) in STATUSES {
                                option value=(value) selected[status == *value] { (visit.t(zh, en)) }
                            }
                        }
                    }
                    button type="submit" { (visit.t("筛选", "Filter")) }
                }
                p.muted { (visit.t("共 ", "")) (lines.len()) (visit.t(" 件", " cases")) }
                (case_table(&visit, shown))
                (layout::pager(&visit, &base, page, pages))
            }
        }
    };
    layout::page(
        &console.core,
        &visit,
        Some(&who),
        visit.t("办件", "Cases"),
        body,
    )
}

const STATUSES: [(&str, &str, &str); 9] = [
    ("", "全部", "All"),
    ("submitted", "已登记", "Submitted"),
    ("awaiting-correction", "待补正", "Awaiting correction"),
    ("in-process", "办理中", "In process"),
    ("awaiting-opinions", "待部门意见", "Awaiting opinions"),
    ("paused", "暂停计时", "Paused"),
    ("concluded", "已办结", "Concluded"),
    ("delivered", "已送达", "Delivered"),
    ("rejected", "不予受理", "Rejected"),
];

/// `GET /queue`: the cases routed to the signed-in staff member's department.
pub async fn queue(
    State(console): State<Console>,
    visit: Visit,
    Query(q): Query<ListQuery>,
) -> Response {
    let who = match console.may(&visit, Act::ReadCases).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let department = console.department_of(&who).await;
    let page = Page::of(q.page.as_deref());
    let filter = CaseFilter {
        department: Some(department.clone()),
        ..CaseFilter::default()
    };
    let body = match cases(&console, &visit, filter).await {
        Err(p) => html! { p.error role="alert" { (p.text) } },
        Ok(all) => {
            let lines: Vec<&CaseSummary> = all
                .iter()
                .filter(|c| !matches!(c.status.as_str(), "delivered" | "withdrawn"))
                .collect();
            let (shown, pages) = page.slice(&lines);
            html! {
                p { (visit.t("部门", "Department")) " " strong { (department) } }
                (case_table(&visit, shown))
                (layout::pager(&visit, "/queue", page, pages))
            }
        }
    };
    layout::page(
        &console.core,
        &visit,
        Some(&who),
        visit.t("部门待办", "Department queue"),
        body,
    )
}
