//! `/cases/{id}`: one case as the people handling it see it: status,
//! clock (days left, paused), warnings, what is missing, the routed parts
//! and decisions, fees, the history with who recorded each event (and a
//! decision's seal verification code), the documents to print, and the
//! next steps the signed-in staff member's roles may take, as forms
//! ([`steps`]).
//!
//! The applicant's name and ID number are shown whole only to a role that handles
//! cases at the window or in a department (clerk, fee clerk, reviewer,
//! chief representative); e-supervision sees it masked, as in every list.

pub mod steps;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use liandong_domain::permission::{Act, EventTag};
use liandong_domain::{CaseState, StaffRole};
use maud::{html, Markup};
use serde::Deserialize;

use crate::console::layout;
use crate::console::visit::{Problem, Visit};
use crate::console::Console;
use crate::control::{Reply, Request};
use crate::identity::Actor;
use crate::CaseDetail;

#[derive(Deserialize, Default)]
pub struct CaseQuery {
    problem: Option<String>,
}

/// `GET /cases/{id}`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Response {
    let problem = q.problem.map(|text| Problem { field: None, text });
    show(&console, &visit, &id, problem, None).await
}

/// Draws the case page, with a refusal to show or a fresh evaluation code.
pub async fn show(
    console: &Console,
    visit: &Visit,
    id: &str,
    problem: Option<Problem>,
    evaluation_code: Option<String>,
) -> Response {
    let who = match console.may(visit, Act::ReadCases).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let detail = match console
        .call(
            visit,
            Request::ShowCase {
                case: id.to_string(),
            },
        )
        .await
    {
        Ok(Reply::Case(d)) => *d,
        Ok(_) => return (axum::http::StatusCode::NOT_FOUND, id.to_string()).into_response(),
        Err(e) => {
            let body = html! { p.error role="alert" { (Problem::of(&e, visit.lang).text) } };
            let mut r = layout::page(
                &console.core,
                visit,
                Some(&who),
                visit.t("办件", "Case"),
                body,
            );
            *r.status_mut() = axum::http::StatusCode::NOT_FOUND;
            return r;
        }
    };
    let case = id.to_string();
    let state = console
        .blocking(move |core| core.case_state(&case).map(|(_, s)| s))
        .await
        .ok();
    let department = console.department_of(&who).await;
    let handles = [
        StaffRole::Clerk,
        StaffRole::FeeClerk,
        StaffRole::Reviewer,
        StaffRole::ChiefRepresentative,
    ]
    .iter()
    .any(|r| who.roles.contains(r));
    let (name_shown, id_shown) = match (&state, handles) {
        (Some(s), true) => s
            .applicant
            .as_ref()
            .map(|a| (a.name.expose().clone(), a.id_number.expose().clone()))
            .unwrap_or_default(),
        _ => (detail.applicant_name.clone(), detail.applicant_id.clone()),
    };
    let body = html! {
        @if let Some(code) = &evaluation_code {
            div.panel role="status" {
                p.notice { (visit.t("已办结。请将评价码交给申请人（只显示这一次）：", "Concluded. Give the applicant this evaluation code (shown only now):")) }
                p { strong.code { (code) } }
                p.muted { (visit.t("申请人可在 /evaluate 页面凭此码评价。", "The applicant rates the case at /evaluate with this code.")) }
            }
        }
        (layout::problem_banner(problem.as_ref()))
        (facts(visit, &detail, state.as_ref(), (&name_shown, &id_shown)))
        (documents(visit, &detail))
        (steps::forms(visit, &who, &department, &detail, state.as_ref(), problem.as_ref()))
        (history(visit, &detail))
    };
    let title = format!("{} {}", visit.t("办件", "Case"), detail.id);
    layout::page(&console.core, visit, Some(&who), &title, body)
}

fn facts(visit: &Visit, d: &CaseDetail, state: Option<&CaseState>, shown: (&str, &str)) -> Markup {
    let (name_shown, id_shown) = shown;
    let clock = &d.clock;
    html! {
        section.panel aria-labelledby="h-facts" {
            h2 id="h-facts" { (visit.t("办件信息", "Case")) }
            dl.facts {
                dt { (visit.t("办件编号", "Case number")) } dd { (d.id) }
                dt { (visit.t("状态", "Status")) } dd { (d.status_label) }
                @if let Some(m) = state.and_then(|s| s.matter.as_ref()) {
                    dt { (visit.t("事项", "Matter")) } dd { (m) }
                }
                dt { (visit.t("申请人", "Applicant")) } dd { (name_shown) }
                dt { (visit.t("证件号码", "ID number")) } dd { (id_shown) }
                dt { (visit.t("办结期限", "Due")) } dd {
                    @if let Some(due) = clock.due { (due.to_string()) }
                    @match clock.left_days {
                        Some(0) => { "（" (visit.t("今日到期", "due today")) "）" }
                        Some(n) if n > 0 => { "（" (visit.t("剩 ", "")) (n) (visit.t(" 个工作日", " working days left")) "）" }
                        Some(n) => { "（" (visit.t("超期 ", "overdue by ")) (-n) (visit.t(" 个工作日", " working days")) "）" }
                        None => {}
                    }
                    @if clock.paused { " " span.tag { (visit.t("暂停计时", "clock paused")) } }
                }
                @if !d.warnings.is_empty() {
                    dt { (visit.t("预警", "Warnings")) } dd { ul { @for w in &d.warnings { li { (w) } } } }
                }
                @if let Some(s) = state {
                    @if !s.missing.is_empty() {
                        dt { (visit.t("待补正材料", "Missing")) } dd { (s.missing.join("、")) }
                    }
                    @if !s.routed.is_empty() {
                        dt { (visit.t("分送部门", "Routed to")) } dd { (s.routed.join("、")) }
                    }
                    @if !s.awaiting_opinions.is_empty() {
                        dt { (visit.t("待意见", "Awaiting opinions of")) } dd { (s.awaiting_opinions.join("、")) }
                    }
                    @for p in &s.parts {
                        dt { (visit.t("决定", "Decision")) " " (p.department) }
                        dd { (if p.approve { visit.t("准予", "approved") } else { visit.t("不予", "refused") }) " · " (p.by) }
                    }
                    @if !s.fees.is_empty() {
                        dt { (visit.t("收费", "Fees")) } dd { @for f in &s.fees { (f.item) " " (crate::console::clerk::intake::yuan(f.amount_fen)) (visit.t(" 元；", " yuan; ")) } }
                    }
                    @if !s.anomalies.is_empty() {
                        dt { (visit.t("异常", "Anomalies")) } dd { ul { @for a in &s.anomalies { li { (a.event) ": " (a.problem.message(visit.lang)) } } } }
                    }
                }
            }
        }
    }
}

/// The documents that apply to this case, as links to their print views
/// ([`crate::console::print::links_for`]).
fn documents(visit: &Visit, d: &CaseDetail) -> Markup {
    let links = crate::console::print::links_for(d, visit.lang);
    html! {
        @if !links.is_empty() {
            section.panel aria-labelledby="h-docs" {
                h2 id="h-docs" { (visit.t("打印文书", "Documents")) }
                ul { @for (href, label) in &links { li { a href=(href) { (visit.t("打印", "Print ")) (label) } } } }
            }
        }
    }
}

fn history(visit: &Visit, d: &CaseDetail) -> Markup {
    html! {
        section aria-labelledby="h-history" {
            h2 id="h-history" { (visit.t("办理过程", "History")) }
            table {
                thead { tr {
                    th { (visit.t("时间", "Time")) } th { (visit.t("环节", "Step")) }
                    th { (visit.t("经办人", "Recorded by")) } th { (visit.t("电子签章校验码", "Seal code")) }
                } }
                tbody {
                    @for h in &d.history {
                        tr {
                            td { (crate::fmt_time(Some(h.at_ms))) }
                            td { @if h.superseded { s { (h.label) } " " span.muted { (visit.t("（已撤销）", "(retracted)")) } } @else { (h.label) } }
                            td { @if let Some(r) = &h.recorder { (r.staff) " · " (r.role_label) " · " (r.node) } }
                            td { @if let Some(code) = &h.seal_code { (code) } }
                        }
                    }
                }
            }
        }
    }
}

/// Whether `who` may record events of this kind (the step's form is shown).
pub fn may_record(who: &Actor, tag: EventTag) -> bool {
    who.role_for(Act::Record(tag)).is_some()
}
