//! The department bridge's HTTP/JSON API against a real county and a real
//! bridge (`bridge/D03`) over real mutual TLS on loopback, with real sled
//! stores: the token, the cases feed and its cursor, opinions and
//! decisions through the domain's checks, bad input, and idempotent
//! retries (across a restart too). The webhook is in `bridge_webhook.rs`.

use std::collections::BTreeSet;
use std::time::Duration;

use liandong_domain::{AuthError, AuthScope, EventKind, Lang, Refusal};
use serde_json::Value;
use tests::bridge::{
    count_events, county_and_bridge, decision_by, deliver_from_county, event_op, opinion_pass,
    t01_case, DEPT, EXPIRED_AUTH, MATTER, OTHER_DEPT_AUTH, VALID_AUTH,
};
use tests::http::{get, post, request};
use tests::{eventually, Net};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_path_needs_the_token_and_answers_2xx_with_it_and_the_document_lists_them_all() {
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, None).await;
    let (case, ops) = t01_case(county.core(), 1, DEPT);
    deliver_from_county(bridge.core(), ops);
    let (addr, token) = (bridge.api(), bridge.token());

    let doc = get(addr, "/openapi.json", None).await;
    assert_eq!(doc.status, 200, "{}", doc.body);
    let doc = doc.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut routes: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            routes.push((method.clone(), path.clone()));
        }
    }
    let expected: BTreeSet<&str> = [
        "/openapi.json",
        "/v1/cases",
        "/v1/cases/{id}",
        "/v1/cases/{id}/opinions",
        "/v1/cases/{id}/decisions",
        "/api/status",
        "/metrics",
    ]
    .into();
    let documented: BTreeSet<&str> = routes.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(documented, expected);

    for (method, path) in &routes {
        let path = path.replace("{id}", case.as_str());
        let body = match path.rsplit('/').next() {
            Some("opinions") => opinion_pass().to_string(),
            Some("decisions") => decision_by("S31", VALID_AUTH),
            _ => String::new(),
        };
        let call = |auth: Option<String>| {
            let (path, body) = (path.clone(), body.clone());
            let method = method.to_ascii_uppercase();
            async move {
                let mut headers = vec![("content-type", "application/json")];
                if let Some(a) = auth.as_deref() {
                    headers.push(("authorization", a));
                }
                request(addr, &method, &path, &headers, body.into_bytes()).await
            }
        };
        if path == "/openapi.json" {
            continue;
        }
        for wrong in [None, Some("Bearer not-the-token".to_string())] {
            let r = call(wrong.clone()).await;
            assert_eq!(r.status, 401, "{method} {path} with {wrong:?}: {}", r.body);
            assert_eq!(r.json()["code"], "unauthorised");
            assert_eq!(r.header("www-authenticate"), Some("Bearer"));
        }
        let r = call(Some(format!("Bearer {token}"))).await;
        assert!(
            (200..300).contains(&r.status),
            "{method} {path} with the token: {} {}",
            r.status,
            r.body
        );
    }
    // The county lists the bridge among its peers, like a township.
    let listed = eventually(WAIT, || {
        county.core().status().is_ok_and(|s| {
            s.peers
                .iter()
                .any(|p| p.node == "bridge/D03" && p.connected)
        })
    })
    .await;
    assert!(
        listed,
        "the county's status does not list bridge/D03 as connected"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_list_pages_with_next_and_a_poll_with_the_last_cursor_returns_only_what_changed_since()
{
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, None).await;
    let mut ours = Vec::new();
    for n in 1..=3 {
        let (id, ops) = t01_case(county.core(), n, DEPT);
        deliver_from_county(bridge.core(), ops);
        ours.push(id.to_string());
    }
    let (elsewhere, ops) = t01_case(county.core(), 9, "D05");
    deliver_from_county(bridge.core(), ops);
    let (addr, token) = (bridge.api(), bridge.token());
    let token = Some(token.as_str());

    let first = get(addr, "/v1/cases?limit=2", token).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let first = first.json();
    let ids = |page: &Value| -> Vec<String> {
        page["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| c["id"].as_str().expect("id").to_string())
            .collect()
    };
    assert_eq!(ids(&first), ours[..2]);
    assert_eq!(first["more"], true);
    let next = first["next"].as_str().expect("next").to_string();
    let second = get(addr, &format!("/v1/cases?limit=2&after={next}"), token)
        .await
        .json();
    assert_eq!(ids(&second), ours[2..], "the D05 case never shows");
    assert_eq!(second["more"], false);
    let last = second["next"].as_str().expect("next").to_string();
    let idle = get(addr, &format!("/v1/cases?after={last}"), token)
        .await
        .json();
    assert!(ids(&idle).is_empty(), "nothing changed, yet: {idle}");

    let path = format!("/v1/cases/{}/opinions", ours[0]);
    let recorded = post(addr, &path, token, None, opinion_pass()).await;
    assert_eq!(recorded.status, 201, "{}", recorded.body);
    let changed = get(addr, &format!("/v1/cases?after={last}"), token)
        .await
        .json();
    assert_eq!(
        ids(&changed),
        [ours[0].clone()],
        "only the case that changed"
    );
    assert_eq!(changed["cases"][0]["part"]["status"], "opined");

    let all = get(addr, "/v1/cases?status=open&limit=500", token)
        .await
        .json();
    assert_eq!(ids(&all).len(), 3);
    let gone = get(addr, &format!("/v1/cases/{elsewhere}"), token).await;
    assert_eq!(
        gone.status, 404,
        "a case routed to D05 is not D03's: {}",
        gone.body
    );
    for bad in [
        "/v1/cases?limit=0",
        "/v1/cases?limit=501",
        "/v1/cases?limit=many",
        "/v1/cases?after=zz",
        "/v1/cases?status=closed",
        "/v1/cases?colour=red",
    ] {
        let r = get(addr, bad, token).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        let e = r.json();
        assert!(e["code"].is_string() && e["message"].is_string() && e["message_zh"].is_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_opinion_and_a_decision_recorded_through_the_api_show_in_the_case_and_in_the_store() {
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, None).await;
    let (case, mut ops) = t01_case(county.core(), 1, DEPT);
    // Another department's part, with an opinion text D03 must not see.
    ops.push(event_op(
        &case,
        900,
        EventKind::RoutedToDepartment {
            department: "D05".into(),
            part: "消防审查".into(),
            stage_limit_days: Some(3),
        },
    ));
    ops.push(event_op(
        &case,
        901,
        EventKind::OpinionGiven {
            department: "D05".into(),
            agree: false,
            text: "机密意见".into(),
        },
    ));
    deliver_from_county(bridge.core(), ops);
    let (addr, token) = (bridge.api(), bridge.token());
    let token = Some(token.as_str());

    let opinion = post(
        addr,
        &format!("/v1/cases/{case}/opinions"),
        token,
        None,
        opinion_pass(),
    )
    .await;
    assert_eq!(opinion.status, 201, "{}", opinion.body);
    let decision = post(
        addr,
        &format!("/v1/cases/{case}/decisions"),
        token,
        None,
        &decision_by("S31", VALID_AUTH),
    )
    .await;
    assert_eq!(decision.status, 201, "{}", decision.body);

    let shown = get(addr, &format!("/v1/cases/{case}"), token).await;
    assert_eq!(shown.status, 200);
    assert!(
        !shown.body.contains("机密意见"),
        "another department's opinion text leaked: {}",
        shown.body
    );
    let shown = shown.json();
    let part = &shown["part"];
    assert_eq!(part["department"], DEPT);
    assert_eq!(part["status"], "decided");
    assert_eq!(part["opinion"]["result"], "pass");
    assert_eq!(part["decision"]["authorisation"], VALID_AUTH);
    assert_eq!(part["decision"]["staff"], "S31");
    assert!(part["due"].is_string() && part["stage_limit_days"] == 5);
    assert_eq!(shown["matter"]["code"], MATTER);
    assert_eq!(
        shown["applicant"]["name"], "申请人1",
        "the department sees the applicant"
    );
    assert_eq!(
        shown["other_parts"],
        serde_json::json!([{"department": "D05", "status": "opined"}])
    );
    let kinds: Vec<&str> = shown["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert!(
        kinds.contains(&"opinion") && kinds.contains(&"decided"),
        "{kinds:?}"
    );

    assert_eq!(count_events(bridge.core(), case.as_str(), "opinion"), 1);
    assert_eq!(count_events(bridge.core(), case.as_str(), "decided"), 1);
    // Queued for the county: what the bridge records goes up the link.
    let county_id = liandong_model::NodeId::county("HQ").expect("id");
    let queued = bridge
        .core()
        .store
        .peer(&county_id)
        .expect("peer")
        .outbox
        .head;
    assert!(
        queued >= 2,
        "the bridge's outbox to the county holds {queued} operations"
    );

    let again = post(
        addr,
        &format!("/v1/cases/{case}/opinions"),
        token,
        None,
        opinion_pass(),
    )
    .await;
    assert_eq!(again.status, 409, "a second opinion of D03: {}", again.body);
    assert_eq!(again.json()["code"], "already-gave-opinion");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_decision_under_another_departments_or_an_expired_authorisation_is_422_with_the_domains_wording(
) {
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, None).await;
    let (case, ops) = t01_case(county.core(), 1, DEPT);
    deliver_from_county(bridge.core(), ops);
    let (addr, token) = (bridge.api(), bridge.token());
    let path = format!("/v1/cases/{case}/decisions");

    let other = post(
        addr,
        &path,
        Some(&token),
        None,
        &decision_by("S32", OTHER_DEPT_AUTH),
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.body);
    let refusal = Refusal::Unauthorised(AuthError::OutOfScope {
        id: OTHER_DEPT_AUTH.into(),
        scope: AuthScope::Department("D05".into()),
        matter: MATTER.into(),
    });
    let e = other.json();
    assert_eq!(e["code"], "unauthorised");
    assert_eq!(e["message"], refusal.message(Lang::En));
    assert_eq!(e["message_zh"], refusal.message(Lang::Zh));

    let expired = post(
        addr,
        &path,
        Some(&token),
        None,
        &decision_by("S33", EXPIRED_AUTH),
    )
    .await;
    assert_eq!(expired.status, 422, "{}", expired.body);
    let e = expired.json();
    assert!(
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains(EXPIRED_AUTH) && m.contains("expired")),
        "{e}"
    );
    assert!(
        e["message_zh"].as_str().is_some_and(|m| m.contains("到期")),
        "{e}"
    );
    // Without naming it, the node finds no authorisation that allows it.
    let unnamed = post(
        addr,
        &path,
        Some(&token),
        None,
        &format!(
            r#"{{"staff":"S33","approve":true,"password":"{}"}}"#,
            tests::PASSWORD
        ),
    )
    .await;
    assert_eq!(unnamed.status, 422, "{}", unnamed.body);
    assert_eq!(count_events(bridge.core(), case.as_str(), "decided"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_bodies_are_400_an_oversize_body_413_and_an_unknown_case_404() {
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, None).await;
    let (case, ops) = t01_case(county.core(), 1, DEPT);
    deliver_from_county(bridge.core(), ops);
    let (addr, token) = (bridge.api(), bridge.token());
    let token = Some(token.as_str());
    let path = format!("/v1/cases/{case}/opinions");
    for body in [
        "not json",
        "",
        r#"{"staff":"S31"}"#,
        r#"{"staff":"S31","result":"maybe"}"#,
        r#"{"staff":"S31","result":"pass","extra":1}"#,
        r#"{"staff":5,"result":"pass"}"#,
        r#"{"staff":"  ","result":"pass"}"#,
        "[1,2,3]",
    ] {
        let r = post(addr, &path, token, None, body).await;
        assert_eq!(r.status, 400, "body {body:?}: {}", r.body);
        let e = r.json();
        assert!(
            e["message"].is_string() && e["message_zh"].is_string(),
            "{e}"
        );
    }
    let decisions = format!("/v1/cases/{case}/decisions");
    let r = post(
        addr,
        &decisions,
        token,
        None,
        r#"{"staff":"S31","approve":"yes"}"#,
    )
    .await;
    assert_eq!(r.status, 400, "{}", r.body);
    let bad_key = post(addr, &path, token, Some("has space"), opinion_pass()).await;
    assert_eq!(bad_key.status, 400, "{}", bad_key.body);

    let huge = format!(
        r#"{{"staff":"S31","result":"return","text":"{}"}}"#,
        "长".repeat(40_000)
    );
    let r = post(addr, &path, token, None, &huge).await;
    assert_eq!(r.status, 413, "{}", r.body);
    assert_eq!(r.json()["code"], "body-too-large");

    for unknown in ["000000-T01-20200101-999999", "no-such-case", "a%00b"] {
        let r = get(addr, &format!("/v1/cases/{unknown}"), token).await;
        assert_eq!(r.status, 404, "{unknown}: {}", r.body);
        let r = post(
            addr,
            &format!("/v1/cases/{unknown}/opinions"),
            token,
            None,
            opinion_pass(),
        )
        .await;
        assert_eq!(r.status, 404, "{unknown}: {}", r.body);
    }
    let r = get(addr, &format!("/v1/cases/{case}/opinions"), token).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (405, Some("method-not-allowed"))
    );
    let r = get(addr, "/v2/elsewhere", token).await;
    assert_eq!(
        (r.status, r.json()["code"].as_str()),
        (404, Some("not-found"))
    );
    assert_eq!(count_events(bridge.core(), case.as_str(), "opinion"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_same_idempotency_key_twice_records_one_opinion_and_with_another_body_is_409() {
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, None).await;
    let (case, ops) = t01_case(county.core(), 1, DEPT);
    deliver_from_county(bridge.core(), ops);
    let (addr, token) = (bridge.api(), bridge.token());
    let path = format!("/v1/cases/{case}/opinions");

    let first = post(addr, &path, Some(&token), Some("dept-42"), opinion_pass()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let retry = post(addr, &path, Some(&token), Some("dept-42"), opinion_pass()).await;
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert_eq!(
        retry.json(),
        first.json(),
        "the retry gets the first response"
    );
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(count_events(bridge.core(), case.as_str(), "opinion"), 1);

    let other = r#"{"staff":"S31","result":"return","text":"材料不全"}"#;
    let reused = post(addr, &path, Some(&token), Some("dept-42"), other).await;
    assert_eq!(reused.status, 409, "{}", reused.body);
    assert_eq!(reused.json()["code"], "idempotency-key-reused");
    assert_eq!(count_events(bridge.core(), case.as_str(), "opinion"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_idempotent_retry_after_a_bridge_restart_returns_the_first_response_and_records_nothing()
{
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, None).await;
    let (case, ops) = t01_case(county.core(), 1, DEPT);
    deliver_from_county(bridge.core(), ops);
    let path = format!("/v1/cases/{case}/decisions");
    let body = decision_by("S31", VALID_AUTH);
    let first = post(
        bridge.api(),
        &path,
        Some(&bridge.token()),
        Some("d-1"),
        &body,
    )
    .await;
    assert_eq!(first.status, 201, "{}", first.body);
    bridge.stop().await;

    let bridge = net.bridge(county.port(), None).await;
    let retry = post(
        bridge.api(),
        &path,
        Some(&bridge.token()),
        Some("d-1"),
        &body,
    )
    .await;
    assert_eq!(retry.status, 201, "{}", retry.body);
    assert_eq!(retry.json(), first.json());
    assert_eq!(count_events(bridge.core(), case.as_str(), "decided"), 1);
    let reused = post(
        bridge.api(),
        &path,
        Some(&bridge.token()),
        Some("d-1"),
        &decision_by("S31", EXPIRED_AUTH),
    )
    .await;
    assert_eq!(reused.status, 409, "{}", reused.body);
}
