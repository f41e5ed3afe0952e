//! The console's queue, pure: which tickets a filter admits, the SLA-urgency order, the
//! filter's round trip through the URL (so a filtered view can be bookmarked), and the
//! window of rows a virtualised list draws. No DOM: tested natively.

use crate::components::urgent::next_deadline_ms;
use crate::state::{Board, Entry};
use crate::url::{encode, query_value};
use chrono::{DateTime, Utc};
use pantau_shared::sla::SlaState;
use pantau_shared::ticket::Ticket;

/// Height of one queue row in rem (the list is virtualised: every row has this height; the
/// stylesheet's `.queue-row` says the same). Rem scale with the screen, so the page
/// converts it to px with the root font size.
pub const ROW_REM: f64 = 2.8;
/// Rows drawn above and below the visible ones, so a quick scroll shows no gap.
pub const OVERSCAN: usize = 8;

/// The URL parameters of the queue's filters.
pub const PARAMS: [&str; 7] = ["agency", "officer", "category", "kecamatan", "status", "sla", "q"];

/// The `status` filter of the triage queue (new reports, and those asked for more before
/// anyone verified them).
pub const TRIAGE: &str = "triage";
/// The `status` filter of resolved tickets waiting for a validator.
pub const VALIDATION: &str = "validation";

/// What the queue shows. Every set field must match; `status` `None` means open tickets,
/// `all` every ticket, [`TRIAGE`] and [`VALIDATION`] the workflow's queues, else one status
/// code; `sla` is a state either target is in
/// (`on_track`, `warning`, `breached`, `paused`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueueFilter {
    pub agency: Option<String>,
    pub officer: Option<String>,
    pub category: Option<String>,
    /// Kecamatan code or name.
    pub kecamatan: Option<String>,
    pub status: Option<String>,
    pub sla: Option<String>,
    /// Free text: ticket number, description, address, kecamatan (case-insensitive).
    pub q: String,
}

impl QueueFilter {
    /// The filter a URL query (`?agency=dlh&q=banjir`) asks for; blank values are unset.
    pub fn from_query(search: &str) -> QueueFilter {
        let get = |k: &str| query_value(search, k).filter(|v| !v.trim().is_empty());
        QueueFilter {
            agency: get("agency"),
            officer: get("officer"),
            category: get("category"),
            kecamatan: get("kecamatan"),
            status: get("status"),
            sla: get("sla"),
            q: get("q").unwrap_or_default(),
        }
    }

    /// The query string for this filter after the parameters in `keep` (tenant, lang), in a
    /// fixed order: `?tenant=x&agency=dlh&q=banjir`. Empty when there is nothing to say.
    pub fn to_query(&self, keep: &[(&str, String)]) -> String {
        let values = [
            self.agency.as_deref(),
            self.officer.as_deref(),
            self.category.as_deref(),
            self.kecamatan.as_deref(),
            self.status.as_deref(),
            self.sla.as_deref(),
            Some(self.q.as_str()),
        ];
        let pairs: Vec<String> = keep
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(PARAMS.iter().copied().zip(values).filter_map(|(k, v)| Some((k, v?))))
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect();
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    /// Whether `t` is in the queue at `now`.
    pub fn admits(&self, t: &Ticket, now: DateTime<Utc>) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| Some(w) == have);
        let status_ok = match self.status.as_deref() {
            None => t.status.is_open(),
            Some("all") => true,
            Some(TRIAGE) => super::workflow::in_triage(t),
            Some(VALIDATION) => t.status == pantau_shared::event::TicketStatus::Resolved,
            Some(s) => t.status.as_str() == s,
        };
        status_ok
            && eq(&self.agency, t.agency.as_deref())
            && eq(&self.officer, t.officer.as_deref())
            && eq(&self.category, Some(&t.category))
            && self.kecamatan.as_deref().is_none_or(|k| {
                t.kecamatan
                    .as_ref()
                    .is_some_and(|p| p.code == k || p.name.eq_ignore_ascii_case(k))
            })
            && self
                .sla
                .as_deref()
                .is_none_or(|s| sla_states(t, now).iter().any(|x| x.as_str() == s))
            && self.text_matches(t)
    }

    fn text_matches(&self, t: &Ticket) -> bool {
        let q = self.q.trim().to_lowercase();
        if q.is_empty() {
            return true;
        }
        let has = |s: &str| s.to_lowercase().contains(&q);
        has(&t.id)
            || has(&t.description)
            || t.address.as_deref().is_some_and(has)
            || t.kecamatan.as_ref().is_some_and(|k| has(&k.name))
    }
}

/// The states of a ticket's two targets at `now` (none without an SLA).
pub fn sla_states(t: &Ticket, now: DateTime<Utc>) -> Vec<SlaState> {
    t.sla
        .as_ref()
        .map(|s| vec![s.response.state(now), s.resolution.state(now)])
        .unwrap_or_default()
}

/// The worst state of a ticket now, for its row's colour: breached, warning, else on track
/// (`None` when it has no running target).
pub fn worst_state(t: &Ticket, now: DateTime<Utc>) -> Option<SlaState> {
    let states = sla_states(t, now);
    [
        SlaState::Breached,
        SlaState::Warning,
        SlaState::OnTrack,
        SlaState::Paused,
    ]
    .into_iter()
    .find(|s| states.contains(s))
}

/// The queue's order key: open tickets by their next deadline (most overdue first), then
/// open tickets without a running deadline (paused) oldest first, then the rest newest first.
fn urgency(e: &Entry) -> (u8, f64) {
    let t = &e.ticket;
    let created = e.at.created.unwrap_or(0) as f64;
    if !t.status.is_open() {
        return (2, -(e.at.resolved.map_or(created, |r| r as f64)));
    }
    match next_deadline_ms(t) {
        Some(d) => (0, d),
        None => (1, created),
    }
}

/// Ids of the tickets `filter` admits, most urgent first (ties by ticket number).
pub fn order(board: &Board, filter: &QueueFilter, now: DateTime<Utc>) -> Vec<String> {
    let mut rows: Vec<((u8, f64), &str)> = board
        .entries()
        .filter(|e| filter.admits(&e.ticket, now))
        .map(|e| (urgency(e), e.ticket.id.as_str()))
        .collect();
    rows.sort_by(|a, b| {
        a.0 .0
            .cmp(&b.0 .0)
            .then(a.0 .1.total_cmp(&b.0 .1))
            .then_with(|| a.1.cmp(b.1))
    });
    rows.into_iter().map(|(_, id)| id.to_owned()).collect()
}

/// The rows a virtualised list of `len` rows, each `row_px` high, draws when scrolled to
/// `scroll_top` in a viewport `height` px high: `start..end`, with [`OVERSCAN`] rows either
/// side.
pub fn window(scroll_top: f64, height: f64, row_px: f64, len: usize) -> std::ops::Range<usize> {
    let row_px = row_px.max(1.0);
    let first = (scroll_top.max(0.0) / row_px).floor() as usize;
    let shown = (height.max(0.0) / row_px).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(len);
    let end = (first + shown + OVERSCAN).min(len);
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::cursor::Cursor;
    use pantau_shared::event::{Assignment, EventBody, StatusChange, TicketStatus};
    use pantau_shared::fixtures::report;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Round-the-clock rules: respond within an hour, resolve within ten.
    fn sla() -> pantau_shared::sla::SlaConfig {
        use pantau_shared::sla::{Calendar, Policy, SlaConfig};
        let policy = |category: &str| Policy {
            category: category.into(),
            priority: pantau_shared::event::Priority::Medium,
            response_minutes: 60,
            resolution_minutes: 600,
            calendar: 0,
        };
        SlaConfig {
            warning_share: 0.75,
            calendars: vec![Calendar {
                week: None,
                holidays: Default::default(),
                utc_offset_minutes: 420,
            }],
            policies: vec![policy("sampah"), policy("banjir")],
            tiers: vec![],
        }
    }

    /// A board of three reports (the fixtures' SLA: sampah/banjir policies) at cursor 1.
    fn board() -> Board {
        let mut b = Board::default();
        b.reset(Cursor { ms: 0, seq: 0 }, vec![], sla(), vec![]);
        let events = [
            report("TGR-1", "sampah", "2026-11-23T03:00:00Z"),
            report("TGR-2", "banjir", "2026-11-23T02:00:00Z"),
            report("TGR-3", "sampah", "2026-11-23T01:00:00Z"),
        ];
        b.apply(Cursor { ms: 0, seq: 0 }, Cursor { ms: 1, seq: 0 }, &events);
        b
    }

    fn event(id: &str, body: EventBody) -> pantau_shared::event::Event {
        let mut e = report(id, "sampah", "2026-11-23T04:00:00Z");
        e.body = body;
        e
    }

    /// Open tickets come most overdue first; closed ones drop out unless asked for.
    #[test]
    fn orders_by_urgency_and_hides_closed() {
        let mut b = board();
        let now = at("2026-11-23T05:00:00Z");
        let all = order(&b, &QueueFilter::default(), now);
        let deadline = |id: &str| next_deadline_ms(&b.get(id).unwrap().ticket).unwrap();
        let mut by_deadline = all.clone();
        by_deadline.sort_by(|x, y| deadline(x).total_cmp(&deadline(y)).then(x.cmp(y)));
        assert_eq!(all, by_deadline);
        assert_eq!(all.len(), 3);
        let resolve = event(
            "TGR-3",
            EventBody::StatusChanged(StatusChange {
                status: TicketStatus::Resolved,
                note: None,
                reason: None,
            }),
        );
        b.apply(Cursor { ms: 1, seq: 0 }, Cursor { ms: 2, seq: 0 }, &[resolve]);
        assert!(!order(&b, &QueueFilter::default(), now).contains(&"TGR-3".to_owned()));
        let everything = QueueFilter {
            status: Some("all".into()),
            ..Default::default()
        };
        assert_eq!(order(&b, &everything, now).last().map(String::as_str), Some("TGR-3"));
        let resolved = QueueFilter {
            status: Some("resolved".into()),
            ..Default::default()
        };
        assert_eq!(order(&b, &resolved, now), ["TGR-3"]);
    }

    /// Each filter field narrows the queue; free text looks in number and description.
    #[test]
    fn filters_narrow_the_queue() {
        let mut b = board();
        let now = at("2026-11-23T03:30:00Z");
        let assign = event(
            "TGR-2",
            EventBody::TicketAssigned(Assignment {
                agency: "pupr".into(),
                officer: Some("pupr-andi".into()),
                reason: None,
            }),
        );
        b.apply(Cursor { ms: 1, seq: 0 }, Cursor { ms: 2, seq: 0 }, &[assign]);
        let ids = |f: QueueFilter| order(&b, &f, now);
        let f = |q: &str| QueueFilter::from_query(q);
        assert_eq!(ids(f("?agency=pupr")), ["TGR-2"]);
        assert_eq!(ids(f("?officer=pupr-andi")), ["TGR-2"]);
        assert_eq!(ids(f("?category=banjir")), ["TGR-2"]);
        assert_eq!(ids(f("?status=assigned")), ["TGR-2"]);
        assert_eq!(ids(f("?q=tgr-3")), ["TGR-3"]);
        assert!(ids(f("?q=no+such+words")).is_empty());
        assert_eq!(ids(f("?agency=dlh&category=sampah")).len(), 2);
        assert!(ids(f("?kecamatan=nowhere")).is_empty());
    }

    /// The SLA filter picks tickets by either target's state at `now`.
    #[test]
    fn sla_filter_follows_the_clock() {
        let b = board();
        let breached = QueueFilter::from_query("?sla=breached");
        assert!(order(&b, &breached, at("2026-11-23T01:00:01Z")).is_empty());
        let later = order(&b, &breached, at("2026-12-23T00:00:00Z"));
        assert_eq!(later.len(), 3, "a month later every target has passed");
        let worst = worst_state(&b.get("TGR-1").unwrap().ticket, at("2026-12-23T00:00:00Z"));
        assert_eq!(worst, Some(SlaState::Breached));
    }

    /// A filter survives the trip through the URL, after the kept parameters.
    #[test]
    fn filter_round_trips_through_the_url() {
        let f = QueueFilter {
            agency: Some("dlh".into()),
            sla: Some("breached".into()),
            q: "jalan rusak & banjir".into(),
            ..Default::default()
        };
        let q = f.to_query(&[("tenant", "tangerang".into()), ("lang", String::new())]);
        assert!(q.starts_with("?tenant=tangerang&agency=dlh&sla=breached&q="), "{q}");
        assert_eq!(QueueFilter::from_query(&q), f);
        assert_eq!(QueueFilter::default().to_query(&[]), "");
    }

    /// A board asked to collect changes names every ticket opened or changed by deltas
    /// (not those of a snapshot); one that was not asked collects nothing.
    #[test]
    fn boards_collect_changed_tickets_when_asked() {
        let mut b = board();
        assert_eq!(b.touched, None);
        b.touched = Some(Vec::new());
        let comment = event(
            "TGR-1",
            EventBody::Commented(pantau_shared::event::Comment { text: "ok".into() }),
        );
        let fresh = report("TGR-9", "sampah", "2026-11-23T04:00:00Z");
        b.apply(Cursor { ms: 1, seq: 0 }, Cursor { ms: 2, seq: 0 }, &[comment, fresh]);
        assert_eq!(
            b.touched.as_deref(),
            Some(&["TGR-1".to_owned(), "TGR-9".to_owned()][..])
        );
        b.reset(Cursor { ms: 3, seq: 0 }, vec![], sla(), vec![]);
        assert_eq!(b.touched.as_deref(), Some(&[][..]), "a snapshot marks nothing");
    }

    /// The drawn window covers the viewport plus the overscan, clamped to the list.
    #[test]
    fn window_covers_the_viewport() {
        const ROW: f64 = 64.0;
        assert_eq!(window(0.0, 640.0, ROW, 10_000), 0..19);
        let w = window(ROW * 5_000.0, 640.0, ROW, 10_000);
        assert_eq!(w, 4_992..5_019);
        assert_eq!(window(ROW * 9_999.0, 640.0, ROW, 10_000), 9_991..10_000);
        assert_eq!(window(0.0, 640.0, ROW, 3), 0..3);
        assert_eq!(window(500.0, 640.0, ROW, 0), 0..0);
        assert_eq!(
            window(0.0, 640.0, 0.0, 5),
            0..5,
            "an unmeasured row height draws safely"
        );
    }
}
