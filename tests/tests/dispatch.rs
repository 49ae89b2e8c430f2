//! The dispatch table, the two call paths and transactions.

use db_core::{ErrorKind, Provider};
use dbops_tests::provider_test;
use dbops_tests::testing::probe::echo;
use serde_json::json;

/// Every operation of the catalog, plus the one this crate defines.
const EXPECTED: [&str; 16] = [
    "db:auth:session:create_session:1",
    "db:auth:session:get_by_access_token:1",
    "db:public:links:get_navbar_routes:1",
    "db:system:config:delete_config:1",
    "db:system:config:get_config:1",
    "db:system:config:get_configs:1",
    "db:system:config:upsert_config:1",
    "db:testing:probe:echo:1",
    "db:users:profile:get_profile:1",
    "db:users:profile:get_roles:1",
    "db:users:profile:set_profile_image:1",
    "db:users:profile:set_roles:1",
    "db:users:providers:create_from_provider:1",
    "db:users:providers:get_by_provider_identifier:1",
    "db:users:session:get_rotkey:1",
    "db:users:session:set_rotkey:1",
];

#[test]
fn every_registry_holds_whole_catalog() {
    for provider in Provider::ALL {
        let mut urns = provider.registered_urns();
        urns.sort_unstable();
        assert_eq!(urns, EXPECTED, "{provider}");
    }
}

#[test]
fn descriptors_carry_docs_and_location() {
    let info = db_core::find_operation("db:testing:probe:echo:1").unwrap();
    assert_eq!(info.domain, "testing");
    assert_eq!(info.subsystem, "probe");
    assert_eq!(info.function, "echo");
    assert_eq!(info.version, 1);
    assert_eq!(
        info.description,
        "Returns the text it is given, read back through the database."
    );
    assert!(info.file.ends_with("testing/probe.rs"), "{}", info.file);
    assert!(
        info.rust_path.ends_with("testing::probe::echo"),
        "{}",
        info.rust_path
    );
    assert_eq!(info.request[0].name, "text");
    assert_eq!(info.request[0].max_chars, Some(64));
    for info in db_core::catalog() {
        assert!(
            !info.summary().is_empty(),
            "{} has no description",
            info.urn
        );
    }
}

provider_test! {
    async fn dispatch_table_has_expected_count(db) {
        assert_eq!(db.operation_count(), EXPECTED.len());
        assert_eq!(db.urns(), EXPECTED);
    }
}

provider_test! {
    async fn typed_and_dynamic_calls_agree(db) {
        let typed = echo(db, "hello").await.unwrap();
        assert_eq!(typed.text, "hello");
        let dynamic = db
            .run_value("db:testing:probe:echo:1", json!({"text": "hello"}))
            .await
            .unwrap();
        assert_eq!(dynamic, json!({"text": "hello"}));
    }
}

provider_test! {
    async fn run_returns_compact_json_text(db) {
        let text = db
            .run("db:testing:probe:echo:1", json!({"text": "a \"quoted\" é"}))
            .await
            .unwrap();
        assert_eq!(text.get(), r#"{"text":"a \"quoted\" é"}"#);

        db_ops::system::config::upsert_config(db, "b", "2").await.unwrap();
        db_ops::system::config::upsert_config(db, "a", "1").await.unwrap();
        let text = db.run("db:system:config:get_configs:1", json!({})).await.unwrap();
        let value = db.run_value("db:system:config:get_configs:1", json!({})).await.unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(text.get()).unwrap(), value);
        assert_eq!(value.as_array().map(Vec::len), Some(2));

        let missing = db.run("db:system:config:get_config:1", json!({"key": "none"})).await.unwrap();
        assert_eq!(missing.get(), "null");

        let error = db.run("db:testing:probe:echo:1", json!({"text": 5})).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        assert!(error.message().contains("field `text`"), "{error}");
    }
}

provider_test! {
    async fn transaction_run_returns_json_text(db) {
        let mut transaction = db.begin().await.unwrap();
        let stored = transaction
            .run("db:system:config:upsert_config:1", json!({"key": "k", "value": "v"}))
            .await
            .unwrap();
        let stored: serde_json::Value = serde_json::from_str(stored.get()).unwrap();
        assert_eq!(stored["key"], "k");
        let read = transaction
            .run_value("db:system:config:get_config:1", json!({"key": "k"}))
            .await
            .unwrap();
        assert_eq!(read["value"], "v");
        transaction.rollback().await.unwrap();
        let after = db.run("db:system:config:get_config:1", json!({"key": "k"})).await.unwrap();
        assert_eq!(after.get(), "null");
    }
}

provider_test! {
    async fn typed_call_validates_limits(db) {
        let error = echo(db, "x".repeat(65)).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        assert!(error.message().contains("`text`"), "{error}");
    }
}

provider_test! {
    async fn malformed_urn_is_invalid_urn(db) {
        for urn in ["db:users:profile", "db:users:profile:get_roles:0", "", "db:Users:profile:get_roles:1"] {
            let error = db.run_value(urn, json!({})).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidUrn, "{urn}: {error}");
        }
    }
}

provider_test! {
    async fn unknown_urn_suggests_closest(db) {
        let error = db
            .run_value("db:users:profile:get_rolez:1", json!({}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownOperation);
        assert!(error.message().contains("did you mean `db:users:profile:get_roles:1`"), "{error}");

        let error = db
            .run_value("db:users:profile:get_roles:2", json!({}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnknownOperation);
        assert!(error.message().contains("exists in version 1"), "{error}");
    }
}

provider_test! {
    async fn null_payload_means_no_fields(db) {
        let configs = db.run_value("db:system:config:get_configs:1", serde_json::Value::Null).await.unwrap();
        assert_eq!(configs, json!([]));
        let error = db.run_value("db:system:config:get_configs:1", json!([])).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        let error = db.run_value("db:system:config:get_configs:1", json!({"extra": 1})).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        assert!(error.message().contains("extra"), "{error}");
    }
}

provider_test! {
    async fn missing_field_is_named(db) {
        let error = db
            .run_value("db:system:config:upsert_config:1", json!({"key": "k"}))
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidPayload);
        assert!(error.message().contains("missing field `value`"), "{error}");
    }
}

async fn create_user(db: &db_core::DatabaseModule, identifier: &str) -> serde_json::Value {
    db.run_value(
        "db:users:providers:create_from_provider:1",
        json!({
            "provider": "microsoft",
            "provider_identifier": identifier,
            "provider_email": "alice@example.com",
            "provider_displayname": "Alice",
        }),
    )
    .await
    .unwrap()
}

provider_test! {
    async fn rolled_back_transaction_leaves_nothing(db) {
        let mut transaction = db.begin().await.unwrap();
        let user = transaction
            .run_value(
                "db:users:providers:create_from_provider:1",
                json!({
                    "provider": "microsoft",
                    "provider_identifier": "rollback-me",
                    "provider_email": "bob@example.com",
                    "provider_displayname": "Bob",
                }),
            )
            .await
            .unwrap();
        let guid = user["guid"].as_str().unwrap().to_owned();
        let roles = db_ops::users::profile::set_roles(
            &mut transaction,
            guid.parse::<db_core::Guid>().unwrap(),
            5,
        )
        .await
        .unwrap();
        assert_eq!(roles.roles, 5);
        transaction.rollback().await.unwrap();

        let found = db
            .run_value(
                "db:users:providers:get_by_provider_identifier:1",
                json!({"provider": "microsoft", "provider_identifier": "rollback-me"}),
            )
            .await
            .unwrap();
        assert_eq!(found, serde_json::Value::Null);
        let profile = db.run_value("db:users:profile:get_profile:1", json!({"guid": guid})).await.unwrap();
        assert_eq!(profile, serde_json::Value::Null);
        let roles = db.run_value("db:users:profile:get_roles:1", json!({"guid": guid})).await.unwrap();
        assert_eq!(roles, json!({"roles": 0}));
    }
}

provider_test! {
    async fn committed_transaction_persists(db) {
        let mut transaction = db.begin().await.unwrap();
        transaction
            .run_value("db:system:config:upsert_config:1", json!({"key": "a", "value": "1"}))
            .await
            .unwrap();
        db_ops::system::config::upsert_config(&mut transaction, "b", "2").await.unwrap();
        transaction.commit().await.unwrap();

        let all = db.run_value("db:system:config:get_configs:1", json!({})).await.unwrap();
        assert_eq!(all, json!([{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]));
    }
}

provider_test! {
    async fn failed_call_inside_transaction_keeps_it_usable(db) {
        let user = create_user(db, "in-transaction").await;
        let mut transaction = db.begin().await.unwrap();
        transaction
            .run_value("db:users:profile:set_roles:1", json!({"guid": user["guid"], "roles": 3}))
            .await
            .unwrap();
        let error = transaction
            .run_value(
                "db:users:providers:create_from_provider:1",
                json!({
                    "provider": "microsoft",
                    "provider_identifier": "in-transaction",
                    "provider_email": "x@example.com",
                    "provider_displayname": "X",
                }),
            )
            .await
            .unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        transaction.commit().await.unwrap();

        let roles = db.run_value("db:users:profile:get_roles:1", json!({"guid": user["guid"]})).await.unwrap();
        assert_eq!(roles, json!({"roles": 3}));
    }
}

#[tokio::test]
async fn in_memory_sqlite_keeps_data() {
    let config = db_core::Config::new(Provider::Sqlite)
        .url("sqlite::memory:")
        .max_connections(8);
    let db = db_core::DatabaseModule::connect(config).await.unwrap();
    let calls = (0..16).map(|index| {
        db.run_value(
            "db:system:config:upsert_config:1",
            json!({"key": format!("k{index}"), "value": "v"}),
        )
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap();
    }
    let all = db
        .run_value("db:system:config:get_configs:1", json!({}))
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 16);
}
