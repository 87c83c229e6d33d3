//! `belongs_to`/`has_many`: foreign keys, nested lists and batched includes.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ferrest::testing::{Backend, TestClient, TestDb};
use serde_json::json;

use crate::support::{author, book, on_every_backend};

on_every_backend!(
    a_foreign_key_that_points_nowhere_is_422_naming_the_field,
    nested_lists_scope_to_the_parent,
    includes_embed_related_rows,
);

ferrest::on_every_backend!(backend; a_page_with_includes_runs_one_query_per_relation);

async fn a_foreign_key_that_points_nowhere_is_422_naming_the_field(client: TestClient) {
    let created = client.post("/books", book(4242, "9780000000001")).await;
    assert_eq!(created.status, 422, "{}", created.text);
    assert_eq!(
        created.body["errors"],
        json!([{
            "pointer": "/author_id", "code": "not_found", "detail": "no Author has this id"
        }])
    );
    let ada = author(&client, "ada@example.org").await;
    let created = client.post("/books", book(ada, "9780000000001")).await;
    let id = created.body["id"].as_i64().unwrap();
    let moved = client
        .patch(&format!("/books/{id}"), json!({"author_id": 4242}))
        .await;
    assert_eq!(moved.status, 422, "{}", moved.text);
    assert_eq!(moved.body["errors"][0]["pointer"], "/author_id");
    // The book is unchanged, and its author cannot be deleted from under it.
    assert_eq!(
        client.get(&format!("/books/{id}")).await.body["author_id"],
        ada
    );
    let delete = crate::support::admin(&client)
        .delete(&format!("/authors/{ada}"))
        .await;
    assert_eq!(delete.status, 409, "{}", delete.text);
}

async fn nested_lists_scope_to_the_parent(client: TestClient) {
    let ada = author(&client, "ada@example.org").await;
    let bob = author(&client, "bob@example.org").await;
    let mut ada_books = Vec::new();
    for n in 0..3 {
        let mut body = book(ada, &format!("978000000001{n}"));
        body["price_cents"] = json!(300 - n * 100);
        ada_books.push(
            client.post("/books", body).await.body["id"]
                .as_i64()
                .unwrap(),
        );
    }
    client.post("/books", book(bob, "9780000000020")).await;
    let list = client
        .get(&format!(
            "/authors/{ada}/books?sort=price_cents&limit=2&count=true"
        ))
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["total"], 3);
    let ids: Vec<i64> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [ada_books[2], ada_books[1]]);
    let link = list.header("link").unwrap();
    assert!(
        link.starts_with(&format!("</authors/{ada}/books?")),
        "{link}"
    );
    let filtered = client
        .get(&format!("/authors/{ada}/books?price_cents__gt=150"))
        .await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 2);
    let missing = client.get("/authors/4242/books").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["detail"], "no Author with this id");
    let unknown = client.get(&format!("/authors/{ada}/books?nope=1")).await;
    assert_eq!(unknown.status, 400);
    // The path fixes the foreign key: filtering by it again is no parameter of this list.
    let fixed = client
        .get(&format!("/authors/{ada}/books?author_id={bob}"))
        .await;
    assert_eq!(fixed.status, 400, "{}", fixed.text);
    assert!(
        fixed.body["detail"]
            .as_str()
            .unwrap()
            .contains("the path names the `author_id`"),
        "{}",
        fixed.text
    );
    let malformed = client.get("/authors/x/books").await;
    assert_eq!(malformed.status, 400);
    assert!(malformed.text.contains("`author_id`"), "{}", malformed.text);
}

async fn includes_embed_related_rows(client: TestClient) {
    let ada = author(&client, "ada@example.org").await;
    let bob = author(&client, "bob@example.org").await;
    let first = client.post("/books", book(ada, "9780000000001")).await.body;
    let second = client.post("/books", book(bob, "9780000000002")).await.body;
    let third = client.post("/books", book(ada, "9780000000003")).await.body;

    let list = client.get("/books?include=author").await;
    assert_eq!(list.status, 200, "{}", list.text);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items[0]["author"]["email"], "ada@example.org");
    assert_eq!(items[1]["author"]["email"], "bob@example.org");
    assert_eq!(items[2]["author"]["id"], ada);
    // Without `include`, no relation appears.
    assert!(
        client.get("/books").await.body["items"][0]
            .get("author")
            .is_none()
    );

    let read = client.get(&format!("/authors/{ada}?include=books")).await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body["books"], json!([first, third]));
    let empty = author(&client, "eve@example.org").await;
    assert_eq!(
        client
            .get(&format!("/authors/{empty}?include=books"))
            .await
            .body["books"],
        json!([])
    );

    let nested = client
        .get(&format!("/books/{}?include=author.books", second["id"]))
        .await;
    assert_eq!(nested.status, 200, "{}", nested.text);
    assert_eq!(nested.body["author"]["books"], json!([second]));
    let both = client.get("/authors?include=books.author&limit=1").await;
    assert_eq!(both.body["items"][0]["books"][1]["author"]["id"], ada);
}

/// 100 books by 7 authors: the page and its authors are two statements, whatever the
/// number of rows, and `count=true` adds one.
async fn a_page_with_includes_runs_one_query_per_relation(backend: Backend) {
    let Some(test_db) = TestDb::create(backend).await else {
        return;
    };
    let mut db = ferrest::connect(test_db.url()).await.unwrap();
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let client = TestClient::new(bookstore::app().router_on(db).await.unwrap());
    let client = crate::support::signed_in(&client, "ada", &[]);
    let mut authors = Vec::new();
    for n in 0..7 {
        authors.push(author(&client, &format!("author{n}@example.org")).await);
    }
    for n in 0..100 {
        let created = client
            .post("/books", book(authors[n % 7], &format!("978{n:010}")))
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let measure = async |uri: &str| {
        statements.store(0, Ordering::SeqCst);
        let response = client.get(uri).await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(response.body["items"].as_array().unwrap().len(), 100);
        assert!(
            response.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["author"]["id"] == b["author_id"])
        );
        statements.load(Ordering::SeqCst)
    };
    assert_eq!(measure("/books?include=author&limit=100").await, 2);
    assert_eq!(
        measure("/books?include=author&limit=100&count=true").await,
        3
    );
    assert_eq!(measure("/books?include=author.books&limit=100").await, 3);
    test_db.drop().await;
}
