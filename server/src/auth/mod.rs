//! Who a caller is and what it may do (issue 12): roles and the one permission table, the
//! actor written into events, password hashes, and the Redis records of users, sessions and
//! ingest API keys. Routes are guarded by [`crate::http::guard`], the socket by its session.
//!
//! - [`role`]: `Role`, `Action`, the table [`role::PERMISSIONS`], [`allowed`], [`allowed_in`].
//! - [`actor`]: `user:<name>`, `key:<name>`, `screen:<id>`, `system`; the name rule.
//! - [`principal`]: an authenticated caller (user, key, screen) and what it may do where.
//! - [`rate`]: ingest rate limits per API key (token buckets).
//! - [`password`]: argon2id hash and verify (PHC strings).
//! - [`store`]: users, sessions, keys in Redis ([`store::AuthStore`]).

pub mod actor;
pub mod password;
pub mod principal;
pub mod rate;
pub mod role;
pub mod store;

pub use actor::Actor;
pub use principal::Principal;
pub use role::{allowed, allowed_in, Action, Role};
