//! Item 6: round-robin over 1,000 distinct statements against over 10, with
//! the statement cache at sqlx's default of 100 and at this project's default
//! of 1,024 (`Config::statement_cache_capacity`).
//!
//! Groups `statements/{provider}/cache_{capacity}` with variants `distinct_10`
//! and `distinct_1000`. Each statement is a raw sqlx point read on the
//! module's pool, which carries the module's statement cache setting.
//!
//! With `DBOPS_STATEMENTS_COUNT=DISTINCT,CALLS` the binary instead prepares
//! DISTINCT statements on in-memory SQLite (cache of 1,024), runs CALLS
//! round-robin reads and exits. It is meant for `valgrind --tool=cachegrind`:
//! the difference between two CALLS values is the cost of the extra calls.

mod common;

use std::cell::Cell;
use std::hint::black_box;

use db_core::{DatabaseModule, Provider, sha256};
use dbops_benches::{CONFIG_KEY, config, module, runtime};

/// `count` distinct statements that all read the seeded configuration entry.
fn statements(provider: Provider, count: usize) -> Vec<&'static str> {
    let base = dbops_benches::sql::get_config(provider);
    (0..count)
        .map(|index| &*format!("{base} AND {index} >= 0").leak())
        .collect()
}

async fn read(db: &DatabaseModule, sql: &'static str) {
    let value: Option<String> = if let Some(pool) = db.sqlite_pool() {
        sqlx::query_scalar(sql)
            .bind(CONFIG_KEY)
            .fetch_optional(pool)
            .await
            .unwrap()
    } else if let Some(pool) = db.postgres_pool() {
        sqlx::query_scalar(sql)
            .bind(sha256(CONFIG_KEY).as_slice())
            .fetch_optional(pool)
            .await
            .unwrap()
    } else if let Some(pool) = db.mysql_pool() {
        sqlx::query_scalar(sql)
            .bind(sha256(CONFIG_KEY).as_slice())
            .fetch_optional(pool)
            .await
            .unwrap()
    } else {
        unreachable!("a module has one of the three pools")
    };
    black_box(value.expect("seeded"));
}

fn providers() -> Vec<Provider> {
    std::env::var("DBOPS_BENCH_PROVIDERS")
        .unwrap_or_else(|_| "sqlite,postgres".to_owned())
        .split(',')
        .map(|name| name.parse().expect("a provider name"))
        .collect()
}

fn count_calls(spec: &str) {
    let parsed = spec
        .split_once(',')
        .and_then(|(distinct, calls)| Some((distinct.parse().ok()?, calls.parse().ok()?)));
    let Some((distinct, calls)) = parsed else {
        panic!("DBOPS_STATEMENTS_COUNT is `{spec}`; expected DISTINCT,CALLS");
    };
    let runtime = runtime();
    let provider = Provider::Sqlite;
    let set = statements(provider, distinct);
    let config = config(provider).statement_cache_capacity(1_024);
    let (db, _) = runtime
        .block_on(module(provider, config))
        .expect("in-memory SQLite is always available");
    runtime.block_on(async {
        for sql in &set {
            read(&db, sql).await;
        }
        for step in 0..calls {
            read(&db, set[step % set.len()]).await;
        }
        db.close().await;
    });
    println!("distinct={distinct} calls={calls}");
}

fn main() {
    if let Ok(spec) = std::env::var("DBOPS_STATEMENTS_COUNT") {
        count_calls(&spec);
        return;
    }
    let runtime = runtime();
    let mut criterion = common::criterion();
    for provider in providers() {
        let few = statements(provider, 10);
        let many = statements(provider, 1_000);
        for capacity in [100, 1_024] {
            let Some((db, _)) = runtime.block_on(module(
                provider,
                config(provider).statement_cache_capacity(capacity),
            )) else {
                continue;
            };
            let db = &db;
            let mut group =
                criterion.benchmark_group(format!("statements/{provider}/cache_{capacity}"));
            let next_few = Cell::new(0usize);
            let next_many = Cell::new(0usize);
            let few = &few;
            let many = &many;
            let (next_few, next_many) = (&next_few, &next_many);
            common::pair(
                &mut group,
                &runtime,
                "get_config",
                "distinct_10",
                || {
                    let index = next_few.get();
                    next_few.set((index + 1) % few.len());
                    read(db, few[index])
                },
                "distinct_1000",
                || {
                    let index = next_many.get();
                    next_many.set((index + 1) % many.len());
                    read(db, many[index])
                },
            );
            group.finish();
            runtime.block_on(db.close());
        }
    }
    criterion.final_summary();
}
