//! `/admin/screens` (a tenant's `admin`, the `superadmin`): pair a screen by the code it
//! shows, and see, rename and revoke the tenant's screens. The superadmin picks the tenant;
//! an admin works in its own. Who may open it is settled before it is mounted
//! ([`crate::app::start`]); the server checks everything again on every call.

use crate::api;
use crate::auth::on_failure;
use crate::components::pair_form::PairForm;
use crate::components::screen_list::ScreenList;
use crate::components::user_badge::sign_out;
use crate::i18n::{self, t, Lang, Text};
use crate::nav::query_param;
use crate::screens::screens_path;
use crate::time::Zone;
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::{Screen, SessionInfo, TenantSummary};
use std::time::Duration;

/// How often the list refreshes (last-seen times), ms.
const REFRESH_MS: u64 = 15_000;

/// The page, for a person [`crate::auth::manages_screens`] allows (checked by the caller).
#[component]
pub fn ScreensAdmin(user: SessionInfo, lang: Lang) -> impl IntoView {
    let superadmin = user.tenant.is_none();
    let tenants = RwSignal::new(Vec::<TenantSummary>::new());
    let tenant = RwSignal::new(
        user.tenant
            .clone()
            .or_else(|| query_param("tenant"))
            .unwrap_or_default(),
    );
    let csrf = StoredValue::new(user.csrf.clone());
    let screens = RwSignal::new(Vec::<Screen>::new());
    let list_error = RwSignal::new(None::<&'static str>);

    spawn_local(async move {
        if let Ok(list) = api::get::<Vec<TenantSummary>>("/api/v1/tenants").await {
            if tenant.with_untracked(String::is_empty) {
                tenant.set(list.first().map(|t| t.id.clone()).unwrap_or_default());
            }
            tenants.set(list);
        }
    });
    let reload = Callback::new(move |()| {
        let id = tenant.get_untracked();
        if id.is_empty() {
            return;
        }
        spawn_local(async move {
            match api::get::<Vec<Screen>>(&screens_path(&id)).await {
                Ok(mut list) => {
                    list.retain(|s| !s.revoked);
                    list.sort_by_key(|s| s.name.to_lowercase());
                    screens.set(list);
                    list_error.set(None);
                }
                Err(failure) => list_error.set(on_failure(&failure, lang)),
            }
        });
    });
    // Load on start and whenever the superadmin picks another tenant.
    Effect::new(move |_| {
        tenant.track();
        reload.run(());
    });
    let refresh = set_interval_with_handle(move || reload.run(()), Duration::from_millis(REFRESH_MS));
    on_cleanup(move || {
        if let Ok(handle) = refresh {
            handle.clear();
        }
    });

    let zone = Memo::new(move |_| {
        let id = tenant.get();
        tenants.with(|ts| {
            let t = ts.iter().find(|t| t.id == id)?;
            Some(Zone {
                offset_minutes: t.utc_offset_minutes?,
                label: t.zone_label.clone().unwrap_or_default(),
            })
        })
    });
    let tenant_name = move || {
        let id = tenant.get();
        tenants.with(|ts| ts.iter().find(|t| t.id == id).map_or(id.clone(), |t| t.name.clone()))
    };
    // The superadmin's tenant picker; its options arrive with the tenant list.
    let options = move || {
        let chosen = tenant.get_untracked();
        tenants
            .get()
            .into_iter()
            .map(|t| {
                let selected = t.id == chosen;
                view! { <option value=t.id selected=selected>{t.name}</option> }
            })
            .collect_view()
    };
    let picker = superadmin.then(|| {
        view! {
            <label class="inline-field">
                <span>{t(lang, Text::Region)}</span>
                <select data-testid="admin-tenant" on:change=move |ev| tenant.set(event_target_value(&ev))>
                    {options}
                </select>
            </label>
        }
    });
    let csrf_out = user.csrf.clone();

    view! {
        <div class="page admin-page" data-testid="admin-screens">
            <header class="admin-header">
                <span class="logo">"PANTAU"</span>
                <h1>{t(lang, Text::ScreensTitle)}" — "<span data-testid="admin-tenant-name">{tenant_name}</span></h1>
                {picker}
                <span class="admin-user" data-testid="user-name">
                    {user.name.clone()}" · "{i18n::role(lang, &user.role)}
                </span>
                <a class="button" href="/" data-testid="back-to-wall">{t(lang, Text::BackToWall)}</a>
                <button type="button" class="button" data-testid="signout" on:click=move |_| sign_out(csrf_out.clone())>
                    {t(lang, Text::SignOut)}
                </button>
            </header>
            <main class="admin-main">
                <PairForm tenant=tenant.read_only() csrf lang on_paired=reload />
                <ScreenList screens=screens.read_only() error=list_error.read_only() tenant=tenant.read_only() csrf zone lang reload />
            </main>
        </div>
    }
}
