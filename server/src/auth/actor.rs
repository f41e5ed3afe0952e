//! Who caused an event, as the server writes it into the event's `actor` (never the client):
//! `user:<name>`, `key:<name>`, `screen:<id>` or `system`. Also the rule for user and key
//! names, which must stay readable inside that string and inside Redis keys (pure).

use std::fmt;
use std::str::FromStr;

/// Longest user or key name.
pub const MAX_NAME_LEN: usize = 64;

/// The one who did something, as recorded in an event's `actor`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A signed-in person, by user name (unique in its tenant).
    User(String),
    /// A source system, by the name of its ingest API key.
    Key(String),
    /// A paired wall screen, by its id.
    Screen(String),
    /// Pantau itself (SLA warnings and breaches, alerts).
    System,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::User(name) => write!(f, "user:{name}"),
            Actor::Key(name) => write!(f, "key:{name}"),
            Actor::Screen(id) => write!(f, "screen:{id}"),
            Actor::System => f.write_str("system"),
        }
    }
}

/// A string that is not an actor.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("not an actor: {0:?} (user:<name>, key:<name>, screen:<id> or system)")]
pub struct InvalidActor(pub String);

impl FromStr for Actor {
    type Err = InvalidActor;

    fn from_str(s: &str) -> Result<Actor, InvalidActor> {
        if s == "system" {
            return Ok(Actor::System);
        }
        let invalid = || InvalidActor(s.to_owned());
        let (kind, rest) = s.split_once(':').ok_or_else(invalid)?;
        if !valid_name(rest) {
            return Err(invalid());
        }
        match kind {
            "user" => Ok(Actor::User(rest.to_owned())),
            "key" => Ok(Actor::Key(rest.to_owned())),
            "screen" => Ok(Actor::Screen(rest.to_owned())),
            _ => Err(invalid()),
        }
    }
}

/// Whether `name` may name a user, a key or a screen: 1 to [`MAX_NAME_LEN`] lower-case
/// letters, digits, `.`, `_` or `-` — no `:` (it would blur the actor), no spaces, no case
/// (sign-in is not fooled by `Budi` against `budi`).
pub fn valid_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each kind renders as the issue names it and parses back.
    #[test]
    fn renders_and_parses() {
        let cases = [
            (Actor::User("budi".into()), "user:budi"),
            (Actor::Key("laksa-app".into()), "key:laksa-app"),
            (Actor::Screen("0193a2b4".into()), "screen:0193a2b4"),
            (Actor::System, "system"),
        ];
        for (actor, text) in cases {
            assert_eq!(actor.to_string(), text);
            assert_eq!(text.parse::<Actor>(), Ok(actor));
        }
    }

    /// Unknown kinds, empty or invalid names are refused.
    #[test]
    fn refuses_what_is_not_an_actor() {
        for text in [
            "",
            "budi",
            "admin:budi",
            "user:",
            "user:Budi",
            "user:a:b",
            "key:a b",
            "System",
        ] {
            assert!(text.parse::<Actor>().is_err(), "{text}");
        }
    }

    /// The name rule: lower-case slugs with `.`, `_`, `-`, at most 64 bytes.
    #[test]
    fn name_rule() {
        for ok in ["budi", "budi.santoso", "op_1", "call-centre", &"a".repeat(64)] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in ["", "Budi", "budi santoso", "a:b", "ö", &"a".repeat(65)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
