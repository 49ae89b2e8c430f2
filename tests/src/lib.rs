//! Support for tests that run one body against every provider.
//!
//! [`provider_test!`] turns one async test body into three tests, `sqlite`,
//! `postgres` and `mysql`, each on a database of its own:
//!
//! - SQLite: a new file in the system temporary folder;
//! - PostgreSQL: a new schema on `DBOPS_TEST_POSTGRES_URL`
//!   (default `postgres://postgres@127.0.0.1:5432/test`);
//! - MySQL/MariaDB: a new database on `DBOPS_TEST_MYSQL_URL`
//!   (default `mysql://root@127.0.0.1:3306/test`).
//!
//! When a server cannot be reached the test prints why and passes as skipped,
//! unless `CI` is set: then it fails, so CI never skips a provider silently.
//!
//! This crate also defines an operation of its own, [`testing::probe::echo`](mod@testing::probe::echo),
//! which proves that registrations from a crate outside `db-ops` are linked.

pub mod testing;

/// The catalog, re-exported so that every test binary links its registrations:
/// a crate that nothing references is not linked, and its operations would be
/// missing from the dispatch table.
pub use db_ops;

use std::path::PathBuf;

use db_core::sqlx::{self, Connection};
use db_core::{Config, DatabaseModule, Provider};

/// The PostgreSQL server used when `DBOPS_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// The MySQL server used when `DBOPS_TEST_MYSQL_URL` is not set.
pub const DEFAULT_MYSQL_URL: &str = "mysql://root@127.0.0.1:3306/test";

/// A database made for one test, removed by [`TestDb::finish`].
#[derive(Debug)]
pub struct TestDb {
    /// The module connected to the test's database, with migrations applied.
    pub db: DatabaseModule,
    /// The DSN of the test's database, for tests that open a second module.
    pub url: String,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    SqliteFile(PathBuf),
    PostgresSchema { server: String, schema: String },
    MySqlDatabase { server: String, database: String },
}

impl TestDb {
    /// Creates a fresh database for `provider`, or returns `None` (after
    /// printing the reason) when the provider's server cannot be reached
    /// outside CI.
    pub async fn create(provider: Provider, test_name: &str) -> Option<TestDb> {
        Self::create_with(provider, test_name, |config| config).await
    }

    /// Like [`TestDb::create`], with a chance to adjust the configuration.
    pub async fn create_with(
        provider: Provider,
        test_name: &str,
        adjust: impl FnOnce(Config) -> Config,
    ) -> Option<TestDb> {
        let name = format!("dbops_t_{}", uuid::Uuid::new_v4().simple());
        let prepared = match provider {
            Provider::Sqlite => Ok(prepare_sqlite(&name)),
            Provider::Postgres => prepare_postgres(&name).await,
            Provider::MySql => prepare_mysql(&name).await,
        };
        let (url, cleanup) = match prepared {
            Ok(prepared) => prepared,
            Err(reason) => return skip_or_fail(provider, test_name, &reason),
        };
        let config = adjust(Config::new(provider).url(url.clone()));
        let db = DatabaseModule::connect(config)
            .await
            .unwrap_or_else(|error| panic!("cannot open the {provider} test database: {error}"));
        Some(TestDb { db, url, cleanup })
    }

    /// Closes the module and removes the test's database.
    pub async fn finish(self) {
        self.db.close().await;
        match self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut file = path.clone().into_os_string();
                    file.push(suffix);
                    let _ = std::fs::remove_file(file);
                }
            }
            Cleanup::PostgresSchema { server, schema } => {
                let statement = format!("DROP SCHEMA IF EXISTS {schema} CASCADE");
                let _ = admin_postgres(&server, &statement).await;
            }
            Cleanup::MySqlDatabase { server, database } => {
                let statement = format!("DROP DATABASE IF EXISTS {database}");
                let _ = admin_mysql(&server, &statement).await;
            }
        }
    }
}

fn skip_or_fail(provider: Provider, test_name: &str, reason: &str) -> Option<TestDb> {
    if std::env::var_os("CI").is_some() {
        panic!("{test_name}: the {provider} server is required on CI: {reason}");
    }
    report_skipped(&format!("{test_name} on {provider}"), reason);
    None
}

/// Prints that `test` was skipped and why, also when the test output is captured.
pub fn report_skipped(test: &str, reason: &str) {
    // Written to the stderr handle directly, because libtest hides what
    // `eprintln!` prints in a passing test.
    let line = format!("skipped {test}: {reason}\n");
    let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
}

/// Returns the PostgreSQL server URL for tests.
pub fn postgres_server_url() -> String {
    std::env::var("DBOPS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned())
}

/// Returns the MySQL server URL for tests.
pub fn mysql_server_url() -> String {
    std::env::var("DBOPS_TEST_MYSQL_URL").unwrap_or_else(|_| DEFAULT_MYSQL_URL.to_owned())
}

fn prepare_sqlite(name: &str) -> (String, Cleanup) {
    let folder = std::env::temp_dir().join("dbops-tests");
    std::fs::create_dir_all(&folder).expect("cannot create the temporary test folder");
    let path = folder.join(format!("{name}.sqlite3"));
    (
        format!("sqlite:{}", path.display()),
        Cleanup::SqliteFile(path),
    )
}

async fn prepare_postgres(schema: &str) -> Result<(String, Cleanup), String> {
    let server = postgres_server_url();
    admin_postgres(&server, &format!("CREATE SCHEMA {schema}")).await?;
    let separator = if server.contains('?') { '&' } else { '?' };
    let url = format!("{server}{separator}options=-c%20search_path%3D{schema}");
    Ok((
        url,
        Cleanup::PostgresSchema {
            server,
            schema: schema.to_owned(),
        },
    ))
}

async fn prepare_mysql(database: &str) -> Result<(String, Cleanup), String> {
    let server = mysql_server_url();
    admin_mysql(&server, &format!("CREATE DATABASE {database}")).await?;
    let url = replace_database(&server, database);
    Ok((
        url,
        Cleanup::MySqlDatabase {
            server,
            database: database.to_owned(),
        },
    ))
}

/// Replaces the database name (the path) of a `scheme://authority/name?query` URL.
fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let authority_end = base
        .find("://")
        .map(|start| start + 3)
        .and_then(|start| base[start..].find('/').map(|slash| start + slash))
        .unwrap_or(base.len());
    let mut replaced = format!("{}/{database}", &base[..authority_end]);
    if let Some(query) = query {
        replaced.push('?');
        replaced.push_str(query);
    }
    replaced
}

/// Runs one administrative statement, such as `CREATE SCHEMA`, on a new connection.
async fn admin<C>(server: &str, statement: &str) -> Result<(), String>
where
    C: Connection,
    for<'c> &'c mut C: sqlx::Executor<'c, Database = C::Database>,
{
    let mut conn = C::connect(server)
        .await
        .map_err(|error| format!("cannot connect: {error}"))?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_owned()))
        .execute(&mut conn)
        .await
        .map_err(|error| format!("`{statement}` failed: {error}"))?;
    conn.close().await.ok();
    Ok(())
}

async fn admin_postgres(server: &str, statement: &str) -> Result<(), String> {
    admin::<sqlx::PgConnection>(server, statement).await
}

async fn admin_mysql(server: &str, statement: &str) -> Result<(), String> {
    admin::<sqlx::MySqlConnection>(server, statement).await
}

/// Defines one test per provider from one async body.
///
/// ```ignore
/// provider_test! {
///     async fn upsert_returns_stored_value(db) {
///         let entry = db.run_value("db:system:config:upsert_config:1", json!({...})).await.unwrap();
///         assert_eq!(entry["value"], "1");
///     }
/// }
/// ```
///
/// `db` is a `&DatabaseModule` on a fresh database; use `test_db` (a
/// [`TestDb`]) through the three-argument form `async fn name(db, test_db)`
/// when the test needs the URL.
#[macro_export]
macro_rules! provider_test {
    ($(#[$attribute:meta])* async fn $name:ident($db:ident) $body:block) => {
        $crate::provider_test! {
            $(#[$attribute])* async fn $name($db, _test_db) $body
        }
    };
    ($(#[$attribute:meta])* async fn $name:ident($db:ident, $test_db:ident) $body:block) => {
        $(#[$attribute])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $crate::provider_test!(@one $name, sqlite, Sqlite, $db, $test_db, $body);
            $crate::provider_test!(@one $name, postgres, Postgres, $db, $test_db, $body);
            $crate::provider_test!(@one $name, mysql, MySql, $db, $test_db, $body);
        }
    };
    (@one $name:ident, $function:ident, $provider:ident, $db:ident, $test_db:ident, $body:block) => {
        #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $function() {
            let test_name = ::core::concat!(
                ::core::stringify!($name), "::", ::core::stringify!($function)
            );
            let Some(test_db) =
                $crate::TestDb::create(::db_core::Provider::$provider, test_name).await
            else {
                return;
            };
            {
                let $test_db = &test_db;
                let $db = &test_db.db;
                $body
            }
            test_db.finish().await;
        }
    };
}
