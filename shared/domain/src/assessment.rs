//! The hall's assessment of its staff (考核) and their incentive points,
//! DOMAIN.md §6 and the county's notice on the hall's staff (考核,
//! 双重管理).
//!
//! An [`Assessment`] is hall management's grading of the staff assessed in
//! one period, written at the county as a whole (each new version replaces
//! the last: last writer by (HLC, op id), [`AssessmentEntry`]). The rule
//! 优秀 ≤ floor(20% × assessed) ([`excellent_quota`]) is checked where it
//! is written ([`check_assessment`], refusing with the figures) and shown
//! as an anomaly of the version that stands when one arrives broken
//! ([`AssessmentEntry::anomaly`]).
//!
//! Incentive points are a counter per person per period: each
//! [`PointsEntry`] adds (or takes off) whole points with its reason, and
//! the [`Points`] view is a `PNCounter` whose actor is the entry's op id,
//! so entries merge in any order, each counted once.

use std::collections::BTreeMap;

use crdts::pncounter::{self, Dir};
use crdts::{CmRDT, CvRDT, Dot, PNCounter};
use serde::{Deserialize, Serialize};

use crate::base::{Lang, Stamp};
use crate::refusal::StaffRefusal;
use liandong_model::OpId;

/// An assessment grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// 优秀.
    Excellent,
    /// 称职.
    Competent,
    /// 基本称职.
    BasicallyCompetent,
    /// 不称职.
    Incompetent,
}

impl Grade {
    pub const ALL: [Grade; 4] = [
        Grade::Excellent,
        Grade::Competent,
        Grade::BasicallyCompetent,
        Grade::Incompetent,
    ];

    /// The CLI spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Competent => "competent",
            Grade::BasicallyCompetent => "basically-competent",
            Grade::Incompetent => "incompetent",
        }
    }

    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Grade::Excellent => lang.pick("优秀", "excellent"),
            Grade::Competent => lang.pick("称职", "competent"),
            Grade::BasicallyCompetent => lang.pick("基本称职", "basically competent"),
            Grade::Incompetent => lang.pick("不称职", "incompetent"),
        }
    }
}

impl std::str::FromStr for Grade {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Grade::ALL
            .into_iter()
            .find(|g| g.as_str() == s)
            .ok_or_else(|| {
                format!("grade `{s}`: use excellent, competent, basically-competent or incompetent")
            })
    }
}

/// Hall management's grading of one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    /// The period (`2026`, `2026-Q4`): also the entity's key.
    pub period: String,
    /// Grade per staff id assessed.
    pub grades: BTreeMap<String, Grade>,
    /// The hall-management staff member who wrote it.
    pub by: String,
}

impl Assessment {
    /// How many were assessed.
    pub fn assessed(&self) -> u32 {
        u32::try_from(self.grades.len()).unwrap_or(u32::MAX)
    }

    /// How many were graded 优秀.
    pub fn excellent(&self) -> u32 {
        let n = self
            .grades
            .values()
            .filter(|g| **g == Grade::Excellent)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// The most 优秀 grades among `assessed` staff: floor(20% × assessed).
pub fn excellent_quota(assessed: u32) -> u32 {
    assessed / 5
}

/// Checks an assessment where it is written: someone graded, everyone on
/// the roster (`on_roster`), and 优秀 within [`excellent_quota`].
pub fn check_assessment(
    assessment: &Assessment,
    on_roster: impl Fn(&str) -> bool,
) -> Result<(), StaffRefusal> {
    if assessment.grades.is_empty() {
        return Err(StaffRefusal::Empty {
            field: "grades".into(),
        });
    }
    if assessment.by.trim().is_empty() {
        return Err(StaffRefusal::Empty {
            field: "staff id".into(),
        });
    }
    if let Some(staff) = assessment.grades.keys().find(|s| !on_roster(s)) {
        return Err(StaffRefusal::NotOnRoster {
            staff: staff.clone(),
        });
    }
    quota(assessment)
}

fn quota(assessment: &Assessment) -> Result<(), StaffRefusal> {
    let assessed = assessment.assessed();
    let excellent = assessment.excellent();
    let max = excellent_quota(assessed);
    if excellent > max {
        return Err(StaffRefusal::ExcellentOverQuota {
            excellent,
            assessed,
            max,
        });
    }
    Ok(())
}

/// The assessment of a period as held: the latest version by stamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssessmentEntry {
    pub assessment: Assessment,
    pub stamp: Stamp,
}

impl AssessmentEntry {
    /// Takes a version in when it is later than the one held.
    pub fn put(&mut self, assessment: Assessment, stamp: Stamp) {
        if stamp > self.stamp {
            self.assessment = assessment;
            self.stamp = stamp;
        }
    }

    /// What is wrong with the version that stands, when it arrived broken
    /// (the roster is not consulted: it may not have arrived yet).
    pub fn anomaly(&self) -> Option<StaffRefusal> {
        quota(&self.assessment).err()
    }
}

/// One incentive-point entry for a staff member in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointsEntry {
    pub staff: String,
    pub period: String,
    /// Points added (negative: taken off); never zero.
    pub points: i64,
    pub reason: String,
    /// The hall-management staff member who wrote it.
    pub by: String,
}

/// Checks an incentive-point entry where it is written.
pub fn check_points(entry: &PointsEntry) -> Result<(), StaffRefusal> {
    if entry.points == 0 {
        return Err(StaffRefusal::ZeroPoints);
    }
    for (field, value) in [("reason", &entry.reason), ("staff id", &entry.by)] {
        if value.trim().is_empty() {
            return Err(StaffRefusal::Empty {
                field: field.into(),
            });
        }
    }
    Ok(())
}

/// A staff member's incentive points in one period: a `PNCounter` with
/// one actor per entry (its op id), and the entries themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Points {
    pub counter: PNCounter<OpId>,
    pub entries: BTreeMap<OpId, PointsEntry>,
}

impl Points {
    /// Counts one entry (once, whatever order and however often it comes).
    pub fn absorb(&mut self, op: &OpId, entry: PointsEntry) {
        // The entry's own dot: its actor is the op id and its count the
        // entry's points, so applying it again changes nothing (a dot
        // raises the actor's count to at least its own).
        let dot = Dot::new(op.clone(), entry.points.unsigned_abs());
        let dir = if entry.points >= 0 {
            Dir::Pos
        } else {
            Dir::Neg
        };
        self.counter.apply(pncounter::Op { dot, dir });
        self.entries.entry(op.clone()).or_insert(entry);
    }

    /// Merges another replica's points of the same person and period.
    pub fn merge_from(&mut self, other: &Points) {
        self.counter.merge(other.counter.clone());
        for (op, e) in &other.entries {
            self.entries.entry(op.clone()).or_insert_with(|| e.clone());
        }
    }

    /// The total.
    pub fn total(&self) -> i64 {
        i64::try_from(&self.counter.read()).unwrap_or(i64::MAX)
    }
}

#[cfg(test)]
mod tests;
