//! Who may do what: the one table of role × act (DOMAIN.md §6), read where
//! an event is written ([`crate::check`]), where a command is accepted (the
//! nodes) and where a received event is folded (an anomaly when its
//! recorder lacked the role).
//!
//! The table ([`permits`]), by act:
//!
//! | act | roles |
//! |-----|-------|
//! | record submitted, correction requested, correction supplied, accepted, rejected, routed, opinion requested, concluded, delivered, withdrawn (on the applicant's request) | window clerk |
//! | record fee charged | fee clerk |
//! | record an opinion (both forms), supplement requested and supplied, special procedure started and ended, bad review handled | department reviewer |
//! | record decided (only within his written authorisation: checked against the authorisation, not here) | chief representative |
//! | record supervision annotated, supervision resolved | e-supervision |
//! | record supervision flagged | nobody: the county's rule engine writes it, without a recorder |
//! | record evaluated | nobody: an evaluation comes from the applicant's channel only |
//! | record retracted | the roles that may record something retractable (window clerk, fee clerk, reviewer, chief representative); which event each may retract is checked against the target |
//! | catalogue, roster, credentials, authorisations, calendar, routing rules | hall management |
//! | read cases | window clerk, fee clerk, reviewer, chief representative, e-supervision |
//! | read supervision items, supervise | e-supervision |
//! | read the audit log | e-supervision, hall management |
//! | node status | everyone |
//! | PKI, backup, verify | network admin |
//!
//! Decisions:
//! - Reading cases follows the duty (DOMAIN.md §7, 个人信息保护法 §6):
//!   cases carry applicants' personal data, so only the roles that handle
//!   or supervise cases read them. Hall management runs the hall's data
//!   (catalogue, roster, calendar, …), not applications; the network admin
//!   runs the machines and sees status, metrics and logs, which carry no
//!   personal data — never case contents.
//! - A retraction is permitted here to any role that records retractable
//!   events; the check then requires the same role as the target's
//!   recorder (or, for an old event without one, a role that may record
//!   the target's kind), at the target's origin, the same person for a
//!   decision, and never an evaluation or a supervision event.
//! - One table, so a change of policy is one edit; the test lists every
//!   (role, act) pair literally.

use crate::event::EventKind;
pub use crate::event::EventTag;
use crate::staff::StaffRole;
use StaffRole::{
    ChiefRepresentative as Chief, Clerk, FeeClerk, HallManagement as Hall, NetworkAdmin as Network,
    Reviewer, Supervisor,
};

/// Something a staff member may be permitted to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Act {
    /// Record an event of this kind on a case.
    Record(EventTag),
    /// Edit the matter catalogue.
    Catalogue,
    /// Edit the roster.
    Roster,
    /// Set, reset or disable sign-in credentials.
    Credentials,
    /// File or revoke chief representatives' authorisations.
    Authorisations,
    /// Set the working-day calendar.
    Calendar,
    /// Set matters' routing rules.
    Routing,
    /// Read cases (their contents, personal data included).
    ReadCases,
    /// Read the e-supervision items.
    ReadSupervision,
    /// Annotate and resolve supervision items.
    Supervise,
    /// Read a node's audit log.
    ReadAudit,
    /// Node status.
    Status,
    /// Certificates: issue, revoke, rotate.
    Pki,
    Backup,
    Verify,
}

impl Act {
    /// A stable name (refusals, audit lines).
    pub fn name(self) -> &'static str {
        match self {
            Act::Record(tag) => tag.name(),
            Act::Catalogue => "catalogue",
            Act::Roster => "roster",
            Act::Credentials => "credentials",
            Act::Authorisations => "authorisations",
            Act::Calendar => "calendar",
            Act::Routing => "routing",
            Act::ReadCases => "read-cases",
            Act::ReadSupervision => "read-supervision",
            Act::Supervise => "supervise",
            Act::ReadAudit => "read-audit",
            Act::Status => "status",
            Act::Pki => "pki",
            Act::Backup => "backup",
            Act::Verify => "verify",
        }
    }

    /// Every act: recording each event kind, then the rest.
    pub fn all() -> Vec<Act> {
        let mut all: Vec<Act> = EventTag::ALL.into_iter().map(Act::Record).collect();
        all.extend([
            Act::Catalogue,
            Act::Roster,
            Act::Credentials,
            Act::Authorisations,
            Act::Calendar,
            Act::Routing,
            Act::ReadCases,
            Act::ReadSupervision,
            Act::Supervise,
            Act::ReadAudit,
            Act::Status,
            Act::Pki,
            Act::Backup,
            Act::Verify,
        ]);
        all
    }
}

/// The roles that may do `act`: the table.
fn holders(act: Act) -> &'static [StaffRole] {
    match act {
        Act::Record(tag) => match tag {
            EventTag::Submitted
            | EventTag::CorrectionRequested
            | EventTag::CorrectionSupplied
            | EventTag::Accepted
            | EventTag::Rejected
            | EventTag::RoutedToDepartment
            | EventTag::OpinionRequested
            | EventTag::EvaluationInvited
            | EventTag::Concluded
            | EventTag::Delivered
            | EventTag::Withdrawn => &[Clerk],
            EventTag::FeeCharged | EventTag::FeeWaived => &[FeeClerk],
            EventTag::OpinionGiven
            | EventTag::OpinionRecorded
            | EventTag::SupplementRequested
            | EventTag::SupplementSupplied
            | EventTag::SpecialProcedureStarted
            | EventTag::SpecialProcedureEnded
            | EventTag::BadReviewHandled => &[Reviewer],
            EventTag::Decided => &[Chief],
            EventTag::SupervisionAnnotated
            | EventTag::SupervisionResolved
            | EventTag::SupervisionAssigned => &[Supervisor],
            EventTag::EvaluationAppealed => &[Reviewer, Chief],
            EventTag::AppealDecided => &[Hall],
            EventTag::SupervisionFlagged | EventTag::Evaluated => &[],
            EventTag::Retracted => &[Clerk, FeeClerk, Reviewer, Chief],
        },
        Act::Catalogue
        | Act::Roster
        | Act::Credentials
        | Act::Authorisations
        | Act::Calendar
        | Act::Routing => &[Hall],
        Act::ReadCases => &[Clerk, FeeClerk, Reviewer, Chief, Supervisor],
        Act::ReadSupervision | Act::Supervise => &[Supervisor],
        Act::ReadAudit => &[Supervisor, Hall],
        Act::Status => &StaffRole::ALL,
        Act::Pki | Act::Backup | Act::Verify => &[Network],
    }
}

/// Whether `role` may do `act`.
pub fn permits(role: StaffRole, act: Act) -> bool {
    holders(act).contains(&role)
}

/// Whether `role` may record an event of this kind (for a retraction: may
/// retract at all; which event is the check's).
pub fn may_record(role: StaffRole, kind: &EventKind) -> bool {
    permits(role, Act::Record(kind.tag()))
}
