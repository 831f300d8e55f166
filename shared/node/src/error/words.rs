//! The clerk-facing text of every error the node sends back
//! ([`ErrorReply`]) and of a node that cannot be asked
//! ([`ControlError`]), Chinese and English side by side. Refusals and the
//! registries' validation errors are worded by the domain
//! ([`liandong_domain::Refusal::message`] and its siblings); this module
//! words only what the node names itself. The command line and the web
//! console both word errors here, so a refusal reads the same in each.

use crate::control::{ControlError, SOCKET_NAME};
use crate::error::StoreProblem;
use crate::error::{FileOp, Forbidden, Malformed, Missing, OpenRequest};
use crate::{ErrorReply, NodeError};
use liandong_domain::Lang;
use liandong_store::StoreError;

/// An error reply as the clerk reads it.
pub fn error_text(error: &ErrorReply, lang: Lang) -> String {
    match error {
        ErrorReply::Refused { refusal } => refusal.message(lang),
        ErrorReply::NotFound { what } => missing(what, lang),
        ErrorReply::NotPermitted { what } => forbidden(what, lang),
        ErrorReply::BadInput { input } => malformed(input, lang),
        ErrorReply::Store { problem } => store(problem, lang),
        ErrorReply::Io { op, path, detail } => {
            let (zh, en) = match op {
                FileOp::Create => ("无法创建", "cannot create"),
                FileOp::Sync => ("无法同步", "cannot sync"),
                FileOp::Rename => ("无法重命名为", "cannot rename to"),
            };
            format!("{} {path}: {detail}", lang.pick(zh, en))
        }
        ErrorReply::Internal { detail } => detail.clone(),
    }
}

/// A node error of this process (a node started in-process) as the
/// clerk reads it: the same text as over the socket.
pub fn node_error_text(error: &NodeError, lang: Lang) -> String {
    error_text(&error.to_reply(), lang)
}

fn missing(what: &Missing, lang: Lang) -> String {
    match what {
        Missing::Case { id } => format!("{}: {id}", lang.pick("没有此办件", "no such case")),
        Missing::Matter { code } => {
            format!("{} {code}", lang.pick("事项目录中没有事项", "no matter"))
        }
        Missing::Staff { id } => format!("{} {id}", lang.pick("没有此人员", "no staff member")),
        Missing::Authorisation { id } => {
            format!("{} {id}", lang.pick("没有此授权", "no authorisation"))
        }
        Missing::SupervisionItem { item } => format!(
            "{}: {item}",
            lang.pick(
                "此办件没有该督办事项",
                "no such supervision item on this case"
            )
        ),
        Missing::OpenRequest { kind } => {
            let (zh, en) = match kind {
                OpenRequest::Correction => (
                    "此办件没有未答复的补正告知",
                    "this case has no open correction notice",
                ),
                OpenRequest::Supplement => (
                    "此办件没有未答复的补齐补正要求",
                    "this case has no open supplement request",
                ),
                OpenRequest::Special => (
                    "此办件没有进行中的特别程序",
                    "this case has no special procedure under way",
                ),
            };
            lang.pick(zh, en).to_string()
        }
    }
}

fn forbidden(what: &Forbidden, lang: Lang) -> String {
    let fixed = |zh: &str, en: &str| lang.pick(zh, en).to_string();
    match what {
        Forbidden::RegistryWrite => fixed(
            "只有县级节点可以修改事项目录、人员、授权和工作日历",
            "only the county writes the catalogue, staff, authorisations and calendar",
        ),
        Forbidden::Revocation => fixed(
            "只有县级节点可以吊销证书",
            "only the county revokes certificates",
        ),
        Forbidden::RevokeSelf => fixed(
            "县级节点不能吊销自己的证书；请签发新证书后重启",
            "the county cannot revoke its own certificate; issue a new one and restart",
        ),
        Forbidden::NotSignedIn { node } => {
            let how = match node.split_once('/') {
                Some(("township", id)) => format!("township-node login --id {id} --staff <工号>"),
                _ => "county-node login --staff <工号>".to_string(),
            };
            match lang {
                Lang::Zh => format!("未登录（或会话已结束）：请先在本节点（{node}）登录：{how}"),
                Lang::En => format!(
                    "not signed in (or the session ended) at {node}: sign in first with {}",
                    how.replace("<工号>", "<staff id>")
                ),
            }
        }
        Forbidden::WrongCredentials => fixed("工号或密码错误", "wrong staff id or password"),
        Forbidden::NoSeal { staff } => match lang {
            Lang::Zh => format!("{staff} 的电子印章未解锁：请重新登录后再作出决定"),
            Lang::En => {
                format!("{staff}'s electronic seal is not unlocked: sign in again, then decide")
            }
        },
        Forbidden::Locked { until_ms } => {
            let until = crate::fmt_time(Some(*until_ms));
            match lang {
                Lang::Zh => format!("登录失败次数过多，账号已锁定至 {until}（北京时间），请稍后再试"),
                Lang::En => format!("too many failed sign-ins: the account is locked until {until} (CST); try again then"),
            }
        }
        Forbidden::Role { staff, act } => {
            let named =
                liandong_domain::EventTag::from_name(act).map_or(act.as_str(), |t| t.label(lang));
            match lang {
                Lang::Zh => format!("{staff} 没有办理“{named}”的角色；请由具备该角色的人员办理，或请大厅管理分配角色"),
                Lang::En => format!("{staff} has no role permitted to do `{named}`; have someone with that role do it, or ask hall management for the role"),
            }
        }
    }
}

fn malformed(input: &Malformed, lang: Lang) -> String {
    let fixed = |zh: &'static str, en: &'static str| lang.pick(zh, en).to_string();
    match input {
        Malformed::NodeId { flag, detail } => format!("{flag}: {detail}"),
        Malformed::EventId { text } => format!(
            "{} `{text}`",
            lang.pick("无法识别的事件编号", "not an event id (ORIGIN#SEQ)")
        ),
        Malformed::ToleranceIncomplete => fixed(
            "容缺受理需同时给出缺少的材料和承诺补齐日期",
            "acceptance with missing materials (容缺) needs both --missing and --promised-by",
        ),
        Malformed::NoteMissing => fixed("请填写说明 --note", "--note is required"),
        Malformed::NoDates => fixed("没有日期", "no dates given"),
        Malformed::NothingToRoute => fixed(
            "没有可分送的部门或乡镇：请用 --department / --township 指定，或先由县中心设置该事项的联办路由（routing add）",
            "nothing to route to: name --department / --township, or have the county set the matter's routing (routing add)",
        ),
        Malformed::Password { detail } => match lang {
            Lang::Zh => format!("密码不符合要求：{detail}"),
            Lang::En => format!("password not accepted: {detail}"),
        },
        Malformed::Matter(e) => e.message(lang),
        Malformed::Staff(e) => e.message(lang),
        Malformed::Authorisation(e) => e.message(lang),
    }
}

fn store(problem: &StoreProblem, lang: Lang) -> String {
    match problem {
        // The store's own text, already in both languages.
        StoreProblem::DiskFull {
            path,
            free_mib,
            reserve_mib,
        } => StoreError::DiskFull {
            path: path.into(),
            free_mib: *free_mib,
            reserve_mib: *reserve_mib,
        }
        .to_string(),
        StoreProblem::Corrupt { detail }
        | StoreProblem::Io { detail }
        | StoreProblem::Other { detail } => format!(
            "{}: {detail}",
            lang.pick("本地存储出错", "the local store refused the write")
        ),
    }
}

/// Why the node could not be asked, as the clerk reads it.
pub fn control_text(error: &ControlError, lang: Lang) -> String {
    match (error, lang) {
        (_, Lang::En) => error.to_string(),
        (ControlError::NotRunning { dir, start }, Lang::Zh) => format!(
            "数据目录 {} 下没有正在运行的节点（没有 {SOCKET_NAME}）；请先启动：`{start}`",
            dir.display()
        ),
        (ControlError::Io { path, source }, Lang::Zh) => {
            format!("与节点 {} 通信失败：{source}", path.display())
        }
        (ControlError::BadReply { path, detail }, Lang::Zh) => {
            format!("节点 {} 的回复无法读取：{detail}", path.display())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liandong_domain::{AuthError, MatterError, Refusal};

    fn both(error: ErrorReply) -> (String, String) {
        (error_text(&error, Lang::Zh), error_text(&error, Lang::En))
    }

    fn is_chinese(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn a_refusal_reads_as_the_domain_words_it_in_each_language() {
        let refusal = Refusal::Unauthorised(AuthError::NoAuthorisation {
            staff: "S01".into(),
        });
        let (zh, en) = both(ErrorReply::Refused {
            refusal: refusal.clone(),
        });
        assert_eq!(zh, refusal.message(Lang::Zh));
        assert_eq!(en, refusal.message(Lang::En));
        assert!(is_chinese(&zh) && en.is_ascii(), "{zh} / {en}");
    }

    #[test]
    fn what_the_node_names_itself_is_worded_in_both_languages() {
        let errors = [
            ErrorReply::NotFound {
                what: Missing::Case { id: "C1".into() },
            },
            ErrorReply::NotFound {
                what: Missing::OpenRequest {
                    kind: OpenRequest::Special,
                },
            },
            ErrorReply::NotPermitted {
                what: Forbidden::RegistryWrite,
            },
            ErrorReply::NotPermitted {
                what: Forbidden::Revocation,
            },
            ErrorReply::BadInput {
                input: Malformed::NoteMissing,
            },
            ErrorReply::BadInput {
                input: Malformed::Matter(MatterError::Name),
            },
        ];
        for error in errors {
            let (zh, en) = both(error);
            assert!(is_chinese(&zh), "{zh}");
            assert!(!is_chinese(&en), "{en}");
        }
        let (zh, en) = both(ErrorReply::NotFound {
            what: Missing::Case { id: "C1".into() },
        });
        assert_eq!(
            (zh.as_str(), en.as_str()),
            ("没有此办件: C1", "no such case: C1")
        );
    }

    #[test]
    fn a_full_disk_reads_as_the_store_words_it() {
        let (zh, _) = both(ErrorReply::Store {
            problem: StoreProblem::DiskFull {
                path: "/srv/liandong".into(),
                free_mib: 3,
                reserve_mib: 512,
            },
        });
        assert!(
            zh.contains("磁盘空间不足") && zh.contains("disk nearly full"),
            "{zh}"
        );
        assert!(zh.contains("3 MiB free") && zh.contains("512 MiB"), "{zh}");
    }

    #[test]
    fn a_node_that_is_not_running_is_explained_with_the_command_that_starts_it() {
        let error = ControlError::NotRunning {
            dir: "/srv/liandong/T01".into(),
            start: "township-node serve --id T01".into(),
        };
        for lang in [Lang::Zh, Lang::En] {
            let text = control_text(&error, lang);
            assert!(text.contains("township-node serve --id T01"), "{text}");
            assert!(text.contains("/srv/liandong/T01"), "{text}");
        }
        assert!(is_chinese(&control_text(&error, Lang::Zh)));
    }
}
