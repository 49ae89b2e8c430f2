//! 64 concurrent calls of one write operation on one key, on every provider.
//!
//! Each test checks that no call fails, except with the documented `conflict`,
//! and that the final state is one of the written values with no duplicate row.

use db_core::{DatabaseModule, ErrorKind};
use dbops_tests::provider_test;
use futures_util::future::join_all;
use serde_json::{Value, json};

const CALLS: usize = 64;

async fn create_user(db: &DatabaseModule) -> String {
    let user = db
        .run_value(
            "db:users:providers:create_from_provider:1",
            json!({
                "provider": "microsoft",
                "provider_identifier": "concurrent-user",
                "provider_email": "c@example.com",
                "provider_displayname": "C",
            }),
        )
        .await
        .unwrap();
    user["guid"].as_str().unwrap().to_owned()
}

async fn run_all(db: &DatabaseModule, urn: &str, payloads: Vec<Value>) -> Vec<Value> {
    let calls = payloads
        .into_iter()
        .map(|payload| db.run_value(urn, payload));
    join_all(calls)
        .await
        .into_iter()
        .map(|result| result.unwrap_or_else(|error| panic!("{urn} failed: {error:?}")))
        .collect()
}

provider_test! {
    async fn concurrent_profile_images_keep_one(db) {
        let guid = create_user(db).await;
        let images: Vec<String> = (0..CALLS)
            .map(|index| db_core::encode_base64(format!("image-{index}").as_bytes()))
            .collect();
        let payloads = images
            .iter()
            .map(|image| json!({"guid": guid, "image_b64": image}))
            .collect();
        run_all(db, "db:users:profile:set_profile_image:1", payloads).await;

        let profile = db
            .run_value("db:users:profile:get_profile:1", json!({"guid": guid}))
            .await
            .unwrap();
        let stored = profile["profile_image"].as_str().unwrap();
        assert!(images.iter().any(|image| image == stored), "{stored}");
    }
}

provider_test! {
    async fn concurrent_rotkeys_keep_one(db) {
        let guid = create_user(db).await;
        let payloads = (0..CALLS)
            .map(|index| {
                json!({
                    "guid": guid,
                    "rotkey": format!("rot-{index}"),
                    "iat": "2026-12-04T18:00:00Z",
                    "exp": "2026-12-05T18:00:00+01:00",
                })
            })
            .collect();
        run_all(db, "db:users:session:set_rotkey:1", payloads).await;

        let stored = db
            .run_value("db:users:session:get_rotkey:1", json!({"guid": guid}))
            .await
            .unwrap();
        let rotkey = stored["rotkey"].as_str().unwrap();
        let index: usize = rotkey.strip_prefix("rot-").unwrap().parse().unwrap();
        assert!(index < CALLS);
        assert_eq!(stored["exp"], "2026-12-05T17:00:00Z");
    }
}

provider_test! {
    async fn concurrent_set_roles_keep_one(db) {
        let guid = create_user(db).await;
        let payloads = (0..CALLS)
            .map(|index| json!({"guid": guid, "roles": 1_i64 << (index % 63)}))
            .collect();
        run_all(db, "db:users:profile:set_roles:1", payloads).await;

        let stored = db
            .run_value("db:users:profile:get_roles:1", json!({"guid": guid}))
            .await
            .unwrap();
        let roles = stored["roles"].as_i64().unwrap();
        assert_eq!(roles.count_ones(), 1, "{roles}");
    }
}

provider_test! {
    async fn concurrent_deletes_delete_once(db) {
        db.run_value("db:system:config:upsert_config:1", json!({"key": "k", "value": "v"}))
            .await
            .unwrap();
        let payloads = (0..CALLS).map(|_| json!({"key": "k"})).collect();
        let results = run_all(db, "db:system:config:delete_config:1", payloads).await;

        let deleted = results.iter().filter(|result| result["deleted"] == true).count();
        assert_eq!(deleted, 1);
        let all = db.run_value("db:system:config:get_configs:1", json!({})).await.unwrap();
        assert_eq!(all, json!([]));
    }
}

provider_test! {
    async fn concurrent_creates_of_identity_conflict(db) {
        let calls = (0..CALLS).map(|_| {
            db.run_value(
                "db:users:providers:create_from_provider:1",
                json!({
                    "provider": "discord",
                    "provider_identifier": "one-identity",
                    "provider_email": "d@example.com",
                    "provider_displayname": "D",
                }),
            )
        });
        let results = join_all(calls).await;

        let created = results.iter().filter(|result| result.is_ok()).count();
        assert_eq!(created, 1);
        for error in results.iter().filter_map(|result| result.as_ref().err()) {
            assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        }
    }
}
