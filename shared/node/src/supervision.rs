//! E-supervision (电子监察): every warning and overdue case across the
//! node's cases as supervision items, and the county's rule engine that
//! writes one `SupervisionFlagged` per crossing (item id = hash of case,
//! rule and threshold, so a crossing is flagged once however often the
//! engine runs, on whichever replica). Items are never deleted: resolving
//! and annotating add events. Passes of the rule engine run one at a time
//! (the background pass and a pass called directly never interleave), so
//! two passes cannot both see an item unflagged and flag it twice.

mod pass;

pub use pass::PassOutcome;

use crate::identity::Actor;
use liandong_domain::permission::Act;
use std::sync::Mutex;
use std::time::Duration;

use super::output::{supervision_line, SupervisionLine};
use super::NodeCore;
use crate::error::{Malformed, Missing, NodeError};
use crate::shutdown::Shutdown;
use liandong_domain::OpBody;
use liandong_domain::{supervision_items, CaseEvent, EventKind, Lang};
use liandong_model::EntityId;

/// How often the county's rule engine looks for new crossings.
pub const SUPERVISION_PERIOD: Duration = Duration::from_secs(60);

/// Held for the whole of a rule-engine pass (read, derive, write).
static ONE_PASS_AT_A_TIME: Mutex<()> = Mutex::new(());

impl NodeCore {
    /// Every supervision item (current warnings and flagged items), of
    /// one centre or all.
    pub fn supervision(
        &self,
        who: &Actor,
        lang: Lang,
        origin: Option<&str>,
    ) -> Result<Vec<SupervisionLine>, NodeError> {
        who.may(Act::ReadSupervision)?;
        let reg = self.registry()?;
        let origin = origin.map(|o| {
            if o.contains('/') {
                o.to_string()
            } else {
                format!("township/{o}")
            }
        });
        let mut out = Vec::new();
        self.each_watched_case(reg.now_ms, |case| {
            if origin
                .as_deref()
                .is_some_and(|o| case.id.origin().to_string() != o)
            {
                return Ok(());
            }
            let ctx = reg.context(reg.matter_of(&case.record), None);
            for item in supervision_items(&case.id, &case.record, &ctx) {
                out.push(supervision_line(&case, &item, lang));
            }
            Ok(())
        })?;
        out.sort_by(|a, b| a.case.cmp(&b.case));
        Ok(out)
    }

    /// Adds a note to an item, or resolves it (never deletes).
    pub fn annotate_supervision(
        &self,
        who: &Actor,
        lang: Lang,
        case: &str,
        item: &str,
        note: &str,
        resolve: bool,
    ) -> Result<String, NodeError> {
        who.may(Act::Supervise)?;
        if note.trim().is_empty() {
            return Err(Malformed::NoteMissing.into());
        }
        let stored = self.load_case(case)?;
        let reg = self.registry()?;
        let ctx = reg.context(reg.matter_of(&stored.record), None);
        let found = supervision_items(&stored.id, &stored.record, &ctx)
            .into_iter()
            .find(|i| i.id.0 == item)
            .ok_or_else(|| {
                NodeError::not_found(Missing::SupervisionItem {
                    item: item.to_string(),
                })
            })?;
        let kind = if resolve {
            EventKind::SupervisionResolved {
                item: found.id,
                note: note.to_string(),
            }
        } else {
            EventKind::SupervisionAnnotated {
                item: found.id,
                note: note.to_string(),
            }
        };
        let now = self.now_ms();
        let recorder = who.recorder(&kind, self.me())?;
        self.store.append_local(
            vec![(
                EntityId::Case(stored.id),
                OpBody::Case(CaseEvent::new(now, kind).recorded_by(recorder)),
            )],
            now,
        )?;
        Ok(lang.pick("已记录", "recorded").to_string())
    }

    /// One pass of the rule engine: flags every item that needs it.
    /// Returns how many were flagged.
    pub fn flag_crossings(&self) -> Result<usize, NodeError> {
        Ok(self.pass_once(true)?.flagged)
    }

    /// One supervision pass (see `pass`), never two at once: recounts the
    /// warnings and, at the county or with `flag`, flags new crossings.
    pub fn pass_once(&self, flag: bool) -> Result<PassOutcome, NodeError> {
        // A pass that panicked wrote nothing or whole batches: the lock
        // guards no data, only the order of passes.
        let _pass = ONE_PASS_AT_A_TIME
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.supervision_pass(flag)
    }

    /// The background pass every node runs until shutdown: recount cases
    /// with warnings (for health reports) and, at the county, flag new
    /// crossings. It folds every case, so it runs on the blocking pool,
    /// never in a session loop, and waits at least ten times as long as
    /// the last pass took before the next (and at least `period`).
    pub fn run_supervision(&self, shutdown: &Shutdown, period: Duration) {
        let core = self.clone();
        let sd = shutdown.clone();
        shutdown.spawn("supervision-pass", async move {
            loop {
                let c = core.clone();
                let started = std::time::Instant::now();
                let pass =
                    tokio::task::spawn_blocking(move || c.pass_once(false).map(|p| p.flagged))
                        .await;
                match pass {
                    Ok(Ok(n)) if n > 0 => {
                        tracing::info!(flagged = n, "e-supervision items flagged")
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "e-supervision pass failed"),
                    _ => {}
                }
                let wait = period.max(started.elapsed() * 10);
                tokio::select! {
                    _ = sd.triggered() => break,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        });
    }
}
