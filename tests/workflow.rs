//! The complaint workflow end to end (issue 18), in Tangerang (verification and validation
//! on): a report waits in triage until an operator verifies it (disposition to an agency),
//! asks the citizen (clocks pause) or rejects it with a reason; a resolved ticket waits for a
//! validator, who closes it or refuses the follow-up ("TL ditolak") — back to the agency
//! with its resolution deadline unchanged. Refusals name their field; roles are enforced.

use pantau_e2e::{eventually, report, Credentials, Pantau, RedisServer};
use serde_json::{json, Value};

/// Open a report; its ticket id.
async fn open(pantau: &Pantau, description: &str) -> String {
    let (status, body) = pantau.post_event("tangerang", &report(description)).await;
    assert_eq!(status, 202, "{body}");
    body["accepted"][0]["ticket"]
        .as_str()
        .expect("a ticket number")
        .to_owned()
}

/// The ticket once the server's projection holds `version`.
async fn at_version(pantau: &Pantau, ticket: &str, version: u64) -> Value {
    let path = format!("/api/v1/tangerang/tickets/{ticket}");
    eventually("the projection to reach the version", || async {
        let (_, body) = pantau.get(&path).await;
        (body["ticket"]["version"].as_u64() >= Some(version)).then_some(body)
    })
    .await
}

fn command(ticket: &str, name: &str) -> String {
    format!("/api/v1/tangerang/tickets/{ticket}/{name}")
}

/// Triage: verify to another agency than the suggested one, refuse a second verification,
/// ask the citizen then verify (the pause closes), reject only with a known reason.
#[tokio::test]
async fn triage_verifies_asks_and_rejects() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let operator = pantau.user("tangerang", "operator").await;
    let op = Credentials::User(&operator);

    let ticket = open(&pantau, "Sampah menumpuk di saluran").await;
    let body = at_version(&pantau, &ticket, 1).await;
    assert_eq!(body["ticket"]["status"], "received", "a new report waits in triage");
    assert_eq!(
        body["ticket"]["agency"], "dlh",
        "the category's agency is the suggestion"
    );

    let (status, answer) = pantau
        .post_as(
            op,
            &command(&ticket, "verify"),
            &json!({"agency": "nope", "expected_version": 1}),
        )
        .await;
    assert_eq!((status, &answer["error"]["field"]), (422, &json!("agency")), "{answer}");
    let (status, answer) = pantau
        .post_as(
            op,
            &command(&ticket, "verify"),
            &json!({"agency": "pupr", "officer": "pupr-andi", "note": "Saluran, bukan sampah", "expected_version": 1}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let body = at_version(&pantau, &ticket, 2).await;
    let t = &body["ticket"];
    assert_eq!(
        (t["status"].as_str(), t["agency"].as_str()),
        (Some("assigned"), Some("pupr"))
    );
    assert_eq!(t["officer"], "pupr-andi");
    assert_eq!(t["verified_by"], format!("user:{}", operator.name));
    assert!(
        t["verified_at"].is_string() && t["first_assigned_at"] == t["verified_at"],
        "{t}"
    );
    let last = &body["history"][1];
    assert_eq!(
        (last["type"].as_str(), last["actor"].as_str()),
        (Some("ticket.verified"), t["verified_by"].as_str())
    );

    let (status, answer) = pantau
        .post_as(op, &command(&ticket, "verify"), &json!({"agency": "dlh"}))
        .await;
    assert_eq!(status, 409, "verified once: {answer}");
    assert_eq!(answer["error"]["code"], "invalid_transition");

    // Ask the citizen, then verify: the pause opens and closes.
    let asked = open(&pantau, "Lampu mati, alamat kurang jelas").await;
    at_version(&pantau, &asked, 1).await;
    let (status, answer) = pantau
        .post_as(
            op,
            &command(&asked, "status"),
            &json!({"status": "pending_citizen", "note": "Mohon alamat lengkap"}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let body = at_version(&pantau, &asked, 2).await;
    assert!(
        body["ticket"]["pauses"][0]["to"].is_null(),
        "paused: {}",
        body["ticket"]
    );
    let (status, answer) = pantau
        .post_as(op, &command(&asked, "verify"), &json!({"agency": "dishub"}))
        .await;
    assert_eq!(status, 202, "{answer}");
    let body = at_version(&pantau, &asked, 3).await;
    assert_eq!(body["ticket"]["status"], "assigned");
    assert!(
        body["ticket"]["pauses"][0]["to"].is_string(),
        "the pause ended: {}",
        body["ticket"]
    );

    // Reject: the reason is required and must be a known one.
    let spam = open(&pantau, "iklan pinjol").await;
    at_version(&pantau, &spam, 1).await;
    for (reason, why) in [(Value::Null, "missing"), (json!("boring"), "unknown")] {
        let (status, answer) = pantau
            .post_as(
                op,
                &command(&spam, "status"),
                &json!({"status": "rejected", "reason": reason}),
            )
            .await;
        assert_eq!(
            (status, &answer["error"]["field"]),
            (422, &json!("reason")),
            "{why}: {answer}"
        );
    }
    let (status, answer) = pantau
        .post_as(
            op,
            &command(&spam, "status"),
            &json!({"status": "rejected", "reason": "spam", "note": "Iklan"}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let body = at_version(&pantau, &spam, 2).await;
    assert_eq!(
        (
            body["ticket"]["status"].as_str(),
            body["ticket"]["rejection_reason"].as_str()
        ),
        (Some("rejected"), Some("spam"))
    );
    assert_eq!(
        redis.stream_len("tangerang").await,
        7,
        "3 reports, 4 accepted moves: every refusal wrote nothing"
    );
}

/// Validation: a resolved ticket cannot be closed directly; a refusal needs a reason, sends
/// it back in progress with the same resolution deadline and counts; acceptance closes it.
#[tokio::test]
async fn validation_closes_or_sends_back() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let supervisor = pantau.user("tangerang", "supervisor").await;
    let viewer = pantau.user("tangerang", "viewer").await;
    let sup = Credentials::User(&supervisor);

    let ticket = open(&pantau, "Jalan berlubang").await;
    at_version(&pantau, &ticket, 1).await;
    for (i, (name, body)) in [
        ("verify", json!({"agency": "pupr"})),
        ("status", json!({"status": "in_progress"})),
        ("status", json!({"status": "resolved", "note": "Sudah ditambal"})),
    ]
    .into_iter()
    .enumerate()
    {
        let (status, answer) = pantau.post_as(sup, &command(&ticket, name), &body).await;
        assert_eq!(status, 202, "step {i}: {answer}");
    }
    let before = at_version(&pantau, &ticket, 4).await;
    let deadline = before["ticket"]["sla"]["resolution"]["deadline"].clone();
    assert!(deadline.is_string(), "{}", before["ticket"]);

    let (status, answer) = pantau
        .post_as(sup, &command(&ticket, "status"), &json!({"status": "closed"}))
        .await;
    assert_eq!(status, 409, "closed only by validation: {answer}");
    assert!(
        answer["error"]["message"].as_str().unwrap().contains("validat"),
        "{answer}"
    );
    let (status, answer) = pantau
        .post_as(
            Credentials::User(&viewer),
            &command(&ticket, "validate"),
            &json!({"accepted": true}),
        )
        .await;
    assert_eq!(status, 403, "{answer}");
    let (status, answer) = pantau
        .post_as(sup, &command(&ticket, "validate"), &json!({"accepted": false}))
        .await;
    assert_eq!((status, &answer["error"]["field"]), (422, &json!("reason")), "{answer}");

    let (status, answer) = pantau
        .post_as(
            sup,
            &command(&ticket, "validate"),
            &json!({"accepted": false, "reason": "Lubang masih ada", "site_check": true, "expected_version": 4}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let back = at_version(&pantau, &ticket, 5).await;
    let t = &back["ticket"];
    assert_eq!(
        (t["status"].as_str(), t["follow_up_rejections"].as_u64()),
        (Some("in_progress"), Some(1))
    );
    assert!(t["resolved_at"].is_null());
    assert_eq!(t["sla"]["resolution"]["deadline"], deadline, "the clock kept its start");
    let (status, answer) = pantau
        .post_as(sup, &command(&ticket, "validate"), &json!({"accepted": true}))
        .await;
    assert_eq!(status, 409, "only a resolved ticket is validated: {answer}");

    let (status, answer) = pantau
        .post_as(
            sup,
            &command(&ticket, "status"),
            &json!({"status": "resolved", "note": "Ditambal ulang"}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let (status, answer) = pantau
        .post_as(
            sup,
            &command(&ticket, "validate"),
            &json!({"accepted": true, "expected_version": 6}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let done = at_version(&pantau, &ticket, 7).await;
    assert_eq!(done["ticket"]["status"], "closed");
    assert_eq!(done["ticket"]["follow_up_rejections"], 1);
    let types: Vec<&str> = done["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "report.received",
            "ticket.verified",
            "ticket.status_changed",
            "ticket.status_changed",
            "ticket.validated",
            "ticket.status_changed",
            "ticket.validated"
        ]
    );
}

/// A source system's key may report and update progress, but not verify, validate or
/// merge: those are a person's calls (403 `workflow`, nothing written).
#[tokio::test]
async fn keys_may_not_judge() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let ticket = open(&pantau, "Pohon tumbang").await;
    at_version(&pantau, &ticket, 1).await;
    for event in [
        json!({"type": "ticket.verified", "ticket": ticket, "agency": "dlh"}),
        json!({"type": "ticket.validated", "ticket": ticket, "accepted": true}),
        json!({"type": "ticket.merged", "ticket": ticket, "primary": "TGR-000099"}),
    ] {
        let (status, body) = pantau.post_event("tangerang", &event).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("workflow")),
            "{event}: {body}"
        );
    }
    assert_eq!(redis.stream_len("tangerang").await, 1);
}
