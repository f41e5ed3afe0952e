//! The supervisor console's API over a real redis-server (no socket; the test folds the
//! stream into the process's projection itself, as the tailer would): a reassignment needs
//! a reason, officers are checked against the tenant's list, a bulk reassignment judges
//! each ticket on its own and is for supervisors only, and the workload endpoint counts
//! per agency and officer.

mod common;

use axum::http::{Method, StatusCode};
use common::{call, key, signed_in, Creds};
use pantau_e2e::RedisServer;
use pantau_server::auth::Role;
use pantau_server::state::AppState;
use pantau_shared::cursor::Cursor;
use pantau_shared::fixtures::posted_report;
use serde_json::{json, Value};

const TENANT: &str = "tangerang";

/// Fold everything the stream holds into the process's projection (the tailer's job).
async fn catch_up(state: &AppState) {
    let tenant = state.tenants.get(TENANT).unwrap();
    let live = state.live(tenant);
    let after = live.read().cursor();
    let until = Cursor {
        ms: u64::MAX,
        seq: u64::MAX,
    };
    let events = state.store.range_after(TENANT, after, until, 10_000).await.unwrap();
    live.write().apply_batch(&events);
}

/// `n` new tickets (garbage reports, routed to `dlh` at intake), caught up.
async fn tickets(state: &AppState, app: &axum::Router, n: usize) -> Vec<String> {
    let source = key(state, TENANT, &format!("source-{n}"), &[]).await;
    let mut ids = Vec::new();
    for i in 0..n {
        let report = posted_report(&format!("Sampah menumpuk {i}")).to_string();
        let (status, body) = call(app, &source, Method::POST, "/api/v1/tangerang/events", report).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        ids.push(body["accepted"][0]["ticket"].as_str().unwrap().to_owned());
    }
    catch_up(state).await;
    ids
}

async fn assign(app: &axum::Router, creds: &Creds, ticket: &str, body: Value) -> (StatusCode, Value) {
    let uri = format!("/api/v1/tangerang/tickets/{ticket}/assign");
    call(app, creds, Method::POST, &uri, body.to_string()).await
}

async fn bulk(app: &axum::Router, creds: &Creds, body: Value) -> (StatusCode, Value) {
    let uri = "/api/v1/tangerang/tickets/bulk/assign";
    call(app, creds, Method::POST, uri, body.to_string()).await
}

/// A first assignment needs no reason; once assigned, an assignment without a (non-blank)
/// reason is refused naming `reason` and writes nothing; with one it is accepted.
#[tokio::test]
async fn a_reassignment_needs_a_reason() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let supervisor = signed_in(&state, &app, Some(TENANT), "sari", Role::Supervisor).await;
    let ticket = tickets(&state, &app, 1).await.remove(0);

    let (status, body) = assign(&app, &supervisor, &ticket, json!({"agency": "pupr"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "first assignment: {body}");
    catch_up(&state).await;
    for body in [json!({"agency": "dlh"}), json!({"agency": "dlh", "reason": "   "})] {
        let (status, answer) = assign(&app, &supervisor, &ticket, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["field"], "reason");
    }
    assert_eq!(redis.stream_len(TENANT).await, 2);
    let (status, body) = assign(
        &app,
        &supervisor,
        &ticket,
        json!({"agency": "dlh", "reason": "Bukan kewenangan PUPR"}),
    )
    .await;
    assert_eq!(
        (status, body["version"].as_u64()),
        (StatusCode::ACCEPTED, Some(3)),
        "{body}"
    );
}

/// An officer must be one of the agency's officers (field `officer`); an unknown agency is
/// refused naming `agency`; the agency's own officer is accepted and shown on the ticket.
#[tokio::test]
async fn officers_are_checked_against_the_agency() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let supervisor = signed_in(&state, &app, Some(TENANT), "sari", Role::Supervisor).await;
    let ticket = tickets(&state, &app, 1).await.remove(0);

    let (status, body) = assign(
        &app,
        &supervisor,
        &ticket,
        json!({"agency": "pupr", "officer": "dlh-budi"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("officer")),
        "{body}"
    );
    let (status, body) = assign(&app, &supervisor, &ticket, json!({"agency": "kominfo"})).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("agency"))
    );
    let (status, body) = assign(
        &app,
        &supervisor,
        &ticket,
        json!({"agency": "pupr", "officer": "pupr-andi"}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    catch_up(&state).await;
    let (_, read) = call(
        &app,
        &supervisor,
        Method::GET,
        &format!("/api/v1/tangerang/tickets/{ticket}"),
        "",
    )
    .await;
    assert_eq!(read["ticket"]["officer"], "pupr-andi");
    let chain: Vec<&str> = read["ticket"]["agency_chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["agency"].as_str().unwrap())
        .collect();
    assert_eq!(chain, ["dlh", "pupr"]);
}

/// A bulk reassignment: each ticket on its own — the stale version gets 409 with the
/// current version, the others 202, in the order sent, each event by the supervisor with
/// the reason; a malformed or unknown ticket is its own refusal; no reason, no tickets or
/// a foreign officer refuse the whole request; an operator is refused (403).
#[tokio::test]
async fn bulk_reassign_judges_each_ticket() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let supervisor = signed_in(&state, &app, Some(TENANT), "sari", Role::Supervisor).await;
    let operator = signed_in(&state, &app, Some(TENANT), "ops", Role::Operator).await;
    let ids = tickets(&state, &app, 3).await;
    let (status, _) = call(
        &app,
        &operator,
        Method::POST,
        &format!("/api/v1/tangerang/tickets/{}/comment", ids[1]),
        json!({"text": "sudah dicek"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let selection: Vec<Value> = ids
        .iter()
        .map(|t| json!({"ticket": t, "expected_version": 1}))
        .chain([json!({"ticket": "TGR-999999"}), json!({"ticket": "nonsense"})])
        .collect();
    let body =
        json!({"tickets": selection, "agency": "pupr", "officer": "pupr-dewi", "reason": "Drainase, bukan sampah"});
    let (status, answer) = bulk(&app, &operator, body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    let (status, answer) = bulk(&app, &supervisor, body.clone()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    let statuses: Vec<(&str, u64)> = results
        .iter()
        .map(|r| (r["ticket"].as_str().unwrap(), r["status"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        statuses,
        [
            (ids[0].as_str(), 202),
            (ids[1].as_str(), 409),
            (ids[2].as_str(), 202),
            ("TGR-999999", 404),
            ("nonsense", 422)
        ]
    );
    assert_eq!(results[0]["accepted"]["version"], 2);
    assert_eq!(results[1]["error"]["code"], "version_conflict");
    assert_eq!(results[1]["error"]["current_version"], 2);
    assert_eq!(results[4]["error"]["field"], "ticket");
    let assigned: Vec<Value> = redis
        .stream_events(TENANT)
        .await
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e["type"] == "ticket.assigned")
        .collect();
    assert_eq!(assigned.len(), 2);
    for e in &assigned {
        assert_eq!(
            (e["actor"].as_str(), e["officer"].as_str(), e["reason"].as_str()),
            (Some("user:sari"), Some("pupr-dewi"), Some("Drainase, bukan sampah"))
        );
    }

    let stream_len = redis.stream_len(TENANT).await;
    let one = json!([{"ticket": ids[2], "expected_version": 2}]);
    for (body, field) in [
        (json!({"tickets": one, "agency": "dlh"}), "reason"),
        (json!({"tickets": one, "agency": "dlh", "reason": " "}), "reason"),
        (json!({"tickets": [], "agency": "dlh", "reason": "x"}), "tickets"),
        (
            json!({"tickets": one, "agency": "dlh", "officer": "pupr-andi", "reason": "x"}),
            "officer",
        ),
    ] {
        let (status, answer) = bulk(&app, &supervisor, body).await;
        assert_eq!(
            (status, answer["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{answer}"
        );
    }
    assert_eq!(redis.stream_len(TENANT).await, stream_len, "refusals write nothing");
}

/// The workload endpoint counts open tickets per agency and per officer, busiest first,
/// and answers with the server time.
#[tokio::test]
async fn workload_counts_per_agency_and_officer() {
    let redis = RedisServer::start().await;
    let (state, app) = common::app(&redis).await;
    let supervisor = signed_in(&state, &app, Some(TENANT), "sari", Role::Supervisor).await;
    let viewer = signed_in(&state, &app, Some(TENANT), "lihat", Role::Viewer).await;
    let ids = tickets(&state, &app, 4).await;
    for (ticket, officer) in ids.iter().take(3).zip(["pupr-andi", "pupr-andi", "pupr-dewi"]) {
        let (status, body) = assign(&app, &supervisor, ticket, json!({"agency": "pupr", "officer": officer})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let (status, body) = call(
        &app,
        &supervisor,
        Method::POST,
        &format!("/api/v1/tangerang/tickets/{}/status", ids[0]),
        json!({"status": "in_progress"}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    catch_up(&state).await;

    let before = chrono::Utc::now().timestamp_millis();
    let (status, answer) = call(&app, &viewer, Method::GET, "/api/v1/tangerang/workload", "").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert!(answer["server_time"].as_i64().unwrap() >= before);
    let rows: Vec<(&str, Option<&str>, u64, u64)> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["agency"].as_str().unwrap(),
                r["officer"].as_str(),
                r["open"].as_u64().unwrap(),
                r["in_progress"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("pupr", None, 3, 1),
            ("pupr", Some("pupr-andi"), 2, 1),
            ("dlh", None, 1, 0),
            ("pupr", Some("pupr-dewi"), 1, 0),
        ]
    );
    let first = &answer["rows"][0];
    assert_eq!(
        (first["breached"].as_u64(), first["resolved_today"].as_u64()),
        (Some(0), Some(0))
    );
    assert!(first["oldest_open_ms"].as_i64().unwrap() <= before);
}
