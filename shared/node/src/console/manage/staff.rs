//! `/manage/staff`: the roster (`ListStaff`) and three forms: add a staff
//! member (`AddStaff`), assign or remove a role (`AssignRole`), and set or
//! reset a password, disable or enable an account (`SetPassword`). A
//! password set by hall management must be changed at the next sign-in
//! (the node's rule). Reading needs `roster`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use liandong_domain::permission::Act;
use liandong_domain::StaffRole;
use maud::html;
use serde::Deserialize;

use super::{banner, role_choices, select, status_of, with_status, Done};
use crate::console::layout::{self, field, FieldAttrs};
use crate::console::supervision::unexpected;
use crate::console::visit::{csrf_ok, csrf_refused, Page, Problem, Visit};
use crate::console::Console;
use crate::control::{Reply, Request};
use crate::identity::Actor;
use crate::StaffLine;

#[derive(Debug, Default, Deserialize)]
pub struct StaffQuery {
    done: Option<String>,
    page: Option<String>,
}

/// `GET /manage/staff`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Query(q): Query<StaffQuery>,
) -> Response {
    let who = match console.may(&visit, Act::Roster).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let done = Done { done: q.done };
    show(&console, &visit, &who, q.page.as_deref(), done, None).await
}

/// The whole roster, as the visit's session reads it.
pub async fn roster(console: &Console, visit: &Visit) -> Result<Vec<StaffLine>, Problem> {
    match console.call(visit, Request::ListStaff).await {
        Ok(Reply::Staff { staff }) => Ok(staff),
        Ok(other) => Err(Problem::of(&unexpected(&other), visit.lang)),
        Err(e) => Err(Problem::of(&e, visit.lang)),
    }
}

fn role_labels(visit: &Visit, roles: &[String]) -> String {
    roles
        .iter()
        .map(|r| {
            r.parse::<StaffRole>()
                .map(|r| r.label(visit.lang).to_string())
                .unwrap_or_else(|_| r.clone())
        })
        .collect::<Vec<_>>()
        .join(visit.t("、", ", "))
}

async fn show(
    console: &Console,
    visit: &Visit,
    who: &Actor,
    page: Option<&str>,
    done: Done,
    problem: Option<Problem>,
) -> Response {
    let (staff, list_problem) = match roster(console, visit).await {
        Ok(s) => (s, None),
        Err(p) => (Vec::new(), Some(p)),
    };
    let page = Page::of(page);
    let (shown, pages) = page.slice(&staff);
    let p = problem.as_ref();
    let ids: Vec<(String, String)> = staff
        .iter()
        .map(|s| (s.id.clone(), format!("{} {}", s.id, s.name)))
        .collect();
    let body = html! {
        (banner(console, visit, done.done.is_some()))
        (layout::problem_banner(list_problem.as_ref()))
        (layout::problem_banner(p))
        table {
            thead { tr {
                th scope="col" { (visit.t("工号", "Staff ID")) }
                th scope="col" { (visit.t("姓名", "Name")) }
                th scope="col" { (visit.t("部门", "Department")) }
                th scope="col" { (visit.t("工作地点", "Centres")) }
                th scope="col" { (visit.t("窗口", "Window")) }
                th scope="col" { (visit.t("角色", "Roles")) }
            } }
            tbody { @for s in shown { tr {
                td { (s.id) } td { (s.name) } td { (s.department) }
                td { @if s.centres.is_empty() { (visit.t("县政务服务中心", "county hall")) } @else { (s.centres.join(", ")) } }
                td { (s.window.clone().unwrap_or_default()) }
                td { (role_labels(visit, &s.roles)) }
            } } }
        }
        (layout::pager(visit, "/manage/staff", page, pages))
        div.steps {
            form.panel method="post" action="/manage/staff/add" {
                h2 { (visit.t("新增人员", "Add staff")) }
                (layout::csrf_field(visit))
                (field("id", visit.t("工号", "Staff ID"), "", p, FieldAttrs::required()))
                (field("name", visit.t("姓名", "Name"), "", p, FieldAttrs::required()))
                (field("department", visit.t("部门编码", "Department code"), "", p, FieldAttrs::required()))
                (select("role", visit.t("角色", "Role"), &role_choices(visit), "window-clerk"))
                (field("centres", visit.t("工作地点（乡镇编码，逗号分隔；不填为县政务服务中心）", "Centres (township codes, comma-separated; none: the county hall)"), "", p, FieldAttrs::default()))
                button type="submit" { (visit.t("新增", "Add")) }
            }
            form.panel method="post" action="/manage/staff/role" {
                h2 { (visit.t("分配或撤销角色", "Assign or remove a role")) }
                (layout::csrf_field(visit))
                (select("staff", visit.t("人员", "Staff"), &ids, ""))
                (select("role", visit.t("角色", "Role"), &role_choices(visit), ""))
                div.field {
                    input id="f-remove" type="checkbox" name="remove" value="1";
                    " " label for="f-remove" { (visit.t("撤销此角色", "Remove this role")) }
                }
                button type="submit" { (visit.t("保存", "Save")) }
            }
            form.panel method="post" action="/manage/staff/password" {
                h2 { (visit.t("密码与账号", "Password and account")) }
                (layout::csrf_field(visit))
                (select("staff", visit.t("人员", "Staff"), &ids, ""))
                (field("password", visit.t("新密码（设置或重置；本人下次登录须修改）", "New password (set or reset; he changes it at his next sign-in)"), "", p,
                    FieldAttrs { kind: "password", autocomplete: Some("new-password"), ..FieldAttrs::default() }))
                (select("account", visit.t("账号", "Account"), &[
                    ("enable".to_string(), visit.t("启用", "enabled").to_string()),
                    ("disable".to_string(), visit.t("停用", "disabled").to_string()),
                ], "enable"))
                button type="submit" { (visit.t("保存", "Save")) }
            }
        }
    };
    let title = visit.t("人员与账号", "Staff and credentials");
    layout::page(&console.core, visit, Some(who), title, body)
}

/// What a refused write answers: the page again with the reason.
async fn refused(
    console: &Console,
    visit: &Visit,
    who: &Actor,
    e: &crate::error::ErrorReply,
) -> Response {
    let p = Problem::of(e, visit.lang);
    let r = show(console, visit, who, None, Done::default(), Some(p)).await;
    with_status(r, status_of(e))
}

async fn write(console: &Console, visit: &Visit, who: &Actor, request: Request) -> Response {
    match console.call(visit, request).await {
        Ok(_) => Redirect::to("/manage/staff?done=1").into_response(),
        Err(e) => refused(console, visit, who, &e).await,
    }
}

#[derive(Deserialize)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    centres: String,
}

fn role_of(s: &str) -> Result<StaffRole, crate::error::ErrorReply> {
    s.parse::<StaffRole>()
        .map_err(|e| crate::error::ErrorReply::internal(e.to_string()))
}

/// `POST /manage/staff/add`: `AddStaff`.
pub async fn add(State(console): State<Console>, visit: Visit, Form(f): Form<AddForm>) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let who = match console.signed_in(&visit).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let role = match role_of(&f.role) {
        Ok(r) => r,
        Err(e) => return refused(&console, &visit, &who, &e).await,
    };
    let request = Request::AddStaff {
        id: f.id.trim().to_string(),
        name: f.name.trim().to_string(),
        department: f.department.trim().to_string(),
        role,
        centres: f
            .centres
            .split([',', '，', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    };
    write(&console, &visit, &who, request).await
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    role: String,
    remove: Option<String>,
}

/// `POST /manage/staff/role`: `AssignRole`.
pub async fn role(
    State(console): State<Console>,
    visit: Visit,
    Form(f): Form<RoleForm>,
) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let who = match console.signed_in(&visit).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let role = match role_of(&f.role) {
        Ok(r) => r,
        Err(e) => return refused(&console, &visit, &who, &e).await,
    };
    let request = Request::AssignRole {
        id: f.staff,
        role,
        remove: f.remove.is_some(),
    };
    write(&console, &visit, &who, request).await
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    account: String,
}

/// `POST /manage/staff/password`: `SetPassword`.
pub async fn password(
    State(console): State<Console>,
    visit: Visit,
    Form(f): Form<PasswordForm>,
) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let who = match console.signed_in(&visit).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let request = Request::SetPassword {
        staff: f.staff,
        password: Some(f.password).filter(|p| !p.is_empty()),
        disable: f.account == "disable",
    };
    write(&console, &visit, &who, request).await
}
