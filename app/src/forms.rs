//! Forms the panel submits, and their validation: pure, and compiled into both the browser
//! (to mark fields as the user types) and the server (which trusts nothing it receives).

pub mod fields;
pub mod service;

pub use fields::FieldError;
pub use service::{ServiceForm, ServiceRequest, validate_service};
