//! Open311 `servicerequestupdates` (FixMyStreet's extension) against the real binary: an
//! agency system with its API key pulls the assignment a supervisor made, pushes its
//! progress as FixMyStreet sends it (form-encoded), and a retried POST is written once.
//! Missing keys, bad statuses, invalid moves and another category's key answer in the
//! Open311 error format, naming the parameter.

use pantau_e2e::{eventually, report, Credentials, Pantau, RedisServer};
use serde_json::{json, Value};

const KEY: &str = "tangerang-demo-key";
const BASE: &str = "/open311/v2/tangerang/servicerequestupdates";

fn form(pairs: &[(&str, &str)]) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// POST form-encoded, as FixMyStreet does; status and body text.
async fn post_update(pantau: &Pantau, ext: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let r = pantau
        .http
        .post(pantau.url(&format!("{BASE}.{ext}")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form(pairs))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// GET the updates with `query` (no credentials but what the query carries).
async fn get_updates(pantau: &Pantau, ext: &str, query: &str) -> (u16, String) {
    let r = pantau
        .http
        .get(pantau.url(&format!("{BASE}.{ext}?{query}")))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The window of the last hour, as query parameters (the `+` of an offset encoded).
fn last_hour() -> String {
    let start = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    format!("start_date={}", start.replace('+', "%2B"))
}

/// The ticket's status and its history's event types, as the API tells them.
async fn ticket(pantau: &Pantau, id: &str) -> (String, Vec<(String, String)>) {
    let (status, body) = pantau.get(&format!("/api/v1/tangerang/tickets/{id}")).await;
    assert_eq!(status, 200, "{body}");
    let history = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (body["ticket"]["status"].as_str().unwrap().to_owned(), history)
}

/// A report, assigned by a supervisor, is an update the agency pulls; its POSTed progress
/// moves the ticket once however often it is retried, and shows up in the next pull.
#[tokio::test]
async fn agency_pulls_assignments_and_pushes_progress() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (status, body) = pantau
        .post_event("tangerang", &report("Sampah menumpuk di pasar"))
        .await;
    assert_eq!(status, 202, "{body}");
    let id = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let (status, body) = pantau
        .post_as(
            Credentials::User(&supervisor),
            &format!("/api/v1/tangerang/tickets/{id}/assign"),
            &json!({"agency": "dlh", "officer": "dlh-budi"}),
        )
        .await;
    assert_eq!(status, 202, "{body}");

    let query = format!("api_key={KEY}&{}", last_hour());
    let updates: Value = eventually("the assignment to be an update", || {
        let (pantau, query, id) = (&pantau, query.clone(), id.clone());
        async move {
            let (status, text) = get_updates(pantau, "json", &query).await;
            assert_eq!(status, 200, "{text}");
            let v: Value = serde_json::from_str(&text).unwrap();
            v.as_array()
                .unwrap()
                .iter()
                .any(|u| u["service_request_id"] == id.as_str())
                .then_some(v)
        }
    })
    .await;
    let u = &updates[0];
    assert_eq!(u["service_request_id"], id.as_str());
    assert_eq!(u["status"], "open");
    assert_eq!(u["external_status_code"], "assigned");
    assert!(u["updated_datetime"].as_str().unwrap().ends_with("+07:00"), "{u}");
    for field in ["update_id", "description", "media_url"] {
        assert!(u.get(field).is_some(), "{field} in {u}");
    }
    assert!(!updates.to_string().contains("budi"), "no officers: {updates}");
    assert_eq!(
        updates.as_array().unwrap().len(),
        1,
        "the report itself is no update: {updates}"
    );

    let progress = [
        ("api_key", KEY),
        ("service_request_id", id.as_str()),
        ("update_id", "fms-4711"),
        ("status", "IN_PROGRESS"),
        ("updated_datetime", "2026-12-01T10:00:00+07:00"),
        ("description", "Tim kebersihan menuju lokasi"),
        ("first_name", "Andi"),
        ("email", "andi@dlh.example"),
    ];
    let (status, first) = post_update(&pantau, "json", &progress).await;
    assert_eq!(status, 200, "{first}");
    let first: Value = serde_json::from_str(&first).unwrap();
    let update_id = first[0]["update_id"].as_str().unwrap().to_owned();
    eventually("the ticket to be in progress", || async {
        (ticket(&pantau, &id).await.0 == "in_progress").then_some(())
    })
    .await;
    let (status, again) = post_update(&pantau, "json", &progress).await;
    assert_eq!(status, 200, "{again}");
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again[0]["update_id"], update_id.as_str(), "a retry answers the same id");
    let (_, history) = ticket(&pantau, &id).await;
    let moves: Vec<_> = history.iter().filter(|(t, _)| t == "ticket.status_changed").collect();
    assert_eq!(moves.len(), 1, "written once: {history:?}");
    assert_eq!(moves[0].1, update_id);
    assert!(!history.iter().any(|(t, _)| t == "ticket.commented"), "{history:?}");

    // A description alone (status OPEN) is a comment; the pull shows both, oldest first.
    let note = [
        ("api_key", KEY),
        ("service_request_id", id.as_str()),
        ("update_id", "fms-4712"),
        ("status", "OPEN"),
        ("description", "Truk kedua diminta"),
    ];
    let (status, text) = post_update(&pantau, "json", &note).await;
    assert_eq!(status, 200, "{text}");
    let pulled: Value = eventually("the progress to be pulled", || {
        let (pantau, query) = (&pantau, query.clone());
        async move {
            let (_, text) = get_updates(pantau, "json", &query).await;
            let v: Value = serde_json::from_str(&text).unwrap();
            (v.as_array().unwrap().len() == 3).then_some(v)
        }
    })
    .await;
    assert_eq!(pulled[1]["update_id"], update_id.as_str());
    assert_eq!(pulled[1]["external_status_code"], "in_progress");
    assert_eq!(pulled[1]["description"], "Tim kebersihan menuju lokasi");
    assert_eq!(pulled[2]["description"], "Truk kedua diminta");
    assert!(
        !pulled.to_string().contains("andi@"),
        "personal fields are dropped: {pulled}"
    );

    let (status, xml) = get_updates(&pantau, "xml", &query).await;
    assert_eq!(status, 200);
    assert!(
        xml.contains("<service_request_updates><request_update>") && xml.contains(&update_id),
        "{xml}"
    );

    // Resolved, then a move the workflow does not allow: 409 naming the status.
    let fixed = [
        ("api_key", KEY),
        ("service_request_id", id.as_str()),
        ("update_id", "fms-4713"),
        ("status", "FIXED"),
        ("description", "Sudah diangkut"),
    ];
    let (status, text) = post_update(&pantau, "json", &fixed).await;
    assert_eq!(status, 200, "{text}");
    eventually("the ticket to be resolved", || async {
        (ticket(&pantau, &id).await.0 == "resolved").then_some(())
    })
    .await;
    let pending = [
        ("api_key", KEY),
        ("service_request_id", id.as_str()),
        ("update_id", "fms-4714"),
        ("status", "OPEN"),
        ("external_status_code", "pending_citizen"),
    ];
    let (status, text) = post_update(&pantau, "json", &pending).await;
    assert_eq!(status, 409, "{text}");
    assert!(text.contains("status"), "{text}");
}

/// Without a key, with a bad status, for a request that does not exist or with a key of
/// other categories: the Open311 error list, naming the parameter — and nothing written.
#[tokio::test]
async fn refusals_name_the_parameter() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (status, body) = pantau.post_event("tangerang", &report("Sampah di taman")).await;
    assert_eq!(status, 202, "{body}");
    let id = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let ok = |key: &'static str| {
        vec![
            ("api_key", key),
            ("service_request_id", "TICKET"),
            ("update_id", "u-1"),
            ("status", "IN_PROGRESS"),
            ("description", "x"),
        ]
    };
    let with = |pairs: Vec<(&'static str, &'static str)>, k: &'static str, v: &'static str| {
        let mut pairs: Vec<_> = pairs.into_iter().filter(|(key, _)| *key != k).collect();
        pairs.push((k, v));
        pairs
    };
    let fill = |pairs: Vec<(&'static str, &'static str)>| -> Vec<(String, String)> {
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), if v == "TICKET" { id.clone() } else { v.to_owned() }))
            .collect()
    };
    let errors = |text: &str| -> Value { serde_json::from_str(text).unwrap_or_else(|_| panic!("{text}")) };

    let (status, text) = get_updates(&pantau, "json", &last_hour()).await;
    assert_eq!(status, 403, "{text}");
    assert!(errors(&text)[0]["description"].as_str().unwrap().contains("api_key"));
    let (status, text) = get_updates(&pantau, "json", "api_key=wrong").await;
    assert_eq!(status, 403, "{text}");
    let (status, text) = get_updates(&pantau, "xml", &format!("api_key={KEY}&start_date=yesterday")).await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.contains("<errors><error>") && text.contains("start_date"),
        "{text}"
    );

    let banjir_only = pantau.cli.key_add("tangerang", "banjir-only", &["banjir"]).await;
    let banjir_only: &'static str = Box::leak(banjir_only.into_boxed_str());
    for (pairs, code, field) in [
        (with(ok(KEY), "api_key", ""), 403, "api_key"),
        (with(ok(KEY), "status", "DONE"), 400, "status"),
        (
            with(ok(KEY), "external_status_code", "closed"),
            400,
            "external_status_code",
        ),
        (with(ok(KEY), "update_id", ""), 400, "update_id"),
        (with(ok(KEY), "media_url", "javascript:alert(1)"), 400, "media_url"),
        (
            with(ok(KEY), "service_request_id", "TGR-999999"),
            404,
            "service_request_id",
        ),
        (ok(banjir_only), 403, "service_request_id"),
    ] {
        let pairs = fill(pairs);
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let (status, text) = post_update(&pantau, "json", &refs).await;
        assert_eq!(status, code, "{pairs:?}: {text}");
        let description = errors(&text)[0]["description"].as_str().unwrap().to_owned();
        assert!(description.starts_with(field), "{pairs:?}: {description}");
    }
    // The key of other categories does not see the ticket's updates either.
    let (status, text) = get_updates(&pantau, "json", &format!("api_key={banjir_only}&{}", last_hour())).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(text, "[]");
    let (_, body) = pantau.get(&format!("/api/v1/tangerang/tickets/{id}")).await;
    assert_eq!(body["ticket"]["status"], "received", "nothing was written: {body}");
    assert_eq!(body["history"].as_array().unwrap().len(), 1, "{body}");
}
