//! `/manage/routing`: the routing rules (分送规则, `ListRouting`): for
//! each matter, the departments its cases go to and the townships asked
//! for an opinion; the form sets a matter's rule (`PutRouting`, which
//! replaces it). Reading needs `routing`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use liandong_domain::permission::Act;
use maud::html;
use serde::Deserialize;

use super::{banner, status_of, with_status, Done};
use crate::console::layout::{self, field, FieldAttrs};
use crate::console::supervision::unexpected;
use crate::console::visit::{csrf_ok, csrf_refused, Problem, Visit};
use crate::console::Console;
use crate::control::{Reply, Request};
use crate::identity::Actor;

/// `GET /manage/routing`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Query(done): Query<Done>,
) -> Response {
    let who = match console.may(&visit, Act::Routing).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    show(&console, &visit, &who, done.done.is_some(), None).await
}

async fn show(
    console: &Console,
    visit: &Visit,
    who: &Actor,
    done: bool,
    problem: Option<Problem>,
) -> Response {
    let (rules, read_problem) = match console.call(visit, Request::ListRouting).await {
        Ok(Reply::Routing { rules }) => (rules, None),
        Ok(other) => (
            Vec::new(),
            Some(Problem::of(&unexpected(&other), visit.lang)),
        ),
        Err(e) => (Vec::new(), Some(Problem::of(&e, visit.lang))),
    };
    let p = problem.as_ref();
    let join =
        |s: &std::collections::BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    let body = html! {
        (banner(console, visit, done))
        (layout::problem_banner(read_problem.as_ref()))
        (layout::problem_banner(p))
        @if rules.is_empty() {
            p.muted { (visit.t("尚未设置分送规则。", "No routing rule yet.")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (visit.t("事项", "Matter")) }
                    th scope="col" { (visit.t("分送部门", "Departments")) }
                    th scope="col" { (visit.t("征求属地意见", "Townships asked")) }
                } }
                tbody { @for r in &rules { tr {
                    td { (r.matter) } td { (join(&r.departments)) } td { (join(&r.township_opinions)) }
                } } }
            }
        }
        form.panel method="post" action="/manage/routing" {
            h2 { (visit.t("设置分送规则", "Set a rule")) }
            (layout::csrf_field(visit))
            (field("matter", visit.t("事项编码", "Matter code"), "", p, FieldAttrs::required()))
            (field("departments", visit.t("分送部门（编码，逗号分隔）", "Departments (codes, comma-separated)"), "", p, FieldAttrs::required()))
            (field("townships", visit.t("征求意见的乡镇（编码，逗号分隔，可不填）", "Townships asked for an opinion (codes, comma-separated, optional)"), "", p, FieldAttrs::default()))
            button type="submit" { (visit.t("保存", "Save")) }
        }
    };
    let title = visit.t("分送规则", "Routing rules");
    layout::page(&console.core, visit, Some(who), title, body)
}

#[derive(Deserialize)]
pub struct RuleForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    matter: String,
    #[serde(default)]
    departments: String,
    #[serde(default)]
    townships: String,
}

fn codes(s: &str) -> Vec<String> {
    s.split([',', '，', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// `POST /manage/routing`: `PutRouting`.
pub async fn put(
    State(console): State<Console>,
    visit: Visit,
    Form(f): Form<RuleForm>,
) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let who = match console.signed_in(&visit).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let request = Request::PutRouting {
        matter: f.matter.trim().to_string(),
        departments: codes(&f.departments),
        townships: codes(&f.townships),
    };
    match console.call(&visit, request).await {
        Ok(_) => Redirect::to("/manage/routing?done=1").into_response(),
        Err(e) => {
            let r = show(
                &console,
                &visit,
                &who,
                false,
                Some(Problem::of(&e, visit.lang)),
            )
            .await;
            with_status(r, status_of(&e))
        }
    }
}
