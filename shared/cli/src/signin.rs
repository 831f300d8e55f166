//! The sign-in commands both binaries share: `login`, `logout`, `whoami`,
//! `passwd`, and hall management's `staff set-password`; and the session
//! token every other command sends ([`session_token`]).
//!
//! The token lives in a file per OS user and node ([`crate::session`]);
//! `login` writes it, `logout` removes it. A command run without one is
//! sent without a session and the node answers how to sign in.

use std::path::{Path, PathBuf};

use liandong_domain::Lang;
use liandong_identity::token::SessionToken;
use liandong_node::control::{Reply, Request};

use crate::error::CommandError;
use crate::session::{load_token, read_password, remove_token, save_token, session_file};

/// The session file of the node whose data directory is `data_dir`; the
/// directory's last component names it in the file name.
pub fn session_path(data_dir: &Path) -> Result<PathBuf, CommandError> {
    let label: String = data_dir
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("node")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        .collect();
    let label = label.trim_start_matches(['.', '-']);
    let label = if label.is_empty() { "node" } else { label };
    session_file(label, data_dir).map_err(CommandError::Session)
}

/// The session token to send with a command: none when nobody signed in
/// here (or the node's directory does not exist: the call then says the
/// node is not running).
pub fn session_token(data_dir: &Path) -> Result<Option<String>, CommandError> {
    if !data_dir.exists() {
        return Ok(None);
    }
    let path = session_path(data_dir)?;
    let token = load_token(&path).map_err(CommandError::Session)?;
    Ok(token.map(|t| t.as_str().to_string()))
}

/// `login`: signs in and keeps the token; prints who signed in.
pub async fn login(
    data_dir: &Path,
    start_hint: &str,
    lang: Lang,
    staff: &str,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let prompt = lang.pick("密码：", "Password: ");
    let password = read_password(password_stdin, prompt).map_err(CommandError::Session)?;
    let req = Request::Login {
        staff: staff.to_string(),
        password,
    };
    let Reply::LoggedIn(reply) = crate::ask_in(data_dir, start_hint, lang, req).await? else {
        return Err(CommandError::UnexpectedReply.into());
    };
    let token = SessionToken::parse(&reply.token).map_err(|_| CommandError::UnexpectedReply)?;
    let path = session_path(data_dir)?;
    save_token(&path, &token).map_err(CommandError::Session)?;
    let roles: Vec<&str> = reply.roles.iter().map(|r| r.label(lang)).collect();
    println!(
        "{} {} {} ({})",
        lang.pick("已登录：", "signed in:"),
        reply.staff,
        reply.name,
        roles.join("、")
    );
    if reply.must_change {
        println!(
            "{}",
            lang.pick(
                "此密码由大厅管理设置，请尽快用 passwd 修改",
                "this password was set by hall management: change it with passwd"
            )
        );
    }
    Ok(())
}

/// `logout`: ends the session and removes the token file.
pub async fn logout(data_dir: &Path, start_hint: &str, lang: Lang) -> anyhow::Result<()> {
    if session_token(data_dir)?.is_some() {
        // The node may be down: the local token goes either way.
        let _ = crate::ask_in(data_dir, start_hint, lang, Request::Logout).await;
    }
    if data_dir.exists() {
        remove_token(&session_path(data_dir)?).map_err(CommandError::Session)?;
    }
    println!("{}", lang.pick("已退出登录", "signed out"));
    Ok(())
}

/// `whoami`.
pub async fn whoami(
    data_dir: &Path,
    start_hint: &str,
    lang: Lang,
    json: bool,
) -> anyhow::Result<()> {
    let Reply::Whoami(w) = crate::ask_in(data_dir, start_hint, lang, Request::Whoami).await? else {
        return Err(CommandError::UnexpectedReply.into());
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&w)?);
        return Ok(());
    }
    let roles: Vec<&str> = w.roles.iter().map(|r| r.label(lang)).collect();
    println!(
        "{} {} · {} · {} {}",
        w.staff,
        w.name,
        roles.join("、"),
        w.node,
        liandong_node::fmt_time(Some(w.started_ms))
    );
    Ok(())
}

/// `passwd`: the current password, then the new one twice (with
/// `--password-stdin`: two lines, current then new).
pub async fn passwd(
    data_dir: &Path,
    start_hint: &str,
    lang: Lang,
    password_stdin: bool,
) -> anyhow::Result<()> {
    let old = read_password(
        password_stdin,
        lang.pick("当前密码：", "Current password: "),
    )
    .map_err(CommandError::Session)?;
    let new = read_password(password_stdin, lang.pick("新密码：", "New password: "))
        .map_err(CommandError::Session)?;
    if !password_stdin {
        let again = read_password(false, lang.pick("再次输入新密码：", "New password again: "))
            .map_err(CommandError::Session)?;
        if again != new {
            return Err(crate::bad_argument(
                lang.pick("两次输入的新密码不一致", "the two new passwords differ"),
            ));
        }
    }
    let req = Request::Passwd { old, new };
    match crate::ask_in(data_dir, start_hint, lang, req).await? {
        Reply::Done { message } => {
            println!("{message}");
            Ok(())
        }
        _ => Err(CommandError::UnexpectedReply.into()),
    }
}

/// `staff set-password`: sets, resets (a new password), enables or
/// disables an account.
pub async fn set_password(
    data_dir: &Path,
    start_hint: &str,
    lang: Lang,
    staff: &str,
    password_stdin: bool,
    disable: bool,
    enable: bool,
) -> anyhow::Result<()> {
    let password = if disable || enable {
        None
    } else {
        Some(
            read_password(password_stdin, lang.pick("新密码：", "New password: "))
                .map_err(CommandError::Session)?,
        )
    };
    let req = Request::SetPassword {
        staff: staff.to_string(),
        password,
        disable,
    };
    match crate::ask_in(data_dir, start_hint, lang, req).await? {
        Reply::Done { message } => {
            println!("{message}");
            Ok(())
        }
        _ => Err(CommandError::UnexpectedReply.into()),
    }
}
