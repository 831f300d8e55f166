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
//! # Layers
//!
//! The modules are declared bottom-up, one group of `mod` lines per layer.
//! A module may use the modules of earlier layers only, never one of its
//! own layer or a later one; `tests/module_order/` fails, naming the file,
//! the line and the import, when it does. A submodule tree such as `check/`
//! counts as its top-level module. (Within a layer, rustfmt keeps the names
//! in alphabetical order.)
//!
//! 1. `base`: `Lang`, `Stamp`, `Level`; uses nothing of the crate.
//! 2. `applicant` (identity documents and the check of their numbers),
//!    `calendar` (working days, CST dates), `matter` (one catalogue entry
//!    and the special-step kinds), `routing` (a matter's routing rule),
//!    `rule` (e-supervision rules and item
//!    ids), `staff` (the roster entry and the roles), `status` (status and
//!    conflict values): each uses `base` only.
//! 3. `authorisation` (uses `calendar`, `matter`, `staff`), `catalogue`
//!    (`matter`), `credential` (sign-in credentials, seal keys, audit lines:
//!    `staff`), `recorder` (who recorded an event, a seal signature:
//!    `staff`).
//! 4. `context`, what the fold reads besides events (`calendar`, `matter`,
//!    `authorisation`, `staff`); `event` (`matter`, `rule`, `recorder`).
//! 5. `permission`, the role × act table (`event`, `staff`); `record`, a
//!    case's event set (`event`); `refusal`, broken preconditions
//!    (`authorisation`, `event`, `matter`, `rule`, `staff`, `status`).
//! 6. `assessment` (the hall's grading per period, the 20% rule,
//!    incentive points as a counter), `complaint` (投诉: receipt, answer,
//!    deadline) and `enquiry` (首问负责 records, AB岗 stand-ins): each uses
//!    `base`, `calendar` and `refusal`.
//! 7. `facts`: a case's live events sorted by kind (`calendar`, `event`,
//!    `record`, `rule`, `status`).
//! 8. `check`, the preconditions and the recorder's rules (`facts`,
//!    `context`, `permission`, `refusal`, ...), and `clock`, the
//!    working-day clock (`facts`, `context`, ...).
//! 9. `warning`: warnings from the facts and the clock.
//! 10. `fold`: a case's state, from everything above.
//! 11. `supervision`: the e-supervision items, from the fold (and, for items
//!     flagged under the former due-date ids, the facts and the clock's
//!     limits).
//! 12. `op`: operation bodies, carrying the entity types to the store, in a
//!     wire layout that keeps old bodies' bytes (`credential`, `event`, ...).
//! 13. `authority`: who may originate what (the receiver's one table) and
//!     which events widen a case's scope (`event`, `op`, `authorisation`).
//! 14. `stats`: statistics per department, centre and staff over a
//!     period, from folded cases (`fold`, `event`, `record`).
//!
//! The unit tests (`tests/`) come last and may use everything.
//!
//! Not yet here: joint-meeting (联审) scheduling, per-visit evaluations
//! (one per case), termination of a 容缺 case whose promise lapses, the late-forwarding
//! flag of lower-level reviews, and the rule that fees due are paid before
//! conclusion (which fees are due depends on the case, and the catalogue
//! does not say so yet).

pub mod base;

pub mod applicant;
pub mod calendar;
pub mod matter;
pub mod routing;
pub mod rule;
pub mod staff;
pub mod status;

pub mod authorisation;
pub mod catalogue;
pub mod credential;
pub mod recorder;

pub mod context;
pub mod event;

pub mod permission;
pub mod record;
pub mod refusal;

pub mod assessment;
pub mod complaint;
pub mod enquiry;

mod facts;

pub mod check;
pub mod clock;

pub mod warning;

pub mod fold;

pub mod supervision;

pub mod op;

pub mod authority;

pub mod stats;

#[cfg(test)]
mod tests;

pub use applicant::{
    check_number, credit_code_with_check, with_check_digit, Holder, IdType, NumberFault,
};
pub use authorisation::{
    authorised, AuthError, AuthScope, Authorisation, AuthorisationError, Power,
};
pub use base::{Lang, LangError, Level, Stamp};
pub use calendar::{cst_date, cst_time_ms, dates_from_until, Calendar, CalendarError, DaySetting};
pub use catalogue::{Catalogue, CatalogueEntry};
pub use check::check;
pub use clock::{Clock, ClockState, Pause, PauseReason};
pub use context::{FoldContext, Thresholds};
pub use credential::{AuditEntry, Credential, SealKey};
pub use event::{
    seal_message, Agent, Applicant, ApplicantIdentity, CaseEvent, EventKind, EventTag,
    OpinionResult, Reviewer, Seal, SpecialCode, SubmittedMaterial, Tolerance,
};
pub use fold::{fold, Anomaly, CaseState, EvaluationLine, FeeLine, PartDecision};
pub use matter::{
    FeeItem, Material, MaterialForm, Matter, MatterError, MatterKind, SpecialKind, SpecialStep,
    Stage,
};
pub use op::{DecodeBody, OpBody, Operation};
pub use permission::{may_record, permits, Act};
pub use record::{CaseRecord, RecordedEvent};
pub use recorder::{Recorder, SealSignature};
pub use refusal::{Refusal, RequiredField};
pub use routing::{RoutingEntry, RoutingRule};
pub use rule::{Rule, SupervisionId};
pub use staff::{validate_staff, LegacyStaff, Staff, StaffError, StaffRole};
pub use status::{Conflict, ConflictKind, Status};
pub use supervision::{supervision_items, ItemNote, SupervisionItem};
pub use warning::{OverrunStage, Warning};
