//! The rotation key of a user's sessions, with its issued-at and expiry instants.

use db_core::prelude::*;

use super::profile::lock_user;

/// The maximum length of a rotation key, in characters.
const MAX_ROTKEY_CHARS: usize = 1024;

/// Stores a user's rotation key with its issued-at and expiry instants.
///
/// An empty key revokes the previous one.
#[db_op("db:users:session:set_rotkey:1")]
pub mod set_rotkey {
    use super::*;

    pub struct Request {
        pub guid: Guid,
        /// The key, or empty to revoke the previous one.
        #[db(max_chars = MAX_ROTKEY_CHARS)]
        pub rotkey: Secret,
        pub iat: Timestamp,
        pub exp: Timestamp,
    }

    pub struct Response {
        pub guid: Guid,
        pub iat: Timestamp,
        pub exp: Timestamp,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let mut transaction = sqlx::Sqlite::begin_write(conn).await?;
        lock_user::sqlite(&mut transaction, request.guid).await?;
        let (iat, exp) = sqlx::query_as(
            "INSERT INTO user_rotkeys (user_guid, rotkey, iat, exp) VALUES (?, ?, ?, ?) \
             ON CONFLICT (user_guid) DO UPDATE SET \
             rotkey = excluded.rotkey, iat = excluded.iat, exp = excluded.exp \
             RETURNING iat, exp",
        )
        .bind(request.guid)
        .bind(request.rotkey.expose())
        .bind(request.iat)
        .bind(request.exp)
        .fetch_one(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Response {
            guid: request.guid,
            iat,
            exp,
        })
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let mut transaction = sqlx::Postgres::begin_write(conn).await?;
        lock_user::postgres(&mut transaction, request.guid).await?;
        let (iat, exp) = sqlx::query_as(
            "INSERT INTO user_rotkeys (user_guid, rotkey, iat, exp) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_guid) DO UPDATE SET \
             rotkey = excluded.rotkey, iat = excluded.iat, exp = excluded.exp \
             RETURNING iat, exp",
        )
        .bind(request.guid)
        .bind(request.rotkey.expose())
        .bind(request.iat)
        .bind(request.exp)
        .fetch_one(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Response {
            guid: request.guid,
            iat,
            exp,
        })
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let mut transaction = sqlx::MySql::begin_write(conn).await?;
        lock_user::mysql(&mut transaction, request.guid).await?;
        sqlx::query(
            "INSERT INTO user_rotkeys (user_guid, rotkey, iat, exp) VALUES (?, ?, ?, ?) \
             ON DUPLICATE KEY UPDATE \
             rotkey = VALUES(rotkey), iat = VALUES(iat), exp = VALUES(exp)",
        )
        .bind(request.guid)
        .bind(request.rotkey.expose())
        .bind(request.iat)
        .bind(request.exp)
        .execute(&mut *transaction)
        .await?;
        let (iat, exp) = sqlx::query_as("SELECT iat, exp FROM user_rotkeys WHERE user_guid = ?")
            .bind(request.guid)
            .fetch_one(&mut *transaction)
            .await?;
        transaction.commit().await?;
        Ok(Response {
            guid: request.guid,
            iat,
            exp,
        })
    }
}

/// Reads a user's rotation key with its issued-at and expiry instants.
#[db_op("db:users:session:get_rotkey:1")]
pub mod get_rotkey {
    use super::*;

    pub struct Request {
        pub guid: Guid,
    }

    pub type Response = Option<Rotkey>;

    pub struct Rotkey {
        /// The key, which is empty when revoked.
        pub rotkey: Secret,
        pub iat: Timestamp,
        pub exp: Timestamp,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<RotkeyRow> =
            sqlx::query_as("SELECT rotkey, iat, exp FROM user_rotkeys WHERE user_guid = ?")
                .bind(request.guid)
                .fetch_optional(conn)
                .await?;
        Ok(row.map(rotkey))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<RotkeyRow> =
            sqlx::query_as("SELECT rotkey, iat, exp FROM user_rotkeys WHERE user_guid = $1")
                .bind(request.guid)
                .fetch_optional(conn)
                .await?;
        Ok(row.map(rotkey))
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<RotkeyRow> =
            sqlx::query_as("SELECT rotkey, iat, exp FROM user_rotkeys WHERE user_guid = ?")
                .bind(request.guid)
                .fetch_optional(conn)
                .await?;
        Ok(row.map(rotkey))
    }

    /// The selected columns, in the order of [`Rotkey`]'s fields.
    type RotkeyRow = (String, Timestamp, Timestamp);

    fn rotkey((rotkey, iat, exp): RotkeyRow) -> Rotkey {
        Rotkey {
            rotkey: Secret::from(rotkey),
            iat,
            exp,
        }
    }
}
