//! Warnings on a case, derived from (events, calendar, matter, now) — the
//! e-supervision rules of DOMAIN.md §4 plus the technical flags (clock skew,
//! a year missing from the calendar). A warning that e-supervision acts on
//! maps to a [`Rule`] and a threshold, from which the supervision item's id
//! is derived; the technical flags have no rule.
//!
//! Yellow is "at most `yellow_days_left` working days remain" on the
//! promised limit of a running clock (never for an immediate matter, whose
//! limit is the acceptance day); red is "the promised deadline passed
//! before the clock stopped" and stays on a case concluded late.
//!
//! A crossing ([`Warning::threshold`]) is named by what was crossed, never
//! by a date that moves: yellow, red and statutory overdue by the limit in
//! working days they were crossed on (extensions included, so a code 1
//! extension makes the next crossing a new one), while the due date they
//! show moves with every paused day. The delivery due date is fixed by the
//! conclusion day, so it names its crossing.
//!
//! Delivery is awaited after an approval is concluded, except for an
//! immediate matter (即办件) concluded at the window: its first live
//! `Concluded` recorded at the node that accepted it (the node of its first
//! `Accepted`; of its `Submitted` when deemed accepted), on the acceptance
//! day. The applicant is at that window, so the result is handed over on
//! the spot and no `Delivered` follows. An immediate matter concluded on a
//! later day (red already: its limit is the acceptance day), or at another
//! node (the county concluding a township's case), is awaited like a
//! promised one, and so is every promised matter (承诺件).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::base::Lang;
use crate::calendar::cst_date;
use crate::clock::{Clock, ClockState};
use crate::context::FoldContext;
use crate::event::{EventKind, SpecialCode};
use crate::facts::Facts;
use crate::matter::{MatterKind, SpecialKind};
use crate::record::CaseRecord;
use crate::rule::Rule;
use crate::status::{Conflict, ConflictKind};
use liandong_model::OpId;

/// Whose stage overran.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OverrunStage {
    /// A routed department gave no opinion or decision in its stage limit.
    Department(String),
    /// A special procedure ran past its days.
    Special(SpecialKind),
    /// A township asked for an opinion gave none in its stage limit.
    Township(String),
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Warning {
    Conflict {
        kind: ConflictKind,
        ops: Vec<OpId>,
    },
    /// The promised deadline passed on the limit of `limit_days`.
    Red {
        due: NaiveDate,
        limit_days: u32,
    },
    /// The statutory deadline passed on the limit of `limit_days`.
    StatutoryOverdue {
        due: NaiveDate,
        limit_days: u32,
    },
    /// `days_left` working days remain on the promised limit of `limit_days`.
    Yellow {
        due: NaiveDate,
        days_left: i64,
        limit_days: u32,
    },
    StageOverrun {
        stage: OverrunStage,
        deadline: NaiveDate,
    },
    DeemedAccepted {
        notice_due: NaiveDate,
    },
    RejectionWithoutReasons {
        op: OpId,
    },
    DecisionWithoutReasons {
        op: OpId,
    },
    FeeNotInCatalogue {
        op: OpId,
        item: String,
        amount_fen: u64,
    },
    DeliveryOverdue {
        due: NaiveDate,
    },
    BadReviewOverdue {
        evaluation: OpId,
        due: NaiveDate,
    },
    ClockSkew {
        op: OpId,
        skew_ms: u64,
    },
    CalendarYearUnknown {
        year: i32,
    },
}

impl Warning {
    /// The e-supervision rule, if e-supervision acts on this warning.
    pub fn rule(&self) -> Option<Rule> {
        Some(match self {
            Warning::Conflict { .. } => Rule::Conflict,
            Warning::Red { .. } => Rule::Red,
            Warning::StatutoryOverdue { .. } => Rule::StatutoryOverdue,
            Warning::Yellow { .. } => Rule::Yellow,
            Warning::StageOverrun { .. } => Rule::StageOverrun,
            Warning::DeemedAccepted { .. } => Rule::DeemedAccepted,
            Warning::RejectionWithoutReasons { .. } => Rule::RejectionWithoutReasons,
            Warning::DecisionWithoutReasons { .. } => Rule::DecisionWithoutReasons,
            Warning::FeeNotInCatalogue { .. } => Rule::FeeNotInCatalogue,
            Warning::DeliveryOverdue { .. } => Rule::DeliveryOverdue,
            Warning::BadReviewOverdue { .. } => Rule::BadReviewOverdue,
            Warning::ClockSkew { .. } | Warning::CalendarYearUnknown { .. } => return None,
        })
    }

    /// What distinguishes one crossing of the rule from another on the
    /// same case: the limit a deadline was crossed on, the event or
    /// department concerned. Never a date that moves while the clock is
    /// paused, since the item id is derived from it.
    pub fn threshold(&self) -> String {
        match self {
            Warning::Conflict { kind, ops } => {
                let ops: Vec<String> = ops.iter().map(ToString::to_string).collect();
                format!("{}:{}", kind.key(), ops.join(","))
            }
            Warning::Red { limit_days, .. }
            | Warning::StatutoryOverdue { limit_days, .. }
            | Warning::Yellow { limit_days, .. } => Self::limit_threshold(*limit_days),
            Warning::DeliveryOverdue { due } => format!("due:{due}"),
            Warning::StageOverrun { stage, deadline } => match stage {
                OverrunStage::Department(d) => format!("department:{d}:{deadline}"),
                OverrunStage::Special(k) => format!("special:{}:{deadline}", k.label(Lang::En)),
                OverrunStage::Township(t) => format!("township:{t}:{deadline}"),
            },
            Warning::DeemedAccepted { notice_due } => format!("notice:{notice_due}"),
            Warning::RejectionWithoutReasons { op }
            | Warning::DecisionWithoutReasons { op }
            | Warning::FeeNotInCatalogue { op, .. }
            | Warning::ClockSkew { op, .. }
            | Warning::BadReviewOverdue { evaluation: op, .. } => format!("op:{op}"),
            Warning::CalendarYearUnknown { year } => format!("year:{year}"),
        }
    }

    /// The threshold of a yellow, red or statutory-overdue crossing on a
    /// limit of `limit_days` working days.
    pub fn limit_threshold(limit_days: u32) -> String {
        format!("limit:{limit_days}")
    }

    /// One line for a clerk or a supervisor.
    pub fn describe(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        match self {
            Warning::Conflict { kind, ops } => {
                let ops: Vec<String> = ops.iter().map(ToString::to_string).collect();
                let ops = ops.join(", ");
                if zh {
                    format!("冲突：{}（{ops}）", kind.describe(lang))
                } else {
                    format!("conflict: {} ({ops})", kind.describe(lang))
                }
            }
            Warning::Red { due, .. } if zh => format!("红牌：承诺时限 {due} 已过仍未办结"),
            Warning::Red { due, .. } => format!("red: promised deadline {due} passed unconcluded"),
            Warning::StatutoryOverdue { due, .. } if zh => format!("超过法定时限（{due}）"),
            Warning::StatutoryOverdue { due, .. } => format!("statutory deadline {due} passed"),
            Warning::Yellow { due, days_left, .. } if zh && *days_left <= 0 => {
                format!("黄牌：承诺时限今日到期（{due}）")
            }
            Warning::Yellow { due, days_left, .. } if zh => {
                format!("黄牌：距承诺时限 {due} 仅剩 {days_left} 个工作日")
            }
            Warning::Yellow { due, days_left, .. } => {
                format!("yellow: {days_left} working day(s) left to {due}")
            }
            Warning::StageOverrun { stage, deadline } => {
                let stage = match stage {
                    OverrunStage::Department(d) => d.clone(),
                    OverrunStage::Special(k) => k.label(lang).to_string(),
                    OverrunStage::Township(t) => t.clone(),
                };
                if zh {
                    format!("环节超时：{stage}（时限 {deadline}）")
                } else {
                    format!("stage overrun: {stage} (limit {deadline})")
                }
            }
            Warning::DeemedAccepted { notice_due } if zh => {
                format!("视为受理：{notice_due} 前未告知补正、受理或不予受理")
            }
            Warning::DeemedAccepted { notice_due } => {
                format!("deemed accepted: no notice, acceptance or rejection by {notice_due}")
            }
            Warning::RejectionWithoutReasons { op } if zh => {
                format!("不予受理未说明理由或依据（{op}）")
            }
            Warning::RejectionWithoutReasons { op } => {
                format!("rejection without reason or legal basis ({op})")
            }
            Warning::DecisionWithoutReasons { op } if zh => format!("不予许可未说明理由（{op}）"),
            Warning::DecisionWithoutReasons { op } => format!("denial without reasons ({op})"),
            Warning::FeeNotInCatalogue {
                item, amount_fen, ..
            } if zh => {
                format!("收费不在目录内：{item} {amount_fen} 分")
            }
            Warning::FeeNotInCatalogue {
                item, amount_fen, ..
            } => {
                format!("fee not in the catalogue: {item} {amount_fen} fen")
            }
            Warning::DeliveryOverdue { due } if zh => format!("送达超时（应于 {due} 前送达）"),
            Warning::DeliveryOverdue { due } => format!("delivery overdue (due {due})"),
            Warning::BadReviewOverdue { due, .. } if zh => format!("差评未在 {due} 前整改"),
            Warning::BadReviewOverdue { due, .. } => format!("bad review not handled by {due}"),
            Warning::ClockSkew { op, skew_ms } if zh => {
                format!("时钟偏差 {} 秒（{op}）", skew_ms / 1000)
            }
            Warning::ClockSkew { op, skew_ms } => format!("clock skew {} s ({op})", skew_ms / 1000),
            Warning::CalendarYearUnknown { year } if zh => {
                format!("{year} 年工作日历未录入，按周一至周五计算")
            }
            Warning::CalendarYearUnknown { year } => {
                format!("no calendar for {year}: Monday to Friday assumed")
            }
        }
    }
}

/// Every warning on a case, sorted.
pub(crate) fn derive(
    record: &CaseRecord,
    facts: &Facts<'_>,
    clock: &Clock,
    conflicts: &[Conflict],
    ctx: &FoldContext<'_>,
) -> Vec<Warning> {
    let mut out: Vec<Warning> = conflicts
        .iter()
        .map(|c| Warning::Conflict {
            kind: c.kind.clone(),
            ops: c.ops.clone(),
        })
        .collect();
    clock_warnings(clock, ctx, &mut out);
    stage_warnings(facts, clock, ctx, &mut out);
    content_warnings(facts, ctx, &mut out);
    after_conclusion_warnings(facts, clock, ctx, &mut out);
    for (op, e) in record.iter() {
        let skew_ms = e.event.at_ms.abs_diff(e.hlc.wall_ms);
        if skew_ms > ctx.thresholds.skew_ms {
            out.push(Warning::ClockSkew {
                op: op.clone(),
                skew_ms,
            });
        }
    }
    out.extend(
        clock
            .years_unknown
            .iter()
            .map(|&year| Warning::CalendarYearUnknown { year }),
    );
    out.sort();
    out.dedup();
    out
}

fn clock_warnings(clock: &Clock, ctx: &FoldContext<'_>, out: &mut Vec<Warning>) {
    if clock.deemed_accepted {
        if let Some(notice_due) = clock.notice_due {
            out.push(Warning::DeemedAccepted { notice_due });
        }
    }
    if let (Some(due), Some(limit), Some(left)) = (clock.due, clock.limit_days, clock.left_days) {
        let running = matches!(clock.state, ClockState::Running | ClockState::Paused);
        if clock.overdue {
            out.push(Warning::Red {
                due,
                limit_days: limit,
            });
        } else if running && limit > 0 && left <= i64::from(ctx.thresholds.yellow_days_left) {
            out.push(Warning::Yellow {
                due,
                days_left: left,
                limit_days: limit,
            });
        }
    }
    if let (true, Some(due), Some(limit_days)) = (
        clock.statutory_overdue,
        clock.statutory_due,
        clock.statutory_limit_days,
    ) {
        out.push(Warning::StatutoryOverdue { due, limit_days });
    }
}

/// The day observation ends: the clock's stop or today, whichever first.
fn horizon(clock: &Clock, ctx: &FoldContext<'_>) -> NaiveDate {
    let today = cst_date(ctx.now_ms);
    clock.stopped_on.map_or(today, |s| s.min(today))
}

fn stage_warnings(facts: &Facts<'_>, clock: &Clock, ctx: &FoldContext<'_>, out: &mut Vec<Warning>) {
    let cal = ctx.calendar;
    let horizon = horizon(clock, ctx);
    for (department, routed) in facts.routed_departments() {
        let EventKind::RoutedToDepartment {
            part,
            stage_limit_days,
            ..
        } = routed.kind
        else {
            continue;
        };
        let catalogue_limit = ctx
            .matter
            .and_then(|m| m.stages.iter().find(|s| &s.name == part))
            .and_then(|s| s.limit_days);
        let Some(limit) = stage_limit_days.or(catalogue_limit) else {
            continue;
        };
        let deadline = cal.add_working_days(routed.date(), u32::from(limit));
        let answered = facts.department_answer(department).map(|a| a.date());
        if answered.unwrap_or(horizon) > deadline {
            out.push(Warning::StageOverrun {
                stage: OverrunStage::Department(department.to_string()),
                deadline,
            });
        }
    }
    // Silence is warned, never taken as assent: a township asked for an
    // opinion within a limit that has not answered by then.
    for (township, asked) in facts.requested_townships() {
        let EventKind::OpinionRequested {
            stage_limit_days: Some(limit),
            ..
        } = asked.kind
        else {
            continue;
        };
        let deadline = cal.add_working_days(asked.date(), u32::from(*limit));
        let answered = facts.township_opinion(township).map(|a| a.date());
        if answered.unwrap_or(horizon) > deadline {
            out.push(Warning::StageOverrun {
                stage: OverrunStage::Township(township.to_string()),
                deadline,
            });
        }
    }
    for s in &facts.specials_started {
        let EventKind::SpecialProcedureStarted {
            code: SpecialCode::Other,
            kind,
            days,
            ..
        } = s.kind
        else {
            continue;
        };
        let deadline = cal.add_working_days(s.date(), u32::from(*days));
        let ended = Facts::answer(&facts.specials_ended, s.op).map(|a| a.date());
        if ended.unwrap_or(horizon) > deadline {
            out.push(Warning::StageOverrun {
                stage: OverrunStage::Special(kind.clone()),
                deadline,
            });
        }
    }
}

fn content_warnings(facts: &Facts<'_>, ctx: &FoldContext<'_>, out: &mut Vec<Warning>) {
    for r in &facts.rejected {
        if let EventKind::Rejected {
            reason,
            legal_basis,
            ..
        } = r.kind
        {
            if reason.trim().is_empty() || legal_basis.trim().is_empty() {
                out.push(Warning::RejectionWithoutReasons { op: r.op.clone() });
            }
        }
    }
    for d in &facts.decisions {
        if let EventKind::Decided {
            approve: false,
            reason,
            ..
        } = d.kind
        {
            if reason.trim().is_empty() {
                out.push(Warning::DecisionWithoutReasons { op: d.op.clone() });
            }
        }
    }
    let Some(matter) = ctx.matter else { return };
    for f in &facts.fees {
        if let EventKind::FeeCharged { item, amount_fen } = f.kind {
            if matter
                .fee(item)
                .is_none_or(|line| line.amount_fen != *amount_fen)
            {
                out.push(Warning::FeeNotInCatalogue {
                    op: f.op.clone(),
                    item: item.clone(),
                    amount_fen: *amount_fen,
                });
            }
        }
    }
}

/// An immediate matter concluded at the window (see the module doc): at
/// the node that accepted it, on its acceptance day, with the applicant
/// there, so delivered on the spot.
fn delivered_at_the_window(facts: &Facts<'_>, clock: &Clock, ctx: &FoldContext<'_>) -> bool {
    let immediate = ctx.matter.is_some_and(|m| m.kind == MatterKind::Immediate);
    let window = facts.first_accepted().or_else(|| facts.submission());
    let on_the_spot = match (facts.first_concluded(), window, clock.accepted_on) {
        (Some(concluded), Some(window), Some(accepted_on)) => {
            concluded.op.origin == window.op.origin && concluded.date() <= accepted_on
        }
        _ => false,
    };
    immediate && on_the_spot
}

fn after_conclusion_warnings(
    facts: &Facts<'_>,
    clock: &Clock,
    ctx: &FoldContext<'_>,
    out: &mut Vec<Warning>,
) {
    let cal = ctx.calendar;
    let today = cst_date(ctx.now_ms);
    let approved = facts.decisions.is_empty()
        || facts
            .decisions
            .iter()
            .any(|d| matches!(d.kind, EventKind::Decided { approve: true, .. }));
    let awaited =
        approved && facts.withdrawn.is_empty() && !delivered_at_the_window(facts, clock, ctx);
    if let (Some(concluded), true) = (facts.first_concluded(), awaited) {
        let due = cal.add_working_days(concluded.date(), ctx.thresholds.delivery_days);
        let delivered = facts.delivered.iter().map(|d| d.date()).min();
        if delivered.unwrap_or(today) > due {
            out.push(Warning::DeliveryOverdue { due });
        }
    }
    for e in &facts.evaluations {
        let EventKind::Evaluated { level, .. } = e.kind else {
            continue;
        };
        if *level < 4 {
            continue;
        }
        let due = cal.add_working_days(e.date(), ctx.thresholds.bad_review_fix_days);
        let handled = Facts::answer(&facts.bad_reviews_handled, e.op).map(|h| h.date());
        if handled.unwrap_or(today) > due {
            out.push(Warning::BadReviewOverdue {
                evaluation: e.op.clone(),
                due,
            });
        }
    }
}
