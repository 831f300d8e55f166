//! What the fold and the precondition check read besides a case's events:
//! the calendar, the pinned matter version, the authorisations on file,
//! `now`, the local thresholds, and the level of the recording node.
//!
//! Invariants: borrowed, read-only inputs; the fold is a pure function of
//! (events, context). The defaults of [`Thresholds`] are the values
//! DOMAIN.md gives. This module sits below the clock, the warnings and the
//! check, which all read it, and below [`mod@crate::fold`], which re-exports it.

use serde::{Deserialize, Serialize};

use crate::authorisation::Authorisation;
use crate::base::Level;
use crate::calendar::Calendar;
use crate::matter::Matter;
use crate::routing::RoutingRule;
use crate::staff::Staff;

/// The settings of DOMAIN.md that vary by locality (\[L\]) or are unverified
/// (\[U\]); the defaults are the values DOMAIN.md gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Yellow when at most this many working days remain (1).
    pub yellow_days_left: u32,
    /// Working days to notify a correction, accept or reject; past them
    /// the case is deemed accepted (5, §32).
    pub notice_days: u32,
    /// Business time and HLC further apart than this are flagged (5 min).
    pub skew_ms: u64,
    /// Working days to deliver after concluding an approval (10, §44);
    /// an immediate matter concluded on its acceptance day is delivered at
    /// the window.
    pub delivery_days: u32,
    /// Working days to handle a bad review (15; some rules say 5).
    pub bad_review_fix_days: u32,
    /// Longest extension of a single-department matter (10, §42).
    pub extension_days_single: u16,
    /// Longest extension of a joint matter (15, §42).
    pub extension_days_joint: u16,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            yellow_days_left: 1,
            notice_days: 5,
            skew_ms: 5 * 60 * 1000,
            delivery_days: 10,
            bad_review_fix_days: 15,
            extension_days_single: 10,
            extension_days_joint: 15,
        }
    }
}

/// Everything the fold and the check read besides the events.
#[derive(Debug, Clone, Copy)]
pub struct FoldContext<'a> {
    pub calendar: &'a Calendar,
    /// The matter version the case pinned (or the current one if that
    /// version has not arrived); `None` when the catalogue lacks it.
    pub matter: Option<&'a Matter>,
    pub authorisations: &'a [Authorisation],
    /// The public roster (a decision's department is its authorisation's:
    /// a matter-scoped grant belongs to its holder's department).
    pub roster: &'a [Staff],
    /// The routing rule of the case's matter, when the county set one.
    pub routing: Option<&'a RoutingRule>,
    pub now_ms: u64,
    pub thresholds: Thresholds,
    /// The level of the node recording an event ([`mod@crate::check`] only:
    /// a township centre accepts township-level matters only).
    pub recorder_level: Option<Level>,
}
