//! `Ctx`: what endpoint methods and lifecycle hooks receive. Its `db` is the pool, or
//! the transaction a write and its hooks share, behind one type that sea-orm queries
//! accept, so a hook's own statements commit or roll back with the write.

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, Method};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    ExecResult, IsolationLevel, QueryResult, SqliteTransactionMode, Statement, TransactionError,
    TransactionOptions, TransactionTrait,
};

use crate::auth::{Caller, Principal};
use crate::db::AppState;
use crate::hooks::{HookRegistry, Stage};
use crate::precondition::IfMatch;
use crate::problem::ApiError;
use crate::resource::Resource;
use crate::validate::{Storage, Write};

/// The request's context: the database, the request's headers and extensions, and
/// the resources' lifecycle hooks.
///
/// ```
/// use ferrest::Ctx;
/// use ferrest::sea_orm::ConnectionTrait;
///
/// async fn backend(ctx: Ctx) -> String {
///     format!("{:?}", ctx.db.get_database_backend())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The connection pool, or inside a hook the write's transaction; sea-orm queries
    /// run on `&ctx.db`.
    pub db: Db,
    pub(crate) storage: Storage,
    pub(crate) hooks: Arc<HookRegistry>,
    /// `None` where nothing reads it: a CRUD operation that runs no hook.
    request: Option<Arc<Request>>,
    /// Who sent the request.
    pub(crate) caller: Caller,
    /// The request's idempotency key, which its writes mark applied as they commit.
    pub(crate) idempotency: Option<crate::idempotency::Reservation>,
}

/// What the spec's `Loader` receives (see `spec::RequestContext`).
impl crate::spec::RequestContext for crate::spec::Runtime {
    type Ctx = Ctx;
}

#[derive(Debug, Default)]
struct Request {
    headers: HeaderMap,
    extensions: Extensions,
}

impl Ctx {
    /// A context on the pool for the request with these extensions, without the
    /// request's headers.
    fn of(state: &AppState, extensions: &Extensions) -> Self {
        Ctx {
            db: Db(Connection::Pool(state.db.clone())),
            storage: state.storage,
            hooks: state.hooks.clone(),
            request: None,
            caller: Caller::of(extensions),
            idempotency: extensions.get().cloned(),
        }
    }

    /// The authenticated caller, `None` when the request is anonymous (or there is no
    /// request: a context made for a test or a task).
    pub fn principal(&self) -> Option<&Principal> {
        self.caller.principal.as_deref()
    }

    fn request(&self) -> &Request {
        static NONE: std::sync::LazyLock<Request> = std::sync::LazyLock::new(Request::default);
        self.request.as_deref().unwrap_or(&NONE)
    }

    /// The request's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.request().headers
    }

    /// The request's extensions: what layers in front of the handler attached to it.
    pub fn extensions(&self) -> &Extensions {
        &self.request().extensions
    }

    /// Starts a transaction (a savepoint inside one): the returned context's `db`
    /// runs in it until [`Ctx::commit`]; dropped without a commit, it rolls back.
    ///
    /// ```
    /// # use ferrest::{ApiError, Ctx};
    /// async fn transfer(ctx: Ctx) -> Result<(), ApiError> {
    ///     let tx = ctx.begin().await?;
    ///     // ... statements on `&tx.db` ...
    ///     tx.commit().await
    /// }
    /// ```
    pub async fn begin(&self) -> Result<Ctx, ApiError> {
        // On SQLite a transaction takes the write lock at once: one that reads first
        // and writes later would fail at once, not wait, when another writer came in
        // between. Other backends ignore the mode; inside a transaction it is a
        // savepoint.
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        };
        let transaction = self.db.begin_with_options(options).await?;
        Ok(Ctx {
            db: Db(Connection::Transaction(
                Arc::new(transaction),
                self.db.pool().clone(),
            )),
            ..self.clone()
        })
    }

    /// This context outside its transaction: on the pool.
    pub(crate) fn on_pool(&self) -> Ctx {
        Ctx {
            db: Db(Connection::Pool(self.db.pool().clone())),
            ..self.clone()
        }
    }

    /// Commits the transaction [`Ctx::begin`] started.
    pub async fn commit(self) -> Result<(), ApiError> {
        crate::idempotency::mark_applied(&self).await?;
        match self.into_transaction()? {
            Some(transaction) => Ok(transaction.commit().await?),
            None => Ok(()),
        }
    }

    /// Rolls back the transaction [`Ctx::begin`] started.
    pub async fn rollback(self) -> Result<(), ApiError> {
        match self.into_transaction()? {
            Some(transaction) => Ok(transaction.rollback().await?),
            None => Ok(()),
        }
    }

    pub(crate) fn into_transaction(self) -> Result<Option<DatabaseTransaction>, ApiError> {
        let Connection::Transaction(shared, _) = self.db.0 else {
            return Ok(None);
        };
        // A clone of this context still alive (kept by a spawned task, say) would
        // write outside the transaction's end; refuse rather than guess.
        Arc::try_unwrap(shared).map(Some).map_err(|_| {
            tracing::error!(
                "a clone of a transaction's Ctx outlived it; the transaction rolls back"
            );
            ApiError::internal()
        })
    }

    /// The `R` with this id, or a `404` problem; a row its read filter hides is
    /// missing too.
    pub async fn get<R: Resource>(&self, id: R::Id) -> Result<R, ApiError> {
        crate::write::find::<R>(self, id).await.map(R::from_model)
    }

    /// Inserts `input` as a `POST` does: the same validation (a `422` listing each
    /// failing field), the create hooks in one transaction with the insert, a foreign
    /// key that points nowhere is a `422`. Returns the stored row.
    pub async fn create<R: Resource>(&self, input: R::Create) -> Result<R, ApiError> {
        let (spec, mode) = (R::spec(), Write::Create);
        crate::validate::typed::check_typed(
            self.storage,
            spec,
            &input,
            mode,
            R::create_passes,
            R::check_create,
        )?;
        crate::write::create::<R>(self, input)
            .await
            .map(R::from_model)
    }

    /// Applies `changes` to the `R` with this id as a `PATCH` does: the same validation,
    /// the update hooks in one transaction with the write, absent fields stay,
    /// `updated_at` is stamped when something changed. Returns the stored row.
    pub async fn update<R: Resource>(&self, id: R::Id, changes: R::Update) -> Result<R, ApiError> {
        let (spec, mode) = (R::spec(), Write::Update);
        crate::validate::typed::check_typed(
            self.storage,
            spec,
            &changes,
            mode,
            R::update_passes,
            R::check_update,
        )?;
        crate::write::update::<R>(self, id, changes, &IfMatch::Absent)
            .await
            .map(R::from_model)
    }

    /// Reads the `R` with this id, lets `change` decide the changes from it, and
    /// writes them as [`Ctx::update`] does, all in one transaction with the row
    /// locked from the read to the commit (`SELECT ... FOR UPDATE` on PostgreSQL and
    /// MySQL; on SQLite the transaction holds the write lock). Concurrent calls on one
    /// row therefore run one after the other, each seeing the previous one's write:
    /// ten concurrent 50 % discounts halve the price ten times, and of concurrent
    /// publishes one succeeds and the others see the book published. Reading with
    /// [`Ctx::get`] and then writing with [`Ctx::update`] would let them overwrite
    /// each other. `change`'s error rolls back and is returned as it is; a missing row
    /// is a `404`.
    ///
    /// ```
    /// # use ferrest::prelude::*;
    /// # #[derive(Resource)] pub struct Book { #[rest(id)] pub id: i64, pub price_cents: i64 }
    /// async fn halve(ctx: Ctx, id: i64) -> Result<Book, ApiError> {
    ///     ctx.modify::<Book, ApiError>(id, |book| {
    ///         Ok(BookUpdate { price_cents: Some(book.price_cents / 2), ..BookUpdate::default() })
    ///     })
    ///     .await
    /// }
    /// ```
    pub async fn modify<R, E>(
        &self,
        id: R::Id,
        change: impl FnOnce(&R) -> Result<R::Update, E> + Send,
    ) -> Result<R, E>
    where
        R: Resource,
        E: From<ApiError>,
    {
        let tx = self.begin().await?;
        let current = crate::write::find_locked::<R>(&tx, id).await?;
        // On an error, dropping `tx` rolls the transaction back.
        let changes = change(&R::from_model(current.clone()))?;
        let (spec, mode) = (R::spec(), Write::Update);
        crate::validate::typed::check_typed(
            tx.storage,
            spec,
            &changes,
            mode,
            R::update_passes,
            R::check_update,
        )?;
        // Written over the row read and locked above, not read again.
        let stored =
            crate::write::update_locked::<R>(&tx, current, changes, &IfMatch::Absent).await?;
        tx.commit().await?;
        Ok(R::from_model(stored))
    }

    /// Deletes the `R` with this id as `DELETE` does, with its delete hooks; a `404`
    /// problem if there is none.
    pub async fn delete<R: Resource>(&self, id: R::Id) -> Result<(), ApiError> {
        crate::write::delete::<R>(self, id, &IfMatch::Absent).await
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(Ctx {
            request: Some(Arc::new(Request {
                headers: parts.headers.clone(),
                extensions: parts.extensions.clone(),
            })),
            ..Ctx::of(state, &parts.extensions)
        })
    }
}

/// The context of a generated CRUD operation on `R`. There only hooks read the
/// request, so its headers and extensions are copied only when the operation may run
/// one (its method says which stage it is).
pub(crate) struct CrudCtx<R>(pub Ctx, pub PhantomData<fn() -> R>);

impl<R: Resource> FromRequestParts<AppState> for CrudCtx<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let stage = match parts.method {
            Method::POST => Stage::Create,
            Method::PATCH | Method::PUT => Stage::Update,
            Method::DELETE => Stage::Delete,
            _ => Stage::Read,
        };
        let ctx = if state.hooks.may_run::<R>(stage) {
            Ctx::from_request_parts(parts, state).await?
        } else {
            Ctx::of(state, &parts.extensions)
        };
        Ok(CrudCtx(ctx, PhantomData))
    }
}

/// The database of a [`Ctx`]: the pool, or a transaction. sea-orm's queries and
/// `begin` take `&ctx.db` as they take a `DatabaseConnection`.
#[derive(Debug, Clone)]
pub struct Db(Connection);

/// The pool, or a transaction and the pool it came from (for what must run outside it).
#[derive(Debug, Clone)]
enum Connection {
    Pool(DatabaseConnection),
    Transaction(Arc<DatabaseTransaction>, DatabaseConnection),
}

impl Db {
    /// Whether statements run in a transaction.
    pub fn in_transaction(&self) -> bool {
        matches!(self.0, Connection::Transaction(..))
    }

    fn pool(&self) -> &DatabaseConnection {
        match &self.0 {
            Connection::Pool(pool) | Connection::Transaction(_, pool) => pool,
        }
    }
}

/// Forwards a call to the pool or the transaction.
macro_rules! forward {
    ($self:ident, $c:ident => $call:expr) => {
        match &$self.0 {
            Connection::Pool($c) => $call,
            Connection::Transaction(t, _) => {
                let $c: &DatabaseTransaction = t;
                $call
            }
        }
    };
}

#[async_trait::async_trait]
impl ConnectionTrait for Db {
    fn get_database_backend(&self) -> DbBackend {
        forward!(self, c => c.get_database_backend())
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        forward!(self, c => c.execute_raw(stmt).await)
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        forward!(self, c => c.execute_unprepared(sql).await)
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        forward!(self, c => c.query_one_raw(stmt).await)
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        forward!(self, c => c.query_all_raw(stmt).await)
    }

    fn support_returning(&self) -> bool {
        forward!(self, c => c.support_returning())
    }

    fn is_mock_connection(&self) -> bool {
        forward!(self, c => c.is_mock_connection())
    }
}

#[async_trait::async_trait]
impl TransactionTrait for Db {
    type Transaction = DatabaseTransaction;

    async fn begin(&self) -> Result<DatabaseTransaction, DbErr> {
        forward!(self, c => c.begin().await)
    }

    async fn begin_with_config(
        &self,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<DatabaseTransaction, DbErr> {
        forward!(self, c => c.begin_with_config(isolation_level, access_mode).await)
    }

    async fn begin_with_options(
        &self,
        options: TransactionOptions,
    ) -> Result<DatabaseTransaction, DbErr> {
        forward!(self, c => c.begin_with_options(options).await)
    }

    async fn transaction<F, T, E>(&self, callback: F) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>,
            > + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        forward!(self, c => c.transaction(callback).await)
    }

    async fn transaction_with_config<F, T, E>(
        &self,
        callback: F,
        isolation_level: Option<IsolationLevel>,
        access_mode: Option<AccessMode>,
    ) -> Result<T, TransactionError<E>>
    where
        F: for<'c> FnOnce(
                &'c DatabaseTransaction,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<T, E>> + Send + 'c>,
            > + Send,
        T: Send,
        E: std::fmt::Display + std::fmt::Debug + Send,
    {
        forward!(self, c => c.transaction_with_config(callback, isolation_level, access_mode).await)
    }
}
