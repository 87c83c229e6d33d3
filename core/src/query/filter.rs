//! `#[rest(filter(...))]` at run time: one query parameter per declared (field,
//! operator), parsed into typed values and combined with AND.

use sea_orm::Condition;
use sea_orm::Value as SqlValue;
use sea_orm::sea_query::{Alias, BinOper, Expr, ExprTrait, Func};

use super::value::parse_text;
use crate::problem::ApiError;
use crate::spec::{FieldSpec, FilterOp, Literal, ResourceSpec, Rule};
use crate::validate::Storage;

/// Most values one `__in` parameter may list.
pub const MAX_IN_VALUES: usize = 100;

/// Longest text of a `contains` or `starts_with` parameter, in characters: a search
/// is a scan, and SQLite refuses `LIKE` patterns beyond 50 000 bytes.
pub const MAX_SEARCH_CHARS: usize = 1000;

/// The escape character of `LIKE` patterns. Not the backslash: MySQL reads a backslash
/// inside a string literal as an escape of its own.
const LIKE_ESCAPE: char = '!';

/// One parsed filter parameter.
#[derive(Debug, Clone)]
pub(crate) struct Filter {
    field: &'static FieldSpec,
    op: FilterOp,
    argument: Argument,
}

#[derive(Debug, Clone)]
enum Argument {
    One(SqlValue),
    Many(Vec<SqlValue>),
    Null(bool),
    Text(String),
}

/// The field and operator a query parameter names, if it is a declared filter.
pub(crate) fn lookup(spec: &ResourceSpec, key: &str) -> Option<(&'static FieldSpec, FilterOp)> {
    let (name, op) = match key.split_once("__") {
        Some((name, suffix)) => (
            name,
            FilterOp::ALL.into_iter().find(|op| op.name() == suffix)?,
        ),
        None => (key, FilterOp::Eq),
    };
    if op == FilterOp::Eq && key.contains("__") {
        return None;
    }
    let field = spec.field(name)?;
    field.filters.contains(&op).then_some((field, op))
}

/// Parses the value of the parameter `key` for `field` and `op`.
pub(crate) fn parse(
    key: &str,
    field: &'static FieldSpec,
    op: FilterOp,
    text: &str,
    storage: Storage,
) -> Result<Filter, ApiError> {
    let invalid = |what: String| ApiError::invalid_parameter(key, what);
    let argument = match op {
        FilterOp::IsNull => match text {
            "true" => Argument::Null(true),
            "false" => Argument::Null(false),
            _ => return Err(invalid("must be `true` or `false`".to_owned())),
        },
        FilterOp::In => {
            let items: Vec<&str> = text.split(',').collect();
            if items.len() > MAX_IN_VALUES {
                return Err(invalid(format!(
                    "lists {} values; at most {MAX_IN_VALUES} are allowed",
                    items.len()
                )));
            }
            let values = items
                .iter()
                .map(|item| {
                    one_of(field, item)
                        .and_then(|()| parse_text(field, item, storage))
                        .map_err(|e| invalid(format!("lists `{item}`, but each value {e}")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Argument::Many(values)
        }
        FilterOp::Contains | FilterOp::StartsWith => {
            let length = text.chars().count();
            if length > MAX_SEARCH_CHARS {
                return Err(invalid(format!(
                    "has {length} characters; at most {MAX_SEARCH_CHARS} are allowed"
                )));
            }
            parse_text(field, text, storage).map_err(invalid)?;
            Argument::Text(text.to_owned())
        }
        FilterOp::Eq | FilterOp::Ne => Argument::One(
            one_of(field, text)
                .and_then(|()| parse_text(field, text, storage))
                .map_err(invalid)?,
        ),
        _ => Argument::One(parse_text(field, text, storage).map_err(invalid)?),
    };
    Ok(Filter {
        field,
        op,
        argument,
    })
}

/// The values a field with `validate(one_of(...))` can hold, which its `eq`, `ne` and
/// `in` filters take (and the document lists as their `enum`).
pub(crate) fn allowed(field: &FieldSpec) -> Option<&'static [Literal]> {
    field.rules.iter().find_map(|rule| match rule {
        Rule::OneOf(values) => Some(*values),
        _ => None,
    })
}

/// `Err` when `text` is none of the values `field` can hold: such a filter could only
/// match nothing, so it is more likely a mistake.
fn one_of(field: &FieldSpec, text: &str) -> Result<(), String> {
    let Some(values) = allowed(field) else {
        return Ok(());
    };
    let matches = |value: &Literal| match value {
        Literal::Str(allowed) => *allowed == text,
        other => {
            serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v == other.to_json())
        }
    };
    if values.iter().any(matches) {
        return Ok(());
    }
    let list: Vec<String> = values.iter().map(|v| v.to_json().to_string()).collect();
    Err(format!("must be one of: {}", list.join(", ")))
}

/// All filters combined with AND.
pub(crate) fn condition(filters: &[Filter]) -> Condition {
    filters
        .iter()
        .fold(Condition::all(), |all, filter| all.add(expression(filter)))
}

fn expression(filter: &Filter) -> Expr {
    let column = || Expr::col(Alias::new(filter.field.name));
    match (&filter.argument, filter.op) {
        (Argument::Null(true), _) => column().is_null(),
        (Argument::Null(false), _) => column().is_not_null(),
        (Argument::Many(values), _) => column().is_in(values.iter().cloned()),
        (Argument::Text(text), op) => {
            let escaped = escape_like(text);
            let pattern = match op {
                FilterOp::StartsWith => format!("{escaped}%"),
                _ => format!("%{escaped}%"),
            };
            // LOWER on both sides, in the database: each backend folds case by its own
            // rules, and a needle folded differently from the column would never match.
            Expr::from(Func::lower(column())).binary(
                BinOper::Like,
                Expr::Binary(
                    Box::new(Func::lower(Expr::val(pattern)).into()),
                    BinOper::Escape,
                    Box::new(Expr::Constant(LIKE_ESCAPE.into())),
                ),
            )
        }
        (Argument::One(value), op) => {
            let value = value.clone();
            match op {
                FilterOp::Ne if filter.field.nullable => {
                    // "Everything but v": rows without a value are not v either.
                    column().ne(value).or(column().is_null())
                }
                FilterOp::Ne => column().ne(value),
                FilterOp::Lt => column().lt(value),
                FilterOp::Lte => column().lte(value),
                FilterOp::Gt => column().gt(value),
                FilterOp::Gte => column().gte(value),
                _ => column().eq(value),
            }
        }
    }
}

/// `%`, `_` and the escape character match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_') || c == LIKE_ESCAPE {
            escaped.push(LIKE_ESCAPE);
        }
        escaped.push(c);
    }
    escaped
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_match_themselves() {
        assert_eq!(super::escape_like("50%_off!"), "50!%!_off!!");
    }
}
