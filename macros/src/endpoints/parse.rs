//! The impl block, its options and each method's `#[rest(...)]`, as written. The
//! attribute is removed from the block, and methods without one stay plain methods.

use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ImplItem, LitStr, Type};

use super::argument::Argument;
use crate::errors::{Errors, unknown_key_message};
use crate::parse::{RawPermission, Slot, doc_comment, key_of, keys, parse_permission, skip_value};

pub struct RawEndpoints {
    /// The block as the user wrote it, minus the `#[rest]` attributes.
    pub item: syn::ItemImpl,
    /// `#[ferrest::endpoints(tag = "Books")]`.
    pub tag: Option<LitStr>,
    pub methods: Vec<RawMethod>,
}

/// A method with `#[rest(...)]`: a route or a hook, not yet told apart.
pub struct RawMethod {
    pub ident: Ident,
    /// The first `#[rest(...)]`, for errors about the attribute as a whole.
    pub attr_span: Span,
    /// Whether its attributes were reported already: a misspelled verb then needs no
    /// "needs a route" on top.
    pub reported: bool,
    /// `get = "/path"` (or `post`, ...): the verb and the path.
    pub route: Option<(String, LitStr)>,
    /// `before_create` (or another hook kind), and where it was written.
    pub hook: Option<(String, Span)>,
    pub tag: Option<LitStr>,
    pub operation_id: Option<LitStr>,
    pub auth: Option<(RawPermission, Span)>,
    pub rate_limit: Option<(LitStr, Span)>,
    pub doc: Option<String>,
    pub asyncness: bool,
    /// Where `fn` was written, for errors about the signature.
    pub fn_span: Span,
    pub receiver: Option<Span>,
    pub args: Vec<Argument>,
    /// `None` for `-> ()`.
    pub output: Option<Type>,
}

/// `None` when the item is not an inherent impl of a type without generic parameters.
pub fn parse(attr: TokenStream, item: TokenStream, errors: &mut Errors) -> Option<RawEndpoints> {
    let mut block: syn::ItemImpl = match syn::parse2(item.clone()) {
        Ok(block) => block,
        Err(_) => {
            errors.spanned(
                &item,
                "`#[ferrest::endpoints]` applies to an impl block, like `impl Book { ... }`",
            );
            return None;
        }
    };
    if !block.generics.params.is_empty() || block.trait_.is_some() {
        errors.at(
            block.impl_token.span,
            "`#[ferrest::endpoints]` applies to an inherent impl of a type without generic parameters, like `impl Book { ... }`; one block per type",
        );
        return None;
    }
    let tag = options(attr, errors);
    let methods = methods(&mut block, errors);
    Some(RawEndpoints {
        item: block,
        tag,
        methods,
    })
}

/// The options of `#[ferrest::endpoints(...)]`: `tag` only.
fn options(attr: TokenStream, errors: &mut Errors) -> Option<LitStr> {
    let mut tag = Slot::new(keys::TAG);
    let parser = syn::meta::parser(|meta| {
        let span = meta.path.span();
        match key_of(&meta).as_str() {
            keys::TAG => tag.set(errors, span, meta.value()?.parse()?),
            other => {
                errors.at(
                    span,
                    unknown_key_message("endpoints key", other, &[keys::TAG]),
                );
                skip_value(&meta)?;
            }
        }
        Ok(())
    });
    if let Err(e) = syn::parse::Parser::parse2(parser, attr) {
        errors.push(e);
    }
    tag.value()
}

fn methods(block: &mut syn::ItemImpl, errors: &mut Errors) -> Vec<RawMethod> {
    let mut methods = Vec::new();
    for item in &mut block.items {
        let ImplItem::Fn(function) = item else {
            continue;
        };
        let (rest, others): (Vec<_>, Vec<_>) = function
            .attrs
            .drain(..)
            .partition(|a| a.path().is_ident(keys::REST));
        function.attrs = others;
        if let Some(first) = rest.first() {
            let doc = doc_comment(&function.attrs);
            methods.push(method(&function.sig, first.span(), &rest, doc, errors));
        }
    }
    methods
}

fn method(
    sig: &syn::Signature,
    attr_span: Span,
    attrs: &[syn::Attribute],
    doc: Option<String>,
    errors: &mut Errors,
) -> RawMethod {
    let reported_before = errors.count();
    // A method is one route or one hook: a second verb or kind is refused like a
    // repeated key, with a message that says why.
    let mut route =
        Slot::with_message("one route per method: a second `get`/`post`/... is not allowed");
    let mut hook = Slot::with_message("one hook kind per method; write a method per kind");
    let mut tag = Slot::new(keys::TAG);
    let mut operation_id = Slot::new(keys::OPERATION_ID);
    let mut auth = Slot::new(keys::AUTH);
    let mut rate_limit = Slot::new(keys::RATE_LIMIT);
    for attr in attrs {
        let parsed = attr.parse_nested_meta(|meta| {
            let key = key_of(&meta);
            let span = meta.path.span();
            match key.as_str() {
                kind if keys::HOOKS.contains(&kind) => hook.set(errors, span, (key, span)),
                verb if keys::VERBS.contains(&verb) => {
                    route.set(errors, span, (key, meta.value()?.parse()?));
                }
                keys::TAG => tag.set(errors, span, meta.value()?.parse()?),
                keys::OPERATION_ID => operation_id.set(errors, span, meta.value()?.parse()?),
                keys::RATE_LIMIT => rate_limit.set(errors, span, (meta.value()?.parse()?, span)),
                keys::AUTH => auth.set(errors, span, (parse_permission(meta.value()?)?, span)),
                other => {
                    errors.at(
                        span,
                        unknown_key_message(
                            "endpoint key",
                            other,
                            &[keys::VERBS, keys::ROUTE_KEYS, keys::HOOKS].concat(),
                        ),
                    );
                    skip_value(&meta)?;
                }
            }
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    let (receiver, args) = arguments(sig);
    RawMethod {
        ident: sig.ident.clone(),
        attr_span,
        reported: errors.count() > reported_before,
        route: route.value(),
        hook: hook.value(),
        tag: tag.value(),
        operation_id: operation_id.value(),
        auth: auth.value(),
        rate_limit: rate_limit.value(),
        doc,
        asyncness: sig.asyncness.is_some(),
        fn_span: sig.fn_token.span,
        receiver,
        args,
        output: match &sig.output {
            syn::ReturnType::Default => None,
            syn::ReturnType::Type(_, ty) => Some((**ty).clone()),
        },
    }
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
