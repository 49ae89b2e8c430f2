//! Key-value configuration entries.
//!
//! SQLite keys the table by the text itself. PostgreSQL and MySQL key it by
//! the SHA-256 digest of the key, because their indexes cannot hold a
//! 1024-character key, and they order by the key's bytes (`COLLATE "C"`,
//! `CAST(... AS BINARY)`) so every provider lists entries in the same order.

use db_core::prelude::*;

/// The maximum key length, in characters.
const MAX_KEY_CHARS: usize = 1024;
/// The maximum value length, in characters.
const MAX_VALUE_CHARS: usize = 65_536;

/// Fetches a configuration entry by key.
#[db_op("db:system:config:get_config:1")]
pub mod get_config {
    use super::*;

    pub struct Request {
        #[db(max_chars = MAX_KEY_CHARS)]
        pub key: String,
    }

    pub type Response = Option<Entry>;

    pub struct Entry {
        pub key: String,
        pub value: String,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT config_value FROM system_config WHERE config_key = ?")
                .bind(&request.key)
                .fetch_optional(conn)
                .await?;
        Ok(value.map(|value| Entry {
            key: request.key,
            value,
        }))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT config_value FROM system_config WHERE key_digest = $1")
                .bind(sha256(&request.key).as_slice())
                .fetch_optional(conn)
                .await?;
        Ok(value.map(|value| Entry {
            key: request.key,
            value,
        }))
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT config_value FROM system_config WHERE key_digest = ?")
                .bind(sha256(&request.key).as_slice())
                .fetch_optional(conn)
                .await?;
        Ok(value.map(|value| Entry {
            key: request.key,
            value,
        }))
    }
}

/// Inserts or updates a configuration entry.
///
/// The write is one atomic upsert, so concurrent upserts of one key leave
/// exactly one row, holding the value of the last one.
#[db_op("db:system:config:upsert_config:1")]
pub mod upsert_config {
    use super::*;

    pub struct Request {
        #[db(max_chars = MAX_KEY_CHARS)]
        pub key: String,
        #[db(max_chars = MAX_VALUE_CHARS)]
        pub value: String,
    }

    pub struct Response {
        pub key: String,
        pub value: String,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let (key, value) = sqlx::query_as(
            "INSERT INTO system_config (config_key, config_value) VALUES (?, ?) \
             ON CONFLICT (config_key) DO UPDATE SET config_value = excluded.config_value \
             RETURNING config_key, config_value",
        )
        .bind(request.key)
        .bind(request.value)
        .fetch_one(conn)
        .await?;
        Ok(Response { key, value })
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let (key, value) = sqlx::query_as(
            "INSERT INTO system_config (key_digest, config_key, config_value) VALUES ($1, $2, $3) \
             ON CONFLICT (key_digest) DO UPDATE SET config_value = excluded.config_value \
             RETURNING config_key, config_value",
        )
        .bind(sha256(&request.key).as_slice())
        .bind(request.key)
        .bind(request.value)
        .fetch_one(conn)
        .await?;
        Ok(Response { key, value })
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        // MySQL has no RETURNING, so the stored row is read back in the same transaction.
        let digest = sha256(&request.key);
        let mut transaction = sqlx::MySql::begin_write(conn).await?;
        sqlx::query(
            "INSERT INTO system_config (key_digest, config_key, config_value) VALUES (?, ?, ?) \
             ON DUPLICATE KEY UPDATE config_value = VALUES(config_value)",
        )
        .bind(digest.as_slice())
        .bind(&request.key)
        .bind(&request.value)
        .execute(&mut *transaction)
        .await?;
        let (key, value) = sqlx::query_as(
            "SELECT config_key, config_value FROM system_config WHERE key_digest = ?",
        )
        .bind(digest.as_slice())
        .fetch_one(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Response { key, value })
    }
}

/// Lists every configuration entry, ordered by key.
#[db_op("db:system:config:get_configs:1")]
pub mod get_configs {
    use super::*;

    pub struct Request {}

    pub type Response = Vec<Entry>;

    pub struct Entry {
        pub key: String,
        pub value: String,
    }

    async fn sqlite(conn: &mut SqliteConnection, _request: Request) -> Result<Response, DbError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT config_key, config_value FROM system_config ORDER BY config_key",
        )
        .fetch_all(conn)
        .await?;
        Ok(entries(rows))
    }

    async fn postgres(conn: &mut PgConnection, _request: Request) -> Result<Response, DbError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT config_key, config_value FROM system_config ORDER BY config_key COLLATE \"C\"",
        )
        .fetch_all(conn)
        .await?;
        Ok(entries(rows))
    }

    async fn mysql(conn: &mut MySqlConnection, _request: Request) -> Result<Response, DbError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT config_key, config_value FROM system_config \
             ORDER BY CAST(config_key AS BINARY)",
        )
        .fetch_all(conn)
        .await?;
        Ok(entries(rows))
    }

    fn entries(rows: Vec<(String, String)>) -> Vec<Entry> {
        rows.into_iter()
            .map(|(key, value)| Entry { key, value })
            .collect()
    }
}

/// Removes a configuration entry.
#[db_op("db:system:config:delete_config:1")]
pub mod delete_config {
    use super::*;

    pub struct Request {
        #[db(max_chars = MAX_KEY_CHARS)]
        pub key: String,
    }

    pub struct Response {
        /// Whether an entry existed and was removed.
        pub deleted: bool,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let deleted = sqlx::query("DELETE FROM system_config WHERE config_key = ?")
            .bind(request.key)
            .execute(conn)
            .await?;
        Ok(Response {
            deleted: deleted.rows_affected() > 0,
        })
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let deleted = sqlx::query("DELETE FROM system_config WHERE key_digest = $1")
            .bind(sha256(&request.key).as_slice())
            .execute(conn)
            .await?;
        Ok(Response {
            deleted: deleted.rows_affected() > 0,
        })
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let deleted = sqlx::query("DELETE FROM system_config WHERE key_digest = ?")
            .bind(sha256(&request.key).as_slice())
            .execute(conn)
            .await?;
        Ok(Response {
            deleted: deleted.rows_affected() > 0,
        })
    }
}
