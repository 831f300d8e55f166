//! `/supervision`: e-supervision's lists (yellow, red, overdue, flagged,
//! every item) across centres and departments, filtered by a GET form and
//! paginated on the server; each line links to its item's page.
//! `/supervision.csv`: the same list, every page, as CSV with a UTF-8 BOM
//! (so Excel reads the Chinese) and as a download.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use liandong_domain::permission::Act;
use maud::html;

use super::{choices, item_state, rows, Kind, ListQuery, Row};
use crate::console::layout;
use crate::console::visit::{Page, Problem, Visit};
use crate::console::Console;

/// `GET /supervision`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Query(q): Query<ListQuery>,
) -> Response {
    let who = match console.may(&visit, Act::ReadSupervision).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let kind = Kind::of(q.kind.as_deref());
    let (centres, departments) = choices(&console, &visit).await;
    let (rows, problem) = match rows(&console, &visit, &q).await {
        Ok(rows) => (rows, None),
        Err(e) => (Vec::new(), Some(Problem::of(&e, visit.lang))),
    };
    let page = Page::of(q.page.as_deref());
    let (shown, pages) = page.slice(&rows);
    let base = format!("/supervision?{}", q.query());
    let title = kind.title(&visit);
    let body = html! {
        form.panel.filters method="get" action="/supervision" {
            div.field {
                label for="f-kind" { (visit.t("清单", "List")) }
                select id="f-kind" name="kind" {
                    @for k in Kind::ALL {
                        option value=(k.as_str()) selected[k == kind] { (k.title(&visit)) }
                    }
                }
            }
            div.field {
                label for="f-centre" { (visit.t("受理中心", "Centre")) }
                select id="f-centre" name="centre" {
                    option value="" { (visit.t("全部中心", "every centre")) }
                    @for c in &centres {
                        option value=(c) selected[q.centre().as_deref() == Some(c.as_str())] { (c) }
                    }
                }
            }
            div.field {
                label for="f-department" { (visit.t("部门", "Department")) }
                select id="f-department" name="department" {
                    option value="" { (visit.t("全部部门", "every department")) }
                    @for d in &departments {
                        option value=(d) selected[q.department().as_deref() == Some(d.as_str())] { (d) }
                    }
                }
            }
            button type="submit" { (visit.t("筛选", "Filter")) }
            " "
            a.button.secondary href={ "/supervision.csv?" (q.query()) } download {
                (visit.t("导出 CSV", "Export CSV"))
            }
        }
        (layout::problem_banner(problem.as_ref()))
        p { (visit.t("共 ", "")) (rows.len()) (visit.t(" 条", " lines")) }
        @if rows.is_empty() {
            p.muted { (visit.t("没有符合条件的事项。", "Nothing matches.")) }
        } @else {
            table {
                thead { tr {
                    th scope="col" { (visit.t("办件编号", "Case")) }
                    th scope="col" { (visit.t("受理中心", "Centre")) }
                    th scope="col" { (visit.t("事项", "Matter")) }
                    th scope="col" { (visit.t("状态", "Status")) }
                    th scope="col" { (visit.t("申请人", "Applicant")) }
                    th scope="col" { (visit.t("承诺期限", "Due")) }
                    th scope="col" { (visit.t("督办内容", "Item")) }
                    th scope="col" { (visit.t("督办状态", "Item state")) }
                } }
                tbody {
                    @for row in shown {
                        tr {
                            td { a href=(row.href()) { (row.case.id) } }
                            td { (row.case.origin) }
                            td { (row.case.matter) }
                            td { (row.case.status_label) }
                            td { (row.case.applicant_name) " " span.muted { (row.case.applicant_id) } }
                            td { (row.case.due.clone().unwrap_or_default()) }
                            td { (item_text(&visit, row)) }
                            td { (row.item.as_ref().map(|i| item_state(&visit, i)).unwrap_or("")) }
                        }
                    }
                }
            }
            (layout::pager(&visit, &base, page, pages))
        }
    };
    layout::page(&console.core, &visit, Some(&who), title, body)
}

fn item_text(visit: &Visit, row: &Row) -> String {
    match &row.item {
        Some(i) => i.description.clone(),
        None => row.case.warnings.join(visit.t("；", "; ")),
    }
}

/// The CSV header and lines of a list (pure, for the tests).
pub fn csv(visit: &Visit, rows: &[Row]) -> String {
    let mut out = String::from('\u{feff}');
    let header = [
        visit.t("办件编号", "case"),
        visit.t("受理中心", "centre"),
        visit.t("事项", "matter"),
        visit.t("状态", "status"),
        visit.t("申请人", "applicant"),
        visit.t("证件号码", "ID number"),
        visit.t("承诺期限", "due"),
        visit.t("剩余工作日", "working days left"),
        visit.t("督办事项编号", "item"),
        visit.t("督办内容", "description"),
        visit.t("督办状态", "item state"),
        visit.t("已督办", "flagged"),
        visit.t("批注", "notes"),
    ];
    line(&mut out, header.iter().map(|s| s.to_string()));
    for row in rows {
        let c = &row.case;
        let (id, state, flagged, notes) = match &row.item {
            Some(i) => (
                i.item.clone(),
                item_state(visit, i).to_string(),
                if i.flagged { "1" } else { "0" }.to_string(),
                i.notes.join("; "),
            ),
            None => Default::default(),
        };
        line(
            &mut out,
            [
                c.id.clone(),
                c.origin.clone(),
                c.matter.clone(),
                c.status_label.clone(),
                c.applicant_name.clone(),
                c.applicant_id.clone(),
                c.due.clone().unwrap_or_default(),
                c.left_days.map(|d| d.to_string()).unwrap_or_default(),
                id,
                item_text(visit, row),
                state,
                flagged,
                notes,
            ]
            .into_iter(),
        );
    }
    out
}

/// One CSV line (RFC 4180: quoted when it holds a comma, quote or line
/// break; a leading `=`, `+`, `-` or `@` of anything but a number is
/// prefixed with `'` so a spreadsheet never reads a cell as a formula).
fn line(out: &mut String, cells: impl Iterator<Item = String>) {
    let cells: Vec<String> = cells
        .map(|c| {
            let c = if c.starts_with(['=', '+', '-', '@']) && c.parse::<i64>().is_err() {
                format!("'{c}")
            } else {
                c
            };
            if c.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", c.replace('"', "\"\""))
            } else {
                c
            }
        })
        .collect();
    out.push_str(&cells.join(","));
    out.push_str("\r\n");
}

/// `GET /supervision.csv`: the list with the same filters, every line.
pub async fn export(
    State(console): State<Console>,
    visit: Visit,
    Query(q): Query<ListQuery>,
) -> Response {
    if let Err(d) = console.may(&visit, Act::ReadSupervision).await {
        return d.into_response();
    }
    let rows = match rows(&console, &visit, &q).await {
        Ok(rows) => rows,
        Err(e) => {
            let p = Problem::of(&e, visit.lang);
            return (axum::http::StatusCode::BAD_REQUEST, p.text).into_response();
        }
    };
    let kind = Kind::of(q.kind.as_deref());
    let day = crate::node_core::cst_day(console.core.now_ms());
    let file = format!("supervision-{}-{}.csv", kind.as_str(), day.format("%Y%m%d"));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        csv(&visit, &rows),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_cell_with_a_comma_or_quote_is_quoted_and_a_formula_is_defused() {
        let mut out = String::new();
        line(
            &mut out,
            [
                "a,b".to_string(),
                "say \"hi\"".into(),
                "=1+1".into(),
                "-2".into(),
                "红牌".into(),
            ]
            .into_iter(),
        );
        assert_eq!(out, "\"a,b\",\"say \"\"hi\"\"\",'=1+1,-2,红牌\r\n");
    }
}
