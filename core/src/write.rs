//! Finding and writing one row, with the resource's lifecycle hooks. A write with
//! hooks runs in one transaction with them: a hook's error rolls back the write and
//! whatever the hooks wrote. Without hooks a write is one statement, as before.

use sea_orm::sea_query::{Alias, Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ActiveValue, Condition, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
    QuerySelect, SqlErr,
};

use crate::ctx::Ctx;
use crate::db::db_error;
use crate::hooks::Stage;
use crate::precondition::{IfMatch, stale, untagged};
use crate::problem::ApiError;
use crate::resource::Resource;
use crate::spec::{RelationKind, RelationSpec, ResourceSpec};

/// The row of `R` with this id that the read filters let through, or a `404`.
pub(crate) async fn find<R: Resource>(ctx: &Ctx, id: R::Id) -> Result<R::Model, ApiError> {
    find_in::<R>(ctx, id, false, false).await
}

/// The row of `R` with this id that the caller may write, locked until the
/// transaction `ctx` runs in ends: for a read-modify-write (`Ctx::modify`).
pub(crate) async fn find_locked<R: Resource>(ctx: &Ctx, id: R::Id) -> Result<R::Model, ApiError> {
    find_in::<R>(ctx, id, true, true).await
}

/// [`find`], and with `lock` the row stays locked until the transaction ends: hooks
/// decide on it, so no other write may change it meanwhile (`FOR UPDATE` on
/// PostgreSQL and MySQL; SQLite's transactions hold the write lock from the start).
async fn find_in<R: Resource>(
    ctx: &Ctx,
    id: R::Id,
    lock: bool,
    writing: bool,
) -> Result<R::Model, ApiError> {
    let mut query = R::Entity::find_by_id(id);
    let scope = if writing {
        ctx.write_scope::<R>().await?
    } else {
        ctx.read_scope::<R>().await?
    };
    if let Some(scope) = scope {
        query = query.filter(scope);
    }
    if lock {
        query = query.lock_exclusive();
    }
    query
        .one(&ctx.db)
        .await
        .map_err(|e| db_error(R::spec(), e))?
        .ok_or_else(|| not_found(R::spec()))
}

/// Inserts a validated create body: `before_create` hooks may change it first,
/// `after_create` hooks see the stored row.
pub(crate) async fn create<R: Resource>(
    ctx: &Ctx,
    mut input: R::Create,
) -> Result<R::Model, ApiError> {
    let Some(hooks) = ctx.hooks_of::<R>().filter(|h| h.on(Stage::Create)) else {
        return insert::<R>(ctx, input, Within::Caller).await;
    };
    let tx = ctx.begin().await?;
    let outcome = async {
        for hook in &hooks.before_create {
            hook(&tx, &mut input).await?;
        }
        let row = insert::<R>(&tx, input, Within::Operation).await?;
        if !hooks.after_create.is_empty() {
            let stored = R::from_model(row.clone());
            for hook in &hooks.after_create {
                hook(&tx, &stored).await?;
            }
        }
        Ok(row)
    }
    .await;
    finish(R::spec(), tx, outcome).await
}

async fn insert<R: Resource>(
    ctx: &Ctx,
    input: R::Create,
    within: Within,
) -> Result<R::Model, ApiError> {
    let mut row = R::new_row(input);
    crate::auth::owner::stamp::<R>(ctx, &mut row)?;
    let parents = parents_of::<R>(&row);
    let savepoint = savepoint(ctx, within).await?;
    let outcome = row.insert(&savepoint.as_ref().unwrap_or(ctx).db).await;
    settle(ctx, savepoint, outcome, R::spec(), parents).await
}

/// Where a write statement runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Within {
    /// The caller's connection: the pool, or a transaction that an endpoint or a hook
    /// opened and may go on with after the statement failed.
    Caller,
    /// The transaction the operation opened for its hooks, which a failure ends.
    Operation,
}

/// Inside a caller's transaction, a write statement runs in a savepoint of its own:
/// when the database refuses it, the transaction stays usable for the lookups that
/// explain the refusal (PostgreSQL refuses every statement after a failed one), and
/// for a hook that handles the error and goes on. The operation's own transaction
/// needs none (two round trips less): a failure rolls it back, and the refusal is
/// explained on the pool.
///
/// A request with an idempotency key writes in a transaction even on the pool, so that
/// the key is marked applied in it: a retry then never runs a write that committed.
async fn savepoint(ctx: &Ctx, within: Within) -> Result<Option<Ctx>, ApiError> {
    if within == Within::Caller && (ctx.db.in_transaction() || ctx.idempotency.is_some()) {
        Ok(Some(ctx.begin().await?))
    } else {
        Ok(None)
    }
}

/// Releases or rolls back the savepoint of a statement, and explains its failure.
async fn settle<T>(
    ctx: &Ctx,
    savepoint: Option<Ctx>,
    outcome: Result<T, DbErr>,
    spec: &'static ResourceSpec,
    parents: Parents,
) -> Result<T, ApiError> {
    match (outcome, savepoint) {
        (Ok(value), Some(savepoint)) => {
            savepoint.commit().await?;
            Ok(value)
        }
        (Ok(value), None) => Ok(value),
        (Err(e), Some(savepoint)) => {
            savepoint.rollback().await?;
            Err(write_error(ctx, spec, parents, e).await)
        }
        // The operation's transaction, which the failure may have aborted.
        (Err(e), None) if ctx.db.in_transaction() => {
            Err(write_error(&ctx.on_pool(), spec, parents, e).await)
        }
        (Err(e), None) => Err(write_error(ctx, spec, parents, e).await),
    }
}

/// Applies a validated update body to the row with this id: `before_update` hooks see
/// the current row and may change the changes, `after_update` hooks see the result.
pub(crate) async fn update<R: Resource>(
    ctx: &Ctx,
    id: R::Id,
    changes: R::Update,
    if_match: &IfMatch,
) -> Result<R::Model, ApiError> {
    if !ctx.hooks_of::<R>().is_some_and(|h| h.on(Stage::Update)) {
        let current = find_in::<R>(ctx, id, false, true).await?;
        check_version::<R>(&current, if_match)?;
        return apply::<R>(ctx, current, changes, if_match, Within::Caller).await;
    }
    let tx = ctx.begin().await?;
    let outcome = async {
        let current = find_in::<R>(&tx, id, true, true).await?;
        check_version::<R>(&current, if_match)?;
        update_locked::<R>(&tx, current, changes, if_match).await
    }
    .await;
    finish(R::spec(), tx, outcome).await
}

/// Applies `changes` to `current`, a row the transaction `tx` has read and locked,
/// with the update hooks around the write: `before_update` hooks see the row and may
/// change the changes, `after_update` hooks see the result. A failure leaves `tx` to
/// be rolled back.
pub(crate) async fn update_locked<R: Resource>(
    tx: &Ctx,
    current: R::Model,
    mut changes: R::Update,
    if_match: &IfMatch,
) -> Result<R::Model, ApiError> {
    let hooks = tx.hooks_of::<R>().filter(|h| h.on(Stage::Update));
    if let Some(hooks) = hooks.filter(|h| !h.before_update.is_empty()) {
        let before = R::from_model(current.clone());
        for hook in &hooks.before_update {
            hook(tx, &before, &mut changes).await?;
        }
    }
    let row = apply::<R>(tx, current, changes, if_match, Within::Operation).await?;
    if let Some(hooks) = hooks.filter(|h| !h.after_update.is_empty()) {
        let stored = R::from_model(row.clone());
        for hook in &hooks.after_update {
            hook(tx, &stored).await?;
        }
    }
    Ok(row)
}

/// `412` when the client's `If-Match` does not name the row's current version; a row
/// without a version has no entity tag, so only `*` matches it.
fn check_version<R: Resource>(row: &R::Model, if_match: &IfMatch) -> Result<(), ApiError> {
    match R::version_of(row) {
        Some(version) => if_match.check(version, false),
        None if matches!(if_match, IfMatch::Versions(_)) => Err(untagged(R::spec())),
        None => Ok(()),
    }
}

/// Writes `changes` over `current`; nothing is written when nothing changes. A
/// versioned row counts its version up in the same statement. When `If-Match` named
/// the version read, the row is written only if it is still at that version (`UPDATE
/// ... WHERE id = ? AND version = ?`), so concurrent writers cannot overwrite each
/// other's changes unseen; without it, the last writer wins, as the client asked.
async fn apply<R: Resource>(
    ctx: &Ctx,
    current: R::Model,
    changes: R::Update,
    if_match: &IfMatch,
    within: Within,
) -> Result<R::Model, ApiError> {
    let mut row = current.clone().into_active_model();
    R::apply_update(changes, &mut row);
    if !row.is_changed() {
        return Ok(current);
    }
    let parents = parents_of::<R>(&row);
    let savepoint = savepoint(ctx, within).await?;
    let db = &savepoint.as_ref().unwrap_or(ctx).db;
    let (Some(field), Some(version)) = (R::spec().version_field(), R::version_of(&current)) else {
        let outcome = row.update(db).await;
        return settle(ctx, savepoint, outcome, R::spec(), parents).await;
    };
    let (key, value) = primary_key::<R>(&row);
    let version_column = Alias::new(field.name);
    let mut query = R::Entity::update_many()
        .set(row)
        .col_expr(
            version_column.clone(),
            Expr::col(version_column.clone()).add(1),
        )
        .filter(Expr::col(key.clone()).eq(value.clone()));
    if matches!(if_match, IfMatch::Versions(_)) {
        query = query.filter(Expr::col(version_column).eq(version));
    }
    let outcome = query.exec(db).await;
    let written = settle(ctx, savepoint, outcome, R::spec(), parents).await?;
    let stored = R::Entity::find()
        .filter(Expr::col(key).eq(value))
        .one(&ctx.db)
        .await
        .map_err(|e| db_error(R::spec(), e))?;
    match stored {
        Some(row) if written.rows_affected > 0 => Ok(row),
        // Another write got there first: the client's change was based on an old row.
        Some(row) => Err(stale(R::version_of(&row).unwrap_or(version))),
        None => Err(not_found(R::spec())),
    }
}

/// The primary key column and value of a row.
fn primary_key<R: Resource>(row: &R::ActiveModel) -> (Alias, sea_orm::Value) {
    use sea_orm::{Iterable, PrimaryKeyToColumn};
    let column = <R::Entity as EntityTrait>::PrimaryKey::iter()
        .next()
        .expect("#[derive(Resource)] has a single-column primary key")
        .into_column();
    let value = row
        .get(column)
        .into_value()
        .expect("a row read from the database has its key");
    (Alias::new(R::spec().id_field().name), value)
}

/// Deletes the row with this id: one statement without hooks, else the row is read
/// (and locked) first so `before_delete` hooks can refuse it.
pub(crate) async fn delete<R: Resource>(
    ctx: &Ctx,
    id: R::Id,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let spec = R::spec();
    let hooks = ctx.hooks_of::<R>().filter(|h| h.on(Stage::Delete));
    if hooks.is_none() && *if_match != IfMatch::Absent {
        // Read, check, then delete only that version of the row.
        let row = find_in::<R>(ctx, id, false, true).await?;
        check_version::<R>(&row, if_match)?;
        let active = row.clone().into_active_model();
        let (key, value) = primary_key::<R>(&active);
        let mut query = R::Entity::delete_many().filter(Expr::col(key.clone()).eq(value.clone()));
        let version = spec.version_field().zip(R::version_of(&row));
        if let Some((field, version)) = version {
            query = query.filter(Expr::col(Alias::new(field.name)).eq(version));
        }
        let savepoint = savepoint(ctx, Within::Caller).await?;
        let outcome = query.exec(&savepoint.as_ref().unwrap_or(ctx).db).await;
        let result = settle(ctx, savepoint, outcome, spec, Vec::new()).await?;
        if result.rows_affected == 0 {
            // Deleted meanwhile (`404`), or changed since it was read (`412`).
            let now = R::Entity::find()
                .filter(Expr::col(key).eq(value))
                .one(&ctx.db)
                .await
                .map_err(|e| db_error(spec, e))?
                .ok_or_else(|| not_found(spec))?;
            return Err(stale(R::version_of(&now).unwrap_or_default()));
        }
        return Ok(());
    }
    let Some(hooks) = hooks else {
        let mut query = R::Entity::delete_by_id(id);
        if let Some(scope) = ctx.write_scope::<R>().await? {
            query = query.filter(scope);
        }
        let savepoint = savepoint(ctx, Within::Caller).await?;
        let outcome = query.exec(&savepoint.as_ref().unwrap_or(ctx).db).await;
        let result = settle(ctx, savepoint, outcome, spec, Vec::new()).await?;
        if result.rows_affected == 0 {
            return Err(not_found(spec));
        }
        return Ok(());
    };
    let tx = ctx.begin().await?;
    let outcome = async {
        let row = find_in::<R>(&tx, id, true, true).await?;
        check_version::<R>(&row, if_match)?;
        let gone = R::from_model(row.clone());
        for hook in &hooks.before_delete {
            hook(&tx, &gone).await?;
        }
        row.into_active_model()
            .delete(&tx.db)
            .await
            .map_err(|e| db_error(spec, e))?;
        for hook in &hooks.after_delete {
            hook(&tx, &gone).await?;
        }
        Ok(())
    }
    .await;
    finish(spec, tx, outcome).await
}

/// Commits after success, rolls back after a failure: the client gets the failure
/// (a rollback that fails too is only logged, the database discards the work anyway).
/// A refused commit (a serialization failure, a deadlock) is explained as a refused
/// statement is.
async fn finish<T>(
    spec: &'static ResourceSpec,
    tx: Ctx,
    outcome: Result<T, ApiError>,
) -> Result<T, ApiError> {
    match outcome {
        Ok(value) => {
            crate::idempotency::mark_applied(&tx)
                .await
                .map_err(|e| db_error(spec, e))?;
            if let Some(transaction) = tx.into_transaction()? {
                transaction.commit().await.map_err(|e| db_error(spec, e))?;
            }
            Ok(value)
        }
        Err(error) => {
            if let Err(rollback) = tx.rollback().await {
                tracing::warn!(%rollback, "rolling back after a failed hook or write");
            }
            Err(error)
        }
    }
}

/// The parents a written row points to: its `belongs_to` columns that the write sets,
/// with their values.
pub(crate) type Parents = Vec<(&'static RelationSpec, sea_orm::Value)>;

/// The [`Parents`] of a row about to be written, to name the missing one if the
/// database refuses it. Read off the row, so they include what hooks changed.
fn parents_of<R: Resource>(row: &R::ActiveModel) -> Parents {
    R::spec()
        .relations
        .iter()
        .filter_map(|relation| {
            let RelationKind::BelongsTo { field } = relation.kind else {
                return None;
            };
            let column: <R::Entity as EntityTrait>::Column = field.parse().ok()?;
            match row.get(column) {
                ActiveValue::Set(value) if value != value.as_null() => Some((relation, value)),
                _ => None,
            }
        })
        .collect()
}

/// A failed write: a foreign key that points nowhere is the client's mistake in a
/// field, so it is a 422 naming the field, found by looking the parents up once the
/// database has refused the row (SQLite does not say which key failed). Looking them
/// up only then keeps successful writes at one statement.
async fn write_error(
    ctx: &Ctx,
    spec: &'static ResourceSpec,
    parents: Parents,
    err: DbErr,
) -> ApiError {
    if !matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    ) {
        return db_error(spec, err);
    }
    let mut missing = Vec::new();
    for (relation, key) in parents {
        let target = (relation.target)();
        let id = target.id_field();
        let condition = Condition::all().add(Expr::col(Alias::new(id.name)).eq(key));
        if let Ok(rows) = (target.load)(ctx, condition, 1).await
            && rows.is_empty()
        {
            missing.push(crate::FieldError::new(
                relation.foreign_key(),
                "not_found",
                format!("no {} has this id", target.name),
            ));
        }
    }
    if missing.is_empty() {
        db_error(spec, err)
    } else {
        ApiError::validation(missing)
    }
}

pub(crate) fn not_found(spec: &crate::spec::ResourceSpec) -> ApiError {
    ApiError::not_found(format!("no {} with this id", spec.name))
}
