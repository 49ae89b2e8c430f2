//! Login sessions and the device that each one was opened from.
//!
//! An access token is stored only as its SHA-256 digest, so a session is
//! found by digest and no operation reads or returns the token itself.

use db_core::canonical_ip;
use db_core::prelude::*;

/// The maximum length of an access token, in characters.
const MAX_TOKEN_CHARS: usize = 65_536;
/// The maximum length of a device fingerprint, in characters.
const MAX_FINGERPRINT_CHARS: usize = 1024;
/// The maximum length of a user agent, in characters.
const MAX_USER_AGENT_CHARS: usize = 65_536;
/// The maximum length of an IP address in text form, reached by an IPv6
/// address that ends in an IPv4 address, such as
/// `ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255`.
const MAX_IP_ADDRESS_CHARS: usize = 45;

/// Creates a session for a user, with the device it was opened from.
///
/// The session and its device row are written in one transaction. A token
/// already in use is a conflict, and an unknown user is not found.
#[db_op("db:auth:session:create_session:1")]
pub mod create_session {
    use super::*;

    pub struct Request {
        pub user_guid: Guid,
        #[db(max_chars = MAX_TOKEN_CHARS)]
        pub access_token: Secret,
        pub expires: Timestamp,
        #[db(max_chars = MAX_FINGERPRINT_CHARS)]
        pub fingerprint: Option<String>,
        #[db(max_chars = MAX_USER_AGENT_CHARS)]
        pub user_agent: Option<String>,
        /// An IPv4 or IPv6 address, stored in its canonical text form.
        #[db(max_chars = MAX_IP_ADDRESS_CHARS)]
        pub ip_address: Option<String>,
    }

    pub struct Response {
        pub session_guid: Guid,
        pub device_guid: Guid,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let session = NewSession::prepare(request)?;
        let mut transaction = sqlx::Sqlite::begin_write(conn).await?;
        sqlx::query(
            "INSERT INTO sessions (guid, user_guid, token_digest, issued_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(session.session_guid)
        .bind(session.user_guid)
        .bind(session.token_digest.as_slice())
        .bind(session.issued_at)
        .bind(session.expires_at)
        .execute(&mut *transaction)
        .await
        .map_err(|error| session.insert_error(error))?;
        sqlx::query(
            "INSERT INTO session_devices (guid, session_guid, fingerprint, user_agent, ip_address) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(session.device_guid)
        .bind(session.session_guid)
        .bind(&session.fingerprint)
        .bind(&session.user_agent)
        .bind(&session.ip_address)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(session.response())
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let session = NewSession::prepare(request)?;
        let mut transaction = sqlx::Postgres::begin_write(conn).await?;
        sqlx::query(
            "INSERT INTO sessions (guid, user_guid, token_digest, issued_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.session_guid)
        .bind(session.user_guid)
        .bind(session.token_digest.as_slice())
        .bind(session.issued_at)
        .bind(session.expires_at)
        .execute(&mut *transaction)
        .await
        .map_err(|error| session.insert_error(error))?;
        sqlx::query(
            "INSERT INTO session_devices (guid, session_guid, fingerprint, user_agent, ip_address) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.device_guid)
        .bind(session.session_guid)
        .bind(&session.fingerprint)
        .bind(&session.user_agent)
        .bind(&session.ip_address)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(session.response())
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let session = NewSession::prepare(request)?;
        let mut transaction = sqlx::MySql::begin_write(conn).await?;
        sqlx::query(
            "INSERT INTO sessions (guid, user_guid, token_digest, issued_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(session.session_guid)
        .bind(session.user_guid)
        .bind(session.token_digest.as_slice())
        .bind(session.issued_at)
        .bind(session.expires_at)
        .execute(&mut *transaction)
        .await
        .map_err(|error| session.insert_error(error))?;
        sqlx::query(
            "INSERT INTO session_devices (guid, session_guid, fingerprint, user_agent, ip_address) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(session.device_guid)
        .bind(session.session_guid)
        .bind(&session.fingerprint)
        .bind(&session.user_agent)
        .bind(&session.ip_address)
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(session.response())
    }
}

/// Finds the session of an access token, with its device.
///
/// Expired and revoked sessions are returned too, with their `expires_at` and
/// `revoked_at`, so the caller decides whether the session is still valid.
#[db_op("db:auth:session:get_by_access_token:1")]
pub mod get_by_access_token {
    use super::*;

    pub struct Request {
        #[db(max_chars = MAX_TOKEN_CHARS)]
        pub access_token: Secret,
    }

    pub type Response = Option<Session>;

    pub struct Session {
        pub device_guid: Guid,
        pub session_guid: Guid,
        pub user_guid: Guid,
        pub issued_at: Timestamp,
        pub expires_at: Timestamp,
        pub revoked_at: Option<Timestamp>,
        pub fingerprint: Option<String>,
        pub user_agent: Option<String>,
        pub ip_address: Option<String>,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT d.guid, s.guid, s.user_guid, s.issued_at, s.expires_at, s.revoked_at, \
                    d.fingerprint, d.user_agent, d.ip_address \
             FROM sessions s JOIN session_devices d ON d.session_guid = s.guid \
             WHERE s.token_digest = ?",
        )
        .bind(sha256(request.access_token.expose()).as_slice())
        .fetch_optional(conn)
        .await?;
        Ok(row.map(session))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT d.guid, s.guid, s.user_guid, s.issued_at, s.expires_at, s.revoked_at, \
                    d.fingerprint, d.user_agent, d.ip_address \
             FROM sessions s JOIN session_devices d ON d.session_guid = s.guid \
             WHERE s.token_digest = $1",
        )
        .bind(sha256(request.access_token.expose()).as_slice())
        .fetch_optional(conn)
        .await?;
        Ok(row.map(session))
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT d.guid, s.guid, s.user_guid, s.issued_at, s.expires_at, s.revoked_at, \
                    d.fingerprint, d.user_agent, d.ip_address \
             FROM sessions s JOIN session_devices d ON d.session_guid = s.guid \
             WHERE s.token_digest = ?",
        )
        .bind(sha256(request.access_token.expose()).as_slice())
        .fetch_optional(conn)
        .await?;
        Ok(row.map(session))
    }

    /// The selected columns, in the order of [`Session`]'s fields.
    type SessionRow = (
        Guid,
        Guid,
        Guid,
        Timestamp,
        Timestamp,
        Option<Timestamp>,
        Option<String>,
        Option<String>,
        Option<String>,
    );

    fn session(row: SessionRow) -> Session {
        let (
            device_guid,
            session_guid,
            user_guid,
            issued_at,
            expires_at,
            revoked_at,
            fingerprint,
            user_agent,
            ip_address,
        ) = row;
        Session {
            device_guid,
            session_guid,
            user_guid,
            issued_at,
            expires_at,
            revoked_at,
            fingerprint,
            user_agent,
            ip_address,
        }
    }
}

/// The rows that `create_session` writes, prepared before any statement runs.
struct NewSession {
    session_guid: Guid,
    device_guid: Guid,
    user_guid: Guid,
    token_digest: [u8; 32],
    issued_at: Timestamp,
    expires_at: Timestamp,
    fingerprint: Option<String>,
    user_agent: Option<String>,
    ip_address: Option<String>,
}

impl NewSession {
    /// Digests the token and canonicalizes the IP address, so an invalid
    /// address is rejected before the transaction starts.
    fn prepare(request: create_session::Request) -> Result<Self, DbError> {
        let ip_address = request
            .ip_address
            .as_deref()
            .map(|address| canonical_ip("ip_address", address))
            .transpose()?;
        Ok(NewSession {
            session_guid: Guid::new_v4(),
            device_guid: Guid::new_v4(),
            user_guid: request.user_guid,
            token_digest: sha256(request.access_token.expose()),
            issued_at: Timestamp::now(),
            expires_at: request.expires,
            fingerprint: request.fingerprint,
            user_agent: request.user_agent,
            ip_address,
        })
    }

    /// Maps a failed insert into `sessions`. The token digest is the only
    /// unique value that can collide, and the user is the only foreign key.
    fn insert_error(&self, error: sqlx::Error) -> DbError {
        use sqlx::error::ErrorKind as Violation;

        match error.as_database_error().map(|database| database.kind()) {
            Some(Violation::UniqueViolation) => {
                DbError::conflict("the access token is already in use").with_source(error)
            }
            Some(Violation::ForeignKeyViolation) => {
                DbError::not_found(format!("user {} not found", self.user_guid)).with_source(error)
            }
            _ => DbError::from(error),
        }
    }

    fn response(&self) -> create_session::Response {
        create_session::Response {
            session_guid: self.session_guid,
            device_guid: self.device_guid,
        }
    }
}
