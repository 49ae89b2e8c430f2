-- Initial schema for PostgreSQL.
--
-- Type choices:
-- * UUIDs use the native UUID type, which sqlx maps to uuid::Uuid.
-- * Timestamps are TIMESTAMPTZ: stored as an absolute instant, read back as
--   chrono DateTime<Utc>, and not affected by the session time zone.
-- * Booleans are BOOLEAN; counters and role masks are BIGINT (signed 64-bit,
--   bit 63 reads as a negative number); provider ids are SMALLINT.
-- * Text is TEXT with CHECK (char_length(...) <= N) for length limits;
--   char_length counts characters, not bytes.
-- * Binary values are BYTEA; fixed-size digests have an octet_length CHECK.
-- * A B-tree index entry is limited to 2704 bytes, and a 1024-character key
--   is up to 4096 bytes of UTF-8. user_identities and system_config are
--   therefore keyed by the SHA-256 digest of the key's UTF-8 bytes, which the
--   application computes and binds; the text itself is stored beside it.
--   auth_providers.name holds short reference data and keeps a plain index.
-- * Names are not schema-qualified: objects are created in the first schema
--   of the search_path.

CREATE TABLE auth_providers (
    id      SMALLINT NOT NULL PRIMARY KEY CHECK (id > 0),
    name    TEXT     NOT NULL UNIQUE CHECK (char_length(name) <= 1024),
    display TEXT     NOT NULL CHECK (char_length(display) <= 1024)
);

INSERT INTO auth_providers (id, name, display) VALUES
    (1, 'microsoft', 'Microsoft'),
    (2, 'discord',   'Discord'),
    (3, 'google',    'Google'),
    (4, 'apple',     'Apple');

CREATE TABLE users (
    guid                UUID        NOT NULL PRIMARY KEY,
    display_name        TEXT        NOT NULL CHECK (char_length(display_name) <= 1024),
    email               TEXT        NOT NULL CHECK (char_length(email) <= 1024),
    display_email       BOOLEAN     NOT NULL DEFAULT FALSE,
    credits             BIGINT      NOT NULL DEFAULT 0,
    default_provider_id SMALLINT    NOT NULL REFERENCES auth_providers (id),
    created_at          TIMESTAMPTZ NOT NULL
);

-- An external login linked to a user.
CREATE TABLE user_identities (
    provider_id          SMALLINT    NOT NULL REFERENCES auth_providers (id),
    identifier_digest    BYTEA       NOT NULL CHECK (octet_length(identifier_digest) = 32),
    provider_identifier  TEXT        NOT NULL CHECK (char_length(provider_identifier) <= 1024),
    user_guid            UUID        NOT NULL REFERENCES users (guid) ON DELETE CASCADE,
    provider_email       TEXT        NOT NULL CHECK (char_length(provider_email) <= 1024),
    provider_displayname TEXT        NOT NULL CHECK (char_length(provider_displayname) <= 1024),
    created_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (provider_id, identifier_digest)
);

CREATE INDEX user_identities_user_guid_idx ON user_identities (user_guid);

-- Role bit mask of a user.
CREATE TABLE user_roles (
    user_guid UUID   NOT NULL PRIMARY KEY REFERENCES users (guid) ON DELETE CASCADE,
    roles     BIGINT NOT NULL
);

-- Decoded image bytes.
CREATE TABLE user_profile_images (
    user_guid   UUID        NOT NULL PRIMARY KEY REFERENCES users (guid) ON DELETE CASCADE,
    provider_id SMALLINT    NOT NULL REFERENCES auth_providers (id),
    image       BYTEA       NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- Rotating key of a user; rotkey may be the empty string.
CREATE TABLE user_rotkeys (
    user_guid UUID        NOT NULL PRIMARY KEY REFERENCES users (guid) ON DELETE CASCADE,
    rotkey    TEXT        NOT NULL CHECK (char_length(rotkey) <= 1024),
    iat       TIMESTAMPTZ NOT NULL,
    exp       TIMESTAMPTZ NOT NULL
);

-- token_digest is the 32-byte SHA-256 digest of the access token.
CREATE TABLE sessions (
    guid         UUID        NOT NULL PRIMARY KEY,
    user_guid    UUID        NOT NULL REFERENCES users (guid) ON DELETE CASCADE,
    token_digest BYTEA       NOT NULL UNIQUE CHECK (octet_length(token_digest) = 32),
    issued_at    TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);

CREATE INDEX sessions_user_guid_idx ON sessions (user_guid);

-- ip_address holds the canonical text form of an IPv4 or IPv6 address.
CREATE TABLE session_devices (
    guid         UUID NOT NULL PRIMARY KEY,
    session_guid UUID NOT NULL UNIQUE REFERENCES sessions (guid) ON DELETE CASCADE,
    fingerprint  TEXT CHECK (char_length(fingerprint) <= 1024),
    user_agent   TEXT CHECK (char_length(user_agent) <= 65536),
    ip_address   TEXT CHECK (char_length(ip_address) <= 45)
);

-- A route is shown for a role mask when roles = 0 or when every bit of roles
-- is set in the mask.
CREATE TABLE navbar_routes (
    path     TEXT    NOT NULL PRIMARY KEY CHECK (char_length(path) <= 255),
    name     TEXT    NOT NULL CHECK (char_length(name) <= 1024),
    icon     TEXT    NOT NULL CHECK (char_length(icon) <= 1024),
    roles    BIGINT  NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL
);

-- The /system route has only bit 63 set, which reads as the smallest
-- signed 64-bit integer. The cast keeps the literal a BIGINT rather than a
-- NUMERIC.
INSERT INTO navbar_routes (path, name, icon, roles, sequence) VALUES
    ('/',             'Home',           'home',     0,                                      0),
    ('/about',        'About',          'info',     0,                                      10),
    ('/docs',         'Documentation',  'book',     0,                                      20),
    ('/profile',      'Profile',        'user',     1,                                      30),
    ('/sessions',     'Sessions',       'key',      1,                                      40),
    ('/moderation',   'Moderation',     'flag',     2,                                      50),
    ('/admin',        'Administration', 'shield',   4,                                      60),
    ('/admin/config', 'Configuration',  'settings', 6,                                      70),
    ('/system',       'System',         'cpu',      CAST(-9223372036854775808 AS BIGINT),   80);

CREATE TABLE system_config (
    key_digest   BYTEA NOT NULL PRIMARY KEY CHECK (octet_length(key_digest) = 32),
    config_key   TEXT NOT NULL CHECK (char_length(config_key) <= 1024),
    config_value TEXT NOT NULL CHECK (char_length(config_value) <= 65536)
);
