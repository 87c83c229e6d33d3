//! What `#[ferrest::endpoints]` implements: the routes and operations of an impl
//! block, and how registering a resource finds its block.

use utoipa::openapi::{RefOr, Schema};

use crate::db::AppState;
use crate::hooks::HookSet;
use crate::spec::access::Permission;
use crate::spec::rate::RateLimit;

/// A response of an endpoint, in the document: `(status, response)`.
pub type DocumentedResponse = (String, utoipa::openapi::Response);

/// One operation of an `#[ferrest::endpoints]` block, recorded by the macro.
#[derive(Clone)]
pub struct Endpoint {
    /// `get`, `post`, `put`, `patch` or `delete`.
    pub method: &'static str,
    /// The route, with `{param}` placeholders.
    pub path: &'static str,
    /// `operationId`: the method's name in camelCase unless given.
    pub operation_id: &'static str,
    /// The tag: the one given, else the type's name in the plural.
    pub tag: &'static str,
    /// First paragraph of the doc comment.
    pub summary: Option<&'static str>,
    /// The rest of the doc comment.
    pub description: Option<&'static str>,
    /// Each path parameter with its schema.
    pub path_parameters: Vec<(&'static str, RefOr<Schema>)>,
    /// The parameters of a `Query<T>` argument.
    pub query_parameters: Vec<utoipa::openapi::path::Parameter>,
    /// The JSON body's schema, if the method reads one.
    pub body: Option<RefOr<Schema>>,
    /// The responses of the return type.
    pub responses: Vec<DocumentedResponse>,
    /// Who may call it: `auth = ...`, `authenticated` for a method that takes a
    /// [`Principal`](crate::auth::Principal), public otherwise.
    pub permission: Permission,
    /// `rate_limit = "5/minute"`: what one caller may send to this operation.
    pub rate_limit: Option<RateLimit>,
}

/// An `#[ferrest::endpoints]` impl block: its routes and their operations.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no endpoints",
    note = "add `#[ferrest::endpoints]` to an `impl {Self}` block whose methods have `#[rest(get = \"/path\")]`"
)]
pub trait Endpoints: 'static {
    /// The routes, one per method.
    fn routes() -> axum::Router<AppState>;
    /// The operations, in declaration order.
    fn endpoints() -> Vec<Endpoint>;
    /// The lifecycle hooks, when the type is a resource that declares some.
    fn hooks() -> Option<HookSet> {
        None
    }
}

/// Finds, at compile time, the `#[ferrest::endpoints]` block of a resource, so that
/// registering the resource registers its endpoints and hooks with it: a hook that
/// guards deletes, or a read filter that hides rows, cannot be left out by forgetting
/// a line. `#[derive(Resource)]` calls `(&EndpointsProbe::<Self>::new()).block()`;
/// method resolution takes [`HasEndpoints`] when the type implements [`Endpoints`],
/// else the autoref'd [`NoEndpoints`] (the "autoref specialization" technique, which
/// needs no link-time registry).
#[doc(hidden)]
pub struct EndpointsProbe<T>(std::marker::PhantomData<fn() -> T>);

impl<T> EndpointsProbe<T> {
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        EndpointsProbe(std::marker::PhantomData)
    }
}

/// The block a probe found, for `App::resource` to register with the resource.
#[doc(hidden)]
pub type RegisterBlock = fn() -> EndpointBlock;

#[doc(hidden)]
pub trait HasEndpoints {
    fn block(&self) -> Option<RegisterBlock>;
}

impl<T: Endpoints> HasEndpoints for EndpointsProbe<T> {
    fn block(&self) -> Option<RegisterBlock> {
        Some(EndpointBlock::of::<T>)
    }
}

#[doc(hidden)]
pub trait NoEndpoints {
    fn block(&self) -> Option<RegisterBlock>;
}

impl<T> NoEndpoints for &EndpointsProbe<T> {
    fn block(&self) -> Option<RegisterBlock> {
        None
    }
}

/// A registered `#[ferrest::endpoints]` block.
#[doc(hidden)]
pub struct EndpointBlock {
    pub(crate) name: &'static str,
    pub(crate) routes: fn() -> axum::Router<AppState>,
    pub(crate) endpoints: Vec<Endpoint>,
    pub(crate) hooks: Option<HookSet>,
}

impl EndpointBlock {
    /// The block of `T`, named by its type.
    pub(crate) fn of<T: Endpoints>() -> Self {
        EndpointBlock {
            name: std::any::type_name::<T>(),
            routes: T::routes,
            endpoints: T::endpoints(),
            hooks: T::hooks(),
        }
    }
}
