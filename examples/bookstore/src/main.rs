//! `cargo run -p bookstore`: serves the bookstore with Swagger UI at `/docs`.
//! `cargo run -p bookstore -- openapi` prints the OpenAPI 3.1 document instead (`openapi
//! --3.0` the 3.0.3 rendering), exactly as the committed `openapi.json` and
//! `openapi-3.0.json` hold it;
//! `cargo run -p bookstore -- token ada editor` prints a bearer token for `ada` with the
//! role `editor`, to paste into Swagger UI's "Authorize" dialog.

#[tokio::main]
async fn main() -> Result<(), ferrest::Error> {
    let app = bookstore::app();
    match std::env::args().nth(1).as_deref() {
        Some("openapi") => {
            let version = match std::env::args().nth(2).as_deref() {
                None => ferrest::OpenApiVersion::V3_1,
                Some("--3.0") => ferrest::OpenApiVersion::V3_0,
                Some(other) => {
                    return Err(ferrest::Error::Config(format!(
                        "unknown option `{other}`; usage: bookstore openapi [--3.0]"
                    )));
                }
            };
            print!("{}", app.openapi_json(version)?);
            Ok(())
        }
        Some("token") => {
            let args: Vec<String> = std::env::args().skip(2).collect();
            let Some((subject, roles)) = args.split_first() else {
                return Err(ferrest::Error::Config(
                    "usage: bookstore token <subject> [<role>...]".to_owned(),
                ));
            };
            let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
            println!("{}", bookstore::token(subject, &roles)?);
            Ok(())
        }
        Some(other) => Err(ferrest::Error::Config(format!(
            "unknown command `{other}`; run without arguments to serve, or with `openapi` or `token <subject> [<role>...]`"
        ))),
        None => app.serve().await,
    }
}
