//! The bookstore's own operations, from `#[ferrest::endpoints]` blocks: routed beside
//! the CRUD routes, with typed errors, and documented.

use ferrest::testing::TestClient;
use serde_json::json;

use crate::support::{author, book, on_every_backend};

on_every_backend!(
    publishing_a_book_sets_it_on_sale_once,
    author_stats_aggregate_their_books,
    every_documented_operation_is_routed,
);

async fn publishing_a_book_sets_it_on_sale_once(client: TestClient) {
    let ada = author(&client, "ada@example.org").await;
    let created = client.post("/books", book(ada, "9780000000001")).await.body;
    let id = created["id"].as_i64().unwrap();
    let published = client
        .post(&format!("/books/{id}/publish"), json!(null))
        .await;
    assert_eq!(published.status, 200, "{}", published.text);
    assert_eq!(published.body["published"], true);
    assert_eq!(published.body["title"], created["title"]);
    assert_ne!(published.body["updated_at"], created["updated_at"]);
    assert_eq!(
        client.get(&format!("/books/{id}")).await.body,
        published.body
    );

    let again = client
        .post(&format!("/books/{id}/publish"), json!(null))
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(
        again.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(again.body["code"], "already_published");
    let missing = client.post("/books/4242/publish", json!(null)).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["code"], "not_found");
    // axum's own rejection of a malformed path parameter is a problem too.
    let malformed = client.post("/books/abc/publish", json!(null)).await;
    assert_eq!(malformed.status, 400);
    assert_eq!(
        malformed.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(malformed.body["code"], "bad_request");
    assert!(malformed.body["detail"].as_str().unwrap().contains("abc"));
}

async fn author_stats_aggregate_their_books(client: TestClient) {
    let ada = author(&client, "ada@example.org").await;
    let bob = author(&client, "bob@example.org").await;
    for (n, (author_id, price)) in [(ada, 1000), (ada, 2001), (bob, 5)].into_iter().enumerate() {
        let mut body = book(author_id, &format!("978000000000{n}"));
        body["price_cents"] = json!(price);
        let id = client.post("/books", body).await.body["id"]
            .as_i64()
            .unwrap();
        if n == 0 {
            client
                .post(&format!("/books/{id}/publish"), json!(null))
                .await;
        }
    }
    let stats = client.get(&format!("/authors/{ada}/stats")).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(
        stats.body,
        json!({"author_id": ada, "books": 2, "published": 1, "average_price_cents": 1500.5})
    );
    let nobody = author(&client, "eve@example.org").await;
    let empty = client.get(&format!("/authors/{nobody}/stats")).await;
    assert_eq!(empty.body["average_price_cents"], json!(null));
    assert_eq!(client.get("/authors/4242/stats").await.status, 404);
}

/// Each operation of the document answers on its method and path: none is documented
/// without being routed. A route without a document entry is a startup error
/// (`App::endpoints` records both from one declaration).
async fn every_documented_operation_is_routed(client: TestClient) {
    let document = client.get("/openapi.json").await.body;
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["get", "post", "patch", "put", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let uri = path.replace("{id}", "4242");
            let request = method.to_uppercase().parse().unwrap();
            let response = client
                .send(
                    request,
                    &uri,
                    Some("{}".into()),
                    &[("content-type", "application/json")],
                )
                .await;
            assert_ne!(response.body["code"], "route_not_found", "{method} {path}");
            assert_ne!(response.status, 405, "{method} {path}");
            checked += 1;
        }
    }
    assert_eq!(checked, 13);
    let operations: Vec<&str> = document["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let mut unique = operations.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), operations.len(), "{operations:?}");
    assert!(operations.contains(&"publishBook") && operations.contains(&"statsAuthor"));
}
