//! Accounts found by, and created from, a login at an external identity provider.
//!
//! SQLite keys identities by the identifier text. PostgreSQL and MySQL key them
//! by the SHA-256 digest of the identifier, because their indexes cannot hold a
//! 1024-character key. MySQL compares provider names as bytes, because its
//! `utf8mb4_bin` collation ignores trailing spaces.

use db_core::prelude::*;
use db_core::{ErrorKind, encode_base64};

/// The maximum length of a provider name, identifier, e-mail address or display
/// name, in characters.
const MAX_TEXT_CHARS: usize = 1024;

/// The credits that a new account starts with.
const STARTING_CREDITS: i64 = 50;

/// Finds the account linked to an identity at an external provider.
#[db_op("db:users:providers:get_by_provider_identifier:1")]
pub mod get_by_provider_identifier {
    use super::*;

    pub struct Request {
        /// The provider's name, such as `microsoft`.
        #[db(max_chars = MAX_TEXT_CHARS)]
        pub provider: String,
        /// The identity's id at the provider.
        #[db(max_chars = MAX_TEXT_CHARS)]
        pub provider_identifier: String,
    }

    pub type Response = Option<Account>;

    pub struct Account {
        pub guid: Guid,
        pub display_name: String,
        pub email: String,
        pub credits: i64,
        /// The provider of the identity that was looked up.
        pub provider_name: String,
        pub provider_display: String,
        /// The profile image as standard base64.
        pub profile_image: Option<String>,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT u.guid, u.display_name, u.email, u.credits, p.name, p.display, i.image \
             FROM auth_providers p \
             JOIN user_identities ui ON ui.provider_id = p.id \
             JOIN users u ON u.guid = ui.user_guid \
             LEFT JOIN user_profile_images i ON i.user_guid = u.guid \
             WHERE p.name = ? AND ui.provider_identifier = ?",
        )
        .bind(&request.provider)
        .bind(&request.provider_identifier)
        .fetch_optional(conn)
        .await?;
        Ok(row.map(account))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT u.guid, u.display_name, u.email, u.credits, p.name, p.display, i.image \
             FROM auth_providers p \
             JOIN user_identities ui ON ui.provider_id = p.id \
             JOIN users u ON u.guid = ui.user_guid \
             LEFT JOIN user_profile_images i ON i.user_guid = u.guid \
             WHERE p.name = $1 AND ui.identifier_digest = $2",
        )
        .bind(&request.provider)
        .bind(sha256(&request.provider_identifier).as_slice())
        .fetch_optional(conn)
        .await?;
        Ok(row.map(account))
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<AccountRow> = sqlx::query_as(
            "SELECT u.guid, u.display_name, u.email, u.credits, p.name, p.display, i.image \
             FROM auth_providers p \
             JOIN user_identities ui ON ui.provider_id = p.id \
             JOIN users u ON u.guid = ui.user_guid \
             LEFT JOIN user_profile_images i ON i.user_guid = u.guid \
             WHERE CAST(p.name AS BINARY) = CAST(? AS BINARY) AND ui.identifier_digest = ?",
        )
        .bind(&request.provider)
        .bind(sha256(&request.provider_identifier).as_slice())
        .fetch_optional(conn)
        .await?;
        Ok(row.map(account))
    }

    /// The selected columns, in the order of [`Account`]'s fields.
    type AccountRow = (Guid, String, String, i64, String, String, Option<Vec<u8>>);

    fn account(row: AccountRow) -> Account {
        let (guid, display_name, email, credits, provider_name, provider_display, image) = row;
        Account {
            guid,
            display_name,
            email,
            credits,
            provider_name,
            provider_display,
            profile_image: image.as_deref().map(encode_base64),
        }
    }
}

/// Creates an account from a first login at an external provider.
///
/// The account, with the provider as its default and the starting credits,
/// and the link to the identity are written in one transaction. An identity
/// that is already linked is a conflict and leaves every account unchanged.
#[db_op("db:users:providers:create_from_provider:1")]
pub mod create_from_provider {
    use super::*;

    pub struct Request {
        /// The provider's name, such as `microsoft`.
        #[db(max_chars = MAX_TEXT_CHARS)]
        pub provider: String,
        /// The identity's id at the provider.
        #[db(max_chars = MAX_TEXT_CHARS)]
        pub provider_identifier: String,
        #[db(max_chars = MAX_TEXT_CHARS)]
        pub provider_email: String,
        #[db(max_chars = MAX_TEXT_CHARS)]
        pub provider_displayname: String,
    }

    /// The new account, as `get_by_provider_identifier` returns it.
    pub struct Response {
        pub guid: Guid,
        pub display_name: String,
        pub email: String,
        pub credits: i64,
        pub provider_name: String,
        pub provider_display: String,
        /// Always `None`: a new account has no profile image.
        pub profile_image: Option<String>,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let account = NewAccount::new();
        let mut transaction = sqlx::Sqlite::begin_write(conn).await?;
        let row = sqlx::query_as("SELECT id, name, display FROM auth_providers WHERE name = ?")
            .bind(&request.provider)
            .fetch_optional(&mut *transaction)
            .await?;
        let (provider_id, provider_name, provider_display): (i64, String, String) =
            found_provider(row, &mut *transaction, &request.provider).await?;

        let linked: Option<Guid> = sqlx::query_scalar(
            "SELECT user_guid FROM user_identities \
             WHERE provider_id = ? AND provider_identifier = ?",
        )
        .bind(provider_id)
        .bind(&request.provider_identifier)
        .fetch_optional(&mut *transaction)
        .await?;
        if linked.is_some() {
            return Err(already_linked(&request));
        }

        sqlx::query(
            "INSERT INTO users \
             (guid, display_name, email, display_email, credits, default_provider_id, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(account.guid)
        .bind(&request.provider_displayname)
        .bind(&request.provider_email)
        .bind(false)
        .bind(STARTING_CREDITS)
        .bind(provider_id)
        .bind(account.created_at)
        .execute(&mut *transaction)
        .await?;
        sqlx::query(
            "INSERT INTO user_identities (provider_id, provider_identifier, user_guid, \
             provider_email, provider_displayname, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(provider_id)
        .bind(&request.provider_identifier)
        .bind(account.guid)
        .bind(&request.provider_email)
        .bind(&request.provider_displayname)
        .bind(account.created_at)
        .execute(&mut *transaction)
        .await
        .map_err(|error| link_error(error, &request))?;

        transaction.commit().await?;
        Ok(account.response(&request, provider_name, provider_display))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let account = NewAccount::new();
        let digest = sha256(&request.provider_identifier);
        let mut transaction = sqlx::Postgres::begin_write(conn).await?;
        let row = sqlx::query_as("SELECT id, name, display FROM auth_providers WHERE name = $1")
            .bind(&request.provider)
            .fetch_optional(&mut *transaction)
            .await?;
        let (provider_id, provider_name, provider_display): (i16, String, String) =
            found_provider(row, &mut *transaction, &request.provider).await?;

        let linked: Option<Guid> = sqlx::query_scalar(
            "SELECT user_guid FROM user_identities \
             WHERE provider_id = $1 AND identifier_digest = $2",
        )
        .bind(provider_id)
        .bind(digest.as_slice())
        .fetch_optional(&mut *transaction)
        .await?;
        if linked.is_some() {
            return Err(already_linked(&request));
        }

        sqlx::query(
            "INSERT INTO users \
             (guid, display_name, email, display_email, credits, default_provider_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(account.guid)
        .bind(&request.provider_displayname)
        .bind(&request.provider_email)
        .bind(false)
        .bind(STARTING_CREDITS)
        .bind(provider_id)
        .bind(account.created_at)
        .execute(&mut *transaction)
        .await?;
        sqlx::query(
            "INSERT INTO user_identities (provider_id, identifier_digest, provider_identifier, \
             user_guid, provider_email, provider_displayname, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(provider_id)
        .bind(digest.as_slice())
        .bind(&request.provider_identifier)
        .bind(account.guid)
        .bind(&request.provider_email)
        .bind(&request.provider_displayname)
        .bind(account.created_at)
        .execute(&mut *transaction)
        .await
        .map_err(|error| link_error(error, &request))?;

        transaction.commit().await?;
        Ok(account.response(&request, provider_name, provider_display))
    }

    /// How many times a transaction that InnoDB chose as a deadlock victim is run.
    const MYSQL_ATTEMPTS: u32 = 5;

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        use sqlx::Connection as _;

        // InnoDB can resolve concurrent inserts of one identity as a deadlock,
        // which rolls the whole transaction back. A transaction of this call is
        // run again, and then finds the identity if the other call linked it.
        // A caller's transaction is lost with the deadlock, so there the error
        // is returned.
        let retry = !conn.is_in_transaction();
        let mut attempt = 1;
        loop {
            match create_mysql(conn, &request).await {
                Err(error) if retry && attempt < MYSQL_ATTEMPTS && is_deadlock(&error) => {
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    async fn create_mysql(
        conn: &mut MySqlConnection,
        request: &Request,
    ) -> Result<Response, DbError> {
        let account = NewAccount::new();
        let digest = sha256(&request.provider_identifier);
        let mut transaction = sqlx::MySql::begin_write(conn).await?;
        let row = sqlx::query_as(
            "SELECT id, name, display FROM auth_providers \
             WHERE CAST(name AS BINARY) = CAST(? AS BINARY)",
        )
        .bind(&request.provider)
        .fetch_optional(&mut *transaction)
        .await?;
        let (provider_id, provider_name, provider_display): (i16, String, String) =
            found_provider(row, &mut *transaction, &request.provider).await?;

        // A plain (non-locking) read, because a locking read of a missing key
        // takes a gap lock, and concurrent inserts into that gap can deadlock.

        let linked: Option<Guid> = sqlx::query_scalar(
            "SELECT user_guid FROM user_identities \
             WHERE provider_id = ? AND identifier_digest = ?",
        )
        .bind(provider_id)
        .bind(digest.as_slice())
        .fetch_optional(&mut *transaction)
        .await?;
        if linked.is_some() {
            return Err(already_linked(request));
        }

        sqlx::query(
            "INSERT INTO users \
             (guid, display_name, email, display_email, credits, default_provider_id, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(account.guid)
        .bind(&request.provider_displayname)
        .bind(&request.provider_email)
        .bind(false)
        .bind(STARTING_CREDITS)
        .bind(provider_id)
        .bind(account.created_at)
        .execute(&mut *transaction)
        .await?;
        sqlx::query(
            "INSERT INTO user_identities (provider_id, provider_identifier, identifier_digest, \
             user_guid, provider_email, provider_displayname, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(provider_id)
        .bind(&request.provider_identifier)
        .bind(digest.as_slice())
        .bind(account.guid)
        .bind(&request.provider_email)
        .bind(&request.provider_displayname)
        .bind(account.created_at)
        .execute(&mut *transaction)
        .await
        .map_err(|error| link_error(error, request))?;

        transaction.commit().await?;
        Ok(account.response(request, provider_name, provider_display))
    }

    /// Returns whether `error` is InnoDB's `ER_LOCK_DEADLOCK`.
    fn is_deadlock(error: &DbError) -> bool {
        std::error::Error::source(error)
            .and_then(|source| source.downcast_ref::<sqlx::Error>())
            .and_then(sqlx::Error::as_database_error)
            .and_then(|database| database.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>())
            .is_some_and(|mysql| mysql.number() == 1213)
    }

    fn already_linked(request: &Request) -> DbError {
        DbError::conflict(format!(
            "identity `{}` of provider `{}` is already linked to an account",
            request.provider_identifier, request.provider
        ))
    }

    /// Maps a failed insert of the identity: a unique violation means that a
    /// concurrent call linked the same identity first.
    fn link_error(error: sqlx::Error, request: &Request) -> DbError {
        let mapped = DbError::from(error);
        if mapped.kind() == ErrorKind::Conflict {
            already_linked(request)
        } else {
            mapped
        }
    }
}

/// The values of a new account that the database does not supply.
struct NewAccount {
    guid: Guid,
    created_at: Timestamp,
}

impl NewAccount {
    fn new() -> Self {
        NewAccount {
            guid: Guid::new_v4(),
            created_at: Timestamp::now(),
        }
    }

    /// Returns the account as stored, with the name and display name of its provider.
    fn response(
        self,
        request: &create_from_provider::Request,
        provider_name: String,
        provider_display: String,
    ) -> create_from_provider::Response {
        create_from_provider::Response {
            guid: self.guid,
            display_name: request.provider_displayname.clone(),
            email: request.provider_email.clone(),
            credits: STARTING_CREDITS,
            provider_name,
            provider_display,
            profile_image: None,
        }
    }
}

/// Returns the row of a found auth provider, or else the `not_found` error for
/// `name`, which lists the names that the `auth_providers` table contains.
pub(super) async fn found_provider<'c, DB, T>(
    row: Option<T>,
    executor: impl sqlx::Executor<'c, Database = DB>,
    name: &str,
) -> Result<T, DbError>
where
    DB: sqlx::Database,
    for<'r> (String,): sqlx::FromRow<'r, DB::Row>,
    DB::Arguments: sqlx::IntoArguments<DB>,
{
    if let Some(row) = row {
        return Ok(row);
    }
    let known: Vec<String> = sqlx::query_scalar("SELECT name FROM auth_providers ORDER BY id")
        .fetch_all(executor)
        .await?;
    Err(DbError::not_found(format!(
        "auth provider `{name}` not found; the known providers are {}",
        known.join(", ")
    )))
}
