//! The supported databases and what differs between them.

use std::fmt;
use std::future::Future;
use std::str::FromStr;

use sqlx::{Connection, MySql, Postgres, Sqlite};

use crate::error::DbError;
use crate::registry::{self, Registration};

/// A database provider, selected with `DATABASE_PROVIDER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Provider {
    /// SQLite, embedded; the default.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB.
    MySql,
}

impl Provider {
    /// Every provider, in the order used in listings.
    pub const ALL: [Provider; 3] = [Provider::Sqlite, Provider::Postgres, Provider::MySql];

    /// Returns the name used in `DATABASE_PROVIDER` and in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Sqlite => "sqlite",
            Provider::Postgres => "postgres",
            Provider::MySql => "mysql",
        }
    }

    /// Returns the URL schemes this provider accepts.
    pub fn schemes(self) -> &'static [&'static str] {
        match self {
            Provider::Sqlite => &["sqlite"],
            Provider::Postgres => &["postgres", "postgresql"],
            Provider::MySql => &["mysql", "mariadb"],
        }
    }

    /// Returns the URNs registered for this provider, in registration order.
    pub fn registered_urns(self) -> Vec<&'static str> {
        fn urns<DB: Backend>() -> Vec<&'static str> {
            DB::registry().iter().map(|entry| entry.info.urn).collect()
        }
        match self {
            Provider::Sqlite => urns::<Sqlite>(),
            Provider::Postgres => urns::<Postgres>(),
            Provider::MySql => urns::<MySql>(),
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = DbError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "sqlite" => Ok(Provider::Sqlite),
            "postgres" | "postgresql" => Ok(Provider::Postgres),
            "mysql" | "mariadb" => Ok(Provider::MySql),
            _ => Err(DbError::invalid_config(format!(
                "unknown database provider `{text}`; set DATABASE_PROVIDER to one of \
                 `sqlite`, `postgres` or `mysql`"
            ))),
        }
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for sqlx::Sqlite {}
    impl Sealed for sqlx::Postgres {}
    impl Sealed for sqlx::MySql {}
}

/// An sqlx database that operations run on: SQLite, PostgreSQL or MySQL.
pub trait Backend: sqlx::Database + sealed::Sealed {
    /// The provider this database is.
    const PROVIDER: Provider;

    /// Returns the registry of this provider's handlers.
    fn registry() -> &'static [Registration<Self>];

    /// Starts a transaction for a handler that writes, or a savepoint when
    /// `conn` already is in a transaction.
    ///
    /// On SQLite a new transaction is `BEGIN IMMEDIATE`, which takes the write
    /// lock before the first read, so two writers never both read and then fail
    /// to upgrade their lock.
    fn begin_write(
        conn: &mut Self::Connection,
    ) -> impl Future<Output = Result<sqlx::Transaction<'_, Self>, DbError>> + Send;
}

impl Backend for Sqlite {
    const PROVIDER: Provider = Provider::Sqlite;

    fn registry() -> &'static [Registration<Self>] {
        &registry::SQLITE_OPERATIONS
    }

    async fn begin_write(
        conn: &mut Self::Connection,
    ) -> Result<sqlx::Transaction<'_, Self>, DbError> {
        let transaction = if conn.is_in_transaction() {
            conn.begin().await
        } else {
            conn.begin_with("BEGIN IMMEDIATE").await
        };
        Ok(transaction?)
    }
}

impl Backend for Postgres {
    const PROVIDER: Provider = Provider::Postgres;

    fn registry() -> &'static [Registration<Self>] {
        &registry::POSTGRES_OPERATIONS
    }

    async fn begin_write(
        conn: &mut Self::Connection,
    ) -> Result<sqlx::Transaction<'_, Self>, DbError> {
        Ok(conn.begin().await?)
    }
}

impl Backend for MySql {
    const PROVIDER: Provider = Provider::MySql;

    fn registry() -> &'static [Registration<Self>] {
        &registry::MYSQL_OPERATIONS
    }

    async fn begin_write(
        conn: &mut Self::Connection,
    ) -> Result<sqlx::Transaction<'_, Self>, DbError> {
        Ok(conn.begin().await?)
    }
}
