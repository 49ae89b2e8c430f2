-- Initial schema for SQLite.
--
-- Type choices:
-- * Every table is STRICT, so a column only accepts values of its declared
--   type (INTEGER, TEXT or BLOB) instead of silently storing another one.
-- * UUIDs are BLOBs of exactly 16 bytes, the form in which sqlx binds and
--   reads uuid::Uuid on SQLite. CHECK constraints enforce the length.
-- * Timestamps are TEXT in RFC 3339 form with a UTC offset, the form in which
--   sqlx binds chrono DateTime<Utc> (for example
--   '2026-12-04T18:23:52.123456+00:00'). All values share the same offset, so
--   text order is time order.
-- * Booleans are INTEGER restricted to 0 and 1.
-- * SQLite has no length-limited text type; TEXT columns carry CHECK
--   constraints on length(), which counts characters for TEXT and bytes for
--   BLOB.
-- * Role masks are INTEGER, a signed 64-bit value; bit 63 is stored as a
--   negative number.
-- * WITHOUT ROWID is used for tables with small rows and a non-integer
--   primary key, where it avoids a second copy of the key in a separate index.

CREATE TABLE auth_providers (
    id      INTEGER NOT NULL PRIMARY KEY CHECK (id BETWEEN 1 AND 32767),
    name    TEXT    NOT NULL UNIQUE CHECK (length(name) <= 1024),
    display TEXT    NOT NULL CHECK (length(display) <= 1024)
) STRICT;

INSERT INTO auth_providers (id, name, display) VALUES
    (1, 'microsoft', 'Microsoft'),
    (2, 'discord',   'Discord'),
    (3, 'google',    'Google'),
    (4, 'apple',     'Apple');

CREATE TABLE users (
    guid                BLOB    NOT NULL PRIMARY KEY CHECK (length(guid) = 16),
    display_name        TEXT    NOT NULL CHECK (length(display_name) <= 1024),
    email               TEXT    NOT NULL CHECK (length(email) <= 1024),
    display_email       INTEGER NOT NULL DEFAULT 0 CHECK (display_email IN (0, 1)),
    credits             INTEGER NOT NULL DEFAULT 0,
    default_provider_id INTEGER NOT NULL REFERENCES auth_providers (id),
    created_at          TEXT    NOT NULL
) STRICT;

-- An external login linked to a user.
CREATE TABLE user_identities (
    provider_id          INTEGER NOT NULL REFERENCES auth_providers (id),
    provider_identifier  TEXT    NOT NULL CHECK (length(provider_identifier) <= 1024),
    user_guid            BLOB    NOT NULL REFERENCES users (guid) ON DELETE CASCADE,
    provider_email       TEXT    NOT NULL CHECK (length(provider_email) <= 1024),
    provider_displayname TEXT    NOT NULL CHECK (length(provider_displayname) <= 1024),
    created_at           TEXT    NOT NULL,
    PRIMARY KEY (provider_id, provider_identifier)
) STRICT, WITHOUT ROWID;

CREATE INDEX user_identities_user_guid_idx ON user_identities (user_guid);

-- Role bit mask of a user.
CREATE TABLE user_roles (
    user_guid BLOB    NOT NULL PRIMARY KEY REFERENCES users (guid) ON DELETE CASCADE,
    roles     INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- Decoded image bytes; rows are large, so the table keeps its rowid.
CREATE TABLE user_profile_images (
    user_guid   BLOB    NOT NULL PRIMARY KEY REFERENCES users (guid) ON DELETE CASCADE,
    provider_id INTEGER NOT NULL REFERENCES auth_providers (id),
    image       BLOB    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;

-- Rotating key of a user; rotkey may be the empty string.
CREATE TABLE user_rotkeys (
    user_guid BLOB NOT NULL PRIMARY KEY REFERENCES users (guid) ON DELETE CASCADE,
    rotkey    TEXT NOT NULL CHECK (length(rotkey) <= 1024),
    iat       TEXT NOT NULL,
    exp       TEXT NOT NULL
) STRICT;

-- token_digest is the 32-byte SHA-256 digest of the access token.
CREATE TABLE sessions (
    guid         BLOB NOT NULL PRIMARY KEY CHECK (length(guid) = 16),
    user_guid    BLOB NOT NULL REFERENCES users (guid) ON DELETE CASCADE,
    token_digest BLOB NOT NULL UNIQUE CHECK (length(token_digest) = 32),
    issued_at    TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
) STRICT;

CREATE INDEX sessions_user_guid_idx ON sessions (user_guid);

-- ip_address holds the canonical text form of an IPv4 or IPv6 address.
CREATE TABLE session_devices (
    guid         BLOB NOT NULL PRIMARY KEY CHECK (length(guid) = 16),
    session_guid BLOB NOT NULL UNIQUE REFERENCES sessions (guid) ON DELETE CASCADE,
    fingerprint  TEXT CHECK (length(fingerprint) <= 1024),
    user_agent   TEXT CHECK (length(user_agent) <= 65536),
    ip_address   TEXT CHECK (length(ip_address) <= 45)
) STRICT;

-- A route is shown for a role mask when roles = 0 or when every bit of roles
-- is set in the mask.
CREATE TABLE navbar_routes (
    path     TEXT    NOT NULL PRIMARY KEY CHECK (length(path) <= 255),
    name     TEXT    NOT NULL CHECK (length(name) <= 1024),
    icon     TEXT    NOT NULL CHECK (length(icon) <= 1024),
    roles    INTEGER NOT NULL DEFAULT 0,
    sequence INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The /system route has only bit 63 set, which reads as the smallest
-- signed 64-bit integer.
INSERT INTO navbar_routes (path, name, icon, roles, sequence) VALUES
    ('/',             'Home',           'home',     0,                    0),
    ('/about',        'About',          'info',     0,                    10),
    ('/docs',         'Documentation',  'book',     0,                    20),
    ('/profile',      'Profile',        'user',     1,                    30),
    ('/sessions',     'Sessions',       'key',      1,                    40),
    ('/moderation',   'Moderation',     'flag',     2,                    50),
    ('/admin',        'Administration', 'shield',   4,                    60),
    ('/admin/config', 'Configuration',  'settings', 6,                    70),
    ('/system',       'System',         'cpu',      -9223372036854775808, 80);

CREATE TABLE system_config (
    config_key   TEXT NOT NULL PRIMARY KEY CHECK (length(config_key) <= 1024),
    config_value TEXT NOT NULL CHECK (length(config_value) <= 65536)
) STRICT;
