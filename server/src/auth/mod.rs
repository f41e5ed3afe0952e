//! Who a caller is and what it may do (issue 12): roles and the one permission table, the
//! actor written into events, password hashes, and the Redis records of users, sessions and
//! ingest API keys. This is the core only: routes and the socket are guarded elsewhere.
//!
//! - [`role`]: `Role`, `Action`, the table [`role::PERMISSIONS`], [`allowed`], [`allowed_in`].
//! - [`actor`]: `user:<name>`, `key:<name>`, `screen:<id>`, `system`; the name rule.
//! - [`password`]: argon2id hash and verify (PHC strings).
//! - [`store`]: users, sessions, keys in Redis ([`store::AuthStore`]).

pub mod actor;
pub mod password;
pub mod role;
pub mod store;

pub use actor::Actor;
pub use role::{allowed, allowed_in, Action, Role};
