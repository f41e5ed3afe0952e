//! Wall screens without passwords. A screen asks for a pairing: it gets a six-character
//! code to show and a secret `poll` to ask with; an admin enters the code, picks a name and a
//! layout, and the screen's next poll receives its display token — once. The token
//! (`<tenant>.<64 hex>`, like a session's) is long-lived, viewer-only and revocable; only its
//! digest is stored.
//!
//! Keys: `pantau:{_system}:pairing:<code>` → the poll's digest; `pantau:{_system}:poll:<digest>`
//! → JSON `{code, status: waiting|paired, token?, tenant?, layout?}` (both expire after
//! [`PAIRING_TTL_SECS`]); `pantau:{tenant}:screens` — hash, id → JSON screen;
//! `pantau:{tenant}:screen_tokens` — hash, token digest → id.

use super::{decode, encode, random_hex_256, sha256_hex, timestamp, AuthError, AuthStore, SYSTEM_REALM};
use redis::AsyncCommands;
use serde::{Deserialize, Serialize};

/// How long a pairing code is valid, seconds.
pub const PAIRING_TTL_SECS: u64 = 600;
/// Letters and digits of pairing codes: no 0/O, 1/I/L, so a code read across a room is
/// typed right.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a pairing code.
pub const CODE_LEN: usize = 6;
/// How often a screen's `last_seen` is written at most, seconds.
const SEEN_EVERY_SECS: i64 = 30;

/// How a screen shows the wall (the wall's URL parameters).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Layout {
    /// `all,agencies`, … (`None`: the whole city).
    #[serde(default)]
    pub panels: Option<String>,
    /// Seconds per panel.
    #[serde(default)]
    pub rotate: Option<u32>,
    /// `id` or `en`.
    #[serde(default)]
    pub lang: Option<String>,
}

/// A paired screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Screen {
    pub id: String,
    pub name: String,
    pub tenant: String,
    pub layout: Layout,
    pub revoked: bool,
    /// RFC 3339, UTC.
    pub paired_at: String,
    /// When its socket last proved its token (RFC 3339), if ever.
    pub last_seen: Option<String>,
    /// A replay an admin put it in for training (`None`: live).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay: Option<ScreenReplay>,
}

/// A paired screen put in replay: it plays the past from `from` at `speed` until an admin
/// takes it back to live (or the replay reaches the present).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ScreenReplay {
    /// The instant to start from (RFC 3339, UTC).
    pub from: String,
    /// Replayed seconds per real second (1–1000).
    pub speed: u32,
}

impl ScreenReplay {
    /// As a socket's replay request.
    pub fn start(&self) -> Option<pantau_shared::protocol::ReplayStart> {
        let from = chrono::DateTime::parse_from_rfc3339(&self.from).ok()?;
        Some(pantau_shared::protocol::ReplayStart {
            from: from.timestamp_millis(),
            speed: f64::from(self.speed),
        })
    }
}

/// What a waiting screen is told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PollAnswer {
    Waiting,
    Paired {
        token: String,
        tenant: String,
        layout: Layout,
    },
}

/// A new pairing: the code to show and the secret to poll with.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Pairing {
    pub code: String,
    pub poll: String,
    pub expires_in_secs: u64,
}

fn pairing_key(code: &str) -> String {
    format!("pantau:{{{SYSTEM_REALM}}}:pairing:{code}")
}

fn poll_key(poll: &str) -> String {
    format!("pantau:{{{SYSTEM_REALM}}}:poll:{}", sha256_hex(poll.as_bytes()))
}

fn screens_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:screens")
}

fn screen_tokens_key(tenant: &str) -> String {
    format!("pantau:{{{tenant}}}:screen_tokens")
}

/// A random pairing code.
fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A code as typed: upper case, spaces and dashes dropped.
pub fn normalise_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl AuthStore {
    /// Start a pairing for a screen.
    pub async fn start_pairing(&self) -> Result<Pairing, AuthError> {
        let poll = random_hex_256();
        for _ in 0..8 {
            let code = new_code();
            let claimed: bool = redis::cmd("SET")
                .arg(pairing_key(&code))
                .arg(sha256_hex(poll.as_bytes()))
                .arg("NX")
                .arg("EX")
                .arg(PAIRING_TTL_SECS)
                .query_async::<Option<String>>(&mut self.conn())
                .await?
                .is_some();
            if claimed {
                let answer = encode(&(code.clone(), PollAnswer::Waiting));
                let _: () = self.conn().set_ex(poll_key(&poll), answer, PAIRING_TTL_SECS).await?;
                return Ok(Pairing {
                    code,
                    poll,
                    expires_in_secs: PAIRING_TTL_SECS,
                });
            }
        }
        Err(AuthError::Task("no free pairing code".into()))
    }

    /// What the screen polling with `poll` should do; `None` once the pairing expired or was
    /// answered (the token is handed out once).
    pub async fn poll_pairing(&self, poll: &str) -> Result<Option<PollAnswer>, AuthError> {
        let key = poll_key(poll);
        let raw: Option<String> = self.conn().get(&key).await?;
        let Some(raw) = raw else { return Ok(None) };
        let (_, answer): (String, PollAnswer) = decode(&key, &raw)?;
        if matches!(answer, PollAnswer::Paired { .. }) {
            let _: () = self.conn().del(&key).await?;
        }
        Ok(Some(answer))
    }

    /// An admin of `tenant` claims the screen showing `code`; `None` if no screen shows it.
    pub async fn pair_screen(
        &self,
        tenant: &str,
        code: &str,
        name: &str,
        layout: Layout,
    ) -> Result<Option<Screen>, AuthError> {
        let code = normalise_code(code);
        let digest: Option<String> = self.conn().get_del(pairing_key(&code)).await?;
        let Some(digest) = digest else { return Ok(None) };
        let poll = format!("pantau:{{{SYSTEM_REALM}}}:poll:{digest}");
        let token = format!("{tenant}.{}", random_hex_256());
        let screen = Screen {
            id: random_hex_256()[..12].to_owned(),
            name: name.to_owned(),
            tenant: tenant.to_owned(),
            layout: layout.clone(),
            revoked: false,
            paired_at: timestamp(chrono::Utc::now()),
            last_seen: None,
            replay: None,
        };
        let answer = PollAnswer::Paired {
            token: token.clone(),
            tenant: tenant.to_owned(),
            layout,
        };
        let _: () = redis::pipe()
            .atomic()
            .hset(screens_key(tenant), &screen.id, encode(&screen))
            .hset(screen_tokens_key(tenant), sha256_hex(token.as_bytes()), &screen.id)
            .query_async(&mut self.conn())
            .await?;
        let _: () = self
            .conn()
            .set_ex(poll, encode(&(code, answer)), PAIRING_TTL_SECS)
            .await?;
        Ok(Some(screen))
    }

    /// The tenant's screens, by name.
    pub async fn list_screens(&self, tenant: &str) -> Result<Vec<Screen>, AuthError> {
        let key = screens_key(tenant);
        let all: Vec<(String, String)> = self.conn().hgetall(&key).await?;
        let mut screens = all
            .iter()
            .map(|(_, json)| decode(&key, json))
            .collect::<Result<Vec<Screen>, AuthError>>()?;
        screens.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        Ok(screens)
    }

    /// Change a screen's name or revoke it; `None` if the tenant has no such screen.
    pub async fn update_screen(
        &self,
        tenant: &str,
        id: &str,
        change: impl FnOnce(&mut Screen),
    ) -> Result<Option<Screen>, AuthError> {
        let key = screens_key(tenant);
        let raw: Option<String> = self.conn().hget(&key, id).await?;
        let Some(raw) = raw else { return Ok(None) };
        let mut screen: Screen = decode(&key, &raw)?;
        change(&mut screen);
        let _: () = self.conn().hset(&key, id, encode(&screen)).await?;
        Ok(Some(screen))
    }

    /// The live (not revoked) screen a display token belongs to, its `last_seen` brought up
    /// to date.
    pub async fn screen_by_token(&self, token: &str) -> Result<Option<Screen>, AuthError> {
        let Some((tenant, _)) = token.split_once('.') else {
            return Ok(None);
        };
        let id: Option<String> = self
            .conn()
            .hget(screen_tokens_key(tenant), sha256_hex(token.as_bytes()))
            .await?;
        let Some(id) = id else { return Ok(None) };
        let key = screens_key(tenant);
        let raw: Option<String> = self.conn().hget(&key, &id).await?;
        let Some(raw) = raw else { return Ok(None) };
        let mut screen: Screen = decode(&key, &raw)?;
        if screen.revoked {
            return Ok(None);
        }
        let now = chrono::Utc::now();
        let stale = screen
            .last_seen
            .as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .is_none_or(|seen| (now - seen.with_timezone(&chrono::Utc)).num_seconds() >= SEEN_EVERY_SECS);
        if stale {
            screen.last_seen = Some(timestamp(now));
            let _: () = self.conn().hset(&key, &id, encode(&screen)).await?;
        }
        Ok(Some(screen))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes use only the unambiguous alphabet; typed codes are normalised.
    #[test]
    fn codes_are_readable_across_a_room() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), CODE_LEN);
            assert!(code.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{code}");
        }
        assert_eq!(normalise_code("ab3-k 9x"), "AB3K9X");
    }
}
