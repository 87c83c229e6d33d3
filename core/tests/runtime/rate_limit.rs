//! Rate limits: per resource, per endpoint and per app; callers counted apart by
//! principal; `429` with `Retry-After` past the limit; and, with the Redis store, one
//! count shared by several app instances.

use std::time::Duration;

use ferrest::auth::{Jwt, Principal};
use ferrest::prelude::*;
use ferrest::testing::{Backend, OwnRedis, TestClient, TestDb};
use ferrest::web::Json;
use serde_json::json;

const SECRET: &str = "rate limit tests secret, 32 bytes or more";

/// A search index, expensive to query: three requests a day per caller. (Daily
/// windows, so a test never straddles a window's end.)
#[derive(Resource)]
#[rest(rate_limit = "3/day")]
pub struct Query {
    #[rest(id)]
    pub id: i64,
    pub text: String,
}

/// Not limited by itself.
#[derive(Resource)]
pub struct Note {
    #[rest(id)]
    pub id: i64,
}

pub struct Mail;

#[ferrest::endpoints]
impl Mail {
    /// Sends a mail: once a day per caller.
    #[rest(post = "/mail", rate_limit = "1/day")]
    pub async fn send() -> Json<bool> {
        Json(true)
    }
}

fn signed(client: &TestClient, subject: &str) -> TestClient {
    let token = Jwt::hs256(SECRET)
        .sign(&Principal::new(subject), Duration::from_secs(600))
        .expect("signs");
    client.with_header("authorization", &format!("Bearer {token}"))
}

fn app() -> ferrest::App {
    ferrest::App::new()
        .authenticate(Jwt::hs256(SECRET))
        .resource::<Query>()
        .resource::<Note>()
        .endpoints::<Mail>()
}

async fn client_of(app: ferrest::App, db: &TestDb) -> TestClient {
    let connection = ferrest::connect(db.url()).await.expect("connects");
    TestClient::new(app.router_on(connection).await.expect("starts"))
}

#[tokio::test]
async fn resources_and_endpoints_limit_each_caller() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let client = client_of(app(), &db).await;
    let (ada, bob) = (signed(&client, "ada"), signed(&client, "bob"));
    for remaining in [2, 1, 0] {
        let response = ada.get("/queries").await;
        assert_eq!(response.status, 200, "{}", response.text);
        assert_eq!(
            response.header("ratelimit-policy"),
            Some("\"default\";q=3;w=86400")
        );
        let state = response.header("ratelimit").expect("a RateLimit header");
        assert!(
            state.starts_with(&format!("\"default\";r={remaining};t=")),
            "{state}"
        );
    }
    // Every operation of the resource counts against the same limit.
    let refused = ada.post("/queries", json!({"text": "x"})).await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert_eq!(refused.body["code"], "rate_limited");
    assert_eq!(
        refused.header("content-type"),
        Some("application/problem+json")
    );
    let retry: u64 = refused
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&retry), "{retry}");
    assert!(
        refused
            .header("ratelimit")
            .unwrap()
            .starts_with("\"default\";r=0;")
    );
    assert_eq!(ada.get("/queries").await.status, 429);
    // Nothing was created by the refused request.
    assert_eq!(bob.get("/queries?count=true").await.body["total"], 0);
    // Other callers and other resources have their own counts.
    assert_eq!(bob.get("/queries").await.status, 200);
    let note = ada.get("/notes").await;
    assert_eq!(note.status, 200);
    assert_eq!(note.header("ratelimit"), None, "not limited");

    assert_eq!(ada.post("/mail", json!(null)).await.status, 200);
    assert_eq!(ada.post("/mail", json!(null)).await.status, 429);
    assert_eq!(bob.post("/mail", json!(null)).await.status, 200);
    db.drop().await;
}

#[tokio::test]
async fn the_app_limit_covers_every_route_but_the_docs() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let client = client_of(app().rate_limit("2/day".parse().unwrap()), &db).await;
    let ada = signed(&client, "ada");
    assert_eq!(ada.get("/notes").await.status, 200);
    assert_eq!(
        ada.get("/nowhere").await.status,
        404,
        "unknown routes count too"
    );
    let refused = ada.get("/notes").await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("2 requests per day")
    );
    assert_eq!(ada.get("/docs/").await.status, 200);
    assert_eq!(signed(&client, "bob").get("/notes").await.status, 200);
    db.drop().await;
}

/// Guessing tokens is limited like any other traffic: refused credentials count
/// against the address's share of the app's limit.
#[tokio::test]
async fn refused_credentials_count_against_the_address() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let client = client_of(app().rate_limit("2/day".parse().unwrap()), &db).await;
    let guesser = client.with_header("authorization", "Bearer not.a.token");
    assert_eq!(guesser.get("/notes").await.status, 401);
    assert_eq!(guesser.get("/notes").await.status, 401);
    let refused = guesser.get("/notes").await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    assert!(refused.header("retry-after").is_some());
    // The address's anonymous requests share that count; signed-in callers do not.
    assert_eq!(client.get("/notes").await.status, 429);
    assert_eq!(signed(&client, "ada").get("/notes").await.status, 200);
    db.drop().await;
}

/// Two instances of the app behind a load balancer share one count in Redis.
#[tokio::test]
async fn two_instances_share_the_redis_count() {
    let Some(redis) = redis_url() else { return };
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let instance = || {
        app()
            .rate_limit("4/day".parse().unwrap())
            .rate_limit_redis(&redis)
    };
    let (one, two) = (
        client_of(instance(), &db).await,
        client_of(instance(), &db).await,
    );
    // A subject of its own, so earlier runs' counts (kept for a day) do not interfere.
    let subject = format!("caller-{}", uuid::Uuid::new_v4());
    let (one, two) = (signed(&one, &subject), signed(&two, &subject));
    let mut statuses = Vec::new();
    for n in 0..6 {
        let client = if n % 2 == 0 { &one } else { &two };
        statuses.push(client.get("/notes").await.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 200, 429, 429]);
    db.drop().await;
}

/// While Redis is down, limits still hold: each instance counts in process (a
/// refused request is answered at once, not after Redis's retries); once Redis is back,
/// the instances share one count again.
#[tokio::test]
async fn a_redis_outage_counts_in_process_until_redis_is_back() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let redis = OwnRedis::start(OwnRedis::free_port());
    let url = redis.url();
    let instance = || {
        app()
            .rate_limit("3/day".parse().unwrap())
            .rate_limit_redis(&url)
    };
    let (one, two) = (
        client_of(instance(), &db).await,
        client_of(instance(), &db).await,
    );
    let port = redis.kill();
    // Without Redis, each instance counts on its own, and limits still hold.
    for client in [&one, &two] {
        let ada = signed(client, "ada");
        let statuses: Vec<u16> = futures_util::future::join_all((0..4).map(|_| ada.get("/notes")))
            .await
            .iter()
            .map(|r| r.status.as_u16())
            .collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 429).count(),
            1,
            "{statuses:?}"
        );
    }
    // Redis comes back on its port: after the back-off, counts are shared again (the
    // second instance sees the first's request). Polled, with a bound.
    let redis = OwnRedis::start(port);
    let mut shared = false;
    for attempt in 0..120 {
        let subject = format!("caller-{attempt}");
        signed(&one, &subject).get("/notes").await;
        let second = signed(&two, &subject).get("/notes").await;
        if second
            .header("ratelimit")
            .unwrap()
            .starts_with("\"default\";r=1;")
        {
            shared = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    redis.kill();
    assert!(shared, "the instances never shared a count again");
    db.drop().await;
}

#[tokio::test]
async fn an_unreachable_redis_stops_the_app_at_startup() {
    let db = TestDb::create(Backend::Sqlite).await.expect("sqlite");
    let connection = ferrest::connect(db.url()).await.expect("connects");
    let app = app().rate_limit_redis("redis://127.0.0.1:1");
    let error = match app.router_on(connection).await {
        Ok(_) => panic!("the app started"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("Redis at `redis://127.0.0.1:1`"), "{error}");
    db.drop().await;
}

#[test]
fn limited_operations_document_their_429() {
    let document = serde_json::to_value(app().openapi()).expect("serializes");
    let list = &document["paths"]["/queries"]["get"]["responses"]["429"];
    assert!(
        list["description"]
            .as_str()
            .unwrap()
            .contains("3 requests per day"),
        "{list}"
    );
    assert!(list["headers"]["Retry-After"].is_object());
    assert!(document["paths"]["/mail"]["post"]["responses"]["429"].is_object());
    assert!(
        document["paths"]["/notes"]["get"]["responses"]
            .get("429")
            .is_none()
    );
    let limited =
        serde_json::to_value(app().rate_limit("9/minute".parse().unwrap()).openapi()).unwrap();
    assert!(limited["paths"]["/notes"]["get"]["responses"]["429"].is_object());
}

/// `FERREST_TEST_REDIS_URL`; required when `FERREST_TEST_REQUIRE_ALL` is set, as the
/// database URLs are.
fn redis_url() -> Option<String> {
    match std::env::var("FERREST_TEST_REDIS_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("FERREST_TEST_REQUIRE_ALL").is_ok() => {
            panic!("FERREST_TEST_REQUIRE_ALL is set, but FERREST_TEST_REDIS_URL is not")
        }
        Err(_) => None,
    }
}
