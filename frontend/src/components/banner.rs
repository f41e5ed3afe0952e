//! The stale-data banner: whenever the wall is not live (connecting, reconnecting, or the
//! server cannot reach its event store) a full-width bar says so — an operator must never
//! mistake an old picture for the current one. It lies over the top of the wall's body
//! rather than pushing it down, so coming and going it moves nothing.

use crate::i18n::{t, Lang, Text};
use crate::state::ConnStatus;
use leptos::prelude::*;

#[component]
pub fn StaleBanner(conn: Signal<ConnStatus>, lang: Lang) -> impl IntoView {
    let text = move || match conn.get() {
        ConnStatus::Live => None,
        ConnStatus::Connecting => Some(t(lang, Text::StaleConnecting)),
        ConnStatus::Reconnecting => Some(t(lang, Text::StaleReconnecting)),
        ConnStatus::Degraded => Some(t(lang, Text::StaleDegraded)),
    };
    view! {
        <Show when=move || text().is_some()>
            <div class="stale-banner" data-testid="stale-banner" role="alert">{move || text().unwrap_or_default()}</div>
        </Show>
    }
}
