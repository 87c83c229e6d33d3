//! Idempotency keys on `POST`: a retry gets the first answer instead of a second row,
//! a key is its caller's (an anonymous request's key is ignored), reused for another
//! request is a `422`, held by a request still running a `409`; a write that committed
//! is never run again, even when its request was cut off by the time limit; only
//! `POST` operations take keys; keys expire and are purged.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use axum::http::Method;
use ferrest::auth::{ApiKeys, Jwt, Principal};
use ferrest::prelude::*;
use ferrest::sea_orm::{ConnectionTrait, Statement};
use ferrest::testing::{Backend, TestClient, TestDb, TestResponse};
use ferrest::web::Json;
use serde_json::{Value, json};

/// A parcel to ship.
#[derive(Resource)]
pub struct Parcel {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(min = 1, max = 40)), filter(eq))]
    pub label: String,
}

/// Two points a request passes, for a test to hold it in flight without sleeping: the
/// endpoint says it `entered`, then waits for `release`.
#[derive(Default)]
struct Gate {
    entered: tokio::sync::Notify,
    release: tokio::sync::Notify,
}

/// Gates by parcel label: each test (and backend) uses its own label.
static GATES: LazyLock<Mutex<HashMap<String, Arc<Gate>>>> = LazyLock::new(Default::default);

fn gate(label: &str) -> Arc<Gate> {
    GATES
        .lock()
        .unwrap()
        .entry(label.to_owned())
        .or_default()
        .clone()
}

/// What the shipping desk can answer.
#[derive(Debug, ferrest::ApiError)]
pub enum DeskError {
    /// The courier is unreachable; retry later.
    #[rest(status = 503)]
    CourierDown,
}

impl From<ApiError> for DeskError {
    fn from(_: ApiError) -> Self {
        DeskError::CourierDown
    }
}

#[ferrest::endpoints]
impl Parcel {
    /// Ship a parcel: stored before the gate is passed when `stored_first`, after it
    /// otherwise.
    #[rest(post = "/parcels/ship")]
    pub async fn ship(ctx: Ctx, Json(body): Json<Value>) -> Result<Json<Parcel>, ApiError> {
        let label = body["label"].as_str().unwrap_or_default().to_owned();
        let gate = GATES.lock().unwrap().get(&label).cloned();
        let store = || {
            ctx.create::<Parcel>(ParcelCreate {
                label: label.clone(),
            })
        };
        if body["stored_first"] == true {
            let parcel = store().await?;
            if let Some(gate) = gate {
                gate.entered.notify_one();
                gate.release.notified().await;
            }
            return Ok(Json(parcel));
        }
        if let Some(gate) = gate {
            gate.entered.notify_one();
            gate.release.notified().await;
        }
        Ok(Json(store().await?))
    }

    /// Always fails, as a server error: such answers are not kept.
    #[rest(post = "/parcels/courier")]
    pub async fn courier() -> Result<Json<Parcel>, DeskError> {
        Err(DeskError::CourierDown)
    }

    /// Always `404`: an answer that is not kept.
    #[rest(post = "/parcels/lost")]
    pub async fn lost() -> Result<Json<Parcel>, ApiError> {
        Err(ApiError::not_found("no such parcel"))
    }

    /// The keys' table as the test sees it: its rows, and for how long (ms) the
    /// longest-held reservation still holds its key.
    #[rest(get = "/parcels/keys")]
    pub async fn keys(ctx: Ctx) -> Result<Json<Value>, ApiError> {
        use ferrest::sea_orm::{ConnectionTrait, Statement};
        let backend = ctx.db.get_database_backend();
        let row = ctx
            .db
            .query_one_raw(Statement::from_string(
                backend,
                "SELECT COUNT(*) AS n, MAX(locked_until) AS locked FROM ferrest_idempotency_keys",
            ))
            .await
            .map_err(|_| ApiError::internal())?
            .ok_or_else(ApiError::internal)?;
        let rows: i64 = row.try_get("", "n").map_err(|_| ApiError::internal())?;
        let locked: Option<i64> = row
            .try_get("", "locked")
            .map_err(|_| ApiError::internal())?;
        let now = i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis(),
        )
        .unwrap();
        Ok(Json(
            json!({"rows": rows, "locked_for_ms": locked.map(|l| l - now)}),
        ))
    }
}

const ADA: &str = "ada-key-0123456789";
const BOB: &str = "bob-key-0123456789";
const JWT_SECRET: &str = "a test secret of at least thirty-two bytes";

fn app() -> ferrest::App {
    ferrest::App::new()
        .authenticate(Jwt::hs256(JWT_SECRET))
        .authenticate(
            ApiKeys::new()
                .key(ADA, Principal::new("ada"))
                .key(BOB, Principal::new("bob")),
        )
        .resource::<Parcel>()
        .endpoints::<Parcel>()
}

/// The caller whose keys most tests use: keys are taken from authenticated callers
/// only.
fn ada(client: &TestClient) -> TestClient {
    client.anonymous().with_header("x-api-key", ADA)
}

/// A bearer token for `subject`.
fn token(subject: &str) -> String {
    Jwt::hs256(JWT_SECRET)
        .sign(&Principal::new(subject), Duration::from_secs(600))
        .unwrap()
}

/// The keys' table: its rows, and how long the longest reservation still holds.
async fn keys_table(client: &TestClient) -> (i64, Option<i64>) {
    let table = client.anonymous().get("/parcels/keys").await;
    assert_eq!(table.status, 200, "{}", table.text);
    (
        table.body["rows"].as_i64().unwrap(),
        table.body["locked_for_ms"].as_i64(),
    )
}

/// A time limit that cuts off requests held at a gate, and the default is too long
/// for a test to wait out.
fn app_with_short_timeout() -> ferrest::App {
    app().timeout(Some(Duration::from_secs(2)))
}

ferrest::on_every_backend!(app = app;
    a_retry_gets_the_first_answer_and_stores_nothing_twice,
    a_key_reused_for_another_request_is_refused,
    a_key_held_by_a_running_request_is_a_conflict,
    keys_belong_to_their_caller,
    anonymous_keys_are_ignored,
    subjects_of_other_authenticators_are_other_callers,
    only_post_operations_take_keys,
    server_errors_are_not_kept,
);
ferrest::on_every_backend!(app = app_with_short_timeout; a_write_cut_off_after_its_commit_is_not_run_again);
ferrest::on_every_backend!(app = app_without_time_limit; without_a_time_limit_a_key_is_held_ten_minutes);
ferrest::on_every_backend!(backend; keys_expire_and_are_purged);

fn app_without_time_limit() -> ferrest::App {
    app().timeout(None)
}

async fn post_with_key(client: &TestClient, uri: &str, key: &str, body: Value) -> TestResponse {
    client
        .send(
            Method::POST,
            uri,
            Some(body.to_string()),
            &[
                ("content-type", "application/json"),
                ("idempotency-key", key),
            ],
        )
        .await
}

async fn parcels(client: &TestClient, label: &str) -> i64 {
    let listed = client
        .anonymous()
        .get(&format!("/parcels?label={label}&count=true"))
        .await;
    listed.body["total"].as_i64().expect("a total")
}

async fn a_retry_gets_the_first_answer_and_stores_nothing_twice(client: TestClient) {
    let client = ada(&client);
    let key = "5f0c2a1e-7d4b-4c1a-9d7e-0a1b2c3d4e5f";
    let first = post_with_key(&client, "/parcels", key, json!({"label": "tea"})).await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.header("idempotent-replayed"), None);
    let location = first.header("location").expect("a Location").to_owned();
    let retry = post_with_key(&client, "/parcels", key, json!({"label": "tea"})).await;
    assert_eq!(retry.status, 201, "{}", retry.text);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.header("location"), Some(location.as_str()));
    assert_eq!(retry.header("content-type"), first.header("content-type"));
    assert_eq!(retry.text, first.text);
    assert_eq!(parcels(&client, "tea").await, 1);
    // The draft's structured-field form names the same key.
    let quoted = post_with_key(
        &client,
        "/parcels",
        &format!("\"{key}\""),
        json!({"label": "tea"}),
    )
    .await;
    assert_eq!(quoted.header("idempotent-replayed"), Some("true"));
    assert_eq!(parcels(&client, "tea").await, 1);
    // Without a key, each request runs.
    client.post("/parcels", json!({"label": "tea"})).await;
    assert_eq!(parcels(&client, "tea").await, 2);

    // An endpoint's writes are kept the same way.
    let shipped = post_with_key(&client, "/parcels/ship", "ship-1", json!({"label": "jam"})).await;
    assert_eq!(shipped.status, 200, "{}", shipped.text);
    let again = post_with_key(&client, "/parcels/ship", "ship-1", json!({"label": "jam"})).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, shipped.body);
    assert_eq!(parcels(&client, "jam").await, 1);

    // A client error the request ran into is its answer too.
    let invalid = post_with_key(&client, "/parcels", "bad-1", json!({"label": ""})).await;
    assert_eq!(invalid.status, 422);
    let replayed = post_with_key(&client, "/parcels", "bad-1", json!({"label": ""})).await;
    assert_eq!(replayed.status, 422);
    assert_eq!(replayed.header("idempotent-replayed"), Some("true"));
    assert_eq!(replayed.body, invalid.body);

    // Malformed keys are refused before anything runs.
    for bad in ["a b".to_owned(), "k".repeat(256), "\"\"".to_owned()] {
        let refused = post_with_key(&client, "/parcels", &bad, json!({"label": "x"})).await;
        assert_eq!(refused.status, 400, "{bad}");
        assert_eq!(refused.body["code"], "invalid_idempotency_key");
    }
    assert_eq!(parcels(&client, "x").await, 0);
}

async fn a_key_reused_for_another_request_is_refused(client: TestClient) {
    let client = ada(&client);
    let first = post_with_key(&client, "/parcels", "k-1", json!({"label": "tea"})).await;
    assert_eq!(first.status, 201);
    let other_body = post_with_key(&client, "/parcels", "k-1", json!({"label": "rum"})).await;
    assert_eq!(other_body.status, 422, "{}", other_body.text);
    assert_eq!(other_body.body["code"], "idempotency_key_reused");
    let other_path = post_with_key(&client, "/parcels/ship", "k-1", json!({"label": "tea"})).await;
    assert_eq!(other_path.status, 422);
    assert_eq!(other_path.body["code"], "idempotency_key_reused");
    assert_eq!(parcels(&client, "tea").await, 1);
    assert_eq!(parcels(&client, "rum").await, 0);
}

async fn a_key_held_by_a_running_request_is_a_conflict(client: TestClient) {
    let client = ada(&client);
    let label = format!("held-{}", Uuid::new_v4().simple());
    let gate = gate(&label);
    let body = json!({"label": label});
    let first = tokio::spawn({
        let (client, body) = (client.clone(), body.clone());
        async move { post_with_key(&client, "/parcels/ship", "k-held", body).await }
    });
    gate.entered.notified().await;
    // Held in flight: every other request with the key is refused, none runs.
    for _ in 0..3 {
        let concurrent = post_with_key(&client, "/parcels/ship", "k-held", body.clone()).await;
        assert_eq!(concurrent.status, 409, "{}", concurrent.text);
        assert_eq!(concurrent.body["code"], "idempotency_key_in_use");
        assert_eq!(concurrent.header("retry-after"), Some("1"));
    }
    gate.release.notify_one();
    let first = first.await.unwrap();
    assert_eq!(first.status, 200, "{}", first.text);
    let after = post_with_key(&client, "/parcels/ship", "k-held", body).await;
    assert_eq!(after.header("idempotent-replayed"), Some("true"));
    assert_eq!(after.body, first.body);
    assert_eq!(parcels(&client, &label).await, 1);
}

async fn keys_belong_to_their_caller(client: TestClient) {
    let ada = client.with_header("x-api-key", ADA);
    let bob = client.with_header("x-api-key", BOB);
    let anonymous = client.anonymous();
    let body = json!({"label": "tea"});
    let by_ada = post_with_key(&ada, "/parcels", "shared", body.clone()).await;
    assert_eq!(by_ada.status, 201);
    // The same key from another caller is another key: it runs, and sees nothing of
    // ada's answer.
    for other in [&bob, &anonymous] {
        let answer = post_with_key(other, "/parcels", "shared", body.clone()).await;
        assert_eq!(answer.status, 201, "{}", answer.text);
        assert_eq!(answer.header("idempotent-replayed"), None);
        assert_ne!(answer.body["id"], by_ada.body["id"]);
    }
    let again = post_with_key(&ada, "/parcels", "shared", body).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, by_ada.body);
    assert_eq!(parcels(&client, "tea").await, 3);
}

/// Anonymous callers cannot be told apart, so no key is theirs: a request with one runs
/// as without it, neither replaying another caller's answer nor revealing the key.
async fn anonymous_keys_are_ignored(client: TestClient) {
    let first = client.anonymous();
    let second = client.anonymous();
    let body = json!({"label": "tea"});
    let by_first = post_with_key(&first, "/parcels", "anon", body.clone()).await;
    assert_eq!(by_first.status, 201, "{}", by_first.text);
    let by_second = post_with_key(&second, "/parcels", "anon", body).await;
    assert_eq!(by_second.status, 201, "{}", by_second.text);
    assert_eq!(by_second.header("idempotent-replayed"), None);
    assert_ne!(by_second.body["id"], by_first.body["id"]);
    assert_ne!(by_second.header("location"), by_first.header("location"));
    // Another body with the key is no `422`: nothing says the key was used.
    let other = post_with_key(&second, "/parcels", "anon", json!({"label": "rum"})).await;
    assert_eq!(other.status, 201, "{}", other.text);
    assert_eq!(parcels(&client, "tea").await, 2);
    assert_eq!(keys_table(&client).await.0, 0);
}

/// A token's `sub` and an API key's owner of the same name are two callers.
async fn subjects_of_other_authenticators_are_other_callers(client: TestClient) {
    let by_key = ada(&client);
    let by_token = client
        .anonymous()
        .with_header("authorization", &format!("Bearer {}", token("ada")));
    let body = json!({"label": "tea"});
    let first = post_with_key(&by_key, "/parcels", "same", body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let second = post_with_key(&by_token, "/parcels", "same", body.clone()).await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_eq!(second.header("idempotent-replayed"), None);
    assert_ne!(second.body["id"], first.body["id"]);
    let other = post_with_key(&by_token, "/parcels", "same-2", body.clone()).await;
    assert_eq!(other.status, 201);
    let other_body = post_with_key(&by_key, "/parcels", "same-2", json!({"label": "rum"})).await;
    assert_eq!(other_body.status, 201, "{}", other_body.text);
    // Each still replays its own.
    let again = post_with_key(&by_token, "/parcels", "same", body.clone()).await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, second.body);
    // A `sub` is unique within its issuer only: tokens of two issuers (the app accepts
    // any) are two callers.
    let from = |issuer: &str| {
        let token = Jwt::hs256(JWT_SECRET)
            .issuer(issuer)
            .sign(&Principal::new("ada"), Duration::from_secs(600))
            .unwrap();
        client
            .anonymous()
            .with_header("authorization", &format!("Bearer {token}"))
    };
    let by_one = post_with_key(&from("one"), "/parcels", "same", body.clone()).await;
    assert_eq!(by_one.status, 201);
    assert_eq!(by_one.header("idempotent-replayed"), None);
    let by_two = post_with_key(&from("two"), "/parcels", "same", body).await;
    assert_eq!(by_two.status, 201);
    assert_eq!(by_two.header("idempotent-replayed"), None);
    assert_eq!(parcels(&client, "tea").await, 5);
}

/// A key is taken only by a request that reached a `POST` operation: one to an unknown
/// path or to a route without `POST` writes nothing to the keys' table, and answers
/// that say the operation was not reached (`404`, `405`) are not kept.
async fn only_post_operations_take_keys(client: TestClient) {
    let client = ada(&client);
    for (uri, status) in [
        ("/nowhere", 404),
        ("/parcels/nowhere/deeper", 404),
        ("/parcels/1", 405),
        ("/parcels/keys", 405),
    ] {
        for _ in 0..2 {
            let answer = post_with_key(&client, uri, "k-route", json!({"label": "tea"})).await;
            assert_eq!(answer.status, status, "{uri}: {}", answer.text);
            assert_eq!(answer.header("idempotent-replayed"), None, "{uri}");
        }
    }
    // Malformed keys are no concern of routes that take none.
    let bad = post_with_key(&client, "/nowhere", "a b", json!({})).await;
    assert_eq!(bad.status, 404);
    assert_eq!(keys_table(&client).await.0, 0);
    // Not even a key in use is looked up there: the answer is the route's, not `422`.
    let used = post_with_key(&client, "/parcels", "k-used", json!({"label": "tea"})).await;
    assert_eq!(used.status, 201);
    for (uri, status) in [("/nowhere", 404), ("/parcels/1", 405)] {
        let answer = post_with_key(&client, uri, "k-used", json!({"label": "tea"})).await;
        assert_eq!(answer.status, status, "{uri}: {}", answer.text);
    }
    assert_eq!(keys_table(&client).await.0, 1);
    // An operation's own `404` is given back, so that a retry runs.
    for _ in 0..2 {
        let lost = post_with_key(&client, "/parcels/lost", "k-lost", json!({})).await;
        assert_eq!(lost.status, 404, "{}", lost.text);
        assert_eq!(lost.header("idempotent-replayed"), None);
    }
    assert_eq!(keys_table(&client).await.0, 1);
}

/// With no time limit a request holds its key for `LEASE_WITHOUT_TIME_LIMIT`, not the
/// keys' lifetime: if its server stops, retries run again after ten minutes.
async fn without_a_time_limit_a_key_is_held_ten_minutes(client: TestClient) {
    let client = ada(&client);
    let label = format!("lease-{}", Uuid::new_v4().simple());
    let gate = gate(&label);
    let first = tokio::spawn({
        let client = client.clone();
        let body = json!({"label": label});
        async move { post_with_key(&client, "/parcels/ship", "k-lease", body).await }
    });
    gate.entered.notified().await;
    let (rows, locked_for) = keys_table(&client).await;
    gate.release.notify_one();
    assert_eq!(first.await.unwrap().status, 200);
    assert_eq!(rows, 1);
    let lease = i64::try_from(ferrest::idempotency::LEASE_WITHOUT_TIME_LIMIT.as_millis()).unwrap();
    let locked_for = locked_for.expect("a reservation");
    assert!(
        locked_for <= lease && locked_for > lease - 60_000,
        "held for {locked_for} ms"
    );
}

async fn server_errors_are_not_kept(client: TestClient) {
    let client = ada(&client);
    for _ in 0..2 {
        let failed = post_with_key(&client, "/parcels/courier", "k-5xx", json!({})).await;
        assert_eq!(failed.status, 503);
        assert_eq!(failed.header("idempotent-replayed"), None);
        assert_eq!(failed.header("retry-after"), Some("1"));
    }
}

async fn a_write_cut_off_after_its_commit_is_not_run_again(client: TestClient) {
    let client = ada(&client);
    // The parcel is stored, then the request is held past its time limit: the client
    // gets `503 timeout`, as if the write had failed.
    let label = format!("cut-{}", Uuid::new_v4().simple());
    let _gate = gate(&label);
    let body = json!({"label": label, "stored_first": true});
    let cut = post_with_key(&client, "/parcels/ship", "k-cut", body.clone()).await;
    assert_eq!(cut.status, 503, "{}", cut.text);
    assert_eq!(cut.body["code"], "timeout");
    assert!(cut.header("retry-after").is_some());
    assert_eq!(parcels(&client, &label).await, 1);
    // Its retry does not store it twice: the key was marked applied with the write.
    let retry = post_with_key(&client, "/parcels/ship", "k-cut", body).await;
    assert_eq!(retry.status, 409, "{}", retry.text);
    assert_eq!(retry.body["code"], "idempotency_key_applied");
    assert_eq!(parcels(&client, &label).await, 1);
}

async fn keys_expire_and_are_purged(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let connection = ferrest::connect(db.url()).await.unwrap();
    let ttl = Duration::from_millis(300);
    let router = app()
        .idempotency(Some(ferrest::idempotency::Idempotency::default().ttl(ttl)))
        .router_on(connection.clone())
        .await
        .expect("the app starts");
    let client = ada(&TestClient::new(router));
    let keys = || async {
        let row = connection
            .query_one_raw(Statement::from_string(
                connection.get_database_backend(),
                "SELECT COUNT(*) AS n FROM ferrest_idempotency_keys",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get::<i64>("", "n").unwrap()
    };
    let body = json!({"label": "tea"});
    assert_eq!(
        post_with_key(&client, "/parcels", "k-old", body.clone())
            .await
            .status,
        201
    );
    assert_eq!(keys().await, 1);
    // Time must pass for a key to expire.
    tokio::time::sleep(ttl + Duration::from_millis(100)).await;
    // The next request with a key purges the expired ones.
    assert_eq!(
        post_with_key(&client, "/parcels", "k-new", json!({"label": "rum"}))
            .await
            .status,
        201
    );
    assert_eq!(keys().await, 1);
    // An expired key is a new key: the request runs again.
    let rerun = post_with_key(&client, "/parcels", "k-old", body).await;
    assert_eq!(rerun.status, 201);
    assert_eq!(rerun.header("idempotent-replayed"), None);
    assert_eq!(parcels(&client, "tea").await, 2);
    connection.close().await.unwrap();
    db.drop().await;
}
