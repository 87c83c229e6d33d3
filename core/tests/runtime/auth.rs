//! Authentication and permissions: every operation by an anonymous caller, a user, an
//! editor, an admin and a bearer of wrong credentials; includes and nested lists read
//! as the related resource's own routes would; the document says what each needs.

use std::time::Duration;

use ferrest::auth::{ApiKeys, Jwt, Principal};
use ferrest::prelude::*;
use ferrest::testing::TestClient;
use ferrest::web::Json;
use serde_json::json;

const SECRET: &str = "a test secret that is 32 bytes or more long";
const ISSUER: &str = "ferrest-tests";
const API_KEY: &str = "0f5e2b1c9a7d4e3f8b6a5c4d3e2f1a0b";

/// A note anyone may read; writing takes more.
#[derive(Resource)]
#[rest(
    auth(read = public, create = authenticated, update = role("editor", "admin"), delete = role("admin")),
    has_many = Comment,
    include(comments)
)]
pub struct Note {
    #[rest(id)]
    pub id: i64,
    pub title: String,
    /// Who wrote it: set by a hook from the caller.
    #[rest(default = "")]
    pub author: String,
}

/// A comment on a note, for members only.
#[derive(Resource)]
#[rest(auth(all = authenticated), include(note))]
pub struct Comment {
    #[rest(id)]
    pub id: i64,
    #[rest(belongs_to = Note)]
    pub note_id: i64,
    pub text: String,
}

/// Audit entries: only the `audit:read` scope lists them.
#[derive(Resource)]
#[rest(auth(all = role("admin"), list = scope("audit:read")))]
pub struct Entry {
    #[rest(id)]
    pub id: i64,
    pub what: String,
}

#[ferrest::endpoints]
impl Note {
    /// The author is the caller, whatever the body says.
    #[rest(before_create)]
    pub async fn stamp(ctx: &Ctx, input: &mut NoteCreate) {
        input.author = ctx.principal().map(|p| p.subject.clone());
    }

    /// Who is calling.
    #[rest(get = "/whoami")]
    pub async fn whoami(principal: ferrest::auth::Principal) -> Json<serde_json::Value> {
        Json(json!({"subject": principal.subject, "roles": principal.roles}))
    }

    /// Who is calling, if anyone.
    #[rest(get = "/hello")]
    pub async fn hello(principal: Option<ferrest::auth::Principal>) -> Json<String> {
        Json(match principal {
            Some(p) => format!("hello {}", p.subject),
            None => "hello stranger".to_owned(),
        })
    }

    /// Editors only.
    #[rest(post = "/notes/archive", auth = role("editor"))]
    pub async fn archive() -> Json<bool> {
        Json(true)
    }
}

fn jwt() -> Jwt {
    Jwt::hs256(SECRET).issuer(ISSUER)
}

fn app() -> ferrest::App {
    ferrest::App::new()
        .authenticate(jwt())
        .authenticate(ApiKeys::new().key(API_KEY, Principal::new("ci").with_roles(["admin"])))
        .resource::<Note>()
        .resource::<Comment>()
        .resource::<Entry>()
        .endpoints::<Note>()
}

fn token(principal: Principal) -> String {
    jwt()
        .sign(&principal, Duration::from_secs(600))
        .expect("signs")
}

fn as_user(client: &TestClient, subject: &str, roles: &[&str]) -> TestClient {
    let token = token(Principal::new(subject).with_roles(roles.iter().copied()));
    client.with_header("authorization", &format!("Bearer {token}"))
}

ferrest::on_every_backend!(app = app;
    each_operation_asks_what_its_permission_says,
    wrong_credentials_are_a_401_everywhere,
    api_keys_authenticate,
    includes_and_nested_lists_need_the_related_permission,
    endpoints_and_hooks_see_the_principal,
    scopes_are_checked,
);

async fn each_operation_asks_what_its_permission_says(client: TestClient) {
    let anonymous = client.clone();
    let user = as_user(&client, "ada", &[]);
    let editor = as_user(&client, "eve", &["editor"]);
    let admin = as_user(&client, "root", &["admin"]);

    assert_eq!(anonymous.get("/notes").await.status, 200);
    let refused = anonymous.post("/notes", json!({"title": "t"})).await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert_eq!(refused.body["code"], "unauthenticated");
    let challenge = refused.header("www-authenticate").expect("a challenge");
    assert!(
        challenge.contains("Bearer") && challenge.contains("ApiKey"),
        "{challenge}"
    );
    assert_eq!(anonymous.get("/notes?count=true").await.body["total"], 0);

    let created = user.post("/notes", json!({"title": "t"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/notes/{}", created.body["id"]);
    assert_eq!(anonymous.get(&path).await.status, 200);

    let forbidden = user.patch(&path, json!({"title": "u"})).await;
    assert_eq!(forbidden.status, 403, "{}", forbidden.text);
    assert_eq!(forbidden.body["code"], "forbidden");
    assert!(
        forbidden.body["detail"]
            .as_str()
            .unwrap()
            .contains("`editor`"),
        "{}",
        forbidden.text
    );
    assert_eq!(
        anonymous.patch(&path, json!({"title": "u"})).await.status,
        401
    );
    // The permission is checked before the body: a bad body from a stranger is a 401.
    assert_eq!(anonymous.patch(&path, json!({"nope": 1})).await.status, 401);
    let updated = editor.patch(&path, json!({"title": "u"})).await;
    assert_eq!(updated.status, 200, "{}", updated.text);
    assert_eq!(updated.body["title"], "u");

    assert_eq!(editor.delete(&path).await.status, 403);
    assert_eq!(user.delete(&path).await.status, 403);
    assert_eq!(anonymous.delete(&path).await.status, 401);
    assert_eq!(
        anonymous.get(&path).await.status,
        200,
        "refused deletes changed nothing"
    );
    assert_eq!(admin.delete(&path).await.status, 204);
    assert_eq!(anonymous.get(&path).await.status, 404);
}

async fn wrong_credentials_are_a_401_everywhere(client: TestClient) {
    // Past the 30 seconds of leeway.
    let expired = sign_raw(
        json!({"sub": "ada", "iss": ISSUER, "exp": 1_000_000_000}),
        SECRET,
    );
    let cases = [
        (expired, "expired"),
        (
            sign_raw(
                json!({"sub": "ada", "iss": "someone-else", "exp": far()}),
                SECRET,
            ),
            "issuer",
        ),
        (
            sign_raw(
                json!({"sub": "ada", "iss": ISSUER, "exp": far()}),
                "another secret, also long enough",
            ),
            "signature",
        ),
        (
            sign_raw(json!({"iss": ISSUER, "exp": far()}), SECRET),
            "`sub`",
        ),
        // The app names an issuer, so a token without one is refused, not let through.
        (
            sign_raw(json!({"sub": "ada", "exp": far()}), SECRET),
            "`iss`",
        ),
        (
            sign_raw(
                json!({"sub": "ada", "iss": ISSUER, "exp": far(), "nbf": far() - 1}),
                SECRET,
            ),
            "not valid yet",
        ),
        ("not.a.token".to_owned(), "malformed"),
        ("garbage".to_owned(), "malformed"),
    ];
    for (token, reason) in cases {
        let caller = client.with_header("authorization", &format!("Bearer {token}"));
        // Even on a public operation: credentials that were sent must be good.
        let response = caller.get("/notes").await;
        assert_eq!(response.status, 401, "{reason}: {}", response.text);
        assert_eq!(response.body["code"], "invalid_credentials");
        assert!(
            response.body["detail"].as_str().unwrap().contains(reason),
            "{reason}: {}",
            response.text
        );
        assert!(response.header("www-authenticate").is_some());
        assert_eq!(
            caller.post("/notes", json!({"title": "t"})).await.status,
            401
        );
    }
    assert_eq!(client.get("/notes?count=true").await.body["total"], 0);
    // Credentials no authenticator takes are refused, not taken for anonymous.
    let basic = client.with_header("authorization", "Basic YWRhOnB3");
    let refused = basic.get("/notes").await;
    assert_eq!(refused.status, 401, "{}", refused.text);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("`Basic` is not accepted"),
        "{}",
        refused.text
    );
}

/// Credentials that are malformed rather than wrong: a bearer without its token, bytes
/// that are not text, a scheme no authenticator reads, a header sent twice. Each would
/// otherwise pass as an anonymous caller on public routes.
#[tokio::test]
async fn malformed_credentials_are_a_401_everywhere() {
    use axum::http::{HeaderValue, Request};
    use tower::ServiceExt;

    let db = ferrest::testing::TestDb::create(ferrest::testing::Backend::Sqlite)
        .await
        .expect("sqlite");
    let connection = ferrest::connect(db.url()).await.expect("connects");
    let router = app().router_on(connection).await.expect("starts");
    let valid = format!("Bearer {}", token(Principal::new("ada")));
    let send = |headers: Vec<(&'static str, HeaderValue)>| {
        let router = router.clone();
        async move {
            let mut request = Request::get("/hello");
            for (name, value) in headers {
                request = request.header(name, value);
            }
            let response = router
                .oneshot(request.body(axum::body::Body::empty()).unwrap())
                .await
                .unwrap();
            let (parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            (
                parts,
                serde_json::from_slice::<serde_json::Value>(&body).unwrap(),
            )
        }
    };
    let text = |value: &str| HeaderValue::from_str(value).unwrap();
    let cases = [
        (vec![("authorization", text("Bearer"))], "carries no token"),
        (
            vec![("authorization", text("bearer   "))],
            "carries no token",
        ),
        (
            vec![(
                "authorization",
                HeaderValue::from_bytes(b"Bearer \xe9t\xe9").unwrap(),
            )],
            "not ASCII",
        ),
        (
            vec![(
                "authorization",
                HeaderValue::from_bytes(b"\xc3\xa9 token").unwrap(),
            )],
            "not visible ASCII",
        ),
        (
            vec![("authorization", text("Basic YWRhOnB3"))],
            "`Basic` is not accepted",
        ),
        // A bare credential is not echoed back as if it were a scheme.
        (
            vec![("authorization", text("ghp_s3cr3tT0ken"))],
            "names no accepted scheme",
        ),
        (
            vec![
                ("authorization", text(&valid)),
                ("authorization", text(&valid)),
            ],
            "more than one `Authorization`",
        ),
        (
            vec![("x-api-key", text(API_KEY)), ("x-api-key", text("other"))],
            "more than one `x-api-key`",
        ),
    ];
    for (headers, reason) in cases {
        let (parts, body) = send(headers).await;
        assert_eq!(parts.status, 401, "{reason}: {body}");
        assert_eq!(body["code"], "invalid_credentials", "{reason}: {body}");
        assert!(
            body["detail"].as_str().unwrap().contains(reason),
            "{reason}: {body}"
        );
        assert!(!body.to_string().contains("s3cr3t"), "{body}");
        assert!(
            parts.headers["www-authenticate"]
                .to_str()
                .unwrap()
                .contains("Bearer"),
            "{reason}"
        );
        assert_eq!(
            parts.headers["content-type"], "application/problem+json",
            "{reason}"
        );
    }
    // One header of each kind is as before.
    let (parts, body) = send(vec![("authorization", text(&valid))]).await;
    assert_eq!((parts.status.as_u16(), body), (200, json!("hello ada")));
    let (parts, _) = send(vec![("x-api-key", text(API_KEY))]).await;
    assert_eq!(parts.status, 200);
    db.drop().await;
}

async fn api_keys_authenticate(client: TestClient) {
    let ci = client.with_header("x-api-key", API_KEY);
    let created = ci.post("/notes", json!({"title": "from ci"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["author"], "ci");
    let path = format!("/notes/{}", created.body["id"]);
    assert_eq!(
        ci.delete(&path).await.status,
        204,
        "the key's principal is an admin"
    );
    let wrong = client.with_header("x-api-key", "0f5e2b1c9a7d4e3f8b6a5c4d3e2f1a0c");
    let refused = wrong.get("/notes").await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["detail"], "the API key is not valid");
}

async fn includes_and_nested_lists_need_the_related_permission(client: TestClient) {
    let user = as_user(&client, "ada", &[]);
    let note = user.post("/notes", json!({"title": "t"})).await.body["id"].clone();
    let comment = user
        .post("/comments", json!({"note_id": note, "text": "first"}))
        .await;
    assert_eq!(comment.status, 201, "{}", comment.text);

    // Notes are public, their comments are not.
    assert_eq!(client.get(&format!("/notes/{note}")).await.status, 200);
    let included = client.get(&format!("/notes/{note}?include=comments")).await;
    assert_eq!(included.status, 401, "{}", included.text);
    let nested = client.get(&format!("/notes/{note}/comments")).await;
    assert_eq!(nested.status, 401, "{}", nested.text);

    let included = user.get(&format!("/notes/{note}?include=comments")).await;
    assert_eq!(included.status, 200, "{}", included.text);
    assert_eq!(included.body["comments"][0]["text"], "first");
    let nested = user.get(&format!("/notes/{note}/comments")).await;
    assert_eq!(nested.status, 200, "{}", nested.text);
    assert_eq!(nested.body["items"][0]["text"], "first");
    let from_comment = user.get("/comments?include=note").await;
    assert_eq!(from_comment.body["items"][0]["note"]["title"], "t");
}

async fn endpoints_and_hooks_see_the_principal(client: TestClient) {
    let eve = as_user(&client, "eve", &["editor"]);
    let me = eve.get("/whoami").await;
    assert_eq!(me.status, 200, "{}", me.text);
    assert_eq!(me.body, json!({"subject": "eve", "roles": ["editor"]}));
    let anonymous = client.get("/whoami").await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["code"], "unauthenticated");

    assert_eq!(client.get("/hello").await.body, "hello stranger");
    assert_eq!(eve.get("/hello").await.body, "hello eve");

    assert_eq!(client.post("/notes/archive", json!(null)).await.status, 401);
    let user = as_user(&client, "ada", &[]);
    assert_eq!(user.post("/notes/archive", json!(null)).await.status, 403);
    assert_eq!(eve.post("/notes/archive", json!(null)).await.status, 200);

    // The hook sets the author from the caller; a forged one in the body is overwritten.
    let created = eve
        .post("/notes", json!({"title": "t", "author": "mallory"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.body["author"], "eve");
}

async fn scopes_are_checked(client: TestClient) {
    let admin = as_user(&client, "root", &["admin"]);
    assert_eq!(
        admin.post("/entries", json!({"what": "x"})).await.status,
        201
    );
    let listed = admin.get("/entries").await;
    assert_eq!(
        listed.status, 403,
        "the role is not the scope: {}",
        listed.text
    );
    assert!(
        listed.body["detail"]
            .as_str()
            .unwrap()
            .contains("`audit:read`")
    );
    let auditor = Principal::new("auditor").with_scopes(["audit:read", "other"]);
    let auditor = client.with_header("authorization", &format!("Bearer {}", token(auditor)));
    let listed = auditor.get("/entries").await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    assert_eq!(listed.body["items"][0]["what"], "x");
    assert_eq!(auditor.get("/entries/1").await.status, 403);
}

fn far() -> u64 {
    4_000_000_000
}

/// A token with exactly these claims (`Jwt::sign` adds `sub`, `exp` and `iss`), signed
/// by the library ferrest itself uses.
fn sign_raw(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap(),
    )
    .expect("signs")
}

#[tokio::test]
async fn the_document_lists_schemes_and_requirements() {
    let document = serde_json::to_value(app().openapi()).expect("serializes");
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["type"], "http");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["bearer"]["bearerFormat"], "JWT");
    assert_eq!(schemes["apiKey"]["type"], "apiKey");
    assert_eq!(schemes["apiKey"]["in"], "header");
    assert_eq!(schemes["apiKey"]["name"], "x-api-key");

    let list = &document["paths"]["/notes"]["get"];
    assert_eq!(
        list["security"],
        json!([{}, {"bearer": []}, {"apiKey": []}])
    );
    assert!(
        list["responses"]["401"]["description"]
            .as_str()
            .unwrap()
            .contains("invalid_credentials")
    );
    assert!(list["responses"].get("403").is_none());

    let delete = &document["paths"]["/notes/{id}"]["delete"];
    assert_eq!(
        delete["security"],
        json!([{"bearer": ["admin"]}, {"apiKey": ["admin"]}])
    );
    assert!(
        delete["responses"]["401"]["description"]
            .as_str()
            .unwrap()
            .contains("unauthenticated")
    );
    assert!(delete["responses"]["401"]["headers"]["WWW-Authenticate"].is_object());
    assert!(
        delete["responses"]["403"]["description"]
            .as_str()
            .unwrap()
            .contains("`admin`")
    );

    let create = &document["paths"]["/notes"]["post"];
    assert_eq!(create["security"], json!([{"bearer": []}, {"apiKey": []}]));
    assert!(
        create["responses"].get("403").is_none(),
        "any caller will do"
    );

    let nested = &document["paths"]["/notes/{note_id}/comments"]["get"];
    assert_eq!(nested["security"], json!([{"bearer": []}, {"apiKey": []}]));
    assert_eq!(
        document["paths"]["/whoami"]["get"]["security"],
        json!([{"bearer": []}, {"apiKey": []}])
    );
    assert_eq!(
        document["paths"]["/notes/archive"]["post"]["security"],
        json!([{"bearer": ["editor"]}, {"apiKey": ["editor"]}])
    );

    // 3.0 allows role names only for OAuth schemes.
    let v30 = ferrest::to_openapi_30(&document);
    assert_eq!(
        v30["paths"]["/notes/{id}"]["delete"]["security"],
        json!([{"bearer": []}, {"apiKey": []}])
    );
}

#[tokio::test]
async fn permissions_without_an_authenticator_are_a_startup_error() {
    let db = ferrest::testing::TestDb::create(ferrest::testing::Backend::Sqlite)
        .await
        .expect("sqlite");
    let app = ferrest::App::new().resource::<Note>().resource::<Comment>();
    let error = match app
        .router_on(ferrest::connect(db.url()).await.expect("connects"))
        .await
    {
        Ok(_) => panic!("the app started"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("`POST /notes` needs credentials"), "{error}");
    assert!(error.contains(".authenticate("), "{error}");
    db.drop().await;
}

/// Tokens signed with a key pair: the service holds only the public key.
#[tokio::test]
async fn rs256_and_es256_tokens_verify_with_the_public_key() {
    use axum::http::request::Parts;
    use ferrest::auth::Authenticator;
    type Verifier = fn(&[u8]) -> Result<Jwt, ferrest::Error>;
    let pairs: [(&[u8], &[u8], Verifier); 2] = [
        (
            include_bytes!("keys/rs256-public.pem"),
            include_bytes!("keys/rs256-private.pem"),
            Jwt::rs256_pem,
        ),
        (
            include_bytes!("keys/es256-public.pem"),
            include_bytes!("keys/es256-private.pem"),
            Jwt::es256_pem,
        ),
    ];
    let request = |token: &str| -> Parts {
        let (parts, ()) = axum::http::Request::builder()
            .header("authorization", format!("Bearer {token}"))
            .body(())
            .expect("a request")
            .into_parts();
        parts
    };
    for (public, private, verifier) in pairs {
        let issuer = verifier(public)
            .expect("the public key reads")
            .audience("shop")
            .signing_key_pem(private)
            .expect("the private key reads");
        let token = issuer
            .sign(
                &Principal::new("ada").with_roles(["editor"]),
                Duration::from_secs(60),
            )
            .expect("signs");
        let verifier = verifier(public).expect("reads").audience("shop");
        let principal = verifier
            .authenticate(&request(&token))
            .await
            .expect("verifies")
            .expect("a principal");
        assert_eq!(
            (principal.subject.as_str(), principal.roles.as_slice()),
            ("ada", &["editor".to_owned()][..])
        );
        // A token that names no audience is refused when the service names one.
        let unaddressed = verifier_for(public, "shop")
            .signing_key_pem(private)
            .expect("reads");
        let no_audience = Jwt::rs256_pem(public)
            .or_else(|_| Jwt::es256_pem(public))
            .expect("a public key")
            .signing_key_pem(private)
            .expect("reads")
            .sign(&Principal::new("ada"), Duration::from_secs(60))
            .expect("signs");
        let refused = unaddressed.authenticate(&request(&no_audience)).await;
        assert!(
            refused.is_err_and(|r| r.0.contains("`aud`")),
            "a token without an audience"
        );
        let elsewhere = verifier.audience("another");
        assert!(
            elsewhere.authenticate(&request(&token)).await.is_err(),
            "wrong audience"
        );
        // An HS256 token made with the public key as the secret is refused: the
        // algorithm is fixed by the configuration, not by the token.
        let confused = sign_raw(
            json!({"sub": "ada", "aud": "shop", "exp": far()}),
            std::str::from_utf8(public).expect("PEM is text"),
        );
        let refused = verifier_for(public, "shop")
            .authenticate(&request(&confused))
            .await;
        assert!(refused.is_err(), "algorithm confusion");
    }
}

fn verifier_for(public: &[u8], audience: &str) -> Jwt {
    Jwt::rs256_pem(public)
        .or_else(|_| Jwt::es256_pem(public))
        .expect("a public key")
        .audience(audience)
}

/// Trusts the user a gateway names in a header, after a wait (as a lookup in a
/// database or another service would make): an authenticator that cannot answer
/// without awaiting, beside the token and key checks that answer in memory.
struct Gateway;

#[ferrest::async_trait]
impl ferrest::auth::Authenticator for Gateway {
    fn name(&self) -> &str {
        "gateway"
    }
    fn scheme(&self) -> utoipa::openapi::security::SecurityScheme {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-gateway-user")))
    }
    fn challenge(&self) -> String {
        "Gateway".into()
    }
    async fn authenticate(
        &self,
        request: &axum::http::request::Parts,
    ) -> Result<Option<Principal>, ferrest::auth::Rejected> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        match request.headers.get("x-gateway-user").map(|v| v.to_str()) {
            None => Ok(None),
            Some(Ok(user)) if !user.is_empty() => Ok(Some(Principal::new(user))),
            Some(_) => Err(ferrest::auth::Rejected("the gateway named nobody".into())),
        }
    }
}

/// Authenticators are tried in order whether they answer at once or after a wait: the
/// first that sees credentials decides, and one that must be awaited is.
#[tokio::test]
async fn awaited_and_immediate_authenticators_decide_in_order() {
    let app = ferrest::App::new()
        .authenticate(jwt())
        .authenticate(Gateway)
        .resource::<Note>()
        .resource::<Comment>()
        .resource::<Entry>()
        .endpoints::<Note>();
    ferrest::testing::run(
        ferrest::testing::Backend::Sqlite,
        app,
        |client| async move {
            assert_eq!(client.get("/hello").await.body, "hello stranger");
            let gateway = client.with_header("x-gateway-user", "gus");
            let created = gateway
                .post("/notes", json!({"title": "via the gateway"}))
                .await;
            assert_eq!(created.status, 201, "{}", created.text);
            assert_eq!(created.body["author"], "gus");
            // The token comes first, so it decides; the gateway is not asked.
            let both = as_user(&client, "ada", &[]).with_header("x-gateway-user", "gus");
            assert_eq!(both.get("/hello").await.body, "hello ada");
            let nobody = client.with_header("x-gateway-user", "");
            let refused = nobody.get("/hello").await;
            assert_eq!(refused.status, 401, "{}", refused.text);
            assert_eq!(refused.body["detail"], "the gateway named nobody");
            let bad_token = client.with_header("authorization", "Bearer not-a-token");
            assert_eq!(bad_token.get("/hello").await.status, 401);
        },
    )
    .await;
}
