//! `flotilla`'s code as a library: the binary (`main.rs`) is a thin command line over it, and
//! the benches call the same code the binary runs.

pub mod cluster;
pub mod control;
pub mod docker;
pub mod health_check;
pub mod http_client;
pub mod lab;
pub mod logging;
pub mod memory;
pub mod metrics;
pub mod sim;
pub mod stack;
pub mod web;
