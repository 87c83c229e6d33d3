//! The layers around every route: request ids, timeouts, compression, CORS, the app's
//! and a resource's own layers, and hand-written routers merged into the app.

use std::time::Duration;

use axum::http::Method;
use ferrest::layers::cors::CorsLayer;
use ferrest::prelude::*;
use ferrest::testing::{Backend, TestClient, TestDb};
use serde_json::json;

/// A short note.
#[derive(Resource)]
pub struct Memo {
    #[rest(id)]
    pub id: i64,
    #[rest(validate(length(max = 20)))]
    pub text: String,
}

#[ferrest::endpoints]
impl Memo {
    /// Repeat the text until it is too long to store.
    #[rest(post = "/memos/{id}/shout")]
    pub async fn shout(
        ctx: Ctx,
        ferrest::web::Path(id): ferrest::web::Path<i64>,
    ) -> Result<ferrest::web::Json<Memo>, ApiError> {
        let memo: Memo = ctx.get(id).await?;
        let changes = MemoUpdate {
            text: Some(memo.text.to_uppercase().repeat(11)),
        };
        ctx.update::<Memo>(id, changes)
            .await
            .map(ferrest::web::Json)
    }

    /// A service that is down, in its own words.
    #[rest(get = "/memos/down")]
    pub async fn down() -> ferrest::web::StatusCode {
        ferrest::web::StatusCode::SERVICE_UNAVAILABLE
    }
}

/// An endpoint whose path has the shape of a CRUD route.
pub struct Shadow;

#[ferrest::endpoints]
impl Shadow {
    #[rest(post = "/memos/{memo_id}")]
    pub async fn shadow(ferrest::web::Path(memo_id): ferrest::web::Path<i64>) -> String {
        memo_id.to_string()
    }
}

/// Pins have their own layer.
#[derive(Resource)]
pub struct Pin {
    #[rest(id)]
    pub id: i64,
}

/// What the hand-written `/typed/{n}` route can answer.
#[derive(Debug, ferrest::ApiError)]
pub enum LookupError {
    /// The number is too large.
    #[rest(status = 422, detail = "{n} is above {max}")]
    TooLarge { n: u32, max: u32 },
    /// Nothing is filed under this number.
    #[rest(status = 404, code = "unfiled")]
    Missing,
}

async fn lookup(axum::extract::Path(n): axum::extract::Path<u32>) -> Result<String, LookupError> {
    match n {
        0..=9 => Ok(format!("found {n}")),
        10..=99 => Err(LookupError::Missing),
        _ => Err(LookupError::TooLarge { n, max: 99 }),
    }
}

async fn app_layer(mut response: axum::response::Response) -> axum::response::Response {
    response
        .headers_mut()
        .insert("x-app-layer", "yes".parse().unwrap());
    response
}

async fn pin_layer(mut response: axum::response::Response) -> axum::response::Response {
    response
        .headers_mut()
        .insert("x-pin-layer", "yes".parse().unwrap());
    response
}

fn app() -> ferrest::App {
    let hand_written = axum::Router::new()
        .route("/typed/{n}", axum::routing::get(lookup))
        .route(
            "/panics",
            axum::routing::get(|| async {
                if true {
                    panic!("a bug in a handler");
                }
                "unreachable"
            }),
        );
    ferrest::App::new()
        .resource::<Memo>()
        .endpoints::<Memo>()
        .resource_with::<Pin>(|routes| routes.layer(axum::middleware::map_response(pin_layer)))
        .router(hand_written, utoipa::openapi::OpenApi::default())
        .layer(axum::middleware::map_response(app_layer))
        .cors(CorsLayer::new().allow_origin(["https://shop.example".parse().unwrap()]))
}

/// Only a slow route, so that the short timeout cannot cut a loaded test machine's
/// ordinary requests.
fn slow_app() -> ferrest::App {
    let slow = axum::Router::new().route(
        "/slow",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            "done"
        }),
    );
    ferrest::App::new()
        .router(slow, utoipa::openapi::OpenApi::default())
        .timeout(Some(Duration::from_millis(200)))
}

ferrest::on_every_backend!(app = app; layers_wrap_every_response);
ferrest::on_every_backend!(app = slow_app; slow_requests_time_out_as_problems);
ferrest::on_every_backend!(backend; without_cors_no_origin_is_allowed);

async fn layers_wrap_every_response(client: TestClient) {
    // A request id is generated, or the client's is kept, on every kind of response.
    let created = client.post("/memos", json!({"text": "hi"})).await;
    assert_eq!(created.status, 201);
    let id = created.header("x-request-id").expect("an id is generated");
    assert_eq!(id.len(), 36, "{id}");
    for uri in ["/memos", "/nowhere", "/memos/x"] {
        let response = client
            .send(
                Method::GET,
                uri,
                None,
                &[("x-request-id", "client-chosen-7")],
            )
            .await;
        assert_eq!(
            response.header("x-request-id"),
            Some("client-chosen-7"),
            "{uri}"
        );
        assert_eq!(response.header("x-app-layer"), Some("yes"), "{uri}");
    }
    // The resource's own layer wraps its routes only.
    assert_eq!(client.get("/pins").await.header("x-pin-layer"), Some("yes"));
    assert_eq!(client.get("/memos").await.header("x-pin-layer"), None);

    // Typed errors answer as problems of their variant.
    assert_eq!(client.get("/typed/7").await.text, "found 7");
    let missing = client.get("/typed/42").await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(
        (&missing.body["code"], &missing.body["detail"]),
        (
            &json!("unfiled"),
            &json!("Nothing is filed under this number")
        )
    );
    let large = client.get("/typed/500").await;
    assert_eq!(large.status, 422);
    assert_eq!(large.body["code"], "too_large");
    assert_eq!(large.body["detail"], "500 is above 99");

    // Updates from code are validated like a PATCH: nothing invalid is stored.
    let id = created.body["id"].as_i64().unwrap();
    let shout = client
        .post(&format!("/memos/{id}/shout"), json!(null))
        .await;
    assert_eq!(shout.status, 422, "{}", shout.text);
    assert_eq!(shout.body["errors"][0]["pointer"], "/text");
    assert_eq!(client.get(&format!("/memos/{id}")).await.body["text"], "hi");
    // A handler's own bodiless status is a problem of that status, not a timeout.
    let down = client.get("/memos/down").await;
    assert_eq!(down.status, 503);
    assert_eq!(down.body["code"], "unavailable");
    assert_eq!(down.header("retry-after"), Some("1"));
    // axum's plain-text rejection becomes a problem before it is compressed.
    let rejected = client
        .send(
            Method::POST,
            "/memos/abc/shout",
            None,
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(rejected.status, 400);
    assert_eq!(
        rejected.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(rejected.header("content-encoding"), Some("gzip"));
    assert!(rejected.text.starts_with('\u{1f}'), "{}", rejected.text);

    // A panic is a 500 problem that still carries the request id.
    let panicked = client.get("/panics").await;
    assert_eq!(panicked.status, 500);
    assert_eq!(panicked.body["code"], "internal");
    assert!(panicked.header("x-request-id").is_some());

    // Compression for clients that ask for it.
    let document = client
        .send(
            Method::GET,
            "/openapi.json",
            None,
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(document.header("content-encoding"), Some("gzip"));
    assert_eq!(
        client.get("/openapi.json").await.header("content-encoding"),
        None
    );

    // CORS answers the allowed origin only.
    let allowed = client
        .send(
            Method::GET,
            "/memos",
            None,
            &[("origin", "https://shop.example")],
        )
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    let other = client
        .send(
            Method::GET,
            "/memos",
            None,
            &[("origin", "https://evil.example")],
        )
        .await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}

async fn without_cors_no_origin_is_allowed(backend: Backend) {
    let Some(db) = TestDb::create(backend).await else {
        return;
    };
    let router = ferrest::App::new()
        .resource::<Memo>()
        .database_url(db.url())
        .into_router()
        .await
        .unwrap();
    let client = TestClient::new(router);
    let preflight = client
        .send(
            Method::OPTIONS,
            "/memos",
            None,
            &[
                ("origin", "https://shop.example"),
                ("access-control-request-method", "POST"),
            ],
        )
        .await;
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    let get = client
        .send(
            Method::GET,
            "/memos",
            None,
            &[("origin", "https://shop.example")],
        )
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(get.header("access-control-allow-origin"), None);
    db.drop().await;
}

async fn slow_requests_time_out_as_problems(client: TestClient) {
    // A slow handler is cut off with a problem, not an empty body.
    let slow = client.get("/slow").await;
    assert_eq!(slow.status, 503);
    assert_eq!(
        slow.header("content-type"),
        Some("application/problem+json")
    );
    assert_eq!(slow.body["code"], "timeout");
    // A 503 says when to come back.
    assert_eq!(slow.header("retry-after"), Some("1"));
    assert!(slow.header("x-request-id").is_some());
}

/// A health check, on a type that is not a resource.
pub struct Health;

#[ferrest::endpoints(tag = "Operations")]
impl Health {
    /// Whether the service is up.
    #[rest(get = "/health")]
    pub async fn health() -> String {
        "ok".to_owned()
    }

    /// A second answer on a path the `Memo` resource serves already.
    #[rest(get = "/memos")]
    pub async fn shadow() -> String {
        "shadow".to_owned()
    }
}

#[tokio::test]
async fn an_endpoint_on_a_crud_route_is_refused_at_startup() {
    let Some(db) = TestDb::create(Backend::Sqlite).await else {
        return;
    };
    let error = ferrest::App::new()
        .database_url(db.url())
        .resource::<Memo>()
        .endpoints::<Health>()
        .into_router()
        .await
        .expect_err("two operations on GET /memos");
    db.drop().await;
    assert!(
        error.to_string().contains("`GET /memos` of `")
            && error
                .to_string()
                .contains("is also served by the CRUD routes of `Memo`"),
        "{error}"
    );
    let Some(db) = TestDb::create(Backend::Sqlite).await else {
        return;
    };
    let error = ferrest::App::new()
        .database_url(db.url())
        .resource::<Memo>()
        .endpoints::<Shadow>()
        .into_router()
        .await
        .expect_err("`/memos/{memo_id}` and `/memos/{id}` are one route for axum");
    db.drop().await;
    assert!(error.to_string().contains("(`GET /memos/{id}`)"), "{error}");
    let document = ferrest::App::new().endpoints::<Health>().openapi();
    let health = document.paths.paths["/health"].get.as_ref().unwrap();
    assert_eq!(health.operation_id.as_deref(), Some("healthHealth"));
    assert_eq!(health.tags.as_deref(), Some(&["Operations".to_owned()][..]));
}

/// Every response, errors and the docs page included, tells browsers not to sniff,
/// refer or frame it; the docs page may load only what Swagger UI needs, from here.
#[tokio::test]
async fn responses_carry_security_headers() {
    let Some(db) = TestDb::create(Backend::Sqlite).await else {
        return;
    };
    let router = ferrest::App::new()
        .resource::<Memo>()
        .database_url(db.url())
        .into_router()
        .await
        .unwrap();
    let client = TestClient::new(router);
    for (path, status) in [
        ("/memos", 200),
        ("/nowhere", 404),
        ("/memos/x", 400),
        ("/docs/", 200),
    ] {
        let response = client.get(path).await;
        assert_eq!(response.status, status, "{path}");
        assert_eq!(
            response.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            response.header("referrer-policy"),
            Some("no-referrer"),
            "{path}"
        );
        let expected = if path.starts_with("/docs") {
            ferrest::DOCS_CSP
        } else {
            ferrest::API_CSP
        };
        assert_eq!(
            response.header("content-security-policy"),
            Some(expected),
            "{path}"
        );
        assert_eq!(response.header("server"), None, "{path}");
    }
    db.drop().await;
}

/// Problems are `application/problem+json`, or `application/json` for a client that
/// accepts only that (as generated clients do), with the same body.
#[tokio::test]
async fn problems_follow_accept() {
    let Some(db) = TestDb::create(Backend::Sqlite).await else {
        return;
    };
    let router = ferrest::App::new()
        .resource::<Memo>()
        .database_url(db.url())
        .into_router()
        .await
        .unwrap();
    let client = TestClient::new(router);
    for (accept, expected) in [
        (None, "application/problem+json"),
        (Some("*/*"), "application/problem+json"),
        (Some("application/problem+json"), "application/problem+json"),
        (
            Some("application/json, application/*"),
            "application/problem+json",
        ),
        (Some("application/json"), "application/json"),
        (Some("application/json, */*;q=0"), "application/json"),
        (Some("text/html"), "application/problem+json"),
    ] {
        let caller = match accept {
            Some(accept) => client.with_header("accept", accept),
            None => client.clone(),
        };
        for path in ["/memos/4242", "/memos/x", "/nowhere"] {
            let response = caller.get(path).await;
            assert_eq!(
                response.header("content-type"),
                Some(expected),
                "{accept:?} {path}"
            );
            assert!(response.body["status"].is_u64(), "{accept:?} {path}");
            assert_eq!(response.header("vary"), Some("accept"), "{accept:?} {path}");
        }
    }
    // Successes keep their own type.
    let ok = client
        .with_header("accept", "application/json")
        .get("/memos")
        .await;
    assert_eq!(ok.header("content-type"), Some("application/json"));
    db.drop().await;
}

/// `cors_origins` (and `FERREST_CORS_ORIGINS`) allow the listed origins only.
#[tokio::test]
async fn cors_origins_allow_only_the_listed_origins() {
    let Some(db) = TestDb::create(Backend::Sqlite).await else {
        return;
    };
    let router = ferrest::App::new()
        .resource::<Memo>()
        .cors_origins("https://shop.example, https://admin.shop.example")
        .database_url(db.url())
        .into_router()
        .await
        .unwrap();
    let client = TestClient::new(router);
    let preflight = |origin: &'static str| {
        let client = client.clone();
        async move {
            client
                .send(
                    Method::OPTIONS,
                    "/memos/1",
                    None,
                    &[
                        ("origin", origin),
                        ("access-control-request-method", "PATCH"),
                        ("access-control-request-headers", "authorization, if-match"),
                    ],
                )
                .await
        }
    };
    let allowed = preflight("https://admin.shop.example").await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://admin.shop.example")
    );
    assert!(
        allowed
            .header("access-control-allow-methods")
            .unwrap()
            .contains("PATCH")
    );
    assert!(
        allowed
            .header("access-control-allow-headers")
            .unwrap()
            .contains("if-match")
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    let refused = preflight("https://evil.example").await;
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let get = client
        .send(
            Method::GET,
            "/memos",
            None,
            &[("origin", "https://shop.example")],
        )
        .await;
    assert_eq!(
        get.header("access-control-allow-origin"),
        Some("https://shop.example")
    );
    assert!(
        get.header("access-control-expose-headers")
            .unwrap()
            .contains("etag")
    );

    let error = match ferrest::App::new()
        .resource::<Memo>()
        .cors_origins("shop.example")
        .database_url(db.url())
        .into_router()
        .await
    {
        Ok(_) => panic!("a malformed origin started"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("`shop.example` is not an origin"), "{error}");
    db.drop().await;
}
