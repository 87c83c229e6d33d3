//! Stage 1: syntax to raw values. Knows attribute spelling, nothing about meaning;
//! reports unknown and duplicate keys.

mod auth;
mod container;
mod field;
pub mod keys;
mod rules;
mod slot;

pub use auth::{RawPermission, parse_access, parse_permission};
pub use container::{RawContainer, parse_container};
pub use field::RawField;
pub use rules::{RawBound, RawRule, parse_rules};
pub use slot::Slot;

use syn::Attribute;

/// The `///` doc comment on an item, lines joined, or `None`.
pub(crate) fn doc_comment(attrs: &[Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| {
            line.strip_prefix(' ')
                .unwrap_or(&line)
                .trim_end()
                .to_owned()
        })
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// Skips the value of an unknown key (`= expr` or `(...)`) so parsing goes on.
pub(crate) fn skip_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<proc_macro2::TokenStream>()?;
    }
    Ok(())
}

/// The key of a nested meta item as a string (`table`, `validate`, ...).
pub(crate) fn key_of(meta: &syn::meta::ParseNestedMeta) -> String {
    meta.path
        .get_ident()
        .map(ToString::to_string)
        .unwrap_or_else(|| quote::ToTokens::to_token_stream(&meta.path).to_string())
}

/// `only(list, get)`, `filter(eq, in)`: a parenthesized list of identifiers, keywords
/// included, so `only(type)` or `filter(in)` parse and get a precise error or meaning.
fn ident_list(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Vec<syn::Ident>> {
    use syn::ext::IdentExt;
    let content;
    syn::parenthesized!(content in meta.input);
    let idents = content.parse_terminated(syn::Ident::parse_any, syn::Token![,])?;
    Ok(idents.into_iter().collect())
}
