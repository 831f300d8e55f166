//! The API's errors: every failure is JSON `{"code", "message",
//! "message_zh"}` with the status that fits, never a bare text body.
//!
//! - bad input (malformed JSON, unknown fields, wrong types, a bad query
//!   parameter or cursor) → 400; a body over the limit → 413;
//! - no or a wrong bearer token → 401 (with `WWW-Authenticate: Bearer`);
//! - an unknown path → 404, another method on a known one → 405;
//! - a case this bridge does not hold (or that is not routed to its
//!   department) → 404;
//! - the domain's refusals → 409 when the case already holds what the
//!   request would add (an opinion or decision of this department, a closed
//!   case), else 422, worded as the domain words them
//!   ([`Refusal::message`]) in English and Chinese; the code is the
//!   refusal's name in kebab case (`unauthorised`, `already-decided`);
//! - an `Idempotency-Key` reused with another body → 409;
//! - the store cannot take the write (disk below its reserve, stopped
//!   after a failed sync, damaged) → 503;
//! - anything else is a bug of the node → 500.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::error::{Forbidden, Missing, NodeError};
use liandong_domain::{Lang, Refusal};

/// One failed request, as the department system reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub message_zh: String,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: &'a str,
    message_zh: &'a str,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: String, message_zh: String) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            message,
            message_zh,
        }
    }

    pub fn bad_request(message: impl Into<String>, message_zh: impl Into<String>) -> ApiError {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            message.into(),
            message_zh.into(),
        )
    }

    pub fn unauthorised() -> ApiError {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorised",
            "a valid `Authorization: Bearer <token>` header is required (the token is in the bridge's token file)".into(),
            "需要有效的 `Authorization: Bearer <令牌>` 请求头（令牌在桥接节点的令牌文件中）".into(),
        )
    }

    pub fn case_not_found(id: &str) -> ApiError {
        Self::new(
            StatusCode::NOT_FOUND,
            "case-not-found",
            format!("no case {id} at this bridge (not held, or not routed to its department)"),
            format!("本桥接节点没有办件 {id}（未收到，或未分送本部门）"),
        )
    }

    pub fn not_found(path: &str) -> ApiError {
        Self::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no such path {path}; see /openapi.json"),
            format!("没有此路径 {path}；请查看 /openapi.json"),
        )
    }

    pub fn method_not_allowed(method: &axum::http::Method, path: &str) -> ApiError {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            format!("{method} is not served on {path}; see /openapi.json"),
            format!("路径 {path} 不支持 {method}；请查看 /openapi.json"),
        )
    }

    pub fn key_reused(key: &str) -> ApiError {
        Self::new(
            StatusCode::CONFLICT,
            "idempotency-key-reused",
            format!("Idempotency-Key `{key}` was used before with another request body; use a new key for a new request"),
            format!("Idempotency-Key `{key}` 已用于另一个请求内容；新的请求请使用新的键"),
        )
    }

    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("internal error of the bridge: {detail}"),
            format!("桥接节点内部错误：{detail}"),
        )
    }

    /// The error as the `{"code", "message", "message_zh"}` value (what
    /// the idempotency record keeps and the response carries).
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code,
            "message": self.message,
            "message_zh": self.message_zh,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(Body {
            code: &self.code,
            message: &self.message,
            message_zh: &self.message_zh,
        });
        if self.status == StatusCode::UNAUTHORIZED {
            return (self.status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response();
        }
        (self.status, body).into_response()
    }
}

impl From<NodeError> for ApiError {
    fn from(e: NodeError) -> ApiError {
        match &e {
            NodeError::Refused(r) => refused(r),
            NodeError::NotFound {
                what: Missing::Case { id },
            } => ApiError::case_not_found(id),
            NodeError::NotFound { what } => ApiError::new(
                StatusCode::NOT_FOUND,
                "not-found",
                format!("not found: {what}"),
                format!("未找到：{what}"),
            ),
            NodeError::NotPermitted { what } => forbidden(what.clone()),
            NodeError::BadInput { input } => {
                ApiError::bad_request(format!("bad input: {input}"), format!("输入有误：{input}"))
            }
            NodeError::Store(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store-unavailable",
                format!("the bridge's store cannot take this now: {e}"),
                format!("桥接节点的本地存储暂时无法处理：{e}"),
            ),
            NodeError::Io { .. } | NodeError::Internal { .. } => ApiError::internal(&e),
        }
    }
}

/// A domain refusal: 409 when the case already holds what the request
/// adds, else 422; worded by the domain in both languages.
pub fn refused(r: &Refusal) -> ApiError {
    let conflict = matches!(
        r,
        Refusal::AlreadyGaveOpinion { .. }
            | Refusal::AlreadyDecided { .. }
            | Refusal::CaseClosed { .. }
            | Refusal::AlreadyConcluded
            | Refusal::AlreadyWithdrawn
            | Refusal::AlreadyDelivered
            | Refusal::AlreadyRejected
    );
    let status = if conflict {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    ApiError::new(
        status,
        &refusal_code(r),
        r.message(Lang::En),
        r.message(Lang::Zh),
    )
}

/// The refusal's variant name in kebab case (`AlreadyDecided` →
/// `already-decided`).
fn refusal_code(r: &Refusal) -> String {
    let name = match serde_json::to_value(r) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(map)) => map.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    };
    let mut code = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                code.push('-');
            }
            code.push(c.to_ascii_lowercase());
        } else {
            code.push(c);
        }
    }
    if code.is_empty() {
        "refused".into()
    } else {
        code
    }
}

fn forbidden(what: Forbidden) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "not-permitted",
        format!("not permitted at a bridge: {what}"),
        format!("桥接节点不允许此操作：{what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use liandong_domain::AuthError;

    #[test]
    fn refusals_keep_the_domains_wording_and_pick_409_or_422() {
        let twice = ApiError::from(NodeError::Refused(Refusal::AlreadyGaveOpinion {
            department: "D03".into(),
        }));
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert_eq!(twice.code, "already-gave-opinion");
        let expired = Refusal::Unauthorised(AuthError::Expired {
            id: "A-1".into(),
            to: chrono::NaiveDate::from_ymd_opt(2020, 12, 31).unwrap(),
        });
        let e = ApiError::from(NodeError::Refused(expired.clone()));
        assert_eq!(e.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(e.code, "unauthorised");
        assert_eq!(e.message, expired.message(Lang::En));
        assert_eq!(e.message_zh, expired.message(Lang::Zh));
    }

    #[test]
    fn a_missing_case_is_404_and_a_store_problem_503() {
        let e = ApiError::from(NodeError::not_found(Missing::Case { id: "C9".into() }));
        assert_eq!(
            (e.status, e.code.as_str()),
            (StatusCode::NOT_FOUND, "case-not-found")
        );
        assert!(e.message.contains("C9") && e.message_zh.contains("C9"));
        let full = ApiError::from(NodeError::Store(liandong_store::StoreError::DiskFull {
            path: "/srv".into(),
            free_mib: 1,
            reserve_mib: 64,
        }));
        assert_eq!(full.status, StatusCode::SERVICE_UNAVAILABLE);
    }
}
