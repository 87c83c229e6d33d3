//! What the optional features change at run time: a build without `swagger-ui` serves
//! the OpenAPI documents but no `/docs`.

use ferrest::prelude::*;
use ferrest::testing::{Backend, TestClient, TestDb};

/// A note.
#[derive(Resource)]
#[rest(table = "feature_notes", path = "/notes")]
pub struct Note {
    #[rest(id)]
    pub id: i64,
    pub text: String,
}

#[tokio::test]
async fn docs_are_served_only_with_swagger_ui() {
    let Some(db) = TestDb::create(Backend::Sqlite).await else {
        return;
    };
    let router = ferrest::App::new()
        .resource::<Note>()
        .database_url(db.url())
        .into_router()
        .await
        .unwrap();
    let client = TestClient::new(router);
    assert_eq!(client.get("/openapi.json").await.status, 200);
    assert_eq!(client.get("/openapi-3.0.json").await.status, 200);
    let docs = client.get("/docs/").await;
    if cfg!(feature = "swagger-ui") {
        assert_eq!(docs.status, 200);
        assert_eq!(
            docs.header("content-security-policy"),
            Some(ferrest::DOCS_CSP)
        );
    } else {
        assert_eq!(docs.status, 404);
        assert_eq!(docs.body["code"], "route_not_found");
    }
    db.drop().await;
}
