//! The tenant's paired screens: name, layout, when paired and last seen (relative, with the
//! exact time in the tenant's zone on hover). Rename and revoke go through one native modal
//! `<dialog>` (the page behind is inert, Esc cancels, focus returns to the button that opened
//! it): a new name, or a confirmation.

use crate::api::{self, Method};
use crate::auth::on_failure;
use crate::components::timeline::{label, Word};
use crate::i18n::{t, Lang, Text};
use crate::screens::screens_path;
use crate::screens::{ago, date_time, layout_summary};
use crate::time::{self, Zone};
use leptos::ev::SubmitEvent;
use leptos::html::Dialog;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::{RenameScreen, Screen, ScreenReplay};
use std::time::Duration;

/// How often "5 min ago" is brought up to date, ms.
const TICK_MS: u64 = 30_000;

/// What the rows need besides their screen.
#[derive(Clone, Copy)]
struct RowCtx {
    zone: Memo<Option<Zone>>,
    now: ReadSignal<f64>,
    lang: Lang,
    /// Set by a row's buttons: what the dialog asks about which screen.
    asking: RwSignal<Option<Ask>>,
    tenant: ReadSignal<String>,
    csrf: StoredValue<String>,
    reload: Callback<()>,
    failed: RwSignal<Option<&'static str>>,
}

/// How far back a training replay starts, ms.
const TRAINING_BACK_MS: f64 = 3_600_000.0;

/// Put `screen` in a training replay of the last hour at 60× (`true`), or back to live.
fn set_replay(ctx: RowCtx, screen: &Screen, replay: bool) {
    let path = format!(
        "{}/{}/replay",
        screens_path(&ctx.tenant.get_untracked()),
        crate::url::encode(&screen.id)
    );
    let lang = ctx.lang;
    spawn_local(async move {
        let csrf = ctx.csrf.get_value();
        let done = if replay {
            let from = js_sys::Date::new(&(time::now_ms() - TRAINING_BACK_MS).into()).to_iso_string();
            let body = ScreenReplay {
                from: from.into(),
                speed: 60,
            };
            api::send::<_, serde_json::Value>(Method::Put, &path, Some(&body), Some(&csrf)).await
        } else {
            api::send::<(), serde_json::Value>(Method::Delete, &path, None, Some(&csrf)).await
        };
        ctx.failed.set(done.err().and_then(|f| on_failure(&f, lang)));
        ctx.reload.run(());
    });
}

/// An RFC 3339 time in the tenant's zone (`01-12-2026 14:05 WIB`), or the browser's.
fn exact(rfc3339: &str, zone: Option<&Zone>) -> String {
    let Some(ms) = time::parse_ms(rfc3339).map(|ms| ms as i64) else {
        return rfc3339.to_owned();
    };
    match zone {
        Some(z) => format!("{} {}", date_time(ms, z.offset_minutes), z.label),
        None => {
            let offset = -(js_sys::Date::new(&(ms as f64).into()).get_timezone_offset() as i32);
            date_time(ms, offset)
        }
    }
}

/// What the dialog asks about.
#[derive(Clone, Debug, PartialEq)]
enum Ask {
    Rename(Screen),
    Revoke(Screen),
}

impl Ask {
    fn screen(&self) -> &Screen {
        match self {
            Ask::Rename(s) | Ask::Revoke(s) => s,
        }
    }
}

#[component]
pub fn ScreenList(
    screens: ReadSignal<Vec<Screen>>,
    /// The list could not be loaded.
    error: ReadSignal<Option<&'static str>>,
    tenant: ReadSignal<String>,
    csrf: StoredValue<String>,
    zone: Memo<Option<Zone>>,
    lang: Lang,
    reload: Callback<()>,
) -> impl IntoView {
    let now = RwSignal::new(time::now_ms());
    let tick = set_interval_with_handle(move || now.set(time::now_ms()), Duration::from_millis(TICK_MS));
    on_cleanup(move || {
        if let Ok(handle) = tick {
            handle.clear();
        }
    });
    let failed = RwSignal::new(None::<&'static str>);
    let ctx = RowCtx {
        zone,
        now: now.read_only(),
        lang,
        asking: RwSignal::new(None),
        tenant,
        csrf,
        reload,
        failed,
    };
    let draft = RwSignal::new(String::new());
    let dialog = NodeRef::<Dialog>::new();
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            match ctx.asking.get() {
                Some(ask) => {
                    draft.set(ask.screen().name.clone());
                    let _ = d.show_modal();
                }
                None => d.close(),
            }
        }
    });
    // One dialog for both questions: rename (with the new name) or revoke.
    let answer = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(ask) = ctx.asking.get_untracked() else { return };
        let name = draft.get_untracked().trim().to_owned();
        if matches!(ask, Ask::Rename(_)) && name.is_empty() {
            return;
        }
        ctx.asking.set(None);
        let path = format!(
            "{}/{}",
            screens_path(&tenant.get_untracked()),
            crate::url::encode(&ask.screen().id)
        );
        spawn_local(async move {
            let csrf = csrf.get_value();
            let done = match ask {
                Ask::Rename(_) => {
                    let body = RenameScreen { name };
                    api::send::<_, serde_json::Value>(Method::Patch, &path, Some(&body), Some(&csrf)).await
                }
                Ask::Revoke(_) => api::send::<(), serde_json::Value>(Method::Delete, &path, None, Some(&csrf)).await,
            };
            failed.set(done.err().and_then(|f| on_failure(&f, lang)));
            reload.run(());
        });
    };
    let renaming = move || matches!(ctx.asking.get(), Some(Ask::Rename(_)));
    let shown_error = move || error.get().or(failed.get());

    view! {
        <section class="card screens" aria-labelledby="screens-title">
            <h2 id="screens-title">{t(lang, Text::ScreensTitle)}</h2>
            <p class="form-error" role="alert" data-testid="screens-error" hidden=move || shown_error().is_none()>
                {shown_error}
            </p>
            <p class="muted" data-testid="screens-empty" hidden=move || screens.with(|s| !s.is_empty())>
                {t(lang, Text::NoScreens)}
            </p>
            <table class="screen-table" data-testid="screen-list" hidden=move || screens.with(Vec::is_empty)>
                <thead>
                    <tr>
                        <th scope="col">{t(lang, Text::ScreenName)}</th>
                        <th scope="col">{t(lang, Text::Layout)}</th>
                        <th scope="col">{t(lang, Text::PairedAt)}</th>
                        <th scope="col">{t(lang, Text::LastSeen)}</th>
                        <th scope="col">{t(lang, Text::Actions)}</th>
                    </tr>
                </thead>
                <tbody>
                    // Keyed by what a row shows, so a rename or a new last-seen redraws that row.
                    <For
                        each=move || screens.get()
                        key=|s| (s.id.clone(), s.name.clone(), s.last_seen.clone())
                        children=move |screen| view! { <ScreenRow screen ctx /> }
                    />
                </tbody>
            </table>
            <dialog node_ref=dialog class="card confirm" data-testid="screen-dialog"
                on:close=move |_| ctx.asking.set(None) aria-labelledby="screen-question">
                <form class="form" on:submit=answer>
                    <p id="screen-question">
                        {move || t(lang, if renaming() { Text::Rename } else { Text::RevokeConfirm })}
                    </p>
                    <p class="confirm-name" data-testid="dialog-screen-name" hidden=renaming>
                        {move || ctx.asking.get().map(|a| a.screen().name.clone()).unwrap_or_default()}
                    </p>
                    <label for="rename-input" hidden=move || !renaming()>{t(lang, Text::ScreenName)}</label>
                    <input id="rename-input" data-testid="screen-rename-input" hidden=move || !renaming()
                        autocomplete="off" prop:value=draft on:input=move |ev| draft.set(event_target_value(&ev)) />
                    <div class="confirm-actions">
                        <button type="button" class="button" data-testid="dialog-cancel"
                            on:click=move |_| ctx.asking.set(None)>
                            {t(lang, Text::Cancel)}
                        </button>
                        <button type="submit" class="button" class:danger=move || !renaming() data-testid="dialog-confirm">
                            {move || t(lang, if renaming() { Text::Save } else { Text::Revoke })}
                        </button>
                    </div>
                </form>
            </dialog>
        </section>
    }
}

#[component]
fn ScreenRow(screen: Screen, ctx: RowCtx) -> impl IntoView {
    let lang = ctx.lang;
    let last_seen = screen.last_seen.as_deref().and_then(time::parse_ms);
    let seen = move || match last_seen {
        Some(ms) => ago(ctx.now.get(), ms, lang),
        None => t(lang, Text::Never).into(),
    };
    let seen_exact = screen.last_seen.clone();
    let seen_exact = move || seen_exact.as_deref().map(|at| ctx.zone.with(|z| exact(at, z.as_ref())));
    let paired_at = screen.paired_at.clone();
    let paired = move || ctx.zone.with(|z| exact(&paired_at, z.as_ref()));
    let (for_rename, for_revoke, for_replay) = (screen.clone(), screen.clone(), screen.clone());
    let replaying = screen.replay.is_some();
    let replay_since = screen.replay.as_ref().map(|r| {
        ctx.zone
            .with_untracked(|z| format!("{} · {}×", exact(&r.from, z.as_ref()), r.speed))
    });
    view! {
        <tr data-testid="screen-row" data-id=screen.id.clone()>
            <td data-testid="screen-name">{screen.name.clone()}</td>
            <td data-testid="screen-layout">
                {layout_summary(&screen.layout)}
                {replay_since.map(|since| view! {
                    <span class="screen-replaying" data-testid="screen-replaying">{format!("{} {since}", label(lang, Word::Replay))}</span>
                })}
            </td>
            <td>{paired}</td>
            <td data-testid="screen-last-seen" title=seen_exact>{seen}</td>
            <td class="row-actions">
                <button type="button" class="button" data-testid="screen-rename"
                    on:click=move |_| ctx.asking.set(Some(Ask::Rename(for_rename.clone())))>
                    {t(lang, Text::Rename)}
                </button>
                <button type="button" class="button" data-testid="screen-replay" data-replaying=replaying.to_string()
                    on:click=move |_| set_replay(ctx, &for_replay, !replaying)>
                    {if replaying { label(lang, Word::BackToLive) } else { label(lang, Word::TrainingReplay) }}
                </button>
                <button type="button" class="button danger" data-testid="screen-revoke"
                    on:click=move |_| ctx.asking.set(Some(Ask::Revoke(for_revoke.clone())))>
                    {t(lang, Text::Revoke)}
                </button>
            </td>
        </tr>
    }
}
