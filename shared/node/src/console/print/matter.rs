//! The documents of a matter, public information (十公开) any signed-in
//! staff member prints for an applicant: `GET /print/guide/{matter}`
//! (办事指南: every public field of the catalogue entry) and
//! `GET /print/promise/{matter}` (服务承诺书: the promised days and what
//! the hall promises, with the supervision phone).
//!
//! The matter is read through the dispatcher (`matter-guide`, the current
//! catalogue version held at this node). The catalogue keeps each
//! material's form (原件 / 复印件), not a number of copies.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use liandong_domain::{Matter, MatterKind};
use maud::{html, Markup};

use super::notices::material_form;
use super::{not_applicable, refused, sign_off, today};
use crate::console::layout;
use crate::console::visit::Visit;
use crate::console::Console;
use crate::control::{Reply, Request};
use crate::error::ErrorReply;

/// The current version of `code`, or the page to answer.
async fn load(
    console: &Console,
    visit: &Visit,
    code: &str,
    title: &str,
) -> Result<Matter, Response> {
    console
        .signed_in(visit)
        .await
        .map_err(IntoResponse::into_response)?;
    let request = Request::MatterGuide {
        code: code.to_string(),
    };
    match console.call(visit, request).await {
        Ok(Reply::Guide { matter }) => Ok(*matter),
        Ok(_) => Err(refused(visit, &ErrorReply::internal("matter-guide"))),
        Err(e @ ErrorReply::NotFound { .. }) => {
            let why = crate::error::words::error_text(&e, visit.lang);
            Err(not_applicable(console, visit, title, &why))
        }
        Err(e) => Err(refused(visit, &e)),
    }
}

/// The matter's codes and the date, at the document's head.
fn matter_head(visit: &Visit, m: &Matter, date: chrono::NaiveDate) -> Markup {
    html! {
        p.doc-no {
            (visit.t("事项编码：", "Matter code: ")) (m.code)
            @if !m.implementation_code.is_empty() { br; (visit.t("实施编码：", "Implementation code: ")) (m.implementation_code) }
            br; (visit.t("日期：", "Date: ")) (super::date_text(visit.lang, date))
        }
    }
}

/// 即办件 / 承诺件 and the level.
fn kind_text(visit: &Visit, m: &Matter) -> String {
    format!(
        "{}（{}）",
        m.kind.label(visit.lang),
        m.level.label(visit.lang)
    )
}

/// `N 个工作日`.
fn days(visit: &Visit, n: impl std::fmt::Display) -> String {
    format!("{n}{}", visit.t(" 个工作日", " working days"))
}

/// An amount in fen as yuan: `12.50 元`.
fn yuan(visit: &Visit, fen: u64) -> String {
    format!("{}.{:02}{}", fen / 100, fen % 100, visit.t(" 元", " yuan"))
}

/// Text or `（无）`.
fn or_none<'a>(visit: &'a Visit, s: &'a str) -> &'a str {
    if s.trim().is_empty() {
        visit.t("（无）", "(none)")
    } else {
        s
    }
}

/// `GET /print/guide/{matter}`: 办事指南.
pub async fn guide(
    State(console): State<Console>,
    visit: Visit,
    Path(code): Path<String>,
) -> Response {
    let title = visit.t("办事指南", "Service guide");
    let m = match load(&console, &visit, &code, title).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let date = today(&console);
    let body = html! {
        (matter_head(&visit, &m, date))
        h2 { (m.name) }
        dl.facts.doc-facts {
            dt { (visit.t("事项名称", "Name")) } dd { (m.name) }
            dt { (visit.t("办件类型", "Kind")) } dd { (kind_text(&visit, &m)) }
            @if let Some(c) = m.category { dt { (visit.t("事项类型代码", "Category")) } dd { (format!("{c:02}")) } }
            dt { (visit.t("实施主体", "Lead department")) } dd { (m.lead_department) }
            @if !m.co_departments.is_empty() {
                dt { (visit.t("共同实施部门", "Co-departments")) } dd { (m.co_departments.join("、")) }
            }
            dt { (visit.t("法定办结时限", "Statutory limit")) } dd { (days(&visit, m.statutory_days)) }
            dt { (visit.t("承诺办结时限", "Promised limit")) }
            dd {
                @if m.kind == MatterKind::Immediate { (visit.t("即办（当场办结）", "immediate (on the spot)")) }
                @else { (days(&visit, m.promised_days)) }
            }
            dt { (visit.t("设定依据", "Legal basis")) } dd { (or_none(&visit, &m.legal_basis)) }
            dt { (visit.t("受理条件", "Conditions")) } dd { (or_none(&visit, &m.conditions)) }
        }
        (materials(&visit, &m))
        (stages(&visit, &m))
        (fees(&visit, &m))
        h3 { (visit.t("咨询与监督", "Enquiries and supervision")) }
        dl.facts.doc-facts {
            dt { (visit.t("办理人员", "Staff")) } dd { (or_none(&visit, &m.staff_contact)) }
            dt { (visit.t("咨询电话", "Enquiries")) } dd { (or_none(&visit, &m.phone)) }
            dt { (visit.t("监督电话", "Supervision phone")) } dd { (or_none(&visit, &m.supervision_phone)) }
            dt { (visit.t("办理地点", "Where")) } dd { (layout::centre_name(&console.core, &visit)) (visit.t(" 综合窗口", ", general window")) }
        }
        (sign_off(&console, &visit, date))
    };
    layout::print_page(&console.core, &visit, title, body)
}

/// 申请材料: every material with its form, mandatory and 容缺 marks.
fn materials(visit: &Visit, m: &Matter) -> Markup {
    html! {
        h3 { (visit.t("申请材料", "Materials")) }
        @if m.materials.is_empty() {
            p { (visit.t("（目录未列申请材料）", "(the catalogue lists no materials)")) }
        } @else {
            table.doc-table {
                thead { tr {
                    th scope="col" { (visit.t("序号", "No.")) }
                    th scope="col" { (visit.t("材料名称", "Material")) }
                    th scope="col" { (visit.t("原件/复印件", "Original/copy")) }
                    th scope="col" { (visit.t("是否必需", "Required")) }
                    th scope="col" { (visit.t("可容缺", "May be tolerated missing")) }
                } }
                tbody {
                    @for (i, x) in m.materials.iter().enumerate() {
                        tr {
                            td { (i + 1) }
                            td { (x.name) }
                            td { (material_form(visit, x.form)) }
                            td { @if x.mandatory { (visit.t("必需", "yes")) } @else { (visit.t("非必需", "no")) } }
                            td { @if x.tolerable { (visit.t("是", "yes")) } @else { (visit.t("否", "no")) } }
                        }
                    }
                }
            }
        }
    }
}

/// 办理流程 and the special steps outside the limit.
fn stages(visit: &Visit, m: &Matter) -> Markup {
    html! {
        h3 { (visit.t("办理流程", "Stages")) }
        @if m.stages.is_empty() {
            p { (visit.t("（目录未列办理环节）", "(the catalogue lists no stages)")) }
        } @else {
            ol.doc-items {
                @for s in &m.stages {
                    li { (s.name) @if let Some(d) = s.limit_days { "（" (days(visit, d)) "）" } }
                }
            }
        }
        @if !m.special_steps.is_empty() {
            h3 { (visit.t("特别程序", "Special procedures")) }
            ul.doc-items {
                @for s in &m.special_steps {
                    li {
                        (s.kind.label(visit.lang)) "：" (visit.t("最长 ", "at most ")) (days(visit, s.max_days))
                        @if !s.counted { (visit.t("，不计入办结时限", ", not counted in the limit")) }
                        @if !s.basis.is_empty() { (visit.t("（依据：", " (basis: ")) (s.basis) (visit.t("）", ")")) }
                    }
                }
            }
        }
    }
}

/// 收费标准.
fn fees(visit: &Visit, m: &Matter) -> Markup {
    html! {
        h3 { (visit.t("收费标准", "Fees")) }
        @if m.fees.is_empty() {
            p { (visit.t("不收费。", "No fee.")) }
        } @else {
            table.doc-table {
                thead { tr {
                    th scope="col" { (visit.t("收费项目", "Item")) }
                    th scope="col" { (visit.t("金额", "Amount")) }
                    th scope="col" { (visit.t("收费依据", "Basis")) }
                } }
                tbody {
                    @for f in &m.fees {
                        tr { td { (f.name) } td { (yuan(visit, f.amount_fen)) } td { (or_none(visit, &f.basis)) } }
                    }
                }
            }
        }
    }
}

/// `GET /print/promise/{matter}`: 服务承诺书.
pub async fn promise(
    State(console): State<Console>,
    visit: Visit,
    Path(code): Path<String>,
) -> Response {
    let title = visit.t("服务承诺书", "Service pledge");
    let m = match load(&console, &visit, &code, title).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let date = today(&console);
    let centre = layout::centre_name(&console.core, &visit);
    let tolerable = m.materials.iter().any(|x| x.tolerable);
    let body = html! {
        (matter_head(&visit, &m, date))
        p {
            @if visit.lang == liandong_domain::Lang::Zh {
                (centre) "对「" (m.name) "」（" (m.code) "）事项郑重承诺："
            } @else {
                (centre) " pledges, for “" (m.name) "” (" (m.code) "):"
            }
        }
        ol.doc-items {
            li {
                @if m.kind == MatterKind::Immediate {
                    (visit.t("申请材料齐全、符合法定形式的，当场办结。", "A complete application in due form is concluded on the spot."))
                } @else {
                    (visit.t("申请材料齐全、符合法定形式的，自受理之日起 ", "A complete application in due form is concluded within "))
                    strong { (days(&visit, m.promised_days)) }
                    (visit.t(" 内办结（法定时限 ", " of acceptance (statutory limit "))
                    (days(&visit, m.statutory_days))
                    (visit.t("）。", ")."))
                }
            }
            li { (visit.t("材料不齐全的，一次性告知需要补正的全部内容，不让群众多跑路。", "If materials are missing, everything to correct is told at once, in writing.")) }
            li { (visit.t("不予受理或者不予许可的，书面说明理由、依据和救济途径。", "A rejection or refusal is given in writing with its reason, basis and the applicant's remedies.")) }
            @if tolerable {
                li { (visit.t("主要材料齐全、次要材料欠缺的，可以容缺受理，约定时间补齐。", "With the main materials present, the application may be accepted and the rest supplied by an agreed date (容缺受理).")) }
            }
            li {
                (visit.t("严格按照公示标准收费，不收取公示以外的任何费用", "Only the published fees are charged"))
                @if m.fees.is_empty() { (visit.t("；本事项不收费", "; this matter is free of charge")) }
                (visit.t("。", "."))
            }
            li { (visit.t("办件全程留痕，凭办件编号可查询进度；办结后可通过“好差评”评价服务。", "Every step is recorded; the case number tells its progress, and the service can be rated after conclusion (好差评).")) }
        }
        p {
            (visit.t("未履行上述承诺的，欢迎监督投诉。监督电话：", "To complain about a broken pledge, call the supervision phone: "))
            strong { (or_none(&visit, &m.supervision_phone)) }
            @if !m.phone.trim().is_empty() {
                (visit.t("；咨询电话：", "; enquiries: ")) (m.phone)
            }
            (visit.t("。", "."))
        }
        (sign_off(&console, &visit, date))
    };
    layout::print_page(&console.core, &visit, title, body)
}
