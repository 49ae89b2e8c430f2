//! Item 1: typed calls against raw sqlx with the same SQL on the same pool,
//! on in-memory SQLite, PostgreSQL and MariaDB; and the effect of the pool
//! defaults a `DatabaseModule` user gets against sqlx's own defaults.
//!
//! Groups `typed_vs_raw/{provider}` with variants `raw` and `typed`, and
//! `pool_defaults/{provider}` with `module_pool` and `sqlx_defaults`.

mod common;

use std::hint::black_box;

use criterion::Criterion;
use db_core::{DatabaseModule, Provider};
use dbops_benches::{CONFIG_KEY, Seed, config, module, raw, runtime, sql};
use tokio::runtime::Runtime;

fn typed_vs_raw(criterion: &mut Criterion, runtime: &Runtime, db: &DatabaseModule, seed: Seed) {
    let provider = db.provider();
    let mut group = criterion.benchmark_group(format!("typed_vs_raw/{provider}"));
    let guid = seed.guid;

    common::pair(
        &mut group,
        runtime,
        "get_roles",
        "raw",
        || async move {
            black_box(raw::get_roles(db, guid).await.unwrap());
        },
        "typed",
        || async move {
            black_box(db_ops::users::profile::get_roles(db, guid).await.unwrap());
        },
    );
    common::pair(
        &mut group,
        runtime,
        "get_config",
        "raw",
        || async move {
            let entry = raw::get_config(db, CONFIG_KEY).await.unwrap();
            black_box(entry.expect("seeded"));
        },
        "typed",
        || async move {
            let entry = db_ops::system::config::get_config(db, CONFIG_KEY)
                .await
                .unwrap();
            black_box(entry.expect("seeded"));
        },
    );
    for rows in [1, 100] {
        let mask = dbops_benches::mask_for_rows(rows);
        common::pair(
            &mut group,
            runtime,
            &format!("get_navbar_routes_{rows}"),
            "raw",
            || async move {
                let routes = raw::get_navbar_routes(db, mask).await.unwrap();
                assert_eq!(routes.len(), rows);
                black_box(routes);
            },
            "typed",
            || async move {
                let routes = db_ops::public::links::get_navbar_routes(db, Some(mask))
                    .await
                    .unwrap();
                assert_eq!(routes.len(), rows);
                black_box(routes);
            },
        );
    }
    group.finish();
}

/// `get_roles` with raw sqlx on the module's pool against a pool with sqlx's
/// defaults (`test_before_acquire(true)`, 100 cached statements), same size.
fn pool_defaults(criterion: &mut Criterion, runtime: &Runtime, db: &DatabaseModule, seed: Seed) {
    let provider = db.provider();
    let guid = seed.guid;
    let sql = sql::get_roles(provider);
    let mut group = criterion.benchmark_group(format!("pool_defaults/{provider}"));
    match provider {
        Provider::Sqlite => {
            // The module's in-memory database is private to its one connection,
            // so this comparison uses a shared-cache memory database that both
            // pools open.
            let url = "sqlite:file:dbops_bench_defaults?mode=memory&cache=shared";
            let Some((shared, shared_seed)) =
                runtime.block_on(module(provider, config(provider).url(url)))
            else {
                return;
            };
            let defaults = runtime.block_on(async {
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect(url)
                    .await
                    .unwrap()
            });
            let module_pool = shared.sqlite_pool().unwrap().clone();
            let guid = shared_seed.guid;
            common::pair(
                &mut group,
                runtime,
                "get_roles",
                "module_pool",
                || {
                    let pool = module_pool.clone();
                    async move {
                        let roles: Option<i64> = sqlx::query_scalar(sql)
                            .bind(guid)
                            .fetch_optional(&pool)
                            .await
                            .unwrap();
                        black_box(roles.expect("seeded"));
                    }
                },
                "sqlx_defaults",
                || {
                    let pool = defaults.clone();
                    async move {
                        let roles: Option<i64> = sqlx::query_scalar(sql)
                            .bind(guid)
                            .fetch_optional(&pool)
                            .await
                            .unwrap();
                        black_box(roles.expect("seeded"));
                    }
                },
            );
            drop(shared);
        }
        Provider::Postgres => {
            let defaults = runtime.block_on(async {
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(dbops_benches::POOL_SIZE)
                    .connect(&dbops_benches::postgres_url())
                    .await
                    .unwrap()
            });
            let module_pool = db.postgres_pool().unwrap();
            common::pair(
                &mut group,
                runtime,
                "get_roles",
                "module_pool",
                || async move {
                    let roles: Option<i64> = sqlx::query_scalar(sql)
                        .bind(guid)
                        .fetch_optional(module_pool)
                        .await
                        .unwrap();
                    black_box(roles.expect("seeded"));
                },
                "sqlx_defaults",
                || {
                    let pool = defaults.clone();
                    async move {
                        let roles: Option<i64> = sqlx::query_scalar(sql)
                            .bind(guid)
                            .fetch_optional(&pool)
                            .await
                            .unwrap();
                        black_box(roles.expect("seeded"));
                    }
                },
            );
        }
        Provider::MySql => {
            let defaults = runtime.block_on(async {
                sqlx::mysql::MySqlPoolOptions::new()
                    .max_connections(dbops_benches::POOL_SIZE)
                    .connect(&dbops_benches::mysql_url())
                    .await
                    .unwrap()
            });
            let module_pool = db.mysql_pool().unwrap();
            common::pair(
                &mut group,
                runtime,
                "get_roles",
                "module_pool",
                || async move {
                    let roles: Option<i64> = sqlx::query_scalar(sql)
                        .bind(guid)
                        .fetch_optional(module_pool)
                        .await
                        .unwrap();
                    black_box(roles.expect("seeded"));
                },
                "sqlx_defaults",
                || {
                    let pool = defaults.clone();
                    async move {
                        let roles: Option<i64> = sqlx::query_scalar(sql)
                            .bind(guid)
                            .fetch_optional(&pool)
                            .await
                            .unwrap();
                        black_box(roles.expect("seeded"));
                    }
                },
            );
        }
    }
    group.finish();
}

/// Reads the providers to run from `DBOPS_BENCH_PROVIDERS` (default `sqlite,postgres,mysql`).
fn providers() -> Vec<Provider> {
    std::env::var("DBOPS_BENCH_PROVIDERS")
        .unwrap_or_else(|_| "sqlite,postgres,mysql".to_owned())
        .split(',')
        .map(|name| name.parse().expect("a provider name"))
        .collect()
}

fn main() {
    let runtime = runtime();
    let mut criterion = common::criterion();
    for provider in providers() {
        let Some((db, seed)) = runtime.block_on(module(provider, config(provider))) else {
            continue;
        };
        eprintln!("{provider}: {} operations registered", db.operation_count());
        typed_vs_raw(&mut criterion, &runtime, &db, seed);
        pool_defaults(&mut criterion, &runtime, &db, seed);
        runtime.block_on(db.close());
    }
    criterion.final_summary();
}
