//! Key-value configuration entries.

use db_core::prelude::*;

/// The longest key, in characters.
const MAX_KEY_CHARS: usize = 1024;
/// The longest value, in characters.
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
        Ok(value.map(|value| Entry { key: request.key, value }))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let value: Option<String> =
            sqlx::query_scalar("SELECT config_value FROM system_config WHERE config_key = $1")
                .bind(&request.key)
                .fetch_optional(conn)
                .await?;
        Ok(value.map(|value| Entry { key: request.key, value }))
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let value: Option<String> = sqlx::query_scalar(
            "SELECT config_value FROM system_config WHERE key_digest = UNHEX(SHA2(?, 256))",
        )
        .bind(&request.key)
        .fetch_optional(conn)
        .await?;
        Ok(value.map(|value| Entry { key: request.key, value }))
    }
}
