//! Session management for authentication workflows.

pub mod session;
