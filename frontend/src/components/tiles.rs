//! KPI tiles: a big count, and the category breakdown of the latest reports.

use crate::i18n::{self, t, Lang, Text};
use crate::state::WallState;
use crate::time::format_count;
use leptos::prelude::*;

/// One number, large enough to read across the room.
#[component]
pub fn CountTile(label: &'static str, value: Signal<u64>, testid: &'static str, accent: &'static str) -> impl IntoView {
    view! {
        <div class=format!("tile accent-{accent}")>
            <div class="tile-label">{label}</div>
            <div class="tile-value" data-testid=testid>{move || format_count(value.get())}</div>
        </div>
    }
}

/// Horizontal bars: open tickets per category.
#[component]
pub fn CategoryBars(state: WallState, lang: Lang) -> impl IntoView {
    let counts = Memo::new(move |_| state.board.with(|b| b.open_by_category()));
    view! {
        <div class="tile bars">
            <div class="tile-label">
                {t(lang, Text::ByCategory)}
            </div>
            <ul>
                {move || {
                    let rows = counts.get();
                    let max = rows.first().map(|r| r.1).unwrap_or(1).max(1);
                    rows.into_iter()
                        .map(|(code, n)| {
                            let width = format!("width: {}%", n * 100 / max);
                            view! {
                                <li class=format!("bar cat-{code}")>
                                    <span class="bar-name">{i18n::category(lang, &code)}</span>
                                    <span class="bar-track"><span class="bar-fill" style=width></span></span>
                                    <span class="bar-count">{n}</span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}
