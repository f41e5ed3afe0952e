//! Unit tests of candidate duplicates and the merge/unmerge checks.

use super::*;
use pantau_shared::event::{EventBody, Merge};
use pantau_shared::fixtures;

/// A ticket `id` of `category` reported at `at`, `north_m` metres north of the sample point.
fn ticket(id: &str, category: &str, at: &str, north_m: f64) -> Ticket {
    let mut e = fixtures::report(id, category, at);
    let r = fixtures::report_mut(&mut e);
    // One degree of latitude is ~111,195 m on the haversine sphere.
    r.lat += north_m / 111_195.0;
    Ticket::open(&e).unwrap()
}

fn rule() -> DuplicateRule {
    DuplicateRule {
        related: vec![vec!["sampah".into(), "drainase".into()]],
        ..Default::default()
    }
}

fn ids(found: &[Candidate]) -> Vec<&str> {
    found.iter().map(|c| c.ticket.as_str()).collect()
}

/// Haversine distances: a degree of latitude is about 111 km; a point to itself is zero.
#[test]
fn measures_metres() {
    let p = fixtures::POINT;
    assert_eq!(distance_m(p, p), 0.0);
    let d = distance_m(p, (p.0 + 1.0, p.1));
    assert!((d - 111_195.0).abs() < 200.0, "{d}");
}

/// Nearest first, then earliest; the ticket itself, far ones, other categories, old ones
/// and merged or closed ones are left out; related categories count.
#[test]
fn finds_and_ranks_candidates() {
    let of = ticket("T-0", "sampah", "2026-11-23T03:00:00Z", 0.0);
    let mut merged = ticket("T-merged", "sampah", "2026-11-23T03:00:00Z", 5.0);
    merged.status = TicketStatus::Merged;
    merged.merged_into = Some("T-9".into());
    let mut closed = ticket("T-closed", "sampah", "2026-11-23T03:00:00Z", 5.0);
    closed.status = TicketStatus::Closed;
    let all = [
        of.clone(),
        ticket("T-far", "sampah", "2026-11-23T03:00:00Z", 400.0),
        ticket("T-40-late", "sampah", "2026-11-23T05:00:00Z", 40.0),
        ticket("T-40-early", "sampah", "2026-11-23T02:00:00Z", 40.0),
        ticket("T-10", "drainase", "2026-11-24T03:00:00Z", 10.0),
        ticket("T-banjir", "banjir", "2026-11-23T03:00:00Z", 1.0),
        ticket("T-old", "sampah", "2026-11-19T02:59:00Z", 1.0),
        ticket("T-edge", "sampah", "2026-11-26T03:00:00Z", 149.0),
        merged,
        closed,
    ];
    let found = candidates(&of, &all, &rule());
    assert_eq!(ids(&found), ["T-10", "T-40-early", "T-40-late", "T-edge"]);
    assert!((found[0].distance_m - 10.0).abs() < 0.5, "{:?}", found[0]);
    assert_eq!(found[0].reporters, 1);
    let narrow = DuplicateRule {
        max_distance_m: 20.0,
        window_hours: 24,
        related: vec![],
    };
    assert!(
        candidates(&of, &all, &narrow).is_empty(),
        "drainase is not related then"
    );
}

/// A candidate that already carries duplicates says how many citizens it stands for.
#[test]
fn candidates_count_their_reporters() {
    let of = ticket("T-0", "sampah", "2026-11-23T03:00:00Z", 0.0);
    let mut primary = ticket("T-1", "sampah", "2026-11-23T03:00:00Z", 20.0);
    primary.link(
        "T-2",
        &EventBody::Merged(Merge {
            primary: "T-1".into(),
            reporters: 2,
        }),
    );
    let found = candidates(&of, [&primary], &rule());
    assert_eq!(found[0].reporters, 3);
}

/// Merging into itself or an unknown ticket is invalid; into a closed or merged ticket, or
/// back into one of its own duplicates, is a conflict — each naming the field.
#[test]
fn refuses_bad_merges() {
    let a = ticket("T-A", "sampah", "2026-11-23T03:00:00Z", 0.0);
    let b = ticket("T-B", "sampah", "2026-11-23T03:00:00Z", 0.0);
    assert!(check_merge(&a, "T-B", Some(&b)).is_ok());
    assert!(matches!(
        check_merge(&a, "T-A", Some(&a)),
        Err(Refusal::Invalid { field: "into", .. })
    ));
    assert!(matches!(
        check_merge(&a, "BJR-1", None),
        Err(Refusal::Invalid { field: "into", .. })
    ));
    let mut closed = b.clone();
    closed.status = TicketStatus::Closed;
    assert!(matches!(
        check_merge(&a, "T-B", Some(&closed)),
        Err(Refusal::Conflict {
            code: "not_mergeable",
            field: "into",
            ..
        })
    ));
    // A is the primary of B: B is merged, and A cannot go into B.
    let mut primary = a.clone();
    primary.link(
        "T-B",
        &EventBody::Merged(Merge {
            primary: "T-A".into(),
            reporters: 1,
        }),
    );
    let mut dup = b.clone();
    dup.status = TicketStatus::Merged;
    dup.merged_into = Some("T-A".into());
    assert!(matches!(
        check_merge(&primary, "T-B", Some(&dup)),
        Err(Refusal::Conflict {
            code: "merge_cycle",
            field: "into",
            ..
        })
    ));
    let mut resolved = a.clone();
    resolved.status = TicketStatus::Resolved;
    assert!(matches!(
        check_merge(&resolved, "T-B", Some(&b)),
        Err(Refusal::Conflict { field: "ticket", .. })
    ));
}

/// An unmerge restores the status before the merge; a ticket not merged, or whose primary
/// is merged elsewhere, is refused.
#[test]
fn unmerge_restores_or_refuses() {
    let a = ticket("T-A", "sampah", "2026-11-23T03:00:00Z", 0.0);
    assert!(matches!(
        check_unmerge(&a, None),
        Err(Refusal::Conflict { code: "not_merged", .. })
    ));
    let mut dup = a.clone();
    dup.status = TicketStatus::Merged;
    dup.merged_into = Some("T-P".into());
    dup.status_before_merge = Some(TicketStatus::InProgress);
    let mut primary = ticket("T-P", "sampah", "2026-11-23T03:00:00Z", 0.0);
    assert_eq!(
        check_unmerge(&dup, Some(&primary)),
        Ok(("T-P".to_owned(), TicketStatus::InProgress))
    );
    primary.status = TicketStatus::Merged;
    primary.merged_into = Some("T-Q".into());
    assert!(matches!(
        check_unmerge(&dup, Some(&primary)),
        Err(Refusal::Conflict { field: "primary", .. })
    ));
}
