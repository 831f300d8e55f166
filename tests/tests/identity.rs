//! Staff identity, end to end, over real nodes (county, townships and a
//! department bridge in-process on loopback, real sled stores, real mutual
//! TLS): the acceptance list for sign-in, roles, recorders, the
//! chief representative's seal, the applicant's evaluation code, the
//! audit log and the control socket.
//!
//! One module per item of the list, each test named after the behaviour it
//! proves:
//! - [`authority`]: who may decide and who may retract what;
//! - [`recorder`]: a township's case shows its recorder at the county;
//! - [`offline`]: sign-in and password changes with the county down;
//! - [`lockout`]: five wrong passwords lock an account for 15 minutes, on
//!   a county whose clock the test moves (no sleeping);
//! - [`seal`]: a sealed decision verifies on every node that holds the
//!   case; an altered or missing seal is refused as `bad-seal`;
//! - [`evaluation`]: the applicant's one-time code, never staff;
//! - [`audit`]: the control socket's calls in the audit log, with the
//!   caller's OS uid, reaching the county;
//! - [`socket`]: the control socket's mode and its session checks.
//!
//! Decisions: waits are bounded by [`support::LIMIT`] and nothing asserts
//! on timing; sign-ins are made once the credential is known to have
//! arrived (a retried sign-in would count towards the lockout).

#[path = "identity/audit.rs"]
mod audit;
#[path = "identity/authority.rs"]
mod authority;
#[path = "identity/evaluation.rs"]
mod evaluation;
#[path = "identity/lockout.rs"]
mod lockout;
#[path = "identity/offline.rs"]
mod offline;
#[path = "identity/recorder.rs"]
mod recorder;
#[path = "identity/seal.rs"]
mod seal;
#[path = "identity/socket.rs"]
mod socket;
#[path = "identity/support.rs"]
mod support;
