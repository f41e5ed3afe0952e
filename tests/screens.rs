//! A paired wall screen over a real socket: it pairs through the API, watches its tenant
//! with its display token (no cookie), is refused another tenant, and is cut off within
//! seconds of an admin revoking it; an admin puts it in replay for training and back to live.

use pantau_e2e::auth::Credentials;
use pantau_e2e::ws::subscribe_msg;
use pantau_e2e::{Pantau, RedisServer, WsClient};
use pantau_shared::protocol::{ClientMsg, ServerMsg};
use serde_json::json;
use std::time::{Duration, Instant};

fn is_error(msg: &ServerMsg, want: &str) -> bool {
    matches!(msg, ServerMsg::Error { code, .. } if code == want)
}

/// Subscribe with a display token.
fn with_token(tenant: &str, token: &str) -> ClientMsg {
    match subscribe_msg(tenant) {
        ClientMsg::Subscribe {
            tenant, since, filters, ..
        } => ClientMsg::Subscribe {
            tenant,
            since,
            filters,
            token: Some(token.to_owned()),
        },
        other => other,
    }
}

/// A screen asks for a pairing, `admin` claims its code as `name`, the screen's poll gets
/// its token: the screen (as the API lists it) and the token.
async fn pair(pantau: &Pantau, admin: &pantau_e2e::Session, name: &str) -> (serde_json::Value, String) {
    let pairing: serde_json::Value = pantau
        .http
        .post(pantau.url("/api/v1/screens/pairing"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claim = json!({ "code": pairing["code"], "name": name });
    let (status, screen) = pantau
        .post_as(Credentials::User(admin), "/api/v1/tangerang/screens", &claim)
        .await;
    assert_eq!(status, 201, "{screen}");
    let poll = format!("/api/v1/screens/pairing/{}", pairing["poll"].as_str().unwrap());
    let (status, answer) = pantau.get_as(Credentials::Nobody, &poll).await;
    assert_eq!(status, 200, "{answer}");
    (screen, answer["token"].as_str().unwrap().to_owned())
}

/// Pair, watch, be refused elsewhere, be revoked.
#[tokio::test]
async fn a_revoked_screens_socket_is_closed() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    pantau.wait_ready().await;
    let admin = pantau.user("tangerang", "admin").await;

    let (screen, token) = pair(&pantau, &admin, "Ruang Kendali").await;

    let mut elsewhere = WsClient::connect(&pantau.ws_url, None).await;
    elsewhere.send(&with_token("banjar", &token)).await;
    let refused = elsewhere.next().await;
    assert!(is_error(&refused, "forbidden"), "{refused:?}");

    let mut wall = WsClient::connect(&pantau.ws_url, None).await;
    wall.send(&with_token("tangerang", &token)).await;
    let first = wall.next().await;
    assert!(matches!(first, ServerMsg::Snapshot { .. }), "{first:?}");

    let id = screen["id"].as_str().unwrap();
    let status = pantau
        .delete_as(Credentials::User(&admin), &format!("/api/v1/tangerang/screens/{id}"))
        .await;
    assert_eq!(status, 204);
    let started = Instant::now();
    let last = wall.until_closed(Duration::from_secs(10)).await;
    assert!(last.iter().any(|m| is_error(m, "revoked")), "{last:?}");
    assert!(
        started.elapsed() < Duration::from_secs(7),
        "closed within the 5 s re-check"
    );
}

/// The tickets of a snapshot.
fn snapshot_len(msg: &ServerMsg) -> Option<usize> {
    match msg {
        ServerMsg::Snapshot { tickets, .. } => Some(tickets.len()),
        _ => None,
    }
}

/// Training: an admin puts a paired wall in replay from an instant between two reports; the
/// wall shows the city as it was (one ticket) with the replay's clock, within one credentials
/// check; bad requests name their field; taken back to live, the wall is told and shows both.
#[tokio::test]
async fn an_admin_puts_a_screen_in_replay_and_back_to_live() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    pantau.wait_ready().await;
    let admin = pantau.user("tangerang", "admin").await;
    let (screen, token) = pair(&pantau, &admin, "Ruang Latihan").await;
    let id = screen["id"].as_str().unwrap();
    let replay = format!("/api/v1/tangerang/screens/{id}/replay");

    let (status, _) = pantau
        .post_event("tangerang", &pantau_e2e::fixtures::report("sebelum"))
        .await;
    assert_eq!(status, 202);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let between = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let (status, _) = pantau
        .post_event("tangerang", &pantau_e2e::fixtures::report("sesudah"))
        .await;
    assert_eq!(status, 202);

    let mut wall = WsClient::connect(&pantau.ws_url, None).await;
    wall.send(&with_token("tangerang", &token)).await;
    let first = wall.next().await;
    assert_eq!(snapshot_len(&first), Some(2), "{first:?}");

    for (body, field) in [
        (json!({ "from": "kemarin", "speed": 60 }), "from"),
        (json!({ "from": "2999-01-01T00:00:00+07:00" }), "from"),
        (json!({ "from": between.to_rfc3339(), "speed": 0 }), "speed"),
        (json!({ "from": between.to_rfc3339(), "speed": 5000 }), "speed"),
    ] {
        let (status, error) = pantau.put_as(Credentials::User(&admin), &replay, &body).await;
        assert_eq!(status, 422, "{body} → {error}");
        assert_eq!(error["error"]["field"], field, "{error}");
    }
    let (status, _) = pantau
        .put_as(
            Credentials::User(&admin),
            "/api/v1/tangerang/screens/nope/replay",
            &json!({ "from": between.to_rfc3339() }),
        )
        .await;
    assert_eq!(status, 404);

    let body = json!({ "from": between.to_rfc3339(), "speed": 1 });
    let (status, screen) = pantau.put_as(Credentials::User(&admin), &replay, &body).await;
    assert_eq!(status, 200, "{screen}");
    assert_eq!(screen["replay"]["speed"], 1);
    let started = Instant::now();
    let past = wall
        .next_within(Duration::from_secs(8))
        .await
        .expect("the past's snapshot");
    assert_eq!(snapshot_len(&past), Some(1), "the city between the reports: {past:?}");
    assert!(started.elapsed() < Duration::from_secs(7), "within the 5 s re-check");
    let clock = wall.next().await;
    assert!(
        matches!(clock, ServerMsg::Replay { live: false, at, .. } if (at - between.timestamp_millis()).abs() < 1_000),
        "{clock:?}"
    );

    let status = pantau.delete_as(Credentials::User(&admin), &replay).await;
    assert_eq!(status, 200);
    let deadline = Instant::now() + Duration::from_secs(8);
    let mut told_live = false;
    let live = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let msg = wall.next_within(left).await.expect("back to live in time");
        match msg {
            ServerMsg::Replay { live: true, .. } => told_live = true,
            ServerMsg::Snapshot { .. } if told_live => break msg,
            _ => {}
        }
    };
    assert_eq!(snapshot_len(&live), Some(2), "live again: {live:?}");
}
