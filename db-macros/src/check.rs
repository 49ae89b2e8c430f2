//! Validates the URN, the module's name and path, and the provider functions.

use db_urn::{Urn, UrnError};
use syn::{FnArg, ReturnType, Signature};

use crate::parse::{self, Args, Model, PROVIDERS};

/// The URN's parts that code generation needs.
pub(crate) struct Checked {
    pub(crate) domain: String,
    pub(crate) subsystem: String,
    pub(crate) function: String,
    pub(crate) version: u32,
}

/// Checks everything that can be checked before rustc compiles the expansion and
/// returns the URN's parts when it is valid. Every problem goes into `errors`.
pub(crate) fn check(args: &Args, model: &Model, errors: &mut Vec<syn::Error>) -> Option<Checked> {
    let checked = check_urn(args, errors);
    if let Some(checked) = &checked {
        check_module_name(checked, model, errors);
    }
    check_types(model, errors);
    for (name, connection, _) in PROVIDERS {
        match model.find_handler(name) {
            Some(handler) => check_handler(handler, connection, errors),
            None => errors.push(syn::Error::new(
                parse::module_span(&model.module),
                format!(
                    "missing the `{name}` implementation: add \
                     `async fn {name}(conn: &mut {connection}, request: Request) \
                     -> Result<Response, DbError>` to this module"
                ),
            )),
        }
    }
    checked
}

fn check_urn(args: &Args, errors: &mut Vec<syn::Error>) -> Option<Checked> {
    let text = args.urn.value();
    match Urn::parse_all(&text) {
        Ok(urn) => Some(Checked {
            domain: urn.domain().to_owned(),
            subsystem: urn.subsystem().to_owned(),
            function: urn.function().to_owned(),
            version: urn.version(),
        }),
        Err(urn_errors) => {
            for error in urn_errors {
                let message = match &error {
                    UrnError::SegmentCount { .. } => format!("invalid URN: {error}"),
                    UrnError::InvalidSegment { .. } => error.to_string(),
                };
                errors.push(syn::Error::new(args.urn.span(), message));
            }
            None
        }
    }
}

fn check_module_name(checked: &Checked, model: &Model, errors: &mut Vec<syn::Error>) {
    let expected = if checked.version == 1 {
        checked.function.clone()
    } else {
        format!("{}_v{}", checked.function, checked.version)
    };
    if model.module.ident != expected {
        errors.push(syn::Error::new(
            model.module.ident.span(),
            format!(
                "the module of this operation must be named `{expected}` after the URN's \
                 function and version (version 1 is `{function}`, version N is `{function}_vN`)",
                function = checked.function
            ),
        ));
    }
}

fn check_types(model: &Model, errors: &mut Vec<syn::Error>) {
    let span = parse::module_span(&model.module);
    match model.find_struct("Request") {
        None => errors.push(syn::Error::new(
            span,
            "missing the request type: add `pub struct Request { ... }` with the payload fields",
        )),
        Some(request) => {
            if !request.has_named_fields {
                errors.push(syn::Error::new(
                    request.ident.span(),
                    "`Request` must have named fields, which are the payload's field names",
                ));
            }
            for field in &request.fields {
                if parse::is_text(&field.ty) && field.max_chars.is_none() {
                    errors.push(syn::Error::new(
                        field.ident.span(),
                        format!(
                            "text field `{}` needs a length limit: add `#[db(max_chars = N)]`",
                            field.ident
                        ),
                    ));
                }
            }
        }
    }
    if model.find_struct("Response").is_none() && model.response_alias.is_none() {
        errors.push(syn::Error::new(
            span,
            "missing the response type: add `pub struct Response { ... }` or \
             `pub type Response = ...;`",
        ));
    }
}

fn check_handler(sig: &Signature, connection: &str, errors: &mut Vec<syn::Error>) {
    let name = &sig.ident;
    let expected = format!(
        "expected `async fn {name}(conn: &mut {connection}, request: Request) \
         -> Result<Response, DbError>`"
    );
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            format!("`{name}` must be an `async fn`; {expected}"),
        ));
    }
    if !sig.generics.params.is_empty() {
        errors.push(syn::Error::new_spanned(
            &sig.generics,
            format!("`{name}` must not be generic; {expected}"),
        ));
    }
    let typed_inputs = sig
        .inputs
        .iter()
        .filter(|input| matches!(input, FnArg::Typed(_)))
        .count();
    if typed_inputs != 2 || sig.inputs.len() != 2 {
        let parameters = if typed_inputs == 1 {
            "parameter"
        } else {
            "parameters"
        };
        let message = format!(
            "`{name}` has {typed_inputs} {parameters}, but a provider function takes 2, \
             the connection and the request; {expected}"
        );
        // An empty parameter list has no tokens of its own, so point at `()`.
        errors.push(if sig.inputs.is_empty() {
            syn::Error::new(sig.paren_token.span.join(), message)
        } else {
            syn::Error::new_spanned(&sig.inputs, message)
        });
    }
    if let Some(FnArg::Typed(first)) = sig.inputs.first()
        && let Some(found) = connection_type_name(&first.ty)
        && found != connection
    {
        errors.push(syn::Error::new_spanned(
            &first.ty,
            format!("`{name}` runs on `&mut {connection}`, not `{found}`; {expected}"),
        ));
    }
    if matches!(sig.output, ReturnType::Default) {
        errors.push(syn::Error::new_spanned(
            sig,
            format!("`{name}` must return `Result<Response, DbError>`; {expected}"),
        ));
    }
}

/// Returns the name of a provider connection type behind `&mut`, such as
/// `PgConnection`, or `None` for any other type.
fn connection_type_name(ty: &syn::Type) -> Option<String> {
    let syn::Type::Reference(reference) = ty else {
        return None;
    };
    let syn::Type::Path(path) = &*reference.elem else {
        return None;
    };
    let last = path.path.segments.last()?.ident.to_string();
    PROVIDERS
        .iter()
        .any(|(_, connection, _)| *connection == last)
        .then_some(last)
}
