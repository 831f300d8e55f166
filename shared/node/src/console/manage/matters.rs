//! `/manage/matters`: the catalogue (every matter, retired ones too),
//! searched by name or code; `/manage/matters/{code}`: a form with every
//! 十公开 field of the matter ([`super::matter_form`] says how the lists
//! are written) and the matter's versions, oldest first. Saving posts
//! `PutMatter`: a new version; the earlier ones are kept and listed.
//! An unknown code shows an empty form that adds the matter.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use liandong_domain::permission::Act;
use liandong_domain::{CatalogueEntry, Matter};
use maud::{html, Markup};
use serde::Deserialize;

use super::matter_form::MatterForm;
use super::{banner, status_of, with_status, Done};
use crate::console::layout::{self, field, FieldAttrs};
use crate::console::visit::{csrf_ok, csrf_refused, url_escape, Page, Problem, Visit};
use crate::console::Console;
use crate::control::Request;
use crate::identity::Actor;

#[derive(Debug, Default, Deserialize)]
pub struct Search {
    q: Option<String>,
    /// A new matter's code: opens its empty form.
    new: Option<String>,
    page: Option<String>,
}

/// `GET /manage/matters`.
pub async fn list(
    State(console): State<Console>,
    visit: Visit,
    Query(s): Query<Search>,
) -> Response {
    let who = match console.may(&visit, Act::Catalogue).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    if let Some(code) = s.new.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        return Redirect::to(&format!("/manage/matters/{}", url_escape(code))).into_response();
    }
    let entries = match console.blocking(|core| Ok(core.store.catalogue()?)).await {
        Ok(c) => c.entries().map(|e| e.current().clone()).collect::<Vec<_>>(),
        Err(e) => {
            let body = layout::problem_banner(Some(&Problem::of(&e, visit.lang)));
            return layout::page(&console.core, &visit, Some(&who), "", body);
        }
    };
    let q = s.q.clone().unwrap_or_default();
    let needle = q.trim().to_lowercase();
    let found: Vec<&Matter> = entries
        .iter()
        .filter(|m| {
            needle.is_empty()
                || m.code.to_lowercase().contains(&needle)
                || m.name.to_lowercase().contains(&needle)
        })
        .collect();
    let page = Page::of(s.page.as_deref());
    let (shown, pages) = page.slice(&found);
    let base = format!("/manage/matters?q={}", url_escape(q.trim()));
    let body = html! {
        (banner(&console, &visit, false))
        form.panel method="get" action="/manage/matters" {
            (field("q", visit.t("按名称或编码查找", "Search by name or code"), &q, None, FieldAttrs::default()))
            button type="submit" { (visit.t("查找", "Search")) }
        }
        form.panel method="get" action="/manage/matters" {
            (field("new", visit.t("新增事项：基本编码", "New matter: its code"), "", None, FieldAttrs::required()))
            button type="submit" { (visit.t("新增", "Add")) }
        }
        table {
            thead { tr {
                th scope="col" { (visit.t("编码", "Code")) }
                th scope="col" { (visit.t("名称", "Name")) }
                th scope="col" { (visit.t("层级", "Level")) }
                th scope="col" { (visit.t("承诺/法定时限", "Promised / statutory")) }
                th scope="col" { (visit.t("牵头部门", "Lead department")) }
                th scope="col" { (visit.t("状态", "State")) }
            } }
            tbody { @for m in shown { tr {
                td { a href={ "/manage/matters/" (url_escape(&m.code)) } { (m.code) } }
                td { (m.name) }
                td { (m.level.label(visit.lang)) }
                td { (m.promised_days) " / " (m.statutory_days) (visit.t(" 个工作日", " working days")) }
                td { (m.lead_department) }
                td { @if m.active { (visit.t("在用", "in use")) } @else { span.muted { (visit.t("已停用", "retired")) } } }
            } } }
        }
        (layout::pager(&visit, &base, page, pages))
    };
    layout::page(
        &console.core,
        &visit,
        Some(&who),
        visit.t("事项目录", "Catalogue"),
        body,
    )
}

/// `GET /manage/matters/{code}`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Path(code): Path<String>,
    Query(done): Query<Done>,
) -> Response {
    let who = match console.may(&visit, Act::Catalogue).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    show(
        &console,
        &visit,
        &who,
        &code,
        None,
        None,
        done.done.is_some(),
    )
    .await
}

async fn show(
    console: &Console,
    visit: &Visit,
    who: &Actor,
    code: &str,
    posted: Option<MatterForm>,
    problem: Option<Problem>,
    done: bool,
) -> Response {
    let c = code.to_string();
    let entry = match console
        .blocking(move |core| Ok(core.store.catalogue()?.entry(&c).cloned()))
        .await
    {
        Ok(e) => e,
        Err(e) => {
            let body = layout::problem_banner(Some(&Problem::of(&e, visit.lang)));
            return layout::page(&console.core, visit, Some(who), code, body);
        }
    };
    let form = posted.unwrap_or_else(|| match &entry {
        Some(e) => MatterForm::of(e.current(), visit.lang),
        None => MatterForm {
            active: Some("1".into()),
            ..MatterForm::default()
        },
    });
    let title = match &entry {
        Some(e) => format!("{} {}", code, e.current().name),
        None => format!("{} {}", visit.t("新增事项", "New matter"), code),
    };
    let body = html! {
        (banner(console, visit, done))
        (matter_form(visit, code, &form, problem.as_ref()))
        @if let Some(e) = &entry { (versions(visit, e)) }
        p { a href="/manage/matters" { (visit.t("返回事项目录", "Back to the catalogue")) } }
    };
    layout::page(&console.core, visit, Some(who), &title, body)
}

fn area(
    name: &'static str,
    label: &str,
    value: &str,
    hint: &str,
    problem: Option<&Problem>,
) -> Markup {
    let id = format!("f-{name}");
    let error = problem.filter(|p| p.field == Some(name));
    html! {
        div.field {
            label for=(id) { (label) }
            @if !hint.is_empty() { p.muted id={ (id) "-hint" } { (hint) } }
            textarea id=(id) name=(name) rows="4"
                aria-describedby=[(!hint.is_empty()).then(|| format!("{id}-hint"))]
                aria-invalid=[error.map(|_| "true")] { (value) }
            @if let Some(e) = error { p.error role="alert" { (e.text) } }
        }
    }
}

fn matter_form(visit: &Visit, code: &str, f: &MatterForm, p: Option<&Problem>) -> Markup {
    let t = |zh, en| visit.t(zh, en);
    let opt = |value: &str, current: &str, text: &str| {
        html! { option value=(value) selected[value == current] { (text) } }
    };
    html! {
        form.panel method="post" action={ "/manage/matters/" (url_escape(code)) } {
            (layout::csrf_field(visit))
            (layout::problem_banner(p))
            fieldset {
                legend { (t("基本信息", "Basics")) }
                p { (t("基本编码", "Code")) ": " strong { (code) } }
                (field("name", t("事项名称", "Name"), &f.name, p, FieldAttrs::required()))
                (field("implementation_code", t("实施编码", "Implementation code"), &f.implementation_code, p, FieldAttrs::default()))
                (field("category", t("事项类型代码（1–20）", "Category (1–20)"), &f.category, p, FieldAttrs::default()))
                div.field {
                    label for="f-kind" { (t("办件类型", "Kind")) }
                    select id="f-kind" name="kind" {
                        (opt("promised", &f.kind, t("承诺件", "promised")))
                        (opt("immediate", &f.kind, t("即办件", "immediate")))
                    }
                }
                div.field {
                    label for="f-level" { (t("办理层级", "Level")) }
                    select id="f-level" name="level" {
                        (opt("township", &f.level, t("乡镇级", "township")))
                        (opt("county", &f.level, t("县级", "county")))
                    }
                }
                (field("promised_days", t("承诺时限（工作日）", "Promised limit (working days)"), &f.promised_days, p, FieldAttrs::required()))
                (field("statutory_days", t("法定时限（工作日）", "Statutory limit (working days)"), &f.statutory_days, p, FieldAttrs::required()))
                (field("lead_department", t("实施主体（牵头部门）", "Lead department"), &f.lead_department, p, FieldAttrs::required()))
                (field("co_departments", t("协办部门（逗号分隔）", "Co-departments (comma-separated)"), &f.co_departments, p, FieldAttrs::default()))
                div.field {
                    input id="f-active" type="checkbox" name="active" value="1" checked[f.active.is_some()];
                    " " label for="f-active" { (t("在用（取消即停止受理新件）", "In use (untick: no new cases)")) }
                }
            }
            fieldset {
                legend { (t("十公开", "The ten public items")) }
                (area("legal_basis", t("设定依据", "Legal basis"), &f.legal_basis, "", p))
                (area("conditions", t("申请条件", "Conditions"), &f.conditions, "", p))
                (area("materials", t("申请材料（每行一项）", "Materials (one a line)"),
                    &f.materials, t("名称 | 原件/复印件/原件和复印件 | 必需/可选 | 容缺", "name | original/copy/original-and-copy | required/optional | tolerable"), p))
                (area("stages", t("办理流程（每行一环节）", "Stages (one a line)"),
                    &f.stages, t("环节名称 | 时限（工作日，可不填）", "name | limit in working days (optional)"), p))
                (area("fees", t("收费标准（每行一项）", "Fees (one a line)"),
                    &f.fees, t("名称 | 金额（元） | 收费依据", "name | amount in yuan | basis"), p))
                (area("special_steps", t("特别程序（每行一项）", "Special steps (one a line)"),
                    &f.special_steps, t("种类 | 最长天数 | 依据 | 计时/不计时", "kind | most days | basis | counted/not-counted"), p))
                (field("staff_contact", t("咨询人员", "Contact"), &f.staff_contact, p, FieldAttrs::default()))
                (field("phone", t("咨询电话", "Phone"), &f.phone, p, FieldAttrs::default()))
                (field("supervision_phone", t("监督投诉电话", "Complaints phone"), &f.supervision_phone, p, FieldAttrs::default()))
            }
            button type="submit" { (t("保存为新版本", "Save as a new version")) }
        }
    }
}

fn versions(visit: &Visit, entry: &CatalogueEntry) -> Markup {
    let all: Vec<_> = entry.versions().collect();
    let current = entry.current_stamp();
    html! {
        section.panel aria-labelledby="h-versions" {
            h2 id="h-versions" { (visit.t("版本", "Versions")) " (" (all.len()) ")" }
            table.versions {
                thead { tr {
                    th scope="col" { (visit.t("版本", "Version")) }
                    th scope="col" { (visit.t("保存时间", "Saved")) }
                    th scope="col" { (visit.t("操作编号", "Operation")) }
                    th scope="col" { (visit.t("名称", "Name")) }
                    th scope="col" { (visit.t("承诺/法定时限", "Promised / statutory")) }
                    th scope="col" { (visit.t("材料数", "Materials")) }
                    th scope="col" { (visit.t("状态", "State")) }
                } }
                tbody { @for (i, (stamp, m)) in all.iter().enumerate() { tr {
                    td { "v" (i + 1) @if *stamp == current { " " span.tag.ok { (visit.t("当前", "current")) } } }
                    td { (crate::fmt_time(Some(stamp.hlc.wall_ms))) }
                    td { code { (stamp.op.to_string()) } }
                    td { (m.name) }
                    td { (m.promised_days) " / " (m.statutory_days) }
                    td { (m.materials.len()) }
                    td { @if m.active { (visit.t("在用", "in use")) } @else { (visit.t("已停用", "retired")) } }
                } } }
            }
        }
    }
}

/// `POST /manage/matters/{code}`: `PutMatter`, a new version.
pub async fn save(
    State(console): State<Console>,
    visit: Visit,
    Path(code): Path<String>,
    Form(f): Form<MatterForm>,
) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let who = match console.may(&visit, Act::Catalogue).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let matter = match f.to_matter(&code, visit.lang) {
        Ok(m) => m,
        Err(p) => {
            let r = show(&console, &visit, &who, &code, Some(f), Some(p), false).await;
            return with_status(r, StatusCode::BAD_REQUEST);
        }
    };
    let request = Request::PutMatter {
        matter: Box::new(matter),
    };
    match console.call(&visit, request).await {
        Ok(_) => {
            Redirect::to(&format!("/manage/matters/{}?done=1", url_escape(&code))).into_response()
        }
        Err(e) => {
            let status = status_of(&e);
            let p = Problem::of(&e, visit.lang);
            let r = show(&console, &visit, &who, &code, Some(f), Some(p), false).await;
            with_status(r, status)
        }
    }
}
