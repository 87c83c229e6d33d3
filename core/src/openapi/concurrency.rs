//! Optimistic concurrency in the document: for a resource with a `#[rest(version)]`
//! field, the `ETag` its responses carry, the `If-Match` and `If-None-Match` headers
//! its operations read, and the `304`, `412` and `428` they may answer.

use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{
    HeaderBuilder, ObjectBuilder, OpenApi, RefOr, Required, ResponseBuilder, Type,
};

use super::{add_response, operation};
use crate::http::crud::item_path;
use crate::spec::ResourceSpec;

pub(crate) fn document(document: &mut OpenApi, spec: &ResourceSpec) {
    if spec.version_field().is_none() {
        return;
    }
    let item = item_path(spec.path);
    for (method, path, success) in [
        ("get", item.as_str(), "200"),
        ("post", spec.path, "201"),
        ("patch", item.as_str(), "200"),
    ] {
        if let Some(operation) = operation(document, method, path)
            && let Some(RefOr::T(response)) = operation.responses.responses.get_mut(success)
        {
            response.headers.insert(
                "ETag".to_owned(),
                HeaderBuilder::new()
                    .schema(Some(string()))
                    .description(Some(
                        "The row's version, `\"3\"`: send it back in `If-Match` to change the row only if it is still this version.",
                    ))
                    .build()
                    .into(),
            );
        }
    }
    if let Some(read) = operation(document, "get", &item) {
        read.parameters.get_or_insert_with(Vec::new).push(
            header_parameter("If-None-Match", false)
                .description(Some(
                    "An `ETag` of the row the client holds: `304` if it is still current.",
                ))
                .build()
                .into(),
        );
        add_response(
            read,
            "304",
            &ResponseBuilder::new()
                .description("The row is unchanged since the `ETag` in `If-None-Match`; no body.")
                .build(),
        );
    }
    for method in ["patch", "delete"] {
        let Some(write) = operation(document, method, &item) else {
            continue;
        };
        let required = spec.require_if_match;
        write.parameters.get_or_insert_with(Vec::new).push(
            header_parameter("If-Match", required)
                .schema(Some(if_match()))
                .description(Some(if required {
                    "The `ETag` of the row the change is based on (required)."
                } else {
                    "The `ETag` of the row the change is based on: the write happens only if the row is still that version."
                }))
                .build()
                .into(),
        );
        add_response(
            write,
            "412",
            &super::operations::problem(
                "`precondition_failed`: the row changed since the `ETag` in `If-Match`; its `ETag` header is the current one.",
            ),
        );
        if required {
            add_response(
                write,
                "428",
                &super::operations::problem(
                    "`precondition_required`: the request has no `If-Match`.",
                ),
            );
        }
    }
}

fn string() -> utoipa::openapi::schema::Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .build()
        .into()
}

/// What `If-Match` accepts, as the server reads it: comma-separated items, each `*`,
/// a quoted tag (`"3"`) or a weak one (`W/"3"`, which never matches), in visible ASCII;
/// anything else is a `400`. An empty item is skipped, so an empty list is well formed
/// and matches nothing (`412`), as RFC 9110 reads `If-Match` lists.
const IF_MATCH_PATTERN: &str = r#"^[\t ]*(\*|W/[\t\x20-\x2B\x2D-\x7E]*|"[\t\x20-\x2B\x2D-\x7E]*")?[\t ]*(,[\t ]*(\*|W/[\t\x20-\x2B\x2D-\x7E]*|"[\t\x20-\x2B\x2D-\x7E]*")?[\t ]*)*$"#;

fn if_match() -> utoipa::openapi::schema::Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(IF_MATCH_PATTERN))
        .build()
        .into()
}

fn header_parameter(name: &str, required: bool) -> ParameterBuilder {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Header)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .schema(Some(string()))
}
