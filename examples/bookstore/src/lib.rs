//! The bookstore: the example service of ferrest, with authors and books.
//!
//! `cargo run -p bookstore` serves it on an SQLite file in the working directory;
//! set `DATABASE_URL` for PostgreSQL or MySQL/MariaDB.

use ferrest::prelude::*;

/// Someone who writes books.
#[derive(Resource)]
#[rest(table = "authors", path = "/authors", tag = "Authors")]
#[rest(has_many = Book, include(books))]
pub struct Author {
    #[rest(id)]
    pub id: i64,
    /// Full name as printed on covers.
    #[rest(
        validate(length(min = 1, max = 120), with = not_blank),
        filter(eq, contains, starts_with),
        sort
    )]
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
#[rest(table = "books", path = "/books", tag = "Books", include(author))]
pub struct Book {
    #[rest(id, filter(eq, in))]
    pub id: i64,
    /// Title as printed on the cover.
    #[rest(
        validate(length(min = 1, max = 200)),
        filter(eq, contains, starts_with),
        sort
    )]
    pub title: String,
    /// ISBN-13, digits only.
    #[rest(validate(pattern = "^[0-9]{13}$"), unique, filter(eq))]
    pub isbn: String,
    /// Price in cents.
    #[rest(validate(range(min = 0)), filter(eq, ne, lt, lte, gt, gte), sort)]
    pub price_cents: i64,
    /// Whether the book is on sale.
    #[rest(default = false, filter(eq))]
    pub published: bool,
    /// Binding of this edition.
    #[rest(
        default = "paperback",
        validate(one_of("paperback", "hardcover", "ebook")),
        filter(eq, in)
    )]
    pub format: String,
    /// The author's id.
    #[rest(belongs_to = Author, filter(eq, in))]
    pub author_id: i64,
    /// Blurb for the back cover.
    #[rest(filter(contains, is_null))]
    pub summary: Option<String>,
    #[rest(created_at, filter(lt, gte), sort)]
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
