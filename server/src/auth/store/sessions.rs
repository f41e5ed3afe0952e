//! Server-side sessions: created at sign-in, looked up (and kept alive) on every request,
//! ended at sign-out, after [`SessionLimits::idle`](super::SessionLimits) unused, after
//! [`SessionLimits::absolute`](super::SessionLimits) in any case, or when the user is disabled
//! or removed. The role is read from the user record on each lookup, so a change of role
//! applies at once.
//!
//! Time is passed in (`now`), so the absolute expiry is tested without waiting; the idle
//! expiry is Redis' own TTL.

use super::users::User;
use super::{decode, encode, random_hex_256, realm, session_key, timestamp, users_key, AuthError, AuthStore};
use crate::auth::Role;
use chrono::{DateTime, Utc};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

/// Read a session, refresh its idle TTL and read its user, in one round trip.
/// KEYS: session, users of its realm. ARGV: idle TTL, seconds.
static LOOKUP: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
local session = redis.call('GET', KEYS[1])
if not session then return false end
redis.call('EXPIRE', KEYS[1], ARGV[1])
local user = redis.call('HGET', KEYS[2], cjson.decode(session).name)
return {session, user}
",
    )
});

/// A session as stored.
#[derive(Serialize, Deserialize)]
struct SessionRecord {
    name: String,
    /// The role at sign-in (the lookup answers the user's current one).
    role: Role,
    /// RFC 3339, UTC: the absolute expiry counts from here.
    created_at: String,
}

/// A live session: who is signed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The user's tenant; `None` for the superadmin.
    pub tenant: Option<String>,
    pub name: String,
    /// The user's role now.
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

/// What a session cookie holds: `<realm>.<64 hex digits>`, the realm being the tenant id or
/// `_system`, so the lookup knows which tenant's keys to read. Its `Debug` hides the id.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken {
    realm: String,
    id: String,
}

impl SessionToken {
    /// The tenant the session belongs to (`None`: the superadmin's).
    pub fn tenant(&self) -> Option<&str> {
        (self.realm != super::SYSTEM_REALM).then_some(self.realm.as_str())
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.realm, self.id)
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionToken({}.…)", self.realm)
    }
}

/// A string that cannot be a session token.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed session token")]
pub struct MalformedToken;

impl FromStr for SessionToken {
    type Err = MalformedToken;

    fn from_str(s: &str) -> Result<SessionToken, MalformedToken> {
        let (realm, id) = s.split_once('.').ok_or(MalformedToken)?;
        let realm_ok = !realm.is_empty()
            && realm
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        let id_ok = id.len() == 64 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !(realm_ok && id_ok) {
            return Err(MalformedToken);
        }
        Ok(SessionToken {
            realm: realm.to_owned(),
            id: id.to_owned(),
        })
    }
}

impl AuthStore {
    /// Start a session for `user` (already checked by [`AuthStore::verify_login`]).
    pub async fn create_session(&self, user: &User, now: DateTime<Utc>) -> Result<SessionToken, AuthError> {
        let token = SessionToken {
            realm: realm(user.tenant.as_deref()).to_owned(),
            id: random_hex_256(),
        };
        let record = SessionRecord {
            name: user.name.clone(),
            role: user.role,
            created_at: timestamp(now),
        };
        let _: () = self
            .conn()
            .set_ex(
                session_key(&token.realm, &token.id),
                encode(&record),
                self.limits.idle.as_secs().max(1),
            )
            .await?;
        Ok(token)
    }

    /// The session of `token` if it is live, its idle time restarted. A session past its
    /// absolute expiry, or whose user is disabled or gone, is deleted and `None`.
    pub async fn session(&self, token: &SessionToken, now: DateTime<Utc>) -> Result<Option<Session>, AuthError> {
        let key = session_key(&token.realm, &token.id);
        let found: Option<(String, Option<String>)> = LOOKUP
            .key(&key)
            .key(users_key(&token.realm))
            .arg(self.limits.idle.as_secs().max(1))
            .invoke_async(&mut self.conn())
            .await?;
        let Some((session, user)) = found else {
            return Ok(None);
        };
        let session: SessionRecord = decode(&key, &session)?;
        let created_at = DateTime::parse_from_rfc3339(&session.created_at)
            .map_err(|e| AuthError::Corrupt {
                key: key.clone(),
                reason: e.to_string(),
            })?
            .with_timezone(&Utc);
        let expired = chrono::Duration::from_std(self.limits.absolute)
            .ok()
            .and_then(|absolute| created_at.checked_add_signed(absolute))
            .is_none_or(|end| now >= end);
        let user = user
            .map(|json| decode::<super::users::UserRecord>(&users_key(&token.realm), &json))
            .transpose()?;
        match user {
            Some(user) if !user.disabled && !expired => Ok(Some(Session {
                tenant: token.tenant().map(str::to_owned),
                name: session.name,
                role: user.role,
                created_at,
            })),
            _ => {
                let _: () = self.conn().del(&key).await?;
                Ok(None)
            }
        }
    }

    /// Sign out: delete the session. Whether there was one.
    pub async fn end_session(&self, token: &SessionToken) -> Result<bool, AuthError> {
        let deleted: u32 = self.conn().del(session_key(&token.realm, &token.id)).await?;
        Ok(deleted > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tokens round-trip; the realm says the tenant; `Debug` does not show the id.
    #[test]
    fn token_round_trip() {
        let id = "ab".repeat(32);
        let token: SessionToken = format!("banjar.{id}").parse().unwrap();
        assert_eq!(token.to_string(), format!("banjar.{id}"));
        assert_eq!(token.tenant(), Some("banjar"));
        assert!(!format!("{token:?}").contains(&id));
        let system: SessionToken = format!("_system.{id}").parse().unwrap();
        assert_eq!(system.tenant(), None);
    }

    /// Anything else is malformed (no realm, short or upper-case id, odd realm).
    #[test]
    fn malformed_tokens() {
        let id = "ab".repeat(32);
        for bad in [
            String::new(),
            id.clone(),
            format!(".{id}"),
            format!("banjar.{}", &id[1..]),
            format!("banjar.{}", id.to_uppercase()),
            format!("Banjar.{id}"),
            format!("ban.jar.{id}"),
        ] {
            assert_eq!(bad.parse::<SessionToken>(), Err(MalformedToken), "{bad}");
        }
    }
}
