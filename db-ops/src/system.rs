//! Administrative operations for system set-up.

pub mod config;
