//! `cargo run -p bookstore`: serves the bookstore with Swagger UI at `/docs`.
//! `cargo run -p bookstore -- openapi` prints the OpenAPI document instead.

#[tokio::main]
async fn main() -> Result<(), ferrest::Error> {
    let app = bookstore::app();
    match std::env::args().nth(1).as_deref() {
        Some("openapi") => {
            let document = app
                .openapi()
                .to_pretty_json()
                .map_err(|e| ferrest::Error::Config(e.to_string()))?;
            println!("{document}");
            Ok(())
        }
        Some(other) => Err(ferrest::Error::Config(format!(
            "unknown command `{other}`; run without arguments to serve, or with `openapi`"
        ))),
        None => app.serve().await,
    }
}
