//! Wall components, one job each.

pub mod banner;
pub mod gauges;
pub mod header;
pub mod report_list;
pub mod tiles;
pub mod urgent;
