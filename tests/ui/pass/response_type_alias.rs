// `Response` may be a type alias, such as a list of rows.

mod system {
    mod audit {
        use db_core::prelude::*;

        /// Lists the audit entries of one actor, newest first.
        #[db_op("db:system:audit:list_entries:1")]
        pub mod list_entries {
            use super::*;

            pub struct Request {
                #[db(max_chars = 64)]
                pub actor: String,
                pub limit: i64,
            }

            pub struct Entry {
                pub action: String,
                pub at: Timestamp,
            }

            pub type Response = Vec<Entry>;

            async fn sqlite(
                conn: &mut SqliteConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let rows: Vec<(String, Timestamp)> = sqlx::query_as(
                    "SELECT action, at FROM audit WHERE actor = ? ORDER BY at DESC LIMIT ?",
                )
                .bind(request.actor)
                .bind(request.limit)
                .fetch_all(conn)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(action, at)| Entry { action, at })
                    .collect())
            }

            async fn postgres(
                conn: &mut PgConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let rows: Vec<(String, Timestamp)> = sqlx::query_as(
                    "SELECT action, at FROM audit WHERE actor = $1 ORDER BY at DESC LIMIT $2",
                )
                .bind(request.actor)
                .bind(request.limit)
                .fetch_all(conn)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(action, at)| Entry { action, at })
                    .collect())
            }

            async fn mysql(
                conn: &mut MySqlConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let rows: Vec<(String, Timestamp)> = sqlx::query_as(
                    "SELECT action, at FROM audit WHERE actor = ? ORDER BY at DESC LIMIT ?",
                )
                .bind(request.actor)
                .bind(request.limit)
                .fetch_all(conn)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(action, at)| Entry { action, at })
                    .collect())
            }
        }
    }
}

fn main() {
    let info = db_core::find_operation("db:system:audit:list_entries:1")
        .expect("the operation is registered");
    assert_eq!(info.response, "Vec<Entry>");
}
