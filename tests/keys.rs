//! Ingest API keys and the actor of events against the real binary: keys are made and revoked
//! with the real CLI (`pantau key add|revoke`) and a revocation holds from the very next
//! request, in every process; a key acts only in its tenant and categories; and the server,
//! never the body, says who did something: `key:<name>` or `user:<name>`.

use pantau_e2e::{report, report_in, Credentials, Pantau, RedisServer};
use serde_json::{json, Value};

/// The stored event whose `id` is `id`.
async fn stored(redis: &RedisServer, tenant: &str, id: &str) -> Value {
    redis
        .stream_events(tenant)
        .await
        .into_iter()
        .map(|(_, e)| e)
        .find(|e| e["id"] == id)
        .unwrap_or_else(|| panic!("event {id} is not in {tenant}'s stream"))
}

/// An Open311 `POST requests.json` with `api_key`, form-encoded; the status.
async fn open311_post(pantau: &Pantau, api_key: &str) -> (u16, Value) {
    let form = format!(
        "api_key={api_key}&service_code=banjir&lat=-6.1702&long=106.6403&description=Genangan+air&actor=user%3Amallory"
    );
    let response = pantau
        .request(
            reqwest::Method::POST,
            "/open311/v2/tangerang/requests.json",
            Credentials::Nobody,
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// A key works until `pantau key revoke`; the next request with it — to either of two
/// processes, over the ingest API or Open311 — is refused and writes nothing.
#[tokio::test]
async fn a_revoked_key_is_refused_on_the_next_request() {
    let redis = RedisServer::start().await;
    let a = Pantau::start(&redis).await;
    let b = Pantau::start(&redis).await;
    let secret = a.cli.key_add("tangerang", "laksa", &[]).await;
    for server in [&a, &b] {
        let (status, body) = server
            .post_event_as(Credentials::Key(&secret), "tangerang", &report("sebelum dicabut"))
            .await;
        assert_eq!(status, 202, "{body}");
    }
    assert_eq!(open311_post(&a, &secret).await.0, 201);

    a.cli.key_revoke("tangerang", "laksa").await;
    for server in [&a, &b] {
        let (status, body) = server
            .post_event_as(Credentials::Key(&secret), "tangerang", &report("sesudah dicabut"))
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (401, Some("unauthenticated")),
            "{body}"
        );
    }
    let (status, body) = open311_post(&b, &secret).await;
    assert_eq!(status, 403, "{body}");
    assert!(body[0]["description"].as_str().unwrap().contains("api_key"), "{body}");
    assert_eq!(redis.stream_len("tangerang").await, 3, "refused requests wrote nothing");
    // Other keys are untouched.
    assert_eq!(a.post_event("tangerang", &report("kunci lain")).await.0, 202);
}

/// A key acts only in its own tenant and, when narrowed, only in its categories; requests
/// without credentials, or with a session but no CSRF token, are refused.
#[tokio::test]
async fn keys_are_scoped_and_writes_need_credentials() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let flood_only = pantau.cli.key_add("tangerang", "bpbd", &["banjir"]).await;
    let as_bpbd = Credentials::Key(&flood_only);
    let (status, body) = pantau
        .post_event_as(as_bpbd, "tangerang", &report_in("banjir", "Banjir"))
        .await;
    assert_eq!(status, 202, "{body}");
    let (status, body) = pantau
        .post_event_as(as_bpbd, "tangerang", &report_in("sampah", "Sampah"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("category")),
        "{body}"
    );

    let banjar = pantau.ingest_key("banjar").await.unwrap();
    let (status, body) = pantau
        .post_event_as(Credentials::Key(&banjar), "tangerang", &report("salah kota"))
        .await;
    assert_eq!(status, 401, "another tenant's key is no key here: {body}");
    let (status, body) = pantau
        .post_event_as(Credentials::Nobody, "tangerang", &report("tanpa kunci"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated")),
        "{body}"
    );

    let admin = pantau.user("tangerang", "admin").await;
    let response = pantau
        .request(reqwest::Method::POST, "/api/v1/tangerang/events", Credentials::Nobody)
        .header(reqwest::header::COOKIE, admin.cookie())
        .json(&report("tanpa token CSRF"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403, "a cookie without the CSRF token");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "csrf", "{body}");
    assert_eq!(
        redis.stream_len("tangerang").await,
        1,
        "only the flood report was written"
    );
}

/// The actor is the caller whatever the body claims: `key:<name>` for a key (also through
/// Open311, for the keys seeded from the configuration), `user:<name>` for a signed-in
/// person's events and ticket commands.
#[tokio::test]
async fn the_server_stamps_the_actor() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let mut claimed = report("Mengaku orang lain");
    claimed["actor"] = "user:mallory".into();

    let secret = pantau.cli.key_add("tangerang", "laksa-app", &[]).await;
    let (status, body) = pantau
        .post_event_as(Credentials::Key(&secret), "tangerang", &claimed)
        .await;
    assert_eq!(status, 202, "{body}");
    let by_key = stored(&redis, "tangerang", body["accepted"][0]["id"].as_str().unwrap()).await;
    assert_eq!(by_key["actor"], "key:laksa-app");
    let ticket = by_key["ticket"].as_str().unwrap().to_owned();

    let admin = pantau.user("tangerang", "admin").await;
    let (status, body) = pantau
        .post_event_as(Credentials::User(&admin), "tangerang", &claimed)
        .await;
    assert_eq!(status, 202, "{body}");
    let by_admin = stored(&redis, "tangerang", body["accepted"][0]["id"].as_str().unwrap()).await;
    assert_eq!(by_admin["actor"], format!("user:{}", admin.name));

    let operator = pantau.user("tangerang", "operator").await;
    let comment = json!({"text": "Sudah dicek", "actor": "system"});
    let (status, body) = pantau
        .post_as(
            Credentials::User(&operator),
            &format!("/api/v1/tangerang/tickets/{ticket}/comment"),
            &comment,
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let commented = redis
        .stream_events("tangerang")
        .await
        .into_iter()
        .map(|(_, e)| e)
        .find(|e| e["type"] == "ticket.commented")
        .expect("the comment is stored");
    assert_eq!(commented["actor"], format!("user:{}", operator.name));

    let (status, body) = open311_post(&pantau, "tangerang-demo-key").await;
    assert_eq!(status, 201, "{body}");
    let by_open311 = redis
        .stream_events("tangerang")
        .await
        .into_iter()
        .map(|(_, e)| e)
        .find(|e| e["ticket"] == body[0]["service_request_id"])
        .expect("the Open311 report is stored");
    assert_eq!(by_open311["actor"], "key:demo-citizen-app");
}
