//! Downgrade of the generated OpenAPI 3.1.0 document to OpenAPI 3.0.3.
//!
//! utoipa 6 only emits OpenAPI 3.1.0, whose schemas use the JSON Schema 2020-12
//! vocabulary: `type` arrays, `type: "null"`, `oneOf: [{type: null}, {$ref}]` for
//! `Option<T>`, `$ref` with sibling keywords, `const`, `examples`, numeric
//! `exclusiveMinimum`, `contentEncoding`, `prefixItems`, `contains` with
//! `minContains`/`maxContains`. Many client generators only
//! read 3.0 (progenitor 0.15 rejects `openapi: 3.1.0`, cannot parse type arrays and
//! panics on `type: null`), so ferrest can also serve a 3.0.3 rendering of the same API.
//!
//! [`to_openapi_30`] walks the document structurally and rewrites only objects in
//! schema positions, so user data (property names, examples, `x-` extensions) is never
//! reinterpreted. Key order is preserved (serde_json `preserve_order`).

use serde_json::{Map, Value, json};

/// Document keys whose object value maps user-chosen names to OpenAPI objects.
#[rustfmt::skip]
const NAMED_MAPS: &[&str] = &["paths", "responses", "content", "headers", "parameters",
    "requestBodies", "securitySchemes", "callbacks", "pathItems", "encoding"];
/// Document keys whose values hold user data or no schemas at all.
#[rustfmt::skip]
const OPAQUE: &[&str] = &["example", "examples", "links", "security", "servers", "tags"];
/// Schema keywords holding a map of subschemas.
const SCHEMA_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
];
/// Schema keywords holding a subschema or an array of subschemas.
#[rustfmt::skip]
const SUBSCHEMAS: &[&str] = &["items", "additionalProperties", "not", "if", "then", "else",
    "allOf", "anyOf", "oneOf"];
/// JSON Schema 2020-12 keywords with no OpenAPI 3.0 equivalent. Dropping one loosens
/// the schema: 3.0 readers accept more than the server does, never less.
#[rustfmt::skip]
const DROPPED: &[&str] = &["$schema", "contentMediaType", "unevaluatedProperties",
    "propertyNames", "contains", "minContains", "maxContains"];

/// Returns an OpenAPI 3.0.3 rendering of the OpenAPI 3.1 document `doc`.
pub fn to_openapi_30(doc: &Value) -> Value {
    let mut doc = doc.clone();
    if let Value::Object(root) = &mut doc {
        root.insert("openapi".into(), json!("3.0.3"));
        root.shift_remove("jsonSchemaDialect");
        root.shift_remove("webhooks");
        if let Some(Value::Object(info)) = root.get_mut("info") {
            info.shift_remove("summary");
            if let Some(Value::Object(license)) = info.get_mut("license") {
                license.shift_remove("identifier");
            }
        }
    }
    walk(&mut doc, false);
    security_roles(&mut doc);
    doc
}

/// 3.1 lets a requirement of an HTTP or API key scheme list the roles it needs; 3.0
/// allows names there only for OAuth2 and OpenID Connect schemes.
fn security_roles(doc: &mut Value) {
    let Some(Value::Object(schemes)) = doc.pointer("/components/securitySchemes") else {
        return;
    };
    let scoped: Vec<String> = schemes
        .iter()
        .filter(|(_, s)| matches!(s["type"].as_str(), Some("oauth2" | "openIdConnect")))
        .map(|(name, _)| name.clone())
        .collect();
    let clear = |requirements: &mut Value| {
        for requirement in requirements.as_array_mut().into_iter().flatten() {
            for (name, names) in requirement.as_object_mut().into_iter().flatten() {
                if !scoped.contains(name) {
                    *names = json!([]);
                }
            }
        }
    };
    if let Some(security) = doc.get_mut("security") {
        clear(security);
    }
    for item in doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for operation in item
            .as_object_mut()
            .into_iter()
            .flat_map(|i| i.values_mut())
        {
            if let Some(security) = operation.get_mut("security") {
                clear(security);
            }
        }
    }
}

/// Walks non-schema document objects; `named` means the keys of `v` are user names.
fn walk(v: &mut Value, named: bool) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|x| walk(x, false)),
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if named {
                    walk(x, false);
                } else if k == "schema" {
                    schema(x);
                } else if k == "schemas" {
                    if let Value::Object(s) = x {
                        s.values_mut().for_each(schema);
                    }
                } else if !k.starts_with("x-") && !OPAQUE.contains(&k.as_str()) {
                    walk(x, NAMED_MAPS.contains(&k.as_str()));
                }
            }
        }
        _ => {}
    }
}

/// Rewrites one schema object and, recursively, its subschemas.
fn schema(v: &mut Value) {
    let Value::Object(m) = v else { return };
    while collapse_null(m) {}
    tuple(m);
    m.retain(|k, _| !DROPPED.contains(&k.as_str()));
    if m.len() > 1
        && let Some(r) = m.get("$ref").cloned()
    {
        let mut all = vec![json!({ "$ref": r })];
        all.extend(array(m, "allOf"));
        splice(m, "$ref", json!({ "allOf": all }));
    }
    types(m);
    keywords(m);
    for (k, x) in m.iter_mut() {
        match x {
            Value::Object(s) if SCHEMA_MAPS.contains(&k.as_str()) => {
                s.values_mut().for_each(schema);
            }
            Value::Array(a) if SUBSCHEMAS.contains(&k.as_str()) => a.iter_mut().for_each(schema),
            _ if SUBSCHEMAS.contains(&k.as_str()) => schema(x),
            _ => {}
        }
    }
    drop_empty_all_of(m);
}

/// `allOf` members left empty by dropped keywords (`{"contains": ...}` becomes `{}`)
/// constrain nothing; an `allOf` of nothing but those goes too.
fn drop_empty_all_of(m: &mut Map<String, Value>) {
    let Some(Value::Array(members)) = m.get_mut("allOf") else {
        return;
    };
    members.retain(|s| s.as_object().is_none_or(|o| !o.is_empty()));
    if members.is_empty() {
        m.shift_remove("allOf");
    }
}

/// Replaces the entry `key` of `m` by the entries of the object `with`, at the same
/// position; other entries of `m` named like one of `with`'s are dropped.
fn splice(m: &mut Map<String, Value>, key: &str, with: Value) {
    let Value::Object(with) = with else { return };
    let names: Vec<String> = with.keys().cloned().collect();
    let mut with = Some(with);
    for (k, v) in std::mem::take(m) {
        if k == key {
            m.extend(with.take().into_iter().flatten());
        } else if !names.contains(&k) {
            m.insert(k, v);
        }
    }
}

/// A clone of the array `m[key]`, or an empty one.
fn array(m: &Map<String, Value>, key: &str) -> Vec<Value> {
    m.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn is_null(s: &Value) -> bool {
    s.as_object()
        .is_some_and(|o| o.len() == 1 && o.get("type").and_then(Value::as_str) == Some("null"))
}

/// `oneOf`/`anyOf` with a `{type: null}` member becomes `nullable: true`.
fn collapse_null(m: &mut Map<String, Value>) -> bool {
    for key in ["oneOf", "anyOf"] {
        let Some(Value::Array(members)) = m.get(key) else {
            continue;
        };
        if !members.iter().any(is_null) {
            continue;
        }
        let rest: Vec<Value> = members.iter().filter(|s| !is_null(s)).cloned().collect();
        let with = match rest.as_slice() {
            [] => continue,
            [Value::Object(x)] if !x.keys().any(|k| k != key && m.contains_key(k)) => {
                let mut x = x.clone();
                if let Some(r) = x.shift_remove("$ref") {
                    let mut all = array(m, "allOf");
                    all.push(json!({ "$ref": r }));
                    x.shift_insert(0, "allOf".into(), json!(all));
                }
                if let Some(Value::Array(e)) = x.get_mut("enum")
                    && !e.contains(&Value::Null)
                {
                    e.push(Value::Null);
                }
                x.insert("nullable".into(), json!(true));
                Value::Object(x)
            }
            [x] => {
                let mut all = array(m, "allOf");
                all.push(x.clone());
                json!({ "allOf": all, "nullable": true })
            }
            _ => json!({ key: rest, "nullable": true }),
        };
        splice(m, key, with);
        return true;
    }
    false
}

/// A tuple (`prefixItems` + `items: false`) becomes an array of the union of its items.
fn tuple(m: &mut Map<String, Value>) {
    let Some(Value::Array(prefix)) = m.shift_remove("prefixItems") else {
        return;
    };
    if prefix.is_empty() || m.get("items") != Some(&Value::Bool(false)) {
        return;
    }
    for k in ["minItems", "maxItems"] {
        m.entry(k).or_insert(json!(prefix.len()));
    }
    let items = match <[Value; 1]>::try_from(prefix) {
        Ok([one]) => one,
        Err(prefix) => json!({ "anyOf": prefix }),
    };
    m.insert("items".into(), items);
}

/// `type` arrays and `type: "null"` become `type` + `nullable`.
fn types(m: &mut Map<String, Value>) {
    let (names, null): (Vec<Value>, bool) = match m.get("type") {
        Some(Value::String(t)) if t == "null" => (vec![], true),
        Some(Value::Array(ts)) => {
            let names = ts.iter().filter(|t| *t != "null").cloned().collect();
            (names, ts.iter().any(|t| t == "null"))
        }
        _ => return,
    };
    let mut with = Map::new();
    match names.as_slice() {
        [] => {
            with.insert("nullable".into(), json!(true));
            if !m.contains_key("enum") {
                with.insert("enum".into(), json!([null]));
            }
        }
        [t] => drop(with.insert("type".into(), t.clone())),
        _ => {
            // 3.0.3 ignores `nullable` without a sibling `type`, so null goes on each
            // alternative instead of the outer object.
            let alts: Vec<Value> = names
                .iter()
                .map(|t| {
                    if null {
                        json!({ "type": t, "nullable": true })
                    } else {
                        json!({ "type": t })
                    }
                })
                .collect();
            if m.contains_key("anyOf") {
                let mut all = array(m, "allOf");
                all.push(json!({ "anyOf": alts }));
                with.insert("allOf".into(), json!(all));
            } else {
                with.insert("anyOf".into(), json!(alts));
            }
        }
    }
    if null && names.len() < 2 {
        with.insert("nullable".into(), json!(true));
    }
    splice(m, "type", Value::Object(with));
}

/// `const`, `examples`, numeric exclusive bounds and `contentEncoding`.
fn keywords(m: &mut Map<String, Value>) {
    if let Some(c) = m.get("const").cloned() {
        splice(m, "const", json!({ "enum": [c] }));
    }
    if let Some(Value::Array(ex)) = m.get("examples") {
        match ex.first().cloned() {
            Some(e) if !m.contains_key("example") => splice(m, "examples", json!({ "example": e })),
            _ => drop(m.shift_remove("examples")),
        }
    }
    for (ex, inc, min) in [
        ("exclusiveMinimum", "minimum", true),
        ("exclusiveMaximum", "maximum", false),
    ] {
        let Some(n) = m.get(ex).filter(|n| n.is_number()).cloned() else {
            continue;
        };
        let inclusive = m.get(inc).and_then(Value::as_f64);
        let stricter = inclusive
            .zip(n.as_f64())
            .is_some_and(|(i, n)| if min { i > n } else { i < n });
        if stricter {
            m.shift_remove(ex);
        } else {
            splice(m, ex, json!({ inc: n, ex: true }));
        }
    }
    let base64 = m.get("contentEncoding").map(|e| e == "base64");
    match base64 {
        Some(true) if !m.contains_key("format") => {
            splice(m, "contentEncoding", json!({ "format": "byte" }))
        }
        Some(base64) => {
            if base64 {
                m.insert("format".into(), json!("byte"));
            }
            m.shift_remove("contentEncoding");
        }
        None => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Downgrades `s` as `components.schemas.S` and compares it, key order included.
    fn check(s: Value, expected: Value) {
        let doc = json!({ "openapi": "3.1.0", "components": { "schemas": { "S": s } } });
        let out = to_openapi_30(&doc)["components"]["schemas"]["S"].to_string();
        assert_eq!(out, expected.to_string());
    }

    /// `case!(name, input => expected)`: one schema-level rewrite test.
    macro_rules! case {
        ($name:ident, $input:tt => $expected:tt) => {
            #[test]
            fn $name() {
                check(json!($input), json!($expected));
            }
        };
    }

    case!(type_array_with_null, { "type": ["string", "null"], "format": "uuid" }
        => { "type": "string", "nullable": true, "format": "uuid" });
    case!(type_array_single, { "type": ["integer"], "minimum": 0 } => { "type": "integer", "minimum": 0 });
    case!(type_array_several, { "description": "d", "type": ["string", "integer", "null"], "maxLength": 3 }
        => { "description": "d", "anyOf": [{ "type": "string", "nullable": true }, { "type": "integer", "nullable": true }], "maxLength": 3 });
    case!(type_null_alone, { "type": "null", "description": "d" } => { "nullable": true, "enum": [null], "description": "d" });
    case!(one_of_null_and_ref, { "description": "d", "oneOf": [{ "type": "null" }, { "$ref": "#/A" }], "default": null }
        => { "description": "d", "allOf": [{ "$ref": "#/A" }], "nullable": true, "default": null });
    // utoipa 6 puts the field doc on the `$ref` member: hoisted instead of nesting allOf.
    case!(one_of_ref_with_description_and_null, { "oneOf": [{ "$ref": "#/A", "description": "d" }, { "type": "null" }] }
        => { "allOf": [{ "$ref": "#/A" }], "description": "d", "nullable": true });
    case!(any_of_null_and_inline, { "anyOf": [{ "type": "null" }, { "type": "string", "enum": ["a", "b"] }], "title": "t" }
        => { "type": "string", "enum": ["a", "b", null], "nullable": true, "title": "t" });
    case!(one_of_inline_3_1_and_null, { "oneOf": [{ "type": ["integer"], "const": 1 }, { "type": "null" }] }
        => { "type": "integer", "enum": [1], "nullable": true });
    case!(one_of_null_and_several, { "oneOf": [{ "$ref": "#/A" }, { "type": "null" }, { "type": "string" }] }
        => { "oneOf": [{ "$ref": "#/A" }, { "type": "string" }], "nullable": true });
    case!(ref_with_siblings, { "$ref": "#/A", "description": "d", "readOnly": true }
        => { "allOf": [{ "$ref": "#/A" }], "description": "d", "readOnly": true });
    case!(bare_ref_untouched, { "$ref": "#/A" } => { "$ref": "#/A" });
    case!(const_to_enum, { "type": "string", "const": "x" } => { "type": "string", "enum": ["x"] });
    case!(examples_to_example, { "type": "string", "examples": ["e1", "e2"] } => { "type": "string", "example": "e1" });
    case!(exclusive_bounds, { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10, "maximum": 5 }
        => { "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 5 });
    case!(content_encoding, { "type": "string", "contentEncoding": "base64", "contentMediaType": "image/png" }
        => { "type": "string", "format": "byte" });
    case!(dropped_keywords, { "$schema": "s", "type": "object", "unevaluatedProperties": false,
        "additionalProperties": { "type": "integer" }, "propertyNames": { "type": "string", "format": "uuid" } }
        => { "type": "object", "additionalProperties": { "type": "integer" } });
    case!(tuple_prefix_items, { "type": "array", "items": false, "prefixItems": [{ "type": "string" }, { "type": ["integer", "null"] }] }
        => { "type": "array", "items": { "anyOf": [{ "type": "string" }, { "type": "integer", "nullable": true }] },
            "minItems": 2, "maxItems": 2 });
    case!(nested_property_items_additional, { "type": "object", "properties": { "y": { "type": ["array", "null"],
            "items": { "oneOf": [{ "type": "null" }, { "$ref": "#/B" }] } } }, "additionalProperties": { "const": 1 } }
        => { "type": "object", "properties": { "y": { "type": "array", "nullable": true,
            "items": { "allOf": [{ "$ref": "#/B" }], "nullable": true } } }, "additionalProperties": { "enum": [1] } });
    case!(property_named_type_survives, { "type": "object", "properties": { "type": { "type": "string" },
            "nullable": { "type": "boolean" }, "const": { "const": 1 } }, "example": { "type": ["a", "null"] } }
        => { "type": "object", "properties": { "type": { "type": "string" },
            "nullable": { "type": "boolean" }, "const": { "enum": [1] } }, "example": { "type": ["a", "null"] } });

    #[test]
    fn top_level_fields() {
        let doc = json!({ "openapi": "3.1.0", "jsonSchemaDialect": "x",
            "info": { "title": "t", "summary": "s", "license": { "name": "MIT", "identifier": "MIT" }, "version": "1" },
            "paths": {}, "webhooks": { "w": {} } });
        let expected = json!({ "openapi": "3.0.3",
            "info": { "title": "t", "license": { "name": "MIT" }, "version": "1" }, "paths": {} });
        assert_eq!(to_openapi_30(&doc).to_string(), expected.to_string());
        assert_eq!(
            format!("{:#}", to_openapi_30(&doc)),
            format!("{expected:#}")
        );
    }

    #[test]
    fn operation_schemas() {
        // A header literally named "schema" is a Header object, not a schema.
        let op = |s: Value| {
            json!({ "parameters": [{ "name": "q", "in": "query", "schema": s }],
            "responses": { "200": { "description": "ok", "headers": { "schema": { "schema": s } },
                "content": { "application/json": { "schema": { "type": "object", "properties": { "p": s } } } } } } })
        };
        let doc = json!({ "openapi": "3.1.0", "paths": { "/a": { "get": op(json!({ "type": ["string", "null"] })) } } });
        let expected = json!({ "openapi": "3.0.3", "paths": { "/a": { "get": op(json!({ "type": "string", "nullable": true })) } } });
        assert_eq!(to_openapi_30(&doc).to_string(), expected.to_string());
    }

    #[test]
    fn user_data_survives() {
        let doc = json!({ "openapi": "3.0.3", "components": { "schemas": {},
            "examples": { "E": { "value": { "type": "null" } } } }, "x-top": { "schema": { "type": ["string"] } } });
        assert_eq!(to_openapi_30(&doc).to_string(), doc.to_string());
    }
}
