//! Dispatch of control-socket calls to the node's operations, on the
//! blocking pool (every operation reads or writes the store). A failure
//! goes back as [`Reply::Error`] with the error as data.
//!
//! Every call but `status` and `login` runs as the [`Actor`] of its
//! session token ([`crate::identity`]); without one it is refused with
//! [`Forbidden::NotSignedIn`], which tells the caller how to sign in. Each
//! call (sign-ins included, reads included) leaves one audit line: who,
//! the role the act was done in, the OS user, the command, its target and
//! its result.
//!
//! Invariant: once the store has stopped taking writes (a commit could not
//! be made durable, see `liandong_store::Store::read_only`), every clerk
//! command gets that store error, reads included (what they would show may
//! not be on disk), until the node is restarted; only `status` (which says
//! so) and `backup` (which exports only what is durable) still answer.

use super::NodeCore;
use crate::control::{Call, CaseAction, Handler, Reply, Request};
use crate::error::{ErrorReply, Forbidden, NodeError};
use crate::identity::Actor;
use liandong_domain::permission::{Act, EventTag};
use liandong_domain::Lang;

impl Handler for NodeCore {
    async fn handle(&self, call: Call) -> Reply {
        let core = self.clone();
        let res = tokio::task::spawn_blocking(move || core.dispatch(call)).await;
        res.unwrap_or_else(|e| Reply::Error {
            error: ErrorReply::internal(format!("internal error: {e}")),
        })
    }
}

fn done(message: String) -> Reply {
    Reply::Done { message }
}

fn error(e: NodeError) -> Reply {
    Reply::Error {
        error: ErrorReply::from(e),
    }
}

impl NodeCore {
    pub(crate) fn dispatch(&self, call: Call) -> Reply {
        let Call {
            lang,
            session,
            peer_uid,
            request,
        } = call;
        if let Err(e) = self.refuse_if_store_stopped(&request) {
            return error(e);
        }
        match request {
            Request::Status => {
                return self
                    .status()
                    .map(|s| Reply::Status(Box::new(s)))
                    .unwrap_or_else(error)
            }
            Request::Login { staff, password } => {
                let source = source_of(peer_uid);
                return self
                    .login(&staff, &password, &source, peer_uid)
                    .map(|r| Reply::LoggedIn(Box::new(r)))
                    .unwrap_or_else(error);
            }
            Request::Evaluate {
                case,
                code,
                level,
                text,
            } => {
                let source = source_of(peer_uid);
                let result = self.evaluate(lang, &case, &code, level, &text, &source);
                let outcome = match &result {
                    Ok(_) => "ok",
                    Err(e) => e.kind().as_str(),
                };
                self.audit(None, None, peer_uid, "evaluate", &case, outcome);
                return result
                    .map(|d| Reply::Case(Box::new(d)))
                    .unwrap_or_else(error);
            }
            _ => {}
        }
        let who = match session.as_deref() {
            Some(token) => self.actor(token, peer_uid),
            None => Err(NodeError::not_permitted(Forbidden::NotSignedIn {
                node: self.me().to_string(),
            })),
        };
        let (action, target, act) = describe(&request);
        let who = match who {
            Ok(who) => who,
            Err(e) => {
                self.audit(None, None, peer_uid, action, &target, "not-signed-in");
                return error(e);
            }
        };
        let token = session.unwrap_or_default();
        let reply = self.signed_in(&who, lang, &token, request);
        let result = match &reply {
            Reply::Error { error } => error.kind().as_str(),
            _ => "ok",
        };
        // A sign-out writes its own line (as on the admin port).
        if action != "logout" {
            let role = act.and_then(|a| who.role_for(a));
            self.audit(Some(&who.staff), role, peer_uid, action, &target, result);
        }
        reply
    }

    fn signed_in(&self, who: &Actor, lang: Lang, token: &str, req: Request) -> Reply {
        let result = match req {
            Request::Status | Request::Login { .. } | Request::Evaluate { .. } => {
                Err(NodeError::internal("answered before sign-in"))
            }
            Request::Logout => self.logout(lang, token).map(done),
            Request::Whoami => self.whoami(token).map(|w| Reply::Whoami(Box::new(w))),
            Request::Passwd { old, new } => self.passwd(lang, who, &old, &new).map(done),
            Request::SetPassword {
                staff,
                password,
                disable,
            } => self
                .set_password_in(lang, who, &staff, password.as_deref(), disable)
                .map(done),
            Request::AuditList { filter } => self
                .audit_list(who, &filter)
                .map(|lines| Reply::Audit { lines }),
            Request::AcceptCase {
                matter,
                applicant,
                materials,
                submit_only,
                conclude,
            } => self
                .accept_new(
                    who,
                    lang,
                    &matter,
                    &applicant,
                    &materials,
                    submit_only,
                    conclude,
                )
                .map(|d| Reply::Case(Box::new(d))),
            Request::Case { case, action } => self
                .case_action(who, lang, &case, action)
                .map(|d| Reply::Case(Box::new(d))),
            Request::ShowCase { case } => self
                .show_case(who, &case, lang)
                .map(|d| Reply::Case(Box::new(d))),
            Request::ListCases { origin, filter } => self
                .list_cases(who, lang, origin.as_deref(), &filter)
                .map(|cases| Reply::Cases { cases }),
            Request::PutMatter { matter } => self.put_matter(who, lang, *matter).map(done),
            Request::RetireMatter { code } => self.retire_matter(who, lang, &code).map(done),
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
                centres,
            } => self
                .add_staff(who, lang, &id, &name, &department, role, &centres)
                .map(done),
            Request::AssignRole { id, role, remove } => {
                self.assign_role(who, lang, &id, role, remove).map(done)
            }
            Request::AssignWindow { id, window } => {
                self.assign_window(who, lang, &id, window).map(done)
            }
            Request::Authorise {
                staff,
                scope,
                powers,
                from,
                to,
                id,
            } => self
                .authorise(who, lang, &staff, scope, powers, from, to, id)
                .map(done),
            Request::RevokeAuthorisation { id } => {
                self.revoke_authorisation(who, lang, &id).map(done)
            }
            Request::ListStaff => self.list_staff().map(|staff| Reply::Staff { staff }),
            Request::SetCalendar { dates, setting } => {
                self.set_calendar(who, lang, dates, setting).map(done)
            }
            Request::ShowCalendar { year } => self
                .show_calendar(year)
                .map(|(known, days)| Reply::Calendar { year, known, days }),
            Request::PutRouting {
                matter,
                departments,
                townships,
            } => self
                .put_routing(who, lang, &matter, departments, townships)
                .map(done),
            Request::ListRouting => self.list_routing().map(|rules| Reply::Routing { rules }),
            Request::Supervision { origin } => self
                .supervision(who, lang, origin.as_deref())
                .map(|items| Reply::Supervision { items }),
            Request::AnnotateSupervision {
                case,
                item,
                note,
                resolve,
            } => self
                .annotate_supervision(who, lang, &case, &item, &note, resolve)
                .map(done),
            Request::Revoke { node, reason } => self.revoke(who, &node, &reason).map(done),
            Request::Backup { path } => self.backup(who, std::path::Path::new(&path)).map(done),
        };
        result.unwrap_or_else(error)
    }

    /// The store's read-only error for any command but `status` and
    /// `backup`, once the store has stopped taking writes.
    fn refuse_if_store_stopped(&self, req: &Request) -> Result<(), NodeError> {
        if matches!(
            req,
            Request::Status | Request::Backup { .. } | Request::Login { .. } | Request::Logout
        ) {
            return Ok(());
        }
        match self.store.read_only() {
            Some(e) => Err(NodeError::Store(e)),
            None => Ok(()),
        }
    }
}

/// Where a call came from, for the failure counters: the OS user.
fn source_of(peer_uid: Option<u32>) -> String {
    peer_uid.map_or("socket".to_string(), |u| format!("uid:{u}"))
}

/// A request's audit name, its target (an id, never personal data), and
/// the act whose role it is done in.
fn describe(req: &Request) -> (&'static str, String, Option<Act>) {
    let none = String::new;
    match req {
        Request::AcceptCase { matter, .. } => (
            "case-accept",
            matter.clone(),
            Some(Act::Record(EventTag::Submitted)),
        ),
        Request::Case { case, action } => {
            ("case", case.clone(), Some(Act::Record(action_tag(action))))
        }
        Request::ShowCase { case } => ("case-show", case.clone(), Some(Act::ReadCases)),
        Request::ListCases { origin, .. } => (
            "case-list",
            origin.clone().unwrap_or_default(),
            Some(Act::ReadCases),
        ),
        Request::PutMatter { matter } => ("matter-put", matter.code.clone(), Some(Act::Catalogue)),
        Request::RetireMatter { code } => ("matter-retire", code.clone(), Some(Act::Catalogue)),
        Request::ListMatters { .. } => ("matter-list", none(), None),
        Request::MatterGuide { code } => ("matter-guide", code.clone(), None),
        Request::AddStaff { id, .. } => ("staff-add", id.clone(), Some(Act::Roster)),
        Request::AssignRole { id, .. } => ("staff-role", id.clone(), Some(Act::Roster)),
        Request::AssignWindow { id, .. } => ("staff-window", id.clone(), Some(Act::Roster)),
        Request::Authorise { staff, .. } => ("authorise", staff.clone(), Some(Act::Authorisations)),
        Request::RevokeAuthorisation { id } => (
            "authorisation-revoke",
            id.clone(),
            Some(Act::Authorisations),
        ),
        Request::ListStaff => ("staff-list", none(), None),
        Request::SetCalendar { .. } => ("calendar-set", none(), Some(Act::Calendar)),
        Request::ShowCalendar { year } => ("calendar-show", year.to_string(), None),
        Request::PutRouting { matter, .. } => ("routing-put", matter.clone(), Some(Act::Routing)),
        Request::ListRouting => ("routing-list", none(), None),
        Request::Supervision { origin } => (
            "supervision-list",
            origin.clone().unwrap_or_default(),
            Some(Act::ReadSupervision),
        ),
        Request::AnnotateSupervision { case, item, .. } => (
            "supervision-note",
            format!("{case} {item}"),
            Some(Act::Supervise),
        ),
        Request::Status => ("status", none(), Some(Act::Status)),
        Request::Login { staff, .. } => ("login", staff.clone(), None),
        Request::Evaluate { case, .. } => ("evaluate", case.clone(), None),
        Request::Logout => ("logout", none(), None),
        Request::Whoami => ("whoami", none(), None),
        Request::Passwd { .. } => ("passwd", none(), None),
        Request::SetPassword { staff, .. } => {
            ("set-password", staff.clone(), Some(Act::Credentials))
        }
        Request::AuditList { .. } => ("audit-list", none(), Some(Act::ReadAudit)),
        Request::Revoke { node, .. } => ("revoke", node.clone(), Some(Act::Pki)),
        Request::Backup { path } => ("backup", path.clone(), Some(Act::Backup)),
    }
}

/// The event a case step records (its first, for `route`).
fn action_tag(action: &CaseAction) -> EventTag {
    match action {
        CaseAction::Accept { .. } => EventTag::Accepted,
        CaseAction::Reject { .. } => EventTag::Rejected,
        CaseAction::RequestCorrection { .. } => EventTag::CorrectionRequested,
        CaseAction::Supply { .. } => EventTag::CorrectionSupplied,
        CaseAction::Route { .. } => EventTag::RoutedToDepartment,
        CaseAction::Opinion { .. } => EventTag::OpinionRecorded,
        CaseAction::RequestSupplement { .. } => EventTag::SupplementRequested,
        CaseAction::SupplySupplement { .. } => EventTag::SupplementSupplied,
        CaseAction::StartSpecial { .. } => EventTag::SpecialProcedureStarted,
        CaseAction::EndSpecial => EventTag::SpecialProcedureEnded,
        CaseAction::Decide { .. } => EventTag::Decided,
        CaseAction::Fee { .. } => EventTag::FeeCharged,
        CaseAction::Conclude => EventTag::Concluded,
        CaseAction::Deliver { .. } => EventTag::Delivered,
        CaseAction::Withdraw { .. } => EventTag::Withdrawn,
        CaseAction::Evaluate { .. } => EventTag::Evaluated,
        CaseAction::Retract { .. } => EventTag::Retracted,
        CaseAction::WaiveFee { .. } => EventTag::FeeWaived,
    }
}
