//! Who is asking, in which language, and how a page calls the node.
//!
//! - [`Visit`] is taken from every request: the session cookie (or a
//!   bearer header, as on the rest of the admin port), the language cookie
//!   `liandong_lang` (Chinese unless `en` was chosen), and whether a
//!   TLS-terminating proxy said the request came over HTTPS.
//! - [`Console::signed_in`] resolves the session to its [`Actor`] (on the
//!   blocking pool; the session store is a file) or answers the redirect
//!   to the sign-in page.
//! - [`Console::call`] runs one control request as that session, through
//!   the node's dispatcher: the same checks and audit line as the command
//!   line.
//! - CSRF: a form that writes carries `csrf`, the keyed digest of the
//!   session token ([`csrf_token`]); a post without it, or with another
//!   session's, is refused with 403 before anything is read from it.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use liandong_domain::Lang;

use super::Console;
use crate::control::{Call, Reply, Request};
use crate::error::words::error_text;
use crate::error::{ErrorReply, Forbidden, Malformed, Missing};
use crate::identity::Actor;
use crate::NodeError;

/// The language cookie's name.
pub const LANG_COOKIE: &str = "liandong_lang";
/// The pre-session cookie the sign-in form's CSRF token is bound to.
pub const PRE_COOKIE: &str = "liandong_pre";

/// One request as the console sees it.
#[derive(Debug, Clone)]
pub struct Visit {
    pub lang: Lang,
    pub token: Option<String>,
    pub pre: Option<String>,
    /// A TLS proxy in front said `X-Forwarded-Proto: https`.
    pub https: bool,
    /// The path and query asked for (where to return after sign-in).
    pub path: String,
}

impl Visit {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(zh, en)
    }

    /// The CSRF token of this visit's session (empty without one).
    pub fn csrf(&self) -> String {
        self.token.as_deref().map(csrf_token).unwrap_or_default()
    }

    /// The browser's pre-session value, or a new random one (the page
    /// that uses it sets the cookie).
    pub fn pre_session(&self) -> String {
        self.pre.clone().unwrap_or_else(|| {
            liandong_identity::token::SessionToken::new_random()
                .as_str()
                .to_string()
        })
    }

    /// The cookie attributes every console cookie carries.
    pub fn cookie_attrs(&self) -> &'static str {
        if self.https {
            "HttpOnly; SameSite=Strict; Path=/; Secure"
        } else {
            "HttpOnly; SameSite=Strict; Path=/"
        }
    }
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| {
        let (n, v) = c.trim().split_once('=')?;
        (n == name && !v.is_empty()).then(|| v.to_string())
    })
}

impl<S: Send + Sync> FromRequestParts<S> for Visit {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let headers = &parts.headers;
        let lang = cookie(headers, LANG_COOKIE)
            .and_then(|l| l.parse().ok())
            .unwrap_or_default();
        let https = headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"));
        Ok(Visit {
            lang,
            token: crate::admin::session::token_of(headers),
            pre: cookie(headers, PRE_COOKIE),
            https,
            path: parts
                .uri
                .path_and_query()
                .map_or("/".to_string(), |p| p.as_str().to_string()),
        })
    }
}

/// Adds a `Set-Cookie` header (a cookie this module built, never one
/// from outside; one that is not a valid header value is left out).
pub fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(v) = axum::http::HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// The CSRF token bound to a session token (or a pre-session cookie).
pub fn csrf_token(token: &str) -> String {
    let mut h = blake3::Hasher::new_derive_key("liandong console csrf v1");
    h.update(token.as_bytes());
    h.finalize().to_hex()[..32].to_string()
}

/// Whether a posted CSRF token belongs to `bound` (in constant time).
pub fn csrf_ok(bound: Option<&str>, posted: &str) -> bool {
    let Some(bound) = bound else { return false };
    let want = csrf_token(bound);
    want.len() == posted.len()
        && want
            .bytes()
            .zip(posted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The 403 answered to a form posted without its session's CSRF token.
pub fn csrf_refused(visit: &Visit) -> Response {
    (
        StatusCode::FORBIDDEN,
        visit
            .t(
                "表单已过期或不是从本系统提交的（CSRF 校验失败）：请返回、刷新页面后重新提交。",
                "The form has expired or was not sent from this console (CSRF check failed): go back, reload the page and submit again.",
            )
            .to_string(),
    )
        .into_response()
}

/// Why a page could not be shown to this visit.
pub enum Denied {
    /// No session, or an ended one: to the sign-in page.
    SignIn(String),
    /// A role that may not: 403 with the reason.
    Forbidden(String),
    /// The node could not answer.
    Failed(String),
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::SignIn(next) => {
                let next: String = url_escape(&next);
                Redirect::to(&format!("/?next={next}")).into_response()
            }
            Denied::Forbidden(why) => (StatusCode::FORBIDDEN, why).into_response(),
            Denied::Failed(why) => (StatusCode::SERVICE_UNAVAILABLE, why).into_response(),
        }
    }
}

/// Percent-encodes everything but unreserved characters and `/`.
pub fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Console {
    /// The signed-in actor of this visit, or where to send it.
    pub async fn signed_in(&self, visit: &Visit) -> Result<Actor, Denied> {
        let Some(token) = visit.token.clone() else {
            return Err(Denied::SignIn(visit.path.clone()));
        };
        let core = self.core.clone();
        match tokio::task::spawn_blocking(move || core.actor(&token, None)).await {
            Ok(Ok(actor)) => Ok(actor),
            Ok(Err(NodeError::NotPermitted { .. })) => Err(Denied::SignIn(visit.path.clone())),
            Ok(Err(e)) => Err(Denied::Failed(e.to_string())),
            Err(e) => Err(Denied::Failed(e.to_string())),
        }
    }

    /// The signed-in actor, refused with 403 unless one of his roles may
    /// `act`.
    pub async fn may(
        &self,
        visit: &Visit,
        act: liandong_domain::permission::Act,
    ) -> Result<Actor, Denied> {
        let who = self.signed_in(visit).await?;
        match who.may(act) {
            Ok(_) => Ok(who),
            Err(e) => Err(Denied::Forbidden(error_text(&e.to_reply(), visit.lang))),
        }
    }

    /// One control request as this visit's session, through the node's
    /// dispatcher (checks, recorder, seal, audit line as on the command
    /// line).
    pub async fn call(&self, visit: &Visit, request: Request) -> Result<Reply, ErrorReply> {
        let call = Call {
            lang: visit.lang,
            session: visit.token.clone(),
            peer_uid: None,
            request,
        };
        let core = self.core.clone();
        match tokio::task::spawn_blocking(move || core.dispatch(call)).await {
            Ok(Reply::Error { error }) => Err(error),
            Ok(reply) => Ok(reply),
            Err(e) => Err(ErrorReply::internal(e.to_string())),
        }
    }

    /// The department of a staff member as the roster here holds it ("" if
    /// he is not on it): a reviewer's queue, a chief's forms.
    pub async fn department_of(&self, who: &Actor) -> String {
        let staff = who.staff.clone();
        self.blocking(move |core| {
            Ok(core
                .list_staff()?
                .into_iter()
                .find(|s| s.id == staff)
                .map(|s| s.department))
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
    }

    /// Runs `f` on the blocking pool (reads of the store).
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::NodeCore) -> Result<T, NodeError> + Send + 'static,
    ) -> Result<T, ErrorReply> {
        let core = self.core.clone();
        match tokio::task::spawn_blocking(move || f(&core)).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(e.to_reply()),
            Err(e) => Err(ErrorReply::internal(e.to_string())),
        }
    }
}

/// A refusal shown on a page: its text in the page's language and the
/// form field it is about (none: shown above the form).
#[derive(Debug, Clone)]
pub struct Problem {
    pub field: Option<&'static str>,
    pub text: String,
}

impl Problem {
    pub fn of(error: &ErrorReply, lang: Lang) -> Problem {
        Problem {
            field: field_of(error),
            text: error_text(error, lang),
        }
    }

    pub fn at(field: &'static str, text: impl Into<String>) -> Problem {
        Problem {
            field: Some(field),
            text: text.into(),
        }
    }
}

/// The form field an error is about, where one is.
pub fn field_of(error: &ErrorReply) -> Option<&'static str> {
    use liandong_domain::Refusal;
    match error {
        ErrorReply::Refused { refusal } => match refusal {
            Refusal::MaterialsMissing { .. } => Some("materials"),
            Refusal::UnknownMatter { .. } | Refusal::MatterRetired { .. } => Some("matter"),
            Refusal::Unauthorised(_) => Some("authorisation"),
            Refusal::DocumentNumber { .. } => Some("id_number"),
            Refusal::LegalRepresentativeForPerson { .. } => Some("legal_representative"),
            _ => None,
        },
        ErrorReply::NotFound { what } => match what {
            Missing::Matter { .. } => Some("matter"),
            Missing::Staff { .. } => Some("staff"),
            _ => None,
        },
        ErrorReply::BadInput {
            input: Malformed::NoteMissing,
        } => Some("note"),
        ErrorReply::NotPermitted {
            what: Forbidden::WrongCredentials | Forbidden::Locked { .. },
        } => Some("password"),
        _ => None,
    }
}

/// A posted form as its pairs, in order (a checklist posts one name many
/// times, which a struct cannot take).
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn parse(body: &[u8]) -> Fields {
        Fields(serde_urlencoded::from_bytes(body).unwrap_or_default())
    }

    /// The first value of `name`, trimmed ("" when absent).
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.trim())
    }

    /// Every non-empty value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// The lines of a textarea `name`, trimmed, empty ones dropped.
    pub fn lines(&self, name: &str) -> Vec<String> {
        self.get(name)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Whether the form carries this visit's session CSRF token.
    pub fn csrf_ok(&self, visit: &Visit) -> bool {
        csrf_ok(visit.token.as_deref(), self.get("csrf"))
    }
}

/// One page of a list: `?page=N` (from 1), [`Page::SIZE`] lines each.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub number: usize,
}

impl Page {
    pub const SIZE: usize = 50;

    pub fn of(param: Option<&str>) -> Page {
        Page {
            number: param.and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
        }
    }

    /// This page's slice of `items`, and the number of pages.
    pub fn slice<'a, T>(&self, items: &'a [T]) -> (&'a [T], usize) {
        let pages = items.len().div_ceil(Page::SIZE).max(1);
        let start = (self.number - 1) * Page::SIZE;
        let end = (start + Page::SIZE).min(items.len());
        (items.get(start..end).unwrap_or(&[]), pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csrf_token_is_accepted_only_for_the_session_it_was_made_for() {
        let token = csrf_token("session-a");
        assert!(csrf_ok(Some("session-a"), &token));
        assert!(!csrf_ok(Some("session-b"), &token));
        assert!(!csrf_ok(None, &token));
        assert!(!csrf_ok(Some("session-a"), ""));
    }

    #[test]
    fn a_page_beyond_the_last_is_empty_and_the_count_is_never_zero() {
        let items: Vec<u32> = (0..120).collect();
        let (first, pages) = Page::of(Some("1")).slice(&items);
        assert_eq!((first.len(), pages), (50, 3));
        let (last, _) = Page::of(Some("3")).slice(&items);
        assert_eq!(last, &items[100..]);
        assert!(Page::of(Some("9")).slice(&items).0.is_empty());
        assert_eq!(Page::of(Some("x")).number, 1);
        assert_eq!(Page::of(None).slice::<u32>(&[]).1, 1);
    }
}
