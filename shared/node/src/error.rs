//! The node layer's errors: why an operation of [`crate::NodeCore`] did
//! not happen, as data the caller can act on.
//!
//! [`NodeError`] is what the node's functions return in-process; its
//! [`ErrorKind`] says what the caller should do (fix the arguments, read
//! the refusal to the clerk, free disk space, retry). Over the control
//! socket the same error travels as an [`ErrorReply`] ([`reply`]): the
//! same kinds and data, with the parts that cannot be serialised (store
//! and I/O sources) reduced to a language-neutral detail.
//!
//! Invariants:
//! - nothing here is worded for a clerk: a refusal stays a
//!   [`Refusal`], a missing case stays [`Missing::Case`]; the presentation
//!   crate (`liandong-cli`) renders them in the clerk's language. `Display`
//!   is a short technical English line for logs and the admin port;
//! - [`NodeError::Store`] keeps the store's own error, so a full disk
//!   ([`NodeError::is_disk_full`]) and a corrupt store
//!   ([`NodeError::is_corruption`]) stay distinguishable.
//!
//! Not yet: errors of the start-up sequence (`boot`) and the admin port
//! have their own types or none.

mod reply;
pub mod words;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use liandong_domain::{AuthorisationError, Lang, MatterError, Refusal, StaffError};
use liandong_store::StoreError;

pub use reply::{ErrorReply, StoreProblem};

/// Why an operation of the node did not happen.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// A domain rule refused the step (the case's state, the catalogue,
    /// an authorisation): the clerk reads the refusal and changes course.
    #[error("refused by a domain rule: {}", .0.message(Lang::En))]
    Refused(Refusal),
    /// A case, matter, staff member … that this node does not hold.
    #[error("not found: {what}")]
    NotFound { what: Missing },
    /// This node (or role) may not do that at all.
    #[error("not permitted: {what}")]
    NotPermitted { what: Forbidden },
    /// A malformed argument reached the node.
    #[error("bad input: {input}")]
    BadInput { input: Malformed },
    /// The local store failed (disk below its reserve, corruption, I/O).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file outside the store (a backup being written) failed.
    #[error("cannot {op} {}: {source}", .path.display())]
    Io {
        op: FileOp,
        path: PathBuf,
        source: std::io::Error,
    },
    /// A bug or a broken invariant of the node itself.
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

/// The class of an error: what the caller should do about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// Refused by a domain rule: tell the clerk why; do not retry as is.
    Refused,
    /// What was named does not exist here: check the id or code.
    NotFound,
    /// This node or role may not do that: do it where it is allowed.
    NotPermitted,
    /// Malformed arguments: fix them.
    BadInput,
    /// The local store failed: free disk space, or stop and `verify`.
    Store,
    /// A file outside the store failed: check the path and the disk.
    Io,
    /// A bug: report it.
    Internal,
}

impl ErrorKind {
    /// Every kind, for exhaustive tables and tests.
    pub const ALL: [ErrorKind; 7] = [
        ErrorKind::Refused,
        ErrorKind::NotFound,
        ErrorKind::NotPermitted,
        ErrorKind::BadInput,
        ErrorKind::Store,
        ErrorKind::Io,
        ErrorKind::Internal,
    ];

    /// The kebab-case name (as on the wire; audit lines).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::NotFound => "not-found",
            ErrorKind::NotPermitted => "not-permitted",
            ErrorKind::BadInput => "bad-input",
            ErrorKind::Store => "store",
            ErrorKind::Io => "io",
            ErrorKind::Internal => "internal",
        }
    }

    /// Whether the caller's request itself is at fault (changing it, not
    /// retrying it, is what helps).
    pub fn is_callers_fault(self) -> bool {
        matches!(
            self,
            ErrorKind::Refused
                | ErrorKind::NotFound
                | ErrorKind::NotPermitted
                | ErrorKind::BadInput
        )
    }
}

/// Something a command named that this node does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "kebab-case")]
pub enum Missing {
    #[error("case {id}")]
    Case { id: String },
    #[error("matter {code}")]
    Matter { code: String },
    #[error("staff member {id}")]
    Staff { id: String },
    #[error("authorisation {id}")]
    Authorisation { id: String },
    /// A supervision item of a case that exists.
    #[error("supervision item {item}")]
    SupervisionItem { item: String },
    /// The open request a step answers (a correction notice, a supplement
    /// request, a special procedure under way).
    #[error("open {kind:?} on the case")]
    OpenRequest { kind: OpenRequest },
}

/// The kinds of request a later step answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OpenRequest {
    /// 补正告知, answered by 补齐.
    Correction,
    /// A department's supplement request.
    Supplement,
    /// A special procedure, ended by `special-end`.
    Special,
}

/// What this node or role may not do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "kebab-case")]
pub enum Forbidden {
    /// Only the county writes the catalogue, staff, authorisations and calendar.
    #[error("registry writes are the county's")]
    RegistryWrite,
    /// Only the county revokes certificates.
    #[error("revocations are the county's")]
    Revocation,
    /// The county does not revoke its own certificate.
    #[error("the county revoking itself")]
    RevokeSelf,
    /// The command needs a signed-in staff member (`login`), or the
    /// session ended (logout, 8 hours idle, account disabled).
    #[error("not signed in at {node}")]
    NotSignedIn { node: String },
    /// The staff id or the password is wrong (never says which).
    #[error("wrong staff id or password")]
    WrongCredentials,
    /// Too many failed sign-ins: the account is locked until then.
    #[error("account locked until {until_ms}")]
    Locked { until_ms: u64 },
    /// A decision needs the decider's electronic seal, unlocked at his
    /// sign-in (lost on logout or a restart of the node).
    #[error("{staff}'s seal is not unlocked")]
    NoSeal { staff: String },
    /// The signed-in staff member has no role that may do this.
    #[error("{staff} has no role permitted to do `{act}`")]
    Role { staff: String, act: String },
}

/// A malformed argument that reached the node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "kebab-case")]
pub enum Malformed {
    /// A node id given by `flag` does not parse; `detail` says why.
    #[error("{flag}: {detail}")]
    NodeId { flag: String, detail: String },
    /// Not an event id (`ORIGIN#SEQ`).
    #[error("event id `{text}`")]
    EventId { text: String },
    /// Acceptance with missing materials names only one of the two.
    #[error("tolerated acceptance needs both the missing materials and the promised date")]
    ToleranceIncomplete,
    /// A supervision note was empty.
    #[error("empty note")]
    NoteMissing,
    /// A calendar change named no dates.
    #[error("no dates")]
    NoDates,
    /// `case route` named no department or township and the matter has
    /// no routing rule; or a rule named neither.
    #[error("nothing to route to")]
    NothingToRoute,
    /// A new password does not meet the policy, or none was given.
    #[error("password: {detail}")]
    Password { detail: String },
    #[error("matter: {0}")]
    Matter(MatterError),
    #[error("staff: {0}")]
    Staff(StaffError),
    #[error("authorisation: {0}")]
    Authorisation(AuthorisationError),
}

impl Malformed {
    /// A node id given by `flag` that does not parse.
    pub fn node_id(flag: &str, e: liandong_model::NodeIdError) -> Malformed {
        Malformed::NodeId {
            flag: flag.to_string(),
            detail: e.to_string(),
        }
    }
}

/// What was being done to a file outside the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileOp {
    Create,
    Sync,
    Rename,
}

impl std::fmt::Display for FileOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FileOp::Create => "create",
            FileOp::Sync => "sync",
            FileOp::Rename => "rename to",
        })
    }
}

impl NodeError {
    pub fn not_found(what: Missing) -> NodeError {
        NodeError::NotFound { what }
    }

    pub fn not_permitted(what: Forbidden) -> NodeError {
        NodeError::NotPermitted { what }
    }

    pub fn bad_input(input: Malformed) -> NodeError {
        NodeError::BadInput { input }
    }

    pub fn internal(detail: impl Into<String>) -> NodeError {
        NodeError::Internal {
            detail: detail.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            NodeError::Refused(_) => ErrorKind::Refused,
            NodeError::NotFound { .. } => ErrorKind::NotFound,
            NodeError::NotPermitted { .. } => ErrorKind::NotPermitted,
            NodeError::BadInput { .. } => ErrorKind::BadInput,
            NodeError::Store(_) => ErrorKind::Store,
            NodeError::Io { .. } => ErrorKind::Io,
            NodeError::Internal { .. } => ErrorKind::Internal,
        }
    }

    /// Refused by a domain rule (the refusal is [`NodeError::refusal`]).
    pub fn is_refusal(&self) -> bool {
        matches!(self, NodeError::Refused(_))
    }

    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            NodeError::Refused(r) => Some(r),
            _ => None,
        }
    }

    /// The same request may succeed later unchanged: a store I/O error,
    /// or a full disk once space is freed.
    pub fn is_retryable(&self) -> bool {
        match self {
            NodeError::Store(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The disk is below the store's reserve: free space, then retry.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, NodeError::Store(StoreError::DiskFull { .. }))
    }

    /// The store is damaged or in a foreign format: stop the node and run
    /// `verify`; do not retry.
    pub fn is_corruption(&self) -> bool {
        matches!(self, NodeError::Store(e) if e.is_corruption())
    }

    /// The store stopped taking writes after a failed sync: check the
    /// disk, then restart the node; do not retry.
    pub fn is_store_read_only(&self) -> bool {
        matches!(self, NodeError::Store(e) if e.is_read_only())
    }

    /// The reply that carries this error over the control socket.
    pub fn to_reply(&self) -> ErrorReply {
        ErrorReply::from(self)
    }
}

impl From<Refusal> for NodeError {
    fn from(r: Refusal) -> Self {
        NodeError::Refused(r)
    }
}

impl From<Malformed> for NodeError {
    fn from(input: Malformed) -> Self {
        NodeError::BadInput { input }
    }
}

/// The admin port's mapping: one status code per kind, the technical
/// line as the body.
impl axum::response::IntoResponse for NodeError {
    fn into_response(self) -> axum::response::Response {
        use axum::http::StatusCode;
        let status = match self.kind() {
            ErrorKind::Refused => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::NotPermitted => StatusCode::FORBIDDEN,
            ErrorKind::BadInput => StatusCode::BAD_REQUEST,
            ErrorKind::Store => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::Io | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, self.to_string()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disk_full() -> NodeError {
        NodeError::Store(StoreError::DiskFull {
            path: "/srv/liandong".into(),
            free_mib: 10,
            reserve_mib: 512,
        })
    }

    #[test]
    fn each_error_has_its_kind_and_says_whether_to_retry() {
        let refused = NodeError::from(Refusal::AlreadyAccepted);
        assert_eq!(refused.kind(), ErrorKind::Refused);
        assert!(refused.is_refusal() && !refused.is_retryable());
        assert_eq!(refused.refusal(), Some(&Refusal::AlreadyAccepted));

        let missing = NodeError::not_found(Missing::Case { id: "C1".into() });
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert!(!missing.is_refusal() && missing.refusal().is_none());

        let full = disk_full();
        assert_eq!(full.kind(), ErrorKind::Store);
        assert!(full.is_disk_full() && full.is_retryable() && !full.is_corruption());

        let corrupt = NodeError::Store(StoreError::Corrupt {
            what: "feed".into(),
            detail: "bad".into(),
        });
        assert!(corrupt.is_corruption() && !corrupt.is_retryable() && !corrupt.is_disk_full());

        let stopped = NodeError::Store(StoreError::ReadOnly {
            path: "/srv/liandong".into(),
            since: 7,
            cause: "sync_data of /srv/liandong/db: Input/output error".into(),
        });
        assert_eq!(stopped.kind(), ErrorKind::Store);
        assert!(
            stopped.is_store_read_only() && !stopped.is_retryable() && !stopped.is_corruption()
        );
        assert!(matches!(
            stopped.to_reply(),
            ErrorReply::Store { problem: StoreProblem::Other { detail } } if detail.contains("read-only")
        ));
    }

    #[test]
    fn only_the_callers_kinds_are_the_callers_fault() {
        let fault: Vec<ErrorKind> = ErrorKind::ALL
            .into_iter()
            .filter(|k| k.is_callers_fault())
            .collect();
        assert_eq!(
            fault,
            [
                ErrorKind::Refused,
                ErrorKind::NotFound,
                ErrorKind::NotPermitted,
                ErrorKind::BadInput
            ]
        );
    }

    #[test]
    fn the_admin_port_maps_each_kind_to_its_own_status() {
        use axum::response::IntoResponse;
        let status = |e: NodeError| e.into_response().status().as_u16();
        assert_eq!(status(Refusal::AlreadyAccepted.into()), 422);
        assert_eq!(
            status(NodeError::not_found(Missing::Matter { code: "M9".into() })),
            404
        );
        assert_eq!(status(NodeError::not_permitted(Forbidden::Revocation)), 403);
        assert_eq!(status(Malformed::NoDates.into()), 400);
        assert_eq!(status(disk_full()), 503);
        assert_eq!(status(NodeError::internal("x")), 500);
    }
}
