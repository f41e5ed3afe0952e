//! The SLA engine end to end: deadlines on tickets, in `sla_now`, in the per-tenant summary
//! and in Open311 `expected_datetime`; breaches emitted exactly once by two processes even
//! when the lease holder is killed (reports are dated in the past, so nothing waits for a
//! deadline on the wall clock).

use chrono::Duration;
use pantau_e2e::{dated_report, eventually, Pantau, RedisServer};
use redis::AsyncCommands;
use std::collections::BTreeMap;

/// (ticket, type, target) → count of SLA events in the stream.
async fn sla_events(redis: &RedisServer) -> BTreeMap<(String, String, String), usize> {
    let mut counts = BTreeMap::new();
    for (_, e) in redis.stream_events("tangerang").await {
        let kind = e["type"].as_str().unwrap();
        if kind.starts_with("sla.") {
            let key = (
                e["ticket"].as_str().unwrap().to_owned(),
                kind.to_owned(),
                e["target"].as_str().unwrap().to_owned(),
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    counts
}

/// A fresh report carries both deadlines under its category's policy; they show in the
/// ticket API, the SLA summary and Open311.
#[tokio::test]
async fn tickets_carry_deadlines() {
    let redis = RedisServer::start().await;
    let pantau = Pantau::start(&redis).await;
    let (_, body) = pantau
        .post_event("tangerang", &dated_report("Sampah", "sampah", Duration::zero()))
        .await;
    let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/tangerang/tickets/{ticket}");
    let body = eventually("the ticket", || {
        let path = path.clone();
        let pantau = &pantau;
        async move {
            let (status, body) = pantau.get(&path).await;
            (status == 200).then_some(body)
        }
    })
    .await;
    let created = chrono::DateTime::parse_from_rfc3339(body["ticket"]["created_at"].as_str().unwrap()).unwrap();
    let deadline = |target: &str| {
        chrono::DateTime::parse_from_rfc3339(body["ticket"]["sla"][target]["deadline"].as_str().unwrap()).unwrap()
    };
    // sampah: 24/7, medium priority: respond within 4 h, resolve within 24 h.
    assert_eq!(deadline("response") - created, Duration::hours(4));
    assert_eq!(deadline("resolution") - created, Duration::hours(24));
    assert_eq!(body["sla_now"]["response"]["state"], "on_track");
    assert!(body["sla_now"]["resolution"]["remaining_secs"].as_i64().unwrap() > 23 * 3600);

    let (_, summary) = pantau.get("/api/v1/tangerang/sla").await;
    assert_eq!(summary["resolution"]["on_track"], 1);
    let (_, open311) = pantau
        .get(&format!("/open311/v2/tangerang/requests/{ticket}.json"))
        .await;
    let expected = chrono::DateTime::parse_from_rfc3339(open311[0]["expected_datetime"].as_str().unwrap()).unwrap();
    assert_eq!(expected, deadline("resolution"));
    assert!(open311[0]["expected_datetime"].as_str().unwrap().ends_with("+07:00"));
}

/// Two processes share the SLA lease: overdue targets get exactly one `sla.breached` each;
/// after the lease holder is killed the other takes over and emits what is due — once.
#[tokio::test]
async fn breaches_are_emitted_exactly_once_across_failover() {
    let redis = RedisServer::start().await;
    let args = ["--sla-tick-ms", "100", "--sla-lease-ms", "1000"];
    let mut processes = [
        Some(Pantau::start_with(&redis, &args).await),
        Some(Pantau::start_with(&redis, &args).await),
    ];
    let first = processes[0].as_ref().unwrap();
    first
        .post_event("tangerang", &dated_report("Sampah lama", "sampah", Duration::days(2)))
        .await;
    let expect = |tickets: &[&str]| -> BTreeMap<(String, String, String), usize> {
        tickets
            .iter()
            .flat_map(|t| {
                ["resolution", "response"]
                    .map(|target| ((t.to_string(), "sla.breached".to_string(), target.to_string()), 1))
            })
            .collect()
    };
    eventually("both breaches of the first ticket", || async {
        (sla_events(&redis).await == expect(&["TGR-000001"])).then_some(())
    })
    .await;

    let holder: String = redis.conn().await.get("pantau:sla_leader").await.unwrap();
    let leader = processes
        .iter()
        .position(|p| {
            p.as_ref()
                .is_some_and(|p| holder.starts_with(p.base.trim_start_matches("http://")))
        })
        .unwrap();
    processes[leader] = None;
    let survivor = processes.iter().flatten().next().unwrap();
    let (status, _) = survivor
        .post_event(
            "tangerang",
            &dated_report("Jalan rusak lama", "sampah", Duration::days(3)),
        )
        .await;
    assert_eq!(status, 202);
    eventually("the survivor to take the lease and emit", || async {
        (sla_events(&redis).await == expect(&["TGR-000001", "TGR-000002"])).then_some(())
    })
    .await;
    // Once the survivor's projection holds the breaches it must not emit them again;
    // give it ten more ticks to get that wrong.
    eventually("the survivor's projection to hold both breaches", || async {
        let (_, body) = survivor.get("/api/v1/tangerang/tickets/TGR-000002").await;
        (body["ticket"]["sla_breached"].as_array().map_or(0, Vec::len) == 2).then_some(())
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        sla_events(&redis).await,
        expect(&["TGR-000001", "TGR-000002"]),
        "never duplicated"
    );
}
