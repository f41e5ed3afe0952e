//! Validation of the complaint workflow's events (issue 18): `ticket.verified`,
//! `ticket.validated`, `ticket.merged`, `ticket.unmerged`, the reason of a rejection and the
//! reporter of a report. Pure, like the rest of `validate`.

use super::{invalid, optional_text, ticket_id, Incoming, ValidationError, MAX_NOTE_CHARS};
use crate::tenant::Tenant;
use pantau_shared::event::{
    EventBody, Merge, Reporter, TicketStatus, Unmerge, Validation, Verification, REJECTION_REASONS,
};

/// The workflow event of type `event_type`, if it is one: `(ticket, body)`.
pub(super) fn event(
    tenant: &Tenant,
    event_type: &str,
    incoming: &mut Incoming,
) -> Option<Result<(String, EventBody), ValidationError>> {
    let parsed = match event_type {
        "ticket.verified" => verified(tenant, incoming),
        "ticket.validated" => validated(incoming),
        "ticket.merged" => merged(incoming),
        "ticket.unmerged" => unmerged(incoming),
        _ => return None,
    };
    Some(parsed.and_then(|body| Ok((ticket_id(&incoming.ticket)?, body))))
}

fn verified(tenant: &Tenant, incoming: &mut Incoming) -> Result<EventBody, ValidationError> {
    let agency = incoming.agency.take().ok_or_else(|| invalid("agency", "is required"))?;
    let known = tenant
        .agency(&agency)
        .ok_or_else(|| invalid("agency", format!("unknown agency {agency:?}")))?;
    let officer = optional_text("officer", incoming.officer.take(), 200)?;
    if let Some(officer) = officer.as_deref().filter(|o| !known.accepts_officer(o)) {
        return Err(invalid(
            "officer",
            format!("{officer:?} is not an officer of {}", known.code),
        ));
    }
    let tier = optional_text("tier", incoming.tier.take(), 64)?;
    if let Some(tier) = tier.as_deref().filter(|t| !tenant.has_tier(t)) {
        return Err(invalid("tier", format!("unknown tier {tier:?}")));
    }
    Ok(EventBody::Verified(Verification {
        agency,
        officer,
        tier,
        note: optional_text("note", incoming.note.take(), MAX_NOTE_CHARS)?,
    }))
}

fn validated(incoming: &mut Incoming) -> Result<EventBody, ValidationError> {
    let accepted = incoming
        .accepted
        .ok_or_else(|| invalid("accepted", "is required (true or false)"))?;
    let reason = optional_text("reason", incoming.reason.take(), MAX_NOTE_CHARS)?;
    if !accepted && reason.is_none() {
        return Err(invalid("reason", "is required when the follow-up is refused"));
    }
    Ok(EventBody::Validated(Validation {
        accepted,
        reason,
        site_check: incoming.site_check.unwrap_or(false),
    }))
}

fn merged(incoming: &mut Incoming) -> Result<EventBody, ValidationError> {
    let primary = primary(incoming)?;
    let reporters = incoming.reporters.unwrap_or(1);
    if reporters == 0 {
        return Err(invalid("reporters", "must be at least 1"));
    }
    Ok(EventBody::Merged(Merge { primary, reporters }))
}

fn unmerged(incoming: &mut Incoming) -> Result<EventBody, ValidationError> {
    let primary = primary(incoming)?;
    let raw = incoming
        .restore
        .take()
        .ok_or_else(|| invalid("restore", "is required"))?;
    let restore = TicketStatus::parse(&raw)
        .filter(|s| s.is_open())
        .ok_or_else(|| invalid("restore", format!("{raw:?} is not an open status")))?;
    Ok(EventBody::Unmerged(Unmerge { primary, restore }))
}

fn primary(incoming: &mut Incoming) -> Result<String, ValidationError> {
    let primary = ticket_id(&incoming.primary.take()).map_err(|_| invalid("primary", "is required (a ticket id)"))?;
    if incoming.ticket.as_deref() == Some(primary.as_str()) {
        return Err(invalid("primary", "a ticket cannot be merged into itself"));
    }
    Ok(primary)
}

/// The reason of a move to `rejected`: required, one of [`REJECTION_REASONS`].
pub(super) fn rejection_reason(
    status: TicketStatus,
    reason: Option<String>,
) -> Result<Option<String>, ValidationError> {
    if status != TicketStatus::Rejected {
        return Ok(None);
    }
    match reason {
        Some(r) if REJECTION_REASONS.contains(&r.as_str()) => Ok(Some(r)),
        Some(r) => Err(invalid(
            "reason",
            format!("{r:?} is not one of {}", REJECTION_REASONS.join(", ")),
        )),
        None => Err(invalid(
            "reason",
            format!("is required to reject: one of {}", REJECTION_REASONS.join(", ")),
        )),
    }
}

/// The reporter of a report, if given (name and contact, each optional, bounded).
pub(super) fn reporter(value: Option<Reporter>) -> Result<Option<Reporter>, ValidationError> {
    let Some(r) = value else { return Ok(None) };
    let r = Reporter {
        name: optional_text("reporter.name", r.name, 200)?,
        contact: optional_text("reporter.contact", r.contact, 200)?,
    };
    Ok((r.name.is_some() || r.contact.is_some()).then_some(r))
}
