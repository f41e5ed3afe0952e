//! The append path's promise under group commit and one script call per batch, against a
//! real Redis: **any interleaving of retried batches stores each event id once**. A
//! property test sends random batches (reports and comments on one ticket, ids repeated
//! within and across batches) concurrently — so they meet in the store's group commits in
//! whatever order the runtime gives — then sends them all again; every id is in the stream
//! once, every answer for an id names the same entry, new reports get distinct ticket
//! numbers, and the ticket's version counts each comment once. Also: a tenant written by
//! the old per-event script (one dedupe key per id) still answers a retry of those ids as
//! a duplicate after the upgrade.

use pantau_e2e::{stream_key, RedisServer};
use pantau_server::store::{Appended, Store, ToAppend};
use pantau_shared::event::Event;
use proptest::prelude::*;
use redis::streams::StreamRangeReply;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Distinct events a case draws from: ids `e0..eN`, even ones reports, odd ones comments.
const EVENTS: usize = 10;

fn event(tenant: &str, n: usize, ticket: &str) -> Event {
    let json = if n.is_multiple_of(2) {
        serde_json::json!({"v": 1, "id": format!("e{n}"), "tenant": tenant, "ticket": null,
            "at": "2026-12-02T01:00:00Z", "type": "report.received", "category": "sampah",
            "description": format!("laporan {n}"), "lat": -6.17, "lon": 106.63})
    } else {
        serde_json::json!({"v": 1, "id": format!("e{n}"), "tenant": tenant, "ticket": ticket,
            "at": "2026-12-02T01:00:00Z", "type": "ticket.commented", "text": format!("catatan {n}")})
    };
    serde_json::from_value(json).expect("a valid event")
}

/// Every (stream id, event id, ticket) of a tenant's stream.
async fn stream(redis: &RedisServer, tenant: &str) -> Vec<(String, Event)> {
    let range: StreamRangeReply = redis::cmd("XRANGE")
        .arg(stream_key(tenant))
        .arg("-")
        .arg("+")
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    range
        .ids
        .iter()
        .map(|e| {
            let json: String = e.get("event").expect("event field");
            (
                e.id.clone(),
                serde_json::from_str(&json).expect("stored JSON is an event"),
            )
        })
        .collect()
}

/// Opens the ticket the comments go to; its number.
async fn open_ticket(store: &Store, tenant: &str) -> String {
    let mut report = event(tenant, 0, "");
    report.id = "setup".into();
    let appended = store.append("TST", ToAppend::plain(&report)).await.unwrap();
    appended.ticket.expect("a report opens a ticket")
}

/// Sends `batch` (event numbers) to `ticket`'s tenant; each id with its answer.
async fn send(store: Store, tenant: String, ticket: String, batch: Vec<usize>) -> Vec<(String, Appended)> {
    let events: Vec<Event> = batch.iter().map(|&n| event(&tenant, n, &ticket)).collect();
    let appends: Vec<ToAppend> = events.iter().map(ToAppend::plain).collect();
    let results = store.append_many("TST", &appends).await.expect("redis is up");
    events
        .iter()
        .map(|e| e.id.clone())
        .zip(results.into_iter().map(|r| r.expect("appended or duplicate")))
        .collect()
}

/// One case: `batches` (event numbers) sent concurrently, then all again one by one.
async fn case(redis: &RedisServer, store: &Store, tenant: &str, batches: Vec<Vec<usize>>) {
    let ticket = open_ticket(store, tenant).await;
    let concurrent: Vec<_> = batches
        .iter()
        .map(|b| tokio::spawn(send(store.clone(), tenant.into(), ticket.clone(), b.clone())))
        .collect();
    let mut all = Vec::new();
    for task in concurrent {
        all.extend(task.await.unwrap());
    }
    for b in &batches {
        all.extend(send(store.clone(), tenant.into(), ticket.clone(), b.clone()).await);
    }
    let mut answers: HashMap<String, HashSet<String>> = HashMap::new();
    let mut fresh: HashMap<String, usize> = HashMap::new();
    for (id, appended) in all {
        answers
            .entry(id.clone())
            .or_default()
            .insert(appended.stream_id.to_string());
        if appended.is_new {
            *fresh.entry(id).or_default() += 1;
        }
    }
    let sent: HashSet<usize> = batches.iter().flatten().copied().collect();
    let stored = stream(redis, tenant).await;
    assert_eq!(
        stored.len(),
        1 + sent.len(),
        "one entry per distinct id, plus the ticket's report"
    );
    let mut seen_ids = HashSet::new();
    let mut tickets = HashSet::new();
    for (entry, event) in &stored {
        assert!(seen_ids.insert(event.id.clone()), "{} stored twice", event.id);
        if event.id != "setup" {
            let given = &answers[&event.id];
            assert_eq!(
                given.len(),
                1,
                "{}: every answer names one entry, got {given:?}",
                event.id
            );
            assert!(
                given.contains(entry),
                "{}: answered {given:?}, stored at {entry}",
                event.id
            );
            assert_eq!(fresh.get(&event.id), Some(&1), "{}: appended exactly once", event.id);
        }
        if event.body.opens_ticket() {
            assert!(
                tickets.insert(event.ticket.clone().unwrap()),
                "ticket numbers are distinct"
            );
        }
    }
    let comments = sent.iter().filter(|n| !n.is_multiple_of(2)).count() as u64;
    let version: u64 = redis::cmd("HGET")
        .arg(format!("pantau:{{{tenant}}}:versions"))
        .arg(&ticket)
        .query_async(&mut redis.conn().await)
        .await
        .unwrap();
    assert_eq!(version, 1 + comments, "the ticket's version counts each comment once");
}

#[test]
fn any_interleaving_of_retried_batches_stores_each_id_once() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap();
    let (redis, store) = runtime.block_on(async {
        let redis = RedisServer::start().await;
        let store = Store::connect(&redis.url).await.unwrap();
        (redis, store)
    });
    let cases = AtomicUsize::new(0);
    let batch = prop::collection::vec(0..EVENTS, 1..8);
    proptest!(ProptestConfig::with_cases(48), |(batches in prop::collection::vec(batch, 1..10))| {
        let tenant = format!("t{}", cases.fetch_add(1, Ordering::Relaxed));
        runtime.block_on(case(&redis, &store, &tenant, batches));
    });
}

/// A tenant whose ids were recorded by the old script (a `dedupe:<id>` key each, no
/// `dedupe_format` marker) gets those ids answered as duplicates after the upgrade.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_recorded_before_the_upgrade_stay_deduplicated() {
    let redis = RedisServer::start().await;
    let mut conn = redis.conn().await;
    let old: String = redis::cmd("XADD")
        .arg(stream_key("lama"))
        .arg("*")
        .arg("event")
        .arg(
            serde_json::to_string(&event("lama", 0, ""))
                .unwrap()
                .replace("\"ticket\":null", "\"ticket\":\"TST-000001\""),
        )
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("pantau:{lama}:dedupe:e0")
        .arg(format!("{old} TST-000001 1"))
        .arg("EX")
        .arg(3600)
        .query_async(&mut conn)
        .await
        .unwrap();
    let _: () = redis::cmd("SET")
        .arg("pantau:{lama}:ticket_seq")
        .arg(1)
        .query_async(&mut conn)
        .await
        .unwrap();
    let store = Arc::new(Store::connect(&redis.url).await.unwrap());
    let retry = event("lama", 0, "");
    let again = store.append("TST", ToAppend::plain(&retry)).await.unwrap();
    assert!(
        !again.is_new,
        "a retry of an id stored before the upgrade is a duplicate"
    );
    assert_eq!(again.stream_id.to_string(), old);
    assert_eq!(again.ticket.as_deref(), Some("TST-000001"));
    assert_eq!(stream(&redis, "lama").await.len(), 1, "nothing written twice");
    let mut fresh = event("lama", 2, "");
    fresh.id = "baru".into();
    let appended = store.append("TST", ToAppend::plain(&fresh)).await.unwrap();
    assert!(appended.is_new);
    assert_eq!(appended.ticket.as_deref(), Some("TST-000002"));
}
