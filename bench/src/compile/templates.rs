//! The sources of the two compared crates. `NN` is the resource's number, `TITLE_MAX`
//! the title's longest length (the incremental builds change it).

/// One resource, declared for ferrest.
const GENERATED_RESOURCE: &str = r#"use ferrest::prelude::*;

/// Item NN of the compile-time benchmark.
#[derive(Resource)]
#[rest(table = "itemsNN", path = "/itemsNN", tag = "ItemsNN")]
pub struct ItemNN {
    #[rest(id)]
    pub id: i64,
    /// A title.
    #[rest(validate(length(min = 1, max = TITLE_MAX)), filter(eq, contains), sort)]
    pub title: String,
    /// Thirteen digits.
    #[rest(validate(pattern = "^[0-9]{13}$"), unique, filter(eq))]
    pub code: String,
    /// Price in cents.
    #[rest(validate(range(min = 0)), filter(eq, lt, gte), sort)]
    pub price_cents: i64,
    /// On sale.
    #[rest(default = false, filter(eq))]
    pub active: bool,
    /// A note.
    pub note: Option<String>,
    #[rest(created_at, sort)]
    pub created_at: DateTimeUtc,
    #[rest(updated_at)]
    pub updated_at: DateTimeUtc,
}
"#;

/// The same resource by hand: entity, bodies, rules, and the five CRUD handlers with
/// the same filters, sort and pagination.
const HAND_RESOURCE: &str = r#"use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Order;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::Deserialize;

use crate::{FieldError, Page, Problem, next_link, now};

const TITLE_MAX: usize = TITLE_MAX_VALUE;

pub mod entity {
    use sea_orm::entity::prelude::*;
    use serde::Serialize;

    /// Item NN of the compile-time benchmark.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize)]
    #[sea_orm(table_name = "itemsNN")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub title: String,
        #[sea_orm(unique)]
        pub code: String,
        pub price_cents: i64,
        pub active: bool,
        pub note: Option<String>,
        #[serde(serialize_with = "crate::utc")]
        pub created_at: DateTimeWithTimeZone,
        #[serde(serialize_with = "crate::utc")]
        pub updated_at: DateTimeWithTimeZone,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Create {
    title: String,
    code: String,
    price_cents: i64,
    #[serde(default)]
    active: bool,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Update {
    title: Option<String>,
    code: Option<String>,
    price_cents: Option<i64>,
    active: Option<bool>,
    #[serde(default, deserialize_with = "crate::present")]
    note: Option<Option<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    title: Option<String>,
    #[serde(rename = "title__contains")]
    title_contains: Option<String>,
    code: Option<String>,
    price_cents: Option<i64>,
    #[serde(rename = "price_cents__lt")]
    price_lt: Option<i64>,
    #[serde(rename = "price_cents__gte")]
    price_gte: Option<i64>,
    active: Option<bool>,
    sort: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

pub fn router() -> Router<DatabaseConnection> {
    Router::new()
        .route("/itemsNN", get(list).post(create))
        .route("/itemsNN/{id}", get(read).patch(update).delete(remove))
}

async fn list(
    State(db): State<DatabaseConnection>,
    OriginalUri(uri): OriginalUri,
    Query(p): Query<ListParams>,
) -> Result<Response, Problem> {
    let limit = match p.limit {
        Some(0) => return Err(Problem::bad_parameter("limit")),
        Some(limit) => limit.min(100),
        None => 20,
    };
    let offset = p.offset.unwrap_or(0);
    let mut select = entity::Entity::find();
    if let Some(v) = p.title {
        select = select.filter(entity::Column::Title.eq(v));
    }
    if let Some(v) = p.title_contains {
        select = select.filter(entity::Column::Title.contains(v));
    }
    if let Some(v) = p.code {
        select = select.filter(entity::Column::Code.eq(v));
    }
    if let Some(v) = p.price_cents {
        select = select.filter(entity::Column::PriceCents.eq(v));
    }
    if let Some(v) = p.price_lt {
        select = select.filter(entity::Column::PriceCents.lt(v));
    }
    if let Some(v) = p.price_gte {
        select = select.filter(entity::Column::PriceCents.gte(v));
    }
    if let Some(v) = p.active {
        select = select.filter(entity::Column::Active.eq(v));
    }
    for item in p.sort.as_deref().into_iter().flat_map(|s| s.split(',')) {
        let (name, order) = match item.strip_prefix('-') {
            Some(name) => (name, Order::Desc),
            None => (item, Order::Asc),
        };
        let column = match name {
            "title" => entity::Column::Title,
            "price_cents" => entity::Column::PriceCents,
            "created_at" => entity::Column::CreatedAt,
            _ => return Err(Problem::bad_parameter("sort")),
        };
        select = select.order_by(column, order);
    }
    select = select.order_by(entity::Column::Id, Order::Asc);
    let mut items = select.offset(offset).limit(limit + 1).all(&db).await?;
    let more = items.len() as u64 > limit;
    items.truncate(limit as usize);
    let mut response = Json(Page { items, limit, offset }).into_response();
    if more && let Ok(link) = HeaderValue::from_str(&next_link(&uri, offset + limit)) {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

async fn read(
    State(db): State<DatabaseConnection>,
    Path(id): Path<i64>,
) -> Result<Json<entity::Model>, Problem> {
    entity::Entity::find_by_id(id)
        .one(&db)
        .await?
        .map(Json)
        .ok_or_else(Problem::not_found)
}

async fn create(
    State(db): State<DatabaseConnection>,
    Json(input): Json<Create>,
) -> Result<Response, Problem> {
    let mut errors = Vec::new();
    check_title(&mut errors, &input.title);
    check_code(&mut errors, &input.code);
    check_price(&mut errors, input.price_cents);
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let now = now();
    let row = entity::ActiveModel {
        id: NotSet,
        title: Set(input.title),
        code: Set(input.code),
        price_cents: Set(input.price_cents),
        active: Set(input.active),
        note: Set(input.note),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&db)
    .await?;
    let location = format!("/itemsNN/{}", row.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(row)).into_response())
}

async fn update(
    State(db): State<DatabaseConnection>,
    Path(id): Path<i64>,
    Json(changes): Json<Update>,
) -> Result<Json<entity::Model>, Problem> {
    let mut errors = Vec::new();
    if let Some(title) = &changes.title {
        check_title(&mut errors, title);
    }
    if let Some(code) = &changes.code {
        check_code(&mut errors, code);
    }
    if let Some(price) = changes.price_cents {
        check_price(&mut errors, price);
    }
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let current = entity::Entity::find_by_id(id)
        .one(&db)
        .await?
        .ok_or_else(Problem::not_found)?;
    let mut row: entity::ActiveModel = current.clone().into();
    if let Some(title) = changes.title {
        row.title = Set(title);
    }
    if let Some(code) = changes.code {
        row.code = Set(code);
    }
    if let Some(price) = changes.price_cents {
        row.price_cents = Set(price);
    }
    if let Some(active) = changes.active {
        row.active = Set(active);
    }
    if let Some(note) = changes.note {
        row.note = Set(note);
    }
    if !row.is_changed() {
        return Ok(Json(current));
    }
    row.updated_at = Set(now());
    Ok(Json(row.update(&db).await?))
}

async fn remove(
    State(db): State<DatabaseConnection>,
    Path(id): Path<i64>,
) -> Result<StatusCode, Problem> {
    let result = entity::Entity::delete_by_id(id).exec(&db).await?;
    if result.rows_affected == 0 {
        return Err(Problem::not_found());
    }
    Ok(StatusCode::NO_CONTENT)
}

fn check_title(errors: &mut Vec<FieldError>, title: &str) {
    let length = title.chars().count();
    if length < 1 || length > TITLE_MAX {
        errors.push(FieldError::new("title", "length", "has the wrong length"));
    }
}

fn check_code(errors: &mut Vec<FieldError>, code: &str) {
    if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(FieldError::new("code", "pattern", "must be 13 digits"));
    }
}

fn check_price(errors: &mut Vec<FieldError>, price: i64) {
    if price < 0 {
        errors.push(FieldError::new("price_cents", "range", "must be at least 0"));
    }
}
"#;

/// What the hand-written resources share: errors, the page, the `Link` header.
const HAND_LIB: &str = r#"//! The compile-time benchmark's resources, written by hand.

MODULES

use axum::Router;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Deserializer, Serialize};

pub fn router(db: DatabaseConnection) -> Router {
    Router::new()
ROUTERS        .with_state(db)
}

#[derive(Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub limit: u64,
    pub offset: u64,
}

#[derive(Serialize)]
pub struct FieldError {
    pointer: String,
    code: &'static str,
    detail: &'static str,
}

impl FieldError {
    pub fn new(field: &str, code: &'static str, detail: &'static str) -> Self {
        FieldError { pointer: format!("/{field}"), code, detail }
    }
}

#[derive(Serialize)]
pub struct Problem {
    #[serde(skip)]
    status: StatusCode,
    code: &'static str,
    detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
}

impl Problem {
    fn new(status: StatusCode, code: &'static str, detail: String) -> Self {
        Problem { status, code, detail, errors: Vec::new() }
    }

    pub fn not_found() -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not_found", "no row with this id".into())
    }

    pub fn bad_parameter(name: &str) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "invalid_parameter", format!("invalid `{name}`"))
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        Problem { errors, ..Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "validation", "invalid body".into()) }
    }
}

impl From<sea_orm::DbErr> for Problem {
    fn from(err: sea_orm::DbErr) -> Self {
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                Problem::new(StatusCode::CONFLICT, "conflict", "a row with this value exists".into())
            }
            _ => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", err.to_string()),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (self.status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response()
    }
}

pub fn next_link(uri: &Uri, offset: u64) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if key != "offset" {
            query.append_pair(&key, &value);
        }
    }
    query.append_pair("offset", &offset.to_string());
    format!("<{}?{}>; rel=\"next\"", uri.path(), query.finish())
}

pub fn now() -> chrono::DateTime<chrono::FixedOffset> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6).fixed_offset()
}

fn utc<S: serde::Serializer>(
    value: &chrono::DateTime<chrono::FixedOffset>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_str(
        &value.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
    )
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}
"#;

fn number(i: usize) -> String {
    format!("{i:02}")
}

pub fn generated_resource(i: usize, title_max: usize) -> String {
    GENERATED_RESOURCE
        .replace("NN", &number(i))
        .replace("TITLE_MAX", &title_max.to_string())
}

pub fn hand_resource(i: usize, title_max: usize) -> String {
    HAND_RESOURCE
        .replace("NN", &number(i))
        .replace("TITLE_MAX_VALUE", &title_max.to_string())
}

pub fn generated_lib(resources: usize) -> String {
    let mut out =
        String::from("//! The compile-time benchmark's resources, declared for ferrest.\n\n");
    for i in 1..=resources {
        out.push_str(&format!("pub mod r{};\n", number(i)));
    }
    out.push_str("\npub fn app() -> ferrest::App {\n    ferrest::App::new()\n        .title(\"Generated\")\n");
    for i in 1..=resources {
        let n = number(i);
        out.push_str(&format!("        .resource::<r{n}::Item{n}>()\n"));
    }
    out.push_str("}\n");
    out
}

pub fn hand_lib(resources: usize) -> String {
    let modules: String = (1..=resources)
        .map(|i| format!("pub mod r{};\n", number(i)))
        .collect();
    let routers: String = (1..=resources)
        .map(|i| format!("        .merge(r{}::router())\n", number(i)))
        .collect();
    HAND_LIB
        .replace("MODULES", &modules)
        .replace("ROUTERS", &routers)
}
