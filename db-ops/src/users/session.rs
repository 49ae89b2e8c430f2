//! Operations of `users/session`.
