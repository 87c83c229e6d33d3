//! Cross-field rules. Each function checks one rule and says why the rule exists.

use crate::errors::Errors;
use crate::model::{Field, Kind, Literal, Resource, Role, Rule};

pub fn resource(resource: &Resource, errors: &mut Errors) {
    exactly_one_id(resource, errors);
    for field in &resource.fields {
        id_is_integer_or_uuid(field, errors);
        timestamps_are_date_times(field, errors);
        server_managed_fields_take_no_input_rules(field, errors);
        unique_is_indexable(field, errors);
        // Defaults and rules on server-managed fields are reported above as having no
        // effect; checking them further would only add errors for the same mistake.
        if field.role != Role::Data {
            continue;
        }
        default_matches_type(field, errors);
        default_needs_a_required_field(field, errors);
        for rule in &field.rules {
            rule_fits_type(field, rule, errors);
            one_of_values_fit_type(field, rule, errors);
            bounds_are_ordered(rule, errors);
            pattern_compiles(rule, errors);
        }
    }
    some_operation_remains(resource, errors);
    max_limit_is_positive(resource, errors);
}

/// Every route addresses rows by one primary key; composite keys are not supported.
fn exactly_one_id(resource: &Resource, errors: &mut Errors) {
    let ids: Vec<&Field> = resource
        .fields
        .iter()
        .filter(|f| f.role == Role::Id)
        .collect();
    match ids.as_slice() {
        [] => errors.at(
            resource.ident.span(),
            "no primary key: mark one field with `#[rest(id)]`",
        ),
        [_] => {}
        [_, rest @ ..] => {
            for field in rest {
                errors.at(
                    field.role_span.unwrap_or(field.ident.span()),
                    format!(
                        "`{}` is a second `#[rest(id)]` field; a resource has exactly one primary key",
                        field.name
                    ),
                );
            }
        }
    }
}

/// The server generates ids: auto-increment for integers, a random v4 for UUIDs.
fn id_is_integer_or_uuid(field: &Field, errors: &mut Errors) {
    if field.role != Role::Id {
        return;
    }
    if field.ty.nullable {
        errors.at(
            field.ty.span,
            "the `id` field cannot be `Option<_>`; a primary key is never null",
        );
    } else if !(field.ty.kind.is_integer() || field.ty.kind == Kind::Uuid) {
        errors.at(
            field.ty.span,
            format!(
                "the `id` field must be `i32`, `i64` or `Uuid`, found {}",
                field.ty.kind.describe()
            ),
        );
    }
}

/// The server stamps these with the current time, so they need a date-time type.
fn timestamps_are_date_times(field: &Field, errors: &mut Errors) {
    let key = match field.role {
        Role::CreatedAt => "created_at",
        Role::UpdatedAt => "updated_at",
        Role::Data | Role::Id => return,
    };
    if field.ty.nullable {
        errors.at(
            field.ty.span,
            format!("a field marked `{key}` cannot be `Option<_>`; the server always sets it"),
        );
    } else if !field.ty.kind.is_timestamp() {
        errors.at(
            field.ty.span,
            format!(
                "a field marked `{key}` must be `DateTimeUtc` or `NaiveDateTime`, found {}",
                field.ty.kind.describe()
            ),
        );
    }
}

/// Clients never write server-managed fields, so rules and defaults on them would never run.
fn server_managed_fields_take_no_input_rules(field: &Field, errors: &mut Errors) {
    if field.role == Role::Data {
        return;
    }
    if let Some((_, span)) = &field.default {
        errors.at(
            *span,
            "`default` has no effect on a server-managed field; remove it",
        );
    }
    for rule in &field.rules {
        errors.at(
            rule_span(field, rule),
            "validation rules have no effect on a server-managed field; remove them",
        );
    }
}

/// The default is written to the column and documented in the schema, so its type must fit.
fn default_matches_type(field: &Field, errors: &mut Errors) {
    let Some((literal, span)) = &field.default else {
        return;
    };
    if !literal_fits(literal, field.ty.kind) {
        errors.at(
            *span,
            format!(
                "this default does not fit `{}`, {} field",
                field.name,
                field.ty.kind.describe_with_article()
            ),
        );
    }
}

/// An omitted nullable field is stored as `null`: a client cannot tell "absent, use the
/// default" from "no value" on create, so a default there would never apply.
fn default_needs_a_required_field(field: &Field, errors: &mut Errors) {
    if let (Some((_, span)), true) = (&field.default, field.ty.nullable) {
        errors.at(
            *span,
            format!(
                "`{}` is `Option<_>`, so an omitted value is `null`; remove `default` or make the field non-optional",
                field.name
            ),
        );
    }
}

/// Databases cannot put a unique index on a JSON column.
fn unique_is_indexable(field: &Field, errors: &mut Errors) {
    if let (Some(span), Kind::Json) = (field.unique, field.ty.kind) {
        errors.at(span, "`unique` cannot apply to a JSON field");
    }
}

/// A rule the value's type cannot have would never fail, which hides a mistake.
fn rule_fits_type(field: &Field, rule: &Rule, errors: &mut Errors) {
    let kind = field.ty.kind;
    let (fits, name, wants) = match rule {
        Rule::Length { .. } => (kind == Kind::String, "length", "`String` fields"),
        Rule::Pattern { .. } => (kind == Kind::String, "pattern", "`String` fields"),
        Rule::Email { .. } => (kind == Kind::String, "email", "`String` fields"),
        Rule::Range { .. } => (kind.is_number(), "range", "numeric fields"),
        Rule::OneOf { .. } => (
            matches!(kind, Kind::String | Kind::I16 | Kind::I32 | Kind::I64),
            "one_of",
            "`String` or integer fields",
        ),
        Rule::With { .. } => (true, "with", ""),
    };
    if !fits {
        errors.at(
            rule_span(field, rule),
            format!(
                "`{name}` cannot apply to `{}`, {} field; it applies to {wants}",
                field.name,
                kind.describe_with_article()
            ),
        );
    }
}

/// A value of another type could never be sent, so it hides a mistake; reported at
/// the value, as the rule itself fits the field.
fn one_of_values_fit_type(field: &Field, rule: &Rule, errors: &mut Errors) {
    let kind = field.ty.kind;
    let Rule::OneOf { values, .. } = rule else {
        return;
    };
    if !matches!(kind, Kind::String | Kind::I16 | Kind::I32 | Kind::I64) {
        return; // rule_fits_type reports the rule itself
    }
    for (value, span) in values {
        if !literal_fits(value, kind) {
            errors.at(
                *span,
                format!(
                    "this `one_of` value does not fit `{}`, {} field",
                    field.name,
                    kind.describe_with_article()
                ),
            );
        }
    }
}

/// `min > max` accepts nothing, which is always a mistake.
fn bounds_are_ordered(rule: &Rule, errors: &mut Errors) {
    let disordered = match rule {
        Rule::Length {
            min: Some(min),
            max: Some(max),
            ..
        } => min > max,
        Rule::Range {
            min: Some(min),
            max: Some(max),
            ..
        } => min > max,
        _ => false,
    };
    if disordered && let Rule::Length { span, .. } | Rule::Range { span, .. } = rule {
        errors.at(*span, "`min` is greater than `max`, so no value can pass");
    }
}

/// A malformed pattern would otherwise fail at the first request, in production.
fn pattern_compiles(rule: &Rule, errors: &mut Errors) {
    if let Rule::Pattern { source, span } = rule
        && let Err(e) = regex_syntax::Parser::new().parse(source)
    {
        let reason = match &e {
            regex_syntax::Error::Parse(p) => p.kind().to_string(),
            regex_syntax::Error::Translate(t) => t.kind().to_string(),
            other => other.to_string(),
        };
        errors.at(*span, format!("invalid regular expression: {reason}"));
    }
}

/// A resource with no operation serves nothing; drop the derive instead.
fn some_operation_remains(resource: &Resource, errors: &mut Errors) {
    let ops = resource.operations;
    if !(ops.list || ops.get || ops.create || ops.update || ops.delete) {
        errors.at(
            resource.operations_span,
            "`only(...)`/`exclude(...)` leave no operation to serve",
        );
    }
}

/// `limit` is clamped to `max_limit`; zero would make every page empty.
fn max_limit_is_positive(resource: &Resource, errors: &mut Errors) {
    if resource.max_limit == 0 {
        errors.at(resource.max_limit_span, "`max_limit` must be at least 1");
    }
}

fn literal_fits(literal: &Literal, kind: Kind) -> bool {
    match literal {
        Literal::Bool(_) => kind == Kind::Bool,
        Literal::Int(_) => kind.is_number(),
        Literal::Float(_) => matches!(kind, Kind::F32 | Kind::F64 | Kind::Decimal),
        Literal::Str(_) => matches!(kind, Kind::String),
    }
}

fn rule_span(field: &Field, rule: &Rule) -> proc_macro2::Span {
    match rule {
        Rule::Length { span, .. }
        | Rule::Range { span, .. }
        | Rule::Pattern { span, .. }
        | Rule::Email { span }
        | Rule::OneOf { span, .. } => *span,
        Rule::With { path } => path
            .segments
            .first()
            .map_or(field.ident.span(), |s| s.ident.span()),
    }
}
