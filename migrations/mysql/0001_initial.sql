-- Initial schema for MySQL 8 and MariaDB 10.11.
--
-- Type choices:
-- * Every table is InnoDB with utf8mb4 and the utf8mb4_bin collation, so
--   text comparisons are byte-exact (the default collations ignore case).
-- * UUIDs are BINARY(16), the 16 raw bytes in which sqlx binds and reads
--   uuid::Uuid. MariaDB's UUID type does not exist on MySQL.
-- * Timestamps are DATETIME(6) holding UTC with microsecond precision.
--   TIMESTAMP would end in 2038 and is converted through the session time
--   zone; DATETIME is stored as given.
-- * Booleans are BOOLEAN (TINYINT(1)) restricted to 0 and 1. Counters and
--   role masks are BIGINT (signed 64-bit, bit 63 reads as a negative number);
--   provider ids are SMALLINT.
-- * Text of up to 1024 characters is VARCHAR(1024); text of up to 65,536
--   characters is MEDIUMTEXT with a CHAR_LENGTH CHECK. Binary values are
--   BINARY(32) for SHA-256 digests and MEDIUMBLOB (up to 16 MiB) for images.
-- * InnoDB index keys are limited to 3072 bytes, and a VARCHAR(1024) utf8mb4
--   column takes up to 4096. utf8mb4_bin also ignores trailing spaces when
--   comparing ('a' = 'a '). The long text keys are therefore keyed by the
--   SHA-256 digest of their UTF-8 bytes, a BINARY(32) column that the
--   application computes and binds; the text itself is stored beside it.

CREATE TABLE auth_providers (
    id      SMALLINT      NOT NULL PRIMARY KEY CHECK (id > 0),
    name    VARCHAR(255)  NOT NULL,
    display VARCHAR(1024) NOT NULL,
    UNIQUE KEY auth_providers_name_key (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

INSERT INTO auth_providers (id, name, display) VALUES
    (1, 'microsoft', 'Microsoft'),
    (2, 'discord',   'Discord'),
    (3, 'google',    'Google'),
    (4, 'apple',     'Apple');

CREATE TABLE users (
    guid                BINARY(16)    NOT NULL PRIMARY KEY,
    display_name        VARCHAR(1024) NOT NULL,
    email               VARCHAR(1024) NOT NULL,
    display_email       BOOLEAN       NOT NULL DEFAULT FALSE CHECK (display_email IN (0, 1)),
    credits             BIGINT        NOT NULL DEFAULT 0,
    default_provider_id SMALLINT      NOT NULL,
    created_at          DATETIME(6)   NOT NULL,
    CONSTRAINT users_default_provider_id_fkey
        FOREIGN KEY (default_provider_id) REFERENCES auth_providers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- An external login linked to a user. (provider_id, identifier_digest) is
-- unique, which makes (provider_id, provider_identifier) unique.
CREATE TABLE user_identities (
    provider_id          SMALLINT      NOT NULL,
    provider_identifier  VARCHAR(1024) NOT NULL,
    identifier_digest    BINARY(32)    NOT NULL,
    user_guid            BINARY(16)    NOT NULL,
    provider_email       VARCHAR(1024) NOT NULL,
    provider_displayname VARCHAR(1024) NOT NULL,
    created_at           DATETIME(6)   NOT NULL,
    PRIMARY KEY (provider_id, identifier_digest),
    KEY user_identities_user_guid_idx (user_guid),
    CONSTRAINT user_identities_provider_id_fkey
        FOREIGN KEY (provider_id) REFERENCES auth_providers (id),
    CONSTRAINT user_identities_user_guid_fkey
        FOREIGN KEY (user_guid) REFERENCES users (guid) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Role bit mask of a user.
CREATE TABLE user_roles (
    user_guid BINARY(16) NOT NULL PRIMARY KEY,
    roles     BIGINT     NOT NULL,
    CONSTRAINT user_roles_user_guid_fkey
        FOREIGN KEY (user_guid) REFERENCES users (guid) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Decoded image bytes.
CREATE TABLE user_profile_images (
    user_guid   BINARY(16)  NOT NULL PRIMARY KEY,
    provider_id SMALLINT    NOT NULL,
    image       MEDIUMBLOB  NOT NULL,
    updated_at  DATETIME(6) NOT NULL,
    CONSTRAINT user_profile_images_user_guid_fkey
        FOREIGN KEY (user_guid) REFERENCES users (guid) ON DELETE CASCADE,
    CONSTRAINT user_profile_images_provider_id_fkey
        FOREIGN KEY (provider_id) REFERENCES auth_providers (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Rotating key of a user; rotkey may be the empty string.
CREATE TABLE user_rotkeys (
    user_guid BINARY(16)    NOT NULL PRIMARY KEY,
    rotkey    VARCHAR(1024) NOT NULL,
    iat       DATETIME(6)   NOT NULL,
    exp       DATETIME(6)   NOT NULL,
    CONSTRAINT user_rotkeys_user_guid_fkey
        FOREIGN KEY (user_guid) REFERENCES users (guid) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- token_digest is the 32-byte SHA-256 digest of the access token.
CREATE TABLE sessions (
    guid         BINARY(16)  NOT NULL PRIMARY KEY,
    user_guid    BINARY(16)  NOT NULL,
    token_digest BINARY(32)  NOT NULL,
    issued_at    DATETIME(6) NOT NULL,
    expires_at   DATETIME(6) NOT NULL,
    revoked_at   DATETIME(6) NULL,
    UNIQUE KEY sessions_token_digest_key (token_digest),
    KEY sessions_user_guid_idx (user_guid),
    CONSTRAINT sessions_user_guid_fkey
        FOREIGN KEY (user_guid) REFERENCES users (guid) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- ip_address holds the canonical text form of an IPv4 or IPv6 address.
CREATE TABLE session_devices (
    guid         BINARY(16)    NOT NULL PRIMARY KEY,
    session_guid BINARY(16)    NOT NULL,
    fingerprint  VARCHAR(1024) NULL,
    user_agent   MEDIUMTEXT    NULL CHECK (CHAR_LENGTH(user_agent) <= 65536),
    ip_address   VARCHAR(45)   NULL,
    UNIQUE KEY session_devices_session_guid_key (session_guid),
    CONSTRAINT session_devices_session_guid_fkey
        FOREIGN KEY (session_guid) REFERENCES sessions (guid) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A route is shown for a role mask when roles = 0 or when every bit of roles
-- is set in the mask.
CREATE TABLE navbar_routes (
    path     VARCHAR(255)  NOT NULL PRIMARY KEY,
    name     VARCHAR(1024) NOT NULL,
    icon     VARCHAR(1024) NOT NULL,
    roles    BIGINT        NOT NULL DEFAULT 0,
    sequence INT           NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The /system route has only bit 63 set, which reads as the smallest
-- signed 64-bit integer. The cast keeps the literal a signed BIGINT.
INSERT INTO navbar_routes (path, name, icon, roles, sequence) VALUES
    ('/',             'Home',           'home',     0,                                      0),
    ('/about',        'About',          'info',     0,                                      10),
    ('/docs',         'Documentation',  'book',     0,                                      20),
    ('/profile',      'Profile',        'user',     1,                                      30),
    ('/sessions',     'Sessions',       'key',      1,                                      40),
    ('/moderation',   'Moderation',     'flag',     2,                                      50),
    ('/admin',        'Administration', 'shield',   4,                                      60),
    ('/admin/config', 'Configuration',  'settings', 6,                                      70),
    ('/system',       'System',         'cpu',      CAST(-9223372036854775808 AS SIGNED),   80);

-- config_key is unique through key_digest. KEY is a reserved word, hence the
-- column name config_key.
CREATE TABLE system_config (
    config_key   VARCHAR(1024) NOT NULL,
    key_digest   BINARY(32)    NOT NULL PRIMARY KEY,
    config_value MEDIUMTEXT    NOT NULL CHECK (CHAR_LENGTH(config_value) <= 65536)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
