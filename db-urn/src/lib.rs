//! The grammar of operation URNs.
//!
//! Every database operation is named `db:{domain}:{subsystem}:{function}:{version}`,
//! for example `db:users:profile:get_roles:1`. This crate contains the one parser of
//! that grammar. The `#[db_op]` macro calls it at compile time to reject a bad
//! literal, and the runtime calls it only after a dispatch lookup has failed, to
//! tell an invalid URN from an unknown operation.
//!
//! - the namespace is `db`;
//! - domain, subsystem and function are lowercase snake_case: `[a-z][a-z0-9_]*`
//!   with no leading, trailing or doubled `_`;
//! - the version is a positive decimal integer without leading zeros;
//! - there are exactly five segments, separated by `:`.
//!
//! ```
//! let urn = db_urn::Urn::parse("db:users:profile:get_roles:1").unwrap();
//! assert_eq!(urn.function(), "get_roles");
//! assert_eq!(urn.version(), 1);
//!
//! let error = db_urn::Urn::parse("db:users:Profile:get_roles:1").unwrap_err();
//! assert_eq!(error.segment(), Some(db_urn::Segment::Subsystem));
//! ```

#![forbid(unsafe_code)]

use std::fmt;

/// The namespace every operation URN starts with.
pub const NAMESPACE: &str = "db";

/// The number of `:`-separated segments in a URN.
pub const SEGMENT_COUNT: usize = 5;

/// One of the five positions in a URN.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment {
    /// The fixed namespace `db`.
    Namespace,
    /// The business domain, such as `users`.
    Domain,
    /// The subsystem within the domain, such as `profile`.
    Subsystem,
    /// The function name, such as `get_roles`.
    Function,
    /// The positive version number.
    Version,
}

impl Segment {
    /// All segments in URN order.
    pub const ALL: [Segment; SEGMENT_COUNT] = [
        Segment::Namespace,
        Segment::Domain,
        Segment::Subsystem,
        Segment::Function,
        Segment::Version,
    ];

    /// Returns the segment's name as used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Segment::Namespace => "namespace",
            Segment::Domain => "domain",
            Segment::Subsystem => "subsystem",
            Segment::Function => "function",
            Segment::Version => "version",
        }
    }

    /// Returns the 1-based position of the segment within a URN.
    pub fn position(self) -> usize {
        self as usize + 1
    }

    fn expected_form(self) -> &'static str {
        match self {
            Segment::Namespace => "the literal `db`",
            Segment::Domain => {
                "lowercase snake_case such as `users`: `[a-z][a-z0-9_]*` \
                 without leading, trailing or doubled `_`"
            }
            Segment::Subsystem => {
                "lowercase snake_case such as `profile`: `[a-z][a-z0-9_]*` \
                 without leading, trailing or doubled `_`"
            }
            Segment::Function => {
                "lowercase snake_case such as `get_roles`: `[a-z][a-z0-9_]*` \
                 without leading, trailing or doubled `_`"
            }
            Segment::Version => "a positive integer without leading zeros such as `1`",
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// A URN that failed to parse, with the offending segment where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrnError {
    /// The text does not have exactly five `:`-separated segments.
    SegmentCount {
        /// How many segments the text has.
        found: usize,
    },
    /// One segment is empty or does not have the form its position requires.
    InvalidSegment {
        /// The segment that is wrong.
        segment: Segment,
        /// The text of that segment.
        value: String,
    },
}

impl UrnError {
    /// Returns the segment the error is about, or `None` for a wrong segment count.
    pub fn segment(&self) -> Option<Segment> {
        match self {
            UrnError::SegmentCount { .. } => None,
            UrnError::InvalidSegment { segment, .. } => Some(*segment),
        }
    }
}

impl fmt::Display for UrnError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrnError::SegmentCount { found } => write!(
                formatter,
                "expected {SEGMENT_COUNT} `:`-separated segments \
                 `db:{{domain}}:{{subsystem}}:{{function}}:{{version}}`, found {found}"
            ),
            UrnError::InvalidSegment { segment, value } if value.is_empty() => write!(
                formatter,
                "{segment} (segment {}) is empty, expected {}",
                segment.position(),
                segment.expected_form()
            ),
            UrnError::InvalidSegment { segment, value } => {
                write!(
                    formatter,
                    "invalid {segment} `{value}` (segment {}), expected {}",
                    segment.position(),
                    segment.expected_form()
                )?;
                match corrected(*segment, value) {
                    Some(fixed) => write!(formatter, "; write `{fixed}`"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::error::Error for UrnError {}

/// A parsed operation URN that borrows its segments from the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Urn<'a> {
    domain: &'a str,
    subsystem: &'a str,
    function: &'a str,
    version: u32,
}

impl<'a> Urn<'a> {
    /// Parses `text`, stopping at the first error.
    pub fn parse(text: &'a str) -> Result<Self, UrnError> {
        match Self::parse_all(text) {
            Ok(urn) => Ok(urn),
            Err(mut errors) => Err(errors.swap_remove(0)),
        }
    }

    /// Parses `text` and returns every invalid segment, in URN order, if any.
    ///
    /// A wrong segment count is reported alone, because the segments cannot be
    /// identified then.
    pub fn parse_all(text: &'a str) -> Result<Self, Vec<UrnError>> {
        let parts: Vec<&str> = text.split(':').collect();
        let [namespace, domain, subsystem, function, version] = parts[..] else {
            return Err(vec![UrnError::SegmentCount { found: parts.len() }]);
        };

        let mut errors = Vec::new();
        let mut check = |segment: Segment, value: &str, valid: bool| {
            if !valid {
                errors.push(UrnError::InvalidSegment {
                    segment,
                    value: value.to_owned(),
                });
            }
        };
        check(Segment::Namespace, namespace, namespace == NAMESPACE);
        check(Segment::Domain, domain, is_snake_case(domain));
        check(Segment::Subsystem, subsystem, is_snake_case(subsystem));
        check(Segment::Function, function, is_snake_case(function));
        let parsed_version = parse_version(version);
        check(Segment::Version, version, parsed_version.is_some());

        match parsed_version {
            Some(version) if errors.is_empty() => Ok(Urn {
                domain,
                subsystem,
                function,
                version,
            }),
            _ => Err(errors),
        }
    }

    /// Returns the domain, such as `users`.
    pub fn domain(&self) -> &'a str {
        self.domain
    }

    /// Returns the subsystem, such as `profile`.
    pub fn subsystem(&self) -> &'a str {
        self.subsystem
    }

    /// Returns the function, such as `get_roles`.
    pub fn function(&self) -> &'a str {
        self.function
    }

    /// Returns the version, at least 1.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Returns the Rust name of the item that implements this operation.
    ///
    /// Version 1 keeps the function name (`get_roles`). A later version appends
    /// its number (`get_roles_v2`), so every version lives beside the others in
    /// the module named after the domain and subsystem.
    pub fn item_name(&self) -> String {
        if self.version == 1 {
            self.function.to_owned()
        } else {
            format!("{}_v{}", self.function, self.version)
        }
    }
}

impl fmt::Display for Urn<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{NAMESPACE}:{}:{}:{}:{}",
            self.domain, self.subsystem, self.function, self.version
        )
    }
}

/// Returns the obvious correction of an invalid segment, if there is one:
/// lowercase, `-` and spaces as `_`, stray `_` removed, or a version without
/// leading zeros.
fn corrected(segment: Segment, value: &str) -> Option<String> {
    let fixed = match segment {
        Segment::Namespace => return None,
        Segment::Version => value.trim_start_matches('0').to_owned(),
        Segment::Domain | Segment::Subsystem | Segment::Function => value
            .to_ascii_lowercase()
            .replace(['-', ' '], "_")
            .split('_')
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join("_"),
    };
    let valid = match segment {
        Segment::Version => parse_version(&fixed).is_some(),
        _ => is_snake_case(&fixed),
    };
    (valid && fixed != value).then_some(fixed)
}

/// Returns whether `text` is `[a-z][a-z0-9_]*` with no trailing or doubled `_`.
fn is_snake_case(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(first) = bytes.first() else {
        return false;
    };
    first.is_ascii_lowercase()
        && bytes
            .iter()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || *byte == b'_')
        && !text.ends_with('_')
        && !text.contains("__")
}

/// Parses a positive decimal version without sign or leading zeros.
fn parse_version(text: &str) -> Option<u32> {
    let well_formed = !text.is_empty()
        && !text.starts_with('0')
        && text.bytes().all(|byte| byte.is_ascii_digit());
    if well_formed { text.parse().ok() } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_segment(text: &str) -> Option<Segment> {
        Urn::parse(text).unwrap_err().segment()
    }

    #[test]
    fn valid_urn_parses() {
        let urn = Urn::parse("db:users:profile:get_roles:12").unwrap();
        assert_eq!(urn.domain(), "users");
        assert_eq!(urn.subsystem(), "profile");
        assert_eq!(urn.function(), "get_roles");
        assert_eq!(urn.version(), 12);
        assert_eq!(urn.to_string(), "db:users:profile:get_roles:12");
    }

    #[test]
    fn digits_after_first_letter_are_valid() {
        assert!(Urn::parse("db:v2users:p1:get_2fa_code:3").is_ok());
    }

    #[test]
    fn segment_count_is_checked() {
        assert_eq!(
            Urn::parse("db:users:profile"),
            Err(UrnError::SegmentCount { found: 3 })
        );
        assert_eq!(
            Urn::parse("db:users:profile:get_roles:1:2"),
            Err(UrnError::SegmentCount { found: 6 })
        );
        assert_eq!(Urn::parse(""), Err(UrnError::SegmentCount { found: 1 }));
    }

    #[test]
    fn each_segment_rule_names_its_segment() {
        assert_eq!(
            invalid_segment("sql:users:profile:get_roles:1"),
            Some(Segment::Namespace)
        );
        assert_eq!(
            invalid_segment("db::profile:get_roles:1"),
            Some(Segment::Domain)
        );
        assert_eq!(
            invalid_segment("db:users:Profile:get_roles:1"),
            Some(Segment::Subsystem)
        );
        assert_eq!(
            invalid_segment("db:users:profile:get-roles:1"),
            Some(Segment::Function)
        );
        assert_eq!(
            invalid_segment("db:users:profile:2fa:1"),
            Some(Segment::Function)
        );
        assert_eq!(
            invalid_segment("db:users:profile:_roles:1"),
            Some(Segment::Function)
        );
        assert_eq!(
            invalid_segment("db:users:profile:roles_:1"),
            Some(Segment::Function)
        );
        assert_eq!(
            invalid_segment("db:users:profile:get__roles:1"),
            Some(Segment::Function)
        );
    }

    #[test]
    fn version_must_be_positive_without_leading_zero() {
        for version in ["0", "01", "", "-1", "+1", "1.0", "one", "99999999999"] {
            let text = format!("db:users:profile:get_roles:{version}");
            assert_eq!(invalid_segment(&text), Some(Segment::Version), "{text}");
        }
    }

    #[test]
    fn parse_all_reports_every_invalid_segment() {
        let errors = Urn::parse_all("db:Users:profile:get-roles:0").unwrap_err();
        let segments: Vec<_> = errors.iter().filter_map(UrnError::segment).collect();
        assert_eq!(
            segments,
            [Segment::Domain, Segment::Function, Segment::Version]
        );
    }

    #[test]
    fn error_message_names_segment_and_position() {
        let message = Urn::parse("db:users:profile:get-roles:1")
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("invalid function `get-roles` (segment 4)"));
    }

    #[test]
    fn error_message_suggests_obvious_fix() {
        let message = |text: &str| Urn::parse(text).unwrap_err().to_string();
        assert!(message("db:Users:profile:get_roles:1").ends_with("; write `users`"));
        assert!(message("db:users:profile:get-roles:1").ends_with("; write `get_roles`"));
        assert!(message("db:users:profile:get_roles:01").ends_with("; write `1`"));
        assert!(!message("db:users:profile:2fa:1").contains("write"));
        assert!(!message("db:users:profile:get_roles:0").contains("write"));
    }

    #[test]
    fn item_name_appends_later_versions() {
        let first = Urn::parse("db:users:profile:get_roles:1").unwrap();
        let second = Urn::parse("db:users:profile:get_roles:2").unwrap();
        assert_eq!(first.item_name(), "get_roles");
        assert_eq!(second.item_name(), "get_roles_v2");
    }
}
