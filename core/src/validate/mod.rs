//! Request body validation from a [`ResourceSpec`]: shape, types and declarative rules,
//! every failure collected at once so a client fixes its request in one round trip.

pub(crate) mod body;
pub(crate) mod checked;
mod defaults;
mod found;
pub(crate) mod typed;
mod unique_keys;
pub(crate) mod valid;

pub(crate) use body::MAX_BODY_BYTES;
pub(crate) use found::Found;

use chrono::{Datelike, Timelike};
use serde_json::Value;

use crate::problem::FieldError;
use crate::spec::{FieldSpec, Kind, Literal, ResourceSpec, Role, Rule};

/// Which DTO a body is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Write {
    /// `POST`: required fields must be present.
    Create,
    /// `PATCH`: every field is optional; `null` clears a nullable field.
    Update,
}

/// Checks `body` against the writable fields of `spec`.
///
/// Returns every problem found: unknown or read-only properties, missing required
/// fields, `null` where the field is not nullable, wrong JSON types and rule failures.
///
/// ```
/// use ferrest::validate::{check_body, Write};
/// # use ferrest::spec::*;
/// # static SPEC: ResourceSpec = ResourceSpec { name: "Tag", table: "tags", path: "/tags",
/// #   plural: "Tags", tag: "Tags", doc: None, operations: Operations::ALL, max_limit: 100,
/// #   access: ferrest::auth::Access::PUBLIC, require_if_match: false, owner_bypass: None,
/// #   owner_scope: OwnerScope::All,
/// #   rate_limit: None,
/// #   pagination: Pagination::Offset, relations: &[], includes: &[],
/// #   load: |_, _, _| Box::pin(async { Ok(Vec::new()) }), fields: &[
/// #   FieldSpec { name: "id", kind: Kind::I64, nullable: false, role: Role::Id, default: None,
/// #     unique: false, rules: &[], doc: None, filters: &[], sort: false,
/// #     write: FieldWrite::Anyone },
/// #   FieldSpec { name: "label", kind: Kind::String, nullable: false, role: Role::Data,
/// #     default: None, unique: false, rules: &[Rule::Length { min: Some(1), max: Some(8) }],
/// #     doc: None, filters: &[], sort: false, write: FieldWrite::Anyone }] };
/// let errors = check_body(&SPEC, &serde_json::json!({"label": "", "colour": 1}), Write::Create);
/// let codes: Vec<_> = errors.iter().map(|e| (e.pointer.as_str(), &*e.code)).collect();
/// assert_eq!(codes, [("/colour", "unknown_field"), ("/label", "length")]);
/// ```
pub fn check_body(spec: &ResourceSpec, body: &Value, mode: Write) -> Vec<FieldError> {
    check_body_in(spec, body, mode, Storage::EXACT)
}

/// What a database keeps exactly, where backends differ; values beyond it are refused
/// rather than silently changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Storage {
    /// Significant digits of a `Decimal` kept exactly.
    pub decimal_digits: u32,
}

impl Storage {
    /// PostgreSQL and MySQL: `numeric(30,10)` holds every accepted decimal.
    pub const EXACT: Storage = Storage { decimal_digits: 28 };
    /// SQLite: sea-orm reads decimals back through an `f64`, exact to 15 digits.
    pub const SQLITE: Storage = Storage { decimal_digits: 15 };

    /// The limits of a backend.
    pub fn of(backend: sea_orm::DbBackend) -> Self {
        if backend == sea_orm::DbBackend::Sqlite {
            Storage::SQLITE
        } else {
            Storage::EXACT
        }
    }
}

/// [`check_body`] for a database with the given [`Storage`].
pub fn check_body_in(
    spec: &ResourceSpec,
    body: &Value,
    mode: Write,
    storage: Storage,
) -> Vec<FieldError> {
    check_value_body(spec, body, mode, storage).listed
}

/// [`check_body_in`], counting unknown keys past the first ones.
pub(crate) fn check_value_body(
    spec: &ResourceSpec,
    body: &Value,
    mode: Write,
    storage: Storage,
) -> Found {
    match body.as_object() {
        Some(object) => check_members(
            spec,
            object.iter().map(|(k, v)| (k.as_str(), v)),
            mode,
            storage,
        ),
        None => Found::one(not_an_object(body)),
    }
}

fn not_an_object(body: &Value) -> FieldError {
    FieldError::body(
        "type",
        format!("expected a JSON object, found {}", json_type(body)),
    )
}

/// [`check_body_in`] on the members of a JSON object.
pub(crate) fn check_members<'a>(
    spec: &ResourceSpec,
    members: impl Iterator<Item = (&'a str, &'a Value)>,
    mode: Write,
    storage: Storage,
) -> Found {
    // One pass over the body finds each field's value (no lookup by name per field);
    // the errors still come in the order of the body's unknown keys, then of the fields.
    let mut found = Found::default();
    let mut values: Vec<Option<&Value>> = vec![None; spec.fields.len()];
    for (key, value) in members {
        match spec.fields.iter().position(|f| f.name == key) {
            Some(i) if spec.fields[i].role == Role::Data => values[i] = Some(value),
            Some(_) => found.listed.push(FieldError::new(
                key,
                "read_only",
                format!("`{key}` is set by the server and cannot be written"),
            )),
            None => found.unknown(key, spec.writable_fields().map(|f| f.name)),
        }
    }
    let errors = &mut found.listed;
    for (field, value) in spec.fields.iter().zip(values) {
        if field.role != Role::Data {
            continue;
        }
        match value {
            None if mode == Write::Create && field.required_on_create() => {
                errors.push(FieldError::new(field.name, "required", "is required"));
            }
            None => {}
            Some(Value::Null) if field.nullable => {}
            Some(Value::Null) => {
                errors.push(FieldError::new(field.name, "not_null", "must not be null"))
            }
            Some(value) => check_value(field, value, storage, errors),
        }
    }
    found
}

/// The members of a JSON object, in order, parsed but not typed: a write body that
/// its DTO did not take (see `checked`). Cheaper than a `Value`'s map (no
/// hashing, one allocation for the list) for one pass of checks then the typed value.
/// A name given twice keeps its last value, as a map would.
pub(crate) struct Members(pub Vec<(String, Value)>);

impl<'de> serde::Deserialize<'de> for Members {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Members;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members, A::Error> {
                let mut members: Vec<(String, Value)> = Vec::with_capacity(16);
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(last_of_each_name(members)))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

fn last_of_each_name(mut members: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let unique = if members.len() <= 32 {
        members
            .iter()
            .enumerate()
            .all(|(i, (name, _))| members[..i].iter().all(|(other, _)| other != name))
    } else {
        let mut names: Vec<&str> = members.iter().map(|(name, _)| name.as_str()).collect();
        names.sort_unstable();
        names.windows(2).all(|pair| pair[0] != pair[1])
    };
    if unique {
        return members;
    }
    let mut seen = std::collections::HashSet::new();
    members.reverse();
    members.retain(|(name, _)| seen.insert(name.clone()));
    members.reverse();
    members
}

impl Members {
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// [`normalize_numbers`] on the members.
    pub(crate) fn normalize_numbers(&mut self, spec: &ResourceSpec) {
        for (key, value) in &mut self.0 {
            normalize_number(spec, key, value);
        }
    }

    /// The typed value, as [`typed_value`] makes it.
    pub(crate) fn typed<T: serde::de::DeserializeOwned>(
        self,
        found: Found,
        custom: impl FnOnce(&T, &mut Vec<FieldError>),
    ) -> Result<T, crate::ApiError> {
        use serde::de::value::MapDeserializer;
        let members = MapDeserializer::<_, serde_json::Error>::new(self.0.into_iter());
        typed_value(T::deserialize(members), found, custom)
    }
}

/// Checks a body against the properties of a `#[derive(Schema)]` type: unknown and
/// missing properties, `null` where one is required, and each present value's rules.
/// Types are left to serde, which knows the Rust types.
pub fn check_object(fields: &[valid::FieldRules], body: &Value) -> Vec<FieldError> {
    check_object_counted(fields, body).listed
}

/// [`check_object`], counting unknown keys past the first ones.
pub(crate) fn check_object_counted(fields: &[valid::FieldRules], body: &Value) -> Found {
    let Some(object) = body.as_object() else {
        return Found::one(not_an_object(body));
    };
    let mut found = Found::default();
    for key in object.keys() {
        if !fields.iter().any(|f| f.name == key) {
            found.unknown(key, fields.iter().map(|f| f.name));
        }
    }
    let errors = &mut found.listed;
    for field in fields {
        match (object.get(field.name), field.required) {
            (None, true) => errors.push(FieldError::new(field.name, "required", "is required")),
            (None | Some(Value::Null), false) => {}
            (Some(Value::Null), true) => {
                errors.push(FieldError::new(field.name, "not_null", "must not be null"))
            }
            (Some(value), _) => {
                for rule in field.rules {
                    if let Err(detail) = check_rule(rule, value) {
                        errors.push(FieldError::new(field.name, rule.code(), detail));
                    }
                }
            }
        }
    }
    found
}

/// Adds what custom validators find to the declared checks' `errors`. They speak only
/// for fields whose declared rules passed, so a field is not reported twice for one
/// mistake.
pub(crate) fn add_custom(errors: &mut Vec<FieldError>, run: impl FnOnce(&mut Vec<FieldError>)) {
    let mut custom = Vec::new();
    run(&mut custom);
    custom.retain(|c| !errors.iter().any(|e| e.pointer == c.pointer));
    errors.extend(custom);
}

/// The typed value of a body (`typed`, as serde made it) the declared checks found
/// `errors` in, with its custom validators run; every failure of both stages is
/// reported together, and a type error only when the declared checks found nothing.
pub(crate) fn typed_value<T>(
    typed: Result<T, serde_json::Error>,
    mut found: Found,
    custom: impl FnOnce(&T, &mut Vec<FieldError>),
) -> Result<T, crate::ApiError> {
    match typed {
        Ok(value) => {
            add_custom(&mut found.listed, |errors| custom(&value, errors));
            found.into_result().map(|()| value)
        }
        Err(e) => {
            if found.listed.is_empty() && found.unlisted == 0 {
                found.listed.push(FieldError::body("type", e.to_string()));
            }
            Err(found.into_error())
        }
    }
}

/// Type check, then the field's rules; a value of the wrong type is not rule checked.
pub(crate) fn check_value(
    field: &FieldSpec,
    value: &Value,
    storage: Storage,
    errors: &mut Vec<FieldError>,
) {
    if let Err(expected) = check_kind(field.kind, value, storage) {
        errors.push(FieldError::new(
            field.name,
            "type",
            format!("expected {expected}, found {}", json_type(value)),
        ));
        return;
    }
    for rule in field.rules {
        if let Err(detail) = check_rule(rule, value) {
            errors.push(FieldError::new(field.name, rule.code(), detail));
        }
    }
}

pub(crate) fn check_kind(kind: Kind, value: &Value, storage: Storage) -> Result<(), &'static str> {
    let ok = match kind {
        Kind::I16 | Kind::I32 | Kind::I64 => {
            let (min, max) = kind.integer_bounds().unwrap_or((i64::MIN, i64::MAX));
            return match as_integer(value) {
                Some(n) if (min..=max).contains(&n) => Ok(()),
                _ => Err(match kind {
                    Kind::I16 => "an integer between -32768 and 32767",
                    Kind::I32 => "an integer between -2147483648 and 2147483647",
                    _ => "a 64-bit integer",
                }),
            };
        }
        // An f32 keeps magnitudes between about 1.2e-38 and 3.4e38; outside, a value
        // would be stored as 0 or infinity.
        Kind::F32 => value.as_f64().is_some_and(|n| {
            let single = n as f32;
            single.is_finite() && (n == 0.0 || single.abs() >= f32::MIN_POSITIVE)
        }),
        Kind::F64 => value.is_number(),
        Kind::Bool => value.is_boolean(),
        // PostgreSQL cannot store U+0000 in text; refusing it everywhere keeps the
        // backends alike.
        Kind::String => {
            return match value.as_str() {
                None => Err("a string"),
                // What `Kind::String.pattern()` documents, without a regex per value.
                Some(text) if text.contains('\0') => {
                    Err("a string without the NUL character (U+0000)")
                }
                Some(_) => Ok(()),
            };
        }
        Kind::Json => {
            return if has_nul(value) {
                Err("JSON without the NUL character (U+0000) in its strings")
            } else if depth(value) > MAX_JSON_DEPTH {
                Err("JSON nested at most 30 levels deep")
            } else {
                Ok(())
            };
        }
        Kind::DateTime => {
            return parse_str(
                value,
                "an RFC 3339 date-time with offset, in the years 0001 to 9999, to the microsecond at most",
                |s| {
                    matches_kind(Kind::DateTime, s)
                        && chrono::DateTime::parse_from_rfc3339(s)
                            .is_ok_and(|t| storable_date_time(&t.naive_utc()))
                },
            );
        }
        Kind::NaiveDateTime => {
            return parse_str(
                value,
                "a date-time like 2024-01-31T12:00:00, in the years 0001 to 9999, to the microsecond at most",
                |s| {
                    s.parse::<chrono::NaiveDateTime>()
                        .is_ok_and(|t| storable_date_time(&t))
                },
            );
        }
        Kind::Date => {
            return parse_str(
                value,
                "a date like 2024-01-31, in the years 0001 to 9999",
                |s| {
                    s.parse::<chrono::NaiveDate>()
                        .is_ok_and(|d| storable_year(d.year()))
                },
            );
        }
        Kind::Time => {
            return parse_str(
                value,
                "a time like 12:30:00, to the microsecond at most",
                |s| {
                    s.parse::<chrono::NaiveTime>()
                        .is_ok_and(|t| storable_nanos(t.nanosecond()))
                },
            );
        }
        Kind::Uuid => {
            return parse_str(value, "a UUID", |s| s.parse::<uuid::Uuid>().is_ok());
        }
        Kind::Decimal => {
            let expected = if storage.decimal_digits < Storage::EXACT.decimal_digits {
                "a decimal number as a string, like \"12.50\", with at most 18 integer digits, 10 decimal places and 15 significant digits"
            } else {
                "a decimal number as a string, like \"12.50\", with at most 18 integer digits and 10 decimal places"
            };
            return parse_str(value, expected, |s| {
                // The pattern bounds the digits to what `numeric(30,10)` keeps.
                matches_kind(Kind::Decimal, s)
                    && s.parse::<rust_decimal::Decimal>()
                        .is_ok_and(|d| significant_digits(d) <= storage.decimal_digits)
            });
        }
    };
    if ok { Ok(()) } else { Err(kind_name(kind)) }
}

fn matches_kind(kind: Kind, text: &str) -> bool {
    kind.pattern().is_none_or(|p| p.is_match(text))
}

fn significant_digits(value: rust_decimal::Decimal) -> u32 {
    let digits = value.normalize().mantissa().unsigned_abs().to_string();
    u32::try_from(digits.len()).unwrap_or(u32::MAX)
}

/// Every backend stores the years 0001 to 9999 (MySQL's `datetime` ends there, and
/// RFC 3339 has four-digit years) and microseconds, without leap seconds; anything
/// else would be changed on the way in, differently per backend.
pub(crate) fn storable_date_time(value: &chrono::NaiveDateTime) -> bool {
    storable_year(value.year()) && storable_nanos(value.nanosecond())
}

pub(crate) fn storable_year(year: i32) -> bool {
    (1..=9999).contains(&year)
}

/// Whole microseconds, and no leap second (chrono marks one with nanos >= 10^9).
pub(crate) fn storable_nanos(nanos: u32) -> bool {
    nanos < 1_000_000_000 && nanos.is_multiple_of(1_000)
}

/// MariaDB's JSON check refuses 32 levels and more; one limit keeps backends alike.
pub const MAX_JSON_DEPTH: usize = 30;

fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn has_nul(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(has_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// An integer, also when written with a zero fraction (`628.0`): JSON Schema counts
/// those as integers, so clients and generators may send them.
pub(crate) fn as_integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().and_then(whole)),
        _ => None,
    }
}

/// A float with no fraction, within the integers an `f64` holds exactly.
fn whole(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15).then_some(f as i64)
}

/// Rewrites whole floats in integer fields as integers (`628.0` -> `628`), so the typed
/// DTO accepts what validation accepted, and `-0.0` in float fields as `0.0`, which
/// PostgreSQL would keep and the other backends would not.
pub fn normalize_numbers(spec: &ResourceSpec, body: &mut Value) {
    let Some(object) = body.as_object_mut() else {
        return;
    };
    for (key, value) in object.iter_mut() {
        normalize_number(spec, key, value);
    }
}

fn normalize_number(spec: &ResourceSpec, key: &str, value: &mut Value) {
    if !value.is_f64() {
        return;
    }
    let Some(field) = spec.writable_fields().find(|f| f.name == key) else {
        return;
    };
    match field.kind {
        Kind::I16 | Kind::I32 | Kind::I64 => {
            if let Some(n) = as_integer(value) {
                *value = Value::from(n);
            }
        }
        Kind::F32 | Kind::F64 if value.as_f64() == Some(0.0) => *value = Value::from(0.0),
        _ => {}
    }
}

/// Rewrites every whole float of a `#[derive(Schema)]` body as an integer (`20.0` ->
/// `20`), at any depth. JSON Schema, and so the document, counts `20.0` as an integer,
/// but serde does not deserialize it into an `i64`; unlike a resource's fields, the
/// properties of such a type carry no kind here, so every whole float is rewritten.
/// That is harmless for the other types: a float field reads `20` as `20.0`, and the
/// two are the same JSON number. `-0.0` becomes `0`, as in [`normalize_numbers`].
pub(crate) fn whole_floats_as_integers(value: &mut Value) {
    match value {
        Value::Number(_) if value.is_f64() => {
            if let Some(n) = as_integer(value) {
                *value = Value::from(n);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_floats_as_integers),
        Value::Object(object) => object.values_mut().for_each(whole_floats_as_integers),
        _ => {}
    }
}

fn parse_str(
    value: &Value,
    expected: &'static str,
    parses: impl Fn(&str) -> bool,
) -> Result<(), &'static str> {
    match value.as_str() {
        Some(s) if parses(s) => Ok(()),
        _ => Err(expected),
    }
}

fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::F32 => "a number within the range of a 32-bit float",
        Kind::F64 => "a number",
        Kind::Bool => "a boolean",
        _ => "a string",
    }
}

fn check_rule(rule: &Rule, value: &Value) -> Result<(), String> {
    check_rule_on(rule, Scalar::of(value))
}

/// What the rules see of a value: a JSON value's, or a typed field's (see [`Checked`]),
/// so both are judged by one piece of code.
#[derive(Clone, Copy)]
pub(crate) enum Scalar<'a> {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    /// `null`, an array or an object: no rule but `one_of` speaks of them.
    Other,
}

impl<'a> Scalar<'a> {
    fn of(value: &'a Value) -> Self {
        match value {
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => Scalar::Int(i),
                None => Scalar::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Scalar::Str(s),
            _ => Scalar::Other,
        }
    }

    /// An integer, also when written with a zero fraction: see [`as_integer`].
    fn as_integer(self) -> Option<i64> {
        match self {
            Scalar::Int(i) => Some(i),
            Scalar::Float(f) => whole(f),
            _ => None,
        }
    }
}

pub(crate) fn check_rule_on(rule: &Rule, value: Scalar) -> Result<(), String> {
    match rule {
        Rule::Length { min, max } => {
            let Scalar::Str(text) = value else {
                return Ok(());
            };
            let len = text.chars().count() as u64;
            let within = min.is_none_or(|m| len >= m) && max.is_none_or(|m| len <= m);
            if within {
                return Ok(());
            }
            Err(match (min, max) {
                (Some(min), Some(max)) => {
                    format!("must be between {min} and {max} characters long, found {len}")
                }
                (Some(min), None) => format!("must be at least {min} characters long, found {len}"),
                (None, Some(max)) => format!("must be at most {max} characters long, found {len}"),
                (None, None) => unreachable!("an unbounded length always passes"),
            })
        }
        Rule::Range { min, max } => {
            let Some(n) = number(value) else {
                return Ok(());
            };
            match (min, max) {
                (Some(min), _) if compare(&n, *min).is_lt() => {
                    Err(format!("must be at least {min}"))
                }
                (_, Some(max)) if compare(&n, *max).is_gt() => {
                    Err(format!("must be at most {max}"))
                }
                _ => Ok(()),
            }
        }
        Rule::Pattern(pattern) => match value {
            Scalar::Str(text) if !pattern.is_match(text) => {
                Err(format!("must match the pattern `{}`", pattern.source()))
            }
            _ => Ok(()),
        },
        Rule::Email => match value {
            Scalar::Str(text) if !is_email(text) => Err("must be an e-mail address".to_owned()),
            _ => Ok(()),
        },
        Rule::OneOf(allowed) => {
            if allowed.iter().any(|lit| literal_matches(*lit, value)) {
                Ok(())
            } else {
                let list: Vec<String> = allowed.iter().map(|l| l.to_json().to_string()).collect();
                Err(format!("must be one of: {}", list.join(", ")))
            }
        }
    }
}

/// A number from a body: integers and decimal strings exactly, other numbers as floats.
enum Number {
    Exact(rust_decimal::Decimal),
    Float(f64),
}

fn number(value: Scalar) -> Option<Number> {
    match value {
        Scalar::Int(n) => Some(Number::Exact(n.into())),
        Scalar::Float(f) => Some(Number::Float(f)),
        Scalar::Str(s) => s.parse().ok().map(Number::Exact),
        Scalar::Bool(_) | Scalar::Other => None,
    }
}

/// Compares exactly where the value is exact, so `range(max = 9007199254740992)` holds
/// for `9007199254740993`, which an `f64` comparison would let through.
fn compare(value: &Number, bound: f64) -> std::cmp::Ordering {
    use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
    match value {
        Number::Exact(d) => match rust_decimal::Decimal::from_f64(bound) {
            Some(bound) => d.cmp(&bound),
            None => d.to_f64().unwrap_or(f64::NAN).total_cmp(&bound),
        },
        // `partial_cmp`, so that `-0.0` equals `0` as JSON Schema's `minimum` has it.
        Number::Float(f) => f.partial_cmp(&bound).unwrap_or(std::cmp::Ordering::Equal),
    }
}

fn literal_matches(lit: Literal, value: Scalar) -> bool {
    match (lit, value) {
        (Literal::Bool(b), Scalar::Bool(v)) => b == v,
        (Literal::Int(i), _) => value.as_integer() == Some(i),
        (Literal::Float(f), Scalar::Int(v)) => v as f64 == f,
        (Literal::Float(f), Scalar::Float(v)) => v == f,
        (Literal::Str(s), Scalar::Str(v)) => s == v,
        _ => false,
    }
}

/// The WHATWG "valid e-mail address" production (what `<input type=email>` accepts),
/// written out rather than as a regex so it needs no compilation.
pub fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    // The dot-atom of RFC 5322 (no leading, trailing or doubled dots) and its length
    // limits: stricter than HTML, so every accepted address also passes JSON Schema's
    // `format: email`.
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c))
        });
    let domain_ok = !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Runs a custom validator (`validate(with = path)`) on a present value.
///
/// Generated code calls this for each field that declares one.
pub fn custom<T: ?Sized>(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &T,
    check: impl Fn(&T) -> Result<(), Invalid>,
) {
    if let Err(invalid) = check(value) {
        errors.push(FieldError::new(field, invalid.code, invalid.detail));
    }
}

/// The failure a custom validator returns.
///
/// ```
/// use ferrest::Invalid;
/// fn not_shouting(title: &String) -> Result<(), Invalid> {
///     if title.chars().any(char::is_lowercase) { Ok(()) }
///     else { Err(Invalid::new("shouting", "must not be all capitals")) }
/// }
/// assert!(not_shouting(&"RUST".to_owned()).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    code: std::borrow::Cow<'static, str>,
    detail: String,
}

impl Invalid {
    /// A failure with a stable `code` and a sentence for humans.
    pub fn new(code: impl Into<std::borrow::Cow<'static, str>>, detail: impl Into<String>) -> Self {
        Invalid {
            code: code.into(),
            detail: detail.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Members, is_email};

    #[test]
    fn a_name_given_twice_keeps_its_last_value_as_a_map_would() {
        let members = |json: &str| -> Vec<(String, serde_json::Value)> {
            serde_json::from_str::<Members>(json).unwrap().0
        };
        assert_eq!(
            members(r#"{"a": 1, "b": 2, "a": 3}"#),
            [("b".into(), 2.into()), ("a".into(), 3.into())]
        );
        // Past 32 members the duplicates are found by sorting the names.
        let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\": {i}")).collect();
        let json = format!("{{{}, \"k3\": 99}}", many.join(", "));
        let found = members(&json);
        assert_eq!(found.len(), 40);
        assert_eq!(found.last().unwrap(), &("k3".into(), 99.into()));
        assert!(serde_json::from_str::<Members>("[1]").is_err());
    }

    #[test]
    fn email_follows_the_html_rule() {
        assert!(is_email("ada@example.org"));
        assert!(is_email("a.b+tag@x-y.example"));
        assert!(!is_email("ada"));
        assert!(!is_email("ada@"));
        assert!(!is_email("@example.org"));
        assert!(!is_email("ada@exa mple.org"));
        assert!(!is_email("ada@-example.org"));
        assert!(!is_email("ada@example..org"));
        assert!(!is_email(".ada@example.org"));
        assert!(!is_email("a..da@example.org"));
        assert!(!is_email(&format!("{}@example.org", "a".repeat(65))));
    }
}
