//! The sea-orm entity: `Model`, `Entity`, `Column`, `ActiveModel` in a hidden module.

use proc_macro2::TokenStream;
use quote::quote;

use super::entity_module_ident;
use super::types::column_type as stored_type;
use crate::model::{BelongsTo, Field, Kind, Literal, Resource, Role, Rule};

pub fn entity_module(resource: &Resource) -> TokenStream {
    let module = entity_module_ident(resource);
    let vis = &resource.vis;
    let table = &resource.table;
    let fields = resource.fields.iter().map(column);
    let relations = foreign_keys(resource).map(|(variant, _, _)| variant);
    quote! {
        #[doc(hidden)]
        #[allow(clippy::all, unused_imports)]
        #vis mod #module {
            // sea-orm's derives name `sea_orm::...` and its prelude relative to this module.
            use ::ferrest::__private::sea_orm;
            // Explicit imports win over the user's names and over globs, so a user type
            // called `Option` or `Result` cannot capture the derives' bare names.
            use ::core::option::Option::{self, None, Some};
            use ::core::result::Result::{self, Err, Ok};
            use ::ferrest::__private::sea_orm::entity::prelude::*;

            #[derive(Clone, Debug, PartialEq, DeriveEntityModel, ::ferrest::__private::serde::Serialize)]
            #[serde(crate = "::ferrest::__private::serde")]
            #[sea_orm(table_name = #table)]
            pub struct Model {
                #(#fields,)*
            }

            #[derive(Copy, Clone, Debug, EnumIter)]
            pub enum Relation { #(#relations),* }

            impl ActiveModelBehavior for ActiveModel {}
        }
    }
}

fn column(field: &Field) -> TokenStream {
    let ident = &field.ident;
    let ty = stored_type(&field.ty);
    let mut attrs = Vec::new();
    if field.role == Role::Id {
        attrs.push(quote!(primary_key));
        if field.ty.kind == Kind::Uuid {
            attrs.push(quote!(auto_increment = false));
        }
    }
    if field.ty.nullable {
        attrs.push(quote!(nullable));
    }
    if field.unique.is_some() {
        attrs.push(quote!(unique));
    }
    // Every read of an owned resource filters by its owner; lists seek by the others.
    if field.role == Role::Owner || seeks(field) {
        attrs.push(quote!(indexed));
    }
    if let Some(column_type) = column_type(field) {
        attrs.push(quote!(column_type = #column_type));
    }
    // sea-orm's schema sync renames the column instead of adding it; migrations read
    // the same attribute back from the column's comment.
    if let Some((old, _)) = &field.renamed_from {
        attrs.push(quote!(renamed_from = #old));
    }
    if let Some((default, _)) = &field.default {
        let lit = match default {
            Literal::Bool(b) => quote!(#b),
            Literal::Int(i) => quote!(#i),
            Literal::Float(f) => quote!(#f),
            Literal::Str(s) => quote!(#s),
        };
        attrs.push(quote!(default_value = #lit));
    }
    let serde = match (field.ty.kind, field.ty.nullable) {
        (Kind::Decimal, false) => {
            quote!(#[serde(serialize_with = "::ferrest::__private::decimal::normalized")])
        }
        (Kind::Decimal, true) => {
            quote!(#[serde(serialize_with = "::ferrest::__private::decimal::normalized_option")])
        }
        (Kind::DateTime, false) => {
            quote!(#[serde(serialize_with = "::ferrest::__private::utc::serialize")])
        }
        (Kind::DateTime, true) => {
            quote!(#[serde(serialize_with = "::ferrest::__private::utc::serialize_option")])
        }
        _ => TokenStream::new(),
    };
    let sea_orm = (!attrs.is_empty()).then(|| quote!(#[sea_orm(#(#attrs),*)]));
    quote! {
        #sea_orm
        #serde
        pub #ident: #ty
    }
}

/// Whether the column gets an index of its own: a foreign key (nested lists and
/// includes look rows up by it; PostgreSQL does not index foreign keys by itself), or a
/// field lists sort by or filter with an operator an index serves (`eq`, `in`, `lt`,
/// `lte`, `gt`, `gte`). Not `text` columns (MySQL cannot index them), JSON or booleans
/// (two values select half the table), nor columns a unique index already covers.
fn seeks(field: &Field) -> bool {
    let indexable = match field.ty.kind {
        Kind::Json | Kind::Bool => false,
        Kind::String => column_type(field).is_some_and(|t| t.starts_with("String(")),
        _ => true,
    };
    let used = field.belongs_to.is_some()
        || field.sort.is_some()
        || field
            .filters
            .iter()
            .any(|(op, _)| matches!(op.as_str(), "eq" | "in" | "lt" | "lte" | "gt" | "gte"));
    indexable && used && field.unique.is_none() && field.role != Role::Id
}

/// Column types that differ from sea-orm's defaults: short bounded strings become
/// `varchar(n)` (MySQL cannot index `text`; longer ones would crowd its 64 KiB row
/// limit), the others `text`, and decimals get a scale so MySQL does not round them.
fn column_type(field: &Field) -> Option<String> {
    match field.ty.kind {
        // A subject fits 255 characters (longer ones cannot own rows), and the index
        // needs a bounded column on MySQL.
        Kind::String if field.role == Role::Owner => Some("String(StringLen::N(255))".to_owned()),
        Kind::String => Some(match max_length(field) {
            Some(max) if max <= crate::check::MAX_INDEXED_STRING => {
                format!("String(StringLen::N({max}))")
            }
            _ => "Text".to_owned(),
        }),
        Kind::Decimal => Some("Decimal(Some((30, 10)))".to_owned()),
        _ => None,
    }
}

fn max_length(field: &Field) -> Option<u64> {
    field.rules.iter().find_map(|r| match r {
        Rule::Length { max, .. } => *max,
        _ => None,
    })
}

/// The `belongs_to` fields with their `Relation` variant: `ForeignKey0`, ...
fn foreign_keys(
    resource: &Resource,
) -> impl Iterator<Item = (proc_macro2::Ident, &Field, &BelongsTo)> {
    resource
        .fields
        .iter()
        .filter_map(|f| Some((f, f.belongs_to.as_ref()?)))
        .enumerate()
        .map(|(i, (f, parent))| (quote::format_ident!("ForeignKey{i}"), f, parent))
}

/// `impl RelationTrait`: each `belongs_to` field is a foreign key to its parent's
/// primary key, so schema sync creates it. Emitted beside the spec rather than in the
/// entity module, where the user's path to the parent would not resolve.
pub fn relation_impl(resource: &Resource) -> TokenStream {
    let module = entity_module_ident(resource);
    let arms = foreign_keys(resource).map(|(variant, field, parent)| {
        let path = &parent.path;
        let name = &field.name;
        let parent = quote::quote_spanned!(syn::spanned::Spanned::span(path)=>
            <#path as ::ferrest::Resource>::Entity);
        quote! {
            #module::Relation::#variant => ::ferrest::__private::foreign_key::<#module::Entity, #parent>(#name)
        }
    });
    quote! {
        impl ::ferrest::__private::sea_orm::RelationTrait for #module::Relation {
            fn def(&self) -> ::ferrest::__private::sea_orm::RelationDef {
                match *self {
                    #(#arms,)*
                }
            }
        }
    }
}
