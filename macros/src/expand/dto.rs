//! The DTOs: `BookCreate` (no server-managed fields), `BookUpdate` (all optional,
//! `null` distinct from absent for nullable fields), and `Book` itself as the read
//! DTO, convertible from and serialized like the entity's `Model`.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{field_type, kind_type};
use super::{create_ident, entity_module_ident, update_ident};
use crate::model::{Field, Resource, Role};

pub fn dtos(resource: &Resource) -> TokenStream {
    let vis = &resource.vis;
    let name = &resource.ident;
    let create = create_ident(resource);
    let update = update_ident(resource);
    let entity = entity_module_ident(resource);
    let writable: Vec<&Field> = resource
        .fields
        .iter()
        .filter(|f| f.role == Role::Data)
        .collect();
    let create_fields = writable.iter().map(|f| create_field(f));
    let update_fields = writable.iter().map(|f| update_field(f));
    let create_doc = format!("Body of `POST {}`: a new `{name}`.", resource.path);
    let update_doc = format!(
        "Body of `PATCH {}/{{id}}`: absent fields stay unchanged, `null` clears a nullable field.",
        resource.path
    );
    let all: Vec<_> = resource.fields.iter().map(|f| &f.ident).collect();
    let (name_text, create_text, update_text) =
        (name.to_string(), create.to_string(), update.to_string());
    let all_types: Vec<_> = resource.fields.iter().map(|f| field_type(&f.ty)).collect();
    quote! {
        #[doc = #create_doc]
        #[derive(Debug, Clone, PartialEq, ::ferrest::__private::serde::Deserialize, ::ferrest::__private::serde::Serialize)]
        #[serde(crate = "::ferrest::__private::serde", deny_unknown_fields)]
        #vis struct #create {
            #(#create_fields,)*
        }

        #[doc = #update_doc]
        #[derive(Debug, Clone, Default, PartialEq, ::ferrest::__private::serde::Deserialize, ::ferrest::__private::serde::Serialize)]
        #[serde(crate = "::ferrest::__private::serde", deny_unknown_fields)]
        #vis struct #update {
            #(#update_fields,)*
        }

        const _: () = {
            impl ::ferrest::Documented for #name {
                fn schema() -> ::ferrest::__private::utoipa::openapi::RefOr<::ferrest::__private::utoipa::openapi::Schema> {
                    ::ferrest::__private::reference(#name_text)
                }
            }
            impl ::ferrest::Documented for #create {
                fn schema() -> ::ferrest::__private::utoipa::openapi::RefOr<::ferrest::__private::utoipa::openapi::Schema> {
                    ::ferrest::__private::reference(#create_text)
                }
            }
            impl ::ferrest::Documented for #update {
                fn schema() -> ::ferrest::__private::utoipa::openapi::RefOr<::ferrest::__private::utoipa::openapi::Schema> {
                    ::ferrest::__private::reference(#update_text)
                }
            }
            impl ::core::convert::From<#entity::Model> for #name {
                fn from(model: #entity::Model) -> Self {
                    #name { #(#all: ::ferrest::__private::Stored::from_column(model.#all)),* }
                }
            }

            impl ::ferrest::__private::serde::Serialize for #name {
                fn serialize<S: ::ferrest::__private::serde::Serializer>(
                    &self,
                    serializer: S,
                ) -> ::core::result::Result<S::Ok, S::Error> {
                    #[derive(::ferrest::__private::serde::Serialize)]
                    #[serde(crate = "::ferrest::__private::serde")]
                    struct Read<'a> {
                        #(#all: &'a #all_types,)*
                    }
                    ::ferrest::__private::serde::Serialize::serialize(
                        &Read { #(#all: &self.#all),* },
                        serializer,
                    )
                }
            }
        };
    }
}

/// Required unless nullable or defaulted; those are `Option` with `#[serde(default)]`.
fn create_field(field: &Field) -> TokenStream {
    let ident = &field.ident;
    let doc = doc_attr(field);
    let inner = kind_type(field.ty.kind);
    if field.ty.nullable {
        quote! {
            #doc
            #[serde(default, skip_serializing_if = "::core::option::Option::is_none")]
            pub #ident: ::core::option::Option<#inner>
        }
    } else if field.default.is_some() {
        present_field(field, doc, inner)
    } else {
        let ty = field_type(&field.ty);
        quote!(#doc pub #ident: #ty)
    }
}

/// `Option<T>`, or `Option<Option<T>>` for a nullable field so `null` can clear it.
fn update_field(field: &Field) -> TokenStream {
    let doc = doc_attr(field);
    let inner = kind_type(field.ty.kind);
    if field.ty.nullable {
        present_field(field, doc, quote!(::core::option::Option<#inner>))
    } else {
        present_field(field, doc, inner)
    }
}

/// `Option<#value>`: absent is `None`, and a present value is read as a `#value`, so
/// `null` is refused unless `#value` is itself an `Option` (then it is `Some(None)`).
fn present_field(field: &Field, doc: TokenStream, value: TokenStream) -> TokenStream {
    let ident = &field.ident;
    quote! {
        #doc
        #[serde(default, skip_serializing_if = "::core::option::Option::is_none")]
        #[serde(deserialize_with = "::ferrest::__private::present")]
        pub #ident: ::core::option::Option<#value>
    }
}

fn doc_attr(field: &Field) -> TokenStream {
    match &field.doc {
        Some(doc) => quote!(#[doc = #doc]),
        None => TokenStream::new(),
    }
}
