//! `/account`: who is signed in (staff, name, roles, node, whether hall
//! management set the password) and `POST /account/password`, the
//! command line's `passwd` (current password, then the new one twice).

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::{self, field, FieldAttrs};
use super::visit::{csrf_refused, Fields, Problem, Visit};
use super::Console;
use crate::control::{Reply, Request};

/// `GET /account`.
pub async fn page(State(console): State<Console>, visit: Visit) -> Response {
    draw(&console, &visit, None, None).await
}

async fn draw(
    console: &Console,
    visit: &Visit,
    problem: Option<Problem>,
    done: Option<String>,
) -> Response {
    let who = match console.signed_in(visit).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let me = match console.call(visit, Request::Whoami).await {
        Ok(Reply::Whoami(w)) => Some(*w),
        _ => None,
    };
    let p = problem.as_ref();
    let body = html! {
        @if let Some(me) = &me {
            dl.facts.panel {
                dt { (visit.t("工号", "Staff ID")) } dd { (me.staff) }
                dt { (visit.t("姓名", "Name")) } dd { (me.name) }
                dt { (visit.t("岗位", "Roles")) } dd { (me.roles.iter().map(|r| r.label(visit.lang)).collect::<Vec<_>>().join("、")) }
                dt { (visit.t("节点", "Node")) } dd { (me.node) }
            }
            @if me.must_change {
                p.error role="alert" { (visit.t("密码由大厅管理设置，请立即修改。", "Hall management set this password: choose your own now.")) }
            }
        }
        @if let Some(done) = &done { p.notice role="status" { (done) } }
        form.panel method="post" action="/account/password" {
            (layout::csrf_field(visit))
            h2 { (visit.t("修改密码", "Change password")) }
            (layout::problem_banner(p))
            (field("old", visit.t("当前密码", "Current password"), "", p, FieldAttrs { kind: "password", autocomplete: Some("current-password"), ..FieldAttrs::required() }))
            (field("new", visit.t("新密码", "New password"), "", p, FieldAttrs { kind: "password", autocomplete: Some("new-password"), ..FieldAttrs::required() }))
            (field("again", visit.t("再次输入新密码", "New password again"), "", p, FieldAttrs { kind: "password", autocomplete: Some("new-password"), ..FieldAttrs::required() }))
            button type="submit" { (visit.t("修改密码", "Change password")) }
        }
    };
    layout::page(
        &console.core,
        visit,
        Some(&who),
        visit.t("账号", "Account"),
        body,
    )
}

/// `POST /account/password`.
pub async fn password(State(console): State<Console>, visit: Visit, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if !f.csrf_ok(&visit) {
        return csrf_refused(&visit);
    }
    if f.get("new") != f.get("again") {
        let p = Problem::at(
            "again",
            visit.t("两次输入的新密码不一致", "The two new passwords differ"),
        );
        return draw(&console, &visit, Some(p), None).await;
    }
    let request = Request::Passwd {
        old: f.get("old").into(),
        new: f.get("new").into(),
    };
    match console.call(&visit, request).await {
        Ok(Reply::Done { message }) => draw(&console, &visit, None, Some(message)).await,
        Ok(_) => draw(&console, &visit, None, None).await,
        Err(e) => {
            let mut p = Problem::of(&e, visit.lang);
            if p.field == Some("password") {
                p.field = Some("old");
            }
            draw(&console, &visit, Some(p), None).await
        }
    }
}
