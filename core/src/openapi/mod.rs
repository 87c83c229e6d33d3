//! The OpenAPI document: assembled from the registered resources' specs, served as
//! 3.1 and, for generators that read only 3.0, as a faithful 3.0.3 rendering.

// Reached by generated code through `__private`: hidden, as that is.
#[doc(hidden)]
pub(crate) mod builders;
mod concurrency;
pub(crate) mod documented;
mod downgrade;
pub(crate) mod endpoints;
pub(crate) mod hooks;
pub(crate) mod idempotency;
mod operations;
mod schema;
pub(crate) mod security;

pub use downgrade::to_openapi_30;

/// Which rendering of the document [`App::openapi_json`](crate::App::openapi_json)
/// writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenApiVersion {
    /// OpenAPI 3.1, the document itself (`/openapi.json`).
    V3_1,
    /// The OpenAPI 3.0.3 rendering (`/openapi-3.0.json`), for generators that read 3.0
    /// only, such as progenitor.
    V3_0,
}
pub(crate) use operations::problem;
pub(crate) use schema::apply_rules;

use utoipa::openapi::path::Operation;
use utoipa::openapi::{
    ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, RefOr, Tag,
};

use crate::spec::ResourceSpec;
use schema::Dto;

/// Builds the document of `specs`.
pub(crate) fn document(
    title: &str,
    version: &str,
    description: Option<&str>,
    specs: &[&'static ResourceSpec],
) -> OpenApi {
    let mut paths = PathsBuilder::new();
    let mut components = ComponentsBuilder::new();
    let mut tags = Vec::new();
    for spec in specs {
        for (path, item) in operations::path_items(spec) {
            paths = paths.path(path, item);
        }
        for dto in [Dto::Read, Dto::Create, Dto::Update] {
            components = components.schema(schema::name(spec, dto), schema::dto_schema(spec, dto));
        }
        components = components.schema(schema::page_name(spec), schema::page_schema(spec));
        if !tags.iter().any(|t: &Tag| t.name == spec.tag) {
            let mut tag = Tag::new(spec.tag);
            tag.description = spec.doc.map(str::to_owned);
            tags.push(tag);
        }
    }
    for (name, problem) in schema::problem_schemas() {
        components = components.schema(name, problem);
    }
    let mut document = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title(title)
                .version(version)
                .description(description),
        )
        .paths(paths)
        .components(Some(components.build()))
        .tags(Some(tags))
        .build();
    for spec in specs {
        concurrency::document(&mut document, spec);
    }
    document
}

/// The operation at `method` and `path`, if the document has one.
pub(crate) fn operation<'d>(
    document: &'d mut OpenApi,
    method: &str,
    path: &str,
) -> Option<&'d mut Operation> {
    let item = document.paths.paths.get_mut(path)?;
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "put" => item.put.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    }
}

/// Adds a response; a status the operation answers already gets the new codes in its
/// description.
pub(crate) fn add_response(
    operation: &mut Operation,
    status: &str,
    response: &utoipa::openapi::Response,
) {
    match operation.responses.responses.get_mut(status) {
        Some(RefOr::T(existing)) => {
            existing.description = format!("{}\n\n{}", existing.description, response.description);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            operation
                .responses
                .responses
                .insert(status.to_owned(), RefOr::T(response.clone()));
        }
    }
}

/// Every `503` the document lists carries `Retry-After`, as every `503` ferrest
/// answers does ([`DEFAULT_RETRY_AFTER_SECS`](crate::DEFAULT_RETRY_AFTER_SECS) unless
/// the error sets its own).
pub(crate) fn document_retry_after(document: &mut OpenApi) {
    use utoipa::openapi::{HeaderBuilder, ObjectBuilder, Type};
    for item in document.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            if let Some(RefOr::T(unavailable)) = operation.responses.responses.get_mut("503") {
                unavailable
                    .headers
                    .entry("Retry-After".to_owned())
                    .or_insert_with(|| {
                        HeaderBuilder::new()
                            .schema(Some(
                                ObjectBuilder::new().schema_type(Type::Integer).build(),
                            ))
                            .description(Some("Seconds to wait before retrying."))
                            .build()
                            .into()
                    });
            }
        }
    }
}
