//! What a person can do to a ticket from the console, pure: the commands and their request
//! bodies (always carrying the version the person saw), who may send which, how events read
//! in the timeline and in the conflict dialog, and the light the citizen sees.

use super::text::{tr, Key};
use crate::i18n::{self, Lang};
use pantau_shared::event::{Event, EventBody, Priority, TicketStatus};
use pantau_shared::ticket::Ticket;
use serde::Deserialize;
use serde_json::{json, Value};

/// A change to one ticket, as typed into the drawer.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Assign {
        agency: String,
        officer: Option<String>,
        reason: Option<String>,
    },
    Status {
        status: TicketStatus,
        note: Option<String>,
    },
    Priority(Priority),
    Comment(String),
    /// Triage: verified, dispositioned to `agency` (and `officer`).
    Verify {
        agency: String,
        officer: Option<String>,
        /// SP4N-LAPOR tier, when not the category's.
        tier: Option<String>,
        note: Option<String>,
    },
    /// Triage: rejected for one of `event::REJECTION_REASONS`.
    Reject {
        reason: String,
        note: Option<String>,
    },
    /// The follow-up of a resolved ticket accepted (closed) or refused (back to the agency).
    Validate {
        accepted: bool,
        reason: Option<String>,
        site_check: bool,
    },
}

impl Command {
    /// The ticket route's last segment.
    pub fn route(&self) -> &'static str {
        match self {
            Command::Assign { .. } => "assign",
            Command::Status { .. } | Command::Reject { .. } => "status",
            Command::Verify { .. } => "verify",
            Command::Validate { .. } => "validate",
            Command::Priority(_) => "priority",
            Command::Comment(_) => "comment",
        }
    }

    /// `POST /api/v1/{tenant}/tickets/{ticket}/<route>`.
    pub fn path(&self, tenant: &str, ticket: &str) -> String {
        format!(
            "/api/v1/{}/tickets/{}/{}",
            crate::url::encode(tenant),
            crate::url::encode(ticket),
            self.route()
        )
    }

    /// The request body, with the version the person saw: the server refuses it (409) when
    /// the ticket has moved on since, so nobody's change is silently overwritten.
    pub fn body(&self, expected_version: u64) -> Value {
        let mut body = match self {
            Command::Assign {
                agency,
                officer,
                reason,
            } => json!({ "agency": agency, "officer": officer, "reason": reason }),
            Command::Status { status, note } => json!({ "status": status.as_str(), "note": note }),
            Command::Priority(p) => json!({ "priority": p }),
            Command::Comment(text) => json!({ "text": text }),
            Command::Verify {
                agency,
                officer,
                tier,
                note,
            } => json!({ "agency": agency, "officer": officer, "tier": tier, "note": note }),
            Command::Reject { reason, note } => json!({ "status": "rejected", "reason": reason, "note": note }),
            Command::Validate {
                accepted,
                reason,
                site_check,
            } => json!({ "accepted": accepted, "reason": reason, "site_check": site_check }),
        };
        let object = body.as_object_mut().expect("bodies are objects");
        object.retain(|_, v| !v.is_null());
        object.insert("expected_version".into(), expected_version.into());
        body
    }

    /// One line saying what the command does (the conflict dialog's "your change").
    pub fn describe(&self, lang: Lang) -> String {
        match self {
            Command::Assign {
                agency,
                officer,
                reason,
            } => {
                let who = officer.as_deref().map(|o| format!(" / {o}")).unwrap_or_default();
                let why = reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default();
                format!("{} → {}{who}{why}", tr(lang, Key::Assign), agency.to_uppercase())
            }
            Command::Status { status, .. } => format!("{} → {}", tr(lang, Key::Status), i18n::status(lang, *status)),
            Command::Priority(p) => format!("{} → {}", tr(lang, Key::Priority), priority_label(lang, *p)),
            Command::Comment(text) => format!("{}: {text}", tr(lang, Key::Comment)),
            Command::Verify { agency, officer, .. } => {
                let who = officer.as_deref().map(|o| format!(" / {o}")).unwrap_or_default();
                let what = if lang == Lang::En { "Verify" } else { "Verifikasi" };
                format!("{what} → {}{who}", agency.to_uppercase())
            }
            Command::Reject { reason, .. } => {
                format!(
                    "{} → {} ({reason})",
                    tr(lang, Key::Status),
                    i18n::status(lang, TicketStatus::Rejected)
                )
            }
            Command::Validate { accepted: true, .. } => if lang == Lang::En {
                "Accept the follow-up"
            } else {
                "Terima tindak lanjut"
            }
            .to_owned(),
            Command::Validate { reason, .. } => format!(
                "{}: {}",
                if lang == Lang::En {
                    "Refuse the follow-up"
                } else {
                    "Tolak tindak lanjut"
                },
                reason.as_deref().unwrap_or("—")
            ),
        }
    }
}

/// `GET /api/v1/{tenant}/tickets/{id}`: the ticket and its whole history.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TicketDetail {
    pub ticket: Ticket,
    #[serde(deserialize_with = "pantau_shared::decode::events")]
    pub history: Vec<Event>,
}

/// Whether `role` works in the console at all (operators and up; executives read KPIs).
pub fn uses_console(role: &str) -> bool {
    matches!(role, "operator" | "supervisor" | "admin" | "superadmin")
}

/// Whether `role` routes work: assign, priority, bulk reassign (supervisors and up). The
/// server decides again on every request.
pub fn routes_work(role: &str) -> bool {
    matches!(role, "supervisor" | "admin" | "superadmin")
}

/// A priority's name.
pub fn priority_label(lang: Lang, p: Priority) -> &'static str {
    match (p, lang) {
        (Priority::Low, Lang::Id) => "Rendah",
        (Priority::Low, Lang::En) => "Low",
        (Priority::Medium, Lang::Id) => "Sedang",
        (Priority::Medium, Lang::En) => "Medium",
        (Priority::High, Lang::Id) => "Tinggi",
        (Priority::High, Lang::En) => "High",
        (Priority::Critical, Lang::Id) => "Kritis",
        (Priority::Critical, Lang::En) => "Critical",
    }
}

/// What an event did, in a line (the timeline, and the conflict dialog's "latest change").
pub fn describe_event(e: &Event, lang: Lang) -> String {
    let en = lang == Lang::En;
    match &e.body {
        EventBody::ReportReceived(r) => {
            let channel = r.channel.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
            let what = if en { "Report received" } else { "Laporan diterima" };
            format!("{what}{channel}: {}", r.description)
        }
        EventBody::TicketAssigned(a) => Command::Assign {
            agency: a.agency.clone(),
            officer: a.officer.clone(),
            reason: a.reason.clone(),
        }
        .describe(lang),
        EventBody::StatusChanged(s) => {
            let note = s.note.as_deref().map(|n| format!(" — {n}")).unwrap_or_default();
            format!("{} → {}{note}", tr(lang, Key::Status), i18n::status(lang, s.status))
        }
        EventBody::Commented(c) => format!("{}: {}", tr(lang, Key::Comment), c.text),
        EventBody::PriorityChanged(p) => format!("{} → {}", tr(lang, Key::Priority), priority_label(lang, p.priority)),
        EventBody::SlaWarning(m) => format!("SLA {:?}: {}", m.target, tr(lang, Key::Warning)).to_lowercase(),
        EventBody::SlaBreached(m) => format!("SLA {:?}: {}", m.target, tr(lang, Key::Breached)).to_lowercase(),
        EventBody::AlertRaised(a) => format!(
            "{}: {}",
            tr(lang, Key::PingPong),
            a.chain.iter().map(|c| c.to_uppercase()).collect::<Vec<_>>().join(" → ")
        ),
        EventBody::Verified(v) => {
            let what = if en {
                "Verified, dispositioned to"
            } else {
                "Diverifikasi, didisposisi ke"
            };
            let officer = v.officer.as_deref().map(|o| format!(" / {o}")).unwrap_or_default();
            format!("{what} {}{officer}", v.agency.to_uppercase())
        }
        EventBody::Validated(v) if v.accepted => if en {
            "Follow-up validated: done"
        } else {
            "Tindak lanjut divalidasi: selesai"
        }
        .to_owned(),
        EventBody::Validated(v) => {
            let what = if en { "Follow-up refused" } else { "TL ditolak" };
            let site = if v.site_check {
                if en {
                    " (checked on site)"
                } else {
                    " (dicek di lapangan)"
                }
            } else {
                ""
            };
            format!("{what}{site}: {}", v.reason.as_deref().unwrap_or("—"))
        }
        EventBody::Merged(m) => format!("{} {}", if en { "Merged into" } else { "Digabung ke" }, m.primary),
        EventBody::Unmerged(u) => format!("{} {}", if en { "Unmerged from" } else { "Dipisah dari" }, u.primary),
        EventBody::MediaAdded(m) => {
            let what = if en { "Photo added" } else { "Foto ditambahkan" };
            let flags = if m.flags.is_empty() {
                String::new()
            } else {
                format!(" ⚠ {}", m.flags.join(", "))
            };
            format!("{what}{flags}")
        }
        EventBody::ResourceUpdated(_) | EventBody::Unknown => {
            if en { "Other update" } else { "Pembaruan lain" }.to_owned()
        }
    }
}

/// Who did it, as the timeline shows it: `user:budi` → `budi`, keys and the system as they
/// are.
pub fn actor_label(e: &Event) -> String {
    match e.actor.as_deref() {
        Some(a) => a.strip_prefix("user:").unwrap_or(a).to_owned(),
        None => "—".into(),
    }
}

/// The citizen's light (LAKSA): red while waiting, yellow in process, green done — as a
/// CSS class and its label.
pub fn citizen_light(status: TicketStatus) -> (&'static str, Key) {
    match status {
        TicketStatus::Received => ("light-red", Key::CitizenWaiting),
        TicketStatus::Resolved | TicketStatus::Closed | TicketStatus::Rejected => ("light-green", Key::CitizenDone),
        _ => ("light-yellow", Key::CitizenInProcess),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every body carries the version seen; unset optional fields are left out.
    #[test]
    fn bodies_carry_the_version_seen() {
        let assign = Command::Assign {
            agency: "pupr".into(),
            officer: None,
            reason: Some("salah OPD".into()),
        };
        assert_eq!(
            assign.body(4),
            json!({"agency": "pupr", "reason": "salah OPD", "expected_version": 4})
        );
        assert_eq!(
            assign.path("tangerang", "TGR-1"),
            "/api/v1/tangerang/tickets/TGR-1/assign"
        );
        let status = Command::Status {
            status: TicketStatus::InProgress,
            note: None,
        };
        assert_eq!(status.body(2), json!({"status": "in_progress", "expected_version": 2}));
        assert_eq!(
            Command::Priority(Priority::High).body(1),
            json!({"priority": "high", "expected_version": 1})
        );
        assert_eq!(Command::Comment("x".into()).route(), "comment");
    }

    /// Operators work the queue; only supervisors and up route work.
    #[test]
    fn roles_decide_what_is_offered() {
        assert!(uses_console("operator") && !routes_work("operator"));
        assert!(uses_console("supervisor") && routes_work("supervisor"));
        assert!(!uses_console("executive") && !uses_console("viewer"));
        assert!(routes_work("superadmin"));
    }

    /// The citizen sees red, yellow, green.
    #[test]
    fn citizen_lights() {
        assert_eq!(citizen_light(TicketStatus::Received).0, "light-red");
        assert_eq!(citizen_light(TicketStatus::InProgress).0, "light-yellow");
        assert_eq!(citizen_light(TicketStatus::Resolved).0, "light-green");
    }

    /// An assignment reads with agency, officer and reason; the actor loses its prefix.
    #[test]
    fn events_read_as_lines() {
        let mut e = pantau_shared::fixtures::report("TGR-1", "sampah", "2026-11-23T03:00:00Z");
        e.body = EventBody::TicketAssigned(pantau_shared::event::Assignment {
            agency: "pupr".into(),
            officer: Some("Andi".into()),
            reason: Some("jalan".into()),
        });
        e.actor = Some("user:budi".into());
        assert_eq!(describe_event(&e, Lang::En), "Assign → PUPR / Andi — jalan");
        assert_eq!(actor_label(&e), "budi");
    }
}
