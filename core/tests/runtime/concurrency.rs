//! Optimistic concurrency: a `#[rest(version)]` field is the row's `ETag`; writes with
//! a stale `If-Match` get `412` and change nothing, and concurrent writers based on the
//! same version cannot both succeed.

use axum::http::Method;
use ferrest::prelude::*;
use ferrest::testing::TestClient;
use serde_json::json;

/// A wiki page: writes may name the version they are based on.
#[derive(Resource)]
pub struct Page {
    #[rest(id)]
    pub id: i64,
    pub title: String,
    #[rest(version)]
    pub version: i64,
}

/// A contract: every write must name the version it is based on.
#[derive(Resource)]
pub struct Contract {
    #[rest(id)]
    pub id: i64,
    pub terms: String,
    #[rest(version(required))]
    pub revision: i32,
}

/// A ledger entry whose updates run a hook, so they take the transactional path.
#[derive(Resource)]
pub struct Entry {
    #[rest(id)]
    pub id: i64,
    pub amount: i64,
    #[rest(version)]
    pub version: i64,
}

/// A note without a version: its rows carry no `ETag`.
#[derive(Resource)]
pub struct Memo {
    #[rest(id)]
    pub id: i64,
    pub text: String,
}

#[ferrest::endpoints]
impl Entry {
    #[rest(before_update)]
    pub async fn keep(_ctx: &Ctx, _current: &Entry, _changes: &mut EntryUpdate) {}
}

fn app() -> ferrest::App {
    ferrest::App::new()
        .resource::<Page>()
        .resource::<Contract>()
        .resource::<Entry>()
        .resource::<Memo>()
        .endpoints::<Entry>()
}

ferrest::on_every_backend!(app = app;
    reads_carry_the_version_and_revalidate,
    a_stale_if_match_is_a_412_and_changes_nothing,
    writes_without_if_match_still_count_up,
    a_required_if_match_is_a_428_without_it,
    hooked_writes_check_the_version_too,
    one_of_many_concurrent_writers_wins,
    concurrent_writers_without_if_match_all_land,
    if_match_on_rows_without_a_version_matches_only_any,
);

async fn send(
    client: &TestClient,
    method: Method,
    uri: &str,
    body: Option<serde_json::Value>,
    headers: &[(&str, &str)],
) -> ferrest::testing::TestResponse {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    client
        .send(method, uri, body.map(|b| b.to_string()), &all)
        .await
}

async fn reads_carry_the_version_and_revalidate(client: TestClient) {
    let created = client.post("/pages", json!({"title": "Home"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["version"], 1);
    assert_eq!(created.header("etag"), Some("\"1\""));
    let path = format!("/pages/{}", created.body["id"]);
    let read = client.get(&path).await;
    assert_eq!(read.header("etag"), Some("\"1\""));

    let fresh = send(
        &client,
        Method::GET,
        &path,
        None,
        &[("if-none-match", "\"1\"")],
    )
    .await;
    assert_eq!(fresh.status, 304);
    assert_eq!(fresh.text, "");
    assert_eq!(fresh.header("etag"), Some("\"1\""));
    let weak = send(
        &client,
        Method::GET,
        &path,
        None,
        &[("if-none-match", "W/\"1\"")],
    )
    .await;
    assert_eq!(weak.status, 304);
    let changed = send(
        &client,
        Method::GET,
        &path,
        None,
        &[("if-none-match", "\"0\"")],
    )
    .await;
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body["title"], "Home");

    // A body naming the version is refused: the server owns it.
    let forged = client.patch(&path, json!({"version": 7})).await;
    assert_eq!(forged.status, 422, "{}", forged.text);
    assert_eq!(forged.body["errors"][0]["pointer"], "/version");
    let forged = client
        .post("/pages", json!({"title": "x", "version": 7}))
        .await;
    assert_eq!(forged.status, 422, "{}", forged.text);
}

async fn a_stale_if_match_is_a_412_and_changes_nothing(client: TestClient) {
    let id = client.post("/pages", json!({"title": "Home"})).await.body["id"].clone();
    let path = format!("/pages/{id}");
    let body = json!({"title": "Start"});
    let updated = send(
        &client,
        Method::PATCH,
        &path,
        Some(body),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["version"], 2);
    assert_eq!(updated.header("etag"), Some("\"2\""));

    let stale = send(
        &client,
        Method::PATCH,
        &path,
        Some(json!({"title": "Lost"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(stale.body["code"], "precondition_failed");
    assert_eq!(stale.header("etag"), Some("\"2\""), "the current version");
    let stored = client.get(&path).await.body;
    assert_eq!(
        (stored["title"].as_str(), stored["version"].as_i64()),
        (Some("Start"), Some(2))
    );

    let gone = send(
        &client,
        Method::DELETE,
        &path,
        None,
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(gone.status, 412, "{}", gone.text);
    assert_eq!(client.get(&path).await.status, 200);
    let any = send(
        &client,
        Method::PATCH,
        &path,
        Some(json!({"title": "Any"})),
        &[("if-match", "*")],
    )
    .await;
    assert_eq!(any.status, 200, "{}", any.text);
    let listed = send(
        &client,
        Method::DELETE,
        &path,
        None,
        &[("if-match", "\"9\", \"3\"")],
    )
    .await;
    assert_eq!(listed.status, 204, "{}", listed.text);
    assert_eq!(client.get(&path).await.status, 404);

    let malformed = send(&client, Method::DELETE, &path, None, &[("if-match", "3")]).await;
    assert_eq!(malformed.status, 400, "{}", malformed.text);
    assert_eq!(malformed.body["code"], "malformed_header");
}

async fn writes_without_if_match_still_count_up(client: TestClient) {
    let id = client.post("/pages", json!({"title": "a"})).await.body["id"].clone();
    let path = format!("/pages/{id}");
    assert_eq!(
        client.patch(&path, json!({"title": "b"})).await.body["version"],
        2
    );
    assert_eq!(
        client.patch(&path, json!({"title": "c"})).await.body["version"],
        3
    );
    // An empty change is no write, and no new version.
    let unchanged = client.patch(&path, json!({})).await;
    assert_eq!(unchanged.header("etag"), Some("\"3\""));
    assert_eq!(unchanged.body["version"], 3);
}

async fn a_required_if_match_is_a_428_without_it(client: TestClient) {
    let created = client.post("/contracts", json!({"terms": "v1"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["revision"], 1);
    let path = format!("/contracts/{}", created.body["id"]);
    let refused = client.patch(&path, json!({"terms": "v2"})).await;
    assert_eq!(refused.status, 428, "{}", refused.text);
    assert_eq!(refused.body["code"], "precondition_required");
    // Even an invalid body: the missing header is reported first. A body that is not
    // JSON at all is a 400 before it.
    assert_eq!(client.patch(&path, json!({"terms": 5})).await.status, 428);
    let json = [("content-type", "application/json")];
    let unreadable = client
        .send(Method::PATCH, &path, Some("{".into()), &json)
        .await;
    assert_eq!(unreadable.status, 400, "{}", unreadable.text);
    assert_eq!(client.delete(&path).await.status, 428);
    let updated = send(
        &client,
        Method::PATCH,
        &path,
        Some(json!({"terms": "v2"})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["revision"], 2);
    let deleted = send(
        &client,
        Method::DELETE,
        &path,
        None,
        &[("if-match", "\"2\"")],
    )
    .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
}

async fn hooked_writes_check_the_version_too(client: TestClient) {
    let id = client.post("/entries", json!({"amount": 1})).await.body["id"].clone();
    let path = format!("/entries/{id}");
    let stale = send(
        &client,
        Method::PATCH,
        &path,
        Some(json!({"amount": 2})),
        &[("if-match", "\"5\"")],
    )
    .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let updated = send(
        &client,
        Method::PATCH,
        &path,
        Some(json!({"amount": 2})),
        &[("if-match", "\"1\"")],
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["version"], 2);
}

/// 32 clients change the same row, all based on version 1: exactly one wins, every
/// other gets `412`, and the version advanced by exactly one.
async fn one_of_many_concurrent_writers_wins(client: TestClient) {
    let id = client.post("/pages", json!({"title": "start"})).await.body["id"].clone();
    let path = format!("/pages/{id}");
    let mut writers = Vec::new();
    for n in 0..32 {
        let (client, path) = (client.clone(), path.clone());
        writers.push(tokio::spawn(async move {
            send(
                &client,
                Method::PATCH,
                &path,
                Some(json!({"title": format!("writer {n}")})),
                &[("if-match", "\"1\"")],
            )
            .await
        }));
    }
    let mut statuses = Vec::new();
    for writer in writers {
        let response = writer.await.expect("the writer ran");
        statuses.push(response.status.as_u16());
        if response.status == 200 {
            assert_eq!(response.body["version"], 2);
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 412).count(),
        31,
        "{statuses:?}"
    );
    let stored = client.get(&path).await.body;
    assert_eq!(stored["version"], 2);
    assert!(stored["title"].as_str().unwrap().starts_with("writer "));
}

/// Writers that name no version asked for no precondition: each lands (the last one
/// wins), and the version counts every write.
async fn concurrent_writers_without_if_match_all_land(client: TestClient) {
    let id = client.post("/pages", json!({"title": "start"})).await.body["id"].clone();
    let path = format!("/pages/{id}");
    let mut writers = Vec::new();
    for n in 0..8 {
        let (client, path) = (client.clone(), path.clone());
        writers.push(tokio::spawn(async move {
            client
                .patch(&path, json!({"title": format!("writer {n}")}))
                .await
        }));
    }
    for writer in writers {
        let response = writer.await.expect("the writer ran");
        assert_eq!(response.status, 200, "{}", response.text);
    }
    assert_eq!(client.get(&path).await.body["version"], 9);
}

/// A row without a version has no entity tag: `If-Match` naming one is `412` (RFC
/// 9110, 13.1.1), `*` matches any row that exists, and a missing row stays `404`.
async fn if_match_on_rows_without_a_version_matches_only_any(client: TestClient) {
    let id = client.post("/memos", json!({"text": "a"})).await.body["id"].clone();
    let path = format!("/memos/{id}");
    let tagged = [("if-match", "\"1\"")];
    let patched = send(
        &client,
        Method::PATCH,
        &path,
        Some(json!({"text": "b"})),
        &tagged,
    )
    .await;
    assert_eq!(patched.status, 412, "{}", patched.text);
    let deleted = send(&client, Method::DELETE, &path, None, &tagged).await;
    assert_eq!(deleted.status, 412, "{}", deleted.text);
    assert_eq!(client.get(&path).await.body["text"], "a");
    let any = [("if-match", "*")];
    let patched = send(
        &client,
        Method::PATCH,
        &path,
        Some(json!({"text": "b"})),
        &any,
    )
    .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(
        send(&client, Method::DELETE, &path, None, &any)
            .await
            .status,
        204
    );
    assert_eq!(
        send(&client, Method::DELETE, &path, None, &tagged)
            .await
            .status,
        404
    );
}

#[test]
fn the_document_shows_tags_and_preconditions() {
    let document = serde_json::to_value(app().openapi()).expect("serializes");
    let item = &document["paths"]["/pages/{id}"];
    assert!(item["get"]["responses"]["200"]["headers"]["ETag"].is_object());
    assert!(item["get"]["responses"]["304"].is_object());
    let parameters = item["patch"]["parameters"].as_array().unwrap();
    let if_match = parameters
        .iter()
        .find(|p| p["name"] == "If-Match")
        .expect("If-Match");
    assert_eq!(
        (if_match["in"].as_str(), if_match["required"].as_bool()),
        (Some("header"), Some(false))
    );
    assert!(item["patch"]["responses"]["412"].is_object());
    assert!(item["patch"]["responses"].get("428").is_none());
    assert!(document["paths"]["/pages"]["post"]["responses"]["201"]["headers"]["ETag"].is_object());
    assert_eq!(
        document["components"]["schemas"]["Page"]["properties"]["version"]["readOnly"],
        true
    );
    let contract = &document["paths"]["/contracts/{id}"];
    assert!(contract["delete"]["responses"]["428"].is_object());
    let parameters = contract["delete"]["parameters"].as_array().unwrap();
    assert!(
        parameters
            .iter()
            .any(|p| p["name"] == "If-Match" && p["required"] == true)
    );
}
