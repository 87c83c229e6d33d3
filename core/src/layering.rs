//! Keeps the layers of the crate's module doc: reads every `src/**/*.rs` and fails when
//! a module names (`use crate::x`, or an inline `crate::x::...` path) a module of a
//! layer above its own. A test rather than a lint, so `cargo test` runs it wherever the
//! crate is tested; it reads the sources as text and needs no extra tool.
//!
//! Modules of one layer may name each other. Tests (`#[cfg(test)]` items) and the crate
//! root (`lib.rs`, `private.rs`: re-exports) are outside the layers.

use std::collections::BTreeMap;
use std::path::Path;

/// The layers, bottom first: each lists the top-level modules of `src/` it holds. A
/// module missing here fails the check, so a new one is placed deliberately.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "support",
        &["error", "problem", "redact", "timestamp", "page"],
    ),
    ("spec", &["spec"]),
    (
        "db, validate",
        &["db", "sqlite_log", "mysql", "migrate", "validate"],
    ),
    (
        "query, auth, write",
        &[
            "resource",
            "query",
            "auth",
            "rate_limit",
            "precondition",
            "write",
            "hooks",
            "ctx",
            "idempotency",
        ],
    ),
    ("http", &["http", "openapi"]),
    ("app", &["app", "cli", "testing"]),
];

/// Upward names that are known and stay for now, each with its reason: `(file, module
/// it names, why)`.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "db.rs",
    "hooks",
    "`AppState` (in db.rs, which the migration work is editing) holds the hook registry; \
     it moves up with `AppState` once that work has landed",
)];

/// Files outside the layers: the crate root and its re-exports, and this check.
const ROOT: &[&str] = &["lib.rs", "private.rs", "layering.rs"];

/// An upward name: `file:line` names `module`, whose layer is above the file's.
#[derive(Debug, PartialEq)]
struct Violation {
    file: String,
    line: usize,
    from: String,
    to: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "src/{}:{}: `{}` (layer `{}`) names `crate::{}` (layer `{}`, above it)",
            self.file,
            self.line,
            self.from,
            layer_name(&self.from).unwrap_or("?"),
            self.to,
            layer_name(&self.to).unwrap_or("?"),
        )
    }
}

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

fn layer_name(module: &str) -> Option<&'static str> {
    layer_of(module).map(|i| LAYERS[i].0)
}

/// The module a file belongs to: `auth/jwt.rs` and `auth/mod.rs` are `auth`,
/// `crud.rs` is `crud`.
fn module_of(file: &str) -> String {
    let first = file.split('/').next().unwrap_or(file);
    first.trim_end_matches(".rs").to_owned()
}

/// What `crate::Name` means for a name `lib.rs` re-exports: `pub use ctx::{Ctx, Db};`
/// makes `Ctx` and `Db` stand for `ctx`. Names from other crates are left out.
fn root_names(lib: &str) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let code = without_comments(lib);
    for statement in code.split(';') {
        let statement = statement.trim();
        let Some(path) = statement
            .strip_prefix("pub use ")
            .or_else(|| statement.rsplit_once("\npub use ").map(|(_, p)| p))
        else {
            continue;
        };
        let path = path.trim().trim_start_matches("crate::");
        let Some((module, rest)) = path.split_once("::") else {
            continue;
        };
        if layer_of(module).is_none() {
            continue;
        }
        let rest = rest.trim().trim_start_matches('{').trim_end_matches('}');
        for item in rest.split(',') {
            // `a::B as C` exports `C`; `a::B` exports `B`.
            let item = item.trim();
            let name = match item.rsplit_once(" as ") {
                Some((_, alias)) => alias.trim(),
                None => item.rsplit("::").next().unwrap_or(item).trim(),
            };
            if !name.is_empty() {
                names.insert(name.to_owned(), module.to_owned());
            }
        }
    }
    names
}

/// The source with comments and the insides of string and char literals blanked,
/// lines kept (so line numbers hold): only code names modules.
fn without_comments(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let (c, next) = (chars[i], chars.get(i + 1).copied());
        // The end (exclusive) of a comment or literal starting at `i`, if one does.
        let end = match (c, next) {
            ('/', Some('/')) => (i..chars.len()).find(|&j| chars[j] == '\n'),
            ('/', Some('*')) => (i + 2..chars.len())
                .find(|&j| chars[j - 1] == '*' && chars[j] == '/')
                .map(|j| j + 1),
            ('"', _) => {
                let mut j = i + 1;
                while j < chars.len() && chars[j] != '"' {
                    j += if chars[j] == '\\' { 2 } else { 1 };
                }
                Some(j + 1)
            }
            ('r', Some('"' | '#')) if i == 0 || !is_ident(chars[i - 1]) => {
                let hashes = chars[i + 1..].iter().take_while(|&&h| h == '#').count();
                let open = i + 1 + hashes;
                (chars.get(open) == Some(&'"')).then(|| {
                    let close: String = std::iter::once('"')
                        .chain("#".repeat(hashes).chars())
                        .collect();
                    let close: Vec<char> = close.chars().collect();
                    (open + 1..chars.len())
                        .find(|&j| chars[j..].starts_with(&close))
                        .map_or(chars.len(), |j| j + close.len())
                })
            }
            // A char literal (`'x'`, `'\n'`); a lifetime (`'a`) is code.
            ('\'', Some('\\')) => (i + 2..chars.len())
                .find(|&j| chars[j] == '\'')
                .map(|j| j + 1),
            ('\'', Some(_)) if chars.get(i + 2) == Some(&'\'') => Some(i + 3),
            _ => None,
        };
        match end {
            Some(end) => {
                let end = end.min(chars.len());
                out.extend(chars[i..end].iter().copied().map(blank));
                i = end;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The source with each `#[cfg(test)]` item blanked (lines kept): tests may use any
/// module.
fn without_tests(code: &str) -> String {
    let mut out = code.to_owned();
    let mut from = 0;
    while let Some(at) = out[from..].find("#[cfg(test)]").map(|i| from + i) {
        // The item ends at the `;` of a one-line item, or at the brace that closes
        // the first `{`.
        let body = &out[at..];
        let end = match (body.find('{'), body.find(';')) {
            (Some(open), semi) if semi.is_none_or(|s| open < s) => {
                let mut depth = 0usize;
                let mut end = body.len();
                for (i, c) in body.char_indices().skip(open) {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                end
            }
            (_, Some(semi)) => semi + 1,
            _ => body.len(),
        };
        let blanked: String = body[..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(at..at + end, &blanked);
        from = at + blanked.len();
    }
    out
}

/// The top-level module each `crate::` path in `code` names, with its line:
/// `crate::auth::Caller` and `crate::{auth::Caller, db}` name `auth` (and `db`), and
/// `crate::Ctx` names the module `lib.rs` re-exports it from.
fn named_modules(code: &str, roots: &BTreeMap<String, String>) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let line = code[..at].matches('\n').count() + 1;
        let rest = &code[at + "crate::".len()..];
        let firsts: Vec<&str> = match rest.strip_prefix('{') {
            Some(group) => top_level_items(group),
            None => vec![rest],
        };
        for first in firsts {
            let name: String = first.trim().chars().take_while(|&c| is_ident(c)).collect();
            let module = match roots.get(&name) {
                Some(module) => module.clone(),
                None => name,
            };
            if layer_of(&module).is_some() {
                found.push((line, module));
            }
        }
    }
    found
}

/// The items of a `{a::b, c, D}` group up to its closing brace, split at the commas
/// outside nested braces.
fn top_level_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                return items;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

/// Every upward name in `files` (`(path under src/, source)`), and the top-level
/// modules no layer lists.
fn check(files: &[(String, String)]) -> (Vec<Violation>, Vec<String>) {
    let lib = files
        .iter()
        .find(|(path, _)| path == "lib.rs")
        .map_or("", |(_, source)| source.as_str());
    let roots = root_names(lib);
    let mut violations = Vec::new();
    let mut unplaced = Vec::new();
    for (path, source) in files {
        if ROOT.contains(&path.as_str()) {
            continue;
        }
        let from = module_of(path);
        let Some(own) = layer_of(&from) else {
            if !unplaced.contains(&from) {
                unplaced.push(from);
            }
            continue;
        };
        let code = without_tests(&without_comments(source));
        for (line, to) in named_modules(&code, &roots) {
            let above = layer_of(&to).is_some_and(|layer| layer > own);
            let excused = EXCEPTIONS
                .iter()
                .any(|(file, module, _)| file == path && *module == to);
            if above && !excused {
                violations.push(Violation {
                    file: path.clone(),
                    line,
                    from: from.clone(),
                    to,
                });
            }
        }
    }
    (violations, unplaced)
}

fn read_tree(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("src/ is readable")
        .map(|e| e.expect("src/ is readable").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            read_tree(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".rs") {
            let source = std::fs::read_to_string(&path).expect("a source file is UTF-8");
            out.push((format!("{prefix}{name}"), source));
        }
    }
}

#[test]
fn modules_name_only_their_layer_and_those_below() {
    let mut files = Vec::new();
    read_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut files,
    );
    let (violations, unplaced) = check(&files);
    let list: Vec<String> = violations.iter().map(ToString::to_string).collect();
    assert!(
        list.is_empty(),
        "modules name layers above their own (see the layers in src/lib.rs):\n{}",
        list.join("\n")
    );
    assert!(
        unplaced.is_empty(),
        "modules in no layer: {unplaced:?}; add each to `LAYERS` in src/layering.rs and to \
         the list in src/lib.rs"
    );
}

#[test]
fn the_crate_doc_states_each_layer() {
    let lib = include_str!("lib.rs");
    for (name, modules) in LAYERS {
        let row = format!("//! | {name} | ");
        let Some(line) = lib.lines().find(|l| l.starts_with(&row)) else {
            panic!("src/lib.rs's table of layers has no row `{name}`");
        };
        for module in *modules {
            assert!(
                line.contains(&format!("`{module}`")),
                "src/lib.rs's row `{name}` does not list `{module}`"
            );
        }
    }
}

#[test]
fn an_upward_name_fails_and_names_its_line() {
    let files = [
        (
            "lib.rs".to_owned(),
            "mod spec;\npub use app::{App, Error};\n".to_owned(),
        ),
        (
            "spec/mod.rs".to_owned(),
            "use crate::problem::ApiError;\n// crate::app in a comment\nfn f(app: crate::App) {}\n"
                .to_owned(),
        ),
        (
            "write.rs".to_owned(),
            "use crate::{spec::ResourceSpec, validate::{Found, Storage}};\n".to_owned(),
        ),
        (
            "query/mod.rs".to_owned(),
            "use crate::spec;\n#[cfg(test)]\nmod tests {\n    use crate::testing;\n}\n".to_owned(),
        ),
        (
            "auth/mod.rs".to_owned(),
            "use crate::{ctx::Ctx, http::crud};\n".to_owned(),
        ),
        ("jobs.rs".to_owned(), String::new()),
    ];
    let (violations, unplaced) = check(&files);
    let at: Vec<(&str, usize, &str)> = violations
        .iter()
        .map(|v| (v.file.as_str(), v.line, v.to.as_str()))
        .collect();
    assert_eq!(at, [("spec/mod.rs", 3, "app"), ("auth/mod.rs", 1, "http")]);
    assert_eq!(unplaced, ["jobs"]);
    assert_eq!(
        violations[0].to_string(),
        "src/spec/mod.rs:3: `spec` (layer `spec`) names `crate::app` (layer `app`, above it)"
    );
}
