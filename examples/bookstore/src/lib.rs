//! The bookstore: the example service of ferrest, with authors and books.
//!
//! `cargo run -p bookstore` serves it on an SQLite file in the working directory;
//! set `DATABASE_URL` for PostgreSQL or MySQL/MariaDB. Its schema comes from the
//! migrations in `src/migrations/`, which `migrate generate` writes.

pub mod migrations;

use ferrest::auth::{Jwt, Principal};
use ferrest::prelude::*;
use ferrest::sea_orm::sea_query::{Expr, ExprTrait};
use ferrest::sea_orm::{EntityTrait, QueryFilter, QuerySelect};
use ferrest::web::{Json, Path, Query};

/// Someone who writes books.
#[derive(Resource)]
#[rest(table = "authors", path = "/authors", tag = "Authors")]
#[rest(auth(delete = role("admin")))]
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
    /// Counts the author's updates; the `ETag` that `If-Match` names.
    #[rest(version)]
    pub version: i64,
    #[rest(created_at)]
    pub created_at: DateTimeUtc,
    #[rest(updated_at)]
    pub updated_at: DateTimeUtc,
}

/// A book in the catalogue.
#[derive(Resource)]
#[rest(table = "books", path = "/books", tag = "Books", include(author))]
#[rest(auth(delete = role("admin")))]
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
    /// Subtitle, if the cover has one.
    #[rest(validate(length(max = 200)))]
    pub subtitle: Option<String>,
    /// ISBN-13, digits only.
    #[rest(validate(pattern = "^[0-9]{13}$"), unique, filter(eq))]
    pub isbn: String,
    /// Price in cents.
    #[rest(validate(range(min = 0)), filter(eq, ne, lt, lte, gt, gte), sort)]
    pub price_cents: i64,
    /// Whether the book is on sale: set by editors (`POST /books/{id}/publish`).
    #[rest(default = false, filter(eq), write = role("editor", "admin"))]
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
    /// Who added the book: set from the caller. Everyone reads every book; only the
    /// one who added it, editors and admins change it.
    #[rest(owner(scope = writes, bypass = role("editor", "admin")))]
    pub added_by: String,
    #[rest(created_at, filter(lt, gte), sort)]
    pub created_at: DateTimeUtc,
    #[rest(updated_at)]
    pub updated_at: DateTimeUtc,
}

/// Why a book cannot be published.
#[derive(Debug, ferrest::ApiError)]
pub enum PublishError {
    /// No book has this id.
    #[rest(status = 404, code = "not_found")]
    NotFound,
    /// The book is on sale already.
    #[rest(status = 409)]
    AlreadyPublished,
    /// The database is unavailable; retry later.
    #[rest(status = 503)]
    Unavailable,
}

impl From<ApiError> for PublishError {
    /// `ctx.get` and `ctx.update` answer `404` for a missing book; anything else is the
    /// database's failure, not the client's.
    fn from(error: ApiError) -> Self {
        if error.status().as_u16() == 404 {
            PublishError::NotFound
        } else {
            PublishError::Unavailable
        }
    }
}

/// The catalogue's rules for books on sale.
#[derive(Debug, ferrest::ApiError)]
pub enum CatalogueRule {
    /// A book on sale stays in the catalogue; unpublish it first.
    #[rest(status = 409, code = "published")]
    Published,
    /// A book on sale keeps its ISBN.
    #[rest(status = 409, code = "isbn_frozen")]
    IsbnFrozen,
}

/// A price reduction.
#[derive(Debug, Schema)]
pub struct Discount {
    /// Percent off the current price.
    #[rest(validate(range(min = 1, max = 90)))]
    pub percent: i64,
    /// Why, for the record.
    #[rest(validate(length(min = 3, max = 200)))]
    pub reason: Option<String>,
}

#[ferrest::endpoints]
impl Book {
    /// A book on sale cannot be deleted.
    #[rest(before_delete)]
    pub async fn keep_published(_ctx: &Ctx, book: &Book) -> Result<(), CatalogueRule> {
        if book.published {
            return Err(CatalogueRule::Published);
        }
        Ok(())
    }

    /// A book on sale keeps its ISBN: shops and libraries index it.
    #[rest(before_update)]
    pub async fn freeze_isbn(
        _ctx: &Ctx,
        book: &Book,
        changes: &mut BookUpdate,
    ) -> Result<(), CatalogueRule> {
        let changes_isbn = changes.isbn.as_ref().is_some_and(|isbn| *isbn != book.isbn);
        if book.published && changes_isbn {
            return Err(CatalogueRule::IsbnFrozen);
        }
        Ok(())
    }

    /// Put a book on sale.
    ///
    /// Sets `published`; a book that is on sale already is a `409`.
    #[rest(post = "/books/{id}/publish", auth = role("editor", "admin"))]
    pub async fn publish(ctx: Ctx, Path(id): Path<i64>) -> Result<Json<Book>, PublishError> {
        // Read and written with the row locked: of concurrent publishes, one wins and
        // the others see the book on sale.
        let book = ctx.modify::<Book, _>(id, |book| {
            if book.published {
                return Err(PublishError::AlreadyPublished);
            }
            Ok(BookUpdate {
                published: Some(true),
                ..BookUpdate::default()
            })
        });
        Ok(Json(book.await?))
    }

    /// Reduce a book's price.
    ///
    /// The body's rules are checked as a resource's are: a `422` names each failing
    /// field.
    #[rest(
        post = "/books/{id}/discount",
        auth = role("editor", "admin"),
        rate_limit = "60/minute"
    )]
    pub async fn discount(
        ctx: Ctx,
        Path(id): Path<i64>,
        Valid(Json(discount)): Valid<Json<Discount>>,
    ) -> Result<Json<Book>, ApiError> {
        // Read and written with the row locked: concurrent discounts each apply to
        // the price the previous one left.
        let book = ctx.modify::<Book, ApiError>(id, |book| {
            // In i128: `price_cents * 99` overflows an i64 for prices above
            // i64::MAX / 99; the reduced price is at most the old one, so it fits again.
            let reduced = i128::from(book.price_cents) * i128::from(100 - discount.percent) / 100;
            Ok(BookUpdate {
                price_cents: Some(i64::try_from(reduced).map_err(|_| ApiError::internal())?),
                ..BookUpdate::default()
            })
        });
        Ok(Json(book.await?))
    }
}

/// How many books an author has, and what they cost on average.
#[derive(Debug, PartialEq, Schema)]
pub struct AuthorStats {
    /// The author's id.
    pub author_id: i64,
    /// Books by the author.
    pub books: u64,
    /// Of those, the books on sale.
    pub published: u64,
    /// Mean price in cents; null without books.
    pub average_price_cents: Option<f64>,
}

/// Which books the statistics count.
#[derive(Debug, Schema)]
pub struct StatsScope {
    /// Only books of this binding.
    #[rest(validate(one_of("paperback", "hardcover", "ebook")))]
    pub format: Option<String>,
}

#[ferrest::endpoints]
impl Author {
    /// Statistics of an author's books.
    #[rest(get = "/authors/{id}/stats")]
    pub async fn stats(
        ctx: Ctx,
        Path(id): Path<i64>,
        Valid(Query(scope)): Valid<Query<StatsScope>>,
    ) -> Result<Json<AuthorStats>, ApiError> {
        let author: Author = ctx.get(id).await?;
        let mut books =
            <Book as Resource>::Entity::find().filter(Expr::col("author_id").eq(author.id));
        if let Some(format) = scope.format {
            books = books.filter(Expr::col("format").eq(format));
        }
        let books: Vec<(i64, bool)> = books
            .select_only()
            .column_as(Expr::col("price_cents"), "price_cents")
            .column_as(Expr::col("published"), "published")
            .into_tuple()
            .all(&ctx.db)
            .await?;
        // In i128: two prices near `i64::MAX` already overflow an i64 sum.
        let total: i128 = books.iter().map(|(price, _)| i128::from(*price)).sum();
        Ok(Json(AuthorStats {
            author_id: author.id,
            books: books.len() as u64,
            published: books.iter().filter(|(_, published)| *published).count() as u64,
            average_price_cents: (!books.is_empty()).then(|| total as f64 / books.len() as f64),
        }))
    }
}

/// A name needs a visible character; `length(min = 1)` alone accepts `"   "`.
fn not_blank(name: &str) -> Result<(), Invalid> {
    if name.trim().is_empty() {
        Err(Invalid::new("blank", "must contain a visible character"))
    } else {
        Ok(())
    }
}

/// The secret the bookstore signs and checks tokens with when `FERREST_JWT_SECRET` (or
/// a public key) is not configured, so `cargo run -p bookstore` works as it is. Never
/// deploy with it.
pub const DEVELOPMENT_SECRET: &str = "bookstore development secret: set FERREST_JWT_SECRET";

/// How the bookstore checks bearer tokens: as configured, else with
/// [`DEVELOPMENT_SECRET`].
pub fn jwt() -> Result<Jwt, ferrest::Error> {
    Ok(Jwt::from_env()?.unwrap_or_else(|| Jwt::hs256(DEVELOPMENT_SECRET)))
}

/// A bearer token for `subject` with `roles`, valid for a day: what
/// `cargo run -p bookstore -- token ada editor` prints, for Swagger UI's "Authorize".
pub fn token(subject: &str, roles: &[&str]) -> Result<String, ferrest::Error> {
    let principal = Principal::new(subject).with_roles(roles.iter().copied());
    jwt()?.sign(&principal, std::time::Duration::from_secs(24 * 3600))
}

/// The bookstore app: both resources, titled for the document. Everyone reads and
/// adds to the catalogue; editors publish and discount books; admins delete.
pub fn app() -> ferrest::App {
    let app = ferrest::App::from_env();
    // `from_env` added the configured Jwt already.
    let app = match Jwt::from_env() {
        Ok(None) => app.authenticate(Jwt::hs256(DEVELOPMENT_SECRET)),
        _ => app,
    };
    app.title("Bookstore")
        .version(env!("CARGO_PKG_VERSION"))
        .description("The ferrest example service: authors and their books.")
        .resource::<Author>()
        .resource::<Book>()
        .migrations(migrations::all())
}
