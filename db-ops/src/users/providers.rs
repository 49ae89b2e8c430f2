//! Operations of `users/providers`.
