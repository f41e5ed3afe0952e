//! Users, sessions and ingest API keys in Redis — Redis commands only, like [`crate::store`].
//! Every process reads the same records, so a disabled user, an ended session or a revoked
//! key stops working everywhere on the next request.
//!
//! Keys (the `{…}` hash tag keeps a tenant on one Redis Cluster slot):
//! - `pantau:{tenant}:users` — hash, user name → JSON `{name, role, password_hash, disabled,
//!   created_at}`; the superadmin lives in the tenant-less realm `pantau:{_system}:users`.
//! - `pantau:{tenant}:session:<sha256 of the session id>` — JSON `{name, role, created_at}`
//!   with an idle TTL, refreshed on every use; the absolute expiry is checked on read. Only
//!   the digest of the id is in Redis, so reading Redis does not hand out sessions.
//! - `pantau:{tenant}:keys` — hash, sha256(secret) hex → JSON `{name, categories, revoked,
//!   created_at}`; `pantau:{tenant}:key_names` — hash, name → digest (names are unique, and
//!   a key is revoked by name).
//!
//! - [`users`]: add, list, disable, check a sign-in.
//! - [`sessions`]: create, look up (and refresh), end; the [`SessionToken`] a cookie holds.
//! - [`keys`]: add (the secret is returned once), seed from config digests, list, revoke,
//!   look up by a presented secret.
//! - [`audit`]: the trail of sign-ins and user, key and screen changes.
//! - [`lockout`]: failed sign-ins per name, and the lockout after too many.
//! - [`screens`]: pairing codes, paired wall screens and their display tokens.

pub mod audit;
pub mod keys;
pub mod lockout;
pub mod screens;
pub mod sessions;
pub mod users;

use crate::auth::password::PasswordError;
use crate::store::RedisConn;
use std::time::Duration;

pub use keys::{ApiKey, NewKey};
pub use sessions::{Session, SessionToken};
pub use users::User;

/// The realm of the tenant-less superadmin, in place of a tenant id in its keys.
pub const SYSTEM_REALM: &str = "_system";
/// A session unused for this long ends, seconds (2 h).
pub const DEFAULT_SESSION_IDLE_SECS: u64 = 2 * 3600;
/// A session ends this long after sign-in however busy, seconds (12 h: one long shift).
pub const DEFAULT_SESSION_ABSOLUTE_SECS: u64 = 12 * 3600;

/// Why an auth store call failed or refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// A stored record does not decode (written by hand, or by a newer version).
    #[error("{key} holds an unreadable record: {reason}")]
    Corrupt { key: String, reason: String },
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("invalid name {0:?}: 1 to 64 lower-case letters, digits, '.', '_' or '-'")]
    InvalidName(String),
    /// `superadmin` has no tenant, every other role has exactly one.
    #[error("role {0} needs a tenant (only superadmin has none)")]
    TenantRequired(crate::auth::Role),
    #[error("superadmin belongs to no tenant")]
    SuperadminHasNoTenant,
    #[error("user {0:?} already exists")]
    UserExists(String),
    #[error("no user {0:?}")]
    NoSuchUser(String),
    /// The password does not match. (Sign-in answers this, [`AuthError::NoSuchUser`] and
    /// [`AuthError::Disabled`] alike, so nobody learns which names exist.)
    #[error("wrong password")]
    WrongPassword,
    #[error("user {0:?} is disabled")]
    Disabled(String),
    #[error("a key named {0:?} already exists")]
    KeyExists(String),
    #[error("no key named {0:?}")]
    NoSuchKey(String),
    /// A presented secret is no key of the tenant.
    #[error("unknown API key")]
    UnknownKey,
    #[error("API key {0:?} is revoked")]
    KeyRevoked(String),
    /// The blocking task hashing a password died.
    #[error("password task failed: {0}")]
    Task(String),
}

/// How long sessions live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLimits {
    /// Ends a session unused for this long (Redis TTL, refreshed on use).
    pub idle: Duration,
    /// Ends a session this long after it was created, used or not.
    pub absolute: Duration,
}

impl Default for SessionLimits {
    fn default() -> SessionLimits {
        SessionLimits {
            idle: Duration::from_secs(DEFAULT_SESSION_IDLE_SECS),
            absolute: Duration::from_secs(DEFAULT_SESSION_ABSOLUTE_SECS),
        }
    }
}

/// Shared handle to the auth records (auto-reconnecting, multiplexed; cheap to clone).
#[derive(Clone)]
pub struct AuthStore {
    conn: RedisConn,
    limits: SessionLimits,
}

impl AuthStore {
    /// Over an existing connection (the one [`crate::store::Store`] uses is fine).
    pub fn new(conn: RedisConn, limits: SessionLimits) -> AuthStore {
        AuthStore { conn, limits }
    }

    /// Connect to `url`; fails if Redis cannot be reached within the connection timeout.
    pub async fn connect(url: &str, limits: SessionLimits) -> Result<AuthStore, AuthError> {
        let client = crate::store::RedisClient::open(url)?;
        let conn = client.shared(Duration::from_secs(2), Duration::from_secs(2)).await?;
        Ok(AuthStore::new(conn, limits))
    }

    /// The session lifetimes in force.
    pub fn limits(&self) -> SessionLimits {
        self.limits
    }

    fn conn(&self) -> RedisConn {
        self.conn.clone()
    }
}

/// The realm a user of `tenant` lives in: the tenant, or [`SYSTEM_REALM`] for `None`.
fn realm(tenant: Option<&str>) -> &str {
    tenant.unwrap_or(SYSTEM_REALM)
}

/// The users of a realm.
pub fn users_key(realm: &str) -> String {
    format!("pantau:{{{realm}}}:users")
}

/// One session, by the digest of its id.
pub fn session_key(realm: &str, id: &str) -> String {
    format!("pantau:{{{realm}}}:session:{}", sha256_hex(id.as_bytes()))
}

/// A tenant's ingest API keys, by the digest of their secret.
pub fn keys_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:keys")
}

/// A tenant's key names → digest.
pub fn key_names_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:key_names")
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    hex(&Sha256::digest(bytes))
}

/// 32 bytes from the thread's CSPRNG (ChaCha, seeded and reseeded from the OS), as hex.
fn random_hex_256() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Now, as stored in records (RFC 3339, UTC, milliseconds).
fn timestamp(now: chrono::DateTime<chrono::Utc>) -> String {
    now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Decode a stored JSON record, naming its key if it does not decode.
fn decode<T: serde::de::DeserializeOwned>(key: &str, json: &str) -> Result<T, AuthError> {
    serde_json::from_str(json).map_err(|e| AuthError::Corrupt {
        key: key.to_owned(),
        reason: e.to_string(),
    })
}

/// Encode a record (they are plain structs: encoding cannot fail).
fn encode<T: serde::Serialize>(record: &T) -> String {
    serde_json::to_string(record).expect("auth records serialise")
}

/// Run password hashing off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, AuthError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AuthError::Task(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Key names carry the realm as hash tag; sessions are keyed by a digest, not the id.
    #[test]
    fn key_names() {
        assert_eq!(users_key("banjar"), "pantau:{banjar}:users");
        assert_eq!(users_key(realm(None)), "pantau:{_system}:users");
        assert_eq!(keys_key("banjar"), "pantau:{banjar}:keys");
        let key = session_key("banjar", "abc");
        assert!(key.starts_with("pantau:{banjar}:session:"));
        assert!(!key.ends_with(":abc") && key.len() == "pantau:{banjar}:session:".len() + 64);
    }

    /// Hex is lower-case and two digits a byte; random ids are 256 bits and differ.
    #[test]
    fn hex_and_random() {
        assert_eq!(hex(&[0, 15, 255]), "000fff");
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let (a, b) = (random_hex_256(), random_hex_256());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
