//! The `case` subcommands and their flags (clap), the same on every node.

use chrono::NaiveDate;
use clap::{ArgGroup, Args, Subcommand};
use liandong_domain::{IdType, OpinionResult};

#[derive(Subcommand, Debug)]
pub enum CaseCommand {
    /// 受理: a new application (or, with CASE, a registered one); 即办件 may
    /// be concluded at once with --conclude.
    Accept(AcceptArgs),
    /// 申请登记 only: register an application without accepting it yet.
    Submit(AcceptArgs),
    /// 不予受理: refuse an application (reason required).
    Reject {
        case: String,
        #[arg(long)]
        reason: String,
        #[arg(long, default_value = "")]
        legal_basis: String,
        /// The competent authority, when the matter belongs elsewhere.
        #[arg(long)]
        authority: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 补正告知: one written notice listing everything missing.
    RequestCorrection {
        case: String,
        /// A missing item (repeat for each).
        #[arg(long = "missing", required = true)]
        missing: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// 补齐: the applicant supplied what the open notice asked for.
    Supply {
        case: String,
        /// A supplied item (repeat for each).
        #[arg(long = "item")]
        items: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// 分送: route a part to a department.
    /// 分送 to departments and 征求意见 of townships; with neither named,
    /// the routing rule of the case's matter (`routing add` at the county).
    Route {
        case: String,
        /// A department to route a part to (repeatable).
        #[arg(long = "department")]
        departments: Vec<String>,
        /// A township centre to ask for an opinion (repeatable).
        #[arg(long = "township")]
        townships: Vec<String>,
        /// The part's name [default: the department code].
        #[arg(long, default_value = "")]
        part: String,
        /// Stage limit in working days.
        #[arg(long)]
        stage_days: Option<u16>,
        #[arg(long)]
        json: bool,
    },
    /// 审查意见: a department's (at the county hall, --department), or
    /// this township's when it was asked for one.
    Opinion {
        case: String,
        /// The department giving it (at the county hall).
        #[arg(long)]
        department: Option<String>,
        /// 通过/退回/其他: pass, return or other.
        #[arg(long, value_parser = parse_result)]
        result: OpinionResult,
        /// Staff id of who gives it [default: the signed-in staff member].
        #[arg(long, default_value = "")]
        staff: String,
        /// The opinion (required unless the result is pass).
        #[arg(long, default_value = "")]
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// 特别程序: start one (专家论证、现场勘查、听证、检验、检测 … pause the
    /// clock; --extension adds days).
    Special {
        case: String,
        /// expert-review, site-inspection, hearing, inspection, testing,
        /// quarantine, appraisal, expert-assessment, tender, auction, or a name.
        #[arg(long, default_value = "site-inspection")]
        kind: String,
        /// 延长审批 (code 1): adds --days to the limit instead of pausing.
        #[arg(long)]
        extension: bool,
        #[arg(long)]
        reason: String,
        #[arg(long, default_value = "")]
        approver: String,
        #[arg(long, default_value_t = 0)]
        days: u16,
        #[arg(long)]
        json: bool,
    },
    /// End the special procedure under way.
    SpecialEnd {
        case: String,
        #[arg(long)]
        json: bool,
    },
    /// 准予/不予: only the signed-in chief representative, within his
    /// authorisation; the decision is recorded in his name.
    #[command(group(ArgGroup::new("outcome").required(true).args(["approve", "deny"])))]
    Decide {
        case: String,
        #[arg(long)]
        approve: bool,
        #[arg(long)]
        deny: bool,
        /// Staff id of the chief representative deciding [default: the
        /// signed-in staff member; naming anyone else is refused].
        #[arg(long, default_value = "")]
        by: String,
        /// Reasons (required to deny).
        #[arg(long, default_value = "")]
        reason: String,
        /// The department whose part this is [default: the lead department].
        #[arg(long)]
        department: Option<String>,
        /// The authorisation (授权书) to decide under [default: the first valid one].
        #[arg(long)]
        authorisation: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 统一收费: a catalogue fee item.
    Fee {
        case: String,
        #[arg(long)]
        item: String,
        /// Amount in yuan, e.g. 12.50 [default: the catalogue amount].
        #[arg(long)]
        amount: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 免收: a catalogue fee item due on the case, waived with a reason.
    WaiveFee {
        case: String,
        #[arg(long)]
        item: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// 办结.
    Conclude {
        case: String,
        #[arg(long)]
        json: bool,
    },
    /// 送达.
    Deliver {
        case: String,
        #[arg(long)]
        recipient: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 撤回, on the applicant's request.
    Withdraw {
        case: String,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// 好差评 by the applicant: 1 非常满意 … 5 非常不满意, with the one-time
    /// code printed at conclusion (no staff sign-in: staff never record an
    /// evaluation).
    Evaluate {
        case: String,
        /// The evaluation code printed for the applicant (XXXX-XXXX).
        #[arg(long)]
        code: String,
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
        level: u8,
        #[arg(long, default_value = "")]
        text: String,
        #[arg(long)]
        json: bool,
    },
    /// Void an earlier event of the case (it stays in the history).
    Retract {
        case: String,
        /// The event, as `case show` prints it (ORIGIN#SEQ).
        #[arg(long)]
        event: String,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        json: bool,
    },
    /// Status, clock (working days used/left, paused?), warnings and the
    /// full event history.
    Show {
        case: String,
        #[arg(long)]
        json: bool,
    },
    /// Cases (ID numbers masked).
    List {
        /// Only cases of this township: accepted there, or asked of it for an opinion (county).
        #[arg(long)]
        township: Option<String>,
        /// Only cases routed to this department.
        #[arg(long)]
        department: Option<String>,
        /// Only overdue cases.
        #[arg(long)]
        overdue: bool,
        /// Only cases with this warning: yellow or red.
        #[arg(long)]
        warning: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
pub struct AcceptArgs {
    /// Accept this registered case instead of a new application.
    pub case: Option<String>,
    /// Catalogue code of the matter, e.g. M001.
    #[arg(long)]
    pub matter: Option<String>,
    /// The applicant's name (a person's, or an organisation's full name).
    #[arg(long)]
    pub applicant_name: Option<String>,
    /// The applicant's document number: 18 characters for a resident ID
    /// (GB 11643 check digit; `x` is read as `X`) or a credit code (GB 32100).
    #[arg(long)]
    pub applicant_id: Option<String>,
    /// The applicant's document: resident (居民身份证, default), credit-code
    /// (统一社会信用代码, an organisation: give --legal-representative),
    /// passport (护照), hk-macao (港澳居民来往内地通行证), taiwan
    /// (台湾居民来往大陆通行证), foreign-resident (外国人永久居留身份证), other.
    #[arg(long, default_value = "resident", value_parser = parse_id_type)]
    pub applicant_id_type: IdType,
    /// 法定代表人: the legal representative of an organisation applying
    /// under its credit code (required then, refused otherwise).
    #[arg(long)]
    pub legal_representative: Option<String>,
    /// 代理人: the name of someone applying on the applicant's behalf
    /// (with --agent-id).
    #[arg(long, requires = "agent_id")]
    pub agent_name: Option<String>,
    /// The agent's document, as --applicant-id-type.
    #[arg(long, default_value = "resident", value_parser = parse_id_type)]
    pub agent_id_type: IdType,
    /// The agent's document number, checked like the applicant's.
    #[arg(long, requires = "agent_name")]
    pub agent_id: Option<String>,
    #[arg(long, default_value = "")]
    pub phone: String,
    #[arg(long, default_value = "")]
    pub address: String,
    /// A material handed in (repeat).
    #[arg(long = "material")]
    pub materials: Vec<String>,
    /// 即办件: conclude at once.
    #[arg(long)]
    pub conclude: bool,
    /// 容缺受理: a missing material (repeat), with --promised-by.
    #[arg(long = "missing")]
    pub missing: Vec<String>,
    #[arg(long)]
    pub promised_by: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

fn parse_id_type(s: &str) -> Result<IdType, String> {
    s.parse()
}

fn parse_result(s: &str) -> Result<OpinionResult, String> {
    s.parse()
}
