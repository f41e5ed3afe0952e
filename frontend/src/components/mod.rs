//! Wall components, one job each.

pub mod header;
pub mod report_list;
pub mod tiles;
