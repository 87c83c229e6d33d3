//! Canonical Rust types of the value kinds, named through `::ferrest::__private` so
//! the user's crate needs none of chrono, uuid, rust_decimal or serde_json.

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{FieldType, Kind};

/// The inner (non-optional) type of a kind.
pub fn kind_type(kind: Kind) -> TokenStream {
    match kind {
        Kind::I16 => quote!(i16),
        Kind::I32 => quote!(i32),
        Kind::I64 => quote!(i64),
        Kind::F32 => quote!(f32),
        Kind::F64 => quote!(f64),
        Kind::Bool => quote!(bool),
        Kind::String => quote!(::std::string::String),
        Kind::DateTime => {
            quote!(::ferrest::__private::chrono::DateTime<::ferrest::__private::chrono::Utc>)
        }
        Kind::NaiveDateTime => quote!(::ferrest::__private::chrono::NaiveDateTime),
        Kind::Date => quote!(::ferrest::__private::chrono::NaiveDate),
        Kind::Time => quote!(::ferrest::__private::chrono::NaiveTime),
        Kind::Uuid => quote!(::ferrest::__private::uuid::Uuid),
        Kind::Decimal => quote!(::ferrest::__private::rust_decimal::Decimal),
        Kind::Json => quote!(::ferrest::__private::serde_json::Value),
    }
}

/// The field's full type, as the user's struct and the DTOs hold it.
pub fn field_type(ty: &FieldType) -> TokenStream {
    let inner = kind_type(ty.kind);
    if ty.nullable {
        quote!(::core::option::Option<#inner>)
    } else {
        inner
    }
}

/// The type the entity's column holds: the kind's type, except `DateTime<Utc>`, stored
/// as `DateTime<FixedOffset>` (see `ferrest::__private::Stored` for why). `Option` is
/// written bare on purpose: sea-orm's derive recognises nullable columns by that
/// spelling, and the entity module imports the real `Option` explicitly.
pub fn column_type(ty: &FieldType) -> TokenStream {
    let inner = match ty.kind {
        Kind::DateTime => quote!(
            ::ferrest::__private::chrono::DateTime<::ferrest::__private::chrono::FixedOffset>
        ),
        other => kind_type(other),
    };
    if ty.nullable {
        quote!(Option<#inner>)
    } else {
        inner
    }
}
