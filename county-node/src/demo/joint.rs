//! The demo's joint case (联办) across both levels: matter M017 (county
//! level, lead department D03) is accepted at township T01, its receiving
//! point, and routed by the county's rule to D03's bridge and, with two or
//! more townships, for an opinion of T02. Then T02 gives its opinion, the
//! bridge gives D03's opinion and decides, and T01 concludes and delivers.
//!
//! Each step is recorded on the node that takes it, against that node's
//! own store, so a step can only succeed once the case (and, for the
//! conclusion, every opinion and the decision) has reached that node over
//! links the demo cuts and restores. [`JointCase::advance`] tries every
//! step that is due once; a step the node refuses for now (it does not
//! hold the case yet, or a domain rule says not yet) is tried again on a
//! later tick. Any other failure (the store, a bug) ends the demo.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use liandong_domain::{AuthScope, Lang, Level, Matter, OpinionResult, Power, StaffRole};
use liandong_node::control::CaseAction;
use liandong_node::error::{ErrorKind, NodeError};
use liandong_node::identity::Actor;
use liandong_node::NodeCore;

use super::accounts;
use serde::Serialize;

/// The joint matter: county level, lead department [`DEPARTMENT`].
pub const MATTER: &str = "M017";
const MATTER_NAME: &str = "建设工程规划许可";
/// The department whose bridge takes part (node `bridge/D03`).
pub const DEPARTMENT: &str = "D03";
/// D03's chief representative, who decides under [`GRANT`].
const CHIEF: &str = "S31";
const GRANT: &str = "A-S31-M017";
/// The township asked for an opinion (when the demo has two or more).
const ASKED: &str = "T02";
/// Who gives T02's opinion at its window.
pub const TOWNSHIP_STAFF: &str = "S21";

/// Writes at the county, as hall management, what the joint case needs:
/// matter M017, its routing rule (D03, and an opinion of T02 when
/// `asks_township`), D03's chief representative S31 (also D03's reviewer,
/// who gives its opinion) and S31's grant to decide (and seal) M017, valid
/// this year and next, and T02's reviewer S21.
pub fn put_registry(county: &NodeCore, hall: &Actor, asks_township: bool) -> anyhow::Result<()> {
    let matter = Matter::basic(MATTER, MATTER_NAME, Level::County, 10, 20, DEPARTMENT);
    county
        .put_matter(hall, Lang::Zh, matter)
        .context("writing matter M017")?;
    let townships = if asks_township {
        vec![ASKED.to_string()]
    } else {
        Vec::new()
    };
    county
        .put_routing(hall, Lang::Zh, MATTER, vec![DEPARTMENT.into()], townships)
        .context("writing M017's routing rule")?;
    let chief = (CHIEF, "首席代表", DEPARTMENT);
    let roles = [StaffRole::ChiefRepresentative, StaffRole::Reviewer];
    accounts::add(
        county,
        hall,
        chief,
        &roles,
        &[format!("bridge/{DEPARTMENT}")],
    )?;
    if asks_township {
        let reviewer = (TOWNSHIP_STAFF, "审查人员", ASKED);
        accounts::add(
            county,
            hall,
            reviewer,
            &[StaffRole::Reviewer],
            &[ASKED.to_string()],
        )?;
    }
    let year = liandong_domain::cst_date(county.now_ms()).year();
    let (from, to) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year + 1, 12, 31),
    );
    let (Some(from), Some(to)) = (from, to) else {
        anyhow::bail!("no calendar dates for the years {year} and {}", year + 1);
    };
    county
        .authorise(
            hall,
            Lang::Zh,
            CHIEF,
            AuthScope::Matter(MATTER.into()),
            BTreeSet::from([Power::Decide, Power::Seal]),
            from,
            to,
            Some(GRANT.into()),
        )
        .context("writing S31's authorisation")?;
    Ok(())
}

/// The nodes the joint case passes through.
pub struct Nodes<'a> {
    /// T01, the receiving point: accepts, routes, concludes, delivers.
    pub receiving: &'a NodeCore,
    /// T01's window clerk, signed in there.
    pub clerk: &'a Actor,
    /// T02, asked for an opinion (absent with one township).
    pub asked: Option<&'a NodeCore>,
    /// T02's reviewer, signed in there.
    pub asked_reviewer: Option<&'a Actor>,
    /// D03's bridge: gives D03's opinion and decides.
    pub bridge: &'a NodeCore,
    pub county: &'a NodeCore,
}

/// One step of the joint case, in the order they become due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Accept,
    Route,
    TownshipOpinion,
    DepartmentOpinion,
    Decide,
    /// Conclude, then deliver (both at T01).
    Close,
}

impl Step {
    const ALL: [Step; 6] = [
        Step::Accept,
        Step::Route,
        Step::TownshipOpinion,
        Step::DepartmentOpinion,
        Step::Decide,
        Step::Close,
    ];

    /// Who takes the step, as the progress lines name it.
    fn taker(self) -> &'static str {
        match self {
            Step::Accept | Step::Route | Step::Close => "T01",
            Step::TownshipOpinion => ASKED,
            Step::DepartmentOpinion | Step::Decide => "D03's bridge",
        }
    }

    /// The steps that must be done (by the demo) before this one is tried.
    fn after(self) -> &'static [Step] {
        match self {
            Step::Accept => &[],
            Step::Route => &[Step::Accept],
            Step::TownshipOpinion | Step::DepartmentOpinion => &[Step::Route],
            Step::Decide => &[Step::DepartmentOpinion],
            Step::Close => &[Step::Decide, Step::TownshipOpinion],
        }
    }
}

/// The demo's joint case and how far it got.
pub struct JointCase {
    id: Option<String>,
    done: BTreeSet<Step>,
    tries: BTreeMap<Step, u32>,
    /// Why each step's last try did not record it.
    waiting: BTreeMap<Step, String>,
    /// T01 concluded it (delivery may still be pending).
    concluded: bool,
}

/// The joint case's status at every node that takes part.
#[derive(Debug, Clone, Serialize)]
pub struct JointCaseLine {
    /// The case number; absent when T01 never accepted it.
    pub id: Option<String>,
    pub matter: String,
    /// Its status at T01, the county, T02 (when asked) and the bridge;
    /// `None` where the node does not hold it.
    pub nodes: Vec<JointStatus>,
    /// Every step was recorded: T01 concluded and delivered it.
    pub finished: bool,
    /// Every node that holds it shows the same status.
    pub agreed: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct JointStatus {
    pub node: String,
    pub status: Option<String>,
}

impl JointCaseLine {
    /// Finished, with the same final state wherever it is held.
    pub fn settled(&self) -> bool {
        self.finished && self.agreed
    }
}

/// Whether a failed step may succeed later unchanged: the node does not
/// hold what it needs yet (the case, an opinion, the decision, a grant).
fn not_yet(e: &NodeError) -> bool {
    matches!(e.kind(), ErrorKind::NotFound | ErrorKind::Refused)
}

/// Why `step` could not be recorded yet, for its progress line.
fn why_not_yet(e: &NodeError, step: Step) -> String {
    match e {
        NodeError::Refused(refusal) => refusal.message(Lang::En),
        NodeError::NotFound { .. } => format!("the case had not reached {} yet", step.taker()),
        other => other.to_string(),
    }
}

impl JointCase {
    /// A joint case not accepted yet; with `asks_township` false nobody
    /// is asked for a township opinion.
    pub fn new(asks_township: bool) -> JointCase {
        let mut done = BTreeSet::new();
        if !asks_township {
            done.insert(Step::TownshipOpinion);
        }
        JointCase {
            id: None,
            done,
            tries: BTreeMap::new(),
            waiting: BTreeMap::new(),
            concluded: false,
        }
    }

    pub fn is_finished(&self) -> bool {
        Step::ALL.iter().all(|s| self.done.contains(s))
    }

    /// Tries every step that is due once; returns a progress line for
    /// each step recorded.
    pub fn advance(&mut self, nodes: &Nodes<'_>) -> anyhow::Result<Vec<String>> {
        let mut lines = Vec::new();
        for step in Step::ALL {
            if self.done.contains(&step) || !step.after().iter().all(|s| self.done.contains(s)) {
                continue;
            }
            let tries = {
                let n = self.tries.entry(step).or_insert(0);
                *n += 1;
                *n
            };
            match self.try_step(step, nodes) {
                Ok(Some(line)) => {
                    self.done.insert(step);
                    lines.push(match (tries, self.waiting.remove(&step)) {
                        (1, _) | (_, None) => line,
                        (n, Some(why)) => format!("{line} (try {n}; before: {why})"),
                    });
                }
                Ok(None) => {}
                Err(e) if not_yet(&e) => {
                    self.waiting.insert(step, why_not_yet(&e, step));
                }
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!("joint case: {step:?}")))
                }
            }
        }
        Ok(lines)
    }

    /// With every link up: tries the steps left every 100 ms until all are
    /// recorded or `limit` passes; `progress` gets each line.
    pub async fn finish(
        &mut self,
        nodes: &Nodes<'_>,
        limit: Duration,
        mut progress: impl FnMut(&str),
    ) -> anyhow::Result<()> {
        let started = Instant::now();
        while !self.is_finished() && started.elapsed() < limit {
            for line in self.advance(nodes)? {
                progress(&format!("+{:.1}s {line}", started.elapsed().as_secs_f64()));
            }
            if !self.is_finished() {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }

    /// Records the step at its node: its progress line, or `Ok(None)`
    /// when it is not due there yet.
    fn try_step(&mut self, step: Step, nodes: &Nodes<'_>) -> Result<Option<String>, NodeError> {
        if step == Step::Accept {
            return self.accept(nodes.receiving, nodes.clerk);
        }
        let Some(id) = self.id.clone() else {
            return Ok(None);
        };
        let line = match step {
            // Recorded by `accept` above.
            Step::Accept => return Ok(None),
            Step::Route => {
                let rule = nodes.receiving.store.routing_rules()?.remove(MATTER);
                nodes.receiving.case_action(
                    nodes.clerk,
                    Lang::Zh,
                    &id,
                    CaseAction::Route {
                        departments: Vec::new(),
                        townships: Vec::new(),
                        part: String::new(),
                        stage_limit_days: Some(3),
                    },
                )?;
                let targets: Vec<String> = rule
                    .map(|r| {
                        r.departments
                            .into_iter()
                            .chain(r.township_opinions)
                            .collect()
                    })
                    .unwrap_or_default();
                format!("joint case {id} routed to {}", targets.join(" and "))
            }
            Step::TownshipOpinion => {
                let (Some(t02), Some(reviewer)) = (nodes.asked, nodes.asked_reviewer) else {
                    return Ok(None);
                };
                t02.case_action(
                    reviewer,
                    Lang::Zh,
                    &id,
                    opinion(TOWNSHIP_STAFF, "现场符合规划"),
                )?;
                format!("{ASKED} gave its opinion on the joint case: pass")
            }
            Step::DepartmentOpinion => {
                let bridge = nodes.bridge;
                let Some(chief) = at_bridge(bridge)? else {
                    return Ok(None);
                };
                bridge.case_action(&chief, Lang::Zh, &id, opinion(CHIEF, "符合规划条件"))?;
                format!("{DEPARTMENT} gave its opinion at its bridge: pass")
            }
            Step::Decide => {
                let decide = CaseAction::Decide {
                    approve: true,
                    by: CHIEF.into(),
                    reason: String::new(),
                    department: None,
                    authorisation: None,
                };
                // As D03's system does through the bridge's API: S31's
                // password unlocks his seal for this decision.
                let Some(chief) = sealing_at_bridge(nodes.bridge)? else {
                    return Ok(None);
                };
                nodes.bridge.case_action(&chief, Lang::Zh, &id, decide)?;
                format!("{DEPARTMENT} decided: approved by {CHIEF} under {GRANT}")
            }
            Step::Close => {
                let t01 = nodes.receiving;
                if !self.concluded {
                    t01.case_action(nodes.clerk, Lang::Zh, &id, CaseAction::Conclude)?;
                    self.concluded = true;
                }
                let deliver = CaseAction::Deliver { recipient: None };
                t01.case_action(nodes.clerk, Lang::Zh, &id, deliver)?;
                "T01 concluded and delivered the joint case".to_string()
            }
        };
        Ok(Some(line))
    }

    /// Accepts the case at T01 once T01 holds M017 and its routing rule
    /// (what makes T01 a receiving point of a county-level matter).
    fn accept(&mut self, t01: &NodeCore, clerk: &Actor) -> Result<Option<String>, NodeError> {
        let ready =
            t01.store.matter(MATTER)?.is_some() && t01.store.routing_rules()?.contains_key(MATTER);
        if !ready {
            let why = format!("T01 did not hold {MATTER} and its routing rule yet");
            self.waiting.insert(Step::Accept, why);
            return Ok(None);
        }
        let case = t01.accept_case(clerk, MATTER, "李建华", "410000197502031236")?;
        let line = format!(
            "joint case {} ({MATTER} {MATTER_NAME}) accepted at T01, its receiving point",
            case.id
        );
        self.id = Some(case.id);
        Ok(Some(line))
    }

    /// The case's status at every node that takes part.
    pub fn line(&self, nodes: &Nodes<'_>) -> anyhow::Result<JointCaseLine> {
        let mut at: Vec<&NodeCore> = vec![nodes.receiving, nodes.county];
        at.extend(nodes.asked);
        at.push(nodes.bridge);
        let mut statuses = Vec::new();
        for core in at {
            let status = match &self.id {
                Some(id) => status_at(core, id)?,
                None => None,
            };
            statuses.push(JointStatus {
                node: core.me().to_string(),
                status,
            });
        }
        let held: BTreeSet<&str> = statuses
            .iter()
            .filter_map(|s| s.status.as_deref())
            .collect();
        let agreed = held.len() == 1;
        Ok(JointCaseLine {
            id: self.id.clone(),
            matter: MATTER.into(),
            nodes: statuses,
            finished: self.is_finished(),
            agreed,
        })
    }
}

/// S31 as D03's bridge names him (as its API does), once the roster
/// giving him his roles has reached the bridge; `None` before.
fn at_bridge(bridge: &NodeCore) -> Result<Option<Actor>, NodeError> {
    let chief = bridge.roster_actor(CHIEF)?;
    Ok((!chief.roles.is_empty()).then_some(chief))
}

/// S31 with his seal unlocked at the bridge, once his credential has
/// reached it; `None` before.
fn sealing_at_bridge(bridge: &NodeCore) -> Result<Option<Actor>, NodeError> {
    // Wait for his credential rather than retry: failures lock the account.
    if bridge.store.credential(CHIEF)?.is_none() || at_bridge(bridge)?.is_none() {
        return Ok(None);
    }
    bridge
        .sealing_actor(CHIEF, accounts::PASSWORD, "demo")
        .map(Some)
}

fn opinion(staff: &str, text: &str) -> CaseAction {
    CaseAction::Opinion {
        department: None,
        result: OpinionResult::Pass,
        staff: staff.into(),
        text: text.into(),
    }
}

/// The case's status at `core`, `None` when it does not hold it.
fn status_at(core: &NodeCore, id: &str) -> anyhow::Result<Option<String>> {
    match core.case_state(id) {
        Ok((_, state)) => Ok(Some(state.status.label(Lang::En).to_string())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => {
            Err(anyhow::Error::new(e).context(format!("reading the joint case at {}", core.me())))
        }
    }
}
