//! A paired wall screen over a real socket: it pairs through the API, watches its tenant
//! with its display token (no cookie), is refused another tenant, and is cut off within
//! seconds of an admin revoking it.

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

/// Pair, watch, be refused elsewhere, be revoked.
#[tokio::test]
async fn a_revoked_screens_socket_is_closed() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    pantau.wait_ready().await;
    let admin = pantau.user("tangerang", "admin").await;

    let pairing: serde_json::Value = pantau
        .http
        .post(pantau.url("/api/v1/screens/pairing"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let claim = json!({ "code": pairing["code"], "name": "Ruang Kendali" });
    let (status, screen) = pantau
        .post_as(Credentials::User(&admin), "/api/v1/tangerang/screens", &claim)
        .await;
    assert_eq!(status, 201, "{screen}");
    let poll = format!("/api/v1/screens/pairing/{}", pairing["poll"].as_str().unwrap());
    let (status, answer) = pantau.get_as(Credentials::Nobody, &poll).await;
    assert_eq!(status, 200, "{answer}");
    let token = answer["token"].as_str().unwrap().to_owned();

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
