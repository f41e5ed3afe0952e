//! Who may see what in the frontend, and where sign-in sends people (pure). The server
//! decides every permission; these rules only choose which links and pages to offer.
//!
//! - [`safe_next`]: the `?next=` page to return to after sign-in, only ever on this site.
//! - [`signin_href`]: the sign-in page that returns to the page asking for it.
//! - [`manages_screens`]: whether a role gets the "Screens" link and page.

use crate::api::{self, Failure};
use crate::i18n::{t, Lang, Text};
use crate::url::encode;

/// The sign-in page's path.
pub const SIGNIN_PATH: &str = "/signin";
/// The screens admin page's path.
pub const ADMIN_SCREENS_PATH: &str = "/admin/screens";
/// The supervisor console's path.
pub const CONSOLE_PATH: &str = "/console";
/// The executive page's path (KPIs, trends, forecast, exports).
pub const KPI_PATH: &str = "/kpi";

/// Where to go after signing in: `next` when it is a path on this site (`/`, `/?tenant=x`),
/// else the wall at `/`. Absolute URLs, scheme-relative `//host` and `/\host` (which
/// browsers treat alike), control characters and the sign-in page itself are refused, so a
/// crafted link cannot send a fresh session elsewhere or into a loop.
pub fn safe_next(next: Option<&str>) -> String {
    let Some(next) = next else { return "/".into() };
    let on_site = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control());
    let path = next.split(['?', '#']).next().unwrap_or("");
    if on_site && path != SIGNIN_PATH {
        next.to_owned()
    } else {
        "/".into()
    }
}

/// `/signin?next=<current>` for the page at `path_and_query` (keeping `lang=en`, so the
/// sign-in page speaks the page's language).
pub fn signin_href(path_and_query: &str, lang: Lang) -> String {
    let lang = match lang {
        Lang::En => "&lang=en",
        Lang::Id => "",
    };
    format!("{SIGNIN_PATH}?next={}{lang}", encode(path_and_query))
}

/// Whether `role` administers wall screens: a tenant's `admin` and the `superadmin`.
pub fn manages_screens(role: &str) -> bool {
    matches!(role, "admin" | "superadmin")
}

/// Whether `role` reads the executive page: `executive`, a tenant's `admin`, the
/// `superadmin` (the server's `ReadKpis`).
pub fn reads_kpis(role: &str) -> bool {
    matches!(role, "executive" | "admin" | "superadmin")
}

/// A wall screen's page: its paired wall or its pairing code.
pub const WALL_SCREEN_PATH: &str = "/wall";

/// A failed admin call: a lapsed session signs in again; anything else is said on the page.
pub fn on_failure(failure: &Failure, lang: Lang) -> Option<&'static str> {
    match failure.status() {
        Some(401) => {
            api::go(&signin_href(&api::here(), lang));
            None
        }
        Some(403) => Some(t(lang, Text::NotAllowedPage)),
        _ => Some(t(lang, Text::RequestFailed)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::url::query_value;

    /// Only paths on this site are followed; everything else lands on the wall.
    #[test]
    fn next_stays_on_site() {
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some("/")), "/");
        assert_eq!(safe_next(Some("/?tenant=banjar&lang=en")), "/?tenant=banjar&lang=en");
        assert_eq!(safe_next(Some("/admin/screens")), "/admin/screens");
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("//evil.example/x")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(Some("javascript:alert(1)")), "/");
        assert_eq!(safe_next(Some("/\nx")), "/");
        assert_eq!(safe_next(Some("/signin?next=/")), "/", "no loop back to sign-in");
        assert_eq!(safe_next(Some("")), "/");
    }

    /// The sign-in link carries the page it came from, encoded, and reads back as it was.
    #[test]
    fn signin_link_round_trips() {
        let href = signin_href("/?tenant=banjar&panels=all,dlh", Lang::Id);
        assert_eq!(href, "/signin?next=%2F%3Ftenant%3Dbanjar%26panels%3Dall%2Cdlh");
        let search = href.split_once('?').unwrap().1;
        let next = query_value(search, "next");
        assert_eq!(safe_next(next.as_deref()), "/?tenant=banjar&panels=all,dlh");
        assert!(signin_href("/", Lang::En).ends_with("&lang=en"));
    }

    /// Executives, admins and the superadmin read the KPI page; operators and below do not.
    #[test]
    fn kpis_are_for_executives_and_up() {
        for role in ["executive", "admin", "superadmin"] {
            assert!(reads_kpis(role), "{role}");
        }
        for role in ["viewer", "operator", "supervisor", "", "Executive"] {
            assert!(!reads_kpis(role), "{role}");
        }
    }

    /// Only admins and the superadmin see the screens page and its link.
    #[test]
    fn screens_are_for_admins() {
        for role in ["admin", "superadmin"] {
            assert!(manages_screens(role), "{role}");
        }
        for role in ["viewer", "operator", "supervisor", "executive", "", "Admin"] {
            assert!(!manages_screens(role), "{role}");
        }
    }
}
