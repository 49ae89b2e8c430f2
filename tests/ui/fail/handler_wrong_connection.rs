// The `mysql` function takes a PostgreSQL connection.

mod users {
    mod profile {
        use db_core::prelude::*;

        /// Reads the roles of one user.
        #[db_op("db:users:profile:get_roles:1")]
        pub mod get_roles {
            use super::*;

            pub struct Request {
                pub id: i64,
            }

            pub struct Response {
                pub id: i64,
            }

            async fn sqlite(
                _: &mut SqliteConnection,
                request: Request,
            ) -> Result<Response, DbError> {
                Ok(Response { id: request.id })
            }

            async fn postgres(_: &mut PgConnection, request: Request) -> Result<Response, DbError> {
                Ok(Response { id: request.id })
            }

            async fn mysql(_: &mut PgConnection, request: Request) -> Result<Response, DbError> {
                Ok(Response { id: request.id })
            }
        }
    }
}

fn main() {}
