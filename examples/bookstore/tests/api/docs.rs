//! Swagger UI is served from the binary: the page and every asset it loads answer
//! 200 in process, with no network, and nothing points at a CDN.

use ferrest::testing::TestClient;

use crate::support::on_every_backend;

on_every_backend!(swagger_ui_and_its_assets_are_served_from_the_binary);
ferrest::on_every_backend!(app = without_docs; docs_can_be_disabled);

fn without_docs() -> ferrest::App {
    bookstore::app().docs(false)
}

async fn swagger_ui_and_its_assets_are_served_from_the_binary(client: TestClient) {
    let redirect = client.get("/docs").await;
    assert_eq!(redirect.status, 303);
    assert_eq!(redirect.header("location"), Some("/docs/"));

    let page = client.get("/docs/").await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text;
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external assets: {html}"
    );

    // Every local asset the page references.
    let assets: Vec<String> = html
        .split(['"', '\''])
        .filter(|s| s.starts_with("./"))
        .map(|s| format!("/docs/{}", &s[2..]))
        .collect();
    assert!(
        assets.iter().any(|a| a.ends_with("swagger-ui-bundle.js")),
        "{assets:?}"
    );
    assert!(
        assets.iter().any(|a| a.ends_with("swagger-ui.css")),
        "{assets:?}"
    );
    for asset in &assets {
        let response = client.get(asset).await;
        assert_eq!(response.status, 200, "{asset}");
        assert!(!response.text.is_empty(), "{asset}");
    }
    let missing = client.get("/docs/nope.js").await;
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.header("content-type"),
        Some("application/problem+json")
    );
    let bundle = client.get("/docs/swagger-ui-bundle.js").await;
    assert!(bundle.text.len() > 500_000, "the full bundle is embedded");
    let initializer = client.get("/docs/swagger-initializer.js").await;
    assert!(
        initializer.text.contains("\"/openapi.json\""),
        "{}",
        initializer.text
    );
    assert!(
        initializer.text.contains("\"validatorUrl\": \"none\"")
            || initializer.text.contains("\"validatorUrl\":\"none\""),
        "no call to the online validator: {}",
        initializer.text
    );
}

async fn docs_can_be_disabled(client: TestClient) {
    assert_eq!(client.get("/docs/").await.status, 404);
    assert_eq!(client.get("/openapi.json").await.status, 404);
    assert_eq!(client.get("/books").await.status, 200);
}
