// Items other than the request, the response and the three provider
// functions pass through unchanged: helper functions with attributes or
// qualifiers, constants, and inner attributes of a function body.

mod system {
    mod stats {
        use db_core::prelude::*;

        /// Counts the rows of a table.
        #[db_op("db:system:stats:count_rows:1")]
        pub mod count_rows {
            #![allow(clippy::needless_pass_by_value)]
            use super::*;

            const QUERY: &str = "SELECT COUNT(*) FROM audit";

            pub struct Request {}

            pub struct Response {
                pub rows: i64,
            }

            #[inline]
            const fn response(rows: i64) -> Response {
                Response { rows }
            }

            #[allow(dead_code)]
            unsafe fn unused_helper() {}

            async fn sqlite(
                conn: &mut SqliteConnection,
                _request: Request,
            ) -> Result<Response, DbError> {
                #![allow(unused_mut)]
                let mut count: (i64,) = sqlx::query_as(QUERY).fetch_one(conn).await?;
                Ok(response(count.0))
            }

            async fn postgres(
                conn: &mut PgConnection,
                _request: Request,
            ) -> Result<Response, DbError> {
                let count: (i64,) = sqlx::query_as(QUERY).fetch_one(conn).await?;
                Ok(response(count.0))
            }

            async fn mysql(
                conn: &mut MySqlConnection,
                _request: Request,
            ) -> Result<Response, DbError> {
                let count: (i64,) = sqlx::query_as(QUERY).fetch_one(conn).await?;
                Ok(response(count.0))
            }
        }
    }
}

fn main() {
    let info = db_core::find_operation("db:system:stats:count_rows:1")
        .expect("the operation is registered");
    assert_eq!(info.response, "Response");
    assert!(info.request.is_empty());
}
