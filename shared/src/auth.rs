//! The JSON bodies of sign-in, sessions and wall-screen pairing (issue 12), shared so the
//! server and the frontend agree on them. Pure data; the rules live in the server.
//!
//! - `GET /api/v1/tenants` → `[TenantSummary]` (public: the sign-in page's picker).
//! - `POST /api/v1/session` [`SignIn`] → [`SessionInfo`] + the `pantau_session` cookie;
//!   `GET /api/v1/session` → [`SessionInfo`]; `DELETE /api/v1/session` → 204.
//! - `POST /api/v1/screens/pairing` → [`PairingStart`]; `GET /api/v1/screens/pairing/{poll}`
//!   → [`PairingPoll`] (202 `waiting`, 200 `paired` once, then 404).
//! - `POST /api/v1/{tenant}/screens` [`PairScreen`] → 201 [`Screen`];
//!   `GET /api/v1/{tenant}/screens` → `[Screen]`; `PATCH …/{id}` [`RenameScreen`];
//!   `DELETE …/{id}` revokes.
//!
//! Errors are the server's one body, `{"error": {"code", "message", "field"?}}` ([`ApiError`]).
//! Times are RFC 3339 strings in UTC.

use serde::{Deserialize, Serialize};

/// The session cookie (HttpOnly, SameSite=Strict; the page never reads it).
pub const SESSION_COOKIE: &str = "pantau_session";
/// The header every cookie-authenticated non-GET request carries, with [`SessionInfo::csrf`].
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A tenant as the sign-in page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TenantSummary {
    /// Tenant id (`tangerang`).
    pub id: String,
    /// Display name (`Kota Tangerang`).
    pub name: String,
    /// Offset from UTC in minutes, so the admin pages show times in the tenant's zone
    /// (optional: without it they use the browser's zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
    /// The zone's abbreviation (`WIB`), shown beside those times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone_label: Option<String>,
}

/// `POST /api/v1/session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignIn {
    /// The tenant signed in to; `None` for the tenant-less superadmin.
    pub tenant: Option<String>,
    pub name: String,
    pub password: String,
}

/// Who is signed in: the answer to `POST` and `GET /api/v1/session`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub name: String,
    /// The role's wire name: `viewer`, `operator`, `supervisor`, `executive`, `admin`,
    /// `superadmin`.
    pub role: String,
    /// `None` for the superadmin.
    pub tenant: Option<String>,
    /// The value for [`CSRF_HEADER`]; the page keeps it in memory only.
    pub csrf: String,
}

/// The server's error body: `{"error": {"code", "message", "field"?}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub error: ErrorDetail,
}

/// What went wrong, for programs (`code`) and people (`message`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// `bad_credentials`, `locked_out`, `unauthenticated`, `forbidden`, `not_found`, …
    pub code: String,
    #[serde(default)]
    pub message: String,
    /// The request field at fault, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The language a paired screen shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ScreenLang {
    /// Bahasa Indonesia (the default).
    #[default]
    Id,
    En,
}

/// How a paired screen lays out the wall: the wall's URL parameters, kept by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenLayout {
    /// Like `?panels=`: `all,agencies`, `all,dlh,pupr`; `None` for the whole city only.
    #[serde(default)]
    pub panels: Option<String>,
    /// Like `?rotate=`: seconds per panel; `None` for the wall's default.
    #[serde(default)]
    pub rotate: Option<u32>,
    /// `None`: Bahasa Indonesia.
    #[serde(default)]
    pub lang: Option<ScreenLang>,
}

/// `POST /api/v1/screens/pairing`: a fresh code for the screen to show.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairingStart {
    /// Six characters the admin types in (`ABC123`).
    pub code: String,
    /// The secret the screen polls with (never shown).
    pub poll: String,
    /// How long the code stays valid.
    pub expires_in_secs: u64,
}

/// `GET /api/v1/screens/pairing/{poll}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PairingPoll {
    /// 202: no admin has entered the code yet.
    Waiting,
    /// 200, answered once: the screen's display token, tenant and layout.
    Paired {
        /// Long-lived, viewer-only, revocable; sent in the socket's `subscribe`.
        token: String,
        tenant: String,
        layout: ScreenLayout,
    },
}

/// `POST /api/v1/{tenant}/screens`: bind the screen showing `code` to the tenant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PairScreen {
    pub code: String,
    /// What admins call it (`Ruang rapat lt. 3`).
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panels: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotate: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<ScreenLang>,
}

/// A paired screen, as admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Screen {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub tenant: String,
    pub layout: ScreenLayout,
    /// Revoked screens stay listed by the store; the page shows live ones.
    #[serde(default)]
    pub revoked: bool,
    /// When it was paired (RFC 3339, UTC).
    pub paired_at: String,
    /// When its socket last proved its token (RFC 3339, UTC); `None` if never.
    #[serde(default)]
    pub last_seen: Option<String>,
    /// A training replay an admin put it in (`None`: live).
    #[serde(default)]
    pub replay: Option<ScreenReplay>,
}

/// `PUT /api/v1/{tenant}/screens/{id}/replay`'s body, and a replaying screen's `replay`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenReplay {
    /// The instant played from (RFC 3339).
    pub from: String,
    /// Replayed seconds per real second (1–1000).
    pub speed: u32,
}

/// `PATCH /api/v1/{tenant}/screens/{id}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RenameScreen {
    pub name: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pairing poll is tagged by `status`; a paired answer carries token and layout.
    #[test]
    fn pairing_poll_wire_shape() {
        let w: PairingPoll = serde_json::from_str(r#"{"status":"waiting"}"#).unwrap();
        assert_eq!(w, PairingPoll::Waiting);
        let p: PairingPoll = serde_json::from_str(
            r#"{"status":"paired","token":"t0k","tenant":"tangerang","layout":{"panels":"all,agencies","rotate":20,"lang":"en"}}"#,
        )
        .unwrap();
        let PairingPoll::Paired { token, layout, .. } = p else {
            panic!("paired")
        };
        assert_eq!(token, "t0k");
        assert_eq!(layout.panels.as_deref(), Some("all,agencies"));
        assert_eq!(layout.rotate, Some(20));
        assert_eq!(layout.lang, Some(ScreenLang::En));
        let l: ScreenLayout = serde_json::from_str(r#"{"panels":null,"rotate":null,"lang":null}"#).unwrap();
        assert_eq!(l, ScreenLayout::default());
        let s: Screen = serde_json::from_str(
            r#"{"id":"s1","name":"Lobi","tenant":"t","layout":{},"revoked":false,"paired_at":"2026-12-01T10:00:00Z","last_seen":null}"#,
        )
        .unwrap();
        assert_eq!((s.paired_at.as_str(), s.last_seen), ("2026-12-01T10:00:00Z", None));
    }

    /// Sign-in sends `tenant: null` for the superadmin; errors read from the one error body.
    #[test]
    fn session_wire_shape() {
        let s = SignIn {
            tenant: None,
            name: "root".into(),
            password: "pw".into(),
        };
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"tenant":null,"name":"root","password":"pw"}"#
        );
        let e: ApiError = serde_json::from_str(r#"{"error":{"code":"locked_out"}}"#).unwrap();
        assert_eq!(e.error.code, "locked_out");
        let pair = PairScreen {
            code: "ABC123".into(),
            name: "Lobi".into(),
            panels: None,
            rotate: Some(30),
            lang: Some(ScreenLang::Id),
        };
        assert_eq!(
            serde_json::to_string(&pair).unwrap(),
            r#"{"code":"ABC123","name":"Lobi","rotate":30,"lang":"id"}"#
        );
    }
}
