//! Relations where the related resource limits its own routes, includes too large to
//! embed, and links behind a path prefix.

use ferrest::prelude::*;
use ferrest::testing::{Backend, TestClient, TestDb};
use serde_json::json;

/// A shelf holds items.
#[derive(Resource)]
#[rest(path = "/shelves", has_many = Item, include(items))]
pub struct Shelf {
    #[rest(id)]
    pub id: i64,
    pub label: String,
}

/// Items are read through their shelf only.
#[derive(Resource)]
#[rest(exclude(list), include(shelf))]
pub struct Item {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Shelf, filter(eq))]
    pub shelf_id: i64,
}

/// Notes cannot be read at all, so nothing may embed them.
#[derive(Resource)]
#[rest(only(create))]
pub struct Note {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Board)]
    pub board_id: i64,
}

/// A board that would embed its unreadable notes.
#[derive(Resource)]
#[rest(table = "boards", has_many = Note, include(notes))]
pub struct Board {
    #[rest(id)]
    pub id: i64,
}

fn app() -> ferrest::App {
    ferrest::App::new().resource::<Shelf>().resource::<Item>()
}

ferrest::on_every_backend!(app = app; a_child_without_a_list_has_no_nested_list, an_include_is_bounded);
ferrest::on_every_backend!(backend; links_keep_the_path_prefix);

async fn a_child_without_a_list_has_no_nested_list(client: TestClient) {
    let shelf = client.post("/shelves", json!({"label": "A"})).await.body["id"].clone();
    let item = client.post("/items", json!({"shelf_id": shelf})).await;
    assert_eq!(item.status, 201, "{}", item.text);
    assert_eq!(
        client.get(&format!("/shelves/{shelf}/items")).await.status,
        404
    );
    let document = client.get("/openapi.json").await.body;
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.contains_key("/shelves/{id}"));
    assert!(
        !paths
            .keys()
            .any(|path| path.ends_with("/items") && path != "/items")
    );
    // Items are still readable one by one, and so embeddable.
    let with_items = client.get(&format!("/shelves/{shelf}?include=items")).await;
    assert_eq!(with_items.body["items"][0]["id"], item.body["id"]);
}

async fn an_include_is_bounded(client: TestClient) {
    let shelf = client.post("/shelves", json!({"label": "A"})).await.body["id"].clone();
    for _ in 0..ferrest::MAX_INCLUDED_ROWS {
        client.post("/items", json!({"shelf_id": shelf})).await;
    }
    let full = client.get(&format!("/shelves/{shelf}?include=items")).await;
    assert_eq!(
        full.status,
        200,
        "{}",
        &full.text[..200.min(full.text.len())]
    );
    assert_eq!(
        full.body["items"].as_array().unwrap().len() as u64,
        ferrest::MAX_INCLUDED_ROWS
    );
    client.post("/items", json!({"shelf_id": shelf})).await;
    let over = client.get(&format!("/shelves/{shelf}?include=items")).await;
    assert_eq!(
        over.status,
        400,
        "{}",
        &over.text[..200.min(over.text.len())]
    );
    assert_eq!(over.body["parameter"], "include");
}

async fn links_keep_the_path_prefix(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let router = app().database_url(db.url()).into_router().await.unwrap();
    let client = TestClient::new(axum::Router::new().nest("/api", router));
    for label in ["A", "B"] {
        let created = client.post("/api/shelves", json!({"label": label})).await;
        assert_eq!(created.status, 201, "{}", created.text);
    }
    let page = client.get("/api/shelves?limit=1").await;
    assert_eq!(
        page.header("link"),
        Some("</api/shelves?limit=1&offset=1>; rel=\"next\"")
    );
    db.drop().await;
}

#[tokio::test]
async fn an_include_of_an_unreadable_resource_is_refused_at_startup() {
    let Some(db) = TestDb::create(Backend::Sqlite).await else {
        return;
    };
    let app = ferrest::App::new()
        .database_url(db.url())
        .resource::<Board>()
        .resource::<Note>();
    let error = app
        .into_router()
        .await
        .expect_err("the app refuses to start");
    db.drop().await;
    assert!(
        error
            .to_string()
            .contains("`Board` allows `include(notes)`, but `Note` serves neither"),
        "{error}"
    );
}
