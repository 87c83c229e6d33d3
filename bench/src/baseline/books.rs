//! The four book operations the harness measures.

use axum::Json;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Order;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde::{Deserialize, Deserializer, Serialize};

use super::Baseline;
use super::auth::Caller;
use super::entity::{book, now};
use super::problem::{FieldError, Problem};

/// `limit` when none is given, and the largest one served.
const DEFAULT_LIMIT: u64 = 20;
const MAX_LIMIT: u64 = 100;

pub async fn read(
    State(state): State<Baseline>,
    Path(id): Path<i64>,
) -> Result<Json<book::Model>, Problem> {
    book::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .map(Json)
        .ok_or_else(Problem::not_found)
}

/// The list parameters the bookstore declares for the fields the baseline filters on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    #[serde(rename = "price_cents")]
    price_eq: Option<i64>,
    #[serde(rename = "price_cents__ne")]
    price_ne: Option<i64>,
    #[serde(rename = "price_cents__lt")]
    price_lt: Option<i64>,
    #[serde(rename = "price_cents__lte")]
    price_lte: Option<i64>,
    #[serde(rename = "price_cents__gt")]
    price_gt: Option<i64>,
    #[serde(rename = "price_cents__gte")]
    price_gte: Option<i64>,
    published: Option<bool>,
    format: Option<String>,
    author_id: Option<i64>,
    sort: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

/// One page: the bookstore's `BookPage`.
#[derive(Serialize)]
struct Page {
    items: Vec<book::Model>,
    limit: u64,
    offset: u64,
}

pub async fn list(
    State(state): State<Baseline>,
    OriginalUri(uri): OriginalUri,
    Query(params): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = match params.limit {
        Some(0) => {
            return Err(Problem::bad_parameter(
                "limit",
                "must be a positive integer",
            ));
        }
        Some(limit) => limit.min(MAX_LIMIT),
        None => DEFAULT_LIMIT,
    };
    let offset = params.offset.unwrap_or(0);
    let mut select = book::Entity::find();
    let price = book::Column::PriceCents;
    if let Some(value) = params.price_eq {
        select = select.filter(price.eq(value));
    }
    if let Some(value) = params.price_ne {
        select = select.filter(price.ne(value));
    }
    if let Some(value) = params.price_lt {
        select = select.filter(price.lt(value));
    }
    if let Some(value) = params.price_lte {
        select = select.filter(price.lte(value));
    }
    if let Some(value) = params.price_gt {
        select = select.filter(price.gt(value));
    }
    if let Some(value) = params.price_gte {
        select = select.filter(price.gte(value));
    }
    if let Some(author_id) = params.author_id {
        select = select.filter(book::Column::AuthorId.eq(author_id));
    }
    if let Some(published) = params.published {
        select = select.filter(book::Column::Published.eq(published));
    }
    if let Some(format) = params.format {
        select = select.filter(book::Column::Format.eq(format));
    }
    for (column, order) in order(params.sort.as_deref())? {
        select = select.order_by(column, order);
    }
    // One row more than the page says whether there is a next one.
    let mut items = select
        .offset(offset)
        .limit(limit + 1)
        .all(&state.db)
        .await?;
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let mut response = Json(Page {
        items,
        limit,
        offset,
    })
    .into_response();
    if more && let Ok(link) = HeaderValue::from_str(&next_link(&uri, offset + limit)) {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// `?sort=-price_cents,title` from the sortable fields, the id last as a tiebreaker.
fn order(sort: Option<&str>) -> Result<Vec<(book::Column, Order)>, Problem> {
    let mut keys = Vec::new();
    let mut named = Vec::new();
    for item in sort.into_iter().flat_map(|s| s.split(',')) {
        let (name, order) = match item.strip_prefix('-') {
            Some(name) => (name, Order::Desc),
            None => (item, Order::Asc),
        };
        let column = match name {
            "title" => book::Column::Title,
            "price_cents" => book::Column::PriceCents,
            "created_at" => book::Column::CreatedAt,
            _ => {
                return Err(Problem::bad_parameter(
                    "sort",
                    "names a field that is not sortable",
                ));
            }
        };
        if named.contains(&name) {
            return Err(Problem::bad_parameter("sort", "names a field twice"));
        }
        named.push(name);
        keys.push((column, order));
    }
    keys.push((book::Column::Id, Order::Asc));
    Ok(keys)
}

/// `</books?...&offset=N>; rel="next"`: the request's parameters with the next offset.
fn next_link(uri: &Uri, offset: u64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if key != "offset" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("offset", &offset.to_string());
    format!("<{}?{}>; rel=\"next\"", uri.path(), query.finish())
}

/// The body of `POST /books`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookCreate {
    title: String,
    #[serde(default)]
    subtitle: Option<String>,
    isbn: String,
    price_cents: i64,
    #[serde(default)]
    published: bool,
    #[serde(default = "paperback")]
    format: String,
    author_id: i64,
    #[serde(default)]
    summary: Option<String>,
}

fn paperback() -> String {
    "paperback".to_owned()
}

pub async fn create(
    State(state): State<Baseline>,
    Caller(caller): Caller,
    Json(input): Json<BookCreate>,
) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    check_title(&mut errors, &input.title);
    check_subtitle(&mut errors, input.subtitle.as_deref());
    check_isbn(&mut errors, &input.isbn);
    check_price(&mut errors, input.price_cents);
    check_format(&mut errors, &input.format);
    check_summary(&mut errors, input.summary.as_deref());
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let now = now();
    let row = book::ActiveModel {
        id: NotSet,
        title: Set(input.title),
        subtitle: Set(input.subtitle),
        isbn: Set(input.isbn),
        price_cents: Set(input.price_cents),
        published: Set(input.published),
        format: Set(input.format),
        author_id: Set(input.author_id),
        summary: Set(input.summary),
        added_by: Set(caller.sub),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    let location = format!("/books/{}", row.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(row),
    )
        .into_response())
}

/// The body of `PATCH /books/{id}`: absent fields stay, `null` clears `subtitle` and
/// `summary`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookUpdate {
    title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    subtitle: Option<Option<String>>,
    isbn: Option<String>,
    price_cents: Option<i64>,
    published: Option<bool>,
    format: Option<String>,
    author_id: Option<i64>,
    #[serde(default, deserialize_with = "present")]
    summary: Option<Option<String>>,
}

/// A field that is present, `null` included.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

pub async fn update(
    State(state): State<Baseline>,
    Caller(caller): Caller,
    Path(id): Path<i64>,
    Json(changes): Json<BookUpdate>,
) -> Result<Json<book::Model>, Problem> {
    let mut errors = Vec::new();
    if let Some(title) = &changes.title {
        check_title(&mut errors, title);
    }
    if let Some(subtitle) = &changes.subtitle {
        check_subtitle(&mut errors, subtitle.as_deref());
    }
    if let Some(isbn) = &changes.isbn {
        check_isbn(&mut errors, isbn);
    }
    if let Some(price) = changes.price_cents {
        check_price(&mut errors, price);
    }
    if let Some(format) = &changes.format {
        check_format(&mut errors, format);
    }
    if let Some(summary) = &changes.summary {
        check_summary(&mut errors, summary.as_deref());
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    // The rule reads the row, so the row stays locked until the write: on SQLite the
    // transaction takes the write lock at once (a deferred one that reads first fails
    // instead of waiting when another writer came in between).
    let tx = state
        .db
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await?;
    let mut query = book::Entity::find_by_id(id);
    if !caller.edits_every_book() {
        query = query.filter(book::Column::AddedBy.eq(caller.sub));
    }
    let current = query
        .lock_exclusive()
        .one(&tx)
        .await?
        .ok_or_else(Problem::not_found)?;
    // The bookstore's `freeze_isbn`: a book on sale keeps its ISBN.
    if current.published
        && changes
            .isbn
            .as_ref()
            .is_some_and(|isbn| *isbn != current.isbn)
    {
        return Err(Problem::new(
            StatusCode::CONFLICT,
            "isbn_frozen",
            "a book on sale keeps its ISBN",
        ));
    }
    let mut row: book::ActiveModel = current.clone().into();
    if let Some(title) = changes.title {
        row.title = Set(title);
    }
    if let Some(subtitle) = changes.subtitle {
        row.subtitle = Set(subtitle);
    }
    if let Some(isbn) = changes.isbn {
        row.isbn = Set(isbn);
    }
    if let Some(price) = changes.price_cents {
        row.price_cents = Set(price);
    }
    if let Some(published) = changes.published {
        row.published = Set(published);
    }
    if let Some(format) = changes.format {
        row.format = Set(format);
    }
    if let Some(author_id) = changes.author_id {
        row.author_id = Set(author_id);
    }
    if let Some(summary) = changes.summary {
        row.summary = Set(summary);
    }
    if !row.is_changed() {
        return Ok(Json(current));
    }
    row.updated_at = Set(now());
    let stored = row.update(&tx).await?;
    tx.commit().await?;
    Ok(Json(stored))
}

fn check_title(errors: &mut Vec<FieldError>, title: &str) {
    let length = title.chars().count();
    if !(1..=200).contains(&length) {
        errors.push(FieldError::new(
            "title",
            "length",
            "must have 1 to 200 characters",
        ));
    }
    check_text(errors, "title", title);
}

fn check_subtitle(errors: &mut Vec<FieldError>, subtitle: Option<&str>) {
    if let Some(subtitle) = subtitle {
        if subtitle.chars().count() > 200 {
            errors.push(FieldError::new(
                "subtitle",
                "length",
                "must have at most 200 characters",
            ));
        }
        check_text(errors, "subtitle", subtitle);
    }
}

fn check_isbn(errors: &mut Vec<FieldError>, isbn: &str) {
    if isbn.len() != 13 || !isbn.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new("isbn", "pattern", "must be 13 digits"));
    }
}

fn check_price(errors: &mut Vec<FieldError>, price: i64) {
    if price < 0 {
        errors.push(FieldError::new(
            "price_cents",
            "range",
            "must be at least 0",
        ));
    }
}

fn check_format(errors: &mut Vec<FieldError>, format: &str) {
    if !["paperback", "hardcover", "ebook"].contains(&format) {
        errors.push(FieldError::new(
            "format",
            "one_of",
            "must be one of `paperback`, `hardcover`, `ebook`",
        ));
    }
}

fn check_summary(errors: &mut Vec<FieldError>, summary: Option<&str>) {
    if let Some(summary) = summary {
        check_text(errors, "summary", summary);
    }
}

/// PostgreSQL text cannot hold NUL; the bookstore refuses it everywhere.
fn check_text(errors: &mut Vec<FieldError>, field: &str, text: &str) {
    if text.contains('\0') {
        errors.push(FieldError::new(field, "pattern", "must not contain NUL"));
    }
}
