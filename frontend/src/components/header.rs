//! The header bar: brand and tenant, the panel on screen (and its place in the rotation),
//! the connection indicator (PUTAR ULANG / REPLAY while replaying the past), the tenant's
//! local clock (the replayed instant's, while replaying), and — small, at the right — who is
//! signed in (a paired screen has no one). Laid out on a grid whose columns do
//! not depend on the texts, so names and clocks arriving with the first data move nothing,
//! and a long panel title is cut short instead of running under its neighbours.

use crate::components::timeline::Word::Replay;
use crate::components::user_badge::UserBadge;
use crate::i18n::{t, Lang, Text};
use crate::state::ConnStatus;
use crate::time::{self, Zone};
use leptos::prelude::*;
use pantau_shared::auth::SessionInfo;

/// The panel on screen and how many rotate: `2/5`; nothing when only one panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// 1-based.
    pub position: usize,
    pub panels: usize,
}

impl Rotation {
    /// `2/5`, or empty without a rotation.
    pub fn label(self) -> String {
        if self.panels > 1 {
            format!("{}/{}", self.position, self.panels)
        } else {
            String::new()
        }
    }
}

#[component]
pub fn Header(
    tenant_name: Signal<String>,
    panel_title: Signal<String>,
    rotation: Signal<Rotation>,
    conn: Signal<ConnStatus>,
    /// The page replays the past: the indicator says so instead of LIVE.
    replaying: Signal<bool>,
    zone: Memo<Option<Zone>>,
    now: Signal<f64>,
    lang: Lang,
    /// The signed-in person; `None` on a paired screen.
    user: Option<SessionInfo>,
) -> impl IntoView {
    // The time large, the zone's abbreviation smaller beside it.
    let clock = move || {
        zone.with(|z| {
            z.as_ref()
                .map(|z| time::clock_hms(now.get(), z.offset_minutes))
                .unwrap_or_default()
        })
    };
    let zone_label = move || zone.with(|z| z.as_ref().map(|z| format!(" {}", z.label)).unwrap_or_default());
    let rotation = move || rotation.get().label();
    let status_text = move || match conn.get() {
        ConnStatus::Live if replaying.get() => crate::components::timeline::label(lang, Replay),
        ConnStatus::Live => t(lang, Text::Live),
        ConnStatus::Connecting => t(lang, Text::Connecting),
        ConnStatus::Reconnecting => t(lang, Text::Reconnecting),
        ConnStatus::Degraded => t(lang, Text::Degraded),
    };
    let class = if user.is_some() {
        "wall-header signed-in"
    } else {
        "wall-header"
    };
    let badge = user.map(|user| view! { <UserBadge user lang /> });
    view! {
        <header class=class>
            <div class="brand">
                <span class="logo">"PANTAU"</span>
                <h1 class="tenant" data-testid="tenant-name">{tenant_name}</h1>
                <span class="room">{t(lang, Text::ControlRoom)}</span>
            </div>
            <div class="panel-title" data-testid="panel" data-position=rotation>
                <span class="panel-name">{panel_title}</span>
                <span class="panel-position">{rotation}</span>
            </div>
            <div class="status" data-testid="conn-status" data-state=move || if replaying.get() && conn.get() == ConnStatus::Live { "replay" } else { conn.get().code() }>
                <span class="dot"></span>
                <span>{status_text}</span>
            </div>
            <div class="clock" data-testid="clock">{clock}<span class="clock-zone">{zone_label}</span></div>
            {badge}
        </header>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rotation is labelled `i/n`; a single panel has no label.
    #[test]
    fn rotation_labels() {
        assert_eq!(Rotation { position: 2, panels: 5 }.label(), "2/5");
        assert_eq!(Rotation { position: 1, panels: 1 }.label(), "");
    }
}
