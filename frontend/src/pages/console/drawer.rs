//! The drawer of the selected ticket: what was reported, where (a small map), what the
//! citizen sees (red / yellow / green), both SLA deadlines with live countdowns, photos and
//! media links, the full timeline from the event log (who did what, when), and the actions.
//! The ticket's state is live from the socket; its timeline is read again from the server
//! (`GET /tickets/{id}`) whenever the ticket's version moves.

use super::actions::Actions;
use super::commands::{actor_label, citizen_light, describe_event, priority_label, TicketDetail};
use super::minimap::{MiniMap, Shapes};
use super::text::{tr, Key};
use super::Console;
use crate::api;
use crate::components::timeline::{label, Word};
use crate::i18n;
use crate::time;
use leptos::either::Either;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::sla::{SlaState, Target};
use pantau_shared::ticket::Ticket;

#[component]
pub fn Drawer(c: Console) -> impl IntoView {
    let shapes = Shapes::new();
    move || c.selected.get().map(|id| view! { <TicketDrawer c id shapes /> })
}

#[component]
fn TicketDrawer(c: Console, id: String, shapes: Shapes) -> impl IntoView {
    let lang = c.lang;
    let key = StoredValue::new(id.clone());
    let ticket = Memo::new(move |_| {
        c.state
            .board
            .with(|b| key.with_value(|i| b.get(i).map(|e| e.ticket.clone())))
    });
    let version = Memo::new(move |_| ticket.with(|t| t.as_ref().map(|t| t.version)));
    let detail = RwSignal::new(None::<TicketDetail>);
    Effect::new(move |_| {
        if version.get().is_none() {
            return;
        }
        let path = format!(
            "/api/v1/{}/tickets/{}",
            crate::url::encode(&c.tenant.get_value()),
            crate::url::encode(&key.get_value())
        );
        spawn_local(async move {
            if let Ok(d) = api::get::<TicketDetail>(&path).await {
                detail.set(Some(d));
            }
        });
    });
    let first = ticket.get_untracked();
    let (lon, lat) = first.as_ref().map_or((0.0, 0.0), |t| (t.lon, t.lat));
    let kecamatan = first
        .as_ref()
        .and_then(|t| t.kecamatan.as_ref().map(|k| k.code.clone()));
    view! {
        <aside class="drawer" data-testid="drawer" data-ticket=id.clone() aria-labelledby="drawer-title">
            <header class="drawer-head">
                <h2 id="drawer-title">{id.clone()}</h2>
                <button type="button" class="button secondary" data-testid="drawer-close" on:click=move |_| c.selected.set(None)>
                    {tr(lang, Key::Close)}" ✕"
                </button>
            </header>
            {move || ticket.get().map(|t| view! { <Facts c t /> })}
            // The photos, then what to do (the workflow's step first), then possible
            // duplicates: a validator sees the after-photo right above "accept".
            <super::evidence::Evidence c id=id.clone() />
            // Replaying the past, nothing may be changed from it.
            {
                let id = id.clone();
                move || if c.replaying.get() {
                    Either::Left(view! {
                        <p class="replay-note" data-testid="replay-actions-off">{label(lang, Word::ActionsOff)}</p>
                    })
                } else {
                    Either::Right(view! {
                        <Actions c id=id.clone() />
                        <super::duplicates::Duplicates c id=id.clone() />
                    })
                }
            }
            <section class="location">
                <h3>{tr(lang, Key::Location)}</h3>
                <MiniMap c shapes lon lat kecamatan />
            </section>
            <section class="timeline" data-testid="timeline">
                <h3>{tr(lang, Key::Timeline)}</h3>
                <Show when=move || detail.with(Option::is_some) fallback=move || view! { <p>{tr(lang, Key::Loading)}</p> }>
                    <ol>
                        {move || detail.get().map(|d| d.history.into_iter().rev().map(|e| {
                            let when = time::parse_ms(&e.at)
                                .map(|ms| c.zone.with_untracked(|z| z.as_ref().map(|z| z.time_of_day(ms)).unwrap_or_default()))
                                .unwrap_or_default();
                            let day = e.at.get(..10).unwrap_or_default().to_owned();
                            view! {
                                <li data-testid="timeline-item" data-type=e.body.type_name()>
                                    <time datetime=e.at.clone()>{day}" "{when}</time>
                                    <span class="timeline-who">{actor_label(&e)}</span>
                                    <span class="timeline-what">{describe_event(&e, lang)}</span>
                                </li>
                            }
                        }).collect_view())}
                    </ol>
                </Show>
            </section>
        </aside>
    }
}

/// The ticket's facts: report, routing, citizen light, deadlines, media.
#[component]
fn Facts(c: Console, t: Ticket) -> impl IntoView {
    let lang = c.lang;
    let (light, light_label) = citizen_light(t.status);
    let routed = match (&t.agency, &t.officer) {
        (Some(a), Some(o)) => format!("{} · {o}", a.to_uppercase()),
        (Some(a), None) => a.to_uppercase(),
        _ => "—".into(),
    };
    let place = [t.kelurahan.as_ref(), t.kecamatan.as_ref()]
        .into_iter()
        .flatten()
        .map(|p| p.name.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let sla = t.sla.clone();
    // The SP4N-LAPOR tier the resolution deadline runs on (the ticket's, else the category's).
    let tier = c.state.tenant.with_untracked(|info| {
        let tier = info.as_ref()?.sla.tier_of(&t.category, t.tier.as_deref())?;
        Some(tier.describe(lang == i18n::Lang::Id))
    });
    let deadline = move |target: Option<Target>, label: Key| {
        let target = target?;
        let for_state = target.clone();
        let text = move || {
            let now_ms = c.now.get();
            let now = chrono::DateTime::from_timestamp_millis(now_ms as i64).unwrap_or_default();
            match target.state(now) {
                SlaState::Met => tr(lang, Key::Met).to_owned(),
                SlaState::Missed => tr(lang, Key::Missed).to_owned(),
                SlaState::Paused => tr(lang, Key::Paused).to_owned(),
                _ => target
                    .deadline
                    .map(|d| time::countdown(((d.timestamp_millis() as f64 - now_ms) / 1000.0).floor() as i64))
                    .unwrap_or_default(),
            }
        };
        let state = move || {
            let now = chrono::DateTime::from_timestamp_millis(c.now.get() as i64).unwrap_or_default();
            for_state.state(now).as_str()
        };
        Some(view! {
            <div class="deadline" data-state=state data-testid="deadline">
                <span>{tr(lang, label)}</span>
                <strong>{text}</strong>
            </div>
        })
    };
    let media = (!t.media_urls.is_empty()).then(|| {
        view! {
            <section class="media">
                <h3>{tr(lang, Key::Media)}</h3>
                <ul>
                    {t.media_urls.iter().map(|u| view! { <li><a href=u.clone() target="_blank" rel="noopener noreferrer">{u.clone()}</a></li> }).collect_view()}
                </ul>
            </section>
        }
    });
    view! {
        <section class="facts" data-testid="facts">
            <p class="facts-title">
                <span class=format!("row-cat cat-{}", t.category)>{i18n::category(lang, &t.category)}</span>
                " · "{priority_label(lang, t.priority)}
                " · "<span class=format!("row-status status-{}", t.status.as_str()) data-testid="drawer-status">{i18n::status(lang, t.status)}</span>
            </p>
            <p class="facts-desc">{t.description.clone()}</p>
            <p class="facts-where">{t.address.clone().unwrap_or_default()}" "{place}</p>
            <p class="facts-routed"><span>{tr(lang, Key::Agency)}": "</span><strong data-testid="drawer-agency">{routed}</strong></p>
            <p class="citizen">
                <span>{tr(lang, Key::CitizenSees)}": "</span>
                <span class=format!("light {light}") data-testid="citizen-light">{tr(lang, light_label)}</span>
            </p>
            <div class="deadlines">
                <h3>{tr(lang, Key::Deadlines)}</h3>
                {deadline(sla.as_ref().map(|s| s.response.clone()), Key::Response)}
                {deadline(sla.as_ref().map(|s| s.resolution.clone()), Key::Resolution)}
                {tier.map(|text| view! { <p class="deadline-tier" data-testid="drawer-tier">{text}</p> })}
            </div>
            {media}
        </section>
    }
}
