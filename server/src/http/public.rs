//! The citizens' status page's API: `GET /api/v1/public/tickets/{ticket}` answers where a
//! report stands, with no sign-in. The tenant is found by the ticket number's prefix
//! (`TGR-000123` → the tenant whose `ticket_prefix` is `TGR`), so `/lapor/TGR-000123` alone
//! is enough.
//!
//! The answer is [`PublicTicket`] and nothing else: ticket number, region (name and zone),
//! category and agency names, kecamatan name, the LAKSA light and status, the step of the
//! way, the dates (RFC 3339, UTC) and, once done, the completion photo's address. Never the
//! reporter, the citizen's description or address, coordinates, officers or actors — the
//! page is public and ticket numbers can be guessed.
//!
//! `GET /api/v1/public/tickets/{ticket}/after` serves the latest `after` photo of a resolved
//! or closed ticket from the media store — as its thumbnail, which Pantau re-encoded
//! ([`crate::media::thumb`]): no EXIF, so no GPS position or camera details go out.

use crate::error::AppError;
use crate::media::FileName;
use crate::state::AppState;
use crate::tenant::Tenant;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use pantau_shared::event::{MediaStage, TicketStatus};
use pantau_shared::ticket::Ticket;
use serde::Serialize;
use std::sync::Arc;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/public/tickets/{ticket}", get(get_public_ticket))
        .route("/api/v1/public/tickets/{ticket}/after", get(get_after_photo))
}

/// A name in both languages.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Names {
    pub name_id: String,
    pub name_en: String,
}

fn names(id: &str, en: &str) -> Names {
    Names {
        name_id: id.to_owned(),
        name_en: en.to_owned(),
    }
}

/// The region a ticket belongs to, for showing its times in the region's zone.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PublicRegion {
    pub id: String,
    pub name: String,
    /// `WIB`, `WITA` or `WIT`.
    pub zone_label: String,
    pub utc_offset_minutes: i32,
}

/// Everything the status page may show of a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PublicTicket {
    pub ticket: String,
    pub region: PublicRegion,
    pub category: Names,
    pub agency: Option<Names>,
    pub kecamatan: Option<String>,
    /// LAKSA's light: `red` waiting (received, assigned), `yellow` in process (in progress,
    /// waiting for the citizen), `green` done (resolved, closed), `grey` rejected or merged.
    pub light: &'static str,
    /// The Pantau status (`in_progress`, …).
    pub status: &'static str,
    pub status_label: Names,
    /// Step of the way: 1 received, 2 verified/assigned, 3 in process, 4 done; 0 when the
    /// report left the way (rejected, merged).
    pub step: u8,
    pub created_at: String,
    /// When it was first verified or assigned to an agency.
    pub assigned_at: Option<String>,
    pub updated_at: String,
    pub resolved_at: Option<String>,
    /// For a merged duplicate: the ticket that carries the job.
    pub merged_into: Option<String>,
    /// The latest completion photo, once resolved.
    pub after_photo_url: Option<String>,
}

/// The light, the step and the label of a status (rejections say why, in general words).
fn standing(t: &Ticket) -> (&'static str, u8, Names) {
    use TicketStatus::*;
    match t.status {
        Received => (
            "red",
            1,
            names("Diterima, menunggu verifikasi", "Received, awaiting verification"),
        ),
        Assigned => (
            "red",
            2,
            names("Diteruskan ke perangkat daerah", "Forwarded to the agency"),
        ),
        InProgress => ("yellow", 3, names("Sedang ditangani", "Being handled")),
        PendingCitizen => (
            "yellow",
            3,
            names("Menunggu keterangan pelapor", "Waiting for the reporter's information"),
        ),
        Resolved => ("green", 4, names("Selesai ditangani", "Resolved")),
        Closed => ("green", 4, names("Selesai", "Done")),
        Merged => (
            "grey",
            0,
            names("Digabung dengan laporan lain", "Merged with another report"),
        ),
        Rejected => {
            let label = match t.rejection_reason.as_deref() {
                Some("not_our_authority") => names(
                    "Ditolak: bukan kewenangan pemerintah daerah",
                    "Rejected: not the local government's authority",
                ),
                Some("duplicate") => names("Ditolak: laporan ganda", "Rejected: duplicate report"),
                Some("unclear") => names("Ditolak: laporan kurang jelas", "Rejected: unclear report"),
                _ => names("Ditolak", "Rejected"),
            };
            ("grey", 0, label)
        }
    }
}

/// The public path of a ticket's completion photo.
pub fn after_photo_path(ticket: &str) -> String {
    format!("/api/v1/public/tickets/{ticket}/after")
}

/// What the status page shows of `t`.
pub fn public_ticket(tenant: &Tenant, t: &Ticket) -> PublicTicket {
    let (light, step, status_label) = standing(t);
    let category = tenant
        .category(&t.category)
        .map(|c| names(&c.name_id, &c.name_en))
        .unwrap_or_else(|| names(&t.category, &t.category));
    let agency = t.agency.as_deref().map(|code| {
        tenant
            .agency(code)
            .map(|a| names(&a.name_id, &a.name_en))
            .unwrap_or_else(|| names(code, code))
    });
    let done = matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed);
    let assigned_at = match (&t.verified_at, &t.first_assigned_at) {
        (Some(v), Some(a)) => Some(v.min(a).clone()),
        (v, a) => v.clone().or_else(|| a.clone()),
    };
    PublicTicket {
        ticket: t.id.clone(),
        region: PublicRegion {
            id: tenant.id.clone(),
            name: tenant.name.clone(),
            zone_label: tenant.zone_label.clone(),
            utc_offset_minutes: tenant.utc_offset_minutes,
        },
        category,
        agency,
        kecamatan: t.kecamatan.as_ref().map(|k| k.name.clone()),
        light,
        status: t.status.as_str(),
        status_label,
        step,
        created_at: t.created_at.clone(),
        assigned_at,
        updated_at: t.updated_at.clone(),
        resolved_at: done.then(|| t.resolved_at.clone()).flatten(),
        merged_into: t.merged_into.clone(),
        after_photo_url: after_photo(t).map(|_| after_photo_path(&t.id)),
    }
}

/// The file shown as `t`'s completion photo: the thumbnail of its latest `after` photo,
/// once the ticket is resolved or closed.
fn after_photo(t: &Ticket) -> Option<FileName> {
    if !matches!(t.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return None;
    }
    let photo = t.media.iter().rev().find(|m| m.stage == MediaStage::After)?;
    FileName::from_url(photo.thumb_url.as_deref()?)
}

/// A ticket number as the URL gives it (`tgr-000123` too), or `None` if it is not one.
pub fn ticket_number(raw: &str) -> Option<String> {
    let id = raw.trim().to_ascii_uppercase();
    let (prefix, n) = id.split_once('-')?;
    let ok = (1..=10).contains(&prefix.len())
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && (1..=12).contains(&n.len())
        && n.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(id)
}

/// The tenant holding ticket `id` (by its prefix; the first whose projection has it).
fn find(state: &AppState, id: &str) -> Option<(Arc<Tenant>, PublicTicket)> {
    let prefix = id.split_once('-')?.0;
    state
        .tenants
        .iter()
        .filter(|t| t.ticket_prefix == prefix)
        .find_map(|tenant| {
            let public = state.live(tenant).read().ticket(id).map(|t| public_ticket(tenant, t))?;
            Some((tenant.clone(), public))
        })
}

/// The ticket number of the path, checked (400 naming `ticket`).
fn checked_number(raw: &str) -> Result<String, AppError> {
    ticket_number(raw).ok_or_else(|| AppError::InvalidField {
        field: "ticket".into(),
        message: "must be a ticket number such as TGR-000123".into(),
    })
}

fn not_found(what: String) -> AppError {
    AppError::NotFound { what, field: "ticket" }
}

/// A resolved ticket's completion photo, for the status page.
#[utoipa::path(get, path = "/api/v1/public/tickets/{ticket}/after", tag = "public",
    params(("ticket" = String, Path, description = "The ticket's number (`TGR-000042`)")),
    responses(
        (status = 200, description = "The photo", content(
            (super::openapi::schemas::Photo = "image/jpeg"),
            (super::openapi::schemas::Photo = "image/png"),
            (super::openapi::schemas::Photo = "image/webp"),
        )),
        (status = 404, description = "No such ticket, or no completion photo yet", body = super::openapi::schemas::ErrorBody),
        (status = 422, description = "`invalid_field`: not a ticket number", body = super::openapi::schemas::ErrorBody),
        (status = 503, description = "`store_unavailable`: the photo store is unavailable", body = super::openapi::schemas::ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds"))),
    ))]
async fn get_after_photo(State(state): State<Arc<AppState>>, Path(raw): Path<String>) -> Result<Response, AppError> {
    let id = checked_number(&raw)?;
    let prefix = id.split_once('-').map(|(p, _)| p).unwrap_or_default();
    let found = state
        .tenants
        .iter()
        .filter(|t| t.ticket_prefix == prefix)
        .find_map(|tenant| {
            let projection = state.live(tenant).read();
            let ticket = projection.ticket(&id)?;
            Some((tenant.clone(), after_photo(ticket)))
        });
    let (tenant, name) = found.ok_or_else(|| not_found(format!("ticket {id}")))?;
    let name = name.ok_or_else(|| not_found(format!("completion photo of {id}")))?;
    let bytes = state.media.get(&tenant.id, &name).await.map_err(AppError::Media)?;
    let bytes = bytes.ok_or_else(|| not_found(format!("completion photo of {id}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, name.kind().content_type()),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        bytes,
    )
        .into_response())
}

/// What the citizens' status page may show of a ticket (no personal data).
#[utoipa::path(get, path = "/api/v1/public/tickets/{ticket}", tag = "public",
    params(("ticket" = String, Path, description = "The ticket's number (`TGR-000042`)")),
    responses(
        (status = 200, description = "The ticket as the public sees it", body = PublicTicket),
        (status = 404, description = "No such ticket", body = super::openapi::schemas::ErrorBody),
        (status = 422, description = "`invalid_field`: not a ticket number", body = super::openapi::schemas::ErrorBody),
    ))]
async fn get_public_ticket(
    State(state): State<Arc<AppState>>,
    Path(raw): Path<String>,
) -> Result<Json<PublicTicket>, AppError> {
    let id = checked_number(&raw)?;
    let (_, public) = find(&state, &id).ok_or_else(|| not_found(format!("ticket {id}")))?;
    Ok(Json(public))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pantau_shared::event::{Event, EventBody, Place, Report, Reporter};

    fn ticket() -> Ticket {
        let event = Event {
            v: 1,
            id: "e1".into(),
            tenant: "tangerang".into(),
            ticket: Some("TGR-000007".into()),
            at: "2026-12-01T03:00:00.000Z".into(),
            actor: Some("key:laksa".into()),
            body: EventBody::ReportReceived(Report {
                category: "sampah".into(),
                description: "Sampah di depan rumah Bu Siti".into(),
                lat: -6.1702,
                lon: 106.6403,
                address: Some("Jl. Melati 5".into()),
                channel: Some("app".into()),
                media_urls: vec![],
                kecamatan: Some(Place {
                    code: "36.71.01".into(),
                    name: "Tangerang".into(),
                }),
                kelurahan: None,
                reporter: Some(Reporter {
                    name: Some("Siti Aminah".into()),
                    contact: Some("081234567890".into()),
                }),
                agency: Some("dlh".into()),
                priority: Default::default(),
            }),
        };
        Ticket::open(&event).unwrap()
    }

    /// The public answer names the category, agency and kecamatan and carries none of the
    /// reporter, the description, the address, the coordinates or the actor.
    #[test]
    fn public_answer_holds_no_personal_data() {
        let tenants = crate::tenant::test_tenants();
        let tenant = tenants.get("tangerang").unwrap();
        let p = public_ticket(tenant, &ticket());
        assert_eq!((p.light, p.step, p.status), ("red", 1, "received"));
        assert_eq!(p.kecamatan.as_deref(), Some("Tangerang"));
        assert_eq!(p.region.zone_label, "WIB");
        let json = serde_json::to_string(&p).unwrap();
        for secret in ["Siti", "0812", "Melati", "depan rumah", "6.17", "106.6", "laksa"] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
    }

    /// Each status has its light and step; rejected and merged leave the way.
    #[test]
    fn lights_follow_laksa() {
        let tenants = crate::tenant::test_tenants();
        let tenant = tenants.get("tangerang").unwrap();
        let mut t = ticket();
        for (status, light, step) in [
            (TicketStatus::Assigned, "red", 2),
            (TicketStatus::InProgress, "yellow", 3),
            (TicketStatus::PendingCitizen, "yellow", 3),
            (TicketStatus::Resolved, "green", 4),
            (TicketStatus::Closed, "green", 4),
            (TicketStatus::Rejected, "grey", 0),
            (TicketStatus::Merged, "grey", 0),
        ] {
            t.status = status;
            let p = public_ticket(tenant, &t);
            assert_eq!((p.light, p.step), (light, step), "{status:?}");
        }
    }

    /// Ticket numbers are checked and upper-cased; anything else is refused.
    #[test]
    fn ticket_numbers() {
        assert_eq!(ticket_number("tgr-000123").as_deref(), Some("TGR-000123"));
        for bad in [
            "",
            "TGR",
            "TGR-",
            "-12",
            "TGR-12a",
            "T G-1",
            "TGR-0000000000001",
            "../x",
        ] {
            assert_eq!(ticket_number(bad), None, "{bad}");
        }
    }
}
