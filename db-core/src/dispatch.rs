//! The two call paths, typed and JSON, and the tracing span they share.

use std::future::Future;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use tracing::{Instrument, Level};

use crate::error::{DbError, ErrorKind};
use crate::operation::{Handler, OperationInfo, RowCount};
use crate::provider::{Backend, Provider};
use crate::registry::{BoxFuture, DynamicResult};

/// The tracing target of every operation call.
pub const TRACING_TARGET: &str = "dbops::operation";

/// Calls slower than this are logged at WARN.
const SLOW_CALL: Duration = Duration::from_secs(1);

/// Runs `call` inside the operation span and logs its outcome.
///
/// `call` returns the result and its row count. The span records the URN, the
/// provider, the elapsed time, the row count and the outcome, which is `ok` or
/// the error kind. The closing event adds the error message. No payload value is
/// ever logged.
pub(crate) async fn instrument<T>(
    info: &'static OperationInfo,
    provider: Provider,
    call: impl Future<Output = Result<(T, u64), DbError>>,
) -> Result<T, DbError> {
    let span = tracing::debug_span!(
        target: TRACING_TARGET,
        "db_op",
        urn = info.urn,
        provider = provider.as_str(),
        elapsed_us = tracing::field::Empty,
        rows = tracing::field::Empty,
        outcome = tracing::field::Empty,
    );
    // Reading the clock costs about 0.1 µs per read on some virtual machines,
    // so calls are timed only when the span or the slow-call warning is on.
    let timed = !span.is_disabled() || tracing::enabled!(target: TRACING_TARGET, Level::WARN);
    let started = timed.then(Instant::now);
    let result = call.instrument(span.clone()).await;
    let elapsed = started.map_or(Duration::ZERO, |started| started.elapsed());

    let (rows, outcome) = match &result {
        Ok((_, rows)) => (*rows, "ok"),
        Err(error) => (0, error.kind().as_str()),
    };
    span.record(
        "elapsed_us",
        u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
    );
    span.record("rows", rows);
    span.record("outcome", outcome);

    let entered = span.enter();
    match &result {
        Err(error) if matches!(error.kind(), ErrorKind::Internal | ErrorKind::Unavailable) => {
            tracing::warn!(target: TRACING_TARGET, error = %error, "operation call failed")
        }
        Err(error) => {
            tracing::debug!(target: TRACING_TARGET, error = %error, "operation call failed")
        }
        Ok(_) if elapsed >= SLOW_CALL => {
            tracing::warn!(target: TRACING_TARGET, "slow operation call")
        }
        Ok(_) => tracing::debug!(target: TRACING_TARGET, "operation call"),
    }
    drop(entered);
    result.map(|(value, _)| value)
}

/// Names the operation in the error of `Operation::validate`, if any.
///
/// It takes the result rather than the request, so rustc compiles it once
/// instead of once per operation. The generic functions of this module
/// avoid closures for the same reason.
fn check_request(info: &OperationInfo, validation: Result<(), DbError>) -> Result<(), DbError> {
    match validation {
        Ok(()) => Ok(()),
        Err(error) => Err(error.prefixed(&payload_prefix(info))),
    }
}

/// Returns the prefix that names the operation in an `invalid_payload` message.
fn payload_prefix(info: &OperationInfo) -> String {
    format!("invalid payload for `{}`: ", info.urn)
}

/// Validates `request` and runs the provider's handler, returning the row count too.
pub(crate) async fn handle_typed<DB, O>(
    conn: &mut DB::Connection,
    request: O,
) -> Result<(O::Response, u64), DbError>
where
    DB: Backend,
    O: Handler<DB>,
{
    check_request(O::INFO, request.validate())?;
    let response = O::handle(conn, request)
        .await
        .map_err(|error| name_operation(O::INFO, error))?;
    let rows = response.row_count();
    Ok((response, rows))
}

/// Names the operation in an `invalid_payload` error that its handler
/// raised, as the decoding and validation errors do.
fn name_operation(info: &OperationInfo, error: DbError) -> DbError {
    if error.kind() != ErrorKind::InvalidPayload {
        return error;
    }
    error.prefixed(&payload_prefix(info))
}

/// The dynamic entry point of operation `O` on provider `DB`, stored in the registry.
///
/// It decodes and validates the request, then returns the future that runs
/// it and writes the response as JSON text.
#[doc(hidden)]
pub fn handle_dynamic<'c, DB, O>(
    conn: &'c mut DB::Connection,
    payload: Value,
) -> Result<BoxFuture<'c, DynamicResult>, DbError>
where
    DB: Backend,
    O: Handler<DB>,
{
    let request = O::decode(payload_fields(O::INFO, payload)?)?;
    check_request(O::INFO, request.validate())?;
    // The steps of `handle_typed` after validation, written out so that each
    // operation and provider compiles one state machine here, not two.
    Ok(Box::pin(async move {
        let response = match O::handle(conn, request).await {
            Ok(response) => response,
            Err(error) => return Err(name_operation(O::INFO, error)),
        };
        let rows = response.row_count();
        Ok((encode_text(O::INFO, &response)?, rows))
    }))
}

/// Returns the fields of a JSON payload, which must be an object.
///
/// `null` is read as `{}`, so an operation without fields accepts both.
fn payload_fields(info: &OperationInfo, payload: Value) -> Result<Map<String, Value>, DbError> {
    match payload {
        Value::Null => Ok(Map::new()),
        Value::Object(fields) => Ok(fields),
        // serde would read an array as the fields in declaration order, which
        // would let a payload skip the field names.
        other => Err(not_an_object(info, &other)),
    }
}

/// Deserializes a request from the fields of a JSON object, naming the
/// offending field on failure.
pub(crate) fn decode_request<T: DeserializeOwned>(
    info: &OperationInfo,
    fields: Map<String, Value>,
) -> Result<T, DbError> {
    serde_path_to_error::deserialize(Value::Object(fields)).map_err(|error| {
        let path = error.path().to_string();
        payload_error(info, &path, &error.into_inner().to_string())
    })
}

fn not_an_object(info: &OperationInfo, payload: &Value) -> DbError {
    DbError::invalid_payload(format!(
        "invalid payload for `{}`: expected a JSON object with named fields, found {}",
        info.urn,
        json_type_name(payload)
    ))
}

/// Builds the `invalid_payload` error for a value at `path` (`.` for the
/// payload itself) that could not be decoded.
pub(crate) fn payload_error(info: &OperationInfo, path: &str, cause: &str) -> DbError {
    // serde already names the field in "unknown field `x`" messages.
    let message = if path == "." || cause.contains(&format!("`{path}`")) {
        format!("invalid payload for `{}`: {cause}", info.urn)
    } else {
        format!(
            "invalid payload for `{}`: field `{path}`: {cause}",
            info.urn
        )
    };
    DbError::invalid_payload(message)
}

/// Encodes a response as compact JSON text.
fn encode_text<T: Serialize>(info: &OperationInfo, response: &T) -> Result<Box<RawValue>, DbError> {
    match serde_json::value::to_raw_value(response) {
        Ok(text) => Ok(text),
        Err(error) => Err(encode_error(info, error)),
    }
}

/// Reads the JSON text of a dynamic call's result back as a value tree.
pub(crate) fn text_to_value(info: &OperationInfo, text: &RawValue) -> Result<Value, DbError> {
    serde_json::from_str(text.get()).map_err(|error| encode_error(info, error))
}

fn encode_error(info: &OperationInfo, error: serde_json::Error) -> DbError {
    DbError::internal(format!(
        "cannot encode the result of `{}` as JSON: {error}",
        info.urn
    ))
}

fn json_type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    const INFO: OperationInfo = OperationInfo::for_test("db:test:unit:check:1", "check");

    #[test]
    fn handler_payload_error_names_operation() {
        let cause = std::io::Error::other("cause");
        let error = DbError::invalid_payload("field `x` is bad").with_source(cause);
        let named = name_operation(&INFO, error);
        assert_eq!(named.kind(), ErrorKind::InvalidPayload);
        assert_eq!(
            named.to_string(),
            "invalid payload for `db:test:unit:check:1`: field `x` is bad"
        );
        assert!(named.source().is_some(), "the source is kept");
    }

    #[test]
    fn handler_other_errors_unchanged() {
        let named = name_operation(&INFO, DbError::new(ErrorKind::NotFound, "user not found"));
        assert_eq!(named.kind(), ErrorKind::NotFound);
        assert_eq!(named.to_string(), "user not found");
    }
}
