//! Row ownership: a resource with an `#[rest(owner)]` field shows and changes a caller
//! only the rows they created, in every operation (reads, includes, nested lists,
//! updates, deletes, hooks), unless the caller holds the resource's `bypass`
//! permission; with `scope = writes`, only updates and deletes. A row outside the
//! caller's scope is a `404`, as if it did not exist.

use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, Condition, EntityTrait, IdenStatic, Iterable};
use serde_json::Value;

use crate::ctx::Ctx;
use crate::problem::ApiError;
use crate::resource::Resource;
use crate::spec::{FieldSpec, Kind, OwnerScope, ResourceSpec};
use crate::validate::Storage;

/// The condition that keeps the caller to their own rows when `writing` (or reading,
/// unless the resource shares reads); `None` when the resource has no owner or the
/// caller may see every row.
pub(crate) fn scope(ctx: &Ctx, spec: &ResourceSpec, writing: bool) -> Option<Condition> {
    let field = spec.owner_field()?;
    if !writing && spec.owner_scope == OwnerScope::Writes {
        return None;
    }
    let principal = ctx.principal();
    if principal.is_some() && spec.owner_bypass.is_some_and(|p| p.allows(principal)) {
        return None;
    }
    let condition = match principal.and_then(|p| value(field, &p.subject)) {
        Some(owner) => Expr::col(Alias::new(field.name)).eq(owner),
        // An anonymous caller owns nothing.
        None => Expr::val(1).eq(0),
    };
    Some(Condition::all().add(condition))
}

/// Sets the owner of a new row to the caller: `401` for an anonymous one.
pub(crate) fn stamp<R: Resource>(ctx: &Ctx, row: &mut R::ActiveModel) -> Result<(), ApiError> {
    let Some(field) = R::spec().owner_field() else {
        return Ok(());
    };
    let principal = ctx
        .principal()
        .ok_or_else(|| ctx.caller.unauthenticated())?;
    let owner = value(field, &principal.subject).ok_or_else(|| {
        ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "forbidden",
            format!(
                "the caller's subject cannot own {} rows (`{}` holds {})",
                R::spec().name,
                field.name,
                unfit(field.kind, &principal.subject)
            ),
        )
    })?;
    let column = <R::Entity as EntityTrait>::Column::iter()
        .find(|c| c.as_str() == field.name)
        .expect("the owner field is a column");
    row.try_set(column, owner).map_err(|e| {
        tracing::error!(error = %e, "setting the owner");
        ApiError::internal()
    })
}

/// What the owner column holds that `subject` is not, for the `403` that refuses it.
fn unfit(kind: Kind, subject: &str) -> &'static str {
    match kind {
        Kind::String if subject.contains('\0') => "text without the NUL character (U+0000)",
        Kind::String => "at most 255 characters",
        _ => "an integer",
    }
}

/// The subject as a value of the owner column, if it fits it.
fn value(field: &FieldSpec, subject: &str) -> Option<sea_orm::Value> {
    let json = match field.kind {
        Kind::String if subject.chars().count() <= 255 => Value::String(subject.to_owned()),
        Kind::I16 | Kind::I32 | Kind::I64 => Value::from(subject.parse::<i64>().ok()?),
        _ => return None,
    };
    crate::query::value::from_json(field.kind, &json, Storage::EXACT).ok()
}
