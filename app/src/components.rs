//! The page's parts: the connection indicator, the placement grid, the tables.

pub mod connection;
pub mod grid;
pub mod tables;
