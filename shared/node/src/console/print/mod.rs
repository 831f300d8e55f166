//! The printable documents the law asks the hall to hand out, each a
//! print view (A4, the centre's name as header, the case number, the date
//! in Chinese) drawn by [`layout::print_page`]:
//!
//! - of a case ([`notices`], [`decisions`]): 受理通知书, 一次性告知书,
//!   不予受理决定书, 准予/不予决定书. They carry the applicant's name, so
//!   they need a staff session whose role may read cases
//!   ([`Act::ReadCases`]); the read goes through the node's dispatcher
//!   (`show-case`, with its permission check and audit line) before the
//!   record is folded here for the fields a notice prints;
//! - of a matter ([`matter`]): the 办事指南 and the 服务承诺书, public
//!   information, for any signed-in staff member.
//!
//! A document that does not apply (a rejection notice for a case that was
//! accepted) answers 404 with a page saying so, never an empty document.
//! [`links_for`] lists the documents that apply to a case, for its page.
//!
//! The applicant's ID number is on no document: the name identifies him
//! to himself, the case number to the hall.

pub mod decisions;
pub mod matter;
pub mod notices;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use liandong_domain::permission::Act;
use liandong_domain::{CaseEvent, CaseState, Lang, Matter, Staff};
use liandong_model::OpId;
use liandong_store::StoredCase;
use maud::{html, Markup};

use super::layout;
use super::visit::{Denied, Visit};
use super::Console;
use crate::control::{Reply, Request};
use crate::error::{ErrorReply, Forbidden};
use crate::CaseDetail;

/// Everything a case document prints, read once.
pub struct CaseDoc {
    pub detail: CaseDetail,
    pub stored: StoredCase,
    pub state: CaseState,
    /// The matter version the case pinned (or the current one).
    pub matter: Option<Matter>,
    pub roster: Vec<Staff>,
}

impl CaseDoc {
    /// The live (not superseded) events of the case, in history order.
    pub fn live(&self) -> Vec<(&OpId, &CaseEvent)> {
        let superseded = self.stored.record.superseded();
        self.stored
            .record
            .history()
            .into_iter()
            .filter(|(op, _)| !superseded.contains(op))
            .map(|(op, e)| (op, &e.event))
            .collect()
    }

    /// The applicant's name in full (documents are the case's own views).
    pub fn applicant_name(&self) -> String {
        self.state
            .applicant
            .as_ref()
            .map(|a| a.name.expose().clone())
            .unwrap_or_default()
    }

    /// The matter's name, or its code when the catalogue has not arrived.
    pub fn matter_name(&self) -> String {
        match (&self.matter, &self.state.matter) {
            (Some(m), _) => format!("{}（{}）", m.name, m.code),
            (None, Some(code)) => code.clone(),
            (None, None) => String::new(),
        }
    }

    /// A staff member as a document names him: name and staff ID.
    pub fn staff_name(&self, id: &str) -> String {
        match self.roster.iter().find(|s| s.id == id) {
            Some(s) if !s.name().is_empty() => format!("{}（{}）", s.name(), id),
            _ => id.to_string(),
        }
    }
}

/// Reads a case for a document as this visit's session: `Ok` with the
/// case, or the response to answer (sign-in, 403, 404).
pub async fn load(console: &Console, visit: &Visit, case: &str) -> Result<CaseDoc, Response> {
    console
        .may(visit, Act::ReadCases)
        .await
        .map_err(IntoResponse::into_response)?;
    let detail = match console
        .call(
            visit,
            Request::ShowCase {
                case: case.to_string(),
            },
        )
        .await
    {
        Ok(Reply::Case(d)) => *d,
        Ok(_) => return Err(failed(visit, "show-case")),
        Err(e) => return Err(refused(visit, &e)),
    };
    let id = case.to_string();
    let read = console
        .blocking(move |core| {
            let (stored, state) = core.case_state(&id)?;
            let reg = core.registry()?;
            let matter = reg.matter_of(&stored.record).cloned();
            Ok((stored, state, matter, reg.roster))
        })
        .await;
    match read {
        Ok((stored, state, matter, roster)) => Ok(CaseDoc {
            detail,
            stored,
            state,
            matter,
            roster,
        }),
        Err(e) => Err(refused(visit, &e)),
    }
}

/// The answer to a refused read: to sign-in without a session, 403 for a
/// role that may not, 404 for what does not exist, 503 for the rest.
pub fn refused(visit: &Visit, error: &ErrorReply) -> Response {
    let text = crate::error::words::error_text(error, visit.lang);
    match error {
        ErrorReply::NotPermitted {
            what: Forbidden::NotSignedIn { .. },
        } => Denied::SignIn(visit.path.clone()).into_response(),
        ErrorReply::NotPermitted { .. } => (StatusCode::FORBIDDEN, text).into_response(),
        ErrorReply::NotFound { .. } => (StatusCode::NOT_FOUND, text).into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, text).into_response(),
    }
}

fn failed(visit: &Visit, what: &str) -> Response {
    let text = format!(
        "{} {what}",
        visit.t(
            "节点的答复不符合预期：",
            "unexpected reply from the node to"
        )
    );
    (StatusCode::SERVICE_UNAVAILABLE, text).into_response()
}

/// The 404 page of a document that does not apply to this case.
pub fn not_applicable(console: &Console, visit: &Visit, title: &str, why: &str) -> Response {
    let body = html! {
        p.error role="alert" { (why) }
        p { a href="javascript:history.back()" { (visit.t("返回", "Back")) } }
    };
    let mut response = layout::print_page(&console.core, visit, title, body);
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// The case number and the date of a document, at its head.
pub fn head(visit: &Visit, case: &str, date: chrono::NaiveDate) -> Markup {
    html! {
        p.doc-no {
            (visit.t("办件编号：", "Case number: ")) span.case-id { (case) }
            br;
            (visit.t("日期：", "Date: ")) (date_text(visit.lang, date))
        }
    }
}

/// The sign-off: the centre and the date, on the right.
pub fn sign_off(console: &Console, visit: &Visit, date: chrono::NaiveDate) -> Markup {
    html! {
        div.doc-sign {
            p { (layout::centre_name(&console.core, visit)) }
            p { (date_text(visit.lang, date)) }
        }
    }
}

/// A date as a document writes it (2026年12月2日; ISO in English).
pub fn date_text(lang: Lang, date: chrono::NaiveDate) -> String {
    match lang {
        Lang::Zh => layout::chinese_date(date),
        Lang::En => date.to_string(),
    }
}

/// The China-time date of a millisecond time.
pub fn day_of(ms: u64) -> chrono::NaiveDate {
    liandong_domain::cst_date(ms)
}

/// The document's date: today at this node.
pub fn today(console: &Console) -> chrono::NaiveDate {
    day_of(console.core.now_ms())
}

/// 如不服本决定 …: the applicant's rights against a refusal.
pub fn rights(visit: &Visit) -> Markup {
    html! {
        p.doc-rights {
            (visit.t(
                "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。",
                "If you disagree with this decision, you may apply for administrative reconsideration (行政复议) within sixty days of receiving it, or bring an administrative lawsuit (行政诉讼) before a people's court within six months.",
            ))
        }
    }
}

/// The documents that apply to a case in its present state: (href,
/// label), for the case page.
pub fn links_for(case: &CaseDetail, lang: Lang) -> Vec<(String, String)> {
    let live = |name: &str| {
        case.history
            .iter()
            .any(|h| !h.superseded && h.event == name)
    };
    let id = super::visit::url_escape(&case.id);
    let mut out = Vec::new();
    let mut add = |path: &str, zh: &str, en: &str| {
        out.push((format!("/print/{path}"), lang.pick(zh, en).to_string()));
    };
    if case.clock.accepted_on.is_some() {
        add(
            &format!("acceptance/{id}"),
            "受理通知书",
            "Acceptance notice",
        );
    }
    if live("correction-requested") {
        add(
            &format!("correction/{id}"),
            "一次性告知书",
            "Correction notice",
        );
    }
    if live("rejected") {
        add(
            &format!("rejection/{id}"),
            "不予受理决定书",
            "Rejection notice",
        );
    }
    if live("decided") {
        add(&format!("decision/{id}"), "决定书", "Decision");
    }
    if let Some(matter) = case.state.get("matter").and_then(|m| m.as_str()) {
        let m = super::visit::url_escape(matter);
        add(&format!("guide/{m}"), "办事指南", "Service guide");
        add(&format!("promise/{m}"), "服务承诺书", "Service pledge");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::HistoryLine;

    fn line(event: &str, superseded: bool) -> HistoryLine {
        HistoryLine {
            op: "x#1".into(),
            at_ms: 0,
            event: event.into(),
            label: String::new(),
            superseded,
            recorder: None,
            seal_code: None,
        }
    }

    fn case(history: Vec<HistoryLine>, accepted: bool) -> CaseDetail {
        let calendar = liandong_domain::Calendar::default();
        let ctx = liandong_domain::FoldContext {
            calendar: &calendar,
            matter: None,
            authorisations: &[],
            roster: &[],
            routing: None,
            now_ms: 0,
            thresholds: liandong_domain::Thresholds::default(),
            recorder_level: None,
        };
        let mut clock = liandong_domain::fold(&liandong_domain::CaseRecord::new(), &ctx).clock;
        clock.accepted_on = accepted.then(|| chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
        CaseDetail {
            id: "411000-T01-20260302-0001".into(),
            origin: "township/T01".into(),
            status: String::new(),
            status_label: String::new(),
            applicant_name: String::new(),
            applicant_id: String::new(),
            clock,
            warnings: Vec::new(),
            state: serde_json::json!({ "matter": "M001" }),
            history,
            evaluation_code: None,
        }
    }

    #[test]
    fn a_rejected_case_links_its_rejection_notice_and_the_matters_documents_only() {
        let c = case(
            vec![line("submitted", false), line("rejected", false)],
            false,
        );
        let hrefs: Vec<String> = links_for(&c, Lang::Zh).into_iter().map(|l| l.0).collect();
        assert_eq!(
            hrefs,
            [
                "/print/rejection/411000-T01-20260302-0001",
                "/print/guide/M001",
                "/print/promise/M001"
            ]
        );
    }

    #[test]
    fn a_retracted_decision_is_not_linked_and_an_accepted_case_links_its_notice() {
        let c = case(vec![line("submitted", false), line("decided", true)], true);
        let hrefs: Vec<String> = links_for(&c, Lang::En).into_iter().map(|l| l.0).collect();
        assert!(hrefs.contains(&"/print/acceptance/411000-T01-20260302-0001".to_string()));
        assert!(!hrefs.iter().any(|h| h.starts_with("/print/decision/")));
    }
}
