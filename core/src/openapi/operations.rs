//! The path items of a resource: one operation per enabled CRUD operation, each
//! listing every response it can give, errors included.

use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, Parameter, ParameterBuilder, ParameterIn,
    ParameterStyle, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, Ref, RefOr, Required, ResponseBuilder, ResponsesBuilder,
};

use super::schema::{Dto, name, page_name, value_schema};
use crate::http::crud::{item_path, nested_path};
use crate::page::DEFAULT_LIMIT;
use crate::problem::PROBLEM_JSON;
use crate::spec::{
    FieldSpec, FilterOp, Kind, OwnerScope, Pagination, RelationKind, RelationSpec, ResourceSpec,
};

/// `(path, item)` pairs of the resource: the collection and the single item.
pub(crate) fn path_items(spec: &'static ResourceSpec) -> Vec<(String, PathItem)> {
    let ops = spec.operations;
    let mut collection = Vec::new();
    if ops.list {
        collection.push((HttpMethod::Get, list(spec)));
    }
    if ops.create {
        collection.push((HttpMethod::Post, create(spec)));
    }
    let mut item = Vec::new();
    if ops.get {
        item.push((HttpMethod::Get, read(spec)));
    }
    if ops.update {
        item.push((HttpMethod::Patch, update(spec)));
    }
    if ops.delete {
        item.push((HttpMethod::Delete, delete(spec)));
    }
    let nested = spec
        .relations
        .iter()
        .filter_map(|relation| match relation.kind {
            RelationKind::HasMany { .. } if (relation.target)().operations.list => Some((
                nested_path(spec.path, relation),
                vec![(HttpMethod::Get, nested_list(spec, relation))],
            )),
            _ => None,
        });
    [
        (spec.path.to_owned(), collection),
        (item_path(spec.path), item),
    ]
    .into_iter()
    .chain(nested)
    .filter(|(_, ops)| !ops.is_empty())
    .map(|(path, ops)| (path, path_item(ops)))
    .collect()
}

fn path_item(operations: Vec<(HttpMethod, Operation)>) -> PathItem {
    let mut iter = operations.into_iter();
    let (method, first) = iter.next().expect("path items have an operation");
    let mut item = PathItem::new(method, first);
    for (method, operation) in iter {
        item.merge_operations(PathItem::new(method, operation));
    }
    item
}

/// Lower-case singular of the resource name, for summaries: `Book` -> `book`.
fn noun(spec: &ResourceSpec) -> String {
    spec.name.to_lowercase()
}

/// The noun with its indefinite article: `a book`, `an author`.
fn a_noun(spec: &ResourceSpec) -> String {
    spec.a_name().to_lowercase()
}

fn base(spec: &ResourceSpec, id: String, summary: String) -> OperationBuilder {
    let builder = OperationBuilder::new()
        .operation_id(Some(id))
        .summary(Some(summary))
        .tag(spec.tag);
    match spec.doc {
        Some(doc) => builder.description(Some(doc)),
        None => builder,
    }
}

fn list(spec: &'static ResourceSpec) -> Operation {
    base(
        spec,
        format!("list{}", spec.plural),
        format!("List {}", spec.plural.to_lowercase()),
    )
    .parameters(Some(list_parameters(spec, "")))
    .responses(list_responses(spec, None))
    .build()
}

/// `GET /authors/{author_id}/books`: the flat list of the child, within one parent.
fn nested_list(parent: &'static ResourceSpec, relation: &RelationSpec) -> Operation {
    let child = (relation.target)();
    let foreign_key = relation.foreign_key();
    let mut parameters = vec![
        id_parameter(parent)
            .name(foreign_key)
            .description(Some(format!(
                "The {}'s `{}`, which the {}' `{foreign_key}` names.",
                noun(parent),
                parent.id_field().name,
                child.plural.to_lowercase()
            )))
            .build(),
    ];
    parameters.extend(list_parameters(child, foreign_key));
    base(
        child,
        format!("list{}{}", parent.name, child.plural),
        format!(
            "List the {} of {}",
            child.plural.to_lowercase(),
            a_noun(parent)
        ),
    )
    .description(Some(format!(
        "The {} whose `{}` is the {}'s id, with the filters, sort and pagination of `GET {}`.",
        child.plural.to_lowercase(),
        relation.foreign_key(),
        noun(parent),
        child.path
    )))
    .tags(Some(vec![parent.tag.to_owned()]))
    .parameters(Some(parameters))
    .responses(list_responses(child, Some(parent)))
    .build()
}

fn list_responses(
    spec: &ResourceSpec,
    parent: Option<&ResourceSpec>,
) -> utoipa::openapi::Responses {
    let page = ResponseBuilder::new()
        .description(format!("A page of {}.", spec.plural.to_lowercase()))
        .header(
            "Link",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
                .description(Some(
                    "`<url>; rel=\"next\"`: the next page, with the same parameters; absent on the last page.",
                ))
                .build(),
        )
        .content("application/json", json_content(page_name(spec)))
        .build();
    let mut responses = ResponsesBuilder::new().response("200", page).response(
        "400",
        problem("An unknown query parameter, a malformed value, or a sort key or include outside the allowed ones."),
    );
    if let Some(parent) = parent {
        responses =
            responses.response("404", problem(&format!("No {} has this id.", noun(parent))));
    }
    responses.response("503", unavailable()).build()
}

/// The query parameters of a list: each declared filter (but those of `fixed`, the
/// foreign key a nested list's path names), `sort`, `include`, then the
/// pagination parameters.
fn list_parameters(spec: &'static ResourceSpec, fixed: &str) -> Vec<Parameter> {
    let mut parameters: Vec<Parameter> = spec
        .fields
        .iter()
        .filter(|field| field.name != fixed)
        .flat_map(|field| {
            field
                .filters
                .iter()
                .map(move |op| filter_parameter(field, *op))
        })
        .collect();
    let sort = crate::query::sort::allowed(spec);
    if !sort.is_empty() {
        let example = match sort.get(2) {
            Some(second) => format!("-{},{second}", sort[0]),
            None => format!("-{}", sort[0]),
        };
        parameters.push(
            comma_separated_parameter("sort")
                .description(Some(format!(
                    "Comma-separated sort keys, `-` for descending: `sort={example}`. A field may be named once. The {} `{}` breaks ties.",
                    noun(spec),
                    spec.id_field().name
                )))
                .schema(Some(sort_schema(spec, sort)))
                .build(),
        );
    }
    if let Some(include) = include_parameter(spec) {
        parameters.push(include);
    }
    let integer = |min: i64| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(min))
            .maximum(Some(i64::MAX))
    };
    parameters.push(
        query_parameter("limit")
            .description(Some(format!(
                "Page size; values above {} are clamped to it.",
                spec.max_limit
            )))
            .schema(Some(
                integer(1).default(Some(DEFAULT_LIMIT.min(spec.max_limit).into())),
            ))
            .build(),
    );
    parameters.push(match spec.pagination {
        Pagination::Offset => query_parameter("offset")
            .description(Some("Rows to skip."))
            .schema(Some(integer(0).default(Some(0.into()))))
            .build(),
        Pagination::Cursor => query_parameter("cursor")
            .description(Some(
                "The `next_cursor` of the previous page; absent for the first page.",
            ))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build(),
    });
    parameters.push(
        query_parameter("count")
            .description(Some(
                "Also return `total`, the number of matching rows (one more query).",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Boolean)
                    .default(Some(false.into())),
            ))
            .build(),
    );
    parameters
}

/// `include`, when the resource allows any: the paths as an enum.
fn include_parameter(spec: &'static ResourceSpec) -> Option<Parameter> {
    let allowed = crate::query::include::allowed(spec);
    let first = allowed.first()?.clone();
    Some(
        comma_separated_parameter("include")
            .description(Some(format!(
                "Comma-separated relations to embed, up to {} levels deep: `include={first}`. Each relation is loaded with one query for the whole page, and embeds at most {} rows.",
                crate::MAX_INCLUDE_DEPTH,
                crate::MAX_INCLUDED_ROWS
            )))
            .schema(Some(comma_separated(enum_of(allowed), None)))
            .build(),
    )
}

fn filter_parameter(field: &FieldSpec, op: FilterOp) -> Parameter {
    let name = field.name;
    // Equality filters of a `one_of` field take its values only.
    let choice_schema = |kind: Kind| {
        let schema = value_schema(kind);
        match crate::query::filter::allowed(field) {
            Some(values) => schema.enum_values(Some(values.iter().map(|v| v.to_json()))),
            None => schema,
        }
    };
    let (description, schema): (String, Schema) = match op {
        FilterOp::Eq => (
            format!("`{name}` equals this value."),
            choice_schema(field.kind).into(),
        ),
        FilterOp::Ne => (
            if field.nullable {
                format!("`{name}` differs from this value or is null.")
            } else {
                format!("`{name}` differs from this value.")
            },
            choice_schema(field.kind).into(),
        ),
        FilterOp::Lt => (
            format!("`{name}` is less than this value."),
            value_schema(field.kind).into(),
        ),
        FilterOp::Lte => (
            format!("`{name}` is at most this value."),
            value_schema(field.kind).into(),
        ),
        FilterOp::Gt => (
            format!("`{name}` is greater than this value."),
            value_schema(field.kind).into(),
        ),
        FilterOp::Gte => (
            format!("`{name}` is at least this value."),
            value_schema(field.kind).into(),
        ),
        FilterOp::In => (
            format!("`{name}` is one of these comma-separated values."),
            comma_separated(choice_schema(field.kind), Some(crate::MAX_IN_VALUES)),
        ),
        FilterOp::Contains => (
            format!("`{name}` contains this text, ignoring case; `%` and `_` match themselves."),
            search_schema(field.kind),
        ),
        FilterOp::StartsWith => (
            format!("`{name}` starts with this text, ignoring case; `%` and `_` match themselves."),
            search_schema(field.kind),
        ),
        FilterOp::IsNull => (
            format!("`true`: `{name}` is null; `false`: it has a value."),
            ObjectBuilder::new().schema_type(Type::Boolean).into(),
        ),
    };
    let parameter = if op == FilterOp::In {
        comma_separated_parameter(&op.parameter(name))
    } else {
        query_parameter(&op.parameter(name))
    };
    parameter
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// The text of `contains` and `starts_with`, bounded in length.
fn search_schema(kind: Kind) -> Schema {
    value_schema(kind)
        .max_length(Some(crate::MAX_SEARCH_CHARS))
        .into()
}

/// A parameter whose array value is sent as `a,b,c` (`style: form`, `explode: false`).
fn comma_separated_parameter(name: &str) -> ParameterBuilder {
    query_parameter(name)
        .style(Some(ParameterStyle::Form))
        .explode(Some(false))
}

fn query_parameter(name: &str) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
}

fn enum_of(values: Vec<String>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
}

/// The array schema of a comma-separated parameter.
fn comma_separated(items: ObjectBuilder, max: Option<usize>) -> Schema {
    ArrayBuilder::new()
        .items(items)
        .min_items(Some(1))
        .max_items(max)
        .build()
        .into()
}

/// The `sort` array: the allowed keys, each field named at most once, since
/// `sort=title,-title` (or `title,title`) is a `400`. With one sortable field
/// `maxItems` says it all; with more, each field's pair of keys is counted with
/// `maxContains`, a JSON Schema keyword utoipa does not model, so it goes in through
/// the schema's extension map, which serializes its keys as they are.
fn sort_schema(spec: &ResourceSpec, allowed: Vec<String>) -> Schema {
    let fields: Vec<&str> = spec
        .fields
        .iter()
        .filter(|f| f.sort)
        .map(|f| f.name)
        .collect();
    let mut array = ArrayBuilder::new()
        .items(enum_of(allowed))
        .min_items(Some(1))
        .max_items(Some(fields.len()));
    if fields.len() > 1 {
        let once: Vec<serde_json::Value> = fields
            .iter()
            .map(|name| {
                serde_json::json!({
                    "contains": { "enum": [name, format!("-{name}")] },
                    "minContains": 0,
                    "maxContains": 1
                })
            })
            .collect();
        array = array.extensions(Some(Extensions::from_iter([(
            "allOf",
            serde_json::Value::Array(once),
        )])));
    }
    array.build().into()
}

fn read(spec: &'static ResourceSpec) -> Operation {
    base(
        spec,
        format!("get{}", spec.name),
        format!("Get {}", a_noun(spec)),
    )
    .parameters(Some(
        std::iter::once(id_parameter(spec).build()).chain(include_parameter(spec)),
    ))
    .responses(
        ResponsesBuilder::new()
            .response(
                "200",
                json_response(&format!("The {}.", noun(spec)), name(spec, Dto::Read)),
            )
            .response(
                "400",
                problem("The id in the path is malformed, or the query has an unknown parameter or include."),
            )
            .response("404", missing(spec, false))
            .response("503", unavailable())
            .build(),
    )
    .build()
}

fn create(spec: &ResourceSpec) -> Operation {
    let created = ResponseBuilder::new()
        .description(format!("The stored {}.", noun(spec)))
        .header(
            "Location",
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
                .description(Some(format!("URL of the new {}.", noun(spec))))
                .build(),
        )
        .content("application/json", json_content(name(spec, Dto::Read)))
        .build();
    base(
        spec,
        format!("create{}", spec.name),
        format!("Create {}", a_noun(spec)),
    )
    .request_body(Some(body(spec, Dto::Create)))
    .responses(
        ResponsesBuilder::new()
            .response("201", created)
            .response("400", problem("The body is not valid JSON."))
            .responses_from_iter(body_problems(spec))
            .response("503", unavailable())
            .build(),
    )
    .build()
}

fn update(spec: &ResourceSpec) -> Operation {
    base(
        spec,
        format!("update{}", spec.name),
        format!("Update {}", a_noun(spec)),
    )
    .description(Some(format!(
        "Merge update: absent fields stay unchanged, `null` clears a nullable field.{}",
        spec.doc.map(|d| format!("\n\n{d}")).unwrap_or_default()
    )))
    .parameter(id_parameter(spec))
    .request_body(Some(body(spec, Dto::Update)))
    .responses(
        ResponsesBuilder::new()
            .response(
                "200",
                json_response(
                    &format!("The updated {}.", noun(spec)),
                    name(spec, Dto::Read),
                ),
            )
            .response(
                "400",
                problem("The id is malformed or the body is not valid JSON."),
            )
            .response("404", missing(spec, true))
            .responses_from_iter(body_problems(spec))
            .response("503", unavailable())
            .build(),
    )
    .build()
}

fn delete(spec: &ResourceSpec) -> Operation {
    base(
        spec,
        format!("delete{}", spec.name),
        format!("Delete {}", a_noun(spec)),
    )
    .parameter(id_parameter(spec))
    .responses(
        ResponsesBuilder::new()
            .response(
                "204",
                ResponseBuilder::new()
                    .description(format!("The {} is deleted.", noun(spec)))
                    .build(),
            )
            .response("400", problem("The id in the path is malformed."))
            .response("404", missing(spec, true))
            .response("409", problem("Another row still refers to it."))
            .response("503", unavailable())
            .build(),
    )
    .build()
}

/// The problems of an operation that takes a JSON body, after its 4xx for the path.
/// A foreign key that names no row is a `422` of that field: no schema can say which
/// ids exist, so the description does.
fn body_problems(spec: &ResourceSpec) -> Vec<(&'static str, utoipa::openapi::Response)> {
    let references: Vec<String> = spec
        .relations
        .iter()
        .filter_map(|relation| match relation.kind {
            RelationKind::BelongsTo { field } => Some(format!(
                "`{field}` names no {}",
                (relation.target)().name.to_lowercase()
            )),
            RelationKind::HasMany { .. } => None,
        })
        .collect();
    let invalid = if references.is_empty() {
        "One or more fields are invalid; `errors` lists each.".to_owned()
    } else {
        format!(
            "One or more fields are invalid; `errors` lists each. A reference to a missing row is one too (`not_found`): {}.",
            references.join(", ")
        )
    };
    [
        ("409", problem("A unique field already has this value.")),
        (
            "413",
            problem(&format!(
                "The body is larger than {} bytes.",
                crate::validate::MAX_BODY_BYTES
            )),
        ),
        ("415", problem("The body is not `application/json`.")),
        ("422", problem(&invalid)),
    ]
    .into_iter()
    .chain(guarded_fields(spec))
    .collect()
}

/// `403`: the body sets a `write = ...` field its caller may not write.
fn guarded_fields(spec: &ResourceSpec) -> Option<(&'static str, utoipa::openapi::Response)> {
    let guarded: Vec<String> = spec
        .fields
        .iter()
        .filter_map(|field| match field.write {
            crate::spec::FieldWrite::Permission(permission) => {
                Some(format!("`{}` needs {}", field.name, permission.describe()))
            }
            _ => None,
        })
        .collect();
    (!guarded.is_empty()).then(|| {
        let description = format!(
            "`forbidden`: the body sets a field the caller may not write ({}); `errors` lists each.",
            guarded.join(", ")
        );
        ("403", problem(&description))
    })
}

/// `404`: no row has the id, or ownership hides it from the caller (for a write, a
/// row the caller may read but does not own).
fn missing(spec: &ResourceSpec, write: bool) -> utoipa::openapi::Response {
    let owned = spec
        .owner_field()
        .is_some_and(|_| write || spec.owner_scope == OwnerScope::All);
    problem(&if owned {
        format!(
            "No {} has this id, or it is not the caller's{}.",
            noun(spec),
            if write { " to change" } else { "" }
        )
    } else {
        format!("No {} has this id.", noun(spec))
    })
}

fn unavailable() -> utoipa::openapi::Response {
    problem("The database is unavailable; retry later.")
}

fn id_parameter(spec: &ResourceSpec) -> ParameterBuilder {
    let id = spec.id_field();
    let schema: Schema = match id.kind {
        Kind::Uuid => ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .build()
            .into(),
        Kind::I64 => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .build()
            .into(),
        _ => ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
            .build()
            .into(),
    };
    ParameterBuilder::new()
        .name("id")
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .description(Some(format!("The {}'s `{}`.", noun(spec), id.name)))
        .schema(Some(schema))
}

fn body(spec: &ResourceSpec, dto: Dto) -> utoipa::openapi::request_body::RequestBody {
    RequestBodyBuilder::new()
        .required(Some(Required::True))
        .content("application/json", json_content(name(spec, dto)))
        .build()
}

fn json_content(schema: String) -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(RefOr::<Schema>::from(Ref::from_schema_name(schema))))
        .build()
}

fn json_response(description: &str, schema: String) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content("application/json", json_content(schema))
        .build()
}

/// An error response: a `Problem`, as `application/problem+json`, or as
/// `application/json` to clients that accept only that (client generators type JSON
/// bodies only; `Accept` decides, see `middleware::negotiate_problem`).
pub(crate) fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, json_content("Problem".to_owned()))
        .content("application/json", json_content("Problem".to_owned()))
        .build()
}
