//! The error for a URN that is not in the dispatch table.

use db_urn::Urn;

use crate::error::{DbError, ErrorKind};

/// The longest URN quoted back in an error message.
const MAX_QUOTED: usize = 200;

/// Builds the `invalid_urn` or `unknown_operation` error for a URN that is not in `known`.
///
/// This runs only after the dispatch lookup has failed, so the parse and the
/// scan over `known` cost nothing on the successful path.
pub fn lookup_error(urn: &str, known: &[&str]) -> DbError {
    let quoted = quote(urn);
    let parsed = match Urn::parse(urn) {
        Ok(parsed) => parsed,
        Err(error) => {
            return DbError::new(
                ErrorKind::InvalidUrn,
                format!("invalid URN `{quoted}`: {error}"),
            );
        }
    };

    let mut message = format!("no operation is registered as `{quoted}`");

    let mut versions: Vec<u32> = known
        .iter()
        .filter_map(|candidate| Urn::parse(candidate).ok())
        .filter(|candidate| {
            candidate.domain() == parsed.domain()
                && candidate.subsystem() == parsed.subsystem()
                && candidate.function() == parsed.function()
        })
        .map(|candidate| candidate.version())
        .collect();
    versions.sort_unstable();

    if versions.is_empty() {
        if let Some(closest) = closest(urn, known) {
            message.push_str(&format!("; did you mean `{closest}`?"));
        }
    } else {
        let listed: Vec<String> = versions.iter().map(u32::to_string).collect();
        message.push_str(&format!(
            "; `{}:{}:{}` exists in version {}",
            parsed.domain(),
            parsed.subsystem(),
            parsed.function(),
            listed.join(", ")
        ));
    }
    DbError::new(ErrorKind::UnknownOperation, message)
}

/// Returns the known URN closest to `urn` by edit distance, if one is close enough.
fn closest<'a>(urn: &str, known: &[&'a str]) -> Option<&'a str> {
    let limit = (urn.len() / 3).max(2);
    known
        .iter()
        .map(|candidate| (strsim::levenshtein(urn, candidate), *candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min()
        .map(|(_, candidate)| candidate)
}

fn quote(urn: &str) -> String {
    match urn.char_indices().nth(MAX_QUOTED) {
        Some((end, _)) => format!("{}...", &urn[..end]),
        None => urn.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 3] = [
        "db:users:profile:get_roles:1",
        "db:users:profile:get_roles:2",
        "db:system:config:get_config:1",
    ];

    #[test]
    fn malformed_urn_is_invalid() {
        let error = lookup_error("db:users:profile", &KNOWN);
        assert_eq!(error.kind(), ErrorKind::InvalidUrn);
        assert!(error.message().contains("found 3"), "{error}");
    }

    #[test]
    fn misspelled_function_gets_suggestion() {
        let error = lookup_error("db:users:profile:get_rolez:1", &KNOWN);
        assert_eq!(error.kind(), ErrorKind::UnknownOperation);
        assert!(
            error
                .message()
                .contains("did you mean `db:users:profile:get_roles:1`"),
            "{error}"
        );
    }

    #[test]
    fn missing_version_lists_existing_versions() {
        let error = lookup_error("db:users:profile:get_roles:3", &KNOWN);
        assert!(
            error.message().contains("exists in version 1, 2"),
            "{error}"
        );
    }
}
