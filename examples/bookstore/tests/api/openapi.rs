//! The document: snapshot-tested, complete (every served route is in it and every
//! documented one is served), and internally consistent (every `$ref` resolves).

use axum::http::Method;
use ferrest::testing::TestClient;

use crate::support::on_every_backend;

on_every_backend!(
    served_documents_equal_the_generated_ones,
    routes_and_document_agree
);

use serde_json::Value;

const SNAPSHOT_31: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
const SNAPSHOT_30: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi-3.0.json");

fn document() -> Value {
    serde_json::to_value(bookstore::app().openapi()).unwrap()
}

/// Compares with the committed file, which `bookstore openapi [--3.0]` writes;
/// `UPDATE_SNAPSHOTS=1` rewrites it instead, and the change is then reviewed as a diff.
fn assert_snapshot(path: &str, version: ferrest::OpenApiVersion) {
    let rendered = bookstore::app().openapi_json(version).unwrap();
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::write(path, &rendered).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("{path} is missing; run with UPDATE_SNAPSHOTS=1"));
    assert!(
        committed == rendered,
        "{path} differs from the generated document; review the change and rerun with UPDATE_SNAPSHOTS=1 (or write it with `cargo run -p bookstore -- openapi`)"
    );
}

#[test]
fn document_matches_the_snapshot() {
    let document = document();
    assert_eq!(document["openapi"], "3.1.0");
    assert_eq!(ferrest::to_openapi_30(&document)["openapi"], "3.0.3");
    assert_snapshot(SNAPSHOT_31, ferrest::OpenApiVersion::V3_1);
    assert_snapshot(SNAPSHOT_30, ferrest::OpenApiVersion::V3_0);
}

async fn served_documents_equal_the_generated_ones(client: TestClient) {
    let v31 = client.get("/openapi.json").await;
    assert_eq!(v31.status, 200);
    assert_eq!(v31.header("content-type"), Some("application/json"));
    assert_eq!(v31.body, document());
    let v30 = client.get("/openapi-3.0.json").await;
    assert_eq!(v30.body, ferrest::to_openapi_30(&document()));
}

/// Every `$ref` in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(target)) => out.push(target),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_ref_resolves_in_both_renderings() {
    for document in [document(), ferrest::to_openapi_30(&document())] {
        let mut found = Vec::new();
        refs(&document, &mut found);
        assert!(found.len() > 10, "expected refs, found {found:?}");
        for target in found {
            let pointer = target.strip_prefix('#').expect("local ref");
            assert!(
                document.pointer(pointer).is_some(),
                "unresolved $ref {target}"
            );
        }
        for name in [
            "Book",
            "BookCreate",
            "BookUpdate",
            "BookPage",
            "Author",
            "AuthorCreate",
            "AuthorUpdate",
            "AuthorPage",
            "Problem",
            "FieldError",
        ] {
            assert!(
                document["components"]["schemas"].get(name).is_some(),
                "{name}"
            );
        }
    }
}

#[test]
fn the_3_0_rendering_has_no_3_1_constructs() {
    let text = serde_json::to_string(&ferrest::to_openapi_30(&document())).unwrap();
    assert!(!text.contains("\"type\":[\""), "type arrays remain");
    assert!(!text.contains("\"type\":\"null\""), "null types remain");
    let v30 = ferrest::to_openapi_30(&document());
    assert_eq!(
        v30["components"]["schemas"]["Book"]["properties"]["summary"],
        serde_json::json!({"type": "string", "nullable": true, "description": "Blurb for the back cover.", "pattern": "^[^\\x00]*$"})
    );
}

/// Equality filters of a `one_of` field list its values, as the server checks them.
#[test]
fn choice_filters_list_their_values() {
    let document = document();
    let parameters = document["paths"]["/books"]["get"]["parameters"]
        .as_array()
        .unwrap();
    let named = |name: &str| parameters.iter().find(|p| p["name"] == name).unwrap();
    let bindings = serde_json::json!(["paperback", "hardcover", "ebook"]);
    assert_eq!(named("format")["schema"]["enum"], bindings);
    assert_eq!(named("format__in")["schema"]["items"]["enum"], bindings);
    assert!(named("title")["schema"]["enum"].is_null());
}

#[test]
fn validation_rules_appear_in_the_schemas() {
    let document = document();
    let create = &document["components"]["schemas"]["BookCreate"];
    let title = &create["properties"]["title"];
    assert_eq!(title["minLength"], 1);
    assert_eq!(title["maxLength"], 200);
    assert_eq!(create["properties"]["isbn"]["pattern"], "^[0-9]{13}$");
    assert_eq!(
        create["properties"]["isbn"]["maxLength"], 255,
        "unique strings are bounded"
    );
    assert_eq!(create["properties"]["price_cents"]["minimum"], 0);
    assert_eq!(
        create["properties"]["format"]["enum"],
        serde_json::json!(["paperback", "hardcover", "ebook"])
    );
    assert_eq!(create["properties"]["format"]["default"], "paperback");
    assert_eq!(create["properties"]["published"]["default"], false);
    assert_eq!(
        document["components"]["schemas"]["AuthorCreate"]["properties"]["email"]["format"],
        "email"
    );
    assert_eq!(
        create["required"],
        serde_json::json!(["title", "isbn", "price_cents", "author_id"])
    );
    assert_eq!(create["additionalProperties"], false);
    let update = &document["components"]["schemas"]["BookUpdate"];
    assert!(update.get("required").is_none());
    assert!(update["properties"].get("id").is_none());
    assert!(update["properties"].get("created_at").is_none());
    let read = &document["components"]["schemas"]["Book"];
    assert_eq!(read["properties"]["id"]["readOnly"], true);
    assert_eq!(read["properties"]["created_at"]["format"], "date-time");
    assert_eq!(read["description"], "A book in the catalogue.");
}

#[test]
fn operations_document_their_errors() {
    let document = document();
    let codes = |path: &str, method: &str| -> Vec<String> {
        document["paths"][path][method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{method} {path}"))
            .keys()
            .cloned()
            .collect()
    };
    // Every operation may meet wrong credentials (401); deleting needs a role (403),
    // and so does a body that sets `published` (`write = role("editor", "admin")`).
    assert_eq!(codes("/books", "get"), ["200", "400", "401", "503"]);
    assert_eq!(
        codes("/books", "post"),
        [
            "201", "400", "401", "403", "409", "413", "415", "422", "503"
        ]
    );
    assert_eq!(
        codes("/books/{id}", "get"),
        ["200", "400", "401", "404", "503"]
    );
    assert_eq!(
        codes("/books/{id}", "patch"),
        [
            "200", "400", "401", "403", "404", "409", "413", "415", "422", "503"
        ]
    );
    assert_eq!(
        codes("/books/{id}", "delete"),
        ["204", "400", "401", "403", "404", "409", "503"]
    );
    assert_eq!(
        document["paths"]["/books/{id}"]["delete"]["security"],
        serde_json::json!([{"bearer": ["admin"]}])
    );
    assert_eq!(
        document["paths"]["/books"]["get"]["security"],
        serde_json::json!([{}, {"bearer": []}])
    );
    assert_eq!(
        document["components"]["securitySchemes"]["bearer"],
        serde_json::json!({"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    );
    let created = &document["paths"]["/books"]["post"]["responses"]["201"];
    assert!(created["headers"].get("Location").is_some());
    let not_found = &document["paths"]["/books/{id}"]["get"]["responses"]["404"]["content"];
    assert_eq!(
        not_found["application/problem+json"]["schema"]["$ref"],
        "#/components/schemas/Problem"
    );
    let mut ids: Vec<&str> = Vec::new();
    for item in document["paths"].as_object().unwrap().values() {
        for operation in item.as_object().unwrap().values() {
            ids.push(operation["operationId"].as_str().unwrap());
            assert!(operation["tags"].is_array());
            // Generators key parameters by name alone (progenitor does): a path and a
            // query parameter may not share one.
            let mut names: Vec<&str> = operation["parameters"]
                .as_array()
                .map(|all| all.iter().map(|p| p["name"].as_str().unwrap()).collect())
                .unwrap_or_default();
            let count = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), count, "{}", operation["operationId"]);
        }
    }
    assert!(
        ids.iter()
            .all(|id| id.chars().all(|c| c.is_ascii_alphanumeric())),
        "{ids:?}"
    );
    assert!(
        ids.contains(&"listBooks") && ids.contains(&"getAuthor"),
        "{ids:?}"
    );
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids are unique");
}

async fn routes_and_document_agree(client: TestClient) {
    let document = document();
    let documented: Vec<(String, String)> = document["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (path.clone(), m.clone()))
        })
        .collect();
    let paths: Vec<&String> = document["paths"].as_object().unwrap().keys().collect();
    for path in paths {
        let concrete: Vec<&str> = path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "1"
                } else {
                    segment
                }
            })
            .collect();
        let concrete = concrete.join("/");
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let response = client
                .send(
                    method.clone(),
                    &concrete,
                    Some("{}".into()),
                    &[("content-type", "application/json")],
                )
                .await;
            let routed = response.status != 405 && response.body["code"] != "route_not_found";
            let is_documented =
                documented.contains(&(path.clone(), method.as_str().to_lowercase()));
            assert_eq!(
                routed, is_documented,
                "{method} {path}: routed={routed} documented={is_documented}"
            );
            assert_ne!(response.status.as_u16(), 500, "{method} {path}");
        }
    }
}
