//! `http::app()` driven with `oneshot` (no socket, no tailer) over a real redis-server: every
//! route's errors carry the one JSON body `{"error": {code, message, field?}}` with a string
//! code — bad query strings and wrong methods included — and Open311 keeps its spec format.
//! With no tailer the process's projection stays empty, so the status rules seen here are
//! the append script's own. Requests are an admin's of Tangerang (authorisation itself is
//! `authz.rs`).

mod common;

use axum::http::{Method, StatusCode};
use common::{call, call_as, signed_in, Creds};
use pantau_e2e::RedisServer;
use pantau_server::auth::Role;
use pantau_shared::fixtures::posted_report;
use serde_json::{json, Value};

/// `(status, code, field)` of an error answer, checking the body's shape on the way.
fn error_of((status, body): (StatusCode, Value)) -> (u16, String, Option<String>) {
    let error = &body["error"];
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    let code = error["code"]
        .as_str()
        .unwrap_or_else(|| panic!("string code in {body}"));
    (
        status.as_u16(),
        code.to_owned(),
        error["field"].as_str().map(str::to_owned),
    )
}

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

/// A request and the error it must get: method, URI, body, (status, code, field).
type Case = (Method, &'static str, String, (u16, &'static str, Option<String>));

/// Every route of the API answers bad input, unknown things and wrong methods with the one
/// error body, naming the field at fault.
#[tokio::test]
async fn every_route_answers_errors_with_one_body() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let admin = signed_in(&state, &app, Some("tangerang"), "admin", Role::Admin).await;
    let events = "/api/v1/tangerang/events";
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            "/api/v1/atlantis/events",
            posted_report("x").to_string(),
            (404, "unknown_tenant", some("tenant")),
        ),
        (Method::POST, events, "not json".into(), (400, "malformed_json", None)),
        (Method::POST, events, "{}".into(), (422, "invalid_field", some("type"))),
        (Method::POST, events, "x".repeat(5000), (413, "payload_too_large", None)),
        (Method::DELETE, events, String::new(), (405, "method_not_allowed", None)),
        (
            Method::GET,
            "/api/v1/tangerang/tickets?limit=many",
            String::new(),
            (422, "invalid_field", some("limit")),
        ),
        (
            Method::GET,
            "/api/v1/tangerang/tickets?status=lost",
            String::new(),
            (422, "invalid_field", some("status")),
        ),
        (
            Method::GET,
            "/api/v1/atlantis/tickets",
            String::new(),
            (404, "unknown_tenant", some("tenant")),
        ),
        (
            Method::GET,
            "/api/v1/tangerang/tickets/TGR-999999",
            String::new(),
            (404, "not_found", some("ticket")),
        ),
        (
            Method::POST,
            "/api/v1/tangerang/tickets/TGR-1/dance",
            "{}".into(),
            (404, "not_found", some("path")),
        ),
        (
            Method::POST,
            "/api/v1/tangerang/tickets/TGR-999999/comment",
            json!({"text": "hi"}).to_string(),
            (404, "not_found", some("ticket")),
        ),
        (
            Method::POST,
            "/api/v1/tangerang/tickets/TGR-1/status",
            json!({"status": "lost"}).to_string(),
            (422, "invalid_field", some("status")),
        ),
        (
            Method::GET,
            "/api/v1/atlantis/sla",
            String::new(),
            (404, "unknown_tenant", some("tenant")),
        ),
        (
            Method::GET,
            "/api/v1/no/such/route",
            String::new(),
            (404, "not_found", some("path")),
        ),
        (Method::PUT, "/readyz", String::new(), (405, "method_not_allowed", None)),
    ];
    for (method, uri, body, (status, code, field)) in cases {
        let what = format!("{method} {uri}");
        let got = error_of(call(&app, &admin, method, uri, body).await);
        assert_eq!(got, (status, code.to_owned(), field), "{what}");
    }
}

/// Open311 keeps the GeoReport v2 error list (`[{"code", "description"}]`), in JSON here.
#[tokio::test]
async fn open311_errors_keep_the_spec_format() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let admin = signed_in(&state, &app, Some("tangerang"), "admin", Role::Admin).await;
    for (uri, status) in [
        ("/open311/v2/atlantis/services.json", 404),
        ("/open311/v2/tangerang/requests.json?status=weird", 400),
        ("/open311/v2/tangerang/requests/TGR-999999.json", 404),
    ] {
        let (got, body) = call(&app, &Creds::None, Method::GET, uri, "").await;
        assert_eq!(got.as_u16(), status, "{uri}");
        assert_eq!(body[0]["code"], status, "{uri}: {body}");
        assert!(body[0]["description"].as_str().is_some(), "{uri}: {body}");
    }
    let wrong_key = json!({"api_key": "wrong"}).to_string();
    let (got, body) = call(
        &app,
        &admin,
        Method::POST,
        "/open311/v2/tangerang/requests.json",
        wrong_key,
    )
    .await;
    assert_eq!((got.as_u16(), body[0]["code"].as_u64()), (403, Some(403)));
}

/// The append script itself refuses a stale version and an invalid move — this process's
/// projection knows nothing of the ticket — and a batch's `rejected[]` entries carry the
/// same string codes as single answers.
#[tokio::test]
async fn conflicts_are_judged_by_the_store() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let admin = signed_in(&state, &app, Some("tangerang"), "admin", Role::Admin).await;
    let (status, body) = call(
        &app,
        &admin,
        Method::POST,
        "/api/v1/tangerang/events",
        posted_report("sampah").to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let command = |c: &str| format!("/api/v1/tangerang/tickets/{ticket}/{c}");

    let stale = json!({"text": "late", "expected_version": 7}).to_string();
    let (status, body) = call(&app, &admin, Method::POST, &command("comment"), stale).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "version_conflict");
    assert_eq!(body["error"]["current_version"], 1);

    let closed = json!({"status": "closed"}).to_string();
    let got = error_of(call(&app, &admin, Method::POST, &command("status"), closed.clone()).await);
    assert_eq!(
        got,
        (409, "invalid_transition".into(), some("status")),
        "received cannot close"
    );

    let resolved = json!({"status": "resolved"}).to_string();
    let got = error_of(call(&app, &admin, Method::POST, &command("status"), resolved).await);
    assert_eq!(
        got,
        (409, "invalid_transition".into(), some("status")),
        "received cannot resolve"
    );
    let (status, _) = call(
        &app,
        &admin,
        Method::POST,
        &command("assign"),
        json!({"agency": "dlh"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "assigning moves received on");
    let resolved = json!({"status": "resolved"}).to_string();
    let (status, body) = call(&app, &admin, Method::POST, &command("status"), resolved).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["version"], 3);

    let batch = [
        // Tangerang validates follow-ups: the validator's acceptance closes the ticket.
        json!({"type": "ticket.validated", "ticket": ticket, "accepted": true}),
        json!({"type": "ticket.status_changed", "ticket": ticket, "status": "in_progress"}),
        json!({"type": "ticket.commented", "ticket": ticket, "text": "x", "expected_version": 1}),
    ]
    .map(|l| l.to_string())
    .join("\n");
    let (status, body) = call_as(
        &app,
        &admin,
        Method::POST,
        "/api/v1/tangerang/events",
        "application/x-ndjson",
        batch,
    )
    .await;
    assert_eq!(status, StatusCode::MULTI_STATUS);
    assert_eq!(body["accepted"].as_array().unwrap().len(), 1, "{body}");
    let rejected = &body["rejected"];
    assert_eq!(rejected[0]["index"], 1);
    assert_eq!(rejected[0]["error"]["code"], "invalid_transition", "closed is final");
    assert_eq!(rejected[1]["index"], 2);
    assert_eq!(rejected[1]["error"]["code"], "version_conflict");
    assert_eq!(rejected[1]["error"]["current_version"], 4);
}
