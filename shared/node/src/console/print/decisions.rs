//! The decisions handed to the applicant: `GET /print/rejection/{case}`
//! (不予受理决定书: the reason, the legal basis, where to apply instead,
//! the applicant's 复议/诉讼 rights) and `GET /print/decision/{case}`
//! (准予/不予决定书: each department's decision, who decided, the seal and
//! its verification code; for a refusal the reason and the same rights).
//!
//! The seal's verification code is the one the case history shows
//! ([`crate::output::seal_code`] over the decision's signature), so the
//! applicant can have it checked at any centre holding the case.

use axum::extract::{Path, State};
use axum::response::Response;
use liandong_domain::{EventKind, PartDecision, Seal};
use maud::{html, Markup};

use super::{date_text, day_of, head, load, not_applicable, rights, sign_off, CaseDoc};
use crate::console::layout;
use crate::console::visit::Visit;
use crate::console::Console;

/// `GET /print/rejection/{case}`: 不予受理决定书.
pub async fn rejection(
    State(console): State<Console>,
    visit: Visit,
    Path(case): Path<String>,
) -> Response {
    let doc = match load(&console, &visit, &case).await {
        Ok(doc) => doc,
        Err(r) => return r,
    };
    let title = visit.t("不予受理决定书", "Decision not to accept");
    let rejected = doc
        .live()
        .into_iter()
        .rev()
        .find_map(|(_, e)| match &e.kind {
            EventKind::Rejected {
                reason,
                legal_basis,
                competent_authority,
            } => Some((
                e.at_ms,
                reason.trim().trim_end_matches(['。', '.']).to_string(),
                legal_basis.clone(),
                competent_authority.clone(),
            )),
            _ => None,
        });
    let Some((at_ms, reason, basis, authority)) = rejected else {
        let why = visit.t(
            "此办件未被决定不予受理，没有不予受理决定书。",
            "This case was not rejected: there is no decision not to accept it.",
        );
        return not_applicable(&console, &visit, title, why);
    };
    let date = day_of(at_ms);
    let submitted = doc
        .state
        .clock
        .submitted_on
        .map(|d| date_text(visit.lang, d))
        .unwrap_or_default();
    let body = html! {
        (head(&visit, &doc.detail.id, date))
        p { (doc.applicant_name()) (visit.t("：", ":")) }
        p {
            @if visit.lang == liandong_domain::Lang::Zh {
                "你（单位）于" (submitted) "提出的「" (doc.matter_name()) "」申请，经审查，"
                (reason) "。"
                @if !basis.is_empty() { "依据" (basis) "，" }
                "本中心决定不予受理。"
            } @else {
                "Your application for “" (doc.matter_name()) "”, made on " (submitted)
                ", is not accepted: " (reason) "."
                @if !basis.is_empty() { " Legal basis: " (basis) "." }
            }
        }
        dl.facts.doc-facts {
            dt { (visit.t("不予受理理由", "Reason")) } dd { (reason) }
            dt { (visit.t("法律依据", "Legal basis")) }
            dd { @if basis.is_empty() { (visit.t("（未填写）", "(not given)")) } @else { (basis) } }
            @if let Some(a) = authority.as_deref().filter(|a| !a.trim().is_empty()) {
                dt { (visit.t("建议向以下机关申请", "Apply instead to")) } dd { (a) }
            }
        }
        @if let Some(a) = authority.as_deref().filter(|a| !a.trim().is_empty()) {
            p {
                (visit.t("该申请事项不属于本中心职权范围，请向 ", "The application is not for this centre: apply to "))
                strong { (a) }
                (visit.t(" 提出申请。", "."))
            }
        }
        (rights(&visit))
        (sign_off(&console, &visit, date))
    };
    layout::print_page(&console.core, &visit, title, body)
}

/// `GET /print/decision/{case}`: 准予/不予决定书.
pub async fn decision(
    State(console): State<Console>,
    visit: Visit,
    Path(case): Path<String>,
) -> Response {
    let doc = match load(&console, &visit, &case).await {
        Ok(doc) => doc,
        Err(r) => return r,
    };
    let parts = &doc.state.parts;
    let title = if parts.is_empty() {
        visit.t("决定书", "Decision")
    } else if parts.iter().all(|p| p.approve) {
        visit.t("准予许可决定书", "Decision to grant")
    } else if parts.iter().all(|p| !p.approve) {
        visit.t("不予许可决定书", "Decision to refuse")
    } else {
        visit.t("许可决定书", "Decision")
    };
    if parts.is_empty() {
        let why = visit.t(
            "此办件尚未作出准予或不予的决定，没有决定书。",
            "No decision has been made on this case yet: there is no decision document.",
        );
        return not_applicable(&console, &visit, title, why);
    }
    let date = parts
        .iter()
        .map(|p| day_of(p.at_ms))
        .max()
        .unwrap_or_else(|| super::today(&console));
    let body = html! {
        (head(&visit, &doc.detail.id, date))
        p { (doc.applicant_name()) (visit.t("：", ":")) }
        p {
            (visit.t("你（单位）申请的「", "On your application for “"))
            (doc.matter_name())
            (visit.t("」，经审查，决定如下：", "”, after review, it is decided:"))
        }
        @for part in parts { (part_of(&visit, &doc, part)) }
        @if parts.iter().any(|p| !p.approve) { (rights(&visit)) }
        (sign_off(&console, &visit, date))
    };
    layout::print_page(&console.core, &visit, title, body)
}

/// One department's decision with its decider, seal and reason.
fn part_of(visit: &Visit, doc: &CaseDoc, part: &PartDecision) -> Markup {
    let op = part.op.to_string();
    let seal_code = doc
        .detail
        .history
        .iter()
        .find(|h| h.op == op)
        .and_then(|h| h.seal_code.clone());
    let reason = doc.live().into_iter().find_map(|(o, e)| match &e.kind {
        EventKind::Decided { reason, .. } if *o == part.op => Some(reason.clone()),
        _ => None,
    });
    let reason = reason.unwrap_or_default();
    html! {
        section.doc-part {
            p.doc-outcome {
                strong {
                    @if part.approve { (visit.t("准予许可", "Granted")) } @else { (visit.t("不予许可", "Refused")) }
                }
            }
            dl.facts.doc-facts {
                dt { (visit.t("承办部门", "Department")) } dd { (part.department) }
                dt { (visit.t("决定人", "Decided by")) } dd { (doc.staff_name(&part.by)) }
                dt { (visit.t("决定日期", "Decided on")) } dd { (date_text(visit.lang, day_of(part.at_ms))) }
                @if !reason.trim().is_empty() {
                    dt { @if part.approve { (visit.t("审查意见", "Review")) } @else { (visit.t("不予许可理由", "Reason")) } }
                    dd { (reason) }
                }
                dt { (visit.t("印章", "Seal")) }
                dd {
                    @match part.seal {
                        Some(Seal::Approval) => (visit.t("行政审批专用章", "administrative approval seal")),
                        Some(Seal::Official) => (visit.t("部门公章", "department seal")),
                        None => (visit.t("（无）", "(none)")),
                    }
                }
                dt { (visit.t("电子印章验证码", "Seal verification code")) }
                dd {
                    @match &seal_code {
                        Some(code) => span.seal-code { (code) },
                        None => (visit.t("（未加盖电子印章）", "(not sealed electronically)")),
                    }
                }
            }
        }
    }
}
