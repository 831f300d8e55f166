//! E-supervision with substance and staff management at a node: complaints
//! (received at any centre, answered by e-supervision at the county),
//! the hall's assessments and incentive points (county only), and the
//! statistics per department, centre or staff member over a period.
//!
//! Every write is checked by the domain before it is appended (the same
//! checks name what is wrong with one that arrives broken); a refusal is
//! [`NodeError::Refused`] carrying the [`Refusal::Staff`] rule.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::NodeCore;
use crate::error::NodeError;
use crate::identity::Actor;
use liandong_domain::assessment::{check_assessment, check_points, Assessment, Grade, PointsEntry};
use liandong_domain::complaint::{
    check_complaint, fold_complaint, ComplaintEvent, ComplaintKind, ComplaintState,
    ComplaintSubject,
};
use liandong_domain::permission::Act;
use liandong_domain::stats::{case_figures, statistics, GroupBy, Row};
use liandong_domain::{cst_date, fold, OpBody, Refusal};
use liandong_model::{EntityId, NodeId, Personal};

/// A complaint as listed: its id, its fold and where it stands today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintLine {
    pub centre: NodeId,
    pub number: String,
    pub state: ComplaintState,
    pub due: Option<NaiveDate>,
    pub status: &'static str,
}

impl NodeCore {
    /// Records a complaint received at this centre (any staff member on
    /// duty), routed to e-supervision at the county by its scope.
    pub fn receive_complaint(
        &self,
        who: &Actor,
        number: &str,
        subject: ComplaintSubject,
        complainant: &str,
        text: &str,
        answer_days: u16,
    ) -> Result<(), NodeError> {
        let entity = EntityId::Complaint(self.me().clone(), number.to_string());
        let event = ComplaintEvent {
            at_ms: self.now_ms(),
            by: who.staff.clone(),
            kind: ComplaintKind::Received {
                subject,
                complainant: Personal::new(complainant.to_string()),
                text: Personal::new(text.to_string()),
                answer_days,
            },
        };
        self.write_complaint(entity, event)
    }

    /// E-supervision's answer to a complaint (at the county).
    pub fn answer_complaint(
        &self,
        who: &Actor,
        centre: &NodeId,
        number: &str,
        answer: &str,
    ) -> Result<(), NodeError> {
        who.may(Act::Supervise)?;
        let entity = EntityId::Complaint(centre.clone(), number.to_string());
        let event = ComplaintEvent {
            at_ms: self.now_ms(),
            by: who.staff.clone(),
            kind: ComplaintKind::Answered {
                answer: answer.to_string(),
            },
        };
        self.write_complaint(entity, event)
    }

    fn write_complaint(&self, entity: EntityId, event: ComplaintEvent) -> Result<(), NodeError> {
        let EntityId::Complaint(centre, number) = &entity else {
            return Err(NodeError::internal("a complaint write names a complaint"));
        };
        let held = self.store.complaint(centre, number)?;
        let state = fold_complaint(&held.map(|v| v.events).unwrap_or_default());
        check_complaint(&state, self.me(), &event)
            .map_err(|r| NodeError::Refused(Refusal::Staff(r)))?;
        self.store
            .append_local(vec![(entity, OpBody::Complaint(event))], self.now_ms())?;
        Ok(())
    }

    /// Every complaint this node holds, with its status today.
    pub fn complaints(&self) -> Result<Vec<ComplaintLine>, NodeError> {
        let calendar = self.store.calendar()?;
        let today = cst_date(self.now_ms());
        Ok(self
            .store
            .complaints()?
            .into_iter()
            .map(|v| {
                let state = fold_complaint(&v.events);
                ComplaintLine {
                    due: state.due(&calendar),
                    status: state.status(&calendar, today).as_str(),
                    centre: v.centre,
                    number: v.number,
                    state,
                }
            })
            .collect())
    }

    /// Hall management's assessment of a period (county only); refused
    /// with the figures when 优秀 exceeds floor(20% × assessed).
    pub fn put_assessment(
        &self,
        who: &Actor,
        period: &str,
        grades: Vec<(String, Grade)>,
    ) -> Result<(), NodeError> {
        who.may(Act::Roster)?;
        self.county_only()?;
        let roster: BTreeSet<String> = self.store.staff()?.into_iter().map(|s| s.id).collect();
        let assessment = Assessment {
            period: period.to_string(),
            grades: grades.into_iter().collect(),
            by: who.staff.clone(),
        };
        check_assessment(&assessment, |s| roster.contains(s))
            .map_err(|r| NodeError::Refused(Refusal::Staff(r)))?;
        self.store.append_local(
            vec![(
                EntityId::Assessment(period.to_string()),
                OpBody::AssessmentPut(assessment),
            )],
            self.now_ms(),
        )?;
        Ok(())
    }

    /// Adds (or takes off) incentive points of one person in one period
    /// (county only, hall management).
    pub fn add_points(
        &self,
        who: &Actor,
        staff: &str,
        period: &str,
        points: i64,
        reason: &str,
    ) -> Result<i64, NodeError> {
        who.may(Act::Roster)?;
        self.county_only()?;
        let entry = PointsEntry {
            staff: staff.to_string(),
            period: period.to_string(),
            points,
            reason: reason.to_string(),
            by: who.staff.clone(),
        };
        check_points(&entry).map_err(|r| NodeError::Refused(Refusal::Staff(r)))?;
        self.store.append_local(
            vec![(
                EntityId::Points(staff.to_string(), period.to_string()),
                OpBody::PointsAdd(entry),
            )],
            self.now_ms(),
        )?;
        Ok(self.store.points(staff, period)?.total())
    }

    /// Statistics over `from..=to` grouped `by`, from every case this node
    /// holds, folded the node's usual way; evaluations taken out by an
    /// upheld appeal are not counted. For e-supervision or hall management.
    pub fn statistics(
        &self,
        who: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        by: GroupBy,
    ) -> Result<Vec<Row>, NodeError> {
        who.may(Act::ReadSupervision)
            .or_else(|_| who.may(Act::Roster))?;
        // One case at a time: only the figures are held, never the cases.
        let reg = self.registry()?;
        let mut figures = Vec::new();
        self.store.each_case(|c| {
            let state = fold(&c.record, &reg.context(reg.matter_of(&c.record), None));
            figures.push(case_figures(&c.id, &c.record, &state));
            Ok::<(), NodeError>(())
        })?;
        Ok(statistics(&figures, from, to, by, &BTreeSet::new()))
    }
}
