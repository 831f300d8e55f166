//! Reading cases: `GET /v1/cases` and `GET /v1/cases/{id}`.
//!
//! The list is a changes feed in the manner of CouchDB's `_changes`: the
//! cases this bridge holds for its department, ordered by the store feed
//! position of their latest change, each case once. Every page carries an
//! opaque `next` cursor; asking again with `after=<next>` returns only the
//! cases that changed since (a case that changes again comes again, at its
//! new position). With `status=open` (the default is `all`) closed cases
//! are left out of the page, but the cursor still moves past them, so a
//! poller that must see closures polls with `status=all`.
//!
//! The cursor is the feed position as 16 hex digits; it is opaque to the
//! caller, and only what this node handed out is accepted back.

use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::auth::Authorised;
use super::error::ApiError;
use super::view::{routed_to, CaseView};
use super::{blocking, BridgeApi};
use liandong_domain::Status;
use liandong_store::StoredCase;

/// Default and largest page size.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 500;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    status: Option<String>,
    limit: Option<String>,
    after: Option<String>,
}

/// One page of the list.
#[derive(Debug, Serialize)]
pub struct CasePage {
    pub cases: Vec<CaseView>,
    /// Pass as `after` to get what changed since this page.
    pub next: String,
    /// More changed cases lie past `next` already.
    pub more: bool,
}

/// The cursor for feed position `seq`.
pub fn cursor(seq: u64) -> String {
    format!("{seq:016x}")
}

/// The feed position of a cursor this node handed out.
pub fn parse_cursor(text: &str) -> Option<u64> {
    (text.len() == 16 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| u64::from_str_radix(text, 16).ok())
        .flatten()
}

/// Whether `id` can be a case number (so nothing else reaches the store).
fn plausible_case_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl BridgeApi {
    /// A case this bridge holds for its department, or 404.
    pub(super) fn own_case(&self, id: &str) -> Result<StoredCase, ApiError> {
        if !plausible_case_id(id) {
            return Err(ApiError::case_not_found(id));
        }
        let stored = self
            .core
            .store
            .case(id)
            .map_err(|e| ApiError::from(crate::NodeError::from(e)))?
            .filter(|c| routed_to(&c.record, &self.department))
            .ok_or_else(|| ApiError::case_not_found(id))?;
        Ok(stored)
    }

    /// The department's view of a stored case, folded as of now.
    pub(super) fn view(&self, stored: &StoredCase) -> Result<CaseView, ApiError> {
        Ok(super::view::current(&self.core, stored, &self.department)?)
    }

    fn page(&self, open_only: bool, limit: usize, after: u64) -> Result<CasePage, ApiError> {
        let changes = self
            .core
            .store
            .case_changes(after, limit)
            .map_err(|e| ApiError::from(crate::NodeError::from(e)))?;
        let next = match (changes.more, changes.cases.last()) {
            (true, Some(last)) => last.seq,
            _ => changes.head.max(after),
        };
        let mut cases = Vec::new();
        for change in &changes.cases {
            if !routed_to(&change.case.record, &self.department) {
                continue;
            }
            let view = self.view(&change.case)?;
            if open_only && is_closed(&view.status) {
                continue;
            }
            cases.push(view);
        }
        Ok(CasePage {
            cases,
            next: cursor(next),
            more: changes.more,
        })
    }
}

fn is_closed(status: &str) -> bool {
    [
        Status::Concluded,
        Status::Delivered,
        Status::Withdrawn,
        Status::Rejected,
    ]
    .iter()
    .any(|s| s.as_str() == status)
}

/// `GET /v1/cases?status=open|all&limit=N&after=CURSOR`.
pub async fn list(
    _: Authorised,
    State(api): State<BridgeApi>,
    uri: Uri,
) -> Result<Json<CasePage>, ApiError> {
    let Query(q) = Query::<ListQuery>::try_from_uri(&uri).map_err(|e| {
        ApiError::bad_request(
            format!(
                "query: {}; use status=open|all, limit=1..{MAX_LIMIT}, after=CURSOR",
                e.body_text()
            ),
            format!(
                "查询参数有误：{}；可用 status=open|all、limit=1..{MAX_LIMIT}、after=游标",
                e.body_text()
            ),
        )
    })?;
    let open_only = match q.status.as_deref() {
        None | Some("all") => false,
        Some("open") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                format!("status `{other}`: use open or all"),
                format!("status `{other}` 无效：请用 open 或 all"),
            ))
        }
    };
    let limit = match q.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => match text.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => n,
            _ => {
                return Err(ApiError::bad_request(
                    format!("limit `{text}`: a number from 1 to {MAX_LIMIT}"),
                    format!("limit `{text}` 无效：应为 1 到 {MAX_LIMIT} 的整数"),
                ))
            }
        },
    };
    let after = match q.after.as_deref() {
        None => 0,
        Some(text) => parse_cursor(text).ok_or_else(|| {
            ApiError::bad_request(
                format!("after `{text}` is not a cursor this bridge handed out (a page's `next`)"),
                format!("after `{text}` 不是本桥接节点给出的游标（应为某页的 `next`）"),
            )
        })?,
    };
    let page = blocking(move || api.page(open_only, limit, after)).await?;
    Ok(Json(page))
}

/// `GET /v1/cases/{id}`.
pub async fn show(
    _: Authorised,
    State(api): State<BridgeApi>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Json<CaseView>, ApiError> {
    let Path(id) = path.map_err(|e| {
        ApiError::bad_request(format!("case id: {}", e.body_text()), "办件编号无效")
    })?;
    let view = blocking(move || {
        let stored = api.own_case(&id)?;
        api.view(&stored)
    })
    .await?;
    Ok(Json(view))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_nothing_else_is_one() {
        assert_eq!(parse_cursor(&cursor(0)), Some(0));
        assert_eq!(parse_cursor(&cursor(123_456)), Some(123_456));
        assert_eq!(parse_cursor(&cursor(u64::MAX)), Some(u64::MAX));
        assert_eq!(parse_cursor("12"), None);
        assert_eq!(parse_cursor("zzzzzzzzzzzzzzzz"), None);
        assert_eq!(parse_cursor("+000000000000001"), None);
    }

    #[test]
    fn only_plausible_case_numbers_reach_the_store() {
        assert!(plausible_case_id("000000-T01-20261126-000001"));
        assert!(!plausible_case_id("a\0b"));
        assert!(!plausible_case_id("../x"));
        assert!(!plausible_case_id(""));
    }
}
