//! The web console every node serves on its admin HTTP port, for the
//! people in the hall: window clerks, fee clerks, department reviewers
//! and chief representatives, e-supervision, hall management, and the
//! applicant's evaluation kiosk. The network admin's health page moves to
//! `/admin`.
//!
//! - Pages are rendered on the server ([`maud`]) and compiled into the
//!   binary with their stylesheet and one small script: nothing is fetched
//!   from outside the node, so a township's console works with no network
//!   at all. Every form works without JavaScript; the script only checks
//!   an ID number before submit and focuses the first field in error.
//! - Every write goes through the same path as the command line: the
//!   console builds the control [`Request`](crate::control::Request) and
//!   hands it to the node's dispatcher with the page's session, so the
//!   same permission table, domain checks, recorder, seal and audit line
//!   apply, and a refusal is worded by [`crate::error::words`] in the
//!   page's language, next to the field it is about ([`visit::field_of`]).
//! - Sessions are the staff-identity ones (the `liandong_session` cookie,
//!   HttpOnly, SameSite=Strict, `Secure` when a TLS proxy says the request
//!   came over HTTPS; 8 hours idle). Every form that writes carries a CSRF
//!   token bound to the session ([`visit::csrf_token`]); the sign-in form
//!   carries one bound to a pre-session cookie.
//! - Lists are paginated on the server ([`visit::Page`]).
//!
//! Modules: [`visit`] (who is asking, language, CSRF, calling the node),
//! [`layout`] (the page shell and navigation), [`signin`] (`/`, sign-in,
//! sign-out, language), and one module per role's pages.

pub mod account;
pub mod case;
pub mod clerk;
pub mod evaluate;
pub mod layout;
pub mod manage;
pub mod print;
pub mod signin;
pub mod supervision;
pub mod visit;

use axum::routing::{get, post};
use axum::Router;

use crate::NodeCore;

/// The console's state: the node it fronts.
#[derive(Clone)]
pub struct Console {
    pub core: NodeCore,
}

/// The console's routes, to merge into a node's admin router.
pub fn router(core: NodeCore) -> Router {
    Router::new()
        .route("/", get(signin::page))
        .route("/login", post(signin::login))
        .route("/logout", post(signin::logout))
        .route("/lang/{lang}", get(signin::set_lang))
        .route("/home", get(signin::home))
        .route("/static/console.css", get(layout::stylesheet))
        .route("/static/console.js", get(layout::script))
        .route("/account", get(account::page))
        .route("/account/password", post(account::password))
        .route("/today", get(clerk::today))
        .route("/queue", get(clerk::queue))
        .route("/matters", get(clerk::intake::pick))
        .route("/cases", get(clerk::list).post(clerk::intake::submit))
        .route("/cases/new", get(clerk::intake::new_case))
        .route("/cases/{id}", get(case::page))
        .route("/cases/{id}/step", post(case::steps::post))
        .route("/print/acceptance/{case}", get(print::notices::acceptance))
        .route("/print/correction/{case}", get(print::notices::correction))
        .route("/print/rejection/{case}", get(print::decisions::rejection))
        .route("/print/decision/{case}", get(print::decisions::decision))
        .route("/print/guide/{matter}", get(print::matter::guide))
        .route("/print/promise/{matter}", get(print::matter::promise))
        .route("/evaluate", get(evaluate::page).post(evaluate::submit))
        .route("/evaluate/thanks", get(evaluate::thanks))
        .route("/supervision", get(supervision::list::page))
        .route("/supervision.csv", get(supervision::list::export))
        .route("/supervision/dashboard", get(supervision::dashboard::page))
        .route(
            "/supervision/item/{case}/{item}",
            get(supervision::item::page).post(supervision::item::annotate),
        )
        .route("/manage/matters", get(manage::matters::list))
        .route(
            "/manage/matters/{code}",
            get(manage::matters::page).post(manage::matters::save),
        )
        .route("/manage/staff", get(manage::staff::page))
        .route("/manage/staff/add", post(manage::staff::add))
        .route("/manage/staff/role", post(manage::staff::role))
        .route("/manage/staff/password", post(manage::staff::password))
        .route("/manage/authorisations", get(manage::authorisations::page))
        .route(
            "/manage/authorisations/grant",
            post(manage::authorisations::grant),
        )
        .route(
            "/manage/authorisations/revoke",
            post(manage::authorisations::revoke),
        )
        .route(
            "/manage/calendar",
            get(manage::calendar::page).post(manage::calendar::set),
        )
        .route(
            "/manage/routing",
            get(manage::routing::page).post(manage::routing::put),
        )
        .with_state(Console { core })
}
