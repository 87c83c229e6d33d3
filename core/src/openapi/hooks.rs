//! What lifecycle hooks add to the CRUD operations in the document: the statuses of
//! their typed errors, on each operation the hook runs in.

use utoipa::openapi::OpenApi;

use super::documented::error_responses;
use super::{add_response, operation};
use crate::hooks::{HookSet, Stage};
use crate::http::crud::{item_path, nested_path};
use crate::spec::{RelationKind, ResourceSpec};

/// Adds each hook's errors to the operations of its stage, among them the nested lists
/// of other resources (`specs`) that serve rows of the hooked one: its read filter
/// runs there too.
pub(crate) fn document_errors(
    document: &mut OpenApi,
    hooks: &HookSet,
    specs: &[&'static ResourceSpec],
) {
    let spec = hooks.spec;
    let item = item_path(spec.path);
    let nested: Vec<String> = specs
        .iter()
        .flat_map(|parent| {
            parent
                .relations
                .iter()
                .filter(|r| matches!(r.kind, RelationKind::HasMany { .. }))
                .filter(|r| std::ptr::eq((r.target)(), spec))
                .map(|r| nested_path(parent.path, r))
        })
        .collect();
    for stage in [Stage::Create, Stage::Update, Stage::Delete, Stage::Read] {
        // Hooks of one stage often share an error type: each code is listed once.
        let mut errors = Vec::new();
        for (_, more) in hooks.errors.iter().filter(|(s, _)| *s == stage) {
            for error in more {
                if !errors.contains(error) {
                    errors.push(error.clone());
                }
            }
        }
        let responses = error_responses(&errors);
        if responses.is_empty() {
            continue;
        }
        let mut targets: Vec<(&str, &str)> = match stage {
            Stage::Create => vec![("post", spec.path)],
            Stage::Update => vec![("patch", &item)],
            Stage::Delete => vec![("delete", &item)],
            Stage::Read => vec![
                ("get", spec.path),
                ("get", &item),
                ("patch", &item),
                ("delete", &item),
            ],
        };
        if stage == Stage::Read {
            targets.extend(nested.iter().map(|path| ("get", path.as_str())));
        }
        for (method, path) in targets {
            if let Some(operation) = operation(document, method, path) {
                for (status, response) in &responses {
                    add_response(operation, status, response);
                }
            }
        }
    }
}
