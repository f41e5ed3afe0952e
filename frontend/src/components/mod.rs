//! Components, one job each: the wall's, and the screens admin page's.

pub mod banner;
pub mod forecast;
pub mod gauges;
pub mod header;
pub mod pair_form;
pub mod report_list;
pub mod screen_list;
pub mod tiles;
pub mod timeline;
pub mod urgent;
pub mod user_badge;
