//! The bookstore: the example service of ferrest, with authors and books.
//!
//! `cargo run -p bookstore` serves it on an SQLite file in the working directory;
//! set `DATABASE_URL` for PostgreSQL or MySQL/MariaDB.

use ferrest::prelude::*;

/// Someone who writes books.
#[derive(Resource)]
#[rest(table = "authors", path = "/authors", tag = "Authors")]
pub struct Author {
    #[rest(id)]
    pub id: i64,
    /// Full name as printed on covers.
    #[rest(validate(length(min = 1, max = 120), with = not_blank))]
    pub name: String,
    /// Contact address; unique across authors.
    #[rest(validate(email), unique)]
    pub email: String,
    /// Short biography.
    #[rest(validate(length(max = 2000)))]
    pub bio: Option<String>,
    #[rest(created_at)]
    pub created_at: DateTimeUtc,
    #[rest(updated_at)]
    pub updated_at: DateTimeUtc,
}

/// A book in the catalogue.
#[derive(Resource)]
#[rest(table = "books", path = "/books", tag = "Books")]
pub struct Book {
    #[rest(id)]
    pub id: i64,
    /// Title as printed on the cover.
    #[rest(validate(length(min = 1, max = 200)))]
    pub title: String,
    /// ISBN-13, digits only.
    #[rest(validate(pattern = "^[0-9]{13}$"), unique)]
    pub isbn: String,
    /// Price in cents.
    #[rest(validate(range(min = 0)))]
    pub price_cents: i64,
    /// Whether the book is on sale.
    #[rest(default = false)]
    pub published: bool,
    /// Binding of this edition.
    #[rest(
        default = "paperback",
        validate(one_of("paperback", "hardcover", "ebook"))
    )]
    pub format: String,
    /// The author's id.
    pub author_id: i64,
    /// Blurb for the back cover.
    pub summary: Option<String>,
    #[rest(created_at)]
    pub created_at: DateTimeUtc,
    #[rest(updated_at)]
    pub updated_at: DateTimeUtc,
}

/// A name needs a visible character; `length(min = 1)` alone accepts `"   "`.
fn not_blank(name: &str) -> Result<(), Invalid> {
    if name.trim().is_empty() {
        Err(Invalid::new("blank", "must contain a visible character"))
    } else {
        Ok(())
    }
}

/// The bookstore app: both resources, titled for the document.
pub fn app() -> ferrest::App {
    ferrest::App::from_env()
        .title("Bookstore")
        .version(env!("CARGO_PKG_VERSION"))
        .description("The ferrest example service: authors and their books.")
        .resource::<Author>()
        .resource::<Book>()
}
