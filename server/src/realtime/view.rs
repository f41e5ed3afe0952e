//! What one session may see: its filters and the tickets it has been shown. An event is
//! delivered when its ticket matches the filters now or was shown before (so a client also
//! learns that a ticket left its filter, e.g. on reassignment); events without a ticket
//! (resource gauges) always pass. Pure, over the projection.

use crate::projection::Projection;
use pantau_shared::event::Event;
use pantau_shared::protocol::Filters;
use std::collections::HashSet;

/// A session's filters and the tickets it has seen.
#[derive(Debug, Default)]
pub struct View {
    pub filters: Filters,
    shown: HashSet<String>,
}

impl View {
    pub fn new(filters: Filters) -> Self {
        View {
            filters,
            shown: HashSet::new(),
        }
    }

    /// Whether everything passes (the shared frames can be sent as they are).
    pub fn is_unfiltered(&self) -> bool {
        self.filters.is_empty()
    }

    /// Remember the tickets a snapshot showed.
    pub fn reset<'a>(&mut self, shown: impl IntoIterator<Item = &'a str>) {
        self.shown = shown.into_iter().map(str::to_owned).collect();
    }

    /// Whether `event` goes to this session, updating what it has been shown.
    pub fn admit(&mut self, projection: &Projection, event: &Event) -> bool {
        if self.is_unfiltered() {
            return true;
        }
        let Some(id) = &event.ticket else { return true };
        let matches = projection.ticket(id).is_some_and(|t| self.filters.matches(t));
        let was_shown = if matches {
            !self.shown.insert(id.clone())
        } else {
            self.shown.remove(id)
        };
        matches || was_shown
    }
}
