//! Connection settings, read from the environment or set with a builder.

use std::fmt;
use std::time::Duration;

use crate::error::DbError;
use crate::provider::Provider;

/// The SQLite file used when `DATABASE_URL` is not set.
pub const DEFAULT_SQLITE_FILE: &str = "dbops.sqlite3";

/// Settings for [`DatabaseModule`](crate::DatabaseModule).
///
/// Debug output shows the URL with its password replaced by `***`.
#[derive(Clone)]
pub struct Config {
    pub(crate) provider: Provider,
    pub(crate) url: String,
    pub(crate) max_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) auto_migrate: bool,
    pub(crate) statement_cache_capacity: usize,
}

impl Config {
    /// Creates settings for `provider` with its default URL and pool options.
    pub fn new(provider: Provider) -> Self {
        Config {
            provider,
            url: default_url(provider).to_owned(),
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            auto_migrate: true,
            statement_cache_capacity: 1024,
        }
    }

    /// Reads the settings from the environment.
    ///
    /// - `DATABASE_PROVIDER`: `sqlite` (default), `postgres` or `mysql`;
    /// - `DATABASE_URL`: the DSN; required for `postgres` and `mysql`, and for
    ///   SQLite the default is the file `dbops.sqlite3` in the working
    ///   directory, created when missing;
    /// - `DATABASE_MAX_CONNECTIONS`: the pool size, default 10;
    /// - `DATABASE_ACQUIRE_TIMEOUT`: seconds to wait for a connection, default 5;
    /// - `DATABASE_AUTO_MIGRATE`: apply pending migrations at start-up, default `true`.
    pub fn from_env() -> Result<Self, DbError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, which maps a variable name to its value.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, DbError> {
        let provider = match lookup("DATABASE_PROVIDER") {
            Some(value) if !value.trim().is_empty() => value.parse()?,
            _ => Provider::Sqlite,
        };
        let mut config = Config::new(provider);
        if let Some(url) = lookup("DATABASE_URL").filter(|url| !url.trim().is_empty()) {
            config = config.url(url);
        }
        if let Some(value) = lookup("DATABASE_MAX_CONNECTIONS") {
            config.max_connections = value
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|count| *count >= 1)
                .ok_or_else(|| {
                    invalid_setting(
                        "DATABASE_MAX_CONNECTIONS",
                        &value,
                        "an integer of at least 1",
                    )
                })?;
        }
        if let Some(value) = lookup("DATABASE_ACQUIRE_TIMEOUT") {
            let seconds = value
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|seconds: &f64| seconds.is_finite() && *seconds > 0.0 && *seconds <= 3600.0)
                .ok_or_else(|| {
                    invalid_setting(
                        "DATABASE_ACQUIRE_TIMEOUT",
                        &value,
                        "a number of seconds above 0 and at most 3600",
                    )
                })?;
            config.acquire_timeout = Duration::from_secs_f64(seconds);
        }
        if let Some(value) = lookup("DATABASE_AUTO_MIGRATE") {
            config.auto_migrate = match value.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    return Err(invalid_setting(
                        "DATABASE_AUTO_MIGRATE",
                        &value,
                        "`true` or `false` (or yes/no, on/off, 1/0)",
                    ));
                }
            };
        }
        config.check_url()?;
        Ok(config)
    }

    /// Sets the DSN.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = url.into();
        self
    }

    /// Sets the pool size.
    pub fn max_connections(mut self, max_connections: u32) -> Self {
        self.max_connections = max_connections.max(1);
        self
    }

    /// Sets how long a call waits for a pooled connection before it fails with `unavailable`.
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// Sets whether pending migrations are applied at start-up.
    pub fn auto_migrate(mut self, enabled: bool) -> Self {
        self.auto_migrate = enabled;
        self
    }

    /// Sets how many prepared statements each connection keeps.
    pub fn statement_cache_capacity(mut self, capacity: usize) -> Self {
        self.statement_cache_capacity = capacity;
        self
    }

    /// Returns the provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// Returns the URL with its password replaced by `***`.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.url)
    }

    /// Checks that the URL's scheme belongs to the provider and that a MySQL
    /// URL has no `password=` parameter.
    pub(crate) fn check_url(&self) -> Result<(), DbError> {
        if self.url.trim().is_empty() {
            let example = match self.provider {
                Provider::Sqlite => "sqlite:dbops.sqlite3",
                Provider::Postgres => "postgres://user:password@127.0.0.1:5432/app",
                Provider::MySql => "mysql://user:password@127.0.0.1:3306/app",
            };
            return Err(DbError::invalid_config(format!(
                "DATABASE_URL is not set; the {} provider needs the server's URL, such as `{example}`",
                self.provider
            )));
        }
        let scheme = url_scheme(&self.url);
        let accepted = self.provider.schemes();
        if scheme.is_none() && self.provider != Provider::Sqlite {
            // Catches `postgres//host` written for `postgres://host`.
            let lower = self.url.to_ascii_lowercase();
            if let Some(scheme) = accepted
                .iter()
                .find(|scheme| lower.starts_with(&format!("{scheme}//")))
            {
                return Err(DbError::invalid_config(format!(
                    "DATABASE_URL `{}` lacks the `:` after `{scheme}`: start it with `{scheme}://`",
                    self.redacted_url()
                )));
            }
        }
        match scheme {
            Some(scheme) if accepted.contains(&scheme.to_ascii_lowercase().as_str()) => {
                self.check_authority(scheme)?;
                self.check_password_parameter()
            }
            // A bare path names a SQLite file.
            None if self.provider == Provider::Sqlite => Ok(()),
            _ => {
                let expected = accepted
                    .iter()
                    .map(|scheme| match self.provider {
                        Provider::Sqlite => format!("`{scheme}:`"),
                        Provider::Postgres | Provider::MySql => format!("`{scheme}://`"),
                    })
                    .collect::<Vec<_>>()
                    .join(" or ");
                let hint = scheme
                    .and_then(|scheme| {
                        Provider::ALL
                            .into_iter()
                            .find(|provider| provider.schemes().contains(&scheme))
                    })
                    .map(|provider| format!("; for this URL set DATABASE_PROVIDER={provider}"))
                    .unwrap_or_default();
                Err(DbError::invalid_config(format!(
                    "DATABASE_URL `{}` does not fit DATABASE_PROVIDER `{}`: expected a URL \
                     starting with {expected}{hint}",
                    self.redacted_url(),
                    self.provider
                )))
            }
        }
    }

    /// Rejects a server URL whose scheme is not followed by `//`, such as
    /// `postgres:/user@host/app`: its driver would read the rest as a
    /// database name on the default host.
    fn check_authority(&self, scheme: &str) -> Result<(), DbError> {
        if self.provider == Provider::Sqlite || self.url[scheme.len() + 1..].starts_with("//") {
            return Ok(());
        }
        Err(DbError::invalid_config(format!(
            "DATABASE_URL `{}` is not a valid {} URL: `{scheme}:` must be followed by `//`, \
             as in `{scheme}://user:password@127.0.0.1/app`",
            self.redacted_url(),
            self.provider
        )))
    }

    /// Rejects a `password=` query parameter on MySQL, whose driver ignores it
    /// and would log in without a password.
    fn check_password_parameter(&self) -> Result<(), DbError> {
        if self.provider != Provider::MySql
            || !query_keys(&self.url).any(|key| key.eq_ignore_ascii_case("password"))
        {
            return Ok(());
        }
        Err(DbError::invalid_config(format!(
            "DATABASE_URL `{}` passes the password as a `password=` query parameter, which the \
             MySQL driver ignores; put it before the host instead, as in \
             `mysql://user:password@127.0.0.1:3306/app`",
            self.redacted_url()
        )))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Config")
            .field("provider", &self.provider)
            .field("url", &self.redacted_url())
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("auto_migrate", &self.auto_migrate)
            .field("statement_cache_capacity", &self.statement_cache_capacity)
            .finish()
    }
}

/// Returns the URL used when none is set: a file for SQLite, and none for a
/// server, because only the deployment can name its address and database.
fn default_url(provider: Provider) -> &'static str {
    match provider {
        Provider::Sqlite => "sqlite:dbops.sqlite3",
        Provider::Postgres | Provider::MySql => "",
    }
}

fn invalid_setting(name: &str, value: &str, expected: &str) -> DbError {
    DbError::invalid_config(format!("{name} is `{value}`, expected {expected}"))
}

/// Returns the scheme of `url`, if it has one of letters followed by `:`.
fn url_scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let is_scheme = !scheme.is_empty()
        && scheme
            .chars()
            .all(|character| character.is_ascii_alphanumeric() || "+-.".contains(character))
        && scheme.starts_with(|character: char| character.is_ascii_alphabetic());
    // A one-letter scheme is a Windows drive letter, as in `C:\data\dbops.sqlite3`.
    (is_scheme && scheme.len() > 1).then_some(scheme)
}

/// Returns the keys of the URL's query parameters.
fn query_keys(url: &str) -> impl Iterator<Item = &str> {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(key, _)| key))
}

/// Replaces the password in `scheme://user:password@host/...` with `***`.
///
/// Also masks `password=` query parameters, which some drivers accept. A URL
/// without that form that still has an `@`, such as
/// `postgres//user:password@host` or one whose password contains a `/`, is
/// masked from its first `:` to its last `@`. That can hide more than the
/// password, never less.
pub fn redact_url(url: &str) -> String {
    let mut redacted = url.to_owned();
    // The ranges do not overlap and come in order, so replacing from the
    // last one keeps the others' positions valid.
    for range in secret_ranges(url).into_iter().rev() {
        redacted.replace_range(range, "***");
    }
    redacted
}

/// Returns whether `text` quotes any part of `url` that [`redact_url`] masks.
pub(crate) fn quotes_secret(url: &str, text: &str) -> bool {
    secret_ranges(url)
        .into_iter()
        .any(|range| text.contains(&url[range]))
}

/// Returns where the authority of `scheme://user:password@host/...` starts
/// and where its `@` is, when the URL has that form.
fn user_info_end(url: &str) -> Option<(usize, usize)> {
    let authority_start = url.find("://")? + 3;
    let rest = &url[authority_start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    Some((authority_start, authority_start + authority.rfind('@')?))
}

/// Returns whether `url` has an `@` after its authority, as when a password
/// contains an unencoded `/`, `?` or `#`.
pub(crate) fn has_unencoded_user_info(url: &str) -> bool {
    url.contains("://") && user_info_end(url).is_none() && url.contains('@')
}

/// Returns the byte ranges of `url` that contain a password, in order.
fn secret_ranges(url: &str) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    match user_info_end(url) {
        // The standard form: the password, if any, ends the user info.
        Some((authority_start, at)) => {
            if let Some(colon) = url[authority_start..at].find(':') {
                ranges.push(authority_start + colon + 1..at);
            }
        }
        None => {
            if let (Some(colon), Some(at)) = (url.find(':'), url.rfind('@'))
                && colon < at
            {
                ranges.push(colon + 1..at);
            }
        }
    }

    let masked_until = ranges.last().map_or(0, |range| range.end);
    if let Some(query_start) = url[masked_until..]
        .find('?')
        .map(|index| masked_until + index + 1)
    {
        let mut pair_start = query_start;
        for pair in url[query_start..].split('&') {
            if let Some((key, value)) = pair.split_once('=')
                && key.eq_ignore_ascii_case("password")
                && !value.is_empty()
            {
                let value_start = pair_start + key.len() + 1;
                ranges.push(value_start..value_start + value.len());
            }
            pair_start += pair.len() + 1;
        }
    }
    ranges
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        }
    }

    #[test]
    fn defaults_to_sqlite_file() {
        let config = Config::from_lookup(lookup(&[])).unwrap();
        assert_eq!(config.provider, Provider::Sqlite);
        assert_eq!(config.url, "sqlite:dbops.sqlite3");
        assert!(config.auto_migrate);
    }

    #[test]
    fn unknown_provider_lists_choices() {
        let error = Config::from_lookup(lookup(&[("DATABASE_PROVIDER", "oracle")])).unwrap_err();
        assert!(error.message().contains("`oracle`"), "{error}");
        assert!(
            error.message().contains("`sqlite`, `postgres` or `mysql`"),
            "{error}"
        );
    }

    #[test]
    fn url_of_other_provider_is_rejected() {
        let error = Config::from_lookup(lookup(&[
            ("DATABASE_PROVIDER", "postgres"),
            ("DATABASE_URL", "mysql://root:hunter2@127.0.0.1/test"),
        ]))
        .unwrap_err();
        assert!(
            error.message().contains("DATABASE_PROVIDER=mysql"),
            "{error}"
        );
        assert!(!error.message().contains("hunter2"), "{error}");
    }

    #[test]
    fn bad_numbers_name_the_variable() {
        let error = Config::from_lookup(lookup(&[("DATABASE_MAX_CONNECTIONS", "0")])).unwrap_err();
        assert!(
            error
                .message()
                .starts_with("DATABASE_MAX_CONNECTIONS is `0`"),
            "{error}"
        );
        let error = Config::from_lookup(lookup(&[("DATABASE_AUTO_MIGRATE", "maybe")])).unwrap_err();
        assert!(
            error.message().starts_with("DATABASE_AUTO_MIGRATE"),
            "{error}"
        );
    }

    #[test]
    fn mysql_password_parameter_is_rejected() {
        let error = Config::from_lookup(lookup(&[
            ("DATABASE_PROVIDER", "mysql"),
            (
                "DATABASE_URL",
                "mysql://root@127.0.0.1:3306/test?password=hunter2",
            ),
        ]))
        .unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::InvalidConfig);
        assert!(
            error.message().contains("`password=` query parameter"),
            "{error}"
        );
        assert!(!error.message().contains("hunter2"), "{error}");

        let accepted = Config::from_lookup(lookup(&[
            ("DATABASE_PROVIDER", "mysql"),
            (
                "DATABASE_URL",
                "mysql://root:hunter2@127.0.0.1:3306/test?ssl-mode=disabled",
            ),
        ]));
        assert!(accepted.is_ok());
    }

    #[test]
    fn zero_acquire_timeout_is_rejected() {
        let error = Config::from_lookup(lookup(&[("DATABASE_ACQUIRE_TIMEOUT", "0")])).unwrap_err();
        assert!(
            error.message().starts_with(
                "DATABASE_ACQUIRE_TIMEOUT is `0`, expected a number of seconds above 0"
            ),
            "{error}"
        );
    }

    #[test]
    fn server_provider_requires_url() {
        let error = Config::from_lookup(lookup(&[("DATABASE_PROVIDER", "postgres")])).unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::InvalidConfig);
        assert!(
            error.message().starts_with("DATABASE_URL is not set"),
            "{error}"
        );
    }

    #[test]
    fn password_is_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cr3t@127.0.0.1:5432/test"),
            "postgres://app:***@127.0.0.1:5432/test"
        );
        assert_eq!(
            redact_url("mysql://app:p@ss@127.0.0.1/test?password=x&ssl-mode=disabled"),
            "mysql://app:***@127.0.0.1/test?password=***&ssl-mode=disabled"
        );
        assert_eq!(redact_url("sqlite:dbops.sqlite3"), "sqlite:dbops.sqlite3");
        assert_eq!(redact_url("sqlite:///tmp/a.db"), "sqlite:///tmp/a.db");
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1:5432/test"),
            "postgres://postgres@127.0.0.1:5432/test"
        );
        assert_eq!(
            redact_url("mysql://root@127.0.0.1/test?password=x"),
            "mysql://root@127.0.0.1/test?password=***"
        );
    }

    #[test]
    fn unencoded_user_info_is_detected() {
        assert!(has_unencoded_user_info("postgres://app:P/W@127.0.0.1/app"));
        assert!(!has_unencoded_user_info(
            "postgres://app:P%2FW@127.0.0.1/app"
        ));
        assert!(!has_unencoded_user_info("postgres://127.0.0.1/app"));
        assert!(!has_unencoded_user_info("postgres//app:PW@127.0.0.1/app"));
    }

    #[test]
    fn secret_quotes_are_detected() {
        let url = "postgres://app:s3cr3t@127.0.0.1/app?password=other";
        assert!(quotes_secret(url, "bad value s3cr3t"));
        assert!(quotes_secret(url, "bad value other"));
        assert!(!quotes_secret(url, "invalid port number"));
        assert!(!quotes_secret(
            "postgres://127.0.0.1/app",
            "invalid port number"
        ));
    }

    #[test]
    fn server_url_without_slashes_is_rejected() {
        let config = Config::new(Provider::Postgres).url("postgres:/app:PW@127.0.0.1:1/app");
        let error = config.check_url().unwrap_err();
        assert_eq!(error.kind(), crate::ErrorKind::InvalidConfig);
        assert!(
            error.message().contains("must be followed by `//`"),
            "{error}"
        );
        assert!(!error.message().contains("PW"), "{error}");
        let config = Config::new(Provider::MySql).url("mysql://app@127.0.0.1/app");
        assert!(config.check_url().is_ok());
        let config = Config::new(Provider::Sqlite).url("sqlite:dbops.sqlite3");
        assert!(config.check_url().is_ok());
    }

    #[test]
    fn missing_scheme_colon_is_named() {
        let config = Config::new(Provider::Postgres).url("postgres//app:PW@127.0.0.1/app");
        let error = config.check_url().unwrap_err();
        assert!(
            error.message().contains("lacks the `:` after `postgres`"),
            "{error}"
        );
        assert!(!error.message().contains("PW"), "{error}");
    }

    #[test]
    fn password_in_malformed_url_is_redacted() {
        let cases = [
            (
                "postgres//app:PW@127.0.0.1:1/app",
                "postgres//app:***@127.0.0.1:1/app",
            ),
            (
                "mysql//app:PW@127.0.0.1:1/app",
                "mysql//app:***@127.0.0.1:1/app",
            ),
            ("app:PW@127.0.0.1/app", "app:***@127.0.0.1/app"),
            ("//app:PW@127.0.0.1/app", "//app:***@127.0.0.1/app"),
            (
                "postgres:/app:PW@127.0.0.1:1/app",
                "postgres:***@127.0.0.1:1/app",
            ),
            (
                "postgres://app:P/W@127.0.0.1/app",
                "postgres:***@127.0.0.1/app",
            ),
            (
                "postgres://app:PW?x@127.0.0.1/app",
                "postgres:***@127.0.0.1/app",
            ),
        ];
        for (url, expected) in cases {
            assert_eq!(redact_url(url), expected, "{url}");
        }
        let config = Config::new(Provider::Postgres).url("postgres://u:topsecret@127.0.0.1/db");
        assert!(!format!("{config:?}").contains("topsecret"));
    }
}
