//! The raw sqlx variants: the same SQL as the operations, on the module's own pool.

use db_core::{DatabaseModule, Guid, sha256};

use crate::sql;

/// A row of `get_navbar_routes` as raw sqlx reads it.
pub type RouteRow = (String, String, String, i64, i32);

/// `get_roles` with `sqlx::query_scalar` on the module's pool.
pub async fn get_roles(db: &DatabaseModule, guid: Guid) -> Result<i64, sqlx::Error> {
    let sql = sql::get_roles(db.provider());
    let roles: Option<i64> = if let Some(pool) = db.sqlite_pool() {
        sqlx::query_scalar(sql)
            .bind(guid)
            .fetch_optional(pool)
            .await?
    } else if let Some(pool) = db.postgres_pool() {
        sqlx::query_scalar(sql)
            .bind(guid)
            .fetch_optional(pool)
            .await?
    } else if let Some(pool) = db.mysql_pool() {
        sqlx::query_scalar(sql)
            .bind(guid)
            .fetch_optional(pool)
            .await?
    } else {
        unreachable!("a module has one of the three pools")
    };
    Ok(roles.unwrap_or(0))
}

/// `get_config` with `sqlx::query_scalar` on the module's pool; returns `(key, value)`.
pub async fn get_config(
    db: &DatabaseModule,
    key: &str,
) -> Result<Option<(String, String)>, sqlx::Error> {
    let sql = sql::get_config(db.provider());
    let value: Option<String> = if let Some(pool) = db.sqlite_pool() {
        sqlx::query_scalar(sql)
            .bind(key)
            .fetch_optional(pool)
            .await?
    } else if let Some(pool) = db.postgres_pool() {
        sqlx::query_scalar(sql)
            .bind(sha256(key).as_slice())
            .fetch_optional(pool)
            .await?
    } else if let Some(pool) = db.mysql_pool() {
        sqlx::query_scalar(sql)
            .bind(sha256(key).as_slice())
            .fetch_optional(pool)
            .await?
    } else {
        unreachable!("a module has one of the three pools")
    };
    Ok(value.map(|value| (key.to_owned(), value)))
}

/// `get_navbar_routes` with `sqlx::query_as` on the module's pool.
pub async fn get_navbar_routes(
    db: &DatabaseModule,
    mask: i64,
) -> Result<Vec<RouteRow>, sqlx::Error> {
    let sql = sql::get_navbar_routes(db.provider());
    if let Some(pool) = db.sqlite_pool() {
        sqlx::query_as(sql).bind(mask).fetch_all(pool).await
    } else if let Some(pool) = db.postgres_pool() {
        sqlx::query_as(sql).bind(mask).fetch_all(pool).await
    } else if let Some(pool) = db.mysql_pool() {
        sqlx::query_as(sql).bind(mask).fetch_all(pool).await
    } else {
        unreachable!("a module has one of the three pools")
    }
}
