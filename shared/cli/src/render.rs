//! Printing registry replies (matters, the one-time notice, staff, the
//! calendar, supervision items) as tables and text in the clerk's
//! language, or as JSON.

use super::{cases_table, status_text};
use crate::table;
use liandong_domain::{Lang, Level, Matter};
use liandong_node::control::Reply;

/// `--level township|county|all`.
pub fn parse_level(s: &str, lang: Lang) -> anyhow::Result<Option<Level>> {
    match s {
        "township" => Ok(Some(Level::Township)),
        "county" => Ok(Some(Level::County)),
        "all" => Ok(None),
        other => Err(crate::bad_argument(format!(
            "--level `{other}`: {}",
            lang.pick(
                "请用 township、county 或 all",
                "use township, county or all"
            )
        ))),
    }
}

fn yuan(fen: u64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

/// Prints any reply: JSON with `json`, else a table or text.
pub fn print_reply(reply: Reply, json: bool, lang: Lang) -> anyhow::Result<()> {
    let text = match reply {
        Reply::Error { error } => return Err(crate::CommandError::Node { error, lang }.into()),
        Reply::Done { message } => format!("{message}\n"),
        _ if json => return print_json(reply),
        Reply::Matters { matters } => matters_table(&matters, lang),
        Reply::Audit { lines } => audit_table(&lines, lang),
        Reply::LoggedIn(r) => format!("{} {}\n", lang.pick("已登录：", "signed in:"), r.staff),
        Reply::Whoami(w) => format!("{} {}\n", w.staff, w.name),
        Reply::Guide { matter } => guide_text(&matter, lang),
        Reply::Staff { staff } => {
            let rows: Vec<Vec<String>> = staff
                .iter()
                .map(|s| {
                    vec![
                        s.id.clone(),
                        s.name.clone(),
                        s.department.clone(),
                        s.window.clone().unwrap_or_default(),
                        if s.centres.is_empty() {
                            lang.pick("县中心", "county hall").to_string()
                        } else {
                            s.centres.join(",")
                        },
                        s.roles.join(","),
                        s.authorisations.join("; "),
                    ]
                })
                .collect();
            table::render(
                &[
                    lang.pick("工号", "id"),
                    lang.pick("姓名", "name"),
                    lang.pick("部门", "department"),
                    lang.pick("窗口", "window"),
                    lang.pick("工作中心", "centres"),
                    lang.pick("角色", "roles"),
                    lang.pick("授权", "authorisations"),
                ],
                &rows,
            )
        }
        Reply::Calendar { year, known, days } => {
            let mut out = format!(
                "{year} {}\n",
                if known {
                    lang.pick("已设置工作日历", "calendar set")
                } else {
                    lang.pick(
                        "未设置：按周一至周五计算",
                        "not set: Monday to Friday assumed",
                    )
                }
            );
            let rows: Vec<Vec<String>> = days
                .iter()
                .map(|(d, s)| vec![d.to_string(), s.label(lang).to_string()])
                .collect();
            out.push_str(&table::render(
                &[lang.pick("日期", "date"), lang.pick("设置", "setting")],
                &rows,
            ));
            out
        }
        Reply::Supervision { items } => {
            let rows: Vec<Vec<String>> = items
                .iter()
                .map(|i| {
                    let state = match (i.resolved, i.current) {
                        (true, _) => lang.pick("已解决", "resolved"),
                        (false, true) => lang.pick("预警中", "active"),
                        (false, false) => lang.pick("已消除", "cleared"),
                    };
                    vec![
                        i.case.clone(),
                        i.origin.clone(),
                        i.description.clone(),
                        state.to_string(),
                        if i.flagged {
                            "✓".into()
                        } else {
                            String::new()
                        },
                        i.item.clone(),
                        i.notes.join("; "),
                    ]
                })
                .collect();
            let mut out = table::render(
                &[
                    lang.pick("办件编号", "case"),
                    lang.pick("受理中心", "centre"),
                    lang.pick("督办内容", "item"),
                    lang.pick("状态", "state"),
                    lang.pick("已督办", "flagged"),
                    lang.pick("督办编号", "item id"),
                    lang.pick("批注", "notes"),
                ],
                &rows,
            );
            out.push_str(&format!("{} {}\n", items.len(), lang.pick("项", "items")));
            out
        }
        Reply::Cases { cases } => cases_table(&cases, lang),
        Reply::Routing { rules } => crate::routing_table(&rules, lang),
        Reply::Case(detail) => super::case::detail_text(&detail, lang),
        Reply::Status(s) => status_text(&s),
    };
    print!("{text}");
    Ok(())
}

fn print_json(reply: Reply) -> anyhow::Result<()> {
    let value = match reply {
        Reply::Matters { matters } => serde_json::to_value(matters)?,
        Reply::Guide { matter } => serde_json::to_value(matter)?,
        Reply::Staff { staff } => serde_json::to_value(staff)?,
        Reply::Supervision { items } => serde_json::to_value(items)?,
        Reply::Cases { cases } => serde_json::to_value(cases)?,
        Reply::Routing { rules } => serde_json::to_value(rules)?,
        other => serde_json::to_value(other)?,
    };
    println!("{}", serde_json::to_string_pretty(&value)?);
    Ok(())
}

fn matters_table(matters: &[Matter], lang: Lang) -> String {
    let rows: Vec<Vec<String>> = matters
        .iter()
        .map(|m| {
            vec![
                m.code.clone(),
                m.name.clone(),
                m.kind.label(lang).to_string(),
                m.level.label(lang).to_string(),
                m.promised_days.to_string(),
                m.statutory_days.to_string(),
                m.lead_department.clone(),
            ]
        })
        .collect();
    let mut out = table::render(
        &[
            lang.pick("事项编码", "code"),
            lang.pick("事项名称", "name"),
            lang.pick("办件类型", "kind"),
            lang.pick("行使层级", "level"),
            lang.pick("承诺时限", "promised days"),
            lang.pick("法定时限", "statutory days"),
            lang.pick("实施主体", "department"),
        ],
        &rows,
    );
    out.push_str(&format!(
        "{} {}\n",
        matters.len(),
        lang.pick("项事项", "matters")
    ));
    out
}

/// The service guide (办事指南): every 十公开 field, printable.
pub fn guide_text(m: &Matter, lang: Lang) -> String {
    let l = |zh, en| lang.pick(zh, en).to_string();
    let mut out = format!("{}\n{}\n\n", l("办事指南", "SERVICE GUIDE"), "=".repeat(40));
    let mut line = |k: String, v: String| out.push_str(&format!("{k}: {v}\n"));
    line(l("项目名称", "Matter"), format!("{} ({})", m.name, m.code));
    line(l("办件类型", "Kind"), m.kind.label(lang).to_string());
    line(l("行使层级", "Level"), m.level.label(lang).to_string());
    line(l("法律依据", "Legal basis"), m.legal_basis.clone());
    line(l("申请条件", "Conditions"), m.conditions.clone());
    line(
        l("审批时限", "Time limit"),
        format!(
            "{} {} {}, {} {} {}",
            l("法定", "statutory"),
            m.statutory_days,
            l("个工作日", "working days"),
            l("承诺", "promised"),
            m.promised_days,
            l("个工作日", "working days")
        ),
    );
    line(
        l("实施主体", "Department"),
        std::iter::once(m.lead_department.clone())
            .chain(m.co_departments.iter().cloned())
            .collect::<Vec<_>>()
            .join(", "),
    );
    line(l("办理人员", "Staff"), m.staff_contact.clone());
    line(l("联系电话", "Phone"), m.phone.clone());
    line(
        l("监督电话", "Supervision phone"),
        m.supervision_phone.clone(),
    );
    out.push_str(&format!("\n{}:\n", l("申请资料", "Materials")));
    for (i, mat) in m.materials.iter().enumerate() {
        out.push_str(&format!(
            "  {}. {} ({}{})\n",
            i + 1,
            mat.name,
            mat.form.label(lang),
            if mat.mandatory {
                format!(", {}", l("必交", "required"))
            } else {
                String::new()
            }
        ));
    }
    out.push_str(&format!("\n{}:\n", l("审批流程", "Process")));
    for (i, st) in m.stages.iter().enumerate() {
        let days = st
            .limit_days
            .map(|d| format!(" ({d} {})", l("个工作日", "working days")))
            .unwrap_or_default();
        out.push_str(&format!("  {}. {}{days}\n", i + 1, st.name));
    }
    out.push_str(&format!("\n{}:\n", l("收费标准及依据", "Fees and basis")));
    if m.fees.is_empty() {
        out.push_str(&format!("  {}\n", l("不收费", "free of charge")));
    }
    for f in &m.fees {
        out.push_str(&format!(
            "  {} {} {} ({})\n",
            f.name,
            yuan(f.amount_fen),
            l("元", "yuan"),
            f.basis
        ));
    }
    if !m.special_steps.is_empty() {
        out.push_str(&format!("\n{}:\n", l("特别程序", "Special steps")));
        for s in &m.special_steps {
            out.push_str(&format!(
                "  {} ≤{} {} ({})\n",
                s.kind.label(lang),
                s.max_days,
                l("个工作日", "working days"),
                if s.counted {
                    l("计入时限", "counted in the limit")
                } else {
                    l("不计入时限", "not counted")
                }
            ));
        }
    }
    out
}

/// The audit log as a table.
fn audit_table(lines: &[liandong_domain::AuditEntry], lang: Lang) -> String {
    let rows: Vec<Vec<String>> = lines
        .iter()
        .map(|e| {
            vec![
                liandong_node::fmt_time(Some(e.at_ms)),
                e.node.clone(),
                e.staff.clone().unwrap_or_default(),
                e.role
                    .map(|r| r.label(lang).to_string())
                    .unwrap_or_default(),
                e.os_uid.map(|u| u.to_string()).unwrap_or_default(),
                e.action.clone(),
                e.target.clone(),
                e.result.clone(),
            ]
        })
        .collect();
    table::render(
        &[
            lang.pick("时间", "time"),
            lang.pick("节点", "node"),
            lang.pick("工号", "staff"),
            lang.pick("角色", "role"),
            "uid",
            lang.pick("操作", "action"),
            lang.pick("对象", "target"),
            lang.pick("结果", "result"),
        ],
        &rows,
    )
}
