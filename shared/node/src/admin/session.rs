//! Who is asking on the admin port. Pages and JSON with personal data
//! (the case lists, the supervision lists) need a signed-in staff member
//! of a role that may read them; health, metrics and status carry none and
//! stay open on loopback.
//!
//! - `POST /api/login` with `{"staff": .., "password": ..}` signs in with
//!   the same credential, lockout and audit as `login` on the command line
//!   and answers the token; it also sets it as the cookie
//!   `liandong_session` (HttpOnly, SameSite=Strict, Path=/). `POST
//!   /api/logout` ends the session.
//! - Every other call names the session by `Authorization: Bearer <token>`
//!   or by that cookie. None, or an ended one: 401. A role that may not
//!   read the data (the network admin, hall management): 403.
//! - CSRF: the only writes here are sign-in and sign-out; both take JSON
//!   only (a cross-site form cannot send it without a CORS preflight, which
//!   this port never answers) and the cookie is SameSite=Strict. The
//!   cookie is not `Secure` because the port is plain HTTP on loopback or
//!   the admin network; behind TLS, terminate it at a proxy that adds it.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::county::Admin;
use crate::error::Forbidden;
use crate::identity::Actor;
use crate::{NodeCore, NodeError};

/// The session cookie's name.
pub const COOKIE: &str = "liandong_session";

/// The session token of a request, from its bearer header or its cookie.
pub(crate) fn token_of(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        if let Some(t) = v.strip_prefix("Bearer ") {
            return Some(t.trim().to_string());
        }
    }
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    cookies.split(';').find_map(|c| {
        let (name, value) = c.trim().split_once('=')?;
        (name == COOKIE).then(|| value.to_string())
    })
}

/// The error as the admin port answers it: 401 without a session, 403 for
/// a role that may not, 503 for the rest (the store could not answer).
pub(crate) fn refusal(e: NodeError) -> Response {
    let status = match &e {
        NodeError::NotPermitted {
            what:
                Forbidden::NotSignedIn { .. } | Forbidden::WrongCredentials | Forbidden::Locked { .. },
        } => StatusCode::UNAUTHORIZED,
        NodeError::NotPermitted { .. } => StatusCode::FORBIDDEN,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    let body = serde_json::json!({
        "error": e.to_string(),
        "sign_in": "POST /api/login {\"staff\": \"..\", \"password\": \"..\"}, then Authorization: Bearer <token>",
    });
    (status, Json(body)).into_response()
}

/// The signed-in actor of a request, or the 401 to answer.
pub(crate) fn actor_of(core: &NodeCore, headers: &HeaderMap) -> Result<Actor, NodeError> {
    let Some(token) = token_of(headers) else {
        return Err(NodeError::not_permitted(Forbidden::NotSignedIn {
            node: core.me().to_string(),
        }));
    };
    core.actor(&token, None)
}

#[derive(Deserialize)]
pub(crate) struct LoginBody {
    staff: String,
    password: String,
}

/// `POST /api/login`.
pub(super) async fn login(State(admin): State<Admin>, Json(body): Json<LoginBody>) -> Response {
    let core = admin.core.clone();
    let res =
        tokio::task::spawn_blocking(move || core.login(&body.staff, &body.password, "http", None))
            .await;
    match res {
        Ok(Ok(reply)) => {
            let cookie = format!(
                "{COOKIE}={}; HttpOnly; SameSite=Strict; Path=/",
                reply.token
            );
            let mut response = Json(&reply).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(header::SET_COOKIE, v);
            }
            response
        }
        Ok(Err(e)) => refusal(e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `POST /api/logout`.
pub(super) async fn logout(State(admin): State<Admin>, headers: HeaderMap) -> Response {
    let core = admin.core.clone();
    let token = token_of(&headers).unwrap_or_default();
    let _ =
        tokio::task::spawn_blocking(move || core.logout(liandong_domain::Lang::Zh, &token)).await;
    let clear = format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = HeaderValue::from_str(&clear) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}
