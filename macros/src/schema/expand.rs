//! `Documented`, `QueryParameters`, `Validate` and serde's traits for a schema.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::DeriveInput;

use super::model::Schema;
use crate::model::Rule;

pub fn expand(schema: &Schema) -> TokenStream {
    let fields = &schema.fields;
    let name = &schema.ident;
    let name_text = name.to_string();
    let idents: Vec<_> = fields.iter().map(|f| &f.ident).collect();
    let types: Vec<_> = fields.iter().map(|f| &f.ty).collect();
    let names: Vec<&String> = fields.iter().map(|f| &f.name).collect();
    let required = fields.iter().filter(|f| f.required).map(|f| &f.name);
    let descriptions = fields.iter().map(|f| option_str(f.doc.as_deref()));
    let doc = option_str(schema.doc.as_deref());
    let private = quote!(::ferrest::__private);
    let serde = quote!(#private::serde);
    let mut patterns = Vec::new();
    let field_rules: Vec<TokenStream> = fields
        .iter()
        .map(|f| {
            let (name, required) = (&f.name, f.required);
            let mut rules = Vec::new();
            if let Some(m) = &f.validated {
                rules.extend(m.rules.iter().filter_map(|r| crate::expand::rule_tokens(m, r, &mut patterns)));
            }
            quote!(::ferrest::FieldRules { name: #name, required: #required, rules: &[#(#rules),*] })
        })
        .collect();
    let mut custom = Vec::new();
    for field in fields.iter().filter_map(|f| f.validated.as_ref()) {
        let (ident, name) = (&field.ident, &field.name);
        for rule in &field.rules {
            let Rule::With { path } = rule else { continue };
            let check = crate::expand::typed_check(path, field);
            let call = quote!({
                #check
                #private::custom(errors, #name, value, __ferrest_check);
            });
            custom.push(if field.ty.nullable {
                quote!(if let ::core::option::Option::Some(value) = &self.#ident { #call })
            } else {
                quote!({ let value = &self.#ident; #call })
            });
        }
    }
    let field_count = field_rules.len();
    let owned = format_ident!("__FerrestOwned{}", name);
    let borrowed = format_ident!("__FerrestBorrowed{}", name);
    quote! {
        const _: () = {
            impl ::ferrest::Documented for #name {
                fn schema() -> #private::utoipa::openapi::RefOr<#private::utoipa::openapi::Schema> {
                    let fields: &[(&str, #private::utoipa::openapi::RefOr<#private::utoipa::openapi::Schema>, ::core::option::Option<&str>)] =
                        &[#((#names, <#types as ::ferrest::Documented>::schema(), #descriptions)),*];
                    #private::object_schema(#name_text, #doc, fields, &[#(#required),*], <Self as ::ferrest::Validate>::fields())
                }
            }

            impl ::ferrest::QueryParameters for #name {
                fn parameters() -> ::std::vec::Vec<#private::utoipa::openapi::path::Parameter> {
                    #private::query_parameters(<Self as ::ferrest::Documented>::schema())
                }
            }

            impl ::ferrest::Validate for #name {
                fn fields() -> &'static [::ferrest::FieldRules] {
                    #(#patterns)*
                    static FIELDS: [::ferrest::FieldRules; #field_count] = [#(#field_rules),*];
                    &FIELDS
                }

                #[allow(unused_variables)]
                fn check_custom(&self, errors: &mut ::std::vec::Vec<::ferrest::FieldError>) {
                    #(#custom)*
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

fn option_str(text: Option<&str>) -> TokenStream {
    match text {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    }
}

/// The same impls, never called, beside compile errors: endpoints that take or return
/// the type keep type-checking, so the macro's errors are the only ones.
pub fn fallback(input: &DeriveInput) -> TokenStream {
    if !input.generics.params.is_empty() {
        return TokenStream::new();
    }
    let name = &input.ident;
    let private = quote!(::ferrest::__private);
    let serde = quote!(#private::serde);
    quote! {
        const _: () = {
            impl ::ferrest::Documented for #name {
                fn schema() -> #private::utoipa::openapi::RefOr<#private::utoipa::openapi::Schema> {
                    ::core::unreachable!()
                }
            }
            impl ::ferrest::QueryParameters for #name {
                fn parameters() -> ::std::vec::Vec<#private::utoipa::openapi::path::Parameter> {
                    ::core::unreachable!()
                }
            }
            impl ::ferrest::Validate for #name {
                fn fields() -> &'static [::ferrest::FieldRules] {
                    &[]
                }
            }
            impl #serde::Serialize for #name {
                fn serialize<S: #serde::Serializer>(&self, _: S) -> ::core::result::Result<S::Ok, S::Error> {
                    ::core::unreachable!()
                }
            }
            impl<'de> #serde::Deserialize<'de> for #name {
                fn deserialize<D: #serde::Deserializer<'de>>(_: D) -> ::core::result::Result<Self, D::Error> {
                    ::core::unreachable!()
                }
            }
        };
    }
}
