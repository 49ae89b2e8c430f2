//! A minimal operation defined outside `db-ops`.

use db_core::prelude::*;

/// Returns the text it is given, read back through the database.
#[db_op("db:testing:probe:echo:1")]
pub mod echo {
    use super::*;

    pub struct Request {
        #[db(max_chars = 64)]
        pub text: String,
    }

    pub struct Response {
        pub text: String,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let text = sqlx::query_scalar("SELECT ?")
            .bind(request.text)
            .fetch_one(conn)
            .await?;
        Ok(Response { text })
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let text = sqlx::query_scalar("SELECT $1::text")
            .bind(request.text)
            .fetch_one(conn)
            .await?;
        Ok(Response { text })
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let text = sqlx::query_scalar("SELECT CAST(? AS CHAR)")
            .bind(request.text)
            .fetch_one(conn)
            .await?;
        Ok(Response { text })
    }
}
