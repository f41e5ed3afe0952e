//! Pages, one per file.

pub mod admin_screens;
pub mod console;
pub mod kpi;
pub mod lapor;
pub mod pairing;
pub mod signin;
pub mod wall;
