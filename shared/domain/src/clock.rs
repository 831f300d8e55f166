//! The working-day clock of a case (DOMAIN.md §4).
//!
//! Before acceptance only the notice clock runs: the centre must send a
//! correction notice, accept or reject within `notice_days` working days of
//! the application, or the case is deemed accepted as of the application
//! day. From acceptance, the clock counts working days after the acceptance
//! day, minus paused ones: a supplement request (补齐补正) pauses until it is
//! supplied; a code 2 special procedure pauses until it ends unless the
//! pinned catalogue counts that step toward the limit; a code 1 extension
//! adds its days to both limits. Overlapping pauses count once. A pause
//! covers the working days after its start day up to and including its end
//! day (the same convention as the acceptance day); an open pause runs to
//! today, so the due date is an estimate until it ends. A due date that a
//! pause reaches past (a case paused on its last day, 0 days left) moves to
//! the last day the pause covers: a deadline passes only once some day
//! after it is covered by no pause, on the promised and the statutory limit
//! alike. Conclusion, withdrawal or rejection stops the clock.
//!
//! A deadline is a date; it has passed once a later date begins (office
//! hours are not modelled).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::base::Lang;
use crate::calendar::{cst_date, Calendar};
use crate::context::FoldContext;
use crate::event::{EventKind, SpecialCode};
use crate::facts::{Ev, Facts};
use crate::matter::SpecialKind;
use liandong_model::OpId;

/// Longest limit the clock runs, extensions included (ten years of working
/// days): bounds the work a forged extension can cause.
pub const MAX_CLOCK_DAYS: u32 = 2_500;

/// Whether the clock is counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClockState {
    NotStarted,
    Running,
    Paused,
    Stopped,
}

impl ClockState {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            ClockState::NotStarted => lang.pick("未起算", "not started"),
            ClockState::Running => lang.pick("计时中", "running"),
            ClockState::Paused => lang.pick("暂停", "paused"),
            ClockState::Stopped => lang.pick("已停止", "stopped"),
        }
    }
}

/// Why the clock paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PauseReason {
    Supplement,
    SpecialProcedure(SpecialKind),
}

/// One pause, from the day it started to the day it ended (open: `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub op: OpId,
    pub reason: PauseReason,
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

/// The clock as of `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub state: ClockState,
    pub submitted_on: Option<NaiveDate>,
    /// Last day to notify, accept or reject.
    pub notice_due: Option<NaiveDate>,
    /// Working days left on the notice clock (before acceptance only).
    pub notice_days_left: Option<i64>,
    pub accepted_on: Option<NaiveDate>,
    /// Accepted by law: no reply within the notice days.
    pub deemed_accepted: bool,
    pub stopped_on: Option<NaiveDate>,
    /// Promised limit (0 for an immediate matter) plus extensions; unknown
    /// without the matter.
    pub limit_days: Option<u32>,
    pub statutory_limit_days: Option<u32>,
    pub extension_days: u32,
    /// Deadline on the promised limit.
    pub due: Option<NaiveDate>,
    pub statutory_due: Option<NaiveDate>,
    pub used_days: u32,
    /// Negative once overdue.
    pub left_days: Option<i64>,
    pub paused: bool,
    pub paused_days: u32,
    pub pauses: Vec<Pause>,
    /// The clock passed (or stopped after) the promised deadline.
    pub overdue: bool,
    pub statutory_overdue: bool,
    /// Years the clock spans for which the calendar has no entry (assumed
    /// Monday–Friday).
    pub years_unknown: Vec<i32>,
}

impl Clock {
    fn not_started() -> Self {
        Clock {
            state: ClockState::NotStarted,
            submitted_on: None,
            notice_due: None,
            notice_days_left: None,
            accepted_on: None,
            deemed_accepted: false,
            stopped_on: None,
            limit_days: None,
            statutory_limit_days: None,
            extension_days: 0,
            due: None,
            statutory_due: None,
            used_days: 0,
            left_days: None,
            paused: false,
            paused_days: 0,
            pauses: Vec::new(),
            overdue: false,
            statutory_overdue: false,
            years_unknown: Vec::new(),
        }
    }
}

/// Signed working days from `from` to `to` (negative when `to` is earlier).
fn signed_working_days(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> i64 {
    if to >= from {
        i64::from(cal.working_days_between(from, to))
    } else {
        -i64::from(cal.working_days_between(to, from))
    }
}

/// The `n`-th working day after `from` that is not paused.
fn walk(cal: &Calendar, from: NaiveDate, n: u32, paused: &BTreeSet<NaiveDate>) -> NaiveDate {
    let mut counted = 0;
    let mut day = from;
    while counted < n {
        let Some(next) = day.succ_opt() else {
            return NaiveDate::MAX;
        };
        day = next;
        if cal.is_working_day(day) && !paused.contains(&day) {
            counted += 1;
        }
    }
    day
}

fn earliest_date(evs: &[&[Ev<'_>]]) -> Option<NaiveDate> {
    evs.iter().flat_map(|b| b.iter()).map(|e| e.date()).min()
}

/// The pauses that stop the clock, with their end days.
fn pauses(facts: &Facts<'_>, ctx: &FoldContext<'_>) -> Vec<Pause> {
    let mut out = Vec::new();
    for r in &facts.supplement_requests {
        out.push(Pause {
            op: r.op.clone(),
            reason: PauseReason::Supplement,
            from: r.date(),
            until: Facts::answer(&facts.supplements_supplied, r.op).map(|a| a.date()),
        });
    }
    for s in &facts.specials_started {
        let EventKind::SpecialProcedureStarted {
            code: SpecialCode::Other,
            kind,
            ..
        } = s.kind
        else {
            continue;
        };
        let counted = ctx
            .matter
            .and_then(|m| m.special_step(kind))
            .is_some_and(|step| step.counted);
        if !counted {
            out.push(Pause {
                op: s.op.clone(),
                reason: PauseReason::SpecialProcedure(kind.clone()),
                from: s.date(),
                until: Facts::answer(&facts.specials_ended, s.op).map(|a| a.date()),
            });
        }
    }
    out.sort_by(|a, b| (a.from, &a.op).cmp(&(b.from, &b.op)));
    out
}

/// Working days paused after acceptance up to `end`, each counted once.
fn paused_days(
    cal: &Calendar,
    pauses: &[Pause],
    accepted_on: NaiveDate,
    end: NaiveDate,
) -> BTreeSet<NaiveDate> {
    let mut days = BTreeSet::new();
    for p in pauses {
        let start = p.from.max(accepted_on);
        let stop = p.until.unwrap_or(end).min(end);
        days.extend(
            start
                .iter_days()
                .skip(1)
                .take_while(|d| *d <= stop)
                .filter(|d| cal.is_working_day(*d)),
        );
    }
    days
}

/// Whether a pause covers `day`: a day after a pause's start (and after
/// acceptance) up to its end, an open pause up to `end`. Every calendar
/// day counts, so a weekend inside a pause is covered too.
fn covered(pauses: &[Pause], accepted_on: NaiveDate, end: NaiveDate, day: NaiveDate) -> bool {
    pauses.iter().any(|p| {
        let start = p.from.max(accepted_on);
        let stop = p.until.unwrap_or(end).min(end);
        start < day && day <= stop
    })
}

/// `due`, moved to the last day of the run of covered days right after it
/// (unchanged when the day after it is covered by no pause).
fn past_covered(
    pauses: &[Pause],
    accepted_on: NaiveDate,
    end: NaiveDate,
    due: NaiveDate,
) -> NaiveDate {
    let mut last = due;
    // Bounded: covered days never pass `end` (today or the stop).
    while let Some(next) = last.succ_opt() {
        if next > end || !covered(pauses, accepted_on, end, next) {
            break;
        }
        last = next;
    }
    last
}

/// Code 1 extension days of the procedures started at or before business
/// time `until_ms` (all of them: `u64::MAX`).
fn code1_extension_days(facts: &Facts<'_>, until_ms: u64) -> u32 {
    facts
        .specials_started
        .iter()
        .filter(|s| s.at_ms <= until_ms)
        .map(|s| match s.kind {
            EventKind::SpecialProcedureStarted {
                code: SpecialCode::Extension,
                days,
                ..
            } => u32::from(*days),
            _ => 0,
        })
        .fold(0, u32::saturating_add)
}

/// The promised and statutory limits, extensions included, as they stood
/// at business time `at_ms`: the clock's `limit_days` and
/// `statutory_limit_days` of that moment (extensions only ever add, so this
/// tells which crossing a warning raised then was on). `None` without the
/// matter.
pub(crate) fn limits_at(
    facts: &Facts<'_>,
    ctx: &FoldContext<'_>,
    at_ms: u64,
) -> Option<(u32, u32)> {
    let m = ctx.matter?;
    let extension = code1_extension_days(facts, at_ms);
    let limit = (m.clock_limit_days() + extension).min(MAX_CLOCK_DAYS);
    let statutory = (u32::from(m.statutory_days) + extension).min(MAX_CLOCK_DAYS);
    Some((limit, statutory))
}

/// The clock of a case from its facts.
pub(crate) fn compute(facts: &Facts<'_>, ctx: &FoldContext<'_>) -> Clock {
    let cal = ctx.calendar;
    let today = cst_date(ctx.now_ms);
    let Some(submission) = facts.submission() else {
        return Clock::not_started();
    };
    let submitted_on = submission.date();
    let notice_due = cal.add_working_days(submitted_on, ctx.thresholds.notice_days);
    let withdrawn_on = earliest_date(&[&facts.withdrawn]);
    let horizon = withdrawn_on.map_or(today, |w| w.min(today));
    let first_reply = facts.first_response().map(|e| e.date());
    let deemed = first_reply.is_none_or(|d| d > notice_due) && horizon > notice_due;
    let accepted_on = if deemed {
        Some(submitted_on)
    } else {
        facts.first_accepted().map(|e| e.date())
    };
    let stopped_on = earliest_date(&[&facts.concluded, &facts.withdrawn, &facts.rejected]);
    let mut clock = Clock {
        submitted_on: Some(submitted_on),
        notice_due: Some(notice_due),
        stopped_on,
        years_unknown: years_unknown(cal, submitted_on, today.max(notice_due)),
        ..Clock::not_started()
    };
    let Some(accepted_on) = accepted_on else {
        if stopped_on.is_none() {
            clock.notice_days_left = Some(signed_working_days(cal, today, notice_due));
        } else {
            clock.state = ClockState::Stopped;
        }
        return clock;
    };
    // A stop dated after `now` (a skewed clock) counts as today.
    let end = stopped_on.unwrap_or(today).min(today).max(accepted_on);
    let extension = code1_extension_days(facts, u64::MAX);
    let pauses = pauses(facts, ctx);
    let paused_set = paused_days(cal, &pauses, accepted_on, end);
    let paused_days = u32::try_from(paused_set.len()).unwrap_or(u32::MAX);
    let used = cal
        .working_days_between(accepted_on, end)
        .saturating_sub(paused_days);
    let limit = ctx
        .matter
        .map(|m| (m.clock_limit_days() + extension).min(MAX_CLOCK_DAYS));
    let statutory = ctx
        .matter
        .map(|m| (u32::from(m.statutory_days) + extension).min(MAX_CLOCK_DAYS));
    let deadline = |n: u32| {
        let due = walk(cal, accepted_on, n, &paused_set);
        past_covered(&pauses, accepted_on, end, due)
    };
    let due = limit.map(deadline);
    let statutory_due = statutory.map(deadline);
    let paused = stopped_on.is_none() && pauses.iter().any(|p| p.until.is_none());
    let last_day = [Some(end), due, statutory_due].into_iter().flatten().max();
    Clock {
        state: match (stopped_on, paused) {
            (Some(_), _) => ClockState::Stopped,
            (None, true) => ClockState::Paused,
            (None, false) => ClockState::Running,
        },
        accepted_on: Some(accepted_on),
        deemed_accepted: deemed,
        limit_days: limit,
        statutory_limit_days: statutory,
        extension_days: extension,
        due,
        statutory_due,
        used_days: used,
        left_days: limit.map(|n| i64::from(n) - i64::from(used)),
        paused,
        paused_days,
        pauses,
        overdue: due.is_some_and(|d| end > d),
        statutory_overdue: statutory_due.is_some_and(|d| end > d),
        years_unknown: years_unknown(cal, submitted_on, last_day.unwrap_or(end)),
        ..clock
    }
}

fn years_unknown(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> Vec<i32> {
    // Bounded: a forged far-future time must not make this loop long.
    (from.year()..=to.year().min(from.year().saturating_add(10)))
        .filter(|y| !cal.year_known(*y))
        .collect()
}
