//! `validate(length(min = 1, max = 200), range(min = 0), pattern = "...", email,
//! one_of("a", "b"), with = path::to::check)`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Lit, LitStr};

use super::keys;
use super::slot::Slot;
use super::{key_of, skip_value};
use crate::errors::{Errors, unknown_key_message};

pub enum RawRule {
    Length {
        min: Option<RawBound>,
        max: Option<RawBound>,
        span: Span,
    },
    Range {
        min: Option<RawBound>,
        max: Option<RawBound>,
        span: Span,
    },
    Pattern(LitStr),
    Email(Span),
    OneOf(Vec<Lit>, Span),
    With(syn::Path),
}

/// A bound as written: an optionally negated number literal.
pub struct RawBound {
    pub lit: Lit,
    pub negative: bool,
    /// The bound's tokens (`-1` as two), so an error covers the sign too.
    pub tokens: proc_macro2::TokenStream,
}

pub fn parse_rules(
    meta: &syn::meta::ParseNestedMeta,
    errors: &mut Errors,
) -> syn::Result<Vec<RawRule>> {
    let mut rules = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    meta.parse_nested_meta(|rule| {
        let span = rule.path.span();
        let key = key_of(&rule);
        if seen.contains(&key) && key != keys::WITH {
            errors.at(span, format!("duplicate rule `{key}`"));
        }
        seen.push(key.clone());
        match key.as_str() {
            keys::LENGTH => {
                let (min, max) = parse_bounds(&rule, errors)?;
                rules.push(RawRule::Length { min, max, span });
            }
            keys::RANGE => {
                let (min, max) = parse_bounds(&rule, errors)?;
                rules.push(RawRule::Range { min, max, span });
            }
            keys::PATTERN => rules.push(RawRule::Pattern(rule.value()?.parse()?)),
            keys::EMAIL => rules.push(RawRule::Email(span)),
            keys::ONE_OF => {
                let content;
                syn::parenthesized!(content in rule.input);
                let lits = content.parse_terminated(Lit::parse, syn::Token![,])?;
                rules.push(RawRule::OneOf(lits.into_iter().collect(), span));
            }
            keys::WITH => rules.push(RawRule::With(rule.value()?.parse()?)),
            other => {
                errors.at(
                    span,
                    unknown_key_message("validation rule", other, keys::RULE_KEYS),
                );
                skip_value(&rule)?;
            }
        }
        Ok(())
    })?;
    Ok(rules)
}

use syn::parse::Parse;

fn parse_bounds(
    rule: &syn::meta::ParseNestedMeta,
    errors: &mut Errors,
) -> syn::Result<(Option<RawBound>, Option<RawBound>)> {
    let mut min = Slot::new(keys::MIN);
    let mut max = Slot::new(keys::MAX);
    rule.parse_nested_meta(|bound| {
        let span = bound.path.span();
        match key_of(&bound).as_str() {
            keys::MIN => min.set(errors, span, parse_bound(&bound)?),
            keys::MAX => max.set(errors, span, parse_bound(&bound)?),
            other => {
                errors.at(span, unknown_key_message("bound", other, keys::BOUND_KEYS));
                skip_value(&bound)?;
            }
        }
        Ok(())
    })?;
    Ok((min.value(), max.value()))
}

fn parse_bound(bound: &syn::meta::ParseNestedMeta) -> syn::Result<RawBound> {
    let input = bound.value()?;
    let minus: Option<syn::Token![-]> = input.parse()?;
    let lit: Lit = input.parse()?;
    Ok(RawBound {
        negative: minus.is_some(),
        tokens: quote::quote!(#minus #lit),
        lit,
    })
}
