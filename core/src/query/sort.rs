//! `?sort=-price_cents,title`: an allow-list of `#[rest(sort)]` fields, the primary
//! key always last so that rows with equal keys keep one order across pages.
//!
//! Nulls sort as the smallest value on every backend (first ascending, last
//! descending); each backend has its own default, so the order is spelled out.

use sea_orm::Value as SqlValue;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, NullOrdering, Order, SimpleExpr};
use sea_orm::{Condition, EntityTrait, QueryOrder, Select};

use crate::problem::ApiError;
use crate::spec::{FieldSpec, ResourceSpec};

/// One key of the order: a field and its direction.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortKey {
    pub field: &'static FieldSpec,
    pub descending: bool,
}

impl SortKey {
    /// `-price_cents` or `title`.
    pub fn spelling(&self) -> String {
        let sign = if self.descending { "-" } else { "" };
        format!("{sign}{}", self.field.name)
    }
}

/// The values a client may give in `sort`: each sortable field, ascending then
/// descending.
pub(crate) fn allowed(spec: &ResourceSpec) -> Vec<String> {
    spec.fields
        .iter()
        .filter(|f| f.sort)
        .flat_map(|f| [f.name.to_owned(), format!("-{}", f.name)])
        .collect()
}

/// Parses `sort` and appends the primary key; `None` sorts by the primary key alone.
pub(crate) fn parse(spec: &ResourceSpec, text: Option<&str>) -> Result<Vec<SortKey>, ApiError> {
    let mut keys: Vec<SortKey> = Vec::new();
    for item in text.map(|t| t.split(',')).into_iter().flatten() {
        let (name, descending) = match item.strip_prefix('-') {
            Some(name) => (name, true),
            None => (item, false),
        };
        let field = spec.field(name).filter(|f| f.sort).ok_or_else(|| {
            ApiError::invalid_parameter(
                "sort",
                format!("has `{item}`; allowed: {}", allowed(spec).join(", ")),
            )
        })?;
        if keys.iter().any(|k| k.field.name == field.name) {
            return Err(ApiError::invalid_parameter(
                "sort",
                format!("names `{name}` more than once"),
            ));
        }
        keys.push(SortKey { field, descending });
    }
    let id = spec.id_field();
    if !keys.iter().any(|k| k.field.name == id.name) {
        keys.push(SortKey {
            field: id,
            descending: false,
        });
    }
    Ok(keys)
}

/// Orders `select` by the keys.
pub(crate) fn apply<E: EntityTrait>(mut select: Select<E>, keys: &[SortKey]) -> Select<E> {
    for key in keys {
        let column = Expr::col(Alias::new(key.field.name));
        let (order, nulls) = if key.descending {
            (Order::Desc, NullOrdering::Last)
        } else {
            (Order::Asc, NullOrdering::First)
        };
        select = if key.field.nullable {
            select.order_by_with_nulls(column, order, nulls)
        } else {
            select.order_by(column, order)
        };
    }
    select
}

/// Rows strictly after the row whose sort-key values are `last` (keyset pagination):
/// `k1 > v1 OR (k1 = v1 AND k2 > v2) OR ...`, with nulls as the smallest values.
pub(crate) fn after(keys: &[SortKey], last: &[Option<SqlValue>]) -> Condition {
    let mut any = Condition::any();
    for (i, key) in keys.iter().enumerate() {
        let Some(beyond) = beyond(key, &last[i]) else {
            continue;
        };
        let mut all = Condition::all();
        for (earlier, value) in keys[..i].iter().zip(last) {
            all = all.add(equal(earlier.field, value));
        }
        any = any.add(all.add(beyond));
    }
    any
}

fn equal(field: &FieldSpec, value: &Option<SqlValue>) -> SimpleExpr {
    let column = Expr::col(Alias::new(field.name));
    match value {
        Some(v) => column.eq(v.clone()),
        None => column.is_null(),
    }
}

/// Values of the key that come after `value`; `None` when none can.
fn beyond(key: &SortKey, value: &Option<SqlValue>) -> Option<SimpleExpr> {
    let column = || Expr::col(Alias::new(key.field.name));
    match (value, key.descending) {
        (None, false) => Some(column().is_not_null()),
        (None, true) => None,
        (Some(v), false) => Some(column().gt(v.clone())),
        (Some(v), true) if key.field.nullable => {
            Some(column().lt(v.clone()).or(column().is_null()))
        }
        (Some(v), true) => Some(column().lt(v.clone())),
    }
}
