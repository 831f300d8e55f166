//! The window's intake: `/matters` (the catalogue, searched by name or
//! code), `/cases/new?matter=M001` (the matter's 十公开 fields and its
//! materials checklist as the catalogue holds it now, the applicant, and
//! the four ways to end the visit), `POST /cases`.
//!
//! The four ways, each the command line's requests in order:
//! - 受理: `AcceptCase` with the ticked materials;
//! - 容缺受理: `AcceptCase` (registration only), then `Accept` with the
//!   unticked tolerable items and the promised date;
//! - 补正告知: registration, then `RequestCorrection` listing every
//!   unticked material (and any extra line typed), once;
//! - 不予受理: registration, then `Reject` with reason and legal basis.
//!
//! A refusal re-draws the form with what was typed and the node's words
//! next to the field they are about; a registration that succeeded is
//! never repeated (the second step's refusal is shown on the case page).

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_domain::{MaterialForm, Matter};
use maud::{html, Markup};
use serde::Deserialize;

use crate::console::layout::{self, field, FieldAttrs};
use crate::console::visit::{csrf_refused, url_escape, Fields, Problem, Visit};
use crate::console::Console;
use crate::control::{ApplicantInput, CaseAction, Reply, Request};
use crate::ErrorReply;
use liandong_domain::permission::{Act, EventTag};

#[derive(Deserialize)]
pub struct Search {
    q: Option<String>,
    matter: Option<String>,
}

async fn matters(console: &Console, visit: &Visit) -> Result<Vec<Matter>, ErrorReply> {
    match console
        .call(visit, Request::ListMatters { level: None })
        .await?
    {
        Reply::Matters { matters } => Ok(matters),
        _ => Ok(Vec::new()),
    }
}

/// `GET /matters?q=`: pick the matter.
pub async fn pick(
    State(console): State<Console>,
    visit: Visit,
    Query(q): Query<Search>,
) -> Response {
    let who = match console.may(&visit, Act::Record(EventTag::Submitted)).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let query = q.q.unwrap_or_default();
    let list = matters(&console, &visit).await;
    let body = html! {
        form.panel method="get" action="/matters" role="search" {
            div.field {
                label for="f-q" { (visit.t("事项名称或编码", "Matter name or code")) }
                input id="f-q" type="search" name="q" value=(query);
            }
            button type="submit" { (visit.t("查找", "Search")) }
        }
        @match &list {
            Err(e) => p.error role="alert" { (Problem::of(e, visit.lang).text) },
            Ok(list) => {
                @let needle = query.trim().to_lowercase();
                @let shown: Vec<&Matter> = list.iter()
                    .filter(|m| m.active)
                    .filter(|m| needle.is_empty() || m.code.to_lowercase().contains(&needle) || m.name.to_lowercase().contains(&needle))
                    .collect();
                @if shown.is_empty() {
                    p { (visit.t("没有符合的事项。", "No matter matches.")) }
                } @else {
                    table {
                        thead { tr {
                            th { (visit.t("编码", "Code")) } th { (visit.t("事项名称", "Matter")) }
                            th { (visit.t("类型", "Kind")) } th { (visit.t("承诺时限", "Promised")) } th {}
                        } }
                        tbody {
                            @for m in shown {
                                tr {
                                    td { (m.code) } td { (m.name) } td { (m.kind.label(visit.lang)) }
                                    td { (days(&visit, m.promised_days)) }
                                    td { a href={ "/cases/new?matter=" (url_escape(&m.code)) } { (visit.t("受理此事项", "Take this matter")) " " (m.code) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(
        &console.core,
        &visit,
        Some(&who),
        visit.t("选择事项", "Choose the matter"),
        body,
    )
}

/// "3 个工作日" / "3 working days"; "当场办结" for 0.
pub fn days(visit: &Visit, n: u16) -> String {
    if n == 0 {
        visit.t("当场办结", "on the spot").to_string()
    } else {
        format!("{n} {}", visit.t("个工作日", "working days"))
    }
}

fn form_label(visit: &Visit, f: &MaterialForm) -> &'static str {
    match f {
        MaterialForm::Original => visit.t("原件", "original"),
        MaterialForm::Copy => visit.t("复印件", "copy"),
        MaterialForm::OriginalAndCopy => visit.t("原件和复印件", "original and copy"),
    }
}

/// The 十公开 fields of a matter, as the window shows them.
pub fn matter_facts(visit: &Visit, m: &Matter) -> Markup {
    html! {
        dl.facts {
            dt { (visit.t("事项编码", "Code")) } dd { (m.code) }
            dt { (visit.t("事项类型", "Kind")) } dd { (m.kind.label(visit.lang)) }
            dt { (visit.t("实施主体", "Lead department")) } dd { (m.lead_department) }
            @if !m.co_departments.is_empty() {
                dt { (visit.t("联办部门", "Joint departments")) } dd { (m.co_departments.join("、")) }
            }
            dt { (visit.t("设定依据", "Legal basis")) } dd { (or_none(visit, &m.legal_basis)) }
            dt { (visit.t("受理条件", "Conditions")) } dd { (or_none(visit, &m.conditions)) }
            dt { (visit.t("法定时限", "Statutory limit")) } dd { (days(visit, m.statutory_days)) }
            dt { (visit.t("承诺时限", "Promised limit")) } dd { (days(visit, m.promised_days)) }
            dt { (visit.t("收费标准", "Fees")) } dd {
                @if m.fees.is_empty() { (visit.t("不收费", "none")) }
                @for f in &m.fees { (f.name) " " (yuan(f.amount_fen)) (visit.t(" 元", " yuan")) "；" }
            }
            dt { (visit.t("咨询电话", "Enquiries")) } dd { (or_none(visit, &m.phone)) }
            dt { (visit.t("监督电话", "Supervision")) } dd { (or_none(visit, &m.supervision_phone)) }
        }
    }
}

fn or_none<'a>(visit: &Visit, s: &'a str) -> &'a str {
    if s.trim().is_empty() {
        visit.t("（未填写）", "(not given)")
    } else {
        s
    }
}

/// Fen as yuan with two decimals.
pub fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// What the clerk typed, to draw the form again.
#[derive(Debug, Default)]
struct Typed {
    name: String,
    id_number: String,
    phone: String,
    address: String,
    ticked: Vec<String>,
    tolerated: Vec<String>,
    promised_by: String,
    extra_missing: String,
    reason: String,
    legal_basis: String,
    id_type: String,
    legal_representative: String,
}

fn optional(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

/// `GET /cases/new?matter=M001`.
pub async fn new_case(
    State(console): State<Console>,
    visit: Visit,
    Query(q): Query<Search>,
) -> Response {
    let code = q.matter.unwrap_or_default();
    draw(&console, &visit, &code, &Typed::default(), None).await
}

async fn draw(
    console: &Console,
    visit: &Visit,
    code: &str,
    typed: &Typed,
    problem: Option<Problem>,
) -> Response {
    let who = match console.may(visit, Act::Record(EventTag::Submitted)).await {
        Ok(w) => w,
        Err(d) => return d.into_response(),
    };
    let matter = match console
        .call(
            visit,
            Request::MatterGuide {
                code: code.to_string(),
            },
        )
        .await
    {
        Ok(Reply::Guide { matter }) => *matter,
        Ok(_) => return Redirect::to("/matters").into_response(),
        Err(e) => {
            let body = html! {
                p.error role="alert" { (Problem::of(&e, visit.lang).text) }
                p { a href="/matters" { (visit.t("返回事项列表", "Back to the matters")) } }
            };
            return layout::page(
                &console.core,
                visit,
                Some(&who),
                visit.t("受理", "New case"),
                body,
            );
        }
    };
    let p = problem.as_ref();
    let body = html! {
        section.panel aria-labelledby="h-matter" {
            h2 id="h-matter" { (matter.name) }
            (matter_facts(visit, &matter))
            p { a href={ "/print/guide/" (url_escape(&matter.code)) } { (visit.t("打印办事指南", "Print the service guide")) } }
        }
        form method="post" action="/cases" {
            (layout::csrf_field(visit))
            input type="hidden" name="matter" value=(matter.code);
            (layout::problem_banner(p))
            fieldset {
                legend { (visit.t("申请人", "Applicant")) }
                (field("name", visit.t("申请人姓名", "Applicant's name"), &typed.name, p, FieldAttrs::required()))
                div.field {
                    label for="f-id_type" { (visit.t("证件类型", "Document type")) }
                    select id="f-id_type" name="id_type" {
                        @for t in liandong_domain::IdType::ALL {
                            option value=(t.as_str()) selected[typed.id_type == t.as_str()] { (t.label(visit.lang)) }
                        }
                    }
                }
                (field("id_number", visit.t("身份证件号码", "ID number"), &typed.id_number, p,
                    FieldAttrs { id_check: true, ..FieldAttrs::required() }))
                (field("legal_representative", visit.t("法定代表人（单位申请时填写）", "Legal representative (organisations)"), &typed.legal_representative, p, FieldAttrs::default()))
                (field("phone", visit.t("联系电话", "Phone"), &typed.phone, p, FieldAttrs { kind: "tel", ..FieldAttrs::default() }))
                (field("address", visit.t("联系地址", "Address"), &typed.address, p, FieldAttrs::default()))
            }
            fieldset aria-describedby=[p.filter(|p| p.field == Some("materials")).map(|_| "materials-error")] {
                legend { (visit.t("申请材料（收到的请勾选）", "Materials (tick what was handed in)")) }
                @if matter.materials.is_empty() {
                    p.muted { (visit.t("本事项目录未列申请材料。", "The catalogue lists no materials for this matter.")) }
                }
                @for (i, m) in matter.materials.iter().enumerate() {
                    @let id = format!("m-{i}");
                    div {
                        input type="checkbox" id=(id) name="material" value=(m.name) checked[typed.ticked.contains(&m.name)];
                        label for=(id) {
                            (m.name) "（" (form_label(visit, &m.form)) "）"
                            @if m.mandatory { span.req { (visit.t(" 必交", " required")) } }
                            @if m.tolerable { span.muted { (visit.t(" 可容缺", " may follow later")) } }
                        }
                    }
                }
                @if let Some(e) = p.filter(|p| p.field == Some("materials")) {
                    p.error id="materials-error" role="alert" { (e.text) }
                }
            }
            div.steps {
                div.panel {
                    h2 { (visit.t("材料齐全", "Complete")) }
                    button type="submit" name="mode" value="accept" { (visit.t("受理", "Accept")) }
                }
                div.panel {
                    h2 { (visit.t("容缺受理", "Accept, item to follow")) }
                    @for (i, m) in matter.materials.iter().filter(|m| m.tolerable).enumerate() {
                        @let id = format!("t-{i}");
                        div {
                            input type="checkbox" id=(id) name="tolerated" value=(m.name) checked[typed.tolerated.contains(&m.name)];
                            label for=(id) { (visit.t("容缺：", "to follow: ")) (m.name) }
                        }
                    }
                    (field("promised_by", visit.t("承诺补交日期", "Promised by"), &typed.promised_by, p, FieldAttrs { kind: "date", ..FieldAttrs::default() }))
                    button type="submit" name="mode" value="tolerate" { (visit.t("容缺受理", "Accept with item to follow")) }
                }
                div.panel {
                    h2 { (visit.t("材料不齐", "Incomplete")) }
                    p.muted { (visit.t("未勾选的材料将列入一次性告知书。", "Every unticked material goes on the one-time notice.")) }
                    div.field {
                        label for="f-extra" { (visit.t("其他需补正的内容（每行一项）", "Other items to correct (one per line)")) }
                        textarea id="f-extra" name="extra_missing" { (typed.extra_missing) }
                    }
                    button type="submit" name="mode" value="correct" { (visit.t("一次性告知补正", "Request correction")) }
                }
                div.panel {
                    h2 { (visit.t("不予受理", "Reject")) }
                    (field("reason", visit.t("不予受理理由", "Reason"), &typed.reason, p, FieldAttrs::default()))
                    (field("legal_basis", visit.t("法律依据", "Legal basis"), &typed.legal_basis, p, FieldAttrs::default()))
                    button.secondary type="submit" name="mode" value="reject" { (visit.t("不予受理", "Reject")) }
                }
            }
        }
    };
    let title = format!("{}：{}", visit.t("受理", "New case"), matter.name);
    layout::page(&console.core, visit, Some(&who), &title, body)
}

/// `POST /cases`.
pub async fn submit(State(console): State<Console>, visit: Visit, body: Bytes) -> Response {
    let f = Fields::parse(&body);
    if !f.csrf_ok(&visit) {
        return csrf_refused(&visit);
    }
    let code = f.get("matter").to_string();
    let typed = Typed {
        name: f.get("name").into(),
        id_number: f.get("id_number").into(),
        phone: f.get("phone").into(),
        address: f.get("address").into(),
        ticked: f.all("material"),
        tolerated: f.all("tolerated"),
        promised_by: f.get("promised_by").into(),
        extra_missing: f.get("extra_missing").into(),
        reason: f.get("reason").into(),
        legal_basis: f.get("legal_basis").into(),
        id_type: f.get("id_type").into(),
        legal_representative: f.get("legal_representative").into(),
    };
    let mode = f.get("mode").to_string();
    let required = |name: &'static str, value: &str, zh: &str, en: &str| {
        value.is_empty().then(|| Problem::at(name, visit.t(zh, en)))
    };
    let missing_input = required(
        "name",
        &typed.name,
        "请填写申请人姓名",
        "Enter the applicant's name",
    )
    .or_else(|| {
        required(
            "id_number",
            &typed.id_number,
            "请填写身份证件号码",
            "Enter the ID number",
        )
    })
    .or_else(|| match mode.as_str() {
        "tolerate" if typed.tolerated.is_empty() => Some(Problem::at(
            "promised_by",
            visit.t("请勾选容缺的材料", "Tick the item that will follow"),
        )),
        "tolerate" if typed.promised_by.is_empty() => Some(Problem::at(
            "promised_by",
            visit.t("请填写承诺补交日期", "Enter the promised date"),
        )),
        "reject" if typed.reason.is_empty() => Some(Problem::at(
            "reason",
            visit.t("请填写不予受理理由", "Enter the reason"),
        )),
        "accept" | "tolerate" | "correct" | "reject" => None,
        _ => Some(Problem {
            field: None,
            text: visit
                .t(
                    "请选择受理、容缺受理、补正告知或不予受理",
                    "Choose accept, accept with item to follow, correction or reject",
                )
                .into(),
        }),
    });
    if let Some(p) = missing_input {
        return draw(&console, &visit, &code, &typed, Some(p)).await;
    }
    let promised_by = if mode == "tolerate" {
        match typed.promised_by.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                let p = Problem::at(
                    "promised_by",
                    visit.t("日期格式应为 2026-12-31", "A date like 2026-12-31"),
                );
                return draw(&console, &visit, &code, &typed, Some(p)).await;
            }
        }
    } else {
        None
    };
    let applicant = ApplicantInput {
        name: typed.name.clone(),
        id_number: typed.id_number.clone(),
        phone: typed.phone.clone(),
        address: typed.address.clone(),
        id_type: typed.id_type.parse().unwrap_or_default(),
        legal_representative: optional(&typed.legal_representative),
        agent: None,
    };
    let first = Request::AcceptCase {
        matter: code.clone(),
        applicant,
        materials: typed.ticked.clone(),
        submit_only: mode != "accept",
        conclude: false,
    };
    let case = match console.call(&visit, first).await {
        Ok(Reply::Case(d)) => d.id,
        Ok(_) => return Redirect::to("/today").into_response(),
        Err(e) => {
            let p = Problem::of(&e, visit.lang);
            return draw(&console, &visit, &code, &typed, Some(p)).await;
        }
    };
    let second = match mode.as_str() {
        "tolerate" => Some(CaseAction::Accept {
            tolerated_missing: typed.tolerated.clone(),
            promised_by,
        }),
        "correct" => Some(CaseAction::RequestCorrection {
            missing: unticked(&console, &visit, &code, &typed).await,
        }),
        "reject" => Some(CaseAction::Reject {
            reason: typed.reason.clone(),
            legal_basis: typed.legal_basis.clone(),
            competent_authority: None,
        }),
        _ => None,
    };
    let mut to = format!("/cases/{}", url_escape(&case));
    if let Some(action) = second {
        if let Err(e) = console
            .call(
                &visit,
                Request::Case {
                    case: case.clone(),
                    action,
                },
            )
            .await
        {
            // Registered; the case page shows why the step was refused.
            to.push_str(&format!(
                "?problem={}",
                url_escape(&Problem::of(&e, visit.lang).text)
            ));
        }
    }
    Redirect::to(&to).into_response()
}

/// The matter's materials not ticked, then any extra lines typed.
async fn unticked(console: &Console, visit: &Visit, code: &str, typed: &Typed) -> Vec<String> {
    let mut out: Vec<String> = match console
        .call(
            visit,
            Request::MatterGuide {
                code: code.to_string(),
            },
        )
        .await
    {
        Ok(Reply::Guide { matter }) => matter
            .materials
            .iter()
            .filter(|m| !typed.ticked.contains(&m.name))
            .map(|m| m.name.clone())
            .collect(),
        _ => Vec::new(),
    };
    out.extend(
        typed
            .extra_missing
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    out
}
