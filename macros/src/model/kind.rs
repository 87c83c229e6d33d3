//! Rust field types to value kinds. The set is closed: each kind has a column type,
//! a JSON Schema type and a request-time type check in `ferrest::spec::Kind`.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

use crate::errors::Errors;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    I16,
    I32,
    I64,
    F32,
    F64,
    Bool,
    String,
    DateTime,
    NaiveDateTime,
    Date,
    Time,
    Uuid,
    Decimal,
    Json,
}

impl Kind {
    /// The variant name of `ferrest::spec::Kind`.
    pub fn variant(self) -> &'static str {
        match self {
            Kind::I16 => "I16",
            Kind::I32 => "I32",
            Kind::I64 => "I64",
            Kind::F32 => "F32",
            Kind::F64 => "F64",
            Kind::Bool => "Bool",
            Kind::String => "String",
            Kind::DateTime => "DateTime",
            Kind::NaiveDateTime => "NaiveDateTime",
            Kind::Date => "Date",
            Kind::Time => "Time",
            Kind::Uuid => "Uuid",
            Kind::Decimal => "Decimal",
            Kind::Json => "Json",
        }
    }

    /// Inclusive bounds of the integer kinds.
    pub fn integer_bounds(self) -> Option<(i64, i64)> {
        match self {
            Kind::I16 => Some((i16::MIN.into(), i16::MAX.into())),
            Kind::I32 => Some((i32::MIN.into(), i32::MAX.into())),
            Kind::I64 => Some((i64::MIN, i64::MAX)),
            _ => None,
        }
    }

    pub fn is_integer(self) -> bool {
        matches!(self, Kind::I16 | Kind::I32 | Kind::I64)
    }

    pub fn is_number(self) -> bool {
        self.is_integer() || matches!(self, Kind::F32 | Kind::F64 | Kind::Decimal)
    }

    /// Values every backend orders alike: numbers, text (by code point, see
    /// `ferrest`'s schema alignment), dates and times.
    pub fn is_ordered(self) -> bool {
        self.is_number()
            || matches!(
                self,
                Kind::String | Kind::DateTime | Kind::NaiveDateTime | Kind::Date | Kind::Time
            )
    }

    pub fn is_timestamp(self) -> bool {
        matches!(self, Kind::DateTime | Kind::NaiveDateTime)
    }

    /// How the kind reads in an error message after "a"/"an": "an `i64` field".
    pub fn describe_with_article(self) -> String {
        let article = match self {
            Kind::I16 | Kind::I32 | Kind::I64 | Kind::F32 | Kind::F64 => "an",
            _ => "a",
        };
        format!("{article} {}", self.describe())
    }

    /// How the kind reads in an error message.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::I16 => "`i16`",
            Kind::I32 => "`i32`",
            Kind::I64 => "`i64`",
            Kind::F32 => "`f32`",
            Kind::F64 => "`f64`",
            Kind::Bool => "`bool`",
            Kind::String => "`String`",
            Kind::DateTime => "`DateTime<Utc>`",
            Kind::NaiveDateTime => "`NaiveDateTime`",
            Kind::Date => "`NaiveDate`",
            Kind::Time => "`NaiveTime`",
            Kind::Uuid => "`Uuid`",
            Kind::Decimal => "`Decimal`",
            Kind::Json => "`JsonValue`",
        }
    }
}

/// A field's type: its kind, whether it is `Option<_>`, and where it was written.
#[derive(Debug, Clone, Copy)]
pub struct FieldType {
    pub kind: Kind,
    pub nullable: bool,
    pub span: Span,
}

const SUPPORTED: &str = "i16, i32, i64, f32, f64, bool, String, DateTimeUtc (chrono::DateTime<Utc>), \
NaiveDateTime, NaiveDate, NaiveTime, Uuid, Decimal, JsonValue (serde_json::Value), or Option of one of them";

/// Classifies `ty` by its last path segment, as the user may write `Uuid` or
/// `uuid::Uuid`; the expansion then names the canonical type, so a different type
/// with the same name fails to convert with a plain type mismatch.
pub fn classify(ty: &Type, errors: &mut Errors) -> Option<FieldType> {
    let span = ty.span();
    if let Some(inner) = option_inner(ty) {
        if option_inner(inner).is_some() {
            errors.spanned(
                ty,
                "nested `Option<Option<_>>` is not supported; use `Option<T>` for a nullable column",
            );
            return None;
        }
        let kind = kind_of(inner, errors)?;
        return Some(FieldType {
            kind,
            nullable: true,
            span,
        });
    }
    let kind = kind_of(ty, errors)?;
    Some(FieldType {
        kind,
        nullable: false,
        span,
    })
}

fn kind_of(ty: &Type, errors: &mut Errors) -> Option<Kind> {
    let unsupported = |errors: &mut Errors| {
        errors.spanned(
            ty,
            format!(
                "unsupported field type `{}`; a resource field must be one of: {SUPPORTED}",
                quote::ToTokens::to_token_stream(ty)
                    .to_string()
                    .replace(' ', "")
            ),
        );
        None
    };
    let Type::Path(path) = ty else {
        return unsupported(errors);
    };
    let Some(last) = path.path.segments.last() else {
        return unsupported(errors);
    };
    let kind = match last.ident.to_string().as_str() {
        "i16" => Kind::I16,
        "i32" => Kind::I32,
        "i64" => Kind::I64,
        "f32" => Kind::F32,
        "f64" => Kind::F64,
        "bool" => Kind::Bool,
        "String" => Kind::String,
        "DateTimeUtc" => Kind::DateTime,
        "DateTime" if generic_is(last, "Utc") => Kind::DateTime,
        "NaiveDateTime" => Kind::NaiveDateTime,
        "NaiveDate" => Kind::Date,
        "NaiveTime" => Kind::Time,
        "Uuid" => Kind::Uuid,
        "Decimal" => Kind::Decimal,
        "JsonValue" | "Json" | "Value" => Kind::Json,
        _ => return unsupported(errors),
    };
    Some(kind)
}

fn generic_is(segment: &syn::PathSegment, name: &str) -> bool {
    match &segment.arguments {
        PathArguments::AngleBracketed(args) => args.args.iter().any(|arg| {
            matches!(arg, GenericArgument::Type(Type::Path(p))
                if p.path.segments.last().is_some_and(|s| s.ident == name))
        }),
        _ => false,
    }
}

/// `T` of `Option<T>` (also `std::option::Option<T>`).
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(args) if args.args.len() == 1 => match &args.args[0] {
            GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}
