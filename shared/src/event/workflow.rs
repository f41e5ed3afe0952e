//! The complaint workflow's event bodies (issue 18): verification and disposition, the
//! validation of an agency's follow-up, duplicates merged into one job, photo evidence, and
//! the reporter a report names. Re-exported from [`crate::event`].

use super::TicketStatus;
use serde::{Deserialize, Serialize};

/// Who reported (LAKSA and SP4N-LAPOR keep it; the public status page never shows it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reporter {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Phone number or e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
}

/// An operator verified a report in triage and dispositioned it to an agency
/// (`received` or `pending_citizen` → `assigned`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verification {
    /// The agency (OPD) it goes to: the suggested one or another.
    pub agency: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub officer: Option<String>,
    /// SP4N-LAPOR deadline tier the verifier picked (`informasi`, `normatif`, ...), when the
    /// category's own does not fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Why a report was rejected in triage (`ticket.status_changed` to `rejected` carries it).
pub const REJECTION_REASONS: [&str; 4] = ["not_our_authority", "unclear", "duplicate", "spam"];

/// A validator judged an agency's follow-up of a `resolved` ticket: accepted → `closed`
/// (done); refused ("TL ditolak") → back to `in_progress` with the resolution clock still
/// running from where it started.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validation {
    pub accepted: bool,
    /// Why the follow-up was refused (required then).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the validator checked on site.
    #[serde(default)]
    pub site_check: bool,
}

/// The ticket (a duplicate) was merged into `primary`; written on the duplicate, whose status
/// becomes `merged` — the primary counts its reporters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Merge {
    /// The ticket that carries the job.
    pub primary: String,
    /// Reporters the duplicate brings (itself and whatever was merged into it).
    #[serde(default = "one")]
    pub reporters: u32,
}

fn one() -> u32 {
    1
}

/// A merge undone: the duplicate leaves `primary` and gets back the status it had.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unmerge {
    pub primary: String,
    /// The status the duplicate had when it was merged.
    pub restore: TicketStatus,
}

/// When in the ticket's life a photo was taken.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MediaStage {
    /// With the report (the citizen's photo).
    #[default]
    Report,
    /// During the work.
    Progress,
    /// The completion photo ("foto sesudah").
    After,
}

/// A photo stored by Pantau and attached to a ticket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Media {
    /// Where it is served (`/media/{tenant}/{file}`).
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thumb_url: Option<String>,
    #[serde(default)]
    pub stage: MediaStage,
    pub content_type: String,
    pub bytes: u64,
    /// EXIF `DateTimeOriginal`, RFC 3339 UTC (read in the tenant's zone), if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken_at: Option<String>,
    /// EXIF GPS position, if present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lat: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lon: Option<f64>,
    /// What the evidence check noticed (`taken_before_report`, `too_far`, `no_exif_time`,
    /// `no_exif_position`); shown to supervisors, never silently dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
}
