//! The `case` commands, the same on every node (a township's windows and
//! the county hall's): clap definitions, the request each sends to the
//! running local node, and how replies print (a readable table or text in
//! the clerk's language, or JSON with `--json`).

use std::path::Path;

use anyhow::bail;
use chrono::NaiveDate;
use clap::{ArgGroup, Args, Subcommand};

use super::{ask_in, cases_table, fmt_time};
use crate::control::{ApplicantInput, CaseAction, CaseFilter, Reply, Request, WarningColour};
use crate::domain::{Lang, SpecialCode, SpecialKind};
use crate::node::CaseDetail;
use crate::table;

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
    Route {
        case: String,
        #[arg(long)]
        department: String,
        #[arg(long, default_value = "")]
        part: String,
        /// Stage limit in working days.
        #[arg(long)]
        stage_days: Option<u16>,
        #[arg(long)]
        json: bool,
    },
    /// 审查意见 of a department.
    #[command(group(ArgGroup::new("verdict").required(true).args(["agree", "disagree"])))]
    Opinion {
        case: String,
        #[arg(long)]
        department: String,
        #[arg(long)]
        agree: bool,
        #[arg(long)]
        disagree: bool,
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
    /// 准予/不予: only staff holding a valid authorisation for the matter.
    #[command(group(ArgGroup::new("outcome").required(true).args(["approve", "deny"])))]
    Decide {
        case: String,
        #[arg(long)]
        approve: bool,
        #[arg(long)]
        deny: bool,
        /// Staff id of the chief representative deciding.
        #[arg(long)]
        by: String,
        /// Reasons (required to deny).
        #[arg(long, default_value = "")]
        reason: String,
        /// The department whose part this is [default: the lead department].
        #[arg(long)]
        department: Option<String>,
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
    /// 好差评: 1 非常满意 … 5 非常不满意.
    Evaluate {
        case: String,
        #[arg(long, value_parser = clap::value_parser!(u8).range(1..=5))]
        level: u8,
        #[arg(long, default_value = "")]
        text: String,
        #[arg(long, default_value = "")]
        evaluator: String,
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
        /// Only cases accepted at this township (county).
        #[arg(long)]
        township: Option<String>,
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
    #[arg(long)]
    pub applicant_name: Option<String>,
    #[arg(long)]
    pub applicant_id: Option<String>,
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

/// The request a command sends, and whether it wants JSON.
fn request(cmd: CaseCommand, lang: Lang) -> anyhow::Result<(Request, bool)> {
    let on = |case: String, action: CaseAction| Request::Case { case, action };
    Ok(match cmd {
        CaseCommand::Accept(a) => accept_request(a, false, lang)?,
        CaseCommand::Submit(a) => accept_request(a, true, lang)?,
        CaseCommand::Reject {
            case,
            reason,
            legal_basis,
            authority,
            json,
        } => (
            on(
                case,
                CaseAction::Reject {
                    reason,
                    legal_basis,
                    competent_authority: authority,
                },
            ),
            json,
        ),
        CaseCommand::RequestCorrection {
            case,
            missing,
            json,
        } => (on(case, CaseAction::RequestCorrection { missing }), json),
        CaseCommand::Supply { case, items, json } => (on(case, CaseAction::Supply { items }), json),
        CaseCommand::Route {
            case,
            department,
            part,
            stage_days,
            json,
        } => (
            on(
                case,
                CaseAction::Route {
                    department,
                    part,
                    stage_limit_days: stage_days,
                },
            ),
            json,
        ),
        CaseCommand::Opinion {
            case,
            department,
            agree,
            disagree: _,
            text,
            json,
        } => (
            on(
                case,
                CaseAction::Opinion {
                    department,
                    agree,
                    text,
                },
            ),
            json,
        ),
        CaseCommand::Special {
            case,
            kind,
            extension,
            reason,
            approver,
            days,
            json,
        } => {
            let (code, kind) = if extension {
                (SpecialCode::Extension, SpecialKind::Extension)
            } else {
                (SpecialCode::Other, SpecialKind::from_word(&kind))
            };
            let action = CaseAction::StartSpecial {
                code,
                kind,
                reason,
                approver,
                days,
            };
            (on(case, action), json)
        }
        CaseCommand::SpecialEnd { case, json } => (on(case, CaseAction::EndSpecial), json),
        CaseCommand::Decide {
            case,
            approve,
            deny: _,
            by,
            reason,
            department,
            json,
        } => (
            on(
                case,
                CaseAction::Decide {
                    approve,
                    by,
                    reason,
                    department,
                },
            ),
            json,
        ),
        CaseCommand::Fee {
            case,
            item,
            amount,
            json,
        } => {
            let amount_fen = match amount.as_deref() {
                None => None,
                Some(a) => Some(super::yuan_to_fen(a).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--amount `{a}`: {}",
                        lang.pick(
                            "请写金额（元），如 12 或 12.50",
                            "write yuan, e.g. 12 or 12.50"
                        )
                    )
                })?),
            };
            (on(case, CaseAction::Fee { item, amount_fen }), json)
        }
        CaseCommand::Conclude { case, json } => (on(case, CaseAction::Conclude), json),
        CaseCommand::Deliver {
            case,
            recipient,
            json,
        } => (on(case, CaseAction::Deliver { recipient }), json),
        CaseCommand::Withdraw { case, reason, json } => {
            (on(case, CaseAction::Withdraw { reason }), json)
        }
        CaseCommand::Evaluate {
            case,
            level,
            text,
            evaluator,
            json,
        } => (
            on(
                case,
                CaseAction::Evaluate {
                    level,
                    text,
                    evaluator,
                },
            ),
            json,
        ),
        CaseCommand::Retract {
            case,
            event,
            reason,
            json,
        } => (on(case, CaseAction::Retract { event, reason }), json),
        CaseCommand::Show { case, json } => (Request::ShowCase { case }, json),
        CaseCommand::List {
            township,
            overdue,
            warning,
            json,
        } => {
            let warning = match warning.as_deref() {
                None => None,
                Some("yellow") => Some(WarningColour::Yellow),
                Some("red") => Some(WarningColour::Red),
                Some(other) => bail!(
                    "--warning `{other}`: {}",
                    lang.pick("请用 yellow 或 red", "use yellow or red")
                ),
            };
            let filter = CaseFilter { overdue, warning };
            (
                Request::ListCases {
                    origin: township,
                    filter,
                },
                json,
            )
        }
    })
}

fn accept_request(a: AcceptArgs, submit_only: bool, lang: Lang) -> anyhow::Result<(Request, bool)> {
    if let Some(case) = a.case {
        let action = CaseAction::Accept {
            tolerated_missing: a.missing,
            promised_by: a.promised_by,
        };
        return Ok((Request::Case { case, action }, a.json));
    }
    let need = |v: Option<String>, flag: &str| {
        v.filter(|s| !s.trim().is_empty())
            .ok_or_else(|| anyhow::anyhow!("{flag} {}", lang.pick("必填", "is required")))
    };
    let applicant = ApplicantInput {
        name: need(a.applicant_name, "--applicant-name")?,
        id_number: need(a.applicant_id, "--applicant-id")?,
        phone: a.phone,
        address: a.address,
    };
    let request = Request::AcceptCase {
        matter: need(a.matter, "--matter")?,
        applicant,
        materials: a.materials,
        submit_only,
        conclude: a.conclude,
    };
    Ok((request, a.json))
}

/// Runs a case command against the node at `data_dir`.
pub async fn run(
    cmd: CaseCommand,
    data_dir: &Path,
    start_hint: &str,
    lang: Lang,
) -> anyhow::Result<()> {
    let (req, json) = request(cmd, lang)?;
    let reply = ask_in(data_dir, start_hint, lang, req)
        .await
        .map_err(anyhow::Error::msg)?;
    match reply {
        Reply::Case(detail) if json => println!("{}", serde_json::to_string_pretty(&detail)?),
        Reply::Case(detail) => print!("{}", detail_text(&detail, lang)),
        Reply::Cases { cases } if json => println!("{}", serde_json::to_string_pretty(&cases)?),
        Reply::Cases { cases } => print!("{}", cases_table(&cases, lang)),
        Reply::Done { message } => println!("{message}"),
        _ => bail!("unexpected reply from the node"),
    }
    Ok(())
}

/// `case show` as text.
pub fn detail_text(d: &CaseDetail, lang: Lang) -> String {
    let l = |zh, en| lang.pick(zh, en).to_string();
    let c = &d.clock;
    let opt = |v: Option<NaiveDate>| v.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
    let mut out = format!(
        "{} {}\n{} {}   {} {}\n{} {} {}\n",
        l("办件编号", "case"),
        d.id,
        l("状态", "status"),
        d.status_label,
        l("受理中心", "centre"),
        d.origin,
        l("申请人", "applicant"),
        d.applicant_name,
        d.applicant_id,
    );
    out.push_str(&format!(
        "{} {}  {} {}  {} {}  {} {}{}\n",
        l("受理日", "accepted"),
        opt(c.accepted_on),
        l("承诺期限", "due"),
        opt(c.due),
        l("已用工作日", "working days used"),
        c.used_days,
        l("剩余", "left"),
        c.left_days
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into()),
        if c.paused {
            format!("  ({})", l("计时暂停", "clock paused"))
        } else {
            String::new()
        }
    ));
    if d.warnings.is_empty() {
        out.push_str(&format!("{}: {}\n", l("预警", "warnings"), l("无", "none")));
    } else {
        for w in &d.warnings {
            out.push_str(&format!("{}: {w}\n", l("预警", "warning")));
        }
    }
    let rows: Vec<Vec<String>> = d
        .history
        .iter()
        .map(|h| {
            vec![
                fmt_time(Some(h.at_ms)),
                h.label.clone(),
                h.op.clone(),
                if h.superseded {
                    l("已撤销", "retracted")
                } else {
                    String::new()
                },
            ]
        })
        .collect();
    out.push_str(&table::render(
        &[
            lang.pick("时间", "time"),
            lang.pick("事件", "event"),
            lang.pick("事件编号", "event id"),
            "",
        ],
        &rows,
    ));
    out
}
