//! A compile-time checked catalog of database operations.
//!
//! Every operation has a URN, `db:{domain}:{subsystem}:{function}:{version}`,
//! and is defined by one module annotated with [`#[db_op]`](macro@db_op). The
//! macro checks the URN while compiling, derives the request and response
//! types, writes a typed client function and registers one handler per
//! provider (SQLite, PostgreSQL, MySQL/MariaDB) in that provider's registry.
//!
//! At start-up [`DatabaseModule`] picks the provider from `DATABASE_PROVIDER`,
//! builds its dispatch table and serves two kinds of call:
//!
//! - typed, through the generated function: `get_roles(&db, guid).await?`;
//! - JSON, for RPC layers and tools: `db.run(urn, payload).await?` returns
//!   JSON text, and `db.run_value(urn, payload).await?` a `serde_json::Value`.
//!
//! # Defining an operation
//!
//! ```
//! pub mod inventory {
//!     pub mod stock {
//!         use db_core::prelude::*;
//!
//!         /// Counts the items of one kind in stock.
//!         #[db_op("db:inventory:stock:count_items:1")]
//!         pub mod count_items {
//!             use super::*;
//!
//!             pub struct Request {
//!                 #[db(max_chars = 64)]
//!                 pub kind: String,
//!             }
//!
//!             pub struct Response {
//!                 pub count: i64,
//!             }
//!
//!             const SQL: &str = "SELECT COUNT(*) FROM system_config WHERE config_key = $1";
//!
//!             async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
//!                 let count = sqlx::query_scalar(SQL).bind(request.kind).fetch_one(conn).await?;
//!                 Ok(Response { count })
//!             }
//!
//!             async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
//!                 let count = sqlx::query_scalar(SQL).bind(request.kind).fetch_one(conn).await?;
//!                 Ok(Response { count })
//!             }
//!
//!             async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
//!                 let count = sqlx::query_scalar("SELECT COUNT(*) FROM system_config WHERE config_key = ?")
//!                     .bind(request.kind)
//!                     .fetch_one(conn)
//!                     .await?;
//!                 Ok(Response { count })
//!             }
//!         }
//!     }
//! }
//! ```
//!
//! The module must sit at a path ending in `inventory::stock` and be named
//! after the function (`count_items`; version 2 would be `count_items_v2`).
//! The macro reports a wrong name, a wrong path or a missing provider function
//! as a compile error:
//!
//! ```compile_fail
//! pub mod inventory {
//!     pub mod stock {
//!         use db_core::prelude::*;
//!
//!         #[db_op("db:inventory:Stock:count_items:1")]
//!         pub mod count_items {}
//!     }
//! }
//! ```

mod config;
mod de;
mod dispatch;
mod error;
mod migrate;
mod module;
mod operation;
mod provider;
mod registry;
mod suggest;
mod types;

pub use db_macros::db_op;
pub use db_urn::{Segment, Urn, UrnError};
pub use sqlx;

pub use crate::config::{Config, DEFAULT_SQLITE_FILE, redact_url};
pub use crate::dispatch::TRACING_TARGET;
pub use crate::error::{DbError, ErrorKind};
pub use crate::migrate::AppliedMigration;
pub use crate::module::{AnyHandler, DatabaseModule, Executor, Transaction};
pub use crate::operation::{FieldInfo, Handler, Operation, OperationInfo, RowCount, TypeInfo};
pub use crate::provider::{Backend, Provider};
pub use crate::registry::{BoxFuture, Registration};
pub use crate::suggest::lookup_error;
pub use crate::types::{
    Guid, Secret, Timestamp, canonical_ip, decode_base64, encode_base64, sha256,
};

/// Returns the descriptors of every operation linked into the binary, sorted by URN.
///
/// The list is the union of the three provider registries, so it also shows an
/// operation that lacks a handler for some provider.
pub fn catalog() -> Vec<&'static OperationInfo> {
    let mut infos: Vec<&'static OperationInfo> = registry::SQLITE_OPERATIONS
        .iter()
        .map(|entry| entry.info)
        .chain(registry::POSTGRES_OPERATIONS.iter().map(|entry| entry.info))
        .chain(registry::MYSQL_OPERATIONS.iter().map(|entry| entry.info))
        .collect();
    infos.sort_by_key(|info| info.urn);
    infos.dedup_by(|left, right| std::ptr::eq(*left, *right));
    infos
}

/// Returns the descriptor of the operation `urn`, if it is linked into the binary.
pub fn find_operation(urn: &str) -> Option<&'static OperationInfo> {
    catalog().into_iter().find(|info| info.urn == urn)
}

/// The names that code for an operation usually needs.
pub mod prelude {
    pub use crate::{Backend, DbError, Guid, Secret, Timestamp, db_op, sha256};
    pub use sqlx::{self, MySqlConnection, PgConnection, SqliteConnection};
}

/// Support for the code that `#[db_op]` generates; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::dispatch::handle_dynamic;
    pub use crate::module::Executor;
    pub use crate::operation::{FieldInfo, Handler, Operation, OperationInfo, RowCount, TypeInfo};
    pub use crate::registry::{
        LookupTable, MYSQL_OPERATIONS, POSTGRES_OPERATIONS, Registration, SQLITE_OPERATIONS,
        build_dispatch_table, build_dispatch_table_from,
    };
    pub use crate::types::check_text;
    pub use crate::{DbError, Result};
    pub use linkme;
    pub use serde;
    pub use sqlx::{MySql, MySqlConnection, PgConnection, Postgres, Sqlite, SqliteConnection};

    /// The fields of a JSON payload.
    pub type JsonObject = serde_json::Map<String, serde_json::Value>;

    /// The serde support of the plain structs of an operation module.
    pub mod de {
        pub use crate::de::{Fields, Source, decode_object, deserialize};
    }

    /// Fails compilation unless `module_path` ends with `suffix` at a `::` boundary.
    pub const fn assert_module_path(module_path: &str, suffix: &str, message: &str) {
        let path = module_path.as_bytes();
        let suffix_bytes = suffix.as_bytes();
        let mut matches = path.len() >= suffix_bytes.len();
        let offset = path.len().wrapping_sub(suffix_bytes.len());
        let mut index = 0;
        while matches && index < suffix_bytes.len() {
            matches = path[offset + index] == suffix_bytes[index];
            index += 1;
        }
        if matches && offset > 0 {
            matches = offset >= 2 && path[offset - 1] == b':' && path[offset - 2] == b':';
        }
        if !matches {
            panic!("{}", message);
        }
    }
}

/// The result type of operations.
pub type Result<T, E = DbError> = std::result::Result<T, E>;
