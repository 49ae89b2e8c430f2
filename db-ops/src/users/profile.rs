//! Profiles of user accounts: details, role masks and profile images.
//!
//! Writes first lock the user's row. MySQL locks it `FOR UPDATE`, so that
//! concurrent writes for one user run one after another instead of ending in
//! InnoDB deadlocks. PostgreSQL locks it `FOR KEY SHARE`, so that the user
//! cannot be deleted before the write. On SQLite `BEGIN IMMEDIATE` already
//! serializes writers.

use db_core::prelude::*;
use db_core::{decode_base64, encode_base64};

use super::providers::found_provider;

/// The maximum length of a provider name, in characters.
const MAX_PROVIDER_CHARS: usize = 1024;
/// The maximum length of a profile image, in characters of base64 text (8 MiB).
const MAX_IMAGE_B64_CHARS: usize = 8 * 1024 * 1024;

/// Reads a user's profile, with the linked providers and the profile image.
#[db_op("db:users:profile:get_profile:1")]
pub mod get_profile {
    use super::*;

    pub struct Request {
        pub guid: Guid,
    }

    pub type Response = Option<Profile>;

    pub struct Profile {
        pub guid: Guid,
        pub display_name: String,
        pub email: String,
        /// Whether the user shows the e-mail address to others.
        pub display_email: bool,
        pub credits: i64,
        /// The profile image as standard base64.
        pub profile_image: Option<String>,
        /// Every provider with an identity linked to the account, ordered by name.
        pub auth_providers: Vec<AuthProvider>,
    }

    pub struct AuthProvider {
        pub name: String,
        pub display: String,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<ProfileRow> = sqlx::query_as(
            "SELECT u.guid, u.display_name, u.email, u.display_email, u.credits, i.image \
             FROM users u LEFT JOIN user_profile_images i ON i.user_guid = u.guid \
             WHERE u.guid = ?",
        )
        .bind(request.guid)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let providers = sqlx::query_as(
            "SELECT name, display FROM auth_providers \
             WHERE id IN (SELECT provider_id FROM user_identities WHERE user_guid = ?) \
             ORDER BY name",
        )
        .bind(request.guid)
        .fetch_all(conn)
        .await?;
        Ok(Some(profile(row, providers)))
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<ProfileRow> = sqlx::query_as(
            "SELECT u.guid, u.display_name, u.email, u.display_email, u.credits, i.image \
             FROM users u LEFT JOIN user_profile_images i ON i.user_guid = u.guid \
             WHERE u.guid = $1",
        )
        .bind(request.guid)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let providers = sqlx::query_as(
            "SELECT name, display FROM auth_providers \
             WHERE id IN (SELECT provider_id FROM user_identities WHERE user_guid = $1) \
             ORDER BY name COLLATE \"C\"",
        )
        .bind(request.guid)
        .fetch_all(conn)
        .await?;
        Ok(Some(profile(row, providers)))
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let row: Option<ProfileRow> = sqlx::query_as(
            "SELECT u.guid, u.display_name, u.email, u.display_email, u.credits, i.image \
             FROM users u LEFT JOIN user_profile_images i ON i.user_guid = u.guid \
             WHERE u.guid = ?",
        )
        .bind(request.guid)
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let providers = sqlx::query_as(
            "SELECT name, display FROM auth_providers \
             WHERE id IN (SELECT provider_id FROM user_identities WHERE user_guid = ?) \
             ORDER BY CAST(name AS BINARY)",
        )
        .bind(request.guid)
        .fetch_all(conn)
        .await?;
        Ok(Some(profile(row, providers)))
    }

    /// The selected user columns, in the order of [`Profile`]'s fields.
    type ProfileRow = (Guid, String, String, bool, i64, Option<Vec<u8>>);

    fn profile(row: ProfileRow, providers: Vec<(String, String)>) -> Profile {
        let (guid, display_name, email, display_email, credits, image) = row;
        Profile {
            guid,
            display_name,
            email,
            display_email,
            credits,
            profile_image: image.as_deref().map(encode_base64),
            auth_providers: providers
                .into_iter()
                .map(|(name, display)| AuthProvider { name, display })
                .collect(),
        }
    }
}

/// Reads a user's role mask, which is `0` when none is stored or the user does not exist.
#[db_op("db:users:profile:get_roles:1")]
pub mod get_roles {
    use super::*;

    pub struct Request {
        pub guid: Guid,
    }

    pub struct Response {
        /// The role bit mask. All 64 bits are usable, so bit 63 reads as a negative number.
        pub roles: i64,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let roles: Option<i64> =
            sqlx::query_scalar("SELECT roles FROM user_roles WHERE user_guid = ?")
                .bind(request.guid)
                .fetch_optional(conn)
                .await?;
        Ok(Response {
            roles: roles.unwrap_or(0),
        })
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let roles: Option<i64> =
            sqlx::query_scalar("SELECT roles FROM user_roles WHERE user_guid = $1")
                .bind(request.guid)
                .fetch_optional(conn)
                .await?;
        Ok(Response {
            roles: roles.unwrap_or(0),
        })
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let roles: Option<i64> =
            sqlx::query_scalar("SELECT roles FROM user_roles WHERE user_guid = ?")
                .bind(request.guid)
                .fetch_optional(conn)
                .await?;
        Ok(Response {
            roles: roles.unwrap_or(0),
        })
    }
}

/// Stores a user's role mask.
///
/// A mask of `0` removes the stored one.
#[db_op("db:users:profile:set_roles:1")]
pub mod set_roles {
    use super::*;

    pub struct Request {
        pub guid: Guid,
        /// The role bit mask. All 64 bits are usable, so bit 63 is a negative number.
        pub roles: i64,
    }

    pub struct Response {
        pub guid: Guid,
        pub roles: i64,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let mut transaction = sqlx::Sqlite::begin_write(conn).await?;
        lock_user::sqlite(&mut transaction, request.guid).await?;
        let roles = if request.roles == 0 {
            sqlx::query("DELETE FROM user_roles WHERE user_guid = ?")
                .bind(request.guid)
                .execute(&mut *transaction)
                .await?;
            0
        } else {
            sqlx::query_scalar(
                "INSERT INTO user_roles (user_guid, roles) VALUES (?, ?) \
                 ON CONFLICT (user_guid) DO UPDATE SET roles = excluded.roles \
                 RETURNING roles",
            )
            .bind(request.guid)
            .bind(request.roles)
            .fetch_one(&mut *transaction)
            .await?
        };
        transaction.commit().await?;
        Ok(Response {
            guid: request.guid,
            roles,
        })
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let mut transaction = sqlx::Postgres::begin_write(conn).await?;
        lock_user::postgres(&mut transaction, request.guid).await?;
        let roles = if request.roles == 0 {
            sqlx::query("DELETE FROM user_roles WHERE user_guid = $1")
                .bind(request.guid)
                .execute(&mut *transaction)
                .await?;
            0
        } else {
            sqlx::query_scalar(
                "INSERT INTO user_roles (user_guid, roles) VALUES ($1, $2) \
                 ON CONFLICT (user_guid) DO UPDATE SET roles = excluded.roles \
                 RETURNING roles",
            )
            .bind(request.guid)
            .bind(request.roles)
            .fetch_one(&mut *transaction)
            .await?
        };
        transaction.commit().await?;
        Ok(Response {
            guid: request.guid,
            roles,
        })
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let mut transaction = sqlx::MySql::begin_write(conn).await?;
        lock_user::mysql(&mut transaction, request.guid).await?;
        if request.roles == 0 {
            sqlx::query("DELETE FROM user_roles WHERE user_guid = ?")
                .bind(request.guid)
                .execute(&mut *transaction)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO user_roles (user_guid, roles) VALUES (?, ?) \
                 ON DUPLICATE KEY UPDATE roles = VALUES(roles)",
            )
            .bind(request.guid)
            .bind(request.roles)
            .execute(&mut *transaction)
            .await?;
        }
        let roles: Option<i64> =
            sqlx::query_scalar("SELECT roles FROM user_roles WHERE user_guid = ?")
                .bind(request.guid)
                .fetch_optional(&mut *transaction)
                .await?;
        transaction.commit().await?;
        Ok(Response {
            guid: request.guid,
            roles: roles.unwrap_or(0),
        })
    }
}

/// Stores a user's profile image, replacing the previous one.
///
/// The image is sent as standard base64 and stored as its decoded bytes.
#[db_op("db:users:profile:set_profile_image:1")]
pub mod set_profile_image {
    use super::*;

    pub struct Request {
        pub guid: Guid,
        /// The image as standard base64 with padding.
        #[db(max_chars = MAX_IMAGE_B64_CHARS)]
        pub image_b64: String,
        /// The provider the image came from, by default the account's default provider.
        #[db(max_chars = MAX_PROVIDER_CHARS)]
        pub provider: Option<String>,
    }

    pub struct Response {
        pub guid: Guid,
    }

    async fn sqlite(conn: &mut SqliteConnection, request: Request) -> Result<Response, DbError> {
        let image = decode_base64("image_b64", &request.image_b64)?;
        let mut transaction = sqlx::Sqlite::begin_write(conn).await?;
        let default_provider = lock_user::sqlite(&mut transaction, request.guid).await?;
        let provider_id: i64 = match &request.provider {
            None => default_provider,
            Some(name) => {
                let id = sqlx::query_scalar("SELECT id FROM auth_providers WHERE name = ?")
                    .bind(name)
                    .fetch_optional(&mut *transaction)
                    .await?;
                found_provider(id, &mut *transaction, name).await?
            }
        };
        sqlx::query(
            "INSERT INTO user_profile_images (user_guid, provider_id, image, updated_at) \
             VALUES (?, ?, ?, ?) \
             ON CONFLICT (user_guid) DO UPDATE SET provider_id = excluded.provider_id, \
             image = excluded.image, updated_at = excluded.updated_at",
        )
        .bind(request.guid)
        .bind(provider_id)
        .bind(image)
        .bind(Timestamp::now())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Response { guid: request.guid })
    }

    async fn postgres(conn: &mut PgConnection, request: Request) -> Result<Response, DbError> {
        let image = decode_base64("image_b64", &request.image_b64)?;
        let mut transaction = sqlx::Postgres::begin_write(conn).await?;
        let default_provider = lock_user::postgres(&mut transaction, request.guid).await?;
        let provider_id: i16 = match &request.provider {
            None => default_provider,
            Some(name) => {
                let id = sqlx::query_scalar("SELECT id FROM auth_providers WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut *transaction)
                    .await?;
                found_provider(id, &mut *transaction, name).await?
            }
        };
        sqlx::query(
            "INSERT INTO user_profile_images (user_guid, provider_id, image, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_guid) DO UPDATE SET provider_id = excluded.provider_id, \
             image = excluded.image, updated_at = excluded.updated_at",
        )
        .bind(request.guid)
        .bind(provider_id)
        .bind(image)
        .bind(Timestamp::now())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Response { guid: request.guid })
    }

    async fn mysql(conn: &mut MySqlConnection, request: Request) -> Result<Response, DbError> {
        let image = decode_base64("image_b64", &request.image_b64)?;
        let mut transaction = sqlx::MySql::begin_write(conn).await?;
        let default_provider = lock_user::mysql(&mut transaction, request.guid).await?;
        let provider_id: i16 = match &request.provider {
            None => default_provider,
            Some(name) => {
                let id = sqlx::query_scalar(
                    "SELECT id FROM auth_providers WHERE CAST(name AS BINARY) = CAST(? AS BINARY)",
                )
                .bind(name)
                .fetch_optional(&mut *transaction)
                .await?;
                found_provider(id, &mut *transaction, name).await?
            }
        };
        sqlx::query(
            "INSERT INTO user_profile_images (user_guid, provider_id, image, updated_at) \
             VALUES (?, ?, ?, ?) \
             ON DUPLICATE KEY UPDATE provider_id = VALUES(provider_id), \
             image = VALUES(image), updated_at = VALUES(updated_at)",
        )
        .bind(request.guid)
        .bind(provider_id)
        .bind(image)
        .bind(Timestamp::now())
        .execute(&mut *transaction)
        .await?;
        transaction.commit().await?;
        Ok(Response { guid: request.guid })
    }
}

/// Locks a user's row for a write in the caller's transaction and returns the
/// user's default provider id, or `not_found` when there is no such user.
pub(super) mod lock_user {
    use db_core::prelude::*;

    pub(in crate::users) async fn sqlite(
        conn: &mut SqliteConnection,
        guid: Guid,
    ) -> Result<i64, DbError> {
        sqlx::query_scalar("SELECT default_provider_id FROM users WHERE guid = ?")
            .bind(guid)
            .fetch_optional(conn)
            .await?
            .ok_or_else(|| user_not_found(guid))
    }

    pub(in crate::users) async fn postgres(
        conn: &mut PgConnection,
        guid: Guid,
    ) -> Result<i16, DbError> {
        sqlx::query_scalar("SELECT default_provider_id FROM users WHERE guid = $1 FOR KEY SHARE")
            .bind(guid)
            .fetch_optional(conn)
            .await?
            .ok_or_else(|| user_not_found(guid))
    }

    pub(in crate::users) async fn mysql(
        conn: &mut MySqlConnection,
        guid: Guid,
    ) -> Result<i16, DbError> {
        sqlx::query_scalar("SELECT default_provider_id FROM users WHERE guid = ? FOR UPDATE")
            .bind(guid)
            .fetch_optional(conn)
            .await?
            .ok_or_else(|| user_not_found(guid))
    }

    fn user_not_found(guid: Guid) -> DbError {
        DbError::not_found(format!("user {guid} not found"))
    }
}
