//! Cross-field rules. Each function checks one rule and says why the rule exists.

use crate::errors::Errors;
use crate::model::{Field, Kind, Literal, Resource, Role, Rule};
use crate::parse::keys;

pub fn resource(resource: &Resource, errors: &mut Errors) {
    exactly_one_id(resource, errors);
    at_most_one(resource, Role::Version, keys::VERSION, errors);
    at_most_one(resource, Role::Owner, keys::OWNER, errors);
    for field in &resource.fields {
        id_is_integer_or_uuid(field, errors);
        timestamps_are_date_times(field, errors);
        version_and_owner_fit_their_type(field, errors);
        server_managed_fields_take_no_input_rules(field, errors);
        guarded_fields_can_be_left_out(field, errors);
        unique_is_indexable(field, errors);
        unique_strings_fit_an_index(field, errors);
        filters_fit_type(field, errors);
        filtered_names_are_free(field, errors);
        sort_fits_type(field, errors);
        belongs_to_is_a_data_key(field, errors);
        // Defaults and rules on server-managed fields are reported above as having no
        // effect; checking them further would only add errors for the same mistake.
        if field.role != Role::Data {
            continue;
        }
        default_matches_type(field, errors);
        default_needs_a_required_field(field, errors);
        default_passes_the_rules(field, errors);
        rules_fit(field, errors);
    }
    renames_name_a_free_column(resource, errors);
    relation_names_are_free(resource, errors);
    includes_are_relations(resource, errors);
    path_is_a_route(resource, errors);
    some_operation_remains(resource, errors);
    max_limit_is_in_range(resource, errors);
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
        Role::CreatedAt => keys::CREATED_AT,
        Role::UpdatedAt => keys::UPDATED_AT,
        _ => return,
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

/// A row has one version and one owner: two fields would disagree.
fn at_most_one(resource: &Resource, role: Role, key: &str, errors: &mut Errors) {
    for field in resource.fields.iter().filter(|f| f.role == role).skip(1) {
        errors.at(
            field.role_span.unwrap_or(field.ident.span()),
            format!(
                "`{}` is a second `{key}` field; a resource has at most one",
                field.name
            ),
        );
    }
}

/// The version is counted up in SQL, and the owner is compared with the caller's
/// subject, so both need a type those operations work on.
fn version_and_owner_fit_their_type(field: &Field, errors: &mut Errors) {
    let (key, fits, expected) = match field.role {
        Role::Version => (
            keys::VERSION,
            matches!(field.ty.kind, Kind::I32 | Kind::I64),
            "`i32` or `i64`",
        ),
        Role::Owner => (
            keys::OWNER,
            matches!(field.ty.kind, Kind::String | Kind::I32 | Kind::I64),
            "`String`, `i64` or `i32` (it holds the caller's subject)",
        ),
        _ => return,
    };
    if field.ty.nullable {
        errors.at(
            field.ty.span,
            format!("a field marked `{key}` cannot be `Option<_>`; the server always sets it"),
        );
    } else if !fits {
        errors.at(
            field.ty.span,
            format!(
                "a field marked `{key}` must be {expected}, found {}",
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

/// `read_only` and `write = ...` keep some callers from writing a field, so a create
/// body must be complete without it: the field needs a `default` or an `Option` type.
/// Server-managed fields are never written by clients, so the keys would say nothing.
fn guarded_fields_can_be_left_out(field: &Field, errors: &mut Errors) {
    let Some((write, span)) = &field.write else {
        return;
    };
    let key = match write {
        crate::model::FieldWrite::ReadOnly => keys::READ_ONLY,
        crate::model::FieldWrite::Permission(_) => keys::WRITE,
    };
    if field.role != Role::Data {
        errors.at(
            *span,
            format!("`{key}` has no effect on a server-managed field, which clients never write; remove it"),
        );
    } else if !field.ty.nullable && field.default.is_none() {
        errors.at(
            *span,
            format!("a `{key}` field needs a `default` or an `Option` type: a create request without it must still be complete"),
        );
    }
}

/// The default is written to the column and documented in the schema, so its type must fit.
fn default_matches_type(field: &Field, errors: &mut Errors) {
    let Some((literal, span)) = &field.default else {
        return;
    };
    let in_range = match (literal, field.ty.kind.integer_bounds(), field.ty.kind) {
        (Literal::Int(n), Some((min, max)), _) => (min..=max).contains(n),
        (Literal::Float(f), _, Kind::F32) => (*f as f32).is_finite(),
        (Literal::Str(s), _, _) => !s.contains('\0'),
        _ => true,
    };
    if !literal_fits(literal, field.ty.kind) || !in_range {
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

/// The default is stored without passing validation, so it must pass the field's own
/// rules, or the service would write values it refuses from clients.
fn default_passes_the_rules(field: &Field, errors: &mut Errors) {
    let Some((literal, span)) = &field.default else {
        return;
    };
    for rule in &field.rules {
        let broken = match (rule, literal) {
            (Rule::Length { min, max, .. }, Literal::Str(s)) => {
                let len = s.chars().count() as u64;
                min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m)
            }
            (Rule::Range { min, max, .. }, Literal::Int(i)) => {
                // Compared as i128, exactly, for integers beyond f64's 2^53.
                let below = |m: f64| (*i as i128) < (m.ceil() as i128);
                let above = |m: f64| (*i as i128) > (m.floor() as i128);
                min.is_some_and(below) || max.is_some_and(above)
            }
            (Rule::Range { min, max, .. }, Literal::Float(n)) => {
                min.is_some_and(|m| *n < m) || max.is_some_and(|m| *n > m)
            }
            (Rule::Pattern { source, .. }, Literal::Str(s)) => {
                regex::Regex::new(source).is_ok_and(|re| !re.is_match(s))
            }
            (Rule::OneOf { values, .. }, _) => !values.iter().any(|(v, _)| v == literal),
            _ => false,
        };
        if broken {
            errors.at(
                *span,
                format!("this default breaks the field's own `{}` rule", rule.key()),
            );
        }
    }
}

/// Routes are mounted at `path` and `path/{id}`; axum requires a leading `/`, and the
/// characters below would change the route's meaning.
fn path_is_a_route(resource: &Resource, errors: &mut Errors) {
    let path = &resource.path;
    let span = resource.path_span.unwrap_or(resource.ident.span());
    let bad_char = path
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.' | '~')));
    let problem = if !path.starts_with('/') {
        Some(format!(
            "`path` must start with `/`, like `\"/{}\"`",
            path.trim_start_matches('/')
        ))
    } else if path.len() > 1 && path.ends_with('/') {
        Some("`path` must not end with `/`".to_owned())
    } else if path.contains("//") {
        Some("`path` must not contain an empty segment (`//`)".to_owned())
    } else {
        bad_char.map(|c| format!("`path` may hold letters, digits and `/-_.~` only, found `{c}`"))
    };
    if let Some(problem) = problem {
        errors.at(span, problem);
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

/// The longest string every backend can index: PostgreSQL's btree takes 2704 bytes, and
/// MySQL's 3072, at 4 bytes a character.
pub const MAX_INDEXED_STRING: u64 = 255;

/// A unique field is indexed, so its strings must fit every backend's index.
fn unique_strings_fit_an_index(field: &Field, errors: &mut Errors) {
    if field.unique.is_none() || field.ty.kind != Kind::String {
        return;
    }
    for rule in &field.rules {
        if let Rule::Length {
            max: Some(max),
            span,
            ..
        } = rule
            && *max > MAX_INDEXED_STRING
        {
            errors.at(
                *span,
                format!(
                    "a `unique` string is indexed, and indexes hold at most {MAX_INDEXED_STRING} characters on every backend; use `length(max = {MAX_INDEXED_STRING})` or less"
                ),
            );
        }
    }
}

/// Databases cannot put a unique index on a JSON column.
fn unique_is_indexable(field: &Field, errors: &mut Errors) {
    if let (Some(span), Kind::Json) = (field.unique, field.ty.kind) {
        errors.at(span, "`unique` cannot apply to a JSON field");
    }
}

/// The rules of one field, on a resource or a `#[derive(Schema)]` type.
pub fn rules_fit(field: &Field, errors: &mut Errors) {
    for rule in &field.rules {
        rule_fits_type(field, rule, errors);
        one_of_values_fit_type(field, rule, errors);
        bounds_are_ordered(rule, errors);
        pattern_compiles(rule, errors);
    }
}

/// A rule the value's type cannot have would never fail, which hides a mistake.
fn rule_fits_type(field: &Field, rule: &Rule, errors: &mut Errors) {
    let kind = field.ty.kind;
    let (fits, wants) = match rule {
        Rule::Length { .. } | Rule::Pattern { .. } | Rule::Email { .. } => {
            (kind == Kind::String, "`String` fields")
        }
        Rule::Range { .. } => (kind.is_number(), "numeric fields"),
        Rule::OneOf { .. } => (
            matches!(kind, Kind::String | Kind::I16 | Kind::I32 | Kind::I64),
            "`String` or integer fields",
        ),
        Rule::With { .. } => (true, ""),
    };
    let name = rule.key();
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
    let Rule::Pattern { source, span } = rule else {
        return;
    };
    if let Err(e) = regex_syntax::Parser::new().parse(source) {
        let reason = match &e {
            regex_syntax::Error::Parse(p) => p.kind().to_string(),
            regex_syntax::Error::Translate(t) => t.kind().to_string(),
            other => other.to_string(),
        };
        errors.at(*span, format!("invalid regular expression: {reason}"));
    } else if let Err(regex::Error::CompiledTooBig(limit)) = regex::Regex::new(source) {
        errors.at(
            *span,
            format!("this regular expression compiles to more than {limit} bytes; simplify it"),
        );
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
/// A page is built in memory and sent whole, so its size is bounded.
fn max_limit_is_in_range(resource: &Resource, errors: &mut Errors) {
    if resource.max_limit == 0 {
        errors.at(resource.max_limit_span, "`max_limit` must be at least 1");
    } else if resource.max_limit > MAX_PAGE_SIZE {
        errors.at(
            resource.max_limit_span,
            format!("`max_limit` must be at most {MAX_PAGE_SIZE}: a page is built in memory; page through larger lists"),
        );
    }
}

/// The largest `max_limit`.
pub const MAX_PAGE_SIZE: u64 = 10_000;

/// The query parameters of a list besides the filters.
const LIST_PARAMETERS: &[&str] = &["limit", "offset", "cursor", "count", "sort", "include"];

/// A filter's parameter is the field's name (`eq`) or the name, `__` and the operator:
/// a field named like a list parameter, or with `__` in its name, would have a filter
/// no request could reach.
fn filtered_names_are_free(field: &Field, errors: &mut Errors) {
    let Some((_, span)) = field.filters.first() else {
        return;
    };
    if LIST_PARAMETERS.contains(&field.name.as_str()) {
        errors.at(
            *span,
            format!(
                "a field named `{}` cannot be filtered: `?{}=` is the list's own parameter; rename the field",
                field.name, field.name
            ),
        );
    } else if field.name.contains("__") {
        errors.at(
            *span,
            format!(
                "a field with `__` in its name cannot be filtered: `__` separates the field from the operator in `?{}__lt=`; rename the field",
                field.name
            ),
        );
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

/// Each operator is declared where its SQL means something for the column's type, on
/// every backend: order on orderable values, text search on text, `is_null` on
/// nullable fields. A declared operator is a documented parameter; one that could only
/// fail or match nothing would mislead the clients generated from the document.
fn filters_fit_type(field: &Field, errors: &mut Errors) {
    let kind = field.ty.kind;
    let mut seen: Vec<&str> = Vec::new();
    for (op, span) in &field.filters {
        if seen.contains(&op.as_str()) {
            errors.at(*span, format!("duplicate filter operator `{op}`"));
            continue;
        }
        seen.push(op);
        let problem = match op.as_str() {
            _ if kind == Kind::Json => Some("JSON fields cannot be filtered".to_owned()),
            "lt" | "lte" | "gt" | "gte" if !kind.is_ordered() => Some(format!(
                "`{op}` needs an ordered type (a number, decimal, string, date or time), found {}; use `eq`, `ne` or `in`",
                kind.describe()
            )),
            "contains" | "starts_with" if kind != Kind::String => Some(format!(
                "`{op}` searches text and needs a `String` field, found {}",
                kind.describe()
            )),
            "is_null" if !field.ty.nullable => Some(format!(
                "`is_null` needs a nullable field; `{}` is never null (make it `Option<_>` or drop `is_null`)",
                field.name
            )),
            _ => None,
        };
        if let Some(problem) = problem {
            errors.at(*span, problem);
        }
    }
}

/// JSON values have no order that every backend shares.
fn sort_fits_type(field: &Field, errors: &mut Errors) {
    if let Some(span) = field.sort
        && field.ty.kind == Kind::Json
    {
        errors.at(span, "JSON fields cannot be sorted");
    }
}

/// A foreign key holds the parent's primary key, so it is a client-written integer or
/// UUID field; the id and the timestamps are the server's.
fn belongs_to_is_a_data_key(field: &Field, errors: &mut Errors) {
    let Some(belongs_to) = &field.belongs_to else {
        return;
    };
    let span = syn::spanned::Spanned::span(&belongs_to.path);
    if field.role != Role::Data {
        errors.at(
            span,
            "`belongs_to` goes on a foreign-key field the client writes, like `author_id`, not on a server-managed field",
        );
    } else if !(field.ty.kind.is_integer() || field.ty.kind == Kind::Uuid) {
        errors.at(
            field.ty.span,
            format!(
                "a `belongs_to` field holds the parent's id and must be an integer or `Uuid`, found {}",
                field.ty.kind.describe()
            ),
        );
    } else if !field.name.ends_with("_id") || field.name == "_id" {
        errors.at(
            field.ident.span(),
            format!(
                "a `belongs_to` field is named after its relation with `_id`, like `author_id`; rename `{}`",
                field.name
            ),
        );
    }
}

/// Included rows appear as a property named after the relation, beside the fields;
/// two relations, or a relation and a field, with one name would overwrite each other.
fn relation_names_are_free(resource: &Resource, errors: &mut Errors) {
    let names = resource.relation_names();
    for (i, (name, span)) in names.iter().enumerate() {
        if names[..i].iter().any(|(earlier, _)| earlier == name) {
            errors.at(
                *span,
                format!("a second relation is named `{name}`; a resource relates to another in one way only"),
            );
        } else if resource
            .fields
            .iter()
            .any(|f| f.name == *name && f.belongs_to.is_none())
        {
            errors.at(
                *span,
                format!("the relation `{name}` has the name of a field; included rows would overwrite it"),
            );
        }
    }
}

/// `renamed_from` names the column the field had before: a column name other than the
/// field's own and other than another field's, or the rename would drop or overwrite
/// a column that is still declared.
fn renames_name_a_free_column(resource: &Resource, errors: &mut Errors) {
    for field in &resource.fields {
        let Some((old, span)) = &field.renamed_from else {
            continue;
        };
        if old.is_empty() || old.contains('"') {
            errors.at(*span, "`renamed_from` takes the column's former name");
        } else if *old == field.name {
            errors.at(
                *span,
                format!("`{old}` is the field's own name; `renamed_from` takes its former one"),
            );
        } else if resource.fields.iter().any(|f| f.name == *old) {
            errors.at(
                *span,
                format!("`{old}` is another field's column; a renamed column must be free"),
            );
        } else if let Some(other) = resource.fields.iter().find(|f| {
            f.name != field.name && f.renamed_from.as_ref().is_some_and(|(o, _)| o == old)
        }) {
            errors.at(
                *span,
                format!("field `{}` is renamed from `{old}` too", other.name),
            );
        }
    }
}

/// `include(...)` lists relations this resource declares.
fn includes_are_relations(resource: &Resource, errors: &mut Errors) {
    let names = resource.relation_names();
    let known: Vec<&str> = names.iter().map(|(n, _)| *n).collect();
    for (i, (name, span)) in resource.includes.iter().enumerate() {
        if resource.includes[..i].iter().any(|(n, _)| n == name) {
            errors.at(*span, format!("`{name}` is listed twice in `include`"));
        } else if !known.contains(&name.as_str()) {
            let message = if known.is_empty() {
                format!(
                    "`{name}` is not a relation: declare one with `belongs_to = ...` on a field or `has_many = ...` on the struct"
                )
            } else {
                crate::errors::unknown_key_message("relation", name, &known)
            };
            errors.at(*span, message);
        }
    }
}
