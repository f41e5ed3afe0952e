//! Users of a tenant (or the system realm): add, list, disable, and the sign-in check.
//! The password hash never leaves this module: callers get a [`User`].

use super::{blocking, decode, encode, realm, timestamp, users_key, AuthError, AuthStore};
use crate::auth::actor::valid_name;
use crate::auth::{password, Role};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

/// A user as stored in `pantau:{tenant}:users`.
#[derive(Serialize, Deserialize)]
pub(super) struct UserRecord {
    name: String,
    pub(super) role: Role,
    /// argon2id PHC string.
    password_hash: String,
    /// A disabled user cannot sign in, and its sessions stop working.
    pub(super) disabled: bool,
    /// RFC 3339, UTC.
    created_at: String,
}

/// A user, as callers see it (no password hash).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    /// Its tenant; `None` for the superadmin.
    pub tenant: Option<String>,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl User {
    fn from_record(tenant: Option<&str>, record: UserRecord) -> User {
        User {
            tenant: tenant.map(str::to_owned),
            name: record.name,
            role: record.role,
            disabled: record.disabled,
            created_at: record.created_at,
        }
    }
}

impl AuthStore {
    /// Add a user with a new password. `tenant` is `None` exactly for a superadmin. Refuses
    /// an invalid name, a short password and a name already taken in the realm.
    pub async fn add_user(
        &self,
        tenant: Option<&str>,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<User, AuthError> {
        match (tenant, role) {
            (None, r) if r.is_tenant_role() => return Err(AuthError::TenantRequired(r)),
            (Some(_), Role::Superadmin) => return Err(AuthError::SuperadminHasNoTenant),
            _ => {}
        }
        if !valid_name(name) {
            return Err(AuthError::InvalidName(name.to_owned()));
        }
        let password = password.to_owned();
        let password_hash = blocking(move || password::hash(&password)).await??;
        let record = UserRecord {
            name: name.to_owned(),
            role,
            password_hash,
            disabled: false,
            created_at: timestamp(chrono::Utc::now()),
        };
        let added: bool = self
            .conn()
            .hset_nx(users_key(realm(tenant)), name, encode(&record))
            .await?;
        if !added {
            return Err(AuthError::UserExists(name.to_owned()));
        }
        Ok(User::from_record(tenant, record))
    }

    /// Every user of the realm, by name.
    pub async fn list_users(&self, tenant: Option<&str>) -> Result<Vec<User>, AuthError> {
        let key = users_key(realm(tenant));
        let all: Vec<(String, String)> = self.conn().hgetall(&key).await?;
        let mut users = all
            .iter()
            .map(|(_, json)| decode(&key, json).map(|r| User::from_record(tenant, r)))
            .collect::<Result<Vec<User>, AuthError>>()?;
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(users)
    }

    /// The user named `name`, if any.
    pub async fn user(&self, tenant: Option<&str>, name: &str) -> Result<Option<User>, AuthError> {
        Ok(self.record(tenant, name).await?.map(|r| User::from_record(tenant, r)))
    }

    /// Disable a user: it can no longer sign in and its sessions end at their next use.
    /// Disabling twice is not an error.
    pub async fn disable_user(&self, tenant: Option<&str>, name: &str) -> Result<User, AuthError> {
        let mut record = self
            .record(tenant, name)
            .await?
            .ok_or_else(|| AuthError::NoSuchUser(name.to_owned()))?;
        record.disabled = true;
        let _: () = self
            .conn()
            .hset(users_key(realm(tenant)), name, encode(&record))
            .await?;
        Ok(User::from_record(tenant, record))
    }

    /// Check a sign-in: the user if `password` is theirs and they are enabled. An unknown
    /// name takes as long as a wrong password (see [`password::verify_nobody`]).
    pub async fn verify_login(&self, tenant: Option<&str>, name: &str, password: &str) -> Result<User, AuthError> {
        let password = password.to_owned();
        let Some(record) = self.record(tenant, name).await? else {
            blocking(move || password::verify_nobody(&password)).await?;
            return Err(AuthError::NoSuchUser(name.to_owned()));
        };
        let hash = record.password_hash.clone();
        if !blocking(move || password::verify(&password, &hash)).await?? {
            return Err(AuthError::WrongPassword);
        }
        if record.disabled {
            return Err(AuthError::Disabled(record.name));
        }
        Ok(User::from_record(tenant, record))
    }

    async fn record(&self, tenant: Option<&str>, name: &str) -> Result<Option<UserRecord>, AuthError> {
        let key = users_key(realm(tenant));
        let json: Option<String> = self.conn().hget(&key, name).await?;
        json.map(|j| decode(&key, &j)).transpose()
    }
}
