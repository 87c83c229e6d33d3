//! The block's routes and hooks: each method told apart as one or the other, its
//! `auth` and `rate_limit` given meaning.

use proc_macro2::Span;
use syn::{Ident, LitStr, Type};

use super::argument::Argument;
use super::parse::{RawEndpoints, RawMethod};
use crate::errors::Errors;
use crate::model::{Permission, Rate, rate_from_lit};

pub struct Block {
    /// The block as the user wrote it, minus the `#[rest]` attributes.
    pub item: syn::ItemImpl,
    /// `Book` for `impl Book`; `Self` for self types without a name.
    pub resource: String,
    pub tag: Option<LitStr>,
    pub methods: Vec<Method>,
    pub hooks: Vec<Hook>,
}

pub struct Method {
    pub ident: Ident,
    /// `get`, `post`, ...
    pub verb: String,
    pub path: LitStr,
    pub tag: Option<LitStr>,
    pub operation_id: Option<LitStr>,
    /// `auth = role("editor")`; `None` when not given (or not valid, and reported).
    pub permission: Option<Permission>,
    /// `rate_limit = "5/minute"`.
    pub rate_limit: Option<Rate>,
    pub doc: Option<String>,
    pub asyncness: bool,
    /// Where `fn` was written, for errors about the signature.
    pub fn_span: Span,
    pub receiver: Option<Span>,
    pub args: Vec<Argument>,
    /// `None` for `-> ()`.
    pub output: Option<Type>,
}

/// A lifecycle hook: a method with `#[rest(before_create)]` and the like.
pub struct Hook {
    pub ident: Ident,
    /// `before_create`, ..., `read_filter`.
    pub kind: String,
    /// Where the kind was written.
    pub kind_span: Span,
    pub asyncness: bool,
    pub fn_span: Span,
    pub receiver: Option<Span>,
    pub args: Vec<Argument>,
    /// `None` for `-> ()`.
    pub output: Option<Type>,
}

impl Block {
    pub fn from_raw(raw: RawEndpoints, errors: &mut Errors) -> Block {
        let mut methods = Vec::new();
        let mut hooks = Vec::new();
        for method in raw.methods {
            match classify(method, errors) {
                Some(Routed::Method(method)) => methods.push(method),
                Some(Routed::Hook(hook)) => hooks.push(hook),
                None => {}
            }
        }
        let resource = match super::expand::type_name(&raw.item.self_ty) {
            name if name.is_empty() => "Self".to_owned(),
            name => name,
        };
        Block {
            item: raw.item,
            resource,
            tag: raw.tag,
            methods,
            hooks,
        }
    }
}

enum Routed {
    Method(Method),
    Hook(Hook),
}

/// A route or a hook; `None` after reporting a method that is neither.
fn classify(raw: RawMethod, errors: &mut Errors) -> Option<Routed> {
    let permission = raw
        .auth
        .as_ref()
        .and_then(|(auth, _)| Permission::from_raw(auth.clone(), errors));
    let rate_limit = raw
        .rate_limit
        .as_ref()
        .and_then(|(lit, _)| rate_from_lit(lit, errors));
    if let Some((kind, kind_span)) = raw.hook.clone() {
        hook_has_no_route_keys(&raw.ident, &kind, &raw, errors);
        return Some(Routed::Hook(Hook {
            ident: raw.ident,
            kind,
            kind_span,
            asyncness: raw.asyncness,
            fn_span: raw.fn_span,
            receiver: raw.receiver,
            args: raw.args,
            output: raw.output,
        }));
    }
    let Some((verb, path)) = raw.route else {
        // A misspelled route key is reported already.
        if !raw.reported {
            errors.at(
                raw.attr_span,
                format!(
                    "`{}` needs a route, like `#[rest(get = \"/books/{{id}}\")]`, or a hook kind, like `#[rest(before_create)]`",
                    raw.ident
                ),
            );
        }
        return None;
    };
    Some(Routed::Method(Method {
        ident: raw.ident,
        verb,
        path,
        tag: raw.tag,
        operation_id: raw.operation_id,
        permission,
        rate_limit,
        doc: raw.doc,
        asyncness: raw.asyncness,
        fn_span: raw.fn_span,
        receiver: raw.receiver,
        args: raw.args,
        output: raw.output,
    }))
}

/// A hook runs inside the operation that triggers it: it has no route, document
/// entry, `auth` or `rate_limit` of its own.
fn hook_has_no_route_keys(ident: &Ident, kind: &str, raw: &RawMethod, errors: &mut Errors) {
    if let Some((_, path)) = &raw.route {
        errors.at(
            path.span(),
            format!("`{ident}` is a `{kind}` hook and cannot also be a route; write a separate method for the route"),
        );
    } else if let Some(extra) = raw.tag.as_ref().or(raw.operation_id.as_ref()) {
        errors.at(
            extra.span(),
            "a hook is not an operation of its own: `tag` and `operation_id` apply to routes",
        );
    } else if let Some(span) = raw
        .auth
        .as_ref()
        .map(|(_, s)| s)
        .or(raw.rate_limit.as_ref().map(|(_, s)| s))
    {
        errors.at(
            *span,
            "a hook runs inside the operation that triggers it, under that operation's `auth` and `rate_limit`; they apply to routes",
        );
    }
}
