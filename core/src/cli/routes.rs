//! `routes`: every route the app serves, as a table, from the same data the router and
//! the document are built from.

use crate::App;
use crate::auth::Permission;

/// One line per operation: method, path, operation id, what the caller needs and the
/// rate limit that applies; then the documentation routes, when served.
pub(super) fn table(app: &App) -> String {
    let document = app.openapi();
    let guarded = app.guarded_operations();
    let mut rows: Vec<[String; 5]> = Vec::new();
    for (path, item) in &document.paths.paths {
        let operations = [
            ("GET", &item.get),
            ("POST", &item.post),
            ("PUT", &item.put),
            ("PATCH", &item.patch),
            ("DELETE", &item.delete),
            ("HEAD", &item.head),
            ("OPTIONS", &item.options),
            ("TRACE", &item.trace),
        ];
        for (method, operation) in operations {
            let Some(operation) = operation else { continue };
            let guard = guarded
                .iter()
                .find(|g| g.method.eq_ignore_ascii_case(method) && g.path == *path);
            let permission = guard.map_or_else(
                || "public".to_owned(),
                |g| {
                    let mut needs: Vec<String> = g
                        .permissions
                        .iter()
                        .filter(|p| **p != Permission::Public)
                        .map(short)
                        .collect();
                    needs.dedup();
                    if needs.is_empty() {
                        "public".to_owned()
                    } else {
                        needs.join(" and ")
                    }
                },
            );
            let rate = match (guard.and_then(|g| g.rate_limit), app.rate_limit) {
                (Some(own), _) => own.to_string(),
                (None, Some(app_wide)) => format!("{app_wide} (app)"),
                (None, None) => "-".to_owned(),
            };
            rows.push([
                method.to_owned(),
                path.clone(),
                operation
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| "-".to_owned()),
                permission,
                rate,
            ]);
        }
    }
    if app.docs {
        let served = ["/openapi.json", "/openapi-3.0.json", "/docs"];
        let swagger_ui = cfg!(feature = "swagger-ui");
        for path in served.into_iter().filter(|p| swagger_ui || *p != "/docs") {
            let documentation = [
                "GET".to_owned(),
                path.to_owned(),
                "-".to_owned(),
                "public".to_owned(),
                "-".to_owned(),
            ];
            rows.push(documentation);
        }
    }
    aligned(
        ["METHOD", "PATH", "OPERATION", "PERMISSION", "RATE LIMIT"],
        &rows,
    )
}

/// A permission in a few words: `public`, `authenticated`, `role editor|admin`.
fn short(permission: &Permission) -> String {
    match permission {
        Permission::Public => "public".to_owned(),
        Permission::Authenticated => "authenticated".to_owned(),
        Permission::Role(roles) => format!("role {}", roles.join("|")),
        Permission::Scope(scopes) => format!("scope {}", scopes.join("+")),
    }
}

/// Columns padded to their widest cell, the last one unpadded.
fn aligned(header: [&str; 5], rows: &[[String; 5]]) -> String {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        line.push('\n');
        line
    };
    let mut out = line(header);
    for row in rows {
        out.push_str(&line(row.each_ref().map(String::as_str)));
    }
    out
}
