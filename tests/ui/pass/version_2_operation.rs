// Version 2 of `get_roles` lives in a module named `get_roles_v2`, beside version 1.

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

            async fn postgres(
                conn: &mut PgConnection,
                request: Request,
            ) -> Result<Response, DbError> {
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

        /// Lists the roles of one user in one tenant.
        #[db_op("db:users:profile:get_roles:2")]
        pub mod get_roles_v2 {
            use super::*;

            pub struct Request {
                #[db(max_chars = 64)]
                pub login: String,
                #[db(max_chars = 32)]
                pub tenant: Option<String>,
            }

            pub struct Response {
                pub roles: Vec<String>,
            }

            const SQL: &str = "SELECT role FROM user_roles WHERE login = ? AND tenant IS ?";

            async fn sqlite(
                conn: &mut SqliteConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let roles = sqlx::query_scalar(SQL)
                    .bind(request.login)
                    .bind(request.tenant)
                    .fetch_all(conn)
                    .await?;
                Ok(Response { roles })
            }

            async fn postgres(
                conn: &mut PgConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let roles = sqlx::query_scalar(
                    "SELECT role FROM user_roles WHERE login = $1 AND tenant IS NOT DISTINCT FROM $2",
                )
                .bind(request.login)
                .bind(request.tenant)
                .fetch_all(conn)
                .await?;
                Ok(Response { roles })
            }

            async fn mysql(
                conn: &mut MySqlConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                let roles = sqlx::query_scalar(
                    "SELECT role FROM user_roles WHERE login = ? AND tenant <=> ?",
                )
                .bind(request.login)
                .bind(request.tenant)
                .fetch_all(conn)
                .await?;
                Ok(Response { roles })
            }
        }
    }
}

fn main() {
    let v1 =
        db_core::find_operation("db:users:profile:get_roles:1").expect("version 1 is registered");
    let v2 =
        db_core::find_operation("db:users:profile:get_roles:2").expect("version 2 is registered");
    assert_eq!(v1.version, 1);
    assert_eq!(v2.version, 2);
    assert_eq!(v2.function, "get_roles");
    assert!(
        v2.rust_path.ends_with("users::profile::get_roles_v2"),
        "{}",
        v2.rust_path
    );
}
