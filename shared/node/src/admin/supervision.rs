//! E-supervision on the admin port: `/supervision?kind=yellow|red|overdue|items`
//! renders the list as a plain, printable HTML table (server-side, every
//! value escaped, no scripts), and `/api/cases` and `/api/supervision` give
//! the same data as JSON. Personal fields are masked as in every list.
//! Each needs a signed-in session of a role that may read cases or
//! supervision items ([`super::session`]).

use crate::control::{CaseFilter, WarningColour};
use crate::NodeError;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use liandong_domain::Lang;
use serde::Deserialize;

use super::county::Admin;
use super::session::{actor_of, refusal};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    lang: Option<String>,
    township: Option<String>,
}

fn lang_of(q: &ListQuery) -> Lang {
    q.lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or_default()
}

fn filter_of(kind: &str) -> Option<CaseFilter> {
    match kind {
        "yellow" => Some(CaseFilter {
            overdue: false,
            warning: Some(WarningColour::Yellow),
            ..CaseFilter::default()
        }),
        "red" => Some(CaseFilter {
            overdue: false,
            warning: Some(WarningColour::Red),
            ..CaseFilter::default()
        }),
        "overdue" => Some(CaseFilter {
            overdue: true,
            ..CaseFilter::default()
        }),
        _ => None,
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = String::from("<table><thead><tr>");
    for h in headers {
        out.push_str(&format!("<th>{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            out.push_str(&format!("<td>{}</td>", escape(&cell)));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The printable list page.
pub async fn page(
    State(admin): State<Admin>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&q);
    let kind = q.kind.clone().unwrap_or_else(|| "items".into());
    let core = admin.core.clone();
    let township = q.township.clone();
    let body = tokio::task::spawn_blocking(move || -> Result<(String, String), NodeError> {
        let who = actor_of(&core, &headers)?;
        match filter_of(&kind) {
            Some(filter) => {
                let cases = core.list_cases(&who, lang, township.as_deref(), &filter)?;
                let title = match kind.as_str() {
                    "yellow" => lang.pick("黄牌清单", "Yellow-card list"),
                    "red" => lang.pick("红牌清单", "Red-card list"),
                    _ => lang.pick("逾期清单", "Overdue list"),
                };
                let rows = cases
                    .iter()
                    .map(|c| {
                        vec![
                            c.id.clone(),
                            c.origin.clone(),
                            c.matter.clone(),
                            c.status_label.clone(),
                            c.applicant_name.clone(),
                            c.due.clone().unwrap_or_default(),
                            c.left_days.map(|d| d.to_string()).unwrap_or_default(),
                            c.warnings.join("; "),
                        ]
                    })
                    .collect();
                let headers = [
                    lang.pick("办件编号", "case"),
                    lang.pick("受理中心", "centre"),
                    lang.pick("事项", "matter"),
                    lang.pick("状态", "status"),
                    lang.pick("申请人", "applicant"),
                    lang.pick("承诺期限", "due"),
                    lang.pick("剩余工作日", "days left"),
                    lang.pick("预警", "warnings"),
                ];
                Ok((format!("{title} ({})", cases.len()), table(&headers, rows)))
            }
            None => {
                let items = core.supervision(&who, lang, township.as_deref())?;
                let rows = items
                    .iter()
                    .map(|i| {
                        vec![
                            i.case.clone(),
                            i.origin.clone(),
                            i.description.clone(),
                            if i.resolved {
                                lang.pick("已解决", "resolved").to_string()
                            } else if i.current {
                                lang.pick("预警中", "active").to_string()
                            } else {
                                lang.pick("已消除", "cleared").to_string()
                            },
                            if i.flagged {
                                "✓".into()
                            } else {
                                String::new()
                            },
                            i.notes.join("; "),
                        ]
                    })
                    .collect();
                let headers = [
                    lang.pick("办件编号", "case"),
                    lang.pick("受理中心", "centre"),
                    lang.pick("督办内容", "item"),
                    lang.pick("状态", "state"),
                    lang.pick("已督办", "flagged"),
                    lang.pick("批注", "notes"),
                ];
                let title = lang.pick("督办事项", "Supervision items");
                Ok((format!("{title} ({})", items.len()), table(&headers, rows)))
            }
        }
    })
    .await;
    match body {
        Ok(Ok((title, table))) => {
            let back = lang.pick("返回节点总览", "back to the nodes");
            let html = format!(
                "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{t}</title>\
                 <style>body{{font:14px system-ui,sans-serif;margin:16px}}table{{border-collapse:collapse}}\
                 th,td{{border:1px solid #ccd;padding:4px 8px;text-align:left}}th{{background:#eef}}</style>\
                 </head><body><h1>{t}</h1><p><a href=\"/\">{back}</a></p>{table}</body></html>",
                lang.pick("zh-CN", "en"),
                t = escape(&title),
                back = escape(back),
            );
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        Ok(Err(e)) => refusal(e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `/api/cases?kind=yellow|red|overdue&township=T01`: case lines as JSON.
pub async fn cases(
    State(admin): State<Admin>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&q);
    let filter = q.kind.as_deref().and_then(filter_of).unwrap_or_default();
    let core = admin.core.clone();
    let township = q.township.clone();
    let list = move || {
        let who = actor_of(&core, &headers)?;
        core.list_cases(&who, lang, township.as_deref(), &filter)
    };
    match tokio::task::spawn_blocking(list).await {
        Ok(Ok(cases)) => Json(cases).into_response(),
        Ok(Err(e)) => refusal(e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `/api/supervision?township=T01`: supervision items as JSON.
pub async fn items(
    State(admin): State<Admin>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&q);
    let core = admin.core.clone();
    let township = q.township.clone();
    let list = move || {
        let who = actor_of(&core, &headers)?;
        core.supervision(&who, lang, township.as_deref())
    };
    match tokio::task::spawn_blocking(list).await {
        Ok(Ok(items)) => Json(items).into_response(),
        Ok(Err(e)) => refusal(e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
