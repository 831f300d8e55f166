//! Writing: `POST /v1/cases/{id}/opinions` and `POST /v1/cases/{id}/decisions`.
//!
//! A write is read strictly ([`super::actions`]), applies only to a case
//! routed to this bridge's department, and is recorded through
//! [`crate::NodeCore::case_action`], so the domain's checks apply as at any
//! node (the case accepted and open, one opinion and one decision per
//! department, a decision within the staff member's authorisation for this
//! matter at this time, under the authorisation it names, if it names one).
//!
//! With an `Idempotency-Key` header the write is idempotent
//! ([`super::idempotency`]): writes go one at a time through the journal's
//! gate; a key already recorded with the same request returns the recorded
//! response (with `Idempotent-Replayed: true`) and records nothing; with
//! another request it is 409.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use super::actions::{case_action, DecisionBody, OpinionBody, Write};
use super::auth::Authorised;
use super::error::ApiError;
use super::idempotency::{valid_key, Record};
use super::{blocking, BridgeApi};
use liandong_domain::Lang;

/// The header that makes a write idempotent.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// `POST /v1/cases/{id}/opinions`.
pub async fn opinion(
    auth: Authorised,
    state: State<BridgeApi>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let write = parse::<OpinionBody>(body).map(Write::Opinion);
    respond(auth, state, headers, path, write, "opinions").await
}

/// `POST /v1/cases/{id}/decisions`.
pub async fn decision(
    auth: Authorised,
    state: State<BridgeApi>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let write = parse::<DecisionBody>(body).map(Write::Decision);
    respond(auth, state, headers, path, write, "decisions").await
}

async fn respond(
    _: Authorised,
    State(api): State<BridgeApi>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    write: Result<Write, ApiError>,
    what: &'static str,
) -> Response {
    match handle(api, headers, path, write, what).await {
        Ok(response) => response,
        Err(e) => e.into_response(),
    }
}

/// Reads a JSON body strictly: over the limit → 413, anything that is not
/// the body's shape → 400.
fn parse<T: DeserializeOwned>(body: Result<Bytes, BytesRejection>) -> Result<T, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body-too-large",
                format!("the request body is over {} KiB", super::MAX_BODY / 1024),
                format!("请求内容超过 {} KiB", super::MAX_BODY / 1024),
            )
        } else {
            ApiError::bad_request(
                format!("request body: {}", e.body_text()),
                "请求内容无法读取",
            )
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        ApiError::bad_request(
            format!("request body is not the expected JSON: {e}; see /openapi.json"),
            format!("请求内容不是所需的 JSON：{e}；请查看 /openapi.json"),
        )
    })
}

async fn handle(
    api: BridgeApi,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    write: Result<Write, ApiError>,
    what: &'static str,
) -> Result<Response, ApiError> {
    let Path(case) = path.map_err(|e| {
        ApiError::bad_request(format!("case id: {}", e.body_text()), "办件编号无效")
    })?;
    let write = write?;
    write.check_fields()?;
    let key = idempotency_key(&headers)?;
    let fingerprint = fingerprint(what, &case, &write);
    let journal = api.journal.clone();
    let _one_at_a_time = journal.gate.lock().await;
    if let Some(key) = &key {
        if let Some(record) = journal.get(key) {
            if record.fingerprint != fingerprint {
                return Err(ApiError::key_reused(key));
            }
            return Ok(replay(&record));
        }
    }
    let body = blocking(move || {
        let body = perform(&api, &case, &write)?;
        if let Some(key) = key {
            let record = Record {
                key,
                fingerprint,
                status: StatusCode::CREATED.as_u16(),
                body: body.clone(),
                at_ms: api.core.now_ms(),
            };
            api.journal.put(record).map_err(ApiError::internal)?;
        }
        Ok(body)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Records the write and answers with what was recorded and the case.
fn perform(api: &BridgeApi, case: &str, write: &Write) -> Result<serde_json::Value, ApiError> {
    api.own_case(case)?;
    let who = match write {
        Write::Decision(d) => api
            .core
            .sealing_actor(d.staff.trim(), &d.password, "bridge-api")?,
        Write::Opinion(_) => api.core.roster_actor(write.staff())?,
    };
    api.core
        .case_action(&who, Lang::Zh, case, case_action(write, &api.department))?;
    let view = api.view(&api.own_case(case)?)?;
    let op = view.part.as_ref().and_then(|p| match write {
        Write::Opinion(_) => p.opinion.as_ref().map(|o| o.op.clone()),
        Write::Decision(_) => p.decision.as_ref().map(|d| d.op.clone()),
    });
    Ok(serde_json::json!({
        "op": op,
        "department": api.department,
        "recorded": write,
        "case": view,
    }))
}

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    match value.to_str() {
        Ok(key) if valid_key(key) => Ok(Some(key.to_string())),
        _ => Err(ApiError::bad_request(
            "Idempotency-Key: 1 to 255 visible ASCII characters",
            "Idempotency-Key 应为 1 到 255 个可见 ASCII 字符",
        )),
    }
}

/// SHA-256 of the request: what is written, where, and the body as read.
fn fingerprint(what: &str, case: &str, write: &Write) -> String {
    let canonical = serde_json::json!({ "path": what, "case": case, "write": write });
    let digest = Sha256::digest(canonical.to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The recorded response, again.
fn replay(record: &Record) -> Response {
    let status = StatusCode::from_u16(record.status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, Json(record.body.clone())).into_response();
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    response
}
