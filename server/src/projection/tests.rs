//! Property tests of the projection: deterministic, idempotent, and a snapshot plus the rest
//! of the stream equals the live state.

use super::query::{find, TicketQuery};
use super::*;
use pantau_shared::event::{
    Assignment, Comment, Priority, PriorityChange, Report, Resource, StatusChange, TicketStatus,
};
use pantau_shared::fixtures;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Report(u8),
    Assign(u8, u8),
    Status(u8, u8),
    Comment(u8),
    Priority(u8, u8),
    Gauge(u8, u32),
    Unknown(u8),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u8>().prop_map(Op::Report),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(t, a)| Op::Assign(t, a)),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(t, s)| Op::Status(t, s)),
        1 => any::<u8>().prop_map(Op::Comment),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(t, p)| Op::Priority(t, p)),
        1 => (any::<u8>(), 0u32..50).prop_map(|(f, n)| Op::Gauge(f, n)),
        1 => any::<u8>().prop_map(Op::Unknown),
    ]
}

/// Turn ops into stream entries; ticket references point at tickets opened so far (or at a
/// missing one when none is open yet, which the projection must ignore).
fn entries(ops: &[Op]) -> Vec<(Cursor, Event)> {
    let mut opened = 0u32;
    let pick = |n: u8, opened: u32| {
        if opened == 0 {
            "TGR-999999".to_string()
        } else {
            format!("TGR-{:06}", 1 + u32::from(n) % opened)
        }
    };
    ops.iter()
        .enumerate()
        .map(|(i, op)| {
            let (ticket, body) = match op {
                Op::Report(n) => {
                    opened += 1;
                    let body = EventBody::ReportReceived(Report {
                        description: format!("laporan {n}"),
                        lat: -6.18,
                        lon: 106.64,
                        ..fixtures::report_body(["sampah", "banjir", "jalan_rusak"][usize::from(*n) % 3])
                    });
                    (Some(format!("TGR-{opened:06}")), body)
                }
                Op::Assign(t, a) => (
                    Some(pick(*t, opened)),
                    EventBody::TicketAssigned(Assignment {
                        agency: ["dlh", "pupr", "bpbd"][usize::from(*a) % 3].into(),
                        officer: None,
                        reason: None,
                    }),
                ),
                Op::Status(t, s) => (
                    Some(pick(*t, opened)),
                    EventBody::StatusChanged(StatusChange {
                        status: TicketStatus::ALL[usize::from(*s) % TicketStatus::ALL.len()],
                        note: None,
                        reason: None,
                    }),
                ),
                Op::Comment(t) => (
                    Some(pick(*t, opened)),
                    EventBody::Commented(Comment { text: "ok".into() }),
                ),
                Op::Priority(t, p) => (
                    Some(pick(*t, opened)),
                    EventBody::PriorityChanged(PriorityChange {
                        priority: Priority::ALL[usize::from(*p) % 4],
                        reason: None,
                    }),
                ),
                Op::Gauge(f, n) => (
                    None,
                    EventBody::ResourceUpdated(Resource {
                        kind: "hospital_beds".into(),
                        facility: format!("RS {}", f % 3),
                        unit: None,
                        capacity: Some(50),
                        used: Some(*n),
                        queue: None,
                    }),
                ),
                Op::Unknown(t) => (Some(pick(*t, opened)), EventBody::Unknown),
            };
            let at = format!("2026-11-23T03:{:02}:{:02}Z", (i / 60) % 60, i % 60);
            let event = Event {
                id: format!("e{i}"),
                ticket,
                ..fixtures::event("", &at, body)
            };
            (
                Cursor {
                    ms: 1_000 + i as u64 / 3,
                    seq: i as u64 % 3,
                },
                event,
            )
        })
        .collect()
}

fn fold(entries: &[(Cursor, Event)]) -> Projection {
    let mut p = Projection::new(Default::default());
    for (c, e) in entries {
        p.apply(*c, e);
    }
    p
}

/// Tangerang's real SLA rules, so targets are computed (the default config has none).
fn real_sla() -> Arc<SlaConfig> {
    static SLA: std::sync::OnceLock<Arc<SlaConfig>> = std::sync::OnceLock::new();
    SLA.get_or_init(|| crate::tenant::test_tenants().get("tangerang").unwrap().sla.clone())
        .clone()
}

proptest! {
    /// Applying a batch (SLAs recomputed once per touched ticket) gives exactly the state of
    /// applying its entries one by one, targets included.
    #[test]
    fn batch_equals_one_by_one(ops in prop::collection::vec(op(), 0..120), split in any::<prop::sample::Index>()) {
        let es = entries(&ops);
        let mut one = Projection::new(real_sla());
        for (c, e) in &es {
            one.apply(*c, e);
        }
        let k = if es.is_empty() { 0 } else { split.index(es.len() + 1) };
        let mut batched = Projection::new(real_sla());
        batched.apply_batch(&es[..k]);
        batched.apply_batch(&es[k.saturating_sub(2)..]);
        prop_assert!(es.is_empty() || one.tickets().any(|t| t.sla.is_some()) || one.ticket_count() == 0);
        prop_assert_eq!(batched, one);
    }

    /// The same events always give the same state.
    #[test]
    fn deterministic(ops in prop::collection::vec(op(), 0..120)) {
        let es = entries(&ops);
        prop_assert_eq!(fold(&es), fold(&es));
    }

    /// Re-applying any already-applied entry changes nothing.
    #[test]
    fn applying_twice_is_a_no_op(ops in prop::collection::vec(op(), 1..120), picks in prop::collection::vec(any::<prop::sample::Index>(), 1..20)) {
        let es = entries(&ops);
        let mut p = fold(&es);
        let before = p.clone();
        for i in picks {
            let (c, e) = &es[i.index(es.len())];
            prop_assert!(!p.apply(*c, e));
        }
        prop_assert_eq!(p, before);
    }

    /// A snapshot taken anywhere (through JSON, as stored in Redis) plus the rest of the
    /// stream equals the state of a process that applied everything live — even when the
    /// replay overlaps the snapshot.
    #[test]
    fn snapshot_plus_tail_equals_live(ops in prop::collection::vec(op(), 0..120), cut in any::<prop::sample::Index>(), overlap in 0usize..5) {
        let es = entries(&ops);
        let live = fold(&es);
        let k = if es.is_empty() { 0 } else { cut.index(es.len() + 1) };
        let snap = serde_json::to_string(&fold(&es[..k])).unwrap();
        let mut rebuilt: Projection = serde_json::from_str(&snap).unwrap();
        for (c, e) in &es[k.saturating_sub(overlap)..] {
            rebuilt.apply(*c, e);
        }
        prop_assert_eq!(rebuilt, live);
    }

    /// A ticket's version is the number of its events in the stream — what the append
    /// script counts for `expected_version`.
    #[test]
    fn version_counts_the_tickets_events(ops in prop::collection::vec(op(), 0..120)) {
        let es = entries(&ops);
        let p = fold(&es);
        for t in p.tickets() {
            let n = es.iter().filter(|(_, e)| e.ticket.as_deref() == Some(t.id.as_str())).count() as u64;
            prop_assert_eq!(t.version, n);
            prop_assert_eq!(p.history(&t.id).unwrap().len() as u64, n);
        }
    }
}

/// Queries filter by status and agency and page newest first.
#[test]
fn query_filters_and_pages() {
    let ops: Vec<Op> = (0..10)
        .map(Op::Report)
        .chain([Op::Assign(0, 1), Op::Status(1, 2)])
        .collect();
    let p = fold(&entries(&ops));
    let (total, page) = find(
        &p,
        &TicketQuery {
            limit: 3,
            ..Default::default()
        },
    );
    assert_eq!(total, 10);
    let ids: Vec<_> = page.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["TGR-000010", "TGR-000009", "TGR-000008"]);
    let (total, page) = find(
        &p,
        &TicketQuery {
            agency: Some("pupr".into()),
            ..Default::default()
        },
    );
    assert_eq!(
        (total, page[0].id.as_str(), page[0].status),
        (1, "TGR-000001", TicketStatus::Assigned)
    );
    let q = TicketQuery {
        statuses: vec![TicketStatus::InProgress],
        ..Default::default()
    };
    assert_eq!(find(&p, &q).0, 1);
    let q = TicketQuery {
        text: Some("LAPORAN 7".into()),
        ..Default::default()
    };
    assert_eq!(find(&p, &q).1[0].id, "TGR-000008");
}

/// Merging two duplicates into a primary (issue 18): the primary counts three reporters, the
/// duplicates are `merged` and leave the open count (one job); unmerging one restores the
/// status it had and the primary's count drops to two. Every event stays in each ticket's
/// history.
#[test]
fn merge_and_unmerge_fold_across_tickets() {
    use pantau_shared::event::{Merge, Unmerge};
    use pantau_shared::protocol::Kpis;
    let mut es = entries(&[Op::Report(0), Op::Report(0), Op::Report(0), Op::Status(1, 2)]);
    let status_of_2 = fold(&es).ticket("TGR-000002").unwrap().status;
    let step = |i: usize, ticket: &str, body: EventBody| {
        let at = format!("2026-11-23T04:00:{i:02}Z");
        let event = Event {
            id: format!("m{i}"),
            ..fixtures::event(ticket, &at, body)
        };
        (
            Cursor {
                ms: 9_000 + i as u64,
                seq: 0,
            },
            event,
        )
    };
    let merge = |primary: &str| {
        EventBody::Merged(Merge {
            primary: primary.into(),
            reporters: 1,
        })
    };
    es.push(step(1, "TGR-000002", merge("TGR-000001")));
    es.push(step(2, "TGR-000003", merge("TGR-000001")));
    let p = fold(&es);
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-23T05:00:00Z")
        .unwrap()
        .to_utc();
    let primary = p.ticket("TGR-000001").unwrap();
    assert_eq!(primary.reporters(), 3);
    assert_eq!(primary.version, 1, "a merge is not an event of the primary");
    for dup in ["TGR-000002", "TGR-000003"] {
        let t = p.ticket(dup).unwrap();
        assert_eq!(
            (t.status, t.merged_into.as_deref()),
            (TicketStatus::Merged, Some("TGR-000001"))
        );
    }
    let k = Kpis::of(p.tickets(), now);
    assert_eq!((k.total, k.open), (3, 1), "three reports, one open job");

    es.push(step(
        3,
        "TGR-000002",
        EventBody::Unmerged(Unmerge {
            primary: "TGR-000001".into(),
            restore: status_of_2,
        }),
    ));
    let p = fold(&es);
    let back = p.ticket("TGR-000002").unwrap();
    assert_eq!((back.status, back.merged_into.as_ref()), (status_of_2, None));
    assert_eq!(p.ticket("TGR-000001").unwrap().reporters(), 2);
    assert_eq!(Kpis::of(p.tickets(), now).open, 2);
    assert_eq!(
        p.history("TGR-000002").unwrap().len(),
        4,
        "report, status, merge, unmerge"
    );
    assert_eq!(p.history("TGR-000001").unwrap().len(), 1);
    // A snapshot keeps the links.
    let again: Projection = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(again.ticket("TGR-000001").unwrap().reporters(), 2);
}

/// A snapshot keeps the rules its targets were computed with: loaded under the same rules the
/// targets are kept as stored (not computed again); under other rules, or from a snapshot that
/// does not say (written before it did), every ticket's targets are computed afresh.
#[test]
fn snapshot_targets_are_recomputed_only_under_other_rules() {
    let c = |seq| Cursor { ms: 1_000, seq };
    let reports = [
        fixtures::report("TGR-1", "sampah", "2026-11-23T01:00:00Z"),
        fixtures::report("TGR-2", "jalan_rusak", "2026-11-23T02:00:00Z"),
    ];
    let mut p = Projection::new(real_sla());
    for (i, e) in reports.iter().enumerate() {
        p.apply(c(i as u64), e);
    }
    let targets = |p: &Projection| p.tickets.values().map(|t| t.sla.clone()).collect::<Vec<_>>();
    assert!(
        targets(&p).iter().all(Option::is_some),
        "Tangerang's rules give targets"
    );
    let mut stored: serde_json::Value = serde_json::to_value(&p).unwrap();
    assert!(stored["sla_rules"].is_object(), "the rules are stored");
    // Mark the stored targets, to tell kept ones from computed ones.
    for t in stored["tickets"].as_object_mut().unwrap().values_mut() {
        t["sla"] = serde_json::Value::Null;
    }
    let load = |json: &serde_json::Value, rules: Arc<SlaConfig>| {
        let mut loaded: Projection = serde_json::from_value(json.clone()).unwrap();
        loaded.set_sla(rules);
        loaded
    };
    assert!(
        targets(&load(&stored, real_sla())).iter().all(Option::is_none),
        "same rules: kept"
    );
    let other = Arc::new(SlaConfig {
        warning_share: 0.5,
        ..(*real_sla()).clone()
    });
    let recomputed = load(&stored, other.clone());
    assert!(
        targets(&recomputed).iter().all(Option::is_some),
        "other rules: computed"
    );
    let mut fresh = Projection::new(other);
    for (i, e) in reports.iter().enumerate() {
        fresh.apply(c(i as u64), e);
    }
    assert_eq!(recomputed, fresh);
    stored.as_object_mut().unwrap().remove("sla_rules");
    assert!(
        targets(&load(&stored, real_sla())).iter().all(Option::is_some),
        "unknown rules: computed"
    );
}
