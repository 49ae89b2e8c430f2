//! Behaviour of `db:system:config:*` on every provider.

use db_core::ErrorKind;
use dbops_tests::provider_test;
use serde_json::json;

provider_test! {
    async fn upsert_then_get_returns_value(db) {
        let stored = db
            .run_value("db:system:config:upsert_config:1", json!({"key": "Version", "value": "1.0.0"}))
            .await
            .unwrap();
        assert_eq!(stored, json!({"key": "Version", "value": "1.0.0"}));

        let read = db
            .run_value("db:system:config:get_config:1", json!({"key": "Version"}))
            .await
            .unwrap();
        assert_eq!(read, json!({"key": "Version", "value": "1.0.0"}));
    }
}

provider_test! {
    async fn get_config_of_missing_key_is_null(db) {
        let read = db
            .run_value("db:system:config:get_config:1", json!({"key": "absent"}))
            .await
            .unwrap();
        assert_eq!(read, serde_json::Value::Null);
    }
}

provider_test! {
    async fn key_longer_than_limit_is_rejected(db) {
        let error = db
            .run_value("db:system:config:upsert_config:1", json!({"key": "k".repeat(1025), "value": "v"}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        assert!(error.message().contains("`key`"), "{error}");
        let all = db.run_value("db:system:config:get_configs:1", json!({})).await.unwrap();
        assert_eq!(all, json!([]));
    }
}

provider_test! {
    async fn concurrent_upserts_leave_one_row(db) {
        let calls = (0..64).map(|index| {
            db.run_value(
                "db:system:config:upsert_config:1",
                json!({"key": "shared", "value": index.to_string()}),
            )
        });
        let results = futures_util::future::join_all(calls).await;
        for result in &results {
            assert!(result.is_ok(), "{result:?}");
        }
        let all = db.run_value("db:system:config:get_configs:1", json!({})).await.unwrap();
        let entries = all.as_array().unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["key"], "shared");
        let value: usize = entries[0]["value"].as_str().unwrap().parse().unwrap();
        assert!(value < 64);
    }
}

provider_test! {
    async fn keys_compare_exactly(db) {
        for key in ["a", "A", "a ", "ä"] {
            db.run_value("db:system:config:upsert_config:1", json!({"key": key, "value": key}))
                .await
                .unwrap();
        }
        let all = db.run_value("db:system:config:get_configs:1", json!({})).await.unwrap();
        assert_eq!(
            all,
            json!([
                {"key": "A", "value": "A"},
                {"key": "a", "value": "a"},
                {"key": "a ", "value": "a "},
                {"key": "ä", "value": "ä"},
            ])
        );
        let read = db.run_value("db:system:config:get_config:1", json!({"key": "a "})).await.unwrap();
        assert_eq!(read, json!({"key": "a ", "value": "a "}));
    }
}

provider_test! {
    async fn limits_are_exact(db) {
        let key = "🔑".repeat(1024);
        let value = "é".repeat(65_536);
        let stored = db
            .run_value("db:system:config:upsert_config:1", json!({"key": key, "value": value}))
            .await
            .unwrap();
        assert_eq!(stored["key"], key);
        let read = db.run_value("db:system:config:get_config:1", json!({"key": key})).await.unwrap();
        assert_eq!(read["value"], value);

        let error = db
            .run_value("db:system:config:upsert_config:1", json!({"key": "k", "value": "v".repeat(65_537)}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        assert!(error.message().contains("`value`"), "{error}");

        let error = db
            .run_value("db:system:config:upsert_config:1", json!({"key": "nul\u{0}", "value": "v"}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
    }
}

provider_test! {
    async fn delete_reports_whether_deleted(db) {
        db.run_value("db:system:config:upsert_config:1", json!({"key": "k", "value": "v"}))
            .await
            .unwrap();
        let first = db.run_value("db:system:config:delete_config:1", json!({"key": "k"})).await.unwrap();
        assert_eq!(first, json!({"deleted": true}));
        let second = db.run_value("db:system:config:delete_config:1", json!({"key": "k"})).await.unwrap();
        assert_eq!(second, json!({"deleted": false}));
    }
}

provider_test! {
    async fn typed_config_client_works(db) {
        use db_ops::system::config::{get_config, upsert_config};

        let stored = upsert_config(db, "Version", "2.0").await.unwrap();
        assert_eq!(stored.value, "2.0");
        let read = get_config(db, "Version").await.unwrap().unwrap();
        assert_eq!(read.value, "2.0");
        assert!(get_config(db, "missing").await.unwrap().is_none());
    }
}
