//! `/supervision/dashboard`: e-supervision's picture of the node's cases,
//! drawn on the server ([`super::chart`]): on-time rate per department
//! and per centre over the last 30 days, warnings per week over the last
//! [`WEEKS`] weeks, open items by age ([`super::stats`]). Each chart has
//! its figures in a table beside it.
//!
//! The facts are read from the store on the blocking pool after the
//! session was checked for `read-supervision`: one fold per case, no
//! personal data. A case counts for the departments it was routed to,
//! else for its matter's lead department. An item was raised on the day
//! the county flagged it; one not flagged yet on the day after the
//! deadline it crossed (red, statutory overdue), else today.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};
use liandong_domain::permission::Act;
use liandong_domain::{fold, supervision_items, EventKind, Warning};
use maud::{html, Markup};

use super::chart::{bars, Bar};
use super::stats::{self, CaseFacts, ItemFacts, Rate, AGE_BUCKETS};
use crate::console::layout;
use crate::console::visit::{Problem, Visit};
use crate::console::Console;
use crate::node_core::cst_day;
use crate::{NodeCore, NodeError};

/// How many weeks the warnings chart shows.
pub const WEEKS: usize = 12;

/// The facts of every case and item this node holds, and today.
pub fn facts(core: &NodeCore) -> Result<(Vec<CaseFacts>, Vec<ItemFacts>, NaiveDate), NodeError> {
    let reg = core.registry()?;
    let today = cst_day(reg.now_ms);
    let mut cases = Vec::new();
    let mut items = Vec::new();
    for case in core.store.cases(None)? {
        let matter = reg.matter_of(&case.record);
        let ctx = reg.context(matter, None);
        let state = fold(&case.record, &ctx);
        let mut departments: Vec<String> = Vec::new();
        for (_, e) in case.record.history() {
            if let EventKind::RoutedToDepartment { department, .. } = &e.event.kind {
                if !departments.contains(department) {
                    departments.push(department.clone());
                }
            }
        }
        if departments.is_empty() {
            departments.extend(matter.map(|m| m.lead_department.clone()));
        }
        cases.push(CaseFacts {
            centre: case.id.origin().name().to_string(),
            departments,
            stopped_on: state.clock.stopped_on,
            overdue: state.clock.overdue,
        });
        for item in supervision_items(&case.id, &case.record, &ctx) {
            let flagged = item
                .flagged_by
                .as_ref()
                .and_then(|op| case.record.get(op))
                .map(|e| cst_day(e.event.at_ms));
            let crossed = match &item.warning {
                Some(Warning::Red { due, .. } | Warning::StatutoryOverdue { due, .. }) => {
                    Some(*due + Duration::days(1))
                }
                _ => None,
            };
            items.push(ItemFacts {
                raised_on: flagged.or(crossed).unwrap_or(today),
                resolved: item.resolved.is_some(),
            });
        }
    }
    Ok((cases, items, today))
}

/// `GET /supervision/dashboard`.
pub async fn page(State(console): State<Console>, visit: Visit) -> Response {
    let who = match console.may(&visit, Act::ReadSupervision).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let title = visit.t("电子监察统计", "E-supervision dashboard");
    let body = match console.blocking(facts).await {
        Ok((cases, items, today)) => charts(&visit, &cases, &items, today),
        Err(e) => layout::problem_banner(Some(&Problem::of(&e, visit.lang))),
    };
    layout::page(&console.core, &visit, Some(&who), title, body)
}

fn rate_section(visit: &Visit, id: &str, heading: &str, key: &str, rates: &[Rate]) -> Markup {
    let chart: Vec<Bar> = rates
        .iter()
        .map(|r| Bar {
            label: r.key.clone(),
            value: f64::from(r.percent()),
            text: format!("{}%", r.percent()),
        })
        .collect();
    html! {
        section.panel.dash aria-labelledby=(id) {
            h2 id=(id) { (heading) }
            @if rates.is_empty() {
                p.muted { (visit.t("近 30 天没有办结的办件。", "No case ended in the last 30 days.")) }
            } @else {
                (bars(heading, &chart, 100.0))
                table.figures id={ (id) "-figures" } {
                    thead { tr {
                        th scope="col" { (key) }
                        th scope="col" { (visit.t("按时办结", "On time")) }
                        th scope="col" { (visit.t("办结总数", "Ended")) }
                        th scope="col" { (visit.t("按时办结率", "On-time rate")) }
                    } }
                    tbody { @for r in rates { tr {
                        th scope="row" { (r.key) }
                        td { (r.on_time) } td { (r.total) } td { (r.percent()) "%" }
                    } } }
                }
            }
        }
    }
}

/// The dashboard's body (pure, for the tests).
pub fn charts(visit: &Visit, cases: &[CaseFacts], items: &[ItemFacts], today: NaiveDate) -> Markup {
    let weeks = stats::warnings_per_week(items, today, WEEKS);
    let ages = stats::open_by_age(items, today);
    let week_bars: Vec<Bar> = weeks
        .iter()
        .map(|w| Bar {
            label: w.monday.format("%m-%d").to_string(),
            value: f64::from(w.count),
            text: w.count.to_string(),
        })
        .collect();
    let age_bars: Vec<Bar> = AGE_BUCKETS
        .iter()
        .zip(ages)
        .map(|((_, _, zh, en), n)| Bar {
            label: visit.t(zh, en).to_string(),
            value: f64::from(n),
            text: n.to_string(),
        })
        .collect();
    let open: u32 = ages.iter().sum();
    html! {
        p.muted { (visit.t("统计截至 ", "As of ")) (layout::chinese_date(today)) }
        (rate_section(visit, "h-dept", visit.t("各部门按时办结率（近 30 天）", "On-time rate per department (last 30 days)"),
            visit.t("部门", "Department"), &stats::on_time_by_department(cases, today)))
        (rate_section(visit, "h-centre", visit.t("各中心按时办结率（近 30 天）", "On-time rate per centre (last 30 days)"),
            visit.t("受理中心", "Centre"), &stats::on_time_by_centre(cases, today)))
        section.panel.dash aria-labelledby="h-weeks" {
            @let heading = visit.t("每周预警数", "Warnings per week");
            h2 id="h-weeks" { (heading) }
            (bars(heading, &week_bars, 1.0))
            table.figures id="h-weeks-figures" {
                thead { tr {
                    th scope="col" { (visit.t("周（自周一）", "Week from Monday")) }
                    th scope="col" { (visit.t("预警数", "Warnings")) }
                } }
                tbody { @for w in &weeks { tr {
                    th scope="row" { (layout::chinese_date(w.monday)) }
                    td { (w.count) }
                } } }
            }
        }
        section.panel.dash aria-labelledby="h-age" {
            @let heading = visit.t("未解决督办事项（按时长）", "Open items by age");
            h2 id="h-age" { (heading) }
            (bars(heading, &age_bars, 1.0))
            table.figures id="h-age-figures" {
                thead { tr {
                    th scope="col" { (visit.t("时长", "Age")) }
                    th scope="col" { (visit.t("事项数", "Items")) }
                } }
                tbody {
                    @for b in &age_bars { tr { th scope="row" { (b.label) } td { (b.text) } } }
                    tr.total { th scope="row" { (visit.t("合计", "Total")) } td data-open-total=(open) { (open) } }
                }
            }
            p { a href="/supervision?kind=items" { (visit.t("查看督办清单", "See the item list")) } }
        }
    }
}
