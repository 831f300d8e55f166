//! E-supervision's data on the admin port for tools: `/api/cases` and
//! `/api/supervision` give the case lines and the supervision items as
//! JSON (the lists people read are the console's `/supervision` pages,
//! [`crate::console::supervision`]). Personal fields are masked as in
//! every list. Each needs a signed-in session of a role that may read
//! cases or supervision items ([`super::session`]).

use crate::control::{CaseFilter, WarningColour};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use liandong_domain::Lang;
use serde::Deserialize;

use super::county::Admin;
use super::session::{actor_of, refusal};

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    kind: Option<String>,
    lang: Option<String>,
    township: Option<String>,
}

fn lang_of(q: &ListQuery) -> Lang {
    q.lang
        .as_deref()
        .and_then(|l| l.parse().ok())
        .unwrap_or_default()
}

fn filter_of(kind: &str) -> Option<CaseFilter> {
    match kind {
        "yellow" => Some(CaseFilter {
            overdue: false,
            warning: Some(WarningColour::Yellow),
            ..CaseFilter::default()
        }),
        "red" => Some(CaseFilter {
            overdue: false,
            warning: Some(WarningColour::Red),
            ..CaseFilter::default()
        }),
        "overdue" => Some(CaseFilter {
            overdue: true,
            ..CaseFilter::default()
        }),
        _ => None,
    }
}

/// `/api/cases?kind=yellow|red|overdue&township=T01`: case lines as JSON.
pub async fn cases(
    State(admin): State<Admin>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&q);
    let filter = q.kind.as_deref().and_then(filter_of).unwrap_or_default();
    let core = admin.core.clone();
    let township = q.township.clone();
    let list = move || {
        let who = actor_of(&core, &headers)?;
        core.list_cases(&who, lang, township.as_deref(), &filter)
    };
    match tokio::task::spawn_blocking(list).await {
        Ok(Ok(cases)) => Json(cases).into_response(),
        Ok(Err(e)) => refusal(e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `/api/supervision?township=T01`: supervision items as JSON.
pub async fn items(
    State(admin): State<Admin>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let lang = lang_of(&q);
    let core = admin.core.clone();
    let township = q.township.clone();
    let list = move || {
        let who = actor_of(&core, &headers)?;
        core.supervision(&who, lang, township.as_deref())
    };
    match tokio::task::spawn_blocking(list).await {
        Ok(Ok(items)) => Json(items).into_response(),
        Ok(Err(e)) => refusal(e),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
