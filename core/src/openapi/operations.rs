//! The path items of a resource: one operation per enabled CRUD operation, each
//! listing every response it can give, errors included.

use utoipa::openapi::path::{
    HttpMethod, Operation, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, Ref, RefOr, Required, ResponseBuilder, ResponsesBuilder,
};

use super::schema::{Dto, name, page_name};
use crate::crud::item_path;
use crate::page::DEFAULT_LIMIT;
use crate::problem::PROBLEM_JSON;
use crate::spec::{Kind, ResourceSpec};

/// `(path, item)` pairs of the resource: the collection and the single item.
pub(crate) fn path_items(spec: &ResourceSpec) -> Vec<(String, PathItem)> {
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
    [
        (spec.path.to_owned(), collection),
        (item_path(spec.path), item),
    ]
    .into_iter()
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

fn list(spec: &ResourceSpec) -> Operation {
    let integer = |min: i64| {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
            .minimum(Some(min))
    };
    let limit = ParameterBuilder::new()
        .name("limit")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(format!(
            "Page size; values above {} are clamped to it.",
            spec.max_limit
        )))
        .schema(Some(
            integer(1)
                .maximum(Some(i64::MAX))
                .default(Some(DEFAULT_LIMIT.min(spec.max_limit).into())),
        ));
    let offset = ParameterBuilder::new()
        .name("offset")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some("Rows to skip."))
        .schema(Some(
            integer(0).maximum(Some(i64::MAX)).default(Some(0.into())),
        ));
    let count = ParameterBuilder::new()
        .name("count")
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some(
            "Also return `total`, the number of rows (one more query).",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .default(Some(false.into())),
        ));
    base(
        spec,
        format!("list{}", spec.plural),
        format!("List {}", spec.plural.to_lowercase()),
    )
    .parameters(Some([limit.build(), offset.build(), count.build()]))
    .responses(
        ResponsesBuilder::new()
            .response(
                "200",
                json_response(
                    &format!("A page of {}.", spec.plural.to_lowercase()),
                    page_name(spec),
                ),
            )
            .response("400", problem("An unknown or malformed query parameter."))
            .response("503", unavailable())
            .build(),
    )
    .build()
}

fn read(spec: &ResourceSpec) -> Operation {
    base(
        spec,
        format!("get{}", spec.name),
        format!("Get {}", a_noun(spec)),
    )
    .parameter(id_parameter(spec))
    .responses(
        ResponsesBuilder::new()
            .response(
                "200",
                json_response(&format!("The {}.", noun(spec)), name(spec, Dto::Read)),
            )
            .response("400", problem("The id in the path is malformed."))
            .response("404", problem(&format!("No {} has this id.", noun(spec))))
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
            .responses_from_iter(body_problems())
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
            .response("404", problem(&format!("No {} has this id.", noun(spec))))
            .responses_from_iter(body_problems())
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
            .response("404", problem(&format!("No {} has this id.", noun(spec))))
            .response("409", problem("Another row still refers to it."))
            .response("503", unavailable())
            .build(),
    )
    .build()
}

/// The problems of an operation that takes a JSON body, after its 4xx for the path.
fn body_problems() -> [(&'static str, utoipa::openapi::Response); 4] {
    [
        ("409", problem("A unique field already has this value.")),
        (
            "413",
            problem(&format!(
                "The body is larger than {} bytes.",
                crate::app::MAX_BODY_BYTES
            )),
        ),
        ("415", problem("The body is not `application/json`.")),
        (
            "422",
            problem("One or more fields are invalid; `errors` lists each."),
        ),
    ]
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

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(PROBLEM_JSON, json_content("Problem".to_owned()))
        .build()
}
