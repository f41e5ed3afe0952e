//! The wall's forecast panel (`?panels=forecast`): per agency, how many open tickets will
//! breach their resolution deadline within 1, 4 and 24 hours unless someone acts. The wall
//! computes it from its own tickets with the shared model ([`pantau_shared::forecast`], the
//! one the server's `/kpi` report uses), so both agree. It is mounted only while the panel
//! is on screen, and recomputed when deltas are published and once a minute.

use crate::i18n::Lang;
use crate::pages::kpi::text::{tr, Key};
use crate::state::Board;
use crate::time::format_count;
use leptos::prelude::*;
use pantau_shared::forecast::forecast;
use pantau_shared::stats::{AgencyForecast, NONE_KEY};

/// Agencies listed (those with the most forecast breaches).
pub const FORECAST_ROWS: usize = 8;

/// The agencies to list: those with open tickets at risk or overdue, most breaches first,
/// at most `n`.
pub fn rows_to_show(per_agency: &[AgencyForecast], n: usize) -> Vec<AgencyForecast> {
    per_agency
        .iter()
        .filter(|a| a.breach_24h > 0 || a.overdue > 0)
        .take(n)
        .cloned()
        .collect()
}

#[component]
pub fn ForecastPanel(board: ReadSignal<Board>, now: Signal<f64>, lang: Lang) -> impl IntoView {
    // The forecast moves with the clock only by the minute.
    let minute = Memo::new(move |_| (now.get() / 60_000.0).floor() as i64);
    let rows = Memo::new(move |_| {
        minute.track();
        let at = now.get_untracked() as i64;
        board.with(|b| rows_to_show(&forecast(b.tickets(), at).per_agency, FORECAST_ROWS))
    });
    let row = move |a: AgencyForecast| {
        let name = if a.agency == NONE_KEY {
            tr(lang, Key::Unrouted).to_owned()
        } else {
            a.agency.to_ascii_uppercase()
        };
        view! {
            <li class="forecast-row" data-testid="forecast-row" data-agency=a.agency.clone()>
                <span class="forecast-name">{name}</span>
                <span class="forecast-n" data-testid="breach-1h">{format_count(a.breach_1h)}</span>
                <span class="forecast-n" data-testid="breach-4h">{format_count(a.breach_4h)}</span>
                <span class="forecast-n" data-testid="breach-24h">{format_count(a.breach_24h)}</span>
            </li>
        }
    };
    view! {
        <section class="reports wall-forecast" data-testid="forecast-panel">
            <h2>{tr(lang, Key::Forecast)}</h2>
            <Show when=move || rows.with(|r| !r.is_empty()) fallback=move || view! { <p class="empty">{tr(lang, Key::NoneAtRisk)}</p> }>
                <ul class="forecast-list">
                    <li class="forecast-row forecast-head" aria-hidden="true">
                        <span></span>
                        <span class="forecast-n">{tr(lang, Key::Within1h)}</span>
                        <span class="forecast-n">{tr(lang, Key::Within4h)}</span>
                        <span class="forecast-n">{tr(lang, Key::Within24h)}</span>
                    </li>
                    <For each=move || rows.get() key=|a| (a.agency.clone(), a.open, a.overdue, a.breach_1h, a.breach_4h, a.breach_24h) children=row />
                </ul>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, overdue: u64, breach_24h: u64) -> AgencyForecast {
        AgencyForecast {
            agency: code.into(),
            open: overdue + breach_24h + 1,
            overdue,
            breach_24h,
            ..AgencyForecast::default()
        }
    }

    /// Agencies with nothing at risk are left out; the model's order is kept; the list is capped.
    #[test]
    fn lists_agencies_at_risk() {
        let all = [
            agency("dlh", 0, 3),
            agency("pupr", 2, 0),
            agency("bpbd", 0, 0),
            agency("dishub", 0, 1),
        ];
        let codes: Vec<String> = rows_to_show(&all, 8).into_iter().map(|a| a.agency).collect();
        assert_eq!(codes, ["dlh", "pupr", "dishub"]);
        assert_eq!(rows_to_show(&all, 1).len(), 1);
    }
}
