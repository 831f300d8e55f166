//! [`CommandError`]: why a clerk or admin command failed, typed, so the
//! binaries pick the exit status by kind ([`crate::exit`]) and print the
//! message in the clerk's language ([`crate::messages`]).

use std::path::PathBuf;

use liandong_domain::Lang;
use liandong_node::control::ControlError;
use liandong_node::{ErrorKind, ErrorReply};

use crate::exit::{control_exit, Exit};
use crate::messages;

/// Why a command failed.
#[derive(Debug)]
pub enum CommandError {
    /// The node answered with an error (shown in `lang`).
    Node { error: ErrorReply, lang: Lang },
    /// The node could not be asked: not running, or the socket failed.
    Control { error: ControlError, lang: Lang },
    /// A flag's value refused before anything was sent (already worded
    /// in the clerk's language).
    BadArgument { message: String },
    /// A reply that does not fit the request.
    UnexpectedReply,
    /// `verify` found the stopped store damaged.
    StoreDamaged { dir: PathBuf },
    /// The session token file or the password could not be read or written.
    Session(crate::session::SessionFileError),
}

impl CommandError {
    /// The node's error kind, when the node answered with one.
    pub fn kind(&self) -> Option<ErrorKind> {
        match self {
            CommandError::Node { error, .. } => Some(error.kind()),
            _ => None,
        }
    }

    /// Whether a domain rule refused the command.
    pub fn is_refusal(&self) -> bool {
        matches!(self, CommandError::Node { error, .. } if error.is_refusal())
    }

    /// Whether the same command may succeed later unchanged.
    pub fn is_retryable(&self) -> bool {
        matches!(self, CommandError::Node { error, .. } if error.is_retryable())
    }

    pub fn exit(&self) -> Exit {
        match self {
            CommandError::Node { error, .. } => error.kind().into(),
            CommandError::Control { error, .. } => control_exit(error),
            CommandError::BadArgument { .. } => Exit::BadArguments,
            CommandError::UnexpectedReply => Exit::Failure,
            CommandError::StoreDamaged { .. } => Exit::Store,
            CommandError::Session(_) => Exit::NotPermitted,
        }
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CommandError::Node { error, lang } => f.write_str(&messages::error_text(error, *lang)),
            CommandError::Control { error, lang } => {
                f.write_str(&messages::control_text(error, *lang))
            }
            CommandError::BadArgument { message } => f.write_str(message),
            CommandError::UnexpectedReply => f.write_str("unexpected reply from the node"),
            CommandError::StoreDamaged { dir } => {
                write!(f, "the store at {} is damaged", dir.display())
            }
            CommandError::Session(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for CommandError {}

/// A flag's value refused by the command itself (exit status 2).
pub fn bad_argument(message: impl Into<String>) -> anyhow::Error {
    CommandError::BadArgument {
        message: message.into(),
    }
    .into()
}
