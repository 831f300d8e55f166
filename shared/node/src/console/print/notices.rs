//! The notices handed out at the window before a decision:
//! `GET /print/acceptance/{case}` (受理通知书: the matter, the applicant,
//! the day accepted, the promised conclusion date from the case clock, the
//! materials tolerated missing under 容缺受理 with their promised date)
//! and `GET /print/correction/{case}` (一次性告知书: everything still
//! missing, listed once, where and how to supply it).
//!
//! Both read the folded case ([`super::load`]); neither prints the
//! applicant's ID number. The correction notice has no supply deadline:
//! the case record keeps none (the notice clock is the hall's, not the
//! applicant's).

use axum::extract::{Path, State};
use axum::response::Response;
use liandong_domain::{EventKind, MaterialForm, MatterKind, Tolerance};
use maud::{html, Markup};

use super::{day_of, head, load, not_applicable, sign_off, today, CaseDoc};
use crate::console::layout;
use crate::console::visit::Visit;
use crate::console::Console;

/// `GET /print/acceptance/{case}`: 受理通知书.
pub async fn acceptance(
    State(console): State<Console>,
    visit: Visit,
    Path(case): Path<String>,
) -> Response {
    let doc = match load(&console, &visit, &case).await {
        Ok(doc) => doc,
        Err(r) => return r,
    };
    let title = visit.t("受理通知书", "Notice of acceptance");
    let Some(accepted_on) = doc.state.clock.accepted_on else {
        let why = visit.t(
            "此办件尚未受理，没有受理通知书。",
            "This case has not been accepted: there is no acceptance notice.",
        );
        return not_applicable(&console, &visit, title, why);
    };
    let accepted = doc.live().into_iter().find_map(|(_, e)| match &e.kind {
        EventKind::Accepted { tolerated } => Some((e, tolerated.clone())),
        _ => None,
    });
    let clerk = accepted
        .as_ref()
        .and_then(|(e, _)| e.recorder.as_ref())
        .map(|r| doc.staff_name(&r.staff));
    let tolerated = accepted.and_then(|(_, t)| t);
    let date = today(&console);
    let body = html! {
        (head(&visit, &doc.detail.id, date))
        p { (doc.applicant_name()) (visit.t("：", ":")) }
        p {
            (visit.t("你（单位）于", "Your application for "))
            @if visit.lang == liandong_domain::Lang::Zh {
                (submitted_on(&visit, &doc)) "提出的「" (doc.matter_name()) "」申请，"
                @if tolerated.is_some() {
                    "主要申请材料齐全，本中心按容缺受理办法于"
                } @else {
                    "申请材料齐全、符合法定形式，本中心于"
                }
                (super::date_text(visit.lang, accepted_on)) "决定予以受理。"
            } @else {
                "“" (doc.matter_name()) "”, made on " (submitted_on(&visit, &doc))
                ", was accepted on " (super::date_text(visit.lang, accepted_on))
                @if tolerated.is_some() { " under tolerated-missing acceptance (容缺受理)" }
                "."
            }
            @if doc.state.clock.deemed_accepted {
                " " (visit.t("（逾期未告知，依法视为受理。）", "(No notice was given in time: accepted by law.)"))
            }
        }
        @if let Some(t) = &tolerated { (tolerated_items(&visit, &doc, t)) }
        p { (time_limit(&visit, &doc)) }
        (facts(&console, &visit, &doc, accepted_on, clerk.as_deref()))
        p {
            (visit.t(
                "凭本通知书和办件编号可查询办理进度；办结后请凭本通知书领取办理结果。",
                "Quote the case number to follow the case; bring this notice to collect the result.",
            ))
        }
        (sign_off(&console, &visit, date))
    };
    layout::print_page(&console.core, &visit, title, body)
}

/// The day the application was made, as the notice writes it.
fn submitted_on(visit: &Visit, doc: &CaseDoc) -> String {
    doc.state
        .clock
        .submitted_on
        .map(|d| super::date_text(visit.lang, d))
        .unwrap_or_default()
}

/// The materials accepted missing (容缺), with the day they are due.
fn tolerated_items(visit: &Visit, doc: &CaseDoc, t: &Tolerance) -> Markup {
    html! {
        p {
            (visit.t("下列材料容缺，请于", "Please hand in these materials by "))
            strong { (super::date_text(visit.lang, t.promised_by)) }
            (visit.t("前补交：", ":"))
        }
        ol.doc-items {
            @for item in &t.missing { li { (item) (form_of(visit, doc, item)) } }
        }
    }
}

/// The promised time limit and the day the case is due.
fn time_limit(visit: &Visit, doc: &CaseDoc) -> Markup {
    let clock = &doc.state.clock;
    let immediate = doc
        .matter
        .as_ref()
        .is_some_and(|m| m.kind == MatterKind::Immediate);
    html! {
        @if immediate {
            (visit.t("本件为即办件，当场办结。", "This is an immediate matter, concluded on the spot."))
        } @else if let (Some(days), Some(due)) = (clock.limit_days, clock.due) {
            (visit.t("本件为承诺件，承诺办结时限为 ", "This is a promised matter: it is concluded within "))
            strong { (days) } (visit.t(" 个工作日，预计于 ", " working days, by "))
            strong { (super::date_text(visit.lang, due)) }
            (visit.t(" 前办结", ""))
            @if let Some(statutory) = clock.statutory_limit_days {
                (visit.t("（法定办结时限 ", " (statutory limit ")) (statutory) (visit.t(" 个工作日）", " working days)"))
            }
            (visit.t("。", "."))
            @if clock.paused {
                " " (visit.t("补正、特别程序期间不计入办结时限。", "Correction and special procedures do not count towards the limit."))
            }
        } @else {
            (visit.t(
                "办结时限待事项目录同步到本中心后确定，届时另行告知。",
                "The time limit is set once the catalogue reaches this centre; you will be told.",
            ))
        }
    }
}

/// The notice's facts: applicant, matter, dates, who accepted, where.
fn facts(
    console: &Console,
    visit: &Visit,
    doc: &CaseDoc,
    accepted_on: chrono::NaiveDate,
    clerk: Option<&str>,
) -> Markup {
    let m = doc.matter.as_ref();
    html! {
        dl.facts.doc-facts {
            dt { (visit.t("申请人", "Applicant")) } dd { (doc.applicant_name()) }
            dt { (visit.t("申请事项", "Matter")) } dd { (doc.matter_name()) }
            dt { (visit.t("受理日期", "Accepted on")) } dd { (super::date_text(visit.lang, accepted_on)) }
            @if let Some(due) = doc.state.clock.due {
                dt { (visit.t("承诺办结日期", "Due by")) } dd { (super::date_text(visit.lang, due)) }
            }
            dt { (visit.t("受理机构", "Accepted by")) } dd { (layout::centre_name(&console.core, visit)) }
            @if let Some(clerk) = clerk {
                dt { (visit.t("受理人", "Window clerk")) } dd { (clerk) }
            }
            @if let Some(phone) = m.map(|m| m.phone.as_str()).filter(|p| !p.is_empty()) {
                dt { (visit.t("咨询电话", "Enquiries")) } dd { (phone) }
            }
            @if let Some(phone) = m.map(|m| m.supervision_phone.as_str()).filter(|p| !p.is_empty()) {
                dt { (visit.t("监督电话", "Supervision phone")) } dd { (phone) }
            }
        }
    }
}

/// `（原件）` after a material the catalogue asks for in a given form.
fn form_of(visit: &Visit, doc: &CaseDoc, item: &str) -> String {
    let form = doc
        .matter
        .as_ref()
        .and_then(|m| m.materials.iter().find(|x| x.name == item))
        .map(|x| x.form);
    match form {
        Some(f) => format!("（{}）", material_form(visit, f)),
        None => String::new(),
    }
}

/// 原件 / 复印件 / 原件及复印件.
pub fn material_form(visit: &Visit, form: MaterialForm) -> &'static str {
    match form {
        MaterialForm::Original => visit.t("原件", "original"),
        MaterialForm::Copy => visit.t("复印件", "copy"),
        MaterialForm::OriginalAndCopy => visit.t("原件及复印件", "original and copy"),
    }
}

/// `GET /print/correction/{case}`: 一次性告知书.
pub async fn correction(
    State(console): State<Console>,
    visit: Visit,
    Path(case): Path<String>,
) -> Response {
    let doc = match load(&console, &visit, &case).await {
        Ok(doc) => doc,
        Err(r) => return r,
    };
    let title = visit.t("一次性告知书", "One-time correction notice");
    let notices: Vec<(u64, Vec<String>)> = doc
        .live()
        .into_iter()
        .filter_map(|(_, e)| match &e.kind {
            EventKind::CorrectionRequested { missing } => Some((e.at_ms, missing.clone())),
            _ => None,
        })
        .collect();
    let Some((notice_ms, last)) = notices.last().cloned() else {
        let why = visit.t(
            "此办件没有补正告知，没有一次性告知书。",
            "No correction was requested on this case: there is no correction notice.",
        );
        return not_applicable(&console, &visit, title, why);
    };
    let open = !doc.state.missing.is_empty();
    // In the order the notices listed them, each once; while a notice is
    // open, what is still missing.
    let listed = notices.iter().flat_map(|(_, items)| items);
    let mut items: Vec<String> = Vec::new();
    for item in listed.chain(&doc.state.missing) {
        let wanted = if open {
            doc.state.missing.contains(item)
        } else {
            last.contains(item)
        };
        if wanted && !items.contains(item) {
            items.push(item.clone());
        }
    }
    let supplied_ms = doc
        .live()
        .into_iter()
        .rev()
        .find_map(|(_, e)| match &e.kind {
            EventKind::CorrectionSupplied { .. } => Some(e.at_ms),
            _ => None,
        });
    let body = html! {
        (head(&visit, &doc.detail.id, day_of(notice_ms)))
        p { (doc.applicant_name()) (visit.t("：", ":")) }
        p {
            @if visit.lang == liandong_domain::Lang::Zh {
                "你（单位）于" (submitted_on(&visit, &doc)) "提出的「" (doc.matter_name())
                "」申请，申请材料不齐全或者不符合法定形式。现一次性告知需要补正的全部内容如下："
            } @else {
                "Your application for “" (doc.matter_name()) "”, made on " (submitted_on(&visit, &doc))
                ", is incomplete or not in the form the law requires. Everything to correct, listed once:"
            }
        }
        ol.doc-items {
            @for item in &items { li { (item) (form_of(&visit, &doc, item)) } }
        }
        p { (where_to_supply(&console, &visit, &doc)) }
        p {
            (visit.t(
                "除本告知书所列内容外，本中心不再要求补正其他材料。补正齐全后，本中心依法予以受理。",
                "Nothing beyond this notice will be asked for. Once it is complete, the application is accepted as the law provides.",
            ))
        }
        @if let (false, Some(ms)) = (open, supplied_ms) {
            p.notice {
                (visit.t("上述材料已于 ", "These materials were supplied on "))
                (super::date_text(visit.lang, day_of(ms)))
                (visit.t(" 补齐。", "."))
            }
        }
        (sign_off(&console, &visit, day_of(notice_ms)))
    };
    layout::print_page(&console.core, &visit, title, body)
}

/// Where and how to hand in the missing materials.
fn where_to_supply(console: &Console, visit: &Visit, doc: &CaseDoc) -> Markup {
    let m = doc.matter.as_ref();
    let phone = m.map(|m| m.phone.as_str()).filter(|p| !p.is_empty());
    let supervision = m
        .map(|m| m.supervision_phone.as_str())
        .filter(|p| !p.is_empty());
    html! {
        (visit.t("请携带上述材料及本告知书到 ", "Bring these materials and this notice to the general window of "))
        (layout::centre_name(&console.core, visit))
        (visit.t(" 综合窗口补正", ""))
        @if let Some(p) = phone { (visit.t("（咨询电话：", " (enquiries: ")) (p) (visit.t("）", ")")) }
        (visit.t("。", "."))
        @if let Some(p) = supervision {
            " " (visit.t("监督电话：", "Supervision phone: ")) (p) (visit.t("。", "."))
        }
    }
}
