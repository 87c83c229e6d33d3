//! `#[derive(Schema)]`: a request or response type of a custom endpoint. It gets its
//! schema in the document, and serde's `Serialize`/`Deserialize` through ferrest, so
//! the user's crate needs no serde of its own.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::DeriveInput;

use crate::errors::Errors;

pub fn derive_schema(input: &DeriveInput) -> TokenStream {
    let mut errors = Errors::new();
    let fields = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => named.named.iter().collect::<Vec<_>>(),
        _ => {
            errors.at(
                input.ident.span(),
                "`#[derive(Schema)]` applies to structs with named fields, like `struct Stats { books: u64 }`",
            );
            Vec::new()
        }
    };
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`#[derive(Schema)]` does not support generic parameters",
        );
    }
    if let Err(error) = errors.finish() {
        return error.to_compile_error();
    }
    let name = &input.ident;
    let name_text = name.to_string();
    let idents: Vec<_> = fields.iter().filter_map(|f| f.ident.as_ref()).collect();
    let types: Vec<_> = fields.iter().map(|f| &f.ty).collect();
    let names: Vec<String> = idents
        .iter()
        .map(|i| i.to_string().trim_start_matches("r#").to_owned())
        .collect();
    let required = fields
        .iter()
        .zip(&names)
        .filter(|(f, _)| !is_option(&f.ty))
        .map(|(_, n)| n);
    let descriptions = fields
        .iter()
        .map(|f| match crate::parse::doc_comment(&f.attrs) {
            Some(doc) => quote!(::core::option::Option::Some(#doc)),
            None => quote!(::core::option::Option::None),
        });
    let doc = match crate::parse::doc_comment(&input.attrs) {
        Some(doc) => quote!(::core::option::Option::Some(#doc)),
        None => quote!(::core::option::Option::None),
    };
    let private = quote!(::ferrest::__private);
    let serde = quote!(#private::serde);
    let owned = format_ident!("__FerrestOwned{}", name);
    let borrowed = format_ident!("__FerrestBorrowed{}", name);
    quote! {
        const _: () = {
            impl ::ferrest::Documented for #name {
                fn schema() -> #private::utoipa::openapi::RefOr<#private::utoipa::openapi::Schema> {
                    let fields: &[(&str, #private::utoipa::openapi::RefOr<#private::utoipa::openapi::Schema>, ::core::option::Option<&str>)] =
                        &[#((#names, <#types as ::ferrest::Documented>::schema(), #descriptions)),*];
                    #private::object_schema(#name_text, #doc, fields, &[#(#required),*])
                }
            }

            #[derive(#serde::Serialize)]
            #[serde(crate = "::ferrest::__private::serde", rename = #name_text)]
            struct #borrowed<'a> { #(#idents: &'a #types,)* }

            impl #serde::Serialize for #name {
                fn serialize<S: #serde::Serializer>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error> {
                    #serde::Serialize::serialize(&#borrowed { #(#idents: &self.#idents,)* }, serializer)
                }
            }

            #[derive(#serde::Deserialize)]
            #[serde(crate = "::ferrest::__private::serde", rename = #name_text, deny_unknown_fields)]
            struct #owned { #(#idents: #types,)* }

            impl<'de> #serde::Deserialize<'de> for #name {
                fn deserialize<D: #serde::Deserializer<'de>>(deserializer: D) -> ::core::result::Result<Self, D::Error> {
                    let #owned { #(#idents,)* } = <#owned as #serde::Deserialize<'de>>::deserialize(deserializer)?;
                    ::core::result::Result::Ok(#name { #(#idents,)* })
                }
            }
        };
    }
}

fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}
