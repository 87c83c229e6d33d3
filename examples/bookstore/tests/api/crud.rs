//! The five operations, their status codes, headers and bodies.

use ferrest::testing::TestClient;
use serde_json::{Value, json};

use crate::support::{author, book, on_every_backend};

on_every_backend!(
    create_returns_201_with_location_and_the_stored_row,
    get_returns_the_row_or_404,
    list_pages_in_primary_key_order,
    patch_merges_absent_fields_and_clears_null,
    patch_with_nothing_changes_nothing,
    delete_returns_204_then_404,
    unique_violation_is_409_naming_the_field,
    unique_compares_exactly_and_text_is_long,
    authors_are_versioned,
);

/// `Author` has a `version`: reads carry it as the `ETag`, a stale `If-Match` is a
/// `412`, a current `If-None-Match` a `304`.
async fn authors_are_versioned(client: TestClient) {
    use axum::http::Method;
    let id = author(&client, "ada@example.org").await;
    let path = format!("/authors/{id}");
    let read = client.get(&path).await;
    assert_eq!(
        (read.header("etag"), &read.body["version"]),
        (Some("\"1\""), &json!(1))
    );
    let cached = client
        .send(Method::GET, &path, None, &[("if-none-match", "\"1\"")])
        .await;
    assert_eq!(cached.status, 304);
    let patch = |tag: &'static str, name: &'static str| {
        let client = client.clone();
        let path = path.clone();
        async move {
            client
                .send(
                    Method::PATCH,
                    &path,
                    Some(json!({"name": name}).to_string()),
                    &[("content-type", "application/json"), ("if-match", tag)],
                )
                .await
        }
    };
    let updated = patch("\"1\"", "Ada King").await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.header("etag"), Some("\"2\""));
    let stale = patch("\"1\"", "Ada Byron").await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(client.get(&path).await.body["name"], "Ada King");
}

async fn unique_compares_exactly_and_text_is_long(client: TestClient) {
    author(&client, "ada@example.org").await;
    // Case matters on every backend (MySQL's default collation would call these equal).
    let other_case = client
        .post(
            "/authors",
            json!({"name": "Ada", "email": "ADA@example.org"}),
        )
        .await;
    assert_eq!(other_case.status, 201, "{}", other_case.text);
    // An unbounded text field holds more than MySQL's 64 KiB `text`.
    let id = author(&client, "long@example.org").await;
    let mut body = book(id, "9780000000005");
    body["summary"] = json!("s".repeat(100_000));
    let long = client.post("/books", body).await;
    assert_eq!(
        long.status,
        201,
        "{}",
        &long.text[..200.min(long.text.len())]
    );
    let fetched = client.get(long.header("location").unwrap()).await;
    assert_eq!(fetched.body["summary"].as_str().unwrap().len(), 100_000);
}

async fn create_returns_201_with_location_and_the_stored_row(client: TestClient) {
    let author_id = author(&client, "ada@example.org").await;
    let created = client
        .post("/books", book(author_id, "9780000000001"))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.header("content-type"), Some("application/json"));
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(created.header("location"), Some(&*format!("/books/{id}")));
    let body = &created.body;
    assert_eq!(body["title"], "The Rust Programming Language");
    assert_eq!(body["isbn"], "9780000000001");
    assert_eq!(body["price_cents"], 3999);
    assert_eq!(body["author_id"], author_id);
    // Defaults apply to omitted fields; nullable fields default to null.
    assert_eq!(body["published"], false);
    assert_eq!(body["format"], "paperback");
    assert_eq!(body["summary"], Value::Null);
    // Server-managed timestamps are set, and equal on create.
    let created_at = body["created_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(created_at).is_ok(),
        "{created_at}"
    );
    assert_eq!(body["updated_at"], body["created_at"]);
    // What create returned is what a read returns.
    let fetched = client.get(&format!("/books/{id}")).await;
    assert_eq!(fetched.body, created.body);
}

async fn get_returns_the_row_or_404(client: TestClient) {
    let author_id = author(&client, "get@example.org").await;
    let fetched = client.get(&format!("/authors/{author_id}")).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.body["email"], "get@example.org");
    let missing = client.get("/authors/999999").await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        missing.body,
        json!({"type": "about:blank", "title": "Not Found", "status": 404,
               "detail": "no Author with this id", "code": "not_found"})
    );
}

async fn list_pages_in_primary_key_order(client: TestClient) {
    let author_id = author(&client, "list@example.org").await;
    let mut ids = Vec::new();
    for n in 0..25 {
        let response = client
            .post("/books", book(author_id, &format!("97800000001{n:02}")))
            .await;
        assert_eq!(response.status, 201, "{}", response.text);
        ids.push(response.body["id"].as_i64().unwrap());
    }
    let ids_of = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_i64().unwrap())
            .collect()
    };
    // Default page: 20 rows, no total unless asked.
    let first = client.get("/books").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body["limit"], 20);
    assert_eq!(first.body["offset"], 0);
    assert!(first.body.get("total").is_none());
    assert_eq!(ids_of(&first.body), ids[..20]);
    // The rest, with a count.
    let second = client.get("/books?offset=20&count=true").await;
    assert_eq!(ids_of(&second.body), ids[20..]);
    assert_eq!(second.body["total"], 25);
    // limit is clamped to the maximum page size of 100.
    let clamped = client.get("/books?limit=1000").await;
    assert_eq!(clamped.status, 200);
    assert_eq!(clamped.body["limit"], 100);
    assert_eq!(ids_of(&clamped.body), ids);
    // Past the end: an empty page, not an error.
    let past = client.get("/books?offset=500&limit=5").await;
    assert_eq!(past.body["items"], json!([]));
}

async fn patch_merges_absent_fields_and_clears_null(client: TestClient) {
    let author_id = author(&client, "patch@example.org").await;
    let created = client
        .post("/books", book(author_id, "9780000000002"))
        .await;
    let id = created.body["id"].as_i64().unwrap();
    let uri = format!("/books/{id}");

    let set = client
        .patch(&uri, json!({"summary": "A classic.", "price_cents": 100}))
        .await;
    assert_eq!(set.status, 200, "{}", set.text);
    assert_eq!(set.body["summary"], "A classic.");
    assert_eq!(set.body["price_cents"], 100);
    // Absent fields are unchanged.
    assert_eq!(set.body["title"], created.body["title"]);
    assert_eq!(set.body["isbn"], created.body["isbn"]);
    assert_eq!(set.body["created_at"], created.body["created_at"]);

    // Absent `summary` keeps it (`published` is an editor's to write).
    let editor = crate::support::editor(&client);
    let absent = editor.patch(&uri, json!({"published": true})).await;
    assert_eq!(absent.body["summary"], "A classic.");
    assert_eq!(absent.body["published"], true);

    // `null` clears it.
    let cleared = client.patch(&uri, json!({"summary": null})).await;
    assert_eq!(cleared.status, 200);
    assert_eq!(cleared.body["summary"], Value::Null);
    assert_eq!(client.get(&uri).await.body["summary"], Value::Null);

    // `null` on a non-nullable field is a validation error, and changes nothing.
    let refused = client.patch(&uri, json!({"title": null})).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["errors"],
        json!([{"pointer": "/title", "code": "not_null", "detail": "must not be null"}])
    );
    assert_eq!(client.get(&uri).await.body["title"], created.body["title"]);

    // Unknown id.
    let missing = client.patch("/books/999999", json!({"title": "x"})).await;
    assert_eq!(missing.status, 404);
}

async fn patch_with_nothing_changes_nothing(client: TestClient) {
    let author_id = author(&client, "noop@example.org").await;
    let uri = format!("/authors/{author_id}");
    let before = client.get(&uri).await;
    let after = client.patch(&uri, json!({})).await;
    assert_eq!(after.status, 200, "{}", after.text);
    // Nothing changed, so nothing is written: `updated_at` stays.
    assert_eq!(after.body, before.body);
    let same = client
        .patch(&uri, json!({"name": before.body["name"]}))
        .await;
    assert_eq!(same.status, 200);
}

async fn delete_returns_204_then_404(client: TestClient) {
    let client = crate::support::admin(&client);
    let author_id = author(&client, "delete@example.org").await;
    let uri = format!("/authors/{author_id}");
    let deleted = client.delete(&uri).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(deleted.text, "");
    assert_eq!(client.get(&uri).await.status, 404);
    let again = client.delete(&uri).await;
    assert_eq!(again.status, 404);
    assert_eq!(again.body["code"], "not_found");
}

async fn unique_violation_is_409_naming_the_field(client: TestClient) {
    let author_id = author(&client, "unique@example.org").await;
    assert_eq!(
        client
            .post("/books", book(author_id, "9780000000003"))
            .await
            .status,
        201
    );
    let duplicate = client
        .post("/books", book(author_id, "9780000000003"))
        .await;
    assert_eq!(duplicate.status, 409, "{}", duplicate.text);
    assert_eq!(
        duplicate.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        duplicate.body,
        json!({"type": "about:blank", "title": "Conflict", "status": 409,
               "detail": "a Book with the same unique value already exists", "code": "conflict",
               "errors": [{"pointer": "/isbn", "code": "unique", "detail": "another Book has this `isbn`"}]})
    );
    // The same through PATCH.
    let other = client
        .post("/books", book(author_id, "9780000000004"))
        .await;
    let id = other.body["id"].as_i64().unwrap();
    let clash = client
        .patch(&format!("/books/{id}"), json!({"isbn": "9780000000003"}))
        .await;
    assert_eq!(clash.status, 409);
    assert_eq!(client.get("/books?count=true").await.body["total"], 2);
}
