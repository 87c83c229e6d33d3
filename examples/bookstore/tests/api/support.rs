//! Runs each scenario against a fresh database on every configured backend.

use std::future::Future;

use ferrest::testing::{Backend, TestClient, TestDb};

/// For each scenario `fn name(client: TestClient) -> impl Future`, generates the tests
/// `name::sqlite`, `name::postgres` and `name::mysql`.
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            use ferrest::testing::Backend;
            #[tokio::test]
            async fn sqlite() { crate::support::run(Backend::Sqlite, super::$scenario).await }
            #[tokio::test]
            async fn postgres() { crate::support::run(Backend::Postgres, super::$scenario).await }
            #[tokio::test]
            async fn mysql() { crate::support::run(Backend::MySql, super::$scenario).await }
        }
    )*};
}
pub(crate) use on_every_backend;

/// Creates a database, starts the bookstore on it, runs `scenario`, and drops the
/// database even when the scenario panics.
pub async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(TestClient) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let router = bookstore::app()
        .database_url(db.url())
        .into_router()
        .await
        .expect("the bookstore starts");
    let outcome = tokio::spawn(scenario(TestClient::new(router))).await;
    db.drop().await;
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// An author, created through the API; returns its id.
pub async fn author(client: &TestClient, email: &str) -> i64 {
    let response = client
        .post("/authors", serde_json::json!({"name": "Ada Lovelace", "email": email}))
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
