//! The county's working-day calendar (工作日历, DOMAIN.md §4).
//!
//! A day is a working day when it is Monday to Friday, unless the county
//! marked it a statutory holiday, or when the county marked a weekend day an
//! adjusted working day (调休). Each date's setting is a last-writer-wins
//! register stamped with [`Stamp`], so a set-holiday and a set-workday of
//! the same date, written concurrently, resolve the same way everywhere.
//! A year with no setting at all falls back to Monday–Friday and is reported
//! by [`Calendar::year_known`] so the clock can flag it.
//!
//! All dates are China Standard Time (UTC+8) whatever the machine's zone:
//! [`cst_date`] is the only way a timestamp becomes a date. Office hours are
//! not modelled: a deadline is a date, passed once the next date begins.

use std::collections::BTreeMap;
use std::ops::Bound;

use chrono::{DateTime, Datelike, NaiveDate, Weekday};
use crdts::{lwwreg, CvRDT, LWWReg};
use serde::{Deserialize, Serialize};

use crate::base::{Lang, Stamp};

/// UTC+8, in seconds.
const CST_OFFSET_SECS: i32 = 8 * 3600;

/// Longest range one `--until` may set (a year and a day).
pub const MAX_RANGE_DAYS: i64 = 366;

/// The China Standard Time date of a Unix millisecond timestamp.
pub fn cst_date(unix_ms: u64) -> NaiveDate {
    // The UTC date of the instant shifted by eight hours is the CST date.
    let ms = i64::try_from(unix_ms).unwrap_or(i64::MAX);
    let shifted = ms.saturating_add(i64::from(CST_OFFSET_SECS) * 1000);
    DateTime::from_timestamp_millis(shifted)
        .map(|t| t.date_naive())
        .unwrap_or(NaiveDate::MAX)
}

/// Unix milliseconds of `hour:minute` China Standard Time on `date`
/// (0 for dates before 1970). For callers that turn a typed date into
/// business time, and for tests.
pub fn cst_time_ms(date: NaiveDate, hour: u32, minute: u32) -> u64 {
    let Some(local) = date.and_hms_opt(hour.min(23), minute.min(59), 0) else {
        return 0;
    };
    let utc_ms = local.and_utc().timestamp_millis() - i64::from(CST_OFFSET_SECS) * 1000;
    u64::try_from(utc_ms).unwrap_or(0)
}

/// What the county set for one date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DaySetting {
    /// 法定节假日: not a working day even on a weekday.
    Holiday,
    /// 调休上班: a working day even on a weekend.
    Workday,
    /// Back to the weekday rule (undoes a mistaken setting).
    Ordinary,
}

impl DaySetting {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            DaySetting::Holiday => lang.pick("节假日", "holiday"),
            DaySetting::Workday => lang.pick("调休工作日", "adjusted working day"),
            DaySetting::Ordinary => lang.pick("按周一至周五", "weekday rule"),
        }
    }
}

/// Why a date range was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("--until {until} is before the date {from}")]
    UntilBeforeFrom { from: NaiveDate, until: NaiveDate },
    #[error("the range {from}..{until} is longer than {MAX_RANGE_DAYS} days")]
    RangeTooLong { from: NaiveDate, until: NaiveDate },
}

impl CalendarError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (CalendarError::UntilBeforeFrom { from, until }, Lang::Zh) => {
                format!(
                    "--until（截止日期）{until} 早于起始日期 {from}，请填写不早于起始日期的日期"
                )
            }
            (CalendarError::RangeTooLong { from, until }, Lang::Zh) => {
                format!("日期范围 {from} 至 {until} 超过 {MAX_RANGE_DAYS} 天，请分段设置")
            }
            (other, Lang::En) => other.to_string(),
        }
    }
}

/// Every date from `from` to `until`, both included: what one
/// `set-holiday DATE --until DATE` writes.
pub fn dates_from_until(
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<NaiveDate>, CalendarError> {
    if until < from {
        return Err(CalendarError::UntilBeforeFrom { from, until });
    }
    if (until - from).num_days() >= MAX_RANGE_DAYS {
        return Err(CalendarError::RangeTooLong { from, until });
    }
    Ok(from.iter_days().take_while(|d| *d <= until).collect())
}

fn is_weekday(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// The replicated calendar: one LWW register per date that was ever set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, LWWReg<DaySetting, Stamp>>,
}

impl Calendar {
    pub fn new() -> Self {
        Calendar::default()
    }

    /// Records a setting for `date`; the write with the highest stamp wins.
    pub fn set(&mut self, date: NaiveDate, setting: DaySetting, stamp: Stamp) {
        match self.days.get_mut(&date) {
            Some(reg) => reg.update(setting, stamp),
            None => {
                self.days.insert(
                    date,
                    LWWReg {
                        val: setting,
                        marker: stamp,
                    },
                );
            }
        }
    }

    /// The winning setting of a date, if it was ever set.
    pub fn setting(&self, date: NaiveDate) -> Option<DaySetting> {
        self.days.get(&date).map(|reg| reg.val)
    }

    /// Every date ever set, in date order, with its winning setting.
    pub fn entries(&self) -> impl Iterator<Item = (NaiveDate, DaySetting, &Stamp)> {
        self.days.iter().map(|(d, reg)| (*d, reg.val, &reg.marker))
    }

    /// Whether the county entered anything for `year`; if not, the year is
    /// assumed Monday–Friday and the clock flags it.
    pub fn year_known(&self, year: i32) -> bool {
        let (Some(first), Some(last)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) else {
            return false;
        };
        self.days.range(first..=last).next().is_some()
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        match self.setting(date) {
            Some(DaySetting::Holiday) => false,
            Some(DaySetting::Workday) => true,
            Some(DaySetting::Ordinary) | None => is_weekday(date),
        }
    }

    /// The `n`-th working day after `date` (`date` itself is not counted);
    /// `date` when `n` is 0. This is a time limit's deadline.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> NaiveDate {
        let mut counted = 0;
        let mut day = date;
        while counted < n {
            let Some(next) = day.succ_opt() else {
                return NaiveDate::MAX;
            };
            day = next;
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// How many working days lie in `(a, b]`; 0 when `b <= a`. Counts
    /// weekdays arithmetically, then corrects for the dates set in range,
    /// so a long span costs no more than a short one.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> u32 {
        if b <= a {
            return 0;
        }
        let span = (b - a).num_days();
        let mut count = span / 7 * 5;
        let whole_weeks = chrono::Days::new(u64::try_from(span / 7 * 7).unwrap_or(0));
        let mut day = a.checked_add_days(whole_weeks).unwrap_or(b);
        while day < b {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if is_weekday(day) {
                count += 1;
            }
        }
        let range = (Bound::Excluded(a), Bound::Included(b));
        for (date, reg) in self.days.range(range) {
            match (is_weekday(*date), reg.val) {
                (true, DaySetting::Holiday) => count -= 1,
                (false, DaySetting::Workday) => count += 1,
                _ => {}
            }
        }
        u32::try_from(count.max(0)).unwrap_or(u32::MAX)
    }

    /// Folds another replica's calendar into this one.
    pub fn merge_from(&mut self, other: &Calendar) {
        for (date, reg) in &other.days {
            self.set(*date, reg.val, reg.marker.clone());
        }
    }
}

impl CvRDT for Calendar {
    type Validation = lwwreg::Validation;

    fn validate_merge(&self, other: &Self) -> Result<(), Self::Validation> {
        for (date, theirs) in &other.days {
            if let Some(ours) = self.days.get(date) {
                ours.validate_merge(theirs)?;
            }
        }
        Ok(())
    }

    fn merge(&mut self, other: Self) {
        self.merge_from(&other);
    }
}
