//! Resource gauges (hospital beds free per ward, permits in process): the latest report of
//! each source with how long ago it reported; a source silent for over 30 minutes is shown
//! as stale rather than as if current.

use crate::i18n::{t, Lang, Text};
use crate::state::WallState;
use crate::time;
use leptos::prelude::*;
use pantau_shared::protocol::Gauge;

/// A source silent this long is marked stale, ms.
pub const STALE_AFTER_MS: f64 = 30.0 * 60_000.0;

/// Minutes since the gauge's report, at `now_ms`.
pub fn age_minutes(g: &Gauge, now_ms: f64) -> Option<i64> {
    time::parse_ms(&g.reported_at).map(|at| ((now_ms - at) / 60_000.0).floor().max(0.0) as i64)
}

#[component]
pub fn GaugeList(state: WallState, lang: Lang, now: Signal<f64>) -> impl IntoView {
    let gauges = Memo::new(move |_| state.board.with(|b| b.gauges.values().cloned().collect::<Vec<_>>()));
    view! {
        <Show when=move || gauges.with(|g| !g.is_empty())>
            <div class="tile gauges" data-testid="gauges">
                <div class="tile-label">{t(lang, Text::Resources)}</div>
                <ul>
                    {move || {
                        gauges
                            .get()
                            .into_iter()
                            .take(6)
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
                                view! {
                                    <li class=if stale { "gauge stale" } else { "gauge" } data-testid="gauge">
                                        <span class="gauge-name">{name}</span>
                                        <span class="gauge-value">{free}</span>
                                        <span class="gauge-meta">{[queue, ago].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ")}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
