//! Who is signed in, small in the wall header's right corner: name and role, links to the
//! console (operators and up), the KPI page (executives and up) and "Screens" (admins), and
//! sign-out. It takes no room from the wall's numbers.

use crate::api::{self, Method};
use crate::auth::{manages_screens, ADMIN_SCREENS_PATH, SIGNIN_PATH};
use crate::i18n::{self, t, Lang, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use pantau_shared::auth::SessionInfo;

/// Sign out (`DELETE /api/v1/session` with the CSRF token), then show the sign-in page —
/// also when the server could not be reached: the wall must not look signed in.
pub fn sign_out(csrf: String) {
    spawn_local(async move {
        let _ = api::send::<(), ()>(Method::Delete, "/api/v1/session", None, Some(&csrf)).await;
        api::go(SIGNIN_PATH);
    });
}

#[component]
pub fn UserBadge(user: SessionInfo, lang: Lang) -> impl IntoView {
    let admin_link = manages_screens(&user.role).then(|| {
        view! {
            <a class="user-link" href=ADMIN_SCREENS_PATH data-testid="admin-screens-link">
                {t(lang, Text::Screens)}
            </a>
        }
    });
    // The pages this person's role works in, one click from the wall.
    let console_link = crate::pages::console::commands::uses_console(&user.role).then(|| {
        view! {
            <a class="user-link" href=crate::auth::CONSOLE_PATH data-testid="console-link">
                {t(lang, Text::Console)}
            </a>
        }
    });
    let kpi_link = crate::auth::reads_kpis(&user.role).then(|| {
        view! {
            <a class="user-link" href=crate::auth::KPI_PATH data-testid="kpi-link">
                "KPI"
            </a>
        }
    });
    let csrf = user.csrf.clone();
    view! {
        <div class="user-badge" data-testid="user-badge">
            <div class="user-who">
                <span class="user-name" data-testid="user-name">{user.name.clone()}</span>
                <span class="user-role" data-testid="user-role" data-role=user.role.clone()>
                    {i18n::role(lang, &user.role)}
                </span>
            </div>
            <div class="user-actions">
                {console_link}
                {kpi_link}
                {admin_link}
                <button type="button" class="user-signout" data-testid="signout" on:click=move |_| sign_out(csrf.clone())>
                    {t(lang, Text::SignOut)}
                </button>
            </div>
        </div>
    }
}
