//! The clerks of a simulated node: at seeded random moments they accept
//! new cases and move the cases their node holds one step on, through the
//! node's own clerk API (`accept_new`, `case_action`), exactly as the
//! control socket would.
//!
//! - A township accepts township cases (M001) and joint cases (M017, M018),
//!   routes joint cases by their rule, concludes and delivers its cases,
//!   and gives the opinions it was asked for.
//! - A bridge gives its department's opinion and its chief
//!   representative's decision on the cases routed to it.
//! - The county accepts joint cases at its own hall and routes them.
//!
//! What a clerk call returned as success is **acknowledged**: the
//! operations of this node in the returned history go into the
//! [`Ledger`], which lives outside the simulated hosts and so survives
//! their crashes. A refused step (the case is not ready, the store is
//! read-only) is counted, never acknowledged.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use liandong_domain::{Lang, OpinionResult};
use liandong_node::control::{ApplicantInput, CaseAction};
use liandong_node::output::CaseDetail;
use liandong_node::NodeCore;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::world::{Kind, JOINT};

/// What the clerks of every node were told succeeded.
#[derive(Debug, Default)]
pub struct Ledger {
    /// Case id → the operations acknowledged on it (`origin#seq`).
    pub acked: BTreeMap<String, BTreeSet<String>>,
    /// Clerk steps that succeeded, and that were refused.
    pub steps_ok: u64,
    pub steps_refused: u64,
    /// Set when the fault phase ends: the clerks go home, so the heal
    /// phase can tell convergence from a moving target.
    pub closed: bool,
}

pub type SharedLedger = Arc<Mutex<Ledger>>;

impl Ledger {
    /// Acknowledges `me`'s operations in a history a clerk call returned.
    fn acknowledge(&mut self, me: &str, detail: &CaseDetail) {
        let prefix = format!("{me}#");
        let ops = self.acked.entry(detail.id.clone()).or_default();
        ops.extend(
            detail
                .history
                .iter()
                .filter(|h| h.op.starts_with(&prefix))
                .map(|h| h.op.clone()),
        );
        self.steps_ok += 1;
    }

    pub fn acked_ops(&self) -> usize {
        self.acked.values().map(BTreeSet::len).sum()
    }
}

/// Runs `core`'s clerks until the host is crashed or the run ends.
pub async fn run(core: NodeCore, kind: Kind, seed: u64, ledger: SharedLedger) {
    let mut rng = StdRng::seed_from_u64(seed);
    let me = core.me().to_string();
    let mut applicants = 0u64;
    loop {
        let pause = Duration::from_millis(rng.random_range(500..6_000));
        tokio::time::sleep(pause).await;
        if ledger.lock().map(|l| l.closed).unwrap_or(true) {
            continue;
        }
        let step = match kind {
            Kind::Township => township_step(&core, &mut rng, &mut applicants),
            Kind::Bridge => bridge_step(&core, &mut rng),
            Kind::County => county_step(&core, &mut rng, &mut applicants),
        };
        let Some(result) = step else { continue };
        let mut ledger = ledger.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(detail) => ledger.acknowledge(&me, &detail),
            Err(_) => ledger.steps_refused += 1,
        }
    }
}

type Step = Option<Result<CaseDetail, String>>;

fn township_step(core: &NodeCore, rng: &mut StdRng, applicants: &mut u64) -> Step {
    match rng.random_range(0..10) {
        0..=4 => Some(accept(core, "M001", applicants)),
        5 => {
            let joint = JOINT[rng.random_range(0..JOINT.len())];
            Some(accept(core, joint.matter, applicants))
        }
        _ => advance_one(core, rng),
    }
}

fn county_step(core: &NodeCore, rng: &mut StdRng, applicants: &mut u64) -> Step {
    match rng.random_range(0..10) {
        0 => {
            let joint = JOINT[rng.random_range(0..JOINT.len())];
            Some(accept(core, joint.matter, applicants))
        }
        1..=3 => advance_one(core, rng),
        _ => None,
    }
}

fn bridge_step(core: &NodeCore, rng: &mut StdRng) -> Step {
    advance_one(core, rng)
}

fn accept(core: &NodeCore, matter: &str, applicants: &mut u64) -> Result<CaseDetail, String> {
    *applicants += 1;
    let applicant = ApplicantInput {
        name: format!("申请人{applicants}"),
        id_number: crate::resident_id((*applicants % 20_000_000) as u32),
        ..Default::default()
    };
    core.accept_new(
        &crate::clerk_at(core),
        Lang::Zh,
        matter,
        &applicant,
        &[],
        false,
        false,
    )
    .map_err(|e| e.to_string())
}

/// Picks one case this node holds and takes the next step it can.
fn advance_one(core: &NodeCore, rng: &mut StdRng) -> Step {
    let cases = core.store.cases(None).ok()?;
    if cases.is_empty() {
        return None;
    }
    let stored = &cases[rng.random_range(0..cases.len())];
    let id = stored.id.to_string();
    let detail = core.show_case(&crate::reader(), &id, Lang::En).ok()?;
    let action = next_action(core, &detail)?;
    let who = match &action {
        // A decision at a bridge: the chief representative's password
        // unlocks his seal, as the bridge's API does.
        CaseAction::Decide { by, .. } if core.store.credential(by).ok()?.is_none() => return None,
        CaseAction::Decide { by, .. } => match core.sealing_actor(by, crate::PASSWORD, "sim") {
            Ok(who) => who,
            Err(e) => return Some(Err(e.to_string())),
        },
        _ => actor_for(core, &action),
    };
    Some(
        core.case_action(&who, Lang::En, &id, action)
            .map_err(|e| e.to_string()),
    )
}

/// Who takes a step: the staff member a step names (an opinion's
/// reviewer, the deciding chief representative), else the node's clerk.
fn actor_for(core: &NodeCore, action: &CaseAction) -> liandong_node::identity::Actor {
    use liandong_domain::StaffRole;
    match action {
        CaseAction::Opinion { staff, .. } => crate::acting(staff, StaffRole::Reviewer),
        CaseAction::Decide { by, .. } => crate::acting(by, StaffRole::ChiefRepresentative),
        _ => crate::clerk_at(core),
    }
}

/// The step this node's clerk would take next on a case, if any.
fn next_action(core: &NodeCore, detail: &CaseDetail) -> Option<CaseAction> {
    let me = core.me().to_string();
    let kinds: Vec<&str> = detail.history.iter().map(|h| h.event.as_str()).collect();
    let has = |k: &str| kinds.contains(&k);
    let mine_did = |k: &str| {
        detail
            .history
            .iter()
            .any(|h| h.event == k && h.op.starts_with(&format!("{me}#")))
    };
    if detail.origin == me {
        let joint = JOINT
            .iter()
            .any(|j| detail.state_matter() == Some(j.matter));
        return if joint && !has("routed") {
            Some(CaseAction::Route {
                departments: vec![],
                townships: vec![],
                part: String::new(),
                stage_limit_days: Some(3),
            })
        } else if joint && !has("decided") {
            None
        } else if !has("concluded") {
            Some(CaseAction::Conclude)
        } else if !has("delivered") {
            Some(CaseAction::Deliver { recipient: None })
        } else {
            None
        };
    }
    match core.me().role() {
        liandong_model::Role::Bridge => {
            let joint = JOINT.iter().find(|j| j.department == core.me().name())?;
            if !mine_did("opinion") {
                Some(opinion(joint.chief))
            } else if !has("decided") {
                Some(CaseAction::Decide {
                    approve: true,
                    by: joint.chief.into(),
                    reason: String::new(),
                    department: None,
                    authorisation: Some(joint.grant.into()),
                })
            } else {
                None
            }
        }
        _ => (has("opinion-requested") && !mine_did("opinion")).then(|| opinion("S21")),
    }
}

fn opinion(staff: &str) -> CaseAction {
    CaseAction::Opinion {
        department: None,
        result: OpinionResult::Pass,
        staff: staff.into(),
        text: "无异议".into(),
    }
}

trait MatterOf {
    fn state_matter(&self) -> Option<&str>;
}

impl MatterOf for CaseDetail {
    /// The matter code the folded state names.
    fn state_matter(&self) -> Option<&str> {
        self.state.get("matter").and_then(|m| m.as_str())
    }
}
