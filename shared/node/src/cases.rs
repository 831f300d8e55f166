//! The hall's work on cases at this node's windows: new applications,
//! every later step, and reading cases back as folded state.
//!
//! Each step is checked against the domain rules ([`liandong_domain::check`])
//! with the node's current context (calendar, catalogue, authorisations,
//! now) before it is written; a refusal comes back as the domain's
//! [`Refusal`] ([`NodeError::Refused`]), worded for the clerk by the caller.
//! Decisions find the authorisation that allows them; references to earlier
//! events (the open correction notice, the open special procedure) are
//! resolved here, so a clerk never types an operation id.
//!
//! A centre that has never received the catalogue (a new township, offline
//! from day one) still accepts applications: the matter code is taken as
//! typed and the case shows the anomaly until the catalogue arrives.

use super::output::{detail, summary, CaseDetail, CaseSummary};
use super::NodeCore;
use crate::control::{ApplicantInput, CaseAction, CaseFilter, WarningColour};
use crate::error::{Malformed, Missing, NodeError};
use crate::identity::Actor;
use liandong_domain::permission::Act;
use liandong_domain::OpBody;
use liandong_domain::{
    check, fold, Authorisation, Calendar, CaseEvent, CaseRecord, CaseState, Catalogue, EventKind,
    FoldContext, Lang, Level, Matter, Refusal, RoutingRule, Staff, Stamp, SubmittedMaterial,
    Thresholds,
};
use liandong_model::{CaseId, EntityId, Hlc, OpId, Role};
use liandong_store::StoredCase;
use std::collections::BTreeMap;

/// What the fold needs from the store, read once per command.
pub(crate) struct Registry {
    pub calendar: Calendar,
    pub catalogue: Catalogue,
    pub authorisations: Vec<Authorisation>,
    pub roster: Vec<Staff>,
    pub routing: BTreeMap<String, RoutingRule>,
    pub now_ms: u64,
}

impl Registry {
    /// The matter a case pinned at submission (or the current version).
    pub fn matter_of(&self, record: &CaseRecord) -> Option<&Matter> {
        record.iter().find_map(|(_, e)| match &e.event.kind {
            EventKind::Submitted {
                matter,
                matter_version,
                ..
            } => self
                .catalogue
                .pinned(matter, matter_version)
                .or_else(|| self.catalogue.current(matter)),
            _ => None,
        })
    }

    pub fn context<'a>(
        &'a self,
        matter: Option<&'a Matter>,
        level: Option<Level>,
    ) -> FoldContext<'a> {
        FoldContext {
            calendar: &self.calendar,
            matter,
            authorisations: &self.authorisations,
            roster: &self.roster,
            routing: matter.and_then(|m| self.routing.get(&m.code)),
            now_ms: self.now_ms,
            thresholds: Thresholds::default(),
            recorder_level: level,
        }
    }
}

impl NodeCore {
    pub(crate) fn registry(&self) -> Result<Registry, NodeError> {
        let store = &self.store;
        Ok(Registry {
            calendar: store.calendar()?,
            catalogue: store.catalogue()?,
            authorisations: store.authorisations()?,
            roster: store.staff()?,
            routing: store.routing_rules()?,
            now_ms: self.now_ms(),
        })
    }

    fn level(&self) -> Level {
        match self.me().role() {
            Role::Township => Level::Township,
            _ => Level::County,
        }
    }

    /// A stored case, or [`Missing::Case`].
    pub(crate) fn load_case(&self, case: &str) -> Result<StoredCase, NodeError> {
        self.store.case(case)?.ok_or_else(|| {
            NodeError::not_found(Missing::Case {
                id: case.to_string(),
            })
        })
    }

    /// The folded state of a case as of now.
    pub fn case_state(&self, case: &str) -> Result<(StoredCase, CaseState), NodeError> {
        let stored = self.load_case(case)?;
        let reg = self.registry()?;
        let state = fold(
            &stored.record,
            &reg.context(reg.matter_of(&stored.record), None),
        );
        Ok((stored, state))
    }

    /// A case's detail, personal data included: for the roles that
    /// handle cases ([`Act::ReadCases`]).
    pub fn show_case(&self, who: &Actor, case: &str, lang: Lang) -> Result<CaseDetail, NodeError> {
        who.may(Act::ReadCases)?;
        self.detail_of(case, lang)
    }

    fn detail_of(&self, case: &str, lang: Lang) -> Result<CaseDetail, NodeError> {
        let (stored, state) = self.case_state(case)?;
        Ok(detail(&stored, &state, lang))
    }

    /// Each event as recorded by `who` at this node (the recorder comes
    /// from the session, never from the caller's arguments).
    fn recorded(&self, who: &Actor, events: Vec<CaseEvent>) -> Result<Vec<CaseEvent>, NodeError> {
        events
            .into_iter()
            .map(|e| {
                // An evaluation is the applicant's (`NodeCore::evaluate`).
                if matches!(e.kind, EventKind::Evaluated { .. }) {
                    return Err(NodeError::Refused(Refusal::EvaluationByStaff));
                }
                let r = who.recorder(&e.kind, self.me())?;
                Ok(e.recorded_by(r))
            })
            .collect()
    }

    /// 申请 and (unless `submit_only`) 受理 of a new application, in one
    /// durable write; `conclude` also concludes an immediate matter.
    #[allow(clippy::too_many_arguments)]
    pub fn accept_new(
        &self,
        who: &Actor,
        lang: Lang,
        matter: &str,
        applicant: &ApplicantInput,
        materials: &[String],
        submit_only: bool,
        conclude: bool,
    ) -> Result<CaseDetail, NodeError> {
        let reg = self.registry()?;
        let catalogue_known = reg.catalogue.entries().next().is_some();
        let entry = reg.catalogue.entry(matter);
        let version = entry.map(|e| e.current_stamp().clone()).unwrap_or(Stamp {
            hlc: Hlc::default(),
            op: OpId {
                origin: self.me().clone(),
                seq: 0,
            },
        });
        let now = reg.now_ms;
        let submitted = CaseEvent::new(
            now,
            EventKind::Submitted {
                matter: matter.trim().to_string(),
                matter_version: version,
                applicant: applicant.applicant(),
                materials: materials
                    .iter()
                    .map(|m| SubmittedMaterial {
                        name: m.clone(),
                        attachment: None,
                    })
                    .collect(),
            },
        );
        let mut events = vec![submitted];
        if !submit_only {
            events.push(CaseEvent::new(now, EventKind::Accepted { tolerated: None }));
        }
        if conclude {
            events.push(CaseEvent::new(now, EventKind::Concluded));
        }
        let invitation = invite(&mut events, now);
        let events = self.recorded(who, events)?;
        // Check the steps in sequence against a scratch record.
        let matter_rec = entry.map(|e| e.current());
        let ctx = reg.context(matter_rec, Some(self.level()));
        let mut scratch = CaseRecord::new();
        for (i, event) in events.iter().enumerate() {
            let unknown_ok = !catalogue_known && i < 2;
            match check(&scratch, event, &ctx) {
                Ok(()) => {}
                Err(Refusal::UnknownMatter { .. }) if unknown_ok => {}
                Err(r) => return Err(NodeError::Refused(r)),
            }
            let op = OpId {
                origin: self.me().clone(),
                seq: u64::MAX - i as u64,
            };
            scratch.insert(op, Hlc::default(), event.clone());
        }
        let me = self.me().clone();
        let code = self.county_code.clone();
        let date = super::cst_date(now);
        let mut case_id = None;
        self.store.append_local_with(now, |first_seq| {
            let id = CaseId::new(&code, &me, &date, first_seq);
            case_id = Some(id.clone());
            events
                .into_iter()
                .map(|e| (EntityId::Case(id.clone()), OpBody::Case(e)))
                .collect()
        })?;
        let id = case_id.ok_or_else(|| NodeError::internal("case id was not assigned"))?;
        let mut detail = self.detail_of(id.as_str(), lang)?;
        detail.evaluation_code = invitation.map(|c| c.shown);
        Ok(detail)
    }

    /// The foundation's shortcut (demo, tests): 受理 with name and ID only.
    pub fn accept_case(
        &self,
        who: &Actor,
        matter: &str,
        name: &str,
        id_number: &str,
    ) -> Result<CaseSummary, NodeError> {
        let applicant = ApplicantInput {
            name: name.to_string(),
            id_number: id_number.to_string(),
            ..Default::default()
        };
        let detail = self.accept_new(who, Lang::Zh, matter, &applicant, &[], false, false)?;
        let (stored, state) = self.case_state(&detail.id)?;
        Ok(summary(&stored, &state, Lang::Zh))
    }

    /// Records one step on an existing case.
    pub fn case_action(
        &self,
        who: &Actor,
        lang: Lang,
        case: &str,
        action: CaseAction,
    ) -> Result<CaseDetail, NodeError> {
        let action = as_signed_in(who, action);
        let stored = self.load_case(case)?;
        let reg = self.registry()?;
        let matter = reg.matter_of(&stored.record);
        let ctx = reg.context(matter, Some(self.level()));
        let state = fold(&stored.record, &ctx);
        let events = match action {
            CaseAction::Route { .. } => {
                self.route_events(matter.map(|m| m.code.as_str()), action, reg.now_ms)?
            }
            action => vec![self.event_for(&stored, &state, &reg, matter, action)?],
        };
        let mut events = events;
        let code = invite(&mut events, reg.now_ms);
        let events = self.recorded(who, events)?;
        let events = crate::identity::seal_decisions(who, &stored.id, events)?;
        // Each event is checked against the record with the earlier ones.
        let mut scratch = stored.record.clone();
        for (i, event) in events.iter().enumerate() {
            check(&scratch, event, &ctx)?;
            let op = OpId {
                origin: self.me().clone(),
                seq: u64::MAX - i as u64,
            };
            scratch.insert(op, Hlc::default(), event.clone());
        }
        let entity = EntityId::Case(stored.id.clone());
        self.store.append_local(
            events
                .into_iter()
                .map(|e| (entity.clone(), OpBody::Case(e)))
                .collect(),
            reg.now_ms,
        )?;
        let mut detail = self.detail_of(case, lang)?;
        detail.evaluation_code = code.map(|c| c.shown);
        Ok(detail)
    }

    /// Case lines, filtered: with `origin`, the cases whose scope names
    /// that township (its own, and those it was asked an opinion on); with
    /// a department, the cases routed to it.
    pub fn list_cases(
        &self,
        who: &Actor,
        lang: Lang,
        origin: Option<&str>,
        filter: &CaseFilter,
    ) -> Result<Vec<CaseSummary>, NodeError> {
        who.may(Act::ReadCases)?;
        let bad = |e| Malformed::node_id("--township", e);
        let origin: Option<liandong_model::NodeId> = match origin {
            None => None,
            Some(s) if s.contains('/') => Some(s.parse().map_err(bad)?),
            Some(s) => Some(liandong_model::NodeId::township(s).map_err(bad)?),
        };
        let department = match &filter.department {
            None => None,
            Some(d) => Some(
                liandong_model::NodeId::new(Role::Bridge, d.trim())
                    .map_err(|e| Malformed::node_id("--department", e))?,
            ),
        };
        let reg = self.registry()?;
        let mut cases = match &origin {
            Some(node) => self.member_of(node)?,
            None if filter.warning.is_some() || filter.overdue => {
                // Only cases the supervision pass found coloured or
                // overdue, and those it has not checked since.
                let mut cases = Vec::new();
                self.each_candidate(
                    reg.now_ms,
                    |r| r.yellow || r.red || r.overdue,
                    |c| {
                        cases.push(c);
                        Ok(())
                    },
                )?;
                cases.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
                cases
            }
            None => self.store.cases(None)?,
        };
        if let Some(d) = &department {
            let routed: std::collections::BTreeSet<String> = self
                .member_of(d)?
                .into_iter()
                .map(|c| c.id.to_string())
                .collect();
            cases.retain(|c| routed.contains(c.id.as_str()));
        }
        let mut out = Vec::new();
        for stored in &cases {
            let state = fold(
                &stored.record,
                &reg.context(reg.matter_of(&stored.record), None),
            );
            let line = summary(stored, &state, lang);
            let keep = match filter.warning {
                Some(WarningColour::Yellow) => line.yellow,
                Some(WarningColour::Red) => line.red,
                None => true,
            } && (!filter.overdue || line.overdue);
            if keep {
                out.push(line);
            }
        }
        Ok(out)
    }
}

/// The applicant's one-time evaluation code, and its digest on the case.
struct EvaluationCode {
    shown: String,
}

/// Letters and digits a person reads without confusing them (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// The digest of a code as typed: upper case, without spaces or dashes.
pub(crate) fn code_digest(code: &str) -> [u8; 32] {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    *blake3::hash(format!("liandong-evaluation-v1:{normal}").as_bytes()).as_bytes()
}

/// With a conclusion among `events`, adds the invitation holding the
/// digest of a fresh code (8 characters, printed XXXX-XXXX) and returns it.
fn invite(events: &mut Vec<CaseEvent>, now_ms: u64) -> Option<EvaluationCode> {
    if !events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Concluded))
    {
        return None;
    }
    use rand::Rng;
    let mut rng = rand::rng();
    let raw: String = (0..8)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect();
    let shown = format!("{}-{}", &raw[..4], &raw[4..]);
    events.push(CaseEvent::new(
        now_ms,
        EventKind::EvaluationInvited {
            code_digest: code_digest(&raw),
        },
    ));
    Some(EvaluationCode { shown })
}

/// A step's own staff field (the decider, the opinion's reviewer) is the
/// signed-in staff member unless typed; typed otherwise, the domain's check
/// refuses it (nobody decides as someone else).
fn as_signed_in(who: &Actor, action: CaseAction) -> CaseAction {
    match action {
        CaseAction::Decide {
            approve,
            by,
            reason,
            department,
            authorisation,
        } => CaseAction::Decide {
            approve,
            by: if by.trim().is_empty() {
                who.staff.clone()
            } else {
                by
            },
            reason,
            department,
            authorisation,
        },
        CaseAction::Opinion {
            department,
            result,
            staff,
            text,
        } => CaseAction::Opinion {
            department,
            result,
            staff: if staff.trim().is_empty() {
                who.staff.clone()
            } else {
                staff
            },
            text,
        },
        other => other,
    }
}
