//! Malformed requests are rejected with problem+json, never a 500, and change nothing.

use axum::http::Method;
use ferrest::testing::{Backend, TestClient, TestDb};
use serde_json::json;

use crate::support::{author, book, on_every_backend};

on_every_backend!(malformed_requests_get_problems, oversized_body_is_413);

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
            "invalid path parameter `id`: expected a 64-bit integer, found `abc`"
        )
    );
    let overflow = crate::support::admin(&client)
        .delete("/books/99999999999999999999")
        .await;
    assert_eq!(overflow.status, 400);
    // A whole number written with a zero fraction is that number (JSON Schema agrees).
    assert_eq!(client.get("/books/12.0").await.body["code"], "not_found");
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
