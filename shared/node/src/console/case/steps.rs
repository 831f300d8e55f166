//! The next steps on a case as forms, and `POST /cases/{id}/step`, which
//! turns the posted form into the command line's [`CaseAction`] and runs
//! it as the page's session. Only the steps the case's status allows and
//! the signed-in staff member's roles may record are drawn; the node
//! still checks everything (a refusal comes back next to the step's form).
//!
//! Conclusion answers the case page itself (not a redirect) so the
//! applicant's one-time evaluation code is shown once and never lands in
//! a URL or the browser's history.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_domain::permission::EventTag;
use liandong_domain::{CaseState, OpinionResult};
use maud::{html, Markup};

use super::may_record;
use crate::console::layout::{self, field, FieldAttrs};
use crate::console::visit::{csrf_refused, url_escape, Fields, Problem, Visit};
use crate::console::Console;
use crate::control::{CaseAction, Reply, Request};
use crate::identity::Actor;
use crate::CaseDetail;

/// The step forms for this case and this staff member.
pub fn forms(
    visit: &Visit,
    who: &Actor,
    department: &str,
    d: &CaseDetail,
    state: Option<&CaseState>,
    problem: Option<&Problem>,
) -> Markup {
    let status = d.status.as_str();
    let action = format!("/cases/{}/step", url_escape(&d.id));
    let open = matches!(status, "in-process" | "awaiting-opinions" | "paused");
    let can = |tag| may_record(who, tag);
    let form = |step: &str, title: &str, inner: Markup, button: &str| {
        html! {
            form.panel method="post" action=(action) aria-label=(title) {
                (layout::csrf_field(visit))
                input type="hidden" name="step" value=(step);
                h2 { (title) }
                (inner)
                button type="submit" { (button) }
            }
        }
    };
    let missing = state.map(|s| s.missing.join("\n")).unwrap_or_default();
    html! {
        section aria-labelledby="h-steps" {
            h2 id="h-steps" { (visit.t("下一步", "Next steps")) }
            div.steps {
                @if status == "submitted" && can(EventTag::Accepted) {
                    (form("accept", visit.t("受理", "Accept"), html! {}, visit.t("受理", "Accept")))
                }
                @if status == "submitted" && can(EventTag::CorrectionRequested) {
                    (form("correction", visit.t("一次性告知补正", "Request correction"), textarea(visit, "missing", visit.t("需补正的材料（每行一项）", "Missing items (one per line)"), "", problem), visit.t("出具一次性告知书", "Issue the one-time notice")))
                }
                @if status == "awaiting-correction" && can(EventTag::CorrectionSupplied) {
                    (form("supply", visit.t("补齐材料", "Correction supplied"), textarea(visit, "items", visit.t("已补交的材料（每行一项）", "Items supplied (one per line)"), &missing, problem), visit.t("补齐并继续", "Supplied")))
                }
                @if matches!(status, "submitted" | "awaiting-correction") && can(EventTag::Rejected) {
                    (form("reject", visit.t("不予受理", "Reject"), html! {
                        (field("reason", visit.t("不予受理理由", "Reason"), "", problem, FieldAttrs::required()))
                        (field("legal_basis", visit.t("法律依据", "Legal basis"), "", problem, FieldAttrs::default()))
                        (field("competent_authority", visit.t("应向哪个机关申请", "Where to apply instead"), "", problem, FieldAttrs::default()))
                    }, visit.t("不予受理", "Reject")))
                }
                @if open && can(EventTag::RoutedToDepartment) {
                    (form("route", visit.t("分送部门", "Route"), html! {
                        (field("departments", visit.t("部门编码（逗号分隔，留空按分送规则）", "Departments (comma-separated; empty: the routing rule)"), "", problem, FieldAttrs::default()))
                        (field("townships", visit.t("征求意见的乡镇（逗号分隔）", "Townships asked for an opinion (comma-separated)"), "", problem, FieldAttrs::default()))
                    }, visit.t("分送", "Route")))
                }
                @if open && can(EventTag::OpinionRecorded) {
                    (form("opinion", visit.t("审查意见", "Opinion"), html! {
                        div.field {
                            label for="f-result" { (visit.t("意见", "Result")) }
                            select id="f-result" name="result" {
                                option value="pass" { (visit.t("通过", "Pass")) }
                                option value="return" { (visit.t("退回", "Return")) }
                                option value="other" { (visit.t("其他", "Other")) }
                            }
                        }
                        (field("opinion_department", visit.t("提出意见的部门编码（本部门前置机上可留空）", "Department giving the opinion (empty at its own bridge)"), department_default(who, department), problem, FieldAttrs::default()))
                        (textarea(visit, "text", visit.t("意见内容", "Opinion text"), "", problem))
                    }, visit.t("提交意见", "Record the opinion")))
                }
                @if open && can(EventTag::Decided) {
                    (form("decide", visit.t("作出决定", "Decide"), html! {
                        div.field {
                            label for="f-outcome" { (visit.t("决定", "Outcome")) }
                            select id="f-outcome" name="outcome" {
                                option value="approve" { (visit.t("准予", "Approve")) }
                                option value="refuse" { (visit.t("不予", "Refuse")) }
                            }
                        }
                        (field("decide_department", visit.t("作出决定的部门编码（本部门前置机上可留空）", "Deciding department (empty at its own bridge)"), department_default(who, department), problem, FieldAttrs::default()))
                        (field("decide_reason", visit.t("理由（不予时必填）", "Reason (required to refuse)"), "", problem, FieldAttrs::default()))
                    }, visit.t("签章并决定", "Seal and decide")))
                }
                @if open && can(EventTag::FeeCharged) {
                    (form("fee", visit.t("收费", "Fee"), html! {
                        (field("item", visit.t("收费项目", "Fee item"), "", problem, FieldAttrs::required()))
                    }, visit.t("收费", "Charge")))
                }
                @if open && can(EventTag::FeeWaived) {
                    (form("waive", visit.t("免收", "Fee waiver"), html! {
                        (field("waive_item", visit.t("收费项目", "Fee item"), "", problem, FieldAttrs::required()))
                        (field("waive_reason", visit.t("免收理由", "Reason"), "", problem, FieldAttrs::required()))
                    }, visit.t("登记免收", "Waive")))
                }
                @if open && can(EventTag::Concluded) {
                    (form("conclude", visit.t("办结", "Conclude"), html! {}, visit.t("办结", "Conclude")))
                }
                @if status == "concluded" && can(EventTag::Delivered) {
                    (form("deliver", visit.t("送达", "Deliver"), html! {
                        (field("recipient", visit.t("领取人（留空为申请人本人）", "Recipient (empty: the applicant)"), "", problem, FieldAttrs::default()))
                    }, visit.t("送达", "Deliver")))
                }
                @if matches!(status, "submitted" | "awaiting-correction" | "in-process" | "awaiting-opinions" | "paused") && can(EventTag::Withdrawn) {
                    (form("withdraw", visit.t("撤回申请", "Withdrawal"), html! {
                        (field("withdraw_reason", visit.t("撤回原因", "Reason"), "", problem, FieldAttrs::required()))
                    }, visit.t("申请人撤回", "Withdrawn by the applicant")))
                }
            }
        }
    }
}

/// A department's staff (reviewer, chief representative) decide for their
/// own department: the field starts with it; a township clerk's is empty.
fn department_default<'a>(who: &Actor, department: &'a str) -> &'a str {
    use liandong_domain::StaffRole;
    if who.roles.contains(&StaffRole::ChiefRepresentative) {
        department
    } else {
        ""
    }
}

fn textarea(
    visit: &Visit,
    name: &'static str,
    label: &str,
    value: &str,
    problem: Option<&Problem>,
) -> Markup {
    let _ = visit;
    let id = format!("f-{name}");
    let error = problem.filter(|p| p.field == Some(name));
    html! {
        div.field {
            label for=(id) { (label) }
            textarea id=(id) name=(name) aria-invalid=[error.map(|_| "true")] { (value) }
            @if let Some(e) = error { p.error role="alert" { (e.text) } }
        }
    }
}

fn list(s: &str) -> Vec<String> {
    s.split([',', '，', '、', ' '])
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn optional(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// The form as the command line's step.
fn action_of(f: &Fields, who: &Actor) -> Option<CaseAction> {
    Some(match f.get("step") {
        "accept" => CaseAction::Accept {
            tolerated_missing: Vec::new(),
            promised_by: None,
        },
        "correction" => CaseAction::RequestCorrection {
            missing: f.lines("missing"),
        },
        "supply" => CaseAction::Supply {
            items: f.lines("items"),
        },
        "reject" => CaseAction::Reject {
            reason: f.get("reason").into(),
            legal_basis: f.get("legal_basis").into(),
            competent_authority: optional(f.get("competent_authority")),
        },
        "route" => CaseAction::Route {
            departments: list(f.get("departments")),
            townships: list(f.get("townships")),
            part: String::new(),
            stage_limit_days: None,
        },
        "opinion" => CaseAction::Opinion {
            department: optional(f.get("opinion_department")),
            result: match f.get("result") {
                "return" => OpinionResult::Return,
                "other" => OpinionResult::Other,
                _ => OpinionResult::Pass,
            },
            staff: who.staff.clone(),
            text: f.get("text").into(),
        },
        "decide" => CaseAction::Decide {
            approve: f.get("outcome") != "refuse",
            by: who.staff.clone(),
            reason: f.get("decide_reason").into(),
            department: optional(f.get("decide_department")),
            authorisation: None,
        },
        "fee" => CaseAction::Fee {
            item: f.get("item").into(),
            amount_fen: None,
        },
        "waive" => CaseAction::WaiveFee {
            item: f.get("waive_item").into(),
            reason: f.get("waive_reason").into(),
        },
        "conclude" => CaseAction::Conclude,
        "deliver" => CaseAction::Deliver {
            recipient: optional(f.get("recipient")),
        },
        "withdraw" => CaseAction::Withdraw {
            reason: f.get("withdraw_reason").into(),
        },
        _ => return None,
    })
}

/// `POST /cases/{id}/step`.
pub async fn post(
    State(console): State<Console>,
    visit: Visit,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = Fields::parse(&body);
    if !f.csrf_ok(&visit) {
        return csrf_refused(&visit);
    }
    let who = match console.signed_in(&visit).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let Some(action) = action_of(&f, &who) else {
        let p = Problem {
            field: None,
            text: visit.t("未知的办理环节", "Unknown step").into(),
        };
        return super::show(&console, &visit, &id, Some(p), None).await;
    };
    let concluding = matches!(action, CaseAction::Conclude);
    match console
        .call(
            &visit,
            Request::Case {
                case: id.clone(),
                action,
            },
        )
        .await
    {
        Ok(Reply::Case(d)) if concluding => {
            super::show(&console, &visit, &id, None, d.evaluation_code).await
        }
        Ok(_) => Redirect::to(&format!("/cases/{}", url_escape(&id))).into_response(),
        Err(e) => {
            let mut p = Problem::of(&e, visit.lang);
            // A refusal about no field is shown above every form; a
            // decision's authorisation problem sits by its button.
            if p.field == Some("authorisation") {
                p.field = None;
            }
            let mut r = super::show(&console, &visit, &id, Some(p), None).await;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            r
        }
    }
}
