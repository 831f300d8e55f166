//! The supervision pass without a fold of every case: the rule engine and
//! the warning counts look only at the cases whose findings can have
//! changed since the last pass, as the store's [`CheckPlan`] lists them.
//!
//! A case's findings (its supervision items, warning colours, overrun) are
//! a function of its events, the registry (calendar, catalogue, roster,
//! authorisations, routing) and the date in China Standard Time — every
//! threshold is counted in days. So a case needs checking again only when
//! an operation touched it, when the registry changed, or when the day
//! moved on and the case can still change with the date. A check decides
//! the last by folding the case a second time as of ten years later: a
//! case whose items and colours are the same then (a delivered, withdrawn
//! or rejected case with nothing left to run) is quiet and is not looked at
//! again until touched.
//!
//! Each checked case leaves a [`CheckRow`] when it is not quiet or carries
//! something (a colour, an overrun, an item); the warning counts are the
//! rows' colours, and the supervision list folds only the cases with a row
//! that has items plus the cases not yet checked. A pass over a store whose
//! plan says "full" (never checked, or the registry changed since) streams
//! every case once, one in memory at a time.
//!
//! Not yet: the next day a case can change on is not computed; an open
//! case is checked once each day (on the day's first pass), not only on
//! the day one of its thresholds falls.

use std::collections::{BTreeMap, BTreeSet};

use crate::cases::Registry;
use crate::error::NodeError;
use crate::node_core::WarningCounts;
use crate::NodeCore;
use liandong_domain::{fold, supervision_items, CaseEvent, EventKind, Lang, OpBody, Warning};
use liandong_model::{EntityId, Role};
use liandong_store::{CheckPlan, CheckRow, StoredCase};

/// How far ahead a check looks to decide that a case is quiet.
const QUIET_HORIZON_MS: u64 = 10 * 366 * 86_400_000;

/// China Standard Time is eight hours ahead of UTC.
const CST_OFFSET_MS: u64 = 8 * 3_600_000;

/// The day number (since 1970-01-01) of `now_ms` in China Standard Time.
pub(crate) fn day_number(now_ms: u64) -> u32 {
    u32::try_from((now_ms + CST_OFFSET_MS) / 86_400_000).unwrap_or(u32::MAX)
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default)]
pub struct PassOutcome {
    pub counts: WarningCounts,
    /// `SupervisionFlagged` events written.
    pub flagged: usize,
    /// Cases folded.
    pub checked: usize,
    /// Whether every case was folded (never checked, or the registry moved).
    pub full: bool,
}

/// What checking one case found.
struct Finding {
    row: Option<CheckRow>,
    flags: Vec<(EntityId, OpBody)>,
}

/// Folds one case as of `reg.now_ms` and as of the quiet horizon.
fn check_case(case: &StoredCase, reg: &Registry, today: u32) -> Finding {
    let matter = reg.matter_of(&case.record);
    let ctx = reg.context(matter, None);
    let items = supervision_items(&case.id, &case.record, &ctx);
    let state = fold(&case.record, &ctx);
    let colour = |warnings: &[Warning], overdue: bool| {
        (
            warnings.iter().any(|w| matches!(w, Warning::Yellow { .. })),
            warnings.iter().any(|w| matches!(w, Warning::Red { .. })),
            overdue,
        )
    };
    let now = colour(&state.warnings, state.clock.overdue);
    let later_ctx = liandong_domain::FoldContext {
        now_ms: reg.now_ms.saturating_add(QUIET_HORIZON_MS),
        ..ctx
    };
    let later_state = fold(&case.record, &later_ctx);
    let later_items = supervision_items(&case.id, &case.record, &later_ctx);
    let shape = |items: &[liandong_domain::SupervisionItem]| -> BTreeSet<(String, bool)> {
        items
            .iter()
            .map(|i| (i.id.0.clone(), i.current()))
            .collect()
    };
    let quiet = shape(&items) == shape(&later_items)
        && now == colour(&later_state.warnings, later_state.clock.overdue);
    let (yellow, red, overdue) = now;
    let row = CheckRow {
        day: today,
        quiet,
        yellow,
        red,
        overdue,
        items: u32::try_from(items.len()).unwrap_or(u32::MAX),
    };
    let keep = !quiet || yellow || red || overdue || !items.is_empty();
    let flags = items
        .iter()
        .filter(|i| i.needs_flag())
        .map(|item| {
            let note = item
                .warning
                .as_ref()
                .map(|w| w.describe(Lang::Zh))
                .unwrap_or_default();
            let event = CaseEvent::new(
                reg.now_ms,
                EventKind::SupervisionFlagged {
                    item: item.id.clone(),
                    rule: item.rule,
                    note,
                },
            );
            (EntityId::Case(case.id.clone()), OpBody::Case(event))
        })
        .collect();
    Finding {
        row: keep.then_some(row),
        flags,
    }
}

/// The cases a pass (or a live list) has to fold when the plan is not
/// full: every touched case and every row due again today.
fn due_cases(plan: &CheckPlan, today: u32) -> BTreeSet<String> {
    plan.touched
        .iter()
        .map(|(c, _)| c.clone())
        .chain(
            plan.rows
                .iter()
                .filter(|(_, r)| r.due(today))
                .map(|(c, _)| c.clone()),
        )
        .collect()
}

impl NodeCore {
    /// One supervision pass: checks the cases the store's plan lists,
    /// records what it found and, with `flag` (or at the county), writes a
    /// `SupervisionFlagged` for every item that needs one. The caller
    /// holds the one-pass-at-a-time lock.
    pub(crate) fn supervision_pass(&self, flag: bool) -> Result<PassOutcome, NodeError> {
        let flag = flag || self.me().role() == Role::County;
        let reg = self.registry()?;
        let today = day_number(reg.now_ms);
        let plan = self.store.check_plan()?;
        let had_row: BTreeSet<String> = plan.rows.iter().map(|(c, _)| c.clone()).collect();
        let touched: BTreeSet<String> = plan.touched.iter().map(|(c, _)| c.clone()).collect();
        let mut rows: BTreeMap<String, Option<CheckRow>> = BTreeMap::new();
        let mut flags = Vec::new();
        let mut checked = 0usize;
        let mut take = |case: &StoredCase| {
            checked += 1;
            let found = check_case(case, &reg, today);
            let id = case.id.to_string();
            if found.row.is_some() || had_row.contains(id.as_str()) || touched.contains(id.as_str())
            {
                rows.insert(id, found.row);
            }
            if flag {
                flags.extend(found.flags);
            }
        };
        let full = plan.full();
        let mut gone = Vec::new();
        if full {
            self.store.each_case(|case| {
                take(&case);
                Ok::<(), NodeError>(())
            })?;
        } else {
            for id in due_cases(&plan, today) {
                match self.store.case(&id)? {
                    Some(case) => take(&case),
                    None => gone.push(id),
                }
            }
        }
        for id in gone {
            rows.insert(id, None);
        }
        let flagged = flags.len();
        let mut consumed = plan.touched;
        consumed.extend(self.write_flags(flags, reg.now_ms)?);
        self.store
            .record_checks(&consumed, rows, full.then_some(plan.registry_epoch))?;
        let mut counts = WarningCounts {
            counted_at_ms: reg.now_ms,
            ..WarningCounts::default()
        };
        for (_, row) in self.store.check_rows()? {
            counts.yellow += u64::from(row.yellow);
            counts.red += u64::from(row.red);
            counts.overdue += u64::from(row.overdue);
        }
        *self
            .warning_counts
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = counts;
        Ok(PassOutcome {
            counts,
            flagged,
            checked,
            full,
        })
    }

    /// Writes the pass's flags in one batch and returns the touched marks
    /// that batch left. What the pass found on those cases stands (a flag
    /// changes no colour and no item), so these marks are consumed with
    /// the others; a mark from any other batch (a seq outside this one's)
    /// stays for the next pass.
    fn write_flags(
        &self,
        flags: Vec<(EntityId, OpBody)>,
        now_ms: u64,
    ) -> Result<Vec<(String, u64)>, NodeError> {
        if flags.is_empty() {
            return Ok(Vec::new());
        }
        let cases: BTreeSet<String> = flags
            .iter()
            .map(|(entity, _)| match entity {
                EntityId::Case(id) => id.to_string(),
                other => other.key(),
            })
            .collect();
        let report = self.store.append_local(flags, now_ms)?;
        let ours = report.feed_head + 1 - report.applied.len() as u64..=report.feed_head;
        Ok(self
            .store
            .check_plan()?
            .touched
            .into_iter()
            .filter(|(c, seq)| cases.contains(c) && ours.contains(seq))
            .collect())
    }

    /// Calls `f` with every case that may carry a supervision item now:
    /// those the last pass found items on, plus every case it has not
    /// checked since. Reads only; the findings are the live fold's.
    pub(crate) fn each_watched_case(
        &self,
        now_ms: u64,
        f: impl FnMut(StoredCase) -> Result<(), NodeError>,
    ) -> Result<(), NodeError> {
        self.each_candidate(now_ms, |r| r.items > 0, f)
    }

    /// Calls `f` with every case whose last row `keep` accepts, plus every
    /// case the last pass has not checked since (touched, due today, or
    /// all of them when the plan is full), in case-number order.
    pub(crate) fn each_candidate(
        &self,
        now_ms: u64,
        keep: impl Fn(&CheckRow) -> bool,
        mut f: impl FnMut(StoredCase) -> Result<(), NodeError>,
    ) -> Result<(), NodeError> {
        let plan = self.store.check_plan()?;
        if plan.full() {
            return self.store.each_case(f);
        }
        let mut ids = due_cases(&plan, day_number(now_ms));
        ids.extend(
            plan.rows
                .iter()
                .filter(|(_, r)| keep(r))
                .map(|(c, _)| c.clone()),
        );
        for id in ids {
            if let Some(case) = self.store.case(&id)? {
                f(case)?;
            }
        }
        Ok(())
    }
}
