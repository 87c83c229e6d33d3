//! The traits through which the argument and return types of `#[ferrest::endpoints]`
//! methods describe themselves in the document.

use axum::Json;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

use super::problem;
use crate::problem::{ErrorResponse, ErrorResponses};
use crate::resource::endpoints::DocumentedResponse;

/// A type that appears in the document: its JSON Schema, inline or as a reference to
/// a named component. Implemented for the scalar types, `Vec`, `Option`, JSON values,
/// and by `#[derive(Resource)]` for a resource and its DTOs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no schema for the OpenAPI document",
    note = "use a resource (`#[derive(Resource)]`), its `Create`/`Update` DTO, a scalar, `Vec` or `Option` of them, or `ferrest::prelude::JsonValue`"
)]
pub trait Documented {
    /// The schema of a value.
    fn schema() -> RefOr<Schema>;
}

fn scalar(ty: Type, format: Option<KnownFormat>) -> RefOr<Schema> {
    let mut schema = ObjectBuilder::new().schema_type(ty);
    if let Some(format) = format {
        schema = schema.format(Some(SchemaFormat::KnownFormat(format)));
    }
    schema.into()
}

macro_rules! documented {
    ($($t:ty => $ty:expr, $format:expr;)*) => {$(
        impl Documented for $t {
            fn schema() -> RefOr<Schema> {
                scalar($ty, $format)
            }
        }
    )*};
}

documented! {
    i16 => Type::Integer, Some(KnownFormat::Int32);
    i32 => Type::Integer, Some(KnownFormat::Int32);
    i64 => Type::Integer, Some(KnownFormat::Int64);
    u32 => Type::Integer, Some(KnownFormat::Int64);
    u64 => Type::Integer, Some(KnownFormat::Int64);
    f32 => Type::Number, Some(KnownFormat::Float);
    f64 => Type::Number, Some(KnownFormat::Double);
    bool => Type::Boolean, None;
    String => Type::String, None;
    uuid::Uuid => Type::String, Some(KnownFormat::Uuid);
    chrono::DateTime<chrono::Utc> => Type::String, Some(KnownFormat::DateTime);
    chrono::NaiveDate => Type::String, Some(KnownFormat::Date);
}

impl Documented for rust_decimal::Decimal {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom("decimal".into())))
            .into()
    }
}

impl Documented for serde_json::Value {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().into()
    }
}

impl<T: Documented> Documented for Vec<T> {
    fn schema() -> RefOr<Schema> {
        ArrayBuilder::new().items(T::schema()).into()
    }
}

impl<T: Documented> Documented for Option<T> {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(T::schema())
            .item(ObjectBuilder::new().schema_type(Type::Null))
            .into()
    }
}

/// A reference to the component named `name`: what a resource's schema is.
pub fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// A return type of an endpoint: the responses it can give.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be documented as an endpoint's response",
    note = "return `Json<T>`, `Result<Json<T>, E>` with `E: ErrorResponses` (`ferrest::ApiError` or a `#[derive(ApiError)]` enum), `String` or `StatusCode`"
)]
pub trait Responds {
    /// Appends the responses.
    fn responses(out: &mut Vec<DocumentedResponse>);
}

/// `200` with a body of `media_type` and `schema`.
fn success(media_type: &str, schema: RefOr<Schema>) -> DocumentedResponse {
    (
        "200".to_owned(),
        ResponseBuilder::new()
            .description("Success.")
            .content(
                media_type,
                ContentBuilder::new().schema(Some(schema)).build(),
            )
            .build(),
    )
}

impl<T: Documented> Responds for Json<T> {
    fn responses(out: &mut Vec<DocumentedResponse>) {
        out.push(success("application/json", T::schema()));
    }
}

impl Responds for () {
    fn responses(out: &mut Vec<DocumentedResponse>) {
        out.push((
            "200".to_owned(),
            ResponseBuilder::new()
                .description("Success, no body.")
                .build(),
        ));
    }
}

impl Responds for String {
    fn responses(out: &mut Vec<DocumentedResponse>) {
        out.push(success(
            "text/plain; charset=utf-8",
            scalar(Type::String, None),
        ));
    }
}

impl Responds for axum::http::StatusCode {
    fn responses(out: &mut Vec<DocumentedResponse>) {
        out.push((
            "2XX".to_owned(),
            ResponseBuilder::new()
                .description("Success: the status only, no body.")
                .build(),
        ));
    }
}

impl<T: Responds, E: ErrorResponses> Responds for Result<T, E> {
    fn responses(out: &mut Vec<DocumentedResponse>) {
        T::responses(out);
        let errors = E::responses();
        if errors.is_empty() {
            // An untyped `ApiError` may be any client or server error. Ranges rather than
            // `default`, which would cover successes too and give generators two success
            // types.
            out.push(("4XX".to_owned(), problem("A client error.")));
            out.push(("5XX".to_owned(), problem("A server error.")));
        }
        out.extend(error_responses(&errors));
    }
}

/// The responses of typed errors: variants that share a status are one response
/// listing each code.
pub(crate) fn error_responses(errors: &[ErrorResponse]) -> Vec<DocumentedResponse> {
    let mut statuses: Vec<u16> = errors.iter().map(|e| e.status).collect();
    statuses.sort_unstable();
    statuses.dedup();
    statuses
        .into_iter()
        .map(|status| {
            let text: Vec<String> = errors
                .iter()
                .filter(|e| e.status == status)
                .map(|e| format!("`{}`: {}", e.code, e.description))
                .collect();
            (status.to_string(), problem(&text.join("\n\n")))
        })
        .collect()
}

/// A type a `Query<T>` argument reads: each field a query parameter. Implemented by
/// `#[derive(Schema)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no documented query parameters",
    note = "add `#[derive(Schema)]` to `{Self}`: each field becomes a query parameter"
)]
pub trait QueryParameters {
    /// The parameters, in field order.
    fn parameters() -> Vec<utoipa::openapi::path::Parameter>;
}
