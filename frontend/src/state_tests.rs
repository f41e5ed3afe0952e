//! Tests of [`super`]: the wall's state applying server messages.

use super::*;
use pantau_shared::event::{Assignment, TicketStatus};
use pantau_shared::fixtures::report;

fn c(ms: u64) -> Cursor {
    Cursor { ms, seq: 0 }
}

/// Deltas that continue the cursor open and update tickets; others ask to resubscribe
/// and change nothing.
#[test]
fn applies_continuous_deltas_and_detects_gaps() {
    let mut b = Board::default();
    b.reset(c(1), vec![], SlaConfig::default(), vec![]);
    let e1 = report("TGR-1", "sampah", "2026-11-23T03:00:00Z");
    assert_eq!(b.apply(c(1), c(2), &[e1]), Next::Continue);
    let mut assign = report("TGR-1", "sampah", "2026-11-23T03:01:00Z");
    assign.body = EventBody::TicketAssigned(Assignment {
        agency: "pupr".into(),
        officer: None,
        reason: None,
    });
    assert_eq!(b.apply(c(2), c(3), &[assign]), Next::Continue);
    assert_eq!(b.tickets["TGR-1"].ticket.status, TicketStatus::Assigned);
    let at = b.tickets["TGR-1"].at;
    assert_eq!(at.created, Some(1_795_402_800_000));
    assert_eq!(at.first_assigned, Some(1_795_402_860_000), "kept current on updates");
    assert_eq!((b.arrived, b.cursor), (1, Some(c(3))));
    let before = b.clone();
    assert_eq!(
        b.apply(c(5), c(6), &[report("TGR-2", "banjir", "2026-11-23T03:02:00Z")]),
        Next::Resubscribe
    );
    assert_eq!(b, before);
}

/// Settled tickets from before the day go once the board has grown; today's, open or
/// resolved ones and the newest listed stay.
#[test]
fn forgets_settled_tickets_no_view_needs() {
    use pantau_shared::event::StatusChange;
    let mut b = Board::default();
    b.reset(c(0), vec![], SlaConfig::default(), vec![]);
    let status = |id: &str, at: &str, status| {
        let mut e = report(id, "sampah", at);
        e.body = EventBody::StatusChanged(StatusChange {
            status,
            note: None,
            reason: None,
        });
        e
    };
    let mut events = Vec::new();
    for i in 0..FORGET_SLACK {
        let id = format!("TGR-{i}");
        events.push(report(&id, "sampah", &format!("2026-11-20T{:02}:00:00Z", i % 24)));
        if i % 2 == 1 {
            events.push(status(&id, "2026-11-21T00:00:00Z", TicketStatus::Rejected));
        }
    }
    // Reported today (counted in today's numbers) and rejected: kept.
    events.push(report("TGR-today", "sampah", "2026-11-23T01:00:00Z"));
    events.push(status("TGR-today", "2026-11-23T02:00:00Z", TicketStatus::Rejected));
    b.apply(c(0), c(1), &events);
    let since = 1_795_366_800_000; // 2026-11-23 00:00 WIB
                                   // Every rejected one of the 20th goes but the newest (TGR-95, listed after TGR-today).
    assert_eq!(b.forget_settled(since, 2), FORGET_SLACK / 2 - 1);
    assert!(
        b.get("TGR-today").is_some() && b.get("TGR-0").is_some(),
        "today's and open stay"
    );
    assert!(b.get("TGR-1").is_none());
    let kept: Vec<_> = b.newest(2, &Panel::All).into_iter().map(|t| t.id).collect();
    assert_eq!(kept, ["TGR-today", "TGR-95"], "the newest listed stay");
    assert_eq!(b.forget_settled(since, 2), 0, "waits for the board to grow");
}

/// The list is newest first and capped.
#[test]
fn lists_newest_first() {
    let mut b = Board::default();
    b.reset(c(0), vec![], SlaConfig::default(), vec![]);
    let events = [
        report("TGR-1", "sampah", "2026-11-23T03:00:00Z"),
        report("TGR-2", "banjir", "2026-11-23T03:01:00Z"),
        report("TGR-3", "sampah", "2026-11-23T03:02:00Z"),
    ];
    b.apply(c(0), c(1), &events);
    let ids: Vec<_> = b.newest(2, &Panel::All).into_iter().map(|t| t.id).collect();
    assert_eq!(ids, ["TGR-3", "TGR-2"]);
    assert!(b.newest(2, &Panel::Agency("pupr".into())).is_empty(), "all are dlh's");
}
