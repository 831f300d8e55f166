//! `/manage/calendar?year=2026&month=12`: the working-day calendar as a
//! month view (Monday first). Each day shows whether it is a working day
//! and what the county set for it (`ShowCalendar`), and carries its own
//! small POST form whose three buttons set it to 节假日, 调休工作日 or back
//! to the weekday rule (`SetCalendar`): no script needed. Reading needs
//! `calendar`.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use liandong_domain::permission::Act;
use liandong_domain::DaySetting;
use maud::{html, Markup};
use serde::Deserialize;

use super::{banner, status_of, with_status};
use crate::console::layout;
use crate::console::supervision::unexpected;
use crate::console::visit::{csrf_ok, csrf_refused, Problem, Visit};
use crate::console::Console;
use crate::control::{Reply, Request};
use crate::identity::Actor;

#[derive(Debug, Default, Deserialize)]
pub struct Month {
    year: Option<String>,
    month: Option<String>,
    done: Option<String>,
}

/// The first day of the month asked for (this month by default).
fn first_of(m: &Month, today: NaiveDate) -> NaiveDate {
    let year = m
        .year
        .as_deref()
        .and_then(|y| y.parse().ok())
        .unwrap_or(today.year());
    let month = m
        .month
        .as_deref()
        .and_then(|m| m.parse().ok())
        .filter(|m| (1..=12).contains(m))
        .unwrap_or(today.month());
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(today.with_day(1).unwrap_or(today))
}

/// The first day of the next month.
fn next_month(first: NaiveDate) -> NaiveDate {
    let (y, m) = if first.month() == 12 {
        (first.year() + 1, 1)
    } else {
        (first.year(), first.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(first)
}

fn prev_month(first: NaiveDate) -> NaiveDate {
    (first - Duration::days(1)).with_day(1).unwrap_or(first)
}

/// Whether a day is worked, given what was set for it.
pub fn working(day: NaiveDate, setting: Option<DaySetting>) -> bool {
    match setting {
        Some(DaySetting::Holiday) => false,
        Some(DaySetting::Workday) => true,
        _ => !matches!(day.weekday(), Weekday::Sat | Weekday::Sun),
    }
}

/// `GET /manage/calendar`.
pub async fn page(
    State(console): State<Console>,
    visit: Visit,
    Query(m): Query<Month>,
) -> Response {
    let who = match console.may(&visit, Act::Calendar).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let today = crate::node_core::cst_day(console.core.now_ms());
    let first = first_of(&m, today);
    show(&console, &visit, &who, first, m.done.is_some(), None).await
}

async fn show(
    console: &Console,
    visit: &Visit,
    who: &Actor,
    first: NaiveDate,
    done: bool,
    problem: Option<Problem>,
) -> Response {
    let year = first.year();
    let (known, days, read_problem) =
        match console.call(visit, Request::ShowCalendar { year }).await {
            Ok(Reply::Calendar { known, days, .. }) => (known, days, None),
            Ok(other) => (
                false,
                Vec::new(),
                Some(Problem::of(&unexpected(&other), visit.lang)),
            ),
            Err(e) => (false, Vec::new(), Some(Problem::of(&e, visit.lang))),
        };
    let setting = |d: NaiveDate| days.iter().find(|(x, _)| *x == d).map(|(_, s)| *s);
    let (prev, next) = (prev_month(first), next_month(first));
    let title = format!(
        "{} {}",
        visit.t("工作日历", "Working-day calendar"),
        match visit.lang {
            liandong_domain::Lang::Zh => format!("{}年{}月", year, first.month()),
            liandong_domain::Lang::En => first.format("%B %Y").to_string(),
        }
    );
    let lead = first.weekday().num_days_from_monday() as usize;
    let mut cells: Vec<Option<NaiveDate>> = vec![None; lead];
    let mut d = first;
    while d < next {
        cells.push(Some(d));
        d += Duration::days(1);
    }
    while !cells.len().is_multiple_of(7) {
        cells.push(None);
    }
    let heads = [
        visit.t("一", "Mon"),
        visit.t("二", "Tue"),
        visit.t("三", "Wed"),
        visit.t("四", "Thu"),
        visit.t("五", "Fri"),
        visit.t("六", "Sat"),
        visit.t("日", "Sun"),
    ];
    let body = html! {
        (banner(console, visit, done))
        (layout::problem_banner(read_problem.as_ref()))
        (layout::problem_banner(problem.as_ref()))
        @if !known {
            p.muted { (visit.t("本年度日历尚未设置：未设置的日子按周一至周五计工作日。",
                "This year's calendar is not set yet: days not set count Monday to Friday.")) }
        }
        nav.pager aria-label=(visit.t("月份", "Months")) {
            a href={ "/manage/calendar?year=" (prev.year()) "&month=" (prev.month()) } { (visit.t("上个月", "Previous month")) }
            a href={ "/manage/calendar?year=" (next.year()) "&month=" (next.month()) } { (visit.t("下个月", "Next month")) }
        }
        table.calendar {
            thead { tr { @for h in heads { th scope="col" { (h) } } } }
            tbody {
                @for week in cells.chunks(7) {
                    tr { @for cell in week {
                        @match cell {
                            None => td.empty {},
                            Some(day) => (day_cell(visit, *day, setting(*day))),
                        }
                    } }
                }
            }
        }
    };
    layout::page(&console.core, visit, Some(who), &title, body)
}

fn day_cell(visit: &Visit, day: NaiveDate, setting: Option<DaySetting>) -> Markup {
    let worked = working(day, setting);
    let class = if worked { "work" } else { "rest" };
    let date = day.to_string();
    let choices = [
        (DaySetting::Holiday, "holiday", visit.t("休", "Off")),
        (DaySetting::Workday, "workday", visit.t("班", "Work")),
        (DaySetting::Ordinary, "ordinary", visit.t("常", "Rule")),
    ];
    html! {
        td class=(class) data-date=(date) data-setting=[setting.map(setting_word)] {
            div.day { strong { (day.day()) } " "
                span.muted { @if worked { (visit.t("工作日", "working")) } @else { (visit.t("休息日", "rest")) } } }
            @if let Some(s) = setting.filter(|s| *s != DaySetting::Ordinary) {
                div.set { span.tag.(if s == DaySetting::Holiday { "red" } else { "ok" }) { (s.label(visit.lang)) } }
            }
            form.daybuttons method="post" action="/manage/calendar" {
                (layout::csrf_field(visit))
                input type="hidden" name="date" value=(date);
                @for (s, word, short) in choices {
                    button.secondary type="submit" name="setting" value=(word)
                        aria-pressed=(if setting.unwrap_or(DaySetting::Ordinary) == s { "true" } else { "false" })
                        aria-label={ (layout::chinese_date(day)) " " (s.label(visit.lang)) }
                        title=(s.label(visit.lang)) { (short) }
                }
            }
        }
    }
}

fn setting_word(s: DaySetting) -> &'static str {
    match s {
        DaySetting::Holiday => "holiday",
        DaySetting::Workday => "workday",
        DaySetting::Ordinary => "ordinary",
    }
}

#[derive(Deserialize)]
pub struct DayForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    setting: String,
}

/// `POST /manage/calendar`: one day's setting (`SetCalendar`), then back
/// to its month.
pub async fn set(State(console): State<Console>, visit: Visit, Form(f): Form<DayForm>) -> Response {
    if !csrf_ok(visit.token.as_deref(), &f.csrf) {
        return csrf_refused(&visit);
    }
    let who = match console.signed_in(&visit).await {
        Ok(who) => who,
        Err(d) => return d.into_response(),
    };
    let today = crate::node_core::cst_day(console.core.now_ms());
    let Ok(day) = NaiveDate::parse_from_str(f.date.trim(), "%Y-%m-%d") else {
        let p = Problem::at(
            "date",
            visit.t("日期无效（YYYY-MM-DD）", "not a date (YYYY-MM-DD)"),
        );
        let r = show(
            &console,
            &visit,
            &who,
            today.with_day(1).unwrap_or(today),
            false,
            Some(p),
        )
        .await;
        return with_status(r, axum::http::StatusCode::BAD_REQUEST);
    };
    let setting = match f.setting.as_str() {
        "holiday" => DaySetting::Holiday,
        "workday" => DaySetting::Workday,
        _ => DaySetting::Ordinary,
    };
    let first = day.with_day(1).unwrap_or(day);
    let request = Request::SetCalendar {
        dates: vec![day],
        setting,
    };
    match console.call(&visit, request).await {
        Ok(_) => Redirect::to(&format!(
            "/manage/calendar?year={}&month={}&done=1",
            first.year(),
            first.month()
        ))
        .into_response(),
        Err(e) => {
            let r = show(
                &console,
                &visit,
                &who,
                first,
                false,
                Some(Problem::of(&e, visit.lang)),
            )
            .await;
            with_status(r, status_of(&e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn a_weekend_is_rest_unless_set_as_a_workday_and_a_holiday_is_rest() {
        assert!(!working(day("2026-12-05"), None), "a Saturday");
        assert!(working(day("2026-12-05"), Some(DaySetting::Workday)));
        assert!(!working(day("2026-12-02"), Some(DaySetting::Holiday)));
        assert!(working(day("2026-12-02"), Some(DaySetting::Ordinary)));
    }

    #[test]
    fn months_step_across_the_year_end_and_a_bad_month_is_this_month() {
        assert_eq!(next_month(day("2026-12-01")), day("2027-01-01"));
        assert_eq!(prev_month(day("2027-01-01")), day("2026-12-01"));
        let m = Month {
            year: Some("2026".into()),
            month: Some("13".into()),
            done: None,
        };
        assert_eq!(first_of(&m, day("2026-03-15")), day("2026-03-01"));
    }
}
