//! Dispatch of control-socket calls to the node's operations, on the
//! blocking pool (every operation reads or writes the store). A failure
//! goes back as [`Reply::Error`] with the error as data.
//!
//! Invariant: once the store has stopped taking writes (a commit could not
//! be made durable, see `liandong_store::Store::read_only`), every clerk
//! command gets that store error, reads included (what they would show may
//! not be on disk), until the node is restarted; only `status` (which says
//! so) and `backup` (which exports only what is durable) still answer.

use super::NodeCore;
use crate::control::{Call, Handler, Reply, Request};
use crate::error::{ErrorReply, NodeError};
use liandong_domain::Lang;

impl Handler for NodeCore {
    async fn handle(&self, call: Call) -> Reply {
        let core = self.clone();
        let res = tokio::task::spawn_blocking(move || core.dispatch(call.lang, call.request)).await;
        res.unwrap_or_else(|e| Reply::Error {
            error: ErrorReply::internal(format!("internal error: {e}")),
        })
    }
}

fn done(message: String) -> Reply {
    Reply::Done { message }
}

impl NodeCore {
    fn dispatch(&self, lang: Lang, req: Request) -> Reply {
        if let Err(e) = self.refuse_if_store_stopped(&req) {
            return Reply::Error {
                error: ErrorReply::from(e),
            };
        }
        let result = match req {
            Request::AcceptCase {
                matter,
                applicant,
                materials,
                submit_only,
                conclude,
            } => self
                .accept_new(lang, &matter, &applicant, &materials, submit_only, conclude)
                .map(|d| Reply::Case(Box::new(d))),
            Request::Case { case, action } => self
                .case_action(lang, &case, action)
                .map(|d| Reply::Case(Box::new(d))),
            Request::ShowCase { case } => self
                .show_case(&case, lang)
                .map(|d| Reply::Case(Box::new(d))),
            Request::ListCases { origin, filter } => self
                .list_cases(lang, origin.as_deref(), &filter)
                .map(|cases| Reply::Cases { cases }),
            Request::PutMatter { matter } => self.put_matter(lang, *matter).map(done),
            Request::RetireMatter { code } => self.retire_matter(lang, &code).map(done),
            Request::ListMatters { level } => self
                .list_matters(level)
                .map(|matters| Reply::Matters { matters }),
            Request::MatterGuide { code } => self.matter_guide(&code).map(|m| Reply::Guide {
                matter: Box::new(m),
            }),
            Request::AddStaff {
                id,
                name,
                department,
                role,
            } => self
                .add_staff(lang, &id, &name, &department, role)
                .map(done),
            Request::AssignRole { id, role, remove } => {
                self.assign_role(lang, &id, role, remove).map(done)
            }
            Request::AssignWindow { id, window } => self.assign_window(lang, &id, window).map(done),
            Request::Authorise {
                staff,
                scope,
                powers,
                from,
                to,
                id,
            } => self
                .authorise(lang, &staff, scope, powers, from, to, id)
                .map(done),
            Request::RevokeAuthorisation { id } => self.revoke_authorisation(lang, &id).map(done),
            Request::ListStaff => self.list_staff().map(|staff| Reply::Staff { staff }),
            Request::SetCalendar { dates, setting } => {
                self.set_calendar(lang, dates, setting).map(done)
            }
            Request::ShowCalendar { year } => self
                .show_calendar(year)
                .map(|(known, days)| Reply::Calendar { year, known, days }),
            Request::PutRouting {
                matter,
                departments,
                townships,
            } => self
                .put_routing(lang, &matter, departments, townships)
                .map(done),
            Request::ListRouting => self.list_routing().map(|rules| Reply::Routing { rules }),
            Request::Supervision { origin } => self
                .supervision(lang, origin.as_deref())
                .map(|items| Reply::Supervision { items }),
            Request::AnnotateSupervision {
                case,
                item,
                note,
                resolve,
            } => self
                .annotate_supervision(lang, &case, &item, &note, resolve)
                .map(done),
            Request::Status => self.status().map(|s| Reply::Status(Box::new(s))),
            Request::Revoke { node, reason } => self.revoke(&node, &reason).map(done),
            Request::Backup { path } => self.backup(std::path::Path::new(&path)).map(done),
        };
        result.unwrap_or_else(|e| Reply::Error {
            error: ErrorReply::from(e),
        })
    }

    /// The store's read-only error for any command but `status` and
    /// `backup`, once the store has stopped taking writes.
    fn refuse_if_store_stopped(&self, req: &Request) -> Result<(), NodeError> {
        if matches!(req, Request::Status | Request::Backup { .. }) {
            return Ok(());
        }
        match self.store.read_only() {
            Some(e) => Err(NodeError::Store(e)),
            None => Ok(()),
        }
    }
}
