//! The methods of an `#[ferrest::endpoints]` block: route attributes, arguments, docs.

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ImplItem, LitStr, Pat, Type};

use crate::errors::{Errors, unknown_key_message};
use crate::parse::keys;

/// `#[ferrest::endpoints(tag = "Books")]`.
#[derive(Default)]
pub struct Options {
    pub tag: Option<LitStr>,
}

pub struct Method {
    pub ident: Ident,
    /// `get`, `post`, ...
    pub verb: String,
    pub path: LitStr,
    pub tag: Option<LitStr>,
    pub operation_id: Option<LitStr>,
    /// `auth = role("editor")`; `None` when not given (or not valid, and reported).
    pub permission: Option<crate::model::Permission>,
    /// `rate_limit = "5/minute"`.
    pub rate_limit: Option<crate::model::Rate>,
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

pub struct Argument {
    pub pat: Pat,
    pub ty: Type,
}

impl Argument {
    /// The last segment of the type's path: `Path`, `Json`, `Query`, ...
    pub fn extractor(&self) -> Option<String> {
        match &self.ty {
            Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
    }

    /// The first generic argument of the type: `i64` in `Path<i64>`.
    pub fn inner(&self) -> Option<&Type> {
        let Type::Path(path) = &self.ty else {
            return None;
        };
        let syn::PathArguments::AngleBracketed(args) = &path.path.segments.last()?.arguments else {
            return None;
        };
        args.args.iter().find_map(|a| match a {
            syn::GenericArgument::Type(ty) => Some(ty),
            _ => None,
        })
    }

    /// `Path<i64>`, `Path<String>`, ...: one value, named by its binding.
    pub fn binds_scalar(&self) -> bool {
        const SCALARS: &[&str] = &[
            "i8",
            "i16",
            "i32",
            "i64",
            "u8",
            "u16",
            "u32",
            "u64",
            "usize",
            "f32",
            "f64",
            "bool",
            "String",
            "Uuid",
            "Decimal",
            "NaiveDate",
        ];
        matches!(self.inner(), Some(syn::Type::Path(p))
            if p.path.segments.last().is_some_and(|s| SCALARS.contains(&s.ident.to_string().as_str())))
    }

    /// The names `Path(id)` or `Path((author, book))` binds, if it binds plain names.
    pub fn path_bindings(&self) -> Option<Vec<Ident>> {
        let Pat::TupleStruct(outer) = &self.pat else {
            return None;
        };
        let [inner] = outer.elems.iter().collect::<Vec<_>>()[..] else {
            return None;
        };
        let names = |pat: &Pat| match pat {
            Pat::Ident(ident) => Some(ident.ident.clone()),
            _ => None,
        };
        match inner {
            Pat::Tuple(tuple) => tuple.elems.iter().map(names).collect(),
            other => names(other).map(|n| vec![n]),
        }
    }
}

pub fn options(attr: TokenStream, errors: &mut Errors) -> Options {
    let mut options = Options::default();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident(keys::TAG) {
            options.tag = Some(meta.value()?.parse()?);
        } else {
            let key = quote::ToTokens::to_token_stream(&meta.path).to_string();
            errors.at(
                meta.path.span(),
                unknown_key_message("endpoints key", &key, &[keys::TAG]),
            );
        }
        Ok(())
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, attr) {
        errors.push(e);
    }
    options
}

/// The methods with a route attribute, and the hooks; the attribute is removed from
/// the block, and methods without one stay plain methods.
pub fn methods(block: &mut syn::ItemImpl, errors: &mut Errors) -> (Vec<Method>, Vec<Hook>) {
    let mut methods = Vec::new();
    let mut hooks = Vec::new();
    for item in &mut block.items {
        let ImplItem::Fn(function) = item else {
            continue;
        };
        let (rest, others): (Vec<_>, Vec<_>) = function
            .attrs
            .drain(..)
            .partition(|a| a.path().is_ident(keys::REST));
        function.attrs = others;
        if rest.is_empty() {
            continue;
        }
        let reported_before = errors.count();
        let mut verb: Option<(String, LitStr)> = None;
        let mut tag: Option<LitStr> = None;
        let mut operation_id = None;
        let mut permission: Option<(crate::model::Permission, Span)> = None;
        let mut rate_limit: Option<(crate::model::Rate, Span)> = None;
        let mut hook: Option<(String, Span)> = None;
        for attr in &rest {
            let parsed = attr.parse_nested_meta(|meta| {
                let key = crate::parse::key_of(&meta);
                if keys::HOOKS.contains(&key.as_str()) {
                    if hook.is_some() {
                        errors.at(
                            meta.path.span(),
                            "one hook kind per method; write a method per kind",
                        );
                    } else {
                        hook = Some((key, meta.path.span()));
                    }
                } else if keys::VERBS.contains(&key.as_str()) {
                    let path: LitStr = meta.value()?.parse()?;
                    if verb.is_some() {
                        errors.at(
                            meta.path.span(),
                            "one route per method: a second `get`/`post`/... is not allowed",
                        );
                    } else {
                        verb = Some((key, path));
                    }
                } else if key == keys::TAG {
                    tag = Some(meta.value()?.parse()?);
                } else if key == keys::OPERATION_ID {
                    operation_id = Some(meta.value()?.parse()?);
                } else if key == keys::RATE_LIMIT {
                    let lit: LitStr = meta.value()?.parse()?;
                    if rate_limit.is_some() {
                        errors.at(meta.path.span(), "duplicate key `rate_limit`");
                    } else if let Some(rate) = crate::model::Rate::from_lit(&lit, errors) {
                        rate_limit = Some((rate, meta.path.span()));
                    }
                } else if key == keys::AUTH {
                    let raw = crate::parse::parse_permission(meta.value()?)?;
                    if permission.is_some() {
                        errors.at(meta.path.span(), "duplicate key `auth`");
                    } else if let Some(parsed) = crate::model::Permission::from_raw(raw, errors) {
                        permission = Some((parsed, meta.path.span()));
                    }
                } else {
                    errors.at(
                        meta.path.span(),
                        unknown_key_message(
                            "endpoint key",
                            &key,
                            &[keys::VERBS, keys::ROUTE_KEYS, keys::HOOKS].concat(),
                        ),
                    );
                    crate::parse::skip_value(&meta)?;
                }
                Ok(())
            });
            if let Err(e) = parsed {
                errors.push(e);
            }
        }
        let sig = &function.sig;
        let (receiver, args) = arguments(sig);
        let output = match &sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, ty) => Some((**ty).clone()),
        };
        if let Some((kind, kind_span)) = hook {
            if let Some((_, path)) = &verb {
                errors.at(
                    path.span(),
                    format!("`{}` is a `{kind}` hook and cannot also be a route; write a separate method for the route", sig.ident),
                );
            } else if let Some(extra) = tag.as_ref().or(operation_id.as_ref()) {
                errors.at(
                    extra.span(),
                    "a hook is not an operation of its own: `tag` and `operation_id` apply to routes",
                );
            } else if let Some(span) = permission
                .as_ref()
                .map(|(_, s)| s)
                .or(rate_limit.as_ref().map(|(_, s)| s))
            {
                errors.at(
                    *span,
                    "a hook runs inside the operation that triggers it, under that operation's `auth` and `rate_limit`; they apply to routes",
                );
            }
            hooks.push(Hook {
                ident: sig.ident.clone(),
                kind,
                kind_span,
                asyncness: sig.asyncness.is_some(),
                fn_span: sig.fn_token.span,
                receiver,
                args,
                output,
            });
            continue;
        }
        let Some((verb, path)) = verb else {
            // A misspelled route key is reported already.
            if errors.count() > reported_before {
                continue;
            }
            errors.at(
                rest[0].span(),
                format!(
                    "`{}` needs a route, like `#[rest(get = \"/books/{{id}}\")]`, or a hook kind, like `#[rest(before_create)]`",
                    sig.ident
                ),
            );
            continue;
        };
        methods.push(Method {
            ident: sig.ident.clone(),
            verb,
            path,
            tag,
            operation_id,
            permission: permission.map(|(p, _)| p),
            rate_limit: rate_limit.map(|(r, _)| r),
            doc: crate::parse::doc_comment(&function.attrs),
            asyncness: sig.asyncness.is_some(),
            fn_span: sig.fn_token.span,
            receiver,
            args,
            output,
        });
    }
    (methods, hooks)
}

/// The `self` receiver's span, if any, and the typed arguments.
fn arguments(sig: &syn::Signature) -> (Option<Span>, Vec<Argument>) {
    let mut receiver = None;
    let mut args = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(r) => receiver = Some(r.span()),
            FnArg::Typed(typed) => args.push(Argument {
                pat: (*typed.pat).clone(),
                ty: (*typed.ty).clone(),
            }),
        }
    }
    (receiver, args)
}
