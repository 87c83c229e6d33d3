//! Shared fixtures of the bookstore tests.

use ferrest::testing::TestClient;

/// Runs scenarios on SQLite, PostgreSQL and MariaDB against the bookstore, each with a
/// client signed in as `ada`, a reader with no role (`client.anonymous()` drops it).
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {$(
        ferrest::on_every_backend!(@tests $scenario, |backend| {
            ferrest::testing::run(backend, bookstore::app(), |client| {
                super::$scenario($crate::support::signed_in(&client, "ada", &[]))
            })
        });
    )*};
}
pub(crate) use on_every_backend;

/// An author, created through the API; returns its id.
pub async fn author(client: &TestClient, email: &str) -> i64 {
    let response = client
        .post(
            "/authors",
            serde_json::json!({"name": "Ada Lovelace", "email": email}),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.text);
    response.body["id"].as_i64().expect("integer id")
}

/// A valid book body for `author_id` with the given ISBN.
pub fn book(author_id: i64, isbn: &str) -> serde_json::Value {
    serde_json::json!({
        "title": "The Rust Programming Language",
        "isbn": isbn,
        "price_cents": 3999,
        "author_id": author_id,
    })
}

/// The same client, sending a bearer token for `subject` with `roles`.
pub fn signed_in(client: &TestClient, subject: &str, roles: &[&str]) -> TestClient {
    let token = bookstore::token(subject, roles).expect("the development secret signs");
    client
        .anonymous()
        .with_header("authorization", &format!("Bearer {token}"))
}

/// An admin: deletes.
pub fn admin(client: &TestClient) -> TestClient {
    signed_in(client, "root", &["admin"])
}

/// An editor: publishes and discounts.
pub fn editor(client: &TestClient) -> TestClient {
    signed_in(client, "eve", &["editor"])
}

/// Both: for tests of what the operations do once allowed.
pub fn staff(client: &TestClient) -> TestClient {
    signed_in(client, "staff", &["editor", "admin"])
}
