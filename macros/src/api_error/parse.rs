//! The enum's shape and each variant's `#[rest(...)]`, as written.

use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitInt, LitStr};

use crate::errors::{Errors, unknown_key_message};
use crate::parse::{Slot, doc_comment, key_of, keys, skip_value};

pub struct RawErrorEnum {
    pub ident: Ident,
    pub variants: Vec<RawVariant>,
}

pub struct RawVariant {
    pub ident: Ident,
    /// Named fields, bound by name so `detail` can interpolate them.
    pub fields: Vec<Ident>,
    pub status: Option<LitInt>,
    pub code: Option<LitStr>,
    pub detail: Option<LitStr>,
    pub doc: Option<String>,
    /// Whether its attributes were reported already: a misspelled `status` then
    /// needs no "needs a status" on top.
    pub reported: bool,
}

/// `None` when the item is not an enum: there are no variants to read.
pub fn parse(input: &DeriveInput, errors: &mut Errors) -> Option<RawErrorEnum> {
    let syn::Data::Enum(data) = &input.data else {
        errors.at(
            input.ident.span(),
            "`#[derive(ApiError)]` applies to enums, one variant per error, like `enum BookError { NotFound }`",
        );
        return None;
    };
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`#[derive(ApiError)]` does not support generic parameters",
        );
    }
    if data.variants.is_empty() {
        errors.at(
            input.ident.span(),
            "declare at least one error variant, like `NotFound`",
        );
    }
    let variants = data
        .variants
        .iter()
        .map(|variant| parse_variant(variant, errors))
        .collect();
    Some(RawErrorEnum {
        ident: input.ident.clone(),
        variants,
    })
}

fn parse_variant(variant: &syn::Variant, errors: &mut Errors) -> RawVariant {
    let fields = match &variant.fields {
        syn::Fields::Unit => Vec::new(),
        syn::Fields::Named(named) => named.named.iter().filter_map(|f| f.ident.clone()).collect(),
        syn::Fields::Unnamed(unnamed) => {
            errors.spanned(
                unnamed,
                "give the fields names, like `NotFound { id: i64 }`, so `detail` can name them",
            );
            Vec::new()
        }
    };
    let reported_before = errors.count();
    let mut status = Slot::new(keys::STATUS);
    let mut code = Slot::new(keys::CODE);
    let mut detail = Slot::new(keys::DETAIL);
    for attr in variant
        .attrs
        .iter()
        .filter(|a| a.path().is_ident(keys::REST))
    {
        let parsed = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            match key_of(&meta).as_str() {
                keys::STATUS => status.set(errors, span, meta.value()?.parse()?),
                keys::CODE => code.set(errors, span, meta.value()?.parse()?),
                keys::DETAIL => detail.set(errors, span, meta.value()?.parse()?),
                other => {
                    errors.at(
                        span,
                        unknown_key_message("error key", other, keys::ERROR_KEYS),
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
    RawVariant {
        ident: variant.ident.clone(),
        fields,
        status: status.value(),
        code: code.value(),
        detail: detail.value(),
        doc: doc_comment(&variant.attrs),
        reported: errors.count() > reported_before,
    }
}
