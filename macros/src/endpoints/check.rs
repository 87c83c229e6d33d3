//! The rules of an endpoints block. Each would otherwise be a runtime panic in axum
//! (a route given twice, a `{param}` without an argument) or an unreadable trait error.

use syn::spanned::Spanned;

use super::model::{Block, Hook, Method};
use crate::errors::Errors;

/// Extractors that consume the request body; axum needs such an argument last.
const BODY_EXTRACTORS: &[&str] = &[
    "Json",
    "Form",
    "String",
    "Bytes",
    "Request",
    "Multipart",
    "Body",
];

pub fn check(block: &Block, errors: &mut Errors) {
    methods(&block.methods, errors);
    hooks(&block.hooks, &block.resource, errors);
}

fn methods(methods: &[Method], errors: &mut Errors) {
    for (i, method) in methods.iter().enumerate() {
        at_most_eight_arguments(method, errors);
        is_async(method, errors);
        takes_no_self(method, errors);
        path_parameters_have_arguments(method, errors);
        body_comes_last(method, errors);
        // axum matches a route by its shape: `{id}` and `{book_id}` are one segment.
        let this = method.path.value();
        if let Some(other) = methods[..i].iter().find(|m| {
            ferrest_shared::routes_clash((&m.verb, &m.path.value()), (&method.verb, &this))
        }) {
            errors.at(
                method.path.span(),
                format!(
                    "`{} {}` clashes with `{} {}` of `{}`: axum cannot tell them apart",
                    method.verb.to_uppercase(),
                    method.path.value(),
                    other.verb.to_uppercase(),
                    other.path.value(),
                    other.ident
                ),
            );
        }
    }
}

/// ferrest routes methods of up to eight arguments (as axum does sixteen, with less
/// precise errors); more are better grouped in a `Query` or `Json` struct.
fn at_most_eight_arguments(method: &Method, errors: &mut Errors) {
    if method.args.len() > 8 {
        errors.at(
            method.args[8].ty.span(),
            "an endpoint method takes at most 8 arguments; group parameters in a `Query<T>` or `Json<T>` struct",
        );
    }
}

/// axum awaits a handler; a plain `fn` would fail with an opaque `Handler` error.
fn is_async(method: &Method, errors: &mut Errors) {
    if !method.asyncness {
        errors.at(
            method.fn_span,
            format!(
                "`{}` must be an `async fn`: axum awaits endpoint methods",
                method.ident
            ),
        );
    }
}

/// A handler is called per request, without an instance.
fn takes_no_self(method: &Method, errors: &mut Errors) {
    if let Some(span) = method.receiver {
        errors.at(span, "endpoint methods take no `self`; take `ctx: Ctx` and extractors like `Path(id): Path<i64>`");
    }
}

/// The placeholders of the path must be exactly the names `Path(...)` binds, or axum
/// rejects every request (too few) or panics at startup (malformed).
fn path_parameters_have_arguments(method: &Method, errors: &mut Errors) {
    let text = method.path.value();
    if !text.starts_with('/') {
        errors.at(
            method.path.span(),
            format!(
                "a route starts with `/`, like `/{}`",
                text.trim_start_matches('/')
            ),
        );
        return;
    }
    let mut placeholders: Vec<String> = Vec::new();
    for segment in text.split('/') {
        if segment.starts_with(':') || segment.starts_with('*') {
            errors.at(
                method.path.span(),
                format!(
                    "`{segment}` is the old axum syntax; write `{{{}}}`",
                    &segment[1..]
                ),
            );
            return;
        }
        let opens = segment.matches('{').count();
        let closes = segment.matches('}').count();
        if opens == 0 && closes == 0 {
            continue;
        }
        let name = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'));
        match name {
            Some(name)
                if opens == 1
                    && closes == 1
                    && !name.is_empty()
                    && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric()) =>
            {
                placeholders.push(name.to_owned());
            }
            _ => {
                errors.at(
                    method.path.span(),
                    format!(
                        "`{segment}` is not a path parameter; write a whole segment like `{{id}}`"
                    ),
                );
                return;
            }
        }
    }
    let paths: Vec<_> = method
        .args
        .iter()
        .filter(|a| a.extractor().as_deref() == Some("Path"))
        .collect();
    if paths.len() > 1 {
        errors.at(paths[1].ty.span(), "take every path parameter with one `Path` argument, like `Path((author, book)): Path<(i64, i64)>`");
        return;
    }
    let Some(path) = paths.first() else {
        if let Some(first) = placeholders.first() {
            errors.at(
                method.path.span(),
                format!(
                    "`{{{first}}}` has no argument; add `Path({first}): Path<...>` to `{}`",
                    method.ident
                ),
            );
        }
        return;
    };
    let Some(bindings) = path.path_bindings() else {
        // `Path(Params { .. })` binds a struct by its field names: nothing to check here.
        return;
    };
    let tuple = matches!(path.inner(), Some(syn::Type::Tuple(_)));
    if bindings.len() == 1 && (tuple || !path.binds_scalar()) {
        // `Path(pair): Path<(i64, i64)>` or `Path(params): Path<Params>`: the names are
        // the tuple's positions or the struct's fields, not the binding's.
        return;
    }
    for name in &placeholders {
        if !bindings.iter().any(|b| b == name) {
            errors.at(
                method.path.span(),
                format!("`{{{name}}}` has no argument; bind it with `Path({name})` (names follow the path)"),
            );
        }
    }
    for binding in &bindings {
        if !placeholders.iter().any(|p| binding == p) {
            errors.at(
                binding.span(),
                format!("`{binding}` is not a parameter of `{text}`; the names of `Path(..)` follow the path's `{{...}}`"),
            );
        }
    }
}

/// The body can be read once, so axum takes the body extractor last.
fn body_comes_last(method: &Method, errors: &mut Errors) {
    let count = method.args.len();
    for (i, arg) in method.args.iter().enumerate() {
        let Some(mut extractor) = arg.extractor() else {
            continue;
        };
        // `Valid<Json<T>>` reads the body, `Valid<Query<T>>` does not.
        if extractor == "Valid"
            && let Some(syn::Type::Path(inner)) = arg.inner()
            && let Some(last) = inner.path.segments.last()
        {
            extractor = format!("Valid<{}>", last.ident);
            if last.ident != "Json" {
                continue;
            }
        }
        if (BODY_EXTRACTORS.contains(&extractor.as_str()) || extractor == "Valid<Json>")
            && i + 1 < count
        {
            errors.at(
                arg.ty.span(),
                format!("`{extractor}` reads the request body and must be the last argument"),
            );
        }
    }
}

/// The arguments each hook kind takes after `ctx: &Ctx`, for the signature checks.
fn hook_arguments(kind: &str, resource: &str) -> Vec<String> {
    match kind {
        "before_create" => vec![format!("input: &mut {resource}Create")],
        "before_update" => vec![
            format!("current: &{resource}"),
            format!("changes: &mut {resource}Update"),
        ],
        "read_filter" => vec![],
        _ => vec![format!("row: &{resource}")],
    }
}

/// A hook is awaited inside the write's transaction, with `ctx` and its kind's
/// values; anything else would be an opaque type error in generated code.
fn hooks(hooks: &[Hook], resource: &str, errors: &mut Errors) {
    for hook in hooks {
        let expected = hook_arguments(&hook.kind, resource);
        let signature = std::iter::once("ctx: &Ctx".to_owned())
            .chain(expected.iter().cloned())
            .collect::<Vec<_>>()
            .join(", ");
        if !hook.asyncness {
            errors.at(
                hook.fn_span,
                format!(
                    "`{}` must be an `async fn`: hooks are awaited in the write's transaction",
                    hook.ident
                ),
            );
        }
        if let Some(span) = hook.receiver {
            errors.at(
                span,
                format!(
                    "hooks take no `self`; `{}` hooks take `({signature})`",
                    hook.kind
                ),
            );
        } else if hook.args.len() != expected.len() + 1 {
            let span = hook
                .args
                .get(expected.len() + 1)
                .map(|a| a.ty.span())
                .unwrap_or(hook.kind_span);
            errors.at(
                span,
                format!(
                    "`{}` hooks take `({signature})`, and `{}` takes {} argument{}",
                    hook.kind,
                    hook.ident,
                    hook.args.len(),
                    if hook.args.len() == 1 { "" } else { "s" }
                ),
            );
        }
    }
}
