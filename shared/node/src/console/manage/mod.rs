//! Hall management's pages (大厅管理): the catalogue ([`matters`], with
//! [`matter_form`] for its 十公开 form), the roster and credentials
//! ([`staff`]), authorisations ([`authorisations`]), the working-day
//! calendar ([`calendar`]) and routing rules ([`routing`]).
//!
//! Each page is shown only to a session whose role may do its act
//! (`catalogue`, `roster`, `authorisations`, `calendar`, `routing`), and
//! each write is the control request the command line sends, through
//! [`Console::call`](super::Console::call): the node's permission table,
//! checks and audit line apply. These are county-only writes; a township
//! shows the pages and, on a write, the node's own refusal.
//!
//! After a write succeeds the browser is sent back to the page with
//! `?done=1` (so a reload does not post again); a refusal re-draws the
//! form with the reason next to its field.

pub mod authorisations;
pub mod calendar;
pub mod matter_form;
pub mod matters;
pub mod routing;
pub mod staff;

use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;

use super::visit::Visit;
use super::Console;
use crate::error::ErrorReply;
use liandong_model::Role;

/// `?done=1` after a write.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Done {
    pub done: Option<String>,
}

/// The status a refused write answers with.
pub fn status_of(error: &ErrorReply) -> StatusCode {
    match error {
        ErrorReply::NotPermitted { .. } => StatusCode::FORBIDDEN,
        ErrorReply::NotFound { .. } => StatusCode::NOT_FOUND,
        ErrorReply::Store { .. } | ErrorReply::Io { .. } | ErrorReply::Internal { .. } => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        _ => StatusCode::BAD_REQUEST,
    }
}

/// The line above a page after a write, and the note on a township that
/// the county keeps these registers.
pub fn banner(console: &Console, visit: &Visit, done: bool) -> Markup {
    let township = console.core.me().role() != Role::County;
    html! {
        @if done {
            p.notice role="status" { (visit.t("已保存。", "Saved.")) }
        }
        @if township {
            p.muted {
                (visit.t(
                    "本页内容由县政务服务中心维护，在本中心只能查看；修改会被节点拒绝。",
                    "The county keeps these registers: this centre shows them, and the node refuses changes made here.",
                ))
            }
        }
    }
}

/// `response` with `status`.
pub fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}

/// A labelled select of choices (value, label).
pub fn select(
    name: &'static str,
    label: &str,
    choices: &[(String, String)],
    selected: &str,
) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.field {
            label for=(id) { (label) }
            select id=(id) name=(name) {
                @for (value, text) in choices {
                    option value=(value) selected[value == selected] { (text) }
                }
            }
        }
    }
}

/// The staff roles as select choices.
pub fn role_choices(visit: &Visit) -> Vec<(String, String)> {
    liandong_domain::StaffRole::ALL
        .iter()
        .map(|r| (r.as_str().to_string(), r.label(visit.lang).to_string()))
        .collect()
}
