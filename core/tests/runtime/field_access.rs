//! Field write permissions: a `read_only` field is set by code only, a `write = ...`
//! field by the callers it names; request bodies that set them otherwise are refused
//! and change nothing, and the document says who writes each.

use std::time::Duration;

use ferrest::auth::{Jwt, Principal};
use ferrest::prelude::*;
use ferrest::testing::TestClient;
use ferrest::web::{Json, Path};
use serde_json::json;

const SECRET: &str = "field access tests: a secret of 32 bytes or more";

/// An article: reviewers approve it, only its workflow sets its state.
#[derive(Resource)]
#[rest(auth(write = authenticated))]
pub struct Article {
    #[rest(id)]
    pub id: i64,
    pub title: String,
    /// Where the article is in its workflow.
    #[rest(read_only, default = "draft")]
    pub state: String,
    #[rest(write = role("reviewer"), default = false)]
    pub approved: bool,
    #[rest(write = role("reviewer"))]
    pub note: Option<String>,
}

#[ferrest::endpoints]
impl Article {
    /// Submit an article: code sets the `read_only` state.
    #[rest(post = "/articles/{id}/submit", auth = authenticated)]
    pub async fn submit(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Article>, ApiError> {
        let changes = ArticleUpdate {
            state: Some("submitted".to_owned()),
            ..ArticleUpdate::default()
        };
        Ok(Json(ctx.update::<Article>(id, changes).await?))
    }
}

fn app() -> ferrest::App {
    ferrest::App::new()
        .authenticate(Jwt::hs256(SECRET))
        .resource::<Article>()
}

fn signed_in(client: &TestClient, subject: &str, roles: &[&str]) -> TestClient {
    let principal = Principal::new(subject).with_roles(roles.iter().copied());
    let token = Jwt::hs256(SECRET)
        .sign(&principal, Duration::from_secs(600))
        .expect("signs");
    client.with_header("authorization", &format!("Bearer {token}"))
}

ferrest::on_every_backend!(app = app;
    read_only_fields_are_set_by_code_only,
    guarded_fields_are_written_by_their_callers_only,
);

async fn read_only_fields_are_set_by_code_only(client: TestClient) {
    let writer = signed_in(&client, "ada", &[]);
    let refused = writer
        .post("/articles", json!({"title": "T", "state": "published"}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(
        refused.body["errors"],
        json!([{"pointer": "/state", "code": "read_only", "detail": "`state` is set by the server and cannot be written"}])
    );
    // Not even a reviewer writes it.
    let reviewer = signed_in(&client, "rev", &["reviewer"]);
    let refused = reviewer
        .post("/articles", json!({"title": "T", "state": "published"}))
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(client.get("/articles").await.body["items"], json!([]));

    let created = writer.post("/articles", json!({"title": "T"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["state"], "draft");
    let path = format!("/articles/{}", created.body["id"]);
    let refused = writer.patch(&path, json!({"state": "published"})).await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["errors"][0]["code"], "read_only");
    let submitted = writer.post(&format!("{path}/submit"), json!(null)).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_eq!(submitted.body["state"], "submitted");
    assert_eq!(client.get(&path).await.body["state"], "submitted");
}

async fn guarded_fields_are_written_by_their_callers_only(client: TestClient) {
    let writer = signed_in(&client, "ada", &[]);
    let reviewer = signed_in(&client, "rev", &["reviewer"]);
    let refused = writer
        .post("/articles", json!({"title": "T", "approved": true}))
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(refused.body["code"], "forbidden");
    assert_eq!(
        refused.body["errors"],
        json!([{"pointer": "/approved", "code": "forbidden", "detail": "writing `approved` needs the role `reviewer`"}])
    );
    let both = writer
        .post(
            "/articles",
            json!({"title": "T", "approved": false, "note": "x"}),
        )
        .await;
    assert_eq!(both.status, 403, "{}", both.text);
    assert_eq!(both.body["errors"].as_array().unwrap().len(), 2);
    assert_eq!(client.get("/articles").await.body["items"], json!([]));

    let created = writer.post("/articles", json!({"title": "T"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/articles/{}", created.body["id"]);
    let refused = writer.patch(&path, json!({"approved": true})).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(client.get(&path).await.body["approved"], false);
    // Other fields stay the writer's.
    let retitled = writer.patch(&path, json!({"title": "U"})).await;
    assert_eq!(retitled.status, 200, "{}", retitled.text);

    let approved = reviewer
        .patch(&path, json!({"approved": true, "note": "fine"}))
        .await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.body["approved"], true);
    let created = reviewer
        .post("/articles", json!({"title": "R", "approved": true}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
}

/// The document marks `read_only` fields `readOnly` and says who writes the others.
#[test]
fn the_document_says_who_writes_each_field() {
    let document = serde_json::to_value(app().openapi()).unwrap();
    for schema in ["Article", "ArticleCreate", "ArticleUpdate"] {
        let properties = &document["components"]["schemas"][schema]["properties"];
        assert_eq!(properties["state"]["readOnly"], true, "{schema}");
        assert!(
            properties["state"]["description"]
                .as_str()
                .unwrap()
                .starts_with("Where the article is in its workflow. Set by the service"),
            "{schema}"
        );
        assert_eq!(properties["approved"]["readOnly"], json!(null), "{schema}");
        assert_eq!(
            properties["approved"]["description"],
            "Written only by callers with the role `reviewer`; a body from another caller that sets it is a `403`."
        );
    }
}
