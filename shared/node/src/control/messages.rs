//! What travels on the control socket: a [`Call`] (the request, the
//! clerk's language, the session token) and its [`Reply`], as JSON lines.
//! The socket itself is [`super`]'s.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::ErrorReply;
use crate::{CaseDetail, CaseSummary, NodeStatus, StaffLine, SupervisionLine};
use liandong_domain::{
    Agent, Applicant, AuthScope, DaySetting, IdType, Lang, Level, Matter, OpinionResult, Power,
    RoutingRule, SpecialCode, SpecialKind, StaffRole,
};
use liandong_model::Personal;

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

/// The applicant as typed at the window. The document type, legal
/// representative and agent default to a resident ID card applied for in
/// person, so a call written before they existed reads as before.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ApplicantInput {
    pub name: String,
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub id_type: IdType,
    /// 法定代表人, for an organisation (`CreditCode`).
    #[serde(default)]
    pub legal_representative: Option<String>,
    /// 代理人, when someone applies on the applicant's behalf.
    #[serde(default)]
    pub agent: Option<AgentInput>,
}

/// An agent (代理人) as typed at the window.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AgentInput {
    pub name: String,
    #[serde(default)]
    pub id_type: IdType,
    pub id_number: String,
}

impl ApplicantInput {
    /// The applicant as recorded: trimmed, numbers normalised for their
    /// document (`x` is `X`), an empty legal representative left out.
    pub fn applicant(&self) -> Applicant {
        let text = |s: &str| Personal::new(s.trim().to_string());
        Applicant {
            name: text(&self.name),
            id_number: Personal::new(self.id_type.normalise(&self.id_number)),
            phone: text(&self.phone),
            address: text(&self.address),
            id_type: self.id_type,
            legal_representative: self
                .legal_representative
                .as_deref()
                .filter(|r| !r.trim().is_empty())
                .map(text),
            agent: self.agent.as_ref().map(|a| Agent {
                name: text(&a.name),
                id_type: a.id_type,
                id_number: Personal::new(a.id_type.normalise(&a.id_number)),
            }),
        }
    }
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
    /// 免收: a catalogue fee item due on the case, not charged, with the
    /// reason.
    WaiveFee {
        item: String,
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
