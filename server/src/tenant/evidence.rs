//! A tenant's photo-evidence rules (`[evidence]` in its TOML): whether resolving a ticket
//! needs a completion ("after") photo, how far from the reported place an after photo may
//! be taken, and the largest photo accepted. Read by the upload route ([`crate::http::media`])
//! and by the resolve check ([`EvidenceRule::refuse_resolve`]).

use crate::error::AppError;
use pantau_shared::event::{EventBody, MediaStage, TicketStatus};
use pantau_shared::ticket::Ticket;
use serde::Deserialize;

/// Farthest an after photo's EXIF position may lie from the ticket, metres.
pub const DEFAULT_MAX_DISTANCE_M: f64 = 200.0;
/// Largest photo accepted, bytes (10 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 10 * 1024 * 1024;

/// `[evidence]`; every field has a default, so a tenant without the section gets them.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EvidenceRule {
    /// A ticket moves to `resolved` only once it has an `after` photo.
    pub require_after_photo: bool,
    /// An after photo taken farther than this from the ticket is flagged `too_far`.
    pub max_distance_m: f64,
    /// Larger photos are refused (413).
    pub max_bytes: u64,
}

impl Default for EvidenceRule {
    fn default() -> Self {
        EvidenceRule {
            require_after_photo: false,
            max_distance_m: DEFAULT_MAX_DISTANCE_M,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl EvidenceRule {
    /// Why the file's values cannot be used, if they cannot.
    pub fn check(&self) -> Result<(), String> {
        if !(self.max_distance_m.is_finite() && self.max_distance_m > 0.0) {
            return Err("evidence.max_distance_m must be a positive number of metres".into());
        }
        if self.max_bytes == 0 {
            return Err("evidence.max_bytes must be at least 1".into());
        }
        Ok(())
    }

    /// The 422 (field `photo`) for an event moving `ticket` to `resolved` while the rule
    /// wants an after photo and the ticket has none; `None` when the event may go on.
    pub fn refuse_resolve(&self, body: &EventBody, ticket: Option<&Ticket>) -> Option<AppError> {
        let EventBody::StatusChanged(change) = body else {
            return None;
        };
        if !self.require_after_photo || change.status != TicketStatus::Resolved {
            return None;
        }
        let has_after = ticket.is_some_and(|t| t.media.iter().any(|m| m.stage == MediaStage::After));
        // An unknown ticket is the write path's 404, not this rule's refusal.
        (ticket.is_some() && !has_after).then(|| AppError::InvalidField {
            field: "photo".into(),
            message:
                "this tenant resolves a ticket only with a completion photo: upload one with stage \"after\" first"
                    .into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::event::{Media, StatusChange};
    use pantau_shared::fixtures;

    fn resolve() -> EventBody {
        EventBody::StatusChanged(StatusChange {
            status: TicketStatus::Resolved,
            note: None,
            reason: None,
        })
    }

    fn photo(stage: MediaStage) -> Media {
        Media {
            url: "/api/v1/tangerang/media/x.jpg".into(),
            thumb_url: None,
            stage,
            content_type: "image/jpeg".into(),
            bytes: 1,
            taken_at: None,
            lat: None,
            lon: None,
            flags: vec![],
        }
    }

    /// With the rule on, resolving needs an after photo (a progress photo is not enough);
    /// other moves, other tenants and unknown tickets are not this rule's business.
    #[test]
    fn resolving_needs_an_after_photo_when_required() {
        let mut ticket = Ticket::open(&fixtures::report("TGR-1", "sampah", "2026-12-01T03:00:00Z")).unwrap();
        let on = EvidenceRule {
            require_after_photo: true,
            ..EvidenceRule::default()
        };
        let refusal = on.refuse_resolve(&resolve(), Some(&ticket)).expect("refused");
        assert_eq!(refusal.field(), Some("photo"));
        assert_eq!(
            EvidenceRule::default()
                .refuse_resolve(&resolve(), Some(&ticket))
                .map(|e| e.to_string()),
            None
        );
        assert!(on.refuse_resolve(&resolve(), None).is_none());
        let progress = EventBody::StatusChanged(StatusChange {
            status: TicketStatus::InProgress,
            note: None,
            reason: None,
        });
        assert!(on.refuse_resolve(&progress, Some(&ticket)).is_none());
        ticket.media.push(photo(MediaStage::Progress));
        assert!(on.refuse_resolve(&resolve(), Some(&ticket)).is_some());
        ticket.media.push(photo(MediaStage::After));
        assert!(on.refuse_resolve(&resolve(), Some(&ticket)).is_none());
    }

    /// Nonsense values are refused at load.
    #[test]
    fn checks_its_values() {
        assert!(EvidenceRule::default().check().is_ok());
        let bad = EvidenceRule {
            max_distance_m: 0.0,
            ..EvidenceRule::default()
        };
        assert!(bad.check().is_err());
        let bad = EvidenceRule {
            max_bytes: 0,
            ..EvidenceRule::default()
        };
        assert!(bad.check().is_err());
    }
}
