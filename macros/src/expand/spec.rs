//! The static `ResourceSpec`: the data from which `core` derives routes, request
//! validation and the OpenAPI document.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::model::{Field, Literal, Pagination, Resource, Role, Rule};

pub const SPEC: &str = "__FERREST_SPEC";

pub fn spec_static(resource: &Resource) -> TokenStream {
    let spec = Ident::new(SPEC, Span::call_site());
    let name = resource.ident.to_string();
    let table = &resource.table;
    let path = &resource.path;
    let tag = &resource.tag;
    let plural = crate::model::plural(&resource.ident.to_string());
    let doc = option_str(resource.doc.as_deref());
    let max_limit = resource.max_limit;
    let ops = resource.operations;
    let (list, get, create, update, delete) =
        (ops.list, ops.get, ops.create, ops.update, ops.delete);
    let mut patterns = Vec::new();
    let fields: Vec<TokenStream> = resource
        .fields
        .iter()
        .map(|f| field_spec(f, &mut patterns))
        .collect();
    let pagination = format_ident!(
        "{}",
        match resource.pagination {
            Pagination::Offset => "Offset",
            Pagination::Cursor => "Cursor",
        }
    );
    let relations = relations(resource);
    let includes = resource.includes.iter().map(|(name, _)| name);
    let ident = &resource.ident;
    let access = super::access::access(&resource.access);
    let require_if_match = resource.require_if_match;
    let rate_limit = super::access::rate_limit(resource.rate_limit);
    let owner_scope = format_ident!(
        "{}",
        if resource.owner_writes_only {
            "Writes"
        } else {
            "All"
        }
    );
    let owner_bypass = match &resource.owner_bypass {
        Some(permission) => {
            let permission = super::access::permission(permission);
            quote!(::core::option::Option::Some(#permission))
        }
        None => quote!(::core::option::Option::None),
    };
    quote! {
        #(#patterns)*
        static #spec: ::ferrest::__private::spec::ResourceSpec = ::ferrest::__private::spec::ResourceSpec {
            name: #name,
            table: #table,
            path: #path,
            plural: #plural,
            tag: #tag,
            doc: #doc,
            max_limit: #max_limit,
            operations: ::ferrest::__private::spec::Operations {
                list: #list, get: #get, create: #create, update: #update, delete: #delete,
            },
            access: #access,
            require_if_match: #require_if_match,
            owner_bypass: #owner_bypass,
            owner_scope: ::ferrest::__private::spec::OwnerScope::#owner_scope,
            rate_limit: #rate_limit,
            fields: &[#(#fields),*],
            pagination: ::ferrest::__private::spec::Pagination::#pagination,
            relations: &[#(#relations),*],
            includes: &[#(#includes),*],
            load: ::ferrest::__private::load::<#ident>,
        };
    }
}

fn field_spec(field: &Field, patterns: &mut Vec<TokenStream>) -> TokenStream {
    let name = &field.name;
    let kind = format_ident!("{}", field.ty.kind.variant());
    let nullable = field.ty.nullable;
    let role = format_ident!(
        "{}",
        match field.role {
            Role::Data => "Data",
            Role::Id => "Id",
            Role::CreatedAt => "CreatedAt",
            Role::UpdatedAt => "UpdatedAt",
            Role::Version => "Version",
            Role::Owner => "Owner",
        }
    );
    let default = match &field.default {
        Some((lit, _)) => {
            let lit = literal(lit);
            quote!(::core::option::Option::Some(#lit))
        }
        None => quote!(::core::option::Option::None),
    };
    let unique = field.unique.is_some();
    let rules: Vec<TokenStream> = field
        .rules
        .iter()
        .filter_map(|rule| rule_tokens(field, rule, patterns))
        .collect();
    let doc = option_str(field.doc.as_deref());
    let filters = field.filters.iter().map(|(op, _)| {
        let variant = format_ident!(
            "{}",
            heck::ToUpperCamelCase::to_upper_camel_case(op.as_str())
        );
        quote!(::ferrest::__private::spec::FilterOp::#variant)
    });
    let sort = field.sort.is_some();
    let write = match &field.write {
        None => quote!(::ferrest::__private::spec::FieldWrite::Anyone),
        Some((crate::model::FieldWrite::ReadOnly, _)) => {
            quote!(::ferrest::__private::spec::FieldWrite::ReadOnly)
        }
        Some((crate::model::FieldWrite::Permission(permission), _)) => {
            let permission = super::access::permission(permission);
            quote!(::ferrest::__private::spec::FieldWrite::Permission(#permission))
        }
    };
    quote! {
        ::ferrest::__private::spec::FieldSpec {
            name: #name,
            kind: ::ferrest::__private::spec::Kind::#kind,
            nullable: #nullable,
            role: ::ferrest::__private::spec::Role::#role,
            default: #default,
            unique: #unique,
            rules: &[#(#rules),*],
            doc: #doc,
            filters: &[#(#filters),*],
            sort: #sort,
            write: #write,
        }
    }
}

/// Patterns become their own statics: a static may point at another static, which is
/// how the lazily compiled regex lives beside the spec.
pub(crate) fn rule_tokens(
    field: &Field,
    rule: &Rule,
    patterns: &mut Vec<TokenStream>,
) -> Option<TokenStream> {
    let spec = quote!(::ferrest::__private::spec);
    Some(match rule {
        Rule::Length { min, max, .. } => {
            let (min, max) = (
                option(min.map(|n| quote!(#n))),
                option(max.map(|n| quote!(#n))),
            );
            quote!(#spec::Rule::Length { min: #min, max: #max })
        }
        Rule::Range { min, max, .. } => {
            let (min, max) = (option(min.map(float)), option(max.map(float)));
            quote!(#spec::Rule::Range { min: #min, max: #max })
        }
        Rule::Pattern { source, .. } => {
            let ident = format_ident!(
                "__FERREST_PATTERN_{}_{}",
                field.name.to_uppercase(),
                patterns.len()
            );
            patterns.push(quote! {
                static #ident: #spec::Pattern = #spec::Pattern::new(#source);
            });
            quote!(#spec::Rule::Pattern(&#ident))
        }
        Rule::Email { .. } => quote!(#spec::Rule::Email),
        Rule::OneOf { values, .. } => {
            let values = values.iter().map(|(lit, _)| literal(lit));
            quote!(#spec::Rule::OneOf(&[#(#values),*]))
        }
        Rule::With { .. } => return None,
    })
}

fn float(value: f64) -> TokenStream {
    let lit = proc_macro2::Literal::f64_suffixed(value);
    quote!(#lit)
}

fn literal(lit: &Literal) -> TokenStream {
    let spec = quote!(::ferrest::__private::spec);
    match lit {
        Literal::Bool(b) => quote!(#spec::Literal::Bool(#b)),
        Literal::Int(i) => quote!(#spec::Literal::Int(#i)),
        Literal::Float(f) => {
            let f = float(*f);
            quote!(#spec::Literal::Float(#f))
        }
        Literal::Str(s) => quote!(#spec::Literal::Str(#s)),
    }
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

fn option_str(value: Option<&str>) -> TokenStream {
    option(value.map(|s| quote!(#s)))
}

/// The `RelationSpec`s: `belongs_to` fields, then `has_many` resources. The related
/// type's tokens keep the user's spans, so a type that is not a resource, or a child
/// without a `belongs_to` back, is reported at the attribute.
fn relations(resource: &Resource) -> Vec<TokenStream> {
    let spec = quote!(::ferrest::__private::spec);
    let parent = &resource.ident;
    let belongs_to = resource.fields.iter().filter_map(|field| {
        let relation = field.belongs_to.as_ref()?;
        let (name, key, path) = (&relation.name, &field.name, &relation.path);
        let target = quote_spanned!(path.span()=> <#path as ::ferrest::Resource>::spec);
        Some(quote! {
            #spec::RelationSpec {
                name: #name,
                kind: #spec::RelationKind::BelongsTo { field: #key },
                target: #target,
            }
        })
    });
    let has_many = resource.has_many.iter().map(|relation| {
        let (name, path) = (&relation.name, &relation.path);
        let target = quote_spanned!(path.span()=> <#path as ::ferrest::Resource>::spec);
        let key = quote_spanned!(path.span()=> <#path as ::ferrest::__private::BelongsTo<#parent>>::FIELD);
        quote! {
            #spec::RelationSpec {
                name: #name,
                kind: #spec::RelationKind::HasMany { field: #key },
                target: #target,
            }
        }
    });
    belongs_to.chain(has_many).collect()
}
