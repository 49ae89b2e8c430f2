//! `DatabaseModule`: the pool of the selected provider and its dispatch table.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;
use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::pool::PoolOptions;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{MySql, Pool, Postgres, Sqlite};

use crate::config::Config;
use crate::dispatch::{handle_typed, instrument, text_to_value};
use crate::error::{DbError, ErrorKind};
use crate::migrate::{self, AppliedMigration};
use crate::operation::{Handler, Operation, OperationInfo};
use crate::provider::{Backend, Provider};
use crate::registry::DispatchTable;
use crate::suggest::lookup_error;

/// How long a SQLite connection waits for another writer before it fails.
const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The entry point: a connection pool for one provider and its operations.
///
/// Cloning is cheap and shares the pool.
///
/// ```no_run
/// # async fn example() -> Result<(), db_core::DbError> {
/// use db_core::DatabaseModule;
///
/// let db = DatabaseModule::from_env().await?;
/// let config = db
///     .run("db:system:config:get_config:1", serde_json::json!({"key": "Version"}))
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct DatabaseModule {
    engine: Arc<Engine>,
}

enum Engine {
    Sqlite(ProviderEngine<Sqlite>),
    Postgres(ProviderEngine<Postgres>),
    MySql(ProviderEngine<MySql>),
}

struct ProviderEngine<DB: Backend> {
    pool: Pool<DB>,
    table: DispatchTable<DB>,
    /// The URL with its password masked, for error messages.
    redacted_url: String,
}

impl DatabaseModule {
    /// Connects with the settings in the environment (see [`Config::from_env`]).
    pub async fn from_env() -> Result<Self, DbError> {
        Self::connect(Config::from_env()?).await
    }

    /// Connects with `config`, builds the dispatch table and, unless disabled,
    /// applies pending migrations.
    ///
    /// The dispatch table is built before any connection is made, so an
    /// inconsistent registry fails fast.
    pub async fn connect(config: Config) -> Result<Self, DbError> {
        config.check_url()?;
        let engine = match config.provider {
            Provider::Sqlite => Engine::Sqlite(connect_sqlite(&config)?),
            Provider::Postgres => Engine::Postgres(connect_postgres(&config)?),
            Provider::MySql => Engine::MySql(connect_mysql(&config)?),
        };
        let module = DatabaseModule {
            engine: Arc::new(engine),
        };
        tracing::info!(
            target: "dbops",
            provider = config.provider.as_str(),
            url = %config.redacted_url(),
            operations = module.operation_count(),
            "database module created; connections open on first use"
        );
        if config.auto_migrate {
            module.migrate().await?;
        }
        Ok(module)
    }

    /// Returns the selected provider.
    pub fn provider(&self) -> Provider {
        match &*self.engine {
            Engine::Sqlite(_) => Provider::Sqlite,
            Engine::Postgres(_) => Provider::Postgres,
            Engine::MySql(_) => Provider::MySql,
        }
    }

    /// Returns the number of operations in the dispatch table.
    pub fn operation_count(&self) -> usize {
        match &*self.engine {
            Engine::Sqlite(engine) => engine.table.len(),
            Engine::Postgres(engine) => engine.table.len(),
            Engine::MySql(engine) => engine.table.len(),
        }
    }

    /// Returns the URNs of the dispatch table, sorted.
    pub fn urns(&self) -> Vec<&'static str> {
        let mut urns: Vec<_> = match &*self.engine {
            Engine::Sqlite(engine) => engine.table.urns(),
            Engine::Postgres(engine) => engine.table.urns(),
            Engine::MySql(engine) => engine.table.urns(),
        };
        urns.sort_unstable();
        urns
    }

    /// Applies pending migrations and returns the ones it applied.
    pub async fn migrate(&self) -> Result<Vec<AppliedMigration>, DbError> {
        // The engine's `acquire` names the server when no connection comes.
        match &*self.engine {
            Engine::Sqlite(engine) => migrate::run(&mut engine.acquire().await?).await,
            Engine::Postgres(engine) => migrate::run(&mut engine.acquire().await?).await,
            Engine::MySql(engine) => migrate::run(&mut engine.acquire().await?).await,
        }
    }

    /// Runs the operation named `urn` with a JSON payload and returns its
    /// result as JSON text, the form an RPC layer sends on.
    ///
    /// The handler is found with one hash lookup of `urn`. Only when that fails
    /// is the URN parsed, to return `invalid_urn` or `unknown_operation` with
    /// the closest known URN. The result is written straight from the typed
    /// response, without building a [`Value`] tree. [`run_value`](Self::run_value)
    /// returns a tree.
    pub async fn run(&self, urn: &str, payload: Value) -> Result<Box<RawValue>, DbError> {
        self.run_text(urn, payload).await.map(|(text, _)| text)
    }

    /// Runs the operation named `urn` as [`run`](Self::run) does, and returns
    /// the result as a [`Value`], for callers that read its fields.
    ///
    /// The value is parsed from the JSON text that `run` returns.
    pub async fn run_value(&self, urn: &str, payload: Value) -> Result<Value, DbError> {
        let (text, info) = self.run_text(urn, payload).await?;
        text_to_value(info, &text)
    }

    async fn run_text(
        &self,
        urn: &str,
        payload: Value,
    ) -> Result<(Box<RawValue>, &'static OperationInfo), DbError> {
        match &*self.engine {
            Engine::Sqlite(engine) => engine.run(urn, payload).await,
            Engine::Postgres(engine) => engine.run(urn, payload).await,
            Engine::MySql(engine) => engine.run(urn, payload).await,
        }
    }

    /// Runs a typed request; the generated client functions call this.
    ///
    /// The future is declared `Send`, like those of [`Transaction::call`] and
    /// [`Executor::call`], so rustc proves it once here, not per operation.
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would leave the `Send` bound to be inferred"
    )]
    pub fn call<O>(
        &self,
        request: O,
    ) -> impl Future<Output = Result<O::Response, DbError>> + Send + '_
    where
        O: AnyHandler,
    {
        async move {
            match &*self.engine {
                Engine::Sqlite(engine) => engine.call(request).await,
                Engine::Postgres(engine) => engine.call(request).await,
                Engine::MySql(engine) => engine.call(request).await,
            }
        }
    }

    /// Starts a transaction that typed calls and [`Transaction::run`] accept.
    ///
    /// Dropping the transaction without [`Transaction::commit`] rolls it back.
    /// On SQLite the transaction is `BEGIN IMMEDIATE`: it holds the write lock
    /// from the start.
    pub async fn begin(&self) -> Result<Transaction, DbError> {
        let connection = match &*self.engine {
            Engine::Sqlite(engine) => {
                TransactionConnection::Sqlite(engine.pool.begin_with("BEGIN IMMEDIATE").await?)
            }
            Engine::Postgres(engine) => TransactionConnection::Postgres(engine.pool.begin().await?),
            Engine::MySql(engine) => TransactionConnection::MySql(engine.pool.begin().await?),
        };
        Ok(Transaction {
            module: self.clone(),
            connection,
        })
    }

    /// Closes every pooled connection; later calls fail with `unavailable`.
    pub async fn close(&self) {
        match &*self.engine {
            Engine::Sqlite(engine) => engine.pool.close().await,
            Engine::Postgres(engine) => engine.pool.close().await,
            Engine::MySql(engine) => engine.pool.close().await,
        }
    }

    /// Returns the SQLite pool, for benchmarks and tests that compare with raw sqlx.
    pub fn sqlite_pool(&self) -> Option<&Pool<Sqlite>> {
        match &*self.engine {
            Engine::Sqlite(engine) => Some(&engine.pool),
            _ => None,
        }
    }

    /// Returns the PostgreSQL pool, for benchmarks and tests that compare with raw sqlx.
    pub fn postgres_pool(&self) -> Option<&Pool<Postgres>> {
        match &*self.engine {
            Engine::Postgres(engine) => Some(&engine.pool),
            _ => None,
        }
    }

    /// Returns the MySQL pool, for benchmarks and tests that compare with raw sqlx.
    pub fn mysql_pool(&self) -> Option<&Pool<MySql>> {
        match &*self.engine {
            Engine::MySql(engine) => Some(&engine.pool),
            _ => None,
        }
    }
}

impl fmt::Debug for DatabaseModule {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("DatabaseModule")
            .field("provider", &self.provider())
            .field("operations", &self.operation_count())
            .finish_non_exhaustive()
    }
}

impl<DB: Backend> ProviderEngine<DB> {
    fn new(pool: Pool<DB>, config: &Config) -> Result<Self, DbError> {
        Ok(ProviderEngine {
            pool,
            table: DispatchTable::build()?,
            redacted_url: config.redacted_url(),
        })
    }

    /// Takes a connection from the pool, naming the server when none comes in time.
    async fn acquire(&self) -> Result<sqlx::pool::PoolConnection<DB>, DbError> {
        self.pool.acquire().await.map_err(|error| match error {
            sqlx::Error::PoolTimedOut => DbError::unavailable(format!(
                "no connection to {} within {:?}; check that the server is running and \
                 reachable, or raise DATABASE_ACQUIRE_TIMEOUT",
                self.redacted_url,
                self.pool.options().get_acquire_timeout()
            ))
            .with_source(error),
            other => DbError::from(other),
        })
    }

    async fn run(
        &self,
        urn: &str,
        payload: Value,
    ) -> Result<(Box<RawValue>, &'static OperationInfo), DbError> {
        let Some(registration) = self.table.get(urn) else {
            return Err(lookup_error(urn, &self.table.urns()));
        };
        let text = instrument(registration.info, DB::PROVIDER, async {
            let mut conn = self.acquire().await?;
            (registration.handler)(&mut conn, payload)?.await
        })
        .await?;
        Ok((text, registration.info))
    }

    async fn call<O: Handler<DB>>(&self, request: O) -> Result<O::Response, DbError> {
        instrument(O::INFO, DB::PROVIDER, async {
            let mut conn = self.acquire().await?;
            handle_typed::<DB, O>(&mut conn, request).await
        })
        .await
    }
}

/// A transaction on the module's database that groups several calls.
///
/// ```no_run
/// # async fn example(db: &db_core::DatabaseModule) -> Result<(), db_core::DbError> {
/// use serde_json::json;
///
/// let mut transaction = db.begin().await?;
/// transaction
///     .run("db:system:config:upsert_config:1", json!({"key": "a", "value": "1"}))
///     .await?;
/// transaction
///     .run("db:system:config:upsert_config:1", json!({"key": "b", "value": "2"}))
///     .await?;
/// transaction.commit().await?;
/// # Ok(()) }
/// ```
pub struct Transaction {
    module: DatabaseModule,
    connection: TransactionConnection,
}

enum TransactionConnection {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
    MySql(sqlx::Transaction<'static, MySql>),
}

impl Transaction {
    /// Runs the operation named `urn` inside this transaction, as
    /// [`DatabaseModule::run`] does.
    pub async fn run(&mut self, urn: &str, payload: Value) -> Result<Box<RawValue>, DbError> {
        self.run_text(urn, payload).await.map(|(text, _)| text)
    }

    /// Runs the operation named `urn` inside this transaction, as
    /// [`DatabaseModule::run_value`] does.
    pub async fn run_value(&mut self, urn: &str, payload: Value) -> Result<Value, DbError> {
        let (text, info) = self.run_text(urn, payload).await?;
        text_to_value(info, &text)
    }

    async fn run_text(
        &mut self,
        urn: &str,
        payload: Value,
    ) -> Result<(Box<RawValue>, &'static OperationInfo), DbError> {
        async fn run_in<DB: Backend>(
            engine: &ProviderEngine<DB>,
            conn: &mut DB::Connection,
            urn: &str,
            payload: Value,
        ) -> Result<(Box<RawValue>, &'static OperationInfo), DbError> {
            let Some(registration) = engine.table.get(urn) else {
                return Err(lookup_error(urn, &engine.table.urns()));
            };
            let call = async { (registration.handler)(conn, payload)?.await };
            let text = instrument(registration.info, DB::PROVIDER, call).await?;
            Ok((text, registration.info))
        }

        match (&*self.module.engine, &mut self.connection) {
            (Engine::Sqlite(engine), TransactionConnection::Sqlite(conn)) => {
                run_in(engine, conn, urn, payload).await
            }
            (Engine::Postgres(engine), TransactionConnection::Postgres(conn)) => {
                run_in(engine, conn, urn, payload).await
            }
            (Engine::MySql(engine), TransactionConnection::MySql(conn)) => {
                run_in(engine, conn, urn, payload).await
            }
            _ => unreachable!("a transaction always belongs to its module's provider"),
        }
    }

    /// Runs a typed request inside this transaction.
    pub fn call<O>(
        &mut self,
        request: O,
    ) -> impl Future<Output = Result<O::Response, DbError>> + Send + '_
    where
        O: AnyHandler,
    {
        async fn call_on<DB: Backend, O: Handler<DB>>(
            conn: &mut DB::Connection,
            request: O,
        ) -> Result<O::Response, DbError> {
            instrument(O::INFO, DB::PROVIDER, handle_typed::<DB, O>(conn, request)).await
        }

        async move {
            match &mut self.connection {
                TransactionConnection::Sqlite(conn) => call_on::<Sqlite, O>(conn, request).await,
                TransactionConnection::Postgres(conn) => {
                    call_on::<Postgres, O>(conn, request).await
                }
                TransactionConnection::MySql(conn) => call_on::<MySql, O>(conn, request).await,
            }
        }
    }

    /// Commits every call made in the transaction.
    pub async fn commit(self) -> Result<(), DbError> {
        match self.connection {
            TransactionConnection::Sqlite(conn) => conn.commit().await?,
            TransactionConnection::Postgres(conn) => conn.commit().await?,
            TransactionConnection::MySql(conn) => conn.commit().await?,
        }
        Ok(())
    }

    /// Undoes every call made in the transaction.
    pub async fn rollback(self) -> Result<(), DbError> {
        match self.connection {
            TransactionConnection::Sqlite(conn) => conn.rollback().await?,
            TransactionConnection::Postgres(conn) => conn.rollback().await?,
            TransactionConnection::MySql(conn) => conn.rollback().await?,
        }
        Ok(())
    }
}

impl fmt::Debug for Transaction {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Transaction")
            .field("provider", &self.module.provider())
            .finish_non_exhaustive()
    }
}

/// The target of a typed call: a pooled connection of a module, or an open transaction.
///
/// The generated client functions take `impl Into<Executor>`, so both
/// `&DatabaseModule` and `&mut Transaction` can be passed.
#[derive(Debug)]
pub enum Executor<'a> {
    /// A pooled connection of the module.
    Module(&'a DatabaseModule),
    /// The connection of an open transaction.
    Transaction(&'a mut Transaction),
}

impl<'a> From<&'a DatabaseModule> for Executor<'a> {
    fn from(module: &'a DatabaseModule) -> Self {
        Executor::Module(module)
    }
}

impl<'a> From<&'a mut Transaction> for Executor<'a> {
    fn from(transaction: &'a mut Transaction) -> Self {
        Executor::Transaction(transaction)
    }
}

impl<'a> Executor<'a> {
    /// Runs a typed request where this executor points.
    #[expect(
        clippy::manual_async_fn,
        reason = "an `async fn` would leave the `Send` bound to be inferred"
    )]
    pub fn call<O>(
        self,
        request: O,
    ) -> impl Future<Output = Result<O::Response, DbError>> + Send + 'a
    where
        O: AnyHandler,
    {
        async move {
            match self {
                Executor::Module(module) => module.call(request).await,
                Executor::Transaction(transaction) => transaction.call(request).await,
            }
        }
    }
}

/// Applies the pool settings that every provider shares.
fn pool_options<DB: sqlx::Database>(config: &Config) -> PoolOptions<DB> {
    PoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(config.acquire_timeout)
        // The pool already pings a connection when it is returned, so a second
        // ping before each call only adds a round trip.
        .test_before_acquire(false)
}

fn invalid_url(config: &Config, error: sqlx::Error) -> DbError {
    let text = error.to_string();
    let mut reason = text.as_str();
    while let Some(inner) = reason.strip_prefix("error with configuration: ") {
        reason = inner;
    }
    // The driver's message can quote the URL, so it is shown only when it
    // quotes no password.
    let reason = if crate::config::quotes_secret(&config.url, reason) {
        String::new()
    } else {
        format!(": {reason}")
    };
    let check = match config.provider {
        Provider::Sqlite => "check the path and the parameters",
        _ if crate::config::has_unencoded_user_info(&config.url) => {
            "an `@` follows the host, so the user name or password probably contains `/`, \
             `?` or `#`: percent-encode them (`%2F`, `%3F`, `%23`, and `%40` for `@`)"
        }
        Provider::Postgres | Provider::MySql => {
            "check the host, the port (1 to 65535) and the parameters"
        }
    };
    DbError::new(
        ErrorKind::InvalidConfig,
        format!(
            "DATABASE_URL `{}` is not a valid {} connection URL{reason}; {check}",
            config.redacted_url(),
            config.provider
        ),
    )
}

fn connect_sqlite(config: &Config) -> Result<ProviderEngine<Sqlite>, DbError> {
    let url = if config.url.contains(':') {
        config.url.clone()
    } else {
        format!("sqlite:{}", config.url)
    };
    let options = SqliteConnectOptions::from_str(&url)
        .map_err(|error| invalid_url(config, error))?
        .create_if_missing(true)
        .foreign_keys(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .statement_cache_capacity(config.statement_cache_capacity);

    let in_memory = is_sqlite_memory_url(&url);
    if !in_memory {
        check_sqlite_folder(config, options.get_filename())?;
    }
    let pool_options = if in_memory {
        // An in-memory database lives as long as its last connection, so the
        // pool keeps exactly one connection open for the module's lifetime.
        pool_options::<Sqlite>(config)
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
    } else {
        pool_options::<Sqlite>(config)
    };
    ProviderEngine::new(pool_options.connect_lazy_with(options), config)
}

/// Fails early when the folder of the SQLite file does not exist, because
/// SQLite then only reports that it cannot open the file.
fn check_sqlite_folder(config: &Config, file: &std::path::Path) -> Result<(), DbError> {
    let folder = match file.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => return Ok(()),
    };
    if folder.is_dir() {
        return Ok(());
    }
    Err(DbError::invalid_config(format!(
        "the folder `{}` of DATABASE_URL `{}` does not exist; create it or choose another path",
        // A URL such as `sqlite://user:password@host/x` puts the password in the folder.
        crate::config::redact_url(&folder.display().to_string()),
        config.redacted_url()
    )))
}

fn is_sqlite_memory_url(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

fn connect_postgres(config: &Config) -> Result<ProviderEngine<Postgres>, DbError> {
    let options = PgConnectOptions::from_str(&config.url)
        .map_err(|error| invalid_url(config, error))?
        .statement_cache_capacity(config.statement_cache_capacity);
    let pool: PgPoolOptions = pool_options(config);
    ProviderEngine::new(pool.connect_lazy_with(options), config)
}

fn connect_mysql(config: &Config) -> Result<ProviderEngine<MySql>, DbError> {
    let url = config.url.replacen("mariadb:", "mysql:", 1);
    let options = MySqlConnectOptions::from_str(&url)
        .map_err(|error| invalid_url(config, error))?
        .statement_cache_capacity(config.statement_cache_capacity)
        .charset("utf8mb4")
        .timezone(Some(String::from("+00:00")));
    let pool: MySqlPoolOptions = pool_options(config);
    ProviderEngine::new(pool.connect_lazy_with(options), config)
}

/// An operation implemented for every provider, as one bound for generic code.
pub trait AnyHandler: Handler<Sqlite> + Handler<Postgres> + Handler<MySql> + Operation {}

impl<O> AnyHandler for O where O: Handler<Sqlite> + Handler<Postgres> + Handler<MySql> {}
