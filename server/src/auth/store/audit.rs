//! The audit trail of what is not a ticket event: sign-ins (and refused ones), users and
//! keys added, disabled or revoked, screens paired and revoked — one Redis Stream per tenant,
//! `pantau:{tenant}:audit` (the superadmin's in `pantau:{_system}:audit`), never trimmed.
//! Ticket events carry their actor in the event log itself; `GET /api/v1/{tenant}/audit`
//! reads both.

use super::{realm, AuthError, AuthStore};
use redis::streams::StreamRangeReply;
use serde::{Deserialize, Serialize};

/// One audited action.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339, UTC.
    pub at: String,
    /// `user:<name>`, `key:<name>`, `screen:<id>`, `system`.
    pub actor: String,
    /// `signed_in`, `sign_in_refused`, `user_added`, `key_revoked`, …
    pub action: String,
    /// What it was done to, in words (a user name, a key name, a screen id).
    pub detail: String,
}

/// The audit stream of a tenant (`None`: the superadmin's realm).
pub fn audit_key(tenant: Option<&str>) -> String {
    format!("pantau:{{{}}}:audit", realm(tenant))
}

impl AuthStore {
    /// Append an entry to `tenant`'s trail.
    pub async fn audit(&self, tenant: Option<&str>, actor: &str, action: &str, detail: &str) -> Result<(), AuthError> {
        let entry = AuditEntry {
            at: super::timestamp(chrono::Utc::now()),
            actor: actor.to_owned(),
            action: action.to_owned(),
            detail: detail.to_owned(),
        };
        let _: String = redis::cmd("XADD")
            .arg(audit_key(tenant))
            .arg("*")
            .arg("entry")
            .arg(super::encode(&entry))
            .query_async(&mut self.conn())
            .await?;
        Ok(())
    }

    /// `tenant`'s entries between two Unix-ms times (inclusive), oldest first, at most `count`.
    pub async fn audit_range(
        &self,
        tenant: &str,
        from_ms: i64,
        to_ms: i64,
        count: usize,
    ) -> Result<Vec<AuditEntry>, AuthError> {
        let key = audit_key(Some(tenant));
        let range: StreamRangeReply = redis::cmd("XRANGE")
            .arg(&key)
            .arg(from_ms.max(0))
            .arg(to_ms.max(0))
            .arg("COUNT")
            .arg(count.max(1))
            .query_async(&mut self.conn())
            .await?;
        range
            .ids
            .iter()
            .map(|e| {
                let raw: String = e.get("entry").unwrap_or_default();
                super::decode(&key, &raw)
            })
            .collect()
    }
}
