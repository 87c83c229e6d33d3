//! The five CRUD operations, written once for every resource. The generated code
//! only implements [`Resource`]; [`routes`] mounts these handlers for it.

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use sea_orm::{
    ActiveModelTrait, EntityTrait, IntoActiveModel, Iterable, PaginatorTrait, PrimaryKeyToColumn,
    QueryOrder, QuerySelect,
};

use crate::db::{AppState, db_error};
use crate::extract::{JsonBody, PathId};
use crate::page::{Page, PageRequest};
use crate::problem::ApiError;
use crate::resource::Resource;
use crate::validate::{Storage, Write, check_body_in};

/// The router of one resource: the collection and the item path, with the
/// operations its spec enables.
pub(crate) fn routes<R: Resource>() -> Router<AppState> {
    let spec = R::spec();
    let ops = spec.operations;
    let mut collection: MethodRouter<AppState> = MethodRouter::new();
    if ops.list {
        collection = collection.merge(get(list::<R>));
    }
    if ops.create {
        collection = collection.post(create::<R>);
    }
    let mut item: MethodRouter<AppState> = MethodRouter::new();
    if ops.get {
        item = item.merge(get(read::<R>));
    }
    if ops.update {
        item = item.patch(update::<R>);
    }
    if ops.delete {
        item = item.delete(delete::<R>);
    }
    let mut router = Router::new();
    if ops.list || ops.create {
        router = router.route(spec.path, collection);
    }
    if ops.get || ops.update || ops.delete {
        router = router.route(&item_path(spec.path), item);
    }
    router
}

/// `/books/{id}`.
pub(crate) fn item_path(collection: &str) -> String {
    format!("{collection}/{{id}}")
}

async fn list<R: Resource>(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Page<R::Model>>, ApiError> {
    let spec = R::spec();
    let page = PageRequest::parse(spec, query.as_deref())?;
    let mut select = R::Entity::find();
    for key in <R::Entity as EntityTrait>::PrimaryKey::iter() {
        select = select.order_by_asc(key.into_column());
    }
    let total = if page.count {
        Some(
            select
                .clone()
                .count(&state.db)
                .await
                .map_err(|e| db_error(spec, e))?,
        )
    } else {
        None
    };
    let items = select
        .limit(page.limit)
        .offset(page.offset)
        .all(&state.db)
        .await
        .map_err(|e| db_error(spec, e))?;
    Ok(Json(Page {
        items,
        limit: page.limit,
        offset: page.offset,
        total,
    }))
}

async fn read<R: Resource>(
    State(state): State<AppState>,
    PathId(id): PathId<R::Id>,
) -> Result<Json<R::Model>, ApiError> {
    let spec = R::spec();
    R::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .map_err(|e| db_error(spec, e))?
        .map(Json)
        .ok_or_else(|| not_found(spec))
}

async fn create<R: Resource>(
    State(state): State<AppState>,
    JsonBody(body): JsonBody,
) -> Result<Response, ApiError> {
    let spec = R::spec();
    let input: R::Create = typed(spec, body, Write::Create, state.storage, R::check_create)?;
    let row = R::new_row(input)
        .insert(&state.db)
        .await
        .map_err(|e| db_error(spec, e))?;
    let location = format!("{}/{}", spec.path, R::id_of(&row));
    let mut response = (StatusCode::CREATED, Json(row)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn update<R: Resource>(
    State(state): State<AppState>,
    PathId(id): PathId<R::Id>,
    JsonBody(body): JsonBody,
) -> Result<Json<R::Model>, ApiError> {
    let spec = R::spec();
    let input: R::Update = typed(spec, body, Write::Update, state.storage, R::check_update)?;
    let current = R::Entity::find_by_id(id)
        .one(&state.db)
        .await
        .map_err(|e| db_error(spec, e))?
        .ok_or_else(|| not_found(spec))?;
    let mut row = current.clone().into_active_model();
    R::apply_update(input, &mut row);
    if !row.is_changed() {
        return Ok(Json(current));
    }
    let updated = row.update(&state.db).await.map_err(|e| db_error(spec, e))?;
    Ok(Json(updated))
}

async fn delete<R: Resource>(
    State(state): State<AppState>,
    PathId(id): PathId<R::Id>,
) -> Result<StatusCode, ApiError> {
    let spec = R::spec();
    let result = R::Entity::delete_by_id(id)
        .exec(&state.db)
        .await
        .map_err(|e| db_error(spec, e))?;
    if result.rows_affected == 0 {
        return Err(not_found(spec));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Declarative checks on the raw body, then the typed DTO and its custom validators;
/// all failures of both stages are reported together.
fn typed<T: serde::de::DeserializeOwned>(
    spec: &crate::spec::ResourceSpec,
    mut body: serde_json::Value,
    mode: Write,
    storage: Storage,
    custom: fn(&T, &mut Vec<crate::FieldError>),
) -> Result<T, ApiError> {
    let mut errors = check_body_in(spec, &body, mode, storage);
    crate::validate::normalize_numbers(spec, &mut body);
    match serde_json::from_value::<T>(body) {
        Ok(input) => {
            // Custom validators speak only for fields whose declared rules passed, so
            // a field is not reported twice for one mistake.
            let mut custom_errors = Vec::new();
            custom(&input, &mut custom_errors);
            custom_errors.retain(|c| !errors.iter().any(|e| e.pointer == c.pointer));
            errors.extend(custom_errors);
            if errors.is_empty() {
                Ok(input)
            } else {
                Err(ApiError::validation(errors))
            }
        }
        Err(e) => {
            if errors.is_empty() {
                errors.push(crate::FieldError::body("type", e.to_string()));
            }
            Err(ApiError::validation(errors))
        }
    }
}

fn not_found(spec: &crate::spec::ResourceSpec) -> ApiError {
    ApiError::not_found(format!("no {} with this id", spec.name))
}
