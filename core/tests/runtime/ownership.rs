//! Row ownership: every operation of an owned resource, called by its owner, by
//! another user, anonymously and by an admin, shows and changes only what the caller
//! owns (or everything, for the admin); includes and nested lists never leak another
//! user's rows.

use std::time::Duration;

use ferrest::auth::{Jwt, Principal};
use ferrest::prelude::*;
use ferrest::testing::TestClient;
use ferrest::web::{Json, Path};
use serde_json::json;

const SECRET: &str = "ownership tests secret, 32 bytes or more";

/// A diary: private to its writer; admins see all of them.
#[derive(Resource)]
#[rest(has_many = Photo, include(photos))]
pub struct Diary {
    #[rest(id)]
    pub id: i64,
    pub text: String,
    #[rest(owner(bypass = role("admin")))]
    pub owner: String,
}

/// A photo, owned by whoever added it, in a diary.
#[derive(Resource)]
#[rest(include(diary))]
pub struct Photo {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Diary)]
    pub diary_id: i64,
    pub caption: String,
    #[rest(owner)]
    pub owner: String,
}

/// Owned by numeric user ids.
#[derive(Resource)]
pub struct Ticket {
    #[rest(id)]
    pub id: i64,
    pub subject: String,
    #[rest(owner)]
    pub user_id: i64,
}

#[ferrest::endpoints]
impl Diary {
    /// The diary's length, through `ctx.get`: scoped as the routes are.
    #[rest(get = "/diaries/{id}/length")]
    pub async fn length(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<u64>, ApiError> {
        let diary: Diary = ctx.get(id).await?;
        Ok(Json(diary.text.len() as u64))
    }
}

fn app() -> ferrest::App {
    ferrest::App::new()
        .authenticate(Jwt::hs256(SECRET))
        .resource::<Diary>()
        .resource::<Photo>()
        .resource::<Ticket>()
        .endpoints::<Diary>()
}

fn as_user(client: &TestClient, subject: &str, roles: &[&str]) -> TestClient {
    let principal = Principal::new(subject).with_roles(roles.iter().copied());
    let token = Jwt::hs256(SECRET)
        .sign(&principal, Duration::from_secs(600))
        .expect("signs");
    client.with_header("authorization", &format!("Bearer {token}"))
}

ferrest::on_every_backend!(app = app;
    each_operation_sees_only_the_callers_rows,
    includes_and_nested_lists_keep_to_the_callers_rows,
    integer_owners_take_numeric_subjects,
    subjects_that_cannot_own_say_why,
);

async fn total(client: &TestClient, path: &str) -> u64 {
    let response = client.get(&format!("{path}?count=true")).await;
    assert_eq!(response.status, 200, "{}", response.text);
    response.body["total"].as_u64().expect("a total")
}

async fn each_operation_sees_only_the_callers_rows(client: TestClient) {
    let ada = as_user(&client, "ada", &[]);
    let bob = as_user(&client, "bob", &[]);
    let admin = as_user(&client, "root", &["admin"]);

    let refused = client.post("/diaries", json!({"text": "anonymous"})).await;
    assert_eq!(
        refused.status, 401,
        "an anonymous caller owns nothing: {}",
        refused.text
    );
    let forged = ada
        .post("/diaries", json!({"text": "x", "owner": "bob"}))
        .await;
    assert_eq!(forged.status, 422, "{}", forged.text);
    assert_eq!(forged.body["errors"][0]["pointer"], "/owner");

    let created = ada.post("/diaries", json!({"text": "dear diary"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["owner"], "ada");
    let path = format!("/diaries/{}", created.body["id"]);

    // Another user and a stranger: the row does not exist for them.
    for other in [&bob, &client] {
        assert_eq!(total(other, "/diaries").await, 0);
        assert_eq!(other.get(&path).await.status, 404);
        assert_eq!(other.get(&format!("{path}/length")).await.status, 404);
        assert_eq!(
            other.patch(&path, json!({"text": "mine"})).await.status,
            404
        );
        assert_eq!(other.delete(&path).await.status, 404);
        let filtered = other
            .get(&format!("/diaries?id={}", created.body["id"]))
            .await;
        assert_eq!(
            filtered.status, 400,
            "`id` is not a filter: {}",
            filtered.text
        );
    }
    let forged = ada.patch(&path, json!({"owner": "bob"})).await;
    assert_eq!(forged.status, 422, "{}", forged.text);
    let stored = ada.get(&path).await;
    assert_eq!(stored.status, 200);
    assert_eq!(
        (stored.body["text"].as_str(), stored.body["owner"].as_str()),
        (Some("dear diary"), Some("ada"))
    );
    assert_eq!(ada.get(&format!("{path}/length")).await.body, 10);

    // Bob's own diary stays his.
    let bobs = bob.post("/diaries", json!({"text": "bob's"})).await;
    assert_eq!(bobs.body["owner"], "bob");
    assert_eq!(total(&ada, "/diaries").await, 1);
    assert_eq!(total(&bob, "/diaries").await, 1);

    // The admin bypasses ownership: sees and changes every row, owners stay.
    assert_eq!(total(&admin, "/diaries").await, 2);
    let edited = admin.patch(&path, json!({"text": "moderated"})).await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.body["owner"], "ada");
    assert_eq!(ada.get(&path).await.body["text"], "moderated");

    assert_eq!(ada.delete(&path).await.status, 204);
    assert_eq!(admin.get(&path).await.status, 404);
}

async fn includes_and_nested_lists_keep_to_the_callers_rows(client: TestClient) {
    let ada = as_user(&client, "ada", &[]);
    let bob = as_user(&client, "bob", &[]);
    let admin = as_user(&client, "root", &["admin"]);
    let adas = ada.post("/diaries", json!({"text": "a"})).await.body["id"].clone();
    let bobs = bob.post("/diaries", json!({"text": "b"})).await.body["id"].clone();
    let photo =
        |diary: &serde_json::Value, caption: &str| json!({"diary_id": diary, "caption": caption});
    assert_eq!(ada.post("/photos", photo(&adas, "ada's")).await.status, 201);
    assert_eq!(bob.post("/photos", photo(&bobs, "bob's")).await.status, 201);
    // Bob adds a photo to ada's diary (he knows its id): it stays his.
    assert_eq!(
        bob.post("/photos", photo(&adas, "bob's in ada's"))
            .await
            .status,
        201
    );

    let included = ada.get(&format!("/diaries/{adas}?include=photos")).await;
    assert_eq!(included.status, 200, "{}", included.text);
    let captions: Vec<&str> = included.body["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["caption"].as_str().unwrap())
        .collect();
    assert_eq!(captions, ["ada's"]);
    let nested = ada.get(&format!("/diaries/{adas}/photos")).await;
    assert_eq!(nested.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        bob.get(&format!("/diaries/{adas}/photos")).await.status,
        404,
        "the parent is not his"
    );

    let bobs_photos = bob.get("/photos?include=diary").await;
    assert_eq!(bobs_photos.status, 200, "{}", bobs_photos.text);
    let items = bobs_photos.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["diary"]["text"], "b");
    assert_eq!(
        items[1]["diary"],
        serde_json::Value::Null,
        "ada's diary stays hidden"
    );

    // Photos have no bypass: the admin sees the diaries, but only their own photos.
    assert_eq!(total(&admin, "/photos").await, 0);
    let all = admin.get(&format!("/diaries/{adas}?include=photos")).await;
    assert_eq!(all.body["photos"], json!([]));
}

async fn integer_owners_take_numeric_subjects(client: TestClient) {
    let user = as_user(&client, "42", &[]);
    let created = user.post("/tickets", json!({"subject": "help"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["user_id"], 42);
    assert_eq!(total(&user, "/tickets").await, 1);
    assert_eq!(total(&as_user(&client, "7", &[]), "/tickets").await, 0);
    let named = as_user(&client, "ada", &[]);
    let refused = named.post("/tickets", json!({"subject": "help"})).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(total(&named, "/tickets").await, 0);
}

/// A subject the owner column cannot hold is refused with what is wrong with it.
async fn subjects_that_cannot_own_say_why(client: TestClient) {
    for (subject, reason) in [
        ("a\0b", "without the NUL character"),
        (&"x".repeat(256)[..], "at most 255 characters"),
    ] {
        let refused = as_user(&client, subject, &[])
            .post("/diaries", json!({"text": "t"}))
            .await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        let detail = refused.body["detail"].as_str().unwrap();
        assert!(detail.contains(reason), "{detail}");
    }
    let refused = as_user(&client, "ada", &[])
        .post("/tickets", json!({"subject": "help"}))
        .await;
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("an integer"),
        "{}",
        refused.text
    );
}

#[tokio::test]
async fn an_owned_resource_needs_an_authenticator() {
    let db = ferrest::testing::TestDb::create(ferrest::testing::Backend::Sqlite)
        .await
        .expect("sqlite");
    let app = ferrest::App::new().resource::<Ticket>();
    let connection = ferrest::connect(db.url()).await.expect("connects");
    let error = match app.router_on(connection).await {
        Ok(_) => panic!("the app started"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("`Ticket` has an `owner` field"), "{error}");
    db.drop().await;
}

#[test]
fn creating_an_owned_row_is_documented_as_needing_credentials() {
    let document = serde_json::to_value(app().openapi()).expect("serializes");
    let create = &document["paths"]["/diaries"]["post"];
    assert_eq!(create["security"], json!([{"bearer": []}]));
    assert!(
        create["responses"]["401"]["description"]
            .as_str()
            .unwrap()
            .contains("unauthenticated")
    );
    assert_eq!(
        document["components"]["schemas"]["Diary"]["properties"]["owner"]["readOnly"],
        true
    );
    assert!(
        document["components"]["schemas"]["DiaryCreate"]["properties"]
            .get("owner")
            .is_none()
    );
}

/// A review: everyone reads every review, only its writer changes it.
#[derive(Resource)]
pub struct Review {
    #[rest(id)]
    pub id: i64,
    pub stars: i32,
    #[rest(owner(scope = writes))]
    pub writer: String,
}

fn reviews() -> ferrest::App {
    ferrest::App::new()
        .authenticate(Jwt::hs256(SECRET))
        .resource::<Review>()
}

ferrest::on_every_backend!(app = reviews; shared_reads_keep_writes_to_the_owner);

async fn shared_reads_keep_writes_to_the_owner(client: TestClient) {
    let (ada, bob) = (as_user(&client, "ada", &[]), as_user(&client, "bob", &[]));
    let created = ada.post("/reviews", json!({"stars": 5})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/reviews/{}", created.body["id"]);
    for reader in [&client, &bob] {
        assert_eq!(total(reader, "/reviews").await, 1);
        assert_eq!(reader.get(&path).await.body["writer"], "ada");
    }
    assert_eq!(bob.patch(&path, json!({"stars": 1})).await.status, 404);
    assert_eq!(bob.delete(&path).await.status, 404);
    assert_eq!(client.patch(&path, json!({"stars": 1})).await.status, 404);
    assert_eq!(client.get(&path).await.body["stars"], 5);
    assert_eq!(ada.patch(&path, json!({"stars": 4})).await.status, 200);
    assert_eq!(ada.delete(&path).await.status, 204);
}
