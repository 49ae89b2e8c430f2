//! User accounts: linked identity providers, profiles and session keys.

pub mod profile;
pub mod providers;
pub mod session;
