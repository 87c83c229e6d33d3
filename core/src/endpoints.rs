//! `#[ferrest::endpoints]` at run time: the request context handlers receive, the
//! traits through which argument and return types describe themselves, and the
//! operations the macro records for the document.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sea_orm::DatabaseConnection;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, OneOfBuilder, Schema, SchemaFormat, Type,
};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};

use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel};

use crate::db::{AppState, db_error};
use crate::problem::{ApiError, ErrorResponses, PROBLEM_JSON};
use crate::resource::Resource;

/// What an endpoint needs from the app: the database connection pool.
///
/// ```
/// use ferrest::Ctx;
/// use ferrest::__private::sea_orm::ConnectionTrait;
///
/// async fn backend(ctx: Ctx) -> String {
///     format!("{:?}", ctx.db.get_database_backend())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The connection pool; `sea_orm` queries run on it.
    pub db: DatabaseConnection,
    storage: crate::validate::Storage,
}

impl Ctx {
    /// The `R` with this id, or a `404` problem.
    pub async fn get<R>(&self, id: R::Id) -> Result<R, ApiError>
    where
        R: Resource + From<R::Model>,
    {
        R::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(|e| db_error(R::spec(), e))?
            .map(R::from)
            .ok_or_else(|| crate::crud::not_found(R::spec()))
    }

    /// Applies `changes` to the `R` with this id as a `PATCH` does: the same validation
    /// (a `422` listing each failing field), absent fields stay, `updated_at` is stamped
    /// when something changed, a foreign key that points nowhere is a `422`. Returns the
    /// stored row.
    pub async fn update<R>(&self, id: R::Id, changes: R::Update) -> Result<R, ApiError>
    where
        R: Resource + From<R::Model>,
    {
        let spec = R::spec();
        let body = serde_json::to_value(&changes).map_err(|_| ApiError::internal())?;
        let mut errors = crate::validate::check_body_in(
            spec,
            &body,
            crate::validate::Write::Update,
            self.storage,
        );
        R::check_update(&changes, &mut errors);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let parents = crate::crud::foreign_keys(spec, &body);
        let current = R::Entity::find_by_id(id)
            .one(&self.db)
            .await
            .map_err(|e| db_error(spec, e))?
            .ok_or_else(|| crate::crud::not_found(spec))?;
        let mut row = current.clone().into_active_model();
        R::apply_update(changes, &mut row);
        if !row.is_changed() {
            return Ok(R::from(current));
        }
        match row.update(&self.db).await {
            Ok(row) => Ok(R::from(row)),
            Err(e) => Err(crate::crud::write_error(&self.db, spec, parents, e).await),
        }
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Ctx {
            db: state.db.clone(),
            storage: state.storage,
        })
    }
}

/// A type that appears in the document: its JSON Schema, inline or as a reference to
/// a named component. Implemented for the scalar types, `Vec`, `Option`, JSON values,
/// and by `#[derive(Resource)]` for a resource and its DTOs.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no schema for the OpenAPI document",
    note = "use a resource (`#[derive(Resource)]`), its `Create`/`Update` DTO, a scalar, `Vec` or `Option` of them, or `ferrest::prelude::Json`"
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
        let problem = |description: String| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM_JSON,
                    ContentBuilder::new()
                        .schema(Some(reference("Problem")))
                        .build(),
                )
                .build()
        };
        let errors = E::responses();
        if errors.is_empty() {
            out.push(("default".to_owned(), problem("A problem.".to_owned())));
        }
        // Variants that share a status are one response listing each code.
        let mut statuses: Vec<u16> = errors.iter().map(|e| e.status).collect();
        statuses.dedup();
        for status in statuses {
            let text: Vec<String> = errors
                .iter()
                .filter(|e| e.status == status)
                .map(|e| format!("`{}`: {}", e.code, e.description))
                .collect();
            out.push((status.to_string(), problem(text.join("\n\n"))));
        }
    }
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
    /// The JSON body's schema, if the method reads one.
    pub body: Option<RefOr<Schema>>,
    /// The responses of the return type.
    pub responses: Vec<DocumentedResponse>,
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
}
