//! `/manage/authorisations`: every authorisation (授权) with its validity
//! as dates and its state today (valid, not yet, expired, revoked), a
//! revoke button on each (`RevokeAuthorisation`), and the grant form
//! (`Authorise`: a staff member, a matter or a department, the powers,
//! from and to). Reading needs `authorisations`; the list is the
//! registry's.

use std::collections::BTreeSet;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::NaiveDate;
use liandong_domain::permission::Act;
use liandong_domain::{AuthScope, Authorisation, Power};
use maud::html;
use serde::Deserialize;

use super::staff::roster;
use super::{banner, select, status_of, with_status, Done};
use crate::console::layout::{self, chinese_date, field, FieldAttrs};
use crate::console::visit::{csrf_ok, csrf_refused, Problem, Visit};
use crate::console::Console;
use crate::control::Request;
use crate::identity::Actor;

/// `GET /manage/authorisations`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Query(done): Query<Done>,
) -> Response {
    let who = match console.may(&visit, Act::Authorisations).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    show(&console, &visit, &who, done.done.is_some(), None).await
}

fn state(visit: &Visit, a: &Authorisation, today: NaiveDate) -> (&'static str, &'static str) {
    if a.revoked_at_ms.is_some() {
        (visit.t("已撤销", "revoked"), "red")
    } else if today < a.valid_from {
        (visit.t("未生效", "not yet valid"), "yellow")
    } else if today > a.valid_to {
        (visit.t("已过期", "expired"), "red")
    } else {
        (visit.t("有效", "valid"), "ok")
    }
}

async fn show(
    console: &Console,
    visit: &Visit,
    who: &Actor,
    done: bool,
    problem: Option<Problem>,
) -> Response {
    let today = crate::node_core::cst_day(console.core.now_ms());
    let (auths, read_problem) = match console
        .blocking(|core| Ok(core.store.authorisations()?))
        .await
    {
        Ok(a) => (a, None),
        Err(e) => (Vec::new(), Some(Problem::of(&e, visit.lang))),
    };
    let staff: Vec<(String, String)> = roster(console, visit)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.id.clone(), format!("{} {}", s.id, s.name)))
        .collect();
    let p = problem.as_ref();
    let body = html! {
        (banner(console, visit, done))
        (layout::problem_banner(read_problem.as_ref()))
        (layout::problem_banner(p))
        table {
            thead { tr {
                th scope="col" { (visit.t("编号", "ID")) }
                th scope="col" { (visit.t("被授权人", "Staff")) }
                th scope="col" { (visit.t("范围", "Scope")) }
                th scope="col" { (visit.t("权限", "Powers")) }
                th scope="col" { (visit.t("有效期", "Valid")) }
                th scope="col" { (visit.t("状态", "State")) }
                th scope="col" { (visit.t("操作", "Action")) }
            } }
            tbody { @for a in &auths { tr {
                @let (label, colour) = state(visit, a, today);
                td { code { (a.id) } }
                td { (a.staff) }
                td { @match &a.scope {
                    AuthScope::Matter(m) => { (visit.t("事项 ", "matter ")) (m) },
                    AuthScope::Department(d) => { (visit.t("部门 ", "department ")) (d) },
                } }
                td { (a.powers.iter().map(|p| p.label(visit.lang)).collect::<Vec<_>>().join(visit.t("、", ", "))) }
                td { (chinese_date(a.valid_from)) " — " (chinese_date(a.valid_to)) }
                td { span.tag.(colour) { (label) } }
                td { @if a.revoked_at_ms.is_none() {
                    form.inline method="post" action="/manage/authorisations/revoke" {
                        (layout::csrf_field(visit))
                        input type="hidden" name="id" value=(a.id);
                        button.secondary type="submit" aria-label={ (visit.t("撤销授权 ", "Revoke ")) (a.id) } {
                            (visit.t("撤销", "Revoke"))
                        }
                    }
                } }
            } } }
        }
        form.panel method="post" action="/manage/authorisations/grant" {
            h2 { (visit.t("授权", "Grant")) }
            (layout::csrf_field(visit))
            (select("staff", visit.t("被授权人", "Staff"), &staff, ""))
            (select("scope", visit.t("范围", "Scope"), &[
                ("matter".to_string(), visit.t("单个事项", "one matter").to_string()),
                ("department".to_string(), visit.t("本部门全部事项", "every matter of a department").to_string()),
            ], "matter"))
            (field("code", visit.t("事项或部门编码", "Matter or department code"), "", p, FieldAttrs::required()))
            fieldset {
                legend { (visit.t("权限", "Powers")) }
                @for power in Power::ALL {
                    @let id = format!("f-power-{}", power.as_str());
                    div { input id=(id) type="checkbox" name="powers" value=(power.as_str()); " " label for=(id) { (power.label(visit.lang)) } }
                }
            }
            (field("from", visit.t("生效日期", "Valid from"), &today.to_string(), p, FieldAttrs { kind: "date", ..FieldAttrs::required() }))
            (field("to", visit.t("截止日期", "Valid to"), "", p, FieldAttrs { kind: "date", ..FieldAttrs::required() }))
            (field("id", visit.t("授权编号（可不填）", "Authorisation ID (optional)"), "", p, FieldAttrs::default()))
            button type="submit" { (visit.t("授权", "Grant")) }
        }
    };
    let title = visit.t("授权管理", "Authorisations");
    layout::page(&console.core, visit, Some(who), title, body)
}

async fn write(console: &Console, visit: &Visit, request: Request) -> Response {
    let who = match console.signed_in(visit).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    match console.call(visit, request).await {
        Ok(_) => Redirect::to("/manage/authorisations?done=1").into_response(),
        Err(e) => {
            let r = show(
                console,
                visit,
                &who,
                false,
                Some(Problem::of(&e, visit.lang)),
            )
            .await;
            with_status(r, status_of(&e))
        }
    }
}

/// The grant form. `powers` repeats, so it is read from the raw pairs.
#[derive(Debug, Default)]
pub struct GrantForm {
    csrf: String,
    staff: String,
    scope: String,
    code: String,
    powers: BTreeSet<String>,
    from: String,
    to: String,
    id: String,
}

impl GrantForm {
    fn of(pairs: Vec<(String, String)>) -> GrantForm {
        let mut f = GrantForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "staff" => f.staff = v,
                "scope" => f.scope = v,
                "code" => f.code = v.trim().to_string(),
                "powers" => {
                    f.powers.insert(v);
                }
                "from" => f.from = v,
                "to" => f.to = v,
                "id" => f.id = v.trim().to_string(),
                _ => {}
            }
        }
        f
    }
}

/// `POST /manage/authorisations/grant`: `Authorise`.
pub async fn grant(
    State(console): State<Console>,
    visit: Visit,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let f = GrantForm::of(pairs);
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let date = |field: &'static str, s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
            Problem::at(
                field,
                visit.t(
                    "请填写有效日期（YYYY-MM-DD）",
                    "enter a valid date (YYYY-MM-DD)",
                ),
            )
        })
    };
    let powers: Result<BTreeSet<Power>, Problem> = f
        .powers
        .iter()
        .map(|p| {
            p.parse::<Power>()
                .map_err(|e| Problem::at("powers", e.message(visit.lang)))
        })
        .collect();
    let parsed = (|| Ok((date("from", &f.from)?, date("to", &f.to)?, powers?)))();
    let (from, to, powers) = match parsed {
        Ok(v) => v,
        Err(p) => {
            let who = match console.signed_in(&visit).await {
                Ok(who) => who,
                Err(d) => return d.into_response(),
            };
            let r = show(&console, &visit, &who, false, Some(p)).await;
            return with_status(r, StatusCode::BAD_REQUEST);
        }
    };
    let scope = match f.scope.as_str() {
        "department" => AuthScope::Department(f.code),
        _ => AuthScope::Matter(f.code),
    };
    let request = Request::Authorise {
        staff: f.staff,
        scope,
        powers,
        from,
        to,
        id: Some(f.id).filter(|i| !i.is_empty()),
    };
    write(&console, &visit, request).await
}

#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// `POST /manage/authorisations/revoke`: `RevokeAuthorisation`.
pub async fn revoke(
    State(console): State<Console>,
    visit: Visit,
    Form(f): Form<RevokeForm>,
) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    write(&console, &visit, Request::RevokeAuthorisation { id: f.id }).await
}
