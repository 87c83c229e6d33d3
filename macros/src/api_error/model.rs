//! Each variant's status and code, checked and defaulted.

use proc_macro2::Span;
use syn::{Ident, LitStr};

use super::parse::{RawErrorEnum, RawVariant};
use crate::errors::Errors;

pub struct ErrorEnum {
    pub ident: Ident,
    pub variants: Vec<Variant>,
}

pub struct Variant {
    pub ident: Ident,
    pub fields: Vec<Ident>,
    pub status: u16,
    /// Given, or the variant's name in snake_case.
    pub code: String,
    /// Where `code = "..."` was written, else the variant's name.
    pub code_span: Span,
    pub detail: Option<LitStr>,
    pub doc: Option<String>,
}

impl ErrorEnum {
    /// Variants without a valid status are reported and left out.
    pub fn from_raw(raw: RawErrorEnum, errors: &mut Errors) -> ErrorEnum {
        ErrorEnum {
            ident: raw.ident,
            variants: raw
                .variants
                .into_iter()
                .filter_map(|v| Variant::from_raw(v, errors))
                .collect(),
        }
    }
}

impl Variant {
    fn from_raw(raw: RawVariant, errors: &mut Errors) -> Option<Variant> {
        let status = match &raw.status {
            Some(lit) => match lit.base10_parse::<u16>() {
                Ok(n) if (400..=599).contains(&n) => Some(n),
                _ => {
                    errors.at(
                        lit.span(),
                        "`status` must be an error status from 400 to 599",
                    );
                    None
                }
            },
            None if raw.reported => None,
            None => {
                errors.at(
                    raw.ident.span(),
                    format!(
                        "`{}` needs a status: add `#[rest(status = 404)]` (any status from 400 to 599)",
                        raw.ident
                    ),
                );
                None
            }
        };
        let code = match &raw.code {
            Some(lit) => {
                let text = lit.value();
                if !is_snake_case(&text) {
                    errors.at(
                        lit.span(),
                        "`code` is snake_case, like `\"already_published\"`: clients match on it",
                    );
                }
                text
            }
            None => crate::model::snake_case(&raw.ident.to_string()),
        };
        Some(Variant {
            code_span: raw.code.as_ref().map_or(raw.ident.span(), LitStr::span),
            ident: raw.ident,
            fields: raw.fields,
            status: status?,
            code,
            detail: raw.detail,
            doc: raw.doc,
        })
    }
}

fn is_snake_case(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}
