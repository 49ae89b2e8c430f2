//! Behaviour of `db:users:providers:*`, `db:users:profile:*` and
//! `db:users:session:*` on every provider.

use db_core::sqlx::{self, AssertSqlSafe};
use db_core::{DatabaseModule, DbError, ErrorKind, Guid, Provider, Secret, Timestamp};
use dbops_tests::provider_test;
use serde_json::{Value, json};

const GET_BY_IDENTIFIER: &str = "db:users:providers:get_by_provider_identifier:1";
const CREATE: &str = "db:users:providers:create_from_provider:1";
const GET_PROFILE: &str = "db:users:profile:get_profile:1";
const GET_ROLES: &str = "db:users:profile:get_roles:1";
const SET_ROLES: &str = "db:users:profile:set_roles:1";
const SET_IMAGE: &str = "db:users:profile:set_profile_image:1";
const SET_ROTKEY: &str = "db:users:session:set_rotkey:1";
const GET_ROTKEY: &str = "db:users:session:get_rotkey:1";

/// A well-formed guid that no test user has.
const UNKNOWN_GUID: &str = "5f0c8a9e-2b1d-4c3e-9f00-0123456789ab";

/// The maximum length of a text field of `create_from_provider`, in characters.
const MAX_TEXT_CHARS: usize = 1024;
/// The maximum length of `image_b64`, in characters.
const MAX_IMAGE_B64_CHARS: usize = 8 * 1024 * 1024;

async fn create(db: &DatabaseModule, provider: &str, identifier: &str) -> Result<Value, DbError> {
    db.run_value(
        CREATE,
        json!({
            "provider": provider,
            "provider_identifier": identifier,
            "provider_email": format!("{identifier}@example.com"),
            "provider_displayname": format!("User {identifier}"),
        }),
    )
    .await
}

/// Creates an account through `microsoft` and returns its guid.
async fn new_user(db: &DatabaseModule, identifier: &str) -> String {
    let account = create(db, "microsoft", identifier).await.unwrap();
    account["guid"].as_str().unwrap().to_owned()
}

async fn get_by_identifier(db: &DatabaseModule, provider: &str, identifier: &str) -> Value {
    db.run_value(
        GET_BY_IDENTIFIER,
        json!({"provider": provider, "provider_identifier": identifier}),
    )
    .await
    .unwrap()
}

/// Asserts that `result` failed with `kind` and a message containing `text`.
#[track_caller]
fn assert_error<T: std::fmt::Debug>(result: Result<T, DbError>, kind: ErrorKind, text: &str) {
    let error = result.unwrap_err();
    assert_eq!(error.kind(), kind, "{error}");
    assert!(error.message().contains(text), "`{text}` not in: {error}");
}

/// Counts the rows of `table` directly, bypassing the operations.
async fn count(db: &DatabaseModule, table: &str) -> i64 {
    let sql = AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}"));
    let counted = match db.provider() {
        Provider::Sqlite => {
            sqlx::query_scalar(sql)
                .fetch_one(db.sqlite_pool().unwrap())
                .await
        }
        Provider::Postgres => {
            sqlx::query_scalar(sql)
                .fetch_one(db.postgres_pool().unwrap())
                .await
        }
        Provider::MySql => {
            sqlx::query_scalar(sql)
                .fetch_one(db.mysql_pool().unwrap())
                .await
        }
    };
    counted.unwrap()
}

/// Runs a statement directly on the test database.
async fn execute(db: &DatabaseModule, statement: &str) {
    let statement = AssertSqlSafe(statement.to_owned());
    match db.provider() {
        Provider::Sqlite => sqlx::query(statement)
            .execute(db.sqlite_pool().unwrap())
            .await
            .map(drop),
        Provider::Postgres => sqlx::query(statement)
            .execute(db.postgres_pool().unwrap())
            .await
            .map(drop),
        Provider::MySql => sqlx::query(statement)
            .execute(db.mysql_pool().unwrap())
            .await
            .map(drop),
    }
    .unwrap();
}

/// Links one more identity to an account directly, as no operation does that.
async fn link_identity(db: &DatabaseModule, guid: &str, provider_id: i16, identifier: &str) {
    let guid: Guid = guid.parse().unwrap();
    let digest = db_core::sha256(identifier);
    let now = Timestamp::now();
    match db.provider() {
        Provider::Sqlite => sqlx::query(
            "INSERT INTO user_identities (provider_id, provider_identifier, user_guid, \
             provider_email, provider_displayname, created_at) VALUES (?, ?, ?, '', '', ?)",
        )
        .bind(i64::from(provider_id))
        .bind(identifier)
        .bind(guid)
        .bind(now)
        .execute(db.sqlite_pool().unwrap())
        .await
        .map(drop),
        Provider::Postgres => sqlx::query(
            "INSERT INTO user_identities (provider_id, identifier_digest, provider_identifier, \
             user_guid, provider_email, provider_displayname, created_at) \
             VALUES ($1, $2, $3, $4, '', '', $5)",
        )
        .bind(provider_id)
        .bind(digest.as_slice())
        .bind(identifier)
        .bind(guid)
        .bind(now)
        .execute(db.postgres_pool().unwrap())
        .await
        .map(drop),
        Provider::MySql => sqlx::query(
            "INSERT INTO user_identities (provider_id, identifier_digest, provider_identifier, \
             user_guid, provider_email, provider_displayname, created_at) \
             VALUES (?, ?, ?, ?, '', '', ?)",
        )
        .bind(provider_id)
        .bind(digest.as_slice())
        .bind(identifier)
        .bind(guid)
        .bind(now)
        .execute(db.mysql_pool().unwrap())
        .await
        .map(drop),
    }
    .unwrap();
}

async fn profile_image(db: &DatabaseModule, guid: &str) -> Value {
    let profile = db
        .run_value(GET_PROFILE, json!({"guid": guid}))
        .await
        .unwrap();
    profile["profile_image"].clone()
}

// ---------------------------------------------------------------- providers

provider_test! {
    async fn create_then_get_account(db) {
        let created = create(db, "microsoft", "ms-1").await.unwrap();
        let guid = created["guid"].as_str().unwrap().to_owned();
        assert!(guid.parse::<Guid>().is_ok(), "{guid}");
        let expected = json!({
            "guid": guid,
            "display_name": "User ms-1",
            "email": "ms-1@example.com",
            "credits": 50,
            "provider_name": "microsoft",
            "provider_display": "Microsoft",
            "profile_image": null,
        });
        assert_eq!(created, expected);
        assert_eq!(get_by_identifier(db, "microsoft", "ms-1").await, expected);

        let profile = db.run_value(GET_PROFILE, json!({"guid": guid})).await.unwrap();
        assert_eq!(
            profile,
            json!({
                "guid": guid,
                "display_name": "User ms-1",
                "email": "ms-1@example.com",
                "display_email": false,
                "credits": 50,
                "profile_image": null,
                "auth_providers": [{"name": "microsoft", "display": "Microsoft"}],
            })
        );
        assert_eq!(count(db, "users WHERE default_provider_id = 1").await, 1);
        assert_eq!(count(db, "user_identities").await, 1);
    }
}

provider_test! {
    async fn get_account_unknown_is_null(db) {
        new_user(db, "ms-1").await;
        assert_eq!(get_by_identifier(db, "microsoft", "ms-2").await, Value::Null);
        assert_eq!(get_by_identifier(db, "discord", "ms-1").await, Value::Null);
        assert_eq!(get_by_identifier(db, "nosuch", "ms-1").await, Value::Null);
    }
}

provider_test! {
    async fn get_account_matches_exactly(db) {
        new_user(db, "abc").await;
        for (provider, identifier) in [
            ("microsoft", "abc "),
            ("microsoft", "ABC"),
            ("microsoft", " abc"),
            ("microsoft ", "abc"),
            ("Microsoft", "abc"),
        ] {
            let account = get_by_identifier(db, provider, identifier).await;
            assert_eq!(account, Value::Null, "{provider:?} {identifier:?}");
        }
        // Identifiers that differ only in case or trailing spaces are distinct.
        let spaced = create(db, "microsoft", "abc ").await.unwrap();
        let upper = create(db, "microsoft", "ABC").await.unwrap();
        assert_ne!(spaced["guid"], upper["guid"]);
        assert_eq!(get_by_identifier(db, "microsoft", "abc ").await, spaced);
        assert_eq!(count(db, "users").await, 3);
    }
}

provider_test! {
    async fn get_account_shows_image(db) {
        let guid = new_user(db, "ms-1").await;
        db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "iVBORw0KGgo="})).await.unwrap();
        let account = get_by_identifier(db, "microsoft", "ms-1").await;
        assert_eq!(account["profile_image"], "iVBORw0KGgo=");
    }
}

provider_test! {
    async fn create_unknown_provider_not_found(db) {
        assert_error(create(db, "nosuch", "x").await, ErrorKind::NotFound, "`nosuch`");
        assert_error(
            create(db, "github", "x").await,
            ErrorKind::NotFound,
            "the known providers are microsoft, discord, google, apple",
        );
        assert_error(create(db, "microsoft ", "x").await, ErrorKind::NotFound, "`microsoft `");
        let long_name = "p".repeat(MAX_TEXT_CHARS);
        assert_error(create(db, &long_name, "x").await, ErrorKind::NotFound, "not found");
        assert_eq!(count(db, "users").await, 0);
        assert_eq!(count(db, "user_identities").await, 0);
    }
}

provider_test! {
    async fn create_linked_identity_conflicts(db) {
        let first = create(db, "microsoft", "ms-1").await.unwrap();
        let second = db
            .run_value(
                CREATE,
                json!({
                    "provider": "microsoft",
                    "provider_identifier": "ms-1",
                    "provider_email": "other@example.com",
                    "provider_displayname": "Other",
                }),
            )
            .await;
        assert_error(
            second,
            ErrorKind::Conflict,
            "identity `ms-1` of provider `microsoft` is already linked to an account",
        );
        assert_eq!(get_by_identifier(db, "microsoft", "ms-1").await, first);
        assert_eq!(count(db, "users").await, 1);
        assert_eq!(count(db, "user_identities").await, 1);
    }
}

provider_test! {
    async fn create_same_identifier_other_provider(db) {
        let microsoft = create(db, "microsoft", "id-1").await.unwrap();
        let discord = create(db, "discord", "id-1").await.unwrap();
        assert_ne!(microsoft["guid"], discord["guid"]);
        assert_eq!(discord["provider_name"], "discord");
        assert_eq!(discord["provider_display"], "Discord");
        assert_eq!(get_by_identifier(db, "discord", "id-1").await, discord);
        assert_eq!(get_by_identifier(db, "microsoft", "id-1").await, microsoft);
    }
}

provider_test! {
    async fn create_text_at_limit(db) {
        // Two-byte characters, so that a byte count would exceed the limit.
        let text = "é".repeat(MAX_TEXT_CHARS);
        let created = db
            .run_value(
                CREATE,
                json!({
                    "provider": "google",
                    "provider_identifier": text,
                    "provider_email": text,
                    "provider_displayname": text,
                }),
            )
            .await
            .unwrap();
        assert_eq!(created["email"], text.as_str());
        assert_eq!(created["display_name"], text.as_str());
        assert_eq!(get_by_identifier(db, "google", &text).await, created);
    }
}

provider_test! {
    async fn create_text_over_limit(db) {
        let valid = json!({
            "provider": "google",
            "provider_identifier": "g-1",
            "provider_email": "g-1@example.com",
            "provider_displayname": "G",
        });
        for field in [
            "provider",
            "provider_identifier",
            "provider_email",
            "provider_displayname",
        ] {
            let mut payload = valid.clone();
            payload[field] = json!("é".repeat(MAX_TEXT_CHARS + 1));
            assert_error(
                db.run_value(CREATE, payload).await,
                ErrorKind::InvalidPayload,
                &format!("field `{field}` is 1025 characters long, the maximum is 1024"),
            );
        }
        assert_eq!(count(db, "users").await, 0);
    }
}

provider_test! {
    async fn create_concurrent_one_identity(db) {
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { create(&db, "apple", "contested").await })
            })
            .collect();
        let mut created = 0;
        let mut conflicts = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => created += 1,
                Err(error) if error.kind() == ErrorKind::Conflict => conflicts += 1,
                Err(error) => panic!("unexpected {}: {error}", error.kind()),
            }
        }
        assert_eq!((created, conflicts), (1, 63));
        assert_eq!(count(db, "users").await, 1);
        assert_eq!(count(db, "user_identities").await, 1);
    }
}

provider_test! {
    async fn create_after_rolled_back_link(db) {
        use db_ops::users::providers::create_from_provider;

        // A transaction links the identity and waits while other calls block on
        // it. When it rolls back, exactly one of the blocked calls succeeds.
        let mut transaction = db.begin().await.unwrap();
        create_from_provider(&mut transaction, "apple", "contested", "a@example.com", "A")
            .await
            .unwrap();
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let db = db.clone();
                tokio::spawn(async move { create(&db, "apple", "contested").await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        transaction.rollback().await.unwrap();

        let mut created = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => created += 1,
                Err(error) if error.kind() == ErrorKind::Conflict => {}
                Err(error) => panic!("unexpected {}: {error}", error.kind()),
            }
        }
        assert_eq!(created, 1);
        assert_eq!(count(db, "users").await, 1);
    }
}

// ------------------------------------------------------------------ profile

provider_test! {
    async fn get_profile_unknown_is_null(db) {
        let profile = db.run_value(GET_PROFILE, json!({"guid": UNKNOWN_GUID})).await.unwrap();
        assert_eq!(profile, Value::Null);
        let typed = db_ops::users::profile::get_profile(db, UNKNOWN_GUID.parse::<Guid>().unwrap())
            .await
            .unwrap();
        assert_eq!(typed, None);
    }
}

provider_test! {
    async fn get_profile_lists_providers(db) {
        let guid = new_user(db, "ms-1").await;
        execute(db, "INSERT INTO auth_providers (id, name, display) VALUES (5, 'Zeta', 'Zeta')")
            .await;
        link_identity(db, &guid, 3, "g-1").await;
        link_identity(db, &guid, 3, "g-2").await;
        link_identity(db, &guid, 5, "z-1").await;
        let profile = db_ops::users::profile::get_profile(db, guid.parse::<Guid>().unwrap())
            .await
            .unwrap()
            .unwrap();
        // Byte order: upper case sorts before lower case.
        let names: Vec<_> = profile
            .auth_providers
            .iter()
            .map(|provider| (provider.name.as_str(), provider.display.as_str()))
            .collect();
        assert_eq!(
            names,
            [("Zeta", "Zeta"), ("google", "Google"), ("microsoft", "Microsoft")]
        );
    }
}

provider_test! {
    async fn get_roles_defaults_to_zero(db) {
        let guid = new_user(db, "ms-1").await;
        let roles = db.run_value(GET_ROLES, json!({"guid": guid})).await.unwrap();
        assert_eq!(roles, json!({"roles": 0}));
        let roles = db.run_value(GET_ROLES, json!({"guid": UNKNOWN_GUID})).await.unwrap();
        assert_eq!(roles, json!({"roles": 0}));
    }
}

provider_test! {
    async fn set_roles_round_trips_bits(db) {
        use db_ops::users::profile::{get_roles, set_roles};

        let guid: Guid = new_user(db, "ms-1").await.parse().unwrap();
        for roles in [1, 6, i64::MIN, -1, i64::MAX, i64::MIN + 1] {
            let stored = set_roles(db, guid, roles).await.unwrap();
            assert_eq!((stored.guid, stored.roles), (guid, roles));
            assert_eq!(get_roles(db, guid).await.unwrap().roles, roles);
        }
        assert_eq!(count(db, "user_roles").await, 1);

        let stored = db
            .run_value(SET_ROLES, json!({"guid": guid, "roles": -9223372036854775808_i64}))
            .await
            .unwrap();
        assert_eq!(stored, json!({"guid": guid, "roles": i64::MIN}));
        let read = db.run_value(GET_ROLES, json!({"guid": guid})).await.unwrap();
        assert_eq!(read, json!({"roles": -9223372036854775808_i64}));
    }
}

provider_test! {
    async fn set_roles_accepts_uppercase_guid(db) {
        let guid = new_user(db, "ms-1").await;
        let stored = db
            .run_value(SET_ROLES, json!({"guid": guid.to_uppercase(), "roles": 3}))
            .await
            .unwrap();
        assert_eq!(stored, json!({"guid": guid, "roles": 3}));
    }
}

provider_test! {
    async fn set_roles_zero_removes_mask(db) {
        let guid = new_user(db, "ms-1").await;
        db.run_value(SET_ROLES, json!({"guid": guid, "roles": 5})).await.unwrap();
        let stored = db.run_value(SET_ROLES, json!({"guid": guid, "roles": 0})).await.unwrap();
        assert_eq!(stored, json!({"guid": guid, "roles": 0}));
        assert_eq!(count(db, "user_roles").await, 0);
        assert_eq!(db.run_value(GET_ROLES, json!({"guid": guid})).await.unwrap(), json!({"roles": 0}));
        // Removing a mask that is not stored is not an error.
        let stored = db.run_value(SET_ROLES, json!({"guid": guid, "roles": 0})).await.unwrap();
        assert_eq!(stored, json!({"guid": guid, "roles": 0}));
    }
}

provider_test! {
    async fn set_roles_unknown_user(db) {
        for roles in [5, 0] {
            assert_error(
                db.run_value(SET_ROLES, json!({"guid": UNKNOWN_GUID, "roles": roles})).await,
                ErrorKind::NotFound,
                &format!("user {UNKNOWN_GUID} not found"),
            );
        }
        assert_eq!(count(db, "user_roles").await, 0);
    }
}

provider_test! {
    async fn set_roles_rejects_bad_numbers(db) {
        let guid = new_user(db, "ms-1").await;
        for roles in [
            json!(1.5),
            json!("3"),
            json!(9_223_372_036_854_775_808_u64),
            json!(-9_223_372_036_854_775_809.0),
            json!(null),
            json!(true),
        ] {
            let result = db.run_value(SET_ROLES, json!({"guid": guid, "roles": roles})).await;
            assert_error(result, ErrorKind::InvalidPayload, "field `roles`");
        }
        assert_eq!(count(db, "user_roles").await, 0);
    }
}

provider_test! {
    async fn set_roles_concurrent_one_user(db) {
        let guid: Guid = new_user(db, "ms-1").await.parse().unwrap();
        let tasks: Vec<_> = (1..=64_i64)
            .map(|roles| {
                let db = db.clone();
                tokio::spawn(async move {
                    db_ops::users::profile::set_roles(&db, guid, roles).await
                })
            })
            .collect();
        for task in tasks {
            let stored = task.await.unwrap().unwrap();
            assert_eq!(stored.guid, guid);
        }
        assert_eq!(count(db, "user_roles").await, 1);
        let roles = db_ops::users::profile::get_roles(db, guid).await.unwrap().roles;
        assert!((1..=64).contains(&roles), "{roles}");
    }
}

provider_test! {
    async fn set_image_round_trips_bytes(db) {
        let guid = new_user(db, "ms-1").await;
        let bytes: Vec<u8> = (0..=255).collect();
        let image = db_core::encode_base64(&bytes);
        let stored = db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": image})).await.unwrap();
        assert_eq!(stored, json!({"guid": guid}));
        assert_eq!(profile_image(db, &guid).await, image.as_str());
        // The account's default provider, microsoft.
        assert_eq!(count(db, "user_profile_images WHERE provider_id = 1").await, 1);

        let replaced = db
            .run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AAEC", "provider": "google"}))
            .await
            .unwrap();
        assert_eq!(replaced, json!({"guid": guid}));
        assert_eq!(profile_image(db, &guid).await, "AAEC");
        assert_eq!(count(db, "user_profile_images WHERE provider_id = 3").await, 1);
        assert_eq!(count(db, "user_profile_images").await, 1);

        db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "", "provider": null}))
            .await
            .unwrap();
        assert_eq!(profile_image(db, &guid).await, "");
        assert_eq!(count(db, "user_profile_images WHERE provider_id = 1").await, 1);
    }
}

provider_test! {
    async fn set_image_rejects_bad_base64(db) {
        let guid = new_user(db, "ms-1").await;
        for text in ["not base64!", "AAE", "AA=A", "-_-_", "AAEC\n", "data:image/png;base64,AAEC"] {
            let result = db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": text})).await;
            assert_error(result, ErrorKind::InvalidPayload, "field `image_b64`");
        }
        let result = db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AA!A"})).await;
        assert_error(result, ErrorKind::InvalidPayload, "character `!` at offset 2 is not in the alphabet");
        // The handler's error names the operation, on both call paths.
        let named = format!("invalid payload for `{SET_IMAGE}`: field `image_b64`");
        let result = db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AA!A"})).await;
        assert_error(result, ErrorKind::InvalidPayload, &named);
        let guid: Guid = guid.parse().unwrap();
        let result = db_ops::users::profile::set_profile_image(db, guid, "AA!A", None::<String>).await;
        assert_error(result, ErrorKind::InvalidPayload, &named);
        // Invalid base64 is rejected before the user is looked up.
        let result = db.run_value(SET_IMAGE, json!({"guid": UNKNOWN_GUID, "image_b64": "%"})).await;
        assert_error(result, ErrorKind::InvalidPayload, "field `image_b64`");
        assert_eq!(count(db, "user_profile_images").await, 0);
    }
}

provider_test! {
    async fn set_image_unknown_user_or_provider(db) {
        let guid = new_user(db, "ms-1").await;
        assert_error(
            db.run_value(SET_IMAGE, json!({"guid": UNKNOWN_GUID, "image_b64": "AAEC"})).await,
            ErrorKind::NotFound,
            &format!("user {UNKNOWN_GUID} not found"),
        );
        assert_error(
            db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AAEC", "provider": "nosuch"}))
                .await,
            ErrorKind::NotFound,
            "auth provider `nosuch` not found; the known providers are microsoft, discord, google, apple",
        );
        assert_error(
            db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AAEC", "provider": "google "}))
                .await,
            ErrorKind::NotFound,
            "`google `",
        );
        assert_eq!(count(db, "user_profile_images").await, 0);
    }
}

provider_test! {
    async fn set_image_size_limit(db) {
        let guid = new_user(db, "ms-1").await;
        db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AAEC"})).await.unwrap();

        let over = "A".repeat(MAX_IMAGE_B64_CHARS + 1);
        assert_error(
            db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": over})).await,
            ErrorKind::InvalidPayload,
            "field `image_b64` is 8388609 characters long, the maximum is 8388608",
        );
        assert_eq!(profile_image(db, &guid).await, "AAEC");

        let at_limit = "A".repeat(MAX_IMAGE_B64_CHARS);
        db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": at_limit})).await.unwrap();
        // `assert!`, so that a failure does not print 8 MiB of text.
        assert!(profile_image(db, &guid).await == at_limit.as_str());
    }
}

provider_test! {
    async fn set_image_provider_limit(db) {
        let guid = new_user(db, "ms-1").await;
        let at_limit = "p".repeat(MAX_TEXT_CHARS);
        assert_error(
            db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AAEC", "provider": at_limit}))
                .await,
            ErrorKind::NotFound,
            "not found",
        );
        let over = "p".repeat(MAX_TEXT_CHARS + 1);
        assert_error(
            db.run_value(SET_IMAGE, json!({"guid": guid, "image_b64": "AAEC", "provider": over})).await,
            ErrorKind::InvalidPayload,
            "field `provider` is 1025 characters long",
        );
        assert_eq!(count(db, "user_profile_images").await, 0);
    }
}

// ------------------------------------------------------------------ session

provider_test! {
    async fn rotkey_round_trips_in_utc(db) {
        let guid = new_user(db, "ms-1").await;
        let stored = db
            .run_value(
                SET_ROTKEY,
                json!({
                    "guid": guid,
                    "rotkey": "key-1",
                    "iat": "2026-12-04T19:23:52.123456+01:00",
                    "exp": "2026-12-04T13:23:52-05:00",
                }),
            )
            .await
            .unwrap();
        assert_eq!(
            stored,
            json!({
                "guid": guid,
                "iat": "2026-12-04T18:23:52.123456Z",
                "exp": "2026-12-04T18:23:52Z",
            })
        );
        let read = db.run_value(GET_ROTKEY, json!({"guid": guid})).await.unwrap();
        assert_eq!(
            read,
            json!({
                "rotkey": "key-1",
                "iat": "2026-12-04T18:23:52.123456Z",
                "exp": "2026-12-04T18:23:52Z",
            })
        );
    }
}

provider_test! {
    async fn rotkey_update_replaces_key(db) {
        use db_ops::users::session::{get_rotkey, set_rotkey};

        let guid: Guid = new_user(db, "ms-1").await.parse().unwrap();
        let iat: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let exp: Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        set_rotkey(db, guid, "key-1", iat, exp).await.unwrap();
        let later: Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
        let stored = set_rotkey(db, guid, "key-2", exp, later).await.unwrap();
        assert_eq!((stored.guid, stored.iat, stored.exp), (guid, exp, later));

        let read = get_rotkey(db, guid).await.unwrap().unwrap();
        assert_eq!(read.rotkey, Secret::from("key-2"));
        assert_eq!((read.iat, read.exp), (exp, later));
        assert_eq!(count(db, "user_rotkeys").await, 1);
    }
}

provider_test! {
    async fn rotkey_empty_is_stored(db) {
        let guid = new_user(db, "ms-1").await;
        let payload = json!({
            "guid": guid,
            "rotkey": "",
            "iat": "2026-12-04T18:23:52Z",
            "exp": "2026-12-04T18:23:52Z",
        });
        db.run_value(SET_ROTKEY, payload).await.unwrap();
        let read = db.run_value(GET_ROTKEY, json!({"guid": guid})).await.unwrap();
        assert_eq!(read["rotkey"], "");
    }
}

provider_test! {
    async fn rotkey_missing_is_null(db) {
        let guid = new_user(db, "ms-1").await;
        assert_eq!(db.run_value(GET_ROTKEY, json!({"guid": guid})).await.unwrap(), Value::Null);
        assert_eq!(db.run_value(GET_ROTKEY, json!({"guid": UNKNOWN_GUID})).await.unwrap(), Value::Null);
    }
}

provider_test! {
    async fn set_rotkey_unknown_user(db) {
        let payload = json!({
            "guid": UNKNOWN_GUID,
            "rotkey": "key",
            "iat": "2026-12-04T18:23:52Z",
            "exp": "2026-12-05T18:23:52Z",
        });
        assert_error(
            db.run_value(SET_ROTKEY, payload).await,
            ErrorKind::NotFound,
            &format!("user {UNKNOWN_GUID} not found"),
        );
        assert_eq!(count(db, "user_rotkeys").await, 0);
    }
}

provider_test! {
    async fn rotkey_length_limit(db) {
        let guid = new_user(db, "ms-1").await;
        let payload = |rotkey: String| {
            json!({
                "guid": guid,
                "rotkey": rotkey,
                "iat": "2026-12-04T18:23:52Z",
                "exp": "2026-12-05T18:23:52Z",
            })
        };
        let at_limit = "é".repeat(MAX_TEXT_CHARS);
        db.run_value(SET_ROTKEY, payload(at_limit.clone())).await.unwrap();
        assert_error(
            db.run_value(SET_ROTKEY, payload("é".repeat(MAX_TEXT_CHARS + 1))).await,
            ErrorKind::InvalidPayload,
            "field `rotkey` is 1025 characters long, the maximum is 1024",
        );
        let read = db.run_value(GET_ROTKEY, json!({"guid": guid})).await.unwrap();
        assert_eq!(read["rotkey"], at_limit.as_str());
    }
}

provider_test! {
    async fn rotkey_rejects_bad_timestamps(db) {
        let guid = new_user(db, "ms-1").await;
        for (field, value) in [
            ("iat", "2026-12-04T18:23:52"),
            ("iat", "2026-12-04"),
            ("exp", "0999-12-31T23:59:59Z"),
            ("exp", "1764872632"),
        ] {
            let mut payload = json!({
                "guid": guid,
                "rotkey": "key",
                "iat": "2026-12-04T18:23:52Z",
                "exp": "2026-12-05T18:23:52Z",
            });
            payload[field] = json!(value);
            let result = db.run_value(SET_ROTKEY, payload).await;
            assert_error(result, ErrorKind::InvalidPayload, &format!("field `{field}`"));
        }
        assert_eq!(count(db, "user_rotkeys").await, 0);
    }
}

// ----------------------------------------------------------------- payloads

/// Returns a valid payload of every operation, with the names of its required fields.
fn valid_payloads() -> Vec<(&'static str, Value, &'static [&'static str])> {
    let guid = UNKNOWN_GUID;
    vec![
        (
            GET_BY_IDENTIFIER,
            json!({"provider": "microsoft", "provider_identifier": "x"}),
            &["provider", "provider_identifier"],
        ),
        (
            CREATE,
            json!({
                "provider": "microsoft",
                "provider_identifier": "x",
                "provider_email": "x@example.com",
                "provider_displayname": "X",
            }),
            &[
                "provider",
                "provider_identifier",
                "provider_email",
                "provider_displayname",
            ],
        ),
        (GET_PROFILE, json!({"guid": guid}), &["guid"]),
        (GET_ROLES, json!({"guid": guid}), &["guid"]),
        (
            SET_ROLES,
            json!({"guid": guid, "roles": 1}),
            &["guid", "roles"],
        ),
        (
            SET_IMAGE,
            json!({"guid": guid, "image_b64": "AAEC", "provider": "google"}),
            &["guid", "image_b64"],
        ),
        (
            SET_ROTKEY,
            json!({
                "guid": guid,
                "rotkey": "key",
                "iat": "2026-12-04T18:23:52Z",
                "exp": "2026-12-05T18:23:52Z",
            }),
            &["guid", "rotkey", "iat", "exp"],
        ),
        (GET_ROTKEY, json!({"guid": guid}), &["guid"]),
    ]
}

provider_test! {
    async fn payload_unknown_field_rejected(db) {
        for (urn, payload, _) in valid_payloads() {
            let mut payload = payload;
            payload["provider_name"] = json!("microsoft");
            let result = db.run_value(urn, payload).await;
            assert_error(result, ErrorKind::InvalidPayload, "unknown field `provider_name`");
        }
        assert_eq!(count(db, "users").await, 0);
    }
}

provider_test! {
    async fn payload_missing_field_rejected(db) {
        for (urn, payload, required) in valid_payloads() {
            for field in required {
                let mut payload = payload.clone();
                payload.as_object_mut().unwrap().remove(*field);
                let result = db.run_value(urn, payload).await;
                assert_error(result, ErrorKind::InvalidPayload, &format!("missing field `{field}`"));
            }
        }
        assert_eq!(count(db, "users").await, 0);
    }
}

provider_test! {
    async fn payload_invalid_guid_rejected(db) {
        new_user(db, "ms-1").await;
        for (urn, payload, required) in valid_payloads() {
            if !required.contains(&"guid") {
                continue;
            }
            for text in [
                "not-a-guid",
                "5f0c8a9e2b1d4c3e9f000123456789ab",
                "{5f0c8a9e-2b1d-4c3e-9f00-0123456789ab}",
                "",
            ] {
                let mut payload = payload.clone();
                payload["guid"] = json!(text);
                let result = db.run_value(urn, payload).await;
                assert_error(result, ErrorKind::InvalidPayload, "field `guid`");
            }
        }
        assert_eq!(count(db, "user_roles").await, 0);
        assert_eq!(count(db, "user_profile_images").await, 0);
        assert_eq!(count(db, "user_rotkeys").await, 0);
    }
}
