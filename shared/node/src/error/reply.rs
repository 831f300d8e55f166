//! [`ErrorReply`]: a [`NodeError`] as it travels over the control socket.
//! Serialisable, tagged by its kind (`"kind": "refused"`, …), carrying
//! the refusal or the fields as data; store and file errors, whose
//! sources cannot cross a socket, keep what the caller acts on (a full
//! disk's numbers, corruption or not) and a language-neutral detail.
//!
//! The node never words these for a clerk; `liandong-cli` does.

use serde::{Deserialize, Serialize};

use super::{ErrorKind, FileOp, Forbidden, Malformed, Missing, NodeError};
use liandong_domain::Refusal;
use liandong_store::StoreError;

/// The error of a control-socket call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ErrorReply {
    Refused {
        refusal: Refusal,
    },
    NotFound {
        what: Missing,
    },
    NotPermitted {
        what: Forbidden,
    },
    BadInput {
        input: Malformed,
    },
    Store {
        problem: StoreProblem,
    },
    Io {
        op: FileOp,
        path: String,
        detail: String,
    },
    Internal {
        detail: String,
    },
}

/// What went wrong in the local store, as far as the caller can act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum StoreProblem {
    /// Free space on the store's disk is below the reserve kept for
    /// replication; clerk writes are refused until space is freed.
    DiskFull {
        path: String,
        free_mib: u64,
        reserve_mib: u64,
    },
    /// The store is damaged or in a format this build does not read:
    /// stop the node and run `verify`.
    Corrupt { detail: String },
    /// An I/O error of the store: worth retrying.
    Io { detail: String },
    /// Anything else the store refused.
    Other { detail: String },
}

impl StoreProblem {
    pub fn of(e: &StoreError) -> StoreProblem {
        let detail = e.to_string();
        match e {
            StoreError::DiskFull {
                path,
                free_mib,
                reserve_mib,
            } => StoreProblem::DiskFull {
                path: path.display().to_string(),
                free_mib: *free_mib,
                reserve_mib: *reserve_mib,
            },
            e if e.is_corruption() => StoreProblem::Corrupt { detail },
            StoreError::Sled(_) | StoreError::Io(_) => StoreProblem::Io { detail },
            _ => StoreProblem::Other { detail },
        }
    }
}

impl From<&NodeError> for ErrorReply {
    fn from(e: &NodeError) -> Self {
        match e {
            NodeError::Refused(refusal) => ErrorReply::Refused {
                refusal: refusal.clone(),
            },
            NodeError::NotFound { what } => ErrorReply::NotFound { what: what.clone() },
            NodeError::NotPermitted { what } => ErrorReply::NotPermitted { what: what.clone() },
            NodeError::BadInput { input } => ErrorReply::BadInput {
                input: input.clone(),
            },
            NodeError::Store(e) => ErrorReply::Store {
                problem: StoreProblem::of(e),
            },
            NodeError::Io { op, path, source } => ErrorReply::Io {
                op: *op,
                path: path.display().to_string(),
                detail: source.to_string(),
            },
            NodeError::Internal { detail } => ErrorReply::Internal {
                detail: detail.clone(),
            },
        }
    }
}

impl From<NodeError> for ErrorReply {
    fn from(e: NodeError) -> Self {
        ErrorReply::from(&e)
    }
}

impl ErrorReply {
    pub fn internal(detail: impl Into<String>) -> ErrorReply {
        ErrorReply::Internal {
            detail: detail.into(),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            ErrorReply::Refused { .. } => ErrorKind::Refused,
            ErrorReply::NotFound { .. } => ErrorKind::NotFound,
            ErrorReply::NotPermitted { .. } => ErrorKind::NotPermitted,
            ErrorReply::BadInput { .. } => ErrorKind::BadInput,
            ErrorReply::Store { .. } => ErrorKind::Store,
            ErrorReply::Io { .. } => ErrorKind::Io,
            ErrorReply::Internal { .. } => ErrorKind::Internal,
        }
    }

    pub fn is_refusal(&self) -> bool {
        matches!(self, ErrorReply::Refused { .. })
    }

    /// The same request may succeed later unchanged (as
    /// [`NodeError::is_retryable`]).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ErrorReply::Store {
                problem: StoreProblem::DiskFull { .. } | StoreProblem::Io { .. }
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::OpenRequest;
    use liandong_domain::{AuthError, MatterError};

    fn round_trip(reply: &ErrorReply) -> ErrorReply {
        let line = serde_json::to_string(reply).expect("serialises");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}: {e}"))
    }

    #[test]
    fn every_kind_of_error_reply_survives_the_socket_unchanged() {
        let replies = [
            ErrorReply::Refused {
                refusal: Refusal::MaterialsMissing {
                    materials: vec!["身份证".into(), "经营场所证明".into()],
                },
            },
            ErrorReply::Refused {
                refusal: Refusal::Unauthorised(AuthError::NoAuthorisation {
                    staff: "S01".into(),
                }),
            },
            ErrorReply::NotFound {
                what: Missing::Case {
                    id: "411100-T01-20261001-000001".into(),
                },
            },
            ErrorReply::NotFound {
                what: Missing::OpenRequest {
                    kind: OpenRequest::Correction,
                },
            },
            ErrorReply::NotPermitted {
                what: Forbidden::RegistryWrite,
            },
            ErrorReply::BadInput {
                input: Malformed::Matter(MatterError::PromisedDays {
                    promised: 20,
                    statutory: 15,
                }),
            },
            ErrorReply::Store {
                problem: StoreProblem::DiskFull {
                    path: "/srv/liandong/T01".into(),
                    free_mib: 3,
                    reserve_mib: 512,
                },
            },
            ErrorReply::Io {
                op: FileOp::Create,
                path: "/backup/t01.partial".into(),
                detail: "Permission denied (os error 13)".into(),
            },
            ErrorReply::internal("request too large"),
        ];
        for reply in &replies {
            assert_eq!(&round_trip(reply), reply);
        }
    }

    #[test]
    fn the_reply_is_tagged_by_its_kind_and_keeps_the_refusal_as_data() {
        let reply = ErrorReply::Refused {
            refusal: Refusal::AlreadyAccepted,
        };
        let value = serde_json::to_value(&reply).expect("serialises");
        assert_eq!(value["kind"], "refused");
        assert_eq!(value["refusal"], "AlreadyAccepted");
        for kind in ErrorKind::ALL {
            let tag = serde_json::to_value(kind).expect("serialises");
            assert!(tag.as_str().is_some_and(|t| !t.is_empty()), "{kind:?}");
        }
    }

    #[test]
    fn a_full_disk_stays_distinguishable_from_corruption_across_the_socket() {
        let full = NodeError::Store(StoreError::DiskFull {
            path: "/srv/liandong".into(),
            free_mib: 1,
            reserve_mib: 64,
        });
        let reply = round_trip(&full.to_reply());
        assert!(matches!(
            reply,
            ErrorReply::Store {
                problem: StoreProblem::DiskFull {
                    free_mib: 1,
                    reserve_mib: 64,
                    ..
                }
            }
        ));
        assert!(reply.is_retryable() && reply.kind() == ErrorKind::Store);

        let corrupt = NodeError::Store(StoreError::Corrupt {
            what: "operation record".into(),
            detail: "short hash".into(),
        });
        let reply = round_trip(&corrupt.to_reply());
        assert!(matches!(
            &reply,
            ErrorReply::Store { problem: StoreProblem::Corrupt { detail } } if detail.contains("short hash")
        ));
        assert!(!reply.is_retryable());
    }

    #[test]
    fn the_reply_has_the_kind_of_the_error_it_carries() {
        let errors = [
            NodeError::from(Refusal::NotAccepted),
            NodeError::not_found(Missing::Staff { id: "S9".into() }),
            NodeError::not_permitted(Forbidden::RevokeSelf),
            NodeError::from(Malformed::NoteMissing),
            NodeError::Io {
                op: FileOp::Rename,
                path: "/b".into(),
                source: std::io::Error::other("x"),
            },
            NodeError::internal("x"),
        ];
        for e in &errors {
            assert_eq!(e.to_reply().kind(), e.kind(), "{e}");
            assert_eq!(e.to_reply().is_refusal(), e.is_refusal(), "{e}");
        }
    }
}
