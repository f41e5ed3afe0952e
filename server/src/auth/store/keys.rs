//! Ingest API keys of a tenant: stored as the SHA-256 of the secret (a secret has 256 random
//! bits, so a fast hash is enough — argon2 is for guessable passwords), named, optionally
//! limited to categories, revocable. The secret is shown once, when the key is added.

use super::{decode, encode, key_names_key, keys_key, random_hex_256, sha256_hex, timestamp, AuthError, AuthStore};
use crate::auth::actor::valid_name;
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// What every secret starts with, so a leaked one is recognisable (secret scanners, logs).
pub const SECRET_PREFIX: &str = "pk_";

/// Claim the name, then store the key; nothing if the name is taken.
/// KEYS: key names, keys. ARGV: name, digest, record.
static ADD: LazyLock<redis::Script> = LazyLock::new(|| {
    redis::Script::new(
        r"
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
return 1
",
    )
});

/// A key as stored and as listed (never with its secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The source system's name; events it posts have actor `key:<name>`.
    pub name: String,
    /// Category codes it may report in; empty for all.
    #[serde(default)]
    pub categories: Vec<String>,
    /// A revoked key is refused from the next request on.
    #[serde(default)]
    pub revoked: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl ApiKey {
    /// Whether the key may report in `category`.
    pub fn covers(&self, category: &str) -> bool {
        self.categories.is_empty() || self.categories.iter().any(|c| c == category)
    }
}

/// A key just added, with the secret to hand to its owner (not stored, not shown again).
#[derive(Clone, Debug)]
pub struct NewKey {
    pub key: ApiKey,
    /// `pk_` and 64 hex digits.
    pub secret: String,
}

impl AuthStore {
    /// Add a key named `name` (unique in the tenant, revoked ones included, so an actor in
    /// the audit trail always means one key). Category codes are checked by the caller
    /// against the tenant's configuration.
    pub async fn add_key(&self, tenant: &str, name: &str, categories: &[String]) -> Result<NewKey, AuthError> {
        if !valid_name(name) {
            return Err(AuthError::InvalidName(name.to_owned()));
        }
        let secret = format!("{SECRET_PREFIX}{}", random_hex_256());
        let key = ApiKey {
            name: name.to_owned(),
            categories: categories.to_vec(),
            revoked: false,
            created_at: timestamp(chrono::Utc::now()),
        };
        if !self.store_new(tenant, &sha256_hex(secret.as_bytes()), &key).await? {
            return Err(AuthError::KeyExists(name.to_owned()));
        }
        Ok(NewKey { key, secret })
    }

    /// Add a key known only by its digest (the `api_keys` of a tenant's config file), for
    /// every category. Whether it was added (`false`: the name is taken already).
    pub async fn seed_key(&self, tenant: &str, name: &str, sha256: &str) -> Result<bool, AuthError> {
        if !valid_name(name) {
            return Err(AuthError::InvalidName(name.to_owned()));
        }
        let key = ApiKey {
            name: name.to_owned(),
            categories: vec![],
            revoked: false,
            created_at: timestamp(chrono::Utc::now()),
        };
        self.store_new(tenant, &sha256.to_ascii_lowercase(), &key).await
    }

    /// The secret of `tenant`'s `demo-feed` key, for `serve --demo-rate`: made on first use
    /// and kept in Redis (`…:demo_feed_secret`), so restarts and other processes use the same
    /// key. Revoking `demo-feed` stops the demo feed for good.
    pub async fn demo_feed_key(&self, tenant: &str) -> Result<String, AuthError> {
        let stored = format!("pantau:{{{tenant}}}:demo_feed_secret");
        let fresh = format!("{SECRET_PREFIX}{}", random_hex_256());
        let _: bool = self.conn().set_nx(&stored, &fresh).await?;
        let secret: String = self.conn().get(&stored).await?;
        self.seed_key(tenant, "demo-feed", &sha256_hex(secret.as_bytes()))
            .await?;
        Ok(secret)
    }

    /// Every key of the tenant, by name, revoked ones included.
    pub async fn list_keys(&self, tenant: &str) -> Result<Vec<ApiKey>, AuthError> {
        let key = keys_key(tenant);
        let all: Vec<(String, String)> = self.conn().hgetall(&key).await?;
        let mut keys = all
            .iter()
            .map(|(_, json)| decode(&key, json))
            .collect::<Result<Vec<ApiKey>, AuthError>>()?;
        keys.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(keys)
    }

    /// Revoke the key named `name`; revoking twice is not an error.
    pub async fn revoke_key(&self, tenant: &str, name: &str) -> Result<ApiKey, AuthError> {
        let digest: Option<String> = self.conn().hget(key_names_key(tenant), name).await?;
        let digest = digest.ok_or_else(|| AuthError::NoSuchKey(name.to_owned()))?;
        let mut key = self
            .key_by_digest(tenant, &digest)
            .await?
            .ok_or_else(|| AuthError::NoSuchKey(name.to_owned()))?;
        key.revoked = true;
        let _: () = self.conn().hset(keys_key(tenant), &digest, encode(&key)).await?;
        Ok(key)
    }

    /// The key a caller presented: [`AuthError::UnknownKey`] if it is none of the tenant's,
    /// [`AuthError::KeyRevoked`] if it was revoked.
    pub async fn key_by_secret(&self, tenant: &str, secret: &str) -> Result<ApiKey, AuthError> {
        let key = self
            .key_by_digest(tenant, &sha256_hex(secret.as_bytes()))
            .await?
            .ok_or(AuthError::UnknownKey)?;
        if key.revoked {
            return Err(AuthError::KeyRevoked(key.name));
        }
        Ok(key)
    }

    async fn key_by_digest(&self, tenant: &str, digest: &str) -> Result<Option<ApiKey>, AuthError> {
        let key = keys_key(tenant);
        let json: Option<String> = self.conn().hget(&key, digest).await?;
        json.map(|j| decode(&key, &j)).transpose()
    }

    async fn store_new(&self, tenant: &str, digest: &str, key: &ApiKey) -> Result<bool, AuthError> {
        let added: u32 = ADD
            .key(key_names_key(tenant))
            .key(keys_key(tenant))
            .arg(&key.name)
            .arg(digest)
            .arg(encode(key))
            .invoke_async(&mut self.conn())
            .await?;
        Ok(added == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key without categories covers all; with some, only those.
    #[test]
    fn category_scope() {
        let mut key = ApiKey {
            name: "laksa".into(),
            categories: vec![],
            revoked: false,
            created_at: "2026-01-01T00:00:00.000Z".into(),
        };
        assert!(key.covers("jalan"));
        key.categories = vec!["banjir".into()];
        assert!(key.covers("banjir") && !key.covers("jalan"));
    }
}
