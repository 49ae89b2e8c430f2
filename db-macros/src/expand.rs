//! Writes the code for one operation module.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::{Fields, Ident, Item, ItemMod, ItemStruct};

use crate::check::{self, Checked};
use crate::parse::{self, Args, Model, PROVIDERS, StructModel};

/// Expands `#[db_op(args)] item`, or reports every error found next to the
/// module, so one mistake yields one diagnostic and the module stays visible.
pub(crate) fn db_op(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Vec::new();

    let args = syn::parse2::<Args>(args)
        .map_err(|error| errors.push(error))
        .ok();
    let module = match parse::module(item.clone()) {
        Ok(module) => module,
        Err(error) => {
            errors.push(error);
            return with_errors(item, errors);
        }
    };

    let model = parse::model(module, &mut errors);
    let checked = args
        .as_ref()
        .and_then(|args| check::check(args, &model, &mut errors));

    match (args, checked) {
        (Some(args), Some(checked)) if errors.is_empty() => generate(&args, &checked, model),
        _ => {
            // The model has already removed the `#[db(...)]` field attributes,
            // which rustc would otherwise report as unknown.
            let module = model.module;
            with_errors(quote!(#module), errors)
        }
    }
}

fn with_errors(item: TokenStream, errors: Vec<syn::Error>) -> TokenStream {
    let errors = errors.into_iter().map(|error| error.to_compile_error());
    quote! {
        #item
        #(#errors)*
    }
}

fn generate(args: &Args, checked: &Checked, model: Model) -> TokenStream {
    let private = quote!(::db_core::__private);
    let urn = &args.urn;
    let urn_span = urn.span();
    let description = &model.description;
    let domain = &checked.domain;
    let subsystem = &checked.subsystem;
    let function = &checked.function;
    let version = checked.version;

    let request = model
        .find_struct("Request")
        .cloned()
        .expect("checked: the module has a Request struct");
    let request_fields: Vec<TokenStream> = field_infos(&request, &private).collect();
    let response_text = match (&model.response_alias, model.find_struct("Response")) {
        (Some(alias), _) => parse::type_text(alias),
        (None, _) => "Response".to_owned(),
    };
    let type_infos: Vec<TokenStream> = model
        .structs
        .iter()
        .map(|structure| {
            let name = structure.ident.to_string();
            let fields = field_infos(structure, &private);
            quote!(#private::TypeInfo { name: #name, fields: &[#(#fields),*] })
        })
        .collect();

    let validations = request.fields.iter().filter_map(|field| {
        let limit = field.max_chars.as_ref()?;
        let ident = &field.ident;
        let name = ident.unraw().to_string();
        Some(quote_spanned! {field.ident.span()=>
            #private::check_text(#name, &self.#ident, #limit)?;
        })
    });

    let handler_impls: Vec<TokenStream> = PROVIDERS.iter().map(|(name, connection, database)| {
        let handler = model
            .find_handler(name)
            .expect("checked: every provider function exists");
        let function_ident = &handler.ident;
        let connection = format_ident!("{}", connection);
        let database = format_ident!("{}", database);
        let span = handler.span();
        quote_spanned! {span=>
            impl #private::Handler<#private::#database> for Request {
                fn handle(
                    conn: &mut #private::#connection,
                    request: Self,
                ) -> impl ::core::future::Future<Output = #private::Result<Response>> + ::core::marker::Send + '_ {
                    #function_ident(conn, request)
                }
            }
        }
    }).collect();

    let registrations = PROVIDERS.iter().map(|(_, _, database)| {
        let database = format_ident!("{}", database);
        let slice = format_ident!("{}_OPERATIONS", database.to_string().to_uppercase());
        quote! {
            #[#private::linkme::distributed_slice(#private::#slice)]
            #[linkme(crate = #private::linkme)]
            static REGISTRATION: #private::Registration<#private::#database> =
                #private::Registration {
                    info: &__DB_OP_INFO,
                    handler: #private::handle_dynamic::<#private::#database, Request>,
                };
        }
    });

    let row_count = model.find_struct("Response").is_some().then(|| {
        quote! {
            impl #private::RowCount for Response {
                fn row_count(&self) -> u64 {
                    1
                }
            }
        }
    });

    let mut module = model.module;
    // A request that gets the compact `Deserialize` is also decoded by
    // reading its fields directly on the dynamic path.
    let decode = module_struct(&module, "Request")
        .is_some_and(is_plain)
        .then(|| {
            quote! {
                fn decode(__fields: #private::JsonObject) -> #private::Result<Self> {
                    #private::de::decode_object(Self::INFO, __fields)
                }
            }
        });
    let serde_impls = add_derives(&mut module, &private);
    let module_ident = module.ident.clone();
    // Two definitions of one URN export the same symbol, so rustc rejects them
    // within a crate and the linker rejects them across crates. Segments never
    // contain `__`, so joining them with `__` cannot make two URNs collide.
    let unique_symbol =
        format!("dbops_operation__db__{domain}__{subsystem}__{function}__{version}");
    let generated = quote! {
        #[doc(hidden)]
        #[unsafe(export_name = #unique_symbol)]
        static __DB_OP_UNIQUE_URN: u8 = 0;

        #[doc(hidden)]
        static __DB_OP_INFO: #private::OperationInfo = #private::OperationInfo {
            urn: #urn,
            domain: #domain,
            subsystem: #subsystem,
            function: #function,
            version: #version,
            description: #description,
            rust_path: ::core::module_path!(),
            file: ::core::file!(),
            line: ::core::line!(),
            request: &[#(#request_fields),*],
            response: #response_text,
            types: &[#(#type_infos),*],
        };

        impl #private::Operation for Request {
            type Response = Response;

            const INFO: &'static #private::OperationInfo = &__DB_OP_INFO;

            fn validate(&self) -> #private::Result<()> {
                #(#validations)*
                ::core::result::Result::Ok(())
            }

            #decode
        }

        #row_count

        #(#handler_impls)*

        #serde_impls

        #(const _: () = { #registrations };)*
    };
    if let Some((_, items)) = &mut module.content {
        // Emitted as written: parsing the tokens back into items would only
        // cost expansion time.
        items.push(Item::Verbatim(generated));
    }

    let path_suffix = format!("{domain}::{subsystem}");
    let path_message = format!(
        "`{}` must be defined in a module whose path ends in `{path_suffix}`, \
         such as `db_ops::{path_suffix}::{module_ident}`",
        urn.value()
    );
    // Every token of the call carries the URN's span, so that the failed
    // assertion points at the URN literal rather than at the whole attribute.
    let path_check = quote_spanned! {urn_span=>
        const _: () = ::db_core::__private::assert_module_path(
            ::core::module_path!(),
            #path_suffix,
            #path_message,
        );
    };

    let client = client_function(&module, &request, &private);
    quote! {
        #module
        #path_check
        #client
    }
}

fn field_infos<'a>(
    structure: &'a StructModel,
    private: &'a TokenStream,
) -> impl Iterator<Item = TokenStream> + 'a {
    structure.fields.iter().map(move |field| {
        let name = field.ident.unraw().to_string();
        let rust_type = parse::type_text(&field.ty);
        let max_chars = match &field.max_chars {
            Some(limit) => quote!(::core::option::Option::Some(#limit)),
            None => quote!(::core::option::Option::None),
        };
        quote!(#private::FieldInfo { name: #name, rust_type: #rust_type, max_chars: #max_chars })
    })
}

/// Adds the derives to every struct of the module and returns the serde
/// impls written for the plain ones; unknown fields are rejected either way.
///
/// A struct with named fields, no generics and no attributes on its fields
/// gets a `Serialize` impl as serde's derive would write it, and a
/// `Deserialize` impl built on `db_core`'s generic visitor. Both save rustc
/// a serde derive call per struct, and the `Deserialize` impl is a fraction
/// of the derive's size. Any other struct, and one with `#[serde(...)]`
/// options, gets serde's derives.
fn add_derives(module: &mut ItemMod, private: &TokenStream) -> TokenStream {
    let mut impls = TokenStream::new();
    let Some((_, items)) = &mut module.content else {
        return impls;
    };
    for item in items.iter_mut() {
        let Item::Struct(structure) = item else {
            continue;
        };
        if is_plain(structure) {
            impls.extend(serialize_impl(structure, private));
            impls.extend(deserialize_impl(structure, private));
            structure.attrs.insert(
                0,
                syn::parse_quote! {
                    #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
                },
            );
        } else {
            let serde_path = format!("{private}::serde").replace(' ', "");
            // The derive goes first, because a `#[serde]` option on the
            // struct is read only by a derive placed above it.
            structure.attrs.insert(
                0,
                syn::parse_quote! {
                    #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq,
                             #private::serde::Serialize, #private::serde::Deserialize)]
                },
            );
            structure.attrs.push(syn::parse_quote! {
                #[serde(crate = #serde_path, deny_unknown_fields)]
            });
        }
    }
    impls
}

fn module_struct<'a>(module: &'a ItemMod, name: &str) -> Option<&'a ItemStruct> {
    let (_, items) = module.content.as_ref()?;
    items.iter().find_map(|item| match item {
        Item::Struct(structure) if structure.ident == name => Some(structure),
        _ => None,
    })
}

fn is_plain(structure: &ItemStruct) -> bool {
    let Fields::Named(fields) = &structure.fields else {
        return false;
    };
    structure.generics.params.is_empty()
        && !structure
            .attrs
            .iter()
            .any(|attribute| attribute.path().is_ident("serde"))
        && fields.named.iter().all(|field| {
            field
                .attrs
                .iter()
                .all(|attribute| attribute.path().is_ident("doc"))
        })
}

/// Returns the identifiers of a struct's named fields and their names on
/// the wire, which drop the `r#` of a raw identifier.
fn field_names(structure: &ItemStruct) -> (Vec<&Ident>, Vec<String>) {
    let idents: Vec<&Ident> = structure
        .fields
        .iter()
        .filter_map(|field| field.ident.as_ref())
        .collect();
    let names = idents
        .iter()
        .map(|ident| ident.unraw().to_string())
        .collect();
    (idents, names)
}

/// Writes `Serialize` for a plain struct: a serde struct with every field
/// under its name, in declaration order.
fn serialize_impl(structure: &ItemStruct, private: &TokenStream) -> TokenStream {
    let ident = &structure.ident;
    let name = ident.to_string();
    let (idents, names) = field_names(structure);
    let count = idents.len();
    quote! {
        impl #private::serde::Serialize for #ident {
            fn serialize<__S: #private::serde::Serializer>(
                &self,
                __serializer: __S,
            ) -> ::core::result::Result<__S::Ok, __S::Error> {
                use #private::serde::ser::SerializeStruct as _;
                let mut __state = __serializer.serialize_struct(#name, #count)?;
                #(__state.serialize_field(#names, &self.#idents)?;)*
                __state.end()
            }
        }
    }
}

/// Writes `Deserialize` for a plain struct as a call to
/// `db_core::__private::de::deserialize` and the `Fields` impl it reads with.
fn deserialize_impl(structure: &ItemStruct, private: &TokenStream) -> TokenStream {
    let ident = &structure.ident;
    let name = ident.to_string();
    let (idents, names) = field_names(structure);
    let slots: Vec<Ident> = (0..idents.len())
        .map(|index| format_ident!("__field{}", index))
        .collect();
    let last = slots.len().saturating_sub(1);
    let arms = slots
        .iter()
        .zip(&names)
        .enumerate()
        .map(|(index, (slot, name))| {
            let pattern = if index == last {
                quote!(_)
            } else {
                quote!(#index)
            };
            quote!(#pattern => __source.read(&mut #slot, #name)?,)
        });
    let read_fields = if slots.is_empty() {
        quote!(while __source.next_field()?.is_some() {})
    } else {
        quote! {
            while let ::core::option::Option::Some(__index) = __source.next_field()? {
                match __index { #(#arms)* }
            }
        }
    };
    quote! {
        impl<'de> #private::serde::Deserialize<'de> for #ident {
            fn deserialize<__D: #private::serde::Deserializer<'de>>(
                __deserializer: __D,
            ) -> ::core::result::Result<Self, __D::Error> {
                #private::de::deserialize(__deserializer)
            }
        }

        impl #private::de::Fields for #ident {
            const NAME: &'static str = #name;
            const FIELDS: &'static [&'static str] = &[#(#names),*];

            fn visit<'de, __S: #private::de::Source<'de>>(
                mut __source: __S,
            ) -> ::core::result::Result<Self, __S::Error> {
                #(let mut #slots = ::core::option::Option::None;)*
                #read_fields
                ::core::result::Result::Ok(Self {
                    #(#idents: __source.take(#slots, #names)?,)*
                })
            }
        }
    }
}

/// Writes the client function `{name}(db, field...)` next to the module.
///
/// It builds the request at once and returns the future of
/// `Executor::call`, a generic function of db-core, so no operation adds a
/// future type of its own for rustc to compile. That future is declared
/// `Send`, so the `Send` bound here is read from its signature rather than
/// proved again for every operation.
fn client_function(module: &ItemMod, request: &StructModel, private: &TokenStream) -> TokenStream {
    let vis = &module.vis;
    let ident = &module.ident;
    let docs = module
        .attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident("doc"));
    let parameters = request.fields.iter().map(|field| {
        let name = &field.ident;
        let ty = &field.ty;
        quote!(#name: impl ::core::convert::Into<#ty>)
    });
    let initializers = request.fields.iter().map(|field| {
        let name = &field.ident;
        quote!(#name: ::core::convert::Into::into(#name))
    });
    let lifetime = syn::Lifetime::new("'db", Span::call_site());
    quote! {
        #(#docs)*
        #vis fn #ident<#lifetime>(
            db: impl ::core::convert::Into<#private::Executor<#lifetime>>,
            #(#parameters),*
        ) -> impl ::core::future::Future<Output = #private::Result<#ident::Response>>
               + ::core::marker::Send + #lifetime {
            let request = #ident::Request { #(#initializers),* };
            #private::Executor::call(::core::convert::Into::into(db), request)
        }
    }
}
