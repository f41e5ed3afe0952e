//! The ticket commands (`POST …/tickets/{ticket}/assign|status|comment|priority|verify|
//! validate`) for the document. They share one handler, a closure per event type
//! ([`crate::http::tickets`]), so their operations are described here on signatures that
//! are never called. The guard's errors (401, 403, unknown tenant, 503) and a body's (400,
//! 413, 422) are added to every operation from the route table (see [`super::guard_errors`]).

use super::schemas::{Command, ErrorBody, TicketPath};
use crate::write::Accepted;
use pantau_shared::event::{Assignment, Comment, PriorityChange, StatusChange, Validation, Verification};

/// Route (or re-route) a ticket to an agency and officer: `ticket.assigned`. A
/// reassignment needs a `reason`.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/assign", tag = "tickets",
    params(TicketPath), request_body = Command<Assignment>,
    responses(
        (status = 202, description = "Appended: where the event landed", body = Accepted),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 409, description = "`version_conflict` (with `current_version`) or a move not allowed now", body = ErrorBody),
    ))]
pub fn assign_ticket() {}

/// Move a ticket through its workflow: `ticket.status_changed` (`rejected` needs a
/// `reason`; with the tenant's validation step `resolved` → `closed` goes through
/// `validate`).
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/status", tag = "tickets",
    params(TicketPath), request_body = Command<StatusChange>,
    responses(
        (status = 202, description = "Appended: where the event landed", body = Accepted),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 409, description = "`version_conflict` or `invalid_transition`", body = ErrorBody),
    ))]
pub fn set_ticket_status() {}

/// Comment on a ticket: `ticket.commented`.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/comment", tag = "tickets",
    params(TicketPath), request_body = Command<Comment>,
    responses(
        (status = 202, description = "Appended: where the event landed", body = Accepted),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 409, description = "`version_conflict`", body = ErrorBody),
    ))]
pub fn comment_ticket() {}

/// Change a ticket's priority: `ticket.priority_changed`.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/priority", tag = "tickets",
    params(TicketPath), request_body = Command<PriorityChange>,
    responses(
        (status = 202, description = "Appended: where the event landed", body = Accepted),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 409, description = "`version_conflict`", body = ErrorBody),
    ))]
pub fn set_ticket_priority() {}

/// Verify a report in triage and send it to an agency: `ticket.verified`.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/verify", tag = "tickets",
    params(TicketPath), request_body = Command<Verification>,
    responses(
        (status = 202, description = "Appended: where the event landed", body = Accepted),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 409, description = "`version_conflict` or not awaiting verification", body = ErrorBody),
    ))]
pub fn verify_ticket() {}

/// Accept or refuse the agency's follow-up of a resolved ticket: `ticket.validated`
/// (accepting needs the completion photo when the tenant asks for one).
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/validate", tag = "tickets",
    params(TicketPath), request_body = Command<Validation>,
    responses(
        (status = 202, description = "Appended: where the event landed", body = Accepted),
        (status = 404, description = "No such ticket", body = ErrorBody),
        (status = 409, description = "`version_conflict` or not awaiting validation", body = ErrorBody),
    ))]
pub fn validate_ticket() {}
