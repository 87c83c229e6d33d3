//! `#[rest(...)]` on the struct.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{DeriveInput, Ident, LitInt, LitStr, Visibility};

use super::field::{RawField, parse_field};
use super::keys;
use super::slot::Slot;
use super::{doc_comment, key_of, skip_value};
use crate::errors::{Errors, unknown_key_message};

pub struct RawContainer {
    pub ident: Ident,
    pub vis: Visibility,
    pub doc: Option<String>,
    pub table: Option<LitStr>,
    pub path: Option<LitStr>,
    pub tag: Option<LitStr>,
    pub only: Option<(Vec<Ident>, Span)>,
    pub exclude: Option<(Vec<Ident>, Span)>,
    pub max_limit: Option<LitInt>,
    /// `paginate = cursor`.
    pub paginate: Option<Ident>,
    /// `has_many = Book`, any number of times.
    pub has_many: Vec<syn::Path>,
    /// `include(author, books)`.
    pub include: Option<(Vec<Ident>, Span)>,
    /// `rate_limit = "100/minute"`.
    pub rate_limit: Option<LitStr>,
    /// `auth(read = public, ...)`.
    pub auth: Option<(Vec<(Ident, super::RawPermission)>, Span)>,
    pub fields: Vec<RawField>,
}

/// `None` when the item is not a non-generic struct with named fields: its attributes
/// are still checked, but no model is built, so the shape error stands alone instead of
/// being followed by "no primary key" or "unsupported field type `T`".
pub fn parse_container(input: &DeriveInput, errors: &mut Errors) -> Option<RawContainer> {
    let mut table = Slot::new(keys::TABLE);
    let mut path = Slot::new(keys::PATH);
    let mut tag = Slot::new(keys::TAG);
    let mut only = Slot::new(keys::ONLY);
    let mut exclude = Slot::new(keys::EXCLUDE);
    let mut max_limit = Slot::new(keys::MAX_LIMIT);
    let mut paginate = Slot::new(keys::PAGINATE);
    let mut include = Slot::new(keys::INCLUDE);
    let mut auth = Slot::new(keys::AUTH);
    let mut rate_limit = Slot::new(keys::RATE_LIMIT);
    let mut has_many = Vec::new();

    for attr in input.attrs.iter().filter(|a| a.path().is_ident(keys::REST)) {
        let parsed = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            match key_of(&meta).as_str() {
                keys::TABLE => table.set(errors, span, meta.value()?.parse()?),
                keys::PATH => path.set(errors, span, meta.value()?.parse()?),
                keys::TAG => tag.set(errors, span, meta.value()?.parse()?),
                keys::MAX_LIMIT => max_limit.set(errors, span, meta.value()?.parse()?),
                keys::ONLY => only.set(errors, span, super::ident_list(&meta)?),
                keys::EXCLUDE => exclude.set(errors, span, super::ident_list(&meta)?),
                keys::PAGINATE => paginate.set(errors, span, meta.value()?.parse()?),
                keys::INCLUDE => include.set(errors, span, super::ident_list(&meta)?),
                keys::HAS_MANY => has_many.push(meta.value()?.parse()?),
                keys::RATE_LIMIT => rate_limit.set(errors, span, meta.value()?.parse()?),
                keys::AUTH => {
                    let entries = super::parse_access(&meta, errors)?;
                    auth.set(errors, span, entries);
                }
                other => {
                    errors.at(
                        span,
                        unknown_key_message("resource key", other, keys::CONTAINER_KEYS),
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

    let fields = match &input.data {
        syn::Data::Struct(data) => match &data.fields {
            syn::Fields::Named(named) => {
                Some(named.named.iter().map(|f| parse_field(f, errors)).collect())
            }
            other => {
                errors.spanned(
                    other,
                    "`#[derive(Resource)]` needs named fields, like `struct Book { id: i64 }`",
                );
                None
            }
        },
        _ => {
            errors.at(
                input.ident.span(),
                "`#[derive(Resource)]` only applies to structs with named fields",
            );
            None
        }
    };
    let generic = !input.generics.params.is_empty();
    if generic {
        errors.spanned(
            &input.generics,
            "`#[derive(Resource)]` does not support generic parameters; a resource maps to one table",
        );
    }
    let fields = fields.filter(|_| !generic)?;

    Some(RawContainer {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        doc: doc_comment(&input.attrs),
        table: table.value(),
        path: path.value(),
        tag: tag.value(),
        only: only.get(),
        exclude: exclude.get(),
        max_limit: max_limit.value(),
        paginate: paginate.value(),
        has_many,
        include: include.get(),
        auth: auth.get(),
        rate_limit: rate_limit.value(),
        fields,
    })
}
