//! Resource gauges (hospital beds free per ward, permits in process): the latest report of
//! each source with how long ago it reported; a source silent for over 30 minutes is shown
//! as stale rather than as if current. Free beds are coloured by how alarming they are: none
//! free is red, few yellow, enough green. The tile is always there (its space reserved), so
//! the first report does not move the page.

use crate::i18n::{t, Lang, Text};
use crate::time;
use leptos::prelude::*;
use pantau_shared::event::Resource;
use pantau_shared::protocol::Gauge;

/// A source silent this long is marked stale, ms.
pub const STALE_AFTER_MS: f64 = 30.0 * 60_000.0;
/// Gauges listed.
const SHOWN: usize = 6;
/// At most this share of beds free counts as "few".
const LOW_SHARE: f64 = 0.2;

/// Minutes since the gauge's report, at `now_ms`.
pub fn age_minutes(g: &Gauge, now_ms: f64) -> Option<i64> {
    time::parse_ms(&g.reported_at).map(|at| ((now_ms - at) / 60_000.0).floor().max(0.0) as i64)
}

/// How alarming a gauge's free capacity is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Nothing free: the case an operator must see first.
    Full,
    /// A fifth or less free (or a single bed).
    Low,
    Enough,
    /// Not a bed count, or not reported completely.
    Neutral,
}

impl Level {
    /// CSS class of the value.
    pub fn class(self) -> &'static str {
        match self {
            Level::Full => "level-full",
            Level::Low => "level-low",
            Level::Enough => "level-ok",
            Level::Neutral => "level-neutral",
        }
    }
}

/// The level of a resource report: only hospital beds with capacity and use are judged.
pub fn level(r: &Resource) -> Level {
    let (Some(capacity), Some(used), "hospital_beds") = (r.capacity, r.used, r.kind.as_str()) else {
        return Level::Neutral;
    };
    let free = capacity.saturating_sub(used);
    if free == 0 {
        Level::Full
    } else if free <= 1 || f64::from(free) <= f64::from(capacity) * LOW_SHARE {
        Level::Low
    } else {
        Level::Enough
    }
}

/// The latest `gauges`, their ages at `now` (server clock, ms).
#[component]
pub fn GaugeList(gauges: Memo<Vec<Gauge>>, now: Signal<f64>, lang: Lang) -> impl IntoView {
    view! {
        <div class="tile gauges" data-testid="gauges">
            <div class="tile-label">{t(lang, Text::Resources)}</div>
            <Show when=move || gauges.with(|g| !g.is_empty()) fallback=move || view! { <p class="gauge-empty">"–"</p> }>
                <ul>
                    {move || {
                        gauges
                            .get()
                            .into_iter()
                            .take(SHOWN)
                            .map(|g| {
                                let r = &g.resource;
                                let free = match (r.capacity, r.used) {
                                    (Some(c), Some(u)) => format!("{} / {}", c.saturating_sub(u), c),
                                    (Some(c), None) => c.to_string(),
                                    _ => "–".into(),
                                };
                                let age = age_minutes(&g, now.get());
                                let stale = age.is_none_or(|m| m as f64 * 60_000.0 > STALE_AFTER_MS);
                                let name = match &r.unit { Some(u) => format!("{} · {u}", r.facility), None => r.facility.clone() };
                                let queue = r.queue.map(|q| format!("{} {q}", t(lang, Text::Queue))).unwrap_or_default();
                                let ago = age.map(|m| format!("{m} {}", t(lang, Text::MinutesAgo))).unwrap_or_default();
                                let value_class = format!("gauge-value {}", level(r).class());
                                view! {
                                    <li class=if stale { "gauge stale" } else { "gauge" } data-testid="gauge">
                                        <span class="gauge-name">{name}</span>
                                        <span class=value_class data-testid="gauge-value">{free}</span>
                                        <span class="gauge-meta">{[queue, ago].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </Show>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn beds(capacity: u32, used: u32) -> Resource {
        Resource {
            kind: "hospital_beds".into(),
            facility: "RSUD".into(),
            unit: Some("ICU".into()),
            capacity: Some(capacity),
            used: Some(used),
            queue: None,
        }
    }

    /// No free bed is the alarming case (red), few is a warning, enough is calm; other
    /// gauges are not judged.
    #[test]
    fn free_beds_levels() {
        assert_eq!(level(&beds(12, 12)), Level::Full);
        assert_eq!(level(&beds(12, 13)), Level::Full, "over-full is full");
        assert_eq!(level(&beds(12, 10)), Level::Low);
        assert_eq!(level(&beds(3, 2)), Level::Low, "a single bed left");
        assert_eq!(level(&beds(12, 3)), Level::Enough);
        let permits = Resource {
            kind: "permits".into(),
            ..beds(10, 10)
        };
        assert_eq!(level(&permits), Level::Neutral);
        assert_eq!(
            level(&Resource {
                used: None,
                ..beds(5, 0)
            }),
            Level::Neutral
        );
    }
}
