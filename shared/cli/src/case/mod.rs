//! The `case` commands, the same on every node (a township's windows and
//! the county hall's): clap definitions ([`args`]), the request each sends
//! to the running local node ([`request`]), and how replies print (a
//! readable table or text in the clerk's language, or JSON with `--json`).

mod args;
mod request;

use std::path::Path;

use chrono::NaiveDate;

pub use args::{AcceptArgs, CaseCommand};

use super::{ask_in, cases_table, fmt_time};
use crate::table;
use liandong_domain::Lang;
use liandong_node::control::Reply;
use liandong_node::CaseDetail;

/// Runs a case command against the node at `data_dir`.
pub async fn run(
    cmd: CaseCommand,
    data_dir: &Path,
    start_hint: &str,
    lang: Lang,
) -> anyhow::Result<()> {
    let (req, json) = request::request(cmd, lang)?;
    let reply = ask_in(data_dir, start_hint, lang, req).await?;
    match reply {
        Reply::Case(detail) if json => println!("{}", serde_json::to_string_pretty(&detail)?),
        Reply::Case(detail) => print!("{}", detail_text(&detail, lang)),
        Reply::Cases { cases } if json => println!("{}", serde_json::to_string_pretty(&cases)?),
        Reply::Cases { cases } => print!("{}", cases_table(&cases, lang)),
        Reply::Done { message } => println!("{message}"),
        _ => return Err(crate::CommandError::UnexpectedReply.into()),
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
            let recorder = h
                .recorder
                .as_ref()
                .map(|r| format!("{} ({}) @ {}", r.staff, r.role_label, r.node))
                .unwrap_or_default();
            let mut note = if h.superseded {
                l("已撤销", "retracted")
            } else {
                String::new()
            };
            if let Some(code) = &h.seal_code {
                note.push_str(&format!("{} {code}", l("电子印章验证码", "seal code")));
            }
            vec![
                fmt_time(Some(h.at_ms)),
                h.label.clone(),
                recorder,
                h.op.clone(),
                note,
            ]
        })
        .collect();
    out.push_str(&table::render(
        &[
            lang.pick("时间", "time"),
            lang.pick("事件", "event"),
            lang.pick("经办人", "recorded by"),
            lang.pick("事件编号", "event id"),
            "",
        ],
        &rows,
    ));
    if let Some(code) = &d.evaluation_code {
        out.push_str(&format!(
            "{} {code}\n",
            l(
                "请将评价码交给申请人（仅显示一次，申请人凭此码评价）：",
                "give the applicant this evaluation code (shown once; the applicant evaluates with it):"
            )
        ));
    }
    out
}
