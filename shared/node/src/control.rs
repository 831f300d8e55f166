//! The local control socket: how clerk and admin commands talk to the
//! running node on the same machine. A Unix socket under the node's data
//! directory (`control.sock`); one JSON request per line, one JSON reply per
//! line. It never needs the county: commands act on the local node.
//!
//! A failed call is answered with [`Reply::Error`], the node's error as
//! data ([`ErrorReply`]: its kind and the refusal or the fields), never
//! as text: the caller renders it in the clerk's language.
//!
//! Access: the socket is bound inside a fresh directory of mode 0700, set
//! to mode 0600 there, and only then renamed into place, so there is no
//! moment at which another user could connect. The peer's uid (from the
//! kernel, `SO_PEERCRED`) goes with every call into the audit log. Every
//! request but `status`, `login` (and the CLI's own `health`/`help`)
//! carries the session token of a signed-in staff member
//! ([`crate::identity`]).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::error::ErrorReply;
use crate::shutdown::Shutdown;
use crate::{CaseDetail, CaseSummary, NodeStatus, StaffLine, SupervisionLine};
use liandong_domain::{
    AuthScope, DaySetting, Lang, Level, Matter, OpinionResult, Power, RoutingRule, SpecialCode,
    SpecialKind, StaffRole,
};

pub const SOCKET_NAME: &str = "control.sock";

/// Largest request line accepted.
const MAX_LINE: usize = 64 * 1024;

pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// One call on the control socket: the request and the language the
/// clerk reads (Chinese by default).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    #[serde(default)]
    pub lang: Lang,
    /// The session token from `login` (absent for `status` and `login`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The caller's OS uid, set by the server from the socket, never read
    /// from the request.
    #[serde(skip)]
    pub peer_uid: Option<u32>,
    pub request: Request,
}

impl Call {
    /// A call without a session (`status`, `login`).
    pub fn new(lang: Lang, request: Request) -> Call {
        Call {
            lang,
            session: None,
            peer_uid: None,
            request,
        }
    }

    /// A call in a signed-in session.
    pub fn signed(lang: Lang, session: &str, request: Request) -> Call {
        Call {
            session: Some(session.to_string()),
            ..Call::new(lang, request)
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "kebab-case")]
pub enum Request {
    /// 申请 (and 受理 unless `submit_only`): a new case at this node's window.
    AcceptCase {
        matter: String,
        applicant: ApplicantInput,
        #[serde(default)]
        materials: Vec<String>,
        /// Register the application only (a correction notice may follow).
        #[serde(default)]
        submit_only: bool,
        /// 即办件: conclude at once after acceptance.
        #[serde(default)]
        conclude: bool,
    },
    /// Records one step on an existing case.
    Case {
        case: String,
        action: CaseAction,
    },
    ShowCase {
        case: String,
    },
    ListCases {
        origin: Option<String>,
        #[serde(default)]
        filter: CaseFilter,
    },
    /// Adds or replaces a catalogue matter (county only).
    PutMatter {
        matter: Box<Matter>,
    },
    /// Retires a matter: no new cases (county only).
    RetireMatter {
        code: String,
    },
    ListMatters {
        level: Option<Level>,
    },
    /// The one-time written notice (一次性告知) of a matter.
    MatterGuide {
        code: String,
    },
    AddStaff {
        id: String,
        name: String,
        department: String,
        role: StaffRole,
        /// The centres he works at (node names, e.g. `T01`); none: the county hall.
        #[serde(default)]
        centres: Vec<String>,
    },
    AssignRole {
        id: String,
        role: StaffRole,
        #[serde(default)]
        remove: bool,
    },
    AssignWindow {
        id: String,
        window: Option<String>,
    },
    Authorise {
        staff: String,
        scope: AuthScope,
        powers: BTreeSet<Power>,
        from: NaiveDate,
        to: NaiveDate,
        id: Option<String>,
    },
    RevokeAuthorisation {
        id: String,
    },
    ListStaff,
    SetCalendar {
        dates: Vec<NaiveDate>,
        setting: DaySetting,
    },
    ShowCalendar {
        year: i32,
    },
    /// Sets the routing rule of a matter (county only).
    PutRouting {
        matter: String,
        departments: Vec<String>,
        #[serde(default)]
        townships: Vec<String>,
    },
    ListRouting,
    /// Every warning and overdue case, as supervision items.
    Supervision {
        origin: Option<String>,
    },
    /// Adds a note to a supervision item (items are never deleted).
    AnnotateSupervision {
        case: String,
        item: String,
        note: String,
        #[serde(default)]
        resolve: bool,
    },
    Status,
    /// 好差评 by the applicant, with the code printed at conclusion (no
    /// staff session: the applicant's channel).
    Evaluate {
        case: String,
        code: String,
        level: u8,
        #[serde(default)]
        text: String,
    },
    /// Signs a staff member in; answers the session token.
    Login {
        staff: String,
        password: String,
    },
    /// Ends the call's session.
    Logout,
    Whoami,
    /// The signed-in staff member changes his password.
    Passwd {
        old: String,
        new: String,
    },
    /// Hall management sets or resets a password, or disables an account.
    SetPassword {
        staff: String,
        password: Option<String>,
        #[serde(default)]
        disable: bool,
    },
    /// The audit log as this node holds it.
    AuditList {
        #[serde(default)]
        filter: crate::identity::AuditFilter,
    },
    /// Revoke every certificate of a node issued until now (county only).
    Revoke {
        node: String,
        reason: String,
    },
    /// Online backup to a file on the node's machine (absolute path).
    Backup {
        path: String,
    },
}

/// The applicant as typed at the window.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApplicantInput {
    pub name: String,
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
}

/// Which cases a list shows.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CaseFilter {
    #[serde(default)]
    pub overdue: bool,
    /// Only cases carrying this warning colour.
    pub warning: Option<WarningColour>,
    /// Only cases routed to this department (county, or any node holding them).
    #[serde(default)]
    pub department: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WarningColour {
    Yellow,
    Red,
}

/// A step on an existing case, as a clerk or department records it; the
/// node resolves what it refers to (the open notice, the authorisation).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum CaseAction {
    /// 受理 a case that was registered earlier.
    Accept {
        #[serde(default)]
        tolerated_missing: Vec<String>,
        promised_by: Option<NaiveDate>,
    },
    /// 不予受理.
    Reject {
        reason: String,
        #[serde(default)]
        legal_basis: String,
        competent_authority: Option<String>,
    },
    /// 补正告知: one notice listing everything missing.
    RequestCorrection {
        missing: Vec<String>,
    },
    /// 补齐: answers the open correction notice.
    Supply {
        items: Vec<String>,
    },
    /// 分送 to departments and 征求意见 of townships; with neither named,
    /// the matter's routing rule.
    Route {
        #[serde(default)]
        departments: Vec<String>,
        #[serde(default)]
        townships: Vec<String>,
        #[serde(default)]
        part: String,
        stage_limit_days: Option<u16>,
    },
    /// 审查意见: a department's (named, or this bridge's) or this township's.
    Opinion {
        department: Option<String>,
        result: OpinionResult,
        staff: String,
        #[serde(default)]
        text: String,
    },
    RequestSupplement {
        department: String,
        items: Vec<String>,
    },
    SupplySupplement {
        items: Vec<String>,
    },
    StartSpecial {
        code: SpecialCode,
        kind: SpecialKind,
        reason: String,
        approver: String,
        days: u16,
    },
    /// Ends the open special procedure.
    EndSpecial,
    /// 准予/不予 by a staff member holding a valid authorisation.
    Decide {
        approve: bool,
        by: String,
        #[serde(default)]
        reason: String,
        department: Option<String>,
        /// The grant to decide under; by default the first valid one.
        #[serde(default)]
        authorisation: Option<String>,
    },
    /// 统一收费: a catalogue fee item (amount from the catalogue unless given).
    Fee {
        item: String,
        amount_fen: Option<u64>,
    },
    Conclude,
    Deliver {
        recipient: Option<String>,
    },
    Withdraw {
        reason: String,
    },
    Evaluate {
        level: u8,
        #[serde(default)]
        text: String,
        #[serde(default)]
        evaluator: String,
    },
    /// Voids an earlier event of this case (names it by op id `ORIGIN#SEQ`).
    Retract {
        event: String,
        reason: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "kebab-case")]
pub enum Reply {
    Case(Box<CaseDetail>),
    Cases {
        cases: Vec<CaseSummary>,
    },
    Routing {
        rules: Vec<RoutingRule>,
    },
    Matters {
        matters: Vec<Matter>,
    },
    Guide {
        matter: Box<Matter>,
    },
    Staff {
        staff: Vec<StaffLine>,
    },
    Calendar {
        year: i32,
        known: bool,
        days: Vec<(NaiveDate, DaySetting)>,
    },
    Supervision {
        items: Vec<SupervisionLine>,
    },
    Done {
        message: String,
    },
    Status(Box<NodeStatus>),
    LoggedIn(Box<crate::identity::LoginReply>),
    Whoami(Box<crate::identity::WhoAmI>),
    Audit {
        lines: Vec<liandong_domain::AuditEntry>,
    },
    /// The call failed: why, as data.
    Error {
        error: ErrorReply,
    },
}

/// Handles one request; implemented by the node.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, call: Call) -> impl std::future::Future<Output = Reply> + Send;
}

#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("no node is running with data directory {dir} (no {SOCKET_NAME} there); start it with `{start}`")]
    NotRunning { dir: PathBuf, start: String },
    #[error("talking to the node at {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the node at {path} sent an unreadable reply: {detail}")]
    BadReply { path: PathBuf, detail: String },
}

impl ControlError {
    /// No node serves the socket: start it (the command is in the error).
    pub fn is_not_running(&self) -> bool {
        matches!(self, ControlError::NotRunning { .. })
    }
}

/// Binds the socket (replacing a stale one) and serves until shutdown.
pub fn serve<H: Handler>(
    data_dir: &Path,
    handler: std::sync::Arc<H>,
    shutdown: &Shutdown,
) -> std::io::Result<PathBuf> {
    let path = socket_path(data_dir);
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(&path).is_ok() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                format!("another node is already serving {}", path.display()),
            ));
        }
        std::fs::remove_file(&path)?;
    }
    let listener = bind_private(&path)?;
    let sd = shutdown.clone();
    let cleanup = path.clone();
    shutdown.spawn("control-socket", async move {
        loop {
            tokio::select! {
                _ = sd.triggered() => break,
                accepted = listener.accept() => match accepted {
                    Ok((stream, _)) => {
                        let h = handler.clone();
                        let uid = stream.peer_cred().ok().map(|c| c.uid());
                        sd.spawn("control-conn", async move { connection(stream, h, uid).await });
                    }
                    Err(e) => tracing::warn!(error = %e, "control socket accept failed"),
                },
            }
        }
        let _ = std::fs::remove_file(&cleanup);
    });
    Ok(path)
}

/// Binds the socket at `path` with mode 0600 before anyone can reach it:
/// bound in a new private directory beside it, chmod-ed there, then renamed.
fn bind_private(path: &Path) -> std::io::Result<UnixListener> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let dir = path.with_extension(format!("bind-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::DirBuilder::new().mode(0o700).create(&dir)?;
    let inner = dir.join(SOCKET_NAME);
    let bound = (|| {
        let listener = UnixListener::bind(&inner)?;
        std::fs::set_permissions(&inner, std::fs::Permissions::from_mode(0o600))?;
        std::fs::rename(&inner, path)?;
        Ok(listener)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    bound
}

async fn connection<H: Handler>(
    stream: UnixStream,
    handler: std::sync::Arc<H>,
    peer_uid: Option<u32>,
) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).take(MAX_LINE as u64 * 16).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let reply = match decode_request(&line) {
            Ok(mut call) => {
                call.peer_uid = peer_uid;
                handler.handle(call).await
            }
            Err(refused) => refused,
        };
        let mut out = serde_json::to_string(&reply).unwrap_or_default();
        out.push('\n');
        if write.write_all(out.as_bytes()).await.is_err() {
            break;
        }
    }
}

/// Reads one request line; a line too large or unreadable is answered
/// with the [`Reply::Error`] to send back.
pub fn decode_request(line: &str) -> Result<Call, Reply> {
    if line.len() > MAX_LINE {
        return Err(Reply::Error {
            error: ErrorReply::internal("request too large"),
        });
    }
    serde_json::from_str::<Call>(line).map_err(|e| Reply::Error {
        error: ErrorReply::internal(format!("unreadable request: {e}")),
    })
}

/// Sends one request to the node whose data directory is `data_dir`.
/// `start` is the command that would start it (for the error message).
pub async fn call(data_dir: &Path, start: &str, req: &Call) -> Result<Reply, ControlError> {
    let path = socket_path(data_dir);
    let stream = UnixStream::connect(&path)
        .await
        .map_err(|_| ControlError::NotRunning {
            dir: data_dir.to_path_buf(),
            start: start.to_string(),
        })?;
    let io = |source| ControlError::Io {
        path: path.clone(),
        source,
    };
    let (read, mut write) = stream.into_split();
    let mut line = serde_json::to_string(req).unwrap_or_default();
    line.push('\n');
    write.write_all(line.as_bytes()).await.map_err(io)?;
    let mut reply = String::new();
    BufReader::new(read)
        .read_line(&mut reply)
        .await
        .map_err(io)?;
    serde_json::from_str(&reply).map_err(|e| ControlError::BadReply {
        path: path.clone(),
        detail: e.to_string(),
    })
}
