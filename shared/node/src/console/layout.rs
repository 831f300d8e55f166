//! The page shell every console page shares: the centre's name, who is
//! signed in, the role's navigation, the language switch and sign-out;
//! the print shell of the printable documents; and the small pieces forms
//! use (a field with its label and its error, the CSRF field, a pager).
//!
//! The stylesheet and the script are compiled in (`console.css`,
//! `console.js`) and served from `/static/`; nothing comes from outside.
//! The layout is one column up to 72rem wide that wraps at any zoom (no
//! fixed widths in pixels), so it reads at 1366×768 and at 200%.

use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use liandong_domain::StaffRole;
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::visit::{url_escape, Page, Problem, Visit};
use crate::identity::Actor;
use crate::NodeCore;
use liandong_model::Role;

pub const STYLESHEET: &str = include_str!("console.css");
pub const SCRIPT: &str = include_str!("console.js");

pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLESHEET,
    )
        .into_response()
}

pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The centre this node serves, as its documents and pages name it.
pub fn centre_name(core: &NodeCore, visit: &Visit) -> String {
    let me = core.me();
    match me.role() {
        Role::County => visit
            .t("县政务服务中心", "County Government Service Centre")
            .to_string(),
        Role::Township => format!(
            "{} {}",
            me.name(),
            visit.t("乡镇党群服务中心", "Township Service Centre")
        ),
        Role::Bridge => format!(
            "{} {}",
            me.name(),
            visit.t("部门前置机", "department bridge")
        ),
    }
}

/// One navigation entry: path, Chinese, English.
type Link = (&'static str, &'static str, &'static str);

/// The navigation of a staff member's roles, in role order, once each.
pub fn links(who: &Actor) -> Vec<Link> {
    let mut out: Vec<Link> = Vec::new();
    let mut add = |l: &[Link]| {
        for link in l {
            if !out.iter().any(|o| o.0 == link.0) {
                out.push(*link);
            }
        }
    };
    for role in StaffRole::ALL {
        if !who.roles.contains(&role) {
            continue;
        }
        match role {
            StaffRole::Clerk => add(&[
                ("/today", "今日待办", "Today"),
                ("/matters", "受理", "New case"),
                ("/cases", "办件", "Cases"),
            ]),
            StaffRole::FeeClerk => add(&[("/cases", "办件", "Cases")]),
            StaffRole::Reviewer | StaffRole::ChiefRepresentative => add(&[
                ("/queue", "部门待办", "Department queue"),
                ("/cases", "办件", "Cases"),
            ]),
            StaffRole::Supervisor => add(&[
                ("/supervision", "电子监察", "E-supervision"),
                ("/supervision/dashboard", "统计", "Dashboard"),
            ]),
            StaffRole::HallManagement => add(&[
                ("/manage/matters", "事项目录", "Catalogue"),
                ("/manage/staff", "人员", "Staff"),
                ("/manage/authorisations", "授权", "Authorisations"),
                ("/manage/calendar", "工作日历", "Calendar"),
                ("/manage/routing", "分送规则", "Routing"),
            ]),
            StaffRole::NetworkAdmin => add(&[("/admin", "网络状态", "Network")]),
        }
    }
    add(&[("/account", "账号", "Account")]);
    out
}

/// A whole console page.
pub fn page(
    core: &NodeCore,
    visit: &Visit,
    who: Option<&Actor>,
    title: &str,
    body: Markup,
) -> Response {
    let centre = centre_name(core, visit);
    let lang = match visit.lang {
        liandong_domain::Lang::Zh => "zh-CN",
        liandong_domain::Lang::En => "en",
    };
    let back = url_escape(&visit.path);
    let markup = html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — " (centre) }
                link rel="stylesheet" href="/static/console.css";
                script src="/static/console.js" defer {}
            }
            body {
                header.top {
                    div.centre { (centre) }
                    @if let Some(who) = who {
                        nav aria-label=(visit.t("导航", "Navigation")) {
                            @for (path, zh, en) in links(who) {
                                @let current = visit.path == path || visit.path.starts_with(&format!("{path}?"));
                                a href=(path) aria-current=[current.then_some("page")] { (visit.t(zh, en)) }
                            }
                        }
                    }
                    div.who {
                        @if let Some(who) = who {
                            span.staff { (visit.t("工号", "Staff")) " " (who.staff) }
                            form.inline method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(visit.csrf());
                                button type="submit" { (visit.t("退出", "Sign out")) }
                            }
                        }
                        @match visit.lang {
                            liandong_domain::Lang::Zh => a.lang href={ "/lang/en?back=" (back) } lang="en" { "English" },
                            liandong_domain::Lang::En => a.lang href={ "/lang/zh?back=" (back) } lang="zh-CN" { "中文" },
                        }
                    }
                }
                main id="main" {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// A printable document: A4, the centre's name as its header, no
/// navigation; the browser's print prints exactly this.
pub fn print_page(core: &NodeCore, visit: &Visit, title: &str, body: Markup) -> Response {
    let centre = centre_name(core, visit);
    let lang = match visit.lang {
        liandong_domain::Lang::Zh => "zh-CN",
        liandong_domain::Lang::En => "en",
    };
    let markup = html! {
        (DOCTYPE)
        html lang=(lang) {
            head {
                meta charset="utf-8";
                title { (title) }
                link rel="stylesheet" href="/static/console.css";
            }
            body.print {
                div.noprint {
                    button type="button" onclick="window.print()" { (visit.t("打印", "Print")) }
                    " "
                    a href="javascript:history.back()" { (visit.t("返回", "Back")) }
                }
                article.document {
                    header.doc-head { (centre) }
                    h1.doc-title { (title) }
                    (body)
                }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// The hidden CSRF field of a form that writes.
pub fn csrf_field(visit: &Visit) -> Markup {
    html! { input type="hidden" name="csrf" value=(visit.csrf()); }
}

/// The problem shown above a form when it is about no one field.
pub fn problem_banner(problem: Option<&Problem>) -> Markup {
    html! {
        @if let Some(p) = problem.filter(|p| p.field.is_none()) {
            p.error role="alert" { (p.text) }
        }
    }
}

/// A labelled text field with its error, if the problem is about it.
pub fn field(
    name: &'static str,
    label: &str,
    value: &str,
    problem: Option<&Problem>,
    attrs: FieldAttrs,
) -> Markup {
    let error = problem.filter(|p| p.field == Some(name));
    let id = format!("f-{name}");
    let err_id = format!("{id}-error");
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) name=(name) type=(attrs.kind) value=(value)
                required[attrs.required]
                autocomplete=[attrs.autocomplete]
                data-id-check=[attrs.id_check.then_some("resident")]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| err_id.as_str())];
            @if let Some(e) = error {
                p.error id=(err_id) role="alert" { (e.text) }
            }
        }
    }
}

/// How a [`field`] is drawn.
#[derive(Debug, Clone, Copy)]
pub struct FieldAttrs {
    pub kind: &'static str,
    pub required: bool,
    pub autocomplete: Option<&'static str>,
    /// Checked as a 居民身份证 number by the script before submit.
    pub id_check: bool,
}

impl Default for FieldAttrs {
    fn default() -> Self {
        FieldAttrs {
            kind: "text",
            required: false,
            autocomplete: None,
            id_check: false,
        }
    }
}

impl FieldAttrs {
    pub fn required() -> FieldAttrs {
        FieldAttrs {
            required: true,
            ..FieldAttrs::default()
        }
    }
}

/// Links to the other pages of a list (`base` already carries its query).
pub fn pager(visit: &Visit, base: &str, page: Page, pages: usize) -> Markup {
    let join = if base.contains('?') { '&' } else { '?' };
    html! {
        @if pages > 1 {
            nav.pager aria-label=(visit.t("分页", "Pages")) {
                @if page.number > 1 {
                    a href={ (base) (join) "page=" (page.number - 1) } { (visit.t("上一页", "Previous")) }
                }
                span { (visit.t("第", "Page ")) (page.number) " / " (pages) (visit.t(" 页", "")) }
                @if page.number < pages {
                    a href={ (base) (join) "page=" (page.number + 1) } { (visit.t("下一页", "Next")) }
                }
            }
        }
    }
}

/// A date in the Chinese written form: 2026年12月2日.
pub fn chinese_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Pre-escaped markup (only for text this module made itself).
pub fn raw(s: &'static str) -> PreEscaped<&'static str> {
    PreEscaped(s)
}
