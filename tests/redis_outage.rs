//! Redis killed (`SIGKILL`) under a running server and restarted on the same port and AOF
//! (`appendfsync always`): ingest refuses at once with `503` + `Retry-After` and the usual
//! JSON error, `/readyz` says not ready, a connected wall is told `degraded`; once Redis is
//! back everything resumes by itself — readiness, a retried event written exactly once, the
//! wall's deltas — and every acknowledged event is still in the stream.

use pantau_e2e::{eventually, report, Pantau, RedisServer};
use pantau_shared::protocol::{LinkState, ServerMsg};
use serde_json::Value;
use std::time::Duration;

/// A generous bound on one answer during the outage (it used to take 5–9 s); not a benchmark.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// The event retried across the outage.
const RETRIED_ID: &str = "0193a5c0-0000-7000-8000-0000000be0f1";

/// POST `event` to `tenant`'s ingest endpoint with a client timeout; status, Retry-After, body.
async fn post_bounded(pantau: &Pantau, tenant: &str, event: &Value) -> (u16, Option<String>, Value) {
    let response = pantau
        .default_request(reqwest::Method::POST, &format!("/api/v1/{tenant}/events"))
        .await
        .timeout(ANSWER_WITHIN)
        .body(event.to_string())
        .send()
        .await
        .expect("the server answers within the bound while Redis is down");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry_after, response.json().await.expect("a JSON body"))
}

/// `/readyz`'s status, with the same bound.
async fn readyz(pantau: &Pantau) -> u16 {
    reqwest::Client::new()
        .get(pantau.url("/readyz"))
        .timeout(ANSWER_WITHIN)
        .send()
        .await
        .expect("readyz answers within the bound")
        .status()
        .as_u16()
}

fn assert_unavailable((status, retry_after, body): (u16, Option<String>, Value)) {
    assert_eq!(status, 503, "{body}");
    let secs: u64 = retry_after
        .expect("a Retry-After header")
        .parse()
        .expect("whole seconds");
    assert!(secs >= 1, "Retry-After {secs}");
    assert_eq!(body["error"]["code"], "store_unavailable", "{body}");
    assert!(body["error"]["message"].is_string(), "{body}");
}

#[tokio::test]
async fn ingest_fails_fast_while_redis_is_down_and_resumes_when_it_is_back() {
    let mut redis = RedisServer::start_persistent().await;
    let pantau = Pantau::start(&redis).await;
    let mut acknowledged = Vec::new();
    for i in 0..3 {
        let (status, body) = pantau
            .post_event("tangerang", &report(&format!("sebelum padam {i}")))
            .await;
        assert_eq!(status, 202, "{body}");
        acknowledged.push(body["accepted"][0]["id"].as_str().unwrap().to_owned());
    }
    let (mut wall, first) = pantau.subscribe("tangerang").await;
    let ServerMsg::Snapshot { mut cursor, .. } = first else {
        panic!("expected a snapshot, got {first:?}")
    };

    redis.stop(); // SIGKILL
    let mut retried = report("saat padam");
    retried["id"] = RETRIED_ID.into();
    assert_unavailable(post_bounded(&pantau, "tangerang", &retried).await);
    loop {
        match wall.next().await {
            ServerMsg::Status {
                state: LinkState::Degraded,
                ..
            } => break,
            ServerMsg::Deltas { to, .. } => cursor = to,
            ServerMsg::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    // Known down by now: still refused at once, and not ready.
    assert_unavailable(post_bounded(&pantau, "tangerang", &retried).await);
    assert_eq!(readyz(&pantau).await, 503);

    redis.restart().await;
    eventually("/readyz to say ready by itself", || async {
        (readyz(&pantau).await == 200).then_some(())
    })
    .await;
    let (status, _, body) = post_bounded(&pantau, "tangerang", &retried).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["accepted"][0]["id"], RETRIED_ID);
    assert_eq!(
        body["accepted"][0]["duplicate"], false,
        "nothing was written during the outage"
    );
    let (status, _, again) = post_bounded(&pantau, "tangerang", &retried).await;
    assert_eq!(status, 202, "{again}");
    assert_eq!(again["accepted"][0]["duplicate"], true, "a second retry writes nothing");
    acknowledged.push(RETRIED_ID.to_owned());

    let stored: Vec<String> = redis
        .stream_events("tangerang")
        .await
        .into_iter()
        .map(|(_, event)| event["id"].as_str().unwrap().to_owned())
        .filter(|id| acknowledged.contains(id))
        .collect();
    assert_eq!(stored, acknowledged, "every acknowledged event, once, in order");

    // The wall is told Redis is back and gets the retried event after its cursor.
    let (mut back, mut got) = (false, Vec::new());
    while !back || !got.iter().any(|id| id == RETRIED_ID) {
        match wall.next().await {
            ServerMsg::Status {
                state: LinkState::Ok, ..
            } => back = true,
            ServerMsg::Deltas { from, to, events, .. } => {
                assert_eq!(from, cursor, "no gap");
                cursor = to;
                got.extend(events.into_iter().map(|e| e.id));
            }
            ServerMsg::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got.iter().filter(|id| *id == RETRIED_ID).count(), 1);
}
