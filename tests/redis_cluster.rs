//! Pantau on a Redis Cluster: three masters on loopback ports (`redis-cli --cluster create`,
//! see `common/cluster.rs`) and two Pantau processes in front of them, started with
//! `--redis-url redis+cluster://…`. Three tenants whose `{tenant}` hash tags fall on
//! different masters: ingest and ticket reads through both processes, sockets on either
//! process seeing the same events in the same order, the SLA lease yielding each warning
//! and breach exactly once across both processes, also after the lease holder is killed, and
//! a master killed and restarted under a wall (503 at once, `degraded`, recovery by itself).
//!
//! The realtime and ticket suites run against a cluster unchanged with
//! `PANTAU_TEST_REDIS_CLUSTER=1 cargo test -p pantau-e2e --test realtime --test tickets`.

use chrono::Duration;
use pantau_e2e::{
    dated_report, eventually, report, report_batch, stream_key, workspace_root, Pantau, RedisServer, WsClient,
};
use pantau_shared::cursor::Cursor;
use pantau_shared::event::Event;
use pantau_shared::protocol::{LinkState, ServerMsg};
use redis::AsyncCommands;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// The tenants: Tangerang, and two copies of it whose ids hash to other slots (with the
/// usual three-way split: tangerang → slot 9789, banjarbaru → 3635, balangan → 15891).
const TENANTS: [(&str, &str); 3] = [("tangerang", "TGR"), ("banjarbaru", "BJB"), ("balangan", "BLG")];

/// A configuration directory with the three tenants (the copies keep Tangerang's map, so the
/// sample report, located in Kecamatan Tangerang, is valid in each).
fn three_tenants() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pantau-cluster-config-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("tenants")).unwrap();
    let root = workspace_root().join("config");
    std::fs::copy(root.join("holidays.toml"), dir.join("holidays.toml")).unwrap();
    let tangerang = std::fs::read_to_string(root.join("tenants/tangerang.toml")).unwrap();
    for (id, prefix) in TENANTS {
        let copy = tangerang
            .replacen("id = \"tangerang\"", &format!("id = \"{id}\""), 1)
            .replacen("ticket_prefix = \"TGR\"", &format!("ticket_prefix = \"{prefix}\""), 1);
        std::fs::write(dir.join(format!("tenants/{id}.toml")), copy).unwrap();
    }
    dir
}

/// Event ids of `tenant`'s stream, in stream order.
async fn stream_ids(redis: &RedisServer, tenant: &str) -> Vec<String> {
    redis
        .stream_events(tenant)
        .await
        .into_iter()
        .map(|(_, e)| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Subscribe and return the client and the cursor it is at (after the snapshot).
async fn watch(pantau: &Pantau, tenant: &str) -> (WsClient, Cursor) {
    let (client, first) = pantau.subscribe(tenant).await;
    match first {
        ServerMsg::Snapshot { cursor, .. } => (client, cursor),
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

fn ids(events: &[Event]) -> Vec<String> {
    events.iter().map(|e| e.id.clone()).collect()
}

/// (tenant, ticket, type, target) → count of SLA events in the streams.
async fn sla_events(redis: &RedisServer) -> BTreeMap<(String, String, String, String), usize> {
    let mut counts = BTreeMap::new();
    for (tenant, _) in TENANTS {
        for (_, e) in redis.stream_events(tenant).await {
            let kind = e["type"].as_str().unwrap();
            if kind.starts_with("sla.") {
                let key = (
                    tenant.to_owned(),
                    e["ticket"].as_str().unwrap().to_owned(),
                    kind.to_owned(),
                    e["target"].as_str().unwrap().to_owned(),
                );
                *counts.entry(key).or_default() += 1;
            }
        }
    }
    counts
}

/// Two processes on a three-master cluster: tenants on different masters; whatever is
/// posted through either process is stored once, read back the same through both, and seen
/// by a socket on either process in the same order as the stream holds it.
#[tokio::test]
async fn two_processes_share_a_cluster() {
    let redis = RedisServer::start_cluster().await;
    let cluster = redis.cluster().unwrap();
    let mut masters = BTreeSet::new();
    for (tenant, _) in TENANTS {
        masters.insert(cluster.master_of(&stream_key(tenant)).await);
    }
    assert!(masters.len() >= 2, "the tenants sit on different masters: {masters:?}");

    let config = three_tenants();
    let args = ["--config-dir", config.to_str().unwrap()];
    let a = Pantau::start_with(&redis, &args).await;
    let b = Pantau::start_with(&redis, &args).await;
    a.wait_ready().await;
    b.wait_ready().await;
    let mut walls = Vec::new();
    for (tenant, _) in TENANTS {
        walls.push((tenant, watch(&a, tenant).await, watch(&b, tenant).await));
    }

    // Ingest through both processes, alternating, into every tenant.
    let mut tickets = Vec::new();
    for (i, (tenant, prefix)) in TENANTS.iter().enumerate() {
        let (front, back) = if i % 2 == 0 { (&a, &b) } else { (&b, &a) };
        let mut event = report(&format!("laporan {tenant}"));
        event["id"] = format!("0193a5c0-0000-7000-9000-{i:012x}").into();
        let (status, body) = front.post_event(tenant, &event).await;
        assert_eq!(status, 202, "{body}");
        let ticket = body["accepted"][0]["ticket"].as_str().unwrap().to_owned();
        assert_eq!(ticket, format!("{prefix}-000001"));
        let (batch, _) = report_batch(&format!("{tenant} berkas"), 20);
        let (status, body) = back.post_batch(tenant, batch).await;
        assert_eq!(status, 202, "{body}");
        // A retry through the other process returns the same ticket and writes nothing.
        let (status, again) = back.post_event(tenant, &event).await;
        assert_eq!(status, 202, "{again}");
        assert_eq!(again["accepted"][0]["ticket"], ticket.as_str(), "{again}");
        tickets.push((*tenant, ticket));
    }
    // Commands on a ticket through both processes (versions checked by the script).
    let (tenant, ticket) = (tickets[1].0, tickets[1].1.clone());
    let path = format!("/api/v1/{tenant}/tickets/{ticket}");
    let assign = json!({"agency": "bpbd", "officer": "bpbd-rina", "reason": "Wilayah banjir"});
    let (status, body) = a.post(&format!("{path}/assign"), &assign).await;
    assert_eq!(status, 202, "{body}");
    let on_b = eventually("process B to see the assignment", || async {
        let (_, body) = b.get(&path).await;
        (body["ticket"]["version"] == 2).then_some(body)
    })
    .await;
    let stale = json!({"status": "in_progress", "expected_version": 1});
    let (status, _) = b.post(&format!("{path}/status"), &stale).await;
    assert_eq!(status, 409, "a stale version is refused across processes");
    let fresh = json!({"status": "in_progress", "expected_version": 2});
    let (status, body) = b.post(&format!("{path}/status"), &fresh).await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(on_b["ticket"]["agency"], "bpbd");

    for (tenant, (wall_a, from_a), (wall_b, from_b)) in &mut walls {
        let stored = stream_ids(&redis, tenant).await;
        let (seen_a, _) = wall_a.collect_events(*from_a, stored.len()).await;
        let (seen_b, _) = wall_b.collect_events(*from_b, stored.len()).await;
        assert_eq!(
            ids(&seen_a),
            stored,
            "{tenant}: the wall on A sees the stream, in order"
        );
        assert_eq!(ids(&seen_b), stored, "{tenant}: the wall on B sees the same");
        let expected = if *tenant == tickets[1].0 { 23 } else { 21 };
        assert_eq!(stored.len(), expected, "{tenant}: every event once");
        for pantau in [&a, &b] {
            let (_, list) = pantau.get(&format!("/api/v1/{tenant}/tickets")).await;
            assert_eq!(list["total"], 21, "{tenant}: both processes list every ticket");
        }
    }
    // Each tenant's keys live on its own master: the cluster really is sharing the load.
    let mut holding = BTreeSet::new();
    for &port in &masters {
        if cluster.keys_on(port).await > 0 {
            holding.insert(port);
        }
    }
    assert_eq!(holding, masters, "every master serving a tenant holds its keys");
    let (_, on_a) = a.get(&path).await;
    let (_, on_b) = b.get(&path).await;
    assert_eq!(on_a["ticket"]["status"], "in_progress");
    assert_eq!(on_a["ticket"], on_b["ticket"], "both processes read the same ticket");
    let (status, _) = a.get("/api/v1/balangan/tickets/BJB-000001").await;
    assert_eq!(status, 404, "tenants stay apart");
    let _ = std::fs::remove_dir_all(config);
}

/// The SLA emitter's lease on a cluster: overdue and nearly due tickets of tenants on
/// different masters get each warning and breach exactly once across two processes, also
/// after the lease holder is killed.
#[tokio::test]
async fn sla_marks_are_emitted_once_across_processes() {
    let redis = RedisServer::start_cluster().await;
    let config = three_tenants();
    let args = [
        "--config-dir",
        config.to_str().unwrap(),
        "--sla-tick-ms",
        "100",
        "--sla-lease-ms",
        "1000",
    ];
    let mut processes = [
        Some(Pantau::start_with(&redis, &args).await),
        Some(Pantau::start_with(&redis, &args).await),
    ];
    let (first, second) = (processes[0].as_ref().unwrap(), processes[1].as_ref().unwrap());
    // sampah: respond within 4 h, resolve within 24 h, warn at 75 %.
    let overdue = dated_report("Sampah lama", "sampah", Duration::days(2));
    let nearly = dated_report("Sampah kemarin", "sampah", Duration::hours(20));
    assert_eq!(first.post_event("tangerang", &overdue).await.0, 202);
    assert_eq!(second.post_event("balangan", &nearly).await.0, 202);
    let mark = |tenant: &str, ticket: &str, kind: &str, target: &str| {
        ((tenant.into(), ticket.into(), format!("sla.{kind}"), target.into()), 1)
    };
    let mut expected: BTreeMap<_, usize> = [
        mark("tangerang", "TGR-000001", "breached", "response"),
        mark("tangerang", "TGR-000001", "breached", "resolution"),
        mark("balangan", "BLG-000001", "breached", "response"),
        mark("balangan", "BLG-000001", "warning", "resolution"),
    ]
    .into();
    eventually("each warning and breach", || async {
        (sla_events(&redis).await == expected).then_some(())
    })
    .await;

    let holder: String = redis.conn().await.get("pantau:sla_leader").await.unwrap();
    let leader = processes
        .iter()
        .position(|p| {
            p.as_ref()
                .is_some_and(|p| holder.starts_with(p.base.trim_start_matches("http://")))
        })
        .expect("one of the two holds the lease");
    processes[leader] = None;
    let survivor = processes.iter().flatten().next().unwrap();
    let late = dated_report("Sampah lebih lama", "sampah", Duration::days(3));
    assert_eq!(survivor.post_event("banjarbaru", &late).await.0, 202);
    expected.extend([
        mark("banjarbaru", "BJB-000001", "breached", "response"),
        mark("banjarbaru", "BJB-000001", "breached", "resolution"),
    ]);
    eventually("the survivor to take the lease and emit", || async {
        (sla_events(&redis).await == expected).then_some(())
    })
    .await;
    eventually("the survivor's projection to hold the marks", || async {
        let (_, body) = survivor.get("/api/v1/banjarbaru/tickets/BJB-000001").await;
        (body["ticket"]["sla_breached"].as_array().map_or(0, Vec::len) == 2).then_some(())
    })
    .await;
    // Give the survivor ten more ticks to emit something twice.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(sla_events(&redis).await, expected, "never duplicated");
    let _ = std::fs::remove_dir_all(config);
}

/// A master killed under a connected wall: ingest answers 503 with Retry-After (never 2xx)
/// and the wall says `degraded`; when the master is back on its data, ingest and the wall
/// recover by themselves, and nothing acknowledged before was lost.
#[tokio::test]
async fn a_master_killed_and_restarted() {
    let mut redis = RedisServer::start_cluster().await;
    let pantau = Pantau::start(&redis).await;
    let (_, body) = pantau.post_event("tangerang", &report("sebelum padam")).await;
    assert_eq!(body["accepted"][0]["ticket"], "TGR-000001");
    let (mut client, mut cursor) = watch(&pantau, "tangerang").await;
    let master = redis.cluster().unwrap().master_of(&stream_key("tangerang")).await;

    redis.cluster_mut().unwrap().kill(master);
    eventually("ingest to refuse at once with 503", || async {
        let response = pantau
            .default_request(reqwest::Method::POST, "/api/v1/tangerang/events")
            .await
            .body(report("saat padam").to_string())
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        assert!(
            !(200..300).contains(&status),
            "nothing is accepted while the master is down"
        );
        (status == 503 && response.headers().contains_key("retry-after")).then_some(())
    })
    .await;
    loop {
        match client.next().await {
            ServerMsg::Status {
                state: LinkState::Degraded,
                ..
            } => break,
            ServerMsg::Deltas { to, .. } => cursor = to,
            ServerMsg::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }

    redis.cluster_mut().unwrap().restart(master).await;
    redis.cluster().unwrap().wait_ok().await;
    let accepted = eventually("ingest to work again", || async {
        let (status, body) = pantau.post_event("tangerang", &report("setelah padam")).await;
        (status == 202).then_some(body)
    })
    .await;
    assert_eq!(
        accepted["accepted"][0]["ticket"], "TGR-000002",
        "the first ticket survived the outage"
    );
    // The restarted master rejoins through gossip: the link may flap (`ok`, `degraded` on a
    // `CLUSTERDOWN`, `ok`) before it settles.
    let (mut back, mut got) = (false, Vec::new());
    while !back || got.is_empty() {
        match client.next().await {
            ServerMsg::Status { state, .. } => back = state == LinkState::Ok,
            ServerMsg::Deltas { from, to, events, .. } => {
                assert_eq!(from, cursor);
                cursor = to;
                got.extend(events);
            }
            ServerMsg::Heartbeat { .. } => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got[0].id, accepted["accepted"][0]["id"].as_str().unwrap());
}
