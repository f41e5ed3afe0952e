//! Ingest over HTTP against a real Redis: accepted events are in the stream, retries are
//! idempotent, and bad input gets a JSON error naming the field with nothing written.

use pantau_e2e::{report, report_batch, Pantau, RedisServer};

/// A 202 answer means the event is in `pantau:{tenant}:events`, whole, with its ticket.
#[tokio::test]
async fn accepted_event_is_in_the_stream() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (status, body) = pantau.post_event("tangerang", &report("Sampah di Jl. Perintis")).await;
    assert_eq!(status, 202, "{body}");
    let accepted = &body["accepted"][0];
    let stream_id = accepted["stream_id"].as_str().unwrap();
    assert_eq!(accepted["ticket"], "TGR-000001");

    let stream = redis.stream_events("tangerang").await;
    assert_eq!(stream.len(), 1);
    let (id, event) = &stream[0];
    assert_eq!(id, stream_id);
    assert_eq!(event["id"], accepted["id"]);
    assert_eq!(event["ticket"], "TGR-000001");
    assert_eq!(event["type"], "report.received");
    assert_eq!(event["description"], "Sampah di Jl. Perintis");
    assert_eq!(event["tenant"], "tangerang");
}

/// Posting the same event id twice returns the original stream id and writes one entry.
#[tokio::test]
async fn retried_event_returns_the_original() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let mut event = report("Lampu mati");
    event["id"] = "0193a5c0-0000-7000-8000-00000000beef".into();
    let (s1, first) = pantau.post_event("tangerang", &event).await;
    let (s2, second) = pantau.post_event("tangerang", &event).await;
    assert_eq!((s1, s2), (202, 202));
    assert_eq!(first["accepted"][0]["stream_id"], second["accepted"][0]["stream_id"]);
    assert_eq!(first["accepted"][0]["ticket"], second["accepted"][0]["ticket"]);
    assert_eq!(first["accepted"][0]["duplicate"], false);
    assert_eq!(second["accepted"][0]["duplicate"], true);
    assert_eq!(redis.stream_len("tangerang").await, 1);
}

/// Malformed JSON, missing or out-of-range fields, oversized bodies and unknown tenants get
/// the right status and a JSON error naming the field — and Redis stays empty.
#[tokio::test]
async fn bad_input_gets_json_error_and_writes_nothing() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let valid = report("x");
    let without = |field: &str| {
        let mut v = valid.clone();
        v.as_object_mut().unwrap().remove(field);
        v.to_string()
    };
    let with = |field: &str, value: serde_json::Value| {
        let mut v = valid.clone();
        v[field] = value;
        v.to_string()
    };
    let cases: Vec<(&str, String, u16, &str, Option<&str>)> = vec![
        (
            "tangerang",
            "{\"type\": \"report.received\",".into(),
            400,
            "malformed_json",
            None,
        ),
        ("tangerang", without("category"), 422, "invalid_field", Some("category")),
        (
            "tangerang",
            without("description"),
            422,
            "invalid_field",
            Some("description"),
        ),
        ("tangerang", with("lat", 91.5.into()), 422, "invalid_field", Some("lat")),
        (
            "tangerang",
            with("lon", (-181).into()),
            422,
            "invalid_field",
            Some("lon"),
        ),
        (
            "tangerang",
            with("lat", "south".into()),
            422,
            "invalid_field",
            Some("lat"),
        ),
        (
            "tangerang",
            with("type", "report.deleted".into()),
            422,
            "invalid_field",
            Some("type"),
        ),
        (
            "tangerang",
            with("description", "x".repeat(2 * 1024 * 1024).into()),
            413,
            "payload_too_large",
            None,
        ),
        ("atlantis", valid.to_string(), 404, "unknown_tenant", Some("tenant")),
    ];
    // The auth records (the superadmin and its session, the ingest key, the demo keys seeded
    // from the configuration) share the tenants' hash tags and exist before any event: what
    // counts is a key that is new after the refused posts.
    pantau.ingest_key("tangerang").await;
    let before = tenant_keys(&redis).await;
    for (tenant, body, status, code, field) in cases {
        let (got, answer) = pantau.post_raw(&format!("/api/v1/{tenant}/events"), body).await;
        assert_eq!(got, status, "{answer}");
        assert_eq!(answer["error"]["code"], code, "{answer}");
        assert!(
            answer["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{answer}"
        );
        if let Some(field) = field {
            assert_eq!(answer["error"]["field"], field, "{answer}");
        }
    }
    // Tenant data only (the SLA emitter's lease key lives outside the tenants).
    let keys: Vec<String> = tenant_keys(&redis)
        .await
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    assert!(keys.is_empty(), "a refused event wrote something: {keys:?}");
}

/// Every key under a tenant's hash tag, sorted.
async fn tenant_keys(redis: &RedisServer) -> Vec<String> {
    let mut keys: Vec<String> = redis::cmd("KEYS")
        .arg("pantau:{*")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    keys.sort();
    keys
}

/// An NDJSON batch is appended in line order; a bad line refuses the whole batch, naming
/// the line and field, and writes nothing.
#[tokio::test]
async fn ndjson_batches_are_all_or_nothing_on_validation() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (batch, ids) = report_batch("banyak", 3);
    let (status, body) = pantau.post_batch("tangerang", batch).await;
    assert_eq!(status, 202, "{body}");
    let tickets: Vec<_> = body["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ticket"].as_str().unwrap())
        .collect();
    assert_eq!(tickets, ["TGR-000001", "TGR-000002", "TGR-000003"]);
    let accepted: Vec<_> = body["accepted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(accepted, ids);

    let mut off_the_map = report("x");
    off_the_map["lat"] = (-96.1888).into();
    let bad = format!("{}\n{}\n", report("baik"), off_the_map);
    let (status, body) = pantau.post_batch("tangerang", bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "[1].lat");
    assert_eq!(
        redis.stream_len("tangerang").await,
        3,
        "the refused batch wrote nothing"
    );
}
