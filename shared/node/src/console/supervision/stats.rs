//! The dashboard's figures, computed from plain facts of each case and
//! item (no store, no clock: `today` is given), so they are tested here:
//!
//! - on-time rate, per centre and per department, of the cases whose clock
//!   stopped (concluded, rejected, withdrawn) in the last
//!   [`WINDOW_DAYS`] days, today included: on time unless the clock had
//!   passed the promised deadline;
//! - warnings per week: the supervision items raised in each of the last
//!   weeks (Monday to Sunday), oldest first;
//! - open items by age: the unresolved items by the days since they were
//!   raised, in [`AGE_BUCKETS`].

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};

/// The on-time window, in calendar days.
pub const WINDOW_DAYS: i64 = 30;

/// What the figures need of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// The centre that accepted it (`T01`, or the county's name).
    pub centre: String,
    /// The departments it counts for (routed to, else the matter's lead).
    pub departments: Vec<String>,
    /// When its clock stopped, if it did.
    pub stopped_on: Option<NaiveDate>,
    /// The clock passed the promised deadline.
    pub overdue: bool,
}

/// What the figures need of one supervision item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemFacts {
    /// The day it was raised (flagged, or its deadline crossed).
    pub raised_on: NaiveDate,
    pub resolved: bool,
}

/// The on-time figure of one centre or department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    pub key: String,
    pub on_time: u32,
    pub total: u32,
}

impl Rate {
    /// The rate in whole per cent (rounded half up; 0 cases: 0).
    pub fn percent(&self) -> u32 {
        if self.total == 0 {
            0
        } else {
            (self.on_time * 200 + self.total) / (self.total * 2)
        }
    }
}

fn in_window(day: NaiveDate, today: NaiveDate) -> bool {
    day <= today && day > today - Duration::days(WINDOW_DAYS)
}

fn rates<'a>(
    cases: &'a [CaseFacts],
    today: NaiveDate,
    keys: impl Fn(&'a CaseFacts) -> Vec<&'a str>,
) -> Vec<Rate> {
    let mut by: BTreeMap<&str, (u32, u32)> = BTreeMap::new();
    for c in cases {
        if !c.stopped_on.is_some_and(|d| in_window(d, today)) {
            continue;
        }
        for key in keys(c) {
            let e = by.entry(key).or_default();
            e.1 += 1;
            if !c.overdue {
                e.0 += 1;
            }
        }
    }
    by.into_iter()
        .map(|(key, (on_time, total))| Rate {
            key: key.to_string(),
            on_time,
            total,
        })
        .collect()
}

/// On-time rate per centre over the last [`WINDOW_DAYS`] days.
pub fn on_time_by_centre(cases: &[CaseFacts], today: NaiveDate) -> Vec<Rate> {
    rates(cases, today, |c| vec![c.centre.as_str()])
}

/// On-time rate per department over the last [`WINDOW_DAYS`] days (a
/// case routed to two departments counts for each).
pub fn on_time_by_department(cases: &[CaseFacts], today: NaiveDate) -> Vec<Rate> {
    rates(cases, today, |c| {
        c.departments.iter().map(String::as_str).collect()
    })
}

/// One week's count: the Monday it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    pub monday: NaiveDate,
    pub count: u32,
}

fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Items raised in each of the last `weeks` weeks (this week last).
pub fn warnings_per_week(items: &[ItemFacts], today: NaiveDate, weeks: usize) -> Vec<Week> {
    let this = monday_of(today);
    let mut out: Vec<Week> = (0..weeks)
        .rev()
        .map(|n| Week {
            monday: this - Duration::weeks(n as i64),
            count: 0,
        })
        .collect();
    for item in items {
        let monday = monday_of(item.raised_on);
        if let Some(w) = out.iter_mut().find(|w| w.monday == monday) {
            w.count += 1;
        }
    }
    out
}

/// The age buckets of open items: (first day, last day or none, Chinese,
/// English).
pub const AGE_BUCKETS: [(i64, Option<i64>, &str, &str); 5] = [
    (0, Some(2), "0–2 天", "0–2 days"),
    (3, Some(7), "3–7 天", "3–7 days"),
    (8, Some(14), "8–14 天", "8–14 days"),
    (15, Some(30), "15–30 天", "15–30 days"),
    (31, None, "30 天以上", "over 30 days"),
];

/// Unresolved items per age bucket, in [`AGE_BUCKETS`] order (an item
/// raised after `today`, by a skewed clock, counts as new).
pub fn open_by_age(items: &[ItemFacts], today: NaiveDate) -> [u32; AGE_BUCKETS.len()] {
    let mut out = [0; AGE_BUCKETS.len()];
    for item in items.iter().filter(|i| !i.resolved) {
        let age = (today - item.raised_on).num_days().max(0);
        if let Some(i) = AGE_BUCKETS
            .iter()
            .position(|(from, to, _, _)| age >= *from && to.is_none_or(|t| age <= t))
        {
            out[i] += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn case(centre: &str, depts: &[&str], stopped: Option<&str>, overdue: bool) -> CaseFacts {
        CaseFacts {
            centre: centre.into(),
            departments: depts.iter().map(|d| d.to_string()).collect(),
            stopped_on: stopped.map(day),
            overdue,
        }
    }

    #[test]
    fn the_on_time_rate_counts_cases_stopped_in_the_last_thirty_days_only() {
        let today = day("2026-12-31");
        let cases = [
            case("T01", &["D01"], Some("2026-12-31"), false),
            case("T01", &["D01", "D03"], Some("2026-12-02"), true),
            case("T01", &["D01"], Some("2026-12-01"), false), // 31st day back: out
            case("T02", &["D03"], None, true),                // still running: out
            case("T02", &["D03"], Some("2026-12-20"), false),
        ];
        let centres = on_time_by_centre(&cases, today);
        assert_eq!(
            centres,
            vec![
                Rate {
                    key: "T01".into(),
                    on_time: 1,
                    total: 2
                },
                Rate {
                    key: "T02".into(),
                    on_time: 1,
                    total: 1
                },
            ]
        );
        assert_eq!((centres[0].percent(), centres[1].percent()), (50, 100));
        let depts = on_time_by_department(&cases, today);
        let d: Vec<(&str, u32, u32)> = depts
            .iter()
            .map(|r| (r.key.as_str(), r.on_time, r.total))
            .collect();
        assert_eq!(d, vec![("D01", 1, 2), ("D03", 1, 2)]);
    }

    #[test]
    fn a_rate_rounds_half_up_and_is_zero_without_cases() {
        let r = |on_time, total| Rate {
            key: String::new(),
            on_time,
            total,
        };
        assert_eq!(r(2, 3).percent(), 67);
        assert_eq!(r(1, 8).percent(), 13);
        assert_eq!(r(0, 0).percent(), 0);
    }

    #[test]
    fn warnings_are_counted_in_the_week_they_were_raised_this_week_last() {
        let today = day("2026-12-02"); // a Wednesday
        let items = [
            ItemFacts {
                raised_on: day("2026-11-30"), // this Monday
                resolved: false,
            },
            ItemFacts {
                raised_on: day("2026-11-29"), // last Sunday
                resolved: true,
            },
            ItemFacts {
                raised_on: day("2026-01-01"), // long before: not shown
                resolved: false,
            },
        ];
        let weeks = warnings_per_week(&items, today, 3);
        let got: Vec<(NaiveDate, u32)> = weeks.iter().map(|w| (w.monday, w.count)).collect();
        assert_eq!(
            got,
            vec![
                (day("2026-11-16"), 0),
                (day("2026-11-23"), 1),
                (day("2026-11-30"), 1)
            ]
        );
    }

    #[test]
    fn open_items_fall_in_their_age_bucket_and_resolved_ones_in_none() {
        let today = day("2026-12-31");
        let item = |raised: &str, resolved| ItemFacts {
            raised_on: day(raised),
            resolved,
        };
        let items = [
            item("2026-12-31", false), // 0 days
            item("2027-01-02", false), // skewed: new
            item("2026-12-29", false), // 2 days
            item("2026-12-28", false), // 3 days
            item("2026-12-01", false), // 30 days
            item("2026-11-30", false), // 31 days
            item("2026-12-30", true),  // resolved
        ];
        assert_eq!(open_by_age(&items, today), [3, 1, 0, 1, 1]);
    }
}
