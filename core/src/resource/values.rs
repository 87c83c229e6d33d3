//! How a field's value travels between a write body, its column and the wire: what
//! the generated DTOs, entity and conversions call.

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
