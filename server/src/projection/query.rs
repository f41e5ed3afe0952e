//! Ticket queries over a projection: filters and paging for `GET /tickets` and Open311.

use super::Projection;
use pantau_shared::event::TicketStatus;
use pantau_shared::ticket::Ticket;

/// Most tickets one page may hold.
pub const MAX_PAGE: usize = 1000;
/// Page size when none is asked for.
pub const DEFAULT_PAGE: usize = 50;

/// What to list. Empty filters match everything.
#[derive(Clone, Debug, Default)]
pub struct TicketQuery {
    pub statuses: Vec<TicketStatus>,
    pub agency: Option<String>,
    pub category: Option<String>,
    /// Kecamatan code or name (case-insensitive).
    pub kecamatan: Option<String>,
    /// Case-insensitive text in the ticket number, description or address.
    pub text: Option<String>,
    /// Only these ticket numbers.
    pub ids: Vec<String>,
    /// Created at or after / before (RFC 3339 UTC strings compare in time order).
    pub created_from: Option<String>,
    pub created_until: Option<String>,
    pub offset: usize,
    pub limit: usize,
}

impl TicketQuery {
    fn matches(&self, t: &Ticket) -> bool {
        let eq = |want: &Option<String>, have: Option<&str>| want.as_deref().is_none_or(|w| Some(w) == have);
        (self.statuses.is_empty() || self.statuses.contains(&t.status))
            && eq(&self.agency, t.agency.as_deref())
            && eq(&self.category, Some(t.category.as_str()))
            && (self.ids.is_empty() || self.ids.contains(&t.id))
            && self.kecamatan.as_deref().is_none_or(|k| {
                t.kecamatan
                    .as_ref()
                    .is_some_and(|p| p.code == k || p.name.eq_ignore_ascii_case(k))
            })
            && self.text.as_deref().is_none_or(|q| {
                let q = q.to_lowercase();
                t.id.to_lowercase().contains(&q)
                    || t.description.to_lowercase().contains(&q)
                    || t.address.as_deref().is_some_and(|a| a.to_lowercase().contains(&q))
            })
            && self
                .created_from
                .as_deref()
                .is_none_or(|from| t.created_at.as_str() >= from)
            && self
                .created_until
                .as_deref()
                .is_none_or(|until| t.created_at.as_str() <= until)
    }
}

/// Matching tickets, newest first, and how many matched in all.
pub fn find<'a>(projection: &'a Projection, query: &TicketQuery) -> (usize, Vec<&'a Ticket>) {
    let mut hits: Vec<&Ticket> = projection.tickets().filter(|t| query.matches(t)).collect();
    hits.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.id.cmp(&a.id)));
    let total = hits.len();
    let limit = if query.limit == 0 {
        DEFAULT_PAGE
    } else {
        query.limit.min(MAX_PAGE)
    };
    let page = hits.into_iter().skip(query.offset).take(limit).collect();
    (total, page)
}
