//! Every declarative rule, passing and failing, with the exact problem body; all
//! failures of a request are reported at once.

use ferrest::testing::TestClient;
use serde_json::{Value, json};

use crate::support::{author, book, on_every_backend};

on_every_backend!(
    every_failure_is_reported_at_once,
    length_bounds_are_inclusive,
    range_pattern_and_one_of_pass_at_their_edges,
    email_is_checked,
    required_fields_and_types,
    server_managed_and_unknown_fields_are_refused,
    update_checks_the_same_rules,
    custom_validators_run_after_the_declared_rules,
    many_failures_are_answered_in_bounded_space,
);

fn errors(response: &ferrest::testing::TestResponse) -> Vec<(String, String)> {
    response.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {}", response.text))
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(p, c)| ((*p).to_owned(), (*c).to_owned()))
        .collect()
}

async fn every_failure_is_reported_at_once(client: TestClient) {
    let response = client
        .post(
            "/books",
            json!({"title": "", "isbn": "12", "price_cents": -1, "format": "scroll", "author_id": 1}),
        )
        .await;
    assert_eq!(response.status, 422);
    assert_eq!(
        response.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        response.body,
        json!({
            "type": "about:blank",
            "title": "Unprocessable Entity",
            "status": 422,
            "detail": "4 fields are invalid",
            "code": "validation_failed",
            "errors": [
                {"pointer": "/title", "code": "length", "detail": "must be between 1 and 200 characters long, found 0"},
                {"pointer": "/isbn", "code": "pattern", "detail": "must match the pattern `^[0-9]{13}$`"},
                {"pointer": "/price_cents", "code": "range", "detail": "must be at least 0"},
                {"pointer": "/format", "code": "one_of", "detail": "must be one of: \"paperback\", \"hardcover\", \"ebook\""}
            ]
        })
    );
    // Nothing was written.
    assert_eq!(client.get("/books?count=true").await.body["total"], 0);
}

async fn length_bounds_are_inclusive(client: TestClient) {
    let author_id = author(&client, "len@example.org").await;
    let mut body = book(author_id, "9780000000010");
    body["title"] = Value::from("x".repeat(200));
    let at_max = client.post("/books", body.clone()).await;
    assert_eq!(at_max.status, 201, "{}", at_max.text);
    assert_eq!(at_max.body["title"].as_str().unwrap().len(), 200);

    body["isbn"] = Value::from("9780000000011");
    body["title"] = Value::from("x".repeat(201));
    let over = client.post("/books", body.clone()).await;
    assert_eq!(over.status, 422);
    assert_eq!(
        over.body["errors"],
        json!([{"pointer": "/title", "code": "length", "detail": "must be between 1 and 200 characters long, found 201"}])
    );

    // Length counts characters, not bytes: 200 three-byte characters pass.
    body["title"] = Value::from("é".repeat(100) + &"漢".repeat(100));
    let unicode = client.post("/books", body).await;
    assert_eq!(unicode.status, 201, "{}", unicode.text);
    assert_eq!(unicode.body["title"].as_str().unwrap().chars().count(), 200);

    // An optional field's max length applies when present.
    let long_bio = client
        .post(
            "/authors",
            json!({"name": "B", "email": "b@example.org", "bio": "y".repeat(2001)}),
        )
        .await;
    assert_eq!(
        long_bio.body["errors"],
        json!([{"pointer": "/bio", "code": "length", "detail": "must be at most 2000 characters long, found 2001"}])
    );
}

async fn range_pattern_and_one_of_pass_at_their_edges(client: TestClient) {
    let author_id = author(&client, "edges@example.org").await;
    let mut body = book(author_id, "0000000000000");
    body["price_cents"] = json!(0);
    body["format"] = json!("ebook");
    let response = client.post("/books", body).await;
    assert_eq!(response.status, 201, "{}", response.text);
    assert_eq!(response.body["price_cents"], 0);
    assert_eq!(response.body["format"], "ebook");

    // JSON Schema counts `7.0` as an integer, so clients may send it.
    let mut whole_float = book(author_id, "9780000000014");
    whole_float["price_cents"] = json!(7.0);
    let accepted = client.post("/books", whole_float).await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
    assert_eq!(accepted.body["price_cents"], 7);

    // The pattern is anchored: 14 digits fail, letters fail.
    for isbn in ["97800000000123", "978000000001X", " 9780000000012"] {
        let refused = client.post("/books", book(author_id, isbn)).await;
        assert_eq!(errors(&refused), pairs(&[("/isbn", "pattern")]), "{isbn}");
    }
    // one_of is case sensitive.
    let mut shouting = book(author_id, "9780000000013");
    shouting["format"] = json!("EBOOK");
    assert_eq!(
        errors(&client.post("/books", shouting).await),
        pairs(&[("/format", "one_of")])
    );
}

async fn email_is_checked(client: TestClient) {
    let long_local = format!("{}@example.org", "a".repeat(65));
    for bad in [
        "ada",
        "ada@",
        "@example.org",
        "ada@exa mple.org",
        "ada@@example.org",
        ".ada@example.org",
        "a..da@example.org",
        &long_local,
    ] {
        let refused = client
            .post("/authors", json!({"name": "Ada", "email": bad}))
            .await;
        assert_eq!(refused.status, 422, "{bad}");
        assert_eq!(
            refused.body["errors"],
            json!([{"pointer": "/email", "code": "email", "detail": "must be an e-mail address"}]),
            "{bad}"
        );
    }
    let accepted = client
        .post(
            "/authors",
            json!({"name": "Ada", "email": "ada.lovelace+books@example.co.uk"}),
        )
        .await;
    assert_eq!(accepted.status, 201, "{}", accepted.text);
}

async fn required_fields_and_types(client: TestClient) {
    let missing = client.post("/books", json!({})).await;
    assert_eq!(missing.status, 422);
    assert_eq!(
        errors(&missing),
        pairs(&[
            ("/title", "required"),
            ("/isbn", "required"),
            ("/price_cents", "required"),
            ("/author_id", "required"),
        ])
    );
    let wrong = client
        .post(
            "/books",
            json!({"title": 7, "isbn": null, "price_cents": 1.5, "author_id": "1", "published": "yes", "summary": 3}),
        )
        .await;
    assert_eq!(
        wrong.body["errors"],
        json!([
            {"pointer": "/title", "code": "type", "detail": "expected a string, found an integer"},
            {"pointer": "/isbn", "code": "not_null", "detail": "must not be null"},
            {"pointer": "/price_cents", "code": "type", "detail": "expected a 64-bit integer, found a number"},
            {"pointer": "/published", "code": "type", "detail": "expected a boolean, found a string"},
            {"pointer": "/author_id", "code": "type", "detail": "expected a 64-bit integer, found a string"},
            {"pointer": "/summary", "code": "type", "detail": "expected a string, found an integer"}
        ])
    );
    let not_object = client.post("/books", json!([1, 2])).await;
    assert_eq!(
        not_object.body["errors"],
        json!([{"pointer": "", "code": "type", "detail": "expected a JSON object, found an array"}])
    );
    // serde would read this array as a `BookCreate`, field by field.
    let as_array = json!(["Dune", "9780000000011", 100, false, "paperback", 1, null]);
    let refused = client.post("/books", as_array).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.body["errors"][0]["detail"],
        "expected a JSON object, found an array"
    );
    // A defaulted field takes its default when absent, not when `null`.
    let mut defaulted_null = book(1, "9780000000012");
    defaulted_null["format"] = Value::Null;
    let refused = client.post("/books", defaulted_null).await;
    assert_eq!(
        refused.body["errors"],
        json!([{"pointer": "/format", "code": "not_null", "detail": "must not be null"}])
    );
}

async fn server_managed_and_unknown_fields_are_refused(client: TestClient) {
    let author_id = author(&client, "managed@example.org").await;
    let mut body = book(author_id, "9780000000020");
    body["id"] = json!(42);
    body["created_at"] = json!("2020-01-01T00:00:00Z");
    body["titel"] = json!("typo");
    body[""] = json!(1);
    let refused = client.post("/books", body).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["errors"],
        json!([
            {"pointer": "/id", "code": "read_only", "detail": "`id` is set by the server and cannot be written"},
            {"pointer": "/created_at", "code": "read_only", "detail": "`created_at` is set by the server and cannot be written"},
            {"pointer": "/titel", "code": "unknown_field", "detail": "unknown field `titel`, expected one of: title, subtitle, isbn, price_cents, published, format, author_id, summary"},
            {"pointer": "/", "code": "unknown_field", "detail": "unknown field ``"}
        ])
    );
}

async fn update_checks_the_same_rules(client: TestClient) {
    let author_id = author(&client, "update@example.org").await;
    let created = client
        .post("/books", book(author_id, "9780000000030"))
        .await;
    let uri = format!("/books/{}", created.body["id"]);
    let refused = client
        .patch(
            &uri,
            json!({"title": "", "price_cents": -5, "isbn": "x", "id": 9}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        errors(&refused),
        pairs(&[
            ("/id", "read_only"),
            ("/title", "length"),
            ("/isbn", "pattern"),
            ("/price_cents", "range"),
        ])
    );
    // The row is untouched.
    let after = client.get(&uri).await;
    assert_eq!(after.body, created.body);
}

async fn custom_validators_run_after_the_declared_rules(client: TestClient) {
    let blank = client
        .post(
            "/authors",
            json!({"name": "   ", "email": "blank@example.org"}),
        )
        .await;
    assert_eq!(blank.status, 422);
    assert_eq!(
        blank.body["errors"],
        json!([{"pointer": "/name", "code": "blank", "detail": "must contain a visible character"}])
    );
    // A field that fails a declared rule is reported once, by that rule.
    let empty = client
        .post("/authors", json!({"name": "", "email": "nope"}))
        .await;
    assert_eq!(empty.body["detail"], "2 fields are invalid");
    assert_eq!(
        errors(&empty),
        pairs(&[("/name", "length"), ("/email", "email")])
    );
    // The same validator guards updates.
    let id = author(&client, "named@example.org").await;
    let renamed = client
        .patch(&format!("/authors/{id}"), json!({"name": "\t"}))
        .await;
    assert_eq!(errors(&renamed), pairs(&[("/name", "blank")]));
    let fine = client
        .patch(&format!("/authors/{id}"), json!({"name": "Grace Hopper"}))
        .await;
    assert_eq!(fine.status, 200);
}

/// A body of 20,000 unknown keys gets the first `MAX_FIELD_ERRORS` errors and the
/// count of the others, and names the expected fields once, not once per key.
async fn many_failures_are_answered_in_bounded_space(client: TestClient) {
    let mut body = serde_json::Map::new();
    for i in 0..20_000 {
        body.insert(format!("k{i:05}"), json!(1));
    }
    for path in ["/authors", "/books"] {
        let refused = client.post(path, Value::Object(body.clone())).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        let listed = refused.body["errors"].as_array().unwrap();
        assert_eq!(listed.len(), ferrest::MAX_FIELD_ERRORS);
        // 20,000 unknown keys and the required fields, less those listed.
        let required = if path == "/authors" { 2 } else { 4 };
        let omitted = refused.body["errors_omitted"].as_u64().unwrap_or(0);
        assert_eq!(
            omitted as usize,
            20_000 + required - ferrest::MAX_FIELD_ERRORS
        );
        assert_eq!(refused.text.matches("expected one of").count(), 1);
        assert!(
            refused.text.len() < 8 * 1024,
            "{} bytes",
            refused.text.len()
        );
        let detail = refused.body["detail"].as_str().unwrap();
        assert!(
            detail.ends_with("the first 50 errors are listed"),
            "{detail}"
        );
    }
}
