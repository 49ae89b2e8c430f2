//! Operations that exist only for tests.

pub mod probe;
