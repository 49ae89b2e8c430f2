//! Operations of `auth/session`.
