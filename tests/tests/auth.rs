//! Behaviour of `db:auth:session:*` on every provider.

use std::error::Error as _;

use db_core::sqlx::{self, AssertSqlSafe};
use db_core::{DatabaseModule, DbError, ErrorKind, Guid, Provider, Secret, Timestamp, sha256};
use db_ops::auth::session::{create_session, get_by_access_token};
use dbops_tests::provider_test;
use serde_json::{Value, json};

const CREATE: &str = "db:auth:session:create_session:1";
const GET: &str = "db:auth:session:get_by_access_token:1";

const TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.session-token-7f3a";
/// An expiry with an offset, read back as `EXPIRES_UTC`.
const EXPIRES: &str = "2030-01-02T03:04:05.123456+01:00";
const EXPIRES_UTC: &str = "2030-01-02T02:04:05.123456Z";

/// Creates a user with a Microsoft identity and returns its guid.
async fn create_user(db: &DatabaseModule) -> String {
    let identifier = Guid::new_v4().to_string();
    let user = db
        .run_value(
            "db:users:providers:create_from_provider:1",
            json!({
                "provider": "microsoft",
                "provider_identifier": identifier,
                "provider_email": "a@example.com",
                "provider_displayname": "A",
            }),
        )
        .await
        .unwrap();
    user["guid"].as_str().unwrap().to_owned()
}

/// Returns the number of rows in `table`.
async fn count_rows(db: &DatabaseModule, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    match db.provider() {
        Provider::Sqlite => sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(db.sqlite_pool().unwrap())
            .await
            .unwrap(),
        Provider::Postgres => sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(db.postgres_pool().unwrap())
            .await
            .unwrap(),
        Provider::MySql => sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(db.mysql_pool().unwrap())
            .await
            .unwrap(),
    }
}

/// Asserts that no session and no device row exists.
async fn assert_no_sessions(db: &DatabaseModule) {
    assert_eq!(count_rows(db, "sessions").await, 0, "sessions");
    assert_eq!(
        count_rows(db, "session_devices").await,
        0,
        "session_devices"
    );
}

/// Removes every session, and by `ON DELETE CASCADE` every device row.
async fn delete_sessions(db: &DatabaseModule) {
    let sql = "DELETE FROM sessions";
    match db.provider() {
        Provider::Sqlite => {
            sqlx::query(sql)
                .execute(db.sqlite_pool().unwrap())
                .await
                .unwrap();
        }
        Provider::Postgres => {
            sqlx::query(sql)
                .execute(db.postgres_pool().unwrap())
                .await
                .unwrap();
        }
        Provider::MySql => {
            sqlx::query(sql)
                .execute(db.mysql_pool().unwrap())
                .await
                .unwrap();
        }
    }
    assert_no_sessions(db).await;
}

/// Returns the stored token digests.
async fn token_digests(db: &DatabaseModule) -> Vec<Vec<u8>> {
    let sql = "SELECT token_digest FROM sessions";
    match db.provider() {
        Provider::Sqlite => sqlx::query_scalar(sql)
            .fetch_all(db.sqlite_pool().unwrap())
            .await
            .unwrap(),
        Provider::Postgres => sqlx::query_scalar(sql)
            .fetch_all(db.postgres_pool().unwrap())
            .await
            .unwrap(),
        Provider::MySql => sqlx::query_scalar(sql)
            .fetch_all(db.mysql_pool().unwrap())
            .await
            .unwrap(),
    }
}

/// Returns a create_session payload with every field set.
fn full_payload(user_guid: &str, token: &str) -> Value {
    json!({
        "user_guid": user_guid,
        "access_token": token,
        "expires": EXPIRES,
        "fingerprint": "fp-1",
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "ip_address": "2001:DB8:0::1",
    })
}

/// Returns a create_session payload with only the required fields.
fn minimal_payload(user_guid: &str, token: &str) -> Value {
    json!({"user_guid": user_guid, "access_token": token, "expires": EXPIRES})
}

/// Returns `payload` with `field` set to `value`.
fn with_field(mut payload: Value, field: &str, value: Value) -> Value {
    payload[field] = value;
    payload
}

/// Returns every text that an error shows: its message, Debug output and sources.
fn error_texts(error: &DbError) -> Vec<String> {
    let mut texts = vec![error.to_string(), format!("{error:?}")];
    let mut source = error.source();
    while let Some(cause) = source {
        texts.push(cause.to_string());
        texts.push(format!("{cause:?}"));
        source = cause.source();
    }
    texts
}

/// Asserts that `error` is `invalid_payload` and its message contains each of `names`.
fn assert_invalid(error: &DbError, names: &[&str]) {
    assert_eq!(error.kind(), ErrorKind::InvalidPayload, "{error}");
    for name in names {
        assert!(
            error.message().contains(name),
            "`{name}` missing from: {error}"
        );
    }
}

provider_test! {
    async fn create_then_get_session(db) {
        let user = create_user(db).await;
        let before = Timestamp::now();
        let created = db.run_value(CREATE, full_payload(&user, TOKEN)).await.unwrap();
        let after = Timestamp::now();

        let object = created.as_object().unwrap();
        assert_eq!(object.len(), 2, "{created}");
        let session_guid = created["session_guid"].as_str().unwrap();
        let device_guid = created["device_guid"].as_str().unwrap();
        assert!(session_guid.parse::<Guid>().is_ok(), "{session_guid}");
        assert!(device_guid.parse::<Guid>().is_ok(), "{device_guid}");
        assert_ne!(session_guid, device_guid);

        let read = db.run_value(GET, json!({"access_token": TOKEN})).await.unwrap();
        let issued_at = read["issued_at"].as_str().unwrap();
        let issued: Timestamp = issued_at.parse().unwrap();
        assert!(issued_at.ends_with('Z'), "{issued_at}");
        assert!(before <= issued, "{issued_at}");
        assert!(issued <= after, "{issued_at}");
        assert_eq!(
            read,
            json!({
                "device_guid": device_guid,
                "session_guid": session_guid,
                "user_guid": user,
                "issued_at": issued_at,
                "expires_at": EXPIRES_UTC,
                "revoked_at": null,
                "fingerprint": "fp-1",
                "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
                "ip_address": "2001:db8::1",
            })
        );
    }
}

provider_test! {
    async fn optional_fields_read_null(db) {
        let user = create_user(db).await;
        db.run_value(CREATE, minimal_payload(&user, "absent-fields")).await.unwrap();
        let explicit_nulls = json!({
            "user_guid": user,
            "access_token": "null-fields",
            "expires": EXPIRES,
            "fingerprint": null,
            "user_agent": null,
            "ip_address": null,
        });
        db.run_value(CREATE, explicit_nulls).await.unwrap();

        for token in ["absent-fields", "null-fields"] {
            let read = db.run_value(GET, json!({"access_token": token})).await.unwrap();
            assert_eq!(read["user_guid"], user.as_str(), "{token}");
            assert_eq!(read["revoked_at"], Value::Null, "{token}");
            assert_eq!(read["fingerprint"], Value::Null, "{token}");
            assert_eq!(read["user_agent"], Value::Null, "{token}");
            assert_eq!(read["ip_address"], Value::Null, "{token}");
        }
    }
}

provider_test! {
    async fn ip_address_is_canonical(db) {
        let user = create_user(db).await;
        let cases = [
            ("203.0.113.7", "203.0.113.7"),
            ("::FFFF:203.0.113.7", "::ffff:203.0.113.7"),
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ];
        for (index, (sent, stored)) in cases.into_iter().enumerate() {
            let token = format!("ip-{index}");
            let payload = with_field(minimal_payload(&user, &token), "ip_address", json!(sent));
            db.run_value(CREATE, payload).await.unwrap();
            let read = db.run_value(GET, json!({"access_token": token})).await.unwrap();
            assert_eq!(read["ip_address"], stored, "{sent}");
        }
    }
}

provider_test! {
    async fn unknown_token_reads_null(db) {
        let user = create_user(db).await;
        db.run_value(CREATE, minimal_payload(&user, TOKEN)).await.unwrap();

        for token in ["", "other-token", &TOKEN.to_uppercase(), &format!("{TOKEN} ")] {
            let read = db.run_value(GET, json!({"access_token": token})).await.unwrap();
            assert_eq!(read, Value::Null, "{token:?}");
        }
    }
}

provider_test! {
    async fn token_stored_as_digest(db) {
        let user = create_user(db).await;
        db.run_value(CREATE, minimal_payload(&user, TOKEN)).await.unwrap();

        assert_eq!(token_digests(db).await, vec![sha256(TOKEN).to_vec()]);
    }
}

provider_test! {
    async fn reused_token_is_conflict(db) {
        let user = create_user(db).await;
        let other_user = create_user(db).await;
        let first = db.run_value(CREATE, full_payload(&user, TOKEN)).await.unwrap();

        for owner in [&user, &other_user] {
            let error = db.run_value(CREATE, full_payload(owner, TOKEN)).await.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
            assert!(error.message().contains("access token"), "{error}");
            for text in error_texts(&error) {
                assert!(!text.contains(TOKEN), "the token appears in: {text}");
            }
        }

        assert_eq!(count_rows(db, "sessions").await, 1);
        assert_eq!(count_rows(db, "session_devices").await, 1);
        let read = db.run_value(GET, json!({"access_token": TOKEN})).await.unwrap();
        assert_eq!(read["session_guid"], first["session_guid"]);
        assert_eq!(read["user_guid"], user.as_str());
    }
}

provider_test! {
    async fn non_text_token_is_not_echoed(db) {
        let user = create_user(db).await;
        let payload = with_field(minimal_payload(&user, TOKEN), "access_token", json!(987_654_321));
        let error = db.run_value(CREATE, payload).await.unwrap_err();

        assert_invalid(&error, &["access_token", "expected a string"]);
        for text in error_texts(&error) {
            assert!(!text.contains("987654321"), "the token appears in: {text}");
        }
        assert_no_sessions(db).await;
    }
}

provider_test! {
    async fn unknown_user_is_not_found(db) {
        let missing = Guid::new_v4().to_string();
        let error = db.run_value(CREATE, full_payload(&missing, TOKEN)).await.unwrap_err();

        assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
        assert!(error.message().contains(&missing), "{error}");
        for text in error_texts(&error) {
            assert!(!text.contains(TOKEN), "the token appears in: {text}");
        }
        assert_no_sessions(db).await;
    }
}

provider_test! {
    async fn invalid_ip_is_rejected(db) {
        let user = create_user(db).await;
        for address in [
            "203.0.113.300",
            "203.0.113",
            "localhost",
            " 203.0.113.7",
            "2001:db8::1%eth0",
            "[2001:db8::1]",
            "2001:db8::g",
            "",
        ] {
            let payload = with_field(full_payload(&user, TOKEN), "ip_address", json!(address));
            let error = db.run_value(CREATE, payload).await.unwrap_err();
            assert_invalid(&error, &[&format!("invalid payload for `{CREATE}`: field `ip_address`"), address]);
        }
        let error = db
            .run_value(CREATE, with_field(full_payload(&user, TOKEN), "ip_address", json!(7)))
            .await
            .unwrap_err();
        assert_invalid(&error, &["`ip_address`"]);
        assert_no_sessions(db).await;
    }
}

provider_test! {
    async fn invalid_guid_is_rejected(db) {
        for guid in [
            "not-a-guid",
            "5f0c8a9e2b1d4c3e9f000123456789ab",
            "{5f0c8a9e-2b1d-4c3e-9f00-0123456789ab}",
            "urn:uuid:5f0c8a9e-2b1d-4c3e-9f00-0123456789ab",
            "",
        ] {
            let error = db.run_value(CREATE, full_payload(guid, TOKEN)).await.unwrap_err();
            assert_invalid(&error, &["`user_guid`", guid]);
        }
        assert_no_sessions(db).await;
    }
}

provider_test! {
    async fn invalid_expiry_is_rejected(db) {
        let user = create_user(db).await;
        for expires in [
            json!("2030-01-02T03:04:05"),
            json!("2030-01-02"),
            json!("0999-12-31T23:59:59Z"),
            json!("tomorrow"),
            json!(1_893_553_445),
        ] {
            let payload = with_field(full_payload(&user, TOKEN), "expires", expires.clone());
            let error = db.run_value(CREATE, payload).await.unwrap_err();
            assert_invalid(&error, &["`expires`"]);
            if let Some(text) = expires.as_str() {
                assert!(error.message().contains(text), "{error}");
            }
        }
        assert_no_sessions(db).await;
    }
}

provider_test! {
    async fn unknown_fields_are_rejected(db) {
        let user = create_user(db).await;
        let payload = with_field(full_payload(&user, TOKEN), "fingerprnt", json!("fp"));
        let error = db.run_value(CREATE, payload).await.unwrap_err();
        assert_invalid(&error, &["`fingerprnt`"]);
        assert_no_sessions(db).await;

        let error = db
            .run_value(GET, json!({"access_token": TOKEN, "token": TOKEN}))
            .await
            .unwrap_err();
        assert_invalid(&error, &["`token`"]);
    }
}

provider_test! {
    async fn missing_fields_are_rejected(db) {
        let user = create_user(db).await;
        for field in ["user_guid", "access_token", "expires"] {
            let mut payload = full_payload(&user, TOKEN);
            payload.as_object_mut().unwrap().remove(field);
            let error = db.run_value(CREATE, payload).await.unwrap_err();
            assert_invalid(&error, &[&format!("`{field}`")]);

            let payload = with_field(full_payload(&user, TOKEN), field, Value::Null);
            let error = db.run_value(CREATE, payload).await.unwrap_err();
            assert_invalid(&error, &[field]);
        }
        assert_no_sessions(db).await;

        for payload in [json!({}), Value::Null, json!({"access_token": null})] {
            let error = db.run_value(GET, payload.clone()).await.unwrap_err();
            assert_invalid(&error, &["access_token"]);
        }
    }
}

provider_test! {
    async fn token_length_is_limited(db) {
        let user = create_user(db).await;
        let longest = "t".repeat(65_536);
        let too_long = "t".repeat(65_537);

        let error = db.run_value(CREATE, full_payload(&user, &too_long)).await.unwrap_err();
        assert_invalid(&error, &["`access_token`", "65537"]);
        assert!(!error.message().contains(&too_long[..64]), "{error}");
        assert_no_sessions(db).await;
        let error = db.run_value(GET, json!({"access_token": too_long})).await.unwrap_err();
        assert_invalid(&error, &["`access_token`"]);

        let created = db.run_value(CREATE, full_payload(&user, &longest)).await.unwrap();
        let read = db.run_value(GET, json!({"access_token": longest})).await.unwrap();
        assert_eq!(read["session_guid"], created["session_guid"]);
    }
}

provider_test! {
    async fn device_text_is_limited(db) {
        let user = create_user(db).await;
        let longest_ip = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
        // (field, longest value, its stored form, one character too long)
        let cases = [
            ("fingerprint", "é".repeat(1024), "é".repeat(1024), "é".repeat(1025)),
            ("user_agent", "é".repeat(65_536), "é".repeat(65_536), "é".repeat(65_537)),
            (
                "ip_address",
                longest_ip.to_owned(),
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff".to_owned(),
                format!("{longest_ip} "),
            ),
        ];
        for (field, longest, stored, too_long) in cases {
            let token = format!("limit-{field}");
            let payload = with_field(full_payload(&user, &token), field, json!(too_long));
            let error = db.run_value(CREATE, payload).await.unwrap_err();
            assert_invalid(&error, &[&format!("`{field}`")]);
            assert_no_sessions(db).await;

            let payload = with_field(full_payload(&user, &token), field, json!(longest));
            db.run_value(CREATE, payload).await.unwrap();
            let read = db.run_value(GET, json!({"access_token": token})).await.unwrap();
            assert_eq!(read[field], stored.as_str(), "{field}");
            delete_sessions(db).await;
        }
    }
}

provider_test! {
    async fn nul_in_text_is_rejected(db) {
        let user = create_user(db).await;
        let error = db.run_value(CREATE, full_payload(&user, "tok\0en")).await.unwrap_err();
        assert_invalid(&error, &["`access_token`"]);
        let payload = with_field(full_payload(&user, TOKEN), "user_agent", json!("a\0b"));
        let error = db.run_value(CREATE, payload).await.unwrap_err();
        assert_invalid(&error, &["`user_agent`"]);
        assert_no_sessions(db).await;
    }
}

provider_test! {
    async fn typed_client_round_trip(db) {
        let user: Guid = create_user(db).await.parse().unwrap();
        let expires: Timestamp = EXPIRES.parse().unwrap();
        let created = create_session(
            db,
            user,
            Secret::from(TOKEN),
            expires,
            Some("fp".to_owned()),
            None::<String>,
            Some("198.51.100.1".to_owned()),
        )
        .await
        .unwrap();

        let session = get_by_access_token(db, Secret::from(TOKEN)).await.unwrap().unwrap();
        assert_eq!(session.session_guid, created.session_guid);
        assert_eq!(session.device_guid, created.device_guid);
        assert_eq!(session.user_guid, user);
        assert_eq!(session.expires_at, expires);
        assert_eq!(session.revoked_at, None);
        assert_eq!(session.fingerprint.as_deref(), Some("fp"));
        assert_eq!(session.user_agent, None);
        assert_eq!(session.ip_address.as_deref(), Some("198.51.100.1"));
        assert_eq!(get_by_access_token(db, Secret::from("absent")).await.unwrap(), None);
    }
}

provider_test! {
    async fn caller_rollback_discards_session(db) {
        let user = create_user(db).await;
        let mut transaction = db.begin().await.unwrap();
        transaction.run_value(CREATE, full_payload(&user, TOKEN)).await.unwrap();
        let error = transaction.run_value(CREATE, full_payload(&user, TOKEN)).await.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Conflict, "{error}");
        let read = transaction.run_value(GET, json!({"access_token": TOKEN})).await.unwrap();
        assert_eq!(read["user_guid"], user.as_str());
        transaction.rollback().await.unwrap();

        assert_no_sessions(db).await;
        let read = db.run_value(GET, json!({"access_token": TOKEN})).await.unwrap();
        assert_eq!(read, Value::Null);
    }
}

provider_test! {
    async fn distinct_tokens_all_succeed(db) {
        let user = create_user(db).await;
        let tasks: Vec<_> = (0..64)
            .map(|index| {
                let db = db.clone();
                let payload = full_payload(&user, &format!("token-{index}"));
                tokio::spawn(async move { db.run_value(CREATE, payload).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }

        assert_eq!(count_rows(db, "sessions").await, 64);
        assert_eq!(count_rows(db, "session_devices").await, 64);
        for index in 0..64 {
            let read = db.run_value(GET, json!({"access_token": format!("token-{index}")})).await.unwrap();
            assert_eq!(read["user_guid"], user.as_str(), "token-{index}");
        }
    }
}

provider_test! {
    async fn same_token_succeeds_once(db) {
        let user = create_user(db).await;
        let tasks: Vec<_> = (0..64)
            .map(|_| {
                let db = db.clone();
                let payload = full_payload(&user, TOKEN);
                tokio::spawn(async move { db.run_value(CREATE, payload).await })
            })
            .collect();
        let mut created = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(response) => created.push(response),
                Err(error) => assert_eq!(error.kind(), ErrorKind::Conflict, "{error}"),
            }
        }

        assert_eq!(created.len(), 1);
        assert_eq!(count_rows(db, "sessions").await, 1);
        assert_eq!(count_rows(db, "session_devices").await, 1);
        let read = db.run_value(GET, json!({"access_token": TOKEN})).await.unwrap();
        assert_eq!(read["session_guid"], created[0]["session_guid"]);
        assert_eq!(read["device_guid"], created[0]["device_guid"]);
    }
}

#[test]
fn request_debug_hides_token() {
    let create = create_session::Request {
        user_guid: Guid::new_v4(),
        access_token: Secret::from(TOKEN),
        expires: EXPIRES.parse().unwrap(),
        fingerprint: None,
        user_agent: None,
        ip_address: None,
    };
    let debug = format!("{create:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert!(debug.contains("access_token"), "{debug}");

    let lookup: get_by_access_token::Request =
        serde_json::from_value(json!({"access_token": TOKEN})).unwrap();
    let debug = format!("{lookup:?}");
    assert!(!debug.contains(TOKEN), "{debug}");
    assert_eq!(lookup.access_token.expose(), TOKEN);
}
