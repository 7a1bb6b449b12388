//! The page's parts: the connection indicator, the toggles, the placement grid and its
//! cards, the tables.

pub mod connection;
pub mod grid;
pub mod nodes_table;
pub mod services_table;
pub mod task_card;
pub mod toggles;
