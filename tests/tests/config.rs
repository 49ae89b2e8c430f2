//! Behaviour of `db:system:config:*` on every provider.

use db_core::ErrorKind;
use dbops_tests::provider_test;
use serde_json::json;

provider_test! {
    async fn upsert_then_get_returns_value(db) {
        let stored = db
            .run("db:system:config:upsert_config:1", json!({"key": "Version", "value": "1.0.0"}))
            .await
            .unwrap();
        assert_eq!(stored, json!({"key": "Version", "value": "1.0.0"}));

        let read = db
            .run("db:system:config:get_config:1", json!({"key": "Version"}))
            .await
            .unwrap();
        assert_eq!(read, json!({"key": "Version", "value": "1.0.0"}));
    }
}

provider_test! {
    async fn get_config_of_missing_key_is_null(db) {
        let read = db
            .run("db:system:config:get_config:1", json!({"key": "absent"}))
            .await
            .unwrap();
        assert_eq!(read, serde_json::Value::Null);
    }
}

provider_test! {
    async fn key_longer_than_limit_is_rejected(db) {
        let error = db
            .run("db:system:config:upsert_config:1", json!({"key": "k".repeat(1025), "value": "v"}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        assert!(error.message().contains("`key`"), "{error}");
        let all = db.run("db:system:config:get_configs:1", json!({})).await.unwrap();
        assert_eq!(all, json!([]));
    }
}
