//! Lifecycle hooks: methods of a resource's `#[ferrest::endpoints]` block marked
//! `#[rest(before_create)]`, `after_create`, `before_update`, `after_update`,
//! `before_delete`, `after_delete` or `read_filter`. The macro records them in a
//! [`Hooks`]; the app keeps one per resource, and the CRUD operations (and
//! `Ctx::update`/`Ctx::delete`) run them, writes in one transaction with their hooks.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use sea_orm::Condition;

use crate::ctx::Ctx;
use crate::problem::{ApiError, ErrorResponse, ErrorResponses};
use crate::resource::Resource;
use crate::spec::ResourceSpec;

/// What a hook's wrapper returns: the hook's outcome, its error made a problem.
pub type HookFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

/// `before_create(ctx, &mut BookCreate)`: may change the values to insert.
pub type BeforeCreate<R> =
    for<'a> fn(&'a Ctx, &'a mut <R as Resource>::Create) -> HookFuture<'a, ()>;
/// `before_update(ctx, &current, &mut BookUpdate)`: may change the changes.
pub type BeforeUpdate<R> =
    for<'a> fn(&'a Ctx, &'a R, &'a mut <R as Resource>::Update) -> HookFuture<'a, ()>;
/// `after_create`, `after_update`, `before_delete`, `after_delete`: `(ctx, &row)`.
pub type OnRow<R> = for<'a> fn(&'a Ctx, &'a R) -> HookFuture<'a, ()>;
/// `read_filter(ctx)`: the condition every row served must meet.
pub type ReadFilter = for<'a> fn(&'a Ctx) -> HookFuture<'a, Condition>;

/// The CRUD operations a hook runs in, for the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stage {
    /// `POST /books`.
    Create,
    /// `PATCH /books/{id}`.
    Update,
    /// `DELETE /books/{id}`.
    Delete,
    /// Every operation that finds rows: list, get, update, delete, nested lists.
    Read,
}

/// The hooks of one resource, in declaration order per kind.
pub struct Hooks<R: Resource> {
    pub(crate) before_create: Vec<BeforeCreate<R>>,
    pub(crate) after_create: Vec<OnRow<R>>,
    pub(crate) before_update: Vec<BeforeUpdate<R>>,
    pub(crate) after_update: Vec<OnRow<R>>,
    pub(crate) before_delete: Vec<OnRow<R>>,
    pub(crate) after_delete: Vec<OnRow<R>>,
    pub(crate) read_filter: Vec<ReadFilter>,
    errors: Vec<(Stage, Vec<ErrorResponse>)>,
}

impl<R: Resource> Default for Hooks<R> {
    fn default() -> Self {
        Hooks {
            before_create: Vec::new(),
            after_create: Vec::new(),
            before_update: Vec::new(),
            after_update: Vec::new(),
            before_delete: Vec::new(),
            after_delete: Vec::new(),
            read_filter: Vec::new(),
            errors: Vec::new(),
        }
    }
}

impl<R: Resource> Hooks<R> {
    /// No hooks.
    pub fn new() -> Self {
        Self::default()
    }

    fn errors(mut self, stage: Stage, errors: Vec<ErrorResponse>) -> Self {
        self.errors.push((stage, errors));
        self
    }

    /// Adds a `before_create` hook that can answer `errors`.
    pub fn before_create(mut self, hook: BeforeCreate<R>, errors: Vec<ErrorResponse>) -> Self {
        self.before_create.push(hook);
        self.errors(Stage::Create, errors)
    }

    /// Adds an `after_create` hook.
    pub fn after_create(mut self, hook: OnRow<R>, errors: Vec<ErrorResponse>) -> Self {
        self.after_create.push(hook);
        self.errors(Stage::Create, errors)
    }

    /// Adds a `before_update` hook.
    pub fn before_update(mut self, hook: BeforeUpdate<R>, errors: Vec<ErrorResponse>) -> Self {
        self.before_update.push(hook);
        self.errors(Stage::Update, errors)
    }

    /// Adds an `after_update` hook.
    pub fn after_update(mut self, hook: OnRow<R>, errors: Vec<ErrorResponse>) -> Self {
        self.after_update.push(hook);
        self.errors(Stage::Update, errors)
    }

    /// Adds a `before_delete` hook.
    pub fn before_delete(mut self, hook: OnRow<R>, errors: Vec<ErrorResponse>) -> Self {
        self.before_delete.push(hook);
        self.errors(Stage::Delete, errors)
    }

    /// Adds an `after_delete` hook.
    pub fn after_delete(mut self, hook: OnRow<R>, errors: Vec<ErrorResponse>) -> Self {
        self.after_delete.push(hook);
        self.errors(Stage::Delete, errors)
    }

    /// Adds a `read_filter` hook.
    pub fn read_filter(mut self, hook: ReadFilter, errors: Vec<ErrorResponse>) -> Self {
        self.read_filter.push(hook);
        self.errors(Stage::Read, errors)
    }

    /// Whether a write of this stage runs hooks, and so a transaction.
    pub(crate) fn on(&self, stage: Stage) -> bool {
        match stage {
            Stage::Create => !self.before_create.is_empty() || !self.after_create.is_empty(),
            Stage::Update => !self.before_update.is_empty() || !self.after_update.is_empty(),
            Stage::Delete => !self.before_delete.is_empty() || !self.after_delete.is_empty(),
            Stage::Read => !self.read_filter.is_empty(),
        }
    }

    /// The hooks, type-erased for the app's registry.
    pub fn into_set(mut self) -> HookSet {
        HookSet {
            type_id: TypeId::of::<R>(),
            spec: R::spec(),
            errors: std::mem::take(&mut self.errors),
            hooks: Arc::new(self),
        }
    }
}

/// The hooks of one resource, as `App::endpoints` registers them.
pub struct HookSet {
    type_id: TypeId,
    pub(crate) spec: &'static ResourceSpec,
    /// What each hook can answer, by the stage it runs in.
    pub(crate) errors: Vec<(Stage, Vec<ErrorResponse>)>,
    hooks: Arc<dyn Any + Send + Sync>,
}

/// Every resource's hooks, by resource type.
#[derive(Default)]
pub(crate) struct HookRegistry {
    by_type: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
    /// Whether any resource has a read filter: every operation that finds rows, of any
    /// resource (includes, nested lists, foreign keys), may then run one.
    read_filters: bool,
}

impl std::fmt::Debug for HookRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HookRegistry({} resources)", self.by_type.len())
    }
}

impl HookRegistry {
    pub(crate) fn new(sets: &[HookSet]) -> Self {
        HookRegistry {
            by_type: sets.iter().map(|s| (s.type_id, s.hooks.clone())).collect(),
            // Every hook a set registers adds its stage to `errors`, even one that
            // cannot fail.
            read_filters: sets
                .iter()
                .any(|s| s.errors.iter().any(|(stage, _)| *stage == Stage::Read)),
        }
    }

    /// Whether an operation on `R` at `stage` may run a hook.
    pub(crate) fn may_run<R: Resource>(&self, stage: Stage) -> bool {
        self.read_filters || self.of::<R>().is_some_and(|hooks| hooks.on(stage))
    }

    pub(crate) fn of<R: Resource>(&self) -> Option<&Hooks<R>> {
        self.by_type
            .get(&TypeId::of::<R>())
            .and_then(|h| h.downcast_ref())
    }
}

/// The return type of a hook: `()`, `Result<(), E>` with `E` a typed error or
/// `ApiError`, and for a read filter `Condition` or `Result<Condition, E>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not what a hook returns",
    note = "return `Result<(), E>` (`Result<Condition, E>` for `read_filter`) with `E` an `ApiError` or a `#[derive(ApiError)]` enum, or `()` (`Condition`) when the hook cannot fail"
)]
pub trait HookOutput<T> {
    /// The outcome, with the error made a problem.
    fn into_result(self) -> Result<T, ApiError>;
    /// What the error can be, for the document.
    fn errors() -> Vec<ErrorResponse>;
}

impl HookOutput<()> for () {
    fn into_result(self) -> Result<(), ApiError> {
        Ok(())
    }
    fn errors() -> Vec<ErrorResponse> {
        Vec::new()
    }
}

impl HookOutput<Condition> for Condition {
    fn into_result(self) -> Result<Condition, ApiError> {
        Ok(self)
    }
    fn errors() -> Vec<ErrorResponse> {
        Vec::new()
    }
}

/// An error a hook can return: `ApiError` or a `#[derive(ApiError)]` enum. One trait,
/// so a wrong error type is one compile error.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a typed error",
    note = "add `#[derive(ApiError)]` to `{Self}`, or return `ferrest::ApiError`"
)]
pub trait TypedError: ErrorResponses {
    /// The problem it renders as.
    fn into_problem(self) -> ApiError;
}

impl TypedError for ApiError {
    fn into_problem(self) -> ApiError {
        self
    }
}

impl<T, E: TypedError> HookOutput<T> for Result<T, E> {
    fn into_result(self) -> Result<T, ApiError> {
        self.map_err(TypedError::into_problem)
    }
    fn errors() -> Vec<ErrorResponse> {
        E::responses()
    }
}

impl Ctx {
    pub(crate) fn hooks_of<R: Resource>(&self) -> Option<&Hooks<R>> {
        self.hooks.of::<R>()
    }

    /// The condition of `R`'s ownership and read filters for a read, if it has any.
    pub(crate) async fn read_scope<R: Resource>(&self) -> Result<Option<Condition>, ApiError> {
        self.scope::<R>(false).await
    }

    /// [`Ctx::read_scope`] for the lookup of an update or delete: ownership may limit
    /// writes only.
    pub(crate) async fn write_scope<R: Resource>(&self) -> Result<Option<Condition>, ApiError> {
        self.scope::<R>(true).await
    }

    async fn scope<R: Resource>(&self, writing: bool) -> Result<Option<Condition>, ApiError> {
        let owned = crate::auth::owner::scope(self, R::spec(), writing);
        let Some(hooks) = self.hooks_of::<R>().filter(|h| h.on(Stage::Read)) else {
            return Ok(owned);
        };
        let mut scope = owned.unwrap_or_else(Condition::all);
        for filter in &hooks.read_filter {
            scope = scope.add(filter(self).await?);
        }
        Ok(Some(scope))
    }
}
