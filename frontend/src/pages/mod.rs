//! Pages, one per file.

pub mod wall;
