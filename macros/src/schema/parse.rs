//! The struct's named fields and their `#[rest(...)]`, as written.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, Type};

use crate::errors::{Errors, unknown_key_message};
use crate::parse::{RawRule, Slot, doc_comment, key_of, keys, parse_rules, skip_value};

pub struct RawSchema {
    pub ident: Ident,
    pub doc: Option<String>,
    pub fields: Vec<RawSchemaField>,
}

pub struct RawSchemaField {
    pub ident: Ident,
    pub ty: Type,
    pub doc: Option<String>,
    /// `validate(...)`: the rules, and where the key was written.
    pub rules: Option<(Vec<RawRule>, Span)>,
}

/// `None` when the item is not a non-generic struct with named fields.
pub fn parse(input: &DeriveInput, errors: &mut Errors) -> Option<RawSchema> {
    let fields = match &input.data {
        syn::Data::Struct(syn::DataStruct {
            fields: syn::Fields::Named(named),
            ..
        }) => Some(&named.named),
        _ => {
            errors.at(
                input.ident.span(),
                "`#[derive(Schema)]` applies to structs with named fields, like `struct Stats { books: u64 }`",
            );
            None
        }
    };
    if !input.generics.params.is_empty() {
        errors.spanned(
            &input.generics,
            "`#[derive(Schema)]` does not support generic parameters",
        );
        return None;
    }
    Some(RawSchema {
        ident: input.ident.clone(),
        doc: doc_comment(&input.attrs),
        fields: fields?.iter().map(|f| parse_field(f, errors)).collect(),
    })
}

fn parse_field(field: &syn::Field, errors: &mut Errors) -> RawSchemaField {
    let mut validate = Slot::new(keys::VALIDATE);
    for attr in field.attrs.iter().filter(|a| a.path().is_ident(keys::REST)) {
        let parsed = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            let key = key_of(&meta);
            if key == keys::VALIDATE {
                let rules = parse_rules(&meta, errors)?;
                validate.set(errors, span, rules);
            } else {
                errors.at(
                    span,
                    unknown_key_message("`#[derive(Schema)]` field key", &key, &[keys::VALIDATE]),
                );
                skip_value(&meta)?;
            }
            Ok(())
        });
        if let Err(e) = parsed {
            errors.push(e);
        }
    }
    RawSchemaField {
        ident: field
            .ident
            .clone()
            .expect("the fields are named, checked by the caller"),
        ty: field.ty.clone(),
        doc: doc_comment(&field.attrs),
        rules: validate.get(),
    }
}
