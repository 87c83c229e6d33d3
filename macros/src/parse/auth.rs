//! `auth(read = public, delete = role("admin"))` on a resource and
//! `auth = role("editor")` on an endpoint method.

use proc_macro2::Span;
use syn::ext::IdentExt;
use syn::parse::ParseStream;
use syn::spanned::Spanned;
use syn::{Ident, LitStr, Token};

use super::keys;
use super::{key_of, skip_value};
use crate::errors::{Errors, unknown_key_message};

/// A permission as written: `role("editor", "admin")`.
#[derive(Clone)]
pub struct RawPermission {
    pub kind: Ident,
    /// The parenthesized names, `None` without parentheses.
    pub names: Option<(Vec<LitStr>, Span)>,
}

/// `public`, `authenticated`, `role("a", ...)`, `scope("s", ...)`.
pub fn parse_permission(input: ParseStream) -> syn::Result<RawPermission> {
    let kind = Ident::parse_any(input)?;
    let names = if input.peek(syn::token::Paren) {
        let content;
        let parens = syn::parenthesized!(content in input);
        let names = content.parse_terminated(|s| s.parse::<LitStr>(), Token![,])?;
        Some((names.into_iter().collect(), parens.span.join()))
    } else {
        None
    };
    Ok(RawPermission { kind, names })
}

/// The entries of `auth(...)`, each key once, unknown keys reported.
pub fn parse_access(
    meta: &syn::meta::ParseNestedMeta,
    errors: &mut Errors,
) -> syn::Result<Vec<(Ident, RawPermission)>> {
    let mut entries: Vec<(Ident, RawPermission)> = Vec::new();
    meta.parse_nested_meta(|entry| {
        let key = key_of(&entry);
        let span = entry.path.span();
        if !keys::ACCESS_KEYS.contains(&key.as_str()) {
            errors.at(
                span,
                unknown_key_message("`auth` key", &key, keys::ACCESS_KEYS),
            );
            return skip_value(&entry);
        }
        let permission = parse_permission(entry.value()?)?;
        if entries.iter().any(|(k, _)| *k == key) {
            errors.at(span, format!("duplicate key `{key}`"));
        } else {
            entries.push((Ident::new(&key, span), permission));
        }
        Ok(())
    })?;
    Ok(entries)
}
