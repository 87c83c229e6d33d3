//! Typed values from query strings and cursors: the text is checked against the
//! field's kind exactly as a body value would be, then bound as a typed SQL parameter,
//! so no value ever reaches the database as SQL text.

use sea_orm::Value as SqlValue;
use serde_json::Value;

use crate::spec::{FieldSpec, Kind};
use crate::validate::{Storage, check_kind};

/// The text of one query value as the JSON value a body would carry for this kind.
fn as_json(kind: Kind, text: &str) -> Value {
    match kind {
        // Only plain decimal numbers: `serde_json` would also read `1e3`.
        Kind::I16 | Kind::I32 | Kind::I64 | Kind::F32 | Kind::F64 if is_plain_number(text) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
        }
        Kind::Bool => match text {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            other => Value::String(other.to_owned()),
        },
        _ => Value::String(text.to_owned()),
    }
}

/// `-12`, `3.5`: digits, an optional sign and fraction, nothing else.
fn is_plain_number(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
}

/// Parses one query value of `field`; the error completes "must be ...".
pub(crate) fn parse_text(
    field: &FieldSpec,
    text: &str,
    storage: Storage,
) -> Result<SqlValue, String> {
    from_json(field.kind, &as_json(field.kind, text), storage)
}

/// The SQL value of a JSON value of `kind`, after the same check a body value gets on
/// the database: a decimal SQLite could not keep is refused here too, rather than
/// compared after rounding.
pub(crate) fn from_json(kind: Kind, value: &Value, storage: Storage) -> Result<SqlValue, String> {
    check_kind(kind, value, storage).map_err(|expected| format!("must be {expected}"))?;
    let text = value.as_str().unwrap_or_default();
    let checked = "checked by check_kind";
    Ok(match kind {
        Kind::I16 => SqlValue::from(
            i16::try_from(crate::validate::as_integer(value).expect(checked)).expect(checked),
        ),
        Kind::I32 => SqlValue::from(
            i32::try_from(crate::validate::as_integer(value).expect(checked)).expect(checked),
        ),
        Kind::I64 => SqlValue::from(crate::validate::as_integer(value).expect(checked)),
        Kind::F32 => SqlValue::from(value.as_f64().expect(checked) as f32),
        Kind::F64 => SqlValue::from(value.as_f64().expect(checked)),
        Kind::Bool => SqlValue::from(value.as_bool().expect(checked)),
        Kind::String => SqlValue::from(text.to_owned()),
        // Stored as UTC with a fixed offset (see `__private::Stored`); compared alike.
        Kind::DateTime => SqlValue::from(
            chrono::DateTime::parse_from_rfc3339(text)
                .expect(checked)
                .with_timezone(&chrono::Utc)
                .fixed_offset(),
        ),
        Kind::NaiveDateTime => {
            SqlValue::from(text.parse::<chrono::NaiveDateTime>().expect(checked))
        }
        Kind::Date => SqlValue::from(text.parse::<chrono::NaiveDate>().expect(checked)),
        Kind::Time => SqlValue::from(text.parse::<chrono::NaiveTime>().expect(checked)),
        Kind::Uuid => SqlValue::from(text.parse::<uuid::Uuid>().expect(checked)),
        Kind::Decimal => SqlValue::from(text.parse::<rust_decimal::Decimal>().expect(checked)),
        Kind::Json => return Err("not a JSON value: JSON fields cannot be filtered".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_plain_decimals() {
        assert_eq!(as_json(Kind::I64, "12"), Value::from(12));
        assert_eq!(as_json(Kind::I64, "-12"), Value::from(-12));
        assert_eq!(as_json(Kind::F64, "1.5"), Value::from(1.5));
        for text in ["", " 1", "1e3", "0x10", "--1", "NaN", "1;", "1.5.5", "."] {
            assert!(as_json(Kind::F64, text).is_string(), "{text}");
        }
    }

    #[test]
    fn values_are_checked_like_body_values() {
        assert!(from_json(Kind::I16, &Value::from(40_000), Storage::EXACT).is_err());
        assert!(from_json(Kind::DateTime, &Value::from("2024-01-01"), Storage::EXACT).is_err());
        assert!(from_json(Kind::String, &Value::from("a\0b"), Storage::EXACT).is_err());
        assert_eq!(
            from_json(
                Kind::String,
                &Value::from("'; drop table books; --"),
                Storage::EXACT
            )
            .unwrap(),
            SqlValue::from("'; drop table books; --".to_owned())
        );
    }
}
