//! Malformed requests are rejected with problem+json, never a 500, and change nothing.

use axum::http::Method;
use ferrest::testing::{Backend, TestClient, TestDb};
use serde_json::json;

use crate::support::{author, book, on_every_backend};

on_every_backend!(
    malformed_requests_get_problems,
    oversized_body_is_413,
    only_canonical_forms_are_read,
);

fn problem(status: u16, title: &str, code: &str, detail: &str) -> serde_json::Value {
    json!({"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code})
}

async fn malformed_requests_get_problems(client: TestClient) {
    let json_ct = [("content-type", "application/json")];

    let syntax = client
        .send(
            Method::POST,
            "/books",
            Some("{\"title\": ".into()),
            &json_ct,
        )
        .await;
    assert_eq!(syntax.status, 400);
    assert_eq!(
        syntax.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        syntax.body,
        problem(
            400,
            "Bad Request",
            "malformed_json",
            "the body is not valid JSON: EOF while parsing a value at line 1 column 10"
        )
    );

    let empty = client.send(Method::POST, "/books", None, &json_ct).await;
    assert_eq!(empty.status, 400);
    assert_eq!(empty.body["code"], "malformed_json");

    let no_type = client
        .send(Method::POST, "/books", Some("{}".into()), &[])
        .await;
    let unsupported = problem(
        415,
        "Unsupported Media Type",
        "unsupported_media_type",
        "expected a request body with `Content-Type: application/json`",
    );
    assert_eq!(no_type.status, 415);
    assert_eq!(no_type.body, unsupported);
    let form = client
        .send(
            Method::POST,
            "/books",
            Some("a=1".into()),
            &[("content-type", "application/x-www-form-urlencoded")],
        )
        .await;
    assert_eq!(form.body, unsupported);
    // A charset parameter and `+json` types are JSON.
    let charset = client
        .send(
            Method::POST,
            "/books",
            Some("{}".into()),
            &[("content-type", "application/json; charset=utf-8")],
        )
        .await;
    assert_eq!(charset.status, 422);

    let bad_id = client.get("/books/abc").await;
    assert_eq!(
        bad_id.body,
        problem(
            400,
            "Bad Request",
            "invalid_path_parameter",
            "invalid path parameter `id`: expected a 64-bit integer in decimal digits (no `+`, leading zero or fraction), found `abc`"
        )
    );
    let overflow = crate::support::admin(&client)
        .delete("/books/99999999999999999999")
        .await;
    assert_eq!(overflow.status, 400);
    // A query's integer may have a zero fraction (JSON Schema counts it an integer);
    // an id in a path may not (see `only_canonical_forms_are_read`).
    assert_eq!(client.get("/books/12.5").await.status, 400);
    assert_eq!(client.get("/books?limit=5.0").await.body["limit"], 5);

    let no_route = client.get("/shelves").await;
    assert_eq!(
        no_route.body,
        problem(
            404,
            "Not Found",
            "route_not_found",
            "no route for `/shelves`"
        )
    );

    let wrong_method = client
        .send(Method::PUT, "/books/1", Some("{}".into()), &json_ct)
        .await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.header("allow"), Some("GET,HEAD,PATCH,DELETE"));
    assert_eq!(
        wrong_method.body,
        problem(
            405,
            "Method Not Allowed",
            "method_not_allowed",
            "`PUT` is not allowed on `/books/1`"
        )
    );
    let on_collection = client.delete("/books").await;
    assert_eq!(on_collection.status, 405);
    assert_eq!(on_collection.header("allow"), Some("GET,HEAD,POST"));

    let unknown_param = client.get("/books?titel=x").await;
    assert_eq!(unknown_param.status, 400);
    assert_eq!(unknown_param.body["code"], "unknown_parameter");
    assert_eq!(unknown_param.body["parameter"], "titel");
    assert_eq!(
        unknown_param.body["detail"],
        "unknown query parameter `titel`, expected one of: id, id__in, title, title__contains, \
         title__starts_with, isbn, price_cents, price_cents__ne, price_cents__lt, price_cents__lte, \
         price_cents__gt, price_cents__gte, published, format, format__in, author_id, author_id__in, \
         summary__contains, summary__is_null, created_at__lt, created_at__gte, sort, include, limit, \
         offset, count"
    );
    for (query, parameter) in [
        ("limit=abc", "limit"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("offset=-1", "offset"),
        ("limit=9223372036854775808", "limit"),
        ("count=yes", "count"),
    ] {
        let bad = client.get(&format!("/books?{query}")).await;
        assert_eq!(bad.status, 400, "{query}");
        assert_eq!(bad.body["code"], "invalid_parameter", "{query}");
        assert!(
            bad.body["detail"]
                .as_str()
                .unwrap()
                .contains(&format!("`{parameter}`")),
            "{query}"
        );
    }
    let repeated = client.get("/books?limit=1&limit=2").await;
    assert_eq!(repeated.status, 400);

    // Hostile input is data, not SQL.
    let author_id = author(&client, "robert@example.org").await;
    let mut hostile = book(author_id, "9780000000040");
    hostile["title"] = json!("'); DROP TABLE books; --");
    let stored = client.post("/books", hostile).await;
    assert_eq!(stored.status, 201);
    assert_eq!(stored.body["title"], "'); DROP TABLE books; --");
    assert_eq!(client.get("/books?count=true").await.body["total"], 1);

    // PostgreSQL text cannot hold U+0000, so no backend takes it: the same answer everywhere.
    let mut nul = book(author_id, "9780000000041");
    nul["title"] = json!("nul\u{0}byte");
    let refused = client.post("/books", nul).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.body["errors"],
        json!([{"pointer": "/title", "code": "type",
                "detail": "expected a string without the NUL character (U+0000), found a string"}])
    );
}

/// One spelling per value: an id is read only as ferrest writes it, a query only as
/// UTF-8, a body only with each member once; other spellings are refused, never read
/// as the value they resemble.
async fn only_canonical_forms_are_read(client: TestClient) {
    let client = crate::support::staff(&client);
    let ada = author(&client, "ada@example.org").await;
    let created = client.post("/books", book(ada, "9780000000001")).await;
    let id = created.body["id"].as_i64().unwrap();
    assert_eq!(client.get(&format!("/books/{id}")).await.status, 200);
    for other in [
        format!("0{id}"),
        format!("+{id}"),
        format!("{id}.0"),
        format!("%2B{id}"),
        format!("{id}%20"),
        "-0".to_owned(),
    ] {
        let response = client.get(&format!("/books/{other}")).await;
        assert_eq!(response.status, 400, "{other}: {}", response.text);
        assert_eq!(response.body["code"], "invalid_path_parameter", "{other}");
        let patched = client
            .patch(&format!("/books/{other}"), json!({"title": "T"}))
            .await;
        assert_eq!(patched.status, 400, "{other}: {}", patched.text);
    }
    assert_eq!(client.get("/books/0").await.status, 404);
    assert_eq!(client.get("/books/-1").await.status, 404);

    // Percent-encoded bytes that are not UTF-8 are not read as U+FFFD.
    let lossy = client.get("/books?title=%FF%FE").await;
    assert_eq!(lossy.status, 400, "{}", lossy.text);
    assert_eq!(lossy.body["code"], "invalid_parameter");
    assert_eq!(lossy.body["parameter"], "title");

    // A member given twice, whichever value would have won.
    let json_ct = [("content-type", "application/json")];
    let twice = format!(
        r#"{{"title": "First", "isbn": "9780000000002", "price_cents": 1, "author_id": {ada}, "title": "Second"}}"#
    );
    let refused = client
        .send(Method::POST, "/books", Some(twice), &json_ct)
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.body["errors"],
        json!([{
            "pointer": "/title",
            "code": "duplicate_key",
            "detail": "the member `title` is given more than once"
        }])
    );
    let patch = r#"{"price_cents": 5, "price_cents": 0}"#.to_owned();
    let refused = client
        .send(
            Method::PATCH,
            &format!("/books/{id}"),
            Some(patch),
            &json_ct,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["code"], "duplicate_key");
    assert_eq!(refused.body["errors"][0]["pointer"], "/price_cents");
    // An endpoint's `Valid<Json<T>>` body too.
    let discount = r#"{"percent": 10, "percent": 90}"#.to_owned();
    let refused = client
        .send(
            Method::POST,
            &format!("/books/{id}/discount"),
            Some(discount),
            &json_ct,
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["pointer"], "/percent");
    // Nothing was written.
    let books = client.get("/books?count=true").await;
    assert_eq!(books.body["total"], 1);
    assert_eq!(client.get(&format!("/books/{id}")).await.body, created.body);
}

async fn oversized_body_is_413(client: TestClient) {
    let author_id = author(&client, "big@example.org").await;
    let mut body = book(author_id, "9780000000050");
    body["summary"] = json!("x".repeat(ferrest::MAX_BODY_BYTES + 1));
    let response = client.post("/books", body).await;
    assert_eq!(response.status, 413);
    assert_eq!(
        response.body,
        problem(
            413,
            "Payload Too Large",
            "payload_too_large",
            &format!(
                "the body exceeds the limit of {} bytes",
                ferrest::MAX_BODY_BYTES
            )
        )
    );
    assert_eq!(client.get("/books?count=true").await.body["total"], 0);
}

/// A database that goes away answers 503 with `Retry-After`, on every backend.
async fn database_unavailable_is_503(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let db = ferrest::connect(test_db.url()).await.unwrap();
    let router = bookstore::app().router_on(db.clone()).await.unwrap();
    let client = TestClient::new(router);
    assert_eq!(client.get("/books").await.status, 200);
    db.close().await.unwrap();
    for response in [
        client.get("/books").await,
        client.get("/books/1").await,
        client
            .post("/authors", json!({"name": "A", "email": "a@example.org"}))
            .await,
    ] {
        assert_eq!(response.status, 503, "{}", response.text);
        assert_eq!(response.header("retry-after"), Some("1"));
        assert_eq!(
            response.body,
            problem(
                503,
                "Service Unavailable",
                "unavailable",
                "the database is unavailable, retry later"
            )
        );
    }
    test_db.drop().await;
}

ferrest::on_every_backend!(backend; database_unavailable_is_503);
