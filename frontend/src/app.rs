//! The start: picks the page by path, finds out who is watching, then mounts the page.
//!
//! - `/` (any other path too): the wall. `GET /api/v1/session` first; signed in → the wall of
//!   `?tenant=` (else the person's own tenant) with the URL's `lang`, `panels`, `rotate`
//!   (percent-decoded by [`crate::url`]); not signed in → a paired screen's wall if this
//!   browser holds a display token, else the sign-in page, which comes back here.
//! - `/wall`: a wall screen: its paired wall, or a pairing code until an admin pairs it.
//!   `#token=<display token>` in the URL pairs it directly (`scripts/run`'s demo walls).
//! - `/console`: the supervisor console (operators and up; others are told they may not).
//! - `/kpi`: the executive view (executives, admins, the superadmin; others are told they
//!   may not).
//! - `/lapor/<ticket>` (and `/lapor`): the citizen's status page, no sign-in.
//! - `/signin`: sign-in; `/admin/screens`: pairing and managing screens (admins; others are
//!   told they may not, the signed-out sign in first).

use crate::api::{self, Failure};
use crate::auth::{manages_screens, signin_href, ADMIN_SCREENS_PATH, CONSOLE_PATH, SIGNIN_PATH, WALL_SCREEN_PATH};
use crate::i18n::{t, Lang, Text};
use crate::nav::{query_param, set_document_lang};
#[cfg(feature = "account")]
use crate::pages::admin_screens::ScreensAdmin;
#[cfg(feature = "console")]
use crate::pages::console::ConsolePage;
#[cfg(feature = "kpi")]
use crate::pages::kpi::KpiPage;
use crate::pages::lapor::LAPOR_PATH;
#[cfg(feature = "lapor")]
use crate::pages::lapor::{ticket_in_path, LaporPage};
#[cfg(feature = "wall")]
use crate::pages::pairing::PairingPage;
#[cfg(feature = "account")]
use crate::pages::signin::SignInPage;
use crate::pages::wall::{LiveWall, Viewer, WallSetup};
use crate::screens::{lang_of, StoredScreen};
use leptos::prelude::*;
use pantau_shared::auth::SessionInfo;

/// Tenant shown when neither the URL nor the session names one (the superadmin's wall).
const DEFAULT_TENANT: &str = "tangerang";
/// Wait before asking again when the server could not say who we are, ms.
const SESSION_RETRY_MS: u32 = 3_000;

/// The pages, by path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Wall,
    Screen,
    SignIn,
    AdminScreens,
    Console,
    Kpi,
    Lapor,
}

/// The page at `path` (a trailing slash is ignored; unknown paths show the wall, as before).
fn route(path: &str) -> Route {
    let path = path.trim_end_matches('/');
    if path == WALL_SCREEN_PATH {
        Route::Screen
    } else if path == SIGNIN_PATH {
        Route::SignIn
    } else if path == ADMIN_SCREENS_PATH {
        Route::AdminScreens
    } else if path == CONSOLE_PATH {
        Route::Console
    } else if path == crate::auth::KPI_PATH {
        Route::Kpi
    } else if path == LAPOR_PATH || path.starts_with("/lapor/") {
        Route::Lapor
    } else {
        Route::Wall
    }
}

/// A signed-in person's wall, laid out by the URL.
fn person_setup(user: SessionInfo, lang: Lang) -> WallSetup {
    let tenant = query_param("tenant")
        .or_else(|| user.tenant.clone())
        .unwrap_or_else(|| DEFAULT_TENANT.to_owned());
    WallSetup {
        tenant,
        lang,
        panels: query_param("panels"),
        rotate_secs: crate::panel::rotate_secs(query_param("rotate").as_deref()),
        viewer: Viewer::Person(user),
        replay: crate::components::timeline::from_query(
            query_param("replay").as_deref(),
            query_param("speed").as_deref(),
            crate::time::now_ms() as i64,
        ),
    }
}

/// A paired screen's wall, laid out as its admin chose.
pub fn screen_setup(screen: StoredScreen) -> WallSetup {
    let rotate = screen.layout.rotate.map(|s| s.to_string());
    WallSetup {
        tenant: screen.tenant.clone(),
        lang: lang_of(&screen.layout),
        panels: screen.layout.panels.clone(),
        rotate_secs: crate::panel::rotate_secs(rotate.as_deref()),
        viewer: Viewer::Screen(screen),
        replay: None,
    }
}

/// Mount `view` as the page, for good (pages change by loading another URL).
fn show<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) {
    leptos::mount::mount_to_body(view);
}

/// Decide the page, then mount it once. Who is watching is settled *before* anything is
/// mounted, so the wall is built once and never sits inside a reactive switch (which would
/// compile a rebuild path for the whole wall into the bundle).
pub async fn start() {
    let lang = Lang::from_code(query_param("lang").as_deref());
    set_document_lang(lang);
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let path = location.pathname().unwrap_or_default();
    let query = location.search().unwrap_or_default();
    // A screen given its token in the fragment keeps it, and loads again without it.
    if let Some(screen) = StoredScreen::from_fragment(&location.hash().unwrap_or_default(), &query) {
        StoredScreen::save(Some(&screen));
        api::replace(&format!("{path}{query}"));
        return;
    }
    match route(&path) {
        #[cfg(feature = "lapor")]
        Route::Lapor => {
            let ticket = ticket_in_path(&path);
            show(move || view! { <LaporPage ticket lang /> });
        }
        #[cfg(feature = "account")]
        Route::SignIn => {
            let next = query_param("next");
            show(move || view! { <SignInPage lang next /> });
        }
        #[cfg(feature = "account")]
        Route::AdminScreens => match who_is_signed_in(lang).await {
            Some(user) if manages_screens(&user.role) => show(move || view! { <ScreensAdmin user lang /> }),
            Some(_) => show(move || view! { <Refusal text=t(lang, Text::NotAllowedPage) lang /> }),
            None => {}
        },
        #[cfg(feature = "console")]
        Route::Console => match who_is_signed_in(lang).await {
            Some(user) if crate::pages::console::commands::uses_console(&user.role) => {
                let tenant = query_param("tenant")
                    .or_else(|| user.tenant.clone())
                    .unwrap_or_else(|| DEFAULT_TENANT.to_owned());
                show(move || view! { <ConsolePage user tenant lang /> });
            }
            Some(_) => show(move || view! { <Refusal text=t(lang, Text::NotAllowedPage) lang /> }),
            None => {}
        },
        #[cfg(feature = "kpi")]
        Route::Kpi => match who_is_signed_in(lang).await {
            Some(user) if crate::auth::reads_kpis(&user.role) => show(move || view! { <KpiPage user lang /> }),
            Some(_) => show(move || view! { <Refusal text=t(lang, Text::NotAllowedPage) lang /> }),
            None => {}
        },
        #[cfg(feature = "wall")]
        Route::Screen => match StoredScreen::load() {
            Some(screen) => show(move || view! { <LiveWall setup=screen_setup(screen) /> }),
            // Paired: remember it and load again, which shows the wall.
            None => show(|| {
                view! {
                    <PairingPage on_paired=|screen: StoredScreen| {
                        StoredScreen::save(Some(&screen));
                        api::go(WALL_SCREEN_PATH);
                    } />
                }
            }),
        },
        #[cfg(feature = "wall")]
        Route::Wall => match session().await {
            Some(user) => {
                let setup = person_setup(user, lang);
                show(move || view! { <LiveWall setup /> });
            }
            None => match StoredScreen::load() {
                Some(screen) => show(move || view! { <LiveWall setup=screen_setup(screen) /> }),
                None => api::replace(&signin_href(&api::here(), lang)),
            },
        },
        // A page of another bundle (the server answers each path with its bundle's page, so
        // only a stale or hand-made URL gets here): offer to load it afresh.
        #[allow(unreachable_patterns)]
        _ => show(move || view! { <Elsewhere href=format!("{path}{query}") lang /> }),
    }
}

/// `GET /api/v1/session`: the person signed in, `None` when no one is (401). A server that
/// cannot answer (starting, unreachable) is asked again: a wall must come back by itself.
async fn session() -> Option<SessionInfo> {
    loop {
        match api::get::<SessionInfo>("/api/v1/session").await {
            Ok(user) => return Some(user),
            Err(Failure::Status { status: 401, .. }) => return None,
            Err(_) => api::sleep(SESSION_RETRY_MS).await,
        }
    }
}

/// The person signed in, or off to sign-in (which comes back here).
async fn who_is_signed_in(lang: Lang) -> Option<SessionInfo> {
    let user = session().await;
    if user.is_none() {
        api::replace(&signin_href(&api::here(), lang));
    }
    user
}

/// A page this bundle does not hold: a link that loads it (with its own bundle).
#[component]
fn Elsewhere(href: String, lang: Lang) -> impl IntoView {
    view! {
        <div class="page form-page">
            <main class="card">
                <a class="button" href=href data-testid="elsewhere">{t(lang, Text::OpenPage)}</a>
            </main>
        </div>
    }
}

/// A page this person may not use: say so, and offer the way back.
#[component]
fn Refusal(text: &'static str, lang: Lang) -> impl IntoView {
    view! {
        <div class="page form-page">
            <main class="card">
                <p data-testid="refusal">{text}</p>
                <a class="button" href="/">{t(lang, Text::BackToWall)}</a>
            </main>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::auth::{ScreenLang, ScreenLayout};

    /// Each page has its path; a trailing slash does not matter; anything else is the wall.
    #[test]
    fn routes_by_path() {
        assert_eq!(route("/"), Route::Wall);
        assert_eq!(route(""), Route::Wall);
        assert_eq!(route("/wall"), Route::Screen);
        assert_eq!(route("/wall/"), Route::Screen);
        assert_eq!(route("/signin"), Route::SignIn);
        assert_eq!(route("/admin/screens"), Route::AdminScreens);
        assert_eq!(route("/console"), Route::Console);
        assert_eq!(route("/kpi"), Route::Kpi);
        assert_eq!(route("/kpi/"), Route::Kpi);
        assert_eq!(route("/lapor/TGR-000001"), Route::Lapor);
        assert_eq!(route("/lapor"), Route::Lapor);
        assert_eq!(route("/laporan"), Route::Wall);
        assert_eq!(route("/somewhere"), Route::Wall);
    }

    /// A paired screen's wall follows its stored layout, rotation clamped like `?rotate=`.
    #[test]
    fn screen_layout_becomes_the_wall_setup() {
        let screen = StoredScreen {
            token: "tok".into(),
            tenant: "banjar".into(),
            layout: ScreenLayout {
                panels: Some("all,agencies".into()),
                rotate: Some(1),
                lang: Some(ScreenLang::En),
            },
        };
        let setup = screen_setup(screen);
        assert_eq!(setup.tenant, "banjar");
        assert_eq!(setup.lang, Lang::En);
        assert_eq!(setup.panels.as_deref(), Some("all,agencies"));
        assert_eq!(setup.rotate_secs, crate::panel::MIN_ROTATE_SECS);
        assert!(matches!(setup.viewer, Viewer::Screen(s) if s.token == "tok"));
    }
}
