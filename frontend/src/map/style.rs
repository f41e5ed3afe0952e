//! Colours of the wall: SLA states of markers and the shading of kecamatan. Pure.

use pantau_shared::event::TicketStatus;
use pantau_shared::sla::SlaState;
use pantau_shared::ticket::Ticket;

/// How urgent a ticket looks on the map, least to most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Urgency {
    /// Resolved in the last minutes: fading green.
    JustResolved,
    Paused,
    OnTrack,
    Warning,
    Breached,
}

/// How long a resolved ticket stays on the map, ms.
pub const RESOLVED_FADE_MS: f64 = 10.0 * 60_000.0;

/// The marker state of a ticket at `now_ms` (server clock), or `None` when it is not drawn
/// (closed, rejected, or resolved a while ago).
pub fn urgency(t: &Ticket, now_ms: f64, resolved_ms: Option<f64>) -> Option<Urgency> {
    if !t.status.is_open() {
        return match (t.status, resolved_ms) {
            (TicketStatus::Resolved, Some(at)) if now_ms - at < RESOLVED_FADE_MS => Some(Urgency::JustResolved),
            _ => None,
        };
    }
    let Some(sla) = &t.sla else {
        return Some(Urgency::OnTrack);
    };
    let now = chrono::DateTime::from_timestamp_millis(now_ms as i64)?;
    let worst = sla.response.state(now).max(sla.resolution.state(now));
    Some(match worst {
        SlaState::Breached | SlaState::Missed => Urgency::Breached,
        SlaState::Warning => Urgency::Warning,
        SlaState::Paused => Urgency::Paused,
        SlaState::OnTrack | SlaState::Met => Urgency::OnTrack,
    })
}

/// CSS colour of a marker.
pub fn colour(u: Urgency) -> &'static str {
    match u {
        Urgency::JustResolved => "#22c55e",
        Urgency::Paused => "#94a3b8",
        Urgency::OnTrack => "#38bdf8",
        Urgency::Warning => "#facc15",
        Urgency::Breached => "#ef4444",
    }
}

/// Fill of a kecamatan with `open` tickets whose most urgent state is `worst`, when the
/// busiest has `max`: stronger with more work, in the colour of the worst state (red
/// breached, yellow warning, blue otherwise).
pub fn shade(open: usize, worst: Urgency, max: usize) -> String {
    let share = if max == 0 { 0.0 } else { open as f64 / max as f64 };
    let alpha = 0.08 + 0.42 * share;
    let rgb = match worst {
        Urgency::Breached => "239, 68, 68",
        Urgency::Warning => "250, 204, 21",
        _ => "56, 189, 248",
    };
    format!("rgba({rgb}, {alpha:.3})")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Urgency ranks breached above warning above on-track; shading scales with the load and
    /// takes the colour of the worst state.
    #[test]
    fn colour_rules() {
        assert!(Urgency::Breached > Urgency::Warning && Urgency::Warning > Urgency::OnTrack);
        assert_eq!(colour(Urgency::Breached), "#ef4444");
        assert_eq!(shade(0, Urgency::OnTrack, 10), "rgba(56, 189, 248, 0.080)");
        assert_eq!(shade(10, Urgency::OnTrack, 10), "rgba(56, 189, 248, 0.500)");
        assert!(shade(5, Urgency::Breached, 10).starts_with("rgba(239, 68, 68"));
        assert!(shade(5, Urgency::Warning, 10).starts_with("rgba(250, 204, 21"));
    }
}
