//! The query string of list and read requests: typed filters, sort, pagination and
//! includes. Every parameter is known from the resource's spec, so anything else is
//! a 400 naming the parameter, and every value is parsed to its field's type before it
//! is bound as a SQL parameter.

pub(crate) mod cursor;
pub(crate) mod filter;
pub(crate) mod include;
pub(crate) mod path;
pub(crate) mod sort;
pub(crate) mod value;

use std::collections::HashMap;

use sea_orm::Value as SqlValue;

use crate::page::DEFAULT_LIMIT;
use crate::problem::ApiError;
use crate::spec::{Pagination, ResourceSpec};
use crate::validate::Storage;
use filter::Filter;
use include::Include;
use sort::SortKey;

/// A parsed list request.
#[derive(Debug)]
pub(crate) struct ListQuery {
    pub filters: Vec<Filter>,
    pub sort: Vec<SortKey>,
    pub limit: u64,
    pub position: Position,
    pub count: bool,
    pub include: Vec<Include>,
}

/// Where the page starts.
#[derive(Debug)]
pub(crate) enum Position {
    /// Offset mode: rows to skip.
    Offset(u64),
    /// Cursor mode: after the row with these sort-key values, or at the start.
    After(Option<Vec<Option<SqlValue>>>),
}

impl ListQuery {
    /// Parses the query string of `GET /books`.
    pub fn parse(
        spec: &'static ResourceSpec,
        query: Option<&str>,
        storage: Storage,
    ) -> Result<Self, ApiError> {
        Self::parse_nested(spec, query, storage, "")
    }

    /// Parses the query string of `GET /authors/{author_id}/books`: the list's, without
    /// the filters of `fixed`, the foreign key that the path fixes (and whose name the
    /// path parameter has).
    pub(crate) fn parse_nested(
        spec: &'static ResourceSpec,
        query: Option<&str>,
        storage: Storage,
        fixed: &str,
    ) -> Result<Self, ApiError> {
        let mut filters = Vec::new();
        let mut limit = DEFAULT_LIMIT.min(spec.max_limit);
        let mut offset = 0;
        let mut cursor = None;
        let mut sort = None;
        let mut count = false;
        let mut include = Vec::new();
        for (key, value) in pairs(query)? {
            match key.as_str() {
                "limit" => {
                    limit = path::parse_integer(&value)
                        .and_then(|n| u64::try_from(n).ok())
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            ApiError::invalid_parameter("limit", "must be a positive integer")
                        })?
                        .min(spec.max_limit);
                }
                "offset" if spec.pagination == Pagination::Offset => {
                    offset = path::parse_integer(&value)
                        .and_then(|n| u64::try_from(n).ok())
                        .ok_or_else(|| {
                            ApiError::invalid_parameter("offset", "must be a non-negative integer")
                        })?;
                }
                "cursor" if spec.pagination == Pagination::Cursor => cursor = Some(value),
                "count" => count = parse_bool("count", &value)?,
                "sort" if spec.fields.iter().any(|f| f.sort) => sort = Some(value),
                "include" if !spec.includes.is_empty() => {
                    include = include::parse(spec, &value)?;
                }
                other => match filter::lookup(spec, other) {
                    Some((field, _)) if field.name == fixed => {
                        return Err(ApiError::unknown_parameter(
                            other,
                            format!(
                                "unknown query parameter `{other}`: the path names the `{fixed}` of this list"
                            ),
                        ));
                    }
                    Some((field, op)) => {
                        filters.push(filter::parse(other, field, op, &value, storage)?)
                    }
                    None => return Err(unknown(spec, other, list_parameters(spec, fixed))),
                },
            }
        }
        let sort = sort::parse(spec, sort.as_deref())?;
        let position = match spec.pagination {
            Pagination::Offset => Position::Offset(offset),
            Pagination::Cursor => Position::After(
                cursor
                    .filter(|c| !c.is_empty())
                    .map(|c| cursor::decode(&sort, &c, storage))
                    .transpose()?,
            ),
        };
        Ok(ListQuery {
            filters,
            sort,
            limit,
            position,
            count,
            include,
        })
    }
}

/// Parses the query string of `GET /books/{id}`: only `include`.
pub(crate) fn parse_read(
    spec: &'static ResourceSpec,
    query: Option<&str>,
) -> Result<Vec<Include>, ApiError> {
    let mut include = Vec::new();
    for (key, value) in pairs(query)? {
        match key.as_str() {
            "include" if !spec.includes.is_empty() => include = include::parse(spec, &value)?,
            other => {
                let known = if spec.includes.is_empty() {
                    Vec::new()
                } else {
                    vec!["include".to_owned()]
                };
                return Err(unknown(spec, other, known));
            }
        }
    }
    Ok(include)
}

/// The decoded pairs. A list parameter (`sort`, `include`, `*__in`) may also come
/// repeated, `?sort=a&sort=b`, as many client generators send arrays by default: its
/// values are joined as `a,b`. Any other parameter given twice is an error rather
/// than a silent pick.
fn pairs(query: Option<&str>) -> Result<Vec<(String, String)>, ApiError> {
    let mut positions: HashMap<String, usize> = HashMap::new();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match positions.get(&*key) {
            Some(&at) if is_list(&key) => {
                let joined = &mut pairs[at].1;
                joined.push(',');
                joined.push_str(&value);
            }
            Some(_) => return Err(ApiError::invalid_parameter(&key, "is given more than once")),
            None => {
                positions.insert(key.to_string(), pairs.len());
                pairs.push((key.into_owned(), value.into_owned()));
            }
        }
    }
    Ok(pairs)
}

fn is_list(key: &str) -> bool {
    key == "sort" || key == "include" || key.ends_with("__in")
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::invalid_parameter(
            name,
            "must be `true` or `false`",
        )),
    }
}

/// Every parameter a list request of `spec` takes, in the document's order; `fixed`
/// names a field whose filters a nested list does not take.
pub(crate) fn list_parameters(spec: &ResourceSpec, fixed: &str) -> Vec<String> {
    let mut names: Vec<String> = spec
        .fields
        .iter()
        .filter(|f| f.name != fixed)
        .flat_map(|f| f.filters.iter().map(|op| op.parameter(f.name)))
        .collect();
    if spec.fields.iter().any(|f| f.sort) {
        names.push("sort".to_owned());
    }
    if !spec.includes.is_empty() {
        names.push("include".to_owned());
    }
    names.push("limit".to_owned());
    names.push(match spec.pagination {
        Pagination::Offset => "offset".to_owned(),
        Pagination::Cursor => "cursor".to_owned(),
    });
    names.push("count".to_owned());
    names
}

/// 400 for a parameter the endpoint does not take, saying what it does take; a
/// declared field with an undeclared operator gets its own sentence.
fn unknown(spec: &ResourceSpec, name: &str, known: Vec<String>) -> ApiError {
    if let Some(field) = name.split_once("__").and_then(|(f, _)| spec.field(f))
        && !field.filters.is_empty()
    {
        let declared: Vec<&str> = field.filters.iter().map(|op| op.name()).collect();
        return ApiError::unknown_parameter(
            name,
            format!(
                "unknown query parameter `{name}`: `{}` can be filtered by {} only",
                field.name,
                declared.join(", ")
            ),
        );
    }
    let detail = if known.is_empty() {
        format!("unknown query parameter `{name}`: this endpoint takes none")
    } else {
        format!(
            "unknown query parameter `{name}`, expected one of: {}",
            known.join(", ")
        )
    };
    ApiError::unknown_parameter(name, detail)
}
