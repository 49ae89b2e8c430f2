//! Item 2: `DatabaseModule::run(urn, json)` against the typed call, on
//! in-memory SQLite, at 1, 10 and 100 returned rows (`get_navbar_routes`),
//! and at one row for `get_roles`.
//!
//! Group `dynamic/sqlite`. Each case pairs `typed` with `dynamic`
//! (`run`, which returns JSON text), and again with `dynamic_value`
//! (`run_value`, which returns a `serde_json::Value` tree) under the case name
//! suffixed `_value`. The dynamic variants build their `serde_json::Value`
//! payload inside the timed call, as a caller would.

mod common;

use std::hint::black_box;

use db_core::Provider;
use dbops_benches::{config, mask_for_rows, module, runtime};
use serde_json::json;

const NAVBAR: &str = "db:public:links:get_navbar_routes:1";
const GET_ROLES: &str = "db:users:profile:get_roles:1";

fn main() {
    let runtime = runtime();
    let mut criterion = common::criterion();
    let provider = Provider::Sqlite;
    let (db, seed) = runtime
        .block_on(module(provider, config(provider)))
        .expect("in-memory SQLite is always available");
    let db = &db;
    let mut group = criterion.benchmark_group("dynamic/sqlite");

    for rows in [1usize, 10, 100] {
        let mask = mask_for_rows(rows);
        let payload = json!({ "role_mask": mask });
        let text = runtime.block_on(db.run(NAVBAR, payload.clone())).unwrap();
        let value = runtime
            .block_on(db.run_value(NAVBAR, payload.clone()))
            .unwrap();
        assert_eq!(value.as_array().map(Vec::len), Some(rows));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(text.get()).unwrap(),
            value
        );
        eprintln!(
            "get_navbar_routes, {rows} rows: request payload {} bytes, result {} bytes",
            serde_json::to_vec(&payload).unwrap().len(),
            text.get().len()
        );
        let typed = || async move {
            let routes = db_ops::public::links::get_navbar_routes(db, Some(mask))
                .await
                .unwrap();
            assert_eq!(routes.len(), rows);
            black_box(routes);
        };
        common::pair(
            &mut group,
            &runtime,
            &format!("get_navbar_routes_{rows}"),
            "typed",
            typed,
            "dynamic",
            || async move {
                let routes = db.run(NAVBAR, json!({ "role_mask": mask })).await.unwrap();
                black_box(routes);
            },
        );
        common::pair(
            &mut group,
            &runtime,
            &format!("get_navbar_routes_{rows}_value"),
            "typed",
            typed,
            "dynamic_value",
            || async move {
                let routes = db
                    .run_value(NAVBAR, json!({ "role_mask": mask }))
                    .await
                    .unwrap();
                assert_eq!(routes.as_array().map(Vec::len), Some(rows));
                black_box(routes);
            },
        );
    }

    let guid = seed.guid;
    let guid_text = guid.to_string();
    let guid_text = guid_text.as_str();
    common::pair(
        &mut group,
        &runtime,
        "get_roles",
        "typed",
        || async move {
            black_box(db_ops::users::profile::get_roles(db, guid).await.unwrap());
        },
        "dynamic",
        || async move {
            black_box(
                db.run(GET_ROLES, json!({ "guid": guid_text }))
                    .await
                    .unwrap(),
            );
        },
    );
    group.finish();
    criterion.final_summary();
}
