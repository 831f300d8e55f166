//! `/supervision/item/{case}/{item}`: one e-supervision item with its
//! case (applicant masked), its notes and the supervision steps of the
//! case's history (who recorded each, when); a form annotates it and, when
//! ticked, resolves it (`AnnotateSupervision`). A resolved item stays on
//! the case and on the lists, shown as resolved.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use liandong_domain::permission::Act;
use maud::html;
use serde::Deserialize;

use super::{item_state, unexpected};
use crate::console::layout;
use crate::console::visit::{csrf_ok, csrf_refused, url_escape, Problem, Visit};
use crate::console::Console;
use crate::control::{Reply, Request};
use crate::error::ErrorReply;
use crate::identity::Actor;
use crate::{CaseDetail, SupervisionLine};

/// `GET /supervision/item/{case}/{item}`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Path((case, item)): Path<(String, String)>,
) -> Response {
    let who = match console.may(&visit, Act::ReadSupervision).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    show(
        &console,
        &visit,
        &who,
        &case,
        &item,
        "",
        None,
        StatusCode::OK,
    )
    .await
}

/// The case and the item, as the visit's session reads them.
async fn load(
    console: &Console,
    visit: &Visit,
    case: &str,
    item: &str,
) -> Result<(CaseDetail, Option<SupervisionLine>), ErrorReply> {
    let detail = match console
        .call(
            visit,
            Request::ShowCase {
                case: case.to_string(),
            },
        )
        .await?
    {
        Reply::Case(d) => *d,
        other => return Err(unexpected(&other)),
    };
    let items = match console
        .call(
            visit,
            Request::Supervision {
                origin: Some(detail.origin.clone()),
            },
        )
        .await?
    {
        Reply::Supervision { items } => items,
        other => return Err(unexpected(&other)),
    };
    let found = items
        .into_iter()
        .find(|i| i.case == detail.id && i.item == item);
    Ok((detail, found))
}

#[allow(clippy::too_many_arguments)]
async fn show(
    console: &Console,
    visit: &Visit,
    who: &Actor,
    case: &str,
    item: &str,
    note: &str,
    problem: Option<Problem>,
    status: StatusCode,
) -> Response {
    let title = visit.t("督办事项", "Supervision item");
    let (detail, line) = match load(console, visit, case, item).await {
        Ok((d, Some(l))) => (d, l),
        Ok((_, None)) => {
            let body = html! {
                p.error role="alert" {
                    (visit.t("办件 ", "Case ")) (case) (visit.t(" 没有督办事项 ", " has no supervision item "))
                    (item)
                }
                p { a href="/supervision" { (visit.t("返回督办清单", "Back to the lists")) } }
            };
            let mut r = layout::page(&console.core, visit, Some(who), title, body);
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        }
        Err(e) => {
            let p = Problem::of(&e, visit.lang);
            let body = html! {
                p.error role="alert" { (p.text) }
                p { a href="/supervision" { (visit.t("返回督办清单", "Back to the lists")) } }
            };
            let mut r = layout::page(&console.core, visit, Some(who), title, body);
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        }
    };
    let matter = detail.state["matter"].as_str().unwrap_or_default();
    let steps: Vec<_> = detail
        .history
        .iter()
        .filter(|h| h.event.starts_with("supervision"))
        .collect();
    let action = format!(
        "/supervision/item/{}/{}",
        url_escape(&detail.id),
        url_escape(&line.item)
    );
    let body = html! {
        section.panel aria-labelledby="h-case" {
            h2 id="h-case" { (visit.t("办件", "Case")) }
            dl.facts {
                dt { (visit.t("办件编号", "Case")) } dd { (detail.id) }
                dt { (visit.t("受理中心", "Centre")) } dd { (detail.origin) }
                dt { (visit.t("事项", "Matter")) } dd { (matter) }
                dt { (visit.t("状态", "Status")) } dd { (detail.status_label) }
                dt { (visit.t("申请人", "Applicant")) } dd { (detail.applicant_name) " " (detail.applicant_id) }
                dt { (visit.t("承诺期限", "Due")) }
                dd { (detail.clock.due.map(layout::chinese_date).unwrap_or_default()) }
                dt { (visit.t("剩余工作日", "Working days left")) }
                dd { (detail.clock.left_days.map(|d| d.to_string()).unwrap_or_default()) }
                dt { (visit.t("预警", "Warnings")) } dd { (detail.warnings.join(visit.t("；", "; "))) }
            }
        }
        section.panel aria-labelledby="h-item" {
            h2 id="h-item" { (visit.t("督办内容", "Item")) }
            dl.facts {
                dt { (visit.t("事项编号", "Item")) } dd { code { (line.item) } }
                dt { (visit.t("规则", "Rule")) } dd { (line.rule) }
                dt { (visit.t("内容", "Description")) } dd { (line.description) }
                dt { (visit.t("督办状态", "State")) }
                dd { span.tag.(if line.resolved { "ok" } else { "red" }) { (item_state(visit, &line)) } }
                dt { (visit.t("已督办", "Flagged")) }
                dd { (if line.flagged { visit.t("是", "yes") } else { visit.t("否", "no") }) }
            }
            h3 { (visit.t("批注", "Notes")) }
            @if line.notes.is_empty() {
                p.muted { (visit.t("暂无批注。", "No notes yet.")) }
            } @else {
                ol.notes { @for n in &line.notes { li { (n) } } }
            }
            @if !steps.is_empty() {
                h3 { (visit.t("督办记录", "Supervision history")) }
                table {
                    thead { tr {
                        th scope="col" { (visit.t("时间", "Time")) }
                        th scope="col" { (visit.t("事件", "Event")) }
                        th scope="col" { (visit.t("记录人", "Recorded by")) }
                    } }
                    tbody { @for h in &steps { tr {
                        td { (crate::fmt_time(Some(h.at_ms))) }
                        td { (h.label) }
                        td { @if let Some(r) = &h.recorder { (r.staff) " (" (r.role_label) ")" } }
                    } } }
                }
            }
        }
        form.panel method="post" action=(action) {
            (layout::csrf_field(visit))
            (layout::problem_banner(problem.as_ref()))
            @let error = problem.as_ref().filter(|p| p.field == Some("note"));
            div.field {
                label for="f-note" { (visit.t("批注", "Note")) }
                textarea id="f-note" name="note" rows="3" required
                    aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| "f-note-error")] { (note) }
                @if let Some(e) = error { p.error id="f-note-error" role="alert" { (e.text) } }
            }
            div.field {
                input id="f-resolve" type="checkbox" name="resolve" value="1";
                " "
                label for="f-resolve" { (visit.t("同时标记为已解决", "Resolve the item with this note")) }
            }
            button type="submit" { (visit.t("提交", "Submit")) }
        }
        p { a href="/supervision" { (visit.t("返回督办清单", "Back to the lists")) } }
    };
    let mut r = layout::page(&console.core, visit, Some(who), title, body);
    *r.status_mut() = status;
    r
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
    resolve: Option<String>,
}

/// `POST /supervision/item/{case}/{item}`: a note, and the resolution
/// when ticked; back to the item.
pub async fn annotate(
    State(console): State<Console>,
    visit: Visit,
    Path((case, item)): Path<(String, String)>,
    Form(f): Form<NoteForm>,
) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let who = match console.may(&visit, Act::Supervise).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let request = Request::AnnotateSupervision {
        case: case.clone(),
        item: item.clone(),
        note: f.note.trim().to_string(),
        resolve: f.resolve.is_some(),
    };
    match console.call(&visit, request).await {
        Ok(_) => Redirect::to(&format!(
            "/supervision/item/{}/{}",
            url_escape(&case),
            url_escape(&item)
        ))
        .into_response(),
        Err(e) => {
            let p = Problem::of(&e, visit.lang);
            show(
                &console,
                &visit,
                &who,
                &case,
                &item,
                &f.note,
                Some(p),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}
