//! Validation rules with typed bounds; checking they fit the field is `check.rs`'s job.

use proc_macro2::Span;

use super::resource::{Literal, literal};
use crate::errors::Errors;
use crate::parse::{RawBound, RawRule, keys};

pub enum Rule {
    Length {
        min: Option<u64>,
        max: Option<u64>,
        span: Span,
    },
    Range {
        min: Option<f64>,
        max: Option<f64>,
        span: Span,
    },
    Pattern {
        source: String,
        span: Span,
    },
    Email {
        span: Span,
    },
    OneOf {
        values: Vec<(Literal, Span)>,
        span: Span,
    },
    With {
        path: syn::Path,
    },
}

impl Rule {
    /// The attribute key that declares the rule (`length`, `range`, ...).
    pub fn key(&self) -> &'static str {
        match self {
            Rule::Length { .. } => keys::LENGTH,
            Rule::Range { .. } => keys::RANGE,
            Rule::Pattern { .. } => keys::PATTERN,
            Rule::Email { .. } => keys::EMAIL,
            Rule::OneOf { .. } => keys::ONE_OF,
            Rule::With { .. } => keys::WITH,
        }
    }

    pub fn from_raw(raw: &RawRule, errors: &mut Errors) -> Option<Rule> {
        Some(match raw {
            RawRule::Length { min, max, span } => Rule::Length {
                min: length_bound(min.as_ref(), errors),
                max: length_bound(max.as_ref(), errors),
                span: *span,
            },
            RawRule::Range { min, max, span } => Rule::Range {
                min: range_bound(min.as_ref(), errors),
                max: range_bound(max.as_ref(), errors),
                span: *span,
            },
            RawRule::Pattern(lit) => Rule::Pattern {
                source: lit.value(),
                span: lit.span(),
            },
            RawRule::Email(span) => Rule::Email { span: *span },
            RawRule::OneOf(lits, span) => Rule::OneOf {
                values: lits
                    .iter()
                    .filter_map(|lit| {
                        literal(lit, false, errors).map(|l| (l, syn::spanned::Spanned::span(lit)))
                    })
                    .collect(),
                span: *span,
            },
            RawRule::With(path) => Rule::With { path: path.clone() },
        })
    }
}

fn length_bound(bound: Option<&RawBound>, errors: &mut Errors) -> Option<u64> {
    let bound = bound?;
    match &bound.lit {
        syn::Lit::Int(int) if !bound.negative => match int.base10_parse::<u64>() {
            Ok(n) => Some(n),
            Err(e) => {
                errors.push(e);
                None
            }
        },
        _ => {
            errors.spanned(
                &bound.tokens,
                "a length bound must be a non-negative integer, like `max = 200`",
            );
            None
        }
    }
}

fn range_bound(bound: Option<&RawBound>, errors: &mut Errors) -> Option<f64> {
    let bound = bound?;
    let value = match &bound.lit {
        syn::Lit::Int(int) => int.base10_parse::<f64>(),
        syn::Lit::Float(float) => float.base10_parse::<f64>(),
        _ => {
            errors.spanned(
                &bound.tokens,
                "a range bound must be a number, like `min = 0` or `max = 9.99`",
            );
            return None;
        }
    };
    match value {
        Ok(n) if bound.negative => Some(-n),
        Ok(n) => Some(n),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}
