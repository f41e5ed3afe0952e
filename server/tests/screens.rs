//! Pairing a wall screen end to end through the API (no socket): the screen gets a code and
//! polls; an admin claims the code; the next poll hands the display token over once; the
//! socket's gate admits it as a viewer of its tenant only; renaming shows in the list; after
//! revocation the gate refuses it. Every step is in the audit trail.

mod common;

use axum::http::{Method, StatusCode};
use common::{call, signed_in, Creds};
use pantau_e2e::RedisServer;
use pantau_server::auth::{Action, Role};
use pantau_server::realtime::session::{Credentials, Gate};
use serde_json::json;

/// A screen is paired by its code, watches only its tenant, and stops when revoked.
#[tokio::test]
async fn a_screen_is_paired_watches_and_is_revoked() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let admin = signed_in(&state, &app, Some("tangerang"), "admin", Role::Admin).await;

    let (status, pairing) = call(&app, &Creds::None, Method::POST, "/api/v1/screens/pairing", "").await;
    assert_eq!(status, StatusCode::CREATED);
    let code = pairing["code"].as_str().unwrap().to_owned();
    let poll = format!("/api/v1/screens/pairing/{}", pairing["poll"].as_str().unwrap());
    assert_eq!(code.len(), 6);
    let (status, answer) = call(&app, &Creds::None, Method::GET, &poll, "").await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (StatusCode::ACCEPTED, Some("waiting"))
    );

    let claim = json!({ "code": code.to_lowercase(), "name": "Ruang Kendali 1", "panels": "all,agencies", "rotate": 20, "lang": "id" });
    let (status, screen) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/tangerang/screens",
        claim.to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{screen}");
    let id = screen["id"].as_str().unwrap().to_owned();
    let (status, again) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/tangerang/screens",
        claim.to_string(),
    )
    .await;
    assert_eq!(
        (status, again["error"]["field"].as_str()),
        (StatusCode::NOT_FOUND, Some("code")),
        "a code pairs once"
    );

    let (status, answer) = call(&app, &Creds::None, Method::GET, &poll, "").await;
    assert_eq!((status, answer["status"].as_str()), (StatusCode::OK, Some("paired")));
    assert_eq!(answer["layout"]["rotate"], 20);
    let token = answer["token"].as_str().unwrap().to_owned();
    let (status, _) = call(&app, &Creds::None, Method::GET, &poll, "").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the token is handed out once");

    let screen = state
        .admit(&Credentials::Display(token.clone()))
        .await
        .unwrap()
        .expect("paired");
    assert!(screen.may(Action::Subscribe, "tangerang") && !screen.may(Action::Subscribe, "banjar"));
    assert!(!screen.may(Action::Comment, "tangerang"), "screens only watch");

    let rename = json!({ "name": "Lobi" }).to_string();
    let (status, _) = call(
        &app,
        &admin,
        Method::PATCH,
        &format!("/api/v1/tangerang/screens/{id}"),
        rename,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = call(&app, &admin, Method::GET, "/api/v1/tangerang/screens", "").await;
    assert_eq!(list[0]["name"], "Lobi");
    assert!(
        list[0]["last_seen"].is_string(),
        "the gate's check counts as seen: {list}"
    );

    let (status, _) = call(
        &app,
        &admin,
        Method::DELETE,
        &format!("/api/v1/tangerang/screens/{id}"),
        "",
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(state.admit(&Credentials::Display(token)).await, Ok(None), "revoked");

    let (_, trail) = call(&app, &admin, Method::GET, "/api/v1/tangerang/audit", "").await;
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["action"].as_str())
        .collect();
    for action in ["signed_in", "screen_paired", "screen_revoked"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let (_, mine) = call(
        &app,
        &admin,
        Method::GET,
        "/api/v1/tangerang/audit?actor=user:admin",
        "",
    )
    .await;
    assert!(mine.as_array().unwrap().iter().all(|l| l["actor"] == "user:admin"));
}
