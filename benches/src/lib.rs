//! Shared set-up for the dbops benchmarks: modules on each provider with a
//! seeded bench database, and criterion helpers that interleave two variants.

use std::time::Duration;

use db_core::{Config, DatabaseModule, DbError, Guid, Provider};
use serde_json::json;

// The operations register themselves at link time; this keeps them linked.
use db_ops as _;

pub mod raw;

/// Returns the PostgreSQL server URL from `DBOPS_BENCH_POSTGRES_URL`, or the loopback default.
pub fn postgres_base_url() -> String {
    std::env::var("DBOPS_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// Returns the MariaDB or MySQL server URL from `DBOPS_BENCH_MYSQL_URL`, or the loopback default.
pub fn mysql_base_url() -> String {
    std::env::var("DBOPS_BENCH_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".to_owned())
}

/// The schema and database that hold the benchmark data.
pub const BENCH_SCHEMA: &str = "dbops_bench";

/// Returns the URL that selects the `dbops_bench` PostgreSQL schema.
pub fn postgres_url() -> String {
    let base = postgres_base_url();
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-c%20search_path%3D{BENCH_SCHEMA}")
}

/// Returns the URL of the `dbops_bench` MariaDB database.
pub fn mysql_url() -> String {
    let base = mysql_base_url();
    let base = base.trim_end_matches('/');
    // Keep the host part only: the bench database replaces any database name.
    let host_end = base
        .find("://")
        .map(|start| start + 3)
        .and_then(|start| base[start..].find('/').map(|slash| start + slash))
        .unwrap_or(base.len());
    format!("{}/{BENCH_SCHEMA}", &base[..host_end])
}

/// The pool size of every module the benchmarks build (SQLite in memory always has 1).
pub const POOL_SIZE: u32 = 4;

/// Returns the settings that every benchmark module shares. Only the provider and URL differ.
pub fn config(provider: Provider) -> Config {
    let url = match provider {
        Provider::Sqlite => "sqlite::memory:".to_owned(),
        Provider::Postgres => postgres_url(),
        Provider::MySql => mysql_url(),
    };
    Config::new(provider)
        .url(url)
        .max_connections(POOL_SIZE)
        .acquire_timeout(Duration::from_secs(10))
}

/// Creates the bench schema or database when missing; never drops anything.
pub async fn create_bench_database(provider: Provider) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    match provider {
        Provider::Sqlite => {}
        Provider::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&postgres_base_url()).await?;
            sqlx::raw_sql("CREATE SCHEMA IF NOT EXISTS dbops_bench")
                .execute(&mut conn)
                .await?;
        }
        Provider::MySql => {
            let mut conn = sqlx::MySqlConnection::connect(&mysql_base_url()).await?;
            sqlx::raw_sql("CREATE DATABASE IF NOT EXISTS dbops_bench")
                .execute(&mut conn)
                .await?;
        }
    }
    Ok(())
}

/// Connects, migrates and seeds a module with `config`.
///
/// Returns `None`, after printing the error, when the server cannot be reached.
pub async fn module(provider: Provider, config: Config) -> Option<(DatabaseModule, Seed)> {
    let connected = async {
        create_bench_database(provider)
            .await
            .map_err(|error| DbError::internal(error.to_string()))?;
        let db = DatabaseModule::connect(config).await?;
        let seed = seed(&db).await?;
        Ok::<_, DbError>((db, seed))
    };
    match connected.await {
        Ok(pair) => Some(pair),
        Err(error) => {
            eprintln!("skipping {provider}: {error}");
            None
        }
    }
}

/// The seeded values the benchmarks read.
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    /// A user with a stored role mask.
    pub guid: Guid,
}

/// The configuration key that the benchmarks read.
pub const CONFIG_KEY: &str = "Version";

/// The role masks that select 1, 10 and 100 navigation routes.
pub const MASK_1_ROW: i64 = 0;
/// See [`MASK_1_ROW`].
pub const MASK_10_ROWS: i64 = 8;
/// See [`MASK_1_ROW`].
pub const MASK_100_ROWS: i64 = 8 | 16;

/// Returns the role mask that selects `rows` routes (1, 10 or 100).
pub fn mask_for_rows(rows: usize) -> i64 {
    match rows {
        1 => MASK_1_ROW,
        10 => MASK_10_ROWS,
        100 => MASK_100_ROWS,
        other => panic!("no mask selects {other} routes; use 1, 10 or 100"),
    }
}

/// Seeds one user with roles, one configuration entry and 100 routes:
/// 1 public, 9 for role bit 8 and 90 for role bit 16.
pub async fn seed(db: &DatabaseModule) -> Result<Seed, DbError> {
    db.run_value(
        "db:system:config:upsert_config:1",
        json!({"key": CONFIG_KEY, "value": "1.0.0"}),
    )
    .await?;

    let identity = json!({"provider": "microsoft", "provider_identifier": "dbops-bench-user"});
    let existing = db
        .run_value("db:users:providers:get_by_provider_identifier:1", identity)
        .await?;
    let user = if existing.is_null() {
        db.run_value(
            "db:users:providers:create_from_provider:1",
            json!({
                "provider": "microsoft",
                "provider_identifier": "dbops-bench-user",
                "provider_email": "bench@example.com",
                "provider_displayname": "Bench"
            }),
        )
        .await?
    } else {
        existing
    };
    let guid: Guid = user["guid"]
        .as_str()
        .and_then(|text| text.parse().ok())
        .ok_or_else(|| DbError::internal(format!("no guid in {user}")))?;
    db.run_value(
        "db:users:profile:set_roles:1",
        json!({"guid": guid.to_string(), "roles": 5}),
    )
    .await?;

    seed_routes(db).await?;
    Ok(Seed { guid })
}

/// Returns the routes of the bench database as `(path, roles, sequence)`.
fn routes() -> Vec<(String, i64, i32)> {
    let mut routes = vec![("/".to_owned(), 0, 0)];
    for index in 1..10 {
        routes.push((format!("/r8/{index:03}"), 8, index));
    }
    for index in 10..100 {
        routes.push((format!("/r16/{index:03}"), 16, index));
    }
    routes
}

async fn seed_routes(db: &DatabaseModule) -> Result<(), DbError> {
    const INSERT: &str = "INSERT INTO navbar_routes (path, name, icon, roles, sequence) \
                          VALUES (?, 'Bench route', 'bench', ?, ?)";
    if let Some(pool) = db.sqlite_pool() {
        let mut transaction = pool.begin().await?;
        sqlx::query("DELETE FROM navbar_routes")
            .execute(&mut *transaction)
            .await?;
        for (path, roles, sequence) in routes() {
            sqlx::query(INSERT)
                .bind(path)
                .bind(roles)
                .bind(sequence)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
    } else if let Some(pool) = db.postgres_pool() {
        let mut transaction = pool.begin().await?;
        sqlx::query("DELETE FROM navbar_routes")
            .execute(&mut *transaction)
            .await?;
        for (path, roles, sequence) in routes() {
            sqlx::query(
                "INSERT INTO navbar_routes (path, name, icon, roles, sequence) \
                 VALUES ($1, 'Bench route', 'bench', $2, $3)",
            )
            .bind(path)
            .bind(roles)
            .bind(sequence)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
    } else if let Some(pool) = db.mysql_pool() {
        let mut transaction = pool.begin().await?;
        sqlx::query("DELETE FROM navbar_routes")
            .execute(&mut *transaction)
            .await?;
        for (path, roles, sequence) in routes() {
            sqlx::query(INSERT)
                .bind(path)
                .bind(roles)
                .bind(sequence)
                .execute(&mut *transaction)
                .await?;
        }
        transaction.commit().await?;
    }
    Ok(())
}

/// Builds the single-threaded tokio runtime that every benchmark uses.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("cannot build the tokio runtime")
}

/// The SQL of each operation as the raw sqlx variants run it, per provider.
pub mod sql {
    use db_core::Provider;

    /// `get_roles`.
    pub fn get_roles(provider: Provider) -> &'static str {
        match provider {
            Provider::Postgres => "SELECT roles FROM user_roles WHERE user_guid = $1",
            _ => "SELECT roles FROM user_roles WHERE user_guid = ?",
        }
    }

    /// `get_config`.
    pub fn get_config(provider: Provider) -> &'static str {
        match provider {
            Provider::Sqlite => "SELECT config_value FROM system_config WHERE config_key = ?",
            Provider::Postgres => "SELECT config_value FROM system_config WHERE key_digest = $1",
            Provider::MySql => "SELECT config_value FROM system_config WHERE key_digest = ?",
        }
    }

    /// `get_navbar_routes`.
    pub fn get_navbar_routes(provider: Provider) -> &'static str {
        match provider {
            Provider::Sqlite => {
                "SELECT path, name, icon, roles, sequence FROM navbar_routes \
                 WHERE (roles & ~?) = 0 \
                 ORDER BY sequence, path"
            }
            Provider::Postgres => {
                "SELECT path, name, icon, roles, sequence FROM navbar_routes \
                 WHERE (roles & ~$1) = 0 \
                 ORDER BY sequence, path COLLATE \"C\""
            }
            Provider::MySql => {
                "SELECT path, name, icon, roles, sequence FROM navbar_routes \
                 WHERE (roles & ~?) = 0 \
                 ORDER BY sequence, CAST(path AS BINARY)"
            }
        }
    }
}
