//! The operations of `#[ferrest::endpoints]` blocks in the document.

use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{ContentBuilder, Required, ResponsesBuilder};

use crate::resource::endpoints::Endpoint;

/// The path item of one endpoint.
pub(crate) fn path_item(endpoint: &Endpoint) -> PathItem {
    let mut operation = OperationBuilder::new()
        .operation_id(Some(endpoint.operation_id))
        .tag(endpoint.tag)
        .summary(endpoint.summary)
        .description(endpoint.description);
    for (name, schema) in &endpoint.path_parameters {
        operation = operation.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(schema.clone())),
        );
    }
    for parameter in &endpoint.query_parameters {
        operation = operation.parameter(parameter.clone());
    }
    if let Some(body) = &endpoint.body {
        operation = operation.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(body.clone())).build(),
                )
                .build(),
        ));
    }
    let mut responses = ResponsesBuilder::new();
    for (status, response) in &endpoint.responses {
        responses = responses.response(status.clone(), response.clone());
    }
    PathItem::new(
        method(endpoint.method),
        operation.responses(responses.build()),
    )
}

pub(crate) fn method(name: &str) -> HttpMethod {
    match name {
        "post" => HttpMethod::Post,
        "put" => HttpMethod::Put,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}
