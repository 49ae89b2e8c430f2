//! Operations that serve the public front end.

pub mod links;
