//! The operation catalog: one module per domain and subsystem.
//!
//! Each operation is a module annotated with `#[db_op]`, next to its typed
//! client function of the same name:
//!
//! ```no_run
//! # async fn example() -> Result<(), db_core::DbError> {
//! let db = db_core::DatabaseModule::from_env().await?;
//! let config = db_ops::system::config::get_config(&db, "Version").await?;
//! # Ok(()) }
//! ```

pub mod auth;
pub mod public;
pub mod system;
pub mod users;

pub use db_core::{DatabaseModule, DbError, ErrorKind, Transaction};
