//! The embedded migrations of each provider.

use std::collections::HashSet;

use sqlx::migrate::{Migrate, Migrator};
use sqlx::pool::PoolConnection;
use sqlx::{MySql, Postgres, Sqlite};

use crate::error::DbError;
use crate::provider::Backend;

static SQLITE: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES: Migrator = sqlx::migrate!("../migrations/postgres");
static MYSQL: Migrator = sqlx::migrate!("../migrations/mysql");

/// A migration that [`DatabaseModule::migrate`](crate::DatabaseModule::migrate) applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// The version, the number the file name starts with.
    pub version: i64,
    /// The description, from the rest of the file name.
    pub description: String,
}

/// The embedded migrations of one provider.
pub(crate) trait Migrations: Backend {
    fn migrator() -> &'static Migrator;
}

impl Migrations for Sqlite {
    fn migrator() -> &'static Migrator {
        &SQLITE
    }
}

impl Migrations for Postgres {
    fn migrator() -> &'static Migrator {
        &POSTGRES
    }
}

impl Migrations for MySql {
    fn migrator() -> &'static Migrator {
        &MYSQL
    }
}

/// Applies the pending migrations of `DB` on `conn` and returns the ones
/// applied.
pub(crate) async fn run<DB>(conn: &mut PoolConnection<DB>) -> Result<Vec<AppliedMigration>, DbError>
where
    DB: Migrations,
    DB::Connection: Migrate,
{
    let migrator = DB::migrator();

    conn.ensure_migrations_table(&migrator.table_name)
        .await
        .map_err(migration_error)?;
    let applied: HashSet<i64> = conn
        .list_applied_migrations(&migrator.table_name)
        .await
        .map_err(migration_error)?
        .into_iter()
        .map(|migration| migration.version)
        .collect();
    let pending: Vec<AppliedMigration> = migrator
        .iter()
        .filter(|migration| migration.migration_type.is_up_migration())
        .filter(|migration| !applied.contains(&migration.version))
        .map(|migration| AppliedMigration {
            version: migration.version,
            description: migration.description.to_string(),
        })
        .collect();

    migrator
        .run_direct(None, &mut **conn, false)
        .await
        .map_err(migration_error)?;

    for migration in &pending {
        tracing::info!(
            target: "dbops",
            provider = DB::PROVIDER.as_str(),
            version = migration.version,
            description = %migration.description,
            "applied migration"
        );
    }
    Ok(pending)
}

fn migration_error(error: sqlx::migrate::MigrateError) -> DbError {
    match error {
        sqlx::migrate::MigrateError::Execute(inner) => {
            let mapped = DbError::from(inner);
            DbError::new(mapped.kind(), format!("migration failed: {mapped}"))
        }
        other => DbError::internal(format!("migration failed: {other}")).with_source(other),
    }
}
