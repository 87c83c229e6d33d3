//! `?include=author,author.books`: related rows embedded in the response, loaded with
//! one batched query per relation (per 1000 keys), never one per row.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{Condition, DbErr};
use serde_json::Value;

use super::value::from_json;
use crate::db::db_error;
use crate::problem::ApiError;
use crate::spec::{RelationKind, RelationSpec, ResourceSpec};
use crate::validate::Storage;

/// Deepest include path: `author.books` has depth 2.
pub const MAX_INCLUDE_DEPTH: usize = 2;

/// Keys per batched query; far below every backend's limit on bound parameters.
const KEYS_PER_QUERY: usize = 1000;

/// Most rows one included relation may embed in a response: a `has_many` include
/// loads every child of every row, and a response must stay bounded.
pub const MAX_INCLUDED_ROWS: u64 = 1000;

/// One relation to embed, with the relations to embed in its rows.
#[derive(Debug)]
pub(crate) struct Include {
    relation: &'static RelationSpec,
    nested: Vec<Include>,
}

/// Every include path `spec` allows, up to the maximum depth, for the document.
pub(crate) fn allowed(spec: &'static ResourceSpec) -> Vec<String> {
    fn walk(spec: &'static ResourceSpec, prefix: &str, depth: usize, out: &mut Vec<String>) {
        for name in spec.includes {
            let path = format!("{prefix}{name}");
            out.push(path.clone());
            if depth < MAX_INCLUDE_DEPTH
                && let Some(relation) = spec.relation(name)
            {
                walk((relation.target)(), &format!("{path}."), depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(spec, "", 1, &mut out);
    out
}

/// Parses the comma-separated paths of `include`.
pub(crate) fn parse(spec: &'static ResourceSpec, text: &str) -> Result<Vec<Include>, ApiError> {
    let mut tree: Vec<Include> = Vec::new();
    for path in text.split(',') {
        let segments: Vec<&str> = path.split('.').collect();
        if segments.len() > MAX_INCLUDE_DEPTH {
            return Err(ApiError::invalid_parameter(
                "include",
                format!("has `{path}`, deeper than {MAX_INCLUDE_DEPTH} levels"),
            ));
        }
        let mut level = &mut tree;
        let mut owner = spec;
        for segment in segments {
            let relation = owner
                .includes
                .contains(&segment)
                .then(|| owner.relation(segment))
                .flatten()
                .ok_or_else(|| {
                    ApiError::invalid_parameter(
                        "include",
                        format!("has `{path}`; allowed: {}", allowed(spec).join(", ")),
                    )
                })?;
            let index = match level.iter().position(|i| i.relation.name == segment) {
                Some(index) => index,
                None => {
                    level.push(Include {
                        relation,
                        nested: Vec::new(),
                    });
                    level.len() - 1
                }
            };
            owner = (relation.target)();
            level = &mut level[index].nested;
        }
    }
    Ok(tree)
}

/// Embeds the included relations into `rows`, which are rows of `spec` on the wire.
pub(crate) async fn attach(
    ctx: &crate::Ctx,
    spec: &'static ResourceSpec,
    rows: &mut [Value],
    includes: &[Include],
) -> Result<(), ApiError> {
    for include in includes {
        let target = (include.relation.target)();
        // An included row is read as its own routes would read it.
        let permission = match include.relation.kind {
            RelationKind::BelongsTo { .. } => target.access.get,
            RelationKind::HasMany { .. } => target.access.list,
        };
        permission.check(&ctx.caller)?;
        // `key` is the field of `rows` whose values select the related rows by
        // `target_key`, the field of the related rows.
        let (key, target_key) = match include.relation.kind {
            RelationKind::BelongsTo { field } => (field, target.id_field().name),
            RelationKind::HasMany { field } => (spec.id_field().name, field),
        };
        let key_kind = spec
            .field(key)
            .map(|f| f.kind)
            .expect("relation keys are fields");
        let mut keys: Vec<&Value> = rows
            .iter()
            .filter_map(|r| r.get(key))
            .filter(|v| !v.is_null())
            .collect();
        keys.sort_by_key(|v| v.to_string());
        keys.dedup();
        let mut related = Vec::new();
        for chunk in keys.chunks(KEYS_PER_QUERY) {
            let values = chunk
                .iter()
                .map(|v| from_json(key_kind, v, Storage::EXACT))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| db_error(spec, DbErr::Custom(e)))?;
            let condition = Condition::all().add(Expr::col(Alias::new(target_key)).is_in(values));
            // One row beyond the budget tells that the relation is too large to embed.
            let budget = MAX_INCLUDED_ROWS - related.len() as u64;
            let rows = (target.load)(ctx, condition, budget + 1).await?;
            if rows.len() as u64 > budget {
                return Err(ApiError::invalid_parameter(
                    "include",
                    format!(
                        "would embed more than {MAX_INCLUDED_ROWS} rows of `{}`; page through them with a list request instead",
                        include.relation.name
                    ),
                ));
            }
            related.extend(rows);
        }
        Box::pin(attach(ctx, target, &mut related, &include.nested)).await?;
        let mut by_key: HashMap<String, Vec<Value>> = HashMap::new();
        for row in related {
            let k = row
                .get(target_key)
                .map(Value::to_string)
                .unwrap_or_default();
            by_key.entry(k).or_default().push(row);
        }
        let name = include.relation.name;
        let one = matches!(include.relation.kind, RelationKind::BelongsTo { .. });
        for row in rows.iter_mut() {
            let k = row.get(key).map(Value::to_string).unwrap_or_default();
            let found = by_key.get(&k);
            let embedded = if one {
                found
                    .and_then(|v| v.first())
                    .cloned()
                    .unwrap_or(Value::Null)
            } else {
                Value::Array(found.cloned().unwrap_or_default())
            };
            if let Some(object) = row.as_object_mut() {
                object.insert(name.to_owned(), embedded);
            }
        }
    }
    Ok(())
}
