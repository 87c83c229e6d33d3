//! The five CRUD operations, written once for every resource. The generated code
//! only implements [`Resource`]; [`routes`] mounts these handlers for it.

use std::future::Future;
use std::pin::Pin;

use axum::Json;
use axum::Router;
use axum::extract::{OriginalUri, RawQuery};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, delete as delete_route, get, patch, post};
use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{Condition, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};

use crate::auth::{Permission, guard};
use crate::ctx::{CrudCtx, Ctx};
use crate::db::{AppState, db_error};
use crate::page::Page;
use crate::precondition::{self, Conditions, IfMatch};
use crate::problem::ApiError;
use crate::query::path::PathId;
use crate::query::{ListQuery, Position, cursor, filter, include, sort};
use crate::rate_limit::limited;
use crate::resource::Resource;
use crate::spec::{RelationKind, RelationSpec, ResourceSpec};
use crate::validate::Write;
use crate::validate::body::ObjectBody;
use crate::validate::typed::typed;
use crate::write;
use crate::write::not_found;

/// The router of one resource: the collection and the item path, with the
/// operations its spec enables.
pub(crate) fn routes<R: Resource>() -> Router<AppState> {
    let spec = R::spec();
    let ops = spec.operations;
    let access = spec.access.effective(spec.owner_field().is_some());
    let limited = |route| limited(route, spec.name, spec.rate_limit);
    let mut collection: MethodRouter<AppState> = MethodRouter::new();
    if ops.list {
        collection = collection.merge(limited(get(guard(list::<R>, [access.list]))));
    }
    if ops.create {
        collection = collection.merge(limited(post(guard(create::<R>, [access.create]))));
    }
    let mut item: MethodRouter<AppState> = MethodRouter::new();
    if ops.get {
        item = item.merge(limited(get(guard(read::<R>, [access.get]))));
    }
    if ops.update {
        item = item.merge(limited(patch(guard(update::<R>, [access.update]))));
    }
    if ops.delete {
        item = item.merge(limited(delete_route(guard(delete::<R>, [access.delete]))));
    }
    let mut router = Router::new();
    if ops.list || ops.create {
        router = router.route(spec.path, collection);
    }
    if ops.get || ops.update || ops.delete {
        router = router.route(&item_path(spec.path), item);
    }
    R::nested_routes(router)
}

/// `GET /authors/{author_id}/books`, for `#[rest(has_many = Book)]` on `Author`, when `Book`
/// serves its own list. The spec of `P` names the foreign key (and holds the
/// `BelongsTo` bound that checks it exists).
pub fn nested_route<P: Resource, C: Resource>(
    router: Router<AppState>,
    relation: &'static str,
) -> Router<AppState> {
    if !C::spec().operations.list {
        return router;
    }
    let relation = P::spec()
        .relation(relation)
        .expect("#[derive(Resource)] declares the relation it routes");
    let foreign_key = relation.foreign_key();
    let list = move |ctx: CrudCtx<C>, id: PathId<P::Id>, uri: OriginalUri, query: RawQuery| {
        nested_list::<P, C>(ctx, id, uri, query, foreign_key)
    };
    let route = get(guard(list, [P::spec().access.get, C::spec().access.list]));
    router.route(
        &nested_path(P::spec().path, relation),
        limited(route, P::spec().name, P::spec().rate_limit),
    )
}

/// `/authors/{author_id}/books`: the parameter is named after the child's foreign key,
/// which it fixes.
pub(crate) fn nested_path(parent: &str, relation: &RelationSpec) -> String {
    format!("{parent}/{{{}}}/{}", relation.foreign_key(), relation.name)
}

/// One CRUD route: what the document and the startup checks know of it.
pub(crate) struct CrudRoute {
    pub method: &'static str,
    pub path: String,
    pub operation_id: String,
    /// What the caller needs: the operation's permission, and for a nested list the
    /// parent's `get` as well.
    pub permissions: Vec<Permission>,
}

/// Each CRUD route of a resource, nested lists included; the document uses the same
/// operation ids.
pub(crate) fn operation_routes(spec: &ResourceSpec) -> Vec<CrudRoute> {
    let (ops, access) = (
        spec.operations,
        spec.access.effective(spec.owner_field().is_some()),
    );
    let item = item_path(spec.path);
    let mut routes = Vec::new();
    for (on, method, path, id, permission) in [
        (
            ops.list,
            "get",
            spec.path.to_owned(),
            format!("list{}", spec.plural),
            access.list,
        ),
        (
            ops.create,
            "post",
            spec.path.to_owned(),
            format!("create{}", spec.name),
            access.create,
        ),
        (
            ops.get,
            "get",
            item.clone(),
            format!("get{}", spec.name),
            access.get,
        ),
        (
            ops.update,
            "patch",
            item.clone(),
            format!("update{}", spec.name),
            access.update,
        ),
        (
            ops.delete,
            "delete",
            item,
            format!("delete{}", spec.name),
            access.delete,
        ),
    ] {
        if on {
            routes.push(CrudRoute {
                method,
                path,
                operation_id: id,
                permissions: vec![permission],
            });
        }
    }
    for relation in spec.relations {
        let child = (relation.target)();
        if matches!(relation.kind, RelationKind::HasMany { .. }) && child.operations.list {
            routes.push(CrudRoute {
                method: "get",
                path: nested_path(spec.path, relation),
                operation_id: format!("list{}{}", spec.name, child.plural),
                permissions: vec![access.get, child.access.list],
            });
        }
    }
    routes
}

/// `/books/{id}`.
pub(crate) fn item_path(collection: &str) -> String {
    format!("{collection}/{{id}}")
}

async fn list<R: Resource>(
    CrudCtx(ctx, _): CrudCtx<R>,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let spec = R::spec();
    let request = ListQuery::parse(spec, query.as_deref(), ctx.storage)?;
    list_page::<R>(&ctx, &uri, request, Condition::all()).await
}

/// `GET /authors/{author_id}/books`: the children of one parent, with the filters, sort and
/// pagination of the flat list.
async fn nested_list<P: Resource, C: Resource>(
    CrudCtx(ctx, _): CrudCtx<C>,
    PathId(id): PathId<P::Id>,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
    foreign_key: &'static str,
) -> Result<Response, ApiError> {
    let request = ListQuery::parse_nested(C::spec(), query.as_deref(), ctx.storage, foreign_key)?;
    let parent = primary_key_value::<P>(id);
    let mut exists = P::Entity::find()
        .filter(Expr::col(Alias::new(P::spec().id_field().name)).eq(parent.clone()));
    if let Some(scope) = ctx.read_scope::<P>().await? {
        exists = exists.filter(scope);
    }
    let exists = exists
        .count(&ctx.db)
        .await
        .map_err(|e| db_error(P::spec(), e))?;
    if exists == 0 {
        return Err(not_found(P::spec()));
    }
    let scope = Condition::all().add(Expr::col(Alias::new(foreign_key)).eq(parent));
    list_page::<C>(&ctx, &uri, request, scope).await
}

/// One page of the rows of `R` within `scope` that match `request`.
async fn list_page<R: Resource>(
    ctx: &Ctx,
    uri: &Uri,
    request: ListQuery,
    mut scope: Condition,
) -> Result<Response, ApiError> {
    let spec = R::spec();
    let db_error = |e| db_error(spec, e);
    if let Some(hidden) = ctx.read_scope::<R>().await? {
        scope = scope.add(hidden);
    }
    let filtered = R::Entity::find().filter(filter::condition(&request.filters).add(scope));
    let total = if request.count {
        Some(filtered.clone().count(&ctx.db).await.map_err(db_error)?)
    } else {
        None
    };
    let mut select = sort::apply(filtered, &request.sort);
    let offset = match &request.position {
        Position::Offset(offset) => {
            select = select.offset(*offset);
            Some(*offset)
        }
        Position::After(Some(last)) => {
            select = select.filter(sort::after(&request.sort, last));
            None
        }
        Position::After(None) => None,
    };
    // One row more than the page tells whether a next page exists, without a count.
    let mut rows = select
        .limit(request.limit.saturating_add(1))
        .all(&ctx.db)
        .await
        .map_err(db_error)?;
    let more = rows.len() as u64 > request.limit;
    rows.truncate(usize::try_from(request.limit).unwrap_or(usize::MAX));
    let next_cursor = match (&request.position, rows.last()) {
        (Position::After(_), Some(last)) if more => Some(cursor::encode(
            &request.sort,
            &serde_json::to_value(last).map_err(|_| ApiError::internal())?,
        )),
        _ => None,
    };
    let next = more.then(|| match &next_cursor {
        Some(cursor) => next_link(uri, "cursor", cursor),
        None => next_link(
            uri,
            "offset",
            &offset
                .unwrap_or(0)
                .saturating_add(request.limit)
                .to_string(),
        ),
    });
    let limit = request.limit;
    let mut response = if request.include.is_empty() {
        Json(Page {
            items: rows,
            limit,
            offset,
            total,
            next_cursor,
        })
        .into_response()
    } else {
        let mut items = to_wire(&rows)?;
        include::attach(ctx, spec, &mut items, &request.include).await?;
        Json(Page {
            items,
            limit,
            offset,
            total,
            next_cursor,
        })
        .into_response()
    };
    if let Some(link) = next.and_then(|l| HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LINK, link);
    }
    Ok(response)
}

/// `<{path}?{query with key=value}>; rel="next"`: the request's own parameters, so
/// the next page has the same filters and sort.
fn next_link(uri: &Uri, key: &str, value: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()) {
        if k != key {
            query.append_pair(&k, &v);
        }
    }
    query.append_pair(key, value);
    format!("<{}?{}>; rel=\"next\"", uri.path(), query.finish())
}

fn to_wire<T: serde::Serialize>(rows: &[T]) -> Result<Vec<serde_json::Value>, ApiError> {
    rows.iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()
        .map_err(|e| {
            tracing::error!(error = %e, "a row did not serialize");
            ApiError::internal()
        })
}

/// The rows of `R` matching `condition`, on the wire, in primary-key order: what an
/// include of `R` embeds, within its read filters. The spec of `R` points here.
pub fn load<R: Resource>(
    ctx: &Ctx,
    mut condition: Condition,
    limit: u64,
) -> Pin<Box<dyn Future<Output = Result<Vec<serde_json::Value>, ApiError>> + Send + '_>> {
    Box::pin(async move {
        if let Some(scope) = ctx.read_scope::<R>().await? {
            condition = condition.add(scope);
        }
        let order = sort::parse(R::spec(), None)?;
        let rows = sort::apply(R::Entity::find().filter(condition), &order)
            .limit(limit)
            .all(&ctx.db)
            .await
            .map_err(|e| db_error(R::spec(), e))?;
        to_wire(&rows)
    })
}

fn primary_key_value<R: Resource>(id: R::Id) -> sea_orm::Value {
    use sea_orm::sea_query::{IntoValueTuple, ValueTuple};
    match id.into().into_value_tuple() {
        ValueTuple::One(value) => value,
        _ => unreachable!("#[derive(Resource)] has a single-column primary key"),
    }
}

async fn read<R: Resource>(
    CrudCtx(ctx, _): CrudCtx<R>,
    PathId(id): PathId<R::Id>,
    Conditions(headers): Conditions,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let spec = R::spec();
    let includes = crate::query::parse_read(spec, query.as_deref())?;
    let row = write::find::<R>(&ctx, id).await?;
    if includes.is_empty() {
        if let Some(version) = R::version_of(&row)
            && precondition::not_modified(&headers, version)
        {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            response
                .headers_mut()
                .insert(header::ETAG, precondition::etag(version));
            return Ok(response);
        }
        return Ok(tagged::<R>(Json(&row).into_response(), &row));
    }
    let mut rows = to_wire(std::slice::from_ref(&row))?;
    include::attach(&ctx, spec, &mut rows, &includes).await?;
    Ok(Json(rows.pop()).into_response())
}

async fn create<R: Resource>(
    CrudCtx(ctx, _): CrudCtx<R>,
    body: ObjectBody,
) -> Result<Response, ApiError> {
    let spec = R::spec();
    let (passes, custom) = (R::create_passes, R::check_create);
    let input = typed(spec, body, Write::Create, ctx.storage, passes, custom)?;
    crate::auth::fields::check(spec, &ctx.caller, R::guarded_in_create(&input))?;
    let row = write::create::<R>(&ctx, input).await?;
    let location = format!("{}/{}", spec.path, R::id_of(&row));
    let mut response = tagged::<R>((StatusCode::CREATED, Json(&row)).into_response(), &row);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

async fn update<R: Resource>(
    CrudCtx(ctx, _): CrudCtx<R>,
    PathId(id): PathId<R::Id>,
    Conditions(headers): Conditions,
    body: ObjectBody,
) -> Result<Response, ApiError> {
    let spec = R::spec();
    let if_match = match if_match::<R>(&headers) {
        Ok(if_match) => if_match,
        // A body that is not JSON is a `400` before anything else is judged.
        Err(error) => return Err(body.members().err().unwrap_or(error)),
    };
    let (passes, custom) = (R::update_passes, R::check_update);
    let input = typed(spec, body, Write::Update, ctx.storage, passes, custom)?;
    crate::auth::fields::check(spec, &ctx.caller, R::guarded_in_update(&input))?;
    let row = write::update::<R>(&ctx, id, input, &if_match).await?;
    Ok(tagged::<R>(Json(&row).into_response(), &row))
}

async fn delete<R: Resource>(
    CrudCtx(ctx, _): CrudCtx<R>,
    PathId(id): PathId<R::Id>,
    Conditions(headers): Conditions,
) -> Result<StatusCode, ApiError> {
    let if_match = if_match::<R>(&headers)?;
    write::delete::<R>(&ctx, id, &if_match).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A write's `If-Match`; `428` before anything else when the resource requires it.
fn if_match<R: Resource>(headers: &HeaderMap) -> Result<IfMatch, ApiError> {
    let if_match = IfMatch::from_headers(headers)?;
    if R::spec().require_if_match && if_match == IfMatch::Absent {
        // The version does not matter: an absent header fails whatever it is.
        if_match.check(0, true)?;
    }
    Ok(if_match)
}

/// The response with the row's version as its `ETag`, for a versioned resource.
fn tagged<R: Resource>(mut response: Response, row: &R::Model) -> Response {
    if let Some(version) = R::version_of(row) {
        response
            .headers_mut()
            .insert(header::ETAG, precondition::etag(version));
    }
    response
}
