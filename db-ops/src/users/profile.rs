//! Operations of `users/profile`.
