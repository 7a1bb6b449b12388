//! The control page's parts: the connection indicator, the toggles, the placement grid, the
//! tables, and the control UI.

pub mod audit_log;
pub mod colours;
pub mod connection;
pub mod create_service;
pub mod form_fields;
pub mod grid;
pub mod kiosks;
pub mod networks;
pub mod node_actions;
pub mod nodes_table;
pub mod service_panel;
pub mod service_progress;
pub mod services_table;
pub mod session;
pub mod stack_deploy;
pub mod stacks;
pub mod toggles;
