//! Item 8, context only: the same point read (`get_roles`'s SQL) with raw
//! sqlx on a `DatabaseModule` pool, with a bare sqlx connection, with rusqlite
//! (SQLite, in memory) and with tokio-postgres (PostgreSQL).
//!
//! Groups `drivers/sqlite_rusqlite`, `drivers/sqlite_connection`,
//! `drivers/postgres_tokio_postgres` and `drivers/postgres_connection`; each
//! pairs `sqlx_pool` with the other variant.

mod common;

use std::hint::black_box;

use criterion::Criterion;
use db_core::Provider;
use dbops_benches::{config, module, postgres_url, raw, runtime, sql};
use sqlx::Connection;
use tokio::runtime::Runtime;

const SQLITE_SCHEMA: &str = include_str!("../../migrations/sqlite/0001_initial.sql");

fn sqlite(criterion: &mut Criterion, runtime: &Runtime) {
    let provider = Provider::Sqlite;
    let (db, seed) = runtime
        .block_on(module(provider, config(provider)))
        .expect("in-memory SQLite is always available");
    let db = &db;
    let guid = seed.guid;
    let sql = sql::get_roles(provider);

    // rusqlite: its own in-memory database with the same schema and row.
    let connection = rusqlite::Connection::open_in_memory().unwrap();
    connection.execute_batch(SQLITE_SCHEMA).unwrap();
    connection
        .execute(
            "INSERT INTO users (guid, display_name, email, default_provider_id, created_at) \
             VALUES (?1, 'Bench', 'bench@example.com', 1, '2026-01-01T00:00:00+00:00')",
            [guid.as_uuid().as_bytes().as_slice()],
        )
        .unwrap();
    connection
        .execute(
            "INSERT INTO user_roles (user_guid, roles) VALUES (?1, 5)",
            [guid.as_uuid().as_bytes().as_slice()],
        )
        .unwrap();
    let connection = &connection;

    let mut group = criterion.benchmark_group("drivers/sqlite_rusqlite");
    common::pair(
        &mut group,
        runtime,
        "get_roles",
        "sqlx_pool",
        || async move {
            black_box(raw::get_roles(db, guid).await.unwrap());
        },
        "rusqlite",
        || async move {
            let mut statement = connection.prepare_cached(sql).unwrap();
            let roles: Option<i64> = statement
                .query_row([guid.as_uuid().as_bytes().as_slice()], |row| row.get(0))
                .map(Some)
                .or_else(|error| match error {
                    rusqlite::Error::QueryReturnedNoRows => Ok(None),
                    other => Err(other),
                })
                .unwrap();
            assert_eq!(roles, Some(5));
            black_box(roles);
        },
    );
    group.finish();

    // A bare sqlx connection on a second in-memory database, seeded the same way.
    let bare = runtime.block_on(async {
        let mut bare = sqlx::SqliteConnection::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(SQLITE_SCHEMA))
            .execute(&mut bare)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO users (guid, display_name, email, default_provider_id, created_at) \
             VALUES (?, 'Bench', 'bench@example.com', 1, '2026-01-01T00:00:00+00:00')",
        )
        .bind(guid)
        .execute(&mut bare)
        .await
        .unwrap();
        sqlx::query("INSERT INTO user_roles (user_guid, roles) VALUES (?, 5)")
            .bind(guid)
            .execute(&mut bare)
            .await
            .unwrap();
        tokio::sync::Mutex::new(bare)
    });
    let bare = &bare;
    let mut group = criterion.benchmark_group("drivers/sqlite_connection");
    common::pair(
        &mut group,
        runtime,
        "get_roles",
        "sqlx_pool",
        || async move {
            black_box(raw::get_roles(db, guid).await.unwrap());
        },
        "sqlx_connection",
        || async move {
            let mut conn = bare.lock().await;
            let roles: Option<i64> = sqlx::query_scalar(sql)
                .bind(guid)
                .fetch_optional(&mut *conn)
                .await
                .unwrap();
            black_box(roles.expect("seeded"));
        },
    );
    group.finish();
}

fn postgres(criterion: &mut Criterion, runtime: &Runtime) {
    let provider = Provider::Postgres;
    let Some((db, seed)) = runtime.block_on(module(provider, config(provider))) else {
        return;
    };
    let db = &db;
    let guid = seed.guid;
    let sql = sql::get_roles(provider);

    let (client, statement) = runtime.block_on(async {
        let (client, connection) = tokio_postgres::connect(&postgres_url(), tokio_postgres::NoTls)
            .await
            .expect("tokio-postgres connects");
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                eprintln!("tokio-postgres connection: {error}");
            }
        });
        let statement = client.prepare(sql).await.unwrap();
        (client, statement)
    });
    let (client, statement) = (&client, &statement);
    let mut group = criterion.benchmark_group("drivers/postgres_tokio_postgres");
    common::pair(
        &mut group,
        runtime,
        "get_roles",
        "sqlx_pool",
        || async move {
            black_box(raw::get_roles(db, guid).await.unwrap());
        },
        "tokio_postgres",
        || async move {
            let row = client
                .query_opt(statement, &[guid.as_uuid()])
                .await
                .unwrap()
                .expect("seeded");
            let roles: i64 = row.get(0);
            black_box(roles);
        },
    );
    group.finish();

    let bare = runtime.block_on(async {
        tokio::sync::Mutex::new(sqlx::PgConnection::connect(&postgres_url()).await.unwrap())
    });
    let bare = &bare;
    let mut group = criterion.benchmark_group("drivers/postgres_connection");
    common::pair(
        &mut group,
        runtime,
        "get_roles",
        "sqlx_pool",
        || async move {
            black_box(raw::get_roles(db, guid).await.unwrap());
        },
        "sqlx_connection",
        || async move {
            let mut conn = bare.lock().await;
            let roles: Option<i64> = sqlx::query_scalar(sql)
                .bind(guid)
                .fetch_optional(&mut *conn)
                .await
                .unwrap();
            black_box(roles.expect("seeded"));
        },
    );
    group.finish();
}

fn main() {
    let runtime = runtime();
    let mut criterion = common::criterion();
    sqlite(&mut criterion, &runtime);
    postgres(&mut criterion, &runtime);
    criterion.final_summary();
}
