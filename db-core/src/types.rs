//! Value types with the strict wire forms that every provider shares.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

use base64::Engine as _;
use chrono::{DateTime, Datelike, SecondsFormat, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};
use uuid::Uuid;

use crate::error::DbError;

/// A UUID that is read only in its canonical hyphenated form.
///
/// `5f0c8a9e-2b1d-4c3e-9f00-0123456789ab` parses (in either letter case), while
/// the braced, URN and 32-digit forms that [`Uuid`] accepts are rejected, so a
/// malformed id is an error and never a silent "not found". Written in
/// lowercase hyphenated form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Guid(Uuid);

impl Guid {
    /// Creates a random (version 4) id.
    pub fn new_v4() -> Self {
        Guid(Uuid::new_v4())
    }

    /// Returns the inner UUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl From<Uuid> for Guid {
    fn from(uuid: Uuid) -> Self {
        Guid(uuid)
    }
}

impl From<Guid> for Uuid {
    fn from(guid: Guid) -> Self {
        guid.0
    }
}

impl FromStr for Guid {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let hyphenated = text.len() == 36
            && text.char_indices().all(|(index, character)| match index {
                8 | 13 | 18 | 23 => character == '-',
                _ => character.is_ascii_hexdigit(),
            });
        if !hyphenated {
            return Err(format!(
                "`{}` is not a UUID in hyphenated form such as \
                 `5f0c8a9e-2b1d-4c3e-9f00-0123456789ab`",
                abbreviate(text)
            ));
        }
        Uuid::parse_str(text)
            .map(Guid)
            .map_err(|error| error.to_string())
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.hyphenated(), formatter)
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl Serialize for Guid {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Guid {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The earliest instant that every provider stores (MySQL `DATETIME` starts at year 1000).
const MIN_YEAR: i32 = 1000;
/// The latest year that every provider stores and RFC 3339 can write.
const MAX_YEAR: i32 = 9999;

/// An instant with microsecond precision, read from RFC 3339 text with an offset
/// and written as RFC 3339 in UTC (`2026-12-04T18:23:52Z`).
///
/// Finer fractions are truncated to microseconds, the precision that PostgreSQL
/// and MySQL store, so a value reads back the same from every provider. Instants
/// before year 1000 or after year 9999 (in UTC) are rejected.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// Returns the current instant.
    pub fn now() -> Self {
        Timestamp(Utc::now().trunc_subsecs(6))
    }

    /// Converts `instant`, rejecting one outside the years 1000 to 9999.
    pub fn try_from_datetime(instant: DateTime<Utc>) -> Result<Self, String> {
        let year = instant.year();
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(format!(
                "`{}` is outside the supported range, years {MIN_YEAR} to {MAX_YEAR} in UTC",
                instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)
            ));
        }
        Ok(Timestamp(instant.trunc_subsecs(6)))
    }

    /// Returns the instant `seconds` later (earlier when negative), if it is in range.
    pub fn add_seconds(&self, seconds: i64) -> Option<Self> {
        let instant = self
            .0
            .checked_add_signed(chrono::TimeDelta::try_seconds(seconds)?)?;
        Self::try_from_datetime(instant).ok()
    }

    /// Returns the instant as a chrono value.
    pub fn as_datetime(&self) -> DateTime<Utc> {
        self.0
    }
}

impl TryFrom<DateTime<Utc>> for Timestamp {
    type Error = String;

    fn try_from(instant: DateTime<Utc>) -> Result<Self, Self::Error> {
        Self::try_from_datetime(instant)
    }
}

impl FromStr for Timestamp {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let instant = DateTime::parse_from_rfc3339(text).map_err(|error| {
            format!(
                "`{}` is not an RFC 3339 timestamp with an offset such as \
                 `2026-12-04T19:23:52+01:00` ({error})",
                abbreviate(text)
            )
        })?;
        Self::try_from_datetime(instant.with_timezone(&Utc))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, formatter)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A credential, such as an access token, that Debug output never shows.
///
/// A payload value of the wrong type is rejected without echoing it, so a
/// credential sent as a number does not appear in the error either.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Returns the secret text, for hashing or sending it on.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<String> for Secret {
    fn from(text: String) -> Self {
        Secret(text)
    }
}

impl From<&str> for Secret {
    fn from(text: &str) -> Self {
        Secret(text.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Secret(\"<redacted>\")")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // `deserialize_any` hands values of other types to the visitor, so the
        // error names their kind instead of the deserializer's message with the value.
        deserializer.deserialize_any(SecretVisitor)
    }
}

/// Reads a [`Secret`] from a string. Its errors name only the kind of any
/// other value, never the value.
struct SecretVisitor;

impl SecretVisitor {
    fn reject<E: de::Error>(&self, kind: &'static str) -> Result<Secret, E> {
        Err(E::invalid_type(de::Unexpected::Other(kind), self))
    }
}

impl de::Visitor<'_> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Secret, E> {
        Ok(Secret(text.to_owned()))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<Secret, E> {
        Ok(Secret(text))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Secret, E> {
        self.reject("boolean")
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Secret, E> {
        self.reject("integer")
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Secret, E> {
        self.reject("integer")
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Secret, E> {
        self.reject("number")
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Secret, E> {
        self.reject("bytes")
    }
}

macro_rules! delegate_sqlx_type {
    ($wrapper:ty, $inner:ty, $unwrap:expr, $wrap:expr) => {
        impl<DB: Database> Type<DB> for $wrapper
        where
            $inner: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <$inner as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <$inner as Type<DB>>::compatible(ty)
            }
        }

        impl<'q, DB: Database> Encode<'q, DB> for $wrapper
        where
            $inner: Encode<'q, DB>,
        {
            fn encode_by_ref(
                &self,
                buffer: &mut <DB as Database>::ArgumentBuffer,
            ) -> Result<IsNull, BoxDynError> {
                let unwrap: fn(&$wrapper) -> $inner = $unwrap;
                unwrap(self).encode(buffer)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $wrapper
        where
            $inner: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                let wrap: fn($inner) -> $wrapper = $wrap;
                Ok(wrap(<$inner as Decode<'r, DB>>::decode(value)?))
            }
        }
    };
}

delegate_sqlx_type!(Guid, Uuid, |guid| guid.0, Guid);
delegate_sqlx_type!(Timestamp, DateTime<Utc>, |timestamp| timestamp.0, Timestamp);

/// Text that a request field holds, for the generated length checks.
pub trait RequestText {
    /// Returns the text, or `None` for an absent optional field.
    fn request_text(&self) -> Option<&str>;
}

impl RequestText for String {
    fn request_text(&self) -> Option<&str> {
        Some(self)
    }
}

impl RequestText for Secret {
    fn request_text(&self) -> Option<&str> {
        Some(&self.0)
    }
}

impl<T: RequestText> RequestText for Option<T> {
    fn request_text(&self) -> Option<&str> {
        self.as_ref().and_then(RequestText::request_text)
    }
}

/// Checks that the text of `field` has at most `max_chars` characters and no NUL.
///
/// NUL is rejected because PostgreSQL cannot store it in text, and every
/// provider must accept the same values.
pub fn check_text(field: &str, value: &impl RequestText, max_chars: usize) -> Result<(), DbError> {
    let Some(text) = value.request_text() else {
        return Ok(());
    };
    // Counting characters is only needed when the byte length could exceed the limit.
    if text.len() > max_chars {
        let chars = text.chars().count();
        if chars > max_chars {
            return Err(DbError::invalid_payload(format!(
                "field `{field}` is {chars} characters long, the maximum is {max_chars}"
            )));
        }
    }
    if text.contains('\0') {
        return Err(DbError::invalid_payload(format!(
            "field `{field}` contains a NUL character, which cannot be stored"
        )));
    }
    Ok(())
}

/// Decodes standard base64 (with padding) from `field`.
pub fn decode_base64(field: &str, text: &str) -> Result<Vec<u8>, DbError> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|error| {
            let detail = match error {
                base64::DecodeError::InvalidByte(offset, byte) => format!(
                    "character `{}` at offset {offset} is not in the alphabet",
                    char::from(byte).escape_default()
                ),
                other => other.to_string(),
            };
            DbError::invalid_payload(format!(
                "field `{field}` is not valid standard base64 ({detail}); \
                 use A-Z, a-z, 0-9, `+` and `/`, padded with `=`"
            ))
        })
}

/// Returns the SHA-256 digest of `text`'s UTF-8 bytes.
///
/// Access tokens are stored only as this digest, and PostgreSQL and MySQL key
/// long text columns by it because their indexes cannot hold 1024 characters.
pub fn sha256(text: &str) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(text.as_bytes()).into()
}

/// Encodes bytes as standard base64 with padding.
pub fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Parses an IPv4 or IPv6 address from `field` and returns its canonical text.
pub fn canonical_ip(field: &str, text: &str) -> Result<String, DbError> {
    text.parse::<IpAddr>()
        .map(|address| address.to_string())
        .map_err(|_| {
            DbError::invalid_payload(format!(
                "field `{field}` is `{}`, expected an IPv4 or IPv6 address such as \
                 `203.0.113.7` or `2001:db8::1`",
                abbreviate(text)
            ))
        })
}

/// Shortens `text` for an error message.
fn abbreviate(text: &str) -> String {
    const SHOWN: usize = 64;
    match text.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}...", &text[..end]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_accepts_only_hyphenated_form() {
        assert!(
            "5f0c8a9e-2b1d-4c3e-9f00-0123456789ab"
                .parse::<Guid>()
                .is_ok()
        );
        assert!(
            "5F0C8A9E-2B1D-4C3E-9F00-0123456789AB"
                .parse::<Guid>()
                .is_ok()
        );
        for text in [
            "5f0c8a9e2b1d4c3e9f000123456789ab",
            "{5f0c8a9e-2b1d-4c3e-9f00-0123456789ab}",
            "urn:uuid:5f0c8a9e-2b1d-4c3e-9f00-0123456789ab",
            "5f0c8a9e-2b1d-4c3e-9f00-0123456789ag",
            "not-a-guid",
            "",
        ] {
            assert!(text.parse::<Guid>().is_err(), "{text}");
        }
    }

    #[test]
    fn timestamp_is_written_in_utc() {
        let timestamp: Timestamp = "2026-12-04T19:23:52+01:00".parse().unwrap();
        assert_eq!(timestamp.to_string(), "2026-12-04T18:23:52Z");
    }

    #[test]
    fn timestamp_truncates_to_microseconds() {
        let timestamp: Timestamp = "2026-12-04T18:23:52.123456789Z".parse().unwrap();
        assert_eq!(timestamp.to_string(), "2026-12-04T18:23:52.123456Z");
    }

    #[test]
    fn timestamp_requires_offset_and_range() {
        assert!("2026-12-04T18:23:52".parse::<Timestamp>().is_err());
        assert!("2026-12-04".parse::<Timestamp>().is_err());
        assert!("0999-12-31T23:59:59Z".parse::<Timestamp>().is_err());
        assert!("9999-12-31T23:59:59-01:00".parse::<Timestamp>().is_err());
    }

    #[test]
    fn secret_type_error_hides_value() {
        let error = serde_json::from_value::<Secret>(serde_json::json!(987_654_321)).unwrap_err();
        let message = error.to_string();
        assert!(!message.contains("987654321"), "{message}");
        assert!(message.contains("expected a string"), "{message}");

        let error = serde_json::from_value::<Secret>(serde_json::json!(1.5)).unwrap_err();
        assert!(!error.to_string().contains("1.5"), "{error}");

        let secret: Secret = serde_json::from_value(serde_json::json!("token-123")).unwrap();
        assert_eq!(secret.expose(), "token-123");
    }

    #[test]
    fn secret_debug_is_redacted() {
        let secret = Secret::from("token-123");
        assert!(!format!("{secret:?}").contains("token-123"));
    }

    #[test]
    fn text_limit_counts_characters() {
        assert!(check_text("key", &"é".repeat(1024), 1024).is_ok());
        let error = check_text("key", &"é".repeat(1025), 1024).unwrap_err();
        assert_eq!(
            error.message(),
            "field `key` is 1025 characters long, the maximum is 1024"
        );
        assert!(check_text("key", &"a\0b".to_owned(), 1024).is_err());
        assert!(check_text("key", &None::<String>, 1).is_ok());
    }

    #[test]
    fn ip_is_canonicalized() {
        assert_eq!(canonical_ip("ip", "2001:DB8:0::1").unwrap(), "2001:db8::1");
        assert!(canonical_ip("ip", "203.0.113.300").is_err());
    }
}
