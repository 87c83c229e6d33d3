//! `impl Resource` and its hidden supertrait `Generated`: conversions between the DTOs
//! and the entity, and the custom validator calls. The CRUD logic itself is generic,
//! in `ferrest`'s `http/crud.rs`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use super::spec::SPEC;
use super::types::{field_type, kind_type};
use super::{create_ident, entity_module_ident, update_ident};
use crate::model::{Field, Kind, Resource, Role, Rule};

pub fn resource_impl(resource: &Resource) -> TokenStream {
    let name = &resource.ident;
    let entity = entity_module_ident(resource);
    let create = create_ident(resource);
    let update = update_ident(resource);
    let spec = Ident::new(SPEC, Span::call_site());
    let id = resource.id();
    let id_ident = &id.ident;
    let id_type = field_type(&id.ty);
    let set = quote!(::ferrest::__private::sea_orm::ActiveValue::Set);

    let new_row = resource.fields.iter().map(|f| {
        let ident = &f.ident;
        let value = match f.role {
            Role::Id if f.ty.kind == Kind::Uuid => {
                quote!(#set(::ferrest::__private::uuid::Uuid::new_v4()))
            }
            Role::Id => quote!(::ferrest::__private::sea_orm::ActiveValue::NotSet),
            Role::CreatedAt | Role::UpdatedAt => now(f),
            // Rows start at version 1; each update counts up in SQL.
            Role::Version => quote!(#set(1)),
            // The runtime sets it from the caller before the insert.
            Role::Owner => quote!(::ferrest::__private::sea_orm::ActiveValue::NotSet),
            Role::Data => {
                let value = match &f.default {
                    Some(_) => {
                        let lit = default_expr(f);
                        quote!(input.#ident.unwrap_or_else(|| ::core::convert::Into::into(#lit)))
                    }
                    None => quote!(input.#ident),
                };
                quote!(#set(::ferrest::__private::Stored::into_column(#value)))
            }
        };
        quote!(#ident: #value)
    });

    let apply_update = resource.fields.iter().filter_map(|f| {
        let ident = &f.ident;
        match f.role {
            Role::Data => Some(quote! {
                if let ::core::option::Option::Some(value) = input.#ident {
                    row.#ident = #set(::ferrest::__private::Stored::into_column(value));
                }
            }),
            _ => None,
        }
    });
    // Stamped only when a value changed, so an empty PATCH writes nothing.
    let stamps: Vec<TokenStream> = resource
        .fields
        .iter()
        .filter(|f| f.role == Role::UpdatedAt)
        .map(|f| {
            let ident = &f.ident;
            let now = now(f);
            quote!(row.#ident = #now;)
        })
        .collect();
    let stamp_updated_at = (!stamps.is_empty()).then(|| {
        quote! {
            if ::ferrest::__private::sea_orm::ActiveModelTrait::is_changed(row) {
                let __ferrest_now = ::ferrest::__private::now_utc();
                #(#stamps)*
            }
        }
    });

    let guarded = guarded_fields(resource);
    let (check_create, check_update) = custom_checks(resource);
    let passes = typed_checks(resource);
    let nested_routes = nested_routes(resource);
    let belongs_to = belongs_to_impls(resource);
    let version_of = resource
        .fields
        .iter()
        .find(|f| f.role == Role::Version)
        .map(|f| {
            let ident = &f.ident;
            quote! {
                fn version_of(model: &#entity::Model) -> ::core::option::Option<i64> {
                    ::core::option::Option::Some(::core::convert::Into::<i64>::into(model.#ident))
                }
            }
        });

    quote! {
        impl ::ferrest::Resource for #name {
            type Entity = #entity::Entity;
            type Model = #entity::Model;
            type Create = #create;
            type Update = #update;
            type Id = #id_type;

            fn spec() -> &'static ::ferrest::__private::spec::ResourceSpec {
                &#spec
            }
        }

        impl ::ferrest::__private::Generated<#entity::Model, #create, #update> for #name {
            type ActiveModel = #entity::ActiveModel;

            fn from_model(model: #entity::Model) -> Self {
                ::core::convert::From::from(model)
            }

            fn id_of(model: &#entity::Model) -> ::std::string::String {
                ::std::string::ToString::to_string(&model.#id_ident)
            }

            #[allow(unused_variables)]
            fn new_row(input: #create) -> #entity::ActiveModel {
                // One instant for every timestamp, so `created_at == updated_at` on create.
                let __ferrest_now = ::ferrest::__private::now_utc();
                #entity::ActiveModel { #(#new_row),* }
            }

            #[allow(unused_variables)]
            fn apply_update(input: #update, row: &mut #entity::ActiveModel) {
                #(#apply_update)*
                #stamp_updated_at
            }

            fn endpoint_block() -> ::core::option::Option<::ferrest::__private::RegisterBlock> {
                #[allow(unused_imports)]
                use ::ferrest::__private::{HasEndpoints as _, NoEndpoints as _};
                (&::ferrest::__private::EndpointsProbe::<Self>::new()).block()
            }

            #guarded
            #passes
            #check_create
            #check_update
            #nested_routes
            #version_of
        }

        #belongs_to
    }
}

/// `GET /authors/{author_id}/books` for each `has_many = Book`.
fn nested_routes(resource: &Resource) -> Option<TokenStream> {
    if resource.has_many.is_empty() {
        return None;
    }
    let routes = resource.has_many.iter().map(|relation| {
        let (path, name) = (&relation.path, &relation.name);
        quote!(let router = ::ferrest::__private::nested_route::<Self, #path>(router, #name);)
    });
    let router = quote!(::ferrest::__private::axum::Router<::ferrest::__private::AppState>);
    Some(quote! {
        fn nested_routes(router: #router) -> #router {
            #(#routes)*
            router
        }
    })
}

/// `impl BelongsTo<Author> for Book` for the first `belongs_to` field to each parent
/// (the one a parent's `has_many` follows), and per field a function that only
/// compiles when the field's type is the parent's id type, spanned at the field's type
/// so a mismatch reads "expected `i64`, found `i32`" there.
fn belongs_to_impls(resource: &Resource) -> TokenStream {
    let name = &resource.ident;
    let mut parents: Vec<Option<String>> = Vec::new();
    let impls = resource.fields.iter().filter_map(|field| {
        let path = &field.belongs_to.as_ref()?.path;
        let key = &field.name;
        let span = syn::spanned::Spanned::span(path);
        // `Author` and `crate::Author` name one type: compare the last segments.
        let parent = path.segments.last().map(|s| s.ident.to_string());
        let belongs_to = (!parents.contains(&parent)).then(|| {
            quote_spanned! {span=>
                impl ::ferrest::__private::BelongsTo<#path> for #name {
                    const FIELD: &'static str = #key;
                }
            }
        });
        parents.push(parent);
        let ty = respan(kind_type(field.ty.kind), field.ty.span);
        let id = quote_spanned!(span=> <#path as ::ferrest::Resource>::Id);
        let check = format_ident!("__ferrest_foreign_key_type_of_{}", field.name);
        let check = quote_spanned! {field.ty.span=>
            #[allow(dead_code, non_snake_case)]
            fn #check(id: #ty) -> #id { id }
        };
        Some(quote!(#belongs_to #check))
    });
    quote!(#(#impls)*)
}

/// `Set(...)` of the field's timestamp at the instant `__ferrest_now`.
fn now(field: &Field) -> TokenStream {
    let ty = kind_type(field.ty.kind);
    quote!(::ferrest::__private::sea_orm::ActiveValue::Set(
        ::ferrest::__private::Stored::into_column(<#ty as ::ferrest::__private::Now>::at(__ferrest_now))
    ))
}

fn default_expr(field: &Field) -> TokenStream {
    use crate::model::Literal;
    match &field.default {
        Some((Literal::Bool(b), _)) => quote!(#b),
        Some((Literal::Int(i), _)) => {
            let ty = kind_type(field.ty.kind);
            quote!(<#ty as ::ferrest::__private::FromLiteral>::from_i64(#i))
        }
        Some((Literal::Float(f), _)) => {
            let ty = kind_type(field.ty.kind);
            quote!(<#ty as ::ferrest::__private::FromLiteral>::from_f64(#f))
        }
        Some((Literal::Str(s), _)) => quote!(#s),
        None => quote!(::core::default::Default::default()),
    }
}

/// `let __ferrest_check: fn(&T) -> Result<(), Invalid> = path;` (`&str` for strings), every token spanned at the
/// user's path: a function of another signature then fails with one "mismatched
/// types" error there, naming the expected signature, instead of an unsatisfied
/// `Fn` bound pointing into `ferrest`'s sources.
pub(crate) fn typed_check(path: &syn::Path, field: &Field) -> TokenStream {
    let span = syn::spanned::Spanned::span(path);
    let ty = respan(check_argument(field.ty.kind), span);
    quote_spanned! {span=>
        let __ferrest_check: fn(&#ty) -> ::core::result::Result<(), ::ferrest::Invalid> = #path;
        let value: &#ty = value;
    }
}

/// What a custom validator receives: `&str` for strings (as clippy would have the
/// user write it), `&T` for the other kinds.
fn check_argument(kind: Kind) -> TokenStream {
    match kind {
        Kind::String => quote!(str),
        other => kind_type(other),
    }
}

fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let proc_macro2::TokenTree::Group(group) = &token {
                let mut inner =
                    proc_macro2::Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = proc_macro2::TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// `create_passes` and `update_passes`: each writable field's declared checks, on the
/// DTO's typed value (`ferrest::__private::Checked`), in the spec's order.
fn typed_checks(resource: &Resource) -> TokenStream {
    let create = create_ident(resource);
    let update = update_ident(resource);
    let values: Vec<TokenStream> = resource
        .fields
        .iter()
        .filter(|f| f.role == Role::Data)
        .map(|field| {
            let ident = &field.ident;
            quote!(&input.#ident)
        })
        .collect();
    let storage = quote!(::ferrest::validate::Storage);
    let all_pass = quote!(::ferrest::__private::all_pass(<Self as ::ferrest::Resource>::spec(), storage, &[#(#values),*]));
    quote! {
        fn create_passes(input: &#create, storage: #storage) -> bool {
            #all_pass
        }

        fn update_passes(input: &#update, storage: #storage) -> bool {
            #all_pass
        }
    }
}

/// Calls to `validate(with = path)` functions, on present values only.
fn custom_checks(resource: &Resource) -> (TokenStream, TokenStream) {
    let create = create_ident(resource);
    let update = update_ident(resource);
    let mut on_create = Vec::new();
    let mut on_update = Vec::new();
    for field in resource.fields.iter().filter(|f| f.role == Role::Data) {
        let ident = &field.ident;
        let name = &field.name;
        for rule in &field.rules {
            let Rule::With { path } = rule else { continue };
            let check = typed_check(path, field);
            let call = quote!({
                #check
                ::ferrest::__private::custom(errors, #name, value, __ferrest_check);
            });
            let optional_on_create = field.ty.nullable || field.default.is_some();
            on_create.push(if optional_on_create {
                quote!(if let ::core::option::Option::Some(value) = &input.#ident { #call })
            } else {
                quote!({ let value = &input.#ident; #call })
            });
            on_update.push(if field.ty.nullable {
                quote!(if let ::core::option::Option::Some(::core::option::Option::Some(value)) = &input.#ident { #call })
            } else {
                quote!(if let ::core::option::Option::Some(value) = &input.#ident { #call })
            });
        }
    }
    if on_create.is_empty() {
        return (TokenStream::new(), TokenStream::new());
    }
    let errors = quote!(::std::vec::Vec<::ferrest::FieldError>);
    (
        quote! {
            fn check_create(input: &#create, errors: &mut #errors) { #(#on_create)* }
        },
        quote! {
            fn check_update(input: &#update, errors: &mut #errors) { #(#on_update)* }
        },
    )
}

/// `guarded_in_create`/`guarded_in_update`: the `read_only` and `write = ...` fields a
/// body sets. Both DTOs hold such a field as an `Option` (`check.rs` asks for a
/// default or an `Option` type), so present is `Some`.
fn guarded_fields(resource: &Resource) -> Option<TokenStream> {
    let guarded: Vec<&Field> = resource
        .fields
        .iter()
        .filter(|f| f.role == Role::Data && f.write.is_some())
        .collect();
    if guarded.is_empty() {
        return None;
    }
    let present = guarded.iter().map(|f| {
        let (ident, name) = (&f.ident, &f.name);
        quote! {
            if input.#ident.is_some() {
                found.push(#name);
            }
        }
    });
    let present: Vec<TokenStream> = present.collect();
    let create = create_ident(resource);
    let update = update_ident(resource);
    let list = quote!(::std::vec::Vec<&'static str>);
    Some(quote! {
        fn guarded_in_create(input: &#create) -> #list {
            let mut found = ::std::vec::Vec::new();
            #(#present)*
            found
        }

        fn guarded_in_update(input: &#update) -> #list {
            let mut found = ::std::vec::Vec::new();
            #(#present)*
            found
        }
    })
}
