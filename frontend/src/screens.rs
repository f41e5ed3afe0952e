//! Wall screens, the pure parts: pairing codes as shown and as typed, how long ago a screen
//! was seen, a layout in a few words, and what a paired screen keeps in local storage.
//! The storage calls themselves are the two small functions at the end.

use crate::i18n::Lang;
use pantau_shared::auth::{ScreenLang, ScreenLayout};
use serde::{Deserialize, Serialize};

/// A pairing code's length.
pub const CODE_LEN: usize = 6;
/// The local-storage key of a paired screen's [`StoredScreen`].
const STORAGE_KEY: &str = "pantau.screen";

/// The code as a screen shows it, in two groups read aloud easily: `ABC 123`.
pub fn display_code(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    if chars.len() == CODE_LEN {
        let (a, b) = chars.split_at(CODE_LEN / 2);
        format!("{} {}", a.iter().collect::<String>(), b.iter().collect::<String>())
    } else {
        code.to_owned()
    }
}

/// The code as an admin typed it, made canonical: spaces and dashes dropped, upper case;
/// `None` unless exactly six letters or digits remain.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.chars().count() == CODE_LEN && code.chars().all(|c| c.is_ascii_alphanumeric())).then_some(code)
}

/// How long ago `then_ms` was, at `now_ms`: `baru saja`, `5 mnt lalu`, `3 jam lalu`,
/// `2 hari lalu` (a clock running slightly ahead counts as just now).
pub fn ago(now_ms: f64, then_ms: f64, lang: Lang) -> String {
    let minutes = ((now_ms - then_ms) / 60_000.0).floor().max(0.0) as u64;
    let (n, id, en) = match minutes {
        0 => {
            return match lang {
                Lang::Id => "baru saja".into(),
                Lang::En => "just now".into(),
            }
        }
        1..=59 => (minutes, "mnt", "min"),
        60..=1439 => (minutes / 60, "jam", "h"),
        _ => (minutes / 1440, "hari", "d"),
    };
    match lang {
        Lang::Id => format!("{n} {id} lalu"),
        Lang::En => format!("{n} {en} ago"),
    }
}

/// A date and time in a zone `offset_minutes` east of UTC: `01-12-2026 14:05`. (Fields, not
/// chrono's `format`: its strftime machinery costs the bundle more than this page is worth.)
pub fn date_time(utc_ms: i64, offset_minutes: i32) -> String {
    use chrono::{Datelike, Timelike};
    chrono::DateTime::from_timestamp_millis(utc_ms + i64::from(offset_minutes) * 60_000)
        .map(|t| {
            let (y, mo, d, h, mi) = (t.year(), t.month(), t.day(), t.hour(), t.minute());
            format!("{d:02}-{mo:02}-{y} {h:02}:{mi:02}")
        })
        .unwrap_or_default()
}

/// A layout in a few words: `all,agencies · 20 s · EN` (panels `all` when none are set).
pub fn layout_summary(layout: &ScreenLayout) -> String {
    let mut parts = vec![layout.panels.clone().unwrap_or_else(|| "all".into())];
    if let Some(secs) = layout.rotate {
        parts.push(format!("{secs} s"));
    }
    parts.push(
        match layout.lang {
            Some(ScreenLang::En) => "EN",
            _ => "ID",
        }
        .into(),
    );
    parts.join(" · ")
}

/// The wall's language for a screen's layout.
pub fn lang_of(layout: &ScreenLayout) -> Lang {
    match layout.lang {
        Some(ScreenLang::En) => Lang::En,
        _ => Lang::Id,
    }
}

/// What a paired screen remembers across reloads and power cuts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredScreen {
    /// The display token, sent in the socket's `subscribe`.
    pub token: String,
    pub tenant: String,
    pub layout: ScreenLayout,
}

impl StoredScreen {
    /// A screen handed its token in the URL fragment (`/wall#token=<tenant>.<secret>`, as
    /// `scripts/run` prints for its demo walls; a fragment never reaches the server's logs).
    /// The tenant is the token's prefix unless `?tenant=` says; the layout is the URL's.
    pub fn from_fragment(hash: &str, query: &str) -> Option<StoredScreen> {
        let token = crate::url::query_value(hash.trim_start_matches('#'), "token")?;
        let tenant = crate::url::query_value(query, "tenant")
            .or_else(|| token.split_once('.').map(|(tenant, _)| tenant.to_owned()))?;
        let layout = ScreenLayout {
            panels: crate::url::query_value(query, "panels"),
            rotate: crate::url::query_value(query, "rotate").and_then(|r| r.parse().ok()),
            lang: (crate::url::query_value(query, "lang").as_deref() == Some("en")).then_some(ScreenLang::En),
        };
        Some(StoredScreen { token, tenant, layout })
    }

    /// Read back what [`StoredScreen::encode`] wrote; anything else (an older format, a
    /// hand-edited value) is as if the screen were not paired.
    pub fn decode(text: &str) -> Option<StoredScreen> {
        serde_json::from_str::<StoredScreen>(text)
            .ok()
            .filter(|s| !s.token.is_empty() && !s.tenant.is_empty())
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a stored screen always serialises")
    }

    /// This browser's paired screen, if it is one.
    pub fn load() -> Option<StoredScreen> {
        let storage = web_sys::window()?.local_storage().ok()??;
        StoredScreen::decode(&storage.get_item(STORAGE_KEY).ok()??)
    }

    /// Remember this pairing (`Some`) or forget it (`None`: revoked or refused).
    pub fn save(screen: Option<&StoredScreen>) {
        let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
            return;
        };
        let _ = match screen {
            Some(s) => storage.set_item(STORAGE_KEY, &s.encode()),
            None => storage.remove_item(STORAGE_KEY),
        };
    }
}

/// `/api/v1/{tenant}/screens`.
pub fn screens_path(tenant: &str) -> String {
    format!("/api/v1/{}/screens", crate::url::encode(tenant))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Six characters show as two groups of three; anything else as it is.
    #[test]
    fn codes_show_in_two_groups() {
        assert_eq!(display_code("ABC123"), "ABC 123");
        assert_eq!(display_code("ABC12"), "ABC12");
        assert_eq!(display_code(""), "");
    }

    /// Typed codes forgive case, spaces and dashes, and nothing else.
    #[test]
    fn typed_codes_normalise() {
        assert_eq!(normalise_code("abc 123").as_deref(), Some("ABC123"));
        assert_eq!(normalise_code(" ABC-123 ").as_deref(), Some("ABC123"));
        assert_eq!(normalise_code("ABC12"), None);
        assert_eq!(normalise_code("ABC1234"), None);
        assert_eq!(normalise_code("ABC12!"), None);
        assert_eq!(normalise_code("ÄBC123"), None);
    }

    /// Minutes, then hours, then days; the future is "just now".
    #[test]
    fn ago_reads_naturally() {
        let now = 1_000_000_000.0;
        assert_eq!(ago(now, now - 30_000.0, Lang::Id), "baru saja");
        assert_eq!(ago(now, now + 5_000.0, Lang::En), "just now");
        assert_eq!(ago(now, now - 5.0 * 60_000.0, Lang::Id), "5 mnt lalu");
        assert_eq!(ago(now, now - 5.0 * 60_000.0, Lang::En), "5 min ago");
        assert_eq!(ago(now, now - 3.5 * 3_600_000.0, Lang::Id), "3 jam lalu");
        assert_eq!(ago(now, now - 2.0 * 86_400_000.0, Lang::En), "2 d ago");
    }

    /// Dates follow the tenant's offset across midnight.
    #[test]
    fn dates_in_the_tenants_zone() {
        // 2026-12-01 20:30 UTC is 2 December 03:30 WIB.
        let ms = 1_796_157_000_000;
        assert_eq!(date_time(ms, 0), "01-12-2026 20:30");
        assert_eq!(date_time(ms, 7 * 60), "02-12-2026 03:30");
    }

    /// Layouts summarise their parts; unset panels read as `all`.
    #[test]
    fn layouts_summarise() {
        let l = ScreenLayout {
            panels: Some("all,agencies".into()),
            rotate: Some(20),
            lang: Some(ScreenLang::En),
        };
        assert_eq!(layout_summary(&l), "all,agencies · 20 s · EN");
        assert_eq!(layout_summary(&ScreenLayout::default()), "all · ID");
        assert_eq!(lang_of(&l), Lang::En);
    }

    /// A token in the fragment pairs the screen: tenant from its prefix, layout from the URL.
    #[test]
    fn fragment_tokens_pair() {
        let s = StoredScreen::from_fragment("#token=banjar.abc123", "?panels=all,agencies&rotate=20&lang=en").unwrap();
        assert_eq!((s.token.as_str(), s.tenant.as_str()), ("banjar.abc123", "banjar"));
        assert_eq!(s.layout.panels.as_deref(), Some("all,agencies"));
        assert_eq!((s.layout.rotate, s.layout.lang), (Some(20), Some(ScreenLang::En)));
        let s = StoredScreen::from_fragment("#token=opaque", "?tenant=tangerang").unwrap();
        assert_eq!(s.tenant, "tangerang");
        assert_eq!(StoredScreen::from_fragment("#token=opaque", ""), None, "no tenant");
        assert_eq!(StoredScreen::from_fragment("", "?tenant=x"), None);
    }

    /// A stored pairing reads back; junk and empty tokens read as unpaired.
    #[test]
    fn stored_screens_round_trip() {
        let s = StoredScreen {
            token: "tok".into(),
            tenant: "banjar".into(),
            layout: ScreenLayout::default(),
        };
        assert_eq!(StoredScreen::decode(&s.encode()), Some(s));
        assert_eq!(StoredScreen::decode("not json"), None);
        assert_eq!(
            StoredScreen::decode(r#"{"token":"","tenant":"x","layout":{"lang":"id"}}"#),
            None
        );
    }
}
