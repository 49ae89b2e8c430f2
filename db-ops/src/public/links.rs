//! Operations of `public/links`.
