//! `#[rest(...)]` on a field.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{Expr, Ident, Type};

use super::keys;
use super::rules::{RawRule, parse_rules};
use super::slot::Slot;
use super::{doc_comment, key_of, skip_value};
use crate::errors::{Errors, unknown_key_message};

pub struct RawField {
    pub ident: Ident,
    pub ty: Type,
    pub doc: Option<String>,
    pub id: Option<Span>,
    pub created_at: Option<Span>,
    pub updated_at: Option<Span>,
    pub unique: Option<Span>,
    pub default: Option<Expr>,
    pub rules: Vec<RawRule>,
    /// `filter(eq, lt)`: the operators as written.
    pub filters: Vec<Ident>,
    pub sort: Option<Span>,
    pub belongs_to: Option<syn::Path>,
    /// `version`, with `required` when given as `version(required)`.
    pub version: Option<(Span, bool)>,
    /// `owner`, with the `bypass = ...` of `owner(bypass = role("admin"))`.
    pub owner: Option<(Span, Option<super::RawPermission>)>,
    /// `owner(scope = writes)`: the scope as written.
    pub owner_scope: Option<Ident>,
    /// `read_only`: clients never write the field.
    pub read_only: Option<Span>,
    /// `write = role("editor")`: who may write the field.
    pub write: Option<(Span, super::RawPermission)>,
    /// `renamed_from = "old"`: the column's former name.
    pub renamed_from: Option<syn::LitStr>,
}

pub fn parse_field(field: &syn::Field, errors: &mut Errors) -> RawField {
    let mut id = Slot::new(keys::ID);
    let mut created_at = Slot::new(keys::CREATED_AT);
    let mut updated_at = Slot::new(keys::UPDATED_AT);
    let mut unique = Slot::new(keys::UNIQUE);
    let mut default = Slot::new(keys::DEFAULT);
    let mut validate = Slot::new(keys::VALIDATE);
    let mut filter = Slot::new(keys::FILTER);
    let mut sort = Slot::new(keys::SORT);
    let mut belongs_to = Slot::new(keys::BELONGS_TO);
    let mut version = Slot::new(keys::VERSION);
    let mut owner = Slot::new(keys::OWNER);
    let mut owner_scope = None;
    let mut read_only = Slot::new(keys::READ_ONLY);
    let mut write = Slot::new(keys::WRITE);
    let mut renamed_from = Slot::new(keys::RENAMED_FROM);

    for attr in field.attrs.iter().filter(|a| a.path().is_ident(keys::REST)) {
        let parsed = attr.parse_nested_meta(|meta| {
            let span = meta.path.span();
            match key_of(&meta).as_str() {
                keys::ID => id.set(errors, span, span),
                keys::CREATED_AT => created_at.set(errors, span, span),
                keys::UPDATED_AT => updated_at.set(errors, span, span),
                keys::UNIQUE => unique.set(errors, span, span),
                keys::DEFAULT => default.set(errors, span, meta.value()?.parse::<Expr>()?),
                keys::FILTER => filter.set(errors, span, super::ident_list(&meta)?),
                keys::SORT => sort.set(errors, span, span),
                keys::READ_ONLY => read_only.set(errors, span, span),
                keys::WRITE => {
                    let permission = super::parse_permission(meta.value()?)?;
                    write.set(errors, span, (span, permission));
                }
                keys::BELONGS_TO => belongs_to.set(errors, span, meta.value()?.parse()?),
                keys::RENAMED_FROM => renamed_from.set(errors, span, meta.value()?.parse()?),
                keys::VERSION => {
                    let mut required = false;
                    role_options(&meta, keys::VERSION, &[keys::REQUIRED], errors, |_| {
                        required = true;
                        Ok(())
                    })?;
                    version.set(errors, span, (span, required));
                }
                keys::OWNER => {
                    let mut bypass = None;
                    let known = [keys::BYPASS, keys::SCOPE];
                    role_options(&meta, keys::OWNER, &known, errors, |option| {
                        if option.path.is_ident(keys::SCOPE) {
                            owner_scope = Some(option.value()?.parse::<Ident>()?);
                        } else {
                            bypass = Some(super::parse_permission(option.value()?)?);
                        }
                        Ok(())
                    })?;
                    owner.set(errors, span, (span, bypass));
                }
                keys::VALIDATE => {
                    let rules = parse_rules(&meta, errors)?;
                    validate.set(errors, span, rules);
                }
                other => {
                    errors.at(
                        span,
                        unknown_key_message("field key", other, keys::FIELD_KEYS),
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

    RawField {
        ident: field
            .ident
            .clone()
            .expect("named fields are checked by the caller"),
        ty: field.ty.clone(),
        doc: doc_comment(&field.attrs),
        id: id.value(),
        created_at: created_at.value(),
        updated_at: updated_at.value(),
        unique: unique.value(),
        default: default.value(),
        rules: validate.value().unwrap_or_default(),
        filters: filter.value().unwrap_or_default(),
        sort: sort.value(),
        belongs_to: belongs_to.value(),
        version: version.value(),
        owner: owner.value(),
        owner_scope,
        read_only: read_only.value(),
        write: write.value(),
        renamed_from: renamed_from.value(),
    }
}

/// The options of `version(required)` or `owner(bypass = ...)`: `known` ones go to
/// `found`, others are reported and skipped. No parentheses, no options.
fn role_options(
    meta: &syn::meta::ParseNestedMeta,
    role: &str,
    known: &[&str],
    errors: &mut Errors,
    mut found: impl FnMut(&syn::meta::ParseNestedMeta) -> syn::Result<()>,
) -> syn::Result<()> {
    if !meta.input.peek(syn::token::Paren) {
        return Ok(());
    }
    meta.parse_nested_meta(|option| {
        let key = key_of(&option);
        if known.contains(&key.as_str()) {
            found(&option)
        } else {
            errors.at(
                option.path.span(),
                unknown_key_message(&format!("`{role}` option"), &key, known),
            );
            skip_value(&option)
        }
    })
}
