//! Support for generated code. Not a public API: names here change without notice.
//!
//! Generated code reaches every dependency through this module, so a user's crate
//! needs only `ferrest` in its `Cargo.toml`.

pub use axum;
pub use chrono;
pub use rust_decimal;
pub use sea_orm;
pub use serde;
pub use serde_json;
pub use utoipa;
pub use uuid;

pub use crate::auth::guard;
pub use crate::crud::{load, nested_route};
pub use crate::endpoints::{EndpointsProbe, HasEndpoints, NoEndpoints, RegisterBlock, reference};
pub use crate::hooks::{HookFuture, HookOutput, HookSet, Hooks, TypedError};
pub use crate::rate_limit::limited;
pub use crate::spec;
pub use crate::validate::checked::{Checked, all_pass};

/// The foreign key of a `belongs_to` field: `column` of `E` refers to the primary key
/// of `P`.
pub fn foreign_key<E: sea_orm::EntityTrait, P: sea_orm::EntityTrait>(
    column: &str,
) -> sea_orm::RelationDef {
    use sea_orm::{Iterable, PrimaryKeyToColumn};
    let from: E::Column = column
        .parse()
        .unwrap_or_else(|_| unreachable!("`{column}` is a column of the entity"));
    let to = P::PrimaryKey::iter()
        .next()
        .expect("every resource has a primary key")
        .into_column();
    E::belongs_to(P::default()).from(from).to(to).into()
}
pub use crate::resource::Generated;
pub use crate::validate::custom;
pub use crate::{AppState, BelongsTo};

use serde::{Deserialize, Deserializer};

/// `deserialize_with` for the optional fields of write DTOs: absent stays `None`
/// through `#[serde(default)]`, and a present value is read as a `T`. So `null` is
/// refused for a column that is not nullable, as the document says, instead of being
/// read as absent; for a nullable one `T` is an `Option`, and `null` clears it.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// The current time, for `created_at`/`updated_at` fields. Stamped at microsecond
/// precision, the finest every supported database keeps, so what a write returns equals
/// what a later read returns.
pub fn now_utc() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

/// A timestamp field's value at an instant.
pub trait Now {
    fn at(instant: chrono::DateTime<chrono::Utc>) -> Self;
}

impl Now for chrono::DateTime<chrono::Utc> {
    fn at(instant: chrono::DateTime<chrono::Utc>) -> Self {
        instant
    }
}

impl Now for chrono::NaiveDateTime {
    fn at(instant: chrono::DateTime<chrono::Utc>) -> Self {
        instant.naive_utc()
    }
}

/// Numeric defaults (`default = 0`) converted to the field's type.
pub trait FromLiteral {
    fn from_i64(value: i64) -> Self;
    fn from_f64(value: f64) -> Self;
}

macro_rules! from_literal {
    ($($t:ty),*) => {$(
        impl FromLiteral for $t {
            #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
            fn from_i64(value: i64) -> Self { value as $t }
            #[allow(clippy::cast_possible_truncation)]
            fn from_f64(value: f64) -> Self { value as $t }
        }
    )*};
}
from_literal!(i16, i32, i64, f32, f64);

impl FromLiteral for rust_decimal::Decimal {
    fn from_i64(value: i64) -> Self {
        value.into()
    }
    fn from_f64(value: f64) -> Self {
        rust_decimal::Decimal::try_from(value).unwrap_or_default()
    }
}

/// Decimals serialize normalized (`12.5`, not `12.5000000000`), so a value reads the
/// same whatever scale the database column has.
pub mod decimal {
    use rust_decimal::Decimal;
    use serde::Serializer;

    pub fn normalized<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&value.normalize())
    }

    #[allow(clippy::ref_option)]
    pub fn normalized_option<S: Serializer>(
        value: &Option<Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => normalized(value, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// How a field's value is kept in its column. Every kind is stored as itself except
/// `DateTime<Utc>`, stored as `DateTime<FixedOffset>`: the MySQL driver binds the former
/// as a `TIMESTAMP` parameter, which MySQL limits to 1970-2038 (it silently turns other
/// values into `NULL`), and the latter as a plain date-time.
pub trait Stored: Sized {
    type Column;
    fn into_column(self) -> Self::Column;
    fn from_column(column: Self::Column) -> Self;
}

macro_rules! stored_as_itself {
    ($($t:ty),*) => {$(
        impl Stored for $t {
            type Column = $t;
            fn into_column(self) -> Self { self }
            fn from_column(column: Self) -> Self { column }
        }
    )*};
}
stored_as_itself!(
    i16,
    i32,
    i64,
    f32,
    f64,
    bool,
    String,
    chrono::NaiveDateTime,
    chrono::NaiveDate,
    chrono::NaiveTime,
    uuid::Uuid,
    rust_decimal::Decimal,
    serde_json::Value
);

impl Stored for chrono::DateTime<chrono::Utc> {
    type Column = chrono::DateTime<chrono::FixedOffset>;
    fn into_column(self) -> Self::Column {
        self.fixed_offset()
    }
    fn from_column(column: Self::Column) -> Self {
        column.with_timezone(&chrono::Utc)
    }
}

impl<T: Stored> Stored for Option<T> {
    type Column = Option<T::Column>;
    fn into_column(self) -> Self::Column {
        self.map(T::into_column)
    }
    fn from_column(column: Self::Column) -> Self {
        column.map(T::from_column)
    }
}

/// Stored date-times serialize in UTC with a `Z`, exactly as `DateTime<Utc>` does.
pub mod utc {
    use chrono::{DateTime, FixedOffset};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(
        value: &DateTime<FixedOffset>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        crate::timestamp::with_utc_rfc3339(value, |text| serializer.serialize_str(text))
    }

    #[allow(clippy::ref_option)]
    pub fn serialize_option<S: Serializer>(
        value: &Option<DateTime<FixedOffset>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// What `#[derive(Resource)]` implements when the declaration has errors: a stand-in
/// entity, so code using the resource type still type-checks and the user sees the
/// macro's errors alone instead of a wall of follow-on "not a resource" errors. It is
/// never run: the crate does not compile.
pub mod fallback {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize)]
    #[sea_orm(table_name = "__ferrest_fallback")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `f` as an axum handler of `N` arguments, bounded argument by argument, so that an
/// argument that is not an extractor is reported as such instead of as a `Handler`
/// that is not implemented.
macro_rules! handlers {
    ($($name:ident: $($arg:ident),* ;)*) => {$(
        #[allow(non_snake_case, clippy::too_many_arguments)]
        pub fn $name<F, Fut, M, $($arg,)* Last>(f: F) -> impl axum::handler::Handler<(M, $($arg,)* Last), crate::AppState>
        where
            F: Fn($($arg,)* Last) -> Fut + Clone + Send + Sync + 'static,
            Fut: std::future::Future + Send + 'static,
            Fut::Output: axum::response::IntoResponse,
            $($arg: axum::extract::FromRequestParts<crate::AppState> + Send + 'static,)*
            Last: axum::extract::FromRequest<crate::AppState, M> + Send + 'static,
            M: Send + 'static,
        {
            move |$($arg: $arg,)* last: Last| f($($arg,)* last)
        }
    )*};
}

handlers! {
    handler_1: ;
    handler_2: A1;
    handler_3: A1, A2;
    handler_4: A1, A2, A3;
    handler_5: A1, A2, A3, A4;
    handler_6: A1, A2, A3, A4, A5;
    handler_7: A1, A2, A3, A4, A5, A6;
    handler_8: A1, A2, A3, A4, A5, A6, A7;
}

/// A handler without arguments.
pub fn handler_0<F, Fut>(f: F) -> impl axum::handler::Handler<((),), crate::AppState>
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: axum::response::IntoResponse,
{
    move || f()
}

/// The object schema of a `#[derive(Schema)]` struct.
pub fn object_schema(
    title: &str,
    doc: Option<&str>,
    fields: &[(
        &str,
        utoipa::openapi::RefOr<utoipa::openapi::Schema>,
        Option<&str>,
    )],
    required: &[&str],
    rules: &[crate::FieldRules],
) -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder};
    let mut object = ObjectBuilder::new()
        .title(Some(title))
        .description(doc)
        .additional_properties(Some(AdditionalProperties::FreeForm(false)));
    for (name, schema, description) in fields {
        use utoipa::openapi::{RefOr, Schema};
        let mut schema = schema.clone();
        // The rules constrain the value; of an `Option`, the value beside `null`.
        let declared = rules
            .iter()
            .find(|r| r.name == *name)
            .map_or(&[][..], |r| r.rules);
        let value = match &mut schema {
            RefOr::T(Schema::Object(object)) => Some(object),
            RefOr::T(Schema::OneOf(one_of)) => match one_of.items.first_mut() {
                Some(RefOr::T(Schema::Object(object))) => Some(object),
                _ => None,
            },
            _ => None,
        };
        if let Some(object) = value {
            let decimal = matches!(object.format, Some(utoipa::openapi::SchemaFormat::Custom(ref f)) if f == "decimal");
            crate::openapi::apply_rules(object, declared, decimal, false);
        }
        match (&mut schema, description) {
            (RefOr::T(Schema::Object(object)), Some(text)) => {
                object.description = Some((*text).to_owned());
            }
            (RefOr::T(Schema::OneOf(one_of)), Some(text)) => {
                one_of.description = Some((*text).to_owned());
            }
            _ => {}
        }
        object = object.property(*name, schema);
    }
    for name in required {
        object = object.required(*name);
    }
    object.into()
}

/// The fields of a `#[derive(Schema)]` type as query parameters: the properties of its
/// object schema, each required unless an `Option`, and an `Option`'s value schema
/// without the `null` a query string cannot send.
pub fn query_parameters(
    object: utoipa::openapi::RefOr<utoipa::openapi::Schema>,
) -> Vec<utoipa::openapi::path::Parameter> {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{RefOr, Required, Schema};
    let RefOr::T(Schema::Object(object)) = object else {
        return Vec::new();
    };
    object
        .properties
        .into_iter()
        .map(|(name, schema)| {
            let required = object.required.contains(&name);
            let (schema, description) = match schema {
                RefOr::T(Schema::OneOf(mut one_of)) if one_of.items.len() == 2 => {
                    let description = one_of.description.take();
                    (one_of.items.swap_remove(0), description)
                }
                RefOr::T(Schema::Object(mut value)) => {
                    let description = value.description.take();
                    (RefOr::T(Schema::Object(value)), description)
                }
                other => (other, None),
            };
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(if required {
                    Required::True
                } else {
                    Required::False
                })
                .description(description)
                .schema(Some(schema))
                .build()
        })
        .collect()
}

/// The problems axum's extractors answer with before the method runs: a `400` for a
/// malformed path or query parameter or JSON body, `415` and `422` for a JSON body.
pub fn rejections(
    responses: &mut Vec<crate::endpoints::DocumentedResponse>,
    parameters: bool,
    json: bool,
) {
    let mut add = |status: &str, description: &str| {
        if !responses.iter().any(|(s, _)| s == status) {
            responses.push((status.to_owned(), crate::openapi::problem(description)));
        }
    };
    if parameters || json {
        add(
            "400",
            "A path or query parameter, or the JSON body, is malformed.",
        );
    }
    if json {
        add("415", "The body is not `application/json`.");
        add(
            "422",
            "The JSON body does not have the expected shape, or breaks a validation rule (`validation_failed`, with an entry per field in `errors`).",
        );
    }
}
