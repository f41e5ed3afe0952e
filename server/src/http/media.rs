//! Photo evidence over HTTP: `POST /api/v1/{tenant}/tickets/{ticket}/media` (multipart: a
//! file part `photo`, a text part `stage`) stores the photo and its thumbnail, then appends
//! `ticket.media_added` through the write path; `GET /api/v1/{tenant}/media/{file}` serves a
//! stored file. [`after_photo`] serves only a ticket's completion photo, for the public
//! status page.
//!
//! Never half a ticket: nothing is written to the stream unless both files are stored, and
//! when the append fails the files are deleted (best effort; an orphan file is harmless —
//! no event points at it).
//!
//! Idempotent like any event: an optional text part `id` (a UUID) is the event's id, so a
//! client that retries an upload after a lost reply gets the first upload's answer
//! (`duplicate: true`, the photo as first stored) and no second `ticket.media_added`; the
//! retry's own files are deleted.

use super::extract::{Path, PathTenant};
use super::guard::Caller;
use crate::auth::Principal;
use crate::error::AppError;
use crate::live::LiveTenant;
use crate::media::check::{check, Against};
use crate::media::{self, thumb, FileName, ImageKind};
use crate::state::AppState;
use crate::tenant::Tenant;
use crate::validate::Command;
use crate::write::{self, new_event_id, Accepted};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use chrono::SecondsFormat;
use pantau_shared::event::{Event, EventBody, Media, MediaStage};
use pantau_shared::ticket::Ticket;
use pantau_shared::PROTOCOL_VERSION;
use serde::Serialize;
use std::sync::Arc;

/// Room for the multipart framing and the `stage` part beyond the photo's own limit.
const FORM_SLACK_BYTES: u64 = 64 * 1024;
/// Longest `stage` value read.
const MAX_STAGE_BYTES: usize = 32;
/// Longest `id` value read (a hyphenated UUID is 36).
const MAX_ID_BYTES: usize = 64;

pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/api/v1/{tenant}/tickets/{ticket}/media",
            // The tenant's `evidence.max_bytes` is enforced while reading, naming `photo`.
            post(upload_media).layer(DefaultBodyLimit::disable()),
        )
        .route("/api/v1/{tenant}/media/{file}", get(get_media))
}

/// The body of a 202: where the event landed, and the photo as the ticket now lists it.
#[derive(Serialize, utoipa::ToSchema)]
struct UploadReply {
    #[serde(flatten)]
    accepted: Accepted,
    media: Media,
}

/// The parts of the form that matter.
struct Form {
    photo: Bytes,
    stage: Option<MediaStage>,
    /// The client's idempotency key (the event's id), normalised.
    id: Option<String>,
}

/// Attach a photo to a ticket (checked against its time and place): `ticket.media_added`.
#[utoipa::path(post, path = "/api/v1/{tenant}/tickets/{ticket}/media", tag = "tickets",
    params(super::openapi::schemas::TicketPath),
    request_body(content = super::openapi::schemas::MediaForm, content_type = "multipart/form-data"),
    responses(
        (status = 202, description = "Stored and appended", body = UploadReply),
        (status = 404, description = "No such ticket", body = super::openapi::schemas::ErrorBody),
        (status = 409, description = "`version_conflict`", body = super::openapi::schemas::ErrorBody),
        (status = 413, description = "`payload_too_large`: the photo exceeds the tenant's limit (`field`: `photo`)", body = super::openapi::schemas::ErrorBody),
        (status = 422, description = "`invalid_field`: not a JPEG, PNG or WebP image, or a bad `stage`", body = super::openapi::schemas::ErrorBody),
    ))]
async fn upload_media(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Caller(caller): Caller,
    Path((_, ticket_id)): Path<(String, String)>,
    request: Request,
) -> Result<(StatusCode, Json<UploadReply>), AppError> {
    let ticket = state
        .live(&tenant)
        .read()
        .ticket(&ticket_id)
        .cloned()
        .ok_or_else(|| AppError::NotFound {
            what: format!("ticket {ticket_id}"),
            field: "ticket",
        })?;
    let limit = tenant.evidence.max_bytes;
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(FORM_SLACK_BYTES)) {
        // Read (and drop) some of it, so a client writing the whole body first sees the 413.
        let mut body = request.into_body().into_data_stream();
        let mut seen = 0u64;
        while let Some(Ok(chunk)) = futures_util::StreamExt::next(&mut body).await {
            seen += chunk.len() as u64;
            if seen > limit.saturating_mul(2) {
                break;
            }
        }
        return Err(too_large(limit));
    }
    let form = read_form(request, &state, limit).await?;
    let kind =
        ImageKind::sniff(&form.photo).ok_or_else(|| photo_error("the photo must be a JPEG, PNG or WebP image"))?;
    let stage = form.stage.unwrap_or(match caller {
        Principal::User { .. } => MediaStage::Progress,
        _ => MediaStage::Report,
    });
    let photo = form.photo.clone();
    let (thumbnail, facts) =
        tokio::task::spawn_blocking(move || (thumb::thumbnail(&photo, kind), media::exif::read(&photo)))
            .await
            .map_err(|_| photo_error("the photo could not be read"))?;
    let thumbnail = thumbnail.map_err(|e| photo_error(&e.to_string()))?;
    let verdict = check(&facts, &against(&tenant, &ticket, stage));

    let (name, thumb_name) = FileName::generate(kind);
    store(&state, &tenant, &name, form.photo.clone(), None).await?;
    if let Some(thumbnail) = &thumbnail {
        store(&state, &tenant, &thumb_name, thumbnail.clone().into(), Some(&name)).await?;
    }
    let record = Media {
        url: media::url(&tenant.id, &name),
        thumb_url: thumbnail.is_some().then(|| media::url(&tenant.id, &thumb_name)),
        stage,
        content_type: kind.content_type().to_owned(),
        bytes: form.photo.len() as u64,
        taken_at: verdict.taken_at.map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true)),
        lat: facts.position.map(|p| p.0),
        lon: facts.position.map(|p| p.1),
        flags: verdict.flags,
    };
    let command = Command {
        event: Event {
            v: PROTOCOL_VERSION,
            id: form.id.clone().unwrap_or_else(new_event_id),
            tenant: tenant.id.clone(),
            ticket: Some(ticket_id),
            at: chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            actor: Some(caller.actor().to_string()),
            body: EventBody::MediaAdded(record.clone()),
        },
        expected_version: None,
    };
    let delete_ours = || async {
        for file in [&name, &thumb_name] {
            if let Err(cause) = state.media.delete(&tenant.id, file).await {
                tracing::warn!(tenant = %tenant.id, file = %file, error = %cause, "orphan photo left behind");
            }
        }
    };
    match write::submit(&state.store, state.live(&tenant), &tenant, command).await {
        Ok(accepted) if accepted.duplicate => {
            // A retry: the first upload's event stands; answer with its photo, drop ours.
            delete_ours().await;
            let first = state.store.events(&tenant.id, &[accepted.stream_id]).await?;
            match first.into_iter().next().map(|e| e.body) {
                Some(EventBody::MediaAdded(media)) => Ok((StatusCode::ACCEPTED, Json(UploadReply { accepted, media }))),
                _ => Err(AppError::InvalidField {
                    field: "id".into(),
                    message: "is the id of another event, not of a photo".into(),
                }),
            }
        }
        Ok(accepted) => Ok((
            StatusCode::ACCEPTED,
            Json(UploadReply {
                accepted,
                media: record,
            }),
        )),
        Err(e) => {
            delete_ours().await;
            Err(e.into())
        }
    }
}

/// Read the multipart form: `photo` up to `limit` bytes (413 naming `photo` beyond), the
/// optional `stage`; other parts are skipped (within the same overall bound).
async fn read_form(request: Request, state: &Arc<AppState>, limit: u64) -> Result<Form, AppError> {
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|e| photo_error(&format!("send the photo as multipart/form-data: {}", e.body_text())))?;
    let mut photo: Option<Vec<u8>> = None;
    let mut stage = None;
    let mut id = None;
    let mut total: u64 = 0;
    let broken =
        |e: axum::extract::multipart::MultipartError| photo_error(&format!("the form is broken: {}", e.body_text()));
    while let Some(mut field) = multipart.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(broken)? {
            total += chunk.len() as u64;
            if total > limit.saturating_add(FORM_SLACK_BYTES)
                || (name == "photo" && value.len() + chunk.len() > limit as usize)
            {
                return Err(too_large(limit));
            }
            let short = match name.as_str() {
                "stage" => MAX_STAGE_BYTES,
                "id" => MAX_ID_BYTES,
                _ => 0,
            };
            if name == "photo" || value.len() + chunk.len() <= short {
                value.extend_from_slice(&chunk);
            }
        }
        match name.as_str() {
            "photo" => photo = Some(value),
            "stage" => stage = Some(parse_stage(&value)?),
            "id" => id = Some(parse_id(&value)?),
            _ => {}
        }
    }
    match photo {
        Some(photo) if !photo.is_empty() => Ok(Form {
            photo: photo.into(),
            stage,
            id,
        }),
        Some(_) => Err(photo_error("the photo is empty")),
        None => Err(photo_error("the form has no part named \"photo\"")),
    }
}

/// `report`, `progress` or `after` (422 naming `stage` otherwise).
fn parse_stage(value: &[u8]) -> Result<MediaStage, AppError> {
    let text = std::str::from_utf8(value).unwrap_or_default().trim();
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|_| AppError::InvalidField {
        field: "stage".into(),
        message: format!("stage must be report, progress or after, not {text:?}"),
    })
}

/// The upload's idempotency key: a UUID, hyphenated lower case (422 naming `id` otherwise).
fn parse_id(value: &[u8]) -> Result<String, AppError> {
    let text = std::str::from_utf8(value).unwrap_or_default().trim();
    uuid::Uuid::parse_str(text)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| AppError::InvalidField {
            field: "id".into(),
            message: "id must be a UUID (the upload's idempotency key)".into(),
        })
}

/// What the evidence check compares a photo of `stage` with.
fn against(tenant: &Tenant, ticket: &Ticket, stage: MediaStage) -> Against {
    Against {
        stage,
        reported_at: chrono::DateTime::parse_from_rfc3339(&ticket.created_at)
            .ok()
            .map(|t| t.to_utc()),
        lat: ticket.lat,
        lon: ticket.lon,
        utc_offset_minutes: tenant.utc_offset_minutes,
        max_distance_m: tenant.evidence.max_distance_m,
    }
}

/// Store one file; on failure, delete `undo` (the photo whose thumbnail failed).
async fn store(
    state: &AppState,
    tenant: &Tenant,
    name: &FileName,
    bytes: Bytes,
    undo: Option<&FileName>,
) -> Result<(), AppError> {
    if let Err(e) = state.media.put(&tenant.id, name, bytes).await {
        if let Some(undo) = undo {
            let _ = state.media.delete(&tenant.id, undo).await;
        }
        return Err(AppError::Media(e));
    }
    Ok(())
}

/// A 422 naming `photo`.
fn photo_error(message: &str) -> AppError {
    AppError::InvalidField {
        field: "photo".into(),
        message: message.to_owned(),
    }
}

fn too_large(limit: u64) -> AppError {
    AppError::FileTooLarge { field: "photo", limit }
}

/// A stored photo or thumbnail.
#[utoipa::path(get, path = "/api/v1/{tenant}/media/{file}", tag = "tickets",
    params(
        ("tenant" = String, Path, description = "The tenant's id (`tangerang`)"),
        ("file" = String, Path, description = "A stored file's name, as a ticket's `media[].url` gives it"),
    ),
    responses(
        (status = 200, description = "The file", content(
            (super::openapi::schemas::Photo = "image/jpeg"),
            (super::openapi::schemas::Photo = "image/png"),
            (super::openapi::schemas::Photo = "image/webp"),
        )),
        (status = 404, description = "No such file", body = super::openapi::schemas::ErrorBody),
    ))]
async fn get_media(
    State(state): State<Arc<AppState>>,
    PathTenant(tenant): PathTenant,
    Path((_, file)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let name = FileName::parse(&file).ok_or_else(|| not_found(&file))?;
    serve(&state, &tenant, &name).await
}

/// Serve a ticket's newest completion ("after") photo — its thumbnail if `thumb` — and
/// nothing else: for the public status page, which must not reach report or progress
/// photos (faces, house numbers). 404 naming `photo` when the ticket has none. Public
/// callers pass `thumb = true`: the thumbnail is re-encoded without EXIF, while the original
/// keeps its GPS position and camera details.
pub async fn after_photo(state: &AppState, tenant: &Tenant, ticket: &str, thumb: bool) -> Result<Response, AppError> {
    let url = {
        let projection = state.live(tenant).read();
        projection.ticket(ticket).and_then(|t| {
            let after = t.media.iter().rev().find(|m| m.stage == MediaStage::After)?;
            if thumb {
                after.thumb_url.clone()
            } else {
                Some(after.url.clone())
            }
        })
    };
    let name = url.as_deref().and_then(FileName::from_url).ok_or(AppError::NotFound {
        what: format!("completion photo of {ticket}"),
        field: "photo",
    })?;
    serve(state, tenant, &name).await
}

/// The file with its type, `nosniff`, and a private cache (names never change content).
async fn serve(state: &AppState, tenant: &Tenant, name: &FileName) -> Result<Response, AppError> {
    let bytes = state
        .media
        .get(&tenant.id, name)
        .await
        .map_err(AppError::Media)?
        .ok_or_else(|| not_found(name.as_str()))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(name.kind().content_type()),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    Ok(response)
}

fn not_found(file: &str) -> AppError {
    AppError::NotFound {
        what: format!("file {file}"),
        field: "file",
    }
}

/// Refuse (422 naming `photo`) a command moving a ticket to `resolved` in a tenant with
/// `evidence.require_after_photo` while the ticket, as this process's projection knows it,
/// has no after photo. Called by the ticket status command and the events API.
pub fn require_after_photo(live: &LiveTenant, tenant: &Tenant, command: &Command) -> Result<(), AppError> {
    if !tenant.evidence.require_after_photo {
        return Ok(());
    }
    let projection = live.read();
    let ticket = command.event.ticket.as_deref().and_then(|id| projection.ticket(id));
    match tenant.evidence.refuse_resolve(&command.event.body, ticket) {
        Some(refusal) => Err(refusal),
        None => Ok(()),
    }
}
