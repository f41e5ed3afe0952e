//! The time machine: a tenant's whole state at any past instant, rebuilt from the nearest
//! kept snapshot at or before it ([`crate::store::history`]) plus the stream's entries up to
//! it. "At an instant" means what the live system had applied by then: stream entries whose
//! id (the appending server's clock) is at or before the instant — an event dated in the past
//! but appended later (a backfill, a replay) is not part of an earlier instant.

use crate::projection::Projection;
use crate::store::{Store, StoreError};
use crate::tenant::Tenant;
use chrono::{DateTime, Utc};
use pantau_shared::cursor::Cursor;

/// Stream entries read per round trip while rolling forward.
const PAGE: usize = 10_000;

/// How a past state was rebuilt, for the answer and the logs.
#[derive(Debug, Clone, Copy)]
pub struct Rebuilt {
    /// The cursor of the snapshot it started from (`None`: from the stream's start).
    pub from_snapshot: Option<Cursor>,
    /// Stream entries applied after it.
    pub entries: u64,
}

/// The tenant's projection as it stood at `at`.
pub async fn state_at(store: &Store, tenant: &Tenant, at: DateTime<Utc>) -> Result<(Projection, Rebuilt), StoreError> {
    let at_ms = u64::try_from(at.timestamp_millis()).unwrap_or(0);
    let kept = store.history_at_or_before(&tenant.id, at_ms).await?;
    let from_snapshot = kept.as_ref().map(Projection::cursor);
    let mut projection = kept.unwrap_or_else(|| Projection::new(tenant.sla.clone()));
    projection.set_sla(tenant.sla.clone());
    let until = Cursor {
        ms: at_ms,
        seq: u64::MAX,
    };
    let mut entries = 0u64;
    loop {
        let page = store.range_after(&tenant.id, projection.cursor(), until, PAGE).await?;
        entries += page.len() as u64;
        let last_page = page.len() < PAGE;
        projection.apply_batch(&page);
        if last_page {
            break;
        }
    }
    Ok((projection, Rebuilt { from_snapshot, entries }))
}
