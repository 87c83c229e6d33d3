//! `#[ferrest::endpoints]` at run time: the request context handlers receive, the
//! traits through which argument and return types describe themselves, and the
//! operations the macro records for the document.

use axum::Json;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

use crate::db::AppState;
use crate::openapi::problem;
use crate::problem::{ErrorResponse, ErrorResponses};

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

/// A response of an endpoint, in the document: `(status, response)`.
pub type DocumentedResponse = (String, utoipa::openapi::Response);

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

/// One operation of an `#[ferrest::endpoints]` block, recorded by the macro.
#[derive(Clone)]
pub struct Endpoint {
    /// `get`, `post`, `put`, `patch` or `delete`.
    pub method: &'static str,
    /// The route, with `{param}` placeholders.
    pub path: &'static str,
    /// `operationId`: the method's name in camelCase unless given.
    pub operation_id: &'static str,
    /// The tag: the one given, else the type's name in the plural.
    pub tag: &'static str,
    /// First paragraph of the doc comment.
    pub summary: Option<&'static str>,
    /// The rest of the doc comment.
    pub description: Option<&'static str>,
    /// Each path parameter with its schema.
    pub path_parameters: Vec<(&'static str, RefOr<Schema>)>,
    /// The parameters of a `Query<T>` argument.
    pub query_parameters: Vec<utoipa::openapi::path::Parameter>,
    /// The JSON body's schema, if the method reads one.
    pub body: Option<RefOr<Schema>>,
    /// The responses of the return type.
    pub responses: Vec<DocumentedResponse>,
    /// Who may call it: `auth = ...`, `authenticated` for a method that takes a
    /// [`Principal`](crate::auth::Principal), public otherwise.
    pub permission: crate::auth::Permission,
    /// `rate_limit = "5/minute"`: what one caller may send to this operation.
    pub rate_limit: Option<crate::rate_limit::RateLimit>,
}

/// An `#[ferrest::endpoints]` impl block: its routes and their operations.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no endpoints",
    note = "add `#[ferrest::endpoints]` to an `impl {Self}` block whose methods have `#[rest(get = \"/path\")]`"
)]
pub trait Endpoints: 'static {
    /// The routes, one per method.
    fn routes() -> axum::Router<AppState>;
    /// The operations, in declaration order.
    fn endpoints() -> Vec<Endpoint>;
    /// The lifecycle hooks, when the type is a resource that declares some.
    fn hooks() -> Option<crate::hooks::HookSet> {
        None
    }
}

/// Finds, at compile time, the `#[ferrest::endpoints]` block of a resource, so that
/// registering the resource registers its endpoints and hooks with it: a hook that
/// guards deletes, or a read filter that hides rows, cannot be left out by forgetting
/// a line. `#[derive(Resource)]` calls `(&EndpointsProbe::<Self>::new()).block()`;
/// method resolution takes [`HasEndpoints`] when the type implements [`Endpoints`],
/// else the autoref'd [`NoEndpoints`] (the "autoref specialization" technique, which
/// needs no link-time registry).
#[doc(hidden)]
pub struct EndpointsProbe<T>(std::marker::PhantomData<fn() -> T>);

impl<T> EndpointsProbe<T> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        EndpointsProbe(std::marker::PhantomData)
    }
}

/// How an app registers an endpoint block it found.
#[doc(hidden)]
pub type RegisterBlock = fn(crate::App) -> crate::App;

#[doc(hidden)]
pub trait HasEndpoints {
    fn block(&self) -> Option<RegisterBlock>;
}

impl<T: Endpoints> HasEndpoints for EndpointsProbe<T> {
    fn block(&self) -> Option<RegisterBlock> {
        Some(crate::App::endpoints::<T>)
    }
}

#[doc(hidden)]
pub trait NoEndpoints {
    fn block(&self) -> Option<RegisterBlock>;
}

impl<T> NoEndpoints for &EndpointsProbe<T> {
    fn block(&self) -> Option<RegisterBlock> {
        None
    }
}
