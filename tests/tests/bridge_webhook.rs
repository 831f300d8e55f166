//! The department bridge's webhook against a real county and a real
//! bridge over real mutual TLS, with a local receiver: deliveries are
//! signed with the API token, arrive once each and in feed order after the
//! receiver failed, and a delivery pending when the bridge stops is made
//! after it restarts (the cursor is durable).

use std::time::Duration;

use tests::bridge::{
    county_and_bridge, deliver_from_county, opinion_pass, status_json, t01_case, DEPT,
};
use tests::http::{get, post};
use tests::webhook_receiver::Receiver;
use tests::{eventually, Net};

const WAIT: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn webhook_deliveries_are_signed_and_arrive_once_each_in_order_after_three_failures() {
    let receiver = Receiver::start(3).await;
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, Some(receiver.url())).await;
    let mut cases = Vec::new();
    for n in 1..=2 {
        let (id, ops) = t01_case(county.core(), n, DEPT);
        deliver_from_county(bridge.core(), ops);
        cases.push(id.to_string());
    }
    let (_, elsewhere) = t01_case(county.core(), 7, "D05");
    deliver_from_county(bridge.core(), elsewhere);
    let path = format!("/v1/cases/{}/opinions", cases[0]);
    let r = post(
        bridge.api(),
        &path,
        Some(&bridge.token()),
        None,
        opinion_pass(),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);

    let all = receiver.wait_for(7, WAIT).await;
    receiver.assert_signed(&bridge.token());
    let seqs: Vec<u64> = all
        .iter()
        .map(|d| d["seq"].as_u64().expect("seq"))
        .collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "out of order or repeated: {seqs:?}"
    );
    let shape: Vec<(String, String)> = all
        .iter()
        .map(|d| {
            (
                d["case_id"].as_str().expect("case").to_string(),
                format!(
                    "{}:{}",
                    d["type"].as_str().expect("type"),
                    d["event"]["kind"].as_str().expect("kind")
                ),
            )
        })
        .collect();
    let expect = |c: &str, t: &str| (c.to_string(), t.to_string());
    assert_eq!(
        shape,
        [
            expect(&cases[0], "case:submitted"),
            expect(&cases[0], "event:accepted"),
            expect(&cases[0], "event:routed"),
            expect(&cases[1], "case:submitted"),
            expect(&cases[1], "event:accepted"),
            expect(&cases[1], "event:routed"),
            expect(&cases[0], "event:opinion"),
        ]
    );
    assert_eq!(
        all[0]["case"]["id"],
        cases[0].as_str(),
        "a new case comes whole"
    );
    assert_eq!(
        receiver.calls(),
        7 + 3,
        "three failed calls, then each delivery once"
    );

    let status = status_json(&bridge).await;
    let hook = &status["webhook"];
    assert_eq!(hook["pending"], 0, "{status}");
    assert!(
        hook["failed_attempts"].as_u64().is_some_and(|n| n >= 3),
        "{status}"
    );
    assert!(hook["last_error"].is_null(), "{status}");
    let metrics = get(bridge.api(), "/metrics", Some(&bridge.token())).await;
    assert!(
        metrics.body.contains("liandong_webhook_pending 0"),
        "{}",
        metrics.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delivery_pending_when_the_bridge_stops_is_delivered_after_it_restarts() {
    let receiver = Receiver::start(usize::MAX).await;
    let net = Net::new();
    let (county, bridge) = county_and_bridge(&net, Some(receiver.url())).await;
    let (case, ops) = t01_case(county.core(), 1, DEPT);
    deliver_from_county(bridge.core(), ops);
    let mut failing = false;
    for _ in 0..200 {
        let status = status_json(&bridge).await;
        let hook = &status["webhook"];
        if hook["pending"] == 3 && hook["last_error"].is_string() {
            failing = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        failing,
        "the bridge never showed three pending deliveries and the last error"
    );
    bridge.stop().await;
    assert_eq!(receiver.delivered().len(), 0);

    receiver.accept_from_now();
    let bridge = net.bridge(county.port(), Some(receiver.url())).await;
    let all = receiver.wait_for(3, WAIT).await;
    receiver.assert_signed(&bridge.token());
    let kinds: Vec<&str> = all
        .iter()
        .map(|d| d["event"]["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(kinds, ["submitted", "accepted", "routed"]);
    assert!(all.iter().all(|d| d["case_id"] == case.as_str()));
    let pending_zero = eventually(WAIT, || receiver.delivered().len() == 3).await;
    assert!(pending_zero);
    let status = status_json(&bridge).await;
    assert_eq!(status["webhook"]["pending"], 0, "{status}");
}
