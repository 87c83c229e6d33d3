//! The bookstore's command line: ferrest's management commands and the app's own.
//!
//! - `cargo run -p bookstore` serves the bookstore with Swagger UI at `/docs`, applying
//!   its pending migrations first;
//! - `cargo run -p bookstore -- --help` lists every command: `migrate up | down | status |
//!   fresh | generate NAME`, `schema diff`, `openapi [--3.0] [--out FILE]`, `routes`,
//!   `check`;
//! - `cargo run -p bookstore -- token ada editor` prints a bearer token for `ada` with the
//!   role `editor`, to paste into Swagger UI's "Authorize" dialog.

use ferrest::cli::clap;

/// The bookstore's own commands, beside ferrest's.
#[derive(clap::Subcommand)]
enum Commands {
    /// Prints a bearer token for SUBJECT with the given roles, valid for a day.
    Token {
        /// Who the token speaks for.
        subject: String,
        /// Roles to grant, such as `editor` or `admin`.
        roles: Vec<String>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    bookstore::app()
        .run_with(|_app, command| async move {
            match command {
                Commands::Token { subject, roles } => {
                    let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
                    println!("{}", bookstore::token(&subject, &roles)?);
                }
            }
            Ok(())
        })
        .await
}
