//! A tenant's outbound webhooks (`[[webhooks]]` in its config file): which agency system
//! hears about which ticket events, where, and with which signing secret — and the checks
//! made at start-up (an `http`/`https` URL with a host, a secret, a known agency, known
//! event types, ids that are slugs and unique). Delivering them is [`crate::webhooks`].

use super::Agency;
use serde::Deserialize;

/// Event types a webhook may ask for.
pub const EVENT_TYPES: [&str; 7] = [
    "ticket.assigned",
    "ticket.verified",
    "ticket.status_changed",
    "ticket.validated",
    "ticket.merged",
    "ticket.unmerged",
    "ticket.commented",
];

/// What a webhook gets without `events`: assignment, verification, status, validation.
pub const DEFAULT_EVENTS: [&str; 4] = [
    "ticket.assigned",
    "ticket.verified",
    "ticket.status_changed",
    "ticket.validated",
];

/// Attempts per event before giving up, unless `max_attempts` says otherwise.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 12;
/// The first wait after a failed attempt, unless `backoff_ms` says otherwise (doubling).
pub const DEFAULT_BACKOFF_MS: u64 = 1_000;

/// One receiver of a tenant's ticket events.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Stable name in the delivery log (`dlh-sim`).
    pub id: String,
    /// Only tickets of this agency; none: every agency.
    #[serde(default)]
    pub agency: Option<String>,
    /// Where events are POSTed (`http` or `https`).
    pub url: String,
    /// Shared with the receiver to check `X-Pantau-Signature`; never logged.
    pub secret: String,
    /// Event types sent (see [`EVENT_TYPES`]; default [`DEFAULT_EVENTS`]).
    #[serde(default = "default_events")]
    pub events: Vec<String>,
    /// Attempts per event before it is given up.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// The wait after the first failure, ms; it doubles after each (capped at 5 min).
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
}

fn default_events() -> Vec<String> {
    DEFAULT_EVENTS.iter().map(|e| (*e).to_owned()).collect()
}

fn default_max_attempts() -> u32 {
    DEFAULT_MAX_ATTEMPTS
}

fn default_backoff_ms() -> u64 {
    DEFAULT_BACKOFF_MS
}

/// The secret stays out of logs and panics.
impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("agency", &self.agency)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_ms", &self.backoff_ms)
            .finish_non_exhaustive()
    }
}

impl Webhook {
    /// Whether it wants events of this type.
    pub fn wants_type(&self, type_name: &str) -> bool {
        self.events.iter().any(|e| e == type_name)
    }

    /// Whether it wants an event of this type on a ticket of `agency`.
    pub fn wants(&self, type_name: &str, agency: Option<&str>) -> bool {
        self.wants_type(type_name) && self.agency.as_deref().is_none_or(|a| agency == Some(a))
    }
}

/// Why a tenant's webhooks cannot be used, naming the webhook and the field.
pub fn check(webhooks: &[Webhook], agencies: &[Agency]) -> Result<(), String> {
    let mut seen = std::collections::HashSet::new();
    for hook in webhooks {
        let id = &hook.id;
        let slug = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if !slug {
            return Err(format!("webhook id {id:?} must be lower-case letters, digits, _ or -"));
        }
        if !seen.insert(id.as_str()) {
            return Err(format!("webhook id {id} is used twice"));
        }
        let url = reqwest::Url::parse(&hook.url).map_err(|e| format!("webhook {id}: url: {e}"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err(format!("webhook {id}: url must be http:// or https:// with a host"));
        }
        if hook.secret.trim().is_empty() {
            return Err(format!("webhook {id}: secret must not be empty"));
        }
        if let Some(agency) = &hook.agency {
            if !agencies.iter().any(|a| &a.code == agency) {
                return Err(format!("webhook {id}: unknown agency {agency}"));
            }
        }
        if hook.events.is_empty() {
            return Err(format!("webhook {id}: events must name at least one type"));
        }
        if let Some(unknown) = hook.events.iter().find(|e| !EVENT_TYPES.contains(&e.as_str())) {
            return Err(format!(
                "webhook {id}: unknown event type {unknown} (one of {})",
                EVENT_TYPES.join(", ")
            ));
        }
        if hook.max_attempts == 0 {
            return Err(format!("webhook {id}: max_attempts must be at least 1"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agencies() -> Vec<Agency> {
        vec![Agency {
            code: "dlh".into(),
            name_id: "DLH".into(),
            name_en: "DLH".into(),
            officers: vec![],
        }]
    }

    fn hook(toml_text: &str) -> Webhook {
        toml::from_str(toml_text).expect("parses")
    }

    const GOOD: &str = "id = \"dlh-sim\"\nurl = \"https://sim.dlh.example/hook\"\nsecret = \"s3cret\"\n";

    /// A minimal webhook gets the default events, attempts and backoff, and passes.
    #[test]
    fn defaults_and_a_valid_webhook() {
        let h = hook(GOOD);
        assert_eq!(h.events, DEFAULT_EVENTS.to_vec());
        assert_eq!(
            (h.max_attempts, h.backoff_ms),
            (DEFAULT_MAX_ATTEMPTS, DEFAULT_BACKOFF_MS)
        );
        assert_eq!(check(&[h], &agencies()), Ok(()));
    }

    /// Bad URLs, empty secrets, unknown agencies or types and repeated ids are refused.
    #[test]
    fn refuses_what_cannot_be_delivered() {
        let bad = [
            ("id = \"a\"\nurl = \"ftp://x/y\"\nsecret = \"s\"", "http"),
            ("id = \"a\"\nurl = \"not a url\"\nsecret = \"s\"", "url"),
            ("id = \"a\"\nurl = \"http://x/\"\nsecret = \" \"", "secret"),
            (
                "id = \"a\"\nurl = \"http://x/\"\nsecret = \"s\"\nagency = \"pupr\"",
                "agency",
            ),
            (
                "id = \"a\"\nurl = \"http://x/\"\nsecret = \"s\"\nevents = [\"sla.warning\"]",
                "event type",
            ),
            ("id = \"A b\"\nurl = \"http://x/\"\nsecret = \"s\"", "id"),
            (
                "id = \"a\"\nurl = \"http://x/\"\nsecret = \"s\"\nmax_attempts = 0",
                "max_attempts",
            ),
        ];
        for (text, needle) in bad {
            let err = check(&[hook(text)], &agencies()).expect_err(text);
            assert!(err.contains(needle), "{text}: {err}");
        }
        let twice = check(&[hook(GOOD), hook(GOOD)], &agencies()).unwrap_err();
        assert!(twice.contains("twice"), "{twice}");
    }

    /// An agency webhook hears only its agency's tickets; one without hears every agency.
    #[test]
    fn agency_and_type_filter() {
        let all = hook(GOOD);
        let dlh = hook(&format!("{GOOD}agency = \"dlh\"\n"));
        assert!(all.wants("ticket.assigned", Some("pupr")));
        assert!(all.wants("ticket.assigned", None));
        assert!(!all.wants("ticket.commented", Some("dlh")));
        assert!(dlh.wants("ticket.status_changed", Some("dlh")));
        assert!(!dlh.wants("ticket.status_changed", Some("pupr")));
        assert!(!dlh.wants("ticket.status_changed", None));
    }

    /// The secret never shows in debug output.
    #[test]
    fn debug_hides_the_secret() {
        assert!(!format!("{:?}", hook(GOOD)).contains("s3cret"));
    }
}
