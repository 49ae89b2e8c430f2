//! Behaviour of `db:public:links:*` on every provider.

use db_core::sqlx;
use db_core::{DatabaseModule, ErrorKind, Provider};
use db_ops::public::links::get_navbar_routes;
use dbops_tests::provider_test;
use serde_json::{Value, json};

const GET_ROUTES: &str = "db:public:links:get_navbar_routes:1";

const PUBLIC: [&str; 3] = ["/", "/about", "/docs"];

/// Returns the paths of the routes that `role_mask` may see.
async fn paths_for(db: &DatabaseModule, role_mask: Value) -> Vec<String> {
    let routes = db
        .run_value(GET_ROUTES, json!({"role_mask": role_mask}))
        .await
        .unwrap();
    paths(&routes)
}

fn paths(routes: &Value) -> Vec<String> {
    routes
        .as_array()
        .unwrap()
        .iter()
        .map(|route| route["path"].as_str().unwrap().to_owned())
        .collect()
}

/// Returns the public paths followed by `extra`.
fn public_and(extra: &[&str]) -> Vec<String> {
    PUBLIC
        .iter()
        .chain(extra)
        .map(|path| path.to_string())
        .collect()
}

/// Inserts a route with `roles = 0`.
async fn insert_route(db: &DatabaseModule, path: &str, sequence: i32) {
    match db.provider() {
        Provider::Sqlite => {
            sqlx::query(
                "INSERT INTO navbar_routes (path, name, icon, roles, sequence) \
                 VALUES (?, 'Extra', 'link', 0, ?)",
            )
            .bind(path)
            .bind(sequence)
            .execute(db.sqlite_pool().unwrap())
            .await
            .unwrap();
        }
        Provider::Postgres => {
            sqlx::query(
                "INSERT INTO navbar_routes (path, name, icon, roles, sequence) \
                 VALUES ($1, 'Extra', 'link', 0, $2)",
            )
            .bind(path)
            .bind(sequence)
            .execute(db.postgres_pool().unwrap())
            .await
            .unwrap();
        }
        Provider::MySql => {
            sqlx::query(
                "INSERT INTO navbar_routes (path, name, icon, roles, sequence) \
                 VALUES (?, 'Extra', 'link', 0, ?)",
            )
            .bind(path)
            .bind(sequence)
            .execute(db.mysql_pool().unwrap())
            .await
            .unwrap();
        }
    }
}

provider_test! {
    async fn all_routes_for_full_mask(db) {
        let routes = db.run_value(GET_ROUTES, json!({"role_mask": -1})).await.unwrap();

        assert_eq!(
            routes,
            json!([
                {"path": "/", "name": "Home", "icon": "home", "roles": 0, "sequence": 0},
                {"path": "/about", "name": "About", "icon": "info", "roles": 0, "sequence": 10},
                {"path": "/docs", "name": "Documentation", "icon": "book", "roles": 0, "sequence": 20},
                {"path": "/profile", "name": "Profile", "icon": "user", "roles": 1, "sequence": 30},
                {"path": "/sessions", "name": "Sessions", "icon": "key", "roles": 1, "sequence": 40},
                {"path": "/moderation", "name": "Moderation", "icon": "flag", "roles": 2, "sequence": 50},
                {"path": "/admin", "name": "Administration", "icon": "shield", "roles": 4, "sequence": 60},
                {"path": "/admin/config", "name": "Configuration", "icon": "settings", "roles": 6, "sequence": 70},
                {"path": "/system", "name": "System", "icon": "cpu", "roles": i64::MIN, "sequence": 80},
            ])
        );
    }
}

provider_test! {
    async fn default_mask_lists_public(db) {
        for payload in [json!({}), Value::Null, json!({"role_mask": null}), json!({"role_mask": 0})] {
            let routes = db.run_value(GET_ROUTES, payload.clone()).await.unwrap();
            assert_eq!(paths(&routes), public_and(&[]), "{payload}");
        }
    }
}

provider_test! {
    async fn mask_bits_select_routes(db) {
        let cases: [(i64, &[&str]); 8] = [
            (1, &["/profile", "/sessions"]),
            (2, &["/moderation"]),
            (4, &["/admin"]),
            (6, &["/moderation", "/admin", "/admin/config"]),
            (7, &["/profile", "/sessions", "/moderation", "/admin", "/admin/config"]),
            (8, &[]),
            (i64::MIN, &["/system"]),
            (i64::MIN | 4, &["/admin", "/system"]),
        ];
        for (mask, extra) in cases {
            assert_eq!(paths_for(db, json!(mask)).await, public_and(extra), "mask {mask}");
        }
        assert_eq!(paths_for(db, json!(-1)).await.len(), 9);
        assert_eq!(paths_for(db, json!(i64::MAX)).await.len(), 8);
    }
}

provider_test! {
    async fn routes_ordered_by_bytes(db) {
        for path in ["/Zeta", "/Ärger", "/alpha", "/a_b", "/a-b"] {
            insert_route(db, path, 15).await;
        }
        insert_route(db, "/zz", 5).await;

        let expected = [
            "/", "/zz", "/about", "/Zeta", "/a-b", "/a_b", "/alpha", "/Ärger", "/docs",
        ];
        assert_eq!(paths_for(db, json!(0)).await, expected);
    }
}

provider_test! {
    async fn invalid_mask_is_rejected(db) {
        let payloads = [
            r#"{"role_mask": 1.5}"#,
            r#"{"role_mask": 1.0}"#,
            r#"{"role_mask": "1"}"#,
            r#"{"role_mask": true}"#,
            r#"{"role_mask": [1]}"#,
            r#"{"role_mask": 9223372036854775808}"#,
            r#"{"role_mask": 18446744073709551615}"#,
            r#"{"role_mask": -9223372036854775809}"#,
        ];
        for payload in payloads {
            let error = db
                .run_value(GET_ROUTES, serde_json::from_str(payload).unwrap())
                .await
                .unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidPayload, "{payload}: {error}");
            assert!(error.message().contains("`role_mask`"), "{payload}: {error}");
        }
    }
}

provider_test! {
    async fn unknown_field_is_rejected(db) {
        for payload in [json!({"roles": 1}), json!({"role_mask": 1, "path": "/"})] {
            let error = db.run_value(GET_ROUTES, payload.clone()).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidPayload, "{payload}: {error}");
            assert!(error.message().contains("unknown field"), "{payload}: {error}");
        }
    }
}

provider_test! {
    async fn typed_client_lists_routes(db) {
        let routes = get_navbar_routes(db, 1_i64).await.unwrap();
        let paths: Vec<&str> = routes.iter().map(|route| route.path.as_str()).collect();
        assert_eq!(paths, ["/", "/about", "/docs", "/profile", "/sessions"]);
        assert_eq!(routes[3].name, "Profile");
        assert_eq!(routes[3].icon, "user");
        assert_eq!(routes[3].roles, 1);
        assert_eq!(routes[3].sequence, 30);

        let public = get_navbar_routes(db, None::<i64>).await.unwrap();
        assert_eq!(public.len(), 3);
    }
}
