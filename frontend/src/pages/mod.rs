//! Pages, one per file.

pub mod admin_screens;
pub mod console;
pub mod kpi;
pub mod pairing;
pub mod signin;
pub mod wall;
