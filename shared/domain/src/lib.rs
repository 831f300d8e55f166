//! The government-service domain of DOMAIN.md, as pure functions and data:
//! the working-day calendar, the matter catalogue (十公开), staff and
//! chief-representative authorisations, a case's grow-only event set, the
//! deterministic fold that turns it into status, clock and warnings, the
//! preconditions checked where an event is recorded, and the e-supervision
//! items derived from all of that.
//!
//! Invariants:
//! - nothing here does I/O, reads a clock or names sled/tonic: time comes in
//!   as `now_ms` (Unix milliseconds) and business time travels inside events;
//! - every replicated type merges as a CRDT (commutative, associative,
//!   idempotent), using the `crdts` crate where one fits;
//! - a case's state is a pure function of its event *set* (and the context
//!   passed in): arrival order and duplication never change it, and
//!   contradictions are shown as conflicts, never resolved by timestamp.
//!
//! The numbers DOMAIN.md marks local or unverified are [`Thresholds`]
//! (defaults as DOMAIN.md gives them).
//!
//! Not yet here: joint-meeting (联审) scheduling, the assessment quota and
//! incentive points of DOMAIN.md §6, per-visit evaluations (one per case),
//! termination of a 容缺 case whose promise lapses, the late-forwarding
//! flag of lower-level reviews, and the rule that fees due are paid before
//! conclusion (which fees are due depends on the case, and the catalogue
//! does not say so yet).

pub mod authorisation;
pub mod calendar;
pub mod catalogue;
pub mod check;
pub mod clock;
pub mod event;
mod facts;
pub mod fold;
pub mod matter;
pub mod op;
pub mod record;
pub mod refusal;
pub mod staff;
pub mod status;
pub mod supervision;
pub mod warning;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use liandong_model::{Hlc, OpId};

pub use authorisation::{
    authorised, AuthError, AuthScope, Authorisation, AuthorisationError, Power,
};
pub use calendar::{cst_date, cst_time_ms, dates_from_until, Calendar, CalendarError, DaySetting};
pub use catalogue::{Catalogue, CatalogueEntry};
pub use check::check;
pub use clock::{Clock, ClockState, Pause, PauseReason};
pub use event::{
    Applicant, CaseEvent, EventKind, Seal, SpecialCode, SpecialKind, SubmittedMaterial, Tolerance,
};
pub use fold::{
    fold, Anomaly, CaseState, EvaluationLine, FeeLine, FoldContext, PartDecision, Thresholds,
};
pub use matter::{
    FeeItem, Level, Material, MaterialForm, Matter, MatterError, MatterKind, SpecialStep, Stage,
};
pub use op::{DecodeBody, OpBody, Operation};
pub use record::{CaseRecord, RecordedEvent};
pub use refusal::{Refusal, RequiredField};
pub use staff::{validate_staff, Staff, StaffError, StaffRole};
pub use status::{Conflict, ConflictKind, Status};
pub use supervision::{supervision_items, ItemNote, Rule, SupervisionId, SupervisionItem};
pub use warning::{OverrunStage, Warning};

/// The order of replicated writes: HLC first, then the operation id, so
/// `(wall_ms, logical, origin, seq)`. Unique per operation, hence a valid
/// `LWWReg` marker: two writes never tie.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Stamp {
    pub hlc: Hlc,
    pub op: OpId,
}

impl Stamp {
    pub fn new(hlc: Hlc, op: OpId) -> Self {
        Stamp { hlc, op }
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}@{}", self.hlc.wall_ms, self.hlc.logical, self.op)
    }
}

/// The language of clerk-facing text. Chinese unless asked otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the text for this language.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

/// `--lang` got something other than `zh` or `en`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language `{0}`: use zh or en (未知语言 `{0}`：请用 zh 或 en)")]
pub struct LangError(pub String);

impl std::str::FromStr for Lang {
    type Err = LangError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "cn" | "chinese" => Ok(Lang::Zh),
            "en" | "en-us" | "en-gb" | "english" => Ok(Lang::En),
            _ => Err(LangError(s.to_string())),
        }
    }
}
