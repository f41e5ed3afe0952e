//! The workload panel: per agency, and per officer under it — open, in progress, warning,
//! breached, oldest open, resolved today — counted from the console's own tickets with the
//! shared rule ([`pantau_shared::workload`]), most overloaded on top. A click filters the
//! queue to that agency (or officer); the selected row is marked.

use super::text::{tr, Key};
use super::Console;
use crate::time;
use leptos::prelude::*;
use pantau_shared::workload::{workload, Load};

/// Recount this often, ms (each count walks every ticket).
const RECOUNT_MS: f64 = 5_000.0;

#[component]
pub fn WorkloadPanel(c: Console) -> impl IntoView {
    let lang = c.lang;
    let tick = Memo::new(move |_| (c.now.get() / RECOUNT_MS).floor());
    // On its own clock, not on every delta: a recount walks every ticket and evaluates both
    // SLA targets, and a table that shuffles twice a second is not readable anyway. The
    // first snapshot (the tenant arriving) counts at once.
    let rows = Memo::new(move |_| {
        let now = tick.get() * RECOUNT_MS;
        let offset = c.zone.with(|z| z.as_ref().map_or(0, |z| z.offset_minutes));
        c.state
            .board
            .with_untracked(|b| workload(b.tickets(), now as i64, offset))
    });
    let officer_name = move |agency: &str, officer: &str| {
        c.state.tenant.with_untracked(|t| {
            t.as_ref()
                .and_then(|i| i.agencies.iter().find(|a| a.code == agency))
                .and_then(|a| a.officers.iter().find(|o| o.id == officer))
                .map(|o| o.name.clone())
                .unwrap_or_else(|| officer.to_owned())
        })
    };
    let pick = move |load: &Load| {
        let (agency, officer) = (load.agency.clone(), load.officer.clone());
        c.filter.update(|f| {
            let same = f.agency.as_deref() == Some(&agency) && f.officer == officer;
            if same {
                f.agency = None;
                f.officer = None;
            } else {
                f.agency = Some(agency);
                f.officer = officer;
            }
        });
    };
    view! {
        <section class="workload" data-testid="workload" aria-labelledby="workload-title" tabindex="0">
            <h2 id="workload-title">{tr(lang, Key::Workload)}</h2>
            <table>
                <thead>
                    <tr>
                        <th scope="col">{tr(lang, Key::Agency)}</th>
                        <th scope="col" title=tr(lang, Key::OpenCol)>{tr(lang, Key::OpenCol)}</th>
                        <th scope="col">{tr(lang, Key::InProgressCol)}</th>
                        <th scope="col">{tr(lang, Key::WarningCol)}</th>
                        <th scope="col">{tr(lang, Key::BreachedCol)}</th>
                        <th scope="col">{tr(lang, Key::OldestCol)}</th>
                        <th scope="col" title=tr(lang, Key::ResolvedTodayLong)>{tr(lang, Key::ResolvedTodayCol)}</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get()
                        key=|l| (l.agency.clone(), l.officer.clone(), l.open, l.in_progress, l.warning, l.breached, l.resolved_today, l.oldest_open_ms)
                        children=move |l| {
                            let name = match &l.officer {
                                Some(o) => format!("↳ {}", officer_name(&l.agency, o)),
                                None => l.agency.to_uppercase(),
                            };
                            let (agency, officer) = (l.agency.clone(), l.officer.clone());
                            let chosen = move || c.filter.with(|f| f.agency.as_deref() == Some(&agency) && f.officer == officer);
                            let oldest = l.oldest_open_ms.map(|ms| {
                                let minutes = ((tick.get_untracked() * RECOUNT_MS - ms as f64) / 60_000.0).max(0.0);
                                let r = time::duration_short(minutes, "m", "h");
                                format!("{} {}", r.number, r.unit)
                            }).unwrap_or_default();
                            let class = if l.officer.is_some() { "load-officer" } else { "load-agency" };
                            let load = l.clone();
                            view! {
                                <tr class=class data-testid="workload-row" data-agency=l.agency.clone() data-officer=l.officer.clone().unwrap_or_default()
                                    aria-current=move || chosen().to_string() on:click=move |_| pick(&load)>
                                    <th scope="row"><button type="button" class="link">{name}</button></th>
                                    <td data-testid="load-open">{l.open}</td>
                                    <td>{l.in_progress}</td>
                                    <td class:warn={l.warning > 0}>{l.warning}</td>
                                    <td class:bad={l.breached > 0} data-testid="load-breached">{l.breached}</td>
                                    <td>{oldest}</td>
                                    <td>{l.resolved_today}</td>
                                </tr>
                            }
                        }
                    />
                </tbody>
            </table>
        </section>
    }
}
