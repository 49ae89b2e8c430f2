//! The error type of every operation, with a stable machine-readable kind.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;

use sqlx::error::DatabaseError;

/// The stable kind of a [`DbError`], for callers that branch on errors.
///
/// [`ErrorKind::as_str`] is the wire form (`not_found`, ...) that RPC layers and
/// the `dbops` tool print; it never changes for an existing kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The URN does not follow `db:{domain}:{subsystem}:{function}:{version}`.
    InvalidUrn,
    /// The URN is well formed but no operation is registered under it.
    UnknownOperation,
    /// The payload is malformed, misses a field, has an unknown field or breaks a limit.
    InvalidPayload,
    /// A write refers to a user, provider or key that does not exist.
    NotFound,
    /// A write would duplicate a unique value, such as a linked identity.
    Conflict,
    /// The database cannot be reached, or no pooled connection became free in time.
    Unavailable,
    /// Anything else: a bug, a schema mismatch or an unexpected database error.
    Internal,
    /// The settings are wrong: an unknown provider, a missing or mismatched URL,
    /// a database that does not exist. Only raised while a module starts.
    InvalidConfig,
}

impl ErrorKind {
    /// Every kind, in declaration order.
    pub const ALL: [ErrorKind; 8] = [
        ErrorKind::InvalidUrn,
        ErrorKind::UnknownOperation,
        ErrorKind::InvalidPayload,
        ErrorKind::NotFound,
        ErrorKind::Conflict,
        ErrorKind::Unavailable,
        ErrorKind::Internal,
        ErrorKind::InvalidConfig,
    ];

    /// Returns the stable snake_case name of the kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidUrn => "invalid_urn",
            ErrorKind::UnknownOperation => "unknown_operation",
            ErrorKind::InvalidPayload => "invalid_payload",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::Internal => "internal",
            ErrorKind::InvalidConfig => "invalid_config",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// An operation failure: a stable [`ErrorKind`] and a message for people.
///
/// Messages name the offending field or value and never contain a password or
/// an access token, because the constructors in this crate never put one there
/// and database errors are reduced to their own message without the DSN.
pub struct DbError {
    kind: ErrorKind,
    message: Cow<'static, str>,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl DbError {
    /// Creates an error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        DbError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// Creates an `invalid_payload` error.
    pub fn invalid_payload(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::InvalidPayload, message)
    }

    /// Creates a `not_found` error.
    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    /// Creates a `conflict` error.
    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    /// Creates an `unavailable` error.
    pub fn unavailable(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unavailable, message)
    }

    /// Creates an `invalid_config` error.
    pub fn invalid_config(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::InvalidConfig, message)
    }

    /// Creates an `internal` error.
    pub fn internal(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// Attaches the underlying error, returned by [`StdError::source`].
    pub fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Puts `prefix` before the message, keeping the kind and the source.
    pub(crate) fn prefixed(mut self, prefix: &str) -> Self {
        self.message = format!("{prefix}{}", self.message).into();
        self
    }

    /// Returns the stable kind.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Returns the message without the kind.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.message)
    }
}

impl fmt::Debug for DbError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The source is left out: a driver error can quote the statement's text.
        formatter
            .debug_struct("DbError")
            .field("kind", &self.kind)
            .field("message", &self.message)
            .finish_non_exhaustive()
    }
}

impl StdError for DbError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|source| source as _)
    }
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        use sqlx::error::ErrorKind as Violation;

        let (kind, message): (ErrorKind, Cow<'static, str>) = match &error {
            sqlx::Error::Database(database) => match database.kind() {
                Violation::UniqueViolation => (
                    ErrorKind::Conflict,
                    "a row with the same unique value already exists".into(),
                ),
                Violation::ForeignKeyViolation => (
                    ErrorKind::NotFound,
                    "a referenced row does not exist".into(),
                ),
                Violation::CheckViolation | Violation::NotNullViolation => (
                    ErrorKind::InvalidPayload,
                    format!("the database rejected a value: {}", database.message()).into(),
                ),
                _ if is_missing_table(database.as_ref()) => (
                    ErrorKind::Internal,
                    format!(
                        "{}; the schema is missing or out of date: apply the migrations \
                         with `dbops migrate`, or start with DATABASE_AUTO_MIGRATE=true",
                        database.message()
                    )
                    .into(),
                ),
                _ if is_rejected_login(database.as_ref()) => (
                    ErrorKind::InvalidConfig,
                    format!(
                        "{}; check the user and password in DATABASE_URL",
                        database.message()
                    )
                    .into(),
                ),
                _ if is_missing_database(database.as_ref()) => (
                    ErrorKind::InvalidConfig,
                    format!(
                        "{}; create the database or schema first, or point DATABASE_URL \
                         at an existing one",
                        database.message()
                    )
                    .into(),
                ),
                _ if is_transient(database.as_ref()) => (
                    ErrorKind::Unavailable,
                    format!("the database is unavailable: {}", database.message()).into(),
                ),
                _ => (
                    ErrorKind::Internal,
                    format!("database error: {}", database.message()).into(),
                ),
            },
            sqlx::Error::PoolTimedOut => (
                ErrorKind::Unavailable,
                "timed out waiting for a database connection; check that the server is \
                 running or raise DATABASE_ACQUIRE_TIMEOUT"
                    .into(),
            ),
            sqlx::Error::PoolClosed => (
                ErrorKind::Unavailable,
                "the connection pool is closed".into(),
            ),
            sqlx::Error::Io(io) => (
                ErrorKind::Unavailable,
                format!("cannot reach the database: {io}").into(),
            ),
            sqlx::Error::Tls(tls) => (
                ErrorKind::Unavailable,
                format!(
                    "the TLS connection to the database failed: {tls}; check the URL's \
                     sslmode or ssl-mode parameter"
                )
                .into(),
            ),
            sqlx::Error::WorkerCrashed => (
                ErrorKind::Unavailable,
                "the database connection failed: its worker thread stopped".into(),
            ),
            other => (
                ErrorKind::Internal,
                format!("database driver error: {}", describe_without_source(other)).into(),
            ),
        };
        DbError::new(kind, message).with_source(error)
    }
}

/// Returns whether a database error reports a condition that passes by itself:
/// a lock wait that gave up, a deadlock, a server shutting down or out of
/// connections.
fn is_transient(error: &dyn DatabaseError) -> bool {
    if let Some(sqlite) = error.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
        // SQLITE_BUSY (5) and SQLITE_LOCKED (6); the low byte is the primary code.
        let primary = sqlite
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .map(|code| code & 0xff);
        return matches!(primary, Some(5 | 6));
    }
    if let Some(mysql) = error.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // ER_CON_COUNT_ERROR, ER_SERVER_SHUTDOWN, ER_LOCK_WAIT_TIMEOUT, ER_LOCK_DEADLOCK.
        return matches!(mysql.number(), 1040 | 1053 | 1205 | 1213);
    }
    // PostgreSQL SQLSTATE class 08 (connection exception), too_many_connections,
    // admin_shutdown, crash_shutdown, cannot_connect_now, lock_not_available,
    // deadlock_detected and serialization_failure.
    match error.code().as_deref() {
        Some(code) if code.starts_with("08") => true,
        Some("53300" | "57P01" | "57P02" | "57P03" | "55P03" | "40P01" | "40001") => true,
        _ => false,
    }
}

/// Returns whether a statement refers to a table that does not exist.
fn is_missing_table(error: &dyn DatabaseError) -> bool {
    if let Some(mysql) = error.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // ER_NO_SUCH_TABLE.
        return mysql.number() == 1146;
    }
    if error
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        return error.message().starts_with("no such table");
    }
    // PostgreSQL undefined_table.
    error.code().as_deref() == Some("42P01")
}

/// Returns whether the server rejected the user or password of the connection.
fn is_rejected_login(error: &dyn DatabaseError) -> bool {
    if let Some(mysql) = error.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // ER_ACCESS_DENIED_ERROR.
        return mysql.number() == 1045;
    }
    // PostgreSQL invalid_authorization_specification and invalid_password.
    matches!(error.code().as_deref(), Some("28000" | "28P01"))
}

/// Returns whether the connection names a database, schema or SQLite file
/// that does not exist or cannot be opened.
fn is_missing_database(error: &dyn DatabaseError) -> bool {
    if let Some(mysql) = error.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // ER_BAD_DB_ERROR.
        return mysql.number() == 1049;
    }
    if error
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        // SQLITE_CANTOPEN.
        return error
            .code()
            .and_then(|code| code.parse::<i32>().ok())
            .map(|code| code & 0xff)
            == Some(14);
    }
    // PostgreSQL invalid_catalog_name, and invalid_schema_name when the
    // search_path names no existing schema.
    matches!(error.code().as_deref(), Some("3D000" | "3F000"))
}

/// Renders a driver error without the details that could quote a connection string.
fn describe_without_source(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Configuration(_) => "invalid connection options".to_owned(),
        sqlx::Error::Migrate(migrate) => format!("migration failed: {migrate}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_failure_keeps_its_cause() {
        let error = DbError::from(sqlx::Error::Tls("the server does not support TLS".into()));
        assert_eq!(error.kind(), ErrorKind::Unavailable);
        assert!(
            error.message().contains("the server does not support TLS"),
            "{error}"
        );
    }
}
