//! The traits and descriptors that `#[db_op]` implements for each operation.

use std::future::Future;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::DbError;
use crate::provider::Backend;

/// Compile-time facts about one operation, stored in every provider registry.
#[derive(Debug)]
pub struct OperationInfo {
    /// The full URN, such as `db:users:profile:get_roles:1`.
    pub urn: &'static str,
    /// The domain segment.
    pub domain: &'static str,
    /// The subsystem segment.
    pub subsystem: &'static str,
    /// The function segment.
    pub function: &'static str,
    /// The version segment.
    pub version: u32,
    /// The doc comment of the annotated module.
    pub description: &'static str,
    /// The Rust path of the annotated module.
    pub rust_path: &'static str,
    /// The source file of the `#[db_op]` attribute.
    pub file: &'static str,
    /// The source line of the `#[db_op]` attribute.
    pub line: u32,
    /// The fields of the request type.
    pub request: &'static [FieldInfo],
    /// The response type as written, such as `Option<Profile>`.
    pub response: &'static str,
    /// The fields of every struct declared in the operation's module, by struct name.
    pub types: &'static [TypeInfo],
}

impl OperationInfo {
    /// Returns the first paragraph of the description.
    pub fn summary(&self) -> &'static str {
        self.description
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .trim()
    }

    /// Returns `file:line` of the `#[db_op]` attribute.
    pub fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }

    /// Returns a descriptor with the given URN and function segment, and no
    /// fields or types, for unit tests.
    #[cfg(test)]
    pub(crate) const fn for_test(urn: &'static str, function: &'static str) -> Self {
        OperationInfo {
            urn,
            domain: "test",
            subsystem: "unit",
            function,
            version: 1,
            description: "",
            rust_path: "",
            file: "",
            line: 0,
            request: &[],
            response: "",
            types: &[],
        }
    }
}

/// One field of a request or response struct.
#[derive(Debug)]
pub struct FieldInfo {
    /// The field name on the wire.
    pub name: &'static str,
    /// The Rust type as written, such as `Option<String>`.
    pub rust_type: &'static str,
    /// The maximum length in characters, for text fields.
    pub max_chars: Option<usize>,
}

/// One struct declared in an operation's module.
#[derive(Debug)]
pub struct TypeInfo {
    /// The struct name.
    pub name: &'static str,
    /// Its fields, in declaration order.
    pub fields: &'static [FieldInfo],
}

/// A typed request of one operation: `#[db_op]` implements it on the `Request`
/// struct of the annotated module.
pub trait Operation:
    Serialize + DeserializeOwned + std::fmt::Debug + Send + Sized + 'static
{
    /// The typed result of the operation.
    type Response: Serialize + DeserializeOwned + RowCount + Send + 'static;

    /// The operation's descriptor.
    const INFO: &'static OperationInfo;

    /// Checks the limits that serde cannot express: text lengths and NUL characters.
    fn validate(&self) -> Result<(), DbError>;

    /// Decodes the request from the fields of a JSON payload, naming the
    /// field at fault in the error.
    ///
    /// The default goes through `Deserialize`. `#[db_op]` replaces it for a
    /// request struct whose fields it reads itself, which saves compiling
    /// the path-tracking deserializer for every operation.
    #[doc(hidden)]
    fn decode(fields: Map<String, Value>) -> Result<Self, DbError> {
        crate::dispatch::decode_request(Self::INFO, fields)
    }
}

/// The implementation of an operation on one provider.
///
/// `#[db_op]` implements it for every provider from the module's `sqlite`,
/// `postgres` and `mysql` functions, so a missing provider is a compile error.
pub trait Handler<DB: Backend>: Operation {
    /// Runs the operation on `conn`, which may be inside a caller's transaction.
    fn handle(
        conn: &mut DB::Connection,
        request: Self,
    ) -> impl Future<Output = Result<Self::Response, DbError>> + Send + '_;
}

/// The number of rows a response carries, recorded in the tracing span of a call.
pub trait RowCount {
    /// Returns the row count.
    fn row_count(&self) -> u64;
}

impl<T> RowCount for Option<T> {
    fn row_count(&self) -> u64 {
        u64::from(self.is_some())
    }
}

impl<T> RowCount for Vec<T> {
    fn row_count(&self) -> u64 {
        self.len() as u64
    }
}
