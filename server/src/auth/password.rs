//! Password hashes: argon2id with the crate's default parameters, stored as a PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), so the parameters travel with each hash
//! and can be raised later without invalidating old ones.
//!
//! Hashing is deliberately slow (tens of ms optimised): async callers run it on
//! `spawn_blocking` (see [`crate::auth::store`]).

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use std::sync::OnceLock;

/// Shortest password accepted for a new user, characters.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Why a password could not be hashed or checked.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    /// The stored hash is not a PHC string argon2 understands (corrupt record).
    #[error("stored password hash is unusable: {0}")]
    BadHash(String),
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// Hash a new password (random salt); refuses one shorter than [`MIN_PASSWORD_CHARS`].
pub fn hash(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the stored `phc` hash (compared in constant time).
pub fn verify(password: &str, phc: &str) -> Result<bool, PasswordError> {
    match Argon2::default().verify_password(password.as_bytes(), phc) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(PasswordError::BadHash(e.to_string())),
    }
}

/// Spend the time of one verification for a user that does not exist, so the answer time
/// does not tell which user names exist.
pub fn verify_nobody(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not anybody's password").expect("a fixed long password hashes"));
    let _ = verify(password, dummy);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash is an argon2id PHC string that verifies its password and no other.
    #[test]
    fn hash_then_verify() {
        let phc = hash("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(verify("correct horse", &phc).unwrap());
        assert!(!verify("correct hors", &phc).unwrap());
    }

    /// The same password hashes differently each time (random salt).
    #[test]
    fn salted() {
        assert_ne!(hash("same password").unwrap(), hash("same password").unwrap());
    }

    /// Short passwords are refused; a corrupt stored hash is an error, not a mismatch.
    #[test]
    fn refusals() {
        assert!(matches!(hash("1234567"), Err(PasswordError::TooShort)));
        assert!(matches!(
            verify("whatever", "not-a-hash"),
            Err(PasswordError::BadHash(_))
        ));
    }
}
