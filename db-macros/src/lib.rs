//! The `#[db_op]` attribute of `db-core`; use it through `db_core::db_op`.
//!
//! The expansion is a pipeline: `parse` reads the attribute and the module,
//! `check` validates both and collects every error, and `expand` writes
//! the derives, the trait impls, the registrations and the client function.

#![forbid(unsafe_code)]

mod check;
mod expand;
mod parse;

use proc_macro::TokenStream;

/// Turns an inline module into a catalog operation.
///
/// See the `db_core` crate documentation for the full contract and an example.
#[proc_macro_attribute]
pub fn db_op(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::db_op(args.into(), item.into()).into()
}
