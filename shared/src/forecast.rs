//! Breach forecast: which open tickets will miss their resolution deadline in the next 1, 4
//! and 24 hours unless someone acts. Pure (tickets and an instant in, [`Forecast`] out); the
//! server puts it in the KPI report and the wall recomputes it from its own tickets for its
//! `panels=forecast` panel, so both show the same numbers.
//!
//! # Model
//! An agency works through its open tickets one at a time in resolution-deadline order
//! (overdue ones first) at its recent pace r = tickets it resolved in the last 24 hours ÷ 24
//! per hour, so the ticket at queue position k (1-based) is expected done k/r hours from now;
//! a ticket whose expected completion comes after its deadline is forecast to breach at that
//! deadline (with r = 0 every queued ticket breaches at its deadline).
//!
//! Details: "open" is status not resolved, closed or rejected; a ticket whose clock is
//! paused (waiting for the citizen) or without an SLA target has no deadline, is counted in
//! `open` and is not queued. Already-overdue tickets are counted in `overdue`, take their
//! place at the head of the queue, and are not counted again as forecast breaches. A ticket
//! breaches "within h hours" when `now ≤ deadline < now + h`. Agencies are the tickets'
//! current ones ([`NONE_KEY`] when not routed).

use crate::stats::{AgencyForecast, AtRisk, Forecast, NONE_KEY};
use crate::ticket::Ticket;
use chrono::DateTime;
use std::collections::BTreeMap;

const HOUR_MS: i64 = 3_600_000;

/// The pace window: resolutions in this many hours before `now` count towards r.
pub const RATE_WINDOW_HOURS: i64 = 24;

/// Most tickets listed in [`Forecast::at_risk`].
pub const AT_RISK_LIMIT: usize = 20;

/// The horizons forecast, hours.
pub const HORIZONS_HOURS: [i64; 3] = [1, 4, 24];

fn ms(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|d| d.timestamp_millis())
}

/// One agency's queue while forecasting.
#[derive(Default)]
struct Queue<'a> {
    open: u64,
    resolved_recently: u64,
    /// (deadline ms, ticket) of open tickets with a running resolution clock.
    queued: Vec<(i64, &'a Ticket)>,
}

/// The forecast at `now_ms` over `tickets` (every ticket of the tenant: open ones are
/// forecast, recently resolved ones give each agency its pace).
pub fn forecast<'a>(tickets: impl IntoIterator<Item = &'a Ticket>, now_ms: i64) -> Forecast {
    let mut agencies: BTreeMap<&'a str, Queue<'a>> = BTreeMap::new();
    let since = now_ms - RATE_WINDOW_HOURS * HOUR_MS;
    for t in tickets {
        let agency = t.agency.as_deref().unwrap_or(NONE_KEY);
        if t.status.is_open() {
            let q = agencies.entry(agency).or_default();
            q.open += 1;
            if let Some(deadline) = t.sla.as_ref().and_then(|s| s.resolution.deadline) {
                q.queued.push((deadline.timestamp_millis(), t));
            }
        } else if let Some(r) = t.resolved_at.as_deref().and_then(ms) {
            if r > since && r <= now_ms {
                agencies.entry(agency).or_default().resolved_recently += 1;
            }
        }
    }
    let mut per_agency = Vec::new();
    let mut at_risk = Vec::new();
    for (agency, mut q) in agencies {
        if q.open == 0 {
            continue;
        }
        q.queued.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.id.cmp(&b.1.id)));
        let rate = q.resolved_recently as f64 / RATE_WINDOW_HOURS as f64;
        let mut row = AgencyForecast {
            agency: agency.to_owned(),
            open: q.open,
            resolution_rate_per_hour: rate,
            ..AgencyForecast::default()
        };
        for (i, (deadline, t)) in q.queued.iter().enumerate() {
            let position = i as u64 + 1;
            if *deadline < now_ms {
                row.overdue += 1;
                continue;
            }
            // Expected completion k/r hours from now, compared in ms without rounding:
            // done after the deadline ⇔ k·HOUR > r·(deadline − now).
            let late = rate <= 0.0 || (position as f64) * (HOUR_MS as f64) > rate * (*deadline - now_ms) as f64;
            if !late {
                continue;
            }
            let left = *deadline - now_ms;
            let [h1, h4, h24] = HORIZONS_HOURS.map(|h| u64::from(left < h * HOUR_MS));
            row.breach_1h += h1;
            row.breach_4h += h4;
            row.breach_24h += h24;
            if h24 == 1 {
                at_risk.push(AtRisk {
                    ticket: t.id.clone(),
                    agency: agency.to_owned(),
                    category: t.category.clone(),
                    kecamatan: t.kecamatan.as_ref().map(|k| k.name.clone()),
                    deadline_ms: *deadline,
                    minutes_left: left as f64 / 60_000.0,
                    queue_position: position,
                });
            }
        }
        per_agency.push(row);
    }
    per_agency.sort_by(|a, b| b.breach_24h.cmp(&a.breach_24h).then_with(|| a.agency.cmp(&b.agency)));
    at_risk.sort_by(|a, b| a.deadline_ms.cmp(&b.deadline_ms).then_with(|| a.ticket.cmp(&b.ticket)));
    at_risk.truncate(AT_RISK_LIMIT);
    Forecast {
        now_ms,
        per_agency,
        at_risk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::TicketStatus;
    use crate::sla::{Target, TicketSla};
    use chrono::{TimeZone, Utc};

    const NOW: i64 = 1_764_568_800_000; // 2025-12-01T06:00:00Z

    fn target(deadline_ms: Option<i64>) -> Target {
        Target {
            minutes: 60,
            started_at: Utc.timestamp_millis_opt(0).unwrap(),
            deadline: deadline_ms.map(|d| Utc.timestamp_millis_opt(d).unwrap()),
            warn_at: None,
            done_at: None,
            paused_remaining_secs: None,
        }
    }

    /// An open ticket of `agency` whose resolution deadline is `minutes` from NOW (None:
    /// paused).
    fn open(id: &str, agency: &str, minutes: Option<i64>) -> Ticket {
        let e = crate::fixtures::report(id, "sampah", "2025-12-01T00:00:00Z");
        let mut t = Ticket::open(&e).unwrap();
        t.agency = Some(agency.into());
        let deadline = minutes.map(|m| NOW + m * 60_000);
        t.sla = Some(TicketSla {
            response: target(deadline),
            resolution: target(deadline),
        });
        t
    }

    /// A ticket of `agency` resolved `hours_ago` hours before NOW.
    fn resolved(id: &str, agency: &str, hours_ago: i64) -> Ticket {
        let mut t = open(id, agency, Some(0));
        t.status = TicketStatus::Resolved;
        let at = Utc.timestamp_millis_opt(NOW - hours_ago * HOUR_MS).unwrap();
        t.resolved_at = Some(at.to_rfc3339());
        t
    }

    /// Hand-computed backlog: dlh resolved 12 in 24 h (r = 0.5/h, one ticket every 2 h);
    /// its queue is one overdue ticket, then deadlines at +30 min, +3 h, +5 h, +20 h, +30 h
    /// and one paused ticket. Positions 1..6 are done at +2, +4, +6, +8, +10, +12 h: the
    /// overdue one is only counted as overdue; +30 min (done +4 h) and +3 h (done +6 h) and
    /// +5 h (done +8 h) breach; +20 h (done +10 h) and +30 h (done +12 h) do not. pupr
    /// resolved nothing (r = 0): its only ticket (+2 h) breaches. A resolution 25 h ago
    /// does not count towards r.
    #[test]
    fn crafted_backlog() {
        let mut tickets: Vec<Ticket> = (0..12).map(|i| resolved(&format!("R-{i:02}"), "dlh", i % 24)).collect();
        tickets.push(resolved("R-OLD", "pupr", 25));
        tickets.push(open("D-OVER", "dlh", Some(-10)));
        tickets.push(open("D-30M", "dlh", Some(30)));
        tickets.push(open("D-3H", "dlh", Some(180)));
        tickets.push(open("D-5H", "dlh", Some(300)));
        tickets.push(open("D-20H", "dlh", Some(1200)));
        tickets.push(open("D-30H", "dlh", Some(1800)));
        tickets.push(open("D-PAUSED", "dlh", None));
        tickets.push(open("P-2H", "pupr", Some(120)));
        let f = forecast(&tickets, NOW);
        assert_eq!(f.now_ms, NOW);
        let dlh = f.per_agency.iter().find(|a| a.agency == "dlh").unwrap();
        assert_eq!((dlh.open, dlh.overdue), (7, 1));
        assert_eq!(dlh.resolution_rate_per_hour, 0.5);
        assert_eq!((dlh.breach_1h, dlh.breach_4h, dlh.breach_24h), (1, 2, 3));
        let pupr = f.per_agency.iter().find(|a| a.agency == "pupr").unwrap();
        assert_eq!(pupr.resolution_rate_per_hour, 0.0);
        assert_eq!(
            (pupr.open, pupr.breach_1h, pupr.breach_4h, pupr.breach_24h),
            (1, 0, 1, 1)
        );
        assert_eq!(f.per_agency[0].agency, "dlh", "most breaches first");
        let ids: Vec<&str> = f.at_risk.iter().map(|a| a.ticket.as_str()).collect();
        assert_eq!(ids, ["D-30M", "P-2H", "D-3H", "D-5H"]);
        assert_eq!(f.at_risk[0].queue_position, 2);
        assert_eq!(f.at_risk[0].minutes_left, 30.0);
    }

    /// A ticket the agency reaches exactly at its deadline is not forecast to breach, and
    /// resolved or closed tickets are never forecast.
    #[test]
    fn on_the_edge() {
        // r = 1/h: the first ticket is done at +1 h, exactly its deadline.
        let mut tickets: Vec<Ticket> = (0..24).map(|i| resolved(&format!("R-{i}"), "dlh", i)).collect();
        tickets.push(open("EDGE", "dlh", Some(60)));
        let f = forecast(&tickets, NOW);
        assert_eq!(f.per_agency.len(), 1);
        assert_eq!(f.per_agency[0].breach_24h, 0);
        assert!(f.at_risk.is_empty());
    }
}
