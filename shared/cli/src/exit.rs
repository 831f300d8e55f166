//! Exit statuses of both binaries: one code per kind of failure, so a
//! script can tell "refused by a rule" from "the node is not running" from
//! "disk full" without reading the message. [`exit_codes_help`] documents
//! them in each binary's `--help`; [`exit_for`] picks one for an error by
//! its type (never by its text).

use liandong_node::boot::StartError;
use liandong_node::control::ControlError;
use liandong_node::{ErrorKind, NodeError};
use liandong_store::StoreError;

use crate::error::CommandError;

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exit {
    Success,
    /// Any failure not listed below.
    Failure,
    /// Bad arguments (clap's usage errors use the same code).
    BadArguments,
    /// Refused by a domain rule.
    Refused,
    /// No node is running on the data directory.
    NotRunning,
    /// The store or a file failed: disk full, corruption, I/O.
    Store,
    /// What the command named does not exist.
    NotFound,
    /// This node or role may not do that.
    NotPermitted,
}

impl Exit {
    pub const ALL: [Exit; 8] = [
        Exit::Success,
        Exit::Failure,
        Exit::BadArguments,
        Exit::Refused,
        Exit::NotRunning,
        Exit::Store,
        Exit::NotFound,
        Exit::NotPermitted,
    ];

    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Exit::Success => 0,
            Exit::Failure => 1,
            Exit::BadArguments => 2,
            Exit::Refused => 3,
            Exit::NotRunning => 4,
            Exit::Store => 5,
            Exit::NotFound => 6,
            Exit::NotPermitted => 7,
        }
    }

    /// What the code means, for `--help`.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Success => "success",
            Exit::Failure => "any other failure",
            Exit::BadArguments => "bad arguments (a flag's value, an id, a date)",
            Exit::Refused => "refused by a rule (the reason is printed in the clerk's language)",
            Exit::NotRunning => {
                "the node is not running (no control socket in its data directory); start it"
            }
            Exit::Store => "store problem: disk below its reserve, corrupt store, or file I/O",
            Exit::NotFound => "not found: no such case, matter, staff member or authorisation",
            Exit::NotPermitted => {
                "not permitted on this node (e.g. only the county writes the catalogue)"
            }
        }
    }
}

impl From<ErrorKind> for Exit {
    fn from(kind: ErrorKind) -> Exit {
        match kind {
            ErrorKind::Refused => Exit::Refused,
            ErrorKind::NotFound => Exit::NotFound,
            ErrorKind::NotPermitted => Exit::NotPermitted,
            ErrorKind::BadInput => Exit::BadArguments,
            ErrorKind::Store | ErrorKind::Io => Exit::Store,
            ErrorKind::Internal => Exit::Failure,
        }
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit.code())
    }
}

/// The exit-status table both binaries print under `--help`.
pub fn exit_codes_help() -> String {
    let mut out = String::from("Exit status:\n");
    for exit in Exit::ALL {
        out.push_str(&format!("  {}  {}\n", exit.code(), exit.meaning()));
    }
    out
}

/// The exit status of a failed command, from the first typed error in
/// its chain.
pub fn exit_for(err: &anyhow::Error) -> Exit {
    for cause in err.chain() {
        if let Some(e) = cause.downcast_ref::<CommandError>() {
            return e.exit();
        }
        if let Some(e) = cause.downcast_ref::<ControlError>() {
            return control_exit(e);
        }
        if let Some(e) = cause.downcast_ref::<NodeError>() {
            return e.kind().into();
        }
        if cause.downcast_ref::<StoreError>().is_some() {
            return Exit::Store;
        }
        if let Some(e) = cause.downcast_ref::<StartError>() {
            if e.is_store_problem() {
                return Exit::Store;
            }
        }
    }
    Exit::Failure
}

pub(crate) fn control_exit(e: &ControlError) -> Exit {
    if e.is_not_running() {
        Exit::NotRunning
    } else {
        Exit::Failure
    }
}

/// Prints a failed command's error to stderr and gives its exit status.
pub fn report(err: &anyhow::Error) -> std::process::ExitCode {
    eprintln!("error: {err:#}");
    exit_for(err).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use liandong_domain::{Lang, Refusal};
    use liandong_node::error::{Forbidden, Missing};
    use liandong_node::ErrorReply;

    #[test]
    fn every_error_kind_has_its_own_exit_code() {
        let expected = [
            (ErrorKind::Refused, 3),
            (ErrorKind::NotFound, 6),
            (ErrorKind::NotPermitted, 7),
            (ErrorKind::BadInput, 2),
            (ErrorKind::Store, 5),
            (ErrorKind::Io, 5),
            (ErrorKind::Internal, 1),
        ];
        assert_eq!(expected.len(), ErrorKind::ALL.len());
        for (kind, code) in expected {
            assert_eq!(Exit::from(kind).code(), code, "{kind:?}");
        }
    }

    #[test]
    fn the_codes_are_distinct_and_the_help_lists_each_once() {
        let codes: std::collections::BTreeSet<u8> = Exit::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), Exit::ALL.len());
        let help = exit_codes_help();
        for exit in Exit::ALL {
            let line = format!("  {}  {}", exit.code(), exit.meaning());
            assert_eq!(help.matches(&line).count(), 1, "{help}");
        }
    }

    #[test]
    fn the_exit_status_comes_from_the_errors_type_not_its_text() {
        let node = |error: ErrorReply| {
            anyhow::Error::from(CommandError::Node {
                error,
                lang: Lang::Zh,
            })
        };
        let refused = node(ErrorReply::Refused {
            refusal: Refusal::AlreadyAccepted,
        });
        assert_eq!(exit_for(&refused), Exit::Refused);
        let missing = node(ErrorReply::NotFound {
            what: Missing::Case { id: "C1".into() },
        });
        assert_eq!(exit_for(&missing.context("case show")), Exit::NotFound);
        let forbidden = node(ErrorReply::NotPermitted {
            what: Forbidden::RegistryWrite,
        });
        assert_eq!(exit_for(&forbidden), Exit::NotPermitted);

        let not_running = anyhow::Error::from(ControlError::NotRunning {
            dir: "/srv/liandong/T01".into(),
            start: "township-node serve --id T01".into(),
        });
        assert_eq!(exit_for(&not_running), Exit::NotRunning);

        let store = anyhow::Error::from(StoreError::TooLarge(1)).context("opening the store");
        assert_eq!(exit_for(&store), Exit::Store);

        // A message that merely reads like a refusal is just a failure.
        let text = anyhow::anyhow!("refused by a rule: the case is already accepted");
        assert_eq!(exit_for(&text), Exit::Failure);
        assert_eq!(
            exit_for(&crate::bad_argument("--level x")),
            Exit::BadArguments
        );
    }
}
