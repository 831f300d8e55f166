//! Presentation shared by the binaries' commands: printing case lists and
//! status either as tables or as JSON, talking to the local node, and the
//! edge of every error: the node's typed errors worded in the clerk's
//! language (`liandong_node::error::words`, shared with the web console,
//! re-exported as [`messages`]), commands' own errors ([`error`]) and the exit
//! status of each kind ([`exit`]).

pub mod case;
pub mod error;
pub mod exit;
mod render;
pub mod session;
pub mod signin;
pub mod table;

pub use error::{bad_argument, CommandError};
pub use exit::{exit_codes_help, exit_for, report, Exit};
pub use liandong_node::error::words as messages;
pub use messages::{error_text, node_error_text};
pub use render::{guide_text, parse_level, print_reply};

use std::path::Path;

use liandong_node::control::{call, Reply, Request};
use liandong_node::{CaseSummary, NodeStatus};

/// Sends a request to the local node in the clerk's language `lang`; an
/// error reply, or a node that cannot be asked, becomes a
/// [`CommandError`] that prints in `lang`.
pub async fn ask_in(
    data_dir: &Path,
    start_hint: &str,
    lang: liandong_domain::Lang,
    request: Request,
) -> Result<Reply, CommandError> {
    let session = match &request {
        Request::Status | Request::Login { .. } | Request::Evaluate { .. } => None,
        _ => signin::session_token(data_dir)?,
    };
    let req = liandong_node::control::Call {
        lang,
        session,
        peer_uid: None,
        request,
    };
    match call(data_dir, start_hint, &req).await {
        Ok(Reply::Error { error }) => Err(CommandError::Node { error, lang }),
        Ok(reply) => Ok(reply),
        Err(error) => Err(CommandError::Control { error, lang }),
    }
}

/// Asks the running node at `data_dir` for an online backup to `out`.
pub async fn backup(
    data_dir: &Path,
    start_hint: &str,
    lang: liandong_domain::Lang,
    out: &Path,
) -> anyhow::Result<String> {
    let out = absolute(out)?;
    let request = Request::Backup {
        path: out.display().to_string(),
    };
    match ask_in(data_dir, start_hint, lang, request).await? {
        Reply::Done { message } => Ok(message),
        _ => Err(CommandError::UnexpectedReply.into()),
    }
}

/// Restores `from` into the (stopped) node's empty data directory.
pub fn restore(
    from: &Path,
    data_dir: &Path,
    me: &liandong_model::NodeId,
) -> anyhow::Result<String> {
    use anyhow::Context;
    if socket_alive(data_dir) {
        anyhow::bail!(
            "a node is running on {}; stop it before restoring",
            data_dir.display()
        );
    }
    let file =
        std::fs::File::open(from).with_context(|| format!("opening backup {}", from.display()))?;
    let store = liandong_store::Store::open(data_dir, me, &Default::default())
        .with_context(|| format!("opening the store at {}", data_dir.display()))?;
    let summary = store
        .restore(file, 1000)
        .with_context(|| format!("restoring {} into {}", from.display(), data_dir.display()))?;
    Ok(format!(
        "restored {} operations into {}; start the node and it will catch up with its peers",
        summary.operations,
        data_dir.display()
    ))
}

/// Checks a stopped node's store (hashes, feed, outbox and index entries,
/// digest); the text report and whether the store is sound.
pub fn verify(data_dir: &Path, me: &liandong_model::NodeId) -> anyhow::Result<(String, bool)> {
    use anyhow::Context;
    if socket_alive(data_dir) {
        anyhow::bail!(
            "a node is running on {}; stop it before verifying",
            data_dir.display()
        );
    }
    if !data_dir.join("db").exists() {
        anyhow::bail!("no store at {}", data_dir.display());
    }
    let store = liandong_store::Store::open(data_dir, me, &Default::default())
        .with_context(|| format!("opening the store at {}", data_dir.display()))?;
    let r = store
        .verify()
        .with_context(|| format!("verifying {}", data_dir.display()))?;
    let mut text = format!(
        "{}: {} operations, {} feed entries, {} outbox entries, {} index entries\n",
        data_dir.display(),
        r.operations,
        r.feed_entries,
        r.outbox_entries,
        r.index_entries
    );
    if r.ok() {
        text.push_str("no problems found\n");
    } else {
        for p in &r.problems {
            text.push_str(&format!("problem: {p}\n"));
        }
        text.push_str("the store is damaged: keep it as it is, restore the node from its last backup (see deploy/RUNBOOK.md)\n");
    }
    Ok((text, r.ok()))
}

fn socket_alive(data_dir: &Path) -> bool {
    std::os::unix::net::UnixStream::connect(liandong_node::control::socket_path(data_dir)).is_ok()
}

fn absolute(path: &Path) -> anyhow::Result<std::path::PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()?.join(path))
}

/// `12`, `12.5` or `12.50` yuan as fen; `None` for anything else.
pub fn yuan_to_fen(s: &str) -> Option<u64> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || frac.len() > 2 || !digits(whole) || !digits(frac) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac: u64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    whole.checked_mul(100)?.checked_add(frac)
}

pub use liandong_node::fmt_time;

pub fn cases_table(cases: &[CaseSummary], lang: liandong_domain::Lang) -> String {
    let rows: Vec<Vec<String>> = cases
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.matter.clone(),
                c.status_label.clone(),
                c.applicant_name.clone(),
                c.applicant_id.clone(),
                c.due.clone().unwrap_or_default(),
                c.left_days.map(|d| d.to_string()).unwrap_or_default(),
                joint(c, lang),
                c.warnings.join("; "),
            ]
        })
        .collect();
    let mut out = table::render(
        &[
            lang.pick("办件编号", "case"),
            lang.pick("事项", "matter"),
            lang.pick("状态", "status"),
            lang.pick("申请人", "applicant"),
            lang.pick("证件号", "ID number"),
            lang.pick("承诺期限", "due"),
            lang.pick("剩余工作日", "days left"),
            lang.pick("联办", "joint"),
            lang.pick("预警", "warnings"),
        ],
        &rows,
    );
    out.push_str(&format!("{} {}\n", cases.len(), lang.pick("件", "cases")));
    out
}

/// The departments a case was routed to and the townships asked for an
/// opinion (`D03 D05 征求意见:T02`).
fn joint(c: &CaseSummary, lang: liandong_domain::Lang) -> String {
    let mut parts = c.routed_to.clone();
    if !c.opinion_asked_of.is_empty() {
        parts.push(format!(
            "{}:{}",
            lang.pick("征求意见", "opinion asked of"),
            c.opinion_asked_of.join(",")
        ));
    }
    parts.join(" ")
}

/// The routing rules, one line per matter.
pub fn routing_table(
    rules: &[liandong_domain::RoutingRule],
    lang: liandong_domain::Lang,
) -> String {
    let rows: Vec<Vec<String>> = rules
        .iter()
        .map(|r| {
            vec![
                r.matter.clone(),
                r.departments.iter().cloned().collect::<Vec<_>>().join(","),
                r.township_opinions
                    .iter()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect();
    table::render(
        &[
            lang.pick("事项", "matter"),
            lang.pick("分送部门", "departments"),
            lang.pick("征求意见乡镇", "townships asked"),
        ],
        &rows,
    )
}

pub fn status_text(s: &NodeStatus) -> String {
    let mut out = format!(
        "node {}  version {}  operations {}  digest {}  cases {}  disk {} KiB  certificate expires {}\n",
        s.node,
        s.version,
        s.ops_held,
        s.digest,
        s.cases,
        s.disk_bytes / 1024,
        fmt_time(u64::try_from(s.cert_not_after_ms).ok()),
    );
    let rows: Vec<Vec<String>> = s
        .peers
        .iter()
        .map(|p| {
            let r = p.report.as_ref();
            vec![
                p.node.clone(),
                p.state.clone(),
                fmt_time(p.last_contact_ms),
                p.ops_sent.to_string(),
                p.ops_received.to_string(),
                format!("{} ops / {} s", p.lag_out_ops, p.lag_seconds),
                p.lag_in_ops.to_string(),
                p.scope_digest.clone(),
                p.rejections.values().sum::<u64>().to_string(),
                r.map(|r| r.version.clone()).unwrap_or_default(),
                r.map(|r| format!("{} KiB", r.disk_bytes / 1024))
                    .unwrap_or_default(),
                p.clock_skew_ms
                    .map(|ms| format!("{ms} ms"))
                    .unwrap_or_default(),
                p.last_error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    out.push_str(&table::render(
        &[
            "peer",
            "link",
            "last contact",
            "sent",
            "received",
            "behind (to peer)",
            "lag in",
            "scope digest",
            "rejected",
            "version",
            "disk",
            "clock skew",
            "last error",
        ],
        &rows,
    ));
    if s.held_back_ops > 0 {
        out.push_str(&format!(
            "held back: {} received operations are stamped further ahead of this clock than the skew bound; \
             each is applied when this clock catches up (a sender's clock is wrong: check its NTP)\n",
            s.held_back_ops
        ));
    }
    if s.rejected_total > 0 {
        out.push_str(&format!(
            "refused operations: {} (latest first)\n",
            s.rejected_total
        ));
        for r in &s.recent_rejections {
            out.push_str(&format!(
                "  {}  from {}  {}  {}  [{}] {}\n",
                fmt_time(Some(r.at_ms)),
                r.peer,
                r.op,
                r.entity,
                r.reason,
                r.message
            ));
        }
    }
    out
}
