//! The declared checks of a write body, on its typed value: the fast path of a valid
//! body. A body is read straight into its DTO and checked there, without building a
//! JSON value first; only a body that fails, or that the typed value cannot judge, is
//! read as JSON and checked by [`crate::validate`], which names every failure.

use crate::spec::{FieldSpec, ResourceSpec};
use crate::validate::{Scalar, Storage, check_rule_on};

/// A write DTO's field value, judged without its JSON.
///
/// `passes` is `true` only where [`crate::validate::check_body`] would find nothing
/// wrong with the JSON the value was read from. Where the typed value has forgotten
/// what that check looks at (the text of a date-time or a decimal, the digits of a
/// float before rounding) it is `false`, and the body takes the JSON path, which
/// decides and explains.
pub trait Checked {
    /// Whether the value meets its kind's limits and `field`'s rules.
    fn passes(&self, field: &FieldSpec, storage: Storage) -> bool;
}

/// Whether each writable field of `spec`, in order, passes with its value in `values`.
pub fn all_pass(spec: &ResourceSpec, storage: Storage, values: &[&dyn Checked]) -> bool {
    spec.writable_fields()
        .zip(values)
        .all(|(field, value)| value.passes(field, storage))
}

/// An absent field, or `null` where the field is nullable: the DTO's deserializer
/// refuses `null` for the others.
impl<T: Checked> Checked for Option<T> {
    fn passes(&self, field: &FieldSpec, storage: Storage) -> bool {
        self.as_ref()
            .is_none_or(|value| value.passes(field, storage))
    }
}

fn rules_pass(field: &FieldSpec, value: Scalar) -> bool {
    field
        .rules
        .iter()
        .all(|rule| check_rule_on(rule, value).is_ok())
}

// serde has refused integers out of the type's range, and floats with a fraction
// (whole floats, `628.0`, fail too: the JSON path rewrites them).
macro_rules! integer_checked {
    ($($t:ty),*) => {$(
        impl Checked for $t {
            fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
                rules_pass(field, Scalar::Int(i64::from(*self)))
            }
        }
    )*};
}
integer_checked!(i16, i32, i64);

impl Checked for bool {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        rules_pass(field, Scalar::Bool(*self))
    }
}

impl Checked for String {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        !self.contains('\0') && rules_pass(field, Scalar::Str(self))
    }
}

/// `-0.0` takes the JSON path, which stores it as `0.0`. With rules, so do magnitudes
/// from 2^53 on: an integer there was rounded on its way into the `f64`, and the JSON
/// path compares the integer itself. NaN and the infinities, which no JSON body holds
/// but a value built in code may, take it too, and are refused there.
impl Checked for f64 {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        let exact = field.rules.is_empty() || self.abs() < 9_007_199_254_740_992.0;
        self.is_finite()
            && !(*self == 0.0 && self.is_sign_negative())
            && exact
            && rules_pass(field, Scalar::Float(*self))
    }
}

/// An `f32` was rounded from what the body said: zero may have been a tiny number the
/// JSON path refuses, and rules compare the unrounded number. Those take the JSON path.
impl Checked for f32 {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        field.rules.is_empty() && self.is_finite() && self.abs() >= f32::MIN_POSITIVE
    }
}

/// A `null` here was sent for a field that is not nullable (a nullable one reads it
/// as `None`), which the JSON path refuses.
impl Checked for serde_json::Value {
    fn passes(&self, field: &FieldSpec, storage: Storage) -> bool {
        if self.is_null() {
            return false;
        }
        let mut errors = Vec::new();
        crate::validate::check_value(field, self, storage, &mut errors);
        errors.is_empty()
    }
}

// chrono and uuid read these with the same `FromStr` as the JSON path; rules on them
// look at the text, which the typed value no longer has.
impl Checked for chrono::NaiveDate {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        use chrono::Datelike;
        field.rules.is_empty() && crate::validate::storable_year(self.year())
    }
}

impl Checked for chrono::NaiveTime {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        use chrono::Timelike;
        field.rules.is_empty() && crate::validate::storable_nanos(self.nanosecond())
    }
}

impl Checked for chrono::NaiveDateTime {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        field.rules.is_empty() && crate::validate::storable_date_time(self)
    }
}

impl Checked for uuid::Uuid {
    fn passes(&self, field: &FieldSpec, _: Storage) -> bool {
        field.rules.is_empty()
    }
}

/// chrono reads a relaxed RFC 3339 (a space for the `T`, say) that the document does
/// not allow: only the JSON path sees the text.
impl Checked for chrono::DateTime<chrono::Utc> {
    fn passes(&self, _: &FieldSpec, _: Storage) -> bool {
        false
    }
}

/// rust_decimal also reads JSON numbers, which the document does not allow: only the
/// JSON path sees what was sent.
impl Checked for rust_decimal::Decimal {
    fn passes(&self, _: &FieldSpec, _: Storage) -> bool {
        false
    }
}
