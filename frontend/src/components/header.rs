//! The header bar: brand and tenant, the panel on screen (and its place in the rotation),
//! the connection indicator, the tenant's local clock.

use crate::i18n::{t, Lang, Text};
use crate::state::{ConnStatus, WallState};
use crate::time;
use leptos::prelude::*;
use std::time::Duration;

#[component]
pub fn Header(state: WallState, lang: Lang, position: Signal<(usize, usize)>) -> impl IntoView {
    // The clock ticks locally every second, corrected by the measured server offset.
    let now = RwSignal::new(time::now_ms());
    set_interval(move || now.set(time::now_ms()), Duration::from_millis(1000));

    let tenant_name = move || state.tenant.get().map(|t| t.name).unwrap_or_default();
    let clock = move || {
        let server_now = now.get() + state.clock_offset_ms.get();
        match state.tenant.get() {
            Some(info) => format!(
                "{} {}",
                time::clock_hms(server_now, info.utc_offset_minutes),
                info.zone_label
            ),
            None => String::new(),
        }
    };
    let panel_title = move || {
        state.tenant.with(|t| {
            state
                .panel
                .with(|p| p.title(lang, t.as_ref().map_or(&[][..], |i| &i.agencies)))
        })
    };
    let rotation = move || match position.get() {
        (_, 1) => String::new(),
        (i, n) => format!("{i}/{n}"),
    };
    let status = move || state.conn.get();
    let status_text = move || match status() {
        ConnStatus::Live => t(lang, Text::Live),
        ConnStatus::Connecting => t(lang, Text::Connecting),
        ConnStatus::Reconnecting => t(lang, Text::Reconnecting),
        ConnStatus::Degraded => t(lang, Text::Degraded),
    };
    view! {
        <header class="wall-header">
            <div class="brand">
                <span class="logo">"PANTAU"</span>
                <span class="tenant" data-testid="tenant-name">{tenant_name}</span>
                <span class="room">{t(lang, Text::ControlRoom)}</span>
            </div>
            <div class="panel-title" data-testid="panel" data-position=rotation>
                <span>{panel_title}</span>
                <span class="panel-position">{rotation}</span>
            </div>
            <div class="status" data-testid="conn-status" data-state=move || status().code()>
                <span class="dot"></span>
                <span>{status_text}</span>
            </div>
            <div class="clock" data-testid="clock">{clock}</div>
        </header>
    }
}
