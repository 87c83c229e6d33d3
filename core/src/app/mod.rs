//! `App`: configuration, resource registration and the router; `serve.rs` serves it.

mod checks;
mod connections;
mod schema;
mod serve;

pub use crate::error::Error;
pub use schema::SchemaMode;

pub use connections::HEADER_READ_TIMEOUT;

use axum::Router;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sea_orm::DatabaseConnection;
use utoipa::openapi::OpenApi;

use crate::auth::Authenticator;
use crate::db::{AppState, DEFAULT_DATABASE_URL, connect};
use crate::hooks::{HookRegistry, HookSet};
use crate::http::middleware::{Middleware, Wrap};
use crate::problem::ApiError;
use crate::rate_limit::RateLimit;
use crate::resource::Resource;
use crate::resource::endpoints::{EndpointBlock, Endpoints};
use crate::spec::ResourceSpec;
use tower_http::cors::CorsLayer;

struct Registration {
    spec: &'static ResourceSpec,
    routes: fn() -> Router<AppState>,
    /// The resource's own layers (`App::resource_with`).
    wrap: Option<Wrap>,
    register: fn(sea_orm::schema::SchemaBuilder) -> sea_orm::schema::SchemaBuilder,
    /// The table and indexes sea-orm creates for the resource on a backend.
    #[cfg_attr(not(feature = "migrate"), allow(dead_code))]
    declare: fn(
        sea_orm::DbBackend,
    ) -> (
        sea_orm::sea_query::TableCreateStatement,
        Vec<sea_orm::sea_query::IndexCreateStatement>,
    ),
}

/// A ferrest service: resources, their database and the documentation routes.
///
/// ```no_run
/// # use ferrest::prelude::*;
/// # #[derive(Resource)] pub struct Book { #[rest(id)] pub id: i64, pub title: String }
/// #[tokio::main]
/// async fn main() -> Result<(), ferrest::Error> {
///     ferrest::App::from_env()     // DATABASE_URL, BIND, PORT
///         .title("Bookstore")
///         .resource::<Book>()
///         .serve()                 // /docs, /openapi.json, graceful shutdown
///         .await
/// }
/// ```
pub struct App {
    pub(crate) database_url: String,
    bind: String,
    port: u16,
    pub(crate) title: String,
    pub(crate) version: String,
    description: Option<String>,
    pub(crate) docs: bool,
    resources: Vec<Registration>,
    middleware: Middleware,
    routers: Vec<(Router<AppState>, OpenApi)>,
    endpoints: Vec<EndpointBlock>,
    authenticators: Vec<Box<dyn Authenticator>>,
    pub(crate) rate_limit: Option<RateLimit>,
    /// Where rate-limit counts live: this process, or Redis at this URL.
    redis_url: Option<String>,
    trust_forwarded_for: bool,
    /// Idempotency keys on `POST`; `None` turns them off.
    idempotency: Option<crate::idempotency::Idempotency>,
    /// Every malformed environment variable or setting, all reported when the app
    /// starts (and by `check`), not just the last one found.
    config_errors: Vec<String>,
    connection_limits: connections::ConnectionLimits,
    /// What start-up does with the schema; `None` chooses by whether the app has
    /// migrations.
    pub(crate) schema_mode: Option<SchemaMode>,
    /// The app's migrations, oldest first.
    #[cfg(feature = "migrate")]
    pub(crate) migrations: Option<crate::migrate::Migrations>,
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// An app on the default SQLite file, `127.0.0.1:3000`, with docs enabled.
    pub fn new() -> Self {
        App {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            bind: "127.0.0.1".to_owned(),
            port: 3000,
            title: "ferrest API".to_owned(),
            version: "0.1.0".to_owned(),
            description: None,
            docs: true,
            resources: Vec::new(),
            middleware: Middleware::default(),
            routers: Vec::new(),
            endpoints: Vec::new(),
            authenticators: Vec::new(),
            rate_limit: None,
            redis_url: None,
            trust_forwarded_for: false,
            idempotency: Some(crate::idempotency::Idempotency::default()),
            config_errors: Vec::new(),
            connection_limits: connections::ConnectionLimits::default(),
            schema_mode: None,
            #[cfg(feature = "migrate")]
            migrations: None,
        }
    }

    /// Reads `DATABASE_URL` (default: `sqlite://ferrest.db?mode=rwc`), `BIND`
    /// (default `127.0.0.1`), `PORT` (default `3000`), `FERREST_TIMEOUT_SECS` (default
    /// `30`, `0` for none), `FERREST_DOCS` (`false` hides `/docs` and the documents, as
    /// production deployments may want), `FERREST_CORS_ORIGINS` (comma-separated origins
    /// browsers may call from; none by default), `FERREST_IDEMPOTENCY_TTL_SECS`
    /// ([`Idempotency::from_env`](crate::idempotency::Idempotency::from_env)),
    /// and the authenticators' settings: `FERREST_JWT_*` ([`Jwt::from_env`](crate::auth::Jwt::from_env))
    /// and `FERREST_API_KEYS` ([`ApiKeys::from_env`](crate::auth::ApiKeys::from_env)).
    /// Malformed values are reported when the app starts, every one of them.
    pub fn from_env() -> Self {
        let mut app = App::new();
        #[cfg(feature = "jwt")]
        match crate::auth::Jwt::from_env() {
            Ok(Some(jwt)) => app = app.authenticate(jwt),
            Ok(None) => {}
            Err(e) => app.config_errors.push(e.message()),
        }
        #[cfg(not(feature = "jwt"))]
        for variable in ["FERREST_JWT_SECRET", "FERREST_JWT_PUBLIC_KEY_FILE"] {
            if std::env::var(variable).is_ok_and(|v| !v.is_empty()) {
                app.config_errors.push(format!(
                    "{variable} is set, but this build of ferrest checks no JWTs: enable its `jwt` feature"
                ));
            }
        }
        match crate::auth::ApiKeys::from_env() {
            Ok(Some(keys)) => app = app.authenticate(keys),
            Ok(None) => {}
            Err(e) => app.config_errors.push(e.message()),
        }
        if let Ok(url) = std::env::var("DATABASE_URL") {
            app.database_url = url;
        }
        if let Ok(mode) = std::env::var("FERREST_SCHEMA") {
            match mode.parse() {
                Ok(mode) => app.schema_mode = Some(mode),
                Err(e) => app.config_errors.push(format!("FERREST_SCHEMA: {e}")),
            }
        }
        if let Ok(bind) = std::env::var("BIND") {
            app.bind = bind;
        }
        if let Some(port) = std::env::var("PORT").ok().and_then(|p| p.parse().ok()) {
            app.port = port;
        }
        if std::env::var("FERREST_DOCS").is_ok_and(|v| v == "false" || v == "0") {
            app.docs = false;
        }
        if let Ok(origins) = std::env::var("FERREST_CORS_ORIGINS") {
            app = app.cors_origins(&origins);
        }
        if let Ok(rate) = std::env::var("FERREST_RATE_LIMIT") {
            match rate.parse() {
                Ok(limit) => app.rate_limit = Some(limit),
                Err(e) => app.config_errors.push(format!("FERREST_RATE_LIMIT: {e}")),
            }
        }
        match crate::idempotency::Idempotency::from_env() {
            Ok(idempotency) => app.idempotency = idempotency,
            Err(e) => app.config_errors.push(e),
        }
        if let Ok(url) = std::env::var("FERREST_REDIS_URL") {
            app.redis_url = Some(url);
        }
        if std::env::var("FERREST_TRUST_FORWARDED_FOR").is_ok_and(|v| v == "true" || v == "1") {
            app.trust_forwarded_for = true;
        }
        if let Some(seconds) = std::env::var("FERREST_TIMEOUT_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        {
            app.middleware.timeout = (seconds > 0).then(|| std::time::Duration::from_secs(seconds));
        }
        app
    }

    /// What start-up does with the database's schema (`FERREST_SCHEMA`): see
    /// [`SchemaMode`]. Without a call, `Migrate` for an app with migrations and `Sync`
    /// for one without.
    pub fn schema_mode(mut self, mode: SchemaMode) -> Self {
        self.schema_mode = Some(mode);
        self
    }

    /// The app's migrations, usually `migrations::all()` from the app's
    /// `src/migrations/mod.rs`.
    #[cfg(feature = "migrate")]
    pub fn migrations(mut self, migrations: crate::migrate::Migrations) -> Self {
        self.migrations = Some(migrations);
        self
    }

    /// The schema the registered resources declare on `backend`: the tables, columns,
    /// indexes and foreign keys schema sync creates for them, as migrations state them.
    /// A column no migration can state (a custom type, say) is an error naming it.
    ///
    /// ```
    /// # use ferrest::prelude::*;
    /// # #[derive(Resource)] #[rest(table = "books")] pub struct Book { #[rest(id)] pub id: i64, pub title: String }
    /// let app = ferrest::App::new().resource::<Book>();
    /// let schema = app.declared_schema(ferrest::sea_orm::DbBackend::Sqlite)?;
    /// assert!(schema.tables["books"].find_column("title").is_some());
    /// # Ok::<(), String>(())
    /// ```
    #[cfg(feature = "migrate")]
    pub fn declared_schema(
        &self,
        backend: sea_orm::DbBackend,
    ) -> Result<crate::migrate::Schema, String> {
        crate::migrate::declared::schema_of(self.resources.iter().map(|r| (r.declare)(backend)))
    }

    /// Database URL: `sqlite://file.db?mode=rwc`, `postgres://...`, `mysql://...`.
    pub fn database_url(mut self, url: impl Into<String>) -> Self {
        self.database_url = url.into();
        self
    }

    /// Address and port to listen on.
    pub fn bind(mut self, host: impl Into<String>, port: u16) -> Self {
        self.bind = host.into();
        self.port = port;
        self
    }

    /// The document's `info.title`.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The document's `info.version`.
    pub fn version(mut self, version: impl Into<String>) -> Self {
        self.version = version.into();
        self
    }

    /// The document's `info.description`.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Serve `/docs`, `/openapi.json` and `/openapi-3.0.json` (default: yes).
    pub fn docs(mut self, enabled: bool) -> Self {
        self.docs = enabled;
        self
    }

    /// Registers a resource: its table, routes and document entries.
    pub fn resource<R: Resource>(self) -> Self {
        self.register::<R>(None)
    }

    /// Registers a resource whose routes get their own layers, inside the app's:
    ///
    /// ```
    /// # use ferrest::prelude::*;
    /// # #[derive(Resource)] pub struct Book { #[rest(id)] pub id: i64 }
    /// use std::time::Duration;
    /// let app = ferrest::App::new().resource_with::<Book>(|routes| {
    ///     routes.layer(ferrest::layers::timeout::TimeoutLayer::with_status_code(
    ///         axum::http::StatusCode::SERVICE_UNAVAILABLE,
    ///         Duration::from_secs(2),
    ///     ))
    /// });
    /// ```
    pub fn resource_with<R: Resource>(
        self,
        wrap: impl FnOnce(Router<AppState>) -> Router<AppState> + Send + 'static,
    ) -> Self {
        self.register::<R>(Some(Box::new(wrap)))
    }

    fn register<R: Resource>(mut self, wrap: Option<Wrap>) -> Self {
        R::spec().compile_patterns();
        self.resources.push(Registration {
            spec: R::spec(),
            routes: crate::http::crud::routes::<R>,
            wrap,
            register: |builder| builder.register(<R::Entity as Default>::default()),
            declare: |backend| {
                let schema = sea_orm::Schema::new(backend);
                let entity = <R::Entity as Default>::default();
                (
                    schema.create_table_from_entity(entity),
                    schema.create_index_from_entity(entity),
                )
            },
        });
        // The resource's `#[ferrest::endpoints]` block comes with it: its hooks
        // guard the resource's own operations.
        match R::endpoint_block() {
            Some(block) => self.endpoint_block(block()),
            None => self,
        }
    }

    /// Adds a tower layer around every route, inside the built-in ones (request id,
    /// tracing, panics, timeout, compression, CORS), so its responses get them too.
    ///
    /// ```
    /// let app = ferrest::App::new().layer(axum::middleware::map_response(
    ///     |mut response: axum::response::Response| async move {
    ///         response.headers_mut().insert("x-served-by", "ferrest".parse().unwrap());
    ///         response
    ///     },
    /// ));
    /// ```
    pub fn layer<L>(mut self, layer: L) -> Self
    where
        L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Response: IntoResponse + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.middleware
            .layers
            .push(crate::http::middleware::wrap(layer));
        self
    }

    /// How long a request may run before it is answered with `503` and code
    /// `timeout` (default 30 seconds, `FERREST_TIMEOUT_SECS`); `None` never times out.
    pub fn timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.middleware.timeout = timeout;
        self
    }

    /// Idempotency keys on `POST` (default: on, answers kept 24 hours): see the
    /// guide's "Idempotency keys" and [`Idempotency`](crate::idempotency::Idempotency).
    pub fn idempotency(mut self, idempotency: Option<crate::idempotency::Idempotency>) -> Self {
        self.idempotency = idempotency;
        self
    }

    /// Compress responses for clients that accept gzip (default: yes).
    #[cfg(feature = "compression")]
    #[cfg_attr(docsrs, doc(cfg(feature = "compression")))]
    pub fn compression(mut self, enabled: bool) -> Self {
        self.middleware.compression = enabled;
        self
    }

    /// Answers cross-origin requests as `cors` allows. Without it, responses carry no
    /// CORS headers, so browsers refuse cross-origin calls.
    ///
    /// ```
    /// use ferrest::layers::cors::CorsLayer;
    /// let app = ferrest::App::new().cors(
    ///     CorsLayer::new().allow_origin(["https://shop.example".parse().unwrap()]),
    /// );
    /// ```
    pub fn cors(mut self, cors: CorsLayer) -> Self {
        self.middleware.cors = Some(cors);
        self
    }

    /// Adds a way to authenticate requests; they are tried in the order added, and the
    /// first that recognises a request's credentials decides.
    ///
    /// ```
    /// use ferrest::auth::{ApiKeys, Jwt, Principal};
    /// let app = ferrest::App::new()
    ///     .authenticate(Jwt::hs256("a secret of at least 32 bytes, at random"))
    ///     .authenticate(ApiKeys::new().key("k3y", Principal::new("ci").with_roles(["admin"])));
    /// ```
    pub fn authenticate(mut self, authenticator: impl Authenticator) -> Self {
        self.authenticators.push(Box::new(authenticator));
        self
    }

    /// Lets browsers call from these origins (comma separated, like
    /// `FERREST_CORS_ORIGINS`) with every method, credentials, and the headers ferrest
    /// reads and sends; other origins stay refused. A malformed origin stops the app at
    /// startup.
    ///
    /// ```
    /// let app = ferrest::App::new().cors_origins("https://shop.example, https://admin.shop.example");
    /// ```
    pub fn cors_origins(mut self, origins: &str) -> Self {
        match crate::http::middleware::cors_for(origins) {
            Ok(cors) => self.middleware.cors = Some(cors),
            Err(e) => self.config_errors.push(e),
        }
        self
    }

    /// Limits every caller to `limit` requests on the app's routes (`/docs` aside),
    /// on top of the limits of resources and endpoints; `FERREST_RATE_LIMIT`. A caller
    /// is its principal when authenticated, else its client address. Past the limit,
    /// requests get `429` with `Retry-After`; every limited response carries
    /// `RateLimit-Policy` and `RateLimit` headers.
    ///
    /// ```
    /// let app = ferrest::App::new().rate_limit("600/minute".parse().unwrap());
    /// ```
    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Keeps rate-limit counts in Redis (`redis://127.0.0.1:6379`, `FERREST_REDIS_URL`),
    /// so instances behind a load balancer share them; by default each process counts
    /// on its own. The app does not start when Redis cannot be reached; later, while
    /// Redis fails, requests are counted in process: after 3 failures in a row a
    /// circuit breaker stops asking Redis for 5 s (logged once), then one request
    /// asks again, so an outage neither fails requests nor holds them up.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn rate_limit_redis(mut self, url: impl Into<String>) -> Self {
        self.redis_url = Some(url.into());
        self
    }

    /// Counts anonymous callers by the last `X-Forwarded-For` address (the one the
    /// nearest proxy added) instead of the socket's: behind a load balancer, set it
    /// (`FERREST_TRUST_FORWARDED_FOR=true`); without one, it would let clients choose
    /// their own address.
    pub fn trust_forwarded_for(mut self, trust: bool) -> Self {
        self.trust_forwarded_for = trust;
        self
    }

    /// Send `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` and a
    /// `Content-Security-Policy` ([`API_CSP`](crate::API_CSP), [`DOCS_CSP`](crate::DOCS_CSP)
    /// for `/docs`) on every response that does not set its own (default: yes).
    pub fn security_headers(mut self, enabled: bool) -> Self {
        self.middleware.security_headers = enabled;
        self
    }

    /// Registers the operations of an `#[ferrest::endpoints]` impl block: its routes,
    /// and their operations in the document. A resource's own block is registered
    /// with the resource by [`App::resource`]; this is for blocks on other types
    /// (registering a block twice registers it once).
    pub fn endpoints<T: Endpoints>(self) -> Self {
        self.endpoint_block(EndpointBlock::of::<T>())
    }

    fn endpoint_block(mut self, block: EndpointBlock) -> Self {
        if !self.endpoints.iter().any(|b| b.name == block.name) {
            self.endpoints.push(block);
        }
        self
    }

    /// Merges a hand-written router and the document of its operations (as utoipa's
    /// `OpenApiRouter::split_for_parts` gives them): its routes get the app's state and
    /// layers, its operations and schemas join the app's document.
    ///
    /// ```
    /// use utoipa::openapi::{OpenApi, path::{HttpMethod, OperationBuilder, PathItem}};
    /// let router = axum::Router::new().route("/health", axum::routing::get(|| async { "ok" }));
    /// let mut document = OpenApi::default();
    /// document.paths.paths.insert(
    ///     "/health".into(),
    ///     PathItem::new(HttpMethod::Get, OperationBuilder::new().operation_id(Some("health"))),
    /// );
    /// let app = ferrest::App::new().router(router, document);
    /// assert!(app.openapi().paths.paths.contains_key("/health"));
    /// ```
    pub fn router(mut self, router: Router<AppState>, document: OpenApi) -> Self {
        self.routers.push((router, document));
        self
    }

    /// The OpenAPI 3.1 document, without touching the database.
    pub fn openapi(&self) -> OpenApi {
        let specs: Vec<_> = self.resources.iter().map(|r| r.spec).collect();
        let mut document = crate::openapi::document(
            &self.title,
            &self.version,
            self.description.as_deref(),
            &specs,
        );
        for block in &self.endpoints {
            for endpoint in &block.endpoints {
                let item = crate::openapi::endpoints::path_item(endpoint);
                match document.paths.paths.get_mut(endpoint.path) {
                    Some(existing) => existing.merge_operations(item),
                    None => {
                        document.paths.paths.insert(endpoint.path.to_owned(), item);
                    }
                }
            }
        }
        for hooks in self.endpoints.iter().filter_map(|b| b.hooks.as_ref()) {
            crate::openapi::hooks::document_errors(&mut document, hooks, &specs);
        }
        crate::openapi::security::document(
            &mut document,
            &self.authenticators,
            &self.guarded_operations(),
        );
        crate::openapi::security::document_rate_limits(
            &mut document,
            self.rate_limit,
            &self.guarded_operations(),
        );
        for (_, extra) in &self.routers {
            document.merge(extra.clone());
        }
        if let Some(idempotency) = self.idempotency {
            crate::openapi::idempotency::document(&mut document, idempotency);
        }
        crate::openapi::document_retry_after(&mut document);
        document
    }

    /// The document as pretty-printed JSON with a final newline, as
    /// `/openapi.json` (3.1) or `/openapi-3.0.json` (3.0.3) serve it, without a server
    /// or a database: for committing the document and generating clients from it.
    ///
    /// ```
    /// let app = ferrest::App::new().title("Shop");
    /// let v30 = app.openapi_json(ferrest::OpenApiVersion::V3_0)?;
    /// assert!(v30.contains("\"openapi\": \"3.0.3\""));
    /// # Ok::<(), ferrest::Error>(())
    /// ```
    pub fn openapi_json(&self, version: crate::OpenApiVersion) -> Result<String, Error> {
        let v31 = serde_json::to_value(self.openapi())
            .map_err(|e| Error::Config(format!("the document does not serialize: {e}")))?;
        let document = match version {
            crate::OpenApiVersion::V3_1 => v31,
            crate::OpenApiVersion::V3_0 => crate::openapi::to_openapi_30(&v31),
        };
        let text = serde_json::to_string_pretty(&document)
            .map_err(|e| Error::Config(format!("the document does not serialize: {e}")))?;
        Ok(format!("{text}\n"))
    }

    /// Every generated and declared operation with the permissions it checks.
    pub(crate) fn guarded_operations(&self) -> Vec<crate::openapi::security::Guarded<'_>> {
        let mut operations = Vec::new();
        for resource in &self.resources {
            for route in crate::http::crud::operation_routes(resource.spec) {
                operations.push(crate::openapi::security::Guarded {
                    method: route.method,
                    path: route.path,
                    permissions: route.permissions,
                    rate_limit: resource.spec.rate_limit,
                });
            }
        }
        for endpoint in self.endpoints.iter().flat_map(|b| &b.endpoints) {
            operations.push(crate::openapi::security::Guarded {
                method: endpoint.method,
                path: endpoint.path.to_owned(),
                permissions: vec![endpoint.permission],
                rate_limit: endpoint.rate_limit,
            });
        }
        operations
    }

    /// Connects, creates missing tables and columns, and returns the router.
    pub async fn into_router(self) -> Result<Router, Error> {
        let db = connect(&self.database_url).await?;
        self.router_on(db).await
    }

    /// Like [`App::into_router`], on an existing connection.
    pub async fn router_on(self, db: DatabaseConnection) -> Result<Router, Error> {
        self.check_registrations()?;
        self.schema_start(db.get_database_backend())?
            .run(&db)
            .await?;
        if self.idempotency.is_some() {
            crate::idempotency::create_table(&db).await?;
        }
        let mut router: Router<AppState> = Router::new();
        let full = self.openapi();
        // The operations that take idempotency keys: the document's `POST`s, which
        // list the header.
        let post_paths: std::collections::HashSet<String> = full
            .paths
            .paths
            .iter()
            .filter(|(_, item)| item.post.is_some())
            .map(|(path, _)| path.clone())
            .collect();
        let document = self.docs.then_some(full);
        // Whether the limiter must join each request for the routes' own limits.
        let routes_limited = self
            .guarded_operations()
            .iter()
            .any(|operation| operation.rate_limit.is_some());
        for resource in self.resources {
            let routes = (resource.routes)();
            router = router.merge(match resource.wrap {
                Some(wrap) => wrap(routes),
                None => routes,
            });
        }
        for block in &self.endpoints {
            router = router.merge((block.routes)());
        }
        for (extra, _) in self.routers {
            router = router.merge(extra);
        }
        if let Some(document) = document {
            router = router.merge(docs_routes(document));
        }
        let router = router
            .fallback(not_found)
            // Must follow every route: axum applies it to the routes present now.
            .method_not_allowed_fallback(method_not_allowed);
        let hooks: Vec<HookSet> = self.endpoints.into_iter().filter_map(|b| b.hooks).collect();
        let auth = std::sync::Arc::new(crate::auth::Auth::new(self.authenticators));
        let store = match &self.redis_url {
            #[cfg(feature = "redis")]
            Some(url) => crate::rate_limit::Store::redis(url)
                .await
                .map_err(Error::Config)?,
            #[cfg(not(feature = "redis"))]
            Some(_) => {
                return Err(Error::Config(
                    "FERREST_REDIS_URL is set, but this build of ferrest has no Redis client: \
                     enable its `redis` feature"
                        .to_owned(),
                ));
            }
            None => crate::rate_limit::Store::memory(),
        };
        let limiter = std::sync::Arc::new(crate::rate_limit::Limiter {
            store,
            trust_forwarded_for: self.trust_forwarded_for,
            app: self.rate_limit,
            routes_limited,
        });
        let keys = self.idempotency.map(|settings| {
            let keys = crate::idempotency::Keys::new(
                db.clone(),
                settings,
                self.middleware.timeout,
                post_paths,
            );
            std::sync::Arc::new(keys)
        });
        Ok(self
            .middleware
            .apply(router, auth, limiter, keys)
            .with_state(AppState {
                storage: crate::validate::Storage::of(db.get_database_backend()),
                db,
                hooks: std::sync::Arc::new(HookRegistry::new(&hooks)),
            }))
    }
}

fn docs_routes(document: OpenApi) -> Router<AppState> {
    let v31 = serde_json::to_value(&document).expect("the document serializes");
    let v30 = crate::openapi::to_openapi_30(&v31);
    let documents = Router::new()
        .route("/openapi.json", get(move || async move { axum::Json(v31) }))
        .route(
            "/openapi-3.0.json",
            get(move || async move { axum::Json(v30) }),
        );
    #[cfg(feature = "swagger-ui")]
    let documents = {
        let swagger = utoipa_swagger_ui::SwaggerUi::new("/docs")
            .config(utoipa_swagger_ui::Config::new(["/openapi.json"]).validator_url("none"));
        // Swagger UI's own router answers unknown assets with an empty 404.
        documents.merge(
            Router::new()
                .merge(swagger)
                .layer(axum::middleware::map_response(
                    crate::http::middleware::bare_error_as_problem,
                )),
        )
    };
    documents
}

async fn not_found(uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "route_not_found",
        format!("no route for `{}`", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("`{method}` is not allowed on `{}`", uri.path()),
    )
    .into_response()
}
