// The `postgres` function has no request parameter.

mod users {
    mod profile {
        use db_core::prelude::*;

        /// Lists the roles of one user.
        #[db_op("db:users:profile:get_roles:1")]
        pub mod get_roles {
            use super::*;

            pub struct Request {
                #[db(max_chars = 64)]
                pub login: String,
            }

            pub struct Response {
                pub roles: Vec<String>,
            }

            async fn sqlite(
                conn: &mut SqliteConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let roles = sqlx::query_scalar("SELECT role FROM user_roles WHERE login = ?")
                    .bind(request.login)
                    .fetch_all(conn)
                    .await?;
                Ok(Response { roles })
            }

            async fn postgres(conn: &mut PgConnection) -> Result<Response, DbError> {
                let roles = sqlx::query_scalar("SELECT role FROM user_roles WHERE login = $1")
                    .bind(request.login)
                    .fetch_all(conn)
                    .await?;
                Ok(Response { roles })
            }

            async fn mysql(
                conn: &mut MySqlConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let roles = sqlx::query_scalar("SELECT role FROM user_roles WHERE login = ?")
                    .bind(request.login)
                    .fetch_all(conn)
                    .await?;
                Ok(Response { roles })
            }
        }
    }
}

fn main() {}
