//! The API's OpenAPI 3.1 document, served at `/openapi.json` without a
//! token. Built here in code from the same [`Endpoint`] list the router is
//! built from: [`document`] has one operation per endpoint, and a test
//! checks both ways, so a path cannot be served undocumented or documented
//! unserved.

use axum::Json;
use serde_json::{json, Value};

use super::cases::{DEFAULT_LIMIT, MAX_LIMIT};
use super::Endpoint;

/// `GET /openapi.json`.
pub async fn serve() -> Json<Value> {
    Json(document())
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = serde_json::Map::new();
    for endpoint in Endpoint::ALL {
        let entry = paths
            .entry(endpoint.path().to_string())
            .or_insert_with(|| json!({}));
        if let Some(obj) = entry.as_object_mut() {
            obj.insert(endpoint.method().to_string(), operation(endpoint));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Liandong department bridge API (部门前置机接口)",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The cases routed to this bridge's department, and the department's opinions and decisions on its part. Plain HTTP, served on loopback by default. Every path but /openapi.json needs `Authorization: Bearer <token>` (the token file is printed when the bridge first starts). Writes are idempotent with an `Idempotency-Key` header. With --webhook URL (http:// only) the bridge POSTs each new case and event, signed with `X-Liandong-Signature: sha256=<hex HMAC-SHA256 of the body keyed with the token>`, retried until the URL answers 2xx; see the Delivery schema."
        },
        "paths": paths,
        "components": components(),
    })
}

fn operation(endpoint: Endpoint) -> Value {
    let mut op = match endpoint {
        Endpoint::OpenApi => json!({
            "summary": "This document (no token needed).",
            "responses": { "200": { "description": "The OpenAPI document.", "content": { "application/json": {} } } }
        }),
        Endpoint::ListCases => json!({
            "summary": "The cases routed to this department, ordered by the feed position of their latest change (a changes feed: poll with after=<next>).",
            "parameters": [
                { "name": "status", "in": "query", "required": false, "description": "open: leave out concluded, delivered, withdrawn and rejected cases (the cursor still moves past them); all (default): every case.", "schema": { "type": "string", "enum": ["open", "all"], "default": "all" } },
                { "name": "limit", "in": "query", "required": false, "description": "Cases per page.", "schema": { "type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT } },
                { "name": "after", "in": "query", "required": false, "description": "A page's `next`: only cases changed since.", "schema": { "type": "string", "pattern": "^[0-9a-f]{16}$" } }
            ],
            "responses": {
                "200": { "description": "One page.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CasePage" } } } },
                "400": error_ref("A bad status, limit or cursor, or an unknown parameter."),
                "401": error_ref("No or a wrong token."),
                "503": error_ref("The store cannot be read.")
            }
        }),
        Endpoint::GetCase => json!({
            "summary": "One case as this department sees it.",
            "parameters": [case_id()],
            "responses": {
                "200": { "description": "The case.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Case" } } } },
                "401": error_ref("No or a wrong token."),
                "404": error_ref("No such case here, or not routed to this department."),
                "503": error_ref("The store cannot be read.")
            }
        }),
        Endpoint::PostOpinion => write_operation(
            "Records this department's opinion (审查意见: 通过/退回/其他, GB/T 39046 table 7) on its part.",
            "OpinionRequest",
        ),
        Endpoint::PostDecision => write_operation(
            "Records this department's decision (准予/不予) on its part, checked against the staff member's authorisation (授权书) for the case's matter at this time.",
            "DecisionRequest",
        ),
        Endpoint::Status => json!({
            "summary": "The bridge's status: the node (links, store) and the webhook (pending, last error).",
            "responses": {
                "200": { "description": "Status.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Status" } } } },
                "401": error_ref("No or a wrong token."),
                "503": error_ref("The store cannot be read.")
            }
        }),
        Endpoint::Metrics => json!({
            "summary": "Prometheus text: the node's figures and liandong_webhook_pending, liandong_webhook_delivered_seq, liandong_webhook_failing, liandong_webhook_attempts_failed.",
            "responses": {
                "200": { "description": "Prometheus text format 0.0.4.", "content": { "text/plain": {} } },
                "401": error_ref("No or a wrong token."),
                "503": error_ref("The store cannot be read.")
            }
        }),
    };
    if endpoint.needs_token() {
        if let Some(obj) = op.as_object_mut() {
            obj.insert("security".into(), json!([{ "bearer": [] }]));
        }
    }
    op
}

fn write_operation(summary: &str, request: &str) -> Value {
    json!({
        "summary": summary,
        "parameters": [
            case_id(),
            { "name": "Idempotency-Key", "in": "header", "required": false, "description": "1-255 visible ASCII characters. A retry with the same key and body returns the first response (with `Idempotent-Replayed: true`) and records nothing new, also across a bridge restart; the same key with another body is 409. Only successful writes are recorded.", "schema": { "type": "string", "minLength": 1, "maxLength": 255 } }
        ],
        "requestBody": {
            "required": true,
            "description": "JSON, at most 64 KiB; unknown fields are refused.",
            "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{request}") } } }
        },
        "responses": {
            "201": { "description": "Recorded.", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/WriteResult" } } } },
            "400": error_ref("Malformed JSON, unknown fields, wrong types, a blank staff, a bad Idempotency-Key."),
            "401": error_ref("No or a wrong token."),
            "404": error_ref("No such case here, or not routed to this department."),
            "409": error_ref("The part already has this department's opinion or decision, the case is closed, or the Idempotency-Key was used with another body."),
            "413": error_ref("The body is over 64 KiB."),
            "422": error_ref("Refused by a domain rule (the refusal's wording, English and Chinese): not accepted yet, text required, not authorised (another department's, expired, revoked, without the decision power), …"),
            "503": error_ref("The store cannot take writes now (disk below its reserve, stopped after a failed sync).")
        }
    })
}

fn case_id() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "description": "The case number (办件编号), e.g. 000000-T01-20261126-000001.", "schema": { "type": "string" } })
}

fn error_ref(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn components() -> Value {
    let date = json!({ "type": ["string", "null"], "format": "date" });
    json!({
        "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["code", "message", "message_zh"],
                "properties": {
                    "code": { "type": "string", "description": "Stable, kebab case: bad-request, unauthorised, case-not-found, not-found, body-too-large, idempotency-key-reused, store-unavailable, internal, or the domain refusal's name (already-gave-opinion, already-decided, unauthorised, not-accepted, required, …)." },
                    "message": { "type": "string" },
                    "message_zh": { "type": "string" }
                }
            },
            "OpinionRequest": {
                "type": "object", "additionalProperties": false, "required": ["staff", "result"],
                "properties": {
                    "staff": { "type": "string", "description": "The staff member, e.g. S31." },
                    "result": { "type": "string", "enum": ["pass", "return", "other"], "description": "通过 / 退回 / 其他." },
                    "text": { "type": "string", "description": "Required unless the result is pass." }
                }
            },
            "DecisionRequest": {
                "type": "object", "additionalProperties": false, "required": ["staff", "approve", "password"],
                "properties": {
                    "staff": { "type": "string", "description": "The chief representative, e.g. S31." },
                    "password": { "type": "string", "writeOnly": true, "description": "The chief representative's password: unlocks his electronic seal for this decision (checked and counted like a sign-in; never stored or echoed). His credential must name this bridge (`staff add --centre bridge/D03`)." },
                    "approve": { "type": "boolean", "description": "准予 (true) or 不予 (false)." },
                    "reason": { "type": "string", "description": "Required for a denial." },
                    "authorisation": { "type": "string", "description": "The authorisation (授权书) decided under; checked for this staff member, this matter and today." }
                }
            },
            "WriteResult": {
                "type": "object", "required": ["department", "recorded", "case"],
                "properties": {
                    "op": { "type": ["string", "null"], "description": "The recorded event's operation id." },
                    "department": { "type": "string" },
                    "recorded": { "type": "object", "description": "The request as recorded, with `write`: opinion or decision." },
                    "case": { "$ref": "#/components/schemas/Case" }
                }
            },
            "CasePage": {
                "type": "object", "required": ["cases", "next", "more"],
                "properties": {
                    "cases": { "type": "array", "items": { "$ref": "#/components/schemas/Case" } },
                    "next": { "type": "string", "description": "Opaque cursor: pass as `after`." },
                    "more": { "type": "boolean", "description": "More changed cases wait past `next`." }
                }
            },
            "Case": {
                "type": "object",
                "required": ["id", "origin", "matter", "status", "events", "other_parts"],
                "properties": {
                    "id": { "type": "string" },
                    "origin": { "type": "string", "description": "The accepting centre's node, e.g. township/T01." },
                    "matter": { "type": "object", "properties": { "code": { "type": ["string", "null"] }, "name": { "type": ["string", "null"] } } },
                    "status": { "type": "string" },
                    "status_zh": { "type": "string" },
                    "accepted_on": date, "due": date, "statutory_due": date,
                    "part": { "$ref": "#/components/schemas/Part" },
                    "applicant": { "type": ["object", "null"], "properties": { "name": { "type": "string" }, "id_number": { "type": "string" }, "phone": { "type": "string" }, "address": { "type": "string" } } },
                    "materials": { "type": "array", "items": { "type": "object", "properties": { "name": { "type": "string" }, "attachment": { "type": ["string", "null"] } } } },
                    "events": { "type": "array", "items": { "$ref": "#/components/schemas/Event" } },
                    "other_parts": { "type": "array", "description": "Other departments' parts: status only, never their opinion text or decision reason.", "items": { "type": "object", "properties": { "department": { "type": "string" }, "status": { "type": "string", "enum": ["routed", "opined", "decided"] } } } }
                }
            },
            "Part": {
                "type": ["object", "null"],
                "properties": {
                    "department": { "type": "string" },
                    "name": { "type": "string" },
                    "stage_limit_days": { "type": ["integer", "null"] },
                    "routed_at": { "type": "string", "format": "date-time" },
                    "due": date,
                    "status": { "type": "string", "enum": ["routed", "opined", "decided"] },
                    "opinion": { "type": ["object", "null"], "properties": { "op": { "type": "string" }, "result": { "type": "string", "enum": ["pass", "return"] }, "text": { "type": "string" }, "at": { "type": "string", "format": "date-time" } } },
                    "decision": { "type": ["object", "null"], "properties": { "op": { "type": "string" }, "approve": { "type": "boolean" }, "staff": { "type": "string" }, "authorisation": { "type": "string" }, "reason": { "type": "string" }, "at": { "type": "string", "format": "date-time" }, "seal_code": { "type": "string", "description": "The electronic seal's short verification code (XXXX-XXXX)." } } }
                }
            },
            "Event": {
                "type": "object", "required": ["op", "kind", "at", "at_ms", "node", "superseded"],
                "properties": {
                    "op": { "type": "string" }, "kind": { "type": "string" }, "kind_zh": { "type": "string" },
                    "at": { "type": "string", "format": "date-time" }, "at_ms": { "type": "integer" },
                    "node": { "type": "string", "description": "The node that recorded it." },
                    "department": { "type": "string" },
                    "staff": { "type": "string", "description": "On this department's own decisions." },
                    "recorder": { "type": "object", "description": "Who recorded it in a signed-in session.", "properties": { "staff": { "type": "string" }, "role": { "type": "string" }, "role_label": { "type": "string" }, "node": { "type": "string" } } },
                    "superseded": { "type": "boolean" }
                }
            },
            "Status": {
                "type": "object",
                "properties": {
                    "department": { "type": "string" },
                    "node": { "type": "object", "description": "The node's status (links, store), as every node reports it." },
                    "webhook": { "type": ["object", "null"], "properties": { "url": { "type": "string" }, "pending": { "type": "integer" }, "delivered_to": { "type": "integer" }, "delivered": { "type": "integer" }, "failed_attempts": { "type": "integer" }, "last_error": { "type": ["string", "null"] }, "last_error_at_ms": { "type": ["integer", "null"] }, "last_delivered_at_ms": { "type": ["integer", "null"] } } }
                }
            },
            "Delivery": {
                "type": "object",
                "description": "What the webhook POSTs (not a path of this API): one per case operation, in feed order, retried with backoff until 2xx. Headers: X-Liandong-Signature, X-Liandong-Delivery (= delivery), X-Liandong-Event (= type).",
                "required": ["delivery", "seq", "type", "department", "case_id", "event"],
                "properties": {
                    "delivery": { "type": "string" }, "seq": { "type": "integer" },
                    "type": { "type": "string", "enum": ["case", "event"] },
                    "department": { "type": "string" }, "case_id": { "type": "string" },
                    "event": { "$ref": "#/components/schemas/Event" },
                    "case": { "description": "With type case: the whole case.", "oneOf": [{ "$ref": "#/components/schemas/Case" }, { "type": "null" }] }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn the_document_describes_exactly_the_routes_the_router_serves() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        let served: BTreeSet<(String, String)> = Endpoint::ALL
            .iter()
            .map(|e| (e.method().to_string(), e.path().to_string()))
            .collect();
        assert_eq!(documented, served);
        for e in Endpoint::ALL {
            let op = &doc["paths"][e.path()][e.method()];
            assert_eq!(op["security"].is_array(), e.needs_token(), "{e:?}");
            if e.needs_token() {
                assert!(op["responses"]["401"].is_object(), "{e:?} documents no 401");
            }
        }
    }
}
