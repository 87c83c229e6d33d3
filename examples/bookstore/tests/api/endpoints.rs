//! The bookstore's own operations, from `#[ferrest::endpoints]` blocks: routed beside
//! the CRUD routes, with typed errors, and documented.

use ferrest::testing::TestClient;
use serde_json::json;

use crate::support::{author, book, editor, on_every_backend, signed_in, staff};

on_every_backend!(
    publishing_a_book_sets_it_on_sale_once,
    author_stats_aggregate_their_books,
    every_documented_operation_is_routed,
    a_book_on_sale_stays_and_keeps_its_isbn,
    a_discount_body_is_validated,
    editors_publish_and_admins_delete,
    books_belong_to_who_added_them,
    concurrent_discounts_and_publishes_lose_no_update,
    only_editors_put_books_on_sale,
);

/// The hooks of `Book`: `before_delete` and `before_update` refuse, in the write's
/// transaction, and nothing changes.
async fn a_book_on_sale_stays_and_keeps_its_isbn(client: TestClient) {
    // Publishing, discounts and deletes need an editor or an admin.
    let client = staff(&client);
    let ada = author(&client, "ada@example.org").await;
    let id = client.post("/books", book(ada, "9780000000001")).await.body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/books/{id}");
    // Before it is on sale, the ISBN may change.
    let renumbered = client.patch(&path, json!({"isbn": "9780000000002"})).await;
    assert_eq!(renumbered.status, 200, "{}", renumbered.text);
    client.post(&format!("{path}/publish"), json!(null)).await;

    let refused = client.delete(&path).await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert_eq!(refused.body["code"], "published");
    assert_eq!(client.get(&path).await.status, 200);

    let frozen = client
        .patch(&path, json!({"isbn": "9780000000003", "title": "New"}))
        .await;
    assert_eq!(frozen.status, 409, "{}", frozen.text);
    assert_eq!(frozen.body["code"], "isbn_frozen");
    let stored = client.get(&path).await.body;
    assert_eq!(stored["isbn"], "9780000000002");
    assert_ne!(stored["title"], "New");
    // The same ISBN is no change, and other fields still change.
    let retitled = client
        .patch(&path, json!({"isbn": "9780000000002", "title": "New"}))
        .await;
    assert_eq!(retitled.status, 200, "{}", retitled.text);

    // Off sale, the book can go.
    let unpublished = client.patch(&path, json!({"published": false})).await;
    assert_eq!(unpublished.status, 200);
    assert_eq!(client.delete(&path).await.status, 204);
    assert_eq!(client.get(&path).await.status, 404);
}

async fn publishing_a_book_sets_it_on_sale_once(client: TestClient) {
    // Publishing, discounts and deletes need an editor or an admin.
    let client = staff(&client);
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
    // Publishing, discounts and deletes need an editor or an admin.
    let client = staff(&client);
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

    // `Valid<Query<StatsScope>>`: a typed, checked query parameter.
    let ebooks = client
        .get(&format!("/authors/{ada}/stats?format=ebook"))
        .await;
    assert_eq!(ebooks.status, 200, "{}", ebooks.text);
    assert_eq!(ebooks.body["books"], 0);
    let paperbacks = client
        .get(&format!("/authors/{ada}/stats?format=paperback"))
        .await;
    assert_eq!(paperbacks.body["books"], 2);
    let unknown = client
        .get(&format!("/authors/{ada}/stats?format=scroll"))
        .await;
    assert_eq!(unknown.status, 400, "{}", unknown.text);
    assert_eq!(unknown.body["code"], "invalid_parameter");
    assert_eq!(unknown.body["parameter"], "format");
    assert!(unknown.body["detail"].as_str().unwrap().contains("one of"));
    let stray = client.get(&format!("/authors/{ada}/stats?sort=name")).await;
    assert_eq!(stray.status, 400, "{}", stray.text);

    // Prices as large as the column holds: their sum does not fit an i64.
    let rich = author(&client, "rich@example.org").await;
    for isbn in ["9780000000010", "9780000000011"] {
        let mut body = book(rich, isbn);
        body["price_cents"] = json!(i64::MAX);
        assert_eq!(client.post("/books", body).await.status, 201);
    }
    let stats = client.get(&format!("/authors/{rich}/stats")).await;
    assert_eq!(stats.status, 200, "{}", stats.text);
    assert_eq!(stats.body["average_price_cents"], json!(i64::MAX as f64));
}

/// `Valid<Json<Discount>>`: the body's declared rules, each failing field reported
/// at once with the codes of a resource's body.
async fn a_discount_body_is_validated(client: TestClient) {
    // Publishing, discounts and deletes need an editor or an admin.
    let client = staff(&client);
    let ada = author(&client, "ada@example.org").await;
    let id = client.post("/books", book(ada, "9780000000001")).await.body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/books/{id}/discount");
    let applied = client
        .post(&path, json!({"percent": 25, "reason": "spring sale"}))
        .await;
    assert_eq!(applied.status, 200, "{}", applied.text);
    assert_eq!(applied.body["price_cents"], 2999);

    let refused = client
        .post(&path, json!({"percent": 95, "reason": "x", "coupon": "A"}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    let mut errors: Vec<(String, String)> = refused.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["pointer"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    errors.sort();
    assert_eq!(
        errors,
        [
            ("/coupon".to_owned(), "unknown_field".to_owned()),
            ("/percent".to_owned(), "range".to_owned()),
            ("/reason".to_owned(), "length".to_owned()),
        ]
    );
    let missing = client.post(&path, json!({"reason": null})).await;
    assert_eq!(missing.status, 422);
    assert_eq!(missing.body["errors"][0]["pointer"], "/percent");
    assert_eq!(missing.body["errors"][0]["code"], "required");
    let mistyped = client.post(&path, json!({"percent": "ten"})).await;
    assert_eq!(mistyped.status, 422, "{}", mistyped.text);
    // Nothing changed on refusal.
    assert_eq!(
        client.get(&format!("/books/{id}")).await.body["price_cents"],
        2999
    );
    // JSON Schema counts `20.0` as an integer, and so does the body.
    let whole = client.post(&path, json!({"percent": 20.0})).await;
    assert_eq!(whole.status, 200, "{}", whole.text);
    assert_eq!(whole.body["price_cents"], 2399);

    // The largest price the document allows is reduced, not overflowed (it was a 500).
    let dear = client
        .post(
            "/books",
            json!({"title": "Dear", "isbn": "9780000000009", "price_cents": i64::MAX, "author_id": ada}),
        )
        .await;
    assert_eq!(dear.status, 201, "{}", dear.text);
    let reduced = client
        .post(
            &format!("/books/{}/discount", dear.body["id"]),
            json!({"percent": 71}),
        )
        .await;
    assert_eq!(reduced.status, 200, "{}", reduced.text);
    assert_eq!(
        reduced.body["price_cents"],
        (i128::from(i64::MAX) * 29 / 100) as i64
    );
}

/// Each operation of the document answers on its method and path: none is documented
/// without being routed. A route without a document entry is a startup error
/// (`App::endpoints` records both from one declaration).
async fn every_documented_operation_is_routed(client: TestClient) {
    let client = staff(&client);
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
    assert_eq!(checked, 14);
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

/// Everyone reads and adds; editors publish and discount; admins delete. Refusals
/// change nothing.
async fn editors_publish_and_admins_delete(client: TestClient) {
    let reader = signed_in(&client, "ada", &[]);
    let eve = editor(&client);
    let ada = author(&client, "ada@example.org").await;
    let id = client.post("/books", book(ada, "9780000000001")).await.body["id"]
        .as_i64()
        .unwrap();
    let publish = format!("/books/{id}/publish");

    let anonymous = client.anonymous().post(&publish, json!(null)).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.text);
    assert_eq!(anonymous.body["code"], "unauthenticated");
    assert!(
        anonymous
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    let refused = reader.post(&publish, json!(null)).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.body["code"], "forbidden");
    assert_eq!(
        client.get(&format!("/books/{id}")).await.body["published"],
        false
    );
    assert_eq!(eve.post(&publish, json!(null)).await.status, 200);
    let discount = eve
        .post(
            &format!("/books/{id}/discount"),
            json!({"percent": 10, "reason": "sale"}),
        )
        .await;
    assert_eq!(discount.status, 200, "{}", discount.text);

    let book = format!("/books/{id}");
    assert_eq!(client.anonymous().delete(&book).await.status, 401);
    assert_eq!(eve.delete(&book).await.status, 403);
    assert_eq!(
        eve.patch(&book, json!({"published": false})).await.status,
        200
    );
    let admin = crate::support::admin(&client);
    assert_eq!(admin.delete(&book).await.status, 204);

    let forged = client
        .anonymous()
        .with_header("authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x");
    let rejected = forged.get("/books").await;
    assert_eq!(rejected.status, 401, "{}", rejected.text);
    assert_eq!(rejected.body["code"], "invalid_credentials");
}

/// A book belongs to who added it: everyone reads it, only they (and editors and
/// admins) change it; a forged `added_by` is refused.
async fn books_belong_to_who_added_them(client: TestClient) {
    let ada = author(&client, "ada@example.org").await;
    let created = client.post("/books", book(ada, "9780000000001")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["added_by"], "ada");
    let path = format!("/books/{}", created.body["id"]);
    let anonymous = client.anonymous();
    assert_eq!(
        anonymous
            .post("/books", book(ada, "9780000000002"))
            .await
            .status,
        401
    );
    assert_eq!(anonymous.get(&path).await.body["added_by"], "ada");
    let bob = signed_in(&client, "bob", &[]);
    assert_eq!(bob.get(&path).await.status, 200);
    assert_eq!(bob.patch(&path, json!({"title": "Mine"})).await.status, 404);
    assert_eq!(
        anonymous
            .patch(&path, json!({"title": "Mine"}))
            .await
            .status,
        404
    );
    let mut forged = book(ada, "9780000000003");
    forged["added_by"] = json!("bob");
    let refused = bob.post("/books", forged).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["pointer"], "/added_by");
    assert_eq!(
        client
            .patch(&path, json!({"title": "Renamed"}))
            .await
            .status,
        200
    );
    let edited = editor(&client)
        .patch(&path, json!({"title": "Edited"}))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.body["added_by"], "ada");
}

/// `ctx.modify` reads and writes a book with the row locked: ten concurrent 50 %
/// discounts halve the price ten times, and of ten concurrent publishes one succeeds.
async fn concurrent_discounts_and_publishes_lose_no_update(client: TestClient) {
    let client = staff(&client);
    let ada = author(&client, "ada@example.org").await;
    let mut body = book(ada, "9780000000001");
    body["price_cents"] = json!(1024);
    let id = client.post("/books", body).await.body["id"]
        .as_i64()
        .unwrap();

    let mut discounts = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let client = client.clone();
        discounts.spawn(async move {
            let path = format!("/books/{id}/discount");
            client.post(&path, json!({"percent": 50})).await.status
        });
    }
    let statuses = discounts.join_all().await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let stored = client.get(&format!("/books/{id}")).await.body;
    assert_eq!(stored["price_cents"], 1, "1024 halved ten times");

    let mut publishes = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let client = client.clone();
        publishes.spawn(async move {
            let path = format!("/books/{id}/publish");
            client.post(&path, json!(null)).await.status
        });
    }
    let mut statuses = publishes.join_all().await;
    statuses.sort();
    assert_eq!(statuses, [[200].as_slice(), &[409; 9]].concat());
}

/// `published` is `write = role("editor", "admin")`: a member who adds a book cannot
/// put it on sale, take an editor's publish back, or so unfreeze its ISBN.
async fn only_editors_put_books_on_sale(client: TestClient) {
    let ada = author(&client, "ada@example.org").await;
    let mut body = book(ada, "9780000000001");
    body["published"] = json!(true);
    let refused = client.post("/books", body).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["pointer"], "/published");
    assert_eq!(client.get("/books").await.body["items"], json!([]));

    let id = client.post("/books", book(ada, "9780000000001")).await.body["id"]
        .as_i64()
        .unwrap();
    let path = format!("/books/{id}");
    let refused = client.patch(&path, json!({"published": true})).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let published = editor(&client)
        .post(&format!("{path}/publish"), json!(null))
        .await;
    assert_eq!(published.status, 200, "{}", published.text);
    // The member cannot take it off sale, so its ISBN stays frozen.
    let refused = client.patch(&path, json!({"published": false})).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let frozen = client.patch(&path, json!({"isbn": "9780000000002"})).await;
    assert_eq!(frozen.status, 409, "{}", frozen.text);
    assert_eq!(client.get(&path).await.body["published"], true);
    // An editor may.
    let unpublished = editor(&client)
        .patch(&path, json!({"published": false}))
        .await;
    assert_eq!(unpublished.status, 200, "{}", unpublished.text);
}
