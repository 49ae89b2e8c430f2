//! Reads the attribute argument and the annotated module.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream};
use syn::{
    Abi, Attribute, Block, Expr, ExprLit, Fields, Ident, Item, ItemFn, ItemMod, ItemStruct, Lit,
    LitStr, Signature, Stmt, Token, Type, Visibility, braced,
};

/// The argument of `#[db_op("...")]`.
pub(crate) struct Args {
    pub(crate) urn: LitStr,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error(
                "missing URN: write `#[db_op(\"db:{domain}:{subsystem}:{function}:{version}\")]`",
            ));
        }
        let expr: Expr = input.parse()?;
        let urn = match expr {
            Expr::Lit(ExprLit {
                lit: Lit::Str(urn), ..
            }) => urn,
            other => {
                return Err(syn::Error::new_spanned(
                    other,
                    "the URN must be a string literal such as \
                     `\"db:users:profile:get_roles:1\"`, so it can be checked at compile time",
                ));
            }
        };
        if !input.is_empty() {
            let rest: TokenStream = input.parse()?;
            return Err(syn::Error::new_spanned(
                rest,
                "`#[db_op]` takes exactly one string literal",
            ));
        }
        Ok(Args { urn })
    }
}

/// The provider functions an operation module must define, with their connection types.
pub(crate) const PROVIDERS: [(&str, &str, &str); 3] = [
    ("sqlite", "SqliteConnection", "Sqlite"),
    ("postgres", "PgConnection", "Postgres"),
    ("mysql", "MySqlConnection", "MySql"),
];

/// A field of a struct in the operation module, with its `#[db(...)]` options.
#[derive(Clone)]
pub(crate) struct FieldModel {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) max_chars: Option<Expr>,
}

/// A struct declared in the operation module.
#[derive(Clone)]
pub(crate) struct StructModel {
    pub(crate) ident: Ident,
    pub(crate) fields: Vec<FieldModel>,
    pub(crate) has_named_fields: bool,
}

/// The contents of the annotated module, in the form the later stages need.
pub(crate) struct Model {
    pub(crate) module: ItemMod,
    pub(crate) description: String,
    pub(crate) structs: Vec<StructModel>,
    /// The `type Response = ...;` alias, when Response is not a struct.
    pub(crate) response_alias: Option<Type>,
    /// The signatures of the provider functions found.
    pub(crate) handlers: Vec<Signature>,
}

impl Model {
    pub(crate) fn find_struct(&self, name: &str) -> Option<&StructModel> {
        self.structs.iter().find(|model| model.ident == name)
    }

    pub(crate) fn find_handler(&self, name: &str) -> Option<&Signature> {
        self.handlers.iter().find(|handler| handler.ident == name)
    }
}

/// Reads the module, strips the `#[db(...)]` field attributes and records them.
pub(crate) fn model(mut module: ItemMod, errors: &mut Vec<syn::Error>) -> Model {
    let description = doc_text(&module.attrs);
    let mut structs = Vec::new();
    let mut response_alias = None;
    let mut handlers = Vec::new();

    if let Some((_, items)) = &mut module.content {
        for item in items.iter_mut() {
            match item {
                Item::Struct(item_struct) => structs.push(struct_model(item_struct, errors)),
                Item::Type(alias) if alias.ident == "Response" => {
                    response_alias = Some((*alias.ty).clone());
                }
                Item::Fn(function)
                    if PROVIDERS
                        .iter()
                        .any(|(name, _, _)| function.sig.ident == name) =>
                {
                    handlers.push(function.sig.clone());
                }
                _ => {}
            }
        }
    }

    Model {
        module,
        description,
        structs,
        response_alias,
        handlers,
    }
}

fn struct_model(item_struct: &mut ItemStruct, errors: &mut Vec<syn::Error>) -> StructModel {
    let has_named_fields = matches!(item_struct.fields, Fields::Named(_) | Fields::Unit);
    let mut fields = Vec::new();
    for field in item_struct.fields.iter_mut() {
        let mut max_chars = None;
        field.attrs.retain(|attribute| {
            if !attribute.path().is_ident("db") {
                return true;
            }
            let parsed = attribute.parse_nested_meta(|meta| {
                if meta.path.is_ident("max_chars") {
                    let value: Expr = meta.value()?.parse()?;
                    if let Expr::Lit(ExprLit {
                        lit: Lit::Int(limit),
                        ..
                    }) = &value
                    {
                        limit.base10_parse::<usize>()?;
                    }
                    max_chars = Some(value);
                    Ok(())
                } else {
                    Err(meta.error("unknown `db` option, expected `max_chars = N`"))
                }
            });
            if let Err(error) = parsed {
                errors.push(error);
            }
            false
        });
        if let Some(ident) = &field.ident {
            fields.push(FieldModel {
                ident: ident.clone(),
                ty: field.ty.clone(),
                max_chars,
            });
        }
    }
    StructModel {
        ident: item_struct.ident.clone(),
        fields,
        has_named_fields,
    }
}

/// Joins the `///` lines of `attributes`, dropping the one space after `///`.
fn doc_text(attributes: &[Attribute]) -> String {
    let lines: Vec<String> = attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("doc"))
        .filter_map(|attribute| match &attribute.meta {
            syn::Meta::NameValue(name_value) => match &name_value.value {
                Expr::Lit(ExprLit {
                    lit: Lit::Str(text),
                    ..
                }) => Some(text.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_owned()
        })
        .collect();
    lines.join("\n").trim().to_owned()
}

/// Parses the annotated item, which must be an inline module.
///
/// Function bodies are kept as tokens: the expansion reads only signatures,
/// and parsing the statements of every handler took about half of the
/// macro's own run time.
pub(crate) fn module(item: TokenStream) -> syn::Result<ItemMod> {
    if let Ok(module) = syn::parse::Parser::parse2(inline_module, item.clone()) {
        return Ok(module);
    }
    // Not an inline module, or one that does not parse: a full parse finds
    // the error to report.
    match syn::parse2::<Item>(item)? {
        Item::Mod(module) if module.content.is_some() => Ok(module),
        Item::Mod(module) => Err(syn::Error::new_spanned(
            module,
            "`#[db_op]` needs the module's body inline: `mod name { ... }`",
        )),
        other => Err(syn::Error::new_spanned(
            other,
            "`#[db_op]` goes on an inline module that holds `Request`, `Response` \
             and the `sqlite`, `postgres` and `mysql` functions",
        )),
    }
}

fn inline_module(input: ParseStream) -> syn::Result<ItemMod> {
    let mut attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let unsafety: Option<Token![unsafe]> = input.parse()?;
    let mod_token: Token![mod] = input.parse()?;
    let ident: Ident = input.parse()?;
    let content;
    let brace = braced!(content in input);
    attrs.extend(content.call(Attribute::parse_inner)?);
    let mut items = Vec::new();
    while !content.is_empty() {
        items.push(content.call(module_item)?);
    }
    Ok(ItemMod {
        attrs,
        vis,
        unsafety,
        mod_token,
        ident,
        content: Some((brace, items)),
        semi: None,
    })
}

/// Parses one item of the module; a function keeps its body as tokens.
fn module_item(input: ParseStream) -> syn::Result<Item> {
    let ahead = input.fork();
    ahead.call(Attribute::parse_outer)?;
    ahead.parse::<Visibility>()?;
    if !starts_function(&ahead) {
        return input.parse();
    }
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    let sig: Signature = input.parse()?;
    let body;
    let brace = braced!(body in input);
    let body: TokenStream = body.parse()?;
    // The body's statements stay one verbatim token stream, which the block
    // prints back inside its braces.
    Ok(Item::Fn(ItemFn {
        attrs,
        vis,
        sig,
        block: Box::new(Block {
            brace_token: brace,
            stmts: vec![Stmt::Item(Item::Verbatim(body))],
        }),
    }))
}

/// Returns whether the next tokens are `[const] [async] [unsafe] [extern "abi"] fn`.
fn starts_function(input: ParseStream) -> bool {
    let ahead = input.fork();
    ahead.parse::<Option<Token![const]>>().is_ok()
        && ahead.parse::<Option<Token![async]>>().is_ok()
        && ahead.parse::<Option<Token![unsafe]>>().is_ok()
        && ahead.parse::<Option<Abi>>().is_ok()
        && ahead.peek(Token![fn])
}

/// Returns whether `ty` is text that needs a length limit: `String`, `Secret`
/// or an `Option` of either.
pub(crate) fn is_text(ty: &Type) -> bool {
    let Type::Path(path) = ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident == "String" || last.ident == "Secret" {
        return true;
    }
    if last.ident == "Option"
        && let syn::PathArguments::AngleBracketed(arguments) = &last.arguments
        && let Some(syn::GenericArgument::Type(inner)) = arguments.args.first()
    {
        return is_text(inner);
    }
    false
}

/// Renders a type compactly, as `Option<String>`.
pub(crate) fn type_text(ty: &Type) -> String {
    quote::quote!(#ty).to_string().replace(' ', "")
}

/// Returns the span for diagnostics about the module as a whole: its name.
pub(crate) fn module_span(module: &ItemMod) -> Span {
    module.ident.span()
}
