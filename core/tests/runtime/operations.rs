//! `only(...)` and `exclude(...)` remove routes and their operations from the document.

use axum::http::Method;
use ferrest::prelude::*;
use ferrest::testing::TestClient;
use serde_json::json;

/// Readings are appended and read, never changed.
#[derive(Resource)]
#[rest(only(list, get, create))]
pub struct Reading {
    #[rest(id)]
    pub id: i32,
    #[rest(validate(range(min = -50.5, max = 60)))]
    pub celsius: f64,
}

/// Tags cannot be deleted.
#[derive(Resource)]
#[rest(exclude(delete), path = "/labels")]
pub struct Tag {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(min = 1)), unique)]
    pub name: String,
}

/// Integer rules compare exactly.
#[derive(Resource)]
pub struct Level {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(one_of(1, 2, 3)))]
    pub level: i32,
    #[rest(validate(range(max = 9007199254740992)))]
    pub big: i64,
}

fn app() -> ferrest::App {
    ferrest::App::new()
        .resource::<Reading>()
        .resource::<Tag>()
        .resource::<Level>()
}

ferrest::on_every_backend!(app = app; selected_operations_are_routed, integer_rules_are_exact);

async fn integer_rules_are_exact(client: TestClient) {
    let created = client
        .post(
            "/levels",
            json!({"level": 2.0, "big": 9007199254740992_i64}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["level"], 2);
    let over = client
        .post("/levels", json!({"level": 3, "big": 9007199254740993_i64}))
        .await;
    assert_eq!(over.status, 422);
    assert_eq!(over.body["errors"][0]["pointer"], "/big");
    let not_listed = client
        .post("/levels", json!({"level": 2.5, "big": 1}))
        .await;
    assert_eq!(not_listed.body["errors"][0]["code"], "type");
}

async fn selected_operations_are_routed(client: TestClient) {
    let created = client.post("/readings", json!({"celsius": -50.5})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body, json!({"id": 1, "celsius": -50.5}));
    assert_eq!(client.get("/readings/1").await.status, 200);
    let too_hot = client.post("/readings", json!({"celsius": 60.01})).await;
    assert_eq!(too_hot.status, 422);
    assert_eq!(too_hot.body["errors"][0]["detail"], "must be at most 60");
    let patch = client.patch("/readings/1", json!({"celsius": 1})).await;
    assert_eq!(patch.status, 405);
    assert_eq!(patch.header("allow"), Some("GET,HEAD"));
    assert_eq!(client.delete("/readings/1").await.status, 405);

    let tag = client.post("/labels", json!({"name": "rust"})).await;
    assert_eq!(tag.status, 201, "{}", tag.text);
    // Unique compares exactly on every backend: case and trailing spaces count
    // (MySQL's default collation ignores the first, `utf8mb4_bin` the second).
    for other in ["Rust", "rust ", "rust  "] {
        let created = client.post("/labels", json!({"name": other})).await;
        assert_eq!(created.status, 201, "{other:?}: {}", created.text);
    }
    assert_eq!(
        client
            .post("/labels", json!({"name": "rust "}))
            .await
            .status,
        409
    );
    let renamed = client.patch("/labels/1", json!({"name": "rustlang"})).await;
    assert_eq!(renamed.body["name"], "rustlang");
    let deleted = client.send(Method::DELETE, "/labels/1", None, &[]).await;
    assert_eq!(deleted.status, 405);
}

#[test]
fn the_document_lists_only_the_selected_operations() {
    let document = serde_json::to_value(app().openapi()).unwrap();
    let methods = |path: &str| -> Vec<String> {
        document["paths"][path]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    assert_eq!(methods("/readings"), ["get", "post"]);
    assert_eq!(methods("/readings/{id}"), ["get"]);
    assert_eq!(methods("/labels/{id}"), ["get", "patch"]);
    assert_eq!(
        document["paths"]["/readings/{id}"]["get"]["parameters"][0]["schema"]["format"],
        "int32"
    );
    // Defaults: table and tag are the plural of the struct name.
    assert_eq!(<Reading as Resource>::spec().table, "readings");
    assert_eq!(<Tag as Resource>::spec().tag, "Tags");
    let celsius = &document["components"]["schemas"]["ReadingCreate"]["properties"]["celsius"];
    assert_eq!(celsius["minimum"], -50.5);
    assert_eq!(celsius["maximum"], 60);
}

mod clash {
    use ferrest::prelude::*;

    /// Same path as `super::Tag`.
    #[derive(Resource)]
    #[rest(path = "/labels", table = "other_labels")]
    pub struct Label {
        #[rest(id)]
        pub id: i64,
    }
}

#[tokio::test]
async fn clashing_registrations_are_a_startup_error() {
    let db = ferrest::testing::TestDb::create(ferrest::testing::Backend::Sqlite)
        .await
        .unwrap();
    let twice = ferrest::App::new()
        .database_url(db.url())
        .resource::<Tag>()
        .resource::<Tag>();
    let error = twice.into_router().await.unwrap_err().to_string();
    assert_eq!(
        error,
        "configuration: two resources are named `Tag`; schema names must be unique"
    );
    let same_path = ferrest::App::new()
        .database_url(db.url())
        .resource::<Tag>()
        .resource::<clash::Label>();
    let error = same_path.into_router().await.unwrap_err().to_string();
    assert!(error.contains("both use the path `/labels`"), "{error}");
    db.drop().await;
}

/// Every problem at once, settings and registrations: a start, and `check`, name them
/// all rather than one per attempt.
#[tokio::test]
async fn every_registration_problem_is_reported_at_once() {
    let db = ferrest::testing::TestDb::create(ferrest::testing::Backend::Sqlite)
        .await
        .unwrap();
    let app = ferrest::App::new()
        .database_url(db.url())
        .cors_origins("ftp://files.example")
        .cors_origins("shop.example")
        .resource::<Tag>()
        .resource::<clash::Label>()
        .resource::<bad_default::Contact>();
    let error = app.into_router().await.unwrap_err().to_string();
    for problem in [
        "4 problems:",
        "`ftp://files.example` is not an origin",
        "`shop.example` is not an origin",
        "both use the path `/labels`",
        "the default of `Contact.email` is refused",
    ] {
        assert!(error.contains(problem), "{problem}: {error}");
    }
    db.drop().await;
}

mod bad_default {
    use ferrest::prelude::*;

    /// The macro cannot check `email` on a default; startup does.
    #[derive(Resource)]
    pub struct Contact {
        #[rest(id)]
        pub id: i64,
        #[rest(default = "nobody", validate(email))]
        pub email: String,
    }
}

#[tokio::test]
async fn a_default_its_rules_refuse_is_a_startup_error() {
    let db = ferrest::testing::TestDb::create(ferrest::testing::Backend::Sqlite)
        .await
        .unwrap();
    let app = ferrest::App::new()
        .database_url(db.url())
        .resource::<bad_default::Contact>();
    let error = app.into_router().await.unwrap_err().to_string();
    assert_eq!(
        error,
        "configuration: the default of `Contact.email` is refused by its own rules: must be an e-mail address"
    );
    db.drop().await;
}
