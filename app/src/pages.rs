//! Pages.

pub mod cluster;
