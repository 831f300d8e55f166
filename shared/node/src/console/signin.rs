//! `/`: the sign-in page (工号, 密码), then the home of the signed-in
//! role ([`home`]); `POST /login`, `POST /logout`; `/lang/{zh|en}`, the
//! language switch, remembered in a cookie.
//!
//! Sign-in is the staff-identity one ([`crate::NodeCore::login`]): the
//! same credential, lockout (counted under the source `console`), audit
//! line and, for a chief representative, his seal unlocked for the
//! session. The form's CSRF token is bound to a random pre-session cookie
//! set with the page, so a cross-site form cannot sign a browser in as
//! someone else.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use liandong_domain::StaffRole;
use maud::html;
use serde::Deserialize;

use super::layout::{self, field, FieldAttrs};
use super::visit::{
    csrf_ok, csrf_refused, csrf_token, set_cookie, Problem, Visit, LANG_COOKIE, PRE_COOKIE,
};
use super::Console;
use crate::admin::session::COOKIE;

#[derive(Debug, Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

/// A local path to return to (never another site).
fn local(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.contains('\\'))
        .map(str::to_string)
}

/// `GET /`: the sign-in form, or the home of who is signed in.
pub async fn page(State(console): State<Console>, visit: Visit, Query(q): Query<Next>) -> Response {
    if console.signed_in(&visit).await.is_ok() {
        return Redirect::to(&local(q.next.as_deref()).unwrap_or("/home".into())).into_response();
    }
    form(
        &console,
        &visit,
        q.next.as_deref(),
        "",
        None,
        StatusCode::OK,
    )
}

fn form(
    console: &Console,
    visit: &Visit,
    next: Option<&str>,
    staff: &str,
    problem: Option<Problem>,
    status: StatusCode,
) -> Response {
    // A new pre-session value unless the browser already has one.
    let pre = visit.pre_session();
    let body = html! {
        form.panel method="post" action="/login" {
            input type="hidden" name="csrf" value=(csrf_token(&pre));
            @if let Some(next) = local(next) { input type="hidden" name="next" value=(next); }
            (layout::problem_banner(problem.as_ref()))
            (field("staff", visit.t("工号", "Staff ID"), staff, problem.as_ref(),
                FieldAttrs { autocomplete: Some("username"), ..FieldAttrs::required() }))
            (field("password", visit.t("密码", "Password"), "", problem.as_ref(),
                FieldAttrs { kind: "password", autocomplete: Some("current-password"), ..FieldAttrs::required() }))
            button type="submit" { (visit.t("登录", "Sign in")) }
        }
        p.muted {
            (visit.t("办事群众评价请到 ", "Applicants rate their case at "))
            a href="/evaluate" { (visit.t("好差评", "/evaluate")) }
        }
    };
    let title = visit.t("工作人员登录", "Staff sign-in");
    let mut response = layout::page(&console.core, visit, None, title, body);
    *response.status_mut() = status;
    if visit.pre.is_none() {
        let c = format!("{PRE_COOKIE}={pre}; {}", visit.cookie_attrs());
        set_cookie(&mut response, &c);
    }
    response
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /login`.
pub async fn login(
    State(console): State<Console>,
    visit: Visit,
    Form(f): Form<LoginForm>,
) -> Response {
    if !csrf_ok(visit.pre.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let staff = f.staff.trim().to_string();
    if staff.is_empty() {
        let p = Problem::at("staff", visit.t("请输入工号", "Enter your staff ID"));
        return form(
            &console,
            &visit,
            f.next.as_deref(),
            "",
            Some(p),
            StatusCode::BAD_REQUEST,
        );
    }
    let password = f.password;
    let who = staff.clone();
    let res = console
        .blocking(move |core| core.login(&who, &password, "console", None))
        .await;
    match res {
        Ok(reply) => {
            let to = local(f.next.as_deref()).unwrap_or("/home".into());
            let mut response = Redirect::to(&to).into_response();
            let c = format!("{COOKIE}={}; {}", reply.token, visit.cookie_attrs());
            set_cookie(&mut response, &c);
            response
        }
        Err(e) => {
            let p = Problem::of(&e, visit.lang);
            let p = Problem {
                field: p.field.or(Some("password")),
                text: p.text,
            };
            form(
                &console,
                &visit,
                f.next.as_deref(),
                &staff,
                Some(p),
                StatusCode::UNAUTHORIZED,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /logout`: ends the session and clears the cookie.
pub async fn logout(
    State(console): State<Console>,
    visit: Visit,
    Form(f): Form<CsrfOnly>,
) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    if let Some(token) = visit.token.clone() {
        let lang = visit.lang;
        let _ = console
            .blocking(move |core| core.logout(lang, &token))
            .await;
    }
    let mut response = Redirect::to("/").into_response();
    let c = format!("{COOKIE}=; Max-Age=0; {}", visit.cookie_attrs());
    set_cookie(&mut response, &c);
    response
}

#[derive(Deserialize)]
pub struct Back {
    back: Option<String>,
}

/// `GET /lang/{zh|en}?back=PATH`: remembers the language for a year.
pub async fn set_lang(visit: Visit, Path(lang): Path<String>, Query(q): Query<Back>) -> Response {
    let Ok(lang) = lang.parse::<liandong_domain::Lang>() else {
        return (StatusCode::NOT_FOUND, error_text_lang(&visit)).into_response();
    };
    let code = match lang {
        liandong_domain::Lang::Zh => "zh",
        liandong_domain::Lang::En => "en",
    };
    let back = local(q.back.as_deref()).unwrap_or("/".into());
    let mut response = Redirect::to(&back).into_response();
    let c = format!(
        "{LANG_COOKIE}={code}; Max-Age=31536000; {}",
        visit.cookie_attrs()
    );
    set_cookie(&mut response, &c);
    response
}

fn error_text_lang(visit: &Visit) -> String {
    visit
        .t("只有中文（zh）和英文（en）", "only zh and en")
        .to_string()
}

/// `GET /home`: the first page of the signed-in staff member's roles.
pub async fn home(State(console): State<Console>, visit: Visit) -> Response {
    let who = match console.signed_in(&visit).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let first = StaffRole::ALL
        .into_iter()
        .find(|r| who.roles.contains(r))
        .map(|r| match r {
            StaffRole::Clerk => "/today",
            StaffRole::FeeClerk => "/cases",
            StaffRole::Reviewer | StaffRole::ChiefRepresentative => "/queue",
            StaffRole::Supervisor => "/supervision",
            StaffRole::HallManagement => "/manage/matters",
            StaffRole::NetworkAdmin => "/admin",
        })
        .unwrap_or("/account");
    Redirect::to(first).into_response()
}
