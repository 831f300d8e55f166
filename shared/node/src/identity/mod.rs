//! Who is acting: staff sign-in, sessions, and the roles a command acts in.
//!
//! - A session is made by [`NodeCore::login`](crate::NodeCore) at this node
//!   from the staff member's credential as this node holds it (county data,
//!   replicated to the centres it names), so signing in works with the
//!   county down. The caller gets a random token; this node keeps only its
//!   digest ([`sessions`]), in `sessions.json` beside the store (mode 0600),
//!   so a restart does not sign everyone out.
//! - A session ends on `logout`, after [`IDLE_LIMIT_MS`] without a command,
//!   or as soon as the credential is disabled (checked on every command).
//! - Every command but `status`, `health` and `login` runs as an [`Actor`]:
//!   the signed-in staff member with the roles the roster gives him *now*
//!   (a role removed at the county takes effect when the roster arrives).
//!   Which role an act is done in is the first of his roles the domain's
//!   permission table ([`liandong_domain::permission`]) allows; that role
//!   goes into the event's recorder.
//! - Failed sign-ins are counted per account and source (the OS user on
//!   the control socket, the address on HTTP); five in 15 minutes lock the
//!   account for 15 minutes. No answer says whether a staff id exists.
//!
//! The node's in-process API takes the [`Actor`] as its first argument:
//! authentication is the transport's (control socket, admin HTTP),
//! authorisation is the core's, so every way in is checked the same.

mod actor;
mod audit;
mod seal;
mod sessions;
mod signin;

pub use actor::Actor;
pub use audit::AuditFilter;
pub(crate) use seal::seal_decisions;
pub use seal::{SealHandle, UnlockedSeal};
pub(crate) use sessions::Identity;
pub use sessions::{SessionInfo, IDLE_LIMIT_MS};
pub use signin::{LoginReply, WhoAmI, INITIAL_ADMIN, INITIAL_PASSWORD_FILE};
