//! The ping-pong alert end to end: two server processes share one Redis (and the SLA
//! lease); a ticket reassigned between agencies three times gets exactly one
//! `alert.raised` in its history — not another after a fourth reassignment, nor from the
//! second process — and both processes show it on the ticket with its chain of agencies.

use chrono::Duration;
use pantau_e2e::{dated_report, eventually, Pantau, RedisServer};
use serde_json::{json, Value};

const TICKET: &str = "/api/v1/tangerang/tickets/TGR-000001";

/// The `alert.raised` events of the tenant's stream.
async fn alerts(redis: &RedisServer) -> Vec<Value> {
    redis
        .stream_events("tangerang")
        .await
        .into_iter()
        .map(|(_, e)| e)
        .filter(|e| e["type"] == "alert.raised")
        .collect()
}

/// The ticket as `server` holds it once its projection is at `version` or later.
async fn ticket_at(server: &Pantau, version: u64) -> Value {
    eventually("the projection to reach the version", || async move {
        let (_, body) = server.get(TICKET).await;
        (body["ticket"]["version"].as_u64() >= Some(version)).then_some(body)
    })
    .await
}

/// Three reassignments between agencies raise one `ping_pong` alert (by `system`, with the
/// chain), recorded once across two processes and not again after a fourth.
#[tokio::test]
async fn three_reassignments_raise_one_alert() {
    let redis = RedisServer::start().await;
    let args = ["--sla-tick-ms", "50", "--sla-lease-ms", "1000"];
    let a = Pantau::start_with(&redis, &args).await;
    let b = Pantau::start_with(&redis, &args).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let (status, body) = a
        .post_event(
            "tangerang",
            &dated_report("Sampah di selokan", "sampah", Duration::zero()),
        )
        .await;
    assert_eq!(status, 202, "{body}");

    // Routed to DLH at intake, then PUPR, DLH, PUPR: three changes of agency.
    let steps = [
        json!({"agency": "pupr", "officer": "pupr-andi"}),
        json!({"agency": "dlh", "reason": "Sampah, bukan drainase"}),
        json!({"agency": "pupr", "officer": "pupr-dewi", "reason": "Saluran tersumbat"}),
    ];
    for (i, step) in steps.iter().enumerate() {
        let (status, answer) = a.post(&format!("{TICKET}/assign"), step).await;
        assert_eq!(status, 202, "step {i}: {answer}");
        ticket_at(&a, answer["version"].as_u64().unwrap()).await;
    }
    let raised = eventually("the alert in the stream", || async {
        let found = alerts(&redis).await;
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(raised.len(), 1);
    let alert = &raised[0];
    assert_eq!(
        (
            alert["ticket"].as_str(),
            alert["actor"].as_str(),
            alert["kind"].as_str()
        ),
        (Some("TGR-000001"), Some("system"), Some("ping_pong"))
    );
    assert_eq!(alert["chain"], json!(["dlh", "pupr", "dlh", "pupr"]));
    assert_eq!(alert["reassignments"], 3);
    for server in [&a, &b] {
        let body = ticket_at(server, 5).await;
        assert_eq!(body["ticket"]["alerts"], json!(["ping_pong"]));
        assert_eq!(body["ticket"]["agency_chain"].as_array().unwrap().len(), 4);
    }

    // A fourth change, then an overdue report as a barrier: its breaches are emitted on a
    // tick after the lease holder's projection holds everything before them.
    let (status, answer) = b
        .post(
            &format!("{TICKET}/assign"),
            &json!({"agency": "bpbd", "reason": "Banjir"}),
        )
        .await;
    assert_eq!(status, 202, "{answer}");
    let (status, _) = b
        .post_event("tangerang", &dated_report("Sampah lama", "sampah", Duration::days(2)))
        .await;
    assert_eq!(status, 202);
    eventually("the overdue report's breaches", || async {
        let events = redis.stream_events("tangerang").await;
        let breaches = events
            .iter()
            .filter(|(_, e)| e["ticket"] == "TGR-000002" && e["type"] == "sla.breached")
            .count();
        (breaches == 2).then_some(())
    })
    .await;
    assert_eq!(alerts(&redis).await.len(), 1, "one alert, ever");
    let body = ticket_at(&a, 6).await;
    let history: Vec<&str> = body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        history.iter().filter(|t| **t == "alert.raised").count(),
        1,
        "{history:?}"
    );
    assert_eq!(body["ticket"]["agency"], "bpbd");
}
