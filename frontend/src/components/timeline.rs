//! The time machine's bar, on the wall and the console: in replay mode a large
//! "REPLAY <date time>" badge in the tenant's zone, pause/play, the speeds, a seek bar over
//! the last seven days and one button back to LIVE; while live (where the page offers it) one
//! button that starts a replay of the last hour. A paired screen put in replay by an admin
//! shows the badge without the controls (the admin takes it back).
//!
//! The pure parts — reading `?replay=`, the seek bar's range, the labels — are functions
//! with tests; the controls call [`crate::ws`].

use crate::i18n::Lang;
use crate::screens::date_time;
use crate::state::ReplayView;
use crate::time::{self, Zone};
use leptos::prelude::*;
use pantau_shared::protocol::{ReplayStart, REPLAY_SPEEDS};

/// The speeds offered, replayed seconds per real second.
pub const SPEEDS: [u32; 5] = [1, 10, 60, 300, 1000];
/// How far back the seek bar reaches, ms (seven days).
pub const SEEK_SPAN_MS: i64 = 7 * 24 * 3_600_000;
/// Where the live page's replay button starts: an hour ago.
const START_BACK_MS: i64 = 3_600_000;
/// The speed a replay starts at.
const DEFAULT_SPEED: f64 = 60.0;

/// A replay from the URL: `?replay=` an RFC 3339 instant or a time back from now (`-2h`,
/// `-30m`, `-3d`), `?speed=` 1–1000 (default 60). `None` when absent or unreadable, or in
/// the future.
pub fn from_query(replay: Option<&str>, speed: Option<&str>, now_ms: i64) -> Option<ReplayStart> {
    let replay = replay?.trim();
    let from = match replay.strip_prefix('-') {
        Some(back) => {
            let (n, unit) = back.split_at(back.len().checked_sub(1)?);
            let n: i64 = n.parse().ok()?;
            let unit_ms = match unit {
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => return None,
            };
            now_ms - n.checked_mul(unit_ms)?
        }
        None => chrono::DateTime::parse_from_rfc3339(replay).ok()?.timestamp_millis(),
    };
    let speed = speed
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(DEFAULT_SPEED)
        .clamp(*REPLAY_SPEEDS.start(), *REPLAY_SPEEDS.end());
    (from < now_ms && from > 0).then_some(ReplayStart { from, speed })
}

/// The seek bar's range at `now_ms`, in whole seconds since the epoch (a range input
/// counts in steps): seven days back to now.
pub fn seek_range(now_ms: i64) -> (i64, i64) {
    ((now_ms - SEEK_SPAN_MS) / 1_000, now_ms / 1_000)
}

/// The badge's text: `REPLAY 01-12-2026 14:05:33 WIB` (`PUTAR ULANG` in Bahasa Indonesia).
pub fn badge(at_ms: i64, zone: Option<&Zone>, lang: Lang) -> String {
    let word = label(lang, Word::Replay);
    match zone {
        Some(z) => {
            let day = date_time(at_ms, z.offset_minutes);
            let day = day.split(' ').next().unwrap_or_default();
            format!(
                "{word} {day} {} {}",
                time::clock_hms(at_ms as f64, z.offset_minutes),
                z.label
            )
        }
        None => word.to_owned(),
    }
}

/// The bar's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Word {
    Replay,
    Pause,
    Play,
    BackToLive,
    StartReplay,
    Speed,
    Seek,
    ActionsOff,
    TrainingReplay,
}

/// A word in `lang`, Bahasa Indonesia first.
pub fn label(lang: Lang, word: Word) -> &'static str {
    use Word::*;
    match (word, lang) {
        (Replay, Lang::Id) => "PUTAR ULANG",
        (Replay, Lang::En) => "REPLAY",
        (Pause, Lang::Id) => "Jeda",
        (Pause, Lang::En) => "Pause",
        (Play, Lang::Id) => "Putar",
        (Play, Lang::En) => "Play",
        (BackToLive, Lang::Id) => "Kembali ke LANGSUNG",
        (BackToLive, Lang::En) => "Back to LIVE",
        (StartReplay, Lang::Id) => "◀◀ Putar ulang",
        (StartReplay, Lang::En) => "◀◀ Replay",
        (Speed, Lang::Id) => "Kecepatan",
        (Speed, Lang::En) => "Speed",
        (Seek, Lang::Id) => "Waktu yang diputar",
        (Seek, Lang::En) => "Replayed time",
        (ActionsOff, Lang::Id) => "Mode putar ulang: tindakan dinonaktifkan. Kembali ke LANGSUNG untuk bertindak.",
        (ActionsOff, Lang::En) => "Replay mode: actions are off. Go back to LIVE to act.",
        (TrainingReplay, Lang::Id) => "Latihan: putar ulang 1 jam",
        (TrainingReplay, Lang::En) => "Training: replay 1 hour",
    }
}

/// The bar. `controls`: pause, speeds, seek and back to live are offered (not on a paired
/// screen); `offer`: while live, a button starts a replay (the console; a wall starts one
/// from its URL).
#[component]
pub fn ReplayBar(
    replay: ReadSignal<Option<ReplayView>>,
    zone: Memo<Option<Zone>>,
    lang: Lang,
    controls: bool,
    #[prop(optional)] offer: bool,
) -> impl IntoView {
    let replaying = move || replay.with(Option::is_some);
    let text = move || {
        replay
            .get()
            .map(|r| zone.with(|z| badge(r.at, z.as_ref(), lang)))
            .unwrap_or_default()
    };
    let paused = move || replay.with(|r| r.is_some_and(|r| r.paused));
    let speed = move || replay.with(|r| r.map_or(0.0, |r| r.speed));
    let start = move |_| {
        let now = time::now_ms() as i64;
        crate::ws::start_replay(ReplayStart {
            from: now - START_BACK_MS,
            speed: DEFAULT_SPEED,
        });
    };
    let speeds = SPEEDS
        .iter()
        .map(|&s| {
            let pressed = move || (speed() == f64::from(s)).to_string();
            view! {
                <button type="button" class="replay-speed" aria-pressed=pressed data-speed=s
                    on:click=move |_| crate::ws::steer(None, None, Some(f64::from(s)))>
                    {format!("{s}×")}
                </button>
            }
        })
        .collect_view();
    // The range follows the present: it is read again with each replay clock message.
    let range = move || {
        replay.track();
        seek_range(time::now_ms() as i64)
    };
    let position = move || replay.with(|r| r.map_or(0, |r| r.at / 1_000)).to_string();
    let seek = move |e: leptos::ev::Event| {
        if let Ok(secs) = event_target_value(&e).parse::<i64>() {
            crate::ws::steer(None, Some(secs * 1_000), None);
        }
    };
    let controls_view = controls.then(|| {
        view! {
            <div class="replay-controls">
                <button type="button" class="replay-toggle" data-testid="replay-toggle"
                    on:click=move |_| crate::ws::steer(Some(!paused()), None, None)>
                    {move || if paused() { format!("▶ {}", label(lang, Word::Play)) } else { format!("▮▮ {}", label(lang, Word::Pause)) }}
                </button>
                <span class="replay-speeds" role="group" aria-label=label(lang, Word::Speed)>{speeds}</span>
                <input type="range" class="replay-seek" data-testid="replay-seek" aria-label=label(lang, Word::Seek)
                    min=move || range().0.to_string() max=move || range().1.to_string() step="1"
                    prop:value=position on:change=seek />
                <button type="button" class="button replay-live" data-testid="replay-live"
                    on:click=move |_| crate::ws::go_live()>
                    {label(lang, Word::BackToLive)}
                </button>
            </div>
        }
    });
    view! {
        <div class="replay-bar" data-testid="replay-bar" data-replaying=move || replaying().to_string()
            hidden=move || !replaying() && !offer>
            <Show when=replaying fallback=move || view! {
                <button type="button" class="button secondary replay-start" data-testid="replay-start" on:click=start>
                    {label(lang, Word::StartReplay)}
                </button>
            }>
                <strong class="replay-badge" data-testid="replay-badge" role="status">{text}</strong>
            </Show>
            <div class="replay-controls-slot" hidden=move || !replaying()>{controls_view}</div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_764_590_400_000; // 2025-12-01T12:00:00Z

    /// `?replay=` reads an instant or a time back; speeds are clamped; the future and
    /// nonsense are refused.
    #[test]
    fn reads_the_url() {
        let r = from_query(Some("-2h"), None, NOW).unwrap();
        assert_eq!(r.from, NOW - 7_200_000);
        assert_eq!(r.speed, 60.0);
        assert_eq!(
            from_query(Some("-30m"), Some("300"), NOW).unwrap().from,
            NOW - 1_800_000
        );
        assert_eq!(from_query(Some("-3d"), Some("5000"), NOW).unwrap().speed, 1000.0);
        assert_eq!(from_query(Some("-1h"), Some("0"), NOW).unwrap().speed, 1.0);
        let at = from_query(Some("2025-12-01T08:00:00+07:00"), None, NOW).unwrap();
        assert_eq!(at.from, NOW - 11 * 3_600_000);
        assert_eq!(from_query(Some("2999-01-01T00:00:00Z"), None, NOW), None);
        assert_eq!(from_query(Some("kemarin"), None, NOW), None);
        assert_eq!(from_query(Some("-2x"), None, NOW), None);
        assert_eq!(from_query(Some("-"), None, NOW), None);
        assert_eq!(from_query(None, Some("60"), NOW), None);
    }

    /// The seek bar spans seven days up to now, in seconds.
    #[test]
    fn seek_spans_a_week() {
        let (min, max) = seek_range(NOW);
        assert_eq!(max - min, 7 * 24 * 3_600);
        assert_eq!(max, NOW / 1_000);
    }

    /// The badge names the replayed instant in the tenant's zone, in the page's language.
    #[test]
    fn badge_in_the_tenants_zone() {
        let wib = Zone {
            offset_minutes: 420,
            label: "WIB".into(),
        };
        assert_eq!(badge(NOW, Some(&wib), Lang::Id), "PUTAR ULANG 01-12-2025 19:00:00 WIB");
        let wit = Zone {
            offset_minutes: 540,
            label: "WIT".into(),
        };
        assert_eq!(
            badge(NOW + 5_000, Some(&wit), Lang::En),
            "REPLAY 01-12-2025 21:00:05 WIT"
        );
        assert_eq!(badge(NOW, None, Lang::En), "REPLAY");
    }
}
