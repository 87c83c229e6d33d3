//! A schema's fields, with their rules typed as a resource field's are.

use syn::{Ident, Type};

use super::parse::{RawSchema, RawSchemaField};
use crate::errors::Errors;
use crate::model::{Field, Role, Rule, classify};

pub struct Schema {
    pub ident: Ident,
    pub doc: Option<String>,
    pub fields: Vec<SchemaField>,
}

pub struct SchemaField {
    pub ident: Ident,
    /// The JSON property: the field's name without `r#`.
    pub name: String,
    pub ty: Type,
    pub doc: Option<String>,
    /// Not an `Option`: the property must be present.
    pub required: bool,
    /// The field as a resource field, carrying its rules; `None` without rules.
    pub validated: Option<Field>,
}

impl Schema {
    pub fn from_raw(raw: RawSchema, errors: &mut Errors) -> Schema {
        Schema {
            ident: raw.ident,
            doc: raw.doc,
            fields: raw
                .fields
                .into_iter()
                .map(|f| SchemaField::from_raw(f, errors))
                .collect(),
        }
    }
}

impl SchemaField {
    fn from_raw(raw: RawSchemaField, errors: &mut Errors) -> SchemaField {
        let name = raw.ident.to_string().trim_start_matches("r#").to_owned();
        let validated = validated(&raw, &name, errors);
        SchemaField {
            required: !is_option(&raw.ty),
            ident: raw.ident,
            name,
            ty: raw.ty,
            doc: raw.doc,
            validated,
        }
    }
}

/// The rules of `validate(...)`; they check JSON values, so they apply to the types a
/// value rule can judge: the scalar kinds of resource fields.
fn validated(raw: &RawSchemaField, name: &str, errors: &mut Errors) -> Option<Field> {
    let (raw_rules, _) = raw.rules.as_ref().filter(|(rules, _)| !rules.is_empty())?;
    let rules: Vec<Rule> = raw_rules
        .iter()
        .filter_map(|r| Rule::from_raw(r, errors))
        .collect();
    let Some(ty) = classify(&raw.ty, &mut Errors::new()) else {
        errors.spanned(
            &raw.ty,
            "`validate(...)` applies to fields of a scalar type (`String`, integers, floats, `Decimal`, ...) or an `Option` of one",
        );
        return None;
    };
    Some(Field {
        name: name.to_owned(),
        ident: raw.ident.clone(),
        ty,
        role: Role::Data,
        role_span: None,
        unique: None,
        default: None,
        rules,
        doc: None,
        filters: Vec::new(),
        sort: None,
        belongs_to: None,
        write: None,
        renamed_from: None,
    })
}

fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}
