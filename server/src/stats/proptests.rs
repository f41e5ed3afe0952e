//! Property test: the counters kept incrementally by the projection (event by event, or in
//! batches) equal the counters rebuilt from scratch from the final tickets, and so do the
//! reports read from them, over random event sequences spanning days.

use super::report::{report, Ask};
use super::Stats;
use crate::projection::Projection;
use pantau_shared::cursor::Cursor;
use pantau_shared::event::{
    Assignment, Comment, Event, EventBody, Place, Priority, PriorityChange, Report, SlaMark, SlaTarget, StatusChange,
    TicketStatus, Validation, Verification,
};
use pantau_shared::fixtures;
use pantau_shared::sla::SlaConfig;
use pantau_shared::stats::{Dimension, Window};
use proptest::prelude::*;
use std::sync::Arc;

#[derive(Clone, Debug)]
enum Op {
    Report(u8),
    Assign(u8, u8),
    Status(u8, u8),
    Comment(u8),
    Priority(u8, u8),
    Breach(u8, bool),
    /// Validation of the follow-up: accepted or refused ("TL ditolak").
    Validate(u8, bool),
    /// Verification to an agency, with an SP4N-LAPOR tier or none (the category's).
    Verify(u8, u8),
}

fn op() -> impl Strategy<Value = (Op, u16)> {
    let op = prop_oneof![
        3 => any::<u8>().prop_map(Op::Report),
        2 => (any::<u8>(), any::<u8>()).prop_map(|(t, a)| Op::Assign(t, a)),
        4 => (any::<u8>(), any::<u8>()).prop_map(|(t, s)| Op::Status(t, s)),
        1 => any::<u8>().prop_map(Op::Comment),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(t, p)| Op::Priority(t, p)),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(t, r)| Op::Breach(t, r)),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(t, a)| Op::Validate(t, a)),
        1 => (any::<u8>(), any::<u8>()).prop_map(|(t, k)| Op::Verify(t, k)),
    ];
    // Minutes since the previous event: mostly short, sometimes most of a day.
    (op, prop_oneof![3 => 0u16..90, 1 => 0u16..1_400])
}

/// Tangerang's real SLA rules (office-hour calendars included).
fn real_sla() -> Arc<SlaConfig> {
    static SLA: std::sync::OnceLock<Arc<SlaConfig>> = std::sync::OnceLock::new();
    SLA.get_or_init(|| crate::tenant::test_tenants().get("tangerang").unwrap().sla.clone())
        .clone()
}

/// Stream entries for `ops`, starting 2026-11-20T00:00Z.
fn entries(ops: &[(Op, u16)]) -> Vec<(Cursor, Event)> {
    let mut opened = 0u32;
    let mut at_ms = 1_763_596_800_000i64;
    let pick = |n: u8, opened: u32| format!("T-{}", 1 + u32::from(n) % opened.max(1));
    ops.iter()
        .enumerate()
        .map(|(i, (op, gap))| {
            at_ms += i64::from(*gap) * 60_000 + 7_000;
            let (ticket, body) = match op {
                Op::Report(n) => {
                    opened += 1;
                    let kecamatan = (n % 3 != 0).then(|| Place {
                        code: format!("36.71.0{}", n % 3),
                        name: format!("Kec {}", n % 3),
                    });
                    let body = EventBody::ReportReceived(Report {
                        channel: (n % 4 != 0).then(|| ["wa", "web", "lapor"][usize::from(n % 3)].into()),
                        kecamatan,
                        agency: (n % 5 != 0).then(|| "dlh".into()),
                        ..fixtures::report_body(["sampah", "banjir", "jalan_rusak"][usize::from(*n) % 3])
                    });
                    (format!("T-{opened}"), body)
                }
                Op::Assign(t, a) => (
                    pick(*t, opened),
                    EventBody::TicketAssigned(Assignment {
                        agency: ["dlh", "pupr", "bpbd"][usize::from(*a) % 3].into(),
                        officer: None,
                        reason: None,
                    }),
                ),
                Op::Status(t, s) => (
                    pick(*t, opened),
                    EventBody::StatusChanged(StatusChange {
                        status: TicketStatus::ALL[usize::from(*s) % TicketStatus::ALL.len()],
                        note: None,
                        reason: None,
                    }),
                ),
                Op::Comment(t) => (pick(*t, opened), EventBody::Commented(Comment { text: "ok".into() })),
                Op::Priority(t, p) => (
                    pick(*t, opened),
                    EventBody::PriorityChanged(PriorityChange {
                        priority: Priority::ALL[usize::from(*p) % 4],
                        reason: None,
                    }),
                ),
                Op::Breach(t, resolution) => (
                    pick(*t, opened),
                    EventBody::SlaBreached(SlaMark {
                        target: if *resolution {
                            SlaTarget::Resolution
                        } else {
                            SlaTarget::Response
                        },
                        deadline: String::new(),
                    }),
                ),
                Op::Validate(t, accepted) => (
                    pick(*t, opened),
                    EventBody::Validated(Validation {
                        accepted: *accepted,
                        reason: (!*accepted).then(|| "kurang".into()),
                        site_check: false,
                    }),
                ),
                Op::Verify(t, k) => (
                    pick(*t, opened),
                    EventBody::Verified(Verification {
                        agency: ["dlh", "pupr"][usize::from(*k) % 2].into(),
                        officer: None,
                        // Tangerang's tiers, none (the category's), and one it does not know.
                        tier: [None, Some("informasi"), Some("berpengawasan"), Some("kilat")][usize::from(*k) % 4]
                            .map(Into::into),
                        note: None,
                    }),
                ),
            };
            let at = chrono::DateTime::from_timestamp_millis(at_ms).unwrap().to_rfc3339();
            let event = Event {
                id: format!("e{i}"),
                ..fixtures::event(&ticket, &at, body)
            };
            (
                Cursor {
                    ms: 1_000 + i as u64,
                    seq: 0,
                },
                event,
            )
        })
        .collect()
}

/// Every window × breakdown report of `p` at `now_ms` in WIB and WITA.
fn reports(p: &Projection, stats: &Stats, now_ms: i64) -> Vec<pantau_shared::stats::KpiReport> {
    let mut out = Vec::new();
    for offset in [420, 480] {
        for window in Window::ALL {
            for by in Dimension::ALL {
                let ask = Ask {
                    tenant: "t",
                    window,
                    by: Some(by),
                    now_ms,
                    utc_offset_minutes: offset,
                };
                out.push(report(stats, ask, |id| p.ticket(id)));
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Incremental counters (one by one, and in batches) equal a rebuild from the final
    /// tickets, cell for cell, and give the same reports.
    #[test]
    fn incremental_equals_rebuilt(ops in prop::collection::vec(op(), 1..80), split in any::<prop::sample::Index>()) {
        let es = entries(&ops);
        let mut one = Projection::new(real_sla());
        for (c, e) in &es {
            one.apply(*c, e);
        }
        let mut batched = Projection::new(real_sla());
        let cut = split.index(es.len() + 1);
        batched.apply_batch(&es[..cut]);
        batched.apply_batch(&es[cut..]);
        let rebuilt = Stats::rebuild(one.tickets(), &real_sla());
        for p in [&one, &batched] {
            prop_assert_eq!(p.stats().all(), rebuilt.all());
            for d in Dimension::ALL {
                prop_assert_eq!(p.stats().by(d), rebuilt.by(d));
            }
        }
        let last_ms = chrono::DateTime::parse_from_rfc3339(&es[es.len() - 1].1.at).unwrap().timestamp_millis();
        for now in [last_ms, last_ms + 3 * 86_400_000] {
            let want = reports(&one, &rebuilt, now);
            prop_assert_eq!(reports(&one, one.stats(), now), want.clone());
            prop_assert_eq!(reports(&batched, batched.stats(), now), want);
        }
    }
}
