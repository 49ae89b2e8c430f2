//! Links of the front end's navigation bar.
//!
//! A route is shown to a caller whose role mask contains every bit of the
//! route's `roles`, which every provider evaluates as `(roles & ~mask) = 0`.
//! The form `(roles & mask) = roles` would fail on MySQL, whose bit operators
//! return unsigned 64-bit values: a route with bit 63 set (a negative `roles`)
//! would be compared unsigned with signed and never match.

use db_core::prelude::*;

/// Lists the navigation bar routes that a role mask may see, in display order.
///
/// Routes with `roles = 0` are public. The list is ordered by `sequence`, then
/// by the bytes of `path`.
#[db_op("db:public:links:get_navbar_routes:1")]
pub mod get_navbar_routes {
    use super::*;

    pub struct Request {
        /// The caller's role bits. Absent or `null` means no roles, as 0 does.
        pub role_mask: Option<i64>,
    }

    pub type Response = Vec<Route>;

    pub struct Route {
        pub path: String,
        pub name: String,
        pub icon: String,
        pub roles: i64,
        pub sequence: i32,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let rows: Vec<RouteRow> = sqlx::query_as(
            "SELECT path, name, icon, roles, sequence FROM navbar_routes \
             WHERE (roles & ~?) = 0 \
             ORDER BY sequence, path",
        )
        .bind(request.role_mask.unwrap_or(0))
        .fetch_all(conn)
        .await?;
        Ok(routes(rows))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let rows: Vec<RouteRow> = sqlx::query_as(
            "SELECT path, name, icon, roles, sequence FROM navbar_routes \
             WHERE (roles & ~$1) = 0 \
             ORDER BY sequence, path COLLATE \"C\"",
        )
        .bind(request.role_mask.unwrap_or(0))
        .fetch_all(conn)
        .await?;
        Ok(routes(rows))
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        // The mask is bound as a signed BIGINT, and `~` inverts its
        // two's-complement bits, so a mask of -1 admits every route.
        let rows: Vec<RouteRow> = sqlx::query_as(
            "SELECT path, name, icon, roles, sequence FROM navbar_routes \
             WHERE (roles & ~?) = 0 \
             ORDER BY sequence, CAST(path AS BINARY)",
        )
        .bind(request.role_mask.unwrap_or(0))
        .fetch_all(conn)
        .await?;
        Ok(routes(rows))
    }

    type RouteRow = (String, String, String, i64, i32);

    fn routes(rows: Vec<RouteRow>) -> Vec<Route> {
        rows.into_iter()
            .map(|(path, name, icon, roles, sequence)| Route {
                path,
                name,
                icon,
                roles,
                sequence,
            })
            .collect()
    }
}
