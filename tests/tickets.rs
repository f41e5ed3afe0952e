//! Tickets against a real Redis and the real binary: idempotent append under concurrency,
//! optimistic concurrency with `expected_version`, the workflow, the ticket API, and a
//! restarted process whose rebuilt projection equals the live one.

use pantau_e2e::{eventually, report, tenant_key, Pantau, RedisServer};
use redis::AsyncCommands;
use serde_json::{json, Value};

/// Open a ticket and return its number.
async fn open_ticket(pantau: &Pantau, description: &str) -> String {
    let (status, body) = pantau.post_event("tangerang", &report(description)).await;
    assert_eq!(status, 202, "{body}");
    body["accepted"][0]["ticket"].as_str().unwrap().to_owned()
}

/// The ticket as this process's projection has it, once it has at least `version`.
async fn ticket_at(pantau: &Pantau, ticket: &str, version: u64) -> Value {
    let path = format!("/api/v1/tangerang/tickets/{ticket}");
    eventually("the projection to reach the version", || {
        let path = path.clone();
        async move {
            let (status, body) = pantau.get(&path).await;
            (status == 200 && body["ticket"]["version"].as_u64() >= Some(version)).then_some(body)
        }
    })
    .await
}

/// 100 concurrent POSTs of the same event id all succeed with one stream id, and exactly one
/// entry (and one ticket number) is written.
#[tokio::test]
async fn concurrent_identical_posts_write_one_entry() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let mut event = report("Sampah menumpuk");
    event["id"] = "0193a5c0-0000-7000-8000-0000000000aa".into();
    let posts = (0..100).map(|_| pantau.post_event("tangerang", &event));
    let answers = futures_util::future::join_all(posts).await;
    let first = &answers[0].1["accepted"][0];
    for (status, body) in &answers {
        assert_eq!(*status, 202, "{body}");
        assert_eq!(body["accepted"][0]["stream_id"], first["stream_id"]);
        assert_eq!(body["accepted"][0]["ticket"], "TGR-000001");
    }
    let fresh = answers
        .iter()
        .filter(|(_, b)| b["accepted"][0]["duplicate"] == false)
        .count();
    assert_eq!(fresh, 1);
    assert_eq!(redis.stream_len("tangerang").await, 1);
    let seq: u64 = redis
        .conn()
        .await
        .get(tenant_key("tangerang", "ticket_seq"))
        .await
        .unwrap();
    assert_eq!(seq, 1);
}

/// A command with a stale `expected_version` gets 409 with the current version and writes
/// nothing; 100 concurrent assignments expecting the same version: exactly one wins.
#[tokio::test]
async fn stale_expected_version_conflicts() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = open_ticket(&pantau, "Jalan rusak").await;
    let path = format!("/api/v1/tangerang/tickets/{ticket}/assign");
    let (status, body) = pantau
        .post(&path, &json!({"agency": "pupr", "expected_version": 1}))
        .await;
    assert_eq!((status, body["version"].as_u64()), (202, Some(2)), "{body}");
    let (status, body) = pantau
        .post(
            &path,
            &json!({"agency": "dlh", "expected_version": 1, "reason": "Salah OPD"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "version_conflict");
    assert_eq!(body["error"]["field"], "expected_version");
    assert_eq!(body["error"]["current_version"], 2);
    assert_eq!(redis.stream_len("tangerang").await, 2);

    let racers = (0..100).map(|i| {
        let officer = ["dishub-rudi", "dishub-wulan"][i % 2];
        let body =
            json!({"agency": "dishub", "officer": officer, "expected_version": 2, "reason": "Urusan lalu lintas"});
        let path = path.clone();
        let pantau = &pantau;
        async move { pantau.post(&path, &body).await.0 }
    });
    let statuses = futures_util::future::join_all(racers).await;
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 99);
    assert_eq!(redis.stream_len("tangerang").await, 3);
}

/// Commands on a ticket that does not exist get 404 and write nothing; a disallowed workflow
/// step gets 409 `invalid_transition`.
#[tokio::test]
async fn missing_tickets_and_invalid_transitions() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (status, body) = pantau
        .post("/api/v1/tangerang/tickets/TGR-000404/comment", &json!({"text": "halo"}))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["field"], "ticket");
    assert_eq!(redis.stream_len("tangerang").await, 0);

    let ticket = open_ticket(&pantau, "Lampu mati").await;
    ticket_at(&pantau, &ticket, 1).await;
    let (status, body) = pantau
        .post(
            &format!("/api/v1/tangerang/tickets/{ticket}/status"),
            &json!({"status": "closed"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "invalid_transition");
    let (status, body) = pantau
        .post(&format!("/api/v1/tangerang/tickets/{ticket}/explode"), &json!({}))
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(redis.stream_len("tangerang").await, 1);
}

/// A ticket worked through its life shows its state and full history; lists filter.
#[tokio::test]
async fn ticket_lifecycle_and_listing() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = open_ticket(&pantau, "Banjir di perumahan").await;
    open_ticket(&pantau, "Sampah di pasar").await;
    let base = format!("/api/v1/tangerang/tickets/{ticket}");
    for (command, body) in [
        (
            "assign",
            json!({"agency": "bpbd", "officer": "bpbd-rina", "reason": "Wilayah banjir"}),
        ),
        ("status", json!({"status": "in_progress", "note": "Tim menuju lokasi"})),
        ("comment", json!({"text": "Pompa air dikerahkan"})),
        ("priority", json!({"priority": "critical"})),
        ("status", json!({"status": "resolved", "note": "Air sudah surut"})),
    ] {
        let (status, answer) = pantau.post(&format!("{base}/{command}"), &body).await;
        assert_eq!(status, 202, "{command}: {answer}");
        // Each step waits for the projection so the next transition is judged on fresh state.
        ticket_at(&pantau, &ticket, answer["version"].as_u64().unwrap()).await;
    }
    let body = ticket_at(&pantau, &ticket, 6).await;
    let t = &body["ticket"];
    assert_eq!(t["status"], "resolved");
    assert_eq!(t["agency"], "bpbd");
    assert_eq!(t["officer"], "bpbd-rina");
    assert_eq!(t["priority"], "critical");
    assert_eq!(t["comments"], 1);
    assert_eq!(t["status_note"], "Air sudah surut");
    assert_eq!(t["kecamatan"]["name"], "Tangerang");
    assert!(t["first_assigned_at"].is_string() && t["resolved_at"].is_string());
    let types: Vec<&str> = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "report.received",
            "ticket.assigned",
            "ticket.status_changed",
            "ticket.commented",
            "ticket.priority_changed",
            "ticket.status_changed"
        ]
    );

    let (_, all) = pantau.get("/api/v1/tangerang/tickets").await;
    assert_eq!(all["total"], 2);
    let (_, resolved) = pantau.get("/api/v1/tangerang/tickets?status=resolved").await;
    assert_eq!(resolved["total"], 1);
    assert_eq!(resolved["tickets"][0]["id"], ticket.as_str());
    let (_, by_agency) = pantau.get("/api/v1/tangerang/tickets?agency=dlh").await;
    assert_eq!(by_agency["total"], 1);
    let (_, text) = pantau.get("/api/v1/tangerang/tickets?q=pasar&kecamatan=36.71.01").await;
    assert_eq!(text["total"], 1);
    let (status, bad) = pantau.get("/api/v1/tangerang/tickets?status=done").await;
    assert_eq!((status, bad["error"]["field"].as_str()), (422, Some("status")));
    let (_, other_tenant) = pantau.get("/api/v1/banjar/tickets").await;
    assert_eq!(other_tenant["total"], 0, "tenants never see each other's tickets");
}

/// A process started on an existing stream — from a stored snapshot plus the stream's tail —
/// holds exactly what the live process held.
#[tokio::test]
async fn restarted_process_rebuilds_the_same_projection() {
    let redis = RedisServer::start().await;
    let live = Pantau::start_with(&redis, &["--snapshot-every", "40"]).await;
    let mut tickets = Vec::new();
    for i in 0..60 {
        tickets.push(open_ticket(&live, &format!("laporan {i}")).await);
    }
    for (i, t) in tickets.iter().enumerate().step_by(3) {
        let base = format!("/api/v1/tangerang/tickets/{t}");
        let officer = ["pupr-andi", "pupr-dewi", "pupr-hendra"][i % 3];
        live.post(
            &format!("{base}/assign"),
            &json!({"agency": "pupr", "officer": officer}),
        )
        .await;
        live.post(&format!("{base}/comment"), &json!({"text": "dicek"})).await;
    }
    let total_events = redis.stream_len("tangerang").await as u64;
    assert_eq!(total_events, 100);
    let everything = "/api/v1/tangerang/tickets?limit=500";
    let before = eventually("the live projection to apply everything", || async {
        let (_, body) = live.get(everything).await;
        let versions: u64 = body["tickets"]
            .as_array()?
            .iter()
            .map(|t| t["version"].as_u64().unwrap())
            .sum();
        (versions == total_events).then_some(body)
    })
    .await;
    let snapshot: Option<String> = redis
        .conn()
        .await
        .get(tenant_key("tangerang", "projection_cursor"))
        .await
        .unwrap();
    assert!(snapshot.is_some(), "a snapshot was stored after 40 entries");
    drop(live);

    let restarted = Pantau::start(&redis).await;
    restarted.wait_ready().await;
    let (_, after) = restarted.get(everything).await;
    assert_eq!(after, before);
}
