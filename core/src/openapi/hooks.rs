//! What lifecycle hooks add to the CRUD operations in the document: the statuses of
//! their typed errors, on each operation the hook runs in.

use utoipa::openapi::path::Operation;
use utoipa::openapi::{OpenApi, RefOr};

use crate::crud::{item_path, nested_path};
use crate::endpoints::error_responses;
use crate::hooks::{HookSet, Stage};
use crate::spec::{RelationKind, ResourceSpec};

/// Adds each hook's errors to the operations of its stage; `parents` are the
/// resources whose nested lists serve rows of the hooked one (its read filter runs
/// there too).
pub(crate) fn document_errors<'a>(
    document: &mut OpenApi,
    hooks: &HookSet,
    parents: impl Iterator<Item = &'a ResourceSpec>,
) {
    let spec = hooks.spec;
    let item = item_path(spec.path);
    let nested: Vec<String> = parents
        .flat_map(|parent| {
            parent
                .relations
                .iter()
                .filter(|r| matches!(r.kind, RelationKind::HasMany { .. }))
                .filter(|r| std::ptr::eq((r.target)(), spec))
                .map(|r| nested_path(parent.path, r.name))
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

fn operation<'d>(document: &'d mut OpenApi, method: &str, path: &str) -> Option<&'d mut Operation> {
    let item = document.paths.paths.get_mut(path)?;
    match method {
        "get" => item.get.as_mut(),
        "post" => item.post.as_mut(),
        "patch" => item.patch.as_mut(),
        "delete" => item.delete.as_mut(),
        _ => None,
    }
}

/// A status the operation answers already gets the hook's codes in its description.
fn add_response(operation: &mut Operation, status: &str, response: &utoipa::openapi::Response) {
    match operation.responses.responses.get_mut(status) {
        Some(RefOr::T(existing)) => {
            existing.description = format!("{}\n\n{}", existing.description, response.description);
        }
        Some(RefOr::Ref(_)) => {}
        None => {
            operation
                .responses
                .responses
                .insert(status.to_owned(), RefOr::T(response.clone()));
        }
    }
}
